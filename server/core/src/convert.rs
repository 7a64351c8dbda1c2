//! Convert a table pasted from Word, a web page or a PDF into a Markdown pipe table.
//!
//! Two ways, both free of editor types:
//! - tables 二, 三 and 四 of a report, when the parser read them from a tab,
//!   one-cell-per-line or PDF-text layout, are rebuilt from the report model: the
//!   template's header and row labels, and each row's cells as written;
//! - any other block of tab-separated lines (or the text of a table the model
//!   could not place) is converted line by line: tabs, blank-line separated
//!   one-cell-per-line rows, or runs of spaces become cell separators.

use crate::model::{Layout, Report, Row};
use crate::parse::lex::is_space;
use crate::skeleton;
use crate::text::{LineIndex, TextRange};

/// Which table a conversion rebuilds.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Source {
    Table2,
    Table3,
    Table4,
    /// A block of text outside the report's tables.
    Block,
}

/// Replace `range` (whole lines, without the final line break) by `markdown`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Conversion {
    pub source: Source,
    pub range: TextRange,
    /// The pipe table, lines joined by `\n`, no final line break.
    pub markdown: String,
}

/// The conversion offered at byte `offset`, if it sits in a table that is not a pipe table.
pub fn conversion_at(src: &str, report: &Report, offset: usize) -> Option<Conversion> {
    let index = LineIndex::new(src);
    for source in [Source::Table2, Source::Table3, Source::Table4] {
        let Some((range, layout)) = table_extent(src, &index, report, source) else {
            continue;
        };
        if layout == Layout::Pipe || offset < range.start || offset > range.end {
            continue;
        }
        let markdown = model_markdown(src, report, source)
            .or_else(|| convert_text(&src[range.start..range.end]))?;
        return Some(Conversion {
            source,
            range,
            markdown: markdown.trim_end_matches('\n').to_string(),
        });
    }
    let range = tab_block_at(src, &index, offset)?;
    let markdown = convert_text(&src[range.start..range.end])?;
    Some(Conversion {
        source: Source::Block,
        range,
        markdown: markdown.trim_end_matches('\n').to_string(),
    })
}

/// The whole-line extent of a report table: from its first table-like line to the
/// line of its last value, and its layout.
pub fn table_extent(
    src: &str,
    index: &LineIndex,
    report: &Report,
    source: Source,
) -> Option<(TextRange, Layout)> {
    let (region, layout, rows): (TextRange, Layout, Vec<&Row>) = match source {
        Source::Table2 => {
            let t = report.table2.as_ref()?;
            (
                t.range,
                t.layout,
                t.rows.iter().filter_map(|(_, r)| r.as_ref()).collect(),
            )
        }
        Source::Table3 => {
            let t = report.table3.as_ref()?;
            (t.range, t.layout, t.rows.iter().flatten().collect())
        }
        Source::Table4 => {
            let t = report.table4.as_ref()?;
            (t.range, t.layout, vec![&t.row])
        }
        Source::Block => return None,
    };
    let end = rows
        .iter()
        .flat_map(|r| r.raw.iter().map(|c| c.range.end).chain([r.label_range.end]))
        .max()?;
    // Start at the first line of the region that is not prose.
    let mut line = index.line_of(region.start);
    let last = index.line_of(end.min(src.len()));
    while line < last {
        let r = index.line_range(line);
        let t = &src[r.start..r.end];
        if !t.trim_matches(is_space).is_empty() && !t.contains('。') {
            break;
        }
        line += 1;
    }
    let start = index.line_start(line);
    let end = index.line_range(last).end;
    (start < end).then(|| (TextRange::new(start, end), layout))
}

fn cell_texts(src: &str, row: &Row) -> Vec<String> {
    match &row.cells {
        Some(cells) => cells
            .iter()
            .map(|c| {
                src[c.range.start..c.range.end]
                    .trim_matches(is_space)
                    .to_string()
            })
            .collect(),
        None => row
            .raw
            .iter()
            .map(|c| {
                src[c.range.start..c.range.end]
                    .trim_matches(is_space)
                    .to_string()
            })
            .collect(),
    }
}

