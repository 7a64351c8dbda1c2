//! `nianbao check` on Word documents: the official template filled with a seed's numbers
//! (`tests/fixtures/docx/make.py`), a copy with one wrong total, the empty template and
//! broken packages. `--fix` writes the cell into the package and leaves every other
//! entry as it was.

use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

const BIN: &str = env!("CARGO_BIN_EXE_nianbao");

fn fixture(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../tests/fixtures/docx")
        .join(name)
}

fn run(dir: &Path, args: &[&str]) -> Output {
    Command::new(BIN)
        .current_dir(dir)
        .args(args)
        .output()
        .expect("run nianbao")
}

fn code(o: &Output) -> i32 {
    o.status.code().expect("exit code")
}

fn json(o: &Output) -> Value {
    serde_json::from_slice(&o.stdout).unwrap_or_else(|e| {
        panic!(
            "JSON output ({e}): {}\n{}",
            String::from_utf8_lossy(&o.stdout),
            String::from_utf8_lossy(&o.stderr)
        )
    })
}

fn copy_to(dir: &Path, name: &str) -> PathBuf {
    let to = dir.join(name);
    std::fs::copy(fixture(name), &to).unwrap();
    to
}

/// The entries of a zip package as stored: name, CRC and compressed bytes, read from the
/// local file headers (the fixtures and the fixed files carry their sizes in them).
fn stored_entries(bytes: &[u8]) -> Vec<(String, u32, Vec<u8>)> {
    let u16_at = |i: usize| u16::from_le_bytes([bytes[i], bytes[i + 1]]) as usize;
    let u32_at = |i: usize| u32::from_le_bytes(bytes[i..i + 4].try_into().unwrap());
    let mut out = Vec::new();
    let mut at = 0;
    while bytes[at..].starts_with(b"PK\x03\x04") {
        let flags = u16_at(at + 6);
        assert_eq!(flags & 8, 0, "sizes in the local header");
        let crc = u32_at(at + 14);
        let size = u32_at(at + 18) as usize;
        let name_len = u16_at(at + 26);
        let extra_len = u16_at(at + 28);
        let name = String::from_utf8(bytes[at + 30..at + 30 + name_len].to_vec()).unwrap();
        let data = at + 30 + name_len + extra_len;
        out.push((name, crc, bytes[data..data + size].to_vec()));
        at = data + size;
    }
    assert!(!out.is_empty(), "a zip package");
    out
}

#[test]
fn a_filled_template_checks_clean() {
    let dir = tempfile::tempdir().unwrap();
    copy_to(dir.path(), "seed_008.docx");
    let o = run(dir.path(), &["check", "--format", "json", "seed_008.docx"]);
    assert_eq!(code(&o), 0, "{}", String::from_utf8_lossy(&o.stderr));
    let v = json(&o);
    assert_eq!(v["files"][0]["form"], "docx");
    assert_eq!(v["files"][0]["year"], 2024);
    assert_eq!(v["files"][0]["diagnostics"].as_array().unwrap().len(), 0);
}

