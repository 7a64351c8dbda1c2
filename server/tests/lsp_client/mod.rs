//! A small in-process LSP client for the `lsp_*` tests: the server runs on one end
//! of a `tokio::io::duplex` pipe (`nianbao_lsp::serve`), the test drives JSON-RPC
//! frames on the other. Server-to-client requests are answered automatically
//! (`workspace/configuration` with [`TestClient::config`], `workspace/applyEdit`
//! with `applied: true`, anything else with `null`) and recorded.
#![allow(dead_code)]

use nianbao_core::text::{apply_edits, Encoding, LineIndex, Position, TextEdit, TextRange};
use serde_json::{json, Value};
use std::collections::{HashMap, VecDeque};
use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};
use tokio::sync::{mpsc, oneshot};

pub const TIMEOUT: Duration = Duration::from_secs(20);

pub struct TestClient {
    out: mpsc::UnboundedSender<Value>,
    next_id: AtomicI64,
    pending: Arc<Mutex<HashMap<i64, oneshot::Sender<Value>>>>,
    notifications: tokio::sync::Mutex<(mpsc::UnboundedReceiver<Value>, VecDeque<Value>)>,
    /// Every request the server sent to the client.
    pub server_requests: Arc<Mutex<Vec<Value>>>,
    /// The answer to `workspace/configuration` (one value per requested item).
    pub config: Arc<Mutex<Value>>,
    server: Mutex<Option<tokio::task::JoinHandle<bool>>>,
}

async fn read_frame<R: tokio::io::AsyncBufRead + Unpin>(r: &mut R) -> Option<Value> {
    let mut len = None;
    loop {
        let mut line = String::new();
        if r.read_line(&mut line).await.ok()? == 0 {
            return None;
        }
        let line = line.trim_end();
        if line.is_empty() {
            break;
        }
        if let Some(v) = line.strip_prefix("Content-Length:") {
            len = v.trim().parse::<usize>().ok();
        }
    }
    let mut body = vec![0u8; len?];
    r.read_exact(&mut body).await.ok()?;
    serde_json::from_slice(&body).ok()
}

impl TestClient {
    /// Start a server and send `initialize` (with `params`) and `initialized`.
    /// Returns the client and the `initialize` result.
    pub async fn start(params: Value) -> (TestClient, Value) {
        Self::start_with_config(params, Value::Null).await
    }

    /// Like [`start`], answering `workspace/configuration` with `config`.
    pub async fn start_with_config(params: Value, config: Value) -> (TestClient, Value) {
        let (client_io, server_io) = tokio::io::duplex(1 << 16);
        let (server_read, server_write) = tokio::io::split(server_io);
        let server = tokio::spawn(nianbao_lsp::serve(server_read, server_write));
        let (client_read, mut client_write) = tokio::io::split(client_io);

        let (out, mut out_rx) = mpsc::unbounded_channel::<Value>();
        tokio::spawn(async move {
            while let Some(msg) = out_rx.recv().await {
                let body = serde_json::to_string(&msg).unwrap();
                let frame = format!("Content-Length: {}\r\n\r\n{}", body.len(), body);
                if client_write.write_all(frame.as_bytes()).await.is_err() {
                    break;
                }
                let _ = client_write.flush().await;
            }
        });

        let pending: Arc<Mutex<HashMap<i64, oneshot::Sender<Value>>>> = Arc::default();
        let server_requests: Arc<Mutex<Vec<Value>>> = Arc::default();
        let config = Arc::new(Mutex::new(config));
        let (notif_tx, notif_rx) = mpsc::unbounded_channel();
        {
            let pending = pending.clone();
            let server_requests = server_requests.clone();
            let config = config.clone();
            let out = out.clone();
            tokio::spawn(async move {
                let mut r = BufReader::new(client_read);
                while let Some(msg) = read_frame(&mut r).await {
                    let method = msg
                        .get("method")
                        .and_then(Value::as_str)
                        .map(str::to_string);
                    match (method, msg.get("id").cloned()) {
                        (None, Some(id)) => {
                            if let Some(tx) = id
                                .as_i64()
                                .and_then(|id| pending.lock().unwrap().remove(&id))
                            {
                                let _ = tx.send(msg);
                            }
                        }
                        (Some(m), Some(id)) => {
                            server_requests.lock().unwrap().push(msg.clone());
                            let result = match m.as_str() {
                                "workspace/configuration" => {
                                    let n = msg["params"]["items"]
                                        .as_array()
                                        .map(|a| a.len())
                                        .unwrap_or(1);
                                    let v = config.lock().unwrap().clone();
                                    Value::Array(vec![v; n])
                                }
                                "workspace/applyEdit" => json!({ "applied": true }),
                                _ => Value::Null,
                            };
                            let _ =
                                out.send(json!({ "jsonrpc": "2.0", "id": id, "result": result }));
                        }
                        (Some(_), None) => {
                            let _ = notif_tx.send(msg);
                        }
                        (None, None) => {}
                    }
                }
            });
        }
        let client = TestClient {
            out,
            next_id: AtomicI64::new(1),
            pending,
            notifications: tokio::sync::Mutex::new((notif_rx, VecDeque::new())),
            server_requests,
            config,
            server: Mutex::new(Some(server)),
        };
        let init = client.request("initialize", params).await;
        assert!(init.get("error").is_none(), "initialize failed: {init}");
        client.notify("initialized", json!({}));
        (client, init["result"].clone())
    }