/// Rebuild a report table from the model, or `None` when the model does not hold it well enough.
pub fn model_markdown(src: &str, report: &Report, source: Source) -> Option<String> {
    match source {
        Source::Table2 => {
            let t = report.table2.as_ref()?;
            if !t.markers_2019.is_empty() || t.rows.iter().all(|(_, r)| r.is_none()) {
                return None;
            }
            Some(skeleton::table2_with(&|key| {
                let row = t.rows.iter().find(|(k, _)| *k == key)?.1.as_ref()?;
                Some(cell_texts(src, row)).filter(|c| !c.is_empty())
            }))
        }
        Source::Table3 => {
            let t = report.table3.as_ref()?;
            if t.disordered || t.rows.iter().all(|r| r.is_none()) {
                return None;
            }
            Some(skeleton::table3_with(&|i| {
                let row = t.rows[i].as_ref()?;
                Some(cell_texts(src, row)).filter(|c| !c.is_empty())
            }))
        }
        Source::Table4 => {
            let t = report.table4.as_ref()?;
            let cells = cell_texts(src, &t.row);
            if cells.is_empty() {
                return None;
            }
            Some(skeleton::table4_with(&cells))
        }
        Source::Block => None,
    }
}

fn tab_cells(line: &str) -> Vec<&str> {
    line.split('\t').map(|p| p.trim_matches(is_space)).collect()
}

/// A line of tab-separated cells (at least two of them non-empty).
pub fn is_tab_row(line: &str) -> bool {
    line.contains('\t') && tab_cells(line).iter().filter(|c| !c.is_empty()).count() >= 2
}

/// The run of tab-separated lines around `offset` (at least two lines).
pub fn tab_block_at(src: &str, index: &LineIndex, offset: usize) -> Option<TextRange> {
    let at = index.line_of(offset.min(src.len()));
    let row = |l: usize| {
        let r = index.line_range(l);
        is_tab_row(&src[r.start..r.end])
    };
    if !row(at) {
        return None;
    }
    let (mut first, mut last) = (at, at);
    while first > 0 && row(first - 1) {
        first -= 1;
    }
    while last + 1 < index.line_count() && row(last + 1) {
        last += 1;
    }
    (last > first).then(|| TextRange::new(index.line_start(first), index.line_range(last).end))
}

fn escape(cell: &str) -> String {
    cell.replace('|', "\\|")
}

fn pipe_table(rows: &[Vec<String>]) -> Option<String> {
    let rows: Vec<&Vec<String>> = rows
        .iter()
        .filter(|r| r.iter().any(|c| !c.is_empty()))
        .collect();
    if rows.len() < 2 {
        return None;
    }
    let width = rows.iter().map(|r| r.len()).max()?;
    let mut out = String::new();
    for (i, r) in rows.iter().enumerate() {
        out.push('|');
        for k in 0..width {
            out.push(' ');
            out.push_str(&escape(r.get(k).map(String::as_str).unwrap_or("")));
            out.push_str(" |");
        }
        out.push('\n');
        if i == 0 {
            out.push('|');
            out.push_str(&"---|".repeat(width));
            out.push('\n');
        }
    }
    Some(out)
}

fn is_number(s: &str) -> bool {
    let t = s.trim_matches(is_space);
    !t.is_empty()
        && t.chars().all(|c| {
            c.is_ascii_digit() || ('０'..='９').contains(&c) || matches!(c, '.' | ',' | '-' | '－')
        })
}

