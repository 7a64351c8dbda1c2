//! Helpers the rules share: the findings of the identities (NB301–NB304, from the
//! analysis' one [`Evaluation`]), rewriting a cell while keeping the table's
//! layout, and composing row text for insertions.

use super::Ctx;
use crate::diag::{Diagnostic, Finding, Fix, FixKind, Msg, Related};
use crate::identities::{Evaluation, Outcome, Sums};
use crate::model::{Cell, Report, Value};
use crate::template::T3Row;
use crate::template::{CellRef, Identity, IdentityKind, Role, TABLE3_COLUMNS, TABLE3_ROWS};
use crate::text::{TextEdit, TextRange};
use std::sync::OnceLock;

pub fn int_of(report: &Report, c: CellRef) -> Option<i64> {
    report.cell(c).and_then(Cell::int)
}

/// Format `v` in the digit style of `cell`.
pub fn format_number(v: i64, cell: &Cell) -> String {
    let mut s = v.abs().to_string();
    if cell.style.thousands && s.len() > 3 {
        let mut out = String::new();
        for (i, ch) in s.chars().enumerate() {
            if i > 0 && (s.len() - i).is_multiple_of(3) {
                out.push(',');
            }
            out.push(ch);
        }
        s = out;
    }
    if cell.style.fullwidth {
        s = s
            .chars()
            .map(|c| {
                if c.is_ascii_digit() {
                    char::from_u32(c as u32 - '0' as u32 + '０' as u32).unwrap()
                } else {
                    c
                }
            })
            .collect();
    }
    if v < 0 {
        s.insert(0, '-');
    }
    s
}

/// An edit that rewrites the number of `cell` to `v`, keeping an aligned pipe
/// table aligned when the padding allows.
pub fn rewrite_cell(src: &str, cell: &Cell, v: i64) -> TextEdit {
    let new = format_number(v, cell);
    let mut range = if cell.value == Value::Blank {
        cell.range
    } else {
        cell.number_range
    };
    // A negative number's sign is outside number_range: include it.
    if let Value::Int { value } = cell.value {
        if value < 0 && range.start > 0 {
            let before = &src[..range.start];
            if let Some(c) = before.chars().last() {
                if matches!(c, '-' | '－' | '−') {
                    range.start -= c.len_utf8();
                }
            }
        }
    }
    let old = &src[range.start..range.end];
    let mut new_text = new.clone();
    if cell.value == Value::Blank {
        // " " in "| |" becomes " 0 "
        if cell.in_pipe_row && old.len() >= 2 {
            new_text = format!(
                " {}{}",
                new,
                " ".repeat(old.len().saturating_sub(new.len() + 1).max(1))
            );
        } else if cell.in_pipe_row {
            new_text = format!(" {} ", new);
        }
        return TextEdit { range, new_text };
    }
    if cell.in_pipe_row {
        // Keep an aligned column aligned: take the width change out of the
        // padding on the side the number is aligned to the other side of.
        let old_w = unicode_width::UnicodeWidthStr::width(old);
        let new_w = unicode_width::UnicodeWidthStr::width(new.as_str());
        let after = &src[range.end..];
        let before = &src[..range.start];
        let trail = after.bytes().take_while(|b| *b == b' ').count();
        let lead = before.bytes().rev().take_while(|b| *b == b' ').count();
        let closed = after[trail..].starts_with('|');
        let opened = before[..before.len() - lead].ends_with('|');
        // Right-aligned: more padding before the number than after it.
        let right = lead > trail && opened;
        if new_w > old_w {
            let grow = new_w - old_w;
            if right && lead > grow {
                range.start -= grow; // keep at least one space
            } else if trail > grow {
                range.end += grow;
            }
        } else if new_w < old_w {
            // Pad back only where the pipes line up with the next or previous row.
            let shrink = " ".repeat(old_w - new_w);
            if right && pipe_aligned(src, range.start - lead - 1) {
                new_text.insert_str(0, &shrink);
            } else if !right && closed && pipe_aligned(src, range.end + trail) {
                new_text.push_str(&shrink);
            }
        }
    }
    TextEdit { range, new_text }
}

/// Is the line of `at` part of an aligned pipe table: does the line above or
/// below have its pipes at the same display columns?
fn pipe_aligned(src: &str, at: usize) -> bool {
    use unicode_width::UnicodeWidthStr;
    let columns = |l: TextRange| {
        let text = &src[l.start..l.end];
        text.match_indices('|')
            .map(|(i, _)| text[..i].width())
            .collect::<Vec<_>>()
    };
    let line = crate::text::line_around(src, at);
    let mine = columns(line);
    let bytes = src.as_bytes();
    let above = (line.start > 0).then(|| {
        let mut end = line.start - 1; // the line break
        if end > 0 && bytes[end] == b'\n' && bytes[end - 1] == b'\r' {
            end -= 1;
        }
        crate::text::line_around(src, end)
    });
    let below = (line.end < src.len()).then(|| {
        let start = line.end
            + if src[line.end..].starts_with("\r\n") {
                2
            } else {
                1
            };
        crate::text::line_around(src, start)
    });
    above.into_iter().chain(below).any(|l| columns(l) == mine)
}

