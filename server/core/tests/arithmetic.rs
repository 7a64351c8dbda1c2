//! Numbers no count can be: the identities neither sum nor fix them, the prose
//! figures beyond any count are no claims, a list of digits is no number.

mod common;

use nianbao_core::model::Value;
use nianbao_core::template::CellRef;

/// The largest count (`nianbao_core::identities::MAX_COUNT`, spelt out so that
/// these tests also build against the code before it).
const MAX_COUNT: i64 = 1_000_000_000_000;

/// A 2021 report whose tables hold (from the rule fixture, its one negative total corrected).
fn clean() -> String {
    let src = common::read(
        &common::fixtures_dir()
            .join("rules")
            .join("nb206_negative_total.md"),
    );
    src.replace("| 0 | 0 | 0 | 0 | -3 |", "| 0 | 0 | 0 | 0 | 3 |")
}

/// `src` with the first line starting with `label` rewritten by `f`.
fn edit_row(src: &str, label: &str, f: impl Fn(&str) -> String) -> String {
    let at = src.find(&format!("\n{label}")).expect("row") + 1;
    let end = at + src[at..].find('\n').unwrap();
    format!("{}{}{}", &src[..at], f(&src[at..end]), &src[end..])
}

/// The row's first value cell replaced by `v` (the cells are " | "-separated).
fn first_cell(line: &str, v: &str) -> String {
    let mut parts: Vec<String> = line.split(" | ").map(str::to_string).collect();
    let i = parts
        .iter()
        .position(|p| p.trim().parse::<i64>().is_ok())
        .unwrap();
    parts[i] = v.to_string();
    parts.join(" | ")
}

fn codes(src: &str) -> Vec<&'static str> {
    common::run(src)
        .diagnostics
        .iter()
        .map(|d| d.code())
        .collect()
}

/// The numbers fix-all writes.
fn written_by_fix_all(src: &str) -> Vec<i64> {
    let a = common::run(src);
    nianbao_core::fix::fix_all(src, &a.report)
        .iter()
        .map(|e| e.new_text.trim().replace(',', "").parse::<i64>().unwrap())
        .collect()
}

#[test]
fn the_clean_report_is_clean() {
    let src = clean();
    assert!(
        !codes(&src).iter().any(|c| c.starts_with("NB3")),
        "{:?}",
        codes(&src)
    );
    assert!(written_by_fix_all(&src).is_empty());
}

#[test]
fn a_huge_negative_part_is_not_summed_and_not_fixed() {
    // (七)总计·自然人 is -9223372036854775807 and B cannot check it (a blank
    // outcome): identity C would make 四 = 0 + 0 − (−9223372036854775807).
    let mut src = clean();
    src = edit_row(&src, "一、本年新收", |l| first_cell(l, "0"));
    src = edit_row(&src, "二、上年结转", |l| first_cell(l, "0"));
    src = edit_row(&src, "(二)部分公开", |l| first_cell(l, " "));
    src = edit_row(&src, "(七)总计", |l| {
        first_cell(l, "-9223372036854775807")
    });
    let a = common::run(&src);
    let written = written_by_fix_all(&src);
    assert!(
        written.iter().all(|v| (0..=MAX_COUNT).contains(v)),
        "fix-all writes {written:?}"
    );
    let carried_out = a
        .report
        .cell(CellRef::T3 {
            row: nianbao_core::template::TABLE3_ROWS
                .iter()
                .position(|r| r.key == nianbao_core::template::T3Row::CarriedOut)
                .unwrap(),
            col: 0,
        })
        .unwrap()
        .range;
    assert!(
        !a.diagnostics.iter().any(|d| d.range == carried_out),
        "nothing about 四·自然人: {:#?}",
        a.diagnostics
    );
    let d = a
        .diagnostics
        .iter()
        .find(|d| src[d.range.start..d.range.end].contains("9223372036854775807"))
        .expect("the cell is reported");
    assert_eq!(d.code(), "NB206");
    assert!(
        !a.diagnostics
            .iter()
            .any(|d| d.message.zh.contains("9223372036854775") && d.code() != "NB206"),
        "{:#?}",
        a.diagnostics
    );
}

#[test]
fn a_part_beyond_any_count_is_reported_and_not_summed() {
    let src = edit_row(&clean(), "一、本年新收", |l| {
        first_cell(l, "10000000000003")
    });
    let a = common::run(&src);
    let c: Vec<_> = a.diagnostics.iter().map(|d| d.code()).collect();
    assert!(c.contains(&"NB206"), "{c:?}");
    assert!(!c.iter().any(|c| c.starts_with("NB3")), "{c:?}");
    assert!(written_by_fix_all(&src).is_empty());
    let d = a.diagnostics.iter().find(|d| d.code() == "NB206").unwrap();
    assert!(d.message.zh.contains("10000000000003"), "{}", d.message.zh);
    assert!(d.message.en.contains("10^12"), "{}", d.message.en);
}

#[test]
fn an_absurd_total_is_still_recomputed() {
    let src = edit_row(&clean(), "一、本年新收", |l| {
        l.replace("| 0 | 4 |", "| 0 | -9223372036854775807 |")
    });
    assert_eq!(written_by_fix_all(&src), vec![4]);
}

#[test]
fn a_prose_figure_beyond_any_count_is_no_claim() {
    let with = |figure: &str| {
        clean().replacen(
            "(二)依申请公开情况。",
            &format!("(二)依申请公开情况。本年度共收到政府信息公开申请{figure}件。"),
            1,
        )
    };
    // A figure that disagrees with the table is reported…
    let control = common::run(&with("5"));
    assert!(
        control
            .diagnostics
            .iter()
            .any(|d| d.code().starts_with("NB40")),
        "{:?}",
        control
            .diagnostics
            .iter()
            .map(|d| d.code())
            .collect::<Vec<_>>()
    );
    // …one of 30 digits is none.
    let src = with("123456789012345678901234567890");
    let a = common::run(&src);
    assert!(
        !a.diagnostics.iter().any(|d| d.code().starts_with("NB40")),
        "{:#?}",
        a.diagnostics
    );
    assert!(!nianbao_core::narrative::claims(&src, &a.report)
        .iter()
        .any(|c| c.value > MAX_COUNT),);
}

fn new_row() -> usize {
    nianbao_core::template::TABLE3_ROWS
        .iter()
        .position(|r| r.key == nianbao_core::template::T3Row::New)
        .unwrap()
}

#[test]
fn a_list_of_digits_is_no_number() {
    let src = edit_row(&clean(), "一、本年新收", |l| first_cell(l, "1,2,3,4"));
    let a = common::run(&src);
    let cell = a.report.cell(CellRef::T3 {
        row: new_row(),
        col: 0,
    });
    assert!(
        !cell.is_some_and(|c| matches!(c.value, Value::Int { .. })),
        "{cell:?}"
    );
    assert!(
        !a.diagnostics
            .iter()
            .any(|d| d.message.zh.contains("1234") || d.message.zh.contains("1235")),
        "{:#?}",
        a.diagnostics
    );
    assert!(written_by_fix_all(&src).is_empty());
    // "1,234" still is one.
    let src = edit_row(&clean(), "一、本年新收", |l| first_cell(l, "1,234"));
    let a = common::run(&src);
    assert_eq!(
        a.report
            .cell(CellRef::T3 {
                row: new_row(),
                col: 0
            })
            .unwrap()
            .value,
        Value::Int { value: 1234 }
    );
}
