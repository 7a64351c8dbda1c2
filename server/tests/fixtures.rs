//! Fixture tests as data: every draft under `tests/fixtures/{seeds,rules,variants}`
//! is analysed and its rendered diagnostics compared exactly with the `.expected`
//! file next to it. `UPDATE_EXPECT=1 cargo test --test fixtures` regenerates them.
//!
//! Expected format: a line with the detected format and year, a line with what
//! was read of tables 二/三/四, a count per code, then per diagnostic: code,
//! severity, 1-based line:col range in UTF-16 units, the zh message, the source
//! line(s) with the range marked `⟦…⟧` (tabs shown as `→`, form feeds as `␌`),
//! and for each fix its kind, title and the resulting line(s) with the new text marked.

mod common;

use common::*;
use std::path::Path;

fn check_dir(sub: &str) -> usize {
    let dir = fixtures_dir().join(sub);
    let update = std::env::var_os("UPDATE_EXPECT").is_some();
    let mut failures = Vec::new();
    let files = inputs(&dir);
    assert!(!files.is_empty(), "no fixtures in {}", dir.display());
    for input in &files {
        let src = read(input);
        let got = render(&src);
        let exp_path = Path::new(&format!("{}.expected", input.display())).to_path_buf();
        if update {
            std::fs::write(&exp_path, &got).unwrap();
            continue;
        }
        let want = std::fs::read_to_string(&exp_path).unwrap_or_default();
        if want != got {
            let diff: Vec<String> = want
                .lines()
                .zip(got.lines())
                .enumerate()
                .filter(|(_, (a, b))| a != b)
                .take(3)
                .map(|(i, (a, b))| {
                    format!(
                        "  line {}:\n    expected: {}\n    got:      {}",
                        i + 1,
                        a,
                        b
                    )
                })
                .collect();
            failures.push(format!(
                "{} differs from its .expected ({} vs {} lines)\n{}",
                input.display(),
                want.lines().count(),
                got.lines().count(),
                diff.join("\n")
            ));
        }
    }
    assert!(
        failures.is_empty(),
        "{}\n(run UPDATE_EXPECT=1 cargo test --test fixtures, then review the diff)",
        failures.join("\n")
    );
    files.len()
}

#[test]
fn seeds() {
    check_dir("seeds");
}

#[test]
fn rules() {
    check_dir("rules");
}

#[test]
fn variants() {
    check_dir("variants");
}
