//! Fix-all: repair the cells the identities locate, and nothing else.
//!
//! The smallest set of cells whose change makes every identity of tables 三 and
//! 四 hold is located ([`crate::wrong_cells`], the prose deciding between equal
//! explanations). Fix-all writes exactly those cells with the values found,
//! and only when that set is unique: when several explanations are equally
//! simple (a draft with 新收 5 and every outcome still 0: is the 5 wrong, or are
//! five applications pending?), or when no set of at most three cells explains
//! the failures, nothing is rewritten — a fix never invents data. Only the
//! digits of a cell are rewritten.

use crate::identities::Evaluation;
use crate::model::Report;
use crate::rules::shared::rewrite_cell;
use crate::text::TextEdit;
use crate::wrong_cells::Located;

/// The edits that repair the located wrong cells (none unless the location is
/// unique).
pub fn fix_all(src: &str, report: &Report) -> Vec<TextEdit> {
    let eval = Evaluation::of(report);
    let claims = std::cell::OnceCell::new();
    let located = Located::of(&eval, || {
        claims.get_or_init(|| crate::narrative::claims(src, report))
    });
    fix_all_with(src, report, &located)
}

/// [`fix_all`] from the report's located cells, already computed.
pub fn fix_all_with(src: &str, report: &Report, located: &Located) -> Vec<TextEdit> {
    let Some(candidate) = located.unique() else {
        return Vec::new();
    };
    candidate
        .changes
        .iter()
        .filter_map(|c| Some(rewrite_cell(src, report.cell(c.cell)?, c.value?)))
        .collect()
}
