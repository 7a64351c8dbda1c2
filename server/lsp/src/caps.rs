//! What the client declared in `initialize`, reduced to the switches the server uses.

use super::encoding;
use nianbao_core::text::Encoding;
use tower_lsp_server::ls_types::ClientCapabilities;

#[derive(Clone, Debug)]
pub struct Caps {
    /// The negotiated position encoding.
    pub encoding: Encoding,
    /// The client pulls diagnostics (`textDocument.diagnostic`): never push to it.
    pub pull_diagnostics: bool,
    /// `workspace/diagnostic/refresh` may be sent.
    pub diagnostic_refresh: bool,
    /// `workspace/configuration` may be requested.
    pub configuration: bool,
    /// `workspace/didChangeConfiguration` can be registered dynamically.
    pub did_change_configuration_dynamic: bool,
    /// Code actions are resolved lazily: the client resolves `edit`.
    pub code_action_resolve_edit: bool,
    /// Workspace edits may use `documentChanges` (versioned).
    pub document_changes: bool,
    /// `workspace/applyEdit` is supported.
    pub apply_edit: bool,
    pub hierarchical_symbols: bool,
    pub inlay_hint_refresh: bool,
    pub code_lens_refresh: bool,
}

impl Default for Caps {
    fn default() -> Self {
        Caps {
            encoding: Encoding::Utf16,
            pull_diagnostics: false,
            diagnostic_refresh: false,
            configuration: false,
            did_change_configuration_dynamic: false,
            code_action_resolve_edit: false,
            document_changes: false,
            apply_edit: false,
            hierarchical_symbols: false,
            inlay_hint_refresh: false,
            code_lens_refresh: false,
        }
    }
}

impl Caps {
    pub fn from_client(c: &ClientCapabilities) -> Caps {
        let td = c.text_document.as_ref();
        let ws = c.workspace.as_ref();
        let code_action = td.and_then(|t| t.code_action.as_ref());
        Caps {
            encoding: encoding::negotiate(c),
            pull_diagnostics: td.and_then(|t| t.diagnostic.as_ref()).is_some(),
            diagnostic_refresh: ws
                .and_then(|w| w.diagnostics.as_ref())
                .and_then(|d| d.refresh_support)
                .unwrap_or(false),
            configuration: ws.and_then(|w| w.configuration).unwrap_or(false),
            did_change_configuration_dynamic: ws
                .and_then(|w| w.did_change_configuration.as_ref())
                .and_then(|d| d.dynamic_registration)
                .unwrap_or(false),
            code_action_resolve_edit: code_action
                .and_then(|a| a.resolve_support.as_ref())
                .map(|r| r.properties.iter().any(|p| p == "edit"))
                .unwrap_or(false),
            document_changes: ws
                .and_then(|w| w.workspace_edit.as_ref())
                .and_then(|e| e.document_changes)
                .unwrap_or(false),
            apply_edit: ws.and_then(|w| w.apply_edit).unwrap_or(false),
            hierarchical_symbols: td
                .and_then(|t| t.document_symbol.as_ref())
                .and_then(|s| s.hierarchical_document_symbol_support)
                .unwrap_or(false),
            inlay_hint_refresh: ws
                .and_then(|w| w.inlay_hint.as_ref())
                .and_then(|i| i.refresh_support)
                .unwrap_or(false),
            code_lens_refresh: ws
                .and_then(|w| w.code_lens.as_ref())
                .and_then(|i| i.refresh_support)
                .unwrap_or(false),
        }
    }
}
