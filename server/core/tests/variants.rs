//! One report in every input layout real reports arrive in (pipe, tab, one cell per line, PDF text) (tests/fixtures/variants): the
//! parser must read the same numbers from each, and the rules must find the same
//! arithmetic errors in each when the same cell is changed.

mod common;

use common::*;
use nianbao_core::model::Value;
use nianbao_core::rules::shared::rewrite_cell;
use nianbao_core::template::{self, CellRef, Format, T2Row, T3Row, TABLE3_ROWS};
use nianbao_core::text::apply_edits;
use std::collections::BTreeSet;
use std::path::PathBuf;

/// Table 三 of the variant report, in 2021 row order.
const T3: [[i64; 7]; 25] = [
    [1009, 2, 0, 0, 1, 0, 1012],
    [32, 1, 0, 0, 0, 0, 33],
    [604, 1, 0, 0, 0, 0, 605],
    [101, 0, 0, 0, 1, 0, 102],
    [0, 0, 0, 0, 0, 0, 0],
    [0, 0, 0, 0, 0, 0, 0],
    [1, 0, 0, 0, 0, 0, 1],
    [0, 1, 0, 0, 0, 0, 1],
    [0, 0, 0, 0, 0, 0, 0],
    [0, 0, 0, 0, 0, 0, 0],
    [0, 0, 0, 0, 0, 0, 0],
    [0, 0, 0, 0, 0, 0, 0],
    [302, 0, 0, 0, 0, 0, 302],
    [1, 0, 0, 0, 0, 0, 1],
    [0, 0, 0, 0, 0, 0, 0],
    [0, 0, 0, 0, 0, 0, 0],
    [1, 0, 0, 0, 0, 0, 1],
    [0, 0, 0, 0, 0, 0, 0],
    [0, 0, 0, 0, 0, 0, 0],
    [0, 0, 0, 0, 0, 0, 0],
    [0, 1, 0, 0, 0, 0, 1],
    [0, 0, 0, 0, 0, 0, 0],
    [0, 0, 0, 0, 0, 0, 0],
    [1010, 3, 0, 0, 1, 0, 1014],
    [31, 0, 0, 0, 0, 0, 31],
];
const T4: [i64; 15] = [2, 1, 0, 1, 4, 1, 0, 0, 0, 1, 0, 0, 1, 1, 2];
/// Table 二 by row key: the values as numbers.
const T2: [(T2Row, &[f64]); 6] = [
    (T2Row::Rules, &[1.0, 0.0, 3.0]),
    (T2Row::Normative, &[6.0, 2.0, 15.0]),
    (T2Row::License, &[1234.0]),
    (T2Row::Penalty, &[56.0]),
    (T2Row::Coercion, &[7.0]),
    (T2Row::Fees, &[12.5]),
];

