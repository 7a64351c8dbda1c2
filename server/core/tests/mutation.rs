//! Mutation test: in every seed and every variant, change each value cell of
//! tables 三 and 四 — all of them, one at a time — and check that the rules
//! notice and that fix-all repairs the tables by rewriting the located cells only.
//!
//! For each mutation (old value + 7, and old − 1 when that is ≥ 0, written in the
//! cell's digit style):
//! - an NB3xx diagnostic lies on a cell of the changed row or column;
//! - each edit of fix-all stays inside its cell (digits, sign, and the padding
//!   of an aligned pipe cell), so the text outside rewritten cells is
//!   byte-identical;
//! - after fix-all no NB3xx remains — unless fix-all rewrote nothing because
//!   the explanation is not unique (a tie: the count is printed), and then the
//!   remaining finding offers no fix;
//! - every cell fix-all does not edit keeps its value, and fix-all on the
//!   fixed text makes no edit (idempotent).

mod common;

use common::*;
use nianbao_core::model::Report;
use nianbao_core::rules::shared::rewrite_cell;
use nianbao_core::template::CellRef;
use nianbao_core::text::{apply_edits, TextEdit};
use std::path::Path;

#[derive(Default, Debug)]
struct Tally {
    files: usize,
    mutations: usize,
    /// Mutations fix-all leaves alone: the explanation is not unique.
    not_unique: usize,
    edits: usize,
}

fn same_line_or_column(a: CellRef, b: CellRef) -> bool {
    match (a, b) {
        (CellRef::T3 { row: r1, col: c1 }, CellRef::T3 { row: r2, col: c2 }) => {
            r1 == r2 || c1 == c2
        }
        (CellRef::T4 { .. }, CellRef::T4 { .. }) => true,
        _ => false,
    }
}

/// The cell an edit of fix-all rewrites, checking that the edit stays inside it.
fn edited_cell(src: &str, report: &Report, e: &TextEdit) -> CellRef {
    let c = all_cells(report.table3_format())
        .into_iter()
        .find(|c| {
            report
                .cell(*c)
                .map(|cell| cell.range.start <= e.range.end && e.range.start <= cell.range.end)
                .unwrap_or(false)
        })
        .unwrap_or_else(|| panic!("edit {:?} touches no cell", e));
    let cell = report.cell(c).unwrap();
    // The sign before the digits, the digits, and the padding spaces around them.
    let before = &src[..cell.range.start];
    let sign = before
        .chars()
        .next_back()
        .filter(|ch| matches!(ch, '-' | '－' | '−'))
        .map(char::len_utf8)
        .unwrap_or(0);
    let lead = sign
        + before[..before.len() - sign]
            .bytes()
            .rev()
            .take_while(|b| *b == b' ')
            .count();
    let trail = src[cell.range.end..]
        .bytes()
        .take_while(|b| *b == b' ')
        .count();
    assert!(
        e.range.start + lead >= cell.range.start && e.range.end <= cell.range.end + trail,
        "edit {:?} reaches outside cell {} {:?}",
        e,
        c.describe(),
        cell.range
    );
    assert!(
        e.new_text
            .trim_matches(' ')
            .chars()
            .all(|ch| ch.is_ascii_digit() || ('０'..='９').contains(&ch) || ch == ','),
        "edit writes more than a number: {:?}",
        e.new_text
    );
    c
}

