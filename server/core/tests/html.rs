//! The HTML reader on the published page of a real report and on pages made from it
//! (`tests/fixtures/html/`, see `generate.py` there), and on small pages that each exercise
//! one thing: the charset, the report body among page furniture, the table grid and the
//! places, broken input.
//!
//! Fixture pairs: every `*.html` of `tests/fixtures/html/` is read, analysed, and compared
//! with its `.expected` (what the fixture harness writes, plus the place in the page of
//! each diagnostic). `UPDATE_EXPECT=1 cargo test -p nianbao-core --test html` rewrites them.

mod common;

use common::{fixtures_dir, render_analysis};
use nianbao_core::analysis::{analyze, Analysis};
use nianbao_core::config::Config;
use nianbao_core::diag::Lang;
use nianbao_core::model::{Report, Value};
use nianbao_core::read::{self, Form, Place, Rendering};
use std::path::PathBuf;

fn html_dir() -> PathBuf {
    fixtures_dir().join("html")
}

fn page(name: &str) -> Vec<u8> {
    std::fs::read(html_dir().join(name)).unwrap()
}

fn read_html(bytes: &[u8]) -> Rendering {
    let r = read::html::read(bytes).unwrap_or_else(|e| panic!("{}", e.get(Lang::En)));
    assert_invariants(&r);
    r
}

fn analyse(r: &Rendering) -> Analysis {
    analyze(&r.text, &Config::default())
}

/// Places sorted, not overlapping, on char boundaries.
fn assert_invariants(r: &Rendering) {
    let mut end = 0;
    for (range, _) in &r.places {
        assert!(
            range.start >= end,
            "places overlap or are unsorted at {range:?}"
        );
        assert!(range.start <= range.end && range.end <= r.text.len());
        assert!(r.text.is_char_boundary(range.start) && r.text.is_char_boundary(range.end));
        end = range.end;
    }
}

/// The values of tables 二, 三 and 四 as text, row by row.
fn table_values(r: &Report) -> Vec<String> {
    fn v(c: &Value) -> String {
        match c {
            Value::Int { value } => value.to_string(),
            Value::Decimal { text, .. } => text.clone(),
            Value::Blank => "_".into(),
            Value::Text { text } => format!("«{text}»"),
        }
    }
    let mut out = Vec::new();
    if let Some(t) = &r.table2 {
        for (key, row) in &t.rows {
            let cells = row.as_ref().and_then(|r| r.cells.as_ref());
            let vals: Vec<String> = cells
                .map(|c| c.iter().map(|c| v(&c.value)).collect())
                .unwrap_or_default();
            out.push(format!("二 {key:?}: {}", vals.join(" ")));
        }
    }
    if let Some(t) = &r.table3 {
        for (i, row) in t.rows.iter().enumerate() {
            if let Some(cells) = row.as_ref().and_then(|r| r.cells.as_ref()) {
                let vals: Vec<String> = cells.iter().map(|c| v(&c.value)).collect();
                out.push(format!("三 {i}: {}", vals.join(" ")));
            }
        }
    }
    if let Some(t) = &r.table4 {
        if let Some(cells) = &t.row.cells {
            let vals: Vec<String> = cells.iter().map(|c| v(&c.value)).collect();
            out.push(format!("四: {}", vals.join(" ")));
        }
    }
    out
}

/// What a fixture's `.expected` holds: the fixture harness's rendering of the analysis,
/// then the place in the page of each diagnostic.
fn expected_text(r: &Rendering, a: &Analysis) -> String {
    let mut out = render_analysis(&r.text, a);
    out.push_str("\nplaces:\n");
    for d in &a.diagnostics {
        let place = r
            .place_at(d.range.start)
            .map_or("none".to_string(), |p| p.describe(Lang::Zh));
        out.push_str(&format!("{} {}\n", d.code(), place));
    }
    out
}

