use super::{located, Check, Ctx, Input, RuleMeta};
use crate::diag::{Diagnostic, Severity};
use crate::template::IdentityKind;

pub static RULE: RuleMeta = RuleMeta {
    code: "NB301",
    name: "row-total",
    severity: Severity::Error,
    what: ("总计列应等于自然人与五类法人或其他组织之和。", "The 总计 column equals the sum of the six applicant columns."),
    why: ("表三每一行的总计是该行六类申请人之和（勾稽关系A）。", "In every row of table 3 the total is the sum of the six applicant columns."),
    example: "| （一）予以公开 | 3 | 1 | 0 | 0 | 0 | 0 | 5 |   ← 总计应为 4",
    fix: (
        "诊断落在应为合计的单元格上，并给出应有的值；快速修复或「重算全部合计」会改写该格。",
        "The diagnostic sits on the total cell with the value it should have; the quick fix or fix-all rewrites it.",
    ),
    check: Check::Report {
        run: check,
        reads: &[Input::Structure, Input::Tables, Input::TableText, Input::Claims],
    },
};

fn check(ctx: &Ctx, out: &mut Vec<Diagnostic>) {
    located::check(ctx, Some(IdentityKind::A), out);
}
