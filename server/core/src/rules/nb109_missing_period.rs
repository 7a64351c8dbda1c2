use super::{front_matter, Check, Ctx, Input, Rule, RuleMeta, Span};
use crate::diag::{Diagnostic, Msg, Severity};

pub static RULE: RuleMeta = RuleMeta {
    code: "NB109",
    name: "missing-period",
    severity: Severity::Hint,
    what: (
        "开头和总体情况中都没有写明统计期限。",
        "Neither the opening nor section 1 states the reporting period (统计期限).",
    ),
    why: (
        "年度报告的开头通常写明「本报告所列数据的统计期限自20××年1月1日起至20××年12月31日止」：读者据此知道表格数字覆盖的时间，审核时也据此核对报告年度。",
        "The opening normally states “本报告所列数据的统计期限自20XX年1月1日起至20XX年12月31日止”: it tells the reader which period the figures cover, and reviewers check the report year against it.",
    ),
    example: "蒙城县工业和信息化局2024年政府信息公开工作年度报告\n根据《中华人民共和国政府信息公开条例》…要求，现发布本报告。\n一、总体情况",
    fix: (
        "在开头段落写明统计期限，例如「本报告所列数据的统计期限自2024年1月1日起至2024年12月31日止。」",
        "State the period in the opening paragraph, e.g. “本报告所列数据的统计期限自2024年1月1日起至2024年12月31日止。”",
    ),
    check: Check::Report {
        run: check,
        reads: &[Input::Structure, Input::Span(Span::Front), Input::Span(Span::Body(0)), Input::Span(Span::Anchor), Input::LooksLikeReport],
    },
};

fn check(ctx: &Ctx, out: &mut Vec<Diagnostic>) {
    let r = ctx.report;
    if !front_matter::reads_as_report(ctx.src, r) {
        return;
    }
    let flat = ctx.front_flat();
    if !front_matter::periods(flat).is_empty() {
        return;
    }
    let y = r
        .year
        .map(|y| y.to_string())
        .unwrap_or_else(|| "20××".into());
    out.push(Diagnostic::new(
        Rule::MissingPeriod,
        front_matter::anchor(ctx.src, r),
        Msg::new(
            format!("开头和总体情况中没有写明统计期限（如「本报告所列数据的统计期限自{y}年1月1日起至{y}年12月31日止」）"),
            format!("The opening and section 1 do not state the reporting period (e.g. “本报告所列数据的统计期限自{y}年1月1日起至{y}年12月31日止”)"),
        ),
    ));
}
