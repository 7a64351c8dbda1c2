use super::{Check, RuleMeta};
use crate::diag::Severity;

pub static RULE: RuleMeta = RuleMeta {
    code: "NB407",
    name: "in-force-rollforward",
    severity: Severity::Information,
    what: (
        "表二行政规范性文件“现行有效件数”不等于上年报告的现行有效件数 + 本年制发件数 − 本年废止件数。只在找到同一机关上一年度的报告（2021 年格式）时检查。",
        "Table 二: 行政规范性文件 in force differs from last year's report's figure + issued − repealed this year. Checked only when last year's report of the same agency (2021 format) is found.",
    ),
    why: (
        "现行有效件数通常逐年滚动；但文件清理（到期失效、宣布失效而未计入废止）会打破这一关系，所以这只是提示，请核对而非一定有误。",
        "The number in force normally rolls forward from year to year; a clean-up (documents expiring or declared invalid without being counted as repealed) breaks the relation, so this is a reminder to check, not necessarily an error.",
    ),
    example: "2023年报告：行政规范性文件 | 2 | 0 | 10 |\n2024年报告：行政规范性文件 | 1 | 1 | 12 |",
    fix: (
        "核对现行有效件数；若差额来自清理，可在第六部分说明，或用抑制注释保留。",
        "Check the number in force; when a clean-up explains the difference, say so in section 6 or keep it with a suppression comment.",
    ),
    check: Check::AcrossYears,
};

