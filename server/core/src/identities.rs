//! The arithmetic of tables 三 and 四, and nothing else: no rules, diagnostics
//! or messages.
//!
//! - the system: the identities of a format ([`crate::template::identity_table`]),
//!   each `sum(lhs) = sum(rhs)` over cells of the two tables, with the one cell a
//!   fix solves for (its target);
//! - the cells' values with their state ([`CellState`]): a count, blank, or
//!   unreadable (text, a decimal), an integer that is no count (negative, or
//!   beyond [`MAX_COUNT`]), or missing from the report. Only counts are summed:
//!   an identity with any other part is not evaluated (the shape rules report
//!   that cell). Its target may be any integer: its value is solved for, not
//!   summed, so a negative or absurd total is recomputed from its parts;
//! - the evaluation of each identity ([`evaluate`]) with checked sums, and the
//!   value its target must have for it to hold;
//! - the fix-order pass ([`Evaluation`]): identities in template order, every
//!   failing total replaced by the value it implies before later identities are
//!   judged, so that a wrong total is found once, where it is wrong. The rules,
//!   fix-all, the prose comparison and the editor features all read one
//!   [`Evaluation`] per analysis.
//!
//! The fix-order pass recomputes each total from its parts. Locating the
//! fewest cells to change so that every identity holds (error localisation)
//! needs the same pieces: the system, the cells with their states, [`evaluate`].

use crate::model::{Cell, Report, Value};
use crate::template::{
    identity_table, CellRef, Format, Identity, IdentityKind, TABLE3_COLUMNS, TABLE3_ROWS,
    TABLE3_TOTAL_COL, TABLE4_WIDTH,
};

/// The largest count summed (10¹²). A larger number in a table cell is not a
/// count anyone wrote on purpose (a pasted account number, digits run together)
/// and is not summed; a larger figure in the prose is not a claim.
pub const MAX_COUNT: i64 = 1_000_000_000_000;

/// What a cell of table 3 or 四 holds, as far as the arithmetic is concerned.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CellState {
    /// A count: an integer in `0..=MAX_COUNT`.
    Number(i64),
    /// An empty cell.
    Blank,
    /// An integer that is no count: negative, or beyond [`MAX_COUNT`].
    OutOfRange(i64),
    /// Text or a decimal.
    Unreadable,
    /// The table or the row is not in the report.
    Missing,
}

impl CellState {
    pub fn of(cell: Option<&Cell>) -> CellState {
        match cell.map(|c| &c.value) {
            None => CellState::Missing,
            Some(Value::Blank) => CellState::Blank,
            Some(Value::Int { value }) if is_count(*value) => CellState::Number(*value),
            Some(Value::Int { value }) => CellState::OutOfRange(*value),
            Some(_) => CellState::Unreadable,
        }
    }
    pub fn number(self) -> Option<i64> {
        match self {
            CellState::Number(v) => Some(v),
            _ => None,
        }
    }
}

/// Is `v` a count the identities sum?
pub fn is_count(v: i64) -> bool {
    (0..=MAX_COUNT).contains(&v)
}

const T3_CELLS: usize = TABLE3_ROWS.len() * TABLE3_COLUMNS.len();
const CELLS: usize = T3_CELLS + TABLE4_WIDTH;

/// The cells of tables 三 and 四 with their states, stored densely by cell.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Cells {
    states: Vec<CellState>,
    /// Cells whose text another cell reads too (tables 三 and 四 claiming the
    /// same line of a mangled draft): no fix may write them, since the two
    /// identities would want different numbers and fixes would flip it back and
    /// forth.
    shared: Vec<bool>,
}

