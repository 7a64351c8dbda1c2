//! Error localisation in the paradigm of Fellegi and Holt (1976), as official
//! statistics uses it (Statistics Netherlands' `editrules`, `errorlocate`,
//! `deducorrect`): when a table's identities fail, find the smallest (weighted)
//! set of cells whose values can be changed — to non-negative integers — so
//! that every identity holds, and the values they must then have.
//!
//! The system is abstract here: cells are numbered `0..n`, each identity is a
//! linear equation `Σ coef·x = 0` over them. The search is a branch and bound
//! over hitting sets: every failing equation must contain a changed cell, so
//! the search branches on the cells of the first failing equation not yet hit
//! (each set is visited once: in branch `i` the cells before `i` are excluded),
//! up to `max_cells` cells, smallest sets first. A set is feasible when the
//! equations that read its cells, with every other cell at its written value,
//! have one non-negative integer solution; a set whose values the equations do
//! not determine is kept as a candidate without values.
//!
//! Weights break ties between sets of one size (a total is slightly cheaper than
//! a part, so that recomputing totals wins among equally small explanations);
//! a smaller set always beats a larger one as long as every weight lies within
//! a factor of two of the others. No rules, no messages: the identities module
//! builds the system from the template and the rules say what the result means.

/// One identity: `Σ coef · value[cell] = 0`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Equation {
    pub terms: Vec<(usize, i64)>,
}

impl Equation {
    /// `Σ lhs = Σ rhs` (a cell on both sides cancels out).
    pub fn balance(lhs: &[usize], rhs: &[usize]) -> Self {
        let mut terms: Vec<(usize, i64)> = Vec::with_capacity(lhs.len() + rhs.len());
        for (&c, s) in lhs
            .iter()
            .map(|c| (c, 1))
            .chain(rhs.iter().map(|c| (c, -1)))
        {
            match terms.iter_mut().find(|t| t.0 == c) {
                Some(t) => t.1 += s,
                None => terms.push((c, s)),
            }
        }
        terms.retain(|t| t.1 != 0);
        Equation { terms }
    }

    /// The residual `Σ coef·value` (0 when the identity holds), `None` on overflow.
    pub fn residual(&self, values: &[i64]) -> Option<i64> {
        self.terms.iter().try_fold(0i64, |acc, &(c, k)| {
            acc.checked_add(k.checked_mul(*values.get(c)?)?)
        })
    }

    fn reads(&self, cell: usize) -> bool {
        self.terms.iter().any(|t| t.0 == cell)
    }
}

/// What the search may change and how much each change costs.
#[derive(Clone, Debug)]
pub struct Problem<'a> {
    pub equations: &'a [Equation],
    /// The written value of every cell.
    pub values: &'a [i64],
    /// The cost of changing each cell (all > 0).
    pub weights: &'a [u32],
    /// Cells taken as intended (e.g. typed by the user just now): never changed.
    pub fixed: &'a [bool],
    /// The largest set of cells the search considers.
    pub max_cells: usize,
}

/// A set of cells that explains every failing identity.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Explanation {
    /// The cells, ascending, each with the value that makes every identity hold
    /// (`None` when the identities do not determine it).
    pub cells: Vec<(usize, Option<i64>)>,
    pub weight: u32,
}

