use super::{Check, Ctx, Input, Rule, RuleMeta};
use crate::template::T3Row;
use crate::diag::{Diagnostic, Msg, Severity};
use crate::template::Format;

pub static RULE: RuleMeta = RuleMeta {
    code: "NB504",
    name: "table3-2021-rows-in-2019",
    severity: Severity::Warning,
    what: (
        "2019、2020 年度报告的表三使用了 2021 版的（六）其他处理细分行。",
        "A 2019/2020 report's table 3 uses the 2021 sub-rows of （六）其他处理.",
    ),
    why: (
        "2019、2020 年度报告适用国办公开办函〔2019〕60号格式，（六）其他处理只有一行。",
        "Reports for 2019 and 2020 follow the 2019 format, where （六）其他处理 is one row.",
    ),
    example: "2020年…年度报告\n| （六）其他处理 | 1.申请人无正当理由逾期不补正… | 0 | …",
    fix: (
        "确认报告年度；2019、2020 年度报告改用 2019 版格式。",
        "Check the report year; a 2019/2020 report uses the 2019 format.",
    ),
    check: Check::Report {
        run: check,
        reads: &[Input::Structure, Input::Tables, Input::TableText],
    },
};

fn check(ctx: &Ctx, out: &mut Vec<Diagnostic>) {
    let r = ctx.report;
    if r.format != Format::F2019 {
        return;
    }
    let Some(t3) = r.table3.as_ref().filter(|t| !t.disordered) else {
        return;
    };
    let Some(row) = t3
        .row(T3Row::OtherOverdue)
        .filter(|_| t3.has_values(T3Row::OtherOverdue))
    else {
        return;
    };
    out.push(Diagnostic::new(
        Rule::Table3Rows2021In2019,
        row.label_cell,
        Msg::new(
            format!("{}年度报告适用 2019 版格式，（六）其他处理不分小项；此处使用了 2021 版细分行", r.year.map(|y| y.to_string()).unwrap_or_default()),
            format!("A {} report follows the 2019 format, where “（六）其他处理” has no sub-rows; this table uses the 2021 rows", r.year.map(|y| y.to_string()).unwrap_or_default()),
        ),
    ));
}