impl Cells {
    fn index(c: CellRef) -> usize {
        match c {
            CellRef::T3 { row, col } => row * TABLE3_COLUMNS.len() + col,
            CellRef::T4 { col } => T3_CELLS + col,
        }
    }
    fn cell(i: usize) -> CellRef {
        if i < T3_CELLS {
            CellRef::T3 {
                row: i / TABLE3_COLUMNS.len(),
                col: i % TABLE3_COLUMNS.len(),
            }
        } else {
            CellRef::T4 { col: i - T3_CELLS }
        }
    }
    /// The cells as the report's tables hold them.
    pub fn written(report: &Report) -> Self {
        let states = (0..CELLS)
            .map(|i| CellState::of(report.cell(Self::cell(i))))
            .collect();
        // Cells by start (an empty range counts as one byte): a cell overlaps an
        // earlier one when the earlier ends reach past its start, and a later one
        // when the next starts before its end. One sort instead of all pairs:
        // this runs on every analysis.
        let mut spans: Vec<(usize, usize, usize)> = (0..CELLS)
            .filter_map(|i| {
                let r = report.cell(Self::cell(i))?.range;
                Some((r.start, r.end.max(r.start + 1), i))
            })
            .collect();
        spans.sort_unstable();
        let mut shared = vec![false; CELLS];
        let mut reach = 0;
        for (k, &(start, end, i)) in spans.iter().enumerate() {
            let earlier = k > 0 && reach > start;
            let later = spans.get(k + 1).is_some_and(|next| next.0 < end);
            shared[i] = earlier || later;
            reach = reach.max(end);
        }
        Cells { states, shared }
    }
    pub fn state(&self, c: CellRef) -> CellState {
        self.states[Self::index(c)]
    }
    /// The count in `c`, if it holds one.
    pub fn get(&self, c: CellRef) -> Option<i64> {
        self.state(c).number()
    }
    /// The integer in `c` as written, count or not.
    pub fn integer(&self, c: CellRef) -> Option<i64> {
        match self.state(c) {
            CellState::Number(v) | CellState::OutOfRange(v) => Some(v),
            _ => None,
        }
    }
    /// Give `c` the count `v` (in `0..=MAX_COUNT`).
    pub fn set(&mut self, c: CellRef, v: i64) {
        debug_assert!(is_count(v));
        self.states[Self::index(c)] = CellState::Number(v);
    }
    /// Another cell reads the same text (see the field).
    pub fn is_shared(&self, c: CellRef) -> bool {
        self.shared[Self::index(c)]
    }
    /// Cells whose count differs from `other`, with the count here.
    pub fn changed<'a>(&'a self, other: &'a Cells) -> impl Iterator<Item = (CellRef, i64)> + 'a {
        self.states
            .iter()
            .zip(&other.states)
            .enumerate()
            .filter(|(_, (a, b))| a != b)
            .filter_map(|(i, (a, _))| Some((Self::cell(i), a.number()?)))
    }
}

/// An identity evaluated on counts.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Sums {
    /// The sums of both sides (the target as written included), saturated at
    /// the bounds of `i64` for an absurd target.
    pub lhs: i64,
    pub rhs: i64,
    /// The target's value in the values evaluated.
    pub actual: i64,
    /// The value the target must have for the identity to hold (the other
    /// cells as they are); may be negative.
    pub expected: i64,
}

impl Sums {
    pub fn holds(&self) -> bool {
        self.actual == self.expected
    }
}

/// Evaluate `ident` on `values`; `Err` names the first cell that stops it (a
/// part that holds no count, or a target that holds no integer), and what it
/// holds instead.
pub fn evaluate(ident: &Identity, values: &Cells) -> Result<Sums, (CellRef, CellState)> {
    let target = ident.target;
    let actual = match values.state(target) {
        CellState::Number(v) | CellState::OutOfRange(v) => v,
        s => return Err((target, s)),
    };
    let mut parts = [0i64; 2];
    for (side, cells) in [&ident.lhs, &ident.rhs].into_iter().enumerate() {
        for &c in cells.iter().filter(|c| **c != target) {
            let s = values.state(c);
            let v = s.number().ok_or((c, s))?;
            // Counts are at most 10¹² and an identity has a few dozen: these
            // sums cannot overflow, but are checked all the same.
            parts[side] = parts[side].checked_add(v).ok_or((c, s))?;
        }
    }
    let [lhs_parts, rhs_parts] = parts;
    let on_left = ident.lhs.contains(&target);
    let (same, other) = if on_left {
        (lhs_parts, rhs_parts)
    } else {
        (rhs_parts, lhs_parts)
    };
    // The target's value is never part of an operation that could overflow.
    let expected = other
        .checked_sub(same)
        .ok_or((target, CellState::OutOfRange(actual)))?;
    let with_target = same.saturating_add(actual);
    let (lhs, rhs) = if on_left {
        (with_target, rhs_parts)
    } else {
        (lhs_parts, with_target)
    };
    Ok(Sums {
        lhs,
        rhs,
        actual,
        expected,
    })
}

/// How an identity came out in the fix-order pass.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Outcome {
    /// A cell it reads holds no count: not evaluated.
    NotEvaluated {
        cell: CellRef,
        state: CellState,
    },
    Holds(Sums),
    Fails {
        sums: Sums,
        /// Writing `sums.expected` into the target is a valid fix: the value is
        /// a count, no other cell reads the target's text, and for C's 总计
        /// column, every other column's 四 could be recomputed too.
        fixable: bool,
        /// The first failing identity of the pass with this target: the one a
        /// wrong total is reported by (a later one with the same target only
        /// confirms it).
        first: bool,
    },
}

