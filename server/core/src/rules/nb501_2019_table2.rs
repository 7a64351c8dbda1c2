use super::{Check, Ctx, Input, Rule, RuleMeta};
use crate::diag::{Diagnostic, Msg, Severity};
use crate::template::Format;

pub static RULE: RuleMeta = RuleMeta {
    code: "NB501",
    name: "table2-2019-format",
    severity: Severity::Error,
    what: ("2021 年起的报告中，表二使用了 2019 版的栏目或区块。", "Table 二 of a 2021+ report uses 2019-format columns or blocks."),
    why: (
        "2021 年起执行国办公开办函〔2021〕30号格式：表二只有第二十条第（一）（五）（六）（八）项四个区块，栏目为本年制发件数、本年废止件数、现行有效件数等；「本年新制作数量」「对外公开总数量」「上一年项目数量」「政府集中采购」属于 2019 版。",
        "From 2021 the 2021 format applies: table 2 has four blocks; “本年新制作数量”, “对外公开总数量”, “上一年项目数量” and “政府集中采购” belong to the 2019 format.",
    ),
    example: "信息内容 | 本年新制作数量 | 本年新公开数量 | 对外公开总数量",
    fix: ("按 2021 版格式重做表二（插入年报模板可得到空白表格）。", "Redo table 2 in the 2021 format (the report skeleton has an empty one)."),
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
    let Some(t2) = &r.table2 else { return };
    for (range, word) in &t2.markers_2019 {
        out.push(Diagnostic::new(
            Rule::Table2Format2019,
            *range,
            Msg::new(
                format!(
                    "「{}」是 2019 版表二的内容，{}年度报告应使用 2021 版格式",
                    word,
                    r.year
                        .map(|y| y.to_string())
                        .unwrap_or_else(|| "2021 年起的".into())
                ),
                format!(
                    "“{}” belongs to the 2019 table 2; a {} report uses the 2021 format",
                    word,
                    r.year
                        .map(|y| y.to_string())
                        .unwrap_or_else(|| "2021+".into())
                ),
            ),
        ));
    }
}
