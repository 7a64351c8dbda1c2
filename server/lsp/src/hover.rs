//! Hover on a value cell of table 三 or 四: every identity it takes part in, as
//! the analysis evaluated it (the values each was judged on, what a wrong total
//! should be), then its table, row and column.

use super::server::Backend;
use nianbao_core::diag::{Diagnostic, Finding, Lang};
use nianbao_core::identities::{evaluate, CellState, Evaluation, Judged, Outcome};
use nianbao_core::model::Report;
use nianbao_core::template::{
    CellRef, IdentityKind, TABLE3_COLUMNS, TABLE3_COLUMNS_EN, TABLE3_ROWS, TABLE4_GROUPS,
    TABLE4_GROUPS_EN, TABLE4_GROUP_COLUMNS, TABLE4_GROUP_COLUMNS_EN,
};
use nianbao_core::wrong_cells::{Located, Location};
use tower_lsp_server::jsonrpc::Result;
use tower_lsp_server::ls_types::*;

/// The table cell whose text contains `offset` (or ends right at it).
pub fn cell_at(report: &Report, offset: usize) -> Option<CellRef> {
    let hit = |r: nianbao_core::text::TextRange| r.start <= offset && offset <= r.end;
    if let Some(t3) = report.table3.as_ref().filter(|t| !t.disordered) {
        for (row, r) in t3.rows.iter().enumerate() {
            let Some(cells) = r.as_ref().and_then(|r| r.cells.as_ref()) else {
                continue;
            };
            if let Some(col) = cells.iter().position(|c| hit(c.range)) {
                return Some(CellRef::T3 { row, col });
            }
        }
    }
    if let Some(cells) = report.table4.as_ref().and_then(|t| t.row.cells.as_ref()) {
        if let Some(col) = cells.iter().position(|c| hit(c.range)) {
            return Some(CellRef::T4 { col });
        }
    }
    None
}

fn tr(lang: Lang, zh: String, en: String) -> String {
    match lang {
        Lang::Zh => zh,
        Lang::En => en,
    }
}

/// A cell's place in its table (table, row, column), in `lang`.
fn place(c: CellRef, lang: Lang) -> (&'static str, String, &'static str) {
    match (c, lang) {
        (CellRef::T3 { row, col }, Lang::Zh) => (
            "表三 收到和处理政府信息公开申请情况",
            TABLE3_ROWS[row].display(),
            TABLE3_COLUMNS[col],
        ),
        (CellRef::T3 { row, col }, Lang::En) => (
            "Table 3 — applications received and handled",
            TABLE3_ROWS[row].display_en().to_string(),
            TABLE3_COLUMNS_EN[col],
        ),
        (CellRef::T4 { col }, Lang::Zh) => (
            "表四 政府信息公开行政复议、行政诉讼情况",
            TABLE4_GROUPS[col / 5].to_string(),
            TABLE4_GROUP_COLUMNS[col % 5],
        ),
        (CellRef::T4 { col }, Lang::En) => (
            "Table 4 — administrative reconsideration and litigation",
            TABLE4_GROUPS_EN[col / 5].to_string(),
            TABLE4_GROUP_COLUMNS_EN[col % 5],
        ),
    }
}

fn describe(c: CellRef, lang: Lang) -> String {
    match lang {
        Lang::Zh => c.describe(),
        Lang::En => c.describe_en(),
    }
}

/// A cell named within an identity: its column in a row total (A), else its row.
fn short_name(c: CellRef, kind: IdentityKind, lang: Lang) -> String {
    let (_, row, col) = place(c, lang);
    match (c, kind) {
        (CellRef::T3 { .. }, IdentityKind::A) | (CellRef::T4 { .. }, _) => col.to_string(),
        (CellRef::T3 { .. }, _) => row,
    }
}

/// A value as the arithmetic sees it.
fn state_text(s: CellState, lang: Lang) -> String {
    match (s, lang) {
        (CellState::Number(v) | CellState::OutOfRange(v), _) => v.to_string(),
        (CellState::Blank, Lang::Zh) => "（空）".to_string(),
        (CellState::Blank, Lang::En) => "(blank)".to_string(),
        (CellState::Unreadable, Lang::Zh) => "？".to_string(),
        (CellState::Unreadable, Lang::En) => "?".to_string(),
        (CellState::Missing, Lang::Zh) => "（缺）".to_string(),
        (CellState::Missing, Lang::En) => "(missing)".to_string(),
    }
}

