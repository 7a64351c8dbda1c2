//! Inlay hints: after a wrong total, the value it should have ("应为 12" / "should be 12").

use super::server::Backend;
use nianbao_core::diag::{Diagnostic, Lang};
use nianbao_core::text::TextRange;
use tower_lsp_server::jsonrpc::Result;
use tower_lsp_server::ls_types::*;

/// Every wrong total a recompute fix rewrites, as the diagnostics judge it: (its
/// cell, the value it should have, the finding).
pub fn wrong_totals(diagnostics: &[Diagnostic]) -> Vec<(TextRange, i64, &Diagnostic)> {
    diagnostics
        .iter()
        .filter_map(|d| Some((d.range, d.expected_total()?.1, d)))
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
