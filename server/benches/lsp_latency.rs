//! Keystroke latency of the real server, end to end, as an editor sees it.
//!
//! Starts `target/release/nianbao lsp` and talks to it over stdio like VS Code
//! does (UTF-16 positions, pushed diagnostics with versions, no pull
//! capability). For each report size and edit site it types one character and
//! deletes it again, `NB_EDITS` times in all (incremental `didChange`, one
//! edit at a time), and measures each round trip: from writing the
//! `didChange` frame to reading the `publishDiagnostics` of that version.
//! Every case runs twice, with `NIANBAO_INCREMENTAL=0` (full re-analysis on
//! every edit) and with the default (incremental): two servers, each fresh for
//! the size, that take turns keystroke by keystroke so that the machine's load
//! weighs on both alike.
//! Then the server's memory: 20 different 30 KB reports open, and one 10 MB
//! report open (fresh server each).
//!
//! ```sh
//! cargo bench --bench lsp_latency                       # everything (~16 min on 2 cores)
//! NB_EDITS=100 NB_SIZES=30k,1m cargo bench --bench lsp_latency   # quick
//! ```
//!
//! Options (environment, or the same as arguments after `--`, e.g.
//! `cargo bench --bench lsp_latency -- --edits 100 --sizes 30k`; anything else,
//! such as the `--bench` cargo passes, is ignored):
//! - `NB_EDITS` / `--edits N`: edits per (size, site, mode), default 1000.
//! - `NB_SIZES` / `--sizes 30k,1m,10m`: report sizes (k = KiB, m = MiB).
//! - `NB_SITES` / `--sites A,B`: A = a digit typed in a table 三 value cell,
//!   B = a CJK character typed in a narrative paragraph of section 一.
//! - `NB_MODES` / `--modes off,on`: `NIANBAO_INCREMENTAL=0`, and the default.
//! - `NB_CASE_SECONDS` / `--case-seconds S`: stop a (size, site) early after S
//!   seconds, both modes together (after a deletion, so the document is back as
//!   it was); no limit by default. A full re-analysis of 10 MB takes 0.15–0.25 s
//!   (2026-11): the 10 MB cases with `off` are most of the run.
//! - `NB_MEMORY` / `--memory 0|1|only`: the memory cases (default 1).
//! - `NB_BIN` / `--bin PATH`: the server binary (default: the release build,
//!   built when missing). The CPU column is the process's own: with a wrapper
//!   (e.g. `perf record`) it does not count the server.
//!
//! The server's stderr and its `window/logMessage`s go to
//! `target/tmp/lsp_latency/<case>.stderr.log` and `<case>.messages.log`; every
//! sample (edit number, typed or deleted, ms, findings) to
//! `<case>-<site>-<mode>.samples.csv` there.

#[path = "common/mod.rs"]
mod common;

use serde_json::{json, Value};
use std::collections::HashSet;
use std::fs::File;
use std::io::{BufRead, BufReader, Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::mpsc::{self, Receiver, RecvTimeoutError};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// How long one round trip (or the first analysis) may take before the case is abandoned.
const TIMEOUT: Duration = Duration::from_secs(120);

// ---------------------------------------------------------------- options

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Site {
    /// A digit typed in front of a 0 in table 三 (自然人 column of 一、本年新收).
    Table,
    /// A CJK character typed in the middle of a padding paragraph of section 一.
    Narrative,
}

impl Site {
    fn name(self) -> &'static str {
        match self {
            Site::Table => "A table 三 cell",
            Site::Narrative => "B narrative 一",
        }
    }
}

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Mode {
    /// `NIANBAO_INCREMENTAL=0`: full re-analysis on every edit.
    Off,
    /// The default (incremental analysis on).
    On,
}

impl Mode {
    fn name(self) -> &'static str {
        match self {
            Mode::Off => "off",
            Mode::On => "on",
        }
    }
}

struct Opts {
    edits: usize,
    case_seconds: Option<f64>,
    sizes: Vec<usize>,
    sites: Vec<Site>,
    modes: Vec<Mode>,
    latency: bool,
    memory: bool,
    bin: PathBuf,
    log_dir: PathBuf,
}

fn parse_size(s: &str) -> usize {
    let s = s.trim().to_ascii_lowercase();
    let (num, mul) = if let Some(n) = s.strip_suffix(['k', 'K']) {
        (n, 1024)
    } else if let Some(n) = s.strip_suffix('m') {
        (n, 1024 * 1024)
    } else {
        (s.as_str(), 1)
    };
    let n: f64 = num
        .parse()
        .unwrap_or_else(|_| panic!("size {s:?}: expected e.g. 30k, 1m, 10m"));
    (n * mul as f64) as usize
}

