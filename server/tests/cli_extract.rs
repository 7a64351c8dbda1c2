//! `nianbao extract`: the tables as data. Every cell of table 三 in the database is the
//! value the parser reads; re-running replaces rows instead of adding them; CSV, JSON Lines
//! and SQLite carry the same records.

use nianbao_core::analysis::analyze;
use nianbao_core::config::Config;
use nianbao_core::template::{table3_rows, CellRef, TABLE3_COLUMNS_EN};
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

const BIN: &str = env!("CARGO_BIN_EXE_nianbao");

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// The seeds and the real-world text reports (copied, so that paths are short and fixed).
fn corpus(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for sub in ["tests/fixtures/seeds", "tests/fixtures/variants"] {
        let Ok(rd) = std::fs::read_dir(root().join(sub)) else {
            continue;
        };
        let mut files: Vec<_> = rd
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.extension().is_some_and(|e| e == "txt" || e == "md"))
            .collect();
        files.sort();
        for f in files {
            let to = dir.join(format!(
                "{}-{}",
                sub.rsplit('/').next().unwrap(),
                f.file_name().unwrap().to_string_lossy()
            ));
            std::fs::copy(&f, &to).unwrap();
            out.push(to);
        }
    }
    assert!(out.len() >= 5, "no corpus found: {out:?}");
    out
}

fn run_in(dir: &Path, args: &[&str]) -> Output {
    Command::new(BIN)
        .args(args)
        .current_dir(dir)
        .output()
        .unwrap()
}

fn count(db: &rusqlite::Connection, table: &str) -> i64 {
    db.query_row(&format!("SELECT count(*) FROM {table}"), [], |r| r.get(0))
        .unwrap()
}

#[test]
fn sqlite_holds_every_cell_of_table_3_as_the_parser_reads_it() {
    let dir = tempfile::tempdir().unwrap();
    let files = corpus(dir.path());
    let o = run_in(
        dir.path(),
        &["extract", ".", "--output", "out.db", "--no-config"],
    );
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    let db = rusqlite::Connection::open(dir.path().join("out.db")).unwrap();
    assert_eq!(count(&db, "reports") as usize, files.len());

    let mut compared = 0;
    for f in &files {
        let name = format!("./{}", f.file_name().unwrap().to_string_lossy());
        let text = std::fs::read_to_string(f).unwrap();
        let a = analyze(&text, &Config::default());
        let mut stmt = db
            .prepare(
                "SELECT row_key, col_key, value, state FROM cells WHERE path = ?1 AND tbl = '三'",
            )
            .unwrap();
        let rows: HashMap<(String, String), (Option<i64>, String)> = stmt
            .query_map([&name], |r| {
                Ok(((r.get(0)?, r.get(1)?), (r.get(2)?, r.get(3)?)))
            })
            .unwrap()
            .map(Result::unwrap)
            .collect();
        assert!(!rows.is_empty(), "no table 三 cells for {name}");
        for (row, def) in table3_rows(a.report.table3_format()) {
            for (col, en) in TABLE3_COLUMNS_EN.iter().enumerate() {
                let key = (def.key.key().to_string(), en.replace([' ', '-'], "_"));
                let (value, state) = rows
                    .get(&key)
                    .unwrap_or_else(|| panic!("{name}: no row for {key:?}"));
                let parsed = a
                    .report
                    .cell(CellRef::T3 { row, col })
                    .and_then(|c| c.int());
                assert_eq!(*value, parsed, "{name} {key:?} ({state})");
                if parsed.is_none() {
                    assert_ne!(state, "number", "{name} {key:?}");
                }
                compared += 1;
            }
        }
        // The report's finding counts are those of `check`.
        let errors: i64 = db
            .query_row("SELECT errors FROM reports WHERE path = ?1", [&name], |r| {
                r.get(0)
            })
            .unwrap();
        let want = a
            .diagnostics
            .iter()
            .filter(|d| d.severity == nianbao_core::diag::Severity::Error)
            .count();
        assert_eq!(errors as usize, want, "{name}");
        let findings: i64 = db
            .query_row(
                "SELECT count(*) FROM findings WHERE path = ?1",
                [&name],
                |r| r.get(0),
            )
            .unwrap();
        assert_eq!(findings as usize, a.diagnostics.len(), "{name}");
    }
    assert!(compared >= 7 * 20 * files.len(), "{compared}");

    // Running again over the same files replaces each report's rows.
    let before = (
        count(&db, "reports"),
        count(&db, "cells"),
        count(&db, "findings"),
    );
    drop(db);
    let o = run_in(dir.path(), &["extract", ".", "-o", "out.db", "--no-config"]);
    assert_eq!(o.status.code(), Some(0));
    let db = rusqlite::Connection::open(dir.path().join("out.db")).unwrap();
    assert_eq!(
        (
            count(&db, "reports"),
            count(&db, "cells"),
            count(&db, "findings")
        ),
        before
    );
}