/// Why an identity is not evaluated.
fn not_evaluated(cell: CellRef, state: CellState, lang: Lang) -> String {
    let name = describe(cell, lang);
    match (state, lang) {
        (CellState::Blank, Lang::Zh) => format!("「{name}」为空，未核对"),
        (CellState::Blank, Lang::En) => format!("“{name}” is blank: not checked"),
        (CellState::Missing, Lang::Zh) => format!("缺少「{name}」，未核对"),
        (CellState::Missing, Lang::En) => format!("“{name}” is missing: not checked"),
        (CellState::OutOfRange(v), Lang::Zh) => {
            format!("「{name}」为 {v}，不是有效件数，未核对")
        }
        (CellState::OutOfRange(v), Lang::En) => {
            format!("“{name}” is {v}, not a valid count: not checked")
        }
        (_, Lang::Zh) => format!("「{name}」不是整数，未核对"),
        (_, Lang::En) => format!("“{name}” is not an integer: not checked"),
    }
}

/// The identity at `index` of the pass, its cells with the values it was
/// judged on (a total recomputed earlier in the pass shows both values).
struct Terms<'a> {
    eval: &'a Evaluation,
    index: usize,
    kind: IdentityKind,
    this: CellRef,
    lang: Lang,
    /// Judged on the values as written (the located findings' view), not on
    /// the totals the pass recomputed before this identity.
    as_written: bool,
}

impl Terms<'_> {
    fn state(&self, c: CellRef) -> CellState {
        if self.as_written {
            self.eval.written.state(c)
        } else {
            self.eval.state_at(self.index, c)
        }
    }
    fn term(&self, c: CellRef) -> String {
        let now = self.state(c);
        let written = self.eval.written.state(c);
        let mut v = state_text(now, self.lang);
        if now != written {
            let w = state_text(written, self.lang);
            v = tr(
                self.lang,
                format!("{v}（原文为 {w}，按合计重算）"),
                format!("{v} (written {w}, recomputed)"),
            );
        }
        let s = format!("{} {v}", short_name(c, self.kind, self.lang));
        if c == self.this {
            format!("**{s}**")
        } else {
            s
        }
    }
    fn side(&self, cells: &[CellRef]) -> String {
        if cells.len() <= 6 {
            return cells
                .iter()
                .map(|c| self.term(*c))
                .collect::<Vec<_>>()
                .join(" + ");
        }
        let listed: Vec<String> = cells
            .iter()
            .filter(|c| **c == self.this || self.state(**c) != CellState::Number(0))
            .map(|c| self.term(*c))
            .collect();
        let head = tr(
            self.lang,
            format!("{} 项之和", cells.len()),
            format!("sum of {} cells", cells.len()),
        );
        if listed.is_empty() {
            return head;
        }
        match self.lang {
            Lang::Zh => format!("{head}（{}；其余为 0）", listed.join(" + ")),
            Lang::En => format!("{head} ({}; the others are 0)", listed.join(" + ")),
        }
    }
}

/// The finding on the cell of `target`, if the diagnostics have one.
fn finding_at(report: &Report, diagnostics: &[Diagnostic], target: CellRef) -> Option<Finding> {
    let range = report.cell(target)?.range;
    diagnostics
        .iter()
        .filter(|d| d.range == range)
        .find_map(|d| match d.finding {
            Some(f @ Finding::WrongTotal { cell, .. }) if cell == target => Some(f),
            _ => None,
        })
}

/// What to do about a failing identity, as the diagnostics judge it.
fn verdict(report: &Report, diagnostics: &[Diagnostic], j: &Judged, lang: Lang) -> String {
    let ident = j.ident;
    let target = describe(ident.target, lang);
    let Outcome::Fails {
        sums,
        fixable,
        first,
    } = j.outcome
    else {
        return String::new();
    };
    if !first {
        // The same total was found wrong by an earlier identity of the pass,
        // and enters this one with the value that one gave it.
        let v = sums.actual;
        return tr(
            lang,
            format!("「{target}」已按前面的关系判定应为 {v}，此关系仍不成立：请核对各项"),
            format!("“{target}” is already found to be {v} by an earlier identity, and this one still fails: check the parts"),
        );
    }
    let (expected, fixable) = match finding_at(report, diagnostics, ident.target) {
        Some(Finding::WrongTotal {
            expected, fixable, ..
        }) => (expected, fixable),
        None => (sums.expected, fixable),
    };
    match (fixable, expected >= 0) {
        (true, _) => tr(
            lang,
            format!("「{target}」应为 {expected}"),
            format!("“{target}” should be {expected}"),
        ),
        (false, true) => tr(
            lang,
            format!("按此关系「{target}」为 {expected}，但无法单独修正：请核对各项"),
            format!("by this identity “{target}” is {expected}, but it cannot be fixed alone: check the parts"),
        ),
        (false, false) => tr(
            lang,
            "无法用非负数修正，请核对各项".to_string(),
            "no non-negative value fixes it: check the parts".to_string(),
        ),
    }
}

