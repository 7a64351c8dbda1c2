//! The report as data: every cell of tables 二, 三 and 四 with typed keys, the official
//! labels, the value as read and its state, for `nianbao extract` (CSV, JSON Lines, SQLite)
//! and anything else that wants the figures rather than the findings.
//!
//! Keys are stable names (`t3.open`, `natural_persons`, `review.corrected`) that do not
//! change with the message language; labels are the template's Chinese wording.

use crate::analysis::Analysis;
use crate::diag::Finding;
use crate::identities::{CellState, Cells};
use crate::model::{Cell, Value};
use crate::template::{
    table2_blocks, table3_rows, table4_column_name, CellRef, TABLE3_COLUMNS, TABLE3_COLUMNS_EN,
    TABLE4_GROUP_COLUMNS_EN, TABLE4_WIDTH,
};
use crate::text::TextRange;

/// One cell of a report's tables.
#[derive(Clone, Debug, PartialEq)]
pub struct CellRecord {
    /// "二", "三" or "四".
    pub table: &'static str,
    /// The row's stable key ("t2.normative", "t3.open", "t4").
    pub row_key: &'static str,
    /// The column's stable key ("current_valid", "natural_persons", "review.corrected").
    pub col_key: String,
    /// The row's label in the template ("（一）予以公开"; table 二: the block's item and the row).
    pub row_label: String,
    /// The column's label in the template.
    pub col_label: String,
    /// The cell's text as written (`None` when the row or table is not in the report).
    pub text: Option<String>,
    /// The number read, when the cell holds one.
    pub value: Option<f64>,
    pub state: State,
    /// For a cell found wrong: the value the identities imply.
    pub implied: Option<i64>,
    /// Where the cell's text is (`None` when it is missing).
    pub range: Option<TextRange>,
}

/// What a cell holds.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum State {
    Number,
    Blank,
    /// Text, a decimal where a count belongs, or a number out of range.
    Unreadable,
    /// The row or the table is not in the report.
    Missing,
    /// A number an identity finds wrong (`implied` holds what it should be).
    Wrong,
}

impl State {
    pub fn as_str(self) -> &'static str {
        match self {
            State::Number => "number",
            State::Blank => "blank",
            State::Unreadable => "unreadable",
            State::Missing => "missing",
            State::Wrong => "wrong",
        }
    }
}

/// A stable key for a column of table 二 (both formats).
fn table2_col_key(label: &str, col: usize) -> String {
    let key = match label {
        "本年制发件数" => "issued",
        "本年废止件数" => "repealed",
        "现行有效件数" => "in_force",
        "本年处理决定数量" | "处理决定数量" => "decisions",
        "本年收费金额（单位：万元）" => "fees_10k_yuan",
        "本年新制作数量" => "made",
        "本年新公开数量" => "published",
        "对外公开总数量" => "public_total",
        "上一年项目数量" => "items_last_year",
        "本年增/减" => "change",
        "采购项目数量" => "procurement_items",
        "采购总金额" => "procurement_amount",
        _ => return format!("c{}", col + 1),
    };
    key.to_string()
}

fn snake(s: &str) -> String {
    s.replace([' ', '-'], "_")
}

fn cell_text(src: &str, c: &Cell) -> String {
    src.get(c.range.start..c.range.end)
        .unwrap_or("")
        .trim()
        .to_string()
}

fn value_of(c: &Cell) -> Option<f64> {
    match &c.value {
        Value::Int { value } => Some(*value as f64),
        Value::Decimal { value, .. } => Some(*value),
        _ => None,
    }
}

/// Every cell of the three tables, in template order (table 二 by block and row, 三 by row
/// and column, 四 by column), whether the report has it or not.
pub fn cells(src: &str, analysis: &Analysis) -> Vec<CellRecord> {
    let report = &analysis.report;
    let mut out = Vec::new();

    // Table 二: no identities; each block's columns.
    let format = report.table2.as_ref().map_or(report.format, |t| t.format);
    for block in table2_blocks(format) {
        for def in block.rows {
            let row = report
                .table2
                .as_ref()
                .and_then(|t| t.rows.iter().find(|(k, _)| *k == def.key))
                .and_then(|(_, r)| r.as_ref());
            for (col, name) in block.columns.iter().enumerate() {
                let cell = row.and_then(|r| r.cells.as_ref()).and_then(|c| c.get(col));
                let state = match cell.map(|c| &c.value) {
                    None => State::Missing,
                    Some(Value::Blank) => State::Blank,
                    Some(Value::Int { .. } | Value::Decimal { .. }) => State::Number,
                    Some(Value::Text { .. }) => State::Unreadable,
                };
                out.push(CellRecord {
                    table: "二",
                    row_key: def.key.key(),
                    col_key: table2_col_key(name, col),
                    row_label: format!("{}{}", block.item, def.label),
                    col_label: name.to_string(),
                    text: cell.map(|c| cell_text(src, c)),
                    value: cell.and_then(value_of),
                    state,
                    implied: None,
                    range: cell.map(|c| c.range),
                });
            }
        }
    }

    // Tables 三 and 四: the arithmetic's view of each cell, and the findings that name it.
    let written = Cells::written(report);
    let wrong = |c: CellRef| {
        analysis.diagnostics.iter().find_map(|d| match d.finding {
            Some(Finding::WrongTotal { cell, expected, .. }) if cell == c => Some(expected),
            _ => None,
        })
    };
    let push =
        |out: &mut Vec<CellRecord>, c: CellRef, row_key, row_label: String, col_key, col_label| {
            let cell = report.cell(c);
            let implied = wrong(c);
            let state = match (implied, written.state(c)) {
                (Some(_), _) => State::Wrong,
                (None, CellState::Number(_)) => State::Number,
                (None, CellState::Blank) => State::Blank,
                (None, CellState::Missing) if cell.is_none() => State::Missing,
                (None, _) => State::Unreadable,
            };
            out.push(CellRecord {
                table: if matches!(c, CellRef::T3 { .. }) {
                    "三"
                } else {
                    "四"
                },
                row_key,
                col_key,
                row_label,
                col_label,
                text: cell.map(|c| cell_text(src, c)),
                value: cell.and_then(value_of),
                state,
                implied,
                range: cell.map(|c| c.range),
            });
        };
    for (row, def) in table3_rows(report.table3_format()) {
        for col in 0..TABLE3_COLUMNS.len() {
            push(
                &mut out,
                CellRef::T3 { row, col },
                def.key.key(),
                def.display(),
                snake(TABLE3_COLUMNS_EN[col]),
                TABLE3_COLUMNS[col].to_string(),
            );
        }
    }
    for col in 0..TABLE4_WIDTH {
        let group = match col / 5 {
            0 => "review",
            1 => "litigation",
            _ => "litigation_after_review",
        };
        push(
            &mut out,
            CellRef::T4 { col },
            "t4",
            "四、行政复议、行政诉讼".to_string(),
            format!("{group}.{}", snake(TABLE4_GROUP_COLUMNS_EN[col % 5])),
            table4_column_name(col),
        );
    }
    out
}

/// A stable content hash of a file's bytes (FNV-1a, 64 bits, as 16 hex digits): the same
/// on every machine and every run, to tell whether a report changed between two extracts.
pub fn content_hash(bytes: &[u8]) -> String {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in bytes {
        h ^= u64::from(*b);
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    format!("{h:016x}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fnv_matches_the_reference_values() {
        assert_eq!(content_hash(b""), "cbf29ce484222325");
        assert_eq!(content_hash(b"a"), "af63dc4c8601ec8c");
    }
}
