//! 汇总: the tables of several reports added cell by cell into a report skeleton (a county's
//! report sums its departments' and towns'), and a published report compared with the sum
//! of its parts.

use crate::analysis::{analyze, Analysis};
use crate::config::Config;
use crate::diag::Severity;
use crate::extract::{cells, CellRecord, State};
use crate::text::{apply_edits, TextEdit};

/// One report given to [`sum`].
pub struct Part<'a> {
    pub name: &'a str,
    pub src: &'a str,
    pub analysis: &'a Analysis,
}

/// A cell's key: table, row, column.
type Key = (&'static str, &'static str, String);

fn key(c: &CellRecord) -> Key {
    (c.table, c.row_key, c.col_key.clone())
}

/// What each part gives for a cell.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Total {
    pub value: f64,
    /// Parts that have the cell as a number.
    pub counted: usize,
    /// Parts whose cell is text, a wrong total, or not in their report (by name).
    pub not_counted: Vec<String>,
}

/// The totals of every cell of the parts, by key.
pub fn totals(parts: &[Part]) -> Vec<(CellRecord, Total)> {
    let per_part: Vec<Vec<CellRecord>> = parts.iter().map(|p| cells(p.src, p.analysis)).collect();
    // The cells of the template (the first part's list of cells has every key of its format).
    let mut out: Vec<(CellRecord, Total)> = Vec::new();
    let mut index = std::collections::HashMap::new();
    for (p, list) in parts.iter().zip(&per_part) {
        for c in list {
            let i = *index.entry(key(c)).or_insert_with(|| {
                out.push((c.clone(), Total::default()));
                out.len() - 1
            });
            let t = &mut out[i].1;
            match (c.state, c.value) {
                // A wrong total is summed as written (it is what was published); the
                // report is listed first in the sum as one to check.
                (State::Number | State::Wrong, Some(v)) => {
                    t.value += v;
                    t.counted += 1;
                }
                (State::Blank, _) => t.counted += 1,
                _ => t.not_counted.push(p.name.to_string()),
            }
        }
    }
    out
}

/// Write `v` as a count, or with the decimals it needs (money).
pub fn number_text(v: f64) -> String {
    if v.fract() == 0.0 && v.abs() < 1e15 {
        format!("{}", v as i64)
    } else {
        let s = format!("{v:.4}");
        s.trim_end_matches('0').trim_end_matches('.').to_string()
    }
}

/// The summed report.
pub struct Summed {
    pub text: String,
    /// Parts whose tables do not add up (their errors of NB3xx), listed first in the text.
    pub unclean: Vec<(String, Vec<String>)>,
}

/// The 2021 skeleton for `year` with every cell of tables 二/三/四 the sum of the parts'.
pub fn sum(parts: &[Part], year: u16, config: &Config) -> Summed {
    let skeleton = crate::skeleton::skeleton(year);
    let sk = analyze(&skeleton, config);
    let totals: std::collections::HashMap<Key, Total> = totals(parts)
        .into_iter()
        .map(|(c, t)| (key(&c), t))
        .collect();
    let mut edits = Vec::new();
    for c in cells(&skeleton, &sk) {
        let (Some(range), Some(t)) = (c.range, totals.get(&key(&c))) else {
            continue;
        };
        // The skeleton's cell holds "0": its digits are the cell's trimmed text.
        let text = &skeleton[range.start..range.end];
        let lead = text.len() - text.trim_start().len();
        let digits =
            crate::text::TextRange::new(range.start + lead, range.start + lead + text.trim().len());
        edits.push(TextEdit {
            range: digits,
            new_text: number_text(t.value),
        });
    }
    edits.sort_by_key(|e| e.range.start);
    let body = apply_edits(&skeleton, &edits);
    let unclean: Vec<(String, Vec<String>)> = parts
        .iter()
        .filter_map(|p| {
            let errs: Vec<String> = p
                .analysis
                .diagnostics
                .iter()
                .filter(|d| d.severity == Severity::Error && d.code().starts_with("NB3"))
                .map(|d| format!("{} {}", d.code(), d.message.get(config.lang)))
                .collect();
            (!errs.is_empty()).then(|| (p.name.to_string(), errs))
        })
        .collect();
    let mut head = String::from("<!--\n汇总自以下报告（nianbao sum）：\n");
    for p in parts {
        head.push_str(&format!("- {}\n", p.name.replace("--", "- -")));
    }
    if !unclean.is_empty() {
        head.push_str("\n注意：以下报告的表格勾稽关系不成立，汇总的合计可能有误，请先核对：\n");
        for (name, errs) in &unclean {
            head.push_str(&format!("- {}\n", name.replace("--", "- -")));
            for e in errs {
                head.push_str(&format!("  - {}\n", e.replace("--", "- -")));
            }
        }
    }
    head.push_str("-->\n");
    Summed {
        text: format!("{head}{body}"),
        unclean,
    }
}

/// A cell where a report differs from the sum of its parts.
#[derive(Clone, Debug, PartialEq)]
pub struct Difference {
    /// The report's cell (its range is where to show the difference).
    pub cell: CellRecord,
    /// The sum of the parts.
    pub sum: Total,
}

/// Every cell of `whole` (a number, or missing from it) that differs from the sum of `parts`.
pub fn compare(whole_src: &str, whole: &Analysis, parts: &[Part]) -> Vec<Difference> {
    let totals: std::collections::HashMap<Key, Total> = totals(parts)
        .into_iter()
        .map(|(c, t)| (key(&c), t))
        .collect();
    cells(whole_src, whole)
        .into_iter()
        .filter_map(|c| {
            let t = totals.get(&key(&c)).cloned().unwrap_or_default();
            let own = c.value.unwrap_or(0.0);
            let differs =
                (own - t.value).abs() > 1e-9 || (c.state == State::Missing && t.value != 0.0);
            differs.then_some(Difference { cell: c, sum: t })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_keep_what_they_need() {
        assert_eq!(number_text(12.0), "12");
        assert_eq!(number_text(0.5), "0.5");
        assert_eq!(number_text(1.25), "1.25");
    }
}