/// What to do about an identity that fails as written, when the diagnostics are
/// those of the located wrong cells: the located cells it reads and the values
/// their findings name, so that the hover says what the squiggles say.
fn located_verdict(
    report: &Report,
    diagnostics: &[Diagnostic],
    ident: &nianbao_core::template::Identity,
    lang: Lang,
) -> String {
    let mut named = Vec::new();
    let mut tie = false;
    for d in diagnostics {
        let Some(Finding::WrongTotal {
            cell,
            expected,
            fixable,
            ..
        }) = d.finding
        else {
            continue;
        };
        if report.cell(cell).map(|x| x.range) != Some(d.range) {
            continue;
        }
        if !fixable {
            tie = true;
        } else if ident.cells().any(|x| x == cell) && !named.iter().any(|(c, _)| *c == cell) {
            named.push((cell, expected));
        }
    }
    if !named.is_empty() {
        let sep = match lang {
            Lang::Zh => "、",
            Lang::En => ", ",
        };
        return named
            .iter()
            .map(|&(cell, v)| {
                let name = describe(cell, lang);
                tr(
                    lang,
                    format!("「{name}」应为 {v}"),
                    format!("“{name}” should be {v}"),
                )
            })
            .collect::<Vec<_>>()
            .join(sep);
    }
    if tie {
        return tr(
            lang,
            "表内数字有几种同样简单的解释，无法断定是哪一格：见诊断".to_string(),
            "the tables allow several equally simple explanations, so no cell is named: see the finding".to_string(),
        );
    }
    tr(
        lang,
        "请核对各项".to_string(),
        "check the parts".to_string(),
    )
}

/// The identity as written: not evaluated, holding or failing (a failure's
/// fix is the located cells', see [`located_verdict`]).
fn as_written(ident: &'static nianbao_core::template::Identity, eval: &Evaluation) -> Outcome {
    match evaluate(ident, &eval.written) {
        Err((cell, state)) => Outcome::NotEvaluated { cell, state },
        Ok(sums) if sums.lhs == sums.rhs => Outcome::Holds(sums),
        Ok(sums) => Outcome::Fails {
            sums,
            fixable: false,
            first: true,
        },
    }
}

/// The hover text of a cell, in Markdown: first the identities it takes part
/// in, as the analysis evaluated them (the ones that fail first, the finding on
/// this cell leading), then where the cell is.
pub fn cell_markdown(
    report: &Report,
    eval: &Evaluation,
    diagnostics: &[Diagnostic],
    c: CellRef,
    lang: Lang,
) -> String {
    // When the diagnostics name the located wrong cells (one finding per
    // wrong cell), every identity is shown as written, as those findings judge
    // it; when the tables are too inconsistent to locate a cause, the findings
    // are per identity, judged in the pass, and so is the hover.
    let located = matches!(
        Located::of(eval, || &[]).location,
        Location::Unique { .. } | Location::Ambiguous { .. }
    );
    let mut judged: Vec<(usize, Judged)> = eval
        .reading(c)
        .map(|(i, j)| {
            let outcome = if located {
                as_written(j.ident, eval)
            } else {
                j.outcome
            };
            (
                i,
                Judged {
                    ident: j.ident,
                    outcome,
                },
            )
        })
        .collect();
    // Failing first, the one whose target is this cell before the others.
    judged.sort_by_key(|(i, j)| (!j.fails(), j.ident.target != c, *i));
    let mut s = String::new();
    for (index, j) in &judged {
        let ident = j.ident;
        let name = match lang {
            Lang::Zh => ident.kind.name_zh(),
            Lang::En => ident.kind.name_en(),
        };
        let sums = match j.outcome {
            Outcome::NotEvaluated { cell, state } => {
                s.push_str(&format!(
                    "**{name}**\n\n{}\n\n",
                    not_evaluated(cell, state, lang)
                ));
                continue;
            }
            Outcome::Holds(sums) | Outcome::Fails { sums, .. } => sums,
        };
        let terms = Terms {
            eval,
            index: *index,
            kind: ident.kind,
            this: c,
            lang,
            as_written: located,
        };
        let lhs = terms.side(&ident.lhs);
        let rhs = terms.side(&ident.rhs);
        let (mark, rel) = if j.fails() {
            ("✗", "≠")
        } else {
            ("✓", "=")
        };
        let tail = match lang {
            Lang::Zh => format!("（{} {rel} {}）", sums.lhs, sums.rhs),
            Lang::En => format!(" ({} {rel} {})", sums.lhs, sums.rhs),
        };
        let sep = match lang {
            Lang::Zh => "；",
            Lang::En => "; ",
        };
        s.push_str(&format!(
            "**{mark} {name}**\n\n{lhs} = {}{sep}{rhs} = {}{tail}",
            sums.lhs, sums.rhs
        ));
        if j.fails() {
            s.push_str(sep);
            if located {
                s.push_str(&located_verdict(report, diagnostics, ident, lang));
            } else {
                s.push_str(&verdict(report, diagnostics, j, lang));
            }
        }
        s.push_str("\n\n");
    }
    let (table, row, col) = place(c, lang);
    let (l_row, l_col, l_val) = match lang {
        Lang::Zh => ("行", "列", "值"),
        Lang::En => ("Row", "Column", "Value"),
    };
    let colon = match lang {
        Lang::Zh => "：",
        Lang::En => ": ",
    };
    if !s.is_empty() {
        s.push_str("---\n\n");
    }
    s.push_str(&format!(
        "**{table}**\n\n- {l_row}{colon}{row}\n- {l_col}{colon}{col}\n- {l_val}{colon}{}\n",
        state_text(eval.written.state(c), lang)
    ));
    s
}

