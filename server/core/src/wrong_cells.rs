//! Which cells of tables 三 and 四 are wrong: the identities of the report as a
//! system of equations over its cells, handed to the error localisation
//! ([`crate::locate`]), and the smallest explanation read back in cells.
//!
//! - cells: every cell of tables 三 and 四, numbered densely; only the
//!   identities the evaluation can judge take part (every part a count, the
//!   target an integer): a cell that holds no number is never changed, and the
//!   identities that read it are left out (the shape rules report it);
//! - weights: the total of a pure sum (the 总计 column, the （七）总计 row, a
//!   table-四 group total) costs 9, every other cell 10, so that among equally
//!   small explanations recomputing totals wins;
//! - a cell another cell reads too (a mangled draft) is never changed;
//! - at most [`MAX_CELLS`] cells.
//!
//! When several explanations are equally good, the figures the prose states
//! ([`crate::narrative::claims`]) decide between them where one agrees with
//! them and the others contradict them.

use crate::identities::{evaluate, is_count, Cells, Evaluation};
use crate::locate::{self, Equation, Problem};
use crate::narrative::{Claim, Quantity};
use crate::template::{
    identity_table, CellRef, Format, Identity, IdentityKind, T3Row, TABLE3_COLUMNS, TABLE3_ROWS,
    TABLE3_TOTAL_COL, TABLE4_WIDTH,
};

/// The largest explanation searched for.
pub const MAX_CELLS: usize = 3;

const COLS: usize = TABLE3_COLUMNS.len();
const T3: usize = TABLE3_ROWS.len() * COLS;
const N: usize = T3 + TABLE4_WIDTH;

fn index(c: CellRef) -> usize {
    match c {
        CellRef::T3 { row, col } => row * COLS + col,
        CellRef::T4 { col } => T3 + col,
    }
}

fn cell(i: usize) -> CellRef {
    if i < T3 {
        CellRef::T3 {
            row: i / COLS,
            col: i % COLS,
        }
    } else {
        CellRef::T4 { col: i - T3 }
    }
}

/// One cell of an explanation: its value as written and the value that makes
/// every identity hold (`None` when the identities do not determine it).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Change {
    pub cell: CellRef,
    pub written: i64,
    pub value: Option<i64>,
}

/// A set of cells that, changed, makes every identity hold.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Candidate {
    /// In cell order.
    pub changes: Vec<Change>,
}

impl Candidate {
    /// Every value determined and a count.
    pub fn writable(&self) -> bool {
        self.changes.iter().all(|c| c.value.is_some_and(is_count))
    }
    /// The change of `c`, if `c` is one of the cells.
    pub fn change(&self, c: CellRef) -> Option<&Change> {
        self.changes.iter().find(|x| x.cell == c)
    }
}

/// Where the prose stood on the candidates.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ProseVerdict {
    /// The figure that decided (one the winner agrees with and another
    /// candidate contradicts).
    pub quantity: Quantity,
    pub value: i64,
}

/// What the identities say about the report's cells.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Location {
    /// Every identity that can be judged holds.
    Consistent,
    /// One smallest explanation, every value determined and a count.
    Unique {
        candidate: Candidate,
        /// Set when the table alone left several explanations and the prose
        /// decided between them.
        prose: Option<ProseVerdict>,
    },
    /// Several explanations equally good (or one the identities do not
    /// determine): nothing is rewritten.
    Ambiguous { candidates: Vec<Candidate> },
    /// No explanation of at most [`MAX_CELLS`] cells.
    TooInconsistent,
}

/// The located cells of a report with the identities judged.
#[derive(Clone, Debug)]
pub struct Located {
    pub format: Format,
    pub location: Location,
    /// The identities of the system (judgeable on the written values) that
    /// fail as written, in template order.
    pub broken: Vec<&'static Identity>,
}