pub fn cell_name(c: CellRef) -> String {
    c.describe()
}

fn col_name(c: CellRef) -> &'static str {
    match c {
        CellRef::T3 { col, .. } => TABLE3_COLUMNS[col],
        CellRef::T4 { col } => crate::template::TABLE4_GROUP_COLUMNS[col % 5],
    }
}

fn col_name_en(c: CellRef) -> &'static str {
    match c {
        CellRef::T3 { col, .. } => crate::template::TABLE3_COLUMNS_EN[col],
        CellRef::T4 { col } => crate::template::TABLE4_GROUP_COLUMNS_EN[col % 5],
    }
}

fn row_name(c: CellRef) -> String {
    match c {
        CellRef::T3 { row, .. } => TABLE3_ROWS[row].display(),
        CellRef::T4 { col } => crate::template::TABLE4_GROUPS[col / 5].to_string(),
    }
}

fn row_name_en(c: CellRef) -> String {
    match c {
        CellRef::T3 { row, .. } => TABLE3_ROWS[row].display_en().to_string(),
        CellRef::T4 { col } => crate::template::TABLE4_GROUPS_EN[col / 5].to_string(),
    }
}

fn role_name_zh(c: CellRef) -> &'static str {
    match c {
        CellRef::T3 { row, .. } => match TABLE3_ROWS[row].role {
            Role::New => "第一项",
            Role::CarriedIn => "第二项",
            Role::OutcomeTotal => "（七）总计",
            Role::CarriedOut => "第四项",
            Role::Outcome => "办理结果",
        },
        CellRef::T4 { .. } => "",
    }
}

fn role_name_en(c: CellRef) -> &'static str {
    match c {
        CellRef::T3 { row, .. } => match TABLE3_ROWS[row].role {
            Role::New => "item 1 (new)",
            Role::CarriedIn => "item 2 (carried in)",
            Role::OutcomeTotal => "(7) total",
            Role::CarriedOut => "item 4 (carried out)",
            Role::Outcome => "outcome",
        },
        CellRef::T4 { .. } => "",
    }
}

/// Check every identity of `kind` and report the ones that fail.
///
/// Identities are judged as fix-all applies them: a total that an earlier
/// identity recomputes enters later ones with its recomputed value. A single
/// wrong total is then reported once, where it is wrong — not again by every
/// identity that sums it — and each diagnostic's fix is the edit fix-all makes.
/// A target already reported by an earlier identity is not reported twice.
pub fn check_identities(ctx: &Ctx, kind: IdentityKind, out: &mut Vec<Diagnostic>) {
    let eval = ctx.identities();
    for j in eval.wrong_totals() {
        if j.ident.kind != kind {
            continue;
        }
        let Outcome::Fails { sums, fixable, .. } = j.outcome else {
            continue;
        };
        let target = ctx.report.cell(j.ident.target).expect("evaluated");
        out.push(identity_diagnostic(
            ctx, j.ident, sums, fixable, target, eval,
        ));
    }
}

