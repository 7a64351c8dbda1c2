//! The terminal format: rustc/ruff-style snippets.
//!
//! ```text
//! x.md:37:36: error[NB301] 勾稽关系A…：「（一）予以公开」的总计应为 4（…），实为 5
//!    |
//! 37 | | （一）予以公开 | 3 | 1 | 0 | 0 | 0 | 0 | 5 |
//!    |                                           ^ 将此格改为 4
//! ```
//!
//! The position in the header is 1-based line:column, the column counted in
//! UTF-16 code units (the JSON column + 1). The caret line is laid out in display
//! columns: a CJK character takes two, a tab runs to the next multiple of
//! [`TAB_WIDTH`], and control characters are shown as their Control Pictures
//! (one column) — the source line is printed with exactly the same expansion, so
//! the carets stay under the text they point at.

use super::check::{FileResult, Outcome, Render, Totals};
use super::files::TextEncoding;
use nianbao_core::diag::{Diagnostic, Lang, Severity};
use std::io::{self, Write};
use unicode_width::UnicodeWidthChar;

/// Tab stops every this many columns.
pub const TAB_WIDTH: usize = 4;

/// Related places are listed as notes when there are at most this many.
const MAX_NOTES: usize = 3;

/// How `ch` is shown at display column `col`: its text and its width.
fn shown(ch: char, col: usize) -> (String, usize) {
    match ch {
        '\t' => {
            let w = TAB_WIDTH - col % TAB_WIDTH;
            (" ".repeat(w), w)
        }
        '\u{0}'..='\u{1f}' => (
            char::from_u32(0x2400 + ch as u32)
                .unwrap_or('?')
                .to_string(),
            1,
        ),
        '\u{7f}' => ("\u{2421}".to_string(), 1),
        _ => (ch.to_string(), ch.width().unwrap_or(0)),
    }
}

/// One char of a line as shown: byte offset, display column, text, width.
struct Piece {
    offset: usize,
    col: usize,
    text: String,
    width: usize,
}

fn pieces(line: &str) -> Vec<Piece> {
    let mut col = 0;
    line.char_indices()
        .map(|(offset, ch)| {
            let (text, width) = shown(ch, col);
            let p = Piece {
                offset,
                col,
                text,
                width,
            };
            col += width;
            p
        })
        .collect()
}

/// `line` as printed in a snippet, and the display column of every char boundary
/// (`(byte offset, column)` for each char, plus the end of the line).
pub fn expand(line: &str) -> (String, Vec<(usize, usize)>) {
    let ps = pieces(line);
    let end = ps.last().map_or(0, |p| p.col + p.width);
    let shown = ps.iter().map(|p| p.text.as_str()).collect();
    let mut cols: Vec<(usize, usize)> = ps.iter().map(|p| (p.offset, p.col)).collect();
    cols.push((line.len(), end));
    (shown, cols)
}

/// Display column of byte `offset` within `line` (an offset inside a char snaps back).
pub fn display_column(line: &str, offset: usize) -> usize {
    let (_, cols) = expand(line);
    cols.iter()
        .rev()
        .find(|(i, _)| *i <= offset)
        .map(|(_, c)| *c)
        .unwrap_or(0)
}

/// Lines wider than this many display columns are cut around the range.
pub const MAX_LINE_WIDTH: usize = 120;
/// Columns of context kept before the range when a line is cut.
const CONTEXT_BEFORE: usize = 30;
const ELLIPSIS: &str = "...";

/// The part of `line` to print for the range starting at byte `start` and ending at `end`
/// (both within the line), with "..." where text was cut (ASCII: "…" is of ambiguous width), and the display columns of
/// the range in that printed text.
pub fn window(line: &str, start: usize, end: usize) -> (String, usize, usize) {
    let (shown, _) = expand(line);
    let c0 = display_column(line, start);
    let c1 = display_column(line, end).max(c0);
    let total = text_width(line);
    if total <= MAX_LINE_WIDTH {
        return (shown, c0, c1);
    }
    let ws = c0.saturating_sub(CONTEXT_BEFORE);
    let we = (ws + MAX_LINE_WIDTH).max(c0 + 1);
    let mut out = String::new();
    let mut first = None;
    if ws > 0 {
        out.push_str(ELLIPSIS);
    }
    for p in pieces(line) {
        if p.col >= ws && p.col + p.width <= we {
            first.get_or_insert(p.col);
            out.push_str(&p.text);
        }
    }
    if we < total {
        out.push_str(ELLIPSIS);
    }
    let lead = if ws > 0 { ELLIPSIS.len() } else { 0 };
    let first = first.unwrap_or(ws);
    let a = lead + c0.saturating_sub(first);
    let b = lead + c1.min(we).saturating_sub(first);
    (out, a, b.max(a))
}