fn size_name(size: usize) -> String {
    if size >= 1024 * 1024 && size.is_multiple_of(1024 * 1024) {
        format!("{} MB", size / (1024 * 1024))
    } else if size >= 1024 && size.is_multiple_of(1024) {
        format!("{} KB", size / 1024)
    } else {
        format!("{size} B")
    }
}

impl Opts {
    fn read() -> Opts {
        let get = |k: &str| std::env::var(k).ok().filter(|v| !v.is_empty());
        let mut edits = get("NB_EDITS");
        let mut sizes = get("NB_SIZES");
        let mut sites = get("NB_SITES");
        let mut modes = get("NB_MODES");
        let mut memory = get("NB_MEMORY");
        let mut case_seconds = get("NB_CASE_SECONDS");
        let mut bin = get("NB_BIN");
        // Arguments win over the environment; unknown ones (`--bench`, a filter) are ignored.
        let args: Vec<String> = std::env::args().skip(1).collect();
        let mut i = 0;
        while i < args.len() {
            let slot = match args[i].as_str() {
                "--edits" => Some(&mut edits),
                "--sizes" => Some(&mut sizes),
                "--sites" => Some(&mut sites),
                "--modes" => Some(&mut modes),
                "--memory" => Some(&mut memory),
                "--case-seconds" => Some(&mut case_seconds),
                "--bin" => Some(&mut bin),
                _ => None,
            };
            match (slot, args.get(i + 1)) {
                (Some(slot), Some(v)) => {
                    *slot = Some(v.clone());
                    i += 2;
                }
                _ => i += 1,
            }
        }
        let edits = edits.map_or(1000, |e| e.parse().expect("NB_EDITS: a number"));
        let case_seconds = case_seconds.map(|s| s.parse().expect("NB_CASE_SECONDS: seconds"));
        let sizes = sizes
            .as_deref()
            .unwrap_or("30k,1m,10m")
            .split(',')
            .filter(|s| !s.trim().is_empty())
            .map(parse_size)
            .collect();
        let sites = sites
            .as_deref()
            .unwrap_or("A,B")
            .split(',')
            .map(|s| match s.trim() {
                "A" | "a" => Site::Table,
                "B" | "b" => Site::Narrative,
                other => panic!("site {other:?}: A or B"),
            })
            .collect();
        let modes = modes
            .as_deref()
            .unwrap_or("off,on")
            .split(',')
            .map(|s| match s.trim() {
                "off" | "0" => Mode::Off,
                "on" | "1" => Mode::On,
                other => panic!("mode {other:?}: off or on"),
            })
            .collect();
        let (latency, memory) = match memory.as_deref().unwrap_or("1") {
            "0" | "off" | "no" => (true, false),
            "only" => (false, true),
            _ => (true, true),
        };
        let bin = bin.map(PathBuf::from).unwrap_or_else(release_binary);
        let log_dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("lsp_latency");
        std::fs::create_dir_all(&log_dir).expect("log directory");
        Opts {
            edits,
            case_seconds,
            sizes,
            sites,
            modes,
            latency,
            memory,
            bin,
            log_dir,
        }
    }
}

/// `target/release/nianbao` (what `cargo bench` builds); built when missing.
fn release_binary() -> PathBuf {
    let bin = PathBuf::from(env!("CARGO_BIN_EXE_nianbao"));
    if !bin.exists() {
        eprintln!("{} missing: cargo build --release", bin.display());
        let status = Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".into()))
            .args(["build", "--release", "--bin", "nianbao"])
            .current_dir(env!("CARGO_MANIFEST_DIR"))
            .status()
            .expect("cargo runs");
        assert!(status.success(), "cargo build --release failed");
    }
    bin
}

// ---------------------------------------------------------------- the server

/// What the reader thread hands over.
enum Incoming {
    Publish {
        uri: String,
        version: Option<i64>,
        diagnostics: usize,
        /// When the frame had been read in full.
        at: Instant,
    },
    Response {
        id: i64,
        value: Value,
    },
    Closed,
}

fn frame(v: &Value) -> Vec<u8> {
    let body = serde_json::to_vec(v).expect("json");
    let mut out = format!("Content-Length: {}\r\n\r\n", body.len()).into_bytes();
    out.extend(body);
    out
}