#[test]
fn fixture_pages_give_their_expected_findings() {
    let update = std::env::var_os("UPDATE_EXPECT").is_some();
    let mut names: Vec<String> = std::fs::read_dir(html_dir())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".html"))
        .collect();
    names.sort();
    assert!(names.len() >= 3, "{names:?}");
    let mut failures = Vec::new();
    for name in &names {
        let bytes = page(name);
        assert_eq!(Form::sniff(Some(name), &bytes), Form::Html);
        let r = read_html(&bytes);
        let got = expected_text(&r, &analyse(&r));
        let exp = html_dir().join(format!("{name}.expected"));
        if update {
            std::fs::write(&exp, &got).unwrap();
            continue;
        }
        let want = std::fs::read_to_string(&exp).unwrap_or_default();
        if want != got {
            failures.push(format!("{name}:\n--- expected\n{want}\n--- got\n{got}"));
        }
    }
    assert!(
        failures.is_empty(),
        "{}\n(UPDATE_EXPECT=1 cargo test -p nianbao-core --test html, then review the diff)",
        failures.join("\n")
    );
}

/// The values of the report's tables as its glued crawl text
/// (`realworld/012_pingtan_zone_2024_glued.txt`) gives them, read off that text by eye:
/// `规章000行政规范性文件6233440…`, `一、本年新收政府信息公开申请数量21710000218…`.
const PINGTAN_2024: &[&str] = &[
    "二 Rules: 0 0 0",
    "二 Normative: 62 33 440",
    "二 License: 4529",
    "二 Penalty: 1100",
    "二 Coercion: 65",
    "二 Fees: 18651.06",
    "三 0: 217 1 0 0 0 0 218",
    "三 1: 0 0 0 0 0 0 0",
    "三 2: 71 0 0 0 0 0 71",
    "三 3: 29 0 0 0 0 0 29",
    "三 4: 4 0 0 0 0 0 4",
    "三 5: 0 0 0 0 0 0 0",
    "三 6: 0 0 0 0 0 0 0",
    "三 7: 3 0 0 0 0 0 3",
    "三 8: 32 0 0 0 0 0 32",
    "三 9: 0 0 0 0 0 0 0",
    "三 10: 0 0 0 0 0 0 0",
    "三 11: 0 0 0 0 0 0 0",
    "三 12: 75 0 0 0 0 0 75",
    "三 13: 0 0 0 0 0 0 0",
    "三 14: 0 0 0 0 0 0 0",
    "三 15: 0 0 0 0 0 0 0",
    "三 16: 1 0 0 0 0 0 1",
    "三 17: 0 0 0 0 0 0 0",
    "三 18: 0 0 0 0 0 0 0",
    "三 19: 0 0 0 0 0 0 0",
    "三 21: 1 0 0 0 0 0 1",
    "三 22: 0 0 0 0 0 0 0",
    "三 23: 1 1 0 0 0 0 2",
    "三 24: 217 1 0 0 0 0 218",
    "三 25: 0 0 0 0 0 0 0",
    "四: 2 1 3 1 7 0 0 0 0 0 13 2 4 0 19",
];

#[test]
fn published_page_reads_the_tables_of_its_glued_text_and_nothing_false() {
    let r = read_html(&page("014_pingtan_zone_2024.html"));
    let a = analyse(&r);
    assert_eq!(a.report.year, Some(2024));
    assert_eq!(table_values(&a.report), PINGTAN_2024);
    // The report has all six sections and both tables hold every identity; it gives no
    // contact (NB110, a true hint, as its glued text gets too). Nothing else.
    let codes: Vec<&str> = a.diagnostics.iter().map(|d| d.code()).collect();
    assert_eq!(codes, ["NB110"], "{:#?}", a.diagnostics);
    // The page's furniture is not read: navigation, scripts, the footer, the QR code.
    for furniture in [
        "扫一扫",
        "首页",
        "网站地图",
        "avalon",
        "function",
        "版权所有",
    ] {
        assert!(
            !r.text.contains(furniture),
            "{furniture} read from the page"
        );
    }
    // The title (outside the content block) comes first, at its source line.
    assert!(r
        .text
        .starts_with("平潭综合实验区2024年度政府信息公开工作年度报告\n"));
    assert_eq!(r.place_at(0), Some(&Place::SourceLine { line: 295 }));
}

