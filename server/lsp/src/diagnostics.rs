//! Diagnostics, pushed or pulled — never both to the same client.
//!
//! Push clients (no `textDocument.diagnostic` capability): a single worker task
//! analyses queued documents one after the other and publishes the result with
//! its document version. Queued edits coalesce; a result whose version is no
//! longer current is dropped (the newer version is queued behind it). Being one
//! task, it publishes in order: an older result never overwrites a newer one.
//!
//! Pull clients: `textDocument/diagnostic` answers from the same snapshots.

use super::document::Snapshot;
use super::server::Backend;
use nianbao_core::diag::{self, FixKind, Severity};
use nianbao_core::rules::docs_url;
use serde_json::{json, Value};
use std::str::FromStr;
use tokio::sync::mpsc;
use tower_lsp_server::jsonrpc::Result;
use tower_lsp_server::ls_types::*;

pub fn severity(s: Severity) -> DiagnosticSeverity {
    match s {
        Severity::Error => DiagnosticSeverity::ERROR,
        Severity::Warning => DiagnosticSeverity::WARNING,
        Severity::Information => DiagnosticSeverity::INFORMATION,
        Severity::Hint => DiagnosticSeverity::HINT,
    }
}

/// The fixes of a diagnostic as LSP edits, for `Diagnostic.data` and code actions.
pub fn fixes_json(snap: &Snapshot, d: &diag::Diagnostic) -> Value {
    let conv = snap.conv();
    let lang = snap.lang;
    Value::Array(
        d.fixes
            .iter()
            .map(|f| {
                json!({
                    "title": f.title.get(lang),
                    "kind": match f.kind { FixKind::Recompute => "recompute", FixKind::Edit => "edit" },
                    "preferred": f.preferred,
                    "edits": f.edits.iter().map(|e| json!({ "range": conv.range(e.range), "newText": e.new_text })).collect::<Vec<_>>(),
                })
            })
            .collect(),
    )
}

/// An engine diagnostic as an LSP diagnostic of this snapshot.
pub fn to_lsp(snap: &Snapshot, d: &diag::Diagnostic) -> Diagnostic {
    let conv = snap.conv();
    let lang = snap.lang;
    let related: Vec<DiagnosticRelatedInformation> = d
        .related
        .iter()
        .map(|r| DiagnosticRelatedInformation {
            location: Location {
                uri: snap.uri.clone(),
                range: conv.range(r.range),
            },
            message: r.message.get(lang).to_string(),
        })
        .collect();
    Diagnostic {
        range: conv.range(d.range),
        severity: Some(severity(d.severity)),
        code: Some(NumberOrString::String(d.code().to_string())),
        code_description: Uri::from_str(&docs_url(d.rule))
            .ok()
            .map(|href| CodeDescription { href }),
        source: Some("nianbao".to_string()),
        message: d.message.get(lang).to_string(),
        related_information: (!related.is_empty()).then_some(related),
        tags: None,
        data: Some(
            json!({ "uri": snap.uri.as_str(), "version": snap.version, "fixes": fixes_json(snap, d) }),
        ),
    }
}

/// Every diagnostic of a snapshot (none for documents that are not attached).
pub fn all(snap: &Snapshot) -> Vec<Diagnostic> {
    match &snap.analysis {
        Some(a) => a.diagnostics.iter().map(|d| to_lsp(snap, d)).collect(),
        None => Vec::new(),
    }
}

pub fn spawn_worker(b: Backend) -> mpsc::UnboundedSender<Uri> {
    let (tx, mut rx) = mpsc::unbounded_channel::<Uri>();
    tokio::spawn(async move {
        while let Some(first) = rx.recv().await {
            let mut batch = vec![first.clone()];
            let mut seen = std::collections::HashSet::from([first]);
            while let Ok(u) = rx.try_recv() {
                if seen.insert(u.clone()) {
                    batch.push(u);
                }
            }
            for uri in batch {
                publish(&b, uri).await;
            }
            // Everything closed and cleared: hand the freed memory back.
            if b.state.docs().is_empty() {
                super::memory::release(0);
            }
        }
    });
    tx
}

async fn publish(b: &Backend, uri: Uri) {
    let snap = match b.snapshot(&uri).await {
        Ok(s) => s,
        Err(_) => return, // logged by `snapshot`
    };
    let Some(snap) = snap else {
        // Closed: clear what was published.
        let removed = {
            let mut published = b.state.published.lock().unwrap_or_else(|e| e.into_inner());
            let removed = published.remove(&uri);
            super::memory::shrink_if_sparse(&mut *published);
            removed
        };
        if removed {
            b.client.publish_diagnostics(uri, Vec::new(), None).await;
        }
        return;
    };
    // Drop results for an outdated version or outdated settings: a newer one is queued.
    if b.version_of(&uri) != Some(snap.version) || b.state.generation() != snap.generation {
        return;
    }
    let diags = all(&snap);
    let had = {
        let mut published = b.state.published.lock().unwrap_or_else(|e| e.into_inner());
        let had = published.contains(&uri);
        if diags.is_empty() {
            published.remove(&uri);
        } else {
            published.insert(uri.clone());
        }
        had
    };
    // Documents that are not reports get nothing, unless they had diagnostics to clear.
    if snap.attached || had {
        b.client
            .publish_diagnostics(uri, diags, Some(snap.version))
            .await;
    }
}

/// `textDocument/diagnostic`.
pub async fn pull(
    b: &Backend,
    params: DocumentDiagnosticParams,
) -> Result<DocumentDiagnosticReportResult> {
    let snap = b.snapshot(&params.text_document.uri).await?;
    let (items, result_id) = match &snap {
        Some(s) => {
            let items = all(s);
            // The findings themselves are part of the id: those across years
            // change when last year's report does, with this version unchanged.
            let mut h = std::collections::hash_map::DefaultHasher::new();
            for d in &items {
                std::hash::Hash::hash(&d.message, &mut h);
                std::hash::Hash::hash(&(d.range.start.line, d.range.start.character), &mut h);
                std::hash::Hash::hash(&(d.range.end.line, d.range.end.character), &mut h);
            }
            let stamp = std::hash::Hasher::finish(&h);
            (
                items,
                Some(format!(
                    "{}-{}-{}-{:x}",
                    s.version, s.generation, s.attached as u8, stamp
                )),
            )
        }
        None => (Vec::new(), None),
    };
    if let (Some(prev), Some(id)) = (&params.previous_result_id, &result_id) {
        if prev == id {
            return Ok(DocumentDiagnosticReportResult::Report(
                DocumentDiagnosticReport::Unchanged(RelatedUnchangedDocumentDiagnosticReport {
                    related_documents: None,
                    unchanged_document_diagnostic_report: UnchangedDocumentDiagnosticReport {
                        result_id: id.clone(),
                    },
                }),
            ));
        }
    }
    Ok(DocumentDiagnosticReportResult::Report(
        DocumentDiagnosticReport::Full(RelatedFullDocumentDiagnosticReport {
            related_documents: None,
            full_document_diagnostic_report: FullDocumentDiagnosticReport { result_id, items },
        }),
    ))
}