fn send(stdin: &Mutex<ChildStdin>, v: &Value) {
    let bytes = frame(v);
    let mut w = stdin.lock().unwrap();
    w.write_all(&bytes).expect("write to the server");
    w.flush().expect("flush to the server");
}

/// One LSP frame (headers, then `Content-Length` bytes), or `None` at the end.
fn read_frame(r: &mut impl BufRead) -> Option<Vec<u8>> {
    let mut len = None;
    let mut line = String::new();
    loop {
        line.clear();
        if r.read_line(&mut line).ok()? == 0 {
            return None;
        }
        let l = line.trim_end_matches(['\r', '\n']);
        if l.is_empty() {
            if len.is_some() {
                break;
            }
            continue; // stray blank line between frames
        }
        if let Some((k, v)) = l.split_once(':') {
            if k.trim().eq_ignore_ascii_case("content-length") {
                len = v.trim().parse::<usize>().ok();
            }
        }
    }
    let mut body = vec![0; len?];
    r.read_exact(&mut body).ok()?;
    Some(body)
}

/// Reads every frame of the server: publishes and responses go to the bench,
/// requests from the server are answered here (as VS Code would, with nothing
/// configured), log messages go to a file.
fn reader(
    stdout: impl Read,
    stdin: Arc<Mutex<ChildStdin>>,
    tx: mpsc::Sender<Incoming>,
    mut messages: File,
) {
    let mut r = BufReader::with_capacity(1 << 20, stdout);
    while let Some(body) = read_frame(&mut r) {
        let at = Instant::now();
        let Ok(v) = serde_json::from_slice::<Value>(&body) else {
            let _ = writeln!(messages, "unreadable frame: {} bytes", body.len());
            continue;
        };
        let method = v.get("method").and_then(Value::as_str);
        let id = v.get("id").cloned();
        let sent = match (method, id) {
            (Some("textDocument/publishDiagnostics"), _) => tx.send(Incoming::Publish {
                uri: v["params"]["uri"].as_str().unwrap_or_default().to_string(),
                version: v["params"]["version"].as_i64(),
                diagnostics: v["params"]["diagnostics"].as_array().map_or(0, Vec::len),
                at,
            }),
            (Some(m), Some(id)) => {
                // A request from the server.
                let result = match m {
                    "workspace/configuration" => {
                        let n = v["params"]["items"].as_array().map_or(1, Vec::len);
                        Value::Array(vec![Value::Null; n])
                    }
                    _ => Value::Null,
                };
                let _ = writeln!(messages, "request {m}: answered {result}");
                send(
                    &stdin,
                    &json!({ "jsonrpc": "2.0", "id": id, "result": result }),
                );
                Ok(())
            }
            (Some(m), None) => {
                let _ = writeln!(
                    messages,
                    "{m}: {}",
                    v["params"]["message"].as_str().unwrap_or_default()
                );
                Ok(())
            }
            (None, Some(id)) => tx.send(Incoming::Response {
                id: id.as_i64().unwrap_or(-1),
                value: v,
            }),
            (None, None) => Ok(()),
        };
        if sent.is_err() {
            return;
        }
    }
    let _ = tx.send(Incoming::Closed);
}

struct Server {
    child: Child,
    stdin: Arc<Mutex<ChildStdin>>,
    rx: Receiver<Incoming>,
    next_id: i64,
    name: String,
}