fn identity_diagnostic(
    ctx: &Ctx,
    ident: &Identity,
    e: Sums,
    fixable: bool,
    target: &Cell,
    eval: &Evaluation,
) -> Diagnostic {
    let (written, working) = (&eval.written, &eval.working);
    let actual = e.actual;
    // A part recomputed by an earlier identity shows both values.
    let value = |c: CellRef| {
        let (w, v) = (
            written.integer(c).unwrap_or(0),
            working.integer(c).unwrap_or(0),
        );
        if c != ident.target && w != v {
            (
                format!("{}（原文为 {}，按合计重算）", v, w),
                format!("{} (written {}, recomputed)", v, w),
            )
        } else {
            (w.to_string(), w.to_string())
        }
    };
    let join = |cells: &[CellRef], name: &dyn Fn(CellRef) -> String, en: bool| {
        cells
            .iter()
            .map(|c| {
                let (zh, env) = value(*c);
                format!("{} {}", name(*c), if en { env } else { zh })
            })
            .collect::<Vec<_>>()
            .join(" + ")
    };
    let (zh, en) = match ident.kind {
        IdentityKind::A | IdentityKind::T4 => (
            format!(
                "{}：「{}」的总计应为 {}（{} = {}），实为 {}",
                ident.kind.name_zh(),
                row_name(ident.target),
                e.expected,
                join(&ident.rhs, &|c| col_name(c).to_string(), false),
                e.rhs,
                actual
            ),
            format!(
                "{} fails: the total of “{}” should be {} ({} = {}), found {}",
                ident.kind.name_en(),
                row_name_en(ident.target),
                e.expected,
                join(&ident.rhs, &|c| col_name_en(c).to_string(), true),
                e.rhs,
                actual
            ),
        ),
        IdentityKind::B => (
            format!(
                "{}：「{}」列的（七）总计应为 {}（各项办理结果之和），实为 {}",
                ident.kind.name_zh(),
                col_name(ident.target),
                e.expected,
                actual
            ),
            format!(
                "{} fails: (7) total of column “{}” should be {} (sum of the outcome rows), found {}",
                ident.kind.name_en(),
                col_name_en(ident.target),
                e.expected,
                actual
            ),
        ),
        IdentityKind::C => {
            let (tail_zh, tail_en) = if fixable {
                (
                    format!("按此关系，第四项（结转下年度继续办理）应为 {}", e.expected),
                    format!("so item 4 (carried over to next year) should be {}", e.expected),
                )
            } else if e.expected >= 0 {
                (
                    format!("按此关系第四项应为 {}，但其他列的第四项将为负数，请先核对各列的第一、二项和（七）总计", e.expected),
                    format!(
                        "item 4 would be {}, but item 4 of another column would be negative: check items 1, 2 and the (7) total of each column first",
                        e.expected
                    ),
                )
            } else {
                (
                    "第四项无法取负值，请核对第一、二项和（七）总计".to_string(),
                    "item 4 cannot be negative: check items 1, 2 and the (7) total".to_string(),
                )
            };
            (
                format!(
                    "{}：「{}」列 {} = {}，而 {} = {}；{}",
                    ident.kind.name_zh(),
                    col_name(ident.target),
                    join(&ident.lhs, &|c| role_name_zh(c).to_string(), false),
                    e.lhs,
                    join(&ident.rhs, &|c| role_name_zh(c).to_string(), false),
                    e.rhs,
                    tail_zh
                ),
                format!(
                    "{} fails in column “{}”: {} = {}, but {} = {}; {}",
                    ident.kind.name_en(),
                    col_name_en(ident.target),
                    join(&ident.lhs, &|c| role_name_en(c).to_string(), true),
                    e.lhs,
                    join(&ident.rhs, &|c| role_name_en(c).to_string(), true),
                    e.rhs,
                    tail_en
                ),
            )
        }
    };
    let related = ident
        .cells()
        .skip(1)
        .filter_map(|c| {
            let cell = ctx.report.cell(c)?;
            let (zh, en) = value(c);
            Some(Related {
                range: cell.range,
                message: Msg::new(
                    format!("{} = {}", cell_name(c), zh),
                    format!("{} = {}", c.describe_en(), en),
                ),
            })
        })
        .collect();
    let mut d = Diagnostic::new(ident.kind.rule(), target.range, Msg::new(zh, en))
        .with_related(related)
        .with_finding(Finding::WrongTotal {
            cell: ident.target,
            identity: ident.kind,
            written: actual,
            expected: e.expected,
            fixable,
        });
    if fixable {
        d = d.with_fix(Fix {
            title: Msg::new(
                format!("将此格改为 {}", e.expected),
                format!("Change this cell to {}", e.expected),
            ),
            kind: FixKind::Recompute,
            preferred: true,
            edits: vec![rewrite_cell(ctx.src, target, e.expected)],
        });
    }
    d
}

/// The line break the document uses.
pub fn eol(src: &str) -> &'static str {
    if src.contains("\r\n") {
        "\r\n"
    } else if src.contains('\n') || !src.contains('\r') {
        "\n"
    } else {
        "\r"
    }
}

/// Compose a table row in the layout of an existing row line (pipes, tabs or spaces).
pub fn compose_row(model_line: &str, label: &str, values: &[&str]) -> String {
    let t = model_line.trim();
    if model_line.contains('|') {
        let lead = t.starts_with('|');
        let trail = t.ends_with('|');
        let mut s = String::new();
        if lead {
            s.push_str("| ");
        }
        s.push_str(label);
        for v in values {
            s.push_str(" | ");
            s.push_str(v);
        }
        if trail {
            s.push_str(" |");
        }
        s
    } else if model_line.contains('\t') {
        let mut s = label.to_string();
        for v in values {
            s.push('\t');
            s.push_str(v);
        }
        s
    } else {
        let mut s = label.to_string();
        for v in values {
            s.push(' ');
            s.push_str(v);
        }
        s
    }
}

