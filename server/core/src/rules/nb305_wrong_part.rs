use super::{located, Check, Ctx, Input, RuleMeta};
use crate::diag::{Diagnostic, Severity};

pub static RULE: RuleMeta = RuleMeta {
    code: "NB305",
    name: "wrong-part",
    severity: Severity::Error,
    what: (
        "某个分项单元格与所在行的总计、所在列的合计同时矛盾：改正这一格即可使各项勾稽关系成立。",
        "A part cell contradicts both its row and its column: changing this one cell makes every identity hold.",
    ),
    why: (
        "表三的每个分项同时属于一行（勾稽关系A）和一列（勾稽关系B、C）。只有一格写错时，它所在的行和列都不成立，而总计本身并没有错：重算总计会把错误扩散到别处（例如凭空多出结转下年度的申请）。能解释全部不成立关系的最小改动落在这一格上，诊断就只报这一格。",
        "Every part of table 3 belongs to a row (identity A) and a column (identities B and C). When one part is mistyped its row and its column both fail while their totals are right: recomputing the totals would spread the mistake (inventing applications carried over to next year, for instance). When the smallest change that explains every failing identity is this one cell, the cell alone is reported.",
    ),
    example: "| 一、本年新收政府信息公开申请数量 | 5 | 0 | 0 | 0 | 0 | 0 | 0 |   ← 总计和各项办理结果均为 0：自然人应为 0",
    fix: (
        "诊断落在写错的分项上，给出使各项关系都成立的值，不成立的关系列为相关信息（键入错误如 91 写成 19 会注明）；快速修复或「重算全部合计」（--fix）只改写这一格。表内有多种同样简单的解释时不报本规则，而由 NB301–NB304 列出各种解释且不作修改。",
        "The diagnostic sits on the mistyped part with the value that makes every identity hold, the failing identities as related information (a keyboard slip such as 19 for 91 is named); the quick fix or fix-all (--fix) rewrites this cell only. When the table allows several equally simple explanations this rule does not fire: NB301–NB304 list them and nothing is rewritten.",
    ),
    check: Check::Report {
        run: check,
        // The prose decides between equally simple explanations of the tables.
        reads: &[Input::Structure, Input::Tables, Input::TableText, Input::Claims],
    },
};

fn check(ctx: &Ctx, out: &mut Vec<Diagnostic>) {
    located::check(ctx, None, out);
}
