//! Inlay hints: after a wrong total, the value it should have ("应为 12" / "should be 12").

use super::server::Backend;
use nianbao_core::diag::{Diagnostic, FixKind, Lang};
use nianbao_core::rules::Rule;
use nianbao_core::text::TextRange;
use tower_lsp_server::jsonrpc::Result;
use tower_lsp_server::ls_types::*;

/// The rules of the arithmetic findings (identities A, B, C and table 四).
pub const IDENTITY_RULES: [Rule; 4] = [
    Rule::RowTotal,
    Rule::OutcomeTotal,
    Rule::Balance,
    Rule::ReviewTotal,
];

/// The integer a fix writes ("12", " 12 ", "１２", "1,234", "-3").
pub fn written_number(text: &str) -> Option<i64> {
    let mut digits = String::new();
    let mut negative = false;
    for c in text.chars() {
        match c {
            '0'..='9' => digits.push(c),
            '０'..='９' => digits.push(char::from_u32(c as u32 - '０' as u32 + '0' as u32)?),
            '-' | '－' | '−' if digits.is_empty() => negative = true,
            ',' | '，' | ' ' | '\u{3000}' => {}
            _ => return None,
        }
    }
    let v: i64 = digits.parse().ok()?;
    Some(if negative { -v } else { v })
}

/// The value the engine's recompute fix writes into the cell a finding sits on.
pub fn expected_value(d: &Diagnostic) -> Option<i64> {
    let f = d.fixes.iter().find(|f| f.kind == FixKind::Recompute)?;
    let e = f
        .edits
        .iter()
        .find(|e| e.range.start <= d.range.end && d.range.start <= e.range.end)?;
    written_number(&e.new_text)
}

/// Every wrong total, as the diagnostics judge it: (its cell, the value it should have, the finding).
pub fn wrong_totals(diagnostics: &[Diagnostic]) -> Vec<(TextRange, i64, &Diagnostic)> {
    diagnostics
        .iter()
        .filter(|d| IDENTITY_RULES.contains(&d.rule))
        .filter_map(|d| Some((d.range, expected_value(d)?, d)))
        .collect()
}

pub fn label(lang: Lang, v: i64) -> String {
    match lang {
        Lang::Zh => format!("应为 {v}"),
        Lang::En => format!("should be {v}"),
    }
}

pub async fn inlay_hint(b: &Backend, params: InlayHintParams) -> Result<Option<Vec<InlayHint>>> {
    let Some(snap) = b.snapshot(&params.text_document.uri).await? else {
        return Ok(None);
    };
    let Some(a) = &snap.analysis else {
        return Ok(Some(Vec::new()));
    };
    let conv = snap.conv();
    let want: TextRange = conv.text_range(params.range);
    let mut hints = Vec::new();
    for (cell, value, d) in wrong_totals(&a.diagnostics) {
        if cell.end < want.start || cell.start > want.end {
            continue;
        }
        hints.push(InlayHint {
            position: conv.position(cell.end),
            label: InlayHintLabel::String(label(snap.lang, value)),
            kind: None,
            text_edits: None,
            tooltip: Some(InlayHintTooltip::String(
                d.message.get(snap.lang).to_string(),
            )),
            padding_left: Some(true),
            padding_right: Some(false),
            data: None,
        });
    }
    Ok(Some(hints))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_as_fixes_write_them() {
        assert_eq!(written_number("12"), Some(12));
        assert_eq!(written_number(" 12  "), Some(12));
        assert_eq!(written_number("１２"), Some(12));
        assert_eq!(written_number("1,234"), Some(1234));
        assert_eq!(written_number("-3"), Some(-3));
        assert_eq!(written_number("x"), None);
        assert_eq!(written_number(""), None);
    }
}
