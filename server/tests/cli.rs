//! End-to-end tests of `nianbao check` / `rules` / `--version`: the real binary
//! on real files (copies of two seed reports and a Markdown draft with one wrong
//! total, in tests/fixtures/cli/).

use serde_json::Value;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

const BIN: &str = env!("CARGO_BIN_EXE_nianbao");

fn fixture(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../tests/fixtures/cli")
        .join(name)
}

/// The draft's wrong cell: 予以公开's 总计 is 5, the applicant columns sum to 4.
const WRONG_ROW: &str = "| 三、本年度办理结果 | （一）予以公开 | 3 | 1 | 0 | 0 | 0 | 0 | 5 |";

fn run(args: &[&str]) -> Output {
    Command::new(BIN).args(args).output().expect("run nianbao")
}

fn run_in(dir: &Path, args: &[&str]) -> Output {
    Command::new(BIN)
        .current_dir(dir)
        .args(args)
        .output()
        .expect("run nianbao")
}

fn run_stdin(args: &[&str], input: &[u8]) -> Output {
    let mut child = Command::new(BIN)
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn nianbao");
    child.stdin.take().unwrap().write_all(input).unwrap();
    child.wait_with_output().unwrap()
}

fn stdout(o: &Output) -> String {
    String::from_utf8(o.stdout.clone()).expect("stdout is UTF-8")
}

fn stderr(o: &Output) -> String {
    String::from_utf8(o.stderr.clone()).expect("stderr is UTF-8")
}

fn json(o: &Output) -> Value {
    serde_json::from_slice(&o.stdout).unwrap_or_else(|e| panic!("bad JSON ({e}):\n{}", stdout(o)))
}

fn code(o: &Output) -> i32 {
    o.status.code().expect("exit code")
}

/// Byte offset of an LSP position (0-based line, UTF-16 column), computed
/// independently of the crate: lines end at \n, \r\n or \r.
fn utf16_to_offset(text: &str, line: u64, character: u64) -> usize {
    let mut start = 0;
    for _ in 0..line {
        let rest = &text[start..];
        let i = rest.find(['\n', '\r']).expect("line exists");
        start += i + if rest[i..].starts_with("\r\n") { 2 } else { 1 };
    }
    let mut units = 0u64;
    for (i, ch) in text[start..].char_indices() {
        if units >= character || ch == '\n' || ch == '\r' {
            return start + i;
        }
        units += ch.len_utf16() as u64;
    }
    text.len()
}

fn range_text<'a>(text: &'a str, range: &Value) -> &'a str {
    let at = |p: &Value| {
        utf16_to_offset(
            text,
            p["line"].as_u64().unwrap(),
            p["character"].as_u64().unwrap(),
        )
    };
    &text[at(&range["start"])..at(&range["end"])]
}

/// Byte offset of the wrong total cell's digit in the draft.
fn wrong_cell_offset(text: &str) -> usize {
    let row = text.find(WRONG_ROW).expect("draft has the wrong row");
    row + WRONG_ROW.rfind('5').unwrap()
}

/// Display width with tabs to the next multiple of 4 (the CLI's tab stops).
fn display_width(s: &str) -> usize {
    let mut col = 0;
    for ch in s.chars() {
        col += if ch == '\t' {
            4 - col % 4
        } else {
            unicode_width::UnicodeWidthChar::width(ch).unwrap_or(0)
        };
    }
    col
}

