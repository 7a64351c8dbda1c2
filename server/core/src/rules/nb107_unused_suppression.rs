use super::{Check, RuleMeta};
use crate::diag::Severity;

pub static RULE: RuleMeta = RuleMeta {
    code: "NB107",
    name: "unused-suppression",
    severity: Severity::Hint,
    what: (
        "抑制注释没有抑制任何诊断。",
        "A suppression comment suppresses nothing.",
    ),
    why: (
        "`<!-- nianbao-disable … -->`、`<!-- nianbao-disable-next-line … -->`、`<!-- nianbao-disable-file … -->` 用于有意保留的写法；问题改正后注释若仍留着，会在以后掩盖新的问题。",
        "Suppression comments (`nianbao-disable`, `nianbao-disable-next-line`, `nianbao-disable-file`) mark text kept on purpose; once the finding is gone, a leftover comment would hide a future one.",
    ),
    example: "<!-- nianbao-disable-next-line NB301 -->\n| （一）予以公开 | 3 | 1 | 0 | 0 | 0 | 0 | 4 |",
    fix: (
        "删除该注释，或改正其中的规则代码。",
        "Remove the comment, or correct the codes it names.",
    ),
    check: Check::AfterSuppression,
};

