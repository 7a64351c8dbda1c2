use super::{Check, RuleMeta};
use crate::diag::Severity;

pub static RULE: RuleMeta = RuleMeta {
    code: "NB406",
    name: "carryover-mismatch",
    severity: Severity::Warning,
    what: (
        "表三“二、上年结转政府信息公开申请数量”与上年报告的“四、结转下年度继续办理”不一致（逐列比较）。只在找到同一机关上一年度的报告时检查：命令行中为同时给出的文件及同一文件夹中的 .md/.txt 文件，编辑器中为已打开的文档及同一文件夹中的文件。",
        "Table 三 row 二 (carried over from last year) differs from row 四 (carried over to next year) of last year's report, column by column. Checked only when last year's report of the same agency is found: in the CLI among the files given and the .md/.txt files of the same folder; in the editor among the open documents and the files of the same folder.",
    ),
    why: (
        "上年结转到本年继续办理的申请，就是上年报告中结转下年度的那些申请；两者不等，说明其中一年的统计有误。",
        "The applications carried over into this year are exactly those last year's report carried over to the next year; when they differ, one of the two years' figures is wrong.",
    ),
    example: "2023年报告：四、结转下年度继续办理 | 1 | 0 | 0 | 0 | 0 | 0 | 1 |\n2024年报告：二、上年结转政府信息公开申请数量 | 0 | 0 | 0 | 0 | 0 | 0 | 0 |",
    fix: (
        "核对两年的台账，改正本年的上年结转数（或上年报告）。",
        "Check both years' records and correct this year's carried-over figures (or last year's report).",
    ),
    check: Check::AcrossYears,
};

