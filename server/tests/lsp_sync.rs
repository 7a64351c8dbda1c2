//! Document sync and position encodings, in process over `tokio::io::duplex`.

mod lsp_client;

use lsp_client::*;
use nianbao_core::text::{Encoding, LineIndex};
use serde_json::{json, Value};
use std::time::Duration;

const URI: &str = "file:///work/2024%E5%B9%B4%E5%BA%A6%E6%8A%A5%E5%91%8A.md";

/// xorshift64*: deterministic randomness without a dependency.
struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
}

fn caps_with_encodings(encs: &[&str]) -> Value {
    let mut c = push_caps();
    c["general"] = json!({ "positionEncodings": encs });
    c
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn two_hundred_rapid_edits_leave_the_same_text_on_both_sides() {
    for enc in [Encoding::Utf16, Encoding::Utf8, Encoding::Utf32] {
        let (client, init) =
            TestClient::start(init_params(caps_with_encodings(&[enc_name(enc)]))).await;
        assert_eq!(init["capabilities"]["positionEncoding"], enc_name(enc));
        assert_eq!(
            init["capabilities"]["textDocumentSync"]["change"], 2,
            "incremental sync"
        );
        let mut text = draft_open_3();
        client.open(URI, "markdown", 1, &text);
        // Edit below the title lines, so that the document stays a report.
        let protected = text.find("一、总体情况").unwrap();
        let inserts = ["总", "计", "𠀀", "1", "0", " ", "|", "\n", "a", "。", "３"];
        let mut rng = Rng(0x9E37_79B9_7F4A_7C15 ^ enc as u64);
        let mut version = 1;
        for _ in 0..200 {
            version += 1;
            let bounds: Vec<usize> = text
                .char_indices()
                .map(|(i, _)| i)
                .filter(|i| *i >= protected)
                .collect();
            let at = bounds[rng.below(bounds.len())];
            let (range, new_text) = if rng.below(10) < 6 {
                let s = inserts[rng.below(inserts.len())];
                ((at, at), s.to_string())
            } else {
                let len = text[at..].chars().next().unwrap().len_utf8();
                ((at, at + len), String::new())
            };
            let lsp_range = json!({ "start": lsp_pos(&text, range.0, enc), "end": lsp_pos(&text, range.1, enc) });
            client.notify(
                "textDocument/didChange",
                json!({ "textDocument": { "uri": URI, "version": version }, "contentChanges": [{ "range": lsp_range, "text": new_text }] }),
            );
            text.replace_range(range.0..range.1, &new_text);
        }
        let (v, server_text) = client.server_text(URI).await;
        assert_eq!(v, version);
        assert!(
            server_text == text,
            "{enc:?}: the server's document differs from the client's"
        );
        // The diagnostics of the last version arrive and are those of a fresh
        // analysis of the final text (the server analyses incrementally).
        let got = client.diagnostics(URI, version).await;
        let fresh = nianbao_core::analyze(&text, &nianbao_core::config::Config::default());
        let want: Vec<(String, Value)> = fresh
            .diagnostics
            .iter()
            .map(|d| {
                (
                    d.code().to_string(),
                    json!({ "start": lsp_pos(&text, d.range.start, enc), "end": lsp_pos(&text, d.range.end, enc) }),
                )
            })
            .collect();
        let got: Vec<(String, Value)> = got
            .iter()
            .map(|d| (d["code"].as_str().unwrap().to_string(), d["range"].clone()))
            .collect();
        assert_eq!(
            got, want,
            "{enc:?}: incremental diagnostics differ from a fresh analysis"
        );
        for n in client.drain(Duration::from_millis(100)).await {
            if n["method"] == "textDocument/publishDiagnostics" {
                assert!(n["params"]["version"].as_i64().unwrap() <= version);
            }
        }
        assert!(client.shutdown_and_exit().await);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn stale_and_out_of_range_edits_are_logged_and_never_corrupt() {
    let (client, _) = TestClient::start(init_params(push_caps())).await;
    let text = draft_open_3();
    client.open(URI, "markdown", 5, &text);
    // Stale version: rejected with a log message.
    client.notify(
        "textDocument/didChange",
        json!({ "textDocument": { "uri": URI, "version": 4 }, "contentChanges": [{ "range": { "start": { "line": 0, "character": 0 }, "end": { "line": 0, "character": 1 } }, "text": "X" }] }),
    );
    let log = client
        .wait_for(TIMEOUT, |n| n["method"] == "window/logMessage")
        .await
        .expect("a log message");
    assert!(
        log["params"]["message"]
            .as_str()
            .unwrap()
            .contains("version 4"),
        "{log}"
    );
    let (v, t) = client.server_text(URI).await;
    assert_eq!((v, t.as_str()), (5, text.as_str()));
    // Past the end: clamped to the end of the document, logged.
    client.notify(
        "textDocument/didChange",
        json!({ "textDocument": { "uri": URI, "version": 6 }, "contentChanges": [{ "range": { "start": { "line": 9999, "character": 3 }, "end": { "line": 10000, "character": 0 } }, "text": "尾" }] }),
    );
    let log = client
        .wait_for(TIMEOUT, |n| n["method"] == "window/logMessage")
        .await
        .expect("a log message");
    assert!(
        log["params"]["message"]
            .as_str()
            .unwrap()
            .contains("past the end"),
        "{log}"
    );
    let (v, t) = client.server_text(URI).await;
    assert_eq!(v, 6);
    assert_eq!(t, format!("{text}尾"));
    // Reversed range: swapped. Column past the line end: clamped silently (LSP allows it).
    client.notify(
        "textDocument/didChange",
        json!({ "textDocument": { "uri": URI, "version": 7 }, "contentChanges": [
            { "range": { "start": { "line": 0, "character": 2 }, "end": { "line": 0, "character": 0 } }, "text": "" },
            { "range": { "start": { "line": 0, "character": 500 }, "end": { "line": 0, "character": 500 } }, "text": "！" }
        ] }),
    );
    let (_, t2) = client.server_text(URI).await;
    let first_line_end = t.find('\n').unwrap();
    let expected = format!("{}！{}", &t[6..first_line_end], &t[first_line_end..]);
    assert_eq!(t2, expected);
    // Changes to a document that is not open are ignored with a log message.
    client.notify(
        "textDocument/didChange",
        json!({ "textDocument": { "uri": "file:///nope.md", "version": 2 }, "contentChanges": [{ "text": "x" }] }),
    );
    assert!(client
        .wait_for(TIMEOUT, |n| n["method"] == "window/logMessage"
            && n["params"]["message"]
                .as_str()
                .unwrap()
                .contains("not open"))
        .await
        .is_some());
    assert!(client.shutdown_and_exit().await);
}

/// The draft with a CJK line and a line with 𠀀 above table 三, and 𠀀 in the
/// label before the wrong total.
fn wide_draft() -> String {
    let t = draft_open_3();
    let t = t.replacen(
        "三、收到和处理政府信息公开申请情况\n",
        "三、收到和处理政府信息公开申请情况\n说明：本表数据𠀀𠀀经核对。\n",
        1,
    );
    t.replacen("(一)予以公开", "(一)予以公开𠀀", 1)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ranges_are_exact_in_utf8_utf16_and_utf32() {
    let text = wide_draft();
    let (total_start, total_end) = cell_offset(&text, "(一)予以公开𠀀", 6);
    let (b7_start, b7_end) = cell_offset(&text, "(七)总计", 0);
    for enc in [Encoding::Utf8, Encoding::Utf16, Encoding::Utf32] {
        let (client, init) =
            TestClient::start(init_params(caps_with_encodings(&[enc_name(enc)]))).await;
        assert_eq!(init["capabilities"]["positionEncoding"], enc_name(enc));
        client.open(URI, "markdown", 1, &text);
        let diags = client.diagnostics(URI, 1).await;
        let a = diags
            .iter()
            .find(|d| d["code"] == "NB301")
            .unwrap_or_else(|| panic!("NB301 in {diags:#?}"));
        assert_eq!(covered(&text, &a["range"], enc), "0");
        assert_eq!(
            byte_range(&text, &a["range"], enc),
            nianbao_core::text::TextRange::new(total_start, total_end),
            "{enc:?}"
        );
        // The column really differs by encoding (the line has CJK and a non-BMP char before the cell).
        let line_start = text[..total_start].rfind('\n').unwrap() + 1;
        let col = nianbao_core::text::column_units(&text[line_start..total_start], enc);
        assert_eq!(
            a["range"]["start"]["character"].as_u64().unwrap() as usize,
            col
        );
        for r in a["relatedInformation"].as_array().unwrap() {
            assert_eq!(r["location"]["uri"], URI);
            let cell = covered(&text, &r["location"]["range"], enc);
            assert!(
                cell == "0" || cell == "3",
                "{enc:?}: related covers {cell:?}"
            );
        }
        let b = diags.iter().find(|d| d["code"] == "NB302").expect("NB302");
        assert_eq!(
            byte_range(&text, &b["range"], enc),
            nianbao_core::text::TextRange::new(b7_start, b7_end)
        );
        // Fix edits in `data` are in the same encoding.
        let edits = a["data"]["fixes"][0]["edits"].as_array().unwrap().clone();
        let fixed = apply_lsp_edits(&text, &edits, enc);
        assert_eq!(&fixed[total_start..total_start + 1], "3");
        assert!(client.shutdown_and_exit().await);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn encoding_negotiation_and_surrogate_snapping() {
    // No positionEncodings (VS Code, Neovim 0.7, eglot 1.9): UTF-16.
    let (client, init) = TestClient::start(init_params(push_caps())).await;
    assert_eq!(init["capabilities"]["positionEncoding"], "utf-16");
    // A position between the two halves of 𠀀 snaps back to its start.
    client.open(
        URI,
        "markdown",
        1,
        "# 2024年政府信息公开工作年度报告\n𠀀z\n",
    );
    client.notify(
        "textDocument/didChange",
        json!({ "textDocument": { "uri": URI, "version": 2 }, "contentChanges": [{ "range": { "start": { "line": 1, "character": 1 }, "end": { "line": 1, "character": 1 } }, "text": "y" }] }),
    );
    let (_, t) = client.server_text(URI).await;
    assert_eq!(t, "# 2024年政府信息公开工作年度报告\ny𠀀z\n");
    assert!(client.shutdown_and_exit().await);

    // The first of the client's list that we support.
    for (offered, expected) in [
        (vec!["utf-32", "utf-8", "utf-16"], "utf-32"),
        (vec!["utf-8", "utf-16"], "utf-8"),
        (vec!["latin-1", "utf-16", "utf-8"], "utf-16"),
        (vec!["latin-1"], "utf-16"),
    ] {
        let (client, init) = TestClient::start(init_params(caps_with_encodings(&offered))).await;
        assert_eq!(
            init["capabilities"]["positionEncoding"], expected,
            "{offered:?}"
        );
        assert!(client.shutdown_and_exit().await);
    }
    let _ = LineIndex::new("");
}
