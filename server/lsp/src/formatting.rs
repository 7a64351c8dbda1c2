//! Formatting: align pipe tables by display width; no cell's content and no text
//! outside tables changes. Idempotent.

use super::edit::lsp_edits;
use super::server::Backend;
use tower_lsp_server::jsonrpc::Result;
use tower_lsp_server::ls_types::*;

pub async fn formatting(
    b: &Backend,
    params: DocumentFormattingParams,
) -> Result<Option<Vec<TextEdit>>> {
    let Some(snap) = b.snapshot(&params.text_document.uri).await? else {
        return Ok(None);
    };
    if !snap.attached {
        return Ok(None);
    }
    let edits = nianbao_core::table_format::format_tables(snap.text());
    Ok(Some(lsp_edits(&snap, &edits)))
}