/// Display width of a plain string (tabs expanded from column 0).
pub fn text_width(s: &str) -> usize {
    expand(s).1.last().map(|(_, c)| *c).unwrap_or(0)
}

struct Paint {
    on: bool,
}

impl Paint {
    fn wrap(&self, s: &str, code: &str) -> String {
        if self.on {
            format!("\x1b[{code}m{s}\x1b[0m")
        } else {
            s.to_string()
        }
    }
    fn severity(&self, sev: Severity, s: &str) -> String {
        let code = match sev {
            Severity::Error => "1;31",
            Severity::Warning => "1;33",
            Severity::Information => "1;34",
            Severity::Hint => "1;36",
        };
        self.wrap(s, code)
    }
    fn gutter(&self, s: &str) -> String {
        self.wrap(s, "1;34")
    }
    fn bold(&self, s: &str) -> String {
        self.wrap(s, "1")
    }
}

/// The snippet lines (gutter excluded) of one diagnostic: the source line and the caret line.
fn snippet(file: &FileResult, d: &Diagnostic, lang: Lang) -> (usize, String, String) {
    let src = &file.src;
    let line_no = file.index.line_of(d.range.start.min(src.len()));
    let lr = file.index.line_range(line_no);
    let line = &src[lr.start..lr.end];
    let start = d.range.start.clamp(lr.start, lr.end) - lr.start;
    let end = d.range.end.clamp(lr.start, lr.end) - lr.start;
    let (shown_line, c0, c1) = window(line, start, end);
    let mut carets = " ".repeat(c0);
    carets.push_str(&"^".repeat(c1.saturating_sub(c0).max(1)));
    let label = d
        .fixes
        .iter()
        .find(|f| f.preferred)
        .or(d.fixes.first())
        .map(|f| f.title.get(lang));
    if let Some(label) = label {
        carets.push(' ');
        carets.push_str(label);
    }
    (line_no + 1, shown_line, carets)
}

