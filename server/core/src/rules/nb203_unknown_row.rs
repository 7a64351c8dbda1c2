use super::{Check, Ctx, Input, Rule, RuleMeta};
use crate::diag::{Diagnostic, Msg, Severity};

pub static RULE: RuleMeta = RuleMeta {
    code: "NB203",
    name: "unknown-row",
    severity: Severity::Warning,
    what: ("表格中有一行不属于模板。", "A table row that is not in the template."),
    why: (
        "年度报告表格的行是固定的；多出的行（如旧格式的「其他对外管理服务事项」）不会被汇总，且说明使用了错误的模板。",
        "The rows are fixed; an extra row is not aggregated and usually means a wrong template.",
    ),
    example: "| 其他对外管理服务事项 | 0 | 0 | 0 |",
    fix: ("删除该行，或把数据并入模板中的对应行。", "Delete the row or move its figures into the matching template row."),
    check: Check::Report {
        run: check,
        reads: &[Input::Structure, Input::Tables, Input::TableText],
    },
};

fn check(ctx: &Ctx, out: &mut Vec<Diagnostic>) {
    let r = ctx.report;
    let t2 = r
        .table2
        .iter()
        .flat_map(|t| t.unknown.iter().map(|u| ("表二", "table 2", *u)));
    let t3 = r
        .table3
        .iter()
        .filter(|t| !t.disordered)
        .flat_map(|t| t.unknown.iter().map(|u| ("表三", "table 3", *u)));
    for (zh, en, range) in t2.chain(t3) {
        let label = &ctx.src[range.start..range.end];
        out.push(Diagnostic::new(
            Rule::UnknownRow,
            range,
            Msg::new(
                format!("「{}」不是{}模板中的行", label, zh),
                format!("“{}” is not a row of {}", label, en),
            ),
        ));
    }
}