/// Number of error-severity diagnostics in a file, from the JSON output.
fn error_count(path: &Path) -> usize {
    let v = json(&run(&["check", "--format", "json", path.to_str().unwrap()]));
    v["files"][0]["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|d| d["severity"] == "error")
        .count()
}

fn copy_to(dir: &Path, name: &str) -> PathBuf {
    let to = dir.join(name);
    std::fs::copy(fixture(name), &to).unwrap();
    to
}

// ---------------------------------------------------------------- exit codes

#[test]
fn clean_report_exits_0() {
    let o = run(&["check", fixture("seed_002.txt").to_str().unwrap()]);
    assert_eq!(code(&o), 0, "{}{}", stdout(&o), stderr(&o));
    assert!(stdout(&o).contains("0 个错误"), "{}", stdout(&o));
}

#[test]
fn report_with_errors_exits_1() {
    let o = run(&[
        "check",
        "--format",
        "json",
        fixture("seed_001.txt").to_str().unwrap(),
    ]);
    assert_eq!(code(&o), 1, "{}", stderr(&o));
    let v = json(&o);
    let codes: Vec<&str> = v["files"][0]["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["code"].as_str().unwrap())
        .collect();
    for want in ["NB105", "NB502", "NB106"] {
        assert!(codes.contains(&want), "{want} missing from {codes:?}");
    }
}

#[test]
fn missing_file_exits_2_naming_the_path() {
    let dir = tempfile::tempdir().unwrap();
    let o = run_in(dir.path(), &["check", "x.md"]);
    assert_eq!(code(&o), 2);
    assert!(
        stderr(&o).contains("nianbao: cannot read 'x.md': No such file or directory"),
        "{}",
        stderr(&o)
    );
}

#[test]
fn missing_file_among_others_still_exits_2_and_checks_the_rest() {
    let o = run(&[
        "check",
        "--format",
        "json",
        fixture("seed_002.txt").to_str().unwrap(),
        "/nonexistent/y.md",
    ]);
    assert_eq!(code(&o), 2);
    let v = json(&o);
    assert_eq!(v["files"].as_array().unwrap().len(), 1);
    assert_eq!(v["errors"][0]["path"], "/nonexistent/y.md");
}

#[test]
fn usage_errors_exit_2() {
    for args in [
        &[][..],
        &["frobnicate"][..],
        &["check"][..],
        &["check", "--format", "xml", "a.md"][..],
        &["check", "--bogus", "a.md"][..],
        &["check", "--lang", "fr", "a.md"][..],
        &["check", "--select", "XX999", "a.md"][..],
        &["check", "--fix", "-"][..],
    ] {
        let o = run(args);
        assert_eq!(code(&o), 2, "{args:?}: {}", stderr(&o));
        assert!(
            stderr(&o).starts_with("nianbao: "),
            "{args:?}: {}",
            stderr(&o)
        );
        assert!(stdout(&o).is_empty(), "{args:?}");
    }
    let o = run(&["frobnicate"]);
    assert!(stderr(&o).contains("Usage: nianbao"), "{}", stderr(&o));
}

#[test]
fn undecodable_file_exits_2_with_a_clear_message() {
    let dir = tempfile::tempdir().unwrap();
    // Valid in no supported encoding: 0x81 starts a GB18030 pair, 0x20 cannot end one.
    std::fs::write(dir.path().join("bad.txt"), b"ok\n\x81\x20 5\n").unwrap();
    let o = run_in(dir.path(), &["check", "bad.txt"]);
    assert_eq!(code(&o), 2);
    let e = stderr(&o);
    assert!(
        e.contains("cannot read 'bad.txt'") && e.contains("UTF-8") && e.contains("line 2"),
        "{e}"
    );
    assert!(stdout(&o).lines().count() <= 1, "{}", stdout(&o));
}

#[test]
fn version_and_help() {
    let o = run(&["--version"]);
    assert_eq!(code(&o), 0);
    assert_eq!(
        stdout(&o).trim(),
        format!("nianbao {}", env!("CARGO_PKG_VERSION"))
    );
    for args in [
        &["--help"][..],
        &["check", "--help"][..],
        &["help", "check"][..],
    ] {
        let o = run(args);
        assert_eq!(code(&o), 0, "{args:?}");
        assert!(stdout(&o).contains("Usage: nianbao"), "{args:?}");
    }
}

// ---------------------------------------------------------------- JSON

#[test]
fn json_shape_and_utf16_ranges() {
    let path = fixture("draft.md");
    let text = std::fs::read_to_string(&path).unwrap();
    let o = run(&["check", "--format", "json", path.to_str().unwrap()]);
    assert_eq!(code(&o), 1, "{}", stderr(&o));
    let v = json(&o);
    let file = &v["files"][0];
    assert_eq!(file["path"], path.to_str().unwrap());
    assert_eq!(file["format"], "2021");
    assert_eq!(file["year"], 2024);
    let diags = file["diagnostics"].as_array().unwrap();
    let d = diags
        .iter()
        .find(|d| d["code"] == "NB301")
        .expect("NB301 reported");
    assert_eq!(d["severity"], "error");
    assert!(
        d["message"].as_str().unwrap().contains("应为 4"),
        "{}",
        d["message"]
    );
    assert!(d["url"].as_str().unwrap().ends_with("#nb301"));
    for d in diags {
        assert!(
            ["error", "warning", "information", "hint"].contains(&d["severity"].as_str().unwrap())
        );
        assert!(d["code"].as_str().unwrap().starts_with("NB"));
    }

    // The range covers exactly the wrong cell, and UTF-16 columns differ from bytes.
    let start = wrong_cell_offset(&text);
    assert_eq!(range_text(&text, &d["range"]), "5");
    let line_start = text[..start].rfind('\n').map_or(0, |i| i + 1);
    let character = d["range"]["start"]["character"].as_u64().unwrap() as usize;
    assert_eq!(character, text[line_start..start].encode_utf16().count());
    assert_ne!(
        character,
        start - line_start,
        "the line has CJK text before the cell"
    );
    assert_eq!(
        d["range"]["start"]["line"].as_u64().unwrap() as usize,
        text[..start].matches('\n').count()
    );

    // The recompute fix rewrites that cell to 4.
    let fix = &d["fixes"][0];
    assert_eq!(fix["kind"], "recompute");
    assert_eq!(fix["preferred"], true);
    assert_eq!(fix["edits"][0]["newText"], "4");
    assert_eq!(range_text(&text, &fix["edits"][0]["range"]), "5");
    // Related cells are the applicant columns of the same row.
    assert!(!d["related"].as_array().unwrap().is_empty());
    assert!(file.get("fixed").is_none(), "no `fixed` without --fix");
    assert_eq!(
        v["summary"]["errors"].as_u64().unwrap() as usize,
        diags.iter().filter(|d| d["severity"] == "error").count()
    );
}

#[test]
fn astral_characters_count_two_utf16_units() {
    // U+20000 (𠀀) is one char, four UTF-8 bytes and two UTF-16 units.
    let text = std::fs::read_to_string(fixture("draft.md"))
        .unwrap()
        .replace("三、本年度办理结果 |", "三、本年度办理结果𠀀 |");
    let o = run_stdin(&["check", "--format", "json", "-"], text.as_bytes());
    let v = json(&o);
    let d = v["files"][0]["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["code"] == "NB301")
        .cloned()
        .unwrap();
    assert_eq!(range_text(&text, &d["range"]), "5");
}

#[test]
fn stdin_is_read_with_dash() {
    let seed1 = std::fs::read(fixture("seed_001.txt")).unwrap();
    let o = run_stdin(&["check", "--format", "json", "-"], &seed1);
    assert_eq!(code(&o), 1, "{}", stderr(&o));
    let v = json(&o);
    assert_eq!(v["files"][0]["path"], "-");
    assert!(v["files"][0]["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .any(|d| d["code"] == "NB502"));

    let seed2 = std::fs::read(fixture("seed_002.txt")).unwrap();
    let o = run_stdin(&["check", "-"], &seed2);
    assert_eq!(code(&o), 0, "{}", stdout(&o));
}

#[test]
fn folders_are_searched_recursively_for_report_files() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    std::fs::create_dir_all(d.join("sub/deeper")).unwrap();
    std::fs::create_dir_all(d.join(".hidden")).unwrap();
    std::fs::copy(fixture("seed_002.txt"), d.join("b.txt")).unwrap();
    std::fs::copy(fixture("seed_002.txt"), d.join("sub/a.md")).unwrap();
    std::fs::copy(fixture("seed_002.txt"), d.join("sub/deeper/c.markdown")).unwrap();
    std::fs::copy(fixture("seed_002.txt"), d.join("sub/UPPER.MD")).unwrap();
    for ignored in [
        "notes.rst",
        "data.json",
        "sub/report.odt",
        ".hidden/x.md",
        "sub/noext",
    ] {
        std::fs::copy(fixture("seed_001.txt"), d.join(ignored)).unwrap();
    }
    let o = run_in(d, &["check", "--format", "json", "."]);
    assert_eq!(code(&o), 0, "{}", stdout(&o));
    let v = json(&o);
    let paths: Vec<String> = v["files"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["path"].as_str().unwrap().replace('\\', "/"))
        .collect();
    assert_eq!(
        paths,
        [
            "./b.txt",
            "./sub/UPPER.MD",
            "./sub/a.md",
            "./sub/deeper/c.markdown"
        ]
    );

    // A file given twice (directly and through its folder) is checked once.
    let o = run_in(d, &["check", "--format", "json", "sub", "sub/a.md"]);
    assert_eq!(json(&o)["files"].as_array().unwrap().len(), 3);
}

#[test]
fn empty_folder_is_not_an_error_but_is_reported() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("readme.rst"), "nothing").unwrap();
    let o = run(&["check", dir.path().to_str().unwrap()]);
    assert_eq!(code(&o), 0);
    assert!(stderr(&o).contains("no report files"), "{}", stderr(&o));
}

// ---------------------------------------------------------------- --fix

#[test]
fn fix_rewrites_only_the_total_cell_and_is_idempotent() {
    let dir = tempfile::tempdir().unwrap();
    let path = copy_to(dir.path(), "draft.md");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o640)).unwrap();
    }
    let before = std::fs::read_to_string(&path).unwrap();
    let cell = wrong_cell_offset(&before);

    let o = run_in(
        dir.path(),
        &["check", "--fix", "--format", "json", "draft.md"],
    );
    assert_eq!(code(&o), 0, "the only errors are fixable: {}", stdout(&o));
    let after = std::fs::read_to_string(&path).unwrap();

    // Diff: exactly one byte range changed, and it is the wrong cell.
    let first = before
        .bytes()
        .zip(after.bytes())
        .position(|(a, b)| a != b)
        .expect("file changed");
    let common_suffix = before
        .bytes()
        .rev()
        .zip(after.bytes().rev())
        .take_while(|(a, b)| a == b)
        .count();
    assert_eq!(
        (first, before.len() - common_suffix),
        (cell, cell + 1),
        "only the total cell changes"
    );
    assert_eq!(&after[first..after.len() - common_suffix], "4");
    assert_eq!(
        before.replacen(WRONG_ROW, &WRONG_ROW.replace("| 5 |", "| 4 |"), 1),
        after
    );

    // The report: range in the ORIGINAL text, old → new, and nothing remains.
    let v = json(&o);
    let fixed = v["files"][0]["fixed"].as_array().unwrap();
    assert_eq!(fixed.len(), 1, "{fixed:?}");
    assert_eq!(range_text(&before, &fixed[0]["range"]), "5");
    assert_eq!(
        (fixed[0]["old"].as_str(), fixed[0]["new"].as_str()),
        (Some("5"), Some("4"))
    );
    assert_eq!(fixed[0]["cell"], "（一）予以公开·总计");
    assert!(v["files"][0]["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .all(|d| d["severity"] != "error"));

    // Permissions are kept; no temporary file is left behind.
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        assert_eq!(
            std::fs::metadata(&path).unwrap().permissions().mode() & 0o777,
            0o640
        );
    }
    let names: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(names, vec![std::ffi::OsString::from("draft.md")]);

    // Running --fix again changes nothing.
    let o = run_in(
        dir.path(),
        &["check", "--fix", "--format", "json", "draft.md"],
    );
    assert_eq!(code(&o), 0);
    assert_eq!(std::fs::read_to_string(&path).unwrap(), after);
    assert_eq!(json(&o)["files"][0]["fixed"].as_array().unwrap().len(), 0);
}

