//! What the NB4xx rules share: a prose figure set against its table cells.

use super::{Ctx, Rule};
use crate::diag::{Diagnostic, Msg, Related};
use crate::narrative::{Comparison, Quantity};

/// A diagnostic on the number in the sentence for every disagreement whose
/// quantity `pick` selects; `ambiguous` selects the loose-wording case.
pub fn check(
    ctx: &Ctx,
    rule: Rule,
    pick: fn(Quantity) -> bool,
    ambiguous: bool,
    out: &mut Vec<Diagnostic>,
) {
    for cmp in ctx.narrative() {
        if !pick(cmp.claim.quantity) || cmp.received_with_carried != ambiguous {
            continue;
        }
        out.push(diagnostic(rule, cmp));
    }
}

fn diagnostic(rule: Rule, cmp: &Comparison) -> Diagnostic {
    let q = cmp.claim.quantity;
    let names_zh = cmp
        .cells
        .iter()
        .map(|c| format!("{} {}", c.name_zh, c.value))
        .collect::<Vec<_>>()
        .join(" + ");
    let names_en = cmp
        .cells
        .iter()
        .map(|c| format!("{} = {}", c.name_en, c.value))
        .collect::<Vec<_>>()
        .join(" + ");
    let msg = if cmp.received_with_carried {
        Msg::new(
            format!(
                "正文所说「收到」的 {} 件等于本年新收加上年结转（{}），与表三第一项「本年新收」{} 件不同：措辞有歧义，建议写明「本年新收 {} 件，上年结转 {} 件」",
                cmp.claim.value,
                names_zh,
                cmp.table,
                cmp.table,
                cmp.claim.value - cmp.table
            ),
            format!(
                "The {} applications “received” equal new plus carried over ({}), not the {} new applications of table 3 item 1: the wording is ambiguous; say “{} new, {} carried over”",
                cmp.claim.value,
                names_en,
                cmp.table,
                cmp.table,
                cmp.claim.value - cmp.table
            ),
        )
    } else if cmp.claim.negation {
        Msg::new(
            format!(
                "正文称没有{}，但表格为 {}（{}）",
                q.name_zh().trim_end_matches('数'),
                cmp.table,
                names_zh
            ),
            format!(
                "The text says there were no {}, but the table gives {} ({})",
                q.name_en(),
                cmp.table,
                names_en
            ),
        )
    } else {
        Msg::new(
            format!(
                "正文所述{}为 {}，与表格不一致：表格为 {}（{}）",
                q.name_zh(),
                cmp.claim.value,
                cmp.table,
                names_zh
            ),
            format!(
                "The text says {} for {}, but the table gives {} ({})",
                cmp.claim.value,
                q.name_en(),
                cmp.table,
                names_en
            ),
        )
    };
    let related = cmp
        .cells
        .iter()
        .map(|c| Related {
            range: c.range,
            message: Msg::new(
                format!("{} = {}", c.name_zh, c.value),
                format!("{} = {}", c.name_en, c.value),
            ),
        })
        .collect();
    Diagnostic::new(rule, cmp.claim.range, msg).with_related(related)
}
