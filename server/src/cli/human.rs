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

/// The display column of every char of a line, worked out once: a snippet of
/// a long line then costs the window it shows, not the line (many findings on
/// one line of megabytes stay linear).
pub struct Layout {
    /// `(byte offset, display column)` of each char, plus the end of the line.
    cols: Vec<(usize, usize)>,
}

impl Layout {
    pub fn new(line: &str) -> Layout {
        let mut col = 0;
        let mut cols = Vec::with_capacity(line.len() / 2 + 1);
        for (offset, ch) in line.char_indices() {
            cols.push((offset, col));
            col += width_at(ch, col);
        }
        cols.push((line.len(), col));
        Layout { cols }
    }

    /// The display width of the whole line.
    pub fn width(&self) -> usize {
        self.cols.last().map_or(0, |(_, c)| *c)
    }

    /// Display column of byte `offset` (an offset inside a char snaps back).
    pub fn column(&self, offset: usize) -> usize {
        let i = self.cols.partition_point(|(o, _)| *o <= offset);
        self.cols[i.saturating_sub(1)].1
    }

    /// [`window`] for the line this layout is of.
    pub fn window(&self, line: &str, start: usize, end: usize) -> (String, usize, usize) {
        let c0 = self.column(start);
        let c1 = self.column(end).max(c0);
        let total = self.width();
        let (ws, we) = if total <= MAX_LINE_WIDTH {
            (0, total)
        } else {
            let ws = c0.saturating_sub(CONTEXT_BEFORE);
            (ws, (ws + MAX_LINE_WIDTH).max(c0 + 1))
        };
        // The chars wholly inside columns [ws, we): a run of `cols`.
        let chars = self.cols.len() - 1;
        let lo = self.cols[..chars].partition_point(|(_, c)| *c < ws);
        let hi = lo + self.cols[lo + 1..].partition_point(|(_, c)| *c <= we);
        let mut out = String::new();
        let cut = total > MAX_LINE_WIDTH;
        if cut && ws > 0 {
            out.push_str(ELLIPSIS);
        }
        for &(offset, col) in &self.cols[lo..hi] {
            let ch = line[offset..].chars().next().unwrap_or(' ');
            out.push_str(&shown(ch, col).0);
        }
        if !cut {
            return (out, c0, c1);
        }
        if we < total {
            out.push_str(ELLIPSIS);
        }
        let lead = if ws > 0 { ELLIPSIS.len() } else { 0 };
        let first = if lo < hi { self.cols[lo].1 } else { ws };
        let a = lead + c0.saturating_sub(first);
        let b = lead + c1.min(we).saturating_sub(first);
        (out, a, b.max(a))
    }
}

/// The display width of `ch` at column `col` (see [`shown`]), without building its text.
fn width_at(ch: char, col: usize) -> usize {
    match ch {
        '\t' => TAB_WIDTH - col % TAB_WIDTH,
        '\u{0}'..='\u{1f}' | '\u{7f}' => 1,
        _ => ch.width().unwrap_or(0),
    }
}

/// `line` as printed in a snippet, and the display column of every char boundary
/// (`(byte offset, column)` for each char, plus the end of the line).
#[cfg(test)]
pub fn expand(line: &str) -> (String, Vec<(usize, usize)>) {
    let layout = Layout::new(line);
    let shown = layout.cols[..layout.cols.len() - 1]
        .iter()
        .map(|&(offset, col)| shown(line[offset..].chars().next().unwrap_or(' '), col).0)
        .collect();
    (shown, layout.cols)
}

/// Display column of byte `offset` within `line` (an offset inside a char snaps back).
#[cfg(test)]
pub fn display_column(line: &str, offset: usize) -> usize {
    Layout::new(line).column(offset)
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
    Layout::new(line).window(line, start, end)
}

