//! `check --format json` and `check --fix` on a located wrong cell and on a tie:
//! the `located`, `candidates` and `proseDecided` fields, and what `--fix`
//! rewrites (seed 002, whose tables are all 0 and whose prose says no
//! application came in).

use serde_json::Value;
use std::io::Write;
use std::process::{Command, Stdio};

const BIN: &str = env!("CARGO_BIN_EXE_nianbao");
const NEW_ZERO: &str = "一、本年新收政府信息公开申请数量 | 0 | 0 | 0 | 0 | 0 | 0 | 0 |";

fn seed() -> String {
    std::fs::read_to_string(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../tests/fixtures/seeds/002_fb96db60f172c7f1.txt"),
    )
    .unwrap()
}

fn check(args: &[&str], input: &str) -> (Value, String) {
    let mut child = Command::new(BIN)
        .arg("check")
        .args(args)
        .arg("-")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(input.as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    let stdout = String::from_utf8(out.stdout).unwrap();
    (serde_json::from_str(&stdout).unwrap_or(Value::Null), stdout)
}

fn nb3(v: &Value) -> Vec<Value> {
    v["files"][0]["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|d| d["code"].as_str().unwrap().starts_with("NB3"))
        .cloned()
        .collect()
}

#[test]
fn a_located_part_is_one_finding_with_its_cell() {
    let src = seed().replace(
        NEW_ZERO,
        "一、本年新收政府信息公开申请数量 | 5 | 0 | 0 | 0 | 0 | 0 | 0 |",
    );
    let (v, raw) = check(&["--format", "json"], &src);
    let found = nb3(&v);
    assert_eq!(found.len(), 1, "{raw}");
    let d = &found[0];
    assert_eq!(d["code"], "NB305");
    assert_eq!(d["name"], "wrong-part");
    let located = d["located"].as_array().expect("located");
    assert_eq!(located.len(), 1);
    assert_eq!(
        located[0]["cell"],
        "一、本年新收政府信息公开申请数量·自然人"
    );
    assert_eq!(located[0]["written"], 5);
    assert_eq!(located[0]["value"], 0);
    assert_eq!(located[0]["range"], d["range"]);
    assert!(d.get("candidates").is_none() && d.get("proseDecided").is_none());
}

#[test]
fn a_tie_names_the_candidates_and_fix_writes_nothing() {
    let src = seed()
        .replace(
            NEW_ZERO,
            "一、本年新收政府信息公开申请数量 | 5 | 0 | 0 | 0 | 0 | 0 | 5 |",
        )
        .replace("尚未接获任何公开申请", "依法办理");
    let (v, raw) = check(&["--format", "json"], &src);
    let found = nb3(&v);
    assert_eq!(found.len(), 1, "{raw}");
    let d = &found[0];
    assert!(d["fixes"].as_array().unwrap().is_empty());
    assert!(d.get("located").is_none());
    let c = d["candidates"].as_array().expect("candidates");
    assert_eq!(c.len(), 2);
    let names: Vec<Vec<&str>> = c
        .iter()
        .map(|x| {
            x.as_array()
                .unwrap()
                .iter()
                .map(|y| y["cell"].as_str().unwrap())
                .collect()
        })
        .collect();
    assert!(
        names.iter().any(|n| n[0].starts_with("一、本年新收")),
        "{names:?}"
    );
    assert!(
        names.iter().any(|n| n[0].starts_with("四、结转下年度")),
        "{names:?}"
    );
    // --fix rewrites nothing.
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("draft.txt");
    std::fs::write(&path, &src).unwrap();
    let out = Command::new(BIN)
        .args(["check", "--fix", "--format", "json"])
        .arg(&path)
        .output()
        .unwrap();
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["summary"]["fixed"], 0, "{v}");
    assert_eq!(std::fs::read_to_string(&path).unwrap(), src);
}

#[test]
fn the_prose_decides_and_says_so() {
    let src = seed().replace(
        NEW_ZERO,
        "一、本年新收政府信息公开申请数量 | 5 | 0 | 0 | 0 | 0 | 0 | 5 |",
    );
    let (v, raw) = check(&["--format", "json"], &src);
    let found = nb3(&v);
    assert_eq!(found.len(), 2, "{raw}");
    for d in &found {
        assert_eq!(d["proseDecided"], true, "{d}");
        assert_eq!(d["located"].as_array().unwrap().len(), 2);
    }
}