impl Server {
    fn start(opts: &Opts, mode: Mode, case: &str) -> Server {
        let name = format!("{case}-{}", mode.name());
        let stderr = File::create(opts.log_dir.join(format!("{name}.stderr.log"))).expect("log");
        let messages =
            File::create(opts.log_dir.join(format!("{name}.messages.log"))).expect("log");
        let mut cmd = Command::new(&opts.bin);
        cmd.arg("lsp")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::from(stderr));
        match mode {
            Mode::Off => cmd.env("NIANBAO_INCREMENTAL", "0"),
            Mode::On => cmd.env_remove("NIANBAO_INCREMENTAL"),
        };
        let mut child = cmd
            .spawn()
            .unwrap_or_else(|e| panic!("{}: {e}", opts.bin.display()));
        let stdin = Arc::new(Mutex::new(child.stdin.take().unwrap()));
        let stdout = child.stdout.take().unwrap();
        let (tx, rx) = mpsc::channel();
        let w = stdin.clone();
        std::thread::spawn(move || reader(stdout, w, tx, messages));
        let mut s = Server {
            child,
            stdin,
            rx,
            next_id: 1,
            name,
        };
        s.initialize();
        s
    }

    fn notify(&self, method: &str, params: Value) {
        send(
            &self.stdin,
            &json!({ "jsonrpc": "2.0", "method": method, "params": params }),
        );
    }

    fn request(&mut self, method: &str, params: Value) -> Value {
        let id = self.next_id;
        self.next_id += 1;
        send(
            &self.stdin,
            &json!({ "jsonrpc": "2.0", "id": id, "method": method, "params": params }),
        );
        let deadline = Instant::now() + TIMEOUT;
        loop {
            match self.next(deadline) {
                Incoming::Response { id: got, value } if got == id => return value,
                Incoming::Closed => panic!("{}: server closed during {method}", self.name),
                _ => {}
            }
        }
    }

    fn next(&self, deadline: Instant) -> Incoming {
        let left = deadline.saturating_duration_since(Instant::now());
        match self.rx.recv_timeout(left) {
            Ok(m) => m,
            Err(RecvTimeoutError::Timeout) => panic!("{}: no answer in {TIMEOUT:?}", self.name),
            Err(RecvTimeoutError::Disconnected) => Incoming::Closed,
        }
    }

    /// The first `publishDiagnostics` of `uri` with `version`, and when it was read.
    fn wait_publish(&self, uri: &str, version: i64) -> (Instant, usize) {
        let deadline = Instant::now() + TIMEOUT;
        loop {
            match self.next(deadline) {
                Incoming::Publish {
                    uri: u,
                    version: Some(v),
                    diagnostics,
                    at,
                } if u == uri && v == version => return (at, diagnostics),
                Incoming::Closed => panic!("{}: server closed (see its stderr log)", self.name),
                _ => {} // older versions, other documents
            }
        }
    }

    /// Waits until every one of `uris` has published version 1; the number of findings.
    fn wait_opened(&self, uris: &[&str]) -> usize {
        let mut left: HashSet<&str> = uris.iter().copied().collect();
        let mut findings = 0;
        let deadline = Instant::now() + TIMEOUT;
        while !left.is_empty() {
            match self.next(deadline) {
                Incoming::Publish {
                    uri,
                    version: Some(1),
                    diagnostics,
                    ..
                } if left.remove(uri.as_str()) => findings += diagnostics,
                Incoming::Closed => panic!("{}: server closed (see its stderr log)", self.name),
                _ => {}
            }
        }
        findings
    }

    /// `initialize` with the capabilities VS Code declares (those that matter here),
    /// then `initialized`.
    fn initialize(&mut self) {
        let caps = json!({
            "general": { "positionEncodings": ["utf-16"] },
            "workspace": {
                "applyEdit": true,
                "workspaceEdit": { "documentChanges": true },
                "didChangeConfiguration": { "dynamicRegistration": true },
                "configuration": true,
                "workspaceFolders": true,
                "inlayHint": { "refreshSupport": true },
                "codeLens": { "refreshSupport": true }
            },
            "textDocument": {
                "synchronization": { "dynamicRegistration": true, "willSave": true, "willSaveWaitUntil": true, "didSave": true },
                "publishDiagnostics": {
                    "relatedInformation": true,
                    "versionSupport": true,
                    "tagSupport": { "valueSet": [1, 2] },
                    "codeDescriptionSupport": true,
                    "dataSupport": true
                },
                "hover": { "contentFormat": ["markdown", "plaintext"] },
                "codeAction": {
                    "codeActionLiteralSupport": { "codeActionKind": { "valueSet": ["", "quickfix", "refactor", "source", "source.fixAll"] } },
                    "isPreferredSupport": true,
                    "dataSupport": true,
                    "resolveSupport": { "properties": ["edit"] }
                },
                "documentSymbol": { "hierarchicalDocumentSymbolSupport": true },
                "inlayHint": {},
                "codeLens": {},
                "foldingRange": {}
            },
            "window": { "workDoneProgress": true }
        });
        let init = self.request(
            "initialize",
            json!({
                "processId": std::process::id(),
                "clientInfo": { "name": "Visual Studio Code", "version": "1.95.0" },
                "locale": "zh-cn",
                "rootUri": null,
                "workspaceFolders": null,
                "capabilities": caps
            }),
        );
        assert_eq!(
            init["result"]["capabilities"]["positionEncoding"], "utf-16",
            "{}: {init}",
            self.name
        );
        self.notify("initialized", json!({}));
    }

    fn open(&self, uri: &str, text: &str) {
        self.notify(
            "textDocument/didOpen",
            json!({ "textDocument": { "uri": uri, "languageId": "markdown", "version": 1, "text": text } }),
        );
    }

    /// CPU time the server has used so far (user + system, all threads), in ms.
    /// `/proc/PID/stat` counts in clock ticks (USER_HZ, 100 on Linux).
    fn cpu_ms(&self) -> f64 {
        let stat = std::fs::read_to_string(format!("/proc/{}/stat", self.child.id()))
            .expect("/proc/PID/stat");
        // Fields after the command name in parentheses: state is field 3, utime 14, stime 15.
        let rest = &stat[stat.rfind(')').expect("stat") + 1..];
        let f: Vec<u64> = rest
            .split_whitespace()
            .skip(11)
            .take(2)
            .map(|x| x.parse().unwrap_or(0))
            .collect();
        (f[0] + f[1]) as f64 * 10.0
    }

    /// (VmHWM, VmRSS) in KiB.
    fn memory(&self) -> (u64, u64) {
        let status = std::fs::read_to_string(format!("/proc/{}/status", self.child.id()))
            .expect("/proc/PID/status");
        let field = |k: &str| {
            status
                .lines()
                .find_map(|l| l.strip_prefix(k))
                .and_then(|v| v.split_whitespace().next())
                .and_then(|v| v.parse().ok())
                .unwrap_or(0)
        };
        (field("VmHWM:"), field("VmRSS:"))
    }

    /// The server's copy of a document (`nianbao/documentText`).
    fn text_of(&mut self, uri: &str) -> String {
        let v = self.request("nianbao/documentText", json!({ "uri": uri }));
        v["result"]["text"].as_str().unwrap_or_default().to_string()
    }

    fn stop(mut self) {
        let _ = self.request("shutdown", Value::Null);
        self.notify("exit", Value::Null);
        let deadline = Instant::now() + Duration::from_secs(10);
        while Instant::now() < deadline {
            if let Ok(Some(_)) = self.child.try_wait() {
                return;
            }
            std::thread::sleep(Duration::from_millis(10));
        }
        eprintln!("{}: did not exit after `exit`: killed", self.name);
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

// ---------------------------------------------------------------- edits

/// An LSP position (line, UTF-16 column) of byte offset `at` in `text`.
fn position(text: &str, at: usize) -> (usize, usize) {
    let line_start = text[..at].rfind('\n').map_or(0, |i| i + 1);
    let line = text.as_bytes()[..line_start]
        .iter()
        .filter(|&&b| b == b'\n')
        .count();
    let col = text[line_start..at].encode_utf16().count();
    (line, col)
}

/// Where a site types, as a byte offset, and what it types.
fn site_offset(text: &str, site: Site) -> (usize, &'static str) {
    match site {
        Site::Table => {
            let row = "一、本年新收政府信息公开申请数量 | ";
            let at = text.find(row).expect("table 三 row 一") + row.len();
            assert_eq!(&text[at..at + 1], "0", "the 自然人 cell of row 一");
            (at, "1")
        }
        Site::Narrative => {
            let pad = common::padding(text);
            assert!(!pad.is_empty(), "no padding paragraphs");
            // The paragraph in the middle of the padding, typed into at its middle.
            let mid = pad.start + pad.len() / 2;
            let start = text.as_bytes()[..mid]
                .iter()
                .rposition(|&b| b == b'\n')
                .map_or(0, |i| i + 1)
                .max(pad.start);
            let end = start + text[start..].find('\n').expect("paragraph end");
            let chars: Vec<usize> = text[start..end].char_indices().map(|(i, _)| i).collect();
            (start + chars[chars.len() / 2], "的")
        }
    }
}

struct Sample {
    ms: f64,
    diagnostics: usize,
}

/// Where a site types: LSP position and the character.
struct Caret {
    line: usize,
    col: usize,
    ch: &'static str,
}

impl Caret {
    fn new(text: &str, site: Site) -> Caret {
        let (at, ch) = site_offset(text, site);
        let (line, col) = position(text, at);
        Caret { line, col, ch }
    }
}

/// One keystroke: type the caret's character (`insert`) or delete it again, as
/// `version`; waits for the publish of that version.
fn keystroke(server: &Server, uri: &str, caret: &Caret, version: i64, insert: bool) -> Sample {
    let (line, col) = (caret.line, caret.col);
    let width = caret.ch.encode_utf16().count();
    let change = if insert {
        json!({ "range": { "start": { "line": line, "character": col }, "end": { "line": line, "character": col } },
                "rangeLength": 0, "text": caret.ch })
    } else {
        json!({ "range": { "start": { "line": line, "character": col }, "end": { "line": line, "character": col + width } },
                "rangeLength": width, "text": "" })
    };
    let msg = frame(&json!({
        "jsonrpc": "2.0",
        "method": "textDocument/didChange",
        "params": { "textDocument": { "uri": uri, "version": version }, "contentChanges": [change] }
    }));
    let t0 = {
        let mut w = server.stdin.lock().unwrap();
        let t0 = Instant::now();
        w.write_all(&msg).expect("write didChange");
        w.flush().expect("flush didChange");
        t0
    };
    let (t1, diagnostics) = server.wait_publish(uri, version);
    Sample {
        ms: t1.duration_since(t0).as_secs_f64() * 1000.0,
        diagnostics,
    }
}

// ---------------------------------------------------------------- statistics

struct Stats {
    n: usize,
    p50: f64,
    p90: f64,
    p99: f64,
    max: f64,
}

fn stats(samples: &[Sample]) -> Stats {
    let mut v: Vec<f64> = samples.iter().map(|s| s.ms).collect();
    v.sort_by(f64::total_cmp);
    // Nearest rank.
    let p = |q: f64| v[((q * v.len() as f64).ceil() as usize).clamp(1, v.len()) - 1];
    Stats {
        n: v.len(),
        p50: p(0.50),
        p90: p(0.90),
        p99: p(0.99),
        max: *v.last().unwrap(),
    }
}

struct Row {
    size: usize,
    site: Site,
    mode: Mode,
    stats: Stats,
    /// Server CPU time (user + system) per edit, ms: what the load of the machine
    /// does not change much, unlike the wall-clock percentiles.
    cpu: f64,
    /// Diagnostics after typing / after deleting (the last of each).
    diags: (usize, usize),
}

fn loadavg() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .map(|s| s.split_whitespace().take(3).collect::<Vec<_>>().join(" "))
        .unwrap_or_else(|_| "?".into())
}

