//! Code actions:
//! - `quickfix`: one per fix of each finding under the cursor;
//! - `source.fixAll.nianbao` (also answers `source.fixAll`): recompute every total in one edit;
//! - `refactor.rewrite`: convert the pasted table under the cursor to a Markdown table;
//! - `refactor.rewrite`: insert the 2021-format skeleton into an empty or nearly empty report.
//!
//! Edits are inline unless the client resolves `edit` lazily (`codeAction/resolve`),
//! in which case actions carry `data` and the edit is computed on resolve. Every
//! edit names the document version it was computed for.

use super::diagnostics::to_lsp;
use super::document::Snapshot;
use super::edit::{lsp_edits, workspace_edit};
use super::server::Backend;
use super::settings::Attach;
use nianbao_core::diag::{FixKind, Lang};
use nianbao_core::text::{self, TextRange};
use serde_json::{json, Value};
use std::str::FromStr;
use tower_lsp_server::jsonrpc::{Error, ErrorCode, Result};
use tower_lsp_server::ls_types::*;

/// A quick fix that silences a finding (a sub-kind of `quickfix`, so editors list
/// it with the fixes, and clients that want the fix itself can tell them apart).
pub fn suppress_kind() -> CodeActionKind {
    CodeActionKind::new("quickfix.suppress.nianbao")
}

pub fn fix_all_kind() -> CodeActionKind {
    CodeActionKind::new("source.fixAll.nianbao")
}

/// Does the client's `only` filter admit `kind`? (Kinds are hierarchical: `source` admits `source.fixAll.nianbao`.)
pub fn wanted(only: Option<&Vec<CodeActionKind>>, kind: &CodeActionKind) -> bool {
    match only {
        None => true,
        Some(list) => list.iter().any(|o| {
            let (o, k) = (o.as_str(), kind.as_str());
            k == o || (k.starts_with(o) && k.as_bytes().get(o.len()) == Some(&b'.'))
        }),
    }
}

fn tr(lang: Lang, zh: String, en: String) -> String {
    match lang {
        Lang::Zh => zh,
        Lang::En => en,
    }
}

/// Fix-all: every recomputed total, as one consistent set of edits.
pub fn fix_all_edits(snap: &Snapshot, within: Option<TextRange>) -> Vec<text::TextEdit> {
    let Some(a) = &snap.analysis else {
        return Vec::new();
    };
    let mut edits = nianbao_core::fix::fix_all(snap.text(), &a.report);
    if let Some(r) = within {
        edits.retain(|e| e.range.start >= r.start && e.range.end <= r.end);
    }
    edits
}

pub fn fix_all_title(lang: Lang, n: usize) -> String {
    tr(
        lang,
        format!("重算全部合计（{n} 处）"),
        format!("Recompute all totals ({n} cells)"),
    )
}

/// The edit converting the pasted table at `offset` into a pipe table.
pub fn convert_edits(snap: &Snapshot, offset: usize) -> Option<Vec<text::TextEdit>> {
    let a = snap.analysis.as_ref()?;
    let c = nianbao_core::convert::conversion_at(snap.text(), &a.report, offset)?;
    let eol = nianbao_core::rules::shared::eol(snap.text());
    let markdown = nianbao_core::skeleton::with_eol(c.markdown, eol);
    Some(vec![text::TextEdit {
        range: c.range,
        new_text: markdown,
    }])
}

pub fn convert_title(lang: Lang) -> String {
    tr(
        lang,
        "将此表格转换为 Markdown 表格".into(),
        "Convert this table to a Markdown table".into(),
    )
}

fn nonblank_lines(text: &str) -> usize {
    text.lines().filter(|l| !l.trim().is_empty()).count()
}

/// Is the skeleton offered for this document? An empty or nearly empty text
/// document (fewer than 3 non-empty lines), or a report without any section heading.
pub fn skeleton_applicable(snap: &Snapshot) -> bool {
    if snap.attach == Attach::Never || !(snap.is_text || snap.attached) {
        return false;
    }
    if nonblank_lines(snap.text()) < 3 {
        return true;
    }
    match &snap.analysis {
        Some(a) => a.report.sections.iter().all(|s| s.is_none()),
        None => false,
    }
}

/// The year the report is about: from the analysis, the text ("2024年"), or last year.
fn report_year(snap: &Snapshot) -> u16 {
    if let Some(y) = snap.analysis.as_ref().and_then(|a| a.report.year) {
        return y;
    }
    let chars: Vec<char> = snap.text().chars().collect();
    for w in chars.windows(5) {
        if w[4] == '年' && w[..4].iter().all(|c| c.is_ascii_digit()) {
            let y: u16 = w[..4].iter().collect::<String>().parse().unwrap_or(0);
            if (2008..=2100).contains(&y) {
                return y;
            }
        }
    }
    nianbao_core::skeleton::default_year()
}

