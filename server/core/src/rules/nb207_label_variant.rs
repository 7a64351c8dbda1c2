use super::{shared, Check, Ctx, Input, Rule, RuleMeta};
use crate::diag::{Diagnostic, Fix, FixKind, Msg, Severity};
use crate::parse::lex::norm_str;
use crate::text::TextEdit;

pub static RULE: RuleMeta = RuleMeta {
    code: "NB207",
    name: "label-variant",
    severity: Severity::Hint,
    what: ("行标签与模板文字不同（已按含义识别）。", "A row label differs from the template's wording (recognised by meaning)."),
    why: (
        "行标签的措辞变化（如「其他法律法规禁止公开」）不影响识别，但规定文字便于审核和汇总，错别字也会被发现。",
        "Wording variants are understood, but the template's wording eases review and catches typos.",
    ),
    example: "| 2.其他法律法规禁止公开 | 0 | 0 | 0 | 0 | 0 | 0 | 0 |",
    fix: ("改为模板中的文字（快速修复）。", "Use the template's wording (quick fix)."),
    check: Check::Report {
        run: check,
        reads: &[Input::Structure, Input::Tables, Input::TableText],
    },
};

const NUMERALS: &str = "一二三四五六七八九十";

/// Length of the numbering at the start of a normalised label: "1.", "(一)" or "一、".
fn numbering_len(n: &str) -> usize {
    let digits = n.bytes().take_while(u8::is_ascii_digit).count();
    if digits > 0 {
        return if n[digits..].starts_with('.') {
            digits + 1
        } else {
            0
        };
    }
    let mut chars = n.char_indices();
    match (chars.next(), chars.next(), chars.next()) {
        (Some((_, '(')), Some((_, c)), Some((i, ')'))) if NUMERALS.contains(c) => i + 1,
        (Some((_, c)), Some((i, '、')), _) if NUMERALS.contains(c) => i + '、'.len_utf8(),
        _ => 0,
    }
}

/// A label without its numbering and quotes, normalised.
fn core(s: &str) -> String {
    let n = norm_str(s);
    n[numbering_len(&n)..]
        .chars()
        .filter(|c| !matches!(c, '“' | '”' | '"' | '\'' | '‘' | '’'))
        .collect()
}

fn check(ctx: &Ctx, out: &mut Vec<Diagnostic>) {
    for rr in shared::table_rows(ctx.report) {
        // A glued row's "label" carries its digits: NB208 reports it.
        if !rr.row.label_is_cell || rr.table_en == "table 4" || rr.row.glued.is_some() {
            continue;
        }
        let official = rr.label;
        let official_core = core(official);
        let written = core(&rr.row.label_text);
        // A wrapped label shows only its beginning on the row's line.
        if written.is_empty() || official_core.starts_with(&written) {
            continue;
        }
        let label_range = rr.row.label_cell;
        let written_raw = &ctx.src[label_range.start..label_range.end];
        // Keep the written numbering ("1、" or "1.") and replace the rest.
        let prefix_len = numbering_prefix_len(written_raw);
        let official_body = if prefix_len > 0 {
            official.trim_start_matches(|c: char| c.is_ascii_digit() || c == '.')
        } else {
            official
        };
        out.push(
            Diagnostic::new(
                Rule::LabelVariant,
                label_range,
                Msg::new(
                    format!(
                        "行标签「{}」与模板不同，模板为「{}」",
                        written_raw, official
                    ),
                    format!(
                        "Row label “{}” differs from the template: “{}”",
                        written_raw, official
                    ),
                ),
            )
            .with_fix(Fix {
                title: Msg::new(
                    format!("改为「{}」", official),
                    format!("Use “{}”", official),
                ),
                kind: FixKind::Edit,
                preferred: true,
                edits: vec![TextEdit {
                    range: crate::text::TextRange::new(
                        label_range.start + prefix_len,
                        label_range.end,
                    ),
                    new_text: official_body.to_string(),
                }],
            }),
        );
    }
}

fn numbering_prefix_len(s: &str) -> usize {
    let digits: usize = s
        .chars()
        .take_while(|c| c.is_ascii_digit() || ('０'..='９').contains(c))
        .map(char::len_utf8)
        .sum();
    if digits == 0 {
        return 0;
    }
    match s[digits..].chars().next() {
        Some(c @ ('.' | '、' | '．')) => digits + c.len_utf8(),
        _ => 0,
    }
}
