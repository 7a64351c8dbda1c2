use super::{Check, Ctx, Input, Rule, RuleMeta};
use crate::diag::{Diagnostic, Msg, Related, Severity};
use crate::model::HeadingKind;
use crate::template::SECTIONS;

pub static RULE: RuleMeta = RuleMeta {
    code: "NB103",
    name: "duplicate-section",
    severity: Severity::Warning,
    what: ("同一部分的一级标题出现了两次。", "A section's top-level heading appears twice."),
    why: (
        "重复的一级编号让读者无法分辨报告的结构，常见于复制粘贴后残留的标题。",
        "A repeated top-level number breaks the report's structure; usually left over from copy and paste.",
    ),
    example: "一、总体情况\n……\n一、基本情况   ← 第一部分已经开始",
    fix: ("删除重复的标题，或改为二级标题「（一）」。", "Delete the repeated heading or make it a sub-heading “（一）”."),
    check: Check::Report {
        run: check,
        reads: &[Input::Structure],
    },
};

fn check(ctx: &Ctx, out: &mut Vec<Diagnostic>) {
    let r = ctx.report;
    for h in &r.headings {
        let HeadingKind::Duplicate { section } = h.kind else {
            continue;
        };
        let Some(first) = r.sections[section].as_ref().map(|s| &r.headings[s.heading]) else {
            continue;
        };
        out.push(
            Diagnostic::new(
                Rule::DuplicateSection,
                h.range,
                Msg::new(
                    format!(
                        "一级编号「{}、」重复：第{}部分已在第 {} 行开始",
                        SECTIONS[section].number,
                        SECTIONS[section].number,
                        first.line + 1
                    ),
                    format!(
                        "Top-level number “{}、” repeats: section {} already starts on line {}",
                        SECTIONS[section].number,
                        section + 1,
                        first.line + 1
                    ),
                ),
            )
            .with_related(vec![Related {
                range: first.range,
                message: Msg::new("第一次出现", "first occurrence"),
            }]),
        );
    }
}