pub async fn hover(b: &Backend, params: HoverParams) -> Result<Option<Hover>> {
    let p = params.text_document_position_params;
    let Some(snap) = b.snapshot(&p.text_document.uri).await? else {
        return Ok(None);
    };
    let Some(a) = &snap.analysis else {
        return Ok(None);
    };
    let offset = snap.conv().offset(p.position);
    let Some(c) = cell_at(&a.report, offset) else {
        return Ok(None);
    };
    let Some(cell) = a.report.cell(c) else {
        return Ok(None);
    };
    Ok(Some(Hover {
        contents: HoverContents::Markup(MarkupContent {
            kind: MarkupKind::Markdown,
            value: cell_markdown(&a.report, a.identities(), &a.diagnostics, c, snap.lang),
        }),
        range: Some(snap.conv().range(cell.range)),
    }))
}

#[cfg(test)]
mod tests {
    use super::*;
    use nianbao_core::config::Config;
    use nianbao_core::template::{TABLE3_COLUMNS, TABLE4_WIDTH};

    fn draft() -> String {
        let p = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../../tests/fixtures/lsp/002_fb96db60f172c7f1.txt");
        let src = std::fs::read_to_string(p).unwrap();
        // 本年新收·自然人 one more: identities A and C fail, the cell is located (NB305).
        let at = src.find("一、本年新收").unwrap();
        let line = &src[at..at + src[at..].find('\n').unwrap()];
        let bar = at + line.find('|').unwrap() + 1;
        let end = bar + src[bar..].find('|').unwrap();
        let v: i64 = src[bar..end].trim().parse().unwrap();
        format!("{} {} {}", &src[..bar], v + 1, &src[end..])
    }

    #[test]
    fn a_total_beside_a_located_part_names_the_part() {
        let p = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../../tests/fixtures/lsp/002_fb96db60f172c7f1.txt");
        let src = std::fs::read_to_string(p).unwrap();
        // 四、结转·自然人 = 1: the row's A and the 自然人 column's C fail, and the
        // one cell that explains both is that 1 (NB303 on it). The hover on the
        // row's 总计 (correct) names the located cell, not itself, and C of the
        // 总计 column holds as written.
        let src = src.replacen(
            "四、结转下年度继续办理 | 0 |",
            "四、结转下年度继续办理 | 1 |",
            1,
        );
        let a = nianbao_core::analyze(&src, &Config::default());
        let row = TABLE3_ROWS
            .iter()
            .position(|r| r.key == nianbao_core::template::T3Row::CarriedOut)
            .unwrap();
        let located: Vec<CellRef> = a
            .diagnostics
            .iter()
            .filter_map(|d| d.expected_total().map(|x| x.0))
            .collect();
        assert_eq!(
            located,
            [CellRef::T3 { row, col: 0 }],
            "{:#?}",
            a.diagnostics
        );
        let total = CellRef::T3 { row, col: 6 };
        let md = cell_markdown(&a.report, a.identities(), &a.diagnostics, total, Lang::Zh);
        assert!(md.starts_with("**✗ 勾稽关系A"), "{md}");
        assert!(
            md.contains("「四、结转下年度继续办理·自然人」应为 0\n"),
            "{md}"
        );
        assert!(!md.contains("总计」应为"), "{md}");
        assert!(md.contains("**✓ 勾稽关系C"), "{md}");
        let md = cell_markdown(&a.report, a.identities(), &a.diagnostics, total, Lang::En);
        assert!(md.contains("should be 0\n"), "{md}");
        assert!(!md.contains("should be 1"), "{md}");
    }

