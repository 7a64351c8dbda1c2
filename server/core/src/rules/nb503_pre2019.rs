use super::{Check, Ctx, Input, Rule, RuleMeta};
use crate::diag::{Diagnostic, Msg, Severity};
use crate::model::HeadingKind;

pub static RULE: RuleMeta = RuleMeta {
    code: "NB503",
    name: "pre-2019-structure",
    severity: Severity::Error,
    what: ("报告使用了 2008 年条例时期的结构（如「收费及减免情况」部分）。", "The report uses the pre-2019 structure (e.g. a “收费及减免情况” section)."),
    why: (
        "2019 年修订的条例和此后的格式已取消「政府信息公开的收费及减免情况」部分；2019 年以后的报告不应再有。",
        "The 2019 regulation dropped the “fees and exemptions” section; no later report should have it.",
    ),
    example: "四、政府信息公开的收费及减免情况",
    fix: ("删除该部分；信息处理费在第六部分说明。", "Remove the section; state the information processing fee in section 6."),
    check: Check::Report {
        run: check,
        reads: &[Input::Structure, Input::Tables, Input::TableText],
    },
};

fn check(ctx: &Ctx, out: &mut Vec<Diagnostic>) {
    for h in &ctx.report.headings {
        if h.kind != HeadingKind::Pre2019 {
            continue;
        }
        out.push(Diagnostic::new(
            Rule::Pre2019Structure,
            h.range,
            Msg::new(
                format!("「{}」是 2019 年以前旧格式的部分，现行格式已取消；信息处理费请在第六部分说明", h.title),
                format!("“{}” is a section of the pre-2019 structure, dropped since; state fees in section 6", h.title),
            ),
        ));
    }
}
