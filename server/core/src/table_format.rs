//! Align Markdown pipe tables by display width (CJK characters count as two
//! columns) without changing the content of any cell.
//!
//! A table is a run of at least two consecutive lines that contain a `|`
//! (outside fenced code blocks). Each row is rewritten as `| a | b |` with every
//! cell padded to the widest cell of its column; alignment rows (`|---|:-:|`)
//! are redrawn to the column widths, keeping their colons. Cell text (trimmed of
//! spaces and tabs, as GFM reads it) is never changed, text outside tables is
//! never touched, and formatting is idempotent.

use crate::text::{apply_edits, LineIndex, TextEdit, TextRange};
use unicode_width::UnicodeWidthStr;

/// A pipe row split into cells.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PipeRow<'a> {
    /// Leading indentation kept as written.
    pub indent: &'a str,
    /// Trimmed cell texts.
    pub cells: Vec<&'a str>,
}

/// The edits that align every pipe table of `src` (one edit per changed line).
pub fn format_tables(src: &str) -> Vec<TextEdit> {
    let mut edits = Vec::new();
    for block in table_blocks(src) {
        format_block(src, &block, &mut edits);
    }
    edits
}

/// `src` with every pipe table aligned.
pub fn format(src: &str) -> String {
    apply_edits(src, &format_tables(src))
}

/// The line ranges (without terminators) of each pipe table, grouped by table.
pub fn table_blocks(src: &str) -> Vec<Vec<TextRange>> {
    let index = LineIndex::new(src);
    let mut blocks = Vec::new();
    let mut current: Vec<TextRange> = Vec::new();
    let mut fence: Option<(char, usize)> = None;
    for l in 0..index.line_count() {
        let r = index.line_range(l);
        let line = &src[r.start..r.end];
        if let Some(f) = fence_marker(line) {
            match fence {
                None => fence = Some(f),
                Some((c, n))
                    if f.0 == c && f.1 >= n && line.trim_start()[f.1..].trim().is_empty() =>
                {
                    fence = None
                }
                _ => {}
            }
            flush(&mut current, &mut blocks);
            continue;
        }
        if fence.is_none() && is_pipe_row(line) {
            current.push(r);
        } else {
            flush(&mut current, &mut blocks);
        }
    }
    flush(&mut current, &mut blocks);
    blocks
}

fn flush(current: &mut Vec<TextRange>, blocks: &mut Vec<Vec<TextRange>>) {
    if current.len() >= 2 {
        blocks.push(std::mem::take(current));
    } else {
        current.clear();
    }
}

/// A code fence opener/closer: up to three spaces, then three or more ` or ~.
fn fence_marker(line: &str) -> Option<(char, usize)> {
    let indent = line.len() - line.trim_start_matches(' ').len();
    if indent > 3 {
        return None;
    }
    let t = &line[indent..];
    let c = t.chars().next()?;
    if c != '`' && c != '~' {
        return None;
    }
    let n = t.chars().take_while(|x| *x == c).count();
    (n >= 3).then_some((c, n))
}

/// Does the line contain an unescaped `|` and any cell at all?
pub fn is_pipe_row(line: &str) -> bool {
    let t = line.trim_matches(is_pad);
    if t.is_empty() || line.starts_with("    ") {
        return false;
    }
    let mut escaped = false;
    for c in t.chars() {
        match c {
            '\\' if !escaped => escaped = true,
            '|' if !escaped => return true,
            _ => escaped = false,
        }
    }
    false
}

fn is_pad(c: char) -> bool {
    c == ' ' || c == '\t'
}

/// Split a pipe row into trimmed cells (outer pipes are not cells; `\|` does not split).
pub fn split_row(line: &str) -> PipeRow<'_> {
    let indent_len = line.len() - line.trim_start_matches(is_pad).len();
    let indent = &line[..indent_len];
    let t = line.trim_matches(is_pad);
    let mut pieces = Vec::new();
    let mut start = 0;
    let mut escaped = false;
    for (i, c) in t.char_indices() {
        match c {
            '\\' if !escaped => escaped = true,
            '|' if !escaped => {
                pieces.push(&t[start..i]);
                start = i + 1;
            }
            _ => escaped = false,
        }
    }
    pieces.push(&t[start..]);
    if t.starts_with('|') {
        pieces.remove(0);
    }
    if ends_with_pipe(t) && !pieces.is_empty() {
        pieces.pop();
    }
    PipeRow {
        indent,
        cells: pieces.into_iter().map(|p| p.trim_matches(is_pad)).collect(),
    }
}

fn ends_with_pipe(t: &str) -> bool {
    if !t.ends_with('|') {
        return false;
    }
    // Count backslashes before the final pipe: an odd number escapes it.
    let backslashes = t[..t.len() - 1]
        .chars()
        .rev()
        .take_while(|c| *c == '\\')
        .count();
    backslashes % 2 == 0
}

