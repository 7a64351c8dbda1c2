//! Hover on a value cell of table 三 or 四: its row, its column, and every
//! identity it takes part in, with the values computed.

use super::inlay_hint::{expected_value, IDENTITY_RULES};
use super::server::Backend;
use nianbao_core::diag::Diagnostic;
use nianbao_core::diag::Lang;
use nianbao_core::model::Report;
use nianbao_core::rules::shared::{eval, int_of};
use nianbao_core::template::{identities, CellRef, IdentityKind, TABLE3_COLUMNS, TABLE3_ROWS};
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

fn value_text(report: &Report, c: CellRef) -> String {
    match int_of(report, c) {
        Some(v) => v.to_string(),
        None => "？".to_string(),
    }
}

fn short_name(c: CellRef, of_kind: IdentityKind) -> String {
    match (c, of_kind) {
        (CellRef::T3 { col, .. }, IdentityKind::A) => TABLE3_COLUMNS[col].to_string(),
        (CellRef::T3 { row, .. }, _) => TABLE3_ROWS[row].display(),
        (CellRef::T4 { col }, _) => {
            nianbao_core::template::TABLE4_GROUP_COLUMNS[col % 5].to_string()
        }
    }
}

fn terms(
    report: &Report,
    cells: &[CellRef],
    kind: IdentityKind,
    this: CellRef,
    lang: Lang,
) -> String {
    if cells.len() > 6 {
        let listed: Vec<String> = cells
            .iter()
            .filter(|c| **c == this || int_of(report, **c).unwrap_or(0) != 0)
            .map(|c| term(report, *c, kind, this))
            .collect();
        let head = match lang {
            Lang::Zh => format!("{} 项之和", cells.len()),
            Lang::En => format!("sum of {} cells", cells.len()),
        };
        let rest = match lang {
            Lang::Zh => "其余为 0",
            Lang::En => "the others are 0",
        };
        if listed.is_empty() {
            head
        } else {
            format!("{head}（{}；{rest}）", listed.join(" + "))
        }
    } else {
        cells
            .iter()
            .map(|c| term(report, *c, kind, this))
            .collect::<Vec<_>>()
            .join(" + ")
    }
}

fn term(report: &Report, c: CellRef, kind: IdentityKind, this: CellRef) -> String {
    let s = format!("{} {}", short_name(c, kind), value_text(report, c));
    if c == this {
        format!("**{s}**")
    } else {
        s
    }
}

/// The hover text of a cell, in Markdown.
pub fn cell_markdown(
    report: &Report,
    diagnostics: &[Diagnostic],
    c: CellRef,
    lang: Lang,
) -> String {
    let (table, row, col) = match c {
        CellRef::T3 { row, col } => (
            match lang {
                Lang::Zh => "表三 收到和处理政府信息公开申请情况",
                Lang::En => "Table 3 — applications received and handled",
            },
            TABLE3_ROWS[row].display(),
            TABLE3_COLUMNS[col].to_string(),
        ),
        CellRef::T4 { col } => (
            match lang {
                Lang::Zh => "表四 政府信息公开行政复议、行政诉讼情况",
                Lang::En => "Table 4 — administrative reconsideration and litigation",
            },
            nianbao_core::template::TABLE4_GROUPS[col / 5].to_string(),
            nianbao_core::template::TABLE4_GROUP_COLUMNS[col % 5].to_string(),
        ),
    };
    let mut s = String::new();
    let (l_row, l_col, l_val, l_ids) = match lang {
        Lang::Zh => ("行", "列", "值", "勾稽关系"),
        Lang::En => ("Row", "Column", "Value", "Identities"),
    };
    s.push_str(&format!("**{table}**\n\n"));
    s.push_str(&format!(
        "- {l_row}：{row}\n- {l_col}：{col}\n- {l_val}：{}\n",
        value_text(report, c)
    ));
    let all = identities(report.table3_format());
    let idents: Vec<_> = all.iter().filter(|i| i.cells().any(|x| x == c)).collect();
    if idents.is_empty() {
        return s;
    }
    s.push_str(&format!("\n**{l_ids}**\n\n"));
    for ident in &idents {
        let name = match lang {
            Lang::Zh => ident.kind.name_zh(),
            Lang::En => ident.kind.name_en(),
        };
        let Some(e) = eval(ident, |x| int_of(report, x)) else {
            let why = match lang {
                Lang::Zh => "有单元格不是整数，无法核对",
                Lang::En => "a cell is not an integer: not checked",
            };
            s.push_str(&format!("- {name}：{why}\n"));
            continue;
        };
        let mark = if e.holds() { "✓" } else { "✗" };
        let lhs = terms(report, &ident.lhs, ident.kind, c, lang);
        let rhs = terms(report, &ident.rhs, ident.kind, c, lang);
        let rel = if e.holds() { "=" } else { "≠" };
        s.push_str(&format!(
            "- {mark} {name}\n  \n  {lhs} = {}；{rhs} = {}（{} {rel} {}）",
            e.lhs, e.rhs, e.lhs, e.rhs
        ));
        if !e.holds() {
            let target = ident.target.describe();
            // The engine's judgement (identities in fix order, each wrong total once).
            let finding = report.cell(ident.target).and_then(|cell| {
                diagnostics
                    .iter()
                    .find(|d| IDENTITY_RULES.contains(&d.rule) && d.range == cell.range)
            });
            let fix = match (lang, finding.map(expected_value)) {
                (Lang::Zh, Some(Some(v))) => format!("；「{target}」应为 {v}"),
                (Lang::En, Some(Some(v))) => format!("; “{target}” should be {v}"),
                (Lang::Zh, Some(None)) => "；无法用非负数修正，请核对各项".to_string(),
                (Lang::En, Some(None)) => {
                    "; no non-negative value fixes it: check the parts".to_string()
                }
                (Lang::Zh, None) => "；重算前面的合计后即成立".to_string(),
                (Lang::En, None) => "; holds once the totals before it are recomputed".to_string(),
            };
            s.push_str(&fix);
        }
        s.push('\n');
    }
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
            value: cell_markdown(&a.report, &a.diagnostics, c, snap.lang),
        }),
        range: Some(snap.conv().range(cell.range)),
    }))
}
