//! Helpers shared by the engine tests (fixtures, variants, mutation).
#![allow(dead_code)]

use nianbao_core::analysis::{analyze, Analysis};
use nianbao_core::config::Config;
use nianbao_core::diag::{Diagnostic, FixKind};
use nianbao_core::model::{Layout, Report, Value};
use nianbao_core::template::{self, CellRef, Format};
use nianbao_core::text::{apply_edits, Encoding, LineIndex, TextEdit, TextRange};
use std::path::{Path, PathBuf};

/// `tests/fixtures` at the repository root.
pub fn fixtures_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../..")
        .join("tests")
        .join("fixtures")
}

/// Fixture inputs of a folder (sorted; `.expected` files excluded).
pub fn inputs(dir: &Path) -> Vec<PathBuf> {
    let mut v: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("{}: {}", dir.display(), e))
        .map(|e| e.unwrap().path())
        .filter(|p| p.is_file())
        .filter(|p| {
            let name = p.file_name().unwrap().to_string_lossy().to_string();
            (name.ends_with(".md") || name.ends_with(".txt")) && name != "README.md"
        })
        .collect();
    v.sort();
    v
}

pub fn read(p: &Path) -> String {
    String::from_utf8(std::fs::read(p).unwrap())
        .unwrap_or_else(|_| panic!("{} is not UTF-8", p.display()))
}

pub fn run(src: &str) -> Analysis {
    analyze(src, &Config::default())
}

/// Analyse with the arithmetic rules (NB3xx) only: what the mutation tests judge.
pub fn run_arithmetic(src: &str) -> Analysis {
    static CONFIG: std::sync::OnceLock<Config> = std::sync::OnceLock::new();
    let config = CONFIG.get_or_init(|| {
        let mut c = Config::default();
        for &r in nianbao_core::rules::Rule::ALL
            .iter()
            .filter(|r| r.family() != nianbao_core::rules::Family::Arithmetic)
        {
            c.rules.insert(
                r,
                nianbao_core::config::RuleSetting {
                    enabled: Some(false),
                    severity: None,
                },
            );
        }
        c
    });
    analyze(src, config)
}

/// Every value cell of tables 三 and 四 in `format`: all rows × all columns.
pub fn all_cells(format: Format) -> Vec<CellRef> {
    let mut v: Vec<CellRef> = template::table3_rows(format)
        .flat_map(|(row, _)| {
            (0..template::TABLE3_COLUMNS.len()).map(move |col| CellRef::T3 { row, col })
        })
        .collect();
    v.extend((0..template::TABLE4_WIDTH).map(|col| CellRef::T4 { col }));
    v
}

/// The cell whose text range contains `range` (the cell a diagnostic points at).
pub fn cell_at(report: &Report, range: TextRange) -> Option<CellRef> {
    all_cells(report.table3_format()).into_iter().find(|c| {
        report
            .cell(*c)
            .map(|cell| cell.range.start <= range.start && range.end <= cell.range.end)
            .unwrap_or(false)
    })
}

/// (code, cell) of every arithmetic (NB3xx) finding.
pub fn arithmetic(a: &Analysis) -> Vec<(&'static str, Option<CellRef>)> {
    let mut v: Vec<_> = a
        .diagnostics
        .iter()
        .filter(|d| d.code().starts_with("NB3"))
        .map(|d| (d.code(), cell_at(&a.report, d.range)))
        .collect();
    v.sort();
    v
}

// ------------------------------------------------------------------ rendering

fn visible(c: char) -> String {
    match c {
        '\t' => "→".into(),
        '\u{c}' => "␌".into(),
        '\r' => "␍".into(),
        '\n' => "␊".into(),
        c if (c as u32) < 0x20 => char::from_u32(0x2400 + c as u32).unwrap().to_string(),
        '\u{2028}' => "⟨LS⟩".into(),
        '\u{2029}' => "⟨PS⟩".into(),
        c => c.to_string(),
    }
}

/// Lines of `text` covering `range`, with `⟦` `⟧` marking the range; long
/// lines are cut around the marks.
pub fn marked_lines(text: &str, range: TextRange) -> Vec<String> {
    let li = LineIndex::new(text);
    let first = li.line_of(range.start);
    let last = li.line_of(range.end);
    let mut out = Vec::new();
    let lines: Vec<usize> = if last - first > 3 {
        vec![first, first + 1, usize::MAX, last]
    } else {
        (first..=last).collect()
    };
    for l in lines {
        if l == usize::MAX {
            out.push("…".into());
            continue;
        }
        let lr = li.line_range(l);
        let mut chars: Vec<String> = Vec::new();
        let (mut open, mut close) = (None, None);
        if range.start < lr.start {
            open = Some(0);
        }
        let mut push_marks = |at: usize, chars: &mut Vec<String>| {
            if at == range.start && open.is_none() {
                open = Some(chars.len());
                chars.push("⟦".into());
            }
            if at == range.end && close.is_none() && open.is_some() {
                close = Some(chars.len());
                chars.push("⟧".into());
            }
        };
        for (i, c) in text[lr.start..lr.end].char_indices() {
            push_marks(lr.start + i, &mut chars);
            chars.push(visible(c));
        }
        push_marks(lr.end, &mut chars);
        out.push(cut(&chars, open, close));
    }
    out
}

