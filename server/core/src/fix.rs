//! Fix-all: recompute every total in one consistent pass.
//!
//! Identities are applied in template order — A (row totals), then B ((七)
//! totals), then C (四 from 一 + 二 − （七）, only when ≥ 0), then table 四 — on a
//! working copy of the values, repeated until nothing changes. Only cells that
//! are the target of an identity are ever rewritten, and only their digits.

use crate::model::Report;
use crate::rules::shared::{identity_pass, rewrite_cell, CellValues};
use crate::template::identity_table;
use crate::text::TextEdit;

/// The edits that make every identity hold (where a non-negative solution exists).
pub fn fix_all(src: &str, report: &Report) -> Vec<TextEdit> {
    let idents = identity_table(report.table3_format());
    let original = CellValues::written(report);
    let mut values = original.clone();
    // A pass corrects every total from its parts; a total corrected late (C after
    // B) can break an earlier identity only through a cell it shares, so a few
    // passes reach the fixed point.
    for _ in 0..4 {
        let before = values.clone();
        identity_pass(idents, &mut values);
        if values == before {
            break;
        }
    }
    values
        .changed(&original)
        .filter_map(|(c, v)| report.cell(c).map(|cell| rewrite_cell(src, cell, v)))
        .collect()
}
