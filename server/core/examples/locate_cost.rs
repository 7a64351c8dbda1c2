//! What locating the wrong cells costs per analysis (`cargo run --release -p
//! nianbao-core --example locate_cost`): over every seed and variant fixture,
//! the table as written, every value cell of tables 三/四 changed (+1, +7, to
//! 0), two cells changed, and tables too inconsistent for three cells (every
//! cell of several rows scrambled). Prints p50 / p99 / max of `Located::of`.
use nianbao_core::identities::{Cells, Evaluation};
use nianbao_core::template::{table3_rows, CellRef, TABLE3_COLUMNS, TABLE4_WIDTH};
use nianbao_core::wrong_cells::{locate_cells, Location};
use std::time::Instant;

fn main() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/fixtures");
    let mut files: Vec<_> = ["seeds", "variants"]
        .iter()
        .flat_map(|d| std::fs::read_dir(root.join(d)).unwrap())
        .map(|e| e.unwrap().path())
        .filter(|p| {
            let n = p.to_string_lossy();
            (n.ends_with(".md") || n.ends_with(".txt")) && !n.ends_with("README.md")
        })
        .collect();
    files.sort();
    let mut kinds: Vec<(&str, Vec<f64>)> = vec![
        ("as written", vec![]),
        ("one cell", vec![]),
        ("two cells", vec![]),
        ("too inconsistent", vec![]),
    ];
    let mut outcomes = [0usize; 4];
    for p in &files {
        let src = std::fs::read_to_string(p).unwrap();
        let report = nianbao_core::parse::parse(&src, None);
        let eval = Evaluation::of(&report);
        let claims = nianbao_core::narrative::claims(&src, &report);
        let format = eval.format;
        let mut cells: Vec<CellRef> = table3_rows(format)
            .flat_map(|(row, _)| (0..TABLE3_COLUMNS.len()).map(move |col| CellRef::T3 { row, col }))
            .collect();
        cells.extend((0..TABLE4_WIDTH).map(|col| CellRef::T4 { col }));
        cells.retain(|&c| eval.written.get(c).is_some());
        let mut time = |k: usize, values: &Cells| {
            let t = Instant::now();
            let l = locate_cells(format, values, || &claims);
            kinds[k].1.push(t.elapsed().as_secs_f64() * 1e3);
            outcomes[match l.location {
                Location::Consistent => 0,
                Location::Unique { .. } => 1,
                Location::Ambiguous { .. } => 2,
                Location::TooInconsistent => 3,
            }] += 1;
        };
        time(0, &eval.written);
        for &c in &cells {
            let old = eval.written.get(c).unwrap();
            for new in [old + 1, old + 7, 0] {
                if new != old {
                    let mut v = eval.written.clone();
                    v.set(c, new);
                    time(1, &v);
                }
            }
        }
        for (n, &a) in cells.iter().enumerate().step_by(5) {
            for &b in cells.iter().skip(n + 1).step_by(9) {
                let mut v = eval.written.clone();
                v.set(a, eval.written.get(a).unwrap() + 2);
                v.set(b, eval.written.get(b).unwrap() + 3);
                time(2, &v);
            }
        }
        let mut x: i64 = 7;
        for rows in [4usize, 8, 26] {
            let mut v = eval.written.clone();
            for &c in cells.iter().take(rows * TABLE3_COLUMNS.len()) {
                x = (x * 1103515245 + 12345) % 2147483648;
                v.set(c, (x >> 16) % 50);
            }
            time(3, &v);
        }
    }
    for (name, mut t) in kinds {
        t.sort_by(|a, b| a.partial_cmp(b).unwrap());
        let at = |q: f64| t[((t.len() - 1) as f64 * q) as usize];
        println!(
            "{name:>16}: {:>6} runs  p50 {:.3} ms  p99 {:.3} ms  max {:.3} ms",
            t.len(),
            at(0.5),
            at(0.99),
            t[t.len() - 1]
        );
    }
    println!(
        "outcomes: {} consistent, {} unique, {} ambiguous, {} too inconsistent",
        outcomes[0], outcomes[1], outcomes[2], outcomes[3]
    );
}
