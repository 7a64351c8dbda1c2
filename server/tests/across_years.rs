//! Checks across years (NB406–NB408).

use nianbao::across_years::{normalise_prose, similarity, REPEAT_THRESHOLD};
use nianbao::rules::identity;
use std::path::{Path, PathBuf};

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

fn seed_section5(name: &str) -> String {
    let src = std::fs::read_to_string(root().join("tests/fixtures/seeds").join(name)).unwrap();
    let r = nianbao::parse::parse(&src, None);
    let b = identity::body(&src, &r, 4).expect("section 五");
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
        let r = nianbao::parse::parse(&src, None);
        let b = identity::body(&src, &r, 4).unwrap();
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
