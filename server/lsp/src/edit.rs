//! Workspace edits: versioned `documentChanges` when the client supports them, else `changes`.

use super::document::Snapshot;
use nianbao_core::text;
use std::collections::HashMap;
use tower_lsp_server::ls_types::*;

/// Engine edits (byte ranges of `snap`) as LSP text edits.
pub fn lsp_edits(snap: &Snapshot, edits: &[text::TextEdit]) -> Vec<TextEdit> {
    let conv = snap.conv();
    let mut sorted: Vec<&text::TextEdit> = edits.iter().collect();
    sorted.sort_by_key(|e| (e.range.start, e.range.end));
    sorted
        .into_iter()
        .map(|e| TextEdit {
            range: conv.range(e.range),
            new_text: e.new_text.clone(),
        })
        .collect()
}

/// A workspace edit of one document at `version`.
pub fn workspace_edit(
    uri: &Uri,
    version: i32,
    edits: Vec<TextEdit>,
    document_changes: bool,
) -> WorkspaceEdit {
    if document_changes {
        WorkspaceEdit {
            changes: None,
            document_changes: Some(DocumentChanges::Edits(vec![TextDocumentEdit {
                text_document: OptionalVersionedTextDocumentIdentifier {
                    uri: uri.clone(),
                    version: Some(version),
                },
                edits: edits.into_iter().map(OneOf::Left).collect(),
            }])),
            change_annotations: None,
        }
    } else {
        WorkspaceEdit {
            changes: Some(HashMap::from([(uri.clone(), edits)])),
            document_changes: None,
            change_annotations: None,
        }
    }
}
