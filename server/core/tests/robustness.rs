//! The parser never fails: edge cases, every truncation of the real reports, and
//! byte garbage all analyse without panicking, and every range the engine hands
//! out (diagnostics, related places, fixes, fix-all) is valid in the text.

mod common;

use common::*;
use nianbao_core::analysis::Analysis;
use nianbao_core::text::{apply_edits, Encoding, LineIndex, TextRange};

fn valid(src: &str, r: TextRange, what: &str) {
    assert!(
        r.start <= r.end && r.end <= src.len(),
        "{}: range {:?} outside 0..{}",
        what,
        r,
        src.len()
    );
    assert!(
        src.is_char_boundary(r.start) && src.is_char_boundary(r.end),
        "{}: range {:?} splits a character",
        what,
        r
    );
}

/// Analyse and check every range the analysis and fix-all produce.
fn check(src: &str) -> Analysis {
    let a = run(src);
    for d in &a.diagnostics {
        valid(src, d.range, d.code());
        for r in &d.related {
            valid(src, r.range, d.code());
        }
        for f in &d.fixes {
            let mut edits: Vec<_> = f.edits.iter().map(|e| e.range).collect();
            edits.sort();
            for w in edits.windows(2) {
                assert!(
                    w[0].end <= w[1].start,
                    "{}: overlapping edits {:?}",
                    d.code(),
                    w
                );
            }
            for e in &f.edits {
                valid(src, e.range, d.code());
            }
        }
    }
    let edits = nianbao_core::fix::fix_all(src, &a.report);
    for e in &edits {
        valid(src, e.range, "fix-all");
    }
    if !edits.is_empty() {
        let fixed = apply_edits(src, &edits);
        let again = run(&fixed);
        assert!(
            nianbao_core::fix::fix_all(&fixed, &again.report).is_empty(),
            "fix-all not idempotent"
        );
    }
    a
}

/// (code, line, UTF-16 column) of every diagnostic.
fn places(src: &str, a: &Analysis) -> Vec<(&'static str, u32, u32, u32, u32)> {
    let li = LineIndex::new(src);
    a.diagnostics
        .iter()
        .map(|d| {
            let s = li.position(src, d.range.start, Encoding::Utf16);
            let e = li.position(src, d.range.end, Encoding::Utf16);
            (d.code(), s.line, s.character, e.line, e.character)
        })
        .collect()
}

fn seeds() -> Vec<(String, String)> {
    inputs(&fixtures_dir().join("seeds"))
        .iter()
        .map(|p| {
            (
                p.file_name().unwrap().to_string_lossy().to_string(),
                read(p),
            )
        })
        .collect()
}

fn seed(prefix: &str) -> String {
    seeds()
        .into_iter()
        .find(|(n, _)| n.starts_with(prefix))
        .unwrap()
        .1
}

#[test]
fn degenerate_inputs() {
    for src in [
        "",
        "\n",
        "\r\n\r\n",
        "\r",
        " ",
        "\u{feff}",
        "|",
        "||||\n|---|\n| |",
        "\t\t\t\n\t",
        "一、",
        "一、总体情况",
        "一、总体情况\n二、主动公开政府信息情况\n三、收到和处理政府信息公开申请情况\n四、政府信息公开行政复议、行政诉讼情况\n五、存在的主要问题及改进情况\n六、其他需要报告的事项",
        "## 一、总体情况\n## 一、总体情况\n## 一、总体情况",
        "十一、十二、九十九、",
        "第二十条\n规章",
        "本年新收 1 2 3\n（七）总计\n结转下年度",
        "结果维持 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17",
        "规章 -",
        "规章 ９９９９９９９９９９９９９９９９９９９９９９９９",
        "一、本年新收政府信息公开申请数量 99999999999999999999 1 1 1 1 1 1",
        "四、政府信息公开行政复议、行政诉讼情况\n结果维持\n9223372036854775807 9223372036854775807 0 0 0 0 0 0 0 0 0 0 0 0 0",
        "第 页\n第页\n- -\n-3-",
    ] {
        check(src);
    }
}

#[test]
fn only_headings() {
    let src = "一、总体情况\n二、主动公开政府信息情况\n三、收到和处理政府信息公开申请情况\n四、政府信息公开行政复议、行政诉讼情况\n五、存在的主要问题及改进情况\n六、其他需要报告的事项\n";
    let a = check(src);
    assert_eq!(a.report.sections.iter().filter(|s| s.is_some()).count(), 6);
    let codes: Vec<_> = a.diagnostics.iter().map(|d| d.code()).collect();
    assert_eq!(codes, ["NB201", "NB201", "NB201", "NB106"], "{:?}", codes);
}

