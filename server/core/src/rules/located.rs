//! The findings of the located wrong cells (NB301–NB305): one mistake, one
//! finding.
//!
//! The analysis locates the smallest set of cells whose change makes every
//! identity of tables 三 and 四 hold ([`crate::wrong_cells`]). When that set is
//! unique, each of its cells gets one diagnostic naming the value it must have,
//! with the identities it breaks as related information: NB301–NB304 when the
//! cell is the total of an identity of that kind, NB305 for a part no identity
//! solves for. When several sets explain the failures equally well, one
//! diagnostic on the total of the first failing identity names them all and
//! offers no fix. When no set of at most three cells explains them, each
//! failing identity is reported on its own ([`shared::check_identities`]).

use super::Rule;
use super::{shared, Ctx};
use crate::diag::{Diagnostic, Finding, Fix, FixKind, Msg, Related};
use crate::identities::evaluate;
use crate::locate::{slip, Slip};
use crate::template::{
    CellRef, Identity, IdentityKind, TABLE3_COLUMNS, TABLE3_COLUMNS_EN, TABLE3_ROWS, TABLE4_GROUPS,
    TABLE4_GROUPS_EN,
};
use crate::wrong_cells::{Candidate, Change, Located, Location, ProseVerdict};

/// The rule of the diagnostics of `kind` (`None`: the part cell rule, NB305).
fn rule(kind: Option<IdentityKind>) -> Rule {
    kind.map_or(Rule::WrongPart, IdentityKind::rule)
}

/// The findings of rule `kind` (an identity kind for NB301–NB304, `None` for
/// NB305).
pub fn check(ctx: &Ctx, kind: Option<IdentityKind>, out: &mut Vec<Diagnostic>) {
    let loc = ctx.located();
    match &loc.location {
        Location::Consistent => {}
        Location::TooInconsistent => {
            if let Some(k) = kind {
                shared::check_identities(ctx, k, out);
            }
        }
        Location::Unique { candidate, prose } => {
            for ch in &candidate.changes {
                if loc.kind_of(ch.cell) == kind {
                    if let Some(d) = located(ctx, loc, candidate, ch, *prose, kind) {
                        out.push(d);
                    }
                }
            }
        }
        Location::Ambiguous { candidates } => {
            if let Some(first) = loc.broken.first() {
                if kind == Some(first.kind) {
                    if let Some(d) = ambiguous(ctx, first, candidates) {
                        out.push(d);
                    }
                }
            }
        }
    }
}

/// "（一）予以公开·总计 5" for the terms of an identity.
fn terms(ctx: &Ctx, cells: &[CellRef], en: bool) -> (String, i64) {
    let eval = ctx.identities();
    let mut sum = 0i64;
    let s = cells
        .iter()
        .map(|&c| {
            let v = eval.written.integer(c).unwrap_or(0);
            sum = sum.saturating_add(v);
            let name = if en { c.describe_en() } else { c.describe() };
            format!("{name} {v}")
        })
        .collect::<Vec<_>>()
        .join(" + ");
    (s, sum)
}

/// The identity by kind and where it sits: "勾稽关系A（「（一）予以公开」行）".
fn short(ident: &Identity) -> (String, String) {
    let (name_zh, name_en) = match ident.kind {
        IdentityKind::A => ("勾稽关系A", "identity A"),
        IdentityKind::B => ("勾稽关系B", "identity B"),
        IdentityKind::C => ("勾稽关系C", "identity C"),
        IdentityKind::T4 => ("表四合计", "the table-4 total"),
    };
    let (zh, en) = match ident.target {
        CellRef::T3 { row, col } => match ident.kind {
            IdentityKind::A => (
                format!("「{}」行", TABLE3_ROWS[row].display()),
                format!("row “{}”", TABLE3_ROWS[row].display_en()),
            ),
            _ => (
                format!("「{}」列", TABLE3_COLUMNS[col]),
                format!("column “{}”", TABLE3_COLUMNS_EN[col]),
            ),
        },
        CellRef::T4 { col } => (
            format!("「{}」", TABLE4_GROUPS[col / 5]),
            format!("“{}”", TABLE4_GROUPS_EN[col / 5]),
        ),
    };
    (format!("{name_zh}（{zh}）"), format!("{name_en} ({en})"))
}

