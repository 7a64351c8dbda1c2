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
            eprintln!("{} {} {:.3} ({} / {} chars)", SEEDS[i], SEEDS[j], s, texts[i].chars().count(), texts[j].chars().count());
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
