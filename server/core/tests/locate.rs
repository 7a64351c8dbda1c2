//! The error localisation over the real system of identities of tables 三 and
//! 四 (both formats): every single wrong cell of table 三 is located exactly,
//! with the value that makes every identity hold; a wrong cell of a table-四
//! group is located at the group total (the cheaper explanation).

use nianbao_core::locate::{locate, Equation, Outcome, Problem};
use nianbao_core::template::{self, CellRef, Format, TABLE3_ROWS, TABLE3_TOTAL_COL, TABLE4_WIDTH};

const COLS: usize = TABLE3_TOTAL_COL + 1;

fn index(c: CellRef) -> usize {
    match c {
        CellRef::T3 { row, col } => row * COLS + col,
        CellRef::T4 { col } => TABLE3_ROWS.len() * COLS + col,
    }
}

fn n_cells() -> usize {
    TABLE3_ROWS.len() * COLS + TABLE4_WIDTH
}

fn system(format: Format) -> (Vec<Equation>, Vec<u32>) {
    let ids = template::identity_table(format);
    let eqs = ids
        .iter()
        .map(|i| {
            let l: Vec<usize> = i.lhs.iter().map(|&c| index(c)).collect();
            let r: Vec<usize> = i.rhs.iter().map(|&c| index(c)).collect();
            Equation::balance(&l, &r)
        })
        .collect();
    // A pure sum's total is slightly cheaper than a part.
    let mut w = vec![10u32; n_cells()];
    for i in ids.iter().filter(|i| i.kind != template::IdentityKind::C) {
        w[index(i.target)] = 9;
    }
    (eqs, w)
}

/// A consistent table: outcome rows from a simple generator, totals computed.
fn consistent(format: Format, seed: i64) -> Vec<i64> {
    let mut v = vec![0i64; n_cells()];
    let rows: Vec<(usize, &template::Table3Row)> = template::table3_rows(format).collect();
    let mut x = seed;
    let mut next = || {
        x = (x * 1103515245 + 12345) % 2147483648;
        (x >> 16) % 4
    };
    for &(r, d) in &rows {
        if d.role == template::Role::Outcome || d.role == template::Role::CarriedOut {
            for c in 0..TABLE3_TOTAL_COL {
                v[index(CellRef::T3 { row: r, col: c })] = next();
            }
        }
    }
    let role = |want| rows.iter().find(|(_, d)| d.role == want).unwrap().0;
    let (new, carried_in, total, out) = (
        role(template::Role::New),
        role(template::Role::CarriedIn),
        role(template::Role::OutcomeTotal),
        role(template::Role::CarriedOut),
    );
    for c in 0..TABLE3_TOTAL_COL {
        let sum: i64 = rows
            .iter()
            .filter(|(_, d)| d.role == template::Role::Outcome)
            .map(|(r, _)| v[index(CellRef::T3 { row: *r, col: c })])
            .sum();
        v[index(CellRef::T3 { row: total, col: c })] = sum;
        let need = sum + v[index(CellRef::T3 { row: out, col: c })];
        let cin = need.min(1);
        v[index(CellRef::T3 {
            row: carried_in,
            col: c,
        })] = cin;
        v[index(CellRef::T3 { row: new, col: c })] = need - cin;
    }
    for &(r, _) in &rows {
        v[index(CellRef::T3 {
            row: r,
            col: TABLE3_TOTAL_COL,
        })] = (0..TABLE3_TOTAL_COL)
            .map(|c| v[index(CellRef::T3 { row: r, col: c })])
            .sum();
    }
    for g in 0..3 {
        let mut s = 0;
        for i in 0..4 {
            let val = next();
            v[index(CellRef::T4 { col: g * 5 + i })] = val;
            s += val;
        }
        v[index(CellRef::T4 { col: g * 5 + 4 })] = s;
    }
    v
}

fn cells(format: Format) -> Vec<CellRef> {
    let mut out: Vec<CellRef> = template::table3_rows(format)
        .flat_map(|(row, _)| (0..COLS).map(move |col| CellRef::T3 { row, col }))
        .collect();
    out.extend((0..TABLE4_WIDTH).map(|col| CellRef::T4 { col }));
    out
}

#[test]
fn every_single_wrong_cell_is_located() {
    for format in [Format::F2021, Format::F2019] {
        let (eqs, w) = system(format);
        for seed in 1..4 {
            let ok = consistent(format, seed);
            let problem = |values: &[i64]| {
                locate(&Problem {
                    equations: &eqs,
                    values,
                    weights: &w,
                    fixed: &[],
                    max_cells: 3,
                })
            };
            assert_eq!(problem(&ok), Outcome::Consistent, "{format:?} seed {seed}");
            for cell in cells(format) {
                let i = index(cell);
                for wrong in [0, ok[i] + 1, ok[i] + 7, ok[i] * 10 + 1] {
                    if wrong == ok[i] {
                        continue;
                    }
                    let mut v = ok.clone();
                    v[i] = wrong;
                    let Outcome::Located { best, .. } = problem(&v) else {
                        panic!("{format:?} {cell:?} = {wrong}: not located");
                    };
                    assert_eq!(best.len(), 1, "{format:?} {cell:?} = {wrong}: {best:?}");
                    match cell {
                        CellRef::T3 { .. } => {
                            assert_eq!(best[0].cells, vec![(i, Some(ok[i]))], "{cell:?}")
                        }
                        CellRef::T4 { col } => {
                            // the group total, with the sum of the parts as written
                            let total = index(CellRef::T4 {
                                col: col / 5 * 5 + 4,
                            });
                            assert_eq!(best[0].cells.len(), 1, "{cell:?}");
                            assert_eq!(best[0].cells[0].0, total, "{cell:?}");
                            if i == total {
                                assert_eq!(best[0].cells[0].1, Some(ok[i]));
                            }
                        }
                    }
                }
            }
        }
    }
}

/// Two wrong cells in different rows and columns of table 三: how often both
/// are located exactly (printed, not a threshold; every located pair must be
/// the true one or an explanation of the same size).
#[test]
fn two_wrong_cells() {
    let format = Format::F2021;
    let (eqs, w) = system(format);
    let ok = consistent(format, 2);
    let t3: Vec<CellRef> = cells(format)
        .into_iter()
        .filter(|c| matches!(c, CellRef::T3 { .. }))
        .collect();
    let (mut tried, mut exact) = (0, 0);
    for (n, a) in t3.iter().enumerate().step_by(3) {
        for b in t3.iter().skip(n + 1).step_by(5) {
            let (CellRef::T3 { row: ra, col: ca }, CellRef::T3 { row: rb, col: cb }) = (a, b)
            else {
                continue;
            };
            if ra == rb || ca == cb {
                continue;
            }
            let mut v = ok.clone();
            v[index(*a)] += 2;
            v[index(*b)] += 3;
            tried += 1;
            let out = locate(&Problem {
                equations: &eqs,
                values: &v,
                weights: &w,
                fixed: &[],
                max_cells: 3,
            });
            if let Outcome::Located { best, .. } = out {
                let mut want = vec![
                    (index(*a), Some(ok[index(*a)])),
                    (index(*b), Some(ok[index(*b)])),
                ];
                want.sort();
                if best.len() == 1 && best[0].cells == want {
                    exact += 1;
                }
                assert!(
                    best.iter().all(|e| e.cells.len() <= 2),
                    "{a:?} {b:?}: {best:?}"
                );
            }
        }
    }
    println!("two wrong cells: {exact} of {tried} pairs located exactly");
    assert!(tried > 50);
}
