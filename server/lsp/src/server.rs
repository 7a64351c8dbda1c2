//! Server state and the `LanguageServer` implementation, which dispatches each
//! method to its own file. Every handler runs inside [`guard`]: a panic becomes
//! an InternalError answer (and a log message), never a dead server.

use super::caps::Caps;
use super::document::{self, Document, Snapshot, SnapshotInput};
use super::settings::{self, Settings};
use super::transport::{Gate, OpenOnDrop};
use super::{
    code_action, code_lens, diagnostics, did_change, document_symbol, encoding, execute_command,
    folding_range, formatting, hover, inlay_hint,
};
use serde::Deserialize;
use serde_json::{json, Value};
use std::collections::{HashMap, HashSet};
use std::future::Future;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::pin::Pin;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, RwLock};
use std::task::{Context, Poll};
use tokio::sync::mpsc;
use tower_lsp_server::jsonrpc::{Error, ErrorCode, Result};
use tower_lsp_server::ls_types::*;
use tower_lsp_server::{Client, LanguageServer};

/// Commands the server executes (`workspace/executeCommand`).
pub const CMD_FIX_ALL: &str = "nianbao.fixAll";
pub const CMD_FIX_TABLE: &str = "nianbao.fixTable";
pub const CMD_RULE_DOCS: &str = "nianbao.ruleDocs";

/// Everything the handlers share.
#[derive(Default)]
pub struct State {
    docs: Mutex<HashMap<Uri, Document>>,
    caps: RwLock<Caps>,
    settings: RwLock<Settings>,
    /// Bumped on every settings change: snapshots of older generations are stale.
    generation: AtomicU64,
    shutdown: AtomicBool,
    /// Documents whose last pushed diagnostics were not empty (owned by the push worker).
    pub published: Mutex<HashSet<Uri>>,
    worker: Mutex<Option<mpsc::UnboundedSender<Uri>>>,
    /// Last year's reports, for the checks across years.
    pub peers: super::peers::Peers,
    /// nianbao.toml files (see `settings`).
    pub project: settings::ProjectState,
    /// Documents whose server copy is known to differ from the editor's (a
    /// didChange could not be read): no diagnostics until the next full text.
    desynced: Mutex<HashSet<Uri>>,
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

impl State {
    pub fn docs(&self) -> MutexGuard<'_, HashMap<Uri, Document>> {
        lock(&self.docs)
    }
    pub fn caps(&self) -> Caps {
        self.caps.read().unwrap_or_else(|e| e.into_inner()).clone()
    }
    pub fn settings(&self) -> Settings {
        self.settings
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
    }
    /// Replace the settings; bumps the generation when they differ.
    pub fn set_settings(&self, s: Settings) -> bool {
        let mut cur = self.settings.write().unwrap_or_else(|e| e.into_inner());
        if *cur == s {
            return false;
        }
        *cur = s;
        self.generation.fetch_add(1, Ordering::SeqCst);
        true
    }
    /// Make every snapshot stale (a nianbao.toml changed).
    pub fn bump_generation(&self) {
        self.generation.fetch_add(1, Ordering::SeqCst);
    }
    pub fn generation(&self) -> u64 {
        self.generation.load(Ordering::SeqCst)
    }
    pub fn open_uris(&self) -> Vec<Uri> {
        self.docs().keys().cloned().collect()
    }
    pub fn shutdown_requested(&self) -> bool {
        self.shutdown.load(Ordering::SeqCst)
    }
    /// The server's copy of `uri` is known to differ from the editor's.
    pub fn is_desynced(&self, uri: &Uri) -> bool {
        lock(&self.desynced).contains(uri)
    }
}

#[derive(Clone)]
pub struct Backend {
    pub client: Client,
    pub state: Arc<State>,
    /// Holds the input after `initialize` until it is answered (see `transport`).
    gate: Arc<Gate>,
}

/// A future that turns a panic into an error.
struct CatchUnwind<F>(Pin<Box<F>>);

