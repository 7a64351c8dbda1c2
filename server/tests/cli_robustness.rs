//! `nianbao check` when something goes wrong: a panic while checking one file,
//! `--fix` on files it must not rewrite or must rewrite carefully, inputs that
//! never end, long lines. The real binary on files in temporary folders.

use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

const BIN: &str = env!("CARGO_BIN_EXE_nianbao");

fn fixture(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../tests/fixtures/cli")
        .join(name)
}

fn copy_to(dir: &Path, from: &str, name: &str) -> PathBuf {
    let to = dir.join(name);
    std::fs::copy(fixture(from), &to).unwrap();
    to
}

fn check(dir: &Path, env: &[(&str, &str)], args: &[&str]) -> Output {
    Command::new(BIN)
        .current_dir(dir)
        .arg("check")
        .args(["--color", "never", "--no-config"])
        .args(args)
        .envs(env.iter().copied())
        .stdin(Stdio::null())
        .output()
        .expect("run nianbao")
}

fn stdout(o: &Output) -> String {
    String::from_utf8(o.stdout.clone()).expect("stdout is UTF-8")
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

fn json(o: &Output) -> Value {
    serde_json::from_slice(&o.stdout)
        .unwrap_or_else(|e| panic!("bad JSON ({e}):\n{}\nstderr: {}", stdout(o), stderr(o)))
}

fn code(o: &Output) -> i32 {
    o.status.code().expect("exit code")
}

/// Three reports; checking b.md panics (debug builds honour NIANBAO_TEST_PANIC).
fn three_reports() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    copy_to(dir.path(), "draft.md", "a.md");
    copy_to(dir.path(), "seed_001.txt", "b.md");
    copy_to(dir.path(), "seed_002.txt", "c.md");
    dir
}

const PANIC_ON_B: &[(&str, &str)] = &[("NIANBAO_TEST_PANIC", "b.md")];

#[test]
fn a_panic_on_one_file_is_an_internal_error_and_the_others_are_checked_json() {
    let dir = three_reports();
    for jobs in ["1", "2"] {
        let out = check(
            dir.path(),
            PANIC_ON_B,
            &["--format", "json", "-j", jobs, "."],
        );
        assert_eq!(code(&out), 2, "{}", stderr(&out));
        let v = json(&out);
        let files: Vec<&str> = v["files"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| f["path"].as_str().unwrap())
            .collect();
        assert_eq!(files, ["./a.md", "./c.md"], "-j {jobs}");
        assert_eq!(v["summary"]["files"], 2);
        let errors = v["errors"].as_array().unwrap();
        assert_eq!(errors.len(), 1, "{errors:?}");
        assert_eq!(errors[0]["path"], "./b.md");
        let m = errors[0]["message"].as_str().unwrap();
        assert!(
            m.contains("内部错误") && m.contains("./b.md") && m.contains("请报告"),
            "{m}"
        );
        assert!(
            m.contains("NIANBAO_TEST_PANIC"),
            "the panic's own words: {m}"
        );
        // Said once on standard error, without the default panic report.
        let err = stderr(&out);
        assert!(err.contains("nianbao: 内部错误"), "{err}");
        assert!(!err.contains("panicked at"), "{err}");
    }
}

#[test]
fn a_panic_on_one_file_keeps_sarif_and_human_output_whole() {
    let dir = three_reports();
    let out = check(
        dir.path(),
        PANIC_ON_B,
        &["--format", "sarif", "--lang", "en", "."],
    );
    assert_eq!(code(&out), 2, "{}", stderr(&out));
    let v = json(&out);
    let run = &v["runs"][0];
    assert_eq!(run["invocations"][0]["executionSuccessful"], false);
    let notes = run["invocations"][0]["toolExecutionNotifications"]
        .as_array()
        .unwrap();
    let m = notes[0]["message"]["text"].as_str().unwrap();
    assert!(
        m.starts_with("internal error while checking './b.md'") && m.contains("please report"),
        "{m}"
    );
    let uris: std::collections::BTreeSet<&str> = run["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
                .as_str()
                .unwrap()
        })
        .collect();
    assert!(uris.contains("./a.md"), "{uris:?}");
    assert!(!uris.iter().any(|u| u.contains("b.md")), "{uris:?}");

    let out = check(dir.path(), PANIC_ON_B, &["--lang", "en", "."]);
    assert_eq!(code(&out), 2, "{}", stderr(&out));
    let text = stdout(&out);
    assert!(text.contains("./a.md:"), "{text}");
    assert!(text.contains("in 2 files"), "{text}");
    assert!(stderr(&out).contains("nianbao: internal error while checking './b.md'"));
}

