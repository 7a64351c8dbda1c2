//! Is a text a 政府信息公开工作年度报告 at all? The language server checks only the
//! documents that are (unless told to check every document): a work summary
//! with "一、总体情况" and "二、存在的问题" is not a report and must get no
//! "missing section" errors.
//!
//! The evidence is read with the parser's own recognition — its line splitting
//! (`\n`, `\r\n` and a lone `\r`), its section headings and the row labels of
//! table 三 — so that what attaches is what the rules would read as a report.

use crate::parse::lex::norm_str;
use crate::parse::lines::{split_lines, Lines};
use crate::template::TABLE3_ROWS;

/// Section headings (numbered as in the template) that make a report.
pub const MIN_SECTIONS: usize = 3;
/// Distinct row labels of table 三 that make a report.
pub const MIN_TABLE3_ROWS: usize = 6;
/// The title is looked for in this many non-blank lines at the top.
const TITLE_LINES: usize = 5;
/// ... and in this many characters of each (a glued PDF text has the title
/// at the start of a long first line).
const TITLE_CHARS: usize = 120;

/// What speaks for the text being an annual report.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Evidence {
    /// A title near the top names a 政府信息公开 … 年度报告.
    pub title: bool,
    /// Distinct sections with a heading numbered as in the template ("三、收到和处理…").
    pub sections: usize,
    /// Distinct rows of table 三 whose label occurs.
    pub table3_rows: usize,
}

impl Evidence {
    pub fn is_report(&self) -> bool {
        self.title || self.sections >= MIN_SECTIONS || self.table3_rows >= MIN_TABLE3_ROWS
    }
}

/// The evidence in `text`. Stops reading once the text is known to be a report.
pub fn evidence(text: &str) -> Evidence {
    let mut e = Evidence {
        title: has_report_title(text),
        ..Evidence::default()
    };
    if e.title {
        return e;
    }
    e.sections = section_headings(text);
    if e.is_report() {
        return e;
    }
    e.table3_rows = table3_labels(text);
    e
}

/// Whether `text` reads as an annual report (see [`Evidence`]).
pub fn is_report(text: &str) -> bool {
    evidence(text).is_report()
}

fn has_report_title(text: &str) -> bool {
    split_lines(text, 0, text.len())
        .into_iter()
        .map(|r| &text[r.start..r.end])
        .filter(|l| !norm_str(l).is_empty())
        .take(TITLE_LINES)
        .any(|l| {
            let head: String = l.chars().take(TITLE_CHARS).collect();
            let n = norm_str(&head);
            n.contains("政府信息公开") && n.contains("年度报告")
        })
}

fn section_headings(text: &str) -> usize {
    let lines = Lines::new(text);
    let mut seen = [false; 6];
    for facts in &lines.facts {
        for c in &facts.cands {
            if let Some((k, _, _)) = c.section {
                if c.number as usize == k + 1 {
                    seen[k] = true;
                }
            }
        }
    }
    seen.iter().filter(|s| **s).count()
}

fn table3_labels(text: &str) -> usize {
    let n = norm_str(text);
    let mut keys: Vec<_> = TABLE3_ROWS
        .iter()
        .filter(|row| row.matchers.first().is_some_and(|m| n.contains(m)))
        .map(|row| row.key)
        .collect();
    keys.dedup();
    keys.len()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_work_summary_is_not_a_report() {
        let summary = "# 2024年度工作总结\n\n一、总体情况\n\n今年完成了各项任务。\n\n二、存在的问题\n\n人手不足。\n";
        let e = evidence(summary);
        assert!(!e.title);
        assert!(e.sections < MIN_SECTIONS, "{e:?}");
        assert!(!e.is_report());
        assert!(!is_report("# README\n\n一、安装\n"));
        assert!(!is_report("前言\n\n一、总体情况\n"));
    }

    #[test]
    fn a_title_headings_or_table_labels_make_a_report() {
        assert!(is_report("# 某某局2024年政府信息公开工作年度报告\n"));
        assert!(is_report(
            "\r\r某某局2024年政府信息公开工作年度报告\r一、总体情况\r"
        ));
        let headings =
            "一、总体情况\r\r二、主动公开政府信息情况\r\r三、收到和处理政府信息公开申请情况\r";
        assert_eq!(evidence(headings).sections, 3);
        assert!(is_report(headings));
        let table =
            "| 一、本年新收政府信息公开申请数量 | 3 |\n| 二、上年结转政府信息公开申请数量 | 0 |\n\
                     | （一）予以公开 | 1 |\n| （二）部分公开 | 1 |\n| 1.属于国家秘密 | 0 |\n\
                     | 5.属于三类内部事务信息 | 0 |\n";
        assert!(!is_report(&table[..table.find("| 1.").unwrap()]));
        assert!(
            evidence(table).table3_rows >= MIN_TABLE3_ROWS,
            "{:?}",
            evidence(table)
        );
        assert!(is_report(table));
    }
}

#[cfg(test)]
mod real_reports {
    use super::*;
    use std::path::{Path, PathBuf};

    fn texts(dir: &Path) -> Vec<(PathBuf, String)> {
        let mut out = Vec::new();
        let Ok(entries) = std::fs::read_dir(dir) else {
            return out;
        };
        for e in entries.flatten() {
            let p = e.path();
            let text_file = p
                .extension()
                .is_some_and(|x| x == "txt" || x == "md" || x == "markdown");
            if text_file && p.file_name().is_some_and(|n| n != "README.md") {
                if let Ok(s) = std::fs::read_to_string(&p) {
                    out.push((p, s));
                }
            }
        }
        out
    }

    /// Every real report attaches: the seeds in the repository, and the real
    /// reports of the shared folder where it is there (`NIANBAO_REALWORLD`, or
    /// /work/shared/realworld).
    #[test]
    fn every_seed_and_real_report_is_a_report() {
        let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../tests/fixtures");
        let mut all = texts(&root.join("seeds"));
        assert!(all.len() >= 8, "seeds: {}", all.len());
        all.extend(texts(&root.join("cli")));
        all.extend(texts(&root.join("lsp")));
        let shared = std::env::var_os("NIANBAO_REALWORLD")
            .map(PathBuf::from)
            .unwrap_or_else(|| PathBuf::from("/work/shared/realworld"));
        all.extend(texts(&shared));
        for (p, s) in &all {
            let e = evidence(s);
            assert!(e.is_report(), "{}: {e:?}", p.display());
            // With the line endings of an old Mac, still a report.
            let cr = s.replace("\r\n", "\n").replace('\n', "\r");
            assert!(is_report(&cr), "{} with lone CR", p.display());
        }
    }
}
