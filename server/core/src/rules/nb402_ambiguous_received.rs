use super::{nb4_common, Check, Ctx, Input, Rule, RuleMeta};
use crate::diag::{Diagnostic, Severity};
use crate::narrative::Quantity;

pub static RULE: RuleMeta = RuleMeta {
    code: "NB402",
    name: "ambiguous-received",
    severity: Severity::Information,
    what: (
        "正文「收到N件」等于本年新收加上年结转，措辞有歧义。",
        "“Received N” in the text equals new plus carried-over applications: the wording is ambiguous.",
    ),
    why: (
        "表三第一项是「本年新收」，不含上年结转。正文写「收到」而数字含上年结转时并非错误，但读者会与表三第一项对照而以为不一致。",
        "Item 1 of table 3 counts new applications only. A “received” figure that includes last year's carried-over applications is not wrong, but readers comparing it with item 1 will think it is.",
    ),
    example: "本年度共收到政府信息公开申请5件。\n…\n| 一、本年新收政府信息公开申请数量 | 3 | 1 | 0 | 0 | 0 | 0 | 4 |\n| 二、上年结转政府信息公开申请数量 | 1 | 0 | 0 | 0 | 0 | 0 | 1 |",
    fix: (
        "分开写明，例如「本年新收政府信息公开申请4件，上年结转1件」。",
        "State both, e.g. “本年新收政府信息公开申请4件，上年结转1件”.",
    ),
    check: Check::Report {
        run: check,
        reads: &[Input::Structure, Input::Tables, Input::Claims],
    },
};

fn check(ctx: &Ctx, out: &mut Vec<Diagnostic>) {
    nb4_common::check(ctx, Rule::AmbiguousReceived, |q| q == Quantity::Received, true, out);
}