// ---------------------------------------------------------------- cases

/// Every (size, site) with one server per mode, all open at once: the modes
/// take turns keystroke by keystroke (in alternating order), so a change of
/// machine load during the run hits both alike.
fn latency(opts: &Opts, rows: &mut Vec<Row>) {
    for &size in &opts.sizes {
        let text = common::synthetic(size);
        let name = size_name(size);
        let short = name.replace(' ', "").to_lowercase();
        let uri = format!("file:///tmp/nianbao-bench/report-{short}.md");
        let case = format!("latency-{short}");
        let mut servers: Vec<(Mode, Server)> = opts
            .modes
            .iter()
            .map(|&mode| {
                let server = Server::start(opts, mode, &case);
                let t0 = Instant::now();
                server.open(&uri, &text);
                let (t1, n) = server.wait_publish(&uri, 1);
                println!(
                    "{name} ({} bytes, {} lines), incremental {}: opened, first diagnostics ({n}) after {:.1} ms",
                    text.len(),
                    text.lines().count(),
                    mode.name(),
                    t1.duration_since(t0).as_secs_f64() * 1000.0
                );
                assert_eq!(n, 0, "a synthetic report has no findings");
                (mode, server)
            })
            .collect();
        let mut version = 2;
        for &site in &opts.sites {
            let caret = Caret::new(&text, site);
            let budget = opts.case_seconds.map(Duration::from_secs_f64);
            let start = Instant::now();
            let mut samples: Vec<Vec<Sample>> = servers.iter().map(|_| Vec::new()).collect();
            let mut done = 0;
            let cpu0: Vec<f64> = servers.iter().map(|(_, s)| s.cpu_ms()).collect();
            for i in 0..opts.edits {
                if i % 2 == 0 && budget.is_some_and(|b| start.elapsed() > b) {
                    break;
                }
                let insert = i % 2 == 0;
                let v = version + i as i64;
                let mut order: Vec<usize> = (0..servers.len()).collect();
                if (i / 2) % 2 == 1 {
                    order.reverse();
                }
                for k in order {
                    samples[k].push(keystroke(&servers[k].1, &uri, &caret, v, insert));
                }
                done = i + 1;
            }
            version += done as i64;
            let cpu: Vec<f64> = servers
                .iter()
                .zip(&cpu0)
                .map(|((_, s), c0)| (s.cpu_ms() - c0) / done.max(1) as f64)
                .collect();
            // After an even number of edits the document is back where it started.
            let expect = if done % 2 == 0 {
                text.clone()
            } else {
                let (at, ch) = site_offset(&text, site);
                format!("{}{}{}", &text[..at], ch, &text[at..])
            };
            for (((mode, server), samples), cpu) in servers.iter_mut().zip(samples).zip(cpu) {
                let got = server.text_of(&uri);
                assert!(
                    got == expect,
                    "{name} {} ({}): the server's text differs after the edits (positions wrong?)",
                    site.name(),
                    mode.name()
                );
                // Findings published after the last insertion (even index) and deletion (odd).
                let last = |parity: usize| {
                    (0..samples.len())
                        .rev()
                        .find(|i| i % 2 == parity)
                        .map_or(0, |i| samples[i].diagnostics)
                };
                let diags = (last(0), last(1));
                let s = stats(&samples);
                let csv = opts.log_dir.join(format!(
                    "{case}-{}-{}.samples.csv",
                    if site == Site::Table { "A" } else { "B" },
                    mode.name()
                ));
                let rows_csv: String = samples
                    .iter()
                    .enumerate()
                    .map(|(i, x)| {
                        let what = if i % 2 == 0 { "type" } else { "delete" };
                        format!("{i},{what},{:.3},{}\n", x.ms, x.diagnostics)
                    })
                    .collect();
                std::fs::write(&csv, format!("edit,action,ms,findings\n{rows_csv}"))
                    .unwrap_or_else(|e| eprintln!("{}: {e}", csv.display()));
                println!(
                    "  {:<16} incremental {:<3} {:>5} edits: p50 {:>8.2} ms  p90 {:>8.2}  p99 {:>8.2}  max {:>8.2}   server CPU {:.2} ms/edit   findings typed/deleted {}/{}",
                    site.name(),
                    mode.name(),
                    s.n,
                    s.p50,
                    s.p90,
                    s.p99,
                    s.max,
                    cpu,
                    diags.0,
                    diags.1,
                );
                if site == Site::Table && (diags.0 == 0 || diags.1 != 0) {
                    println!("  WARNING: expected findings after typing into the cell and none after deleting");
                }
                if site == Site::Narrative && (diags.0 != 0 || diags.1 != 0) {
                    println!("  WARNING: expected no findings for narrative edits");
                }
                rows.push(Row {
                    size,
                    site,
                    mode: *mode,
                    stats: s,
                    cpu,
                    diags,
                });
            }
            println!(
                "  ({} keystrokes in {:.1} s, load {})",
                done * servers.len(),
                start.elapsed().as_secs_f64(),
                loadavg()
            );
        }
        for (_, server) in servers {
            server.stop();
        }
    }
}