#[test]
fn fix_keeps_bom_and_crlf() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("crlf.md");
    let text = std::fs::read_to_string(fixture("draft.md"))
        .unwrap()
        .replace('\n', "\r\n");
    let mut bytes = b"\xEF\xBB\xBF".to_vec();
    bytes.extend_from_slice(text.as_bytes());
    std::fs::write(&path, &bytes).unwrap();

    // Positions are the same as LSP's: the BOM is not a column, \r\n ends a line.
    let o = run_in(dir.path(), &["check", "--format", "json", "crlf.md"]);
    let d = json(&o)["files"][0]["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["code"] == "NB301")
        .cloned()
        .unwrap();
    assert_eq!(range_text(&text, &d["range"]), "5");

    let o = run_in(dir.path(), &["check", "--fix", "crlf.md"]);
    assert_eq!(code(&o), 0, "{}", stdout(&o));
    let want = [
        &b"\xEF\xBB\xBF"[..],
        text.replacen(WRONG_ROW, &WRONG_ROW.replace("| 5 |", "| 4 |"), 1)
            .as_bytes(),
    ]
    .concat();
    assert_eq!(std::fs::read(&path).unwrap(), want);
}

#[cfg(unix)]
#[test]
fn fix_through_a_symlink_rewrites_the_target() {
    let dir = tempfile::tempdir().unwrap();
    let target = copy_to(dir.path(), "draft.md");
    std::os::unix::fs::symlink("draft.md", dir.path().join("link.md")).unwrap();
    let o = run_in(dir.path(), &["check", "--fix", "link.md"]);
    assert_eq!(code(&o), 0, "{}", stdout(&o));
    assert!(std::fs::symlink_metadata(dir.path().join("link.md"))
        .unwrap()
        .file_type()
        .is_symlink());
    assert!(std::fs::read_to_string(&target)
        .unwrap()
        .contains(&WRONG_ROW.replace("| 5 |", "| 4 |")));
}