#[test]
fn huge_single_line() {
    // A whole report pasted without line breaks, then one megabyte of one paragraph.
    let flat: String = seed("002").replace('\n', " ");
    check(&flat);
    let para = "本机关认真贯彻落实《中华人民共和国政府信息公开条例》，持续推进政务公开。";
    let huge = para.repeat(1 << 20 >> 6);
    assert!(huge.len() > 1_000_000);
    let a = check(&huge);
    assert!(a.report.table3.is_none());
}

#[test]
fn crlf_and_lone_cr_give_the_same_places() {
    for (name, src) in seeds() {
        let lf = places(&src, &check(&src));
        for eol in ["\r\n", "\r"] {
            let other = src.replace('\n', eol);
            let got = places(&other, &check(&other));
            assert_eq!(
                got, lf,
                "{}: line breaks {:?} move the diagnostics",
                name, eol
            );
        }
    }
}

#[test]
fn crlf_fixes_keep_crlf() {
    let src = std::fs::read_to_string(fixtures_dir().join("rules/nb202_row_missing.md"))
        .unwrap()
        .replace('\n', "\r\n");
    let a = check(&src);
    let d = a
        .diagnostics
        .iter()
        .find(|d| d.code() == "NB202")
        .expect("NB202");
    let fixed = apply_edits(&src, &d.fixes[0].edits);
    assert!(
        !fixed.replace("\r\n", "").contains('\n'),
        "a lone LF was inserted into a CRLF document"
    );
}

#[test]
fn line_separator_is_not_a_line_break() {
    // LSP breaks lines at \n, \r\n and \r only: U+2028 inside a paragraph must not
    // shift the lines of later diagnostics.
    let src = std::fs::read_to_string(fixtures_dir().join("rules/nb304_review_total.md")).unwrap();
    let base = places(&src, &check(&src));
    let with_ls = src.replacen("。", "。\u{2028}", 3);
    let got = places(&with_ls, &check(&with_ls));
    assert_eq!(
        got.iter().map(|p| (p.0, p.1)).collect::<Vec<_>>(),
        base.iter().map(|p| (p.0, p.1)).collect::<Vec<_>>()
    );
}

#[test]
fn astral_characters_in_labels() {
    // 𠀀 (U+20000) is two UTF-16 units: the label range must end after it.
    let src = std::fs::read_to_string(fixtures_dir().join("rules/nb207_label_variant.md")).unwrap();
    let src = src.replace("2、其他法律法规禁止公开", "2、其他法律𠀀法规禁止公开");
    let a = check(&src);
    let d = a
        .diagnostics
        .iter()
        .find(|d| d.code() == "NB207")
        .expect("NB207");
    assert_eq!(
        &src[d.range.start..d.range.end],
        "2、其他法律𠀀法规禁止公开"
    );
    let li = LineIndex::new(&src);
    let (s, e) = (
        li.position(&src, d.range.start, Encoding::Utf16),
        li.position(&src, d.range.end, Encoding::Utf16),
    );
    assert_eq!(
        e.character - s.character,
        14,
        "13 characters, one of them astral"
    );
    // A heading with an astral character, and one in a table 三 label that is still matched.
    let src2 = seed("002")
        .replace("(一)予以公开", "(一)予以公开𠀀")
        .replace("一、总体情况", "一、总体情况𠀀");
    let a2 = check(&src2);
    assert!(a2
        .report
        .cell(nianbao_core::template::CellRef::T3 { row: 2, col: 0 })
        .is_some());
}

/// Every prefix of every real report (cut at a character boundary every ~37
/// bytes), and every fifth suffix.
#[test]
fn every_truncation_of_the_seeds() {
    let mut n = 0;
    for (_, src) in seeds() {
        let mut cut = 0;
        while cut < src.len() {
            while !src.is_char_boundary(cut) {
                cut += 1;
            }
            check(&src[..cut]);
            n += 1;
            if n % 5 == 0 {
                check(&src[cut..]);
                n += 1;
            }
            cut += 37;
        }
    }
    println!("{} truncations analysed", n);
}