impl Located {
    /// Locate the wrong cells of the report evaluated in `eval`, with the
    /// figures the prose states as evidence between equal explanations (read
    /// only when the tables leave a tie).
    pub fn of<'c>(eval: &Evaluation, claims: impl FnOnce() -> &'c [Claim]) -> Located {
        locate_cells(eval.format, &eval.written, claims)
    }

    /// The unique explanation, if there is one.
    pub fn unique(&self) -> Option<&Candidate> {
        match &self.location {
            Location::Unique { candidate, .. } => Some(candidate),
            _ => None,
        }
    }

    /// The identity kind that names a located cell: the first broken identity
    /// whose total it is, else the last identity whose total it is (for
    /// （七）总计·总计, the total of both A and B: B, the sum of the outcome
    /// rows it heads); `None` for a part no identity solves for.
    pub fn kind_of(&self, c: CellRef) -> Option<IdentityKind> {
        self.broken
            .iter()
            .find(|i| i.target == c)
            .map(|i| i.kind)
            .or_else(|| {
                identity_table(self.format)
                    .iter()
                    .rev()
                    .find(|i| i.target == c)
                    .map(|i| i.kind)
            })
    }

    /// The broken identities that read `c`.
    pub fn broken_reading(&self, c: CellRef) -> impl Iterator<Item = &'static Identity> + '_ {
        self.broken
            .iter()
            .copied()
            .filter(move |i| i.cells().any(|x| x == c))
    }
}

/// The identity kind that names a located cell: the first identity (in
/// template order) whose target it is, `None` for a part no identity solves
/// for.
pub fn target_kind(format: Format, c: CellRef) -> Option<IdentityKind> {
    identity_table(format)
        .iter()
        .find(|i| i.target == c)
        .map(|i| i.kind)
}

/// [`Located::of`] over the cells as written.
pub fn locate_cells<'c>(
    format: Format,
    written: &Cells,
    claims: impl FnOnce() -> &'c [Claim],
) -> Located {
    let idents = identity_table(format);
    let mut values = vec![0i64; N];
    let mut fixed = vec![true; N];
    let mut weights = vec![10u32; N];
    let mut equations = Vec::new();
    let mut included: Vec<&'static Identity> = Vec::new();
    for ident in idents {
        if evaluate(ident, written).is_err() {
            continue;
        }
        let l: Vec<usize> = ident.lhs.iter().map(|&c| index(c)).collect();
        let r: Vec<usize> = ident.rhs.iter().map(|&c| index(c)).collect();
        equations.push(Equation::balance(&l, &r));
        included.push(ident);
        for c in ident.cells() {
            let i = index(c);
            values[i] = written.integer(c).unwrap_or(0);
            fixed[i] = written.is_shared(c);
        }
        if ident.kind != IdentityKind::C {
            weights[index(ident.target)] = 9;
        }
    }
    let broken: Vec<&'static Identity> = included
        .iter()
        .zip(&equations)
        .filter(|(_, e)| e.residual(&values) != Some(0))
        .map(|(i, _)| *i)
        .collect();
    let outcome = locate::locate(&Problem {
        equations: &equations,
        values: &values,
        weights: &weights,
        fixed: &fixed,
        max_cells: MAX_CELLS,
    });
    let location = match outcome {
        locate::Outcome::Consistent => Location::Consistent,
        locate::Outcome::TooInconsistent => Location::TooInconsistent,
        locate::Outcome::Located { best, .. } => {
            let candidates: Vec<Candidate> = best
                .iter()
                .map(|e| Candidate {
                    changes: e
                        .cells
                        .iter()
                        .map(|&(i, value)| Change {
                            cell: cell(i),
                            written: values[i],
                            value,
                        })
                        .collect(),
                })
                .collect();
            decide(candidates, written, claims)
        }
    };
    Located {
        format,
        location,
        broken,
    }
}