impl<F: Future> Future for CatchUnwind<F> {
    type Output = std::result::Result<F::Output, String>;
    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        match catch_unwind(AssertUnwindSafe(|| self.0.as_mut().poll(cx))) {
            Ok(Poll::Pending) => Poll::Pending,
            Ok(Poll::Ready(v)) => Poll::Ready(Ok(v)),
            Err(p) => Poll::Ready(Err(panic_message(p))),
        }
    }
}

pub fn panic_message(p: Box<dyn std::any::Any + Send>) -> String {
    p.downcast_ref::<&str>()
        .map(|s| s.to_string())
        .or_else(|| p.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "panic".to_string())
}

pub fn internal_error(what: &str, msg: &str) -> Error {
    Error {
        code: ErrorCode::InternalError,
        message: format!("nianbao: {what} failed: {msg}").into(),
        data: None,
    }
}

#[derive(Deserialize)]
pub struct DocumentTextParams {
    pub uri: Uri,
}

impl Backend {
    pub fn new(client: Client, gate: Arc<Gate>) -> Self {
        Backend {
            client,
            state: Arc::new(State::default()),
            gate,
        }
    }

    pub fn state(&self) -> Arc<State> {
        self.state.clone()
    }

    /// What the transport knows of the session (messages written, input ended).
    pub fn gate(&self) -> &Gate {
        &self.gate
    }

    /// Run a request handler; a panic answers InternalError and is logged.
    async fn guard<T>(&self, what: &str, fut: impl Future<Output = Result<T>>) -> Result<T> {
        match CatchUnwind(Box::pin(fut)).await {
            Ok(r) => r,
            Err(msg) => {
                self.client
                    .log_message(
                        MessageType::ERROR,
                        format!("nianbao: {what} panicked: {msg}"),
                    )
                    .await;
                Err(internal_error(what, &msg))
            }
        }
    }

    /// Run a notification handler; a panic is logged.
    async fn guard_notification(&self, what: &str, fut: impl Future<Output = ()>) {
        if let Err(msg) = CatchUnwind(Box::pin(fut)).await {
            self.client
                .log_message(
                    MessageType::ERROR,
                    format!("nianbao: {what} panicked: {msg}"),
                )
                .await;
        }
    }

    /// Queue a document for the push worker (no-op for pull clients).
    pub fn schedule(&self, uri: Uri) {
        if self.state.caps().pull_diagnostics || self.state.is_desynced(&uri) {
            return;
        }
        let mut w = lock(&self.state.worker);
        if w.is_none() {
            *w = Some(diagnostics::spawn_worker(self.clone()));
        }
        if let Some(tx) = w.as_ref() {
            let _ = tx.send(uri);
        }
    }

    /// The analysis of the current version of `uri` (cached, or computed now on a
    /// blocking thread), with the findings across years (`peers`). `Ok(None)`
    /// when the document is not open.
    pub async fn snapshot(&self, uri: &Uri) -> Result<Option<Arc<Snapshot>>> {
        match self.single_file_snapshot(uri).await? {
            Some(base) => Ok(Some(super::peers::layer(self, base).await?)),
            None => Ok(None),
        }
    }

    /// The analysis of the document alone.
    async fn single_file_snapshot(&self, uri: &Uri) -> Result<Option<Arc<Snapshot>>> {
        let generation = self.state.generation();
        let taken;
        let input = {
            let mut docs = self.state.docs();
            let Some(doc) = docs.get_mut(uri) else {
                return Ok(None);
            };
            if let Some(s) = doc.current_snapshot(generation) {
                return Ok(Some(s));
            }
            let settings = self.state.settings();
            let (engine, pending, epoch) = doc.take_engine();
            taken = (epoch, doc.serial);
            SnapshotInput {
                uri: uri.clone(),
                version: doc.version,
                generation,
                rope: doc.rope.clone(),
                engine,
                pending,
                language_id: doc.language_id.clone(),
                attach: settings.attach,
                config: settings::document_config(self, uri, &settings),
                encoding: self.state.caps().encoding,
            }
        };
        let (snap, engine) = self
            .analyze_blocking(move || document::build(input))
            .await?;
        let snap = Arc::new(snap);
        let mut docs = self.state.docs();
        if let Some(doc) = docs.get_mut(uri) {
            doc.give_back(engine, taken.0, taken.1);
            let newer = doc
                .snapshot
                .as_ref()
                .map(|s| (s.version, s.generation) > (snap.version, snap.generation))
                .unwrap_or(false);
            if !newer && doc.version == snap.version {
                doc.snapshot = Some(snap.clone());
            }
        }
        Ok(Some(snap))
    }

