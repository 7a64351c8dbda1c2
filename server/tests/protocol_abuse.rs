//! Protocol abuse against the real binary over stdio (`nianbao lsp`): broken
//! framing, invalid JSON, unknown methods, out-of-order and out-of-range
//! edits, huge documents and many documents. The server must answer with LSP
//! errors where a response is due, log the rest, keep serving, and give memory
//! back once documents close. Every wait is bounded.

use serde_json::{json, Value};
use std::io::{BufRead, BufReader, Read, Write};
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::mpsc::{channel, Receiver, RecvTimeoutError};
use std::time::{Duration, Instant};

const WAIT: Duration = Duration::from_secs(20);

fn draft() -> String {
    std::fs::read_to_string(
        std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../tests/fixtures/cli/draft.md"),
    )
    .unwrap()
}

struct Server {
    child: Child,
    stdin: ChildStdin,
    rx: Receiver<Value>,
    /// Messages read while waiting for something else.
    seen: Vec<Value>,
    next_id: i64,
}

/// Read LSP frames from the server's stdout; a framing error ends the test.
fn reader(out: impl Read + Send + 'static) -> Receiver<Value> {
    let (tx, rx) = channel();
    std::thread::spawn(move || {
        let mut r = BufReader::new(out);
        loop {
            let mut len = None;
            loop {
                let mut line = String::new();
                if r.read_line(&mut line).unwrap_or(0) == 0 {
                    return;
                }
                let line = line.trim_end();
                if line.is_empty() {
                    break;
                }
                if let Some(v) = line.strip_prefix("Content-Length: ") {
                    len = Some(v.parse::<usize>().expect("server's Content-Length"));
                }
            }
            let mut body = vec![0; len.expect("server sent Content-Length")];
            if r.read_exact(&mut body).is_err() {
                return;
            }
            let v: Value = serde_json::from_slice(&body).expect("server sent JSON");
            if tx.send(v).is_err() {
                return;
            }
        }
    });
    rx
}

impl Server {
    /// Start and initialize; `pull` declares pull diagnostics (no push worker).
    fn start(pull: bool) -> Server {
        let caps = if pull {
            json!({ "textDocument": { "diagnostic": {} } })
        } else {
            json!({})
        };
        Server::start_with_caps(caps)
    }

    /// Start and initialize with these client capabilities.
    fn start_with_caps(caps: Value) -> Server {
        let mut child = Command::new(env!("CARGO_BIN_EXE_nianbao"))
            .arg("lsp")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(if std::env::var_os("NIANBAO_ABUSE_STDERR").is_some() {
                Stdio::inherit()
            } else {
                Stdio::null()
            })
            .spawn()
            .expect("nianbao lsp runs");
        let stdin = child.stdin.take().unwrap();
        let rx = reader(child.stdout.take().unwrap());
        let mut s = Server {
            child,
            stdin,
            rx,
            seen: Vec::new(),
            next_id: 100,
        };
        let r = s.request(
            "initialize",
            json!({ "processId": null, "rootUri": null, "capabilities": caps }),
        );
        assert!(r.get("result").is_some(), "{r}");
        s.notify("initialized", json!({}));
        s
    }

    fn raw(&mut self, bytes: &[u8]) {
        self.stdin.write_all(bytes).unwrap();
        self.stdin.flush().unwrap();
    }

    fn send(&mut self, v: &Value) {
        let body = serde_json::to_vec(v).unwrap();
        let mut out = format!("Content-Length: {}\r\n\r\n", body.len()).into_bytes();
        out.extend(body);
        self.raw(&out);
    }

    fn notify(&mut self, method: &str, params: Value) {
        self.send(&json!({ "jsonrpc": "2.0", "method": method, "params": params }));
    }

    fn request_async(&mut self, method: &str, params: Value) -> i64 {
        self.next_id += 1;
        let id = self.next_id;
        self.send(&json!({ "jsonrpc": "2.0", "id": id, "method": method, "params": params }));
        id
    }