/// Display width of a plain string (tabs expanded from column 0).
pub fn text_width(s: &str) -> usize {
    let mut col = 0;
    for ch in s.chars() {
        col += width_at(ch, col);
    }
    col
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
fn snippet(
    file: &FileResult,
    d: &Diagnostic,
    lang: Lang,
    layout: &mut Option<(usize, Layout)>,
) -> (usize, String, String) {
    let src = &file.src;
    let line_no = file.index.line_of(d.range.start.min(src.len()));
    let lr = file.index.line_range(line_no);
    let line = &src[lr.start..lr.end];
    let start = d.range.start.clamp(lr.start, lr.end) - lr.start;
    let end = d.range.end.clamp(lr.start, lr.end) - lr.start;
    // Findings come in order: those of one line reuse its layout.
    if layout.as_ref().is_none_or(|(l, _)| *l != line_no) {
        *layout = Some((line_no, Layout::new(line)));
    }
    let (shown_line, c0, c1) = match layout {
        Some((_, l)) => l.window(line, start, end),
        None => window(line, start, end),
    };
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
    layout: &mut Option<(usize, Layout)>,
) -> io::Result<()> {
    let pos = file.position(d.range.start);
    let (line_no, line, carets) = snippet(file, d, lang, layout);
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
    if let Some(place) = file.place(d.range.start) {
        let at = match lang {
            Lang::Zh => "位置",
            Lang::En => "in the file",
        };
        writeln!(
            out,
            "{} {}: {}",
            paint.gutter(&format!("{pad} =")),
            paint.bold(at),
            place
        )?;
    }
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
        // The file's own language (its nianbao.toml's, or --lang).
        let _ = write_fixed(&mut out, file, file.lang, &self.paint);
        let mut layout = None;
        for d in &file.analysis.diagnostics {
            let _ = write_diagnostic(&mut out, file, d, file.lang, &self.paint, &mut layout);
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

    /// The window by its plain definition (every char of the line laid out and
    /// the ones wholly inside the kept columns printed): what `window` did
    /// before it used a [`Layout`].
    fn reference_window(line: &str, start: usize, end: usize) -> (String, usize, usize) {
        let mut col = 0;
        let pieces: Vec<(usize, usize, String, usize)> = line
            .char_indices()
            .map(|(o, ch)| {
                let (t, w) = shown(ch, col);
                let p = (o, col, t, w);
                col += w;
                p
            })
            .collect();
        let total = col;
        let column = |off: usize| {
            pieces.iter().rev().find(|p| p.0 <= off).map_or(0, |p| {
                if off >= line.len() {
                    total
                } else {
                    p.1
                }
            })
        };
        let c0 = column(start);
        let c1 = column(end).max(c0);
        if total <= MAX_LINE_WIDTH {
            return (pieces.iter().map(|p| p.2.as_str()).collect(), c0, c1);
        }
        let ws = c0.saturating_sub(CONTEXT_BEFORE);
        let we = (ws + MAX_LINE_WIDTH).max(c0 + 1);
        let mut out = String::new();
        let mut first = None;
        if ws > 0 {
            out.push_str(ELLIPSIS);
        }
        for p in &pieces {
            if p.1 >= ws && p.1 + p.3 <= we {
                first.get_or_insert(p.1);
                out.push_str(&p.2);
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

    #[test]
    fn the_window_is_the_one_of_the_plain_definition() {
        let lines = [
            format!("a\t{}b\u{301}\u{1}{}\tz", "甲".repeat(70), "x".repeat(90)),
            "短行\t总计".to_string(),
            format!("{}\u{200b}{}", "乙".repeat(65), "\t".repeat(40)),
        ];
        for line in &lines {
            let mut bounds: Vec<usize> = line.char_indices().map(|(i, _)| i).collect();
            bounds.push(line.len());
            for &s in &bounds {
                for &e in bounds.iter().filter(|&&e| e >= s).step_by(5) {
                    assert_eq!(window(line, s, e), reference_window(line, s, e), "{s}..{e}");
                }
            }
        }
    }

    #[test]
    fn many_findings_on_a_long_line_cost_their_windows() {
        let line = "信息公开".repeat(250_000);
        let layout = Layout::new(&line);
        let start = std::time::Instant::now();
        for k in 0..1000 {
            let at = k * 3000;
            let (out, a, _) = layout.window(&line, at, at + 3);
            assert!(text_width(&out) <= MAX_LINE_WIDTH + 6 && a <= 3 + CONTEXT_BEFORE);
        }
        assert!(start.elapsed() < std::time::Duration::from_secs(2));
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