#[test]
fn fix_reports_changes_in_human_format() {
    let dir = tempfile::tempdir().unwrap();
    copy_to(dir.path(), "draft.md");
    let o = run_in(dir.path(), &["check", "--fix", "--lang", "en", "draft.md"]);
    assert_eq!(code(&o), 0);
    let out = stdout(&o);
    let line = 1 + std::fs::read_to_string(fixture("draft.md"))
        .unwrap()
        .lines()
        .position(|l| l == WRONG_ROW)
        .unwrap();
    assert!(out.contains("draft.md: fixed 1 cell"), "{out}");
    assert!(
        out.contains(&format!("{line}:")) && out.contains("（一）予以公开·总计  5 → 4"),
        "{out}"
    );
    assert!(out.contains("0 errors"), "{out}");
}

#[test]
fn fix_leaves_unfixable_errors_and_exits_1() {
    let dir = tempfile::tempdir().unwrap();
    let path = copy_to(dir.path(), "seed_001.txt");
    let before = std::fs::read(&path).unwrap();
    let o = run_in(dir.path(), &["check", "--fix", "seed_001.txt"]);
    assert_eq!(code(&o), 1, "NB502 is not fixable by --fix");
    assert_eq!(
        std::fs::read(&path).unwrap(),
        before,
        "nothing to recompute: file untouched"
    );
}