struct Mem {
    case: String,
    mode: Mode,
    docs: usize,
    bytes: usize,
    baseline_rss: u64,
    hwm: u64,
    rss: u64,
}

fn memory(opts: &Opts, mems: &mut Vec<Mem>) {
    for &mode in &opts.modes {
        // (a) 20 different 30 KB reports.
        let server = Server::start(opts, mode, "memory-20x30kb");
        let (_, baseline_rss) = server.memory();
        let docs: Vec<(String, String)> = (0..20)
            .map(|k| {
                (
                    format!("file:///tmp/nianbao-bench/agency-{k:02}.md"),
                    common::synthetic_variant(30 * 1024, k),
                )
            })
            .collect();
        let distinct: HashSet<&String> = docs.iter().map(|(_, t)| t).collect();
        assert_eq!(distinct.len(), 20);
        for (uri, text) in &docs {
            server.open(uri, text);
        }
        let uris: Vec<&str> = docs.iter().map(|(u, _)| u.as_str()).collect();
        let n = server.wait_opened(&uris);
        assert_eq!(n, 0, "the synthetic reports have no findings");
        let (hwm, rss) = server.memory();
        mems.push(Mem {
            case: "20 × 30 KB reports open".into(),
            mode,
            docs: 20,
            bytes: docs.iter().map(|(_, t)| t.len()).sum(),
            baseline_rss,
            hwm,
            rss,
        });
        server.stop();

        // (b) one 10 MB report.
        let server = Server::start(opts, mode, "memory-10mb");
        let (_, baseline_rss) = server.memory();
        let text = common::synthetic(10 * 1024 * 1024);
        let uri = "file:///tmp/nianbao-bench/big.md";
        server.open(uri, &text);
        server.wait_publish(uri, 1);
        let (hwm, rss) = server.memory();
        mems.push(Mem {
            case: "1 × 10 MB report open".into(),
            mode,
            docs: 1,
            bytes: text.len(),
            baseline_rss,
            hwm,
            rss,
        });
        server.stop();
    }
    for m in mems.iter() {
        println!(
            "memory, incremental {}: {}: VmHWM {:.1} MB, VmRSS {:.1} MB (after initialize: {:.1} MB)",
            m.mode.name(),
            m.case,
            m.hwm as f64 / 1024.0,
            m.rss as f64 / 1024.0,
            m.baseline_rss as f64 / 1024.0
        );
    }
}

