//! `workspace/executeCommand`:
//! - `nianbao.fixAll [uri]` — recompute every total (`workspace/applyEdit`);
//! - `nianbao.fixTable [uri, "table3" | "table4", version?]` — the same, for one table (the code lens).
//!
//! Arguments may also be one object: `{"uri": …, "table": …}`.

use super::code_action::fix_all_edits;
use super::code_lens::tables;
use super::edit::{lsp_edits, workspace_edit};
use super::server::{Backend, CMD_FIX_ALL, CMD_FIX_TABLE};
use serde_json::{json, Value};
use std::str::FromStr;
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
    match b
        .client
        .send_request::<request::ApplyWorkspaceEdit>(params)
        .await
    {
        Ok(resp) => Ok(Some(
            json!({ "applied": resp.applied, "edits": n, "failureReason": resp.failure_reason }),
        )),
        Err(e) => {
            b.client
                .log_message(
                    MessageType::WARNING,
                    format!("workspace/applyEdit failed: {e}"),
                )
                .await;
            Ok(Some(json!({ "applied": false, "edits": n })))
        }
    }
}