#[test]
fn a_wrong_total_is_a_wrong_cell_with_the_value_it_implies() {
    let dir = tempfile::tempdir().unwrap();
    let seed =
        std::fs::read_to_string(root().join("tests/fixtures/seeds/002_fb96db60f172c7f1.txt"))
            .unwrap();
    // 蒙城县 2024: nothing received. Write 1 into the row total of 一、本年新收: every
    // part still says 0 and so does the balance of the 总计 column, so the total is wrong.
    let report = analyze(&seed, &Config::default()).report;
    let new_row = report.table3.as_ref().unwrap().rows[0].as_ref().unwrap();
    let cells = new_row.cells.as_ref().unwrap();
    let mut text = seed.clone();
    let total = cells[6].number_range;
    text.replace_range(total.start..total.end, "1");
    std::fs::write(dir.path().join("r.txt"), &text).unwrap();
    let o = run_in(
        dir.path(),
        &["extract", "r.txt", "-o", "r.db", "--no-config"],
    );
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    let db = rusqlite::Connection::open(dir.path().join("r.db")).unwrap();
    let wrong: Vec<(String, String, Option<i64>)> = db
        .prepare("SELECT row_key, col_key, implied FROM cells WHERE state = 'wrong'")
        .unwrap()
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    assert!(
        wrong
            .iter()
            .any(|(r, c, v)| r == "t3.new" && c == "total" && *v == Some(0)),
        "{wrong:?}"
    );
    let line: i64 = db
        .query_row(
            "SELECT line FROM cells WHERE row_key = 't3.new' AND col_key = 'total'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    let expected_line = text[..total.start].matches('\n').count() as i64 + 1;
    assert_eq!(line, expected_line);
}

#[test]
fn csv_and_jsonl_carry_the_same_records_as_sqlite() {
    let dir = tempfile::tempdir().unwrap();
    corpus(dir.path());
    for args in [
        &["extract", ".", "-o", "t.db", "--no-config"][..],
        &["extract", ".", "-o", "t.csv", "--no-config", "--lang", "en"],
        &["extract", ".", "-o", "t.jsonl", "--no-config"],
    ] {
        let o = run_in(dir.path(), args);
        assert_eq!(
            o.status.code(),
            Some(0),
            "{args:?}: {}",
            String::from_utf8_lossy(&o.stderr)
        );
    }
    let db = rusqlite::Connection::open(dir.path().join("t.db")).unwrap();
    let jsonl = std::fs::read_to_string(dir.path().join("t.jsonl")).unwrap();
    let mut by_kind: HashMap<String, usize> = HashMap::new();
    for line in jsonl.lines() {
        let v: serde_json::Value = serde_json::from_str(line).unwrap();
        *by_kind
            .entry(v["record"].as_str().unwrap().to_string())
            .or_default() += 1;
    }
    for (kind, table) in [
        ("report", "reports"),
        ("cell", "cells"),
        ("finding", "findings"),
    ] {
        let csv = std::fs::read_to_string(dir.path().join(format!("t.{table}.csv"))).unwrap();
        let mut rdr = csv::Reader::from_reader(csv.as_bytes());
        let header: Vec<String> = rdr.headers().unwrap().iter().map(String::from).collect();
        let cols: Vec<String> = db
            .prepare(&format!("SELECT name FROM pragma_table_info('{table}')"))
            .unwrap()
            .query_map([], |r| r.get(0))
            .unwrap()
            .map(Result::unwrap)
            .collect();
        assert_eq!(header, cols, "{table}");
        let n = rdr.records().map(Result::unwrap).count() as i64;
        assert_eq!(n, count(&db, table), "{table}");
        assert_eq!(by_kind.get(kind).copied().unwrap_or(0) as i64, n, "{kind}");
    }
    // Without --output: JSON Lines on standard output.
    let o = run_in(
        dir.path(),
        &["extract", "--no-config", "seeds-002_fb96db60f172c7f1.txt"],
    );
    assert_eq!(o.status.code(), Some(0));
    let first: serde_json::Value =
        serde_json::from_str(String::from_utf8_lossy(&o.stdout).lines().next().unwrap()).unwrap();
    assert_eq!(first["record"], "report");
    assert_eq!(first["agency"], "蒙城县工业和信息化局");
    assert_eq!(first["year"], 2024);
}

#[test]
fn bad_invocations_say_what_to_do() {
    let dir = tempfile::tempdir().unwrap();
    let o = run_in(dir.path(), &["extract", "--format", "sqlite", "x.txt"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("--output"));
    let o = run_in(dir.path(), &["extract", "--fix", "x.txt"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("never changes a file"));
    let o = run_in(dir.path(), &["extract", "--format", "xml", "x.txt"]);
    assert_eq!(o.status.code(), Some(2));
    let o = run_in(dir.path(), &["extract", "missing.txt", "-o", "m.db"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("missing.txt"));
}