/// Insert the skeleton at the end of the document (or fill an empty one). A title
/// already written is kept and not repeated.
pub fn skeleton_edits(snap: &Snapshot) -> Option<Vec<text::TextEdit>> {
    if !skeleton_applicable(snap) {
        return None;
    }
    let year = report_year(snap);
    let text = snap.text();
    let eol = nianbao_core::rules::shared::eol(text);
    if text.trim().is_empty() {
        let s = nianbao_core::skeleton::with_eol(nianbao_core::skeleton::skeleton(year), eol);
        return Some(vec![text::TextEdit {
            range: TextRange::new(0, text.len()),
            new_text: s,
        }]);
    }
    let has_title = text.lines().any(|l| l.contains("年度报告"));
    let body = if has_title {
        nianbao_core::skeleton::body(year)
    } else {
        nianbao_core::skeleton::skeleton(year)
    };
    let mut prefix = String::new();
    if !(text.ends_with('\n') || text.ends_with('\r')) {
        prefix.push('\n');
    }
    if !text.trim_end_matches([' ', '\t']).ends_with("\n\n") && !text.ends_with("\r\n\r\n") {
        prefix.push('\n');
    }
    let s = nianbao_core::skeleton::with_eol(prefix + &body, eol);
    Some(vec![text::TextEdit {
        range: TextRange::empty(text.len()),
        new_text: s,
    }])
}

pub fn skeleton_title(lang: Lang) -> String {
    tr(
        lang,
        "插入2021年版年度报告模板".into(),
        "Insert the 2021-format report skeleton".into(),
    )
}

/// Attach the edit now, or `data` to resolve it later.
fn finish(
    b_caps: &super::caps::Caps,
    snap: &Snapshot,
    mut action: CodeAction,
    data: Value,
    edits: Vec<text::TextEdit>,
) -> CodeAction {
    if b_caps.code_action_resolve_edit {
        let mut data = data;
        data["uri"] = json!(snap.uri.as_str());
        data["version"] = json!(snap.version);
        action.data = Some(data);
    } else {
        action.edit = Some(workspace_edit(
            &snap.uri,
            snap.version,
            lsp_edits(snap, &edits),
            b_caps.document_changes,
        ));
    }
    action
}

pub async fn code_action(
    b: &Backend,
    params: CodeActionParams,
) -> Result<Option<CodeActionResponse>> {
    let Some(snap) = b.snapshot(&params.text_document.uri).await? else {
        return Ok(None);
    };
    let caps = b.state.caps();
    let only = params.context.only.as_ref();
    let lang = snap.lang;
    let req = snap.conv().text_range(params.range);
    let mut out: Vec<CodeActionOrCommand> = Vec::new();

    if let Some(a) = &snap.analysis {
        if wanted(only, &CodeActionKind::QUICKFIX) {
            for d in a
                .diagnostics
                .iter()
                .filter(|d| d.range.start <= req.end && req.start <= d.range.end)
            {
                if d.fixes.is_empty() {
                    continue;
                }
                let ld = to_lsp(&snap, d);
                for f in &d.fixes {
                    let action = CodeAction {
                        title: f.title.get(lang).to_string(),
                        kind: Some(CodeActionKind::QUICKFIX),
                        diagnostics: Some(vec![ld.clone()]),
                        is_preferred: Some(f.preferred),
                        ..Default::default()
                    };
                    // Resolve needs nothing but the edits and the version they belong to.
                    let data = json!({ "action": "quickfix", "edits": lsp_edits(&snap, &f.edits) });
                    out.push(CodeActionOrCommand::CodeAction(finish(
                        &caps,
                        &snap,
                        action,
                        data,
                        f.edits.clone(),
                    )));
                }
            }
        }
        // Last, after the fixes: silence a finding on its line with a comment above it.
        if wanted(only, &suppress_kind()) {
            let mut seen = std::collections::HashSet::new();
            for d in a
                .diagnostics
                .iter()
                .filter(|d| d.range.start <= req.end && req.start <= d.range.end)
                .filter(|d| d.rule != nianbao_core::rules::Rule::UnusedSuppression)
            {
                let edit = nianbao_core::suppress::next_line_comment_edit(snap.text(), d);
                if !seen.insert((d.rule, edit.range.start)) {
                    continue;
                }
                let action = CodeAction {
                    title: tr(
                        lang,
                        format!(
                            "忽略此行的 {}（在上一行插入 nianbao-disable-next-line 注释）",
                            d.code()
                        ),
                        format!(
                            "Ignore {} on this line (insert a nianbao-disable-next-line comment)",
                            d.code()
                        ),
                    ),
                    kind: Some(suppress_kind()),
                    diagnostics: Some(vec![to_lsp(&snap, d)]),
                    is_preferred: Some(false),
                    ..Default::default()
                };
                let edits = vec![edit];
                let data = json!({ "action": "quickfix", "edits": lsp_edits(&snap, &edits) });
                out.push(CodeActionOrCommand::CodeAction(finish(
                    &caps, &snap, action, data, edits,
                )));
            }
        }
        if wanted(only, &fix_all_kind()) {
            let edits = fix_all_edits(&snap, None);
            if !edits.is_empty() {
                let diags = a
                    .diagnostics
                    .iter()
                    .filter(|d| d.fixes.iter().any(|f| f.kind == FixKind::Recompute))
                    .map(|d| to_lsp(&snap, d))
                    .collect::<Vec<_>>();
                let action = CodeAction {
                    title: fix_all_title(lang, edits.len()),
                    kind: Some(fix_all_kind()),
                    diagnostics: (!diags.is_empty()).then_some(diags),
                    ..Default::default()
                };
                out.push(CodeActionOrCommand::CodeAction(finish(
                    &caps,
                    &snap,
                    action,
                    json!({ "action": "fixAll" }),
                    edits,
                )));
            }
        }
    }
    if wanted(only, &CodeActionKind::REFACTOR_REWRITE) {
        if let Some(edits) = convert_edits(&snap, req.start) {
            let action = CodeAction {
                title: convert_title(lang),
                kind: Some(CodeActionKind::REFACTOR_REWRITE),
                ..Default::default()
            };
            let data = json!({ "action": "convert", "position": params.range.start });
            out.push(CodeActionOrCommand::CodeAction(finish(
                &caps, &snap, action, data, edits,
            )));
        }
        if let Some(edits) = skeleton_edits(&snap) {
            let action = CodeAction {
                title: skeleton_title(lang),
                kind: Some(CodeActionKind::REFACTOR_REWRITE),
                ..Default::default()
            };
            out.push(CodeActionOrCommand::CodeAction(finish(
                &caps,
                &snap,
                action,
                json!({ "action": "skeleton" }),
                edits,
            )));
        }
    }
    Ok(Some(out))
}

