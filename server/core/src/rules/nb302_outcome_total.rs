use super::{located, Check, Ctx, Input, RuleMeta};
use crate::diag::{Diagnostic, Severity};
use crate::template::IdentityKind;

pub static RULE: RuleMeta = RuleMeta {
    code: "NB302",
    name: "outcome-total",
    severity: Severity::Error,
    what: ("（七）总计应等于（一）至（六）各项办理结果之和。", "The (7) total equals the sum of the outcome rows (1)–(6)."),
    why: ("每一列的（七）总计是各项办理结果（含（三）（四）（五）（六）的各小项）之和（勾稽关系B）。", "In each column the (7) total sums every outcome row, sub-rows included."),
    example: "| （七）总计 | 5 | 0 | 0 | 0 | 0 | 0 | 5 |   ← 各项办理结果之和为 4",
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
    located::check(ctx, Some(IdentityKind::B), out);
}
