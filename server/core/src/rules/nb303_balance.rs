use super::{located, Check, Ctx, Input, RuleMeta};
use crate::diag::{Diagnostic, Severity};
use crate::template::IdentityKind;

pub static RULE: RuleMeta = RuleMeta {
    code: "NB303",
    name: "balance",
    severity: Severity::Error,
    what: ("第一项加第二项之和，应等于第三项（七）总计加第四项之和。", "Item 1 + item 2 equals the (7) total + item 4."),
    why: ("表三左上角写明的勾稽关系：本年新收 + 上年结转 = 本年办结 + 结转下年度。", "The identity printed in table 3 itself: new + carried in = completed + carried out."),
    example: "一、本年新收 5；二、上年结转 1；（七）总计 4；四、结转下年度 0   ← 应为 2",
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
    located::check(ctx, Some(IdentityKind::C), out);
}