#[test]
fn cells_are_located_by_table_row_and_column_of_the_grid() {
    let r = read_html(&page("014_pingtan_zone_2024.html"));
    let a = analyse(&r);
    let place = |needle: &str| {
        let line = r.text.lines().find(|l| l.contains(needle)).unwrap();
        let at = r.text.find(line).unwrap();
        (at, line)
    };
    // 表三 grid: header rows 1–3, 一 at row 4, 三/（一） at row 6; labels span 3 columns.
    let (at, line) = place("（一）予以公开");
    let total = at + line.rfind("71").unwrap();
    assert_eq!(
        r.place_at(total),
        Some(&Place::Cell {
            table: 2,
            row: 6,
            col: 10
        })
    );
    // The engine reads that offset as 予以公开·总计.
    let cell = a.report.cell_at(total).expect("a template cell");
    assert_eq!(cell.describe(), "（一）予以公开·总计");
    // A grid cell covered by the rowspan of 三、本年度办理结果 is at the merged cell.
    let (at, line) = place("（二）部分公开");
    assert!(line.starts_with("|  | （二）"), "{line}");
    assert_eq!(
        r.place_at(at + 2),
        Some(&Place::Cell {
            table: 2,
            row: 6,
            col: 1
        })
    );
    // A pipe is at the source line of its row.
    assert!(matches!(r.place_at(at), Some(Place::SourceLine { .. })));
    // 表四: the last row, 15 columns.
    let (at, line) = place("| 2 | 1 | 3 | 1 | 7 |");
    let last = at + line.rfind("19").unwrap();
    assert_eq!(
        r.place_at(last),
        Some(&Place::Cell {
            table: 3,
            row: 4,
            col: 15
        })
    );
    // Paragraphs are at their source line (the body sits on line 349 of the page and on).
    let p = r.text.find("一、总体情况").unwrap();
    assert_eq!(r.place_at(p), Some(&Place::SourceLine { line: 349 }));
}

#[test]
fn gbk_page_reads_as_the_utf8_page() {
    let gbk = page("gbk_pingtan_2024.html");
    assert!(std::str::from_utf8(&gbk).is_err(), "the fixture is not GBK");
    let r = read_html(&gbk);
    let a = analyse(&r);
    assert_eq!(table_values(&a.report), PINGTAN_2024);
    assert!(r.text.contains("三、收到和处理政府信息公开申请情况"));
    // The navigation and the footer name report words; the body is still found, and the
    // footer's address (a contact) is not taken for the report's.
    assert!(!r.text.contains("首页"));
    assert!(!r.text.contains("350400"));
    assert_eq!(r.place_at(0), Some(&Place::SourceLine { line: 16 }));
}

#[test]
fn broken_total_is_found_at_its_table_row_and_column() {
    let r = read_html(&page("broken_total_pingtan_2024.html"));
    let a = analyse(&r);
    let d = a
        .diagnostics
        .iter()
        .find(|d| d.code() == "NB301")
        .expect("the wrong total is found");
    assert_eq!(&r.text[d.range.start..d.range.end], "17");
    assert_eq!(
        r.place_at(d.range.start),
        Some(&Place::Cell {
            table: 2,
            row: 6,
            col: 10
        })
    );
    assert_eq!(
        r.place_at(d.range.start).unwrap().describe(Lang::Zh),
        "第 2 个表格 第 6 行 第 10 列"
    );
}

// --- small pages -------------------------------------------------------------------------

const SMALL: &str =
    "<p>某局2024年政府信息公开工作年度报告</p><p>一、总体情况</p><p>本局公开信息。</p>";

fn small_page(head: &str) -> String {
    format!("<html><head>{head}<title>t</title></head><body>{SMALL}</body></html>")
}

#[test]
fn charset_from_bom_meta_or_bytes() {
    let utf8 = small_page("");
    let want = read_html(utf8.as_bytes()).text;
    assert!(want.contains("一、总体情况"), "{want}");
    let gbk = |s: &str| encoding_rs::GBK.encode(s).0.into_owned();
    let cases: Vec<(&str, Vec<u8>)> = vec![
        (
            "BOM",
            [b"\xEF\xBB\xBF".as_slice(), utf8.as_bytes()].concat(),
        ),
        (
            "meta charset=gbk",
            gbk(&small_page("<meta charset=\"GBK\">")),
        ),
        (
            "http-equiv gb2312",
            gbk(&small_page(
                "<meta http-equiv=\"Content-Type\" content=\"text/html; charset=gb2312\" />",
            )),
        ),
        ("undeclared GBK: GB18030", gbk(&small_page(""))),
        (
            "declared UTF-8, bytes GBK",
            gbk(&small_page("<meta charset=\"utf-8\">")),
        ),
        (
            "declared GBK, bytes UTF-8",
            small_page("<meta charset=\"gbk\">").into_bytes(),
        ),
        (
            "single-quoted charset",
            gbk(&small_page(
                "<meta http-equiv='content-type' content='text/html;charset=GB18030'>",
            )),
        ),
    ];
    for (what, bytes) in cases {
        assert_eq!(read_html(&bytes).text, want, "{what}");
    }
}