/// One identity of the system with its outcome.
#[derive(Clone, Copy, Debug)]
pub struct Judged {
    pub ident: &'static Identity,
    pub outcome: Outcome,
}

/// The same identity of the system (they are `'static`), with the same outcome.
impl PartialEq for Judged {
    fn eq(&self, other: &Self) -> bool {
        std::ptr::eq(self.ident, other.ident) && self.outcome == other.outcome
    }
}
impl Eq for Judged {}

impl Judged {
    pub fn sums(&self) -> Option<Sums> {
        match self.outcome {
            Outcome::Holds(s) | Outcome::Fails { sums: s, .. } => Some(s),
            Outcome::NotEvaluated { .. } => None,
        }
    }
    pub fn fails(&self) -> bool {
        matches!(self.outcome, Outcome::Fails { .. })
    }
}

/// One pass over `idents` in fix order (A, B, C, table 4): each identity is
/// evaluated on `values`, and the target of a failing one set to the value it
/// implies when that is a valid fix, so that later identities are judged on the
/// corrected totals.
pub fn pass(idents: &'static [Identity], values: &mut Cells) -> Vec<Judged> {
    let mut out = Vec::with_capacity(idents.len());
    let mut c_blocked = false;
    let mut failed_targets: Vec<CellRef> = Vec::new();
    for ident in idents {
        let sums = match evaluate(ident, values) {
            Ok(s) => s,
            Err((cell, state)) => {
                out.push(Judged {
                    ident,
                    outcome: Outcome::NotEvaluated { cell, state },
                });
                continue;
            }
        };
        if sums.holds() {
            out.push(Judged {
                ident,
                outcome: Outcome::Holds(sums),
            });
            continue;
        }
        let mut fixable = is_count(sums.expected) && !values.is_shared(ident.target);
        if ident.kind == IdentityKind::C {
            // 四·总计 sums 四 of the other columns (identity A): when one of them
            // would be negative, recomputing the total alone contradicts A.
            let total = matches!(ident.target, CellRef::T3 { col, .. } if col == TABLE3_TOTAL_COL);
            if total {
                fixable &= !c_blocked;
            } else if !fixable {
                c_blocked = true;
            }
        }
        if fixable {
            values.set(ident.target, sums.expected);
        }
        let first = !failed_targets.contains(&ident.target);
        if first {
            failed_targets.push(ident.target);
        }
        out.push(Judged {
            ident,
            outcome: Outcome::Fails {
                sums,
                fixable,
                first,
            },
        });
    }
    out
}

/// Every identity of a report evaluated once, in fix order.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Evaluation {
    pub format: Format,
    /// The cells as written.
    pub written: Cells,
    /// The cells after the pass: every fixable wrong total recomputed.
    pub working: Cells,
    /// Every identity of the format, in fix order.
    pub judged: Vec<Judged>,
}