    /// The next message matching `pred`, within `timeout`.
    fn wait_for(&mut self, timeout: Duration, pred: impl Fn(&Value) -> bool) -> Option<Value> {
        if let Some(i) = self.seen.iter().position(&pred) {
            return Some(self.seen.remove(i));
        }
        let deadline = Instant::now() + timeout;
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            match self.rx.recv_timeout(left) {
                Ok(v) if pred(&v) => return Some(v),
                Ok(v) => {
                    // Keep everything but the flood of diagnostics for the
                    // 10,000 documents (a test may look for a document's
                    // diagnostics that came while it waited for something else).
                    let flood = v["method"] == "textDocument/publishDiagnostics"
                        && v["params"]["uri"]
                            .as_str()
                            .is_some_and(|u| u.starts_with("file:///many/"));
                    if !flood {
                        self.seen.push(v)
                    }
                }
                Err(RecvTimeoutError::Timeout) => return None,
                Err(RecvTimeoutError::Disconnected) => panic!("server closed its output"),
            }
        }
    }

    fn response(&mut self, id: i64) -> Value {
        self.wait_for(WAIT, |v| v["id"] == id && v.get("method").is_none())
            .unwrap_or_else(|| panic!("no response to request {id}"))
    }

    fn request(&mut self, method: &str, params: Value) -> Value {
        let id = self.request_async(method, params);
        self.response(id)
    }

    fn open(&mut self, uri: &str, version: i32, text: &str) {
        self.notify(
            "textDocument/didOpen",
            json!({ "textDocument": { "uri": uri, "languageId": "markdown", "version": version, "text": text } }),
        );
    }

    fn text(&mut self, uri: &str) -> Value {
        self.request("nianbao/documentText", json!({ "uri": uri }))
    }

    /// A log message containing `needle`, within the usual wait.
    fn log_containing(&mut self, needle: &str) -> Value {
        self.wait_for(WAIT, |v| {
            v["method"] == "window/logMessage"
                && v["params"]["message"]
                    .as_str()
                    .is_some_and(|m| m.contains(needle))
        })
        .unwrap_or_else(|| {
            panic!(
                "no log message containing {needle:?}; seen: {:?}",
                self.seen
            )
        })
    }

    /// The server still works: open the draft, pull or hover, and get NB301.
    fn assert_alive(&mut self) {
        let uri = "file:///alive/draft.md";
        self.open(uri, 1, &draft());
        let t = self.text(uri);
        assert_eq!(t["result"]["text"], draft(), "{t}");
        let r = self.request(
            "textDocument/hover",
            json!({ "textDocument": { "uri": uri }, "position": { "line": 0, "character": 0 } }),
        );
        assert!(r.get("error").is_none(), "hover: {r}");
        let r = self.request(
            "textDocument/diagnostic",
            json!({ "textDocument": { "uri": uri } }),
        );
        let items = r["result"]["items"].as_array().cloned().unwrap_or_default();
        assert!(
            items.iter().any(|d| d["code"] == "NB301"),
            "diagnostic: {r}"
        );
        self.notify(
            "textDocument/didClose",
            json!({ "textDocument": { "uri": uri } }),
        );
        assert!(self.child.try_wait().unwrap().is_none(), "server exited");
    }

    fn rss_kb(&self) -> u64 {
        self.status_kb("VmRSS:")
    }

    /// Anonymous resident memory: what the server holds (VmRSS also counts the
    /// pages of the executable it has run so far, shared and reclaimable).
    fn anon_kb(&self) -> u64 {
        self.status_kb("RssAnon:")
    }

    fn status_kb(&self, key: &str) -> u64 {
        let status = std::fs::read_to_string(format!("/proc/{}/status", self.child.id())).unwrap();
        status
            .lines()
            .find_map(|l| l.strip_prefix(key))
            .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
            .unwrap_or_else(|| panic!("{key} in /proc/PID/status"))
    }

    /// Bytes the allocator has handed out and not got back (`nianbao/debugMemory`,
    /// debug builds), once the server is idle: the figure no longer moves.
    fn live_bytes_when_idle(&mut self) -> Option<u64> {
        let mut last = None;
        for _ in 0..40 {
            let r = self.request("nianbao/debugMemory", json!({}));
            let now = r["result"]["inUse"].as_u64()?;
            if last == Some(now) {
                return Some(now);
            }
            last = Some(now);
            std::thread::sleep(Duration::from_millis(250));
        }
        last
    }

    fn finish(mut self) {
        let r = self.request("shutdown", Value::Null);
        assert!(r.get("error").is_none(), "{r}");
        self.notify("exit", Value::Null);
        let deadline = Instant::now() + WAIT;
        loop {
            if let Some(status) = self.child.try_wait().unwrap() {
                assert_eq!(status.code(), Some(0));
                return;
            }
            if Instant::now() > deadline {
                let _ = self.child.kill();
                panic!("server did not exit");
            }
            std::thread::sleep(Duration::from_millis(10));
        }
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

#[test]
fn broken_framing_is_survived() {
    let mut s = Server::start(true);
    // A header that is not a number, then a good frame.
    s.raw(b"Content-Length: abc\r\n\r\n{}");
    s.log_containing("usable Content-Length");
    s.assert_alive();
    // A negative and an absurd length.
    s.raw(b"Content-Length: -5\r\n\r\n");
    s.assert_alive();
    // Unknown headers are ignored, a missing Content-Length is an error.
    s.raw(b"X-Nothing: 1\r\n\r\n{\"jsonrpc\":\"2.0\",\"method\":\"x\"}");
    s.assert_alive();
    // Invalid JSON in a well-framed body: a parse error response (id null) or a log.
    s.raw(b"Content-Length: 9\r\n\r\n{not json");
    s.assert_alive();
    // Valid JSON that is not JSON-RPC.
    s.send(&json!([1, 2, 3]));
    s.send(&json!({ "hello": "world" }));
    s.log_containing("invalid JSON");
    s.log_containing("not a valid JSON-RPC 2.0 message");
    s.assert_alive();
    // A broken request that has an id is answered with InvalidRequest.
    s.send(&json!({ "jsonrpc": "1.0", "id": 77, "method": "textDocument/hover" }));
    let r = s.response(77);
    assert_eq!(r["error"]["code"], -32600, "{r}");
    // Garbage between frames, and a Content-Type without charset (which
    // tower-lsp-server alone would refuse), then traffic as usual.
    s.raw(b"\r\n\x00\xFFgarbage");
    s.raw(b"Content-Type: application/vscode-jsonrpc\r\nContent-Length: 2\r\n\r\n{}");
    s.assert_alive();
    s.finish();
}

#[test]
fn oversized_frame_claiming_more_than_is_sent_then_eof() {
    // A frame that claims 1 GB and stops: the server must not allocate it up
    // front, and must exit when the input closes.
    let mut s = Server::start(true);
    s.assert_alive();
    s.raw(b"Content-Length: 1000000000\r\n\r\n{\"jsonrpc\":");
    std::thread::sleep(Duration::from_millis(300));
    assert!(s.rss_kb() < 500_000, "rss {} kB", s.rss_kb());
    // Close the server's input (replace our end with a closed pipe's).
    let Some(closed) = Command::new("true")
        .stdin(Stdio::piped())
        .spawn()
        .unwrap()
        .stdin
        .take()
    else {
        unreachable!()
    };
    drop(std::mem::replace(&mut s.stdin, closed));
    let deadline = Instant::now() + WAIT;
    while s.child.try_wait().unwrap().is_none() {
        assert!(Instant::now() < deadline, "server did not exit on EOF");
        std::thread::sleep(Duration::from_millis(10));
    }
}

#[test]
fn truncated_frame_followed_by_more_input() {
    // A frame whose body is shorter than announced swallows the start of the
    // next one; the server must resynchronise on a later frame.
    let mut s = Server::start(true);
    s.raw(b"Content-Length: 40\r\n\r\n{\"jsonrpc\":\"2.0\"}");
    // Padding that completes the 40 bytes, then valid traffic.
    s.raw(&[b' '; 23]);
    s.assert_alive();
    s.finish();
}

#[test]
fn requests_that_need_an_answer_get_an_error() {
    let mut s = Server::start(true);
    // Unknown request: MethodNotFound.
    let r = s.request("nianbao/noSuchMethod", json!({}));
    assert_eq!(r["error"]["code"], -32601, "{r}");
    // Unknown notification: no answer, nothing breaks.
    s.notify("nianbao/noSuchNotification", json!({ "x": 1 }));
    s.notify("$/cancelRequest", json!({ "id": 99999 }));
    // Bad params for a known request: InvalidParams.
    let r = s.request("textDocument/hover", json!({ "nonsense": true }));
    assert_eq!(r["error"]["code"], -32602, "{r}");
    // A request about a document never opened: no error, no result.
    let r = s.request(
        "textDocument/hover",
        json!({ "textDocument": { "uri": "file:///never.md" }, "position": { "line": 0, "character": 0 } }),
    );
    assert!(r.get("error").is_none() && r["result"].is_null(), "{r}");
    let r = s.text("file:///never.md");
    assert_eq!(r["error"]["code"], -32602, "{r}");
    s.assert_alive();
    s.finish();
}

#[test]
fn requests_before_initialize() {
    let mut child = Command::new(env!("CARGO_BIN_EXE_nianbao"))
        .arg("lsp")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let stdin = child.stdin.take().unwrap();
    let rx = reader(child.stdout.take().unwrap());
    let mut s = Server {
        child,
        stdin,
        rx,
        seen: Vec::new(),
        next_id: 0,
    };
    let r = s.request(
        "textDocument/hover",
        json!({ "textDocument": { "uri": "file:///a.md" }, "position": { "line": 0, "character": 0 } }),
    );
    // ServerNotInitialized.
    assert_eq!(r["error"]["code"], -32002, "{r}");
    s.open("file:///a.md", 1, "x");
    let r = s.request(
        "initialize",
        json!({ "processId": null, "rootUri": null, "capabilities": { "textDocument": { "diagnostic": {} } } }),
    );
    assert!(r.get("result").is_some(), "{r}");
    s.notify("initialized", json!({}));
    // A second initialize is refused.
    let r = s.request(
        "initialize",
        json!({ "processId": null, "rootUri": null, "capabilities": {} }),
    );
    assert!(r.get("error").is_some(), "{r}");
    s.assert_alive();
    s.finish();
}

fn change(uri: &str, version: i32, range: Option<[u32; 4]>, text: &str) -> Value {
    let change = match range {
        Some([l0, c0, l1, c1]) => json!({
            "range": { "start": { "line": l0, "character": c0 }, "end": { "line": l1, "character": c1 } },
            "text": text
        }),
        None => json!({ "text": text }),
    };
    json!({ "textDocument": { "uri": uri, "version": version }, "contentChanges": [change] })
}

#[test]
fn bad_edits_are_logged_and_the_document_stays_sane() {
    let mut s = Server::start(false);
    let uri = "file:///edits.md";
    // didChange for a document never opened: logged.
    s.notify(
        "textDocument/didChange",
        change("file:///ghost.md", 2, None, "boo"),
    );
    s.log_containing("not open");
    assert_eq!(s.text("file:///ghost.md")["error"]["code"], -32602);

    s.open(uri, 5, "总计𠀀x\n第二行\n");
    // Versions going backwards: ignored and logged.
    s.notify("textDocument/didChange", change(uri, 3, None, "old"));
    s.log_containing("not newer");
    assert_eq!(s.text(uri)["result"]["text"], "总计𠀀x\n第二行\n");

    // Range past the end of a line: clamped to the line's end.
    s.notify(
        "textDocument/didChange",
        change(uri, 6, Some([1, 50, 1, 60]), "!"),
    );
    assert_eq!(s.text(uri)["result"]["text"], "总计𠀀x\n第二行!\n");
    // Range past the end of the document: clamped and logged.
    s.notify(
        "textDocument/didChange",
        change(uri, 7, Some([40, 0, 41, 3]), "尾"),
    );
    s.log_containing("past the end of the document");
    assert_eq!(s.text(uri)["result"]["text"], "总计𠀀x\n第二行!\n尾");
    // A position inside the surrogate pair of 𠀀 (UTF-16 column 3 of 总计𠀀):
    // moved to the character's start, never splitting it.
    s.notify(
        "textDocument/didChange",
        change(uri, 8, Some([0, 3, 0, 3]), "+"),
    );
    s.log_containing("inside a character");
    let t = s.text(uri)["result"]["text"].as_str().unwrap().to_string();
    assert_eq!(t, "总计+𠀀x\n第二行!\n尾");
    // End before start: swapped.
    s.notify(
        "textDocument/didChange",
        change(uri, 9, Some([0, 2, 0, 0]), ""),
    );
    s.log_containing("swapped");
    assert_eq!(s.text(uri)["result"]["text"], "+𠀀x\n第二行!\n尾");
    // Requests with positions out of range answer without error.
    for (line, character) in [(0, 3), (0, 10_000), (10_000, 0), (u32::MAX, u32::MAX)] {
        let r = s.request(
            "textDocument/hover",
            json!({ "textDocument": { "uri": uri }, "position": { "line": line, "character": character } }),
        );
        assert!(r.get("error").is_none(), "hover {line}:{character}: {r}");
        let r = s.request(
            "textDocument/codeAction",
            json!({ "textDocument": { "uri": uri }, "range": { "start": { "line": line, "character": character }, "end": { "line": line, "character": character } }, "context": { "diagnostics": [] } }),
        );
        assert!(
            r.get("error").is_none(),
            "codeAction {line}:{character}: {r}"
        );
    }
    // Push diagnostics still flow for the document.
    s.notify("textDocument/didChange", change(uri, 10, None, &draft()));
    let d = s
        .wait_for(WAIT, |v| {
            v["method"] == "textDocument/publishDiagnostics"
                && v["params"]["uri"] == uri
                && v["params"]["version"] == 10
        })
        .expect("diagnostics for version 10");
    assert!(d["params"]["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .any(|d| d["code"] == "NB301"));
    s.assert_alive();
    s.finish();
}

#[test]
fn huge_documents() {
    let mut s = Server::start(false);
    // 10 MB of report-like lines.
    let line = "本机关2024年共收到政府信息公开申请5件，均已按时答复。\n";
    // A title and a section heading make it a report: the server analyses it.
    let big = format!(
        "# 某某局2024年政府信息公开工作年度报告\n\n一、总体情况\n{}",
        line.repeat(10 * 1024 * 1024 / line.len() + 1)
    );
    let t0 = Instant::now();
    s.open("file:///big.md", 1, &big);
    // Analysing 10 MB takes ~45 s in a debug build: meanwhile the server answers.
    let t = s.text("file:///big.md");
    assert_eq!(t["result"]["text"].as_str().map(str::len), Some(big.len()));
    s.assert_alive();
    eprintln!(
        "10 MB document: open, read back, other documents served in {:?}",
        t0.elapsed()
    );
    if !cfg!(debug_assertions) {
        s.wait_for(Duration::from_secs(30), |v| {
            v["method"] == "textDocument/publishDiagnostics"
                && v["params"]["uri"] == "file:///big.md"
        })
        .expect("diagnostics for the 10 MB document");
        eprintln!("10 MB document: diagnostics after {:?}", t0.elapsed());
    }
    // Edit in the middle, hover at the end.
    let lines = big.lines().count() as u32;
    s.notify(
        "textDocument/didChange",
        change(
            "file:///big.md",
            2,
            Some([lines / 2, 0, lines / 2, 0]),
            "插入\n",
        ),
    );
    let r = s.request(
        "textDocument/hover",
        json!({ "textDocument": { "uri": "file:///big.md" }, "position": { "line": lines, "character": 0 } }),
    );
    assert!(r.get("error").is_none(), "{r}");
    // One 1 MB line.
    let long = "五".repeat(1024 * 1024 / 3);
    s.open("file:///long.md", 1, &long);
    s.notify(
        "textDocument/didChange",
        change("file:///long.md", 2, Some([0, 200_000, 0, 200_001]), "六"),
    );
    let r = s.request(
        "textDocument/hover",
        json!({ "textDocument": { "uri": "file:///long.md" }, "position": { "line": 0, "character": 300_000 } }),
    );
    assert!(r.get("error").is_none(), "{r}");
    let t = s.text("file:///long.md");
    assert_eq!(
        t["result"]["text"].as_str().unwrap().chars().nth(200_000),
        Some('六')
    );
    for uri in ["file:///big.md", "file:///long.md"] {
        s.notify(
            "textDocument/didClose",
            json!({ "textDocument": { "uri": uri } }),
        );
    }
    s.assert_alive();
    s.finish();
}

#[test]
fn ten_thousand_documents_and_memory_returns() {
    let mut s = Server::start(false);
    s.assert_alive();
    let small = "# 2024年政府信息公开工作年度报告\n\n一、总体情况\n本年度收到申请5件。\n";
    let round = |s: &mut Server, n: usize, tag: &str| {
        for i in 0..n {
            s.open(&format!("file:///many/{tag}{i}.md"), 1, small);
        }
        // The server has read every didOpen once it answers this.
        s.text(&format!("file:///many/{tag}{}.md", n - 1));
    };
    let close = |s: &mut Server, n: usize, tag: &str| {
        for i in 0..n {
            s.notify(
                "textDocument/didClose",
                json!({ "textDocument": { "uri": format!("file:///many/{tag}{i}.md") } }),
            );
        }
        let r = s.text(&format!("file:///many/{tag}{}.md", n - 1));
        assert_eq!(r["error"]["code"], -32602, "closed: {r}");
    };
    // Warm up (lazily built tables, the allocator's arenas, regex caches), then measure.
    round(&mut s, 1000, "warm");
    close(&mut s, 1000, "warm");
    s.assert_alive();
    let live0 = s.live_bytes_when_idle();
    let (rss0, anon0) = (s.rss_kb(), s.anon_kb());
    let t0 = Instant::now();
    let mut closed = Vec::new();
    let mut peak = anon0;
    for cycle in 0..3 {
        round(&mut s, 10_000, &format!("c{cycle}-"));
        std::thread::sleep(Duration::from_millis(300));
        peak = peak.max(s.anon_kb());
        close(&mut s, 10_000, &format!("c{cycle}-"));
        s.assert_alive();
        let live = s.live_bytes_when_idle();
        closed.push((s.rss_kb(), s.anon_kb(), live));
    }
    eprintln!(
        "baseline: VmRSS {rss0} kB, RssAnon {anon0} kB, live heap {live0:?} B; \
         10,000 open: RssAnon {peak} kB; all closed (VmRSS, RssAnon, live heap) per round: {closed:?} ({:?})",
        t0.elapsed()
    );
    let (_, anon_end, live_end) = *closed.last().unwrap();
    // What 10,000 documents took is handed back once they close: at least half of
    // it after three rounds (the rest is the allocator's fragmentation: pages it
    // cannot return because a live object sits on them; it levels off, see
    // BENCHMARKS.md).
    let grown = peak.saturating_sub(anon0);
    assert!(
        anon_end <= anon0 + grown / 2,
        "memory did not return: baseline {anon0} kB, open {peak} kB, closed {closed:?}"
    );
    // Nothing of a closed document stays alive: after the first round (which
    // sizes the buffers and caches), 20,000 more documents leave at most 24 bytes
    // each on the live heap. A closed document's snapshot kept by the checks
    // across years (fixed) left 45 bytes per document, and any per-document leak
    // of a snapshot or a diagnostic is far more.
    if let (Some(l1), Some(l3)) = (closed[0].2, live_end) {
        assert!(
            l3 <= l1 + 24 * 20_000,
            "live heap grew from {l1} B to {l3} B over 20,000 documents opened and closed"
        );
    }
    s.finish();
}

#[test]
#[cfg(debug_assertions)]
fn panics_in_handlers_are_isolated() {
    let mut s = Server::start(true);
    let r = s.request("nianbao/debugPanic", json!({ "in": "handler" }));
    assert_eq!(r["error"]["code"], -32603, "{r}");
    s.log_containing("panicked");
    let r = s.request("nianbao/debugPanic", json!({ "in": "analysis" }));
    assert_eq!(r["error"]["code"], -32603, "{r}");
    s.assert_alive();
    s.finish();
}

/// A client that never answers `workspace/applyEdit` (here: eight of them, twice
/// the number of handlers the server runs at once) must not stall the server:
/// the commands are answered, and so are hover, didChange and shutdown, at once.
#[test]
fn unanswered_apply_edit_requests_do_not_stall_the_server() {
    let mut s = Server::start_with_caps(json!({
        "textDocument": { "diagnostic": {} },
        "workspace": { "applyEdit": true }
    }));
    let uri = "file:///stall/draft.md";
    s.open(uri, 1, &draft());
    let ids: Vec<i64> = (0..8)
        .map(|_| {
            s.request_async(
                "workspace/executeCommand",
                json!({ "command": "nianbao.fixAll", "arguments": [uri] }),
            )
        })
        .collect();
    let quick = Duration::from_secs(5);
    for id in ids {
        let r = s
            .wait_for(quick, |v| v["id"] == id && v.get("method").is_none())
            .unwrap_or_else(|| panic!("executeCommand {id} not answered"));
        assert!(r.get("error").is_none(), "{r}");
        assert_eq!(r["result"]["sent"], true, "{r}");
        assert!(r["result"]["edits"].as_u64().unwrap() > 0, "{r}");
    }
    // The eight requests went out, none answered.
    let sent = s
        .seen
        .iter()
        .filter(|v| v["method"] == "workspace/applyEdit")
        .count();
    assert_eq!(sent, 8, "applyEdit requests sent");
    let id = s.request_async(
        "textDocument/hover",
        json!({ "textDocument": { "uri": uri }, "position": { "line": 0, "character": 0 } }),
    );
    let r = s
        .wait_for(quick, |v| v["id"] == id && v.get("method").is_none())
        .expect("hover answered");
    assert!(r.get("error").is_none(), "{r}");
    s.notify(
        "textDocument/didChange",
        change(uri, 2, None, "# 新的文本\n"),
    );
    let id = s.request_async("nianbao/documentText", json!({ "uri": uri }));
    let r = s
        .wait_for(quick, |v| v["id"] == id && v.get("method").is_none())
        .expect("documentText answered");
    assert_eq!(r["result"]["version"], 2, "{r}");
    let id = s.request_async("shutdown", Value::Null);
    let r = s
        .wait_for(quick, |v| v["id"] == id && v.get("method").is_none())
        .expect("shutdown answered");
    assert!(r.get("error").is_none(), "{r}");
    s.notify("exit", Value::Null);
    let deadline = Instant::now() + quick;
    while s.child.try_wait().unwrap().is_none() {
        assert!(Instant::now() < deadline, "server did not exit");
        std::thread::sleep(Duration::from_millis(10));
    }
    assert_eq!(s.child.try_wait().unwrap().unwrap().code(), Some(0));
}

/// The raw frame of a JSON body given as text (to send escapes serde_json would not write).
fn raw_frame(body: &[u8]) -> Vec<u8> {
    let mut out = format!("Content-Length: {}\r\n\r\n", body.len()).into_bytes();
    out.extend_from_slice(body);
    out
}

/// A lone surrogate (`"\udc00"`, which JSON parsers refuse) or invalid UTF-8 no
/// longer drops the message: it is decoded with U+FFFD in its place (one UTF-16
/// unit, like the surrogate, so later edits land where the editor made them),
/// and logged. A request too deeply nested to decode is answered with an error.
/// A didChange that cannot be read at all is reported to the user, and the
/// document gets no diagnostics until a full text puts the copy right.
#[test]
fn lone_surrogates_invalid_utf8_and_deep_nesting_never_desynchronise_silently() {
    let mut s = Server::start(true);
    let uri = "file:///surrogate/a.md";
    s.raw(&raw_frame(
        format!(
            r#"{{"jsonrpc":"2.0","method":"textDocument/didOpen","params":{{"textDocument":{{"uri":"{uri}","languageId":"markdown","version":1,"text":"甲\udc00乙\n"}}}}}}"#
        )
        .as_bytes(),
    ));
    s.log_containing("U+FFFD");
    // After 甲 and the surrogate (two UTF-16 units).
    s.notify(
        "textDocument/didChange",
        change(uri, 2, Some([0, 2, 0, 2]), "丙"),
    );
    let t = s.text(uri);
    assert_eq!(t["result"]["text"], "甲\u{fffd}丙乙\n", "{t}");
    assert_eq!(t["result"]["version"], 2, "{t}");

    // Requests: a lone surrogate, invalid UTF-8, 100,000 nested brackets.
    s.raw(&raw_frame(
        br#"{"jsonrpc":"2.0","id":7001,"method":"nianbao/documentText","params":{"uri":"file:///\udc00.md"}}"#,
    ));
    let r = s.response(7001);
    assert_eq!(r["error"]["code"], -32602, "answered as not open: {r}");
    let mut bad =
        br#"{"jsonrpc":"2.0","id":7002,"method":"nianbao/documentText","params":{"uri":"file:///"#
            .to_vec();
    bad.extend_from_slice(b"\xc3\x28.md\"}}");
    s.raw(&raw_frame(&bad));
    let r = s.response(7002);
    assert_eq!(r["error"]["code"], -32602, "{r}");
    let deep = format!(
        r#"{{"jsonrpc":"2.0","id":7003,"method":"textDocument/hover","params":{}{}}}"#,
        "[".repeat(100_000),
        "]".repeat(100_000)
    );
    s.raw(&raw_frame(deep.as_bytes()));
    let r = s.response(7003);
    assert!(r.get("error").is_some(), "{r}");

    // A didChange that cannot be read.
    let report = "file:///surrogate/report.md";
    s.open(report, 1, &draft());
    let pull = |s: &mut Server| {
        let r = s.request(
            "textDocument/diagnostic",
            json!({ "textDocument": { "uri": report } }),
        );
        r["result"]["items"].as_array().cloned().unwrap_or_default()
    };
    assert!(pull(&mut s).iter().any(|d| d["code"] == "NB301"));
    s.raw(&raw_frame(
        format!(
            r#"{{"jsonrpc":"2.0","method":"textDocument/didChange","params":{{"textDocument":{{"uri":"{report}","version":2}},"contentChanges":[{{"range":{{"start":{{"line":0,"character":0}},"end":{{"line":0,"character":0}}}},"text":"x"}}"#
        )
        .as_bytes(),
    ));
    let shown = s
        .wait_for(WAIT, |v| v["method"] == "window/showMessage")
        .expect("the user is told");
    assert!(
        shown["params"]["message"]
            .as_str()
            .unwrap()
            .contains("report.md"),
        "{shown}"
    );
    assert!(
        pull(&mut s).is_empty(),
        "no diagnostics on a text known to differ"
    );
    // Incremental edits cannot put it right; a full text does.
    s.notify(
        "textDocument/didChange",
        change(report, 3, Some([0, 0, 0, 0]), "y"),
    );
    assert!(pull(&mut s).is_empty());
    s.notify("textDocument/didChange", change(report, 4, None, &draft()));
    let t = s.text(report);
    assert_eq!(t["result"]["text"], draft());
    assert!(pull(&mut s).iter().any(|d| d["code"] == "NB301"));
    s.assert_alive();
    s.finish();
}

/// `shutdown` with `"params": {}` (as some clients send) is answered like
/// `shutdown` without params, and `exit` then ends the server with status 0.
#[test]
fn shutdown_with_empty_params_is_answered() {
    let mut s = Server::start(true);
    s.assert_alive();
    let r = s.request("shutdown", json!({}));
    assert!(r.get("error").is_none(), "{r}");
    assert!(r["result"].is_null(), "{r}");
    s.send(&json!({ "jsonrpc": "2.0", "method": "exit", "params": {} }));
    let deadline = Instant::now() + WAIT;
    loop {
        if let Some(status) = s.child.try_wait().unwrap() {
            assert_eq!(status.code(), Some(0));
            break;
        }
        assert!(Instant::now() < deadline, "server did not exit");
        std::thread::sleep(Duration::from_millis(10));
    }
}

/// When its input closes, the server exits promptly even while an analysis of
/// a large document is still running (it would take many seconds in a debug build).
#[test]
fn closed_input_ends_the_server_during_a_long_analysis() {
    let mut child = Command::new(env!("CARGO_BIN_EXE_nianbao"))
        .arg("lsp")
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("nianbao lsp runs");
    let mut stdin = child.stdin.take().unwrap();
    let line = "本机关2024年共收到政府信息公开申请5件，均已按时答复。\n";
    let big = format!(
        "# 某某局2024年政府信息公开工作年度报告\n\n一、总体情况\n{}",
        line.repeat(8 * 1024 * 1024 / line.len() + 1)
    );
    let uri = "file:///big.md";
    for v in [
        json!({ "jsonrpc": "2.0", "id": 1, "method": "initialize", "params": { "processId": null, "rootUri": null, "capabilities": { "textDocument": { "diagnostic": {} } } } }),
        json!({ "jsonrpc": "2.0", "method": "initialized", "params": {} }),
        json!({ "jsonrpc": "2.0", "method": "textDocument/didOpen", "params": { "textDocument": { "uri": uri, "languageId": "markdown", "version": 1, "text": big } } }),
        json!({ "jsonrpc": "2.0", "id": 2, "method": "textDocument/diagnostic", "params": { "textDocument": { "uri": uri } } }),
    ] {
        stdin
            .write_all(&raw_frame(&serde_json::to_vec(&v).unwrap()))
            .unwrap();
    }
    stdin.flush().unwrap();
    // Let the analysis start, then close the input.
    std::thread::sleep(Duration::from_millis(500));
    let t0 = Instant::now();
    drop(stdin);
    let limit = nianbao_lsp::LINGER + Duration::from_secs(3);
    loop {
        if child.try_wait().unwrap().is_some() {
            break;
        }
        if t0.elapsed() > limit {
            let _ = child.kill();
            let _ = child.wait();
            panic!(
                "server still running {:?} after its input closed",
                t0.elapsed()
            );
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    eprintln!("exited {:?} after its input closed", t0.elapsed());
}
