//! Code actions, commands, hover, inlay hints, code lens, symbols, folding,
//! formatting, shutdown — in process over `tokio::io::duplex`.

mod lsp_client;

use lsp_client::*;
use nianbao_core::config::Config;
use nianbao_core::text::Encoding;
use serde_json::{json, Value};
use std::time::Duration;

const URI: &str = "file:///work/report.md";
const U16: Encoding = Encoding::Utf16;

fn whole(text: &str) -> Value {
    json!({ "start": { "line": 0, "character": 0 }, "end": lsp_pos(text, text.len(), U16) })
}

fn at(text: &str, offset: usize) -> Value {
    json!({ "start": lsp_pos(text, offset, U16), "end": lsp_pos(text, offset, U16) })
}

async fn code_actions(
    client: &TestClient,
    range: Value,
    diagnostics: Value,
    only: Option<Value>,
) -> Vec<Value> {
    let mut context = json!({ "diagnostics": diagnostics, "triggerKind": 1 });
    if let Some(o) = only {
        context["only"] = o;
    }
    let r = client
        .call(
            "textDocument/codeAction",
            json!({ "textDocument": { "uri": URI }, "range": range, "context": context }),
        )
        .await;
    r.as_array().cloned().unwrap_or_default()
}

fn nb3(text: &str) -> Vec<&'static str> {
    nianbao_core::analyze(text, &Config::default())
        .diagnostics
        .iter()
        .map(|d| d.code())
        .filter(|c| c.starts_with("NB3"))
        .collect()
}

