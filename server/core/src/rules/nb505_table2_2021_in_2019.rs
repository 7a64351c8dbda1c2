use super::{front_matter, Check, Ctx, Input, Rule, RuleMeta};
use crate::diag::{Diagnostic, Msg, Severity};
use crate::model::FormatSource;
use crate::template::Format;

pub static RULE: RuleMeta = RuleMeta {
    code: "NB505",
    name: "table2-2021-format-in-2019",
    severity: Severity::Error,
    what: (
        "2019、2020 年度报告的表二使用了 2021 版的栏目。",
        "Table 二 of a 2019/2020 report uses 2021-format columns.",
    ),
    why: (
        "2019、2020 年度报告适用国办公开办函〔2019〕60号格式：表二有五个区块，栏目为本年新制作数量、本年新公开数量、对外公开总数量、上一年项目数量、本年增/减等。「本年制发件数」「本年废止件数」「现行有效件数」「本年处理决定数量」「本年收费金额」是 2021 版（国办公开办函〔2021〕30号）的栏目，2021 年 9 月才印发，不可能出现在 2020 年度及以前的报告中：要么报告年份写错了，要么表格套错了模板。",
        "Reports for 2019 and 2020 follow the 2019 format (国办公开办函〔2019〕60号): five blocks with 本年新制作数量, 本年新公开数量, 对外公开总数量, 上一年项目数量, 本年增/减…. “本年制发件数”, “本年废止件数”, “现行有效件数”, “本年处理决定数量” and “本年收费金额” are columns of the 2021 format, issued in September 2021: either the report year is wrong or the table uses the wrong template.",
    ),
    example: "2020年政府信息公开工作年度报告\n…\n信息内容 | 本年制发件数 | 本年废止件数 | 现行有效件数",
    fix: (
        "确认报告年度：2021 年及以后的报告改正标题年份；2019、2020 年度报告按 2019 版格式重做表二。",
        "Check the report year: for a 2021+ report correct the year in the title; a 2019/2020 report redoes table 2 in the 2019 format.",
    ),
    check: Check::Report {
        run: check,
        reads: &[Input::Structure, Input::Tables, Input::TableText],
    },
};

/// Column words that only the 2021 format's table 2 uses (the 2019 format says
/// "处理决定数量" without "本年", and has no 制发, 废止, 现行有效 or 收费金额 columns).
pub const TABLE2_2021_MARKERS: &[&str] = &[
    "本年制发件数",
    "本年废止件数",
    "现行有效件数",
    "本年处理决定数量",
    "本年收费金额",
];

/// NB501 covers a 2019 table 2 in a 2021+ report, NB502 a 2019 table 3 in a
/// 2021+ report and NB504 a 2021 table 3 in a 2019/2020 report: this is the
/// fourth case, a 2021 table 2 in a report of 2020 or before.
fn check(ctx: &Ctx, out: &mut Vec<Diagnostic>) {
    let r = ctx.report;
    if r.format != Format::F2019 {
        return;
    }
    let Some(t2) = &r.table2 else { return };
    let flat = front_matter::Flat::new(ctx.src, &[t2.range]);
    let (zh_for, en_for) = match (r.format_source, r.year) {
        (FormatSource::Year, Some(y)) => (format!("{y}年度报告"), format!("a {y} report")),
        _ => ("本报告".to_string(), "this report".to_string()),
    };
    let mut hits = Vec::new();
    for m in TABLE2_2021_MARKERS {
        hits.extend(flat.text.match_indices(m).map(|(at, _)| (at, *m)));
    }
    hits.sort();
    for (at, m) in hits {
        out.push(Diagnostic::new(
            Rule::Table2Format2021In2019,
            flat.source(at, at + m.len()),
            Msg::new(
                format!("「{m}」是 2021 版表二的栏目，{zh_for}适用 2019 版格式（国办公开办函〔2019〕60号）"),
                format!("“{m}” is a column of the 2021 table 2; {en_for} follows the 2019 format"),
            ),
        ));
    }
}