/// Deterministic pseudo-random text: garbage bytes, and garbage built from the
/// characters that steer the parser.
#[test]
fn random_garbage() {
    let mut state: u64 = 0x9e37_79b9_7f4a_7c15;
    let mut next = move || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state
    };
    const PIECES: &[&str] = &[
        "|",
        "\t",
        "\n",
        "\r",
        "\r\n",
        " ",
        "\u{3000}",
        "\u{c}",
        "0",
        "7",
        "12",
        "１２",
        "1,234",
        "-",
        "—",
        "/",
        "无",
        ".",
        "、",
        "（",
        "）",
        "(",
        ")",
        "一",
        "二",
        "三",
        "四",
        "五",
        "六",
        "七",
        "十",
        "、",
        "是",
        "。",
        "总计",
        "本年新收",
        "上年结转",
        "(七)总计",
        "结转下年度",
        "（六）其他处理",
        "1.",
        "2、",
        "逾期不补正",
        "3.其他",
        "结果维持",
        "第二十条",
        "规章",
        "行政规范性文件",
        "事业性收费",
        "本年新制作数量",
        "2024年",
        "2020年",
        "年度报告",
        "收费及减免",
        "信息处理费",
        "勾稽关系",
        "𠀀",
        "\u{2028}",
        "##",
        "**",
        "-3-",
        "第 3 页",
        "万元",
        "件",
    ];
    for _ in 0..400 {
        let len = (next() % 200) as usize;
        let bytes: Vec<u8> = (0..len).map(|_| next() as u8).collect();
        check(&String::from_utf8_lossy(&bytes));
        let s: String = (0..len)
            .map(|_| PIECES[(next() % PIECES.len() as u64) as usize])
            .collect();
        check(&s);
    }
    // Seeds with random pieces spliced in.
    let seeds = seeds();
    for _ in 0..200 {
        let (_, src) = &seeds[(next() % seeds.len() as u64) as usize];
        let mut at = (next() as usize) % src.len();
        while !src.is_char_boundary(at) {
            at -= 1;
        }
        let piece = PIECES[(next() % PIECES.len() as u64) as usize];
        check(&format!("{}{}{}", &src[..at], piece, &src[at..]));
    }
}

/// A pasted text with thousands of findings lists at most `MAX_PER_RULE` of a
/// rule and `MAX_PER_REPORT` in all, and says how many were left out (an
/// uncapped 100 MB text gave 1.34 million findings and 1.4 GB of JSON).
#[test]
fn findings_are_capped_per_rule_and_per_report_with_a_note() {
    use nianbao_core::rules::{MAX_PER_REPORT, MAX_PER_RULE};
    let base = std::fs::read_to_string(common::fixtures_dir().join("cli/draft.md")).unwrap();
    let mut text = base.clone();
    for i in 0..3000 {
        text.push_str(&format!(
            "\n\n第{i}段：本年度共收到政府信息公开申请999件。\n\n## 一、总体情况\n"
        ));
    }
    let a = nianbao_core::analyze(&text, &nianbao_core::config::Config::default());
    let mut per_rule = std::collections::BTreeMap::new();
    for d in &a.diagnostics {
        *per_rule.entry(d.code()).or_insert(0usize) += 1;
    }
    assert!(
        a.diagnostics.len() <= MAX_PER_REPORT + per_rule.len(),
        "{per_rule:?}"
    );
    let notes: Vec<_> = a
        .diagnostics
        .iter()
        .filter(|d| d.message.zh.contains("未列出") && d.message.en.contains("not listed"))
        .collect();
    assert!(
        !notes.is_empty(),
        "no note on what was left out: {per_rule:?}"
    );
    for (code, n) in &per_rule {
        assert!(*n <= MAX_PER_RULE + 1, "{code}: {n}");
    }
    // The note counts what it left out: kept + left out = all there were.
    let capped = notes[0].code();
    let left: usize = notes[0]
        .message
        .en
        .split_whitespace()
        .next()
        .unwrap()
        .parse()
        .unwrap();
    assert!(
        left > 0 && per_rule[capped] - 1 + left > MAX_PER_RULE,
        "{per_rule:?}"
    );
    // A real report is untouched by the caps.
    let small = nianbao_core::analyze(&base, &nianbao_core::config::Config::default());
    assert!(small
        .diagnostics
        .iter()
        .all(|d| !d.message.zh.contains("未列出")));
}