    /// Send a request and wait for its response (the whole response object).
    pub async fn request(&self, method: &str, params: Value) -> Value {
        let id = self.next_id.fetch_add(1, Ordering::SeqCst);
        let (tx, rx) = oneshot::channel();
        self.pending.lock().unwrap().insert(id, tx);
        self.out
            .send(json!({ "jsonrpc": "2.0", "id": id, "method": method, "params": params }))
            .unwrap();
        match tokio::time::timeout(TIMEOUT, rx).await {
            Ok(Ok(v)) => v,
            _ => panic!("no response to {method} within {TIMEOUT:?}"),
        }
    }

    /// Send a request and return its result (panics on an error response).
    pub async fn call(&self, method: &str, params: Value) -> Value {
        let resp = self.request(method, params).await;
        assert!(resp.get("error").is_none(), "{method} failed: {resp}");
        resp["result"].clone()
    }

    /// Send a notification (does not wait).
    pub fn notify(&self, method: &str, params: Value) {
        self.out
            .send(json!({ "jsonrpc": "2.0", "method": method, "params": params }))
            .unwrap();
    }

    /// Wait for a notification matching `pred` (others are kept for later waits).
    pub async fn wait_for(
        &self,
        timeout: Duration,
        pred: impl Fn(&Value) -> bool,
    ) -> Option<Value> {
        let mut guard = self.notifications.lock().await;
        let (rx, backlog) = &mut *guard;
        if let Some(i) = backlog.iter().position(&pred) {
            return backlog.remove(i);
        }
        let deadline = tokio::time::Instant::now() + timeout;
        loop {
            match tokio::time::timeout_at(deadline, rx.recv()).await {
                Ok(Some(n)) if pred(&n) => return Some(n),
                Ok(Some(n)) => backlog.push_back(n),
                _ => return None,
            }
        }
    }

    /// Every notification received so far (drained), e.g. to check none of a kind arrived.
    pub async fn drain(&self, settle: Duration) -> Vec<Value> {
        tokio::time::sleep(settle).await;
        let mut guard = self.notifications.lock().await;
        let (rx, backlog) = &mut *guard;
        let mut all: Vec<Value> = backlog.drain(..).collect();
        while let Ok(n) = rx.try_recv() {
            all.push(n);
        }
        all
    }

    /// The diagnostics published for `uri` at `version`.
    pub async fn diagnostics(&self, uri: &str, version: i64) -> Vec<Value> {
        let n = self
            .wait_for(TIMEOUT, |n| {
                n["method"] == "textDocument/publishDiagnostics"
                    && n["params"]["uri"] == uri
                    && n["params"]["version"].as_i64() == Some(version)
            })
            .await
            .unwrap_or_else(|| panic!("no diagnostics for {uri} v{version}"));
        n["params"]["diagnostics"]
            .as_array()
            .cloned()
            .unwrap_or_default()
    }

    pub fn open(&self, uri: &str, language_id: &str, version: i64, text: &str) {
        self.notify(
            "textDocument/didOpen",
            json!({ "textDocument": { "uri": uri, "languageId": language_id, "version": version, "text": text } }),
        );
    }

    /// Replace the whole text (a full-document change).
    pub fn replace_all(&self, uri: &str, version: i64, text: &str) {
        self.notify(
            "textDocument/didChange",
            json!({ "textDocument": { "uri": uri, "version": version }, "contentChanges": [{ "text": text }] }),
        );
    }