fn mutate_file(p: &Path, tally: &mut Tally) {
    let name = p.file_name().unwrap().to_string_lossy().to_string();
    let src = read(p);
    let base = run(&src);
    let format = base.report.table3_format();
    let cells = int_cells(&base.report);
    if cells.is_empty() {
        return;
    }
    tally.files += 1;
    // Every cell up by 7; a nonzero cell also down by 1 (a smaller outcome keeps 四 ≥ 0).
    let changes = cells.iter().flat_map(|&c| {
        let old = base.report.cell(c).unwrap().int().unwrap();
        std::iter::once((c, old + 7)).chain((old > 0).then_some((c, old - 1)))
    });
    for (c, new) in changes {
        let cell = base.report.cell(c).unwrap();
        let old = cell.int().unwrap();
        let mutated = apply_edits(&src, &[rewrite_cell(&src, cell, new)]);
        let what = format!("{}: {} {} → {}", name, c.describe(), old, new);

        let a1 = run_arithmetic(&mutated);
        assert_eq!(
            a1.report.cell(c).and_then(|c| c.int()),
            Some(new),
            "{}: the change is not read back",
            what
        );
        let found = arithmetic(&a1);
        if found.is_empty() && !arithmetic(&base).is_empty() {
            // The change repaired the wrong total of a wrong-total variant.
            tally.mutations += 1;
            continue;
        }
        assert!(
            found
                .iter()
                .any(|(_, d)| d.map(|d| same_line_or_column(c, d)).unwrap_or(false)),
            "{}: no NB3xx on its row or column; found {:?}",
            what,
            found
        );

        let edits = nianbao_core::fix::fix_all(&mutated, &a1.report);
        let edited: Vec<CellRef> = edits
            .iter()
            .map(|e| edited_cell(&mutated, &a1.report, e))
            .collect();
        tally.edits += edits.len();
        let fixed = apply_edits(&mutated, &edits);
        let a2 = run_arithmetic(&fixed);
        let left: Vec<_> = a2
            .diagnostics
            .iter()
            .filter(|d| d.code().starts_with("NB3"))
            .collect();
        for d in &left {
            assert!(
                edits.is_empty() && d.fixes.is_empty(),
                "{}: {} remains after fix-all: {}",
                what,
                d.code(),
                d.message.zh
            );
        }
        if !left.is_empty() {
            tally.not_unique += 1;
        }
        for other in all_cells(format) {
            if !edited.contains(&other) {
                assert_eq!(
                    a2.report.cell(other).map(|c| c.value.clone()),
                    a1.report.cell(other).map(|c| c.value.clone()),
                    "{}: fix-all changed {}, which it did not edit",
                    what,
                    other.describe()
                );
            }
        }
        if name.contains("aligned") {
            // An aligned pipe table stays aligned: every line keeps its display width.
            let widths = |t: &str| {
                t.lines()
                    .map(unicode_width::UnicodeWidthStr::width)
                    .collect::<Vec<_>>()
            };
            assert_eq!(
                widths(&fixed),
                widths(&src),
                "{}: the aligned table lost its alignment",
                what
            );
        }
        let again = nianbao_core::fix::fix_all(&fixed, &a2.report);
        assert!(
            again.is_empty(),
            "{}: fix-all is not idempotent: {:?}",
            what,
            again
        );
        tally.mutations += 1;
    }
}

fn mutate_dir(sub: &str, skip: &[&str]) -> Tally {
    let mut tally = Tally::default();
    for p in inputs(&fixtures_dir().join(sub)) {
        let name = p.file_name().unwrap().to_string_lossy().to_string();
        if skip.iter().any(|s| name.contains(s)) {
            continue;
        }
        mutate_file(&p, &mut tally);
    }
    println!(
        "{}: {} mutations in {} files, {} fix-all edits, {} left alone by fix-all (the explanation is not unique)",
        sub, tally.mutations, tally.files, tally.edits, tally.not_unique
    );
    tally
}

#[test]
fn every_cell_of_every_seed() {
    // 010's table 三 is unreadable (labels detached): int_cells skips it, its table 四 is mutated.
    let t = mutate_dir("seeds", &[]);
    assert!(t.files >= 8 && t.mutations >= 5 * 190 + 2 * 176, "{:?}", t);
}

#[test]
fn every_cell_of_every_variant() {
    // The glued variant has no readable cell.
    let t = mutate_dir("variants", &["glued"]);
    assert!(t.files >= 12 && t.mutations >= 12 * 190, "{:?}", t);
}