/// Convert a block of pasted table text into a pipe table.
pub fn convert_text(text: &str) -> Option<String> {
    let lines: Vec<&str> = crate::text::lines(text)
        .filter(|l| !crate::parse::lex::is_page_number(l))
        .collect();
    // Tab-separated rows: one row per line, empty cells kept (merged cells), trailing ones dropped.
    if lines.iter().filter(|l| is_tab_row(l)).count() >= 2 {
        let rows: Vec<Vec<String>> = lines
            .iter()
            .filter(|l| !l.trim_matches(is_space).is_empty())
            .map(|l| {
                let mut cells: Vec<String> = tab_cells(l).into_iter().map(String::from).collect();
                while cells.len() > 1 && cells.last().map(|c| c.is_empty()).unwrap_or(false) {
                    cells.pop();
                }
                if cells.len() > 1
                    && cells[0].is_empty()
                    && l.starts_with('\t')
                    && !l[1..].starts_with('\t')
                {
                    // A single leading tab is indentation, not an empty cell.
                    cells.remove(0);
                }
                cells
            })
            .collect();
        return pipe_table(&rows);
    }
    // One cell per line, rows separated by blank lines.
    let groups: Vec<Vec<&str>> = lines
        .split(|l| l.trim_matches(is_space).is_empty())
        .filter(|g| !g.is_empty())
        .map(|g| g.iter().map(|l| l.trim_matches(is_space)).collect())
        .collect();
    let multi = groups.iter().filter(|g| g.len() >= 2).count();
    if groups.len() >= 2
        && multi * 2 >= groups.len()
        && groups.iter().flatten().all(|c| !c.contains("  "))
    {
        let rows: Vec<Vec<String>> = groups
            .iter()
            .map(|g| g.iter().map(|c| c.to_string()).collect())
            .collect();
        return pipe_table(&rows);
    }
    // PDF text: cells separated by runs of spaces; label lines without numbers
    // are joined to the next line that carries numbers (labels wrapped over lines).
    let mut rows: Vec<Vec<String>> = Vec::new();
    let mut pending_label = String::new();
    for l in &lines {
        let t = l.trim_matches(is_space);
        if t.is_empty() {
            continue;
        }
        let pieces: Vec<&str> = t.split(is_space).filter(|p| !p.is_empty()).collect();
        let first_num = pieces.iter().position(|p| is_number(p));
        match first_num {
            Some(k) => {
                let mut label = std::mem::take(&mut pending_label);
                label.push_str(&pieces[..k].concat());
                let mut row = vec![label];
                row.extend(pieces[k..].iter().map(|p| p.to_string()));
                rows.push(row);
            }
            None if pieces.len() >= 3 => {
                // A header line: every piece a cell.
                if !pending_label.is_empty() {
                    rows.push(vec![std::mem::take(&mut pending_label)]);
                }
                rows.push(pieces.iter().map(|p| p.to_string()).collect());
            }
            None => pending_label.push_str(&pieces.concat()),
        }
    }
    if !pending_label.is_empty() {
        rows.push(vec![pending_label]);
    }
    pipe_table(&rows)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{analyze, config::Config};

    #[test]
    fn tab_rows() {
        let md =
            convert_text("信息内容\t本年制发件数\t本年废止件数\n规章\t0\t1\n行政规范性文件\t\t3\n")
                .unwrap();
        assert_eq!(md, "| 信息内容 | 本年制发件数 | 本年废止件数 |\n|---|---|---|\n| 规章 | 0 | 1 |\n| 行政规范性文件 |  | 3 |\n");
    }

    #[test]
    fn one_cell_per_line() {
        let md =
            convert_text("信息内容\n本年处理决定数量\n\n行政许可\n5\n\n行政处罚\n0\n").unwrap();
        assert_eq!(
            md,
            "| 信息内容 | 本年处理决定数量 |\n|---|---|\n| 行政许可 | 5 |\n| 行政处罚 | 0 |\n"
        );
    }

    #[test]
    fn pdf_text_with_wrapped_labels() {
        let md = convert_text(
            "信息内容 本年制发件数 本年废止件数\n行政规范性\n文件 2 1\n- 3 -\n规章 0 0\n",
        )
        .unwrap();
        assert_eq!(md, "| 信息内容 | 本年制发件数 | 本年废止件数 |\n|---|---|---|\n| 行政规范性文件 | 2 | 1 |\n| 规章 | 0 | 0 |\n");
    }

    fn seed(name: &str) -> Option<String> {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
        ["tests/fixtures/seeds", "../shared/seeds"]
            .iter()
            .find_map(|d| std::fs::read_to_string(root.join(d).join(name)).ok())
    }

    /// Converting the pasted tables of the seeds keeps every value the parser read.
    #[test]
    fn seeds_convert_to_pipe_tables_with_the_same_values() {
        for name in ["000_010db8b7001e9e05.txt", "003_353fe64ea44b1a70.txt"] {
            let src = seed(name).expect("seed fixture in tests/fixtures/seeds");
            let before = analyze(&src, &Config::default());
            let mut text = src.clone();
            let mut converted = 0;
            for source in [Source::Table4, Source::Table3, Source::Table2] {
                let a = analyze(&text, &Config::default());
                let index = LineIndex::new(&text);
                let Some((range, layout)) = table_extent(&text, &index, &a.report, source) else {
                    continue;
                };
                if layout == Layout::Pipe {
                    continue;
                }
                let c = conversion_at(&text, &a.report, range.start).expect("conversion offered");
                assert_eq!(c.range, range);
                text.replace_range(c.range.start..c.range.end, &c.markdown);
                converted += 1;
            }
            assert!(converted >= 2, "{name}: {converted} tables converted");
            let after = analyze(&text, &Config::default());
            let values = |r: &Report| {
                crate::template::identities(r.format)
                    .iter()
                    .flat_map(|i| i.cells().collect::<Vec<_>>())
                    .map(|c| crate::rules::shared::int_of(r, c))
                    .collect::<Vec<_>>()
            };
            assert_eq!(values(&before.report), values(&after.report), "{name}");
            let t3 = after.report.table3.as_ref().unwrap();
            assert_eq!(t3.layout, Layout::Pipe, "{name}");
            let nb2 = |a: &crate::Analysis| {
                a.diagnostics
                    .iter()
                    .filter(|d| d.code().starts_with("NB2"))
                    .count()
            };
            assert!(nb2(&after) <= nb2(&before), "{name}: {}", text);
        }
    }
}