/// A broken identity as related information: its cells and both sums.
fn related_identity(ctx: &Ctx, ident: &Identity, at: CellRef) -> Option<Related> {
    // On the identity's total, or (when that is the located cell itself) on
    // its first other cell.
    let place = if ident.target != at {
        ident.target
    } else {
        ident.cells().find(|&c| c != at)?
    };
    let range = ctx.report.cell(place)?.range;
    let (lz, l) = terms(ctx, &ident.lhs, false);
    let (rz, r) = terms(ctx, &ident.rhs, false);
    let (le, _) = terms(ctx, &ident.lhs, true);
    let (re, _) = terms(ctx, &ident.rhs, true);
    let (name_zh, name_en) = short(ident);
    Some(Related {
        range,
        message: Msg::new(
            format!("{name_zh}不成立：{lz} = {l}，而 {rz} = {r}"),
            format!("{name_en} fails: {le} = {l}, but {re} = {r}"),
        ),
    })
}

/// "疑为 91 误写为 19". One wrong digit of a one-digit number is any change,
/// and says nothing.
fn slip_text(written: i64, value: i64) -> (String, String) {
    let named = match slip(written, value) {
        Some(Slip::OneDigit) => written >= 10 && value >= 10,
        Some(_) => true,
        None => false,
    };
    if named {
        (
            format!("，疑为 {value} 误写为 {written}"),
            format!(", probably {value} typed as {written}"),
        )
    } else {
        (String::new(), String::new())
    }
}

