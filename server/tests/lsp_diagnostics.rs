//! Diagnostics (push vs pull), attachment, and settings, in process over `tokio::io::duplex`.

mod lsp_client;

use lsp_client::*;
use nianbao_core::text::Encoding;
use serde_json::{json, Value};
use std::time::Duration;

const URI: &str = "file:///work/report.md";

fn codes(diags: &[Value]) -> Vec<String> {
    diags
        .iter()
        .map(|d| d["code"].as_str().unwrap().to_string())
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn push_diagnostics_carry_code_description_source_related_and_fix_data() {
    let (client, init) = TestClient::start(init_params(push_caps())).await;
    assert!(
        init["capabilities"].get("diagnosticProvider").is_none(),
        "push clients are not offered pull"
    );
    let text = draft_abc();
    client.open(URI, "markdown", 1, &text);
    let diags = client.diagnostics(URI, 1).await;
    let cs = codes(&diags);
    for code in ["NB301", "NB302", "NB303"] {
        assert!(cs.iter().any(|c| c == code), "{code} in {cs:?}");
    }
    for d in &diags {
        let code = d["code"].as_str().unwrap();
        assert_eq!(d["source"], "nianbao");
        assert_eq!(
            d["codeDescription"]["href"],
            nianbao_core::rules::docs_url(code)
        );
        assert_eq!(d["data"]["version"], 1);
        assert!(d["severity"].as_u64().is_some());
    }
    let a = diags.iter().find(|d| d["code"] == "NB301").unwrap();
    assert!(
        a["message"].as_str().unwrap().contains("勾稽关系"),
        "Chinese by default: {}",
        a["message"]
    );
    // The identities the located cell breaks: its row (A) and the 总计 column (B).
    let related = a["relatedInformation"]
        .as_array()
        .expect("related identities");
    assert_eq!(related.len(), 2, "{related:#?}");
    assert!(related.iter().all(|r| r["location"]["uri"] == URI));
    let fix = &a["data"]["fixes"][0];
    assert_eq!(fix["kind"], "recompute");
    assert_eq!(fix["preferred"], true);
    assert_eq!(fix["edits"][0]["newText"], "0", "予以公开·总计 should be 0");

    // Every keystroke: typing the right value removes that finding at the next version.
    let (s, e) = cell_offset(&text, "(一)予以公开", 6);
    let range = json!({ "start": lsp_pos(&text, s, Encoding::Utf16), "end": lsp_pos(&text, e, Encoding::Utf16) });
    client.notify(
        "textDocument/didChange",
        json!({ "textDocument": { "uri": URI, "version": 2 }, "contentChanges": [{ "range": range, "text": "0" }] }),
    );
    let diags2 = client.diagnostics(URI, 2).await;
    let arithmetic = |d: &[Value]| codes(d).iter().filter(|c| c.starts_with("NB3")).count();
    assert_eq!(
        arithmetic(&diags2) + 1,
        arithmetic(&diags),
        "{:?} → {:?}",
        codes(&diags),
        codes(&diags2)
    );
    assert!(
        !codes(&diags2).iter().any(|c| c == "NB301"),
        "{:?}",
        codes(&diags2)
    );

    // Closing clears the published diagnostics.
    client.notify(
        "textDocument/didClose",
        json!({ "textDocument": { "uri": URI } }),
    );
    let cleared = client
        .wait_for(TIMEOUT, |n| {
            n["method"] == "textDocument/publishDiagnostics"
                && n["params"]["uri"] == URI
                && n["params"]["diagnostics"].as_array().unwrap().is_empty()
        })
        .await;
    assert!(cleared.is_some());
    assert!(client.shutdown_and_exit().await);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pull_clients_are_answered_and_never_pushed_to() {
    let (client, init) = TestClient::start_with_config(init_params(pull_caps()), json!({})).await;
    assert_eq!(
        init["capabilities"]["diagnosticProvider"]["identifier"],
        "nianbao"
    );
    let text = draft_abc();
    client.open(URI, "markdown", 1, &text);
    let r = client
        .call(
            "textDocument/diagnostic",
            json!({ "textDocument": { "uri": URI } }),
        )
        .await;
    assert_eq!(r["kind"], "full");
    let items = r["items"].as_array().unwrap();
    assert!(codes(items).iter().any(|c| c == "NB303"));
    let result_id = r["resultId"].as_str().unwrap().to_string();
    // Same version, same settings: unchanged.
    let r2 = client
        .call(
            "textDocument/diagnostic",
            json!({ "textDocument": { "uri": URI }, "previousResultId": result_id }),
        )
        .await;
    assert_eq!(r2["kind"], "unchanged");
    // After an edit: a full report again, for the new text.
    client.replace_all(URI, 2, &fixture());
    let r3 = client
        .call(
            "textDocument/diagnostic",
            json!({ "textDocument": { "uri": URI }, "previousResultId": result_id }),
        )
        .await;
    assert_eq!(r3["kind"], "full");
    assert!(!codes(r3["items"].as_array().unwrap())
        .iter()
        .any(|c| c.starts_with("NB30")));
    // Settings change: a refresh request, never a push.
    *client.config.lock().unwrap() = json!({ "language": "en" });
    client.notify(
        "workspace/didChangeConfiguration",
        json!({ "settings": null }),
    );
    for _ in 0..200 {
        if !client
            .requests_named("workspace/diagnostic/refresh")
            .is_empty()
        {
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert!(
        !client
            .requests_named("workspace/diagnostic/refresh")
            .is_empty(),
        "refresh sent to the pull client"
    );
    let pushed: Vec<Value> = client
        .drain(Duration::from_millis(200))
        .await
        .into_iter()
        .filter(|n| n["method"] == "textDocument/publishDiagnostics")
        .collect();
    assert!(
        pushed.is_empty(),
        "pull client got pushed diagnostics: {pushed:?}"
    );
    assert!(client.shutdown_and_exit().await);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn only_reports_attach_unless_settings_say_so() {
    let (client, _) = TestClient::start(init_params(push_caps())).await;
    // Ordinary Markdown: no diagnostics at all.
    client.open(
        "file:///work/README.md",
        "markdown",
        1,
        "# README\n\n一、安装\n\n二、使用\n",
    );
    // A report: diagnostics.
    client.open(URI, "markdown", 1, &draft_open_3());
    let d = client.diagnostics(URI, 1).await;
    assert!(!d.is_empty());
    // The report stops looking like one: its diagnostics are cleared.
    client.replace_all(URI, 2, "# 会议纪要\n\n今天开会。\n");
    assert!(client.diagnostics(URI, 2).await.is_empty());
    // A plain text file whose title says 年度报告: attached.
    client.open(
        "file:///work/draft.txt",
        "plaintext",
        1,
        "某局2024年政府信息公开工作年度报告\n\n一、总体情况\n",
    );
    let d = client.diagnostics("file:///work/draft.txt", 1).await;
    assert!(!d.is_empty(), "missing sections are reported");
    let readme: Vec<Value> = client
        .drain(Duration::from_millis(300))
        .await
        .into_iter()
        .filter(|n| {
            n["method"] == "textDocument/publishDiagnostics"
                && n["params"]["uri"] == "file:///work/README.md"
        })
        .collect();
    assert!(readme.is_empty(), "README got diagnostics: {readme:?}");
    assert!(client.shutdown_and_exit().await);

    // attach: always — any document.
    let (client, _) =
        TestClient::start_with_config(init_params(push_caps()), json!({ "attach": "always" }))
            .await;
    // The pulled settings arrive after `initialized`: wait for the registration round trip.
    wait_config_pulled(&client).await;
    client.open("file:///work/notes.rs", "rust", 1, "fn main() {}\n");
    assert!(!client
        .diagnostics("file:///work/notes.rs", 1)
        .await
        .is_empty());
    assert!(client.shutdown_and_exit().await);

    // attach: never — not even a report.
    let (client, _) = TestClient::start(json!({
        "processId": null, "rootUri": null, "capabilities": push_caps(), "initializationOptions": { "attach": "never" }
    }))
    .await;
    client.open(URI, "markdown", 1, &draft_open_3());
    let any: Vec<Value> = client
        .drain(Duration::from_millis(300))
        .await
        .into_iter()
        .filter(|n| n["method"] == "textDocument/publishDiagnostics")
        .collect();
    assert!(any.is_empty(), "{any:?}");
    assert!(client.shutdown_and_exit().await);
}

async fn wait_config_pulled(client: &TestClient) {
    for _ in 0..250 {
        if !client.requests_named("workspace/configuration").is_empty() {
            tokio::time::sleep(Duration::from_millis(30)).await;
            return;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    panic!("the server never asked for its settings");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn settings_switch_the_message_language_and_rules() {
    let (client, _) = TestClient::start_with_config(init_params(push_caps()), json!({})).await;
    wait_config_pulled(&client).await;
    let text = draft_open_3();
    client.open(URI, "markdown", 1, &text);
    let zh = client.diagnostics(URI, 1).await;
    let a = zh.iter().find(|d| d["code"] == "NB301").unwrap();
    assert!(
        a["message"].as_str().unwrap().contains("应为"),
        "{}",
        a["message"]
    );
    let reg = client.requests_named("client/registerCapability");
    assert_eq!(
        reg[0]["params"]["registrations"][0]["method"],
        "workspace/didChangeConfiguration"
    );

    // Switch to English through workspace/configuration (VS Code style: null settings, then pull).
    *client.config.lock().unwrap() = json!({ "language": "en" });
    client.notify(
        "workspace/didChangeConfiguration",
        json!({ "settings": null }),
    );
    let n = client
        .wait_for(TIMEOUT, |n| {
            n["method"] == "textDocument/publishDiagnostics"
                && n["params"]["diagnostics"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .any(|d| d["message"].as_str().unwrap().contains("should be"))
        })
        .await
        .expect("diagnostics re-published in English");
    assert_eq!(n["params"]["version"], 1);

    // Turn a rule off and change a severity.
    *client.config.lock().unwrap() =
        json!({ "language": "en", "rules": { "NB301": "off", "NB302": { "severity": "hint" } } });
    client.notify(
        "workspace/didChangeConfiguration",
        json!({ "settings": null }),
    );
    let n = client
        .wait_for(TIMEOUT, |n| {
            n["method"] == "textDocument/publishDiagnostics"
                && !n["params"]["diagnostics"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .any(|d| d["code"] == "NB301")
        })
        .await
        .expect("NB301 turned off");
    let b = n["params"]["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["code"] == "NB302")
        .cloned()
        .expect("NB302");
    assert_eq!(b["severity"], 4, "hint");
    assert!(client.shutdown_and_exit().await);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn settings_from_initialization_options_locale_and_pushed_notifications() {
    // English locale → English messages.
    let mut params = init_params(push_caps());
    params["locale"] = json!("en-US");
    let (client, _) = TestClient::start(params).await;
    client.open(URI, "markdown", 1, &draft_open_3());
    let d = client.diagnostics(URI, 1).await;
    assert!(d
        .iter()
        .any(|d| d["message"].as_str().unwrap().contains("should be")));
    assert!(client.shutdown_and_exit().await);

    // initializationOptions (nested under "nianbao" too) win over the locale.
    let mut params = init_params(push_caps());
    params["locale"] = json!("en");
    params["initializationOptions"] = json!({ "nianbao": { "language": "zh", "format": "2021", "profile": { "feeDecimals": 4 } } });
    let (client, _) = TestClient::start(params).await;
    client.open(URI, "markdown", 1, &draft_open_3());
    let d = client.diagnostics(URI, 1).await;
    assert!(d
        .iter()
        .any(|d| d["message"].as_str().unwrap().contains("应为")));

    // A client without workspace/configuration pushes settings in the notification.
    let mut caps = push_caps();
    caps["workspace"]["configuration"] = json!(false);
    let mut params = init_params(caps);
    params["locale"] = json!("zh-CN");
    let (client2, _) = TestClient::start(params).await;
    client2.open(URI, "markdown", 1, &draft_open_3());
    client2.diagnostics(URI, 1).await;
    client2.notify(
        "workspace/didChangeConfiguration",
        json!({ "settings": { "nianbao": { "language": "en" } } }),
    );
    let n = client2
        .wait_for(TIMEOUT, |n| {
            n["method"] == "textDocument/publishDiagnostics"
                && n["params"]["diagnostics"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .any(|d| d["message"].as_str().unwrap().contains("should be"))
        })
        .await;
    assert!(n.is_some(), "pushed settings switched the language");
    assert!(client2.requests_named("workspace/configuration").is_empty());
    // Bad settings are logged, not fatal.
    client2.notify(
        "workspace/didChangeConfiguration",
        json!({ "settings": { "nianbao": { "language": "fr" } } }),
    );
    let log = client2
        .wait_for(TIMEOUT, |n| n["method"] == "window/logMessage")
        .await
        .expect("a warning");
    assert!(log["params"]["message"]
        .as_str()
        .unwrap()
        .contains("language"));
    assert!(client2.shutdown_and_exit().await);
    assert!(client.shutdown_and_exit().await);
}