// ---------------------------------------------------------------- --fix writes carefully

/// The draft's wrong 总计 and what `--fix` makes of it.
const WRONG: &str = "| 0 | 0 | 0 | 0 | 5 |";
const RIGHT: &str = "| 0 | 0 | 0 | 0 | 4 |";

fn draft_in(dir: &Path, name: &str) -> PathBuf {
    let p = copy_to(dir, "draft.md", name);
    assert!(std::fs::read_to_string(&p).unwrap().contains(WRONG));
    p
}

#[cfg(unix)]
fn mode(p: &Path) -> u32 {
    use std::os::unix::fs::PermissionsExt;
    std::fs::metadata(p).unwrap().permissions().mode() & 0o7777
}

#[cfg(unix)]
#[test]
fn fix_keeps_mode_owner_and_group() {
    use std::os::unix::fs::{MetadataExt, PermissionsExt};
    let dir = tempfile::tempdir().unwrap();
    let p = draft_in(dir.path(), "r.md");
    std::fs::set_permissions(&p, std::fs::Permissions::from_mode(0o640)).unwrap();
    let root = std::fs::metadata(dir.path()).unwrap().uid() == 0;
    if root {
        std::os::unix::fs::chown(&p, Some(4321), Some(4322)).unwrap();
    }
    let out = check(dir.path(), &[], &["--fix", "r.md"]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert!(std::fs::read_to_string(&p).unwrap().contains(RIGHT));
    assert_eq!(mode(&p), 0o640);
    if root {
        let m = std::fs::metadata(&p).unwrap();
        assert_eq!((m.uid(), m.gid()), (4321, 4322), "owner and group kept");
    }
    // Nothing left behind.
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);
}

#[cfg(unix)]
#[test]
fn fix_refuses_a_read_only_file_but_reports_its_findings() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    let p = draft_in(dir.path(), "r.md");
    std::fs::set_permissions(&p, std::fs::Permissions::from_mode(0o444)).unwrap();
    let before = std::fs::read(&p).unwrap();
    let out = check(dir.path(), &[], &["--fix", "--format", "json", "r.md"]);
    assert_eq!(code(&out), 2, "{}", stderr(&out));
    assert_eq!(std::fs::read(&p).unwrap(), before, "not rewritten");
    assert_eq!(mode(&p), 0o444);
    let v = json(&out);
    assert_eq!(v["summary"]["files"], 1, "the file is counted");
    let codes: Vec<&str> = v["files"][0]["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["code"].as_str().unwrap())
        .collect();
    assert!(codes.contains(&"NB301"), "its findings are kept: {codes:?}");
    let m = v["errors"][0]["message"].as_str().unwrap();
    assert!(m.contains("只读") && m.contains("r.md"), "{m}");
    let out = check(dir.path(), &[], &["--fix", "--lang", "en", "r.md"]);
    assert_eq!(code(&out), 2);
    assert!(
        stderr(&out).contains("the file is read-only for you; not fixed"),
        "{}",
        stderr(&out)
    );
}

