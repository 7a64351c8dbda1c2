use super::{located, Check, Ctx, Input, RuleMeta};
use crate::diag::{Diagnostic, Severity};
use crate::template::IdentityKind;

pub static RULE: RuleMeta = RuleMeta {
    code: "NB304",
    name: "review-total",
    severity: Severity::Error,
    what: ("表四每组的总计应等于结果维持、结果纠正、其他结果、尚未审结之和。", "Each group total of table 4 equals upheld + corrected + other + pending."),
    why: ("行政复议、未经复议直接起诉、复议后起诉三组各有一个总计。", "Administrative review and both kinds of litigation each have a total."),
    example: "10 1 0 0 0 …   ← 行政复议总计应为 11",
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
    located::check(ctx, Some(IdentityKind::T4), out);
}
