//! A code lens above each table with wrong totals: "重算本表 N 处合计", running
//! `nianbao.fixTable` for that table.

use super::document::Snapshot;
use super::server::{Backend, CMD_FIX_TABLE};
use nianbao_core::convert::{table_extent, Source};
use nianbao_core::diag::Lang;
use nianbao_core::text::TextRange;
use serde_json::json;
use tower_lsp_server::jsonrpc::Result;
use tower_lsp_server::ls_types::*;

/// The tables a fix can touch: (name used in commands, region, whole-line extent).
pub fn tables(snap: &Snapshot) -> Vec<(&'static str, TextRange, TextRange)> {
    let Some(a) = &snap.analysis else {
        return Vec::new();
    };
    let mut out = Vec::new();
    if let Some(t) = &a.report.table3 {
        let extent = table_extent(snap.text(), snap.index(), &a.report, Source::Table3)
            .map(|e| e.0)
            .unwrap_or(t.range);
        out.push(("table3", t.range, extent));
    }
    if let Some(t) = &a.report.table4 {
        let extent = table_extent(snap.text(), snap.index(), &a.report, Source::Table4)
            .map(|e| e.0)
            .unwrap_or(t.range);
        out.push(("table4", t.range, extent));
    }
    out
}

pub fn title(lang: Lang, n: usize) -> String {
    match lang {
        Lang::Zh => format!("重算本表 {n} 处合计"),
        Lang::En => format!("Recompute {n} totals in this table"),
    }
}

pub async fn code_lens(b: &Backend, params: CodeLensParams) -> Result<Option<Vec<CodeLens>>> {
    let Some(snap) = b.snapshot(&params.text_document.uri).await? else {
        return Ok(None);
    };
    let conv = snap.conv();
    let mut lenses = Vec::new();
    let wrong = match &snap.analysis {
        Some(a) => super::inlay_hint::wrong_totals(&a.diagnostics),
        None => Vec::new(),
    };
    for (name, region, extent) in tables(&snap) {
        // The wrong totals the diagnostics find in the table (what the command
        // recomputes, read from the findings rather than by running fix-all).
        let n = wrong
            .iter()
            .filter(|(cell, _, _)| cell.start >= region.start && cell.end <= region.end)
            .count();
        if n == 0 {
            continue;
        }
        let at = conv.position(extent.start);
        lenses.push(CodeLens {
            range: Range { start: at, end: at },
            command: Some(Command {
                title: title(snap.lang, n),
                command: CMD_FIX_TABLE.to_string(),
                arguments: Some(vec![
                    json!(snap.uri.as_str()),
                    json!(name),
                    json!(snap.version),
                ]),
            }),
            data: None,
        });
    }
    Ok(Some(lenses))
}