#[test]
fn a_wrong_total_is_located_and_fix_rewrites_only_that_cell() {
    let dir = tempfile::tempdir().unwrap();
    let path = copy_to(dir.path(), "seed_008_wrong_total.docx");
    let name = "seed_008_wrong_total.docx";

    let o = run(dir.path(), &["check", "--format", "json", name]);
    assert_eq!(code(&o), 1);
    let v = json(&o);
    let d = &v["files"][0]["diagnostics"];
    assert_eq!(d.as_array().unwrap().len(), 1, "{d}");
    assert_eq!(d[0]["code"], "NB301");
    assert_eq!(
        d[0]["place"],
        "（一）予以公开·总计 · 第 2 个表格 第 6 行 第 10 列"
    );

    let o = run(dir.path(), &["check", "--lang", "en", name]);
    let human = String::from_utf8_lossy(&o.stdout);
    assert!(human.contains("table 2, row 6, column 10"), "{human}");
    assert!(
        human.contains("| 1363 |"),
        "the snippet is the rendering: {human}"
    );

    let o = run(dir.path(), &["check", "--format", "sarif", name]);
    let sarif = json(&o);
    let loc = &sarif["runs"][0]["results"][0]["locations"][0];
    assert!(
        loc["logicalLocations"][0]["name"]
            .as_str()
            .unwrap()
            .contains("第 2 个表格 第 6 行 第 10 列"),
        "{loc}"
    );

    let before = std::fs::read(&path).unwrap();
    let o = run(dir.path(), &["check", "--fix", name]);
    let out = String::from_utf8_lossy(&o.stdout);
    assert_eq!(code(&o), 0, "{out}{}", String::from_utf8_lossy(&o.stderr));
    assert!(out.contains("1363 → 1362"), "{out}");
    let after = std::fs::read(&path).unwrap();
    let (b, a) = (stored_entries(&before), stored_entries(&after));
    assert_eq!(b.len(), a.len());
    for (b, a) in b.iter().zip(&a) {
        assert_eq!(b.0, a.0, "entries in the same order");
        if b.0 == "word/document.xml" {
            assert_ne!(b.1, a.1, "document.xml rewritten");
        } else {
            assert_eq!(b, a, "{} byte for byte as it was", b.0);
        }
    }
    // The fixed file reads like the correct one and is clean.
    let o = run(dir.path(), &["check", "--format", "json", name]);
    assert_eq!(code(&o), 0);
    // Fixing again changes nothing.
    let o = run(dir.path(), &["check", "--fix", name]);
    assert_eq!(code(&o), 0);
    assert_eq!(std::fs::read(&path).unwrap(), after);
}

#[test]
fn the_empty_template_reports_its_blank_cells() {
    let dir = tempfile::tempdir().unwrap();
    copy_to(dir.path(), "template.docx");
    let o = run(dir.path(), &["check", "--format", "json", "template.docx"]);
    assert_eq!(code(&o), 1);
    let v = json(&o);
    let d = v["files"][0]["diagnostics"].as_array().unwrap().clone();
    let blank: Vec<&Value> = d.iter().filter(|d| d["code"] == "NB205").collect();
    assert_eq!(blank.len(), 185);
    assert!(blank
        .iter()
        .all(|d| d["place"].as_str().unwrap().contains("个表格")));
    let errors: Vec<&Value> = d
        .iter()
        .filter(|d| d["severity"] == "error" && d["code"] != "NB205")
        .collect();
    assert_eq!(errors.len(), 1, "{errors:?}");
    assert_eq!(errors[0]["code"], "NB204");
}

#[test]
fn a_folder_of_docx_files_is_checked() {
    let dir = tempfile::tempdir().unwrap();
    for n in ["seed_000.docx", "seed_002.docx", "seed_008.docx"] {
        copy_to(dir.path(), n);
    }
    let o = run(dir.path(), &["check", "--format", "json", "."]);
    assert_eq!(code(&o), 0, "{}", String::from_utf8_lossy(&o.stderr));
    assert_eq!(json(&o)["files"].as_array().unwrap().len(), 3);
}

#[test]
fn broken_packages_are_refused_with_a_message() {
    let dir = tempfile::tempdir().unwrap();
    for (name, en) in [
        ("bad_bomb.docx", "more than 64 MB"),
        ("bad_xlsx.docx", "Excel workbook"),
        ("bad_truncated.docx", "damaged or incomplete"),
        ("bad_xml.docx", "not valid XML"),
    ] {
        copy_to(dir.path(), name);
        let o = run(dir.path(), &["check", "--lang", "en", name]);
        assert_eq!(code(&o), 2, "{name}");
        let err = String::from_utf8_lossy(&o.stderr);
        assert!(err.contains(en), "{name}: {err}");
        assert!(!err.contains("panicked"), "{name}: {err}");
        let o = run(dir.path(), &["check", name]);
        assert_eq!(code(&o), 2, "{name}");
        let err = String::from_utf8_lossy(&o.stderr);
        assert!(err.contains("请"), "{name}: {err}");
    }
}