    #[test]
    fn the_hover_agrees_with_the_located_findings() {
        // 本年新收·自然人 one more (the typed 5 in seed 002, in small):
        // one finding, on that cell. No hover says "应为" of any other cell, and
        // the hover on the located cell shows each identity its finding lists as
        // broken as failing (no "✓" beside the error).
        let src = draft();
        let a = nianbao_core::analyze(&src, &Config::default());
        let located: Vec<(CellRef, i64, &Diagnostic)> = a
            .diagnostics
            .iter()
            .filter_map(|d| d.expected_total().map(|(c, v)| (c, v, d)))
            .collect();
        assert_eq!(located.len(), 1, "{:#?}", a.diagnostics);
        let cells: Vec<CellRef> = every_cell()
            .filter(|c| a.report.cell(*c).is_some())
            .collect();
        for &c in &cells {
            let md = cell_markdown(&a.report, a.identities(), &a.diagnostics, c, Lang::Zh);
            for &other in &cells {
                let named = format!("「{}」应为", other.describe());
                match located.iter().find(|x| x.0 == other) {
                    Some(&(_, v, _)) => {
                        if md.contains(&named) {
                            assert!(md.contains(&format!("{named} {v}")), "{c:?}:\n{md}");
                        }
                    }
                    None => assert!(!md.contains(&named), "{c:?} names {other:?}:\n{md}"),
                }
            }
        }
        let (cell, v, d) = located[0];
        let md = cell_markdown(&a.report, a.identities(), &a.diagnostics, cell, Lang::Zh);
        assert_eq!(md.matches("**✗ ").count(), d.related.len(), "{md}");
        assert!(!md.contains("**✓ "), "{md}");
        assert!(
            md.contains(&format!("「{}」应为 {v}", cell.describe())),
            "{md}"
        );
    }

    fn every_cell() -> impl Iterator<Item = CellRef> {
        (0..TABLE3_ROWS.len())
            .flat_map(|row| (0..TABLE3_COLUMNS.len()).map(move |col| CellRef::T3 { row, col }))
            .chain((0..TABLE4_WIDTH).map(|col| CellRef::T4 { col }))
    }

    #[test]
    fn the_english_hover_is_english() {
        let src = draft();
        let a = nianbao_core::analyze(&src, &Config::default());
        let mut seen = 0;
        for c in every_cell().filter(|c| a.report.cell(*c).is_some()) {
            let mut md = cell_markdown(&a.report, a.identities(), &a.diagnostics, c, Lang::En);
            // The identities' English names cite the form's label "(七)".
            for k in [IdentityKind::A, IdentityKind::B, IdentityKind::C] {
                md = md.replace(k.name_en(), "");
            }
            assert!(
                !md.chars().any(nianbao_core::parse::lex::is_han),
                "{c:?}:\n{md}"
            );
            seen += 1;
        }
        assert!(seen > 100, "{seen} cells");
    }

    #[test]
    fn the_hover_leads_with_the_finding_on_the_cell() {
        let src = draft();
        let a = nianbao_core::analyze(&src, &Config::default());
        let mut seen = 0;
        for d in &a.diagnostics {
            let Some(Finding::WrongTotal { cell, identity, .. }) = d.finding else {
                continue;
            };
            for lang in [Lang::Zh, Lang::En] {
                let md = cell_markdown(&a.report, a.identities(), &a.diagnostics, cell, lang);
                let name = match lang {
                    Lang::Zh => identity.name_zh(),
                    Lang::En => identity.name_en(),
                };
                assert!(
                    md.starts_with(&format!("**✗ {name}**")),
                    "{} on {cell:?}:\n{md}",
                    d.code()
                );
                assert!(!md.contains(&format!("✓ {name}")), "{md}");
            }
            seen += 1;
        }
        assert!(seen >= 1, "{:#?}", a.diagnostics);
    }
}
