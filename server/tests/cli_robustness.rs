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
