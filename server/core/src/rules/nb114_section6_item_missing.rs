use super::{front_matter, Check, Ctx, Input, Rule, RuleMeta, Span};
use crate::diag::{Diagnostic, Msg, Severity};

pub static RULE: RuleMeta = RuleMeta {
    code: "NB114",
    name: "section6-item-missing",
    severity: Severity::Warning,
    what: (
        "第六部分没有提到本地要求报告的事项（profile.section6Items）。",
        "Section 6 does not mention an item the local profile requires (profile.section6Items).",
    ),
    why: (
        "一些省份要求在「其他需要报告的事项」中报告落实政务公开工作要点、人大代表建议和政协提案办理结果公开、政务公开创新等情况。这是本地要求，只检查 profile.section6Items 中列出的事项。",
        "Some provinces require section 6 to report on the 政务公开工作要点, the publication of replies to deputies' suggestions and CPPCC proposals, innovations, etc. This is a local requirement: only the items listed in profile.section6Items are checked.",
    ),
    example: "六、其他需要报告的事项\n本年度没有产生信息处理费。",
    fix: (
        "在第六部分补写缺少的事项。事项按原文匹配（忽略空格和换行）；一项可用「|」列出几种写法，如「人大代表建议|政协提案」，出现其一即可。",
        "Add the missing items to section 6. Items are matched as written (spaces and line breaks ignored); an item may list alternatives separated by “|”, e.g. “人大代表建议|政协提案”, any one of which is enough.",
    ),
    check: Check::Report {
        run: check,
        reads: &[Input::Structure, Input::Span(Span::Body(5))],
    },
};

fn check(ctx: &Ctx, out: &mut Vec<Diagnostic>) {
    let items = &ctx.config.profile.section6_items;
    if items.is_empty() {
        return;
    }
    let r = ctx.report;
    let (Some(body), Some(heading)) =
        (front_matter::body(ctx.src, r, 5), front_matter::heading_range(r, 5))
    else {
        return;
    };
    let flat = front_matter::Flat::new(ctx.src, &[body]);
    let missing: Vec<&str> = items
        .iter()
        .map(|i| i.trim())
        .filter(|i| !i.is_empty())
        .filter(|item| {
            !item.split('|').any(|alt| {
                let alt = front_matter::Flat::new(alt, &[crate::text::TextRange::new(0, alt.len())]);
                !alt.text.is_empty() && flat.text.contains(&alt.text)
            })
        })
        .collect();
    if missing.is_empty() {
        return;
    }
    let list = missing
        .iter()
        .map(|m| format!("「{}」", m))
        .collect::<String>();
    let list_en = missing
        .iter()
        .map(|m| format!("“{}”", m))
        .collect::<Vec<_>>()
        .join(", ");
    out.push(Diagnostic::new(
        Rule::Section6ItemMissing,
        heading,
        Msg::new(
            format!("第六部分没有提到本地要求报告的事项：{}", list),
            format!(
                "Section 6 does not mention the locally required item(s) {}",
                list_en
            ),
        ),
    ));
}
