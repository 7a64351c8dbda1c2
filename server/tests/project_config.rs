//! nianbao.toml project configuration: real files in temporary
//! folders, checked with the real binary, and an in-process language server.

mod lsp_client;

use lsp_client::*;
use nianbao_core::rules::Rule;
use serde_json::{json, Value};
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::Duration;

const BIN: &str = env!("CARGO_BIN_EXE_nianbao");

/// The example draft: NB105, NB106, NB205, NB301, NB304 among its findings.
fn example() -> String {
    let p = Path::new(env!("CARGO_MANIFEST_DIR")).join("../examples/2024年度报告示例.md");
    std::fs::read_to_string(&p).unwrap_or_else(|e| panic!("{}: {e}", p.display()))
}

fn write(path: &Path, text: &str) {
    if let Some(d) = path.parent() {
        std::fs::create_dir_all(d).unwrap();
    }
    std::fs::write(path, text).unwrap();
}

/// A temporary folder with `report.md` (the example) at `rel`.
fn project(rel: &str) -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let report = dir.path().join(rel);
    write(&report, &example());
    (dir, report)
}

fn check(cwd: &Path, args: &[&str]) -> Output {
    Command::new(BIN)
        .current_dir(cwd)
        .arg("check")
        .args(["--format", "json", "--color", "never"])
        .args(args)
        .stdin(Stdio::null())
        .output()
        .expect("run nianbao")
}

/// (code, severity) of every finding of the first file.
fn findings(out: &Output) -> Vec<(String, String)> {
    let v: Value = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "{e}: {}\n{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        )
    });
    v["files"][0]["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| {
            (
                d["code"].as_str().unwrap().to_string(),
                d["severity"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

fn has(out: &Output, code: &str) -> bool {
    findings(out).iter().any(|(c, _)| c == code)
}

fn severity_of(out: &Output, code: &str) -> String {
    findings(out)
        .into_iter()
        .find(|(c, _)| c == code)
        .unwrap_or_else(|| panic!("no {code}"))
        .1
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).to_string()
}

#[test]
fn without_a_file_the_example_has_its_findings() {
    let (dir, _) = project("report.md");
    let out = check(dir.path(), &["report.md"]);
    for code in ["NB106", "NB301", "NB304"] {
        assert!(has(&out, code), "{code}: {:?}", findings(&out));
    }
    assert_eq!(severity_of(&out, "NB106"), "warning");
    assert_eq!(stderr(&out), "");
}

#[test]
fn walk_up_finds_the_nearest_file_and_only_it() {
    let (dir, report) = project("a/b/report.md");
    write(
        &dir.path().join("nianbao.toml"),
        "[rules]\nNB301 = \"off\"\nNB304 = \"off\"\n",
    );
    write(
        &dir.path().join("a/nianbao.toml"),
        "[rules]\nNB304 = \"off\"\nNB106 = \"hint\"\n",
    );
    // From elsewhere, by a relative path: the folder of the report decides.
    let out = check(dir.path(), &["a/b/report.md"]);
    assert!(!has(&out, "NB304"), "a/nianbao.toml applies");
    assert!(has(&out, "NB301"), "the outer file is not merged in");
    assert_eq!(
        severity_of(&out, "NB106"),
        "hint",
        "a severity change shows"
    );
    let out = check(&dir.path().join("a/b"), &["report.md"]);
    assert!(!has(&out, "NB304") && has(&out, "NB301"));
    // A report beside the outer file gets that one.
    write(&dir.path().join("top.md"), &example());
    let out = check(dir.path(), &["top.md"]);
    assert!(!has(&out, "NB301") && !has(&out, "NB304"));
    assert_eq!(severity_of(&out, "NB106"), "warning");
    // Standard input: from the current folder.
    let out = Command::new(BIN)
        .current_dir(dir.path().join("a"))
        .args(["check", "--format", "json", "-"])
        .stdin(std::fs::File::open(&report).unwrap())
        .output()
        .unwrap();
    assert!(!has(&out, "NB304") && has(&out, "NB301"));
    assert_eq!(severity_of(&out, "NB106"), "hint");
}

#[test]
fn config_and_no_config() {
    let (dir, _) = project("report.md");
    write(
        &dir.path().join("nianbao.toml"),
        "[rules]\nNB301 = \"off\"\n",
    );
    write(
        &dir.path().join("other/strict.toml"),
        "[rules]\nrow-total = \"warning\"\nNB304 = { enabled = false }\n",
    );
    let out = check(dir.path(), &["report.md"]);
    assert!(!has(&out, "NB301"));
    let out = check(dir.path(), &["--no-config", "report.md"]);
    assert!(has(&out, "NB301") && has(&out, "NB304"));
    assert_eq!(severity_of(&out, "NB301"), "error");
    let out = check(dir.path(), &["--config", "other/strict.toml", "report.md"]);
    assert_eq!(
        severity_of(&out, "NB301"),
        "warning",
        "--config replaces the nearest file; rules by name"
    );
    assert!(!has(&out, "NB304"));
    let out = check(dir.path(), &["--config=other/missing.toml", "report.md"]);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(stderr(&out).contains("missing.toml"), "{}", stderr(&out));
    let out = check(
        dir.path(),
        &["--config", "nianbao.toml", "--no-config", "report.md"],
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("cannot be used together"));
}

#[test]
fn command_line_options_override_the_file() {
    let (dir, _) = project("report.md");
    write(
        &dir.path().join("nianbao.toml"),
        "language = \"en\"\n[rules]\nNB301 = \"off\"\n",
    );
    let message = |out: &Output| {
        let v: Value = serde_json::from_slice(&out.stdout).unwrap();
        v["files"][0]["diagnostics"][0]["message"]
            .as_str()
            .unwrap()
            .to_string()
    };
    let is_chinese = |s: &str| s.chars().any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c));
    let out = check(dir.path(), &["report.md"]);
    assert!(!has(&out, "NB301"));
    let en = message(&out);
    let out = check(dir.path(), &["--lang", "zh", "report.md"]);
    let zh = message(&out);
    assert_ne!(en, zh, "--lang zh over language = \"en\"");
    assert!(is_chinese(&zh), "{zh}");
    // Human output: the file's language is the output's without --lang.
    let out = Command::new(BIN)
        .current_dir(dir.path())
        .args(["check", "--color", "never", "report.md"])
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains("errors,") && text.contains("in 1 file"),
        "{text}"
    );
    // --select names what runs, over the file's "off".
    let out = check(dir.path(), &["--select", "NB301", "report.md"]);
    assert_eq!(
        findings(&out)
            .iter()
            .map(|(c, _)| c.as_str())
            .collect::<Vec<_>>(),
        vec!["NB301"]
    );
}

