use super::{nb4_common, Check, Ctx, Input, Rule, RuleMeta};
use crate::diag::{Diagnostic, Severity};
use crate::narrative::Quantity;

pub static RULE: RuleMeta = RuleMeta {
    code: "NB401",
    name: "narrative-applications",
    severity: Severity::Warning,
    what: (
        "正文所述申请数（收到、新收、办结、结转）与表三不一致。",
        "An application count stated in the text (received, new, completed, carried over) differs from table 3.",
    ),
    why: (
        "总体情况中的「共收到政府信息公开申请N件」「办结N件」「结转下年度N件」「未收到政府信息公开申请」等表述须与表三的总计列一致（收到/新收对应第一项，办结/答复对应（七）总计，上年结转对应第二项，结转下年度对应第四项）；不一致的报告会被审核退回。",
        "Sentences such as “共收到政府信息公开申请N件”, “办结N件”, “结转下年度N件” or “未收到政府信息公开申请” must agree with the 总计 column of table 3 (received/new: item 1; completed/answered: (7) total; carried in: item 2; carried out: item 4); reviewers send back reports where they differ.",
    ),
    example: "2024年，共收到政府信息公开申请5件。\n…\n| 一、本年新收政府信息公开申请数量 | 3 | 1 | 0 | 0 | 0 | 0 | 4 |",
    fix: (
        "核对正文与表格，改正错误的一方；诊断落在正文的数字上，相关信息指向表格单元格。",
        "Check the text against the table and correct whichever is wrong; the diagnostic sits on the number in the text and points to the table cell.",
    ),
    check: Check::Report {
        run: check,
        reads: &[Input::Structure, Input::Tables, Input::Claims],
    },
};

fn check(ctx: &Ctx, out: &mut Vec<Diagnostic>) {
    nb4_common::check(
        ctx,
        Rule::NarrativeApplications,
        |q| {
            matches!(
                q,
                Quantity::Received
                    | Quantity::NewReceived
                    | Quantity::Completed
                    | Quantity::CarriedIn
                    | Quantity::CarriedOut
            )
        },
        false,
        out,
    );
}
