use super::{Check, Ctx, Input, Rule, RuleMeta};
use crate::diag::{Diagnostic, Fix, FixKind, Msg, Severity};
use crate::model::HeadingKind;
use crate::template::SECTIONS;
use crate::text::{TextEdit, TextRange};

pub static RULE: RuleMeta = RuleMeta {
    code: "NB104",
    name: "stray-top-level-number",
    severity: Severity::Warning,
    what: ("部分内部出现了一级编号（如「四、」），但它并不开始新的部分。", "A top-level number (e.g. “四、”) inside a section that starts no section."),
    why: (
        "一级编号「一、」至「六、」专用于六个部分；部分内部的要点应使用「（一）」或「一是」，否则结构会被误读。",
        "“一、” to “六、” number the six sections; points inside a section use “（一）” or “一是”.",
    ),
    example: "一、总体情况\n……**三是完善制度。**……**四、加大公开力度。**   ← 在第一部分内部",
    fix: ("改为「（四）」或「四是」。快速修复改为「（四）」。", "Use “（四）” or “四是”; the quick fix writes “（四）”."),
    check: Check::Report {
        run: check,
        reads: &[Input::Structure],
    },
};

fn check(ctx: &Ctx, out: &mut Vec<Diagnostic>) {
    let r = ctx.report;
    for h in &r.headings {
        if h.kind != HeadingKind::Stray {
            continue;
        }
        let inside = r
            .sections
            .iter()
            .flatten()
            .find(|s| s.range.contains(h.range.start))
            .map(|s| r.headings[s.heading].range);
        let where_zh = inside
            .map(|rg| format!("（位于「{}」中）", &ctx.src[rg.start..rg.end]))
            .unwrap_or_default();
        let where_en = inside
            .map(|rg| format!(" (inside “{}”)", &ctx.src[rg.start..rg.end]))
            .unwrap_or_default();
        let numeral = SECTIONS
            .get(h.number as usize - 1)
            .map(|s| s.number)
            .unwrap_or("");
        let num_end = h.title_range.start;
        let fix = (!numeral.is_empty()).then(|| Fix {
            title: Msg::new(
                format!("改为「（{}）」", numeral),
                format!("Change to “（{}）”", numeral),
            ),
            kind: FixKind::Edit,
            preferred: false,
            edits: vec![TextEdit {
                range: TextRange::new(h.range.start, num_end),
                new_text: format!("（{}）", numeral),
            }],
        });
        let mut d = Diagnostic::new(
            Rule::StrayTopLevelNumber,
            h.range,
            Msg::new(
                format!("一级编号「{}」不在部分标题处{}：部分内部的要点请用「（{}）」或「{}是」", &ctx.src[h.range.start..num_end], where_zh, numeral, numeral),
                format!("Top-level number “{}” does not start a section{}: use “（{}）” or “{}是” inside a section", &ctx.src[h.range.start..num_end], where_en, numeral, numeral),
            ),
        );
        if let Some(f) = fix {
            d = d.with_fix(f);
        }
        out.push(d);
    }
}
