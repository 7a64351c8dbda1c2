//! `nianbao check` on reports saved in the encodings Chinese offices use:
//! GB18030/GBK, UTF-8 with BOM and CRLF, UTF-16 with BOM; binary files refused;
//! `--fix` writes back in the original encoding, touching only the fixed cell.

use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

const BIN: &str = env!("CARGO_BIN_EXE_nianbao");

const SEED: &str = "008_huaian_city_gov_2024.txt";
/// The seed's correct row, and the same row with a wrong 总计 (1288+21+50+3 = 1362).
const RIGHT_ROW: &str = "（一）予以公开 1288 21 0 0 50 3 1362";
const WRONG_ROW: &str = "（一）予以公开 1288 21 0 0 50 3 1363";

fn seed_text() -> String {
    let p = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../tests/fixtures/seeds")
        .join(SEED);
    let text = std::fs::read_to_string(p).expect("seed fixture present");
    assert!(text.contains(RIGHT_ROW), "seed changed; update RIGHT_ROW");
    text
}

fn run_in(dir: &Path, args: &[&str]) -> Output {
    Command::new(BIN)
        .current_dir(dir)
        .args(args)
        .output()
        .expect("run nianbao")
}

fn code(o: &Output) -> i32 {
    o.status.code().expect("exit code")
}

fn stderr(o: &Output) -> String {
    String::from_utf8(o.stderr.clone()).expect("stderr is UTF-8")
}

fn json(o: &Output) -> Value {
    serde_json::from_slice(&o.stdout)
        .unwrap_or_else(|e| panic!("bad JSON ({e}):\n{}", String::from_utf8_lossy(&o.stdout)))
}

fn utf16(text: &str, le: bool) -> Vec<u8> {
    let mut out = if le {
        vec![0xFF, 0xFE]
    } else {
        vec![0xFE, 0xFF]
    };
    for u in text.encode_utf16() {
        out.extend(if le { u.to_le_bytes() } else { u.to_be_bytes() });
    }
    out
}

fn gb18030(text: &str) -> Vec<u8> {
    let (bytes, _, unmappable) = encoding_rs::GB18030.encode(text);
    assert!(!unmappable);
    bytes.into_owned()
}

