use super::{Check, Ctx, Input, Rule, RuleMeta, Span};
use crate::diag::{Diagnostic, Msg, Severity};
use crate::template::{Format, FEE_STATEMENT_KEYS};

pub static RULE: RuleMeta = RuleMeta {
    code: "NB106",
    name: "missing-fee-statement",
    severity: Severity::Warning,
    what: ("第六部分没有说明信息处理费的收取情况。", "Section 6 does not state the information processing fee."),
    why: (
        "2021 年起，第六部分须说明按《政府信息公开信息处理费管理办法》（国办函〔2020〕109号）收取信息处理费的情况，即使未收取也要说明；只写「无」不符合要求。",
        "From 2021, section 6 must state the fees charged under 国办函〔2020〕109号, even when none were; “无” alone is not enough.",
    ),
    example: "六、其他需要报告的事项\n无",
    fix: ("写明收费情况，例如「本年度没有产生信息处理费。」", "State the fee, e.g. “本年度没有产生信息处理费。”"),
    check: Check::Report {
        run: check,
        reads: &[Input::Structure, Input::Span(Span::WholeBody(5))],
    },
};

fn check(ctx: &Ctx, out: &mut Vec<Diagnostic>) {
    let r = ctx.report;
    if r.format != Format::F2021 {
        return;
    }
    let Some(s) = &r.sections[5] else { return };
    let body = &ctx.src[s.body.start..s.body.end];
    if FEE_STATEMENT_KEYS.iter().any(|k| body.contains(k)) {
        return;
    }
    out.push(Diagnostic::new(
        Rule::MissingFeeStatement,
        r.headings[s.heading].range,
        Msg::new(
            "第六部分未说明信息处理费收取情况（2021 年起须说明，未收取也应写明「本年度没有产生信息处理费」）",
            "Section 6 does not state the information processing fee (required from 2021, even when none was charged)",
        ),
    ));
}
