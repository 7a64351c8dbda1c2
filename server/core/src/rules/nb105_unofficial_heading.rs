use super::{Check, Ctx, Input, Rule, RuleMeta};
use crate::diag::{Diagnostic, Fix, FixKind, Msg, Severity};
use crate::model::HeadingKind;
use crate::template::SECTIONS;
use crate::text::TextEdit;

pub static RULE: RuleMeta = RuleMeta {
    code: "NB105",
    name: "unofficial-heading",
    severity: Severity::Hint,
    what: ("部分标题与格式规定的标题不一致。", "A section heading differs from the official title."),
    why: (
        "旧格式或自拟的标题（如「政府信息依申请公开办理情况」）仍能识别，但规定标题便于审核和汇总。",
        "Older or home-made titles are understood, but the official title eases review and aggregation.",
    ),
    example: "三、政府信息依申请公开办理情况",
    fix: ("改为规定标题（快速修复）。", "Rename to the official title (quick fix)."),
    check: Check::Report {
        run: check,
        reads: &[Input::Structure],
    },
};

fn check(ctx: &Ctx, out: &mut Vec<Diagnostic>) {
    for h in &ctx.report.headings {
        let HeadingKind::Section { section } = h.kind else {
            continue;
        };
        if h.official {
            continue;
        }
        let official = SECTIONS[section].official();
        out.push(
            Diagnostic::new(
                Rule::UnofficialHeading,
                h.range,
                Msg::new(
                    format!("标题与规定不一致，规定标题为「{}」", official),
                    format!("Heading differs from the official title “{}”", official),
                ),
            )
            .with_fix(Fix {
                title: Msg::new(
                    format!("改为「{}」", official),
                    format!("Rename to “{}”", official),
                ),
                kind: FixKind::Edit,
                preferred: true,
                edits: vec![TextEdit {
                    range: h.range,
                    new_text: official.clone(),
                }],
            }),
        );
    }
}