/// One candidate, or the one the prose decides for, or none.
fn decide<'c>(
    mut candidates: Vec<Candidate>,
    written: &Cells,
    claims: impl FnOnce() -> &'c [Claim],
) -> Location {
    if candidates.len() == 1 && candidates[0].writable() {
        return Location::Unique {
            candidate: candidates.pop().expect("one"),
            prose: None,
        };
    }
    if candidates.len() > 1 {
        if let Some((k, verdict)) = prose_decides(&candidates, written, claims()) {
            return Location::Unique {
                candidate: candidates.swap_remove(k),
                prose: Some(verdict),
            };
        }
    }
    Location::Ambiguous { candidates }
}

/// The cells a figure of the prose counts (the 总计 column of table 三, the
/// group totals of table 四); `None` for the figures of table 二.
fn claim_cells(q: Quantity) -> Option<Vec<CellRef>> {
    let t3 = |key: T3Row| {
        vec![CellRef::T3 {
            row: key.index(),
            col: TABLE3_TOTAL_COL,
        }]
    };
    Some(match q {
        Quantity::Received | Quantity::NewReceived => t3(T3Row::New),
        Quantity::Completed => t3(T3Row::Total),
        Quantity::CarriedIn => t3(T3Row::CarriedIn),
        Quantity::CarriedOut => t3(T3Row::CarriedOut),
        Quantity::Review => vec![CellRef::T4 { col: 4 }],
        Quantity::Litigation => vec![CellRef::T4 { col: 9 }, CellRef::T4 { col: 14 }],
        _ => return None,
    })
}

/// Does the candidate agree with the claim (`Some(true)`), contradict it
/// (`Some(false)`), or leave it undecided (a cell without a determined value,
/// or one that holds no count)?
fn agrees(c: &Candidate, written: &Cells, claim: &Claim, cells: &[CellRef]) -> Option<bool> {
    let value = |x: CellRef| match c.change(x) {
        Some(ch) => ch.value,
        None => written.get(x),
    };
    let sum = cells
        .iter()
        .try_fold(0i64, |s, &x| s.checked_add(value(x)?))?;
    if sum == claim.value {
        return Some(true);
    }
    // "收到" may count 新收 + 上年结转 when the wording is loose.
    if claim.quantity == Quantity::Received {
        let carried = value(CellRef::T3 {
            row: T3Row::CarriedIn.index(),
            col: TABLE3_TOTAL_COL,
        })?;
        if sum.checked_add(carried) == Some(claim.value) {
            return Some(true);
        }
    }
    Some(false)
}

/// The one candidate that contradicts fewer of the prose's figures than every
/// other (only figures on cells some candidate changes count), with a figure
/// it agrees with and another candidate contradicts.
fn prose_decides(
    candidates: &[Candidate],
    written: &Cells,
    claims: &[Claim],
) -> Option<(usize, ProseVerdict)> {
    let relevant: Vec<(&Claim, Vec<CellRef>)> = claims
        .iter()
        .filter_map(|cl| Some((cl, claim_cells(cl.quantity)?)))
        .filter(|(_, cells)| {
            candidates
                .iter()
                .any(|c| cells.iter().any(|&x| c.change(x).is_some()))
        })
        .collect();
    if relevant.is_empty() {
        return None;
    }
    let judged: Vec<Vec<Option<bool>>> = candidates
        .iter()
        .map(|c| {
            relevant
                .iter()
                .map(|(cl, cells)| agrees(c, written, cl, cells))
                .collect()
        })
        .collect();
    let contradictions = |k: usize| judged[k].iter().filter(|j| **j == Some(false)).count();
    let best = (0..candidates.len()).min_by_key(|&k| contradictions(k))?;
    let unique =
        (0..candidates.len()).all(|k| k == best || contradictions(k) > contradictions(best));
    if !unique || !candidates[best].writable() {
        return None;
    }
    // The figure that tells them apart: the winner agrees, another contradicts.
    let (i, _) = relevant.iter().enumerate().find(|(i, _)| {
        judged[best][*i] == Some(true)
            && (0..candidates.len()).any(|k| k != best && judged[k][*i] == Some(false))
    })?;
    Some((
        best,
        ProseVerdict {
            quantity: relevant[i].0.quantity,
            value: relevant[i].0.value,
        },
    ))
}
