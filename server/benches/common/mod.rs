//! Synthetic long reports for the benches (`engine`, `lsp_latency`).
//!
//! A synthetic report is the real seed 002 (pipe tables, 2021 format) with
//! section 一 padded by narrative paragraphs until the text reaches the size
//! asked for. The tables stay the seed's own. The padding paragraphs are the
//! seed's section 一 prose with every sentence that states a table figure
//! dropped (规范性文件 废止/现行有效, "尚未接获任何公开申请"), so the NB4xx rules
//! find nothing to compare and a synthetic report has no diagnostics at all.
//! The seed's own sentence "累计废止规范性文件2件,现行有效性文件1件" (a real
//! NB404 finding: table 二 says 0) is dropped from the base as well, the
//! opening gains the 统计期限 sentence the seed lacks (NB109), and the report
//! ends with `<!-- nianbao-disable-file NB112 -->`: a padded section 一 is far
//! over the 1000 characters the format allows, on purpose.

/// Seed 002 as published (it has two real NB404 findings).
pub const SEED: &str = include_str!("../../../tests/fixtures/seeds/002_fb96db60f172c7f1.txt");

/// The seed's sentence that contradicts its table 二 (NB404).
const FIGURE_SENTENCE: &str =
    "同步开展行政规范性文件规范落实工作,2024年以来,累计废止规范性文件2件,现行有效性文件1件。";

/// Where the opening gets its 统计期限 (right after this sentence).
const OPENING: &str = "现发布《蒙城县工业和信息化局2024年政府信息公开工作年度报告》。";
const PERIOD: &str = "本报告所列数据的统计期限自2024年1月1日起至2024年12月31日止。";
/// The length of section 一 (NB112) is the point of a synthetic report.
const SUPPRESS: &str = "\n<!-- nianbao-disable-file NB112 -->\n";

const AGENCY: &str = "蒙城县工业和信息化局";
const COUNTIES: [&str; 5] = ["蒙城县", "涡阳县", "利辛县", "谯城区", "萧县"];
const BUREAUS: [&str; 4] = ["工业和信息化局", "财政局", "自然资源局", "市场监督管理局"];

/// Where section 一's own prose ends: the padding goes right before this heading.
pub const SECTION_2: &str = "二、主动公开政府信息情况";

/// Padding paragraph `i` of report variant `k` (one line, ending with a newline).
/// Lengths 170–750 bytes, like the seed's own paragraphs; the counts in 条/次
/// change with `i` and `k` so no two neighbouring paragraphs are identical.
fn paragraph(i: usize, k: usize, out: &mut String) {
    let n = |m: usize| 1 + (i * 7 + k * 13 + m * 31) % 97;
    let p = match i % 5 {
        0 => format!(
            "主动做好部门政策文件解读、上级政策转发、决策部署落实、人大政协建议提案办理、机构设置信息更新、年度财政预决算及“三公”经费公开等政务信息公开工作。进一步健全工作考核、信息审核、责任追究等管理制度,全力保障政务信息公开透明、合理合规。依托政务公开平台,持续加强政策解读、宣贯力度,收录上级部门政策文件{}条、部门政策文件{}条。突出政策解读,聚焦文件起草背景、起草过程和主要内容,围绕文件创新举措,有效做到政策解读准确、文件宣传到位,累计发布政策解读信息{}条。",
            n(0),
            n(1),
            n(2)
        ),
        1 => "深入学习《中华人民共和国政府信息公开条例》的相关条款,对于申请事宜,依照《条例》的要求,严格依法处理。除电话、电子邮件、邮寄信件和网络平台外,还在办公室内设立了信息公开申请的现场受理站点,确保申请接收途径畅通无阻。".to_string(),
        2 => format!(
            "强化政府信息公开管理,落实信息发布三级审核机制,进一步加强上网信息发布审核,严格落实信息审查机制,从严审核把关,坚决避免错敏信息上网。认真落实政务公开计划,聚焦关键节点、重点任务、关切事项主动做好政务信息公开相关工作,累计发布政务公开信息{}条。同步做好日常公开,结合政府工作报告完成情况、领导信息公开情况、监督保障亮点工作情况,聚焦承办重点任务,持续加大重点工作信息公开力度,累计发布相关信息{}条。",
            n(3),
            n(4)
        ),
        3 => "认真落实网络安全管理举措,部署网络防火墙,严防安全漏洞。".to_string(),
        _ => format!(
            "进一步健全完善信息公开监督保障机制,落实“主要负责同志-分管负责领导-具办业务科室”三重管理机制,压紧压实管理责任,明确专人负责,持续提升信息公开精准度、规范性、实效性。一方面,强化业务培训,组织参加全县政务公开业务培训{}次,切实提升政务信息公开工作水平。另一方面,聚焦问题整改,针对反馈测评反馈问题制定整改责任清单,明确责任到人,及时推进问题整改,累计整改反馈测评结果问题{}次,有效提升了政务公开信息考核结果。",
            n(5),
            n(6)
        ),
    };
    out.push_str(&p);
    out.push('\n');
}

/// A report of at least `size` bytes (and less than one paragraph more).
pub fn synthetic(size: usize) -> String {
    synthetic_variant(size, 0)
}

/// Report variant `k` (0–19 are 20 different agencies; the padding's counts
/// differ too) of at least `size` bytes. Variant 0 is seed 002's agency.
#[allow(dead_code)] // the engine bench uses variant 0 only
pub fn synthetic_variant(size: usize, k: usize) -> String {
    assert!(
        SEED.contains(FIGURE_SENTENCE) && SEED.contains(OPENING),
        "seed 002 changed"
    );
    let base =
        SEED.replacen(FIGURE_SENTENCE, "", 1)
            .replacen(OPENING, &format!("{OPENING}{PERIOD}"), 1)
            + SUPPRESS;
    let base = if k == 0 {
        base
    } else {
        let name = format!("{}{}", COUNTIES[k % 5], BUREAUS[(k / 5) % 4]);
        base.replace(AGENCY, &name)
            .replace("0558-7626908", &format!("0558-76{:05}", k))
    };
    let at = base.find(SECTION_2).expect("seed 002: section 二");
    let mut out = String::with_capacity(size + 1024);
    out.push_str(&base[..at]);
    let mut i = 0;
    while out.len() + (base.len() - at) < size {
        paragraph(i, k, &mut out);
        i += 1;
    }
    out.push_str(&base[at..]);
    out
}

/// Byte range of the padding of a synthetic report (empty below the seed's size).
#[allow(dead_code)] // used by lsp_latency
pub fn padding(text: &str) -> std::ops::Range<usize> {
    let end = text.find(SECTION_2).expect("section 二");
    let last_own = text[..end]
        .find("(五)监督保障情况。")
        .expect("seed's (五) paragraph");
    let start = last_own + text[last_own..].find('\n').expect("newline") + 1;
    start..end
}
