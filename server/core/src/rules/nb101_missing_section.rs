use super::{Check, Ctx, Input, Rule, RuleMeta};
use crate::diag::{Diagnostic, Fix, FixKind, Msg, Severity};
use crate::template::SECTIONS;
use crate::text::{TextEdit, TextRange};

pub static RULE: RuleMeta = RuleMeta {
    code: "NB101",
    name: "missing-section",
    severity: Severity::Error,
    what: (
        "缺少规定的六个部分之一。",
        "One of the six required sections is missing.",
    ),
    why: (
        "年度报告格式规定报告由六部分组成，缺少任何一部分都不符合要求。",
        "The national format requires all six sections, in order.",
    ),
    example:
        "一、总体情况\n……\n三、收到和处理政府信息公开申请情况   ← 缺少“二、主动公开政府信息情况”",
    fix: (
        "在应有的位置插入该部分的标题并补写内容（快速修复会插入标题）。",
        "Insert the section heading (the quick fix does) and write its content.",
    ),
    check: Check::Report {
        run: check,
        reads: &[Input::All],
    },
};

fn check(ctx: &Ctx, out: &mut Vec<Diagnostic>) {
    let r = ctx.report;
    if r.sections.iter().all(Option::is_some) {
        return;
    }
    // Markdown heading prefix used by the other headings ("## "), if any.
    let prefix = r
        .sections
        .iter()
        .flatten()
        .map(|s| {
            let h = &r.headings[s.heading];
            let ls = crate::text::line_around(ctx.src, h.range.start).start;
            ctx.src[ls..h.range.start].trim_start().to_string()
        })
        .next()
        .unwrap_or_default();
    let eol = ctx.eol();
    for (k, def) in SECTIONS.iter().enumerate() {
        if r.sections[k].is_some() {
            continue;
        }
        // Point at the next section present (where the heading belongs), else the end.
        let next = (k + 1..6).find_map(|j| r.sections[j].as_ref());
        let (range, insert_at) = match next {
            Some(s) => (r.headings[s.heading].range, s.range.start),
            None => {
                let end = ctx.src.len();
                (TextRange::empty(end), end)
            }
        };
        let mut text = format!("{}{}{}{}", prefix, def.official(), eol, eol);
        if next.is_none() && !ctx.src.is_empty() && !ctx.src.ends_with(['\n', '\r']) {
            text.insert_str(0, eol);
        }
        out.push(
            Diagnostic::new(
                Rule::MissingSection,
                range,
                Msg::new(
                    format!("缺少第{}部分「{}」", def.number, def.official()),
                    format!("Section {} “{}” is missing", k + 1, def.official()),
                ),
            )
            .with_fix(Fix {
                title: Msg::new(
                    format!("插入标题「{}」", def.official()),
                    format!("Insert heading “{}”", def.official()),
                ),
                kind: FixKind::Edit,
                preferred: true,
                edits: vec![TextEdit {
                    range: TextRange::empty(insert_at),
                    new_text: text,
                }],
            }),
        );
    }
}