    /// Run the engine on a blocking thread; a panic is logged and answers InternalError.
    pub async fn analyze_blocking<T: Send + 'static>(
        &self,
        f: impl FnOnce() -> T + Send + 'static,
    ) -> Result<T> {
        match tokio::task::spawn_blocking(move || catch_unwind(AssertUnwindSafe(f))).await {
            Ok(Ok(v)) => Ok(v),
            Ok(Err(p)) => {
                let msg = panic_message(p);
                self.client
                    .log_message(
                        MessageType::ERROR,
                        format!("nianbao: analysis panicked: {msg}"),
                    )
                    .await;
                Err(internal_error("analysis", &msg))
            }
            Err(e) => Err(internal_error("analysis", &e.to_string())),
        }
    }

    /// `nianbao/debugPanic {"in": "handler" | "analysis"}` (debug builds only): panic on
    /// purpose, to test that a failing handler answers an error and the server goes on.
    #[cfg(debug_assertions)]
    pub async fn debug_panic(&self, params: Value) -> Result<Value> {
        let in_analysis = params.get("in").and_then(Value::as_str) == Some("analysis");
        self.guard("nianbao/debugPanic", async {
            if in_analysis {
                self.analyze_blocking(|| -> Value { panic!("nianbao/debugPanic in analysis") })
                    .await
            } else {
                panic!("nianbao/debugPanic in a handler")
            }
        })
        .await
    }

    /// `nianbao/debugMemory` (debug builds only): the allocator's counters, to tell
    /// memory still in use from memory freed but kept by the allocator.
    #[cfg(debug_assertions)]
    pub async fn debug_memory(&self, params: Value) -> Result<Value> {
        #[cfg(all(target_os = "linux", target_env = "gnu"))]
        {
            if params.get("trim").and_then(Value::as_bool) == Some(true) {
                // SAFETY: malloc_trim only returns free heap pages to the OS.
                unsafe {
                    libc::malloc_trim(0);
                }
            }
            // SAFETY: mallinfo2 only reads the allocator's statistics.
            let m = unsafe { libc::mallinfo2() };
            Ok(serde_json::json!({
                "arena": m.arena, "inUse": m.uordblks, "free": m.fordblks, "freeChunks": m.ordblks,
                "mmapped": m.hblkhd, "releasable": m.keepcost,
                "docs": self.state.docs().len(),
                "docsCapacity": self.state.docs().capacity(),
                "published": self.state.published.lock().map(|p| p.len()).unwrap_or(0),
            }))
        }
        #[cfg(not(all(target_os = "linux", target_env = "gnu")))]
        Ok(Value::Null)
    }

    /// `nianbao/invalidMessage` (a notification the transport puts in place of a
    /// message it could not pass on): log it. A lost didOpen or didChange leaves
    /// the server's copy of the document different from the editor's: say so to
    /// the user and publish nothing for it until the next full text (see `desync`).
    pub async fn invalid_message(&self, params: Value) {
        let method = params.get("method").and_then(Value::as_str).unwrap_or("");
        let msg = format!(
            "nianbao: dropped an invalid message ({}{}): {}",
            params.get("code").unwrap_or(&Value::Null),
            if method.is_empty() {
                String::new()
            } else {
                format!(", {method}")
            },
            params.get("message").and_then(Value::as_str).unwrap_or("")
        );
        eprintln!("{msg}");
        self.client.log_message(MessageType::WARNING, msg).await;
        if matches!(method, "textDocument/didChange" | "textDocument/didOpen") {
            let uri = params
                .get("uri")
                .and_then(Value::as_str)
                .and_then(|u| <Uri as std::str::FromStr>::from_str(u).ok());
            if let Some(uri) = uri {
                self.desync(uri).await;
            }
        }
    }

    /// The server's copy of `uri` is known to differ from the editor's: tell the
    /// user, clear its diagnostics and publish none until a full text arrives
    /// (a didChange without range, or didOpen after reopening).
    async fn desync(&self, uri: Uri) {
        if !lock(&self.state.desynced).insert(uri.clone()) {
            return;
        }
        let name = uri.as_str().rsplit('/').next().unwrap_or("").to_string();
        let text = match self.state.settings().config().lang {
            nianbao_core::diag::Lang::Zh => format!(
                "nianbao：未能读取对「{name}」的一次修改，服务器中的文本已与编辑器不一致。关闭并重新打开该文档后才会再次检查它。"
            ),
            nianbao_core::diag::Lang::En => format!(
                "nianbao: an edit of “{name}” could not be read, so the server's copy differs from the editor's. Close and reopen the document to have it checked again."
            ),
        };
        self.client.log_message(MessageType::WARNING, &text).await;
        self.client.show_message(MessageType::WARNING, text).await;
        if !self.state.caps().pull_diagnostics {
            self.client.publish_diagnostics(uri, Vec::new(), None).await;
        }
    }

    /// `nianbao/repairedMessage` (sent by the transport after a message it had to
    /// decode leniently: invalid UTF-8 or lone surrogates replaced by U+FFFD): log it.
    pub async fn repaired_message(&self, params: Value) {
        let msg = format!(
            "nianbao: {} invalid character(s) replaced by U+FFFD in a message ({}{})",
            params.get("replaced").unwrap_or(&Value::Null),
            params
                .get("method")
                .and_then(Value::as_str)
                .unwrap_or("a response"),
            params
                .get("uri")
                .and_then(Value::as_str)
                .map(|u| format!(", {u}"))
                .unwrap_or_default()
        );
        eprintln!("{msg}");
        self.client.log_message(MessageType::WARNING, msg).await;
    }

    /// `nianbao/invalidRequest` (in place of a broken request that had an id):
    /// answer the error the client is owed.
    pub async fn invalid_request(&self, params: Value) -> Result<Value> {
        let code = params.get("code").and_then(Value::as_i64).unwrap_or(-32600);
        let message = params
            .get("message")
            .and_then(Value::as_str)
            .unwrap_or("invalid request")
            .to_string();
        self.invalid_message(params).await;
        Err(Error {
            code: tower_lsp_server::jsonrpc::ErrorCode::from(code),
            message: message.into(),
            data: None,
        })
    }

    /// The current version of an open document.
    pub fn version_of(&self, uri: &Uri) -> Option<i32> {
        self.state.docs().get(uri).map(|d| d.version)
    }

    /// `nianbao/documentText`: the server's copy of a document (a debugging aid, used by the tests).
    pub async fn document_text(&self, params: DocumentTextParams) -> Result<Value> {
        let docs = self.state.docs();
        match docs.get(&params.uri) {
            Some(d) => Ok(json!({ "version": d.version, "text": d.rope.to_string() })),
            None => Err(Error::invalid_params(format!(
                "document not open: {}",
                params.uri.as_str()
            ))),
        }
    }

    fn capabilities(&self, caps: &Caps) -> ServerCapabilities {
        ServerCapabilities {
            position_encoding: Some(encoding::kind(caps.encoding)),
            text_document_sync: Some(TextDocumentSyncCapability::Options(
                TextDocumentSyncOptions {
                    open_close: Some(true),
                    change: Some(TextDocumentSyncKind::INCREMENTAL),
                    ..Default::default()
                },
            )),
            hover_provider: Some(HoverProviderCapability::Simple(true)),
            code_action_provider: Some(CodeActionProviderCapability::Options(CodeActionOptions {
                code_action_kinds: Some(vec![
                    CodeActionKind::QUICKFIX,
                    code_action::suppress_kind(),
                    CodeActionKind::SOURCE_FIX_ALL,
                    code_action::fix_all_kind(),
                    CodeActionKind::REFACTOR_REWRITE,
                ]),
                resolve_provider: Some(caps.code_action_resolve_edit),
                work_done_progress_options: Default::default(),
            })),
            code_lens_provider: Some(CodeLensOptions {
                resolve_provider: Some(false),
            }),
            document_symbol_provider: Some(OneOf::Left(true)),
            folding_range_provider: Some(FoldingRangeProviderCapability::Simple(true)),
            document_formatting_provider: Some(OneOf::Left(true)),
            inlay_hint_provider: Some(OneOf::Left(true)),
            execute_command_provider: Some(ExecuteCommandOptions {
                commands: vec![
                    CMD_FIX_ALL.to_string(),
                    CMD_FIX_TABLE.to_string(),
                    CMD_RULE_DOCS.to_string(),
                ],
                work_done_progress_options: Default::default(),
            }),
            diagnostic_provider: caps.pull_diagnostics.then(|| {
                DiagnosticServerCapabilities::Options(DiagnosticOptions {
                    identifier: Some("nianbao".to_string()),
                    inter_file_dependencies: false,
                    workspace_diagnostics: false,
                    work_done_progress_options: Default::default(),
                })
            }),
            ..Default::default()
        }
    }
}