/// Check, then fix, a file holding `encode(wrong text)`; the fixed file must be
/// exactly `encode(right text)`, and differ from the input only inside the cell.
fn round_trip(name: &str, encoding: &str, note: &str, encode: impl Fn(&str) -> Vec<u8>) {
    let right = seed_text();
    let wrong = right.replacen(RIGHT_ROW, WRONG_ROW, 1);
    let before = encode(&wrong);
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join(name);
    std::fs::write(&path, &before).unwrap();

    let o = run_in(dir.path(), &["check", "--format", "json", name]);
    assert_eq!(code(&o), 1, "{}", stderr(&o));
    let j = json(&o);
    assert_eq!(j["files"][0]["encoding"], encoding);
    let codes: Vec<&str> = j["files"][0]["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["code"].as_str().unwrap())
        .collect();
    assert!(codes.contains(&"NB301"), "{codes:?}");

    let o = run_in(dir.path(), &["check", "--lang", "en", name]);
    assert_eq!(code(&o), 1);
    let e = stderr(&o);
    if note.is_empty() {
        assert!(!e.contains("read as"), "{e}");
    } else {
        assert!(e.contains(&format!("'{name}' read as {note}")), "{e}");
    }

    let o = run_in(dir.path(), &["check", "--fix", "--format", "json", name]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    assert_eq!(json(&o)["files"][0]["fixed"][0]["new"], "1362");
    let after = std::fs::read(&path).unwrap();
    assert_eq!(
        after,
        encode(&right),
        "fixed file is the right text in {encoding}"
    );
    assert_eq!(after.len(), before.len());
    let diff: Vec<usize> = (0..after.len())
        .filter(|&i| after[i] != before[i])
        .collect();
    let cell = encode(&wrong[..wrong.find(WRONG_ROW).unwrap() + WRONG_ROW.len()]).len();
    assert!(!diff.is_empty());
    assert!(
        diff.iter().all(|&i| i < cell && i + 8 >= cell),
        "bytes changed outside the fixed cell: {diff:?} (cell ends at {cell})"
    );
}

#[test]
fn gb18030_seed_is_checked_and_fixed_in_gb18030() {
    let bytes = gb18030(&seed_text());
    assert!(std::str::from_utf8(&bytes).is_err(), "really not UTF-8");
    round_trip("gbk.txt", "gb18030", "GB18030 (GBK)", gb18030);
}

#[test]
fn gb18030_with_crlf_keeps_line_endings() {
    round_trip("gbk-crlf.txt", "gb18030", "GB18030 (GBK)", |t| {
        gb18030(&t.replace('\n', "\r\n"))
    });
}

#[test]
fn utf16le_with_bom_is_checked_and_fixed_in_utf16le() {
    round_trip("le.txt", "utf-16le", "UTF-16LE with BOM", |t| {
        utf16(t, true)
    });
}

#[test]
fn utf16be_with_bom_and_crlf_is_fixed_in_utf16be() {
    round_trip("be.txt", "utf-16be", "UTF-16BE with BOM", |t| {
        utf16(&t.replace('\n', "\r\n"), false)
    });
}

#[test]
fn utf8_bom_and_crlf_are_kept() {
    round_trip("bom.txt", "utf-8-bom", "UTF-8 with BOM", |t| {
        [&b"\xEF\xBB\xBF"[..], t.replace('\n', "\r\n").as_bytes()].concat()
    });
}

#[test]
fn plain_utf8_gets_no_note() {
    round_trip("plain.txt", "utf-8", "", |t| t.as_bytes().to_vec());
}

#[test]
fn gb18030_from_stdin() {
    let mut child = Command::new(BIN)
        .args(["check", "--format", "json", "-"])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    use std::io::Write;
    child
        .stdin
        .take()
        .unwrap()
        .write_all(&gb18030(&seed_text()))
        .unwrap();
    let o = child.wait_with_output().unwrap();
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    assert_eq!(json(&o)["files"][0]["encoding"], "gb18030");
}

#[test]
fn binary_files_exit_2_naming_the_path() {
    let dir = tempfile::tempdir().unwrap();
    let cases: [(&str, &[u8], &str); 5] = [
        (
            "report.docx",
            b"PK\x03\x04\x14\x00\x06\x00word/document.xml",
            ".docx",
        ),
        ("report.pdf", b"%PDF-1.4\n%\xE2\xE3\xCF\xD3\n1 0 obj", "PDF"),
        (
            "report.doc",
            b"\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1\0\0\0\0",
            "save it as .docx",
        ),
        (
            "nul.txt",
            b"\xE6\x80\xBB\xE8\xAE\xA1 5\0\0\x01\x02",
            "NUL byte",
        ),
        ("le-no-bom.txt", b"N\0B\0 \x00", "NUL byte"),
    ];
    for (name, bytes, what) in cases {
        std::fs::write(dir.path().join(name), bytes).unwrap();
        for fmt in ["human", "json"] {
            let o = run_in(dir.path(), &["check", "--format", fmt, name]);
            assert_eq!(code(&o), 2, "{name} {fmt}");
            let e = stderr(&o);
            // A .docx or PDF goes to its reader, which says why it cannot read this
            // one; an old .doc is told to be saved as .docx; the rest are no text.
            assert!(e.contains(&format!("cannot read '{name}'")), "{name}: {e}");
            if name.ends_with(".txt") {
                assert!(e.contains("not a text file"), "{name}: {e}");
            }
            assert!(e.contains(what), "{name}: {e}");
            if fmt == "json" {
                let j = json(&o);
                assert_eq!(j["files"].as_array().unwrap().len(), 0);
                assert_eq!(j["errors"][0]["path"], name);
            } else {
                assert!(!String::from_utf8_lossy(&o.stdout).contains("NB"), "{name}");
            }
        }
        // --fix never touches it.
        let o = run_in(dir.path(), &["check", "--fix", name]);
        assert_eq!(code(&o), 2);
        assert_eq!(std::fs::read(dir.path().join(name)).unwrap(), bytes);
    }
}

#[cfg(unix)]
#[test]
fn folder_walk_does_not_follow_symlinks_out_of_the_folder() {
    let outside = tempfile::tempdir().unwrap();
    let wrong = seed_text().replacen(RIGHT_ROW, WRONG_ROW, 1);
    std::fs::write(outside.path().join("secret.txt"), &wrong).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let reports = dir.path().join("reports");
    std::fs::create_dir(&reports).unwrap();
    std::fs::write(reports.join("mine.txt"), &wrong).unwrap();
    std::os::unix::fs::symlink(outside.path().join("secret.txt"), reports.join("out.txt")).unwrap();
    std::os::unix::fs::symlink("mine.txt", reports.join("in.txt")).unwrap();
    std::os::unix::fs::symlink(outside.path(), reports.join("outdir")).unwrap();
    let o = run_in(
        dir.path(),
        &["check", "--fix", "--format", "json", "reports"],
    );
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let paths: Vec<String> = json(&o)["files"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["path"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(paths, ["reports/in.txt", "reports/mine.txt"]);
    assert_eq!(
        std::fs::read_to_string(outside.path().join("secret.txt")).unwrap(),
        wrong,
        "a file outside the folder given was not touched"
    );
}

#[test]
fn gb18030_byte_order_mark_is_kept_by_fix() {
    // GB18030's own byte order mark: U+FEFF in four bytes.
    let with_bom = |t: &str| [&[0x84, 0x31, 0x95, 0x33][..], &gb18030(t)].concat();
    round_trip("gbk_bom.txt", "gb18030", "GB18030 (GBK)", with_bom);
}

#[test]
fn a_feff_after_the_utf16_byte_order_mark_is_kept_by_fix() {
    let doubled = |t: &str| utf16(&format!("\u{feff}{t}"), true);
    round_trip("utf16_feff.txt", "utf-16le", "UTF-16LE with BOM", doubled);
}
