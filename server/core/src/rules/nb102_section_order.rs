use super::{Check, Ctx, Input, Rule, RuleMeta};
use crate::diag::{Diagnostic, Msg, Related, Severity};
use crate::model::HeadingKind;
use crate::template::SECTIONS;

pub static RULE: RuleMeta = RuleMeta {
    code: "NB102",
    name: "section-order",
    severity: Severity::Warning,
    what: ("部分的顺序与规定不一致。", "Sections are out of the prescribed order."),
    why: ("六个部分须按规定顺序排列，审核时按顺序对照。", "Reviewers read the six sections in the prescribed order."),
    example: "一、总体情况\n三、收到和处理政府信息公开申请情况\n二、主动公开政府信息情况   ← 在第三部分之后",
    fix: ("把该部分移动到正确的位置。", "Move the section to its place."),
    check: Check::Report {
        run: check,
        reads: &[Input::Structure],
    },
};

fn check(ctx: &Ctx, out: &mut Vec<Diagnostic>) {
    let mut max: Option<(usize, usize)> = None; // (section, heading index)
    for (i, h) in ctx.report.headings.iter().enumerate() {
        let HeadingKind::Section { section } = h.kind else {
            continue;
        };
        match max {
            Some((m, mi)) if section < m => {
                let prev = &ctx.report.headings[mi];
                out.push(
                    Diagnostic::new(
                        Rule::SectionOrder,
                        h.range,
                        Msg::new(
                            format!(
                                "第{}部分应位于第{}部分之前",
                                SECTIONS[section].number, SECTIONS[m].number
                            ),
                            format!("Section {} must come before section {}", section + 1, m + 1),
                        ),
                    )
                    .with_related(vec![Related {
                        range: prev.range,
                        message: Msg::new(
                            format!("第{}部分", SECTIONS[m].number),
                            format!("section {}", m + 1),
                        ),
                    }]),
                );
            }
            _ => max = Some((section, i)),
        }
    }
}