fn cut(chars: &[String], open: Option<usize>, close: Option<usize>) -> String {
    const CTX: usize = 24;
    const INNER: usize = 40;
    if chars.len() <= 2 * CTX + INNER + 10 {
        return chars.concat();
    }
    let o = open.unwrap_or(0);
    let c = close.unwrap_or(chars.len().saturating_sub(1)).max(o);
    let mut s = String::new();
    let from = o.saturating_sub(CTX);
    if from > 0 {
        s.push('…');
    }
    if c - o > INNER {
        s.push_str(&chars[from..o + INNER / 2].concat());
        s.push('…');
        s.push_str(&chars[c - INNER / 2..=c].concat());
    } else {
        s.push_str(&chars[from..=c.min(chars.len() - 1)].concat());
    }
    let to = (c + 1 + CTX).min(chars.len());
    if c + 1 < chars.len() {
        s.push_str(&chars[c + 1..to].concat());
    }
    if to < chars.len() {
        s.push('…');
    }
    s
}

pub fn pos(li: &LineIndex, text: &str, range: TextRange) -> String {
    let a = li.position(text, range.start, Encoding::Utf16);
    let b = li.position(text, range.end, Encoding::Utf16);
    format!(
        "{}:{}-{}:{}",
        a.line + 1,
        a.character + 1,
        b.line + 1,
        b.character + 1
    )
}

fn layout(l: Layout) -> &'static str {
    match l {
        Layout::Pipe => "pipe",
        Layout::Tab => "tab",
        Layout::Whitespace => "whitespace",
        Layout::Mixed => "mixed",
    }
}

/// One line describing what the parser read of the tables.
pub fn tables_line(r: &Report) -> String {
    let t2 = match &r.table2 {
        Some(t) => format!(
            "二 {} {}/{} rows",
            layout(t.layout),
            t.rows
                .iter()
                .filter(|(_, r)| r.as_ref().map(|r| r.cells.is_some()).unwrap_or(false))
                .count(),
            t.rows.len()
        ),
        None => "二 none".into(),
    };
    let t3 = match &r.table3 {
        Some(t) => {
            let expected: Vec<usize> = template::table3_rows(r.format).map(|(i, _)| i).collect();
            let read = expected
                .iter()
                .filter(|&&i| {
                    t.rows[i]
                        .as_ref()
                        .map(|r| r.cells.is_some())
                        .unwrap_or(false)
                })
                .count();
            format!(
                "三 {} {}/{} rows{}",
                layout(t.layout),
                read,
                expected.len(),
                if t.disordered { " disordered" } else { "" }
            )
        }
        None => "三 none".into(),
    };
    let t4 = match &r.table4 {
        Some(t) => format!(
            "四 {} {}",
            layout(t.layout),
            if t.row.cells.is_some() {
                "15/15 cells".to_string()
            } else {
                format!("{} cells (unfit)", t.row.raw.len())
            }
        ),
        None => "四 none".into(),
    };
    format!("tables: {} | {} | {}", t2, t3, t4)
}

/// The text a fix's edits produce, with the replaced spans marked.
pub fn fix_result(src: &str, edits: &[TextEdit]) -> Vec<String> {
    let new = apply_edits(src, edits);
    let mut sorted: Vec<&TextEdit> = edits.iter().collect();
    sorted.sort_by_key(|e| (e.range.start, e.range.end));
    let mut delta: isize = 0;
    let mut out = Vec::new();
    for e in sorted {
        let start = (e.range.start as isize + delta) as usize;
        let end = start + e.new_text.len();
        delta += e.new_text.len() as isize - e.range.len() as isize;
        // Inserted line breaks: mark the inserted text only, from the line it starts on.
        out.extend(marked_lines(&new, TextRange::new(start, end)));
    }
    out
}

pub fn render_diagnostic(src: &str, li: &LineIndex, d: &Diagnostic, out: &mut String) {
    out.push_str(&format!(
        "{} {} {} {}\n",
        d.code(),
        d.severity.as_str(),
        pos(li, src, d.range),
        d.message.zh
    ));
    for l in marked_lines(src, d.range) {
        out.push_str(&format!("    > {}\n", l));
    }
    for f in &d.fixes {
        let kind = match f.kind {
            FixKind::Recompute => "recompute",
            FixKind::Edit => "edit",
        };
        out.push_str(&format!(
            "    fix {}{} 「{}」\n",
            kind,
            if f.preferred { " preferred" } else { "" },
            f.title.zh
        ));
        for l in fix_result(src, &f.edits) {
            out.push_str(&format!("    = {}\n", l));
        }
    }
}

/// The whole expected text of a fixture.
pub fn render(src: &str) -> String {
    render_analysis(src, &run(src))
}

/// The expected text of a fixture, from an analysis made with any configuration.
pub fn render_analysis(src: &str, a: &Analysis) -> String {
    let li = LineIndex::new(src);
    let r = &a.report;
    let mut out = String::new();
    out.push_str(&format!(
        "format: {} (from {:?}), year: {}\n",
        r.format.as_str(),
        r.format_source,
        r.year
            .map(|y| y.to_string())
            .unwrap_or_else(|| "none".into())
    ));
    out.push_str(&tables_line(r));
    out.push('\n');
    let mut counts: Vec<(String, usize)> = Vec::new();
    for d in &a.diagnostics {
        match counts.iter_mut().find(|(c, _)| c == d.code()) {
            Some(e) => e.1 += 1,
            None => counts.push((d.code().to_string(), 1)),
        }
    }
    counts.sort();
    out.push_str(&format!(
        "diagnostics: {}{}\n",
        a.diagnostics.len(),
        counts
            .iter()
            .map(|(c, n)| format!(" {}×{}", c, n))
            .collect::<String>()
    ));
    for d in &a.diagnostics {
        out.push('\n');
        render_diagnostic(src, &li, d, &mut out);
    }
    out
}

/// Is every value cell of a table that is read an integer?
pub fn int_cells(r: &Report) -> Vec<CellRef> {
    all_cells(r.table3_format())
        .into_iter()
        .filter(|c| matches!(r.cell(*c).map(|c| &c.value), Some(Value::Int { .. })))
        .collect()
}
