use super::{front_matter, Check, Ctx, Input, Rule, RuleMeta, Span};
use crate::diag::{Diagnostic, Msg, Severity};
use crate::template::Format;

pub static RULE: RuleMeta = RuleMeta {
    code: "NB111",
    name: "overview-aspects",
    severity: Severity::Information,
    what: (
        "总体情况没有涵盖五个方面（主动公开、依申请公开、政府信息管理、政府信息公开平台建设、监督保障）中的某些方面。",
        "Section 1 does not cover all five aspects (主动公开, 依申请公开, 政府信息管理, 平台建设, 监督保障).",
    ),
    why: (
        "2021 版格式（国办公开办函〔2021〕30号）要求总体情况从主动公开、依申请公开、政府信息管理、政府信息公开平台建设、监督保障五个方面概述本年度工作，通常写成（一）至（五）五段。",
        "The 2021 format asks section 1 to summarise the year under five aspects — 主动公开, 依申请公开, 政府信息管理, 政府信息公开平台建设, 监督保障 — usually as five paragraphs （一）…（五）.",
    ),
    example: "一、总体情况\n（一）加强组织领导。…\n（二）加强制度建设。…",
    fix: (
        "按五个方面组织总体情况，补写缺少的方面，例如「（四）政府信息公开平台建设情况。…」「（五）监督保障情况。…」。",
        "Organise section 1 under the five aspects and add the missing ones, e.g. “（四）政府信息公开平台建设情况。…”, “（五）监督保障情况。…”.",
    ),
    check: Check::Report {
        run: check,
        reads: &[Input::Structure, Input::Span(Span::Body(0))],
    },
};

/// The five aspects, each with the words that show the section covers it (any one
/// is enough: a report that mentions the aspect at all is not flagged).
const ASPECTS: &[(&str, &str, &[&str])] = &[
    // "主动回应关切", "及时主动进行信息公开": reported under 主动公开.
    ("主动公开", "proactive disclosure", &["主动"]),
    (
        "依申请公开",
        "disclosure on request",
        &["依申请", "公开申请"],
    ),
    (
        "政府信息管理",
        "information management",
        &["信息管理", "内容管理", "审核", "保密审查", "目录"],
    ),
    (
        "政府信息公开平台建设",
        "disclosure platforms",
        &["平台", "网站", "新媒体"],
    ),
    (
        "监督保障",
        "oversight and safeguards",
        &[
            "监督保障",
            "保障监督",
            "监督考核",
            "考核",
            "评议",
            "责任追究",
            "责任制",
            "督查",
            "督促检查",
            "培训",
        ],
    ),
];

fn check(ctx: &Ctx, out: &mut Vec<Diagnostic>) {
    let r = ctx.report;
    if r.format != Format::F2021 {
        return;
    }
    let (Some(body), Some(heading)) =
        (front_matter::body(ctx.src, r, 0), front_matter::heading_range(r, 0))
    else {
        return;
    };
    // An empty section is not written yet (NB101 and the outline say enough).
    if !front_matter::has_prose(ctx.src, body) {
        return;
    }
    let flat = front_matter::flat_text(ctx.src, &[body]);
    let missing: Vec<_> = ASPECTS
        .iter()
        .filter(|(_, _, keys)| !keys.iter().any(|k| flat.contains(k)))
        .collect();
    if missing.is_empty() {
        return;
    }
    let zh = missing.iter().map(|a| a.0).collect::<Vec<_>>().join("、");
    let en = missing.iter().map(|a| a.1).collect::<Vec<_>>().join(", ");
    out.push(Diagnostic::new(
        Rule::OverviewAspects,
        heading,
        Msg::new(
            format!("总体情况未涉及{}（2021 版格式要求概述主动公开、依申请公开、政府信息管理、平台建设、监督保障五个方面）", zh),
            format!("Section 1 does not cover {} (the 2021 format asks for five aspects: proactive disclosure, disclosure on request, information management, platforms, oversight)", en),
        ),
    ));
}
