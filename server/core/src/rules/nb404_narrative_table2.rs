use super::{nb4_common, Check, Ctx, Input, Rule, RuleMeta};
use crate::diag::{Diagnostic, Severity};
use crate::narrative::Quantity;

pub static RULE: RuleMeta = RuleMeta {
    code: "NB404",
    name: "narrative-table2",
    severity: Severity::Warning,
    what: (
        "正文所述规范性文件制发、废止、现行有效件数或许可、处罚、强制决定数与表二不一致。",
        "A count of normative documents (issued, repealed, in force) or of licensing, penalty or coercion decisions in the text differs from table 2.",
    ),
    why: (
        "主动公开部分常写「废止规范性文件N件」「现行有效规范性文件N件」「作出行政处罚决定N件」，这些数字须与表二第二十条第（一）（五）（六）项一致。",
        "The text often states “废止规范性文件N件”, “现行有效规范性文件N件” or “作出行政处罚决定N件”; these must agree with items (一), (五) and (六) of table 2.",
    ),
    example: "累计废止规范性文件2件，现行有效性文件1件。\n…\n| 行政规范性文件 | 0 | 0 | 0 |",
    fix: (
        "核对正文与表二，改正错误的一方。",
        "Check the text against table 2 and correct whichever is wrong.",
    ),
    check: Check::Report {
        run: check,
        reads: &[Input::Structure, Input::Tables, Input::Claims],
    },
};

fn check(ctx: &Ctx, out: &mut Vec<Diagnostic>) {
    nb4_common::check(
        ctx,
        Rule::NarrativeTable2,
        |q| {
            matches!(
                q,
                Quantity::NormIssued
                    | Quantity::NormRepealed
                    | Quantity::NormInForce
                    | Quantity::License
                    | Quantity::Penalty
                    | Quantity::Coercion
            )
        },
        false,
        out,
    );
}
