//! Checks across years (NB406–NB408).

use nianbao_core::across_years::{normalise_prose, similarity, REPEAT_THRESHOLD};
use nianbao_core::rules::front_matter;
use std::path::{Path, PathBuf};

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

fn seed_section5(name: &str) -> String {
    let src = std::fs::read_to_string(root().join("tests/fixtures/seeds").join(name)).unwrap();
    let r = nianbao_core::parse::parse(&src, None);
    let b = front_matter::body(&src, &r, 4).expect("section 五");
    normalise_prose(&src[b.start..b.end])
}

const SEEDS: &[&str] = &[
    "000_010db8b7001e9e05.txt",
    "001_c6179b2d5830f109.txt",
    "002_fb96db60f172c7f1.txt",
    "003_353fe64ea44b1a70.txt",
    "004_c25dc2a8f623cf43.txt",
    "008_huaian_city_gov_2024.txt",
    "009_huaian_hongze_district_2023.txt",
    "010_huaian_hongze_district_2024.txt",
];

/// The threshold of NB408, measured: every pair of real reports scores far below it
/// (including the real 洪泽区 2023/2024 pair, written anew), a copy far above.
#[test]
fn nb408_threshold_separates_real_reports_from_copies() {
    let texts: Vec<String> = SEEDS.iter().map(|s| seed_section5(s)).collect();
    let mut max = 0.0f64;
    for i in 0..texts.len() {
        for j in i + 1..texts.len() {
            let s = similarity(&texts[i], &texts[j]);
            eprintln!(
                "{} {} {:.3} ({} / {} chars)",
                SEEDS[i],
                SEEDS[j],
                s,
                texts[i].chars().count(),
                texts[j].chars().count()
            );
            max = max.max(s);
        }
    }
    eprintln!("max over real pairs: {max:.3}");
    assert!(max < REPEAT_THRESHOLD);
}

const S5_2023: &str = "存在问题:一方面是政策解读质量还不够高。另一方面是信息发布总量偏少、发布不够及时。\n针对上述问题,提出以下整改措施:一是全面提升政策文件解读质量。加大政策法规和政策解读力度,及时转发省市县各级政策文件,深入学习领会政策精神,确保政策解读透、解读准。二是全面提升信息发布实效。制定重点工作公开时序表,严格按规定、按时限做好重点工作公开。三是全面提升具办人员工作水平。及时跟进学习政务信息公开各项工作制度,积极组织参与政务信息公开培训班,切实提高工作水平。";

#[test]
fn nb408_threshold_flags_copies_with_small_edits() {
    let base = normalise_prose(S5_2023);
    let variants = [
        ("figures and years changed", S5_2023.replace("存在问题:", "2024年存在问题(3项):")),
        ("problems rewritten, measures kept", S5_2023.replace("一方面是政策解读质量还不够高。另一方面是信息发布总量偏少、发布不够及时。", "一是政务新媒体更新频率不高,部分栏目内容陈旧。二是依申请公开答复文书规范性有待提升。")),
        ("one measure rewritten", S5_2023.replace("制定重点工作公开时序表,严格按规定、按时限做好重点工作公开。", "建立信息发布月度通报制度,对发布滞后的科室进行督促提醒。")),
        ("measures rewritten, problems kept", format!("存在问题:一方面是政策解读质量还不够高。另一方面是信息发布总量偏少、发布不够及时。\n{}", "下一步,我局将重点做好三方面工作:一是建立政策文件解读与文件同步起草、同步审签、同步发布的工作机制;二是对照公开目录逐项梳理应公开未公开事项,建立台账按月销号;三是将政务公开纳入科室年度考核,每季度通报一次。")),
    ];
    let scores: Vec<f64> = variants
        .iter()
        .map(|(what, v)| {
            let s = similarity(&base, &normalise_prose(v));
            eprintln!("{what}: {s:.3}");
            s
        })
        .collect();
    assert!(scores[0] > 0.95 && scores[1] >= REPEAT_THRESHOLD && scores[2] >= REPEAT_THRESHOLD);
    assert!(scores[3] < REPEAT_THRESHOLD);
}

// ---------------------------------------------------------------- nianbao check

