use super::{shared, Check, Ctx, Input, Rule, RuleMeta};
use crate::diag::{Diagnostic, Msg, Severity};

pub static RULE: RuleMeta = RuleMeta {
    code: "NB201",
    name: "table-missing",
    severity: Severity::Error,
    what: (
        "部分中缺少规定的统计表（表二、表三或表四）。",
        "A section lacks its required table (table 2, 三 or 四).",
    ),
    why: (
        "第二、三、四部分须以规定的表格报告数据，不能只用文字叙述。",
        "Sections 二, 三 and 四 must report their figures in the prescribed tables.",
    ),
    example: "三、收到和处理政府信息公开申请情况\n本年度未收到政府信息公开申请。   ← 没有表格",
    fix: (
        "插入规定的表格（即使全部为 0）。",
        "Insert the prescribed table, even if every value is 0.",
    ),
    check: Check::Report {
        run: check,
        reads: &[Input::Structure, Input::Tables, Input::TableText],
    },
};

fn check(ctx: &Ctx, out: &mut Vec<Diagnostic>) {
    let r = ctx.report;
    let tables = [
        (
            1,
            r.table2.is_some(),
            "表二（主动公开政府信息情况）",
            "table 2 (proactive disclosure)",
        ),
        (
            2,
            r.table3.is_some(),
            "表三（收到和处理政府信息公开申请情况）",
            "table 3 (applications received and processed)",
        ),
        (
            3,
            r.table4.is_some(),
            "表四（行政复议、行政诉讼情况）",
            "table 4 (administrative review and litigation)",
        ),
    ];
    for (section, present, zh, en) in tables {
        if present {
            continue;
        }
        let Some(range) = shared::section_heading_range(ctx, section) else {
            continue;
        };
        out.push(Diagnostic::new(
            Rule::TableMissing,
            range,
            Msg::new(
                format!("本部分缺少{}", zh),
                format!("This section lacks {}", en),
            ),
        ));
    }
}
