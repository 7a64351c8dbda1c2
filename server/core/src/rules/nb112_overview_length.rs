use super::{front_matter, Check, Ctx, Input, Rule, RuleMeta, Span};
use crate::diag::{Diagnostic, Msg, Severity};
use crate::template::Format;

pub static RULE: RuleMeta = RuleMeta {
    code: "NB112",
    name: "overview-length",
    severity: Severity::Hint,
    what: (
        "总体情况远超「篇幅原则上不超过一千字」（按汉字、字母和数字计，超过 1500 字）。",
        "Section 1 is far longer than the “原则上不超过一千字” (about 1000 characters) the format asks for: over 1500 Han characters, letters and digits.",
    ),
    why: (
        "2021 版格式要求总体情况「篇幅原则上不超过一千字」。「原则上」允许略有超出（实际报告多在 500 至 1200 字之间），超过 1500 字通常是把工作总结整篇搬了进来。",
        "The 2021 format says section 1 should “in principle not exceed 1000 characters”. “In principle” allows some excess (real reports run from 500 to 1200), but over 1500 usually means a whole work summary was pasted in.",
    ),
    example: "一、总体情况\n（一）主动公开情况。……（共 2300 字）",
    fix: (
        "压缩总体情况，只保留五个方面的要点和数据。",
        "Shorten section 1 to the key points and figures of the five aspects.",
    ),
    check: Check::Report {
        run: check,
        reads: &[Input::Structure, Input::Span(Span::Body(0))],
    },
};

/// Counted characters above which the section is reported: 1.5 × the 1000 of the
/// format. The eight real reports of the test corpus count 470 to 1161.
pub const LIMIT: usize = 1500;

/// Characters as a reviewer counts them: Han characters, letters and digits (each
/// one), not spacing or punctuation; lines of a table (cells split by `|` or tabs)
/// are not prose and are skipped.
pub fn count(text: &str) -> usize {
    crate::text::lines(text)
        .filter(|l| !l.contains('|') && !l.contains('\t'))
        .flat_map(str::chars)
        .filter(|&c| front_matter::is_word_char(c) && !matches!(c, '①'..='⑳'))
        .count()
}

fn check(ctx: &Ctx, out: &mut Vec<Diagnostic>) {
    let r = ctx.report;
    if r.format != Format::F2021 {
        return;
    }
    let (Some(body), Some(heading)) =
        (front_matter::body(ctx.src, r, 0), front_matter::heading_range(r, 0))
    else {
        return;
    };
    let n = count(&ctx.src[body.start..body.end]);
    if n <= LIMIT {
        return;
    }
    // Past the read limit the count is a lower bound.
    let more = r.sections[0]
        .as_ref()
        .is_some_and(|s| s.body.end > body.end);
    let (about, about_en) = if more {
        ("超过", "more than")
    } else {
        ("约", "about")
    };
    out.push(Diagnostic::new(
        Rule::OverviewLength,
        heading,
        Msg::new(
            format!("总体情况{} {} 字（按汉字、字母和数字计），远超「篇幅原则上不超过一千字」", about, n),
            format!("Section 1 has {} {} characters (Han characters, letters and digits), far more than the “about 1000” the format asks for", about_en, n),
        ),
    ));
}

#[cfg(test)]
mod tests {
    #[test]
    fn table_lines_are_skipped_whatever_the_line_break() {
        // prose 一二三 and 四五, a table line between them
        for eol in ["\n", "\r\n", "\r"] {
            let text = ["一二三", "| 4 | 5 |", "四五"].join(eol);
            assert_eq!(super::count(&text), 5, "{eol:?}");
        }
    }
}
