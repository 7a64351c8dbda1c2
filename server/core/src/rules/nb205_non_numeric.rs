use super::{shared, Check, Ctx, Input, Rule, RuleMeta};
use crate::diag::{Diagnostic, Fix, FixKind, Msg, Severity};
use crate::model::{Cell, Value};

pub static RULE: RuleMeta = RuleMeta {
    code: "NB205",
    name: "non-numeric-cell",
    severity: Severity::Error,
    what: ("计数单元格为空，或填了「/」「—」「无」等非数字内容。", "A count cell is blank or holds “/”, “—”, “无” or other text."),
    why: (
        "空白或符号不等于 0：汇总时无法计算，审核时也无法判断是漏填还是没有发生。没有发生的情形请填 0。",
        "A blank or a dash is not 0: it cannot be summed and reviewers cannot tell an omission from a zero.",
    ),
    example: "| 2.重复申请 | 0 | — | 0 | 0 | 0 | 0 | 0 |",
    fix: ("填写 0 或实际数量（快速修复可把空白改为 0）。", "Write 0 or the actual count (the quick fix writes 0)."),
    check: Check::Report {
        run: check,
        reads: &[Input::Structure, Input::Tables, Input::TableText],
    },
};

fn check(ctx: &Ctx, out: &mut Vec<Diagnostic>) {
    for rr in shared::table_rows(ctx.report) {
        let Some(cells) = &rr.row.cells else { continue };
        for (i, c) in cells.iter().enumerate() {
            if let (Value::Int { value }, true) = (&c.value, c.style.chinese) {
                out.push(chinese_numeral(ctx, &rr, c, *value, i));
                continue;
            }
            let (zh, en) = match &c.value {
                Value::Blank => ("空白".to_string(), "blank".to_string()),
                Value::Text { text } => (format!("「{}」", text), format!("“{}”", text)),
                _ => continue,
            };
            let col = &rr.columns[i];
            let col_en = rr.column_en(i);
            out.push(
                Diagnostic::new(
                    Rule::NonNumericCell,
                    c.range,
                    Msg::new(
                        format!(
                            "{}「{}」·{}为{}：应填写数字，没有发生请填 0",
                            rr.table_zh, rr.name, col, zh
                        ),
                        format!(
                            "{} “{}” · {} is {}: write a number (0 if none)",
                            rr.table_en, rr.name, col_en, en
                        ),
                    ),
                )
                .with_fix(Fix {
                    title: Msg::new("填写 0", "Write 0"),
                    kind: FixKind::Edit,
                    preferred: c.value == Value::Blank,
                    edits: vec![shared::rewrite_cell(ctx.src, c, 0)],
                }),
            );
        }
    }
}

/// A count typed out in Chinese numerals ("三", "叁拾"): the parser read it as
/// that number; a hint says so, with the fix that writes the digits.
fn chinese_numeral(ctx: &Ctx, rr: &shared::RowRef, c: &Cell, value: i64, i: usize) -> Diagnostic {
    let col = rr.columns[i];
    let col_en = rr.column_en(i);
    let text = &ctx.src[c.range.start..c.range.end];
    let mut d = Diagnostic::new(
        Rule::NonNumericCell,
        c.range,
        Msg::new(
            format!(
                "{}「{}」·{}写作「{}」，已按 {} 计算：请用阿拉伯数字填写",
                rr.table_zh, rr.name, col, text, value
            ),
            format!(
                "{} “{}” · {} is written “{}”, read as {}: write it in digits",
                rr.table_en, rr.name, col_en, text, value
            ),
        ),
    )
    .with_fix(Fix {
        title: Msg::new(format!("改为 {}", value), format!("Write {}", value)),
        kind: FixKind::Edit,
        preferred: true,
        edits: vec![shared::rewrite_cell(ctx.src, c, value)],
    });
    d.severity = Severity::Information;
    d
}
