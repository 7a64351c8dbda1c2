use super::{shared, Check, Ctx, Input, Rule, RuleMeta};
use crate::diag::{Diagnostic, Msg, Severity};
use crate::model::Value;

pub static RULE: RuleMeta = RuleMeta {
    code: "NB206",
    name: "invalid-count",
    severity: Severity::Error,
    what: (
        "件数为负数、带小数或大得不合理。",
        "A count is negative, fractional or implausibly large.",
    ),
    why: (
        "申请件数、处理决定数量等都是非负整数；只有收费金额（万元）可以有小数。",
        "Counts are non-negative integers; only the fee amount (万元) may have decimals.",
    ),
    example: "| 规章 | 1.5 | 0 | 3 |",
    fix: ("改为非负整数。", "Write a non-negative integer."),
    check: Check::Report {
        run: check,
        reads: &[Input::Structure, Input::Tables, Input::TableText],
    },
};

fn check(ctx: &Ctx, out: &mut Vec<Diagnostic>) {
    for rr in shared::table_rows(ctx.report) {
        let Some(cells) = &rr.row.cells else { continue };
        for (i, c) in cells.iter().enumerate() {
            let col = &rr.columns[i];
            let col_en = rr.column_en(i);
            let money = rr.money_columns.contains(&i);
            let signed = rr.signed_columns.contains(&i);
            let negative = match &c.value {
                Value::Int { value } => *value < 0,
                Value::Decimal { value, .. } => *value < 0.0,
                _ => false,
            };
            let (zh, en) = match &c.value {
                Value::Decimal { text, .. } if !money => (
                    format!(
                        "{}「{}」·{}为 {}：件数应为整数",
                        rr.table_zh, rr.name, col, text
                    ),
                    format!(
                        "{} “{}” · {} is {}: counts are integers",
                        rr.table_en, rr.name, col_en, text
                    ),
                ),
                _ if negative && !signed => {
                    let text = &ctx.src[c.range.start..c.range.end];
                    let (what_zh, what_en) = if money {
                        ("金额", "amounts")
                    } else {
                        ("件数", "counts")
                    };
                    (
                        format!(
                            "{}「{}」·{}为负数 {}：{}不能为负",
                            rr.table_zh, rr.name, col, text, what_zh
                        ),
                        format!(
                            "{} “{}” · {} is negative ({}): {} cannot be negative",
                            rr.table_en, rr.name, col_en, text, what_en
                        ),
                    )
                }
                Value::Int { value } if !money && *value > crate::identities::MAX_COUNT => (
                    format!(
                        "{}「{}」·{}为 {}：超出合理件数（大于一万亿），不参与合计核对",
                        rr.table_zh, rr.name, col, value
                    ),
                    format!(
                        "{} “{}” · {} is {}: beyond any plausible count (over 10^12), not summed",
                        rr.table_en, rr.name, col_en, value
                    ),
                ),
                _ => continue,
            };
            out.push(Diagnostic::new(Rule::InvalidCount, c.range, Msg::new(zh, en)));
        }
    }
}
