use super::{nb4_common, Check, Ctx, Input, Rule, RuleMeta};
use crate::diag::{Diagnostic, Severity};
use crate::narrative::Quantity;

pub static RULE: RuleMeta = RuleMeta {
    code: "NB403",
    name: "narrative-review",
    severity: Severity::Warning,
    what: (
        "正文所述行政复议、行政诉讼件数与表四不一致。",
        "The number of administrative reviews or lawsuits stated in the text differs from table 4.",
    ),
    why: (
        "正文中的「行政复议N件」应等于表四行政复议的总计，「行政诉讼N件」应等于未经复议直接起诉与复议后起诉两个总计之和；「未发生行政复议、行政诉讼」要求这些总计为 0。",
        "“行政复议N件” must equal table 4's review total, and “行政诉讼N件” the sum of both lawsuit totals (direct and after review); “未发生行政复议、行政诉讼” requires these totals to be 0.",
    ),
    example: "本年度发生政府信息公开行政复议2件。\n…\n1 | 0 | 0 | 0 | 1 | 0 | 0 | 0 | 0 | 0 | 0 | 0 | 0 | 0 | 0 |",
    fix: (
        "核对正文与表四，改正错误的一方。",
        "Check the text against table 4 and correct whichever is wrong.",
    ),
    check: Check::Report {
        run: check,
        reads: &[Input::Structure, Input::Tables, Input::Claims],
    },
};

fn check(ctx: &Ctx, out: &mut Vec<Diagnostic>) {
    nb4_common::check(
        ctx,
        Rule::NarrativeReview,
        |q| matches!(q, Quantity::Review | Quantity::Litigation),
        false,
        out,
    );
}