    /// The server's copy of a document.
    pub async fn server_text(&self, uri: &str) -> (i64, String) {
        let r = self
            .call("nianbao/documentText", json!({ "uri": uri }))
            .await;
        (
            r["version"].as_i64().unwrap(),
            r["text"].as_str().unwrap().to_string(),
        )
    }

    /// `shutdown` then `exit`; returns what the server's serve loop returned (clean exit).
    pub async fn shutdown_and_exit(&self) -> bool {
        let r = self.request("shutdown", Value::Null).await;
        assert!(r.get("error").is_none(), "shutdown failed: {r}");
        self.notify("exit", Value::Null);
        self.wait_exit().await
    }

    pub async fn wait_exit(&self) -> bool {
        let handle = self.server.lock().unwrap().take().expect("server running");
        tokio::time::timeout(TIMEOUT, handle)
            .await
            .expect("server exits")
            .expect("server task")
    }

    pub fn requests_named(&self, method: &str) -> Vec<Value> {
        self.server_requests
            .lock()
            .unwrap()
            .iter()
            .filter(|r| r["method"] == method)
            .cloned()
            .collect()
    }
}

// ------------------------------------------------------------------ initialize params

pub fn enc_name(enc: Encoding) -> &'static str {
    match enc {
        Encoding::Utf8 => "utf-8",
        Encoding::Utf16 => "utf-16",
        Encoding::Utf32 => "utf-32",
    }
}

/// Capabilities of a push client (no `textDocument.diagnostic`), like VS Code's
/// relevant bits: resolve not supported, documentChanges supported.
pub fn push_caps() -> Value {
    json!({
        "textDocument": {
            "synchronization": { "dynamicRegistration": false },
            "publishDiagnostics": { "relatedInformation": true, "versionSupport": true, "codeDescriptionSupport": true, "dataSupport": true },
            "codeAction": { "codeActionLiteralSupport": { "codeActionKind": { "valueSet": ["quickfix", "refactor", "refactor.rewrite", "source", "source.fixAll"] } }, "isPreferredSupport": true },
            "documentSymbol": { "hierarchicalDocumentSymbolSupport": true },
            "hover": { "contentFormat": ["markdown", "plaintext"] },
            "inlayHint": {},
            "codeLens": {},
            "foldingRange": { "lineFoldingOnly": true }
        },
        "workspace": {
            "applyEdit": true,
            "workspaceEdit": { "documentChanges": true },
            "configuration": true,
            "didChangeConfiguration": { "dynamicRegistration": true }
        }
    })
}

/// A pull client: declares `textDocument.diagnostic` and refresh support.
pub fn pull_caps() -> Value {
    let mut c = push_caps();
    c["textDocument"]["diagnostic"] =
        json!({ "dynamicRegistration": false, "relatedDocumentSupport": false });
    c["workspace"]["diagnostics"] = json!({ "refreshSupport": true });
    c
}

pub fn init_params(capabilities: Value) -> Value {
    json!({ "processId": null, "rootUri": null, "capabilities": capabilities, "locale": "zh-cn" })
}

// ------------------------------------------------------------------ documents

pub fn fixture() -> String {
    let p = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../tests/fixtures/lsp/002_fb96db60f172c7f1.txt");
    std::fs::read_to_string(&p).unwrap_or_else(|e| panic!("{}: {e}", p.display()))
}

/// Set the `n`th value cell (0-based) of the first line containing `label` to `value`.
pub fn set_cell(src: &str, label: &str, n: usize, value: &str) -> String {
    let start = src.find(label).unwrap_or_else(|| panic!("no {label}"));
    let line_end = src[start..]
        .find('\n')
        .map(|i| start + i)
        .unwrap_or(src.len());
    let line = &src[start..line_end];
    let after_label = line.find(label).unwrap() + label.len();
    let mut cells: Vec<String> = line[after_label..].split('|').map(str::to_string).collect();
    // cells[0] is the rest of the label cell; values follow.
    let idx = 1 + n;
    assert!(idx < cells.len(), "row {label} has no cell {n}");
    let old = cells[idx].clone();
    let lead = old.len() - old.trim_start().len();
    let trail = old.len() - old.trim_end().len();
    cells[idx] = format!("{}{}{}", &old[..lead], value, &old[old.len() - trail..]);
    format!(
        "{}{}{}{}",
        &src[..start],
        &line[..after_label],
        cells.join("|"),
        &src[line_end..]
    )
}