/// A cell of text where the 自然人 count of （一）予以公开 belongs stays in its column:
/// the values beside it do not move one column left, no identity reads it, and
/// `--fix` recomputes nothing from it. Only the one wrong total of another row
/// (（二）部分公开 written 2 where its columns sum to 1) is rewritten. A count in
/// Chinese numerals is read as that number, with an information-level NB205.
#[test]
fn fix_leaves_a_text_cell_in_its_column() {
    const PARTIAL: &str = "不计其他情形） | 1 | 0 | 0 | 0 | 0 | 0 | 1 |";
    for (token, severity) in [
        ("三", "information"),
        ("叁", "information"),
        ("约3", "error"),
        ("3（含）", "error"),
        ("未统计", "error"),
        ("3人", "error"),
        ("1,2,3,4", "error"),
    ] {
        let dir = tempfile::tempdir().unwrap();
        let row = WRONG_ROW.replace(
            "| 3 | 1 | 0 | 0 | 0 | 0 | 5 |",
            &format!("| {token} | 1 | 0 | 0 | 0 | 0 | 4 |"),
        );
        let draft = std::fs::read_to_string(fixture("draft.md"))
            .unwrap()
            .replace(WRONG_ROW, &row)
            .replace(PARTIAL, "不计其他情形） | 1 | 0 | 0 | 0 | 0 | 0 | 2 |");
        assert!(
            draft.contains(&row) && draft.contains("不计其他情形） | 1 | 0 | 0 | 0 | 0 | 0 | 2 |")
        );
        let path = dir.path().join("draft.md");
        std::fs::write(&path, &draft).unwrap();

        let o = run_in(
            dir.path(),
            &["check", "--fix", "--format", "json", "draft.md"],
        );
        let after = std::fs::read_to_string(&path).unwrap();
        assert_eq!(
            after,
            draft.replace(
                "不计其他情形） | 1 | 0 | 0 | 0 | 0 | 0 | 2 |",
                "不计其他情形） | 1 | 0 | 0 | 0 | 0 | 0 | 1 |"
            ),
            "{token}: only the wrong total of （二） changes: {}",
            stdout(&o)
        );
        let v = json(&o);
        let diags = v["files"][0]["diagnostics"].as_array().unwrap();
        let codes: Vec<&str> = diags.iter().map(|d| d["code"].as_str().unwrap()).collect();
        assert_eq!(codes, ["NB205"], "{token}: {}", stdout(&o));
        assert_eq!(diags[0]["severity"], severity, "{token}");
        assert_eq!(range_text(&after, &diags[0]["range"]), token, "{token}");
        assert_eq!(
            v["files"][0]["fixed"].as_array().map(Vec::len),
            Some(1),
            "{token}: {}",
            stdout(&o)
        );
    }
}

// ---------------------------------------------------------------- languages, SARIF, human

#[test]
fn lang_en_gives_english() {
    let o = run(&[
        "check",
        "--lang",
        "en",
        "--format",
        "json",
        fixture("draft.md").to_str().unwrap(),
    ]);
    let v = json(&o);
    let d = v["files"][0]["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["code"] == "NB301")
        .cloned()
        .unwrap();
    assert!(
        d["message"]
            .as_str()
            .unwrap()
            .starts_with("“(1) disclosed · total” should be 4"),
        "{}",
        d["message"]
    );
    assert_eq!(d["fixes"][0]["title"], "Change this cell to 4");

    let o = run(&[
        "check",
        "--lang",
        "en",
        fixture("draft.md").to_str().unwrap(),
    ]);
    let out = stdout(&o);
    assert!(out.contains("Change this cell to 4"), "{out}");
    assert!(out.trim_end().ends_with("in 1 file"), "{out}");
    let errors = error_count(&fixture("draft.md"));
    let summary = format!(
        "{errors} {}, 0 warnings in 1 file",
        if errors == 1 { "error" } else { "errors" }
    );
    assert!(out.trim_end().ends_with(&summary), "{summary}\n{out}");
}

#[test]
fn sarif_is_2_1_0_with_utf16_columns() {
    let path = fixture("draft.md");
    let text = std::fs::read_to_string(&path).unwrap();
    let o = run(&["check", "--format", "sarif", path.to_str().unwrap()]);
    assert_eq!(code(&o), 1);
    let v = json(&o);
    assert_eq!(v["version"], "2.1.0");
    assert!(v["$schema"].as_str().unwrap().contains("sarif"));
    let run = &v["runs"][0];
    assert_eq!(run["columnKind"], "utf16CodeUnits");
    assert_eq!(run["tool"]["driver"]["name"], "nianbao");
    let rules = run["tool"]["driver"]["rules"].as_array().unwrap();
    let r = run["results"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["ruleId"] == "NB301")
        .cloned()
        .unwrap();
    assert_eq!(r["level"], "error");
    assert_eq!(
        rules[r["ruleIndex"].as_u64().unwrap() as usize]["id"],
        "NB301"
    );
    let region = &r["locations"][0]["physicalLocation"]["region"];
    let start = wrong_cell_offset(&text);
    let line_start = text[..start].rfind('\n').map_or(0, |i| i + 1);
    assert_eq!(
        region["startLine"].as_u64().unwrap() as usize,
        text[..start].matches('\n').count() + 1
    );
    assert_eq!(
        region["startColumn"].as_u64().unwrap() as usize,
        text[line_start..start].encode_utf16().count() + 1
    );
    assert_eq!(
        region["endColumn"].as_u64().unwrap(),
        region["startColumn"].as_u64().unwrap() + 1
    );
}

/// The caret line of the snippet for the diagnostic whose header contains `header`.
fn snippet<'a>(out: &'a str, header: &str) -> (&'a str, &'a str) {
    let lines: Vec<&str> = out.lines().collect();
    let h = lines
        .iter()
        .position(|l| l.contains(header))
        .unwrap_or_else(|| panic!("no {header} in\n{out}"));
    (lines[h + 2], lines[h + 3])
}

