use super::{front_matter, Check, Ctx, Input, Rule, RuleMeta, Span};
use crate::diag::{Diagnostic, Fix, FixKind, Msg, Related, Severity};
use crate::text::{TextEdit, TextRange};

pub static RULE: RuleMeta = RuleMeta {
    code: "NB405",
    name: "year-mismatch",
    severity: Severity::Warning,
    what: (
        "统计期限或「截至××年12月31日」的年份与标题的年份不一致。",
        "The year of the reporting period or of a “截至…年12月31日” statement differs from the title's year.",
    ),
    why: (
        "标题的年份、开头的统计期限和「截至20××年12月31日」等表述说的是同一个报告年度。年份不一致多半是沿用上年报告时漏改了年份，读者无法判断数据属于哪一年。正文中其他的年份（如「2023年以来」、第五部分的上年度问题）不在此列。",
        "The title's year, the period in the opening and statements such as “截至20XX年12月31日” name the same report year. A different year is usually left over from last year's report, and the reader cannot tell which year the figures cover. Other years in the prose (“2023年以来”, last year's problems in section 五) are not checked.",
    ),
    example: "蒙城县工业和信息化局2024年政府信息公开工作年度报告\n本报告所列数据的统计期限自2023年1月1日起至2023年12月31日止。",
    fix: (
        "核对报告年度，改正错误的年份；诊断落在不一致的年份上，相关信息指向标题的年份。",
        "Check the report year and correct the wrong one; the diagnostic sits on the differing year and points to the title's year.",
    ),
    check: Check::Report {
        run: check,
        reads: &[Input::Structure, Input::Span(Span::Front), Input::Span(Span::Body(0))],
    },
};

fn check(ctx: &Ctx, out: &mut Vec<Diagnostic>) {
    let r = ctx.report;
    // The reference: the title's year, else the year the parser took from the period.
    let (Some(year), Some(year_range)) = (r.year, r.year_range) else {
        return;
    };
    let from_title = front_matter::title_year(r).is_some();
    let flat = ctx.front_flat();
    let mut found: Vec<(u16, TextRange, bool)> = Vec::new();
    for p in front_matter::periods(flat) {
        for (y, range) in p.years {
            found.push((y, range, true));
        }
    }
    let year_text = year.to_string();
    for (y, range, (s, e)) in front_matter::year_end_statements(flat) {
        // A sentence that also names the report year compares two years.
        if flat.text[s..e].contains(year_text.as_str()) {
            continue;
        }
        found.push((y, range, false));
    }
    for (y, range, period) in found {
        if y == year || range == year_range {
            continue;
        }
        let (what_zh, what_en) = if period {
            ("统计期限", "the reporting period")
        } else {
            ("截至日期", "the “as of” date")
        };
        let (ref_zh, ref_en) = if from_title {
            ("标题", "the title")
        } else {
            ("统计期限", "the reporting period")
        };
        let written = &ctx.src[range.start..range.end];
        let new_text = if written.chars().any(|c| c.is_ascii_digit()) {
            year_text.clone()
        } else {
            year_text
                .chars()
                .map(|c| char::from_u32(c as u32 - '0' as u32 + '０' as u32).unwrap_or(c))
                .collect()
        };
        out.push(
            Diagnostic::new(
                Rule::YearMismatch,
                range,
                Msg::new(
                    format!("{what_zh}的年份 {y} 与{ref_zh}的年份 {year} 不一致"),
                    format!("The year {y} of {what_en} differs from the year {year} of {ref_en}"),
                ),
            )
            .with_related(vec![Related {
                range: year_range,
                message: Msg::new(
                    format!("{ref_zh}的年份：{year}"),
                    format!("year of {ref_en}: {year}"),
                ),
            }])
            .with_fix(Fix {
                title: Msg::new(format!("改为 {year}"), format!("Change to {year}")),
                kind: FixKind::Edit,
                preferred: false,
                edits: vec![TextEdit { range, new_text }],
            }),
        );
    }
}
