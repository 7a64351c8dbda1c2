//! `nianbao sum` (汇总): the sum of two copies of a report is twice its cells; a report
//! checked against a copy of itself differs nowhere, against no report at all in every
//! nonzero cell; inputs whose tables do not add up are named first.

use nianbao_core::analysis::analyze;
use nianbao_core::config::Config;
use nianbao_core::extract::{cells, State};
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

const BIN: &str = env!("CARGO_BIN_EXE_nianbao");

fn real(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("..")
        .join(name)
}

fn run_in(dir: &Path, args: &[&str]) -> Output {
    Command::new(BIN)
        .args(args)
        .current_dir(dir)
        .output()
        .unwrap()
}

/// Numbers of tables 二/三/四 by (table, row, column).
fn numbers(text: &str) -> HashMap<(String, String, String), f64> {
    let a = analyze(text, &Config::default());
    cells(text, &a)
        .into_iter()
        .filter_map(|c| {
            let v = c.value?;
            Some(((c.table.to_string(), c.row_key.to_string(), c.col_key), v))
        })
        .collect()
}

const REPORTS: &[&str] = &[
    "tests/fixtures/seeds/008_huaian_city_gov_2024.txt",
    "tests/fixtures/seeds/003_353fe64ea44b1a70.txt",
];

#[test]
fn the_sum_of_two_copies_is_twice_every_cell() {
    let mut nonzero = 0;
    for report in REPORTS {
        let dir = tempfile::tempdir().unwrap();
        std::fs::copy(real(report), dir.path().join("a.txt")).unwrap();
        std::fs::copy(real(report), dir.path().join("b.txt")).unwrap();
        let o = run_in(
            dir.path(),
            &["sum", "a.txt", "b.txt", "-o", "汇总.md", "--no-config"],
        );
        assert_eq!(
            o.status.code(),
            Some(0),
            "{}",
            String::from_utf8_lossy(&o.stderr)
        );
        let summed = std::fs::read_to_string(dir.path().join("汇总.md")).unwrap();
        assert!(summed.contains("- a.txt\n- b.txt\n"), "inputs listed");
        let one = numbers(&std::fs::read_to_string(real(report)).unwrap());
        let two = numbers(&summed);
        for (k, v) in &one {
            if k.0 == "二" && !two.contains_key(k) {
                continue; // a 2019 row of table 二 the 2021 template does not have
            }
            assert_eq!(two.get(k), Some(&(2.0 * v)), "{report} {k:?}");
            nonzero += (*v != 0.0) as usize;
        }
        // The sum is itself a clean report: checking it finds no arithmetic error.
        let o = run_in(
            dir.path(),
            &["check", "汇总.md", "--no-config", "--select", "NB3"],
        );
        assert_eq!(
            o.status.code(),
            Some(0),
            "{}",
            String::from_utf8_lossy(&o.stdout)
        );
    }
    assert!(nonzero > 50, "too few numbers to mean anything: {nonzero}");
}

#[test]
fn check_against_itself_and_against_nothing() {
    let path = real(REPORTS[0]);
    let dir = tempfile::tempdir().unwrap();
    std::fs::copy(&path, dir.path().join("gov.txt")).unwrap();
    std::fs::copy(&path, dir.path().join("dept.txt")).unwrap();
    let o = run_in(
        dir.path(),
        &["sum", "--check", "gov.txt", "dept.txt", "--no-config"],
    );
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&o.stdout)
    );
    assert!(String::from_utf8_lossy(&o.stdout).contains("0 个单元格"));

    let text = std::fs::read_to_string(&path).unwrap();
    let a = analyze(&text, &Config::default());
    let nonzero = cells(&text, &a)
        .iter()
        .filter(|c| c.value.is_some_and(|v| v != 0.0) && c.state != State::Missing)
        .count();
    let o = run_in(
        dir.path(),
        &[
            "sum",
            "--check",
            "gov.txt",
            "--no-config",
            "--format",
            "json",
        ],
    );
    assert_eq!(o.status.code(), Some(1));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let diffs = v["differences"].as_array().unwrap();
    assert_eq!(diffs.len(), nonzero);
    assert!(diffs
        .iter()
        .all(|d| d["sum"] == 0.0 && d["line"].as_u64().is_some()));
}

#[test]
fn an_input_whose_tables_do_not_add_up_is_named_first() {
    let dir = tempfile::tempdir().unwrap();
    let text = std::fs::read_to_string(real(REPORTS[0])).unwrap();
    let a = analyze(&text, &Config::default());
    let total = a.report.table3.as_ref().unwrap().rows[0]
        .as_ref()
        .unwrap()
        .cells
        .as_ref()
        .unwrap()[6]
        .number_range;
    let mut bad = text.clone();
    bad.replace_range(total.start..total.end, "999");
    std::fs::write(dir.path().join("bad.txt"), bad).unwrap();
    std::fs::write(dir.path().join("good.txt"), &text).unwrap();
    let o = run_in(dir.path(), &["sum", "good.txt", "bad.txt", "--no-config"]);
    assert_eq!(o.status.code(), Some(0));
    let out = String::from_utf8_lossy(&o.stdout);
    let warn = out.find("注意").expect("a warning in the summed report");
    assert!(
        out[warn..].contains("bad.txt") && out.find("# ").unwrap() > warn,
        "{out}"
    );
    assert!(String::from_utf8_lossy(&o.stderr).contains("bad.txt"));
}
