use super::{Check, Ctx, Input, Rule, RuleMeta};
use crate::template::T3Row;
use crate::diag::{Diagnostic, Msg, Severity};
use crate::template::Format;

pub static RULE: RuleMeta = RuleMeta {
    code: "NB502",
    name: "single-other-row",
    severity: Severity::Error,
    what: ("2021 年起的报告中，表三「（六）其他处理」只有一行（2019 版写法）。", "Table 三 of a 2021+ report has a single “（六）其他处理” row (2019 format)."),
    why: (
        "2021 版格式把（六）其他处理分为 3 小项：1.申请人无正当理由逾期不补正…；2.申请人逾期未按收费通知要求缴纳费用…；3.其他。只填一行属于混用新旧模板。",
        "The 2021 format splits （六）其他处理 into three sub-rows; a single row mixes the two templates.",
    ),
    example: "| （六）其他处理 | 0 | 0 | 0 | 0 | 0 | 0 | 0 |",
    fix: ("把该行拆为 3 个小项，并按实际情况分配数量。", "Split the row into the three sub-rows and distribute the counts."),
    check: Check::Report {
        run: check,
        reads: &[Input::Structure, Input::Tables, Input::TableText],
    },
};

fn check(ctx: &Ctx, out: &mut Vec<Diagnostic>) {
    let r = ctx.report;
    if r.format != Format::F2021 {
        return;
    }
    let Some(t3) = r.table3.as_ref().filter(|t| !t.disordered) else {
        return;
    };
    if !t3.has_values(T3Row::Other)
        || t3.has_values(T3Row::OtherOverdue)
        || t3.has_values(T3Row::OtherUnpaid)
    {
        return;
    }
    let row = t3.row(T3Row::Other).expect("has values");
    out.push(Diagnostic::new(
        Rule::SingleOtherRow,
        row.label_range,
        Msg::new(
            "2021 版格式中「（六）其他处理」应分为 3 个小项（逾期不补正、逾期未缴费、其他），此处只有一行（2019 版写法）",
            "In the 2021 format “（六）其他处理” has three sub-rows (no correction in time, fee not paid, other); this report has the single 2019 row",
        ),
    ));
}
