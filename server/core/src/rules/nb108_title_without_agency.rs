use super::{front_matter, Check, Ctx, Input, Rule, RuleMeta, Span};
use crate::diag::{Diagnostic, Msg, Severity};

pub static RULE: RuleMeta = RuleMeta {
    code: "NB108",
    name: "title-without-agency",
    severity: Severity::Hint,
    what: (
        "报告标题没有写明机关名称，或找不到报告标题。",
        "The report title does not name the agency, or there is no title.",
    ),
    why: (
        "年度报告的标题应为「××（机关名称）20××年政府信息公开工作年度报告」：各机关的报告在政府网站上并列发布，只写「2024年政府信息公开工作年度报告」无法看出是哪个机关的报告。从网页复制的正文常常丢失标题。",
        "The title reads “<agency> 20XX年政府信息公开工作年度报告”: reports of many agencies are published side by side, and “2024年政府信息公开工作年度报告” alone does not say whose it is. Text copied from a web page often loses its title.",
    ),
    example: "2024年政府信息公开工作年度报告\n根据《中华人民共和国政府信息公开条例》…",
    fix: (
        "在年份前写明机关全称，例如「蒙城县工业和信息化局2024年政府信息公开工作年度报告」。",
        "Put the agency's full name before the year, e.g. “蒙城县工业和信息化局2024年政府信息公开工作年度报告”.",
    ),
    check: Check::Report {
        run: check,
        reads: &[Input::Structure, Input::Span(Span::Front), Input::Span(Span::Anchor), Input::LooksLikeReport],
    },
};

fn check(ctx: &Ctx, out: &mut Vec<Diagnostic>) {
    let r = ctx.report;
    if !front_matter::reads_as_report(ctx.src, r) {
        return;
    }
    let year = r
        .year
        .map(|y| y.to_string())
        .unwrap_or_else(|| "20××".into());
    let msg = match r.title {
        Some(t) if front_matter::title_names_agency(ctx.src, t) => return,
        Some(_) => Msg::new(
            format!("标题没有写明机关名称：应为「××（机关名称）{year}年政府信息公开工作年度报告」"),
            format!("The title does not name the agency: it should read “<agency> {year}年政府信息公开工作年度报告”"),
        ),
        None => Msg::new(
            format!("未找到报告标题（「××（机关名称）{year}年政府信息公开工作年度报告」）"),
            format!("No report title found (“<agency> {year}年政府信息公开工作年度报告”)"),
        ),
    };
    out.push(Diagnostic::new(
        Rule::TitleWithoutAgency,
        r.title.unwrap_or_else(|| front_matter::anchor(ctx.src, r)),
        msg,
    ));
}