/// An alignment cell: `---`, `:--`, `--:`, `:-:`.
fn is_delimiter_cell(c: &str) -> bool {
    let inner = c.strip_prefix(':').unwrap_or(c);
    let inner = inner.strip_suffix(':').unwrap_or(inner);
    !inner.is_empty() && inner.chars().all(|x| x == '-')
}

fn is_delimiter_row(row: &PipeRow) -> bool {
    !row.cells.is_empty() && row.cells.iter().all(|c| is_delimiter_cell(c))
}

fn format_block(src: &str, lines: &[TextRange], edits: &mut Vec<TextEdit>) {
    let rows: Vec<PipeRow> = lines
        .iter()
        .map(|r| split_row(&src[r.start..r.end]))
        .collect();
    let ncols = rows.iter().map(|r| r.cells.len()).max().unwrap_or(0);
    let mut widths = vec![0usize; ncols];
    for row in rows.iter().filter(|r| !is_delimiter_row(r)) {
        for (i, c) in row.cells.iter().enumerate() {
            widths[i] = widths[i].max(c.width());
        }
    }
    for row in rows.iter().filter(|r| is_delimiter_row(r)) {
        for (i, c) in row.cells.iter().enumerate() {
            let colons = c.starts_with(':') as usize + c.ends_with(':') as usize;
            widths[i] = widths[i].max(3).max(colons + 1);
        }
    }
    for (row, range) in rows.iter().zip(lines) {
        if row.cells.is_empty() {
            continue;
        }
        let mut out = String::with_capacity(range.len() + 16);
        out.push_str(row.indent);
        out.push('|');
        let delimiter = is_delimiter_row(row);
        for (i, c) in row.cells.iter().enumerate() {
            out.push(' ');
            if delimiter {
                let left = c.starts_with(':');
                let right = c.len() > 1 && c.ends_with(':');
                let dashes = widths[i] - left as usize - right as usize;
                if left {
                    out.push(':');
                }
                out.push_str(&"-".repeat(dashes));
                if right {
                    out.push(':');
                }
            } else {
                out.push_str(c);
                out.push_str(&" ".repeat(widths[i] - c.width()));
            }
            out.push_str(" |");
        }
        if out != src[range.start..range.end] {
            edits.push(TextEdit {
                range: *range,
                new_text: out,
            });
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cells_of(src: &str) -> Vec<Vec<String>> {
        table_blocks(src)
            .iter()
            .flatten()
            .map(|r| {
                split_row(&src[r.start..r.end])
                    .cells
                    .iter()
                    .map(|c| {
                        // Alignment cells are redrawn: only their colons are content.
                        if is_delimiter_cell(c) {
                            format!(
                                "{}-{}",
                                if c.starts_with(':') { ":" } else { "" },
                                if c.len() > 1 && c.ends_with(':') {
                                    ":"
                                } else {
                                    ""
                                }
                            )
                        } else {
                            c.to_string()
                        }
                    })
                    .collect()
            })
            .collect()
    }

    #[test]
    fn aligns_by_display_width() {
        let src = "前言\n| 规章 | 0 |\n|---|---|\n| 行政规范性文件 | 12 |\n后记\n";
        let out = format(src);
        assert_eq!(
            out,
            "前言\n| 规章           | 0   |\n| -------------- | --- |\n| 行政规范性文件 | 12  |\n后记\n"
        );
        assert_eq!(format(&out), out, "idempotent");
        assert_eq!(cells_of(src), cells_of(&out));
    }

    #[test]
    fn rows_without_outer_pipes_and_ragged_rows() {
        let src = "a | b\n第二十条 |\nc | dd | 总计 |\n";
        let out = format(src);
        assert_eq!(cells_of(src), cells_of(&out));
        assert_eq!(format(&out), out);
        assert!(out.starts_with("| a        | b  |\n| 第二十条 |\n"));
    }

    #[test]
    fn keeps_alignment_colons_and_escapes() {
        let src = "| x | y \\| z |\n|:--|--:|\n| 1 | 2 |\n";
        let out = format(src);
        assert!(
            out.contains("| :-- | ------: |") || out.contains("| :-- |"),
            "{out}"
        );
        assert_eq!(cells_of(src), cells_of(&out));
        assert_eq!(format(&out), out);
    }

    #[test]
    fn leaves_code_fences_and_single_lines_alone() {
        let src = "```\n| a | b |\n| c | d |\n```\n文字 | 不是表格\n";
        assert!(format_tables(src).is_empty());
    }

    #[test]
    fn crlf_is_kept() {
        let src = "| 一 | 1 |\r\n| 二二 | 2 |\r\n";
        let out = format(src);
        assert_eq!(out, "| 一   | 1 |\r\n| 二二 | 2 |\r\n");
    }
}