fn located(
    ctx: &Ctx,
    loc: &Located,
    candidate: &Candidate,
    ch: &Change,
    prose: Option<ProseVerdict>,
    kind: Option<IdentityKind>,
) -> Option<Diagnostic> {
    let cell = ctx.report.cell(ch.cell)?;
    let v = ch.value?;
    let w = ch.written;
    let (name_zh, name_en) = (ch.cell.describe(), ch.cell.describe_en());
    let (slip_zh, slip_en) = slip_text(w, v);
    let broken: Vec<&Identity> = loc.broken_reading(ch.cell).collect();
    let list: Vec<(String, String)> = broken.iter().map(|i| short(i)).collect();
    let list_zh = list
        .iter()
        .map(|x| x.0.as_str())
        .collect::<Vec<_>>()
        .join("、");
    let list_en = list
        .iter()
        .map(|x| x.1.as_str())
        .collect::<Vec<_>>()
        .join(", ");
    let (holds_zh, holds_en) = if list.len() == 1 {
        ("成立", "holds")
    } else {
        ("均成立", "all hold")
    };
    let others: Vec<&Change> = candidate
        .changes
        .iter()
        .filter(|c| c.cell != ch.cell)
        .collect();
    let value_of = |c: &Change| c.value.unwrap_or(c.written);
    let (others_zh, others_en) = if others.is_empty() {
        (String::new(), String::new())
    } else {
        (
            format!(
                "（同时{}）",
                others
                    .iter()
                    .map(|c| format!("「{}」应为 {}", c.cell.describe(), value_of(c)))
                    .collect::<Vec<_>>()
                    .join("、")
            ),
            format!(
                " (together with {})",
                others
                    .iter()
                    .map(|c| format!("“{}” = {}", c.cell.describe_en(), value_of(c)))
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        )
    };
    let (prose_zh, prose_en) = match prose {
        Some(p) => (
            format!(
                "；表内数字另有同样简单的解释，正文所述{} {} 与此相符",
                p.quantity.name_zh(),
                p.value
            ),
            format!(
                "; the table alone allows other explanations as simple, and the {} the text states ({}) agrees with this one",
                p.quantity.name_en(),
                p.value
            ),
        ),
        None => (String::new(), String::new()),
    };
    let (zh, en) = if kind.is_some() {
        (
            format!("「{name_zh}」应为 {v}，实为 {w}{slip_zh}：改为 {v} 后，{list_zh}{holds_zh}{others_zh}{prose_zh}"),
            format!("“{name_en}” should be {v}, found {w}{slip_en}: with {v}, {list_en} {holds_en}{others_en}{prose_en}"),
        )
    } else {
        (
            format!("「{name_zh}」与所在行、列的合计矛盾：应为 {v}，实为 {w}{slip_zh}；改为 {v} 后，{list_zh}{holds_zh}{others_zh}{prose_zh}"),
            format!("“{name_en}” contradicts its row and column: it should be {v}, found {w}{slip_en}; with {v}, {list_en} {holds_en}{others_en}{prose_en}"),
        )
    };
    let related = broken
        .iter()
        .filter_map(|i| related_identity(ctx, i, ch.cell))
        .collect();
    // The quick fix writes this cell; the other cells of the explanation have
    // their own findings and fixes (fix-all writes them all).
    let edit = shared::rewrite_cell(ctx.src, cell, v);
    let (title_zh, title_en) = (
        format!("将此格改为 {v}"),
        format!("Change this cell to {v}"),
    );
    let identity = kind
        .or_else(|| broken.first().map(|i| i.kind))
        .unwrap_or(IdentityKind::A);
    Some(
        Diagnostic::new(rule(kind), cell.range, Msg::new(zh, en))
            .with_related(related)
            .with_finding(Finding::WrongTotal {
                cell: ch.cell,
                identity,
                written: w,
                expected: v,
                fixable: true,
            })
            .with_fix(Fix {
                title: Msg::new(title_zh, title_en),
                kind: FixKind::Recompute,
                preferred: true,
                edits: vec![edit],
            }),
    )
}

/// At most this many explanations are spelled out in a message.
const SHOWN: usize = 6;

fn ambiguous(ctx: &Ctx, first: &'static Identity, candidates: &[Candidate]) -> Option<Diagnostic> {
    let target = ctx.report.cell(first.target)?;
    let sums = evaluate(first, &ctx.identities().written).ok()?;
    let marks = ["①", "②", "③", "④", "⑤", "⑥"];
    let describe = |c: &Candidate, en: bool| {
        c.changes
            .iter()
            .map(|ch| match (ch.value, en) {
                (Some(v), false) => format!("「{}」改为 {v}", ch.cell.describe()),
                (Some(v), true) => format!("“{}” to {v}", ch.cell.describe_en()),
                (None, false) => format!("改动「{}」", ch.cell.describe()),
                (None, true) => format!("“{}” changed", ch.cell.describe_en()),
            })
            .collect::<Vec<_>>()
            .join(if en { " and " } else { "、" })
    };
    let n = candidates.len();
    let list_zh = candidates
        .iter()
        .take(SHOWN)
        .enumerate()
        .map(|(k, c)| format!("{}{}", marks[k], describe(c, false)))
        .collect::<Vec<_>>()
        .join("；");
    let list_en = candidates
        .iter()
        .take(SHOWN)
        .enumerate()
        .map(|(k, c)| format!("({}) {}", k + 1, describe(c, true)))
        .collect::<Vec<_>>()
        .join("; ");
    let (more_zh, more_en) = if n > SHOWN {
        (format!("；等 {n} 种"), format!("; {n} in all"))
    } else {
        (String::new(), String::new())
    };
    let (zh, en) = if n == 1 {
        (
            format!(
                "{}不成立；只改动一处即可解释，但各关系不能确定其数值：{list_zh}。请核对原始台账，未作修改",
                first.kind.name_zh()
            ),
            format!(
                "{} fails; one change explains it, but the identities do not determine its value: {list_en}. Check the records; nothing is changed",
                first.kind.name_en()
            ),
        )
    } else {
        (
            format!(
                "{}不成立；表内数字有 {n} 种同样简单的解释，无法确定哪一处有误，未作修改：{list_zh}{more_zh}",
                first.kind.name_zh()
            ),
            format!(
                "{} fails; the table allows {n} equally simple explanations and cannot tell which is the mistake, so nothing is changed: {list_en}{more_en}",
                first.kind.name_en()
            ),
        )
    };
    let related = candidates
        .iter()
        .take(SHOWN)
        .enumerate()
        .flat_map(|(k, c)| {
            c.changes.iter().filter_map(move |ch| {
                let cell = ctx.report.cell(ch.cell)?;
                let (vz, ve) = match ch.value {
                    Some(v) => (format!("改为 {v}"), format!("to {v}")),
                    None => ("改动".to_string(), "changed".to_string()),
                };
                Some(Related {
                    range: cell.range,
                    message: Msg::new(
                        format!("解释{}：「{}」{vz}", marks[k], ch.cell.describe()),
                        format!("explanation ({}): “{}” {ve}", k + 1, ch.cell.describe_en()),
                    ),
                })
            })
        })
        .collect();
    Some(
        Diagnostic::new(first.kind.rule(), target.range, Msg::new(zh, en))
            .with_related(related)
            .with_finding(Finding::WrongTotal {
                cell: first.target,
                identity: first.kind,
                written: sums.actual,
                expected: sums.expected,
                fixable: false,
            }),
    )
}
