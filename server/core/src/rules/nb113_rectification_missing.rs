use super::{front_matter, Check, Ctx, Input, Rule, RuleMeta, Span};
use crate::diag::{Diagnostic, Msg, Severity};

pub static RULE: RuleMeta = RuleMeta {
    code: "NB113",
    name: "rectification-missing",
    severity: Severity::Warning,
    what: (
        "第五部分没有报告上年度问题的整改情况（本地要求 requireRectification）。",
        "Section 五 does not report how last year's problems were rectified (local profile option requireRectification).",
    ),
    why: (
        "不少省份要求第五部分先报告上年度年报所列问题的整改情况，再写本年度的问题和改进措施，以免「年年雷同」。这是本地要求，只在设置 profile.requireRectification 时检查。",
        "Many provinces require section 五 to report first how the problems named in last year's report were fixed, then this year's problems and measures, so that the section does not repeat itself every year. This is a local requirement, checked only with profile.requireRectification.",
    ),
    example: "五、存在的主要问题及改进情况\n存在问题：政策解读质量还不够高。改进措施：…",
    fix: (
        "补写上年度问题整改情况，例如「（一）上年度问题整改情况。针对2023年度报告中指出的…，已…」。",
        "Add last year's rectification, e.g. “（一）上年度问题整改情况。针对2023年度报告中指出的…，已…”.",
    ),
    check: Check::Report {
        run: check,
        reads: &[Input::Structure, Input::Span(Span::Body(4))],
    },
};

/// Words that name the previous year ("2023年" for a 2024 report is checked apart).
const LAST_YEAR: &[&str] = &["上年", "上一年", "去年", "前一年", "上个年度"];
const RECTIFIED: &[&str] = &["整改", "改进", "解决", "落实"];

/// A sentence of section 五 that names the previous year and its rectification.
fn reports_rectification(text: &str, year: Option<u16>) -> bool {
    front_matter::sentences(text).any(|(_, s)| {
        let last_year = LAST_YEAR.iter().any(|w| s.contains(w))
            || year.is_some_and(|y| {
                front_matter::year_with_nian_re()
                    .captures_iter(s)
                    .any(|c| c[1].parse::<u16>().ok() == Some(y - 1))
            });
        last_year && RECTIFIED.iter().any(|w| s.contains(w))
    })
}

fn check(ctx: &Ctx, out: &mut Vec<Diagnostic>) {
    if !ctx.config.profile.require_rectification {
        return;
    }
    let r = ctx.report;
    let (Some(body), Some(heading)) =
        (front_matter::body(ctx.src, r, 4), front_matter::heading_range(r, 4))
    else {
        return;
    };
    let flat = front_matter::flat_text(ctx.src, &[body]);
    if reports_rectification(&flat, r.year) {
        return;
    }
    let prev = r
        .year
        .map(|y| format!("{}年度", y - 1))
        .unwrap_or_else(|| "上年度".into());
    out.push(Diagnostic::new(
        Rule::RectificationMissing,
        heading,
        Msg::new(
            format!("第五部分没有报告上年度（{prev}）问题的整改情况（本地要求）"),
            format!("Section 五 does not report how the problems of the previous year ({prev}) were rectified (local requirement)"),
        ),
    ));
}

#[cfg(test)]
mod tests {
    use super::reports_rectification;

    #[test]
    fn last_year_and_rectification_in_one_sentence() {
        assert!(reports_rectification(
            "(一)上年度问题整改情况。针对上年度报告指出的问题，已全部整改到位。",
            Some(2024)
        ));
        assert!(reports_rectification(
            "2023年度报告中指出的问题已全部整改。",
            Some(2024)
        ));
        assert!(!reports_rectification(
            "2024年度存在问题及改进情况。",
            Some(2024)
        ));
        assert!(!reports_rectification(
            "存在问题：政策解读质量不高。针对上述问题，提出以下整改措施。",
            Some(2024)
        ));
        assert!(!reports_rectification(
            "上年度信息发布总量偏少。",
            Some(2024)
        ));
    }
}