impl LanguageServer for Backend {
    async fn initialize(&self, params: InitializeParams) -> Result<InitializeResult> {
        // Whatever happens here, the messages after `initialize` go through afterwards.
        let _open = OpenOnDrop(self.gate.clone());
        let caps = Caps::from_client(&params.capabilities);
        self.state.peers.set_client_caps(&params.capabilities);
        self.state.project.init(&params.capabilities);
        *self.state.caps.write().unwrap_or_else(|e| e.into_inner()) = caps.clone();
        let locale = settings::locale_lang(params.locale.as_deref());
        let (s, problems) = match &params.initialization_options {
            Some(v) => Settings::from_value(v, locale),
            None => Settings::from_value(&Value::Null, locale),
        };
        self.state.set_settings(s);
        for p in problems {
            self.client.log_message(MessageType::WARNING, p).await;
        }
        Ok(InitializeResult {
            capabilities: self.capabilities(&caps),
            server_info: Some(ServerInfo {
                name: "nianbao".to_string(),
                version: Some(env!("CARGO_PKG_VERSION").to_string()),
            }),
            offset_encoding: None,
        })
    }

    async fn initialized(&self, _: InitializedParams) {
        // Round trips to the client run detached: a handler that awaits the client
        // would keep the server from exiting if `exit` arrived first.
        let b = self.clone();
        tokio::spawn(async move {
            b.guard_notification("initialized", async {
                let caps = b.state.caps();
                if caps.did_change_configuration_dynamic {
                    let reg = Registration {
                        id: "nianbao-configuration".to_string(),
                        method: "workspace/didChangeConfiguration".to_string(),
                        register_options: Some(json!({ "section": "nianbao" })),
                    };
                    if let Err(e) = b.client.register_capability(vec![reg]).await {
                        b.client
                            .log_message(
                                MessageType::WARNING,
                                format!("cannot register for configuration changes: {e}"),
                            )
                            .await;
                    }
                }
                super::peers::register_watch(&b).await;
                settings::watch_project_files(&b).await;
                if settings::pull(&b).await {
                    settings::changed(&b).await;
                }
            })
            .await
        });
    }