/// Range to point at for a missing piece: the heading line of a section, or the document start.
pub fn section_heading_range(ctx: &Ctx, section: usize) -> Option<TextRange> {
    let s = ctx.report.sections[section].as_ref()?;
    Some(ctx.report.headings[s.heading].range)
}

/// A row of any table with what the template expects of it.
pub struct RowRef<'a> {
    pub table_zh: &'static str,
    pub table_en: &'static str,
    /// Row name with its group ("（三）不予公开1.属于国家秘密").
    pub name: &'static str,
    /// The template's label of the row itself ("1.属于国家秘密").
    pub label: &'static str,
    pub row: &'a crate::model::Row,
    pub columns: &'static [&'static str],
    /// Columns holding money (decimals allowed).
    pub money_columns: &'static [usize],
    /// Columns that may be negative.
    pub signed_columns: &'static [usize],
}

impl RowRef<'_> {
    /// The English name of column `i` (the Chinese one is `columns[i]`).
    pub fn column_en(&self, i: usize) -> String {
        match self.table_en {
            "table 2" => crate::template::table2_column_en(self.columns[i]).to_string(),
            "table 3" => crate::template::TABLE3_COLUMNS_EN[i].to_string(),
            _ => crate::template::CellRef::T4 { col: i }.describe_en(),
        }
    }
    /// The English names of all columns, comma-separated.
    pub fn columns_en(&self) -> String {
        (0..self.columns.len())
            .map(|i| self.column_en(i))
            .collect::<Vec<_>>()
            .join(", ")
    }
}

/// Rows whose label is detached from its numbers, as (previous row, row) indices
/// into `rows`: the row has no value, and the row before it carries exactly the
/// missing values after its own (PDF text where a label follows its numbers:
/// "行政强制 / 84 / 7545 / 行政事业性收费").
pub fn detached_rows(rows: &[RowRef]) -> Vec<(usize, usize)> {
    rows.windows(2)
        .enumerate()
        .filter(|(_, w)| {
            let (prev, row) = (&w[0], &w[1]);
            prev.table_en == row.table_en
                && row.row.raw.is_empty()
                && row.row.glued.is_none()
                && prev.row.raw.len() == prev.columns.len() + row.columns.len()
        })
        .map(|(i, _)| (i, i + 1))
        .collect()
}

/// Every row read from tables 二, 三 (when its labels align with its numbers) and 四.
pub fn table_rows(report: &Report) -> Vec<RowRef<'_>> {
    // Names and column lists built once (rows are listed by several rules per analysis).
    static T3_NAMES: OnceLock<Vec<String>> = OnceLock::new();
    static T4_COLUMNS: OnceLock<Vec<&'static str>> = OnceLock::new();
    let mut out = Vec::new();
    if let Some(t2) = &report.table2 {
        for block in crate::template::table2_blocks(t2.format) {
            for def in block.rows {
                if let Some(Some(row)) = t2.rows.iter().find(|(k, _)| *k == def.key).map(|(_, r)| r)
                {
                    out.push(RowRef {
                        table_zh: "表二",
                        table_en: "table 2",
                        name: def.label,
                        label: def.label,
                        row,
                        columns: block.columns,
                        money_columns: block.money_columns,
                        signed_columns: block.signed_columns,
                    });
                }
            }
        }
    }
    if let Some(t3) = report.table3.as_ref().filter(|t| !t.disordered) {
        for (i, row) in t3.rows.iter().enumerate() {
            if let Some(row) = row {
                // The 2021 group label "（六）其他处理" is not a row of its own.
                if TABLE3_ROWS[i].key == T3Row::Other && row.raw.is_empty() {
                    continue;
                }
                out.push(RowRef {
                    table_zh: "表三",
                    table_en: "table 3",
                    name: T3_NAMES
                        .get_or_init(|| TABLE3_ROWS.iter().map(|r| r.display()).collect())[i]
                        .as_str(),
                    label: TABLE3_ROWS[i].label,
                    row,
                    columns: &TABLE3_COLUMNS,
                    money_columns: &[],
                    signed_columns: &[],
                });
            }
        }
    }
    if let Some(t4) = &report.table4 {
        out.push(RowRef {
            table_zh: "表四",
            table_en: "table 4",
            name: "行政复议、行政诉讼",
            label: "",
            row: &t4.row,
            columns: T4_COLUMNS.get_or_init(|| {
                crate::template::table4_column_names()
                    .iter()
                    .map(String::as_str)
                    .collect()
            }),
            money_columns: &[],
            signed_columns: &[],
        });
    }
    out
}
