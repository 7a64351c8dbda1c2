//! Document symbols: the six sections, with the tables inside them as children
//! (a flat list for clients without hierarchical symbol support).

use super::document::Snapshot;
use super::server::Backend;
use nianbao_core::convert::{table_extent, Source};
use nianbao_core::diag::Lang;
use nianbao_core::template::SECTIONS;
use nianbao_core::text::TextRange;
use tower_lsp_server::jsonrpc::Result;
use tower_lsp_server::ls_types::*;

/// `range` without trailing whitespace (never empty if it was not).
pub fn trim_end(text: &str, range: TextRange) -> TextRange {
    let t = &text[range.start..range.end];
    let trimmed = t.trim_end();
    if trimmed.is_empty() {
        return range;
    }
    TextRange::new(range.start, range.start + trimmed.len())
}

/// A structural element: (name, detail, kind, range, selection range).
pub struct Item {
    pub name: String,
    pub detail: Option<String>,
    pub kind: SymbolKind,
    pub range: TextRange,
    pub selection: TextRange,
}

pub fn table_name(source: Source, lang: Lang) -> (&'static str, &'static str) {
    match (source, lang) {
        (Source::Table2, Lang::Zh) => ("表二", "主动公开政府信息情况"),
        (Source::Table3, Lang::Zh) => ("表三", "收到和处理政府信息公开申请情况"),
        (Source::Table4, Lang::Zh) => ("表四", "政府信息公开行政复议、行政诉讼情况"),
        (Source::Table2, Lang::En) => ("Table 2", "information published proactively"),
        (Source::Table3, Lang::En) => ("Table 3", "applications received and handled"),
        (Source::Table4, Lang::En) => ("Table 4", "administrative reconsideration and litigation"),
        (Source::Block, _) => ("", ""),
    }
}

/// Sections (in document order) and the tables found in the report.
pub fn structure(snap: &Snapshot) -> (Vec<Item>, Vec<Item>) {
    let Some(a) = &snap.analysis else {
        return (Vec::new(), Vec::new());
    };
    let report = &a.report;
    let text = snap.text();
    let mut sections: Vec<Item> = report
        .sections
        .iter()
        .enumerate()
        .filter_map(|(k, s)| {
            let s = s.as_ref()?;
            let h = report.headings.get(s.heading)?;
            let name = text[h.range.start..h.range.end].trim().to_string();
            let official = SECTIONS[k].official();
            Some(Item {
                detail: (name != official).then_some(official),
                name,
                kind: SymbolKind::MODULE,
                range: trim_end(text, s.range.cover(h.range)),
                selection: h.range,
            })
        })
        .collect();
    sections.sort_by_key(|s| s.range.start);
    let tables = [Source::Table2, Source::Table3, Source::Table4]
        .into_iter()
        .filter_map(|src| {
            let (range, _) = table_extent(text, snap.index(), report, src)?;
            let (name, detail) = table_name(src, snap.lang);
            let first_line_end = text[range.start..range.end]
                .find(['\n', '\r'])
                .map(|i| range.start + i)
                .unwrap_or(range.end);
            Some(Item {
                name: name.to_string(),
                detail: Some(detail.to_string()),
                kind: SymbolKind::STRUCT,
                range,
                selection: TextRange::new(range.start, first_line_end),
            })
        })
        .collect();
    (sections, tables)
}

/// The blocks of table 二 ("第二十条第（一）项" …): one symbol each, from its
/// header line to the last line before the next header, so that an editor's
/// sticky scroll shows the header of the block in view, not the table's first.
pub fn table2_blocks(text: &str, table: TextRange) -> Vec<Item> {
    let lines = nianbao_core::parse::lines::split_lines(text, table.start, table.end);
    let headers: Vec<TextRange> = lines
        .into_iter()
        .filter(|l| nianbao_core::parse::lex::norm_str(&text[l.start..l.end]).contains("第二十条"))
        .collect();
    headers
        .iter()
        .enumerate()
        .map(|(i, h)| {
            let end = headers.get(i + 1).map_or(table.end, |next| next.start);
            let name = text[h.start..h.end]
                .trim_matches(|c: char| {
                    c.is_whitespace() || matches!(c, '|' | '*' | '#' | '\u{3000}')
                })
                .to_string();
            Item {
                name,
                detail: None,
                kind: SymbolKind::NAMESPACE,
                range: trim_end(text, TextRange::new(h.start, end)),
                selection: *h,
            }
        })
        .collect()
}

#[allow(deprecated)]
fn symbol(snap: &Snapshot, item: &Item, children: Option<Vec<DocumentSymbol>>) -> DocumentSymbol {
    let conv = snap.conv();
    DocumentSymbol {
        name: item.name.clone(),
        detail: item.detail.clone(),
        kind: item.kind,
        tags: None,
        deprecated: None,
        range: conv.range(item.range),
        selection_range: conv.range(item.selection),
        children,
    }
}

pub async fn document_symbol(
    b: &Backend,
    params: DocumentSymbolParams,
) -> Result<Option<DocumentSymbolResponse>> {
    let Some(snap) = b.snapshot(&params.text_document.uri).await? else {
        return Ok(None);
    };
    let (sections, tables) = structure(&snap);
    let inside = |t: &Item, s: &Item| {
        s.range.start <= t.range.start
            && t.range.end <= s.range.end.max(t.range.end)
            && t.range.start < s.range.end
    };
    if b.state.caps().hierarchical_symbols {
        let mut out = Vec::new();
        let mut placed = vec![false; tables.len()];
        for s in &sections {
            let mut children = Vec::new();
            for (i, t) in tables.iter().enumerate() {
                if !placed[i] && inside(t, s) {
                    placed[i] = true;
                    // A child must lie inside its parent.
                    let clipped = Item {
                        name: t.name.clone(),
                        detail: t.detail.clone(),
                        kind: t.kind,
                        range: TextRange::new(t.range.start, t.range.end.min(s.range.end)),
                        selection: TextRange::new(
                            t.selection.start,
                            t.selection.end.min(s.range.end),
                        ),
                    };
                    let blocks = (t.name == table_name(Source::Table2, snap.lang).0).then(|| {
                        table2_blocks(snap.text(), clipped.range)
                            .iter()
                            .map(|b| symbol(&snap, b, None))
                            .collect::<Vec<_>>()
                    });
                    children.push(symbol(&snap, &clipped, blocks.filter(|b| b.len() > 1)));
                }
            }
            out.push(symbol(&snap, s, Some(children)));
        }
        for (i, t) in tables.iter().enumerate() {
            if !placed[i] {
                out.push(symbol(&snap, t, None));
            }
        }
        out.sort_by_key(|s| (s.range.start.line, s.range.start.character));
        return Ok(Some(DocumentSymbolResponse::Nested(out)));
    }
    let conv = snap.conv();
    #[allow(deprecated)]
    let flat = sections
        .iter()
        .map(|s| (s, None))
        .chain(tables.iter().map(|t| {
            (
                t,
                sections
                    .iter()
                    .find(|s| inside(t, s))
                    .map(|s| s.name.clone()),
            )
        }))
        .map(|(item, container)| SymbolInformation {
            name: item.name.clone(),
            kind: item.kind,
            tags: None,
            deprecated: None,
            location: Location {
                uri: snap.uri.clone(),
                range: conv.range(item.range),
            },
            container_name: container,
        })
        .collect();
    Ok(Some(DocumentSymbolResponse::Flat(flat)))
}