/// The draft with three applications from natural persons (本年新收·自然人 and
/// ·总计 = 3), all disclosed (予以公开·自然人 = 3), and three totals not yet
/// written: 予以公开·总计 (identity A), （七）总计·自然人 and ·总计 (B) are
/// the cells located as wrong, each should be 3.
pub fn draft_open_3() -> String {
    let t = set_cell(&fixture(), "一、本年新收政府信息公开申请数量", 0, "3");
    let t = set_cell(&t, "一、本年新收政府信息公开申请数量", 6, "3");
    set_cell(&t, "(一)予以公开", 0, "3")
}

/// Three cells mistyped in the draft's table of zeros, one total of each kind:
/// 予以公开·总计 = 2 (identity A's total), （七）总计·商业企业 = 1 (B's) and
/// 结转下年度·科研机构 = 4 (C's): identities A, B and C all fail, and the three
/// cells are located (NB301, NB302, NB303), each should be 0.
pub fn draft_abc() -> String {
    let t = set_cell(&fixture(), "(一)予以公开", 6, "2");
    let t = set_cell(&t, "(七)总计", 1, "1");
    set_cell(&t, "四、结转下年度继续办理", 2, "4")
}

pub fn lsp_pos(text: &str, offset: usize, enc: Encoding) -> Value {
    let p = LineIndex::new(text).position(text, offset, enc);
    json!({ "line": p.line, "character": p.character })
}

pub fn byte_offset(text: &str, pos: &Value, enc: Encoding) -> usize {
    let p = Position {
        line: pos["line"].as_u64().unwrap() as u32,
        character: pos["character"].as_u64().unwrap() as u32,
    };
    LineIndex::new(text).offset(text, p, enc)
}

pub fn byte_range(text: &str, range: &Value, enc: Encoding) -> TextRange {
    TextRange::new(
        byte_offset(text, &range["start"], enc),
        byte_offset(text, &range["end"], enc),
    )
}

/// The text an LSP range covers.
pub fn covered<'a>(text: &'a str, range: &Value, enc: Encoding) -> &'a str {
    let r = byte_range(text, range, enc);
    &text[r.start..r.end]
}

/// Apply LSP text edits (all relative to `text`).
pub fn apply_lsp_edits(text: &str, edits: &[Value], enc: Encoding) -> String {
    let edits: Vec<TextEdit> = edits
        .iter()
        .map(|e| TextEdit {
            range: byte_range(text, &e["range"], enc),
            new_text: e["newText"].as_str().unwrap().to_string(),
        })
        .collect();
    apply_edits(text, &edits)
}

/// The text edits of a WorkspaceEdit for `uri` (from `documentChanges` or `changes`),
/// with the version `documentChanges` names.
pub fn workspace_edits(edit: &Value, uri: &str) -> (Vec<Value>, Option<i64>) {
    if let Some(dc) = edit.get("documentChanges").and_then(Value::as_array) {
        for d in dc {
            if d["textDocument"]["uri"] == uri {
                return (
                    d["edits"].as_array().cloned().unwrap_or_default(),
                    d["textDocument"]["version"].as_i64(),
                );
            }
        }
        return (Vec::new(), None);
    }
    (
        edit["changes"][uri].as_array().cloned().unwrap_or_default(),
        None,
    )
}

/// Byte offset of the `n`th value cell (0-based) of the line containing `label`: (start, end).
pub fn cell_offset(src: &str, label: &str, n: usize) -> (usize, usize) {
    let start = src.find(label).unwrap_or_else(|| panic!("no {label}"));
    let line_end = src[start..]
        .find('\n')
        .map(|i| start + i)
        .unwrap_or(src.len());
    let mut at = start + label.len();
    let mut k = 0;
    loop {
        let bar = src[at..line_end].find('|').map(|i| at + i).expect("cell");
        let next = src[bar + 1..line_end]
            .find('|')
            .map(|i| bar + 1 + i)
            .unwrap_or(line_end);
        if k == n {
            let cell = &src[bar + 1..next];
            let lead = cell.len() - cell.trim_start().len();
            let s = bar + 1 + lead;
            return (s, s + cell.trim().len());
        }
        k += 1;
        at = next;
    }
}