fn assert_caret_under_cell(text: &str, source_line: &str, caret_line: &str) {
    let start = wrong_cell_offset(text);
    let line_start = text[..start].rfind('\n').map_or(0, |i| i + 1);
    let expected = display_width(&text[line_start..start]);
    // "41 | <line>" and "   | <carets>": both gutters have the same width.
    let gutter = source_line.find(" | ").unwrap() + 3;
    assert_eq!(
        &caret_line[..gutter],
        format!("{} | ", " ".repeat(gutter - 3))
    );
    let caret = &caret_line[gutter..];
    assert_eq!(
        caret.find('^').unwrap(),
        expected,
        "caret line:\n{source_line}\n{caret_line}"
    );
    assert!(caret[..expected].chars().all(|c| c == ' '));
    // The printed source line has the same width up to the cell.
    let shown = &source_line[gutter..];
    let printed_prefix: String = shown
        .chars()
        .take_while({
            let mut w = 0;
            move |c| {
                let ok = w < expected;
                w += unicode_width::UnicodeWidthChar::width(*c).unwrap_or(0);
                ok
            }
        })
        .collect();
    assert_eq!(display_width(&printed_prefix), expected);
    assert!(shown[printed_prefix.len()..].starts_with('5'), "{shown}");
}

#[test]
fn human_carets_align_under_cjk() {
    let path = fixture("draft.md");
    let text = std::fs::read_to_string(&path).unwrap();
    let o = run(&["check", "--color", "never", path.to_str().unwrap()]);
    let out = stdout(&o);
    let (src, carets) = snippet(&out, "error[NB301]");
    assert!(src.ends_with(WRONG_ROW), "{src}");
    assert_caret_under_cell(&text, src, carets);
    assert!(carets.ends_with("^ 将此格改为 4"), "{carets}");
    // Header: path:line:column with a 1-based UTF-16 column.
    let start = wrong_cell_offset(&text);
    let line_start = text[..start].rfind('\n').map_or(0, |i| i + 1);
    let header = format!(
        "{}:{}:{}: error[NB301] ",
        path.display(),
        text[..start].matches('\n').count() + 1,
        text[line_start..start].encode_utf16().count() + 1
    );
    assert!(out.contains(&header), "{header}\n{out}");
    assert!(
        out.trim_end().ends_with(&format!(
            "{} 个错误，0 个警告（1 个文件）",
            error_count(&path)
        )),
        "{out}"
    );
    assert!(
        !out.contains('\x1b'),
        "no colour when stdout is not a terminal"
    );
}

#[test]
fn human_carets_align_with_tabs() {
    let row_with_tabs =
        "| 三、本年度办理结果 | （一）予以公开\t| 3\t| 1\t| 0\t| 0\t| 0\t| 0\t| 5 |";
    let text = std::fs::read_to_string(fixture("draft.md"))
        .unwrap()
        .replace(WRONG_ROW, row_with_tabs);
    let o = run_stdin(&["check", "-"], text.as_bytes());
    let out = stdout(&o);
    let (src, carets) = snippet(&out, "error[NB301]");
    assert!(!src.contains('\t'), "tabs are expanded: {src:?}");
    let start = text.find(row_with_tabs).unwrap() + row_with_tabs.rfind('5').unwrap();
    let line_start = text[..start].rfind('\n').unwrap() + 1;
    let expected = display_width(&text[line_start..start]);
    let gutter = src.find(" | ").unwrap() + 3;
    assert_eq!(
        carets[gutter..].find('^').unwrap(),
        expected,
        "\n{src}\n{carets}"
    );
    assert_eq!(
        src[gutter..]
            .chars()
            .map(|c| unicode_width::UnicodeWidthChar::width(c).unwrap_or(0))
            .sum::<usize>(),
        display_width(&text[line_start..text[line_start..].find('\n').unwrap() + line_start])
    );
}

// ---------------------------------------------------------------- options and other commands

