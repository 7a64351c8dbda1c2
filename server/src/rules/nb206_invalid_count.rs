use super::{shared, Ctx, RuleMeta};
use crate::diag::{Diagnostic, Msg, Severity};
use crate::model::Value;

pub static RULE: RuleMeta = RuleMeta {
    code: "NB206",
    name: "invalid-count",
    severity: Severity::Error,
    what: ("件数为负数或带小数。", "A count is negative or fractional."),
    why: (
        "申请件数、处理决定数量等都是非负整数；只有收费金额（万元）可以有小数。",
        "Counts are non-negative integers; only the fee amount (万元) may have decimals.",
    ),
    example: "| 规章 | 1.5 | 0 | 3 |",
    fix: ("改为非负整数。", "Write a non-negative integer."),
    check,
};

fn check(ctx: &Ctx, out: &mut Vec<Diagnostic>) {
    for rr in shared::table_rows(ctx.report) {
        let Some(cells) = &rr.row.cells else { continue };
        for (i, c) in cells.iter().enumerate() {
            let col = &rr.columns[i];
            let (zh, en) = match &c.value {
                Value::Int { value } if *value < 0 => (
                    format!(
                        "{}「{}」·{}为负数 {}：件数不能为负",
                        rr.table_zh, rr.name, col, value
                    ),
                    format!(
                        "{} “{}” · {} is negative ({}): counts cannot be negative",
                        rr.table_en, rr.name, col, value
                    ),
                ),
                Value::Decimal { text, value } if !rr.money || *value < 0.0 => (
                    format!(
                        "{}「{}」·{}为 {}：件数应为非负整数",
                        rr.table_zh, rr.name, col, text
                    ),
                    format!(
                        "{} “{}” · {} is {}: counts are non-negative integers",
                        rr.table_en, rr.name, col, text
                    ),
                ),
                _ => continue,
            };
            out.push(Diagnostic::new(RULE.code, c.range, Msg::new(zh, en)));
        }
    }
}