    async fn shutdown(&self) -> Result<()> {
        self.state.shutdown.store(true, Ordering::SeqCst);
        self.gate.shutdown_answered();
        if let Some(tx) = lock(&self.state.worker).take() {
            drop(tx);
        }
        Ok(())
    }

    async fn did_open(&self, params: DidOpenTextDocumentParams) {
        lock(&self.state.desynced).remove(&params.text_document.uri);
        self.guard_notification("didOpen", did_change::did_open(self, params))
            .await
    }

    async fn did_change(&self, mut params: DidChangeTextDocumentParams) {
        let uri = &params.text_document.uri;
        if self.state.is_desynced(uri) {
            // Edits to a text known to differ would apply at the wrong places:
            // only a full text puts the copy right again.
            match params
                .content_changes
                .iter()
                .rposition(|c| c.range.is_none())
            {
                Some(last_full) => {
                    lock(&self.state.desynced).remove(uri);
                    params.content_changes.drain(..last_full);
                    self.client
                        .log_message(
                            MessageType::INFO,
                            format!("nianbao: {} is in sync again (full text)", uri.as_str()),
                        )
                        .await;
                }
                None => {
                    self.client
                        .log_message(
                            MessageType::WARNING,
                            format!(
                                "nianbao: didChange v{} of {} ignored: the server's copy differs from the editor's",
                                params.text_document.version,
                                uri.as_str()
                            ),
                        )
                        .await;
                    return;
                }
            }
        }
        self.guard_notification("didChange", did_change::did_change(self, params))
            .await
    }