#[test]
fn select_ignore_and_report_format() {
    let p = fixture("draft.md");
    let p = p.to_str().unwrap();
    let o = run(&["check", "--ignore", "NB301,NB302", p]);
    assert_eq!(code(&o), 0, "{}", stdout(&o));
    let o = run(&["check", "--select", "NB3", "--format", "json", p]);
    let v = json(&o);
    assert!(v["files"][0]["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .all(|d| d["code"].as_str().unwrap().starts_with("NB3")));
    let o = run(&["check", "--report-format", "2019", "--format", "json", p]);
    assert_eq!(json(&o)["files"][0]["format"], "2019");
}

#[test]
fn rules_command_lists_every_rule() {
    let o = run(&["rules"]);
    assert_eq!(code(&o), 0);
    let out = stdout(&o);
    for r in nianbao_core::rules::RULES {
        assert!(
            out.lines()
                .any(|l| l.starts_with(r.code) && l.contains(r.name) && l.contains(r.what.0)),
            "{}",
            r.code
        );
    }
    let o = run(&["rules", "--lang", "en"]);
    assert!(stdout(&o).contains(nianbao_core::rules::rule("NB301").unwrap().what.1));
    let o = run(&["rules", "--markdown"]);
    assert_eq!(stdout(&o), nianbao_core::rules::docs_markdown());
}

/// English messages name cells in English (no Chinese row or column names).
#[test]
fn english_messages_name_cells_in_english() {
    let dir = tempfile::tempdir().unwrap();
    let draft = std::fs::read_to_string(fixture("draft.md")).unwrap();
    let path = dir.path().join("draft.md");
    std::fs::write(&path, draft).unwrap();
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_nianbao"))
        .args(["check", "--lang", "en", "--format", "json"])
        .arg(&path)
        .output()
        .unwrap();
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let diags = v["files"][0]["diagnostics"].as_array().unwrap();
    let a = diags
        .iter()
        .find(|d| d["code"] == "NB301")
        .expect("NB301 in the draft");
    let msg = a["message"].as_str().unwrap();
    assert!(msg.contains("(1) disclosed"), "{msg}");
    // The broken identities, with their cells, are the related information.
    assert!(
        a["related"]
            .as_array()
            .unwrap()
            .iter()
            .any(|r| r["message"].as_str().unwrap().contains("natural persons")),
        "{a}"
    );
    for r in a["related"].as_array().unwrap() {
        let m = r["message"].as_str().unwrap();
        assert!(
            !m.chars().any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c)),
            "Chinese in English related message: {m}"
        );
    }
}

// ---------------------------------------------------------------- --jobs

/// A folder of real reports: the seeds, the table variants and the CLI fixtures,
/// in two sub-folders, plus one GBK copy (an encoding note on stderr) and one
/// file that is not text (an error on stderr, exit status 2).
fn real_reports(dir: &Path) {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../tests/fixtures");
    for (from, to) in [("seeds", "a"), ("variants", "b"), ("cli", "b/cli")] {
        std::fs::create_dir_all(dir.join(to)).unwrap();
        for e in std::fs::read_dir(root.join(from)).unwrap() {
            let p = e.unwrap().path();
            if matches!(p.extension().and_then(|e| e.to_str()), Some("txt" | "md")) {
                std::fs::copy(&p, dir.join(to).join(p.file_name().unwrap())).unwrap();
            }
        }
    }
    let text = std::fs::read_to_string(fixture("seed_001.txt")).unwrap();
    let (gbk, _, _) = encoding_rs::GB18030.encode(&text);
    std::fs::write(dir.join("a/gbk.txt"), gbk).unwrap();
    std::fs::write(dir.join("a/not_text.txt"), b"PK\x03\x04zip").unwrap();
}

#[test]
fn jobs_2_writes_exactly_what_jobs_1_writes() {
    let dir = tempfile::tempdir().unwrap();
    real_reports(dir.path());
    let files = std::fs::read_dir(dir.path().join("a")).unwrap().count()
        + std::fs::read_dir(dir.path().join("b")).unwrap().count();
    assert!(files > 20, "{files} fixture files");
    for format in ["human", "json", "sarif"] {
        for extra in [&[][..], &["--lang", "en", "--color", "always"]] {
            let with = |jobs: &str| {
                let mut args = vec!["check", "--format", format, "--jobs", jobs, "."];
                args.extend_from_slice(extra);
                run_in(dir.path(), &args)
            };
            let one = with("1");
            assert_eq!(code(&one), 2, "the file that is not text: {}", stderr(&one));
            assert!(stderr(&one).contains("not_text.txt"), "{}", stderr(&one));
            if format == "human" {
                assert!(stderr(&one).contains("gbk.txt"), "{}", stderr(&one));
            } else {
                json(&one);
            }
            for jobs in ["2", "3"] {
                let many = with(jobs);
                let what = format!("--format {format} {extra:?} --jobs {jobs}");
                assert_eq!(code(&many), code(&one), "{what}");
                assert!(many.stdout == one.stdout, "{what}: stdout differs");
                assert_eq!(stderr(&many), stderr(&one), "{what}");
            }
        }
    }
}

