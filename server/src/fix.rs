//! Fix-all: recompute every total in one consistent pass.
//!
//! Identities are applied in template order — A (row totals), then B ((七)
//! totals), then C (四 from 一 + 二 − （七）, only when ≥ 0), then table 四 — on a
//! working copy of the values, repeated until nothing changes. Only cells that
//! are the target of an identity are ever rewritten, and only their digits.

use crate::model::Report;
use crate::rules::shared::{eval, rewrite_cell};
use crate::template::{identities, CellRef};
use crate::text::TextEdit;
use std::collections::BTreeMap;

/// The edits that make every identity hold (where a non-negative solution exists).
pub fn fix_all(src: &str, report: &Report) -> Vec<TextEdit> {
    let idents = identities(report.format);
    let mut values: BTreeMap<CellRef, i64> = BTreeMap::new();
    for ident in &idents {
        for c in ident.cells() {
            if let Some(v) = report.cell(c).and_then(|c| c.int()) {
                values.insert(c, v);
            }
        }
    }
    let original = values.clone();
    for _ in 0..4 {
        let mut changed = false;
        for ident in &idents {
            let Some(e) = eval(ident, |c| values.get(&c).copied()) else { continue };
            if !e.holds() && e.expected >= 0 {
                values.insert(ident.target, e.expected);
                changed = true;
            }
        }
        if !changed {
            break;
        }
    }
    values
        .iter()
        .filter(|(c, v)| original.get(c) != Some(v))
        .filter_map(|(c, v)| report.cell(*c).map(|cell| rewrite_cell(src, cell, *v)))
        .collect()
}
