//! Folding ranges: each section (heading line to its last non-blank line) and
//! each table (the report's tables, and any other pipe table).

use super::document::Snapshot;
use super::document_symbol::structure;
use super::server::Backend;
use nianbao_core::text::TextRange;
use tower_lsp_server::jsonrpc::Result;
use tower_lsp_server::ls_types::*;

pub fn ranges(snap: &Snapshot) -> Vec<FoldingRange> {
    let (sections, tables) = structure(snap);
    let line = |offset: usize| snap.index().line_of(offset.min(snap.text().len())) as u32;
    let mut spans: Vec<(u32, u32)> = Vec::new();
    let mut push = |r: TextRange| {
        let (a, b) = (line(r.start), line(r.end.saturating_sub(1).max(r.start)));
        if b > a && !spans.contains(&(a, b)) {
            spans.push((a, b));
        }
    };
    for s in &sections {
        push(s.range);
    }
    for t in &tables {
        push(t.range);
    }
    if snap.analysis.is_some() {
        for block in nianbao_core::table_format::table_blocks(snap.text()) {
            if let (Some(first), Some(last)) = (block.first(), block.last()) {
                push(TextRange::new(first.start, last.end));
            }
        }
    }
    spans.sort();
    spans
        .into_iter()
        .map(|(a, b)| FoldingRange {
            start_line: a,
            start_character: None,
            end_line: b,
            end_character: None,
            kind: Some(FoldingRangeKind::Region),
            collapsed_text: None,
        })
        .collect()
}

pub async fn folding_range(
    b: &Backend,
    params: FoldingRangeParams,
) -> Result<Option<Vec<FoldingRange>>> {
    let Some(snap) = b.snapshot(&params.text_document.uri).await? else {
        return Ok(None);
    };
    Ok(Some(ranges(&snap)))
}
