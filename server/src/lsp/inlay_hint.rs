//! Inlay hints: after a wrong total, the value it should have ("应为 12" / "should be 12").

use super::server::Backend;
use crate::diag::Lang;
use crate::model::Report;
use crate::rules::shared::{identity_pass, written_values};
use crate::template::{identities, CellRef};
use crate::text::TextRange;
use tower_lsp_server::jsonrpc::Result;
use tower_lsp_server::ls_types::*;

/// Every total that breaks an identity, judged as the diagnostics judge them
/// (in fix order, each target once): (cell, the value it should have, identity name).
pub fn wrong_totals(report: &Report, lang: Lang) -> Vec<(CellRef, i64, &'static str)> {
    let idents = identities(report.table3_format());
    let mut values = written_values(report, &idents);
    let mut out: Vec<(CellRef, i64, &'static str)> = Vec::new();
    let mut seen = Vec::new();
    for f in identity_pass(&idents, &mut values) {
        if seen.contains(&f.ident.target) {
            continue;
        }
        seen.push(f.ident.target);
        if f.expected < 0 {
            continue;
        }
        let name = match lang {
            Lang::Zh => f.ident.kind.name_zh(),
            Lang::En => f.ident.kind.name_en(),
        };
        out.push((f.ident.target, f.expected, name));
    }
    out
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
    for (c, value, name) in wrong_totals(&a.report, snap.lang) {
        let Some(cell) = a.report.cell(c) else {
            continue;
        };
        if cell.range.end < want.start || cell.range.start > want.end {
            continue;
        }
        hints.push(InlayHint {
            position: conv.position(cell.range.end),
            label: InlayHintLabel::String(label(snap.lang, value)),
            kind: None,
            text_edits: None,
            tooltip: Some(InlayHintTooltip::String(name.to_string())),
            padding_left: Some(true),
            padding_right: Some(false),
            data: None,
        });
    }
    Ok(Some(hints))
}