fn plural(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

/// The closing line, e.g. `3 个错误，1 个警告（2 个文件）` / `3 errors, 1 warning in 2 files`.
pub fn summary(totals: &Totals, lang: Lang) -> String {
    let files = totals.files;
    let (e, w, i, h) = (
        totals.errors,
        totals.warnings,
        totals.information,
        totals.hints,
    );
    match lang {
        Lang::Zh => {
            let mut parts = vec![format!("{e} 个错误"), format!("{w} 个警告")];
            if i > 0 {
                parts.push(format!("{i} 条信息"));
            }
            if h > 0 {
                parts.push(format!("{h} 条提示"));
            }
            format!("{}（{files} 个文件）", parts.join("，"))
        }
        Lang::En => {
            let mut parts = vec![
                plural(e, "error", "errors"),
                plural(w, "warning", "warnings"),
            ];
            if i > 0 {
                parts.push(plural(i, "info", "infos"));
            }
            if h > 0 {
                parts.push(plural(h, "hint", "hints"));
            }
            format!("{} in {}", parts.join(", "), plural(files, "file", "files"))
        }
    }
}

fn write_fixed(
    out: &mut dyn Write,
    file: &FileResult,
    lang: Lang,
    paint: &Paint,
) -> io::Result<()> {
    if file.fixed.is_empty() {
        return Ok(());
    }
    let n = file.fixed.len();
    let head = match lang {
        Lang::Zh => format!("{}：已修正 {n} 个单元格", file.path),
        Lang::En => format!("{}: fixed {}", file.path, plural(n, "cell", "cells")),
    };
    writeln!(out, "{}", paint.bold(&head))?;
    for f in &file.fixed {
        let at = format!("{}:{}", f.start.line + 1, f.start.character + 1);
        let cell = f.cell.as_deref().unwrap_or("");
        let old = f.old.trim();
        let new = f.new.trim();
        writeln!(out, "  {at:<8} {cell}  {old} → {new}")?;
    }
    writeln!(out)
}

fn write_diagnostic(
    out: &mut dyn Write,
    file: &FileResult,
    d: &Diagnostic,
    lang: Lang,
    paint: &Paint,
) -> io::Result<()> {
    let pos = file.position(d.range.start);
    let (line_no, line, carets) = snippet(file, d, lang);
    let mut notes = Vec::new();
    if !d.related.is_empty() && d.related.len() <= MAX_NOTES {
        for r in &d.related {
            let p = file.position(r.range.start);
            notes.push(format!(
                "{}:{}: {}",
                p.line + 1,
                p.character + 1,
                r.message.get(lang)
            ));
        }
    }
    let gutter_w = line_no.to_string().len();
    let pad = " ".repeat(gutter_w);
    // The severity word stays English in both languages (stable for grep and editors' problem matchers).
    let head = format!("{}[{}]", d.severity.as_str(), d.code());
    writeln!(
        out,
        "{}: {} {}",
        paint.bold(&format!(
            "{}:{}:{}",
            file.path,
            pos.line + 1,
            pos.character + 1
        )),
        paint.severity(d.severity, &head),
        paint.bold(d.message.get(lang))
    )?;
    writeln!(out, "{}", paint.gutter(&format!("{pad} |")))?;
    writeln!(out, "{} {}", paint.gutter(&format!("{line_no} |")), line)?;
    writeln!(
        out,
        "{} {}",
        paint.gutter(&format!("{pad} |")),
        paint.severity(d.severity, &carets)
    )?;
    let note = match lang {
        Lang::Zh => "相关",
        Lang::En => "note",
    };
    for n in notes {
        writeln!(
            out,
            "{} {}: {}",
            paint.gutter(&format!("{pad} =")),
            paint.bold(note),
            n
        )?;
    }
    writeln!(out)
}

/// The human format. Each file's piece is what `--fix` changed in it, then its
/// findings; the fix count and the summary close the output.
pub struct Human {
    lang: Lang,
    paint: Paint,
    fix: bool,
}

impl Human {
    pub fn new(lang: Lang, color: bool, fix: bool) -> Human {
        Human {
            lang,
            paint: Paint { on: color },
            fix,
        }
    }
}

impl Render for Human {
    type Piece = Vec<u8>;
    type State = ();

    fn piece(&self, file: &FileResult) -> Vec<u8> {
        let mut out = Vec::new();
        // Writing to a Vec cannot fail.
        let _ = write_fixed(&mut out, file, self.lang, &self.paint);
        for d in &file.analysis.diagnostics {
            let _ = write_diagnostic(&mut out, file, d, self.lang, &self.paint);
        }
        out
    }

    fn note(&self, file: &FileResult) -> Option<String> {
        let e = file.encoding;
        (e != TextEncoding::Utf8).then(|| match self.lang {
            Lang::Zh => format!(
                "nianbao: 注意：'{}' 按 {} 编码读取",
                file.path,
                e.describe()
            ),
            Lang::En => format!("nianbao: note: '{}' read as {}", file.path, e.describe()),
        })
    }

    fn begin(&self, _out: &mut dyn Write) -> io::Result<()> {
        Ok(())
    }

    fn write(&self, _state: &mut (), out: &mut dyn Write, piece: Vec<u8>) -> io::Result<()> {
        out.write_all(&piece)
    }

    fn finish(&self, _state: (), out: &mut dyn Write, outcome: &Outcome) -> io::Result<()> {
        let (lang, totals) = (self.lang, &outcome.totals);
        let fixed = totals.fixed;
        if self.fix {
            let line = match (lang, fixed) {
                (Lang::Zh, 0) => "没有可自动修正的单元格".to_string(),
                (Lang::En, 0) => "No cells to fix".to_string(),
                (Lang::Zh, _) => {
                    format!("已修正 {fixed} 个单元格（{} 个文件）", totals.fixed_files)
                }
                (Lang::En, _) => format!(
                    "Fixed {} in {}",
                    plural(fixed, "cell", "cells"),
                    plural(totals.fixed_files, "file", "files")
                ),
            };
            writeln!(out, "{line}")?;
        }
        let s = summary(totals, lang);
        let s = if totals.errors > 0 {
            self.paint.severity(Severity::Error, &s)
        } else {
            self.paint.bold(&s)
        };
        writeln!(out, "{s}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cjk_is_two_columns_and_tabs_expand() {
        assert_eq!(text_width("（一）予以公开"), 14);
        assert_eq!(display_column("a\tb", 2), 4);
        assert_eq!(display_column("总\tb", 4), 4);
        assert_eq!(display_column("总计\tb", 7), 8);
        let (shown, _) = expand("a\tb\u{c}");
        assert_eq!(shown, "a   b\u{240c}");
    }

    #[test]
    fn offset_inside_char_snaps_back() {
        assert_eq!(display_column("总计", 1), 0);
        assert_eq!(display_column("总计", 3), 2);
    }

    #[test]
    fn long_lines_are_cut_around_the_range() {
        let line = format!("{}目标{}", "甲".repeat(200), "乙".repeat(200));
        let start = line.find("目标").unwrap();
        let (shown, a, b) = window(&line, start, start + "目标".len());
        assert!(
            text_width(&shown) <= MAX_LINE_WIDTH + 6,
            "{}",
            text_width(&shown)
        );
        assert!(shown.starts_with("...") && shown.ends_with("..."));
        // the caret columns point at 目标 in the printed text
        let before: String = shown.chars().take_while(|c| *c != '目').collect();
        assert_eq!(a, text_width(&before));
        assert_eq!(b - a, 4);
    }
}