/// The identity cells' values, to compare two texts.
fn values(text: &str) -> Vec<Option<i64>> {
    let a = nianbao_core::analyze(text, &Config::default());
    let r = &a.report;
    let mut out = Vec::new();
    for (i, _) in nianbao_core::template::TABLE3_ROWS.iter().enumerate() {
        for col in 0..7 {
            out.push(
                r.cell(nianbao_core::template::CellRef::T3 { row: i, col })
                    .and_then(|c| c.int()),
            );
        }
    }
    for col in 0..15 {
        out.push(
            r.cell(nianbao_core::template::CellRef::T4 { col })
                .and_then(|c| c.int()),
        );
    }
    out
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn quick_fix_applied_to_the_text_fixes_the_diagnostic() {
    let (client, init) = TestClient::start(init_params(push_caps())).await;
    let kinds = init["capabilities"]["codeActionProvider"]["codeActionKinds"]
        .as_array()
        .unwrap()
        .clone();
    for k in [
        "quickfix",
        "source.fixAll",
        "source.fixAll.nianbao",
        "refactor.rewrite",
    ] {
        assert!(kinds.iter().any(|x| x == k), "{k} advertised");
    }
    assert_eq!(
        init["capabilities"]["codeActionProvider"]["resolveProvider"],
        false
    );
    let text = draft_open_3();
    client.open(URI, "markdown", 1, &text);
    let diags = client.diagnostics(URI, 1).await;
    let a = diags.iter().find(|d| d["code"] == "NB301").unwrap().clone();
    let actions = code_actions(&client, a["range"].clone(), json!([a.clone()]), None).await;
    let quick: Vec<&Value> = actions.iter().filter(|x| x["kind"] == "quickfix").collect();
    assert_eq!(quick.len(), 1, "{actions:#?}");
    let fix = quick[0];
    assert_eq!(fix["isPreferred"], true);
    assert_eq!(fix["diagnostics"][0]["code"], "NB301");
    assert!(fix["title"].as_str().unwrap().contains('3'));
    let (edits, version) = workspace_edits(&fix["edit"], URI);
    assert_eq!(
        version,
        Some(1),
        "documentChanges name the version the edit was computed for"
    );
    assert_eq!(edits.len(), 1);
    assert_eq!(edits[0]["range"], a["range"]);
    // Ignoring it instead: a comment on the line above silences NB301 there,
    // and the comment is used (no NB107).
    let ignore = actions
        .iter()
        .find(|x| x["kind"] == "quickfix.suppress.nianbao")
        .expect("an action to ignore the finding");
    assert_eq!(ignore["isPreferred"], false);
    assert!(ignore["title"].as_str().unwrap().contains("NB301"));
    let (ignore_edits, _) = workspace_edits(&ignore["edit"], URI);
    let ignored = apply_lsp_edits(&text, &ignore_edits, U16);
    assert!(ignored.contains("<!-- nianbao-disable-next-line NB301 -->\n"));
    let check = nianbao_core::analyze(&ignored, &nianbao_core::config::Config::default());
    let codes: Vec<_> = check.diagnostics.iter().map(|d| d.code()).collect();
    assert!(
        !codes.contains(&"NB301") && !codes.contains(&"NB107"),
        "{codes:?}"
    );
    let fixed = apply_lsp_edits(&text, &edits, U16);
    client.replace_all(URI, 2, &fixed);
    let after = client.diagnostics(URI, 2).await;
    assert!(!after.iter().any(|d| d["code"] == "NB301"), "NB301 gone");
    assert!(after.iter().any(|d| d["code"] == "NB302"), "NB302 remains");
    // Every fixable NB30x finding offers exactly one preferred fix on its own cell
    // (C here cannot be fixed: 四 would have to be negative).
    let fixable: Vec<&Value> = after
        .iter()
        .filter(|d| {
            d["code"].as_str().unwrap().starts_with("NB30")
                && !d["data"]["fixes"].as_array().unwrap().is_empty()
        })
        .collect();
    assert!(!fixable.is_empty());
    for d in fixable {
        let actions = code_actions(
            &client,
            d["range"].clone(),
            json!([d.clone()]),
            Some(json!(["quickfix"])),
        )
        .await;
        let preferred: Vec<&Value> = actions
            .iter()
            .filter(|x| x["isPreferred"] == true)
            .collect();
        assert_eq!(preferred.len(), 1, "{d}");
        let (edits, _) = workspace_edits(&preferred[0]["edit"], URI);
        assert_eq!(edits[0]["range"], d["range"]);
    }
    assert!(client.shutdown_and_exit().await);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn fix_all_is_one_consistent_idempotent_edit() {
    let (client, _) = TestClient::start(init_params(push_caps())).await;
    let text = draft_abc();
    client.open(URI, "markdown", 1, &text);
    let diags = client.diagnostics(URI, 1).await;
    for only in ["source.fixAll.nianbao", "source.fixAll", "source"] {
        let actions = code_actions(&client, whole(&text), json!(diags), Some(json!([only]))).await;
        assert_eq!(actions.len(), 1, "only={only}: {actions:#?}");
        assert_eq!(actions[0]["kind"], "source.fixAll.nianbao");
    }
    let actions = code_actions(
        &client,
        whole(&text),
        json!(diags),
        Some(json!(["source.fixAll"])),
    )
    .await;
    let (edits, version) = workspace_edits(&actions[0]["edit"], URI);
    assert_eq!(version, Some(1));
    let fixed = apply_lsp_edits(&text, &edits, U16);
    assert!(nb3(&fixed).is_empty(), "{:?}", nb3(&fixed));
    assert_eq!(
        edits.len(),
        nianbao_core::fix::fix_all(
            &text,
            &nianbao_core::analyze(&text, &Config::default()).report
        )
        .len()
    );
    client.replace_all(URI, 2, &fixed);
    let after = client.diagnostics(URI, 2).await;
    assert!(!after
        .iter()
        .any(|d| d["code"].as_str().unwrap().starts_with("NB3")));
    // Idempotent: nothing left to recompute.
    let again = code_actions(
        &client,
        whole(&fixed),
        json!(after),
        Some(json!(["source.fixAll"])),
    )
    .await;
    assert!(again.is_empty(), "{again:#?}");
    // `only: quickfix` excludes the source action.
    let q = code_actions(&client, whole(&text), json!([]), Some(json!(["quickfix"]))).await;
    assert!(q
        .iter()
        .all(|a| a["kind"] == "quickfix" || a["kind"] == "quickfix.suppress.nianbao"));
    assert!(client.shutdown_and_exit().await);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn resolve_clients_get_data_then_the_edit_and_changes_without_document_changes() {
    let mut caps = push_caps();
    caps["textDocument"]["codeAction"]["resolveSupport"] = json!({ "properties": ["edit"] });
    caps["textDocument"]["codeAction"]["dataSupport"] = json!(true);
    caps["workspace"]["workspaceEdit"]["documentChanges"] = json!(false);
    let (client, init) = TestClient::start(init_params(caps)).await;
    assert_eq!(
        init["capabilities"]["codeActionProvider"]["resolveProvider"],
        true
    );
    let text = draft_open_3();
    client.open(URI, "markdown", 1, &text);
    let diags = client.diagnostics(URI, 1).await;
    let a = diags.iter().find(|d| d["code"] == "NB301").unwrap().clone();
    let actions = code_actions(&client, a["range"].clone(), json!([a.clone()]), None).await;
    assert!(!actions.is_empty());
    for action in &actions {
        assert!(
            action.get("edit").is_none() || action["edit"].is_null(),
            "edit deferred: {action}"
        );
        assert!(action["data"].is_object());
        let resolved = client.call("codeAction/resolve", action.clone()).await;
        assert!(
            resolved["edit"]["changes"][URI].is_array(),
            "changes, not documentChanges: {resolved}"
        );
        assert!(resolved["edit"].get("documentChanges").is_none());
    }
    let quick = actions.iter().find(|x| x["kind"] == "quickfix").unwrap();
    let resolved = client.call("codeAction/resolve", quick.clone()).await;
    let (edits, _) = workspace_edits(&resolved["edit"], URI);
    let fixed = apply_lsp_edits(&text, &edits, U16);
    assert!(!nb3(&fixed).contains(&"NB301"));
    assert!(client.shutdown_and_exit().await);
}

/// The fixture with table 三 pasted as tab-separated text.
fn tab_draft() -> String {
    let text = fixture();
    let start = text.find("(本列数据").unwrap();
    let end = text.find("四、结转下年度继续办理").unwrap();
    let end = end + text[end..].find('\n').unwrap();
    let table: Vec<String> = text[start..end]
        .lines()
        .map(|l| {
            l.trim_end()
                .trim_end_matches('|')
                .trim_end()
                .replace(" | ", "\t")
        })
        .collect();
    format!("{}{}{}", &text[..start], table.join("\n"), &text[end..])
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn convert_a_pasted_table_to_a_markdown_table() {
    let (client, _) = TestClient::start(init_params(push_caps())).await;
    let text = tab_draft();
    assert_eq!(
        nianbao_core::analyze(&text, &Config::default())
            .report
            .table3
            .unwrap()
            .layout,
        nianbao_core::model::Layout::Tab
    );
    client.open(URI, "markdown", 1, &text);
    client.diagnostics(URI, 1).await;
    let cursor = text.find("3.补正后申请内容仍不明确").unwrap() + 3;
    let actions = code_actions(&client, at(&text, cursor), json!([]), None).await;
    let convert: Vec<&Value> = actions
        .iter()
        .filter(|a| a["kind"] == "refactor.rewrite")
        .collect();
    assert_eq!(convert.len(), 1, "{actions:#?}");
    assert!(convert[0]["title"].as_str().unwrap().contains("Markdown"));
    let (edits, _) = workspace_edits(&convert[0]["edit"], URI);
    let converted = apply_lsp_edits(&text, &edits, U16);
    let a = nianbao_core::analyze(&converted, &Config::default());
    assert_eq!(
        a.report.table3.as_ref().unwrap().layout,
        nianbao_core::model::Layout::Pipe
    );
    assert_eq!(values(&converted), values(&text));
    assert!(!a.diagnostics.iter().any(|d| d.code().starts_with("NB2")
        && d.range.start > converted.find("三、收到").unwrap()
        && d.range.start < converted.find("四、政府信息公开行政复议").unwrap()));
    // Not offered in a pipe table, nor in prose.
    let cursor = converted.find("3.补正后申请内容仍不明确").unwrap();
    client.replace_all(URI, 2, &converted);
    let actions = code_actions(
        &client,
        at(&converted, cursor),
        json!([]),
        Some(json!(["refactor"])),
    )
    .await;
    assert!(actions.is_empty(), "{actions:#?}");
    assert!(client.shutdown_and_exit().await);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn insert_the_skeleton_into_an_empty_report() {
    let (client, _) = TestClient::start(init_params(push_caps())).await;
    let uri = "file:///work/new.md";
    client.open(uri, "markdown", 1, "");
    let r = client
        .call(
            "textDocument/codeAction",
            json!({ "textDocument": { "uri": uri }, "range": at("", 0), "context": { "diagnostics": [] } }),
        )
        .await;
    let actions = r.as_array().unwrap();
    assert_eq!(actions.len(), 1, "{actions:#?}");
    assert!(actions[0]["title"].as_str().unwrap().contains("2021"));
    let (edits, _) = workspace_edits(&actions[0]["edit"], uri);
    let text = apply_lsp_edits("", &edits, U16);
    let a = nianbao_core::analyze(&text, &Config::default());
    let bad: Vec<_> = a
        .diagnostics
        .iter()
        .filter(|d| {
            ["NB1", "NB2", "NB3"]
                .iter()
                .any(|p| d.code().starts_with(p))
        })
        .map(|d| d.code())
        .collect();
    assert!(bad.is_empty(), "{bad:?}");
    client.replace_all(uri, 2, &text);
    let d = client.diagnostics(uri, 2).await;
    assert!(
        !d.iter().any(|d| d["severity"] == 1),
        "no errors in the skeleton: {d:#?}"
    );

    // A title alone: the skeleton follows it, with its year, and no second title.
    let title = "# 某县财政局2023年政府信息公开工作年度报告\n";
    client.replace_all(uri, 3, title);
    client.diagnostics(uri, 3).await;
    let r = client
        .call(
            "textDocument/codeAction",
            json!({ "textDocument": { "uri": uri }, "range": at(title, 0), "context": { "diagnostics": [] } }),
        )
        .await;
    let sk = r
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["title"].as_str().unwrap().contains("2021"))
        .cloned()
        .expect("skeleton offered");
    let (edits, version) = workspace_edits(&sk["edit"], uri);
    assert_eq!(version, Some(3));
    let text = apply_lsp_edits(title, &edits, U16);
    assert!(text.starts_with(title));
    assert_eq!(text.matches("年度报告\n").count(), 1);
    assert!(text.contains("2023年1月1日"));
    // A full report is not offered the skeleton.
    client.replace_all(uri, 4, &fixture());
    let r = client
        .call(
            "textDocument/codeAction",
            json!({ "textDocument": { "uri": uri }, "range": at("", 0), "context": { "diagnostics": [] } }),
        )
        .await;
    assert!(!r
        .as_array()
        .unwrap()
        .iter()
        .any(|a| a["title"].as_str().unwrap().contains("2021")));
    assert!(client.shutdown_and_exit().await);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn fix_all_command_and_code_lens_apply_edits_through_the_client() {
    let (client, init) = TestClient::start(init_params(push_caps())).await;
    let cmds = init["capabilities"]["executeCommandProvider"]["commands"]
        .as_array()
        .unwrap()
        .clone();
    assert!(cmds.iter().any(|c| c == "nianbao.fixAll"));
    assert!(init["capabilities"]["codeLensProvider"].is_object());
    let text = draft_open_3();
    client.open(URI, "markdown", 1, &text);
    client.diagnostics(URI, 1).await;

    let lenses = client
        .call(
            "textDocument/codeLens",
            json!({ "textDocument": { "uri": URI } }),
        )
        .await;
    let lenses = lenses.as_array().unwrap();
    assert_eq!(lenses.len(), 1, "{lenses:#?}");
    assert_eq!(lenses[0]["command"]["title"], "重算本表 3 处合计");
    assert_eq!(lenses[0]["command"]["command"], "nianbao.fixTable");
    let lens_line = lenses[0]["range"]["start"]["line"].as_u64().unwrap() as usize;
    assert!(
        text.lines().nth(lens_line).unwrap().contains("钩稽关系"),
        "the lens sits on the table's first line"
    );
    let cmd = &lenses[0]["command"];
    let r = client
        .call(
            "workspace/executeCommand",
            json!({ "command": cmd["command"], "arguments": cmd["arguments"] }),
        )
        .await;
    assert_eq!(r["sent"], true, "{r}");
    let applied = client.requests_named("workspace/applyEdit");
    assert_eq!(applied.len(), 1);
    let (edits, version) = workspace_edits(&applied[0]["params"]["edit"], URI);
    assert_eq!(version, Some(1));
    let fixed = apply_lsp_edits(&text, &edits, U16);
    // Every located cell written: the table adds up.
    assert!(nb3(&fixed).is_empty(), "{:?}", nb3(&fixed));
    assert!(nianbao_core::fix::fix_all(
        &fixed,
        &nianbao_core::analyze(&fixed, &Config::default()).report
    )
    .is_empty());

    // nianbao.fixAll with the uri as argument.
    client.replace_all(URI, 2, &draft_abc());
    let r = client
        .call(
            "workspace/executeCommand",
            json!({ "command": "nianbao.fixAll", "arguments": [URI] }),
        )
        .await;
    assert_eq!(r["sent"], true, "{r}");
    let applied = client.requests_named("workspace/applyEdit");
    let (edits, version) = workspace_edits(&applied[1]["params"]["edit"], URI);
    assert_eq!(version, Some(2));
    let fixed = apply_lsp_edits(&draft_abc(), &edits, U16);
    assert!(nb3(&fixed).is_empty());
    // No lens once the totals hold.
    client.replace_all(URI, 3, &fixed);
    let lenses = client
        .call(
            "textDocument/codeLens",
            json!({ "textDocument": { "uri": URI } }),
        )
        .await;
    assert!(lenses.as_array().unwrap().is_empty());
    // Unknown commands answer an error; the server goes on.
    let r = client
        .request(
            "workspace/executeCommand",
            json!({ "command": "nianbao.nope", "arguments": [] }),
        )
        .await;
    assert!(r["error"].is_object());
    let (v, _) = client.server_text(URI).await;
    assert_eq!(v, 3);
    assert!(client.shutdown_and_exit().await);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn hover_and_inlay_hints_show_identities_and_expected_values() {
    let (client, _) = TestClient::start(init_params(push_caps())).await;
    let text = draft_open_3();
    client.open(URI, "markdown", 1, &text);
    client.diagnostics(URI, 1).await;
    let (s, e) = cell_offset(&text, "(一)予以公开", 0);
    let h = client
        .call(
            "textDocument/hover",
            json!({ "textDocument": { "uri": URI }, "position": lsp_pos(&text, s, U16) }),
        )
        .await;
    assert_eq!(h["contents"]["kind"], "markdown");
    let md = h["contents"]["value"].as_str().unwrap();
    for needle in [
        "表三",
        "予以公开",
        "自然人",
        "勾稽关系A",
        "勾稽关系B",
        "✗",
        "应为 3",
    ] {
        assert!(md.contains(needle), "{needle} in hover:\n{md}");
    }
    assert_eq!(covered(&text, &h["range"], U16), "3");
    assert_eq!(
        byte_range(&text, &h["range"], U16),
        nianbao_core::text::TextRange::new(s, e)
    );
    // Table 四 cells too.
    let t4 = text.find("\n0 | 0 | 0 | 0 | 0 | 0").unwrap() + 1;
    let h = client
        .call(
            "textDocument/hover",
            json!({ "textDocument": { "uri": URI }, "position": lsp_pos(&text, t4, U16) }),
        )
        .await;
    let md = h["contents"]["value"].as_str().unwrap();
    assert!(
        md.contains("表四")
            && md.contains("行政复议")
            && md.contains("结果维持")
            && md.contains("✓"),
        "{md}"
    );
    // Prose: nothing.
    let prose = text.find("主动做好部门政策文件解读").unwrap();
    let h = client
        .call(
            "textDocument/hover",
            json!({ "textDocument": { "uri": URI }, "position": lsp_pos(&text, prose, U16) }),
        )
        .await;
    assert!(h.is_null());

    let hints = client
        .call(
            "textDocument/inlayHint",
            json!({ "textDocument": { "uri": URI }, "range": whole(&text) }),
        )
        .await;
    let hints = hints.as_array().unwrap();
    assert_eq!(hints.len(), 3, "{hints:#?}");
    let (_, total_end) = cell_offset(&text, "(一)予以公开", 6);
    let first = hints
        .iter()
        .find(|h| h["position"] == lsp_pos(&text, total_end, U16))
        .expect("hint after the wrong total");
    assert_eq!(first["label"], "应为 3");
    assert!(hints.iter().all(|h| h["label"] == "应为 3"));
    // Outside the requested range: none.
    let top =
        json!({ "start": { "line": 0, "character": 0 }, "end": { "line": 3, "character": 0 } });
    let none = client
        .call(
            "textDocument/inlayHint",
            json!({ "textDocument": { "uri": URI }, "range": top }),
        )
        .await;
    assert!(none.as_array().unwrap().is_empty());
    assert!(client.shutdown_and_exit().await);
}

/// The hover on a cell a located finding sits on shows that identity failing,
/// and a cell without a finding names the located cells, not itself: the hover
/// says what the squiggles say.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn hover_on_a_wrong_total_agrees_with_its_diagnostic() {
    let (client, _) = TestClient::start(init_params(push_caps())).await;
    let text = draft_abc();
    client.open(URI, "markdown", 1, &text);
    let diags = client.diagnostics(URI, 1).await;
    let mut seen = Vec::new();
    for d in &diags {
        let code = d["code"].as_str().unwrap();
        let name = match code {
            "NB301" => "勾稽关系A",
            "NB302" => "勾稽关系B",
            "NB303" => "勾稽关系C",
            "NB304" => "表四合计",
            _ => continue,
        };
        let h = client
            .call(
                "textDocument/hover",
                json!({ "textDocument": { "uri": URI }, "position": d["range"]["start"] }),
            )
            .await;
        let md = h["contents"]["value"].as_str().unwrap();
        assert!(
            md.starts_with(&format!("**✗ {name}")),
            "{code} ({}) — the hover leads with it:\n{md}",
            d["message"]
        );
        assert!(
            !md.contains(&format!("✓ {name}")),
            "{code} ({}) — the hover says it holds:\n{md}",
            d["message"]
        );
        seen.push(code.to_string());
    }
    // The 结转 总计 cell has no finding (the located cell of its row is a part):
    // its hover names that part's value, says nothing should change in itself,
    // and judges on the values as written (C of the 总计 column holds).
    assert!(seen.iter().any(|c| c == "NB303"), "{seen:?}");
    let located: Vec<&Value> = diags.iter().filter(|d| d["code"] == "NB303").collect();
    let (s, e) = cell_offset(&text, "四、结转下年度继续办理", 6);
    assert!(
        located
            .iter()
            .all(|d| d["range"]["start"] != lsp_pos(&text, s, U16)),
        "{located:?}"
    );
    let h = client
        .call(
            "textDocument/hover",
            json!({ "textDocument": { "uri": URI }, "position": lsp_pos(&text, s, U16) }),
        )
        .await;
    let md = h["contents"]["value"].as_str().unwrap();
    assert_eq!(&text[s..e], "0");
    assert!(
        md.contains("「四、结转下年度继续办理·科研机构」应为 0"),
        "{md}"
    );
    assert!(
        !md.contains("总计」应为") && !md.contains("按合计重算"),
        "{md}"
    );
    assert!(md.contains("✓ 勾稽关系C"), "{md}");
    assert!(client.shutdown_and_exit().await);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn symbols_tree_and_folding_ranges() {
    let (client, _) = TestClient::start(init_params(push_caps())).await;
    let text = fixture();
    client.open(URI, "markdown", 1, &text);
    let syms = client
        .call(
            "textDocument/documentSymbol",
            json!({ "textDocument": { "uri": URI } }),
        )
        .await;
    let syms = syms.as_array().unwrap();
    let names: Vec<&str> = syms.iter().map(|s| s["name"].as_str().unwrap()).collect();
    assert_eq!(
        names,
        [
            "一、总体情况",
            "二、主动公开政府信息情况",
            "三、收到和处理政府信息公开申请情况",
            "四、政府信息公开行政复议、行政诉讼情况",
            "五、存在的主要问题及改进情况",
            "六、其他需要报告的事项"
        ]
    );
    let children = |i: usize| -> Vec<String> {
        syms[i]["children"]
            .as_array()
            .map(|c| {
                c.iter()
                    .map(|s| s["name"].as_str().unwrap().to_string())
                    .collect()
            })
            .unwrap_or_default()
    };
    assert_eq!(children(1), ["表二"]);
    assert_eq!(children(2), ["表三"]);
    assert_eq!(children(3), ["表四"]);
    assert!(children(0).is_empty());
    let line = |p: &Value| {
        (
            p["line"].as_u64().unwrap(),
            p["character"].as_u64().unwrap(),
        )
    };
    for s in syms {
        assert!(line(&s["selectionRange"]["start"]) >= line(&s["range"]["start"]));
        assert!(line(&s["selectionRange"]["end"]) <= line(&s["range"]["end"]));
        for c in s["children"].as_array().unwrap() {
            assert!(
                line(&c["range"]["start"]) >= line(&s["range"]["start"])
                    && line(&c["range"]["end"]) <= line(&s["range"]["end"])
            );
            assert_eq!(c["kind"], 23, "tables are structs");
        }
    }
    assert!(covered(&text, &syms[2]["selectionRange"], U16).starts_with("三、收到和处理"));

    let folds = client
        .call(
            "textDocument/foldingRange",
            json!({ "textDocument": { "uri": URI } }),
        )
        .await;
    let folds = folds.as_array().unwrap();
    let span = |f: &Value| {
        (
            f["startLine"].as_u64().unwrap() as usize,
            f["endLine"].as_u64().unwrap() as usize,
        )
    };
    let line_of = |needle: &str| text[..text.find(needle).unwrap()].matches('\n').count();
    let n = text.lines().count();
    assert!(folds.iter().all(|f| span(f).0 < span(f).1 && span(f).1 < n));
    assert!(
        folds
            .iter()
            .any(|f| span(f) == (line_of("一、总体情况"), line_of("二、主动公开") - 1)),
        "{folds:#?}"
    );
    assert!(
        folds
            .iter()
            .any(|f| span(f) == (line_of("(本列数据"), line_of("四、结转下年度继续办理"))),
        "{folds:#?}"
    );
    assert!(client.shutdown_and_exit().await);

    // Clients without hierarchical symbols get a flat list with containers.
    let mut caps = push_caps();
    caps["textDocument"]["documentSymbol"] = json!({});
    let (client, _) = TestClient::start(init_params(caps)).await;
    client.open(URI, "markdown", 1, &text);
    let syms = client
        .call(
            "textDocument/documentSymbol",
            json!({ "textDocument": { "uri": URI } }),
        )
        .await;
    let t3 = syms
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["name"] == "表三")
        .expect("table 三");
    assert_eq!(t3["containerName"], "三、收到和处理政府信息公开申请情况");
    assert_eq!(t3["location"]["uri"], URI);
    assert!(client.shutdown_and_exit().await);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn formatting_aligns_tables_idempotently_without_changing_content() {
    let (client, init) = TestClient::start(init_params(push_caps())).await;
    assert_eq!(init["capabilities"]["documentFormattingProvider"], true);
    let text = draft_open_3().replacen(
        "(四)政府信息公开平台建设情况。",
        "(四)政府信息公开平台建设情况(𠀀)。",
        1,
    );
    client.open(URI, "markdown", 1, &text);
    let before = client.diagnostics(URI, 1).await;
    let opts = json!({ "tabSize": 4, "insertSpaces": true });
    let edits = client
        .call(
            "textDocument/formatting",
            json!({ "textDocument": { "uri": URI }, "options": opts }),
        )
        .await;
    let edits = edits.as_array().unwrap().clone();
    assert!(!edits.is_empty());
    let formatted = apply_lsp_edits(&text, &edits, U16);
    // Same lines outside tables; same cells inside.
    assert_eq!(formatted.lines().count(), text.lines().count());
    for (a, b) in text.lines().zip(formatted.lines()) {
        if nianbao_core::table_format::is_pipe_row(a) {
            assert_eq!(
                nianbao_core::table_format::split_row(a).cells,
                nianbao_core::table_format::split_row(b).cells
            );
        } else {
            assert_eq!(a, b);
        }
    }
    assert_eq!(values(&formatted), values(&text));
    // Columns line up by display width.
    let widths: Vec<usize> = formatted
        .lines()
        .filter(|l| l.contains("属于") && !l.contains("不予公开") && l.starts_with('|'))
        .map(unicode_width::UnicodeWidthStr::width)
        .collect();
    assert!(widths.windows(2).all(|w| w[0] == w[1]), "{widths:?}");
    client.replace_all(URI, 2, &formatted);
    let after = client.diagnostics(URI, 2).await;
    let summary = |t: &str, ds: &[Value]| {
        let mut v: Vec<(String, String)> = ds
            .iter()
            .map(|d| {
                (
                    d["code"].as_str().unwrap().to_string(),
                    covered(t, &d["range"], U16).to_string(),
                )
            })
            .collect();
        v.sort();
        v
    };
    assert_eq!(summary(&text, &before), summary(&formatted, &after));
    let again = client
        .call(
            "textDocument/formatting",
            json!({ "textDocument": { "uri": URI }, "options": opts }),
        )
        .await;
    assert_eq!(again, json!([]), "idempotent");
    assert!(client.shutdown_and_exit().await);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn shutdown_exit_and_errors() {
    let (client, init) = TestClient::start(init_params(push_caps())).await;
    let caps = &init["capabilities"];
    for key in [
        "hoverProvider",
        "codeActionProvider",
        "codeLensProvider",
        "documentSymbolProvider",
        "foldingRangeProvider",
        "documentFormattingProvider",
        "inlayHintProvider",
        "executeCommandProvider",
        "positionEncoding",
        "textDocumentSync",
    ] {
        assert!(!caps[key].is_null(), "{key} advertised");
    }
    assert_eq!(init["serverInfo"]["name"], "nianbao");
    // Requests about documents that are not open answer null, not errors.
    let r = client.request("textDocument/hover", json!({ "textDocument": { "uri": "file:///x.md" }, "position": { "line": 0, "character": 0 } })).await;
    assert!(r["result"].is_null() && r.get("error").is_none(), "{r}");
    // Malformed params answer an error; the server goes on.
    let r = client
        .request("textDocument/hover", json!({ "nope": 1 }))
        .await;
    assert!(r["error"].is_object());
    client.open(URI, "markdown", 1, &fixture());
    let (v, _) = client.server_text(URI).await;
    assert_eq!(v, 1);
    // A handler that panics answers InternalError and logs it; the server goes on.
    for place in ["handler", "analysis"] {
        let r = client
            .request("nianbao/debugPanic", json!({ "in": place }))
            .await;
        if r["error"]["code"] == -32601 {
            break; // release build: the debug request does not exist
        }
        assert_eq!(r["error"]["code"], -32603, "{place}: {r}");
        let log = client
            .wait_for(TIMEOUT, |n| {
                n["method"] == "window/logMessage" && n["params"]["type"] == 1
            })
            .await;
        assert!(log.unwrap()["params"]["message"]
            .as_str()
            .unwrap()
            .contains("panicked"));
        let (v, _) = client.server_text(URI).await;
        assert_eq!(v, 1);
    }
    let h = client
        .call(
            "textDocument/hover",
            json!({ "textDocument": { "uri": URI }, "position": { "line": 0, "character": 0 } }),
        )
        .await;
    assert!(h.is_null());
    // Shutdown, then requests are refused, then exit: clean.
    let r = client.request("shutdown", Value::Null).await;
    assert!(r.get("error").is_none());
    let r = client
        .request(
            "textDocument/hover",
            json!({ "textDocument": { "uri": URI }, "position": { "line": 0, "character": 0 } }),
        )
        .await;
    assert!(r["error"].is_object(), "after shutdown: {r}");
    client.notify("exit", Value::Null);
    assert!(client.wait_exit().await, "exit after shutdown is clean");

    // Exit without shutdown: not clean (exit code 1).
    let (client, _) = TestClient::start(init_params(push_caps())).await;
    client.notify("exit", Value::Null);
    assert!(!client.wait_exit().await);
    let _ = Duration::from_millis(0);
}

/// The first scenario: in seed 002 (no applications), 5 typed into the
/// 自然人 cell of 一、本年新收. One squiggle, on the 5; one inlay hint, beside it;
/// the code lens counts one cell; no hover says "应为 5" of a 结转 cell or of the
/// row's 总计, and the hover on the 5 shows no identity its finding lists as
/// broken as holding.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_typed_part_gets_the_one_squiggle_hint_and_hover() {
    let (client, _) = TestClient::start(init_params(push_caps())).await;
    let text = set_cell(&fixture(), "一、本年新收", 0, "5");
    client.open(URI, "markdown", 1, &text);
    let diags = client.diagnostics(URI, 1).await;
    let nb3: Vec<&Value> = diags
        .iter()
        .filter(|d| d["code"].as_str().unwrap_or("").starts_with("NB3"))
        .collect();
    assert_eq!(nb3.len(), 1, "{nb3:#?}");
    let (s, e) = cell_offset(&text, "一、本年新收", 0);
    assert_eq!(&text[s..e], "5");
    assert_eq!(covered(&text, &nb3[0]["range"], U16), "5", "{:#?}", nb3[0]);
    assert_eq!(nb3[0]["range"]["start"], lsp_pos(&text, s, U16));
    let related = nb3[0]["relatedInformation"].as_array().unwrap();

    let hints = client
        .call(
            "textDocument/inlayHint",
            json!({ "textDocument": { "uri": URI }, "range": whole(&text) }),
        )
        .await;
    let hints = hints.as_array().unwrap();
    assert_eq!(hints.len(), 1, "{hints:#?}");
    assert_eq!(hints[0]["position"], lsp_pos(&text, e, U16));
    assert_eq!(hints[0]["label"], "应为 0");

    let lenses = client
        .call(
            "textDocument/codeLens",
            json!({ "textDocument": { "uri": URI } }),
        )
        .await;
    let titles: Vec<&str> = lenses
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l["command"]["title"].as_str().unwrap())
        .collect();
    assert_eq!(titles, ["重算本表 1 处合计"]);

    let hover = |at: usize| {
        let client = &client;
        let text = &text;
        async move {
            let h = client
                .call(
                    "textDocument/hover",
                    json!({ "textDocument": { "uri": URI }, "position": lsp_pos(text, at, U16) }),
                )
                .await;
            h["contents"]["value"].as_str().unwrap().to_string()
        }
    };
    for (label, n) in [
        ("一、本年新收", 6),
        ("四、结转下年度继续办理", 0),
        ("四、结转下年度继续办理", 6),
    ] {
        let (at, _) = cell_offset(&text, label, n);
        let md = hover(at).await;
        assert!(!md.contains("应为 5"), "{label} {n}:\n{md}");
        assert!(!md.contains("总计」应为"), "{label} {n}:\n{md}");
    }
    let md = hover(s).await;
    assert_eq!(md.matches("**✗ ").count(), related.len(), "{md}");
    assert!(
        !md.contains("**✓ 勾稽关系A") && !md.contains("**✓ 勾稽关系C"),
        "{md}"
    );
    assert!(
        md.contains("「一、本年新收政府信息公开申请数量·自然人」应为 0"),
        "{md}"
    );
    assert!(client.shutdown_and_exit().await);
}