#[test]
fn body_without_a_known_content_block_is_the_element_with_the_report() {
    let html = r#"<!doctype html><html><body>
<div id="top"><a href="/">首页</a><ul><li>总体情况</li><li>行政复议</li><li>存在的主要问题</li></ul></div>
<div class="main"><div class="left">栏目：政府信息公开年报</div>
<div class="article">
<h2>某区人民政府2024年政府信息公开工作年度报告</h2>
<p>　　一、总体情况</p><p>本区……</p>
<p>二、主动公开政府信息情况</p>
<p>三、收到和处理政府信息公开申请情况</p>
<p>四、政府信息公开行政复议、行政诉讼情况</p>
<p>五、存在的主要问题及改进情况</p>
<p>六、其他需要报告的事项</p><p>本年度没有产生信息处理费。</p>
</div></div>
<div class="foot">主办单位：某区人民政府 行政复议 电话：0000</div>
</body></html>"#;
    let r = read_html(html.as_bytes());
    assert!(
        r.text
            .starts_with("某区人民政府2024年政府信息公开工作年度报告\n一、总体情况\n"),
        "{}",
        r.text
    );
    assert!(!r.text.contains("首页") && !r.text.contains("栏目") && !r.text.contains("主办单位"));
    assert_eq!(r.place_at(0), Some(&Place::SourceLine { line: 5 }));
    let a = analyse(&r);
    assert!(
        !a.diagnostics.iter().any(|d| d.code() == "NB101"),
        "{:#?}",
        a.diagnostics
    );
}

#[test]
fn merged_cells_are_expanded_on_the_grid() {
    let html = "<table>\n<tr><td rowspan=2>甲</td><td colspan=2>乙<br>丙</td></tr>\n<tr><td><p>法律</p><p>服<span>务</span>&nbsp;&nbsp;机构</p></td><td>3</td></tr>\n<tr><td>A B</td><td>x|y</td><td colspan=0>z</td></tr>\n</table>";
    let r = read_html(html.as_bytes());
    assert_eq!(
        r.text,
        "| 甲 | 乙丙 |  |\n|---|---|---|\n|  | 法律服务机构 | 3 |\n| A B | x｜y | z |\n"
    );
    let at = |s: &str| r.text.find(s).unwrap();
    let cell = |row, col| Some(Place::Cell { table: 1, row, col });
    assert_eq!(r.place_at(at("乙丙")).cloned(), cell(1, 2));
    // The grid cell covered by 乙丙's colspan, and the one under 甲's rowspan.
    assert_eq!(
        r.place_at(at("乙丙") + "乙丙 |".len() + 1).cloned(),
        cell(1, 2)
    );
    assert_eq!(r.place_at(at("|  | 法律") + 1).cloned(), cell(1, 1));
    assert_eq!(r.place_at(at("法律服务机构")).cloned(), cell(2, 2));
    assert_eq!(r.place_at(at("z")).cloned(), cell(3, 3));
    assert_eq!(
        r.place_at(at("|  | 法律")),
        Some(&Place::SourceLine { line: 3 })
    );
}

#[test]
fn layout_tables_are_read_as_blocks() {
    // A page laid out in a table, the report in one of its cells, a data table inside.
    let html = "<table><tr><td>导航</td><td><p>一、总体情况</p><p>正文</p><table><tr><td>规章</td><td>1</td></tr></table></td></tr></table>";
    let r = read_html(html.as_bytes());
    assert!(r.text.contains("一、总体情况\n正文\n"), "{}", r.text);
    assert!(r.text.contains("| 规章 | 1 |"), "{}", r.text);
}

#[test]
fn pages_nested_beyond_any_real_page_are_refused_quickly() {
    let t = std::time::Instant::now();
    for g in ["<div>".repeat(50_000), "<a><b><i><u><s>x".repeat(3_000)] {
        let e = read::html::read(g.as_bytes()).unwrap_err();
        assert!(e.get(Lang::Zh).contains("嵌套"), "{}", e.get(Lang::Zh));
    }
    assert!(t.elapsed().as_secs() < 5, "{:?}", t.elapsed());
    // A real page's unclosed <p>/<li>/<td> and void elements do not count.
    let ok = "<p>一、总体情况<br><img src=x><li>x<td>1".repeat(10_000);
    assert!(read::html::read(ok.as_bytes()).is_ok());
}

