//! The recall issue #12 asks for, measured through the command line as a user
//! runs it (`cargo run -p nianbao --example recall_cli -- target/release/nianbao`):
//! in every seed and variant whose tables add up, each value cell of table 三 is
//! changed up by one, down by one and to 0, written to a file, and
//!
//! - `nianbao check --format json` is asked for its errors: the share with
//!   exactly one error more than the report had, on the changed cell;
//! - `nianbao check --fix` rewrites a copy: the share given back byte for byte
//!   (in the changed cell's digit style where the change erased the original's,
//!   e.g. "1,009" → "0" → "1009").
//!
//! Measured on 4 December 2026 (release build): seeds 7 files, 1151 changes,
//! 1151 with exactly one error on the changed cell and 1151 given back by
//! `check --fix`; variants 12 files, 2442 changes, 2442 and 2442. (Before the
//! wrong cells were located, issue #12 measured 30/216 and 110/449.)
use nianbao_core::rules::shared::rewrite_cell;
use nianbao_core::template::{table3_rows, CellRef, TABLE3_COLUMNS};
use nianbao_core::text::apply_edits;
use std::path::{Path, PathBuf};
use std::process::Command;

/// (line, UTF-16 column) of a byte offset, as the JSON output counts.
fn position(src: &str, offset: usize) -> (usize, usize) {
    let before = &src[..offset];
    let line = before.matches('\n').count();
    let start = before.rfind('\n').map_or(0, |i| i + 1);
    (line, before[start..].encode_utf16().count())
}

fn errors(bin: &Path, file: &Path) -> Vec<(String, usize, usize)> {
    let out = Command::new(bin)
        .args(["check", "--format", "json"])
        .arg(file)
        .output()
        .expect("run nianbao");
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON output");
    v["files"][0]["diagnostics"]
        .as_array()
        .map(|ds| {
            ds.iter()
                .filter(|d| d["severity"] == "error")
                .map(|d| {
                    let s = &d["range"]["start"];
                    (
                        d["code"].as_str().unwrap_or("").to_string(),
                        s["line"].as_u64().unwrap() as usize,
                        s["character"].as_u64().unwrap() as usize,
                    )
                })
                .collect()
        })
        .unwrap_or_default()
}

fn main() {
    let bin = PathBuf::from(std::env::args().nth(1).expect("path of the nianbao binary"));
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/fixtures");
    let tmp = std::env::temp_dir().join(format!("nianbao-recall-{}", std::process::id()));
    std::fs::create_dir_all(&tmp).unwrap();
    for dir in ["seeds", "variants"] {
        let mut files: Vec<PathBuf> = std::fs::read_dir(root.join(dir))
            .unwrap()
            .map(|e| e.unwrap().path())
            .filter(|p| {
                let n = p.to_string_lossy();
                (n.ends_with(".md") || n.ends_with(".txt")) && !n.ends_with("README.md")
            })
            .collect();
        files.sort();
        let (mut used, mut tried, mut exact, mut restored) = (0, 0, 0, 0);
        let mut misses: Vec<String> = Vec::new();
        for p in &files {
            let src = std::fs::read_to_string(p).unwrap();
            let ext = p.extension().unwrap().to_string_lossy().to_string();
            let base = tmp.join(format!("base.{ext}"));
            std::fs::write(&base, &src).unwrap();
            let base_errors = errors(&bin, &base);
            let report = nianbao_core::parse::parse(&src, None);
            if base_errors.iter().any(|e| e.0.starts_with("NB3")) || report.table3.is_none() {
                continue; // a variant with a wrong total on purpose, or no table 三
            }
            used += 1;
            let cells: Vec<CellRef> = table3_rows(report.format)
                .flat_map(|(row, _)| {
                    (0..TABLE3_COLUMNS.len()).map(move |col| CellRef::T3 { row, col })
                })
                .filter(|&c| report.cell(c).and_then(|x| x.int()).is_some())
                .collect();
            for c in cells {
                let cell = report.cell(c).unwrap();
                let old = cell.int().unwrap();
                let mut news = vec![old + 1];
                if old > 0 {
                    news.push(old - 1);
                }
                if old > 1 {
                    news.push(0);
                }
                for new in news {
                    tried += 1;
                    let mutated = apply_edits(&src, &[rewrite_cell(&src, cell, new)]);
                    let file = tmp.join(format!("mutated.{ext}"));
                    std::fs::write(&file, &mutated).unwrap();
                    let changed = nianbao_core::parse::parse(&mutated, None);
                    let at = changed.cell(c).unwrap();
                    // The errors the change brought (a report may have another
                    // error of its own, e.g. a missing section).
                    let found: Vec<_> = errors(&bin, &file)
                        .into_iter()
                        .filter(|e| !base_errors.contains(e))
                        .collect();
                    let (line, col) = position(&mutated, at.range.start);
                    if found.len() == 1 && found[0].1 == line && found[0].2 == col {
                        exact += 1;
                    } else if misses.len() < 5 {
                        misses.push(format!(
                            "{}: {} {old} → {new}: errors at {found:?}",
                            p.file_name().unwrap().to_string_lossy(),
                            c.describe()
                        ));
                    }
                    let back = apply_edits(&mutated, &[rewrite_cell(&mutated, at, old)]);
                    let _ = Command::new(&bin)
                        .args(["check", "--fix"])
                        .arg(&file)
                        .output();
                    if std::fs::read_to_string(&file).unwrap() == back {
                        restored += 1;
                    }
                }
            }
        }
        println!(
            "{dir}: {used} files, {tried} single-cell changes of table 三: exactly one error, on the changed cell: {exact} ({:.1}%); given back by check --fix: {restored} ({:.1}%)",
            100.0 * exact as f64 / tried.max(1) as f64,
            100.0 * restored as f64 / tried.max(1) as f64
        );
        for m in misses {
            println!("  e.g. {m}");
        }
    }
    let _ = std::fs::remove_dir_all(&tmp);
}
