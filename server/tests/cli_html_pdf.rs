//! `nianbao check` on published web pages and PDFs: the real binary on the fixtures of
//! `tests/fixtures/html/` and `tests/fixtures/pdf/` (the PDF cases need poppler-utils, which
//! `tests/run-all.sh` installs).

use serde_json::Value;
use std::path::PathBuf;
use std::process::{Command, Output};

const BIN: &str = env!("CARGO_BIN_EXE_nianbao");

fn fixture(path: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../tests/fixtures")
        .join(path)
}

fn run(args: &[&str]) -> Output {
    Command::new(BIN).args(args).output().expect("run nianbao")
}

fn stdout(o: &Output) -> String {
    String::from_utf8(o.stdout.clone()).unwrap()
}

fn stderr(o: &Output) -> String {
    String::from_utf8(o.stderr.clone()).unwrap()
}

fn json(o: &Output) -> Value {
    serde_json::from_slice(&o.stdout).unwrap_or_else(|e| panic!("bad JSON ({e}):\n{}", stdout(o)))
}

fn path(p: &str) -> String {
    fixture(p).to_str().unwrap().to_string()
}

#[test]
fn published_page_is_checked_with_places_in_the_page() {
    let o = run(&["check", &path("html/014_pingtan_zone_2024.html")]);
    assert_eq!(o.status.code(), Some(0), "{}{}", stdout(&o), stderr(&o));
    let out = stdout(&o);
    assert!(out.contains("hint[NB110]"), "{out}");
    assert!(out.contains("位置: 源代码第 295 行"), "{out}");
    assert!(!out.contains("error["), "{out}");

    let v = json(&run(&[
        "check",
        "--format",
        "json",
        &path("html/014_pingtan_zone_2024.html"),
    ]));
    let file = &v["files"][0];
    assert_eq!(file["form"], "html");
    assert_eq!(file["year"], 2024);
    let codes: Vec<&str> = file["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["code"].as_str().unwrap())
        .collect();
    assert_eq!(codes, ["NB110"]);
}

#[test]
fn wrong_total_on_a_page_is_located_by_table_row_and_column() {
    let p = path("html/broken_total_pingtan_2024.html");
    let o = run(&["check", &p]);
    assert_eq!(o.status.code(), Some(1), "{}{}", stdout(&o), stderr(&o));
    assert!(
        stdout(&o).contains("（一）予以公开·总计 · 第 2 个表格 第 6 行 第 10 列"),
        "{}",
        stdout(&o)
    );
    let v = json(&run(&["check", "--format", "json", "--lang", "en", &p]));
    let d = v["files"][0]["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["code"] == "NB301")
        .expect("NB301")
        .clone();
    assert!(
        d["place"]
            .as_str()
            .unwrap()
            .contains("table 2, row 6, column 10"),
        "{d}"
    );
    let sarif: Value =
        serde_json::from_slice(&run(&["check", "--format", "sarif", &p]).stdout).unwrap();
    let results = sarif["runs"][0]["results"].as_array().unwrap();
    let r = results.iter().find(|r| r["ruleId"] == "NB301").unwrap();
    assert!(
        r["locations"][0]["logicalLocations"][0]["name"]
            .as_str()
            .unwrap()
            .contains("第 2 个表格 第 6 行 第 10 列"),
        "{r}"
    );
    // A published page is not fixed in place.
    let dir = tempfile::tempdir().unwrap();
    let copy = dir.path().join("page.html");
    std::fs::copy(&p, &copy).unwrap();
    let before = std::fs::read(&copy).unwrap();
    let o = run(&["check", "--fix", copy.to_str().unwrap()]);
    assert_ne!(o.status.code(), Some(0));
    assert_eq!(std::fs::read(&copy).unwrap(), before);
}

#[test]
fn gbk_page_and_pdf_in_a_folder_are_checked() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::copy(
        fixture("html/gbk_pingtan_2024.html"),
        dir.path().join("a.htm"),
    )
    .unwrap();
    std::fs::copy(fixture("pdf/szfgs2024.pdf"), dir.path().join("b.pdf")).unwrap();
    let o = run(&["check", "--format", "json", dir.path().to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(0), "{}{}", stdout(&o), stderr(&o));
    let v = json(&o);
    let files = v["files"].as_array().unwrap();
    let forms: Vec<&str> = files.iter().map(|f| f["form"].as_str().unwrap()).collect();
    assert_eq!(forms, ["html", "pdf"]);
    for f in files {
        assert_eq!(f["year"], 2024, "{f}");
        assert!(
            f["diagnostics"]
                .as_array()
                .unwrap()
                .iter()
                .all(|d| d["severity"] != "error"),
            "{f}"
        );
    }
}

#[test]
fn scan_and_missing_extractor_exit_2_with_what_to_do() {
    let o = run(&["check", &path("pdf/scan.pdf")]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("OCR"), "{}", stderr(&o));

    let o = Command::new(BIN)
        .env("NIANBAO_PDFTOTEXT", "/nonexistent/pdftotext")
        .args(["check", "--lang", "en", &path("pdf/szfgs2024.pdf")])
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("install poppler-utils"),
        "{}",
        stderr(&o)
    );
}

#[test]
fn markdown_draft_opening_with_a_comment_is_not_read_as_a_page() {
    let dir = tempfile::tempdir().unwrap();
    let md = dir.path().join("draft.md");
    let seed = std::fs::read_to_string(fixture("cli/seed_002.txt")).unwrap();
    std::fs::write(&md, format!("<!-- nianbao-disable-file NB105 -->\n{seed}")).unwrap();
    let v = json(&run(&["check", "--format", "json", md.to_str().unwrap()]));
    assert_eq!(v["files"][0]["form"], "text");
    let codes: Vec<&str> = v["files"][0]["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["code"].as_str().unwrap())
        .collect();
    assert!(!codes.contains(&"NB101"), "{codes:?}");
}