#[test]
fn page_without_text_is_refused_with_what_to_do() {
    let html = r#"<html><head><script>load("/report.json")</script></head><body><div ms-text="title"></div><script>render()</script></body></html>"#;
    let e = read::html::read(html.as_bytes()).unwrap_err();
    assert!(
        e.get(Lang::Zh).contains("没有可读的正文"),
        "{}",
        e.get(Lang::Zh)
    );
    assert!(e.get(Lang::En).contains("no text"), "{}", e.get(Lang::En));
    assert!(read::html::read(b"").is_err());
}

#[test]
fn broken_pages_never_panic() {
    let full = page("014_pingtan_zone_2024.html");
    // Truncated anywhere (also inside a tag, an entity, a UTF-8 sequence, a table).
    for cut in (0..full.len()).step_by(4999) {
        if let Ok(r) = read::html::read(&full[..cut]) {
            assert_invariants(&r);
        }
    }
    let mut garbage: Vec<Vec<u8>> = vec![
        b"<table><tr><td rowspan=65534 colspan=1000>x</td></tr><tr><td colspan=99999>y</td></tr></table>".to_vec(),
        b"<td>1<td>2</tr></table><tr><th>3".to_vec(),
        b"<table><caption>c</caption><td>a</td></table><table></table>".to_vec(),
        b"<<<<>>>>&&&&;;;<!-- <p> -->&#x110000;&#0;&nbsp".to_vec(),
        b"<template><p>1</p></template><svg><p>2</svg><math><mi>3".to_vec(),
        "<div>".repeat(3_000).into_bytes(),
        "<span><font>".repeat(1_000).into_bytes(),
        "<table><tr><td>".repeat(2_000).into_bytes(),
        "<a><b><i><u><s>x".repeat(300).into_bytes(),
        (0..=255u8).cycle().take(20_000).collect(),
    ];
    let mut noise = 0x2545F491u32;
    garbage.push(
        (0..50_000)
            .map(|_| {
                noise ^= noise << 13;
                noise ^= noise >> 17;
                noise ^= noise << 5;
                b"<>/=\"' tdrpabl\n&;#x0123456789\xe4\xb8\x80"[(noise % 32) as usize]
            })
            .collect(),
    );
    for g in &garbage {
        if let Ok(r) = read::html::read(g) {
            assert_invariants(&r);
            analyse(&r);
        }
    }
}

#[test]
fn page_saved_by_word_reads_like_the_document() {
    // Word's "save as web page": GB2312, <o:p>, conditional comments, a spacer row.
    let html = r#"<html xmlns:o="urn:schemas-microsoft-com:office:office">
<head><meta http-equiv=Content-Type content="text/html; charset=gb2312">
<style><!-- p.MsoNormal {margin:0cm;} --></style></head>
<body lang=ZH-CN>
<div class=WordSection1 style='layout-grid:15.6pt'>
<p class=MsoNormal align=center><b><span style='font-size:18.0pt'>某局2024年政府信息公开工作年度报告<o:p></o:p></span></b></p>
<p class=MsoNormal><span>一、总体情况<o:p></o:p></span></p>
<table class=MsoNormalTable border=1>
 <tr><td colspan=2><p class=MsoNormal>行政复议<o:p></o:p></p></td></tr>
 <tr><td><p class=MsoNormal>结果<br>维持</p></td><td><p class=MsoNormal><span lang=EN-US>1<o:p></o:p></span></p></td></tr>
 <![if !supportMisalignedColumns]>
 <tr height=0><td width=83 style='border:none'></td><td width=83 style='border:none'></td></tr>
 <![endif]>
</table>
</div></body></html>"#;
    let r = read_html(&encoding_rs::GBK.encode(html).0);
    assert_eq!(
        r.text,
        "某局2024年政府信息公开工作年度报告\n一、总体情况\n\n| 行政复议 |  |\n|---|---|\n| 结果维持 | 1 |\n"
    );
    assert_eq!(r.place_at(0), Some(&Place::SourceLine { line: 6 }));
}
