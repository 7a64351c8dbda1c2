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
            nianbao_core::rules::docs_url(nianbao_core::rules::Rule::from_code(code).unwrap())
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

/// A work summary with two numbered headings that happen to name sections is not
/// a report: no "missing section" errors. A report whose lines end in a lone CR
/// (old Mac line endings) is one: it gets the diagnostics `check` gives it.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_work_summary_is_left_alone_and_a_lone_cr_report_is_checked() {
    let (client, _) = TestClient::start(init_params(push_caps())).await;
    let summary = "file:///work/%E5%B7%A5%E4%BD%9C%E6%80%BB%E7%BB%93.md";
    client.open(
        summary,
        "markdown",
        1,
        "# 2024年度工作总结\n\n一、总体情况\n\n今年完成了各项任务。\n\n二、存在的问题\n\n人手不足。\n",
    );
    let cr = draft_abc().replace("\r\n", "\n").replace('\n', "\r");
    let cr_uri = "file:///work/cr.md";
    client.open(cr_uri, "markdown", 1, &cr);
    let d = client.diagnostics(cr_uri, 1).await;
    let want = nianbao_core::analyze(&cr, &nianbao_core::config::Config::default());
    assert!(!want.diagnostics.is_empty());
    assert_eq!(d.len(), want.diagnostics.len(), "as many findings as check");
    assert!(codes(&d).iter().any(|c| c == "NB301"), "{:?}", codes(&d));
    let got: Vec<Value> = client
        .drain(Duration::from_millis(300))
        .await
        .into_iter()
        .filter(|n| {
            n["method"] == "textDocument/publishDiagnostics"
                && n["params"]["uri"] == summary
                && !n["params"]["diagnostics"].as_array().unwrap().is_empty()
        })
        .collect();
    assert!(got.is_empty(), "the work summary got diagnostics: {got:?}");
    assert!(client.shutdown_and_exit().await);

    // attach: always checks the work summary all the same.
    let (client, _) =
        TestClient::start_with_config(init_params(push_caps()), json!({ "attach": "always" }))
            .await;
    wait_config_pulled(&client).await;
    client.open(
        summary,
        "markdown",
        1,
        "# 2024年度工作总结\n\n一、总体情况\n",
    );
    let d = client.diagnostics(summary, 1).await;
    assert!(codes(&d).iter().any(|c| c == "NB101"), "{d:?}");
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

/// A setting the user did not set is absent from what the client sends (the VS
/// Code extension sends only what `inspect()` finds set): the nianbao.toml
/// beside the report then decides; a language the user set wins over it.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn unset_settings_leave_the_project_file_its_language() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("nianbao.toml"), "language = \"en\"\n").unwrap();
    let report = dir.path().join("report.md");
    std::fs::write(&report, draft_abc()).unwrap();
    let uri = format!("file://{}", report.display());
    let message_of_nb301 = |d: &[Value]| {
        d.iter()
            .find(|d| d["code"] == "NB301")
            .map(|d| d["message"].as_str().unwrap().to_string())
            .expect("NB301")
    };
    // Nothing set: English, from the file.
    let (client, _) = TestClient::start_with_config(init_params(push_caps()), json!({})).await;
    wait_config_pulled(&client).await;
    client.open(&uri, "markdown", 1, &draft_abc());
    let en = message_of_nb301(&client.diagnostics(&uri, 1).await);
    assert!(
        en.contains("identity A") && !en.contains("勾稽"),
        "English from nianbao.toml: {en}"
    );
    assert!(client.shutdown_and_exit().await);
    // The user set Chinese: it wins.
    let (client, _) =
        TestClient::start_with_config(init_params(push_caps()), json!({ "language": "zh" })).await;
    wait_config_pulled(&client).await;
    client.open(&uri, "markdown", 1, &draft_abc());
    let zh = message_of_nb301(&client.diagnostics(&uri, 1).await);
    assert!(zh.contains("勾稽关系"), "Chinese as set: {zh}");
    assert!(client.shutdown_and_exit().await);
}

/// `nianbao.ruleDocs` answers the documentation of every rule (the editor shows
/// it: the bundled binary is not on PATH for `nianbao rules`).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_rule_documentation_is_a_server_command() {
    let (client, init) = TestClient::start(init_params(push_caps())).await;
    let commands = init["capabilities"]["executeCommandProvider"]["commands"]
        .as_array()
        .unwrap();
    assert!(
        commands.iter().any(|c| c == "nianbao.ruleDocs"),
        "{commands:?}"
    );
    let r = client
        .call(
            "workspace/executeCommand",
            json!({ "command": "nianbao.ruleDocs", "arguments": [] }),
        )
        .await;
    let md = r["markdown"].as_str().expect("markdown");
    assert_eq!(md, nianbao_core::rules::docs_markdown());
    for code in ["NB101", "NB301", "NB505"] {
        assert!(md.contains(&format!("## {code}")), "{code}");
    }

    assert!(client.shutdown_and_exit().await);
}

/// Each block of table 二 (第二十条第（一）项, （五）, （六）, （八）) is a symbol that
/// ends where the block ends: an editor's sticky scroll shows the block in view.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn table_two_blocks_are_symbols_ending_with_their_block() {
    let (client, _) = TestClient::start(init_params(push_caps())).await;
    let text = fixture();
    client.open(URI, "markdown", 1, &text);
    let syms = client
        .call(
            "textDocument/documentSymbol",
            json!({ "textDocument": { "uri": URI } }),
        )
        .await;
    let table2 = &syms[1]["children"][0];
    assert_eq!(table2["name"], "表二");
    let blocks = table2["children"].as_array().expect("blocks of table 二");
    let names: Vec<&str> = blocks.iter().map(|b| b["name"].as_str().unwrap()).collect();
    assert_eq!(
        names,
        [
            "第二十条第(一)项",
            "第二十条第(五)项",
            "第二十条第(六)项",
            "第二十条第(八)项"
        ]
    );
    let lines: Vec<&str> = text.lines().collect();
    for (i, b) in blocks.iter().enumerate() {
        let start = b["range"]["start"]["line"].as_u64().unwrap() as usize;
        let end = b["range"]["end"]["line"].as_u64().unwrap() as usize;
        assert!(lines[start].contains(names[i]), "{}", lines[start]);
        match blocks.get(i + 1) {
            // Ends on the line before the next block's header.
            Some(next) => {
                let next_start = next["range"]["start"]["line"].as_u64().unwrap() as usize;
                assert!(
                    end < next_start,
                    "block {} ends at {end}, next starts at {next_start}",
                    names[i]
                );
                assert!(
                    lines[end + 1..next_start]
                        .iter()
                        .all(|l| l.trim().is_empty()),
                    "block {} ends before its last row",
                    names[i]
                );
            }
            None => assert!(end <= table2["range"]["end"]["line"].as_u64().unwrap() as usize),
        }
    }
    // The (六) block holds its rows and not (八)'s.
    let six = &blocks[2];
    let (s, e) = (
        six["range"]["start"]["line"].as_u64().unwrap() as usize,
        six["range"]["end"]["line"].as_u64().unwrap() as usize,
    );
    assert!(
        lines[s..=e].iter().any(|l| l.contains("行政处罚")),
        "{:?}",
        &lines[s..=e]
    );
    assert!(!lines[s..=e].iter().any(|l| l.contains("(八)")));
    assert!(client.shutdown_and_exit().await);
}