/// (file name, code, 1-based line, message) of the findings across years of `check --format json PATH...`.
fn across(paths: &[&Path]) -> Vec<(String, String, u64, String)> {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_nianbao"))
        .arg("check")
        .args(["--format", "json", "--jobs", "2"])
        .args(paths)
        .output()
        .unwrap();
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let mut found = Vec::new();
    for f in v["files"].as_array().unwrap() {
        let name = Path::new(f["path"].as_str().unwrap())
            .file_name()
            .unwrap()
            .to_string_lossy()
            .into_owned();
        for d in f["diagnostics"].as_array().unwrap() {
            let code = d["code"].as_str().unwrap();
            if ["NB406", "NB407", "NB408"].contains(&code) {
                found.push((
                    name.clone(),
                    code.to_string(),
                    d["range"]["start"]["line"].as_u64().unwrap() + 1,
                    d["message"].as_str().unwrap().to_string(),
                ));
            }
        }
    }
    found
}

fn years(sub: &str) -> PathBuf {
    root().join("tests/fixtures/years").join(sub)
}

const THIS: &str = "蒙城县工业和信息化局2024.txt";
const LAST: &str = "蒙城县工业和信息化局2023.txt";

#[test]
fn cli_carryover_mismatch_on_the_cells_that_differ() {
    let found = across(&[&years("mismatch")]);
    assert_eq!(found.len(), 2, "{found:?}");
    for (f, code, line, msg) in &found {
        assert_eq!((f.as_str(), code.as_str(), *line), (THIS, "NB406", 30));
        assert!(msg.contains(LAST), "{msg}");
        assert!(msg.contains("为 1"), "last year's value: {msg}");
    }
    assert!(found[0].3.contains("自然人") && found[1].3.contains("总计"));
    // The same pair given as two files, or this year's file alone (its folder is searched).
    assert_eq!(across(&[&years("mismatch").join(THIS)]).len(), 2);
}

#[test]
fn cli_quiet_when_matching_other_agency_or_not_consecutive() {
    for sub in ["match", "other_agency", "gap"] {
        assert_eq!(across(&[&years(sub)]), vec![], "{sub}");
    }
}

#[test]
fn cli_in_force_rollforward_and_repeated_section5() {
    let found = across(&[&years("rollforward")]);
    assert_eq!(found.len(), 1, "{found:?}");
    assert_eq!((found[0].1.as_str(), found[0].2), ("NB407", 14));
    assert!(
        found[0].3.contains("应为 6") && found[0].3.contains("清理"),
        "{}",
        found[0].3
    );

    let found = across(&[&years("repeated")]);
    assert_eq!(found.len(), 1, "{found:?}");
    assert_eq!((found[0].1.as_str(), found[0].2), ("NB408", 59));
    assert!(found[0].3.contains("100%"), "{}", found[0].3);
    // The rewritten 五 of the matching pair stays quiet (checked above); its similarity:
    let five = |sub: &str, f: &str| {
        let src = std::fs::read_to_string(years(sub).join(f)).unwrap();
        let r = nianbao_core::parse::parse(&src, None);
        let b = front_matter::body(&src, &r, 4).unwrap();
        normalise_prose(&src[b.start..b.end])
    };
    assert!(similarity(&five("match", LAST), &five("match", THIS)) < REPEAT_THRESHOLD);
}

#[test]
fn cli_settings_and_suppression_apply() {
    let dir = tempfile::tempdir().unwrap();
    for f in [LAST, THIS] {
        std::fs::copy(years("mismatch").join(f), dir.path().join(f)).unwrap();
    }
    let this = dir.path().join(THIS);
    let src = std::fs::read_to_string(&this).unwrap();
    let line = "二、上年结转政府信息公开申请数量";
    std::fs::write(
        &this,
        src.replace(
            line,
            &format!("<!-- nianbao-disable-next-line NB406 -->\n{line}"),
        ),
    )
    .unwrap();
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_nianbao"))
        .args(["check", "--format", "json"])
        .arg(dir.path())
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(!text.contains("NB406"), "suppressed: {text}");
    assert!(!text.contains("NB107"), "the comment is used: {text}");
}

// ---------------------------------------------------------------- the server

mod lsp_client;

fn has_nb406(n: &serde_json::Value) -> bool {
    n["params"]["diagnostics"]
        .as_array()
        .is_some_and(|a| a.iter().any(|d| d["code"] == "NB406"))
}

