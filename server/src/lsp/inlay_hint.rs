//! Inlay hints: after a wrong total, the value it should have ("应为 12" / "should be 12").

use super::server::Backend;
use crate::diag::Lang;
use crate::model::Report;
use crate::rules::shared::{eval, int_of};
use crate::template::{identities, CellRef};
use crate::text::TextRange;
use tower_lsp_server::jsonrpc::Result;
use tower_lsp_server::ls_types::*;

/// Every total that breaks an identity: (cell, values it should have, identity names).
pub fn wrong_totals(report: &Report, lang: Lang) -> Vec<(CellRef, Vec<i64>, Vec<&'static str>)> {
    let mut out: Vec<(CellRef, Vec<i64>, Vec<&'static str>)> = Vec::new();
    for ident in identities(report.format) {
        let Some(e) = eval(&ident, |c| int_of(report, c)) else {
            continue;
        };
        if e.holds() || e.expected < 0 {
            continue;
        }
        let name = match lang {
            Lang::Zh => ident.kind.name_zh(),
            Lang::En => ident.kind.name_en(),
        };
        match out.iter_mut().find(|(c, _, _)| *c == ident.target) {
            Some((_, values, names)) => {
                if !values.contains(&e.expected) {
                    values.push(e.expected);
                }
                names.push(name);
            }
            None => out.push((ident.target, vec![e.expected], vec![name])),
        }
    }
    out
}

pub fn label(lang: Lang, values: &[i64]) -> String {
    let v = values
        .iter()
        .map(|v| v.to_string())
        .collect::<Vec<_>>()
        .join(" / ");
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
    for (c, values, names) in wrong_totals(&a.report, snap.lang) {
        let Some(cell) = a.report.cell(c) else {
            continue;
        };
        if cell.range.end < want.start || cell.range.start > want.end {
            continue;
        }
        hints.push(InlayHint {
            position: conv.position(cell.range.end),
            label: InlayHintLabel::String(label(snap.lang, &values)),
            kind: None,
            text_edits: None,
            tooltip: Some(InlayHintTooltip::String(names.join("\n"))),
            padding_left: Some(true),
            padding_right: Some(false),
            data: None,
        });
    }
    Ok(Some(hints))
}
