//! `workspace/executeCommand`:
//! - `nianbao.fixAll [uri]` — recompute every total (`workspace/applyEdit`);
//! - `nianbao.fixTable [uri, "table3" | "table4", version?]` — the same, for one table (the code lens);
//! - `nianbao.ruleDocs` — the documentation of every rule as Markdown (`{"markdown": …}`), for
//!   editors to show: the binary bundled with an editor extension is not on PATH, so
//!   `nianbao rules` cannot be run from a terminal.
//!
//! Arguments may also be one object: `{"uri": …, "table": …}`.
//!
//! The answer does not wait for the client to apply the edit (see [`send_apply_edit`]):
//! `{"applied": null, "sent": true, "edits": N}`, or `{"applied": false, "edits": 0}`
//! when there was nothing to change.

use super::code_action::fix_all_edits;
use super::code_lens::tables;
use super::edit::{lsp_edits, workspace_edit};
use super::server::{Backend, CMD_FIX_ALL, CMD_FIX_TABLE, CMD_RULE_DOCS};
use serde_json::{json, Value};
use std::future::Future;
use std::str::FromStr;
use std::task::Poll;
use tower_lsp_server::jsonrpc::{Error, Result};
use tower_lsp_server::ls_types::*;

fn arg_uri(args: &[Value]) -> Option<Uri> {
    let v = args.first()?;
    let s = v
        .as_str()
        .or_else(|| v.get("uri").and_then(Value::as_str))?;
    Uri::from_str(s).ok()
}

fn arg_table(args: &[Value]) -> Option<String> {
    args.get(1)
        .and_then(Value::as_str)
        .or_else(|| {
            args.first()
                .and_then(|v| v.get("table"))
                .and_then(Value::as_str)
        })
        .map(str::to_string)
}

pub async fn execute_command(b: &Backend, params: ExecuteCommandParams) -> Result<Option<LSPAny>> {
    let args = &params.arguments;
    let table = match params.command.as_str() {
        CMD_RULE_DOCS => {
            return Ok(Some(
                json!({ "markdown": nianbao_core::rules::docs_markdown() }),
            ))
        }
        CMD_FIX_ALL => None,
        CMD_FIX_TABLE => Some(
            arg_table(args)
                .ok_or_else(|| Error::invalid_params("nianbao.fixTable: which table?"))?,
        ),
        other => return Err(Error::invalid_params(format!("unknown command {other:?}"))),
    };
    let uri = arg_uri(args).ok_or_else(|| {
        Error::invalid_params(format!("{}: expected a document uri", params.command))
    })?;
    let Some(snap) = b.snapshot(&uri).await? else {
        return Err(Error::invalid_params(format!(
            "document not open: {}",
            uri.as_str()
        )));
    };
    let within = match &table {
        None => None,
        Some(name) => Some(
            tables(&snap)
                .into_iter()
                .find(|(n, _, _)| n == name)
                .map(|(_, region, _)| region)
                .ok_or_else(|| Error::invalid_params(format!("no {name} in the document")))?,
        ),
    };
    let edits = fix_all_edits(&snap, within);
    if edits.is_empty() {
        return Ok(Some(json!({ "applied": false, "edits": 0 })));
    }
    let n = edits.len();
    let caps = b.state.caps();
    let edit = workspace_edit(
        &snap.uri,
        snap.version,
        lsp_edits(&snap, &edits),
        caps.document_changes,
    );
    let label = match snap.lang {
        nianbao_core::diag::Lang::Zh => "重算合计",
        nianbao_core::diag::Lang::En => "Recompute totals",
    };
    if !caps.apply_edit {
        // The client cannot apply edits on request: hand the edit back.
        return Ok(Some(json!({ "applied": false, "edits": n, "edit": edit })));
    }
    let params = ApplyWorkspaceEditParams {
        label: Some(label.to_string()),
        edit,
    };
    Ok(Some(send_apply_edit(b, params, n).await))
}

/// How long the server waits for the client to answer `workspace/applyEdit`
/// before it logs that no answer came and stops waiting.
pub const APPLY_EDIT_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(60);

/// Send `workspace/applyEdit` and answer the command without waiting for the
/// client: the server runs a few handlers at a time, so handlers that wait for a
/// client that never answers would stall every other message (hover, didChange,
/// shutdown). The command is answered once the request has been written to
/// the output (so the client reads the request first); the client's answer (or its absence, after [`APPLY_EDIT_TIMEOUT`])
/// is logged by a detached task.
async fn send_apply_edit(b: &Backend, params: ApplyWorkspaceEditParams, n: usize) -> Value {
    let written = b.gate().apply_edits_written.count();
    let client = b.client.clone();
    let mut request = Box::pin(async move {
        client
            .send_request::<request::ApplyWorkspaceEdit>(params)
            .await
    });
    // One poll queues the request for output (and, unless the answer is already
    // there, returns Pending while it waits for the answer).
    let first = std::future::poll_fn(|cx| Poll::Ready(request.as_mut().poll(cx))).await;
    match first {
        Poll::Ready(answer) => {
            let applied = log_answer(b, answer).await;
            json!({ "applied": applied, "edits": n })
        }
        Poll::Pending => {
            let detached = b.clone();
            tokio::spawn(async move {
                let b = detached;
                match tokio::time::timeout(APPLY_EDIT_TIMEOUT, request).await {
                    Ok(answer) => {
                        log_answer(&b, answer).await;
                    }
                    Err(_) => {
                        b.client
                            .log_message(
                                MessageType::WARNING,
                                format!(
                                    "workspace/applyEdit: no answer from the client within {} s",
                                    APPLY_EDIT_TIMEOUT.as_secs()
                                ),
                            )
                            .await
                    }
                }
            });
            // Answer once the request is written (the client reads it first); that
            // waits for our own output, never for the client.
            let out = tokio::time::timeout(
                std::time::Duration::from_secs(2),
                b.gate().apply_edits_written.past(written),
            );
            let _ = out.await;
            // Not known yet: the edit was sent, the client applies it or not.
            json!({ "applied": Value::Null, "sent": true, "edits": n })
        }
    }
}

/// Log an edit the client refused or a failed request; returns whether it was applied.
async fn log_answer(b: &Backend, answer: Result<ApplyWorkspaceEditResponse>) -> bool {
    match answer {
        Ok(resp) if resp.applied => true,
        Ok(resp) => {
            b.client
                .log_message(
                    MessageType::WARNING,
                    format!(
                        "workspace/applyEdit: the client did not apply the edit: {}",
                        resp.failure_reason.as_deref().unwrap_or("no reason given")
                    ),
                )
                .await;
            false
        }
        Err(e) => {
            b.client
                .log_message(
                    MessageType::WARNING,
                    format!("workspace/applyEdit failed: {e}"),
                )
                .await;
            false
        }
    }
}