/// Both years open (in a folder that does not exist: only the open documents count):
/// editing last year's 结转下年度 cell makes this year's NB406 appear and disappear.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn lsp_editing_last_year_rechecks_this_year() {
    use lsp_client::*;
    use std::time::Duration;
    let last_uri = "file:///nonexistent-nianbao-years/2023.txt";
    let this_uri = "file:///nonexistent-nianbao-years/2024.txt";
    let carried = std::fs::read_to_string(years("mismatch").join(LAST)).unwrap();
    let quiet = std::fs::read_to_string(years("match").join(LAST)).unwrap();
    let this = std::fs::read_to_string(years("mismatch").join(THIS)).unwrap();
    let (client, _) = TestClient::start(init_params(push_caps())).await;
    client.open(last_uri, "plaintext", 1, &carried);
    client.diagnostics(last_uri, 1).await;
    client.open(this_uri, "plaintext", 1, &this);
    let on_this = |want: bool| {
        move |n: &serde_json::Value| {
            n["method"] == "textDocument/publishDiagnostics"
                && n["params"]["uri"] == this_uri
                && has_nb406(n) == want
        }
    };
    let n = client
        .wait_for(TIMEOUT, on_this(true))
        .await
        .expect("NB406 on this year's report");
    let d = n["params"]["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["code"] == "NB406")
        .unwrap()
        .clone();
    assert_eq!(d["range"]["start"]["line"], 29);
    assert!(d["message"].as_str().unwrap().contains("2023.txt"), "{d}");

    for (version, text, want) in [(2, &quiet, false), (3, &carried, true)] {
        client.drain(Duration::from_millis(300)).await;
        client.replace_all(last_uri, version, text);
        client
            .wait_for(TIMEOUT, on_this(want))
            .await
            .unwrap_or_else(|| panic!("NB406 {want} after last year's v{version}"));
    }
    // Closing last year's report: nothing on disk to fall back to, so NB406 goes.
    client.drain(Duration::from_millis(300)).await;
    client.notify(
        "textDocument/didClose",
        serde_json::json!({ "textDocument": { "uri": last_uri } }),
    );
    client
        .wait_for(TIMEOUT, on_this(false))
        .await
        .expect("NB406 gone once last year's report is closed");
}

/// Last year's report on disk next to this year's open document; when it changes
/// (a watched-files event), this year's report is checked again.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn lsp_previous_year_on_disk_and_watched() {
    use lsp_client::*;
    let dir = tempfile::tempdir().unwrap();
    let last = dir.path().join(LAST);
    std::fs::copy(years("mismatch").join(LAST), &last).unwrap();
    let this_path = dir.path().join(THIS);
    let this = std::fs::read_to_string(years("mismatch").join(THIS)).unwrap();
    std::fs::write(&this_path, &this).unwrap();
    let uri_of = |p: &Path| nianbao_uri(p);
    let this_uri = uri_of(&this_path);
    let mut caps = push_caps();
    caps["workspace"]["didChangeWatchedFiles"] = serde_json::json!({ "dynamicRegistration": true });
    let (client, _) = TestClient::start(init_params(caps)).await;
    client.open(&this_uri, "plaintext", 1, &this);
    let diags = client.diagnostics(&this_uri, 1).await;
    assert!(diags.iter().any(|d| d["code"] == "NB406"), "{diags:?}");
    std::fs::copy(years("match").join(LAST), &last).unwrap();
    client.drain(std::time::Duration::from_millis(300)).await;
    client.notify(
        "workspace/didChangeWatchedFiles",
        serde_json::json!({ "changes": [{ "uri": uri_of(&last), "type": 2 }] }),
    );
    let uri = this_uri.clone();
    client
        .wait_for(TIMEOUT, move |n| {
            n["method"] == "textDocument/publishDiagnostics"
                && n["params"]["uri"] == uri.as_str()
                && !has_nb406(n)
        })
        .await
        .expect("NB406 gone after last year's file changed");
    assert!(
        !client
            .requests_named("client/registerCapability")
            .iter()
            .filter(|r| r.to_string().contains("didChangeWatchedFiles"))
            .collect::<Vec<_>>()
            .is_empty(),
        "watchers registered"
    );
}

fn nianbao_uri(p: &Path) -> String {
    let s = p.to_string_lossy();
    let mut out = String::from("file://");
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || b"/-_.~".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}