#[cfg(unix)]
#[test]
fn fix_refuses_a_file_with_hard_links_and_keeps_them() {
    use std::os::unix::fs::MetadataExt;
    let dir = tempfile::tempdir().unwrap();
    let p = draft_in(dir.path(), "r.md");
    let other = dir.path().join("sub");
    std::fs::create_dir(&other).unwrap();
    let link = other.join("link.txt");
    std::fs::hard_link(&p, &link).unwrap();
    let out = check(dir.path(), &[], &["--fix", "--lang", "en", "r.md"]);
    assert_eq!(code(&out), 2, "{}", stderr(&out));
    assert!(stderr(&out).contains("2 hard links"), "{}", stderr(&out));
    let (a, b) = (
        std::fs::metadata(&p).unwrap(),
        std::fs::metadata(&link).unwrap(),
    );
    assert_eq!((a.ino(), a.nlink()), (b.ino(), 2), "still one file");
    assert!(std::fs::read_to_string(&link).unwrap().contains(WRONG));
}

#[test]
fn fix_writes_a_file_whose_name_is_near_the_limit() {
    let dir = tempfile::tempdir().unwrap();
    // 83 CJK characters: 249 bytes, 252 with ".md" (the limit is 255).
    let name = format!("{}.md", "年".repeat(83));
    assert_eq!(name.len(), 252);
    let p = draft_in(dir.path(), &name);
    let out = check(dir.path(), &[], &["--fix", &name]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert!(std::fs::read_to_string(&p).unwrap().contains(RIGHT));
}

#[cfg(target_os = "linux")]
#[test]
fn fix_refuses_fifos_and_devices_and_endless_inputs_are_cut_off() {
    let dir = tempfile::tempdir().unwrap();
    let fifo = dir.path().join("pipe.md");
    let made = Command::new("mkfifo").arg(&fifo).status().unwrap();
    assert!(made.success());
    // Refused before it is opened: no writer, so opening it would block.
    let out = check(dir.path(), &[], &["--fix", "--lang", "en", "pipe.md"]);
    assert_eq!(code(&out), 2, "{}", stderr(&out));
    assert!(
        stderr(&out).contains("rewrites only regular files"),
        "{}",
        stderr(&out)
    );
    let out = check(dir.path(), &[], &["--fix", "/dev/null"]);
    assert_eq!(code(&out), 2, "{}", stderr(&out));
    assert!(stderr(&out).contains("只改写普通文件"), "{}", stderr(&out));

    let out = check(dir.path(), &[], &["/dev/zero"]);
    assert_eq!(code(&out), 2, "{}", stderr(&out));
    assert!(stderr(&out).contains("more than 64 MB"), "{}", stderr(&out));
    let report = draft_in(dir.path(), "r.md");
    let out = Command::new(BIN)
        .current_dir(dir.path())
        .args(["check", "--lang", "en", "--config", "/dev/zero"])
        .arg(&report)
        .output()
        .unwrap();
    assert_eq!(code(&out), 2, "{}", stderr(&out));
    assert!(
        stderr(&out).contains("larger than 16 MB"),
        "{}",
        stderr(&out)
    );
}

// ---------------------------------------------------------------- SARIF

#[cfg(unix)]
#[test]
fn sarif_uris_keep_every_byte_of_the_file_name() {
    use std::os::unix::ffi::OsStrExt;
    let dir = tempfile::tempdir().unwrap();
    let odd = std::ffi::OsStr::from_bytes(b"r\xB1\xA8.md");
    std::fs::copy(fixture("draft.md"), dir.path().join(odd)).unwrap();
    copy_to(dir.path(), "draft.md", "a\\b.md");
    let out = check(dir.path(), &[], &["--format", "sarif", "."]);
    assert_eq!(code(&out), 1, "{}", stderr(&out));
    let v = json(&out);
    let artifacts: Vec<&str> = v["runs"][0]["artifacts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["location"]["uri"].as_str().unwrap())
        .collect();
    assert_eq!(artifacts, ["./a%5Cb.md", "./r%B1%A8.md"]);
    let results: std::collections::BTreeSet<&str> = v["runs"][0]["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
                .as_str()
                .unwrap()
        })
        .collect();
    assert_eq!(results.into_iter().collect::<Vec<_>>(), artifacts);
}