#[test]
fn each_file_speaks_the_language_of_its_own_file_and_the_summary_that_of_the_current_folder() {
    let dir = tempfile::tempdir().unwrap();
    write(&dir.path().join("en/report.md"), &example());
    write(&dir.path().join("zh/report.md"), &example());
    write(&dir.path().join("en/nianbao.toml"), "language = \"en\"\n");
    let messages = |args: &[&str], i: usize| -> Vec<String> {
        let out = check(dir.path(), args);
        let v: Value = serde_json::from_slice(&out.stdout).unwrap();
        v["files"][i]["diagnostics"]
            .as_array()
            .unwrap()
            .iter()
            .map(|d| d["message"].as_str().unwrap().to_string())
            .collect()
    };
    let en = messages(&["--lang", "en", "zh/report.md"], 0);
    let zh = messages(&["--lang", "zh", "en/report.md"], 0);
    assert_ne!(en, zh);
    let both = ["en/report.md", "zh/report.md"];
    assert_eq!(messages(&both, 0), en, "en/ follows its own nianbao.toml");
    assert_eq!(messages(&both, 1), zh, "zh/ has none: Chinese");
    // Human output: messages per file, the summary in the current folder's language.
    let out = Command::new(BIN)
        .current_dir(dir.path())
        .args(["check", "--color", "never", "en/report.md", "zh/report.md"])
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    let header = |file: &str| {
        text.lines()
            .find(|l| l.starts_with(file))
            .unwrap()
            .to_string()
    };
    assert!(header("en/report.md:").contains(&en[0]), "{text}");
    assert!(header("zh/report.md:").contains(&zh[0]), "{text}");
    assert!(text.contains("个文件"), "{text}");
}