/// (code, cell) of the arithmetic findings.
type Findings = BTreeSet<(&'static str, Option<CellRef>)>;

fn dir() -> PathBuf {
    fixtures_dir().join("variants")
}

/// The variants that hold the report as written (not the glued one, not the wrong-total ones).
fn layouts() -> Vec<PathBuf> {
    let v: Vec<PathBuf> = inputs(&dir())
        .into_iter()
        .filter(|p| {
            let n = p.file_name().unwrap().to_string_lossy().to_string();
            !n.contains("glued") && !n.contains("wrong")
        })
        .collect();
    assert!(v.len() >= 10, "expected every layout, found {}", v.len());
    v
}

fn expected(c: CellRef) -> i64 {
    match c {
        CellRef::T3 { row, col } => {
            let pos = template::table3_rows(Format::F2021)
                .position(|(i, _)| i == row)
                .unwrap();
            T3[pos][col]
        }
        CellRef::T4 { col } => T4[col],
    }
}

fn number(v: &Value) -> Option<f64> {
    match v {
        Value::Int { value } => Some(*value as f64),
        Value::Decimal { value, .. } => Some(*value),
        _ => None,
    }
}

#[test]
fn every_layout_reads_the_same_numbers() {
    for p in layouts() {
        let name = p.file_name().unwrap().to_string_lossy().to_string();
        let a = run(&read(&p));
        let r = &a.report;
        assert_eq!(r.format, Format::F2021, "{}", name);
        assert_eq!(r.year, Some(2024), "{}", name);
        for c in all_cells(Format::F2021) {
            let got = r.cell(c).and_then(|c| c.int());
            assert_eq!(got, Some(expected(c)), "{}: {}", name, c.describe());
        }
        let t2 = r
            .table2
            .as_ref()
            .unwrap_or_else(|| panic!("{}: no table 二", name));
        for (key, want) in T2 {
            let row = t2
                .rows
                .iter()
                .find(|(k, _)| *k == key)
                .and_then(|(_, r)| r.as_ref());
            let got: Option<Vec<f64>> = row
                .and_then(|r| r.cells.as_ref())
                .map(|c| c.iter().filter_map(|c| number(&c.value)).collect());
            assert_eq!(got.as_deref(), Some(want), "{}: table 二 row {}", name, key);
        }
        assert!(
            a.diagnostics.iter().all(|d| !d.code().starts_with("NB3")),
            "{}: arithmetic findings on a consistent report",
            name
        );
        // Nothing but label hints: the layouts themselves are not findings.
        let other: Vec<_> = a
            .diagnostics
            .iter()
            .filter(|d| d.code() != "NB207")
            .map(|d| d.code())
            .collect();
        assert!(other.is_empty(), "{}: {:?}", name, other);
    }
}

/// The same change of one cell gives the same (code, cell) findings in every layout.
#[test]
fn same_change_same_findings_in_every_layout() {
    let files = layouts();
    let sources: Vec<(String, String)> = files
        .iter()
        .map(|p| {
            (
                p.file_name().unwrap().to_string_lossy().to_string(),
                read(p),
            )
        })
        .collect();
    let reports: Vec<_> = sources.iter().map(|(_, s)| run(s).report).collect();
    let mut changes = 0;
    for c in all_cells(Format::F2021) {
        let mut reference: Option<(String, Findings)> = None;
        for ((name, src), report) in sources.iter().zip(&reports) {
            let cell = report.cell(c).unwrap();
            let changed = apply_edits(src, &[rewrite_cell(src, cell, expected(c) + 7)]);
            let found: Findings = arithmetic(&run_arithmetic(&changed)).into_iter().collect();
            assert!(
                !found.is_empty(),
                "{}: changing {} went unnoticed",
                name,
                c.describe()
            );
            match &reference {
                None => reference = Some((name.clone(), found)),
                Some((rname, rfound)) => assert_eq!(
                    &found,
                    rfound,
                    "changing {} gives different findings in {} and {}",
                    c.describe(),
                    name,
                    rname
                ),
            }
            changes += 1;
        }
    }
    println!(
        "{} changes compared across {} layouts",
        changes,
        files.len()
    );
}

#[test]
fn glued_cells_are_unreadable_not_wrong() {
    let a = run(&read(&dir().join("08_glued.txt")));
    assert!(a.diagnostics.iter().any(|d| d.code() == "NB208"));
    assert!(arithmetic(&a).is_empty(), "{:?}", arithmetic(&a));
    assert!(all_cells(Format::F2021)
        .iter()
        .all(|c| a.report.cell(*c).is_none()));
    // Every table row is reported once, nothing else is.
    assert!(
        a.diagnostics.iter().all(|d| d.code() == "NB208"),
        "{:?}",
        a.diagnostics.iter().map(|d| d.code()).collect::<Vec<_>>()
    );
}

#[test]
fn one_wrong_total_is_flagged_exactly_there() {
    let a = run(&read(&dir().join("12_wrong_review_total.md")));
    assert_eq!(
        arithmetic(&a),
        vec![("NB304", Some(CellRef::T4 { col: 4 }))]
    );
    let a = run(&read(&dir().join("13_wrong_outcome_total.md")));
    let total = TABLE3_ROWS
        .iter()
        .position(|r| r.key == T3Row::Total)
        .unwrap();
    assert_eq!(
        arithmetic(&a),
        vec![("NB301", Some(CellRef::T3 { row: total, col: 6 }))]
    );
}
