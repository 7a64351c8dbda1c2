//! The real binary: `nianbao lsp` fed a whole session at once (as `printf … |
//! nianbao lsp` does), and the same session in process.

mod lsp_client;

use serde_json::{json, Value};
use std::io::Write;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

fn frame(v: &Value) -> Vec<u8> {
    let body = serde_json::to_vec(v).unwrap();
    let mut out = format!("Content-Length: {}\r\n\r\n", body.len()).into_bytes();
    out.extend(body);
    out
}

fn session(with_shutdown: bool) -> Vec<u8> {
    let text = lsp_client::draft_open_3();
    let mut msgs = vec![
        json!({ "jsonrpc": "2.0", "id": 1, "method": "initialize", "params": { "processId": null, "rootUri": null, "capabilities": {} } }),
        json!({ "jsonrpc": "2.0", "method": "initialized", "params": {} }),
        json!({ "jsonrpc": "2.0", "method": "textDocument/didOpen", "params": { "textDocument": { "uri": "file:///tmp/r.md", "languageId": "markdown", "version": 1, "text": text } } }),
        json!({ "jsonrpc": "2.0", "id": 2, "method": "textDocument/hover", "params": { "textDocument": { "uri": "file:///tmp/r.md" }, "position": { "line": 0, "character": 0 } } }),
    ];
    if with_shutdown {
        msgs.push(json!({ "jsonrpc": "2.0", "id": 3, "method": "shutdown" }));
    }
    msgs.push(json!({ "jsonrpc": "2.0", "method": "exit" }));
    msgs.iter().flat_map(frame).collect()
}

/// Responses (by id) in a captured stdout.
fn responses(out: &[u8]) -> Vec<Value> {
    let s = String::from_utf8_lossy(out);
    s.split("Content-Length:")
        .filter_map(|chunk| chunk.split_once("\r\n\r\n").map(|(_, body)| body))
        .filter_map(|body| serde_json::from_str::<Value>(body).ok())
        .filter(|v| v.get("id").is_some() && v.get("method").is_none())
        .collect()
}

fn run(args: &[&str], input: &[u8]) -> (i32, Vec<u8>) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_nianbao"))
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("nianbao runs");
    child.stdin.take().unwrap().write_all(input).unwrap();
    let start = Instant::now();
    loop {
        if let Some(status) = child.try_wait().unwrap() {
            let mut out = Vec::new();
            std::io::Read::read_to_end(&mut child.stdout.take().unwrap(), &mut out).unwrap();
            return (status.code().unwrap_or(-1), out);
        }
        if start.elapsed() > Duration::from_secs(30) {
            let _ = child.kill();
            panic!("nianbao {args:?} did not exit");
        }
        std::thread::sleep(Duration::from_millis(20));
    }
}

#[test]
fn printf_session_into_the_binary_exits_zero() {
    for args in [&["lsp"][..], &["lsp", "--stdio"][..]] {
        let (code, out) = run(args, &session(true));
        assert_eq!(code, 0, "{args:?}: {}", String::from_utf8_lossy(&out));
        let rs = responses(&out);
        let init = rs
            .iter()
            .find(|r| r["id"] == 1)
            .expect("initialize answered");
        assert_eq!(init["result"]["serverInfo"]["name"], "nianbao");
        assert_eq!(init["result"]["capabilities"]["positionEncoding"], "utf-16");
        let shutdown = rs.iter().find(|r| r["id"] == 3).expect("shutdown answered");
        assert!(shutdown.get("error").is_none(), "{shutdown}");
    }
    // exit without shutdown: status 1, as LSP says.
    let (code, _) = run(&["lsp"], &session(false));
    assert_eq!(code, 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pipelined_session_in_process() {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let (mut client, server) = tokio::io::duplex(1 << 20);
    let (r, w) = tokio::io::split(server);
    let serve = tokio::spawn(nianbao_lsp::serve(r, w));
    client.write_all(&session(true)).await.unwrap();
    let clean = tokio::time::timeout(Duration::from_secs(20), serve)
        .await
        .expect("server exits")
        .unwrap();
    assert!(clean);
    let mut out = Vec::new();
    let _ = tokio::time::timeout(Duration::from_secs(5), client.read_to_end(&mut out)).await;
    let rs = responses(&out);
    assert!(
        rs.iter().any(|r| r["id"] == 1 && r["result"].is_object()),
        "{rs:?}"
    );
    // The hover reached the server (it may still be cancelled by `exit`, but is never refused).
    let hover = rs.iter().find(|r| r["id"] == 2).expect("hover answered");
    assert_ne!(
        hover["error"]["code"], -32002,
        "refused as not initialized: {hover}"
    );
    assert!(
        rs.iter().any(|r| r["id"] == 3 && r.get("error").is_none()),
        "{rs:?}"
    );
}
