//! Fuzz smoke without libFuzzer: replay the committed fuzz corpora and every
//! fixture through the same invariants the fuzz targets check.

use std::path::{Path, PathBuf};

fn files_under(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for e in entries.flatten() {
        let p = e.path();
        if p.is_dir() {
            files_under(&p, out);
        } else if !p.to_string_lossy().ends_with(".expected") {
            out.push(p);
        }
    }
}

#[test]
fn corpora_and_fixtures_keep_the_invariants() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let mut files = Vec::new();
    for dir in [
        "fuzz/corpus/analyze",
        "fuzz/corpus/fix_all",
        "tests/fixtures",
    ] {
        files_under(&root.join(dir), &mut files);
    }
    // Only the committed corpus files (the fuzzer's own additions are git-ignored and may be absent).
    assert!(
        files.len() > 50,
        "corpora and fixtures present: {}",
        files.len()
    );
    for f in &files {
        let bytes = std::fs::read(f).unwrap();
        let text = String::from_utf8_lossy(&bytes);
        let r = std::panic::catch_unwind(|| {
            nianbao_testkit::check_analysis(&text);
            nianbao_testkit::check_fix_all(&text);
        });
        assert!(r.is_ok(), "invariant failed on {}", f.display());
    }
}
