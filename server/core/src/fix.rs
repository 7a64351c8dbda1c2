//! Fix-all: recompute every total in one consistent pass.
//!
//! Identities are applied in template order — A (row totals), then B ((七)
//! totals), then C (四 from 一 + 二 − （七）, only when ≥ 0), then table 四 — on a
//! working copy of the values, repeated until nothing changes
//! ([`Evaluation::fixed_point`]). Only cells that are the target of an identity
//! are ever rewritten, and only their digits.

use crate::identities::Evaluation;
use crate::model::Report;
use crate::rules::shared::rewrite_cell;
use crate::text::TextEdit;

/// The edits that make every identity hold (where a solution in counts exists).
pub fn fix_all(src: &str, report: &Report) -> Vec<TextEdit> {
    fix_all_with(src, report, &Evaluation::of(report))
}

/// [`fix_all`] from the report's evaluation, already computed.
pub fn fix_all_with(src: &str, report: &Report, eval: &Evaluation) -> Vec<TextEdit> {
    eval.fixed_point()
        .changed(&eval.written)
        .filter_map(|(c, v)| report.cell(c).map(|cell| rewrite_cell(src, cell, v)))
        .collect()
}
