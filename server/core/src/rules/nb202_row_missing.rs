use super::{shared, Check, Ctx, Input, Rule, RuleMeta};
use crate::template::T3Row;
use crate::diag::{Diagnostic, Fix, FixKind, Msg, Severity};
use crate::template::{table3_rows, Format, TABLE3_COLUMNS, TABLE3_ROWS};
use crate::text::{TextEdit, TextRange};

pub static RULE: RuleMeta = RuleMeta {
    code: "NB202",
    name: "row-missing",
    severity: Severity::Error,
    what: ("表格缺少模板规定的行。", "A table lacks a row of the template."),
    why: ("表格的每一行都须填报，没有发生的情形填 0，不能删除。", "Every row must be reported; a case that did not occur is 0, not deleted."),
    example: "| 1.信访举报投诉类申请 | 0 | 0 | 0 | 0 | 0 | 0 | 0 |\n| 3.要求提供公开出版物 | 0 | … |   ← 缺少“2.重复申请”",
    fix: ("按模板补上该行并填 0（快速修复）。", "Insert the row filled with 0 (quick fix)."),
    check: Check::Report {
        run: check,
        reads: &[Input::Structure, Input::Tables, Input::TableText, Input::Eol],
    },
};

fn check(ctx: &Ctx, out: &mut Vec<Diagnostic>) {
    let r = ctx.report;
    if let Some(t3) = r.table3.as_ref().filter(|t| !t.disordered) {
        let mixed_other = r.format == Format::F2021 && t3.has_values(T3Row::Other);
        let expected: Vec<usize> = table3_rows(r.format).map(|(i, _)| i).collect();
        for (pos, &i) in expected.iter().enumerate() {
            if t3.rows[i].is_some() {
                continue;
            }
            let def = &TABLE3_ROWS[i];
            if mixed_other && def.key.is_other_sub_row() {
                continue; // reported by NB502
            }
            if r.format != Format::F2021
                && def.key == T3Row::Other
                && t3.has_values(T3Row::OtherOverdue)
            {
                continue; // reported by NB504
            }
            let prev = expected[..pos]
                .iter()
                .rev()
                .find_map(|&j| t3.rows[j].as_ref());
            let next = expected[pos + 1..]
                .iter()
                .find_map(|&j| t3.rows[j].as_ref());
            let zeros: Vec<&str> = TABLE3_COLUMNS.iter().map(|_| "0").collect();
            out.push(missing(
                ctx,
                "表三",
                "table 3",
                &def.display(),
                def.label,
                &zeros,
                prev,
                next,
                t3.range,
            ));
        }
    }
    if let Some(t2) = &r.table2 {
        let defs: Vec<_> = crate::template::table2_blocks(t2.format)
            .iter()
            .flat_map(|b| b.rows.iter().map(move |d| (b, d)))
            .collect();
        for (pos, (block, def)) in defs.iter().enumerate() {
            if t2.rows[pos].1.is_some() {
                continue;
            }
            let prev = t2.rows[..pos].iter().rev().find_map(|(_, r)| r.as_ref());
            let next = t2.rows[pos + 1..].iter().find_map(|(_, r)| r.as_ref());
            let zeros: Vec<&str> = block.columns.iter().map(|_| "0").collect();
            out.push(missing(
                ctx, "表二", "table 2", def.label, def.label, &zeros, prev, next, t2.range,
            ));
        }
    }
}

#[allow(clippy::too_many_arguments)]
fn missing(
    ctx: &Ctx,
    table_zh: &str,
    table_en: &str,
    name: &str,
    label: &str,
    zeros: &[&str],
    prev: Option<&crate::model::Row>,
    next: Option<&crate::model::Row>,
    table: TextRange,
) -> Diagnostic {
    let range = next
        .map(|r| r.label_cell)
        .or(prev.map(|r| r.label_cell))
        .unwrap_or(TextRange::empty(table.start));
    let mut d = Diagnostic::new(
        Rule::RowMissing,
        range,
        Msg::new(
            format!("{}缺少行「{}」（没有发生的情形应填 0）", table_zh, name),
            format!(
                "{} lacks the row “{}” (write 0 for cases that did not occur)",
                table_en, name
            ),
        ),
    );
    // Insert after the previous row's last line, in that row's layout.
    if let Some(p) = prev {
        let last = p.range();
        let line = crate::text::line_around(ctx.src, last.end.saturating_sub(1).max(last.start));
        let model = &ctx.src[line.start..line.end];
        let text = format!("{}{}", ctx.eol(), shared::compose_row(model, label, zeros));
        d = d.with_fix(Fix {
            title: Msg::new(
                format!("插入「{}」行（填 0）", name),
                format!("Insert row “{}” filled with 0", name),
            ),
            kind: FixKind::Edit,
            preferred: true,
            edits: vec![TextEdit {
                range: TextRange::empty(line.end),
                new_text: text,
            }],
        });
    }
    d
}