    async fn did_close(&self, params: DidCloseTextDocumentParams) {
        let uri = params.text_document.uri.clone();
        lock(&self.state.desynced).remove(&uri);
        self.guard_notification("didClose", did_change::did_close(self, params))
            .await;
        super::peers::closed(self, &uri);
    }

    async fn did_change_watched_files(&self, params: DidChangeWatchedFilesParams) {
        settings::watched_files_changed(self, &params);
        super::peers::watched_files_changed(self, params);
    }

    async fn did_change_configuration(&self, params: DidChangeConfigurationParams) {
        // Settings pushed in the notification apply at once (in order); the pull and
        // the refreshes run detached (see `initialized`).
        let mut changed = false;
        let mut problems = Vec::new();
        if settings::has_settings(&params.settings) {
            let (c, p) = settings::install(self, &params.settings);
            changed = c;
            problems = p;
        }
        let b = self.clone();
        tokio::spawn(async move {
            b.guard_notification("didChangeConfiguration", async {
                for p in problems {
                    b.client.log_message(MessageType::WARNING, p).await;
                }
                let pulled = settings::pull(&b).await;
                if changed || pulled {
                    settings::changed(&b).await;
                }
            })
            .await
        });
    }

    async fn diagnostic(
        &self,
        params: DocumentDiagnosticParams,
    ) -> Result<DocumentDiagnosticReportResult> {
        if self.state.is_desynced(&params.text_document.uri) {
            return Ok(DocumentDiagnosticReportResult::Report(
                DocumentDiagnosticReport::Full(RelatedFullDocumentDiagnosticReport::default()),
            ));
        }
        self.guard("textDocument/diagnostic", diagnostics::pull(self, params))
            .await
    }

    async fn code_action(&self, params: CodeActionParams) -> Result<Option<CodeActionResponse>> {
        self.guard(
            "textDocument/codeAction",
            code_action::code_action(self, params),
        )
        .await
    }

    async fn code_action_resolve(&self, params: CodeAction) -> Result<CodeAction> {
        self.guard("codeAction/resolve", code_action::resolve(self, params))
            .await
    }

    async fn hover(&self, params: HoverParams) -> Result<Option<Hover>> {
        self.guard("textDocument/hover", hover::hover(self, params))
            .await
    }

    async fn inlay_hint(&self, params: InlayHintParams) -> Result<Option<Vec<InlayHint>>> {
        self.guard(
            "textDocument/inlayHint",
            inlay_hint::inlay_hint(self, params),
        )
        .await
    }

    async fn code_lens(&self, params: CodeLensParams) -> Result<Option<Vec<CodeLens>>> {
        self.guard("textDocument/codeLens", code_lens::code_lens(self, params))
            .await
    }

    async fn document_symbol(
        &self,
        params: DocumentSymbolParams,
    ) -> Result<Option<DocumentSymbolResponse>> {
        self.guard(
            "textDocument/documentSymbol",
            document_symbol::document_symbol(self, params),
        )
        .await
    }

    async fn folding_range(&self, params: FoldingRangeParams) -> Result<Option<Vec<FoldingRange>>> {
        self.guard(
            "textDocument/foldingRange",
            folding_range::folding_range(self, params),
        )
        .await
    }

    async fn formatting(&self, params: DocumentFormattingParams) -> Result<Option<Vec<TextEdit>>> {
        self.guard(
            "textDocument/formatting",
            formatting::formatting(self, params),
        )
        .await
    }

    async fn execute_command(&self, params: ExecuteCommandParams) -> Result<Option<LSPAny>> {
        self.guard(
            "workspace/executeCommand",
            execute_command::execute_command(self, params),
        )
        .await
    }
}