#[test]
fn jobs_must_be_a_number_of_at_least_1() {
    for args in [
        &["check", "--jobs", "0", "a.md"][..],
        &["check", "-j", "0", "a.md"][..],
        &["check", "--jobs=many", "a.md"][..],
        &["check", "-jx", "a.md"][..],
        &["check", "a.md", "--jobs"][..],
    ] {
        let o = run(args);
        assert_eq!(code(&o), 2, "{args:?}");
        let e = stderr(&o);
        assert!(
            e.starts_with("nianbao: ") && e.contains("'--jobs'"),
            "{args:?}: {e}"
        );
        assert!(e.contains("nianbao check --help"), "{args:?}: {e}");
        assert!(stdout(&o).is_empty(), "{args:?}");
    }
    let o = run(&["check", "--help"]);
    assert!(stdout(&o).contains("--jobs <N>"), "{}", stdout(&o));
    let o = run(&[
        "check",
        "-j",
        "1",
        fixture("seed_002.txt").to_str().unwrap(),
    ]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
}

/// Every file tree under `dir`: relative path → bytes (symlinks as their target).
fn tree(dir: &Path) -> std::collections::BTreeMap<PathBuf, Vec<u8>> {
    let mut out = std::collections::BTreeMap::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).unwrap() {
            let p = e.unwrap().path();
            let rel = p.strip_prefix(dir).unwrap().to_path_buf();
            let meta = std::fs::symlink_metadata(&p).unwrap();
            if meta.file_type().is_symlink() {
                let target = std::fs::read_link(&p).unwrap();
                out.insert(rel, target.to_string_lossy().as_bytes().to_vec());
            } else if meta.is_dir() {
                stack.push(p);
            } else {
                out.insert(rel, std::fs::read(&p).unwrap());
            }
        }
    }
    out
}

#[test]
fn fix_with_jobs_2_fixes_every_file_as_jobs_1_does() {
    let dirs = [tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap()];
    for d in &dirs {
        real_reports(d.path());
        // A second path to a file that needs fixing: both must not be fixed at once.
        #[cfg(unix)]
        std::os::unix::fs::symlink("cli/draft.md", d.path().join("b/link.md")).unwrap();
    }
    let before = tree(dirs[0].path());
    let outputs: Vec<Output> = dirs
        .iter()
        .zip(["1", "2"])
        .map(|(d, jobs)| run_in(d.path(), &["check", "--fix", "--jobs", jobs, "."]))
        .collect();
    assert_eq!(code(&outputs[0]), 2, "{}", stderr(&outputs[0]));
    assert_eq!(code(&outputs[1]), code(&outputs[0]));
    assert_eq!(stdout(&outputs[1]), stdout(&outputs[0]));
    assert_eq!(stderr(&outputs[1]), stderr(&outputs[0]));
    let after = tree(dirs[0].path());
    assert_eq!(
        tree(dirs[1].path()),
        after,
        "--jobs 2 fixed the files otherwise"
    );
    let changed: Vec<_> = after
        .iter()
        .filter(|(p, bytes)| before.get(*p) != Some(*bytes))
        .map(|(p, _)| p.clone())
        .collect();
    assert!(changed.len() >= 3, "files fixed: {changed:?}");
    assert!(
        stdout(&outputs[0]).contains("cli/draft.md：已修正 1 个单元格"),
        "{}",
        stdout(&outputs[0])
    );
    // The run is clean afterwards, whatever the number of jobs.
    let o = run_in(
        dirs[1].path(),
        &["check", "--fix", "--jobs", "2", "--format", "json", "."],
    );
    assert_eq!(json(&o)["summary"]["fixed"], 0);
}

#[test]
fn no_progress_bar_when_stderr_is_not_a_terminal() {
    let dir = tempfile::tempdir().unwrap();
    let text = std::fs::read_to_string(fixture("draft.md")).unwrap();
    // Well over the number of files that shows a bar on a terminal.
    for i in 0..120 {
        std::fs::write(dir.path().join(format!("r{i:03}.md")), &text).unwrap();
    }
    for extra in [&[][..], &["--color", "always"], &["--format", "json"]] {
        let mut args = vec!["check", "--jobs", "2", "."];
        args.extend_from_slice(extra);
        let o = run_in(dir.path(), &args);
        assert_eq!(code(&o), 1, "{extra:?}");
        let e = stderr(&o);
        assert!(
            !e.contains('\r') && !e.contains('\x1b') && !e.contains("检查中"),
            "{extra:?}: {e:?}"
        );
        assert!(e.is_empty(), "{extra:?}: {e:?}");
    }
}
