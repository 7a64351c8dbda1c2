use super::{shared, Check, Ctx, Input, Rule, RuleMeta};
use crate::diag::{Diagnostic, Msg, Severity};

pub static RULE: RuleMeta = RuleMeta {
    code: "NB204",
    name: "cell-count",
    severity: Severity::Error,
    what: ("表格某行的数值个数与模板列数不符。", "A table row has the wrong number of value cells."),
    why: (
        "表三每行须有 7 个数值（自然人、五类法人或其他组织、总计），表四须有 15 个；少填或多填会使数据错位，勾稽关系无法核对。",
        "Each row of table 3 has 7 values and table 4 has 15; a missing or extra cell shifts every column after it.",
    ),
    example: "| （一）予以公开 | 3 | 0 | 0 | 0 | 0 | 3 |   ← 只有 6 个数值",
    fix: ("按列补齐或删除多余的数值；空白单元格请填 0。", "Add or remove values column by column; write 0 in empty cells."),
    check: Check::Report {
        run: check,
        reads: &[Input::Structure, Input::Tables, Input::TableText],
    },
};

fn check(ctx: &Ctx, out: &mut Vec<Diagnostic>) {
    let rows = shared::table_rows(ctx.report);
    // Labels detached from their numbers are NB208's.
    let detached: Vec<usize> = shared::detached_rows(&rows)
        .into_iter()
        .flat_map(|(a, b)| [a, b])
        .collect();
    for (i, rr) in rows.iter().enumerate() {
        if rr.row.cells.is_some() || rr.row.glued.is_some() || detached.contains(&i) {
            continue;
        }
        let n = rr.columns.len();
        let got = rr.row.raw.len();
        let cols = rr.columns.join("、");
        let (zh, en) = if got == 0 {
            (
                format!(
                    "{}「{}」行没有数值，应有 {} 个（{}）",
                    rr.table_zh, rr.name, n, cols
                ),
                format!(
                    "{} row “{}” has no values; expected {} ({})",
                    rr.table_en,
                    rr.name,
                    n,
                    rr.columns_en()
                ),
            )
        } else {
            (
                format!(
                    "{}「{}」行应有 {} 个数值（{}），实有 {} 个",
                    rr.table_zh, rr.name, n, cols, got
                ),
                format!(
                    "{} row “{}” should have {} values ({}), found {}",
                    rr.table_en,
                    rr.name,
                    n,
                    rr.columns_en(),
                    got
                ),
            )
        };
        out.push(Diagnostic::new(
            Rule::CellCount,
            rr.row.label_cell,
            Msg::new(zh, en),
        ));
    }
}