fn content_modified(msg: &str) -> Error {
    Error {
        code: ErrorCode::ContentModified,
        message: msg.to_string().into(),
        data: None,
    }
}

/// `codeAction/resolve`: fill in `edit`.
pub async fn resolve(b: &Backend, mut action: CodeAction) -> Result<CodeAction> {
    let Some(data) = action.data.clone() else {
        return Ok(action);
    };
    let caps = b.state.caps();
    let uri = data
        .get("uri")
        .and_then(Value::as_str)
        .and_then(|u| Uri::from_str(u).ok())
        .ok_or_else(|| Error::invalid_params("code action data without a document uri"))?;
    let kind = data.get("action").and_then(Value::as_str).unwrap_or("");
    if kind == "quickfix" {
        let version = data.get("version").and_then(Value::as_i64).unwrap_or(0) as i32;
        let edits: Vec<TextEdit> =
            serde_json::from_value(data.get("edits").cloned().unwrap_or(Value::Null))
                .map_err(|e| Error::invalid_params(format!("code action data: {e}")))?;
        action.edit = Some(workspace_edit(&uri, version, edits, caps.document_changes));
        return Ok(action);
    }
    let Some(snap) = b.snapshot(&uri).await? else {
        return Err(content_modified("the document is closed"));
    };
    let edits = match kind {
        "fixAll" => Some(fix_all_edits(&snap, None)).filter(|e| !e.is_empty()),
        "convert" => {
            let pos: Position =
                serde_json::from_value(data.get("position").cloned().unwrap_or(Value::Null))
                    .map_err(|e| Error::invalid_params(format!("code action data: {e}")))?;
            convert_edits(&snap, snap.conv().offset(pos))
        }
        "skeleton" => skeleton_edits(&snap),
        other => {
            return Err(Error::invalid_params(format!(
                "unknown code action {other:?}"
            )))
        }
    };
    let Some(edits) = edits else {
        return Err(content_modified(
            "the action no longer applies to the document",
        ));
    };
    action.edit = Some(workspace_edit(
        &snap.uri,
        snap.version,
        lsp_edits(&snap, &edits),
        caps.document_changes,
    ));
    Ok(action)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_filter_is_hierarchical() {
        let fa = fix_all_kind();
        assert!(wanted(None, &fa));
        assert!(wanted(Some(&vec![CodeActionKind::SOURCE_FIX_ALL]), &fa));
        assert!(wanted(Some(&vec![CodeActionKind::SOURCE]), &fa));
        assert!(!wanted(Some(&vec![CodeActionKind::QUICKFIX]), &fa));
        assert!(!wanted(Some(&vec![CodeActionKind::new("source.fix")]), &fa));
        assert!(wanted(
            Some(&vec![CodeActionKind::REFACTOR]),
            &CodeActionKind::REFACTOR_REWRITE
        ));
    }
}