impl Evaluation {
    pub fn of(report: &Report) -> Evaluation {
        let format = report.table3_format();
        let written = Cells::written(report);
        let mut working = written.clone();
        let judged = pass(identity_table(format), &mut working);
        Evaluation {
            format,
            written,
            working,
            judged,
        }
    }
    /// The wrong totals, once each: the first failing identity of every target.
    pub fn wrong_totals(&self) -> impl Iterator<Item = &Judged> {
        self.judged
            .iter()
            .filter(|j| matches!(j.outcome, Outcome::Fails { first: true, .. }))
    }
    /// The identities that read `c` with their index in the pass, in fix order.
    pub fn reading(&self, c: CellRef) -> impl Iterator<Item = (usize, &Judged)> {
        self.judged
            .iter()
            .enumerate()
            .filter(move |(_, j)| j.ident.cells().any(|x| x == c))
    }
    /// What `c` held when the identity at `index` of the pass was evaluated:
    /// as written, or the value the last fixable identity before it wrote.
    pub fn state_at(&self, index: usize, c: CellRef) -> CellState {
        self.judged[..index.min(self.judged.len())]
            .iter()
            .rev()
            .find_map(|j| match j.outcome {
                Outcome::Fails {
                    sums,
                    fixable: true,
                    ..
                } if j.ident.target == c => Some(CellState::Number(sums.expected)),
                _ => None,
            })
            .unwrap_or_else(|| self.written.state(c))
    }
    /// The value the total `c` must have after the pass, when the pass
    /// recomputed it.
    pub fn implied(&self, c: CellRef) -> Option<i64> {
        let v = self.working.get(c)?;
        (self.written.get(c) != Some(v)).then_some(v)
    }
    /// The cells once every identity holds where a solution in counts exists:
    /// passes repeated until nothing changes. A total corrected late (C after
    /// B) can break an earlier identity only through a cell it shares, so a few
    /// passes reach the fixed point.
    pub fn fixed_point(&self) -> Cells {
        let idents = identity_table(self.format);
        let mut values = self.working.clone();
        for _ in 1..4 {
            let before = values.clone();
            pass(idents, &mut values);
            if values == before {
                break;
            }
        }
        values
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn report(rows: &[(&str, &str)]) -> Report {
        let mut src = String::from("# 2024年政府信息公开工作年度报告\n\n## 三、收到和处理政府信息公开申请情况\n\n| 项目 | 自然人 | 商业企业 | 科研机构 | 社会公益组织 | 法律服务机构 | 其他 | 总计 |\n|---|---|---|---|---|---|---|---|\n");
        for (label, cells) in rows {
            src.push_str(&format!("| {label} | {cells} |\n"));
        }
        crate::parse::parse(&src, None)
    }

    #[test]
    fn states() {
        let r = report(&[(
            "一、本年新收政府信息公开申请数量",
            "1 | -2 | 1000000000001 | | 1.5 | 无 | 3",
        )]);
        let cells = Cells::written(&r);
        let new = |col| CellRef::T3 { row: 0, col };
        assert_eq!(cells.state(new(0)), CellState::Number(1));
        assert_eq!(cells.state(new(1)), CellState::OutOfRange(-2));
        assert_eq!(
            cells.state(new(2)),
            CellState::OutOfRange(1_000_000_000_001)
        );
        assert_eq!(cells.state(new(3)), CellState::Blank);
        assert_eq!(cells.state(new(4)), CellState::Unreadable);
        assert_eq!(cells.state(new(5)), CellState::Unreadable);
        assert_eq!(cells.state(new(6)), CellState::Number(3));
        assert_eq!(cells.state(CellRef::T4 { col: 0 }), CellState::Missing);
    }

    #[test]
    fn an_identity_reading_a_negative_or_huge_part_is_not_evaluated() {
        for bad in ["-9223372036854775807", "-3", "1000000000001"] {
            let r = report(&[(
                "一、本年新收政府信息公开申请数量",
                &format!("1 | {bad} | 0 | 0 | 0 | 0 | 5"),
            )]);
            let e = Evaluation::of(&r);
            let a = e
                .judged
                .iter()
                .find(|j| {
                    j.ident.kind == IdentityKind::A
                        && j.ident.target
                            == CellRef::T3 {
                                row: 0,
                                col: TABLE3_TOTAL_COL,
                            }
                })
                .unwrap();
            assert_eq!(
                a.outcome,
                Outcome::NotEvaluated {
                    cell: CellRef::T3 { row: 0, col: 1 },
                    state: Cells::written(&r).state(CellRef::T3 { row: 0, col: 1 }),
                },
                "{bad}"
            );
            assert_eq!(e.wrong_totals().count(), 0, "{bad}");
        }
    }

    #[test]
    fn a_wrong_total_implies_its_value_and_is_found_once() {
        let r = report(&[(
            "一、本年新收政府信息公开申请数量",
            "1 | 2 | 0 | 0 | 0 | 0 | 5",
        )]);
        let e = Evaluation::of(&r);
        let total = CellRef::T3 {
            row: 0,
            col: TABLE3_TOTAL_COL,
        };
        let wrong: Vec<_> = e.wrong_totals().collect();
        assert_eq!(wrong.len(), 1);
        assert_eq!(wrong[0].ident.target, total);
        assert_eq!(
            wrong[0].sums(),
            Some(Sums {
                lhs: 5,
                rhs: 3,
                actual: 5,
                expected: 3
            })
        );
        assert_eq!(e.implied(total), Some(3));
        assert_eq!(e.fixed_point().get(total), Some(3));
    }

    #[test]
    fn an_absurd_total_is_recomputed_from_its_parts() {
        for bad in ["-9223372036854775807", "9223372036854775807", "-3"] {
            let r = report(&[(
                "一、本年新收政府信息公开申请数量",
                &format!("1 | 2 | 0 | 0 | 0 | 0 | {bad}"),
            )]);
            let e = Evaluation::of(&r);
            let total = CellRef::T3 {
                row: 0,
                col: TABLE3_TOTAL_COL,
            };
            let wrong: Vec<_> = e.wrong_totals().collect();
            assert_eq!(wrong.len(), 1, "{bad}");
            assert_eq!(wrong[0].sums().unwrap().expected, 3, "{bad}");
            assert_eq!(e.implied(total), Some(3), "{bad}");
        }
    }
}