#[test]
fn unknown_keys_are_reported_with_their_place_and_the_rest_applies() {
    let (dir, _) = project("report.md");
    write(
        &dir.path().join("nianbao.toml"),
        "# project settings\nrulez = 1\n[rules]\nNB301 = \"off\"\nNB999 = \"off\"\nNB106 = \"loud\"\n",
    );
    let out = check(dir.path(), &["report.md"]);
    let err = stderr(&out);
    assert!(
        err.contains(
            "nianbao.toml:2:1: 未知的配置项「rulez」（可用：language, format, rules, profile）"
        ),
        "{err}"
    );
    assert!(
        err.contains("nianbao.toml:5:1: 未知的规则「NB999」"),
        "{err}"
    );
    assert!(err.contains("nianbao.toml:6:9: "), "{err}");
    assert!(!has(&out, "NB301"), "the known keys still apply");
    assert_eq!(severity_of(&out, "NB106"), "warning");
    assert_eq!(out.status.code(), Some(1), "findings, not trouble");
    // In English with --lang en.
    let out = check(dir.path(), &["--lang", "en", "report.md"]);
    assert!(
        stderr(&out).contains("nianbao.toml:2:1: unknown key 'rulez'"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn a_broken_file_gives_exit_2_and_its_place() {
    let (dir, _) = project("report.md");
    write(
        &dir.path().join("nianbao.toml"),
        "language = \"zh\"\n[rules\nNB301 = \"off\"\n",
    );
    let out = check(dir.path(), &["report.md"]);
    assert_eq!(out.status.code(), Some(2));
    let err = stderr(&out);
    assert!(err.contains("nianbao.toml:2:"), "{err}");
    assert!(err.contains("TOML 语法错误"), "{err}");
    assert!(err.contains("未检查"), "{err}");
    // A report under no broken file is still checked in the same run.
    let other = tempfile::tempdir().unwrap();
    write(&other.path().join("ok.md"), &example());
    let out = check(
        dir.path(),
        &["report.md", other.path().join("ok.md").to_str().unwrap()],
    );
    assert_eq!(out.status.code(), Some(2));
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["files"].as_array().unwrap().len(), 1);
}

// ------------------------------------------------------------------ language server

fn uri_of(path: &Path) -> String {
    format!("file://{}", path.display())
}

/// Wait for diagnostics of `uri` that satisfy `pred`.
async fn diagnostics_until(
    client: &TestClient,
    uri: &str,
    pred: impl Fn(&[String]) -> bool,
) -> Vec<String> {
    let mut last = Vec::new();
    let deadline = tokio::time::Instant::now() + TIMEOUT;
    while tokio::time::Instant::now() < deadline {
        let Some(n) = client
            .wait_for(Duration::from_millis(500), |n| {
                n["method"] == "textDocument/publishDiagnostics" && n["params"]["uri"] == uri
            })
            .await
        else {
            continue;
        };
        last = n["params"]["diagnostics"]
            .as_array()
            .unwrap()
            .iter()
            .map(|d| d["code"].as_str().unwrap().to_string())
            .collect();
        if pred(&last) {
            return last;
        }
    }
    panic!("diagnostics of {uri} never matched; last: {last:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn lsp_file_beside_the_document_disables_a_rule_and_a_setting_reenables_it() {
    let dir = tempfile::tempdir().unwrap();
    let report = dir.path().join("report.md");
    let toml = dir.path().join("nianbao.toml");
    write(&toml, "rulez = 1\n[rules]\nNB301 = \"off\"\n");
    let text = draft_abc();
    write(&report, &text);
    let uri = uri_of(&report);
    let (client, _) = TestClient::start(init_params(push_caps())).await;
    client.open(&uri, "markdown", 1, &text);
    let codes = diagnostics_until(&client, &uri, |_| true).await;
    assert!(!codes.iter().any(|c| c == "NB301"), "{codes:?}");
    assert!(codes.iter().any(|c| c == "NB302"), "{codes:?}");
    // The unknown key is shown (a warning) and logged.
    let shown = client
        .wait_for(TIMEOUT, |n| n["method"] == "window/showMessage")
        .await
        .expect("window/showMessage");
    assert_eq!(shown["params"]["type"], 2);
    let m = shown["params"]["message"].as_str().unwrap();
    assert!(m.contains("nianbao.toml:1:1") && m.contains("rulez"), "{m}");

    // A setting the user set wins over the file.
    *client.config.lock().unwrap() =
        json!({ "nianbao": { "rules": { "NB301": { "enabled": true } } } });
    client.notify(
        "workspace/didChangeConfiguration",
        json!({ "settings": null }),
    );
    let codes = diagnostics_until(&client, &uri, |c| c.iter().any(|c| c == "NB301")).await;
    assert!(codes.iter().any(|c| c == "NB302"));

    // The file changes: picked up at the next edit (this client watches nothing).
    write(&toml, "[rules]\nNB302 = \"off\"\nNB303 = \"off\"\n");
    client.replace_all(&uri, 2, &format!("{text}\n"));
    let codes = diagnostics_until(&client, &uri, |c| {
        !c.iter().any(|c| c == "NB302" || c == "NB303")
    })
    .await;
    assert!(codes.iter().any(|c| c == "NB301"), "{codes:?}");
    // Once per change: no second message for the same (now clean) file.
    let later = client.drain(Duration::from_millis(300)).await;
    assert!(
        !later.iter().any(|n| n["method"] == "window/showMessage"),
        "{later:?}"
    );
    client.shutdown_and_exit().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn lsp_watched_file_change_reanalyses_open_documents() {
    let dir = tempfile::tempdir().unwrap();
    let report = dir.path().join("sub/report.md");
    let text = draft_abc();
    write(&report, &text);
    let uri = uri_of(&report);
    let mut caps = push_caps();
    caps["workspace"]["didChangeWatchedFiles"] = json!({ "dynamicRegistration": true });
    let (client, _) = TestClient::start(init_params(caps)).await;
    client.open(&uri, "markdown", 1, &text);
    let codes = diagnostics_until(&client, &uri, |_| true).await;
    assert!(codes.iter().any(|c| c == "NB301"), "{codes:?}");
    // The server asked to watch nianbao.toml files.
    let deadline = tokio::time::Instant::now() + TIMEOUT;
    loop {
        let regs = client.requests_named("client/registerCapability");
        if regs
            .iter()
            .any(|r| r.to_string().contains("**/nianbao.toml"))
        {
            break;
        }
        assert!(tokio::time::Instant::now() < deadline, "{regs:?}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    // A file appears above the document: no edit needed.
    let toml = dir.path().join("nianbao.toml");
    write(&toml, "[rules]\nrow-total = \"off\"\n");
    client.notify(
        "workspace/didChangeWatchedFiles",
        json!({ "changes": [{ "uri": uri_of(&toml), "type": 1 }] }),
    );
    diagnostics_until(&client, &uri, |c| !c.iter().any(|c| c == "NB301")).await;
    // It is broken: shown, nothing of it applies.
    write(&toml, "[rules\n");
    client.notify(
        "workspace/didChangeWatchedFiles",
        json!({ "changes": [{ "uri": uri_of(&toml), "type": 2 }] }),
    );
    diagnostics_until(&client, &uri, |c| c.iter().any(|c| c == "NB301")).await;
    let shown = client
        .wait_for(TIMEOUT, |n| n["method"] == "window/showMessage")
        .await
        .expect("window/showMessage");
    let m = shown["params"]["message"].as_str().unwrap();
    assert!(m.contains("nianbao.toml:1:"), "{m}");
    client.shutdown_and_exit().await;
}

#[test]
fn the_example_file_changes_nothing_and_every_key_in_it_reads() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../examples/nianbao.toml");
    let text = std::fs::read_to_string(&path).unwrap();
    let file = nianbao_core::project::ProjectFile::parse(&path, &text);
    assert!(file.problems.is_empty(), "{:?}", file.problems);
    let mut config = nianbao_core::config::Config::default();
    file.apply(&mut config);
    assert_eq!(config, nianbao_core::config::Config::default());
    // Uncomment every key (`# key = value` lines).
    let uncommented: String = text
        .lines()
        .map(|l| match l.strip_prefix("# ") {
            Some(rest)
                if rest.split_once(" = ").is_some_and(|(key, _)| {
                    !key.is_empty()
                        && key
                            .chars()
                            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
                }) =>
            {
                rest.to_string()
            }
            _ => l.to_string(),
        })
        .collect::<Vec<_>>()
        .join("\n");
    let file = nianbao_core::project::ProjectFile::parse(&path, &uncommented);
    assert!(file.problems.is_empty(), "{:?}", file.problems);
    let mut config = nianbao_core::config::Config::default();
    file.apply(&mut config);
    assert!(!config.rule_enabled(Rule::OverviewLength) && !config.rule_enabled(Rule::RowTotal));
    assert!(!config.rule_enabled(Rule::NarrativeApplications));
    assert_eq!(config.profile.fee_decimals, Some(4));
    assert!(config.profile.require_rectification);
    assert_eq!(config.profile.section6_items.len(), 1);
}
