use super::{Check, RuleMeta};
use crate::diag::Severity;

pub static RULE: RuleMeta = RuleMeta {
    code: "NB408",
    name: "repeated-problems",
    severity: Severity::Warning,
    what: (
        "第五部分“存在的主要问题及改进情况”与上年报告的第五部分基本相同（去掉数字、年份、空白和标点后，字符二元组 Jaccard 相似度不低于 50%）。只在找到同一机关上一年度的报告时检查。",
        "Section 五 (problems and improvements) is essentially last year's section 五 (character-bigram Jaccard similarity of 50% or more once digits, years, spacing and punctuation are removed). Checked only when last year's report of the same agency is found.",
    ),
    why: (
        "年度报告格式要求第五部分写明具体问题和改进措施，“不得年年雷同”；照抄上年内容说明问题没有真正梳理。",
        "The report format requires concrete problems and measures in section 五 that \"must not be the same year after year\" (不得年年雷同); copying last year's text shows the problems were not actually reviewed.",
    ),
    example: "五、存在的主要问题及改进情况\n存在问题：一是政策解读质量还不够高。二是信息发布总量偏少。（与上年报告逐字相同）",
    fix: (
        "按本年度实际情况重写第五部分：本年发现的问题、上年问题的整改结果、下一步措施。",
        "Rewrite section 五 for this year: the problems found this year, how last year's were rectified, and the next measures.",
    ),
    check: Check::AcrossYears,
};

