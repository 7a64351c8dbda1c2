use super::{front_matter, Check, Ctx, Input, Rule, RuleMeta, Span};
use crate::diag::{Diagnostic, Msg, Severity};

pub static RULE: RuleMeta = RuleMeta {
    code: "NB110",
    name: "missing-contact",
    severity: Severity::Hint,
    what: (
        "报告没有给出联系方式（地址、邮编、电话或电子邮箱）。",
        "The report gives no contact details (address, postcode, phone or e-mail).",
    ),
    why: (
        "年度报告的开头（或结尾）通常写明「如对本报告有任何疑问，请与××联系（地址：…，邮编：…，电话：…）」，方便公众就报告内容提出疑问。",
        "The opening (or the end) normally says whom to contact about the report (“如对本报告有任何疑问，请与××联系（地址：…，邮编：…，电话：…）”), so that the public can ask about it.",
    ),
    example: "…现发布本报告。本报告所列数据的统计期限自2024年1月1日起至2024年12月31日止。\n一、总体情况",
    fix: (
        "在开头段落补充联系方式，例如「如对本报告有任何疑问，请与××联系（地址：…，邮编：…，电话：…）。」",
        "Add the contact details to the opening paragraph, e.g. “如对本报告有任何疑问，请与××联系（地址：…，邮编：…，电话：…）。”",
    ),
    check: Check::Report {
        run: check,
        reads: &[Input::Structure, Input::Span(Span::Front), Input::Span(Span::Tail), Input::Span(Span::Anchor), Input::LooksLikeReport],
    },
};

/// Looks in the opening (before the first heading after the title) and at the end
/// (section 6 to the end of the text): where real reports put the contact. Section
/// 一 is left out: its "电话、电子邮件、邮寄信件" are ways to apply, not a contact.
fn check(ctx: &Ctx, out: &mut Vec<Diagnostic>) {
    let r = ctx.report;
    if !front_matter::reads_as_report(ctx.src, r) {
        return;
    }
    let mut regions = vec![front_matter::opening(ctx.src, r)];
    regions.extend(front_matter::tail(ctx.src, r));
    let flat = front_matter::Flat::new(ctx.src, &regions);
    if front_matter::has_contact(&flat) {
        return;
    }
    out.push(Diagnostic::new(
        Rule::MissingContact,
        front_matter::anchor(ctx.src, r),
        Msg::new(
            "报告开头和结尾都没有联系方式（地址、邮编、电话或电子邮箱），建议写明「如对本报告有任何疑问，请与××联系（地址：…，邮编：…，电话：…）」",
            "Neither the opening nor the end gives contact details (address, postcode, phone or e-mail); add “如对本报告有任何疑问，请与××联系（地址：…，邮编：…，电话：…）”",
        ),
    ));
}