impl Explanation {
    /// Every cell has a determined value.
    pub fn determined(&self) -> bool {
        self.cells.iter().all(|c| c.1.is_some())
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Outcome {
    /// Every identity holds.
    Consistent,
    /// The explanations of the smallest weight (one when the location is
    /// unique), then the others of the same size, by weight.
    Located {
        best: Vec<Explanation>,
        others: Vec<Explanation>,
    },
    /// No set of at most `max_cells` cells explains the failures.
    TooInconsistent,
}

/// Locate the cells to change (see the module documentation).
pub fn locate(p: &Problem) -> Outcome {
    let failing: Vec<usize> = p
        .equations
        .iter()
        .enumerate()
        .filter(|(_, e)| e.residual(p.values) != Some(0))
        .map(|(i, _)| i)
        .collect();
    if failing.is_empty() {
        return Outcome::Consistent;
    }
    for size in 1..=p.max_cells {
        let mut found = Vec::new();
        let mut set = Vec::with_capacity(size);
        let mut excluded = vec![false; p.values.len()];
        search(p, &failing, size, &mut set, &mut excluded, &mut found);
        if !found.is_empty() {
            found.sort_by(|a: &Explanation, b| (a.weight, &a.cells).cmp(&(b.weight, &b.cells)));
            found.dedup();
            let w = found[0].weight;
            let split = found
                .iter()
                .position(|e| e.weight != w)
                .unwrap_or(found.len());
            let others = found.split_off(split);
            return Outcome::Located {
                best: found,
                others,
            };
        }
    }
    Outcome::TooInconsistent
}

fn search(
    p: &Problem,
    failing: &[usize],
    size: usize,
    set: &mut Vec<usize>,
    excluded: &mut [bool],
    found: &mut Vec<Explanation>,
) {
    let unhit = failing
        .iter()
        .copied()
        .find(|&e| !set.iter().any(|&c| p.equations[e].reads(c)));
    let open = |c: &usize| !excluded[*c] && !p.fixed.get(*c).copied().unwrap_or(false);
    let choices: Vec<usize> = match unhit {
        Some(e) => {
            if set.len() == size || lower_bound(p, failing, set, excluded) > size - set.len() {
                return;
            }
            p.equations[e]
                .terms
                .iter()
                .map(|t| t.0)
                .filter(open)
                .collect()
        }
        None if set.len() == size => {
            if let Some(x) = solve(p, set) {
                found.push(x);
            }
            return;
        }
        None => {
            // Every failing identity is hit, but changing these cells alone
            // would break identities that hold now: add a cell of one of
            // the identities that read them.
            let mut near: Vec<usize> = p
                .equations
                .iter()
                .filter(|eq| set.iter().any(|&c| eq.reads(c)))
                .flat_map(|eq| eq.terms.iter().map(|t| t.0))
                .filter(|c| !set.contains(c))
                .filter(open)
                .collect();
            near.sort_unstable();
            near.dedup();
            near
        }
    };
    let mut newly = Vec::new();
    for c in choices {
        set.push(c);
        search(p, failing, size, set, excluded, found);
        set.pop();
        // Sets with `c` are done: the next branches leave it out.
        excluded[c] = true;
        newly.push(c);
    }
    for c in newly {
        excluded[c] = false;
    }
}

/// How many more cells are needed at least: failing equations not yet hit that
/// share no cell the search may still choose (greedy packing).
fn lower_bound(p: &Problem, failing: &[usize], set: &[usize], excluded: &[bool]) -> usize {
    let mut taken: Vec<usize> = Vec::new();
    let mut n = 0;
    for &e in failing {
        let eq = &p.equations[e];
        if set.iter().any(|&c| eq.reads(c)) {
            continue;
        }
        let open: Vec<usize> = eq
            .terms
            .iter()
            .map(|t| t.0)
            .filter(|&c| !excluded[c] && !p.fixed.get(c).copied().unwrap_or(false))
            .collect();
        if open.is_empty() {
            return usize::MAX; // this equation can no longer be hit
        }
        if open.iter().all(|c| !taken.contains(c)) {
            n += 1;
            taken.extend(open);
        }
    }
    n
}

/// The values of `set` that make every equation hold with the other cells as
/// written: `None` when there is none (or none non-negative and integral).
fn solve(p: &Problem, set: &[usize]) -> Option<Explanation> {
    let k = set.len();
    // Rows [a_1 … a_k | b] over i128: Σ a_j x_j = b.
    let mut rows: Vec<Vec<i128>> = Vec::new();
    for eq in p.equations {
        let mut row = vec![0i128; k + 1];
        let mut touches = false;
        let mut rest: i128 = 0;
        for &(c, coef) in &eq.terms {
            match set.iter().position(|&s| s == c) {
                Some(j) => {
                    row[j] += coef as i128;
                    touches = true;
                }
                None => rest += coef as i128 * p.values[c] as i128,
            }
        }
        if !touches {
            if rest != 0 {
                return None;
            }
            continue;
        }
        row[k] = -rest;
        rows.push(row);
    }
    // Fraction-free Gaussian elimination.
    let mut pivots = Vec::new();
    let mut r = 0;
    for col in 0..k {
        let Some(pr) = (r..rows.len()).find(|&i| rows[i][col] != 0) else {
            continue;
        };
        rows.swap(r, pr);
        for i in 0..rows.len() {
            if i != r && rows[i][col] != 0 {
                let (a, b) = (rows[r][col], rows[i][col]);
                let pivot = rows[r].clone();
                for (x, p) in rows[i].iter_mut().zip(&pivot) {
                    *x = *x * a - p * b;
                }
                let g = rows[i].iter().fold(0i128, |g, &x| gcd(g, x.abs()));
                if g > 1 {
                    rows[i].iter_mut().for_each(|x| *x /= g);
                }
            }
        }
        pivots.push((r, col));
        r += 1;
    }
    if rows[r..].iter().any(|row| row[k] != 0) {
        return None; // inconsistent
    }
    let mut cells: Vec<(usize, Option<i64>)> = set.iter().map(|&c| (c, None)).collect();
    if pivots.len() == k {
        for &(row, col) in &pivots {
            let (a, b) = (rows[row][col], rows[row][k]);
            if b % a != 0 {
                return None;
            }
            let v = b / a;
            if v < 0 || v > i64::MAX as i128 {
                return None;
            }
            let v = v as i64;
            if v == p.values[set[col]] {
                return None; // this cell need not change: a smaller set explains it
            }
            cells[col].1 = Some(v);
        }
    }
    cells.sort();
    let weight = set.iter().map(|&c| p.weights[c]).sum();
    Some(Explanation { cells, weight })
}

fn gcd(a: i128, b: i128) -> i128 {
    if b == 0 {
        a
    } else {
        gcd(b, a % b)
    }
}

/// How a written figure may have come from the intended one by a slip of the
/// keyboard, as `deducorrect` recognises them.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Slip {
    /// Two adjacent digits swapped: 19 for 91.
    Swap,
    /// One digit wrong: 18 for 19.
    OneDigit,
    /// A digit typed twice: 119 for 19.
    Doubled,
    /// A digit left out: 9 for 19.
    Dropped,
}

/// The slip that turns `intended` into `written`, if it is one of [`Slip`].
pub fn slip(written: i64, intended: i64) -> Option<Slip> {
    if written == intended || written < 0 || intended < 0 {
        return None;
    }
    let (w, i) = (written.to_string(), intended.to_string());
    let (w, i) = (w.as_bytes(), i.as_bytes());
    if w.len() == i.len() {
        let diff: Vec<usize> = (0..w.len()).filter(|&k| w[k] != i[k]).collect();
        return match diff[..] {
            [_] => Some(Slip::OneDigit),
            [a, b] if b == a + 1 && w[a] == i[b] && w[b] == i[a] => Some(Slip::Swap),
            _ => None,
        };
    }
    let (long, short) = if w.len() > i.len() { (w, i) } else { (i, w) };
    if long.len() != short.len() + 1 {
        return None;
    }
    // `long` is `short` with one digit inserted at k.
    let k = (0..short.len())
        .find(|&k| long[k] != short[k])
        .unwrap_or(short.len());
    if long[k + 1..] != short[k..] {
        return None;
    }
    if w.len() > i.len() {
        let doubled = (k > 0 && long[k] == long[k - 1]) || long.get(k + 1) == Some(&long[k]);
        doubled.then_some(Slip::Doubled)
    } else {
        Some(Slip::Dropped)
    }
}

/// A decimal point put one or more places off (an amount in 万元 written as
/// 12.5 for 1.25): the two amounts differ by a power of ten.
pub fn misplaced_point(written: f64, intended: f64) -> bool {
    if !(written > 0.0 && intended > 0.0) || written == intended {
        return false;
    }
    let r = (written / intended).log10();
    (r.round() - r).abs() < 1e-9 && r.round() != 0.0
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A 2×2 table with row totals, column totals and a grand total:
    /// cells 0 1 | 2
    ///       3 4 | 5
    ///       6 7 | 8
    fn grid() -> Vec<Equation> {
        vec![
            Equation::balance(&[2], &[0, 1]),
            Equation::balance(&[5], &[3, 4]),
            Equation::balance(&[8], &[6, 7]),
            Equation::balance(&[6], &[0, 3]),
            Equation::balance(&[7], &[1, 4]),
            Equation::balance(&[8], &[2, 5]),
        ]
    }

    fn weights() -> Vec<u32> {
        // totals 9, parts 10
        vec![10, 10, 9, 10, 10, 9, 9, 9, 9]
    }

    fn run(values: &[i64], fixed: &[bool]) -> Outcome {
        let eqs = grid();
        locate(&Problem {
            equations: &eqs,
            values,
            weights: &weights(),
            fixed,
            max_cells: 3,
        })
    }

    const OK: [i64; 9] = [1, 2, 3, 4, 5, 9, 5, 7, 12];

    #[test]
    fn consistent_table() {
        assert_eq!(run(&OK, &[]), Outcome::Consistent);
    }

    #[test]
    fn every_single_wrong_cell_is_found_with_its_value() {
        for cell in 0..9 {
            for wrong in [0, OK[cell] + 1, OK[cell] + 10] {
                if wrong == OK[cell] {
                    continue;
                }
                let mut v = OK;
                v[cell] = wrong;
                match run(&v, &[]) {
                    Outcome::Located { best, .. } => {
                        assert_eq!(best.len(), 1, "cell {cell} = {wrong}: {best:?}");
                        assert_eq!(best[0].cells, vec![(cell, Some(OK[cell]))]);
                    }
                    o => panic!("cell {cell}: {o:?}"),
                }
            }
        }
    }

    #[test]
    fn a_fixed_cell_is_kept_and_the_sums_around_it_move() {
        let mut v = OK;
        v[0] = 4; // typed: 4 instead of 1
        let mut fixed = [false; 9];
        fixed[0] = true;
        match run(&v, &fixed) {
            Outcome::Located { best, .. } => {
                assert_eq!(best.len(), 1, "{best:?}");
                // row total, column total and grand total follow the typed cell
                assert_eq!(
                    best[0].cells,
                    vec![(2, Some(6)), (6, Some(8)), (8, Some(15))]
                );
            }
            o => panic!("{o:?}"),
        }
    }

    #[test]
    fn a_negative_or_fractional_value_is_no_explanation() {
        // 0 + 0 = 2 in the row: changing 0 or 1 works (2), changing 2 works (0).
        let eqs = vec![Equation::balance(&[2], &[0, 1])];
        let p = Problem {
            equations: &eqs,
            values: &[0, 0, 2],
            weights: &[10, 10, 9],
            fixed: &[],
            max_cells: 1,
        };
        match locate(&p) {
            Outcome::Located { best, others } => {
                assert_eq!(
                    best,
                    vec![Explanation {
                        cells: vec![(2, Some(0))],
                        weight: 9
                    }]
                );
                assert_eq!(others.len(), 2);
            }
            o => panic!("{o:?}"),
        }
        // 2x = 3 has no integral solution.
        let eqs = vec![Equation {
            terms: vec![(0, 2), (1, -3)],
        }];
        let p = Problem {
            equations: &eqs,
            values: &[0, 1],
            weights: &[10, 10],
            fixed: &[false, true],
            max_cells: 1,
        };
        assert_eq!(locate(&p), Outcome::TooInconsistent);
    }

    #[test]
    fn ties_are_all_reported() {
        // a + b = t with t wrong by the same amount either way: a and b tie.
        let eqs = vec![Equation::balance(&[2], &[0, 1])];
        let p = Problem {
            equations: &eqs,
            values: &[1, 1, 3],
            weights: &[10, 10, 10],
            fixed: &[],
            max_cells: 1,
        };
        match locate(&p) {
            Outcome::Located { best, .. } => assert_eq!(best.len(), 3),
            o => panic!("{o:?}"),
        }
    }

    #[test]
    fn beyond_the_bound_the_table_is_too_inconsistent() {
        let v = [5, 5, 0, 5, 5, 0, 0, 0, 3];
        let eqs = grid();
        let p = Problem {
            equations: &eqs,
            values: &v,
            weights: &weights(),
            fixed: &[],
            max_cells: 2,
        };
        assert_eq!(locate(&p), Outcome::TooInconsistent);
    }

    #[test]
    fn overflowing_values_do_not_wrap() {
        let eqs = vec![Equation::balance(&[2], &[0, 1])];
        let v = [i64::MAX, i64::MAX, 1];
        assert_eq!(eqs[0].residual(&v), None);
        let p = Problem {
            equations: &eqs,
            values: &v,
            weights: &[10, 10, 9],
            fixed: &[],
            max_cells: 1,
        };
        // t = 2·MAX does not fit in a cell, and a part would have to be negative.
        assert_eq!(locate(&p), Outcome::TooInconsistent);
    }

    #[test]
    fn slips_of_the_keyboard() {
        assert_eq!(slip(19, 91), Some(Slip::Swap));
        assert_eq!(slip(123, 213), Some(Slip::Swap));
        assert_eq!(slip(18, 19), Some(Slip::OneDigit));
        assert_eq!(slip(119, 19), Some(Slip::Doubled));
        assert_eq!(slip(199, 19), Some(Slip::Doubled));
        assert_eq!(slip(9, 19), Some(Slip::Dropped));
        assert_eq!(slip(1, 19), Some(Slip::Dropped));
        assert_eq!(slip(129, 19), None); // an inserted digit that is not a repeat
        assert_eq!(slip(31, 19), None);
        assert_eq!(slip(5, 5), None);
        assert_eq!(slip(1000, 1), None);
        assert!(misplaced_point(12.5, 1.25));
        assert!(misplaced_point(0.125, 12.5));
        assert!(!misplaced_point(12.5, 12.6));
        assert!(!misplaced_point(3.0, 3.0));
    }
}