fn main() {
    let opts = Opts::read();
    println!(
        "nianbao lsp latency: {} ({}), {} edits per case{}, sizes {:?}, load {}, {} cpus",
        opts.bin.display(),
        std::fs::metadata(&opts.bin)
            .and_then(|m| m.modified())
            .map(|t| format!(
                "built {:.0} min ago",
                t.elapsed().unwrap_or_default().as_secs_f64() / 60.0
            ))
            .unwrap_or_default(),
        opts.edits,
        opts.case_seconds
            .map(|s| format!(" (at most {s} s each)"))
            .unwrap_or_default(),
        opts.sizes.iter().map(|&s| size_name(s)).collect::<Vec<_>>(),
        loadavg(),
        std::thread::available_parallelism().map_or(0, |n| n.get())
    );
    println!("logs: {}", opts.log_dir.display());
    let mut rows = Vec::new();
    let mut mems = Vec::new();
    if opts.latency && opts.edits > 0 {
        latency(&opts, &mut rows);
    }
    if opts.memory {
        memory(&opts, &mut mems);
    }

    // ------------------------------------------------------------ Markdown
    println!();
    println!(
        "<!-- cargo bench --bench lsp_latency; {} edits per case{}; load {} at the end -->",
        opts.edits,
        opts.case_seconds
            .map(|s| format!(", at most {s} s each"))
            .unwrap_or_default(),
        loadavg()
    );
    if !rows.is_empty() {
        println!();
        println!("| size | edit site | incremental | edits | p50 ms | p90 ms | p99 ms | max ms | server CPU ms/edit | findings typed/deleted |");
        println!("|---|---|---|---:|---:|---:|---:|---:|---:|---|");
        for r in &rows {
            println!(
                "| {} | {} | {} | {} | {:.2} | {:.2} | {:.2} | {:.2} | {:.2} | {}/{} |",
                size_name(r.size),
                r.site.name(),
                r.mode.name(),
                r.stats.n,
                r.stats.p50,
                r.stats.p90,
                r.stats.p99,
                r.stats.max,
                r.cpu,
                r.diags.0,
                r.diags.1
            );
        }
        let pairs: Vec<(&Row, &Row)> = rows
            .iter()
            .filter(|r| r.mode == Mode::Off)
            .filter_map(|off| {
                rows.iter()
                    .find(|on| on.mode == Mode::On && on.size == off.size && on.site == off.site)
                    .map(|on| (off, on))
            })
            .collect();
        if !pairs.is_empty() {
            println!();
            println!("| size | edit site | p50 off / on | p99 off / on | CPU per edit off / on |");
            println!("|---|---|---:|---:|---:|");
            for (off, on) in pairs {
                println!(
                    "| {} | {} | {:.2}× | {:.2}× | {:.2}× |",
                    size_name(off.size),
                    off.site.name(),
                    off.stats.p50 / on.stats.p50,
                    off.stats.p99 / on.stats.p99,
                    off.cpu / on.cpu
                );
            }
        }
    }
    if !mems.is_empty() {
        println!();
        println!(
            "| server holds | incremental | text | VmRSS after initialize | VmHWM (peak) | VmRSS |"
        );
        println!("|---|---|---:|---:|---:|---:|");
        for m in &mems {
            println!(
                "| {} | {} | {:.1} MB in {} | {:.1} MB | {:.1} MB | {:.1} MB |",
                m.case,
                m.mode.name(),
                m.bytes as f64 / (1024.0 * 1024.0),
                if m.docs == 1 {
                    "1 document".to_string()
                } else {
                    format!("{} documents", m.docs)
                },
                m.baseline_rss as f64 / 1024.0,
                m.hwm as f64 / 1024.0,
                m.rss as f64 / 1024.0
            );
        }
    }
}
