use super::{shared, Check, Ctx, Input, Rule, RuleMeta};
use crate::diag::{Diagnostic, Msg, Severity};
use crate::text::TextRange;

pub static RULE: RuleMeta = RuleMeta {
    code: "NB208",
    name: "unreadable-table",
    severity: Severity::Warning,
    what: (
        "表格的单元格无法分开：数字与标签粘连，或行标签与数值分离（常见于从网页或 PDF 复制的文本）。",
        "Table cells cannot be separated: digits glued to labels, or labels detached from their numbers (text copied from web pages or PDF).",
    ),
    why: (
        "无法确定每个数字属于哪一格时，勾稽关系检查会给出错误结论，因此不做检查，只提示整理表格。",
        "When a number cannot be placed in its cell, arithmetic checks would be wrong, so they are skipped.",
    ),
    example: "行政规范性文件693665",
    fix: ("用 Markdown 表格（|）或制表符分隔单元格；可使用「转换为 Markdown 表格」操作。", "Separate the cells with | or tabs; the “convert to a Markdown table” action helps."),
    check: Check::Report {
        run: check,
        reads: &[Input::Structure, Input::Tables, Input::TableText],
    },
};

fn check(ctx: &Ctx, out: &mut Vec<Diagnostic>) {
    let r = ctx.report;
    if let Some(t3) = r.table3.as_ref().filter(|t| t.disordered) {
        let first_line_end = ctx.src[t3.range.start..t3.range.end]
            .find(['\n', '\r'])
            .map(|i| t3.range.start + i)
            .unwrap_or(t3.range.end);
        out.push(Diagnostic::new(
            Rule::UnreadableTable,
            TextRange::new(t3.range.start, first_line_end),
            Msg::new(
                "表三的行标签与数值分离、顺序错乱（常见于 PDF 复制），无法对齐，未做勾稽关系检查；请整理为每行「标签 + 7 个数值」",
                "Table 3's row labels are detached from their numbers (typical of PDF text); cells cannot be aligned, so arithmetic was not checked. Put each row's label and 7 values on one line",
            ),
        ));
    }
    let rows = r
        .table2
        .iter()
        .flat_map(|t| t.rows.iter().filter_map(|(_, r)| r.as_ref()))
        .chain(
            r.table3
                .iter()
                .filter(|t| !t.disordered)
                .flat_map(|t| t.rows.iter().flatten()),
        )
        .chain(r.table4.iter().map(|t| &t.row));
    let table_rows = shared::table_rows(r);
    for (p, i) in shared::detached_rows(&table_rows) {
        let (prev, row) = (&table_rows[p], &table_rows[i]);
        let moved: Vec<&str> = prev.row.raw[prev.columns.len()..]
            .iter()
            .map(|c| &ctx.src[c.range.start..c.range.end])
            .collect();
        out.push(Diagnostic::new(
            Rule::UnreadableTable,
            row.row.label_cell,
            Msg::new(
                format!(
                    "{}「{}」行的标签与数值分离：本行没有数值，上一行「{}」却多出 {}（常见于 PDF 复制），无法确定数值所属的行；请整理为每行「标签 + 数值」",
                    row.table_zh,
                    row.name,
                    prev.name,
                    moved.join("、")
                ),
                format!(
                    "{} row “{}” is detached from its numbers: it has none while the row before, “{}”, has {} too many (typical of PDF text); put each row's label and values on one line",
                    row.table_en,
                    row.name,
                    prev.name,
                    moved.join(", ")
                ),
            ),
        ));
    }
    let mut seen = Vec::new();
    for row in rows {
        let Some(g) = row.glued else { continue };
        // Two rows can share one glued token ("（六）其他处理1.申请人…0100001").
        if row.cells.is_some() || seen.contains(&g) {
            continue;
        }
        seen.push(g);
        let digits = &ctx.src[g.start..g.end];
        let to_label = row
            .raw
            .first()
            .map(|c| c.number_range.start != g.start)
            .unwrap_or(true);
        let (zh, en) = if to_label {
            ("与标签粘连", "are glued to the label")
        } else {
            ("连在一起", "run together")
        };
        out.push(Diagnostic::new(
            Rule::UnreadableTable,
            g,
            Msg::new(
                format!("数字「{}」{}，无法分出各单元格，未做勾稽关系检查；请用 | 或制表符分隔", digits, zh),
                format!("Digits “{}” {}: the cells cannot be separated, so arithmetic was not checked. Separate them with | or tabs", digits, en),
            ),
        ));
    }
}
