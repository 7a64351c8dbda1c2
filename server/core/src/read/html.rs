//! Published web pages (HTML): the report's content block, its paragraphs and tables.
//!
//! A page as published by a CMS (or saved from a browser, or crawled) holds the report in
//! one content block (`<div class=TRS_Editor>` and the like) among navigation, scripts and
//! a footer. The reader
//! 1. decodes the bytes: a BOM, else the `<meta charset>` / `http-equiv` of the page, else
//!    UTF-8, else GB18030 (GBK/GB2312 pages exist);
//! 2. parses them as a browser does (html5ever's tree builder: implied end tags, entities,
//!    broken markup), keeping the source line of every element and text;
//! 3. finds the report body: a known content block holding the most report text, else the
//!    smallest element holding all the report text the page has;
//! 4. renders it for the parser: each paragraph on a line, each table as a pipe table on its
//!    grid (`rowspan`/`colspan` expanded, a merged cell's text in its first grid cell, the
//!    cells it covers empty), with the title of the page first when the body lacks it.
//!
//! Places: a paragraph is at the source line its text starts on; a cell is at its table
//! (counted in the body, from 1), grid row and grid column; a covered grid cell is at the
//! merged cell that covers it; the pipes of a row are at the source line of its `<tr>`.

mod dom;

use super::{Form, Place, ReadError, Rendering};
use crate::text::TextRange;
use dom::{Data, Dom, Id, Node, DOCUMENT};
use std::borrow::Cow;

pub fn read(bytes: &[u8]) -> Result<Rendering, ReadError> {
    let text = decode(bytes);
    if nesting(&text) > MAX_NESTING {
        return Err(ReadError::new(
            format!("网页的元素嵌套超过 {MAX_NESTING} 层，不是正常发布的网页，未读取：请将正文另存为纯文本（.txt）后检查"),
            format!("the page nests elements more than {MAX_NESTING} deep, which no published page does, and was not read: save the report's text as plain text (.txt) and check that"),
        ));
    }
    let mut dom = Dom::parse(&text);
    dom.furniture = dom.nodes.iter().map(is_furniture).collect();
    let rendering = render(&dom);
    if rendering.text.trim().is_empty() {
        return Err(ReadError::new(
            "网页中没有可读的正文（可能是由脚本加载的页面或空页面）：请在浏览器中打开该页，待正文显示后另存为网页或复制正文为纯文本再检查",
            "the page has no text to read (it may be filled in by scripts, or be empty): open it in a browser and, once the report shows, save the page or copy the report's text as plain text and check that",
        ));
    }
    Ok(rendering)
}

/// Elements open at once, at most: a browser-grade tree builder spends time in proportion
/// to the depth on every tag, so a page nested tens of thousands deep (no real page is
/// nested a hundred deep) would take minutes.
const MAX_NESTING: usize = 4096;

/// How deep the page's elements nest, as its tags say (an estimate from above: elements
/// whose end tags may be left out, void elements and `<…/>` are not counted; script and
/// style content is skipped).
fn nesting(text: &str) -> usize {
    const IMPLIED: &[&[u8]] = &[
        b"p",
        b"li",
        b"td",
        b"th",
        b"tr",
        b"option",
        b"optgroup",
        b"dt",
        b"dd",
        b"tbody",
        b"thead",
        b"tfoot",
        b"colgroup",
        b"caption",
        b"rb",
        b"rt",
        b"rp",
        b"rtc",
        b"head",
        b"body",
        b"html",
        b"area",
        b"base",
        b"br",
        b"col",
        b"embed",
        b"hr",
        b"img",
        b"input",
        b"link",
        b"meta",
        b"param",
        b"source",
        b"track",
        b"wbr",
        b"frame",
        b"keygen",
    ];
    let b = text.as_bytes();
    let (mut depth, mut max, mut i) = (0usize, 0usize, 0usize);
    while let Some(lt) = memchr::memchr(b'<', &b[i..]) {
        i += lt + 1;
        let close = b.get(i) == Some(&b'/');
        let name_start = i + close as usize;
        let name_len = b[name_start.min(b.len())..]
            .iter()
            .take_while(|c| c.is_ascii_alphanumeric())
            .count();
        if name_len == 0 || !b[name_start].is_ascii_alphabetic() {
            continue;
        }
        let name: Vec<u8> = b[name_start..name_start + name_len]
            .iter()
            .map(u8::to_ascii_lowercase)
            .collect();
        let gt = memchr::memchr(b'>', &b[name_start..]).map_or(b.len(), |g| name_start + g);
        i = gt.min(b.len());
        if IMPLIED.contains(&name.as_slice()) {
            continue;
        }
        if close {
            depth = depth.saturating_sub(1);
            continue;
        }
        if gt > 0 && gt < b.len() && b[gt - 1] == b'/' {
            continue;
        }
        if matches!(
            name.as_slice(),
            b"script" | b"style" | b"textarea" | b"title"
        ) {
            // Raw text up to its end tag (searched without copying the rest of the page).
            let mut j = i;
            i = b.len();
            while let Some(k) = memchr::memmem::find(&b[j..], b"</") {
                let at = j + k + 2;
                if b.len() >= at + name.len() && b[at..at + name.len()].eq_ignore_ascii_case(&name)
                {
                    i = at;
                    break;
                }
                j = at;
            }
            continue;
        }
        depth += 1;
        max = max.max(depth);
    }
    max
}

// ---------------------------------------------------------------------------------------
// Charset

/// The page's text: by its BOM, else its declared charset, else UTF-8, else GB18030.
/// A page that says UTF-8 but is not (or says GBK but is UTF-8) is read in the charset its
/// bytes decode in without error.
pub fn decode(bytes: &[u8]) -> Cow<'_, str> {
    if let Some((enc, bom)) = encoding_rs::Encoding::for_bom(bytes) {
        return enc.decode_without_bom_handling(&bytes[bom..]).0;
    }
    let declared = declared_charset(bytes);
    if let Some(enc) = declared {
        if let Some(t) = enc.decode_without_bom_handling_and_without_replacement(bytes) {
            return t;
        }
    }
    if let Ok(s) = std::str::from_utf8(bytes) {
        return Cow::Borrowed(s);
    }
    let gb = encoding_rs::GB18030;
    if let Some(t) = gb.decode_without_bom_handling_and_without_replacement(bytes) {
        return t;
    }
    // Neither decodes cleanly: the declared charset (or UTF-8) with replacement characters.
    declared
        .unwrap_or(encoding_rs::UTF_8)
        .decode_without_bom_handling(bytes)
        .0
}

/// How far into the page a `<meta charset>` is looked for (browsers look at 1024 bytes;
/// CMS pages put long `<meta>` lists first).
const PRESCAN: usize = 4096;

/// The charset a `<meta charset=…>` or `<meta http-equiv content="…; charset=…">` in the
/// page's first bytes names. UTF-16 labels mean UTF-8 here (a page read as bytes that
/// decode as ASCII cannot be UTF-16), as the HTML standard says.
fn declared_charset(bytes: &[u8]) -> Option<&'static encoding_rs::Encoding> {
    let head = &bytes[..bytes.len().min(PRESCAN)];
    let lower: Vec<u8> = head.iter().map(u8::to_ascii_lowercase).collect();
    let mut from = 0;
    while let Some(i) = find(&lower[from..], b"<meta") {
        let start = from + i + 5;
        let end = lower[start..]
            .iter()
            .position(|&c| c == b'>')
            .map_or(lower.len(), |e| start + e);
        let tag = &lower[start..end];
        if let Some(j) = find(tag, b"charset") {
            let mut k = j + 7;
            while k < tag.len() && tag[k].is_ascii_whitespace() {
                k += 1;
            }
            if k < tag.len() && tag[k] == b'=' {
                k += 1;
                while k < tag.len()
                    && (tag[k].is_ascii_whitespace() || tag[k] == b'"' || tag[k] == b'\'')
                {
                    k += 1;
                }
                let v_end = tag[k..]
                    .iter()
                    .position(|&c| {
                        matches!(c, b'"' | b'\'' | b';' | b'/' | b'>') || c.is_ascii_whitespace()
                    })
                    .map_or(tag.len(), |e| k + e);
                if let Some(enc) = encoding_rs::Encoding::for_label(&tag[k..v_end]) {
                    if enc == encoding_rs::UTF_16LE || enc == encoding_rs::UTF_16BE {
                        return Some(encoding_rs::UTF_8);
                    }
                    return Some(enc);
                }
            }
        }
        from = end.max(start);
    }
    None
}

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    memchr::memmem::find(hay, needle)
}

// ---------------------------------------------------------------------------------------
// Walking the tree (without recursion: a page may nest elements thousands deep)

/// Elements whose content a reader of the page does not see, or that are page furniture.
fn is_furniture(n: &Node) -> bool {
    let Some(name) = n.name() else {
        return matches!(n.data, Data::Other);
    };
    if matches!(
        name,
        "script"
            | "style"
            | "noscript"
            | "template"
            | "iframe"
            | "object"
            | "embed"
            | "svg"
            | "math"
            | "canvas"
            | "nav"
            | "footer"
            | "button"
            | "select"
            | "option"
            | "textarea"
            | "input"
            | "head"
            | "title"
            | "audio"
            | "video"
            | "map"
    ) {
        return true;
    }
    if n.attr("hidden").is_some()
        || n.attr("role")
            .is_some_and(|r| r.eq_ignore_ascii_case("navigation"))
    {
        return true;
    }
    if let Some(style) = n.attr("style") {
        // Most elements of a CMS page carry a style: look closer only when it may hide.
        let upper = style.bytes().any(|b| b.is_ascii_uppercase());
        if upper || style.contains("none") || style.contains("hidden") {
            let s: String = style
                .chars()
                .filter(|c| !c.is_whitespace())
                .flat_map(char::to_lowercase)
                .collect();
            if s.contains("display:none") || s.contains("visibility:hidden") {
                return true;
            }
        }
    }
    let furniture_word = |w: &str| {
        w.get(..6).is_some_and(|p| p.eq_ignore_ascii_case("footer"))
            || ["nav", "navbar", "breadcrumb", "crumb", "crumbs"]
                .iter()
                .any(|f| w.eq_ignore_ascii_case(f))
    };
    n.attr("class")
        .is_some_and(|c| c.split_ascii_whitespace().any(furniture_word))
        || n.attr("id").is_some_and(furniture_word)
}

enum Event {
    Enter(Id),
    Exit(Id),
}

/// Visit the subtree of `root` in document order, skipping furniture. `f` returns whether
/// to descend into an element it is told of on `Enter` (no `Exit` follows when it does not).
fn walk(dom: &Dom, root: Id, mut f: impl FnMut(Event) -> bool) {
    let mut stack: Vec<(Id, usize)> = Vec::new();
    if dom.furniture[root] || !f(Event::Enter(root)) {
        return;
    }
    stack.push((root, 0));
    while let Some(top) = stack.last_mut() {
        let (id, i) = *top;
        let node = dom.node(id);
        if i >= node.children.len() {
            stack.pop();
            f(Event::Exit(id));
            continue;
        }
        top.1 += 1;
        let child = node.children[i];
        if dom.furniture[child] {
            continue;
        }
        if f(Event::Enter(child)) {
            stack.push((child, 0));
        }
    }
}

// ---------------------------------------------------------------------------------------
// Finding the report body

/// Phrases of the template: a block that holds more of them holds more of the report.
const MARKERS: &[&str] = &[
    "总体情况",
    "主动公开政府信息情况",
    "收到和处理政府信息公开申请",
    "行政复议",
    "行政诉讼",
    "存在的主要问题",
    "其他需要报告",
    "本年新收政府信息公开申请数量",
    "予以公开",
    "结转下年度继续办理",
    "信息处理费",
];

/// Below this many markers the page is not taken to hold a report: the whole page is read.
const MIN_MARKERS: usize = 3;

/// Class names and ids of the content blocks of common CMSs (TRS, Hanweb, Kaipu, …).
fn is_content_block(n: &Node) -> bool {
    const CLASSES: &[&str] = &["trs_editor", "trs_ueditor", "custom_unionstyle", "view"];
    const IDS: &[&str] = &["ucap-content", "zoom", "trs_editor", "content"];
    n.attr("class").is_some_and(|c| {
        c.split_ascii_whitespace()
            .any(|w| CLASSES.contains(&w.to_ascii_lowercase().as_str()))
    }) || n
        .attr("id")
        .is_some_and(|i| IDS.contains(&i.to_ascii_lowercase().as_str()))
}

/// The visible text of the page without white space, and the range of each element in it.
struct Flat {
    text: String,
    ranges: Vec<(usize, usize)>,
}

fn flatten(dom: &Dom) -> Flat {
    let mut text = String::new();
    let mut ranges = vec![(usize::MAX, usize::MAX); dom.nodes.len()];
    walk(dom, DOCUMENT, |e| {
        match e {
            Event::Enter(id) => {
                ranges[id].0 = text.len();
                if let Data::Text(t) = &dom.node(id).data {
                    text.extend(t.chars().filter(|c| !is_space(*c)));
                }
            }
            Event::Exit(id) => ranges[id].1 = text.len(),
        }
        true
    });
    // Text nodes and childless elements get no Exit of their own.
    for (id, r) in ranges.iter_mut().enumerate() {
        if r.0 != usize::MAX && r.1 == usize::MAX {
            r.1 = match &dom.node(id).data {
                Data::Text(t) => {
                    r.0 + t
                        .chars()
                        .filter(|c| !is_space(*c))
                        .map(char::len_utf8)
                        .sum::<usize>()
                }
                _ => r.0,
            };
        }
    }
    Flat { text, ranges }
}

/// The element holding the report: among the elements holding every marker the page holds,
/// a known content block if there is one, else the smallest. The `<body>` (or the document)
/// when the page holds fewer than [`MIN_MARKERS`].
fn find_body(dom: &Dom, flat: &Flat) -> Id {
    let occurrences: Vec<Vec<usize>> = MARKERS
        .iter()
        .map(|m| flat.text.match_indices(m).map(|(i, _)| i).collect())
        .collect();
    let count = |(s, e): (usize, usize)| {
        occurrences
            .iter()
            .zip(MARKERS)
            .filter(|(occ, m)| {
                let i = occ.partition_point(|&o| o < s);
                occ.get(i).is_some_and(|&o| o + m.len() <= e)
            })
            .count()
    };
    let whole = dom
        .nodes
        .iter()
        .position(|n| n.name() == Some("body"))
        .unwrap_or(DOCUMENT);
    let max = count(flat.ranges[whole]);
    if max < MIN_MARKERS {
        return whole;
    }
    let mut best: Option<(bool, usize, Id)> = None; // (not a content block, length, id)
    for (id, n) in dom.nodes.iter().enumerate() {
        let r = flat.ranges[id];
        if n.name().is_none() || r.0 == usize::MAX || count(r) < max {
            continue;
        }
        let key = (!is_content_block(n), r.1 - r.0, id);
        if best.is_none_or(|b| key < b) {
            best = Some(key);
        }
    }
    best.map_or(whole, |b| b.2)
}

/// The title of the report when the body does not begin with it: the last heading before the
/// body that names a 年度报告, else the page's `ArticleTitle`, else its `<title>` up to the
/// site name. With the source line it is on.
fn find_title(dom: &Dom, flat: &Flat, body: Id) -> Option<(String, usize)> {
    let (bs, _) = flat.ranges[body];
    let head: String = flat.text[bs..].chars().take(60).collect();
    if head.contains("年度报告") || head.contains("年报") {
        return None;
    }
    let names_report = |s: &str| s.contains("年度报告") || s.contains("年报");
    let mut heading: Option<Id> = None;
    for (id, n) in dom.nodes.iter().enumerate() {
        let r = flat.ranges[id];
        let Some(name) = n.name() else { continue };
        if r.0 == usize::MAX || r.1 > bs || r.1 - r.0 > 300 {
            continue;
        }
        let titled = matches!(name, "h1" | "h2" | "h3")
            || n.attr("class")
                .is_some_and(|c| c.to_ascii_lowercase().contains("title"))
            || n.attr("id")
                .is_some_and(|c| c.to_ascii_lowercase().contains("title"));
        if titled && names_report(&flat.text[r.0..r.1]) {
            heading = Some(id);
        }
    }
    if let Some(h) = heading {
        let mut line = Inline::default();
        walk(dom, h, |e| {
            if let Event::Enter(id) = e {
                if let Data::Text(t) = &dom.node(id).data {
                    line.push(t, dom.node(id).line);
                }
            }
            true
        });
        if let Some(l) = line.line {
            return Some((line.buf, l));
        }
    }
    let meta = dom.nodes.iter().find(|n| {
        n.name() == Some("meta")
            && n.attr("name")
                .is_some_and(|v| v.eq_ignore_ascii_case("articletitle"))
    });
    if let Some(m) = meta {
        let t = collapse(m.attr("content").unwrap_or(""));
        if names_report(&t) {
            return Some((t, m.line));
        }
    }
    let title = dom.nodes.iter().find(|n| n.name() == Some("title"))?;
    let mut text = String::new();
    for &c in &title.children {
        if let Data::Text(t) = &dom.node(c).data {
            text.push_str(t);
        }
    }
    let t = collapse(text.split(['_', '|', '—']).next().unwrap_or(""));
    names_report(&t).then_some((t, title.line))
}

// ---------------------------------------------------------------------------------------
// Text

/// White space as a page shows it: collapsed, including `&nbsp;`, the ideographic space and
/// zero-width characters.
fn is_space(c: char) -> bool {
    c.is_whitespace() || matches!(c, '\u{a0}' | '\u{3000}' | '\u{200b}' | '\u{feff}')
}

/// Text gathered into one line: white space between two ASCII characters becomes one space,
/// white space next to CJK text disappears (a label split over `<p>`s or padded with
/// `&nbsp;` runs reads as one word); `|` becomes `｜` so no text reads as a table cell.
#[derive(Default)]
struct Inline {
    buf: String,
    /// Source line of the first visible character.
    line: Option<usize>,
    space: bool,
}

impl Inline {
    /// `node_line` is the line html5ever gives the text node: the line after its first
    /// character when that is a line break (the tokenizer has counted it by then).
    fn push(&mut self, text: &str, node_line: usize) {
        let node_line = if text.starts_with('\n') {
            node_line.saturating_sub(1).max(1)
        } else {
            node_line
        };
        let mut newlines = 0;
        for c in text.chars() {
            if is_space(c) {
                if c == '\n' {
                    newlines += 1;
                }
                self.space = true;
                continue;
            }
            if self.line.is_none() {
                self.line = Some(node_line + newlines);
            }
            if self.space {
                if let Some(last) = self.buf.chars().next_back() {
                    if last.is_ascii() && c.is_ascii() {
                        self.buf.push(' ');
                    }
                }
                self.space = false;
            }
            self.buf.push(if c == '|' { '｜' } else { c });
        }
    }
    /// A break between pieces (`<br>`, `<p>` inside a cell): white space.
    fn gap(&mut self) {
        self.space = true;
    }
    fn take(&mut self) -> (String, Option<usize>) {
        let out = (std::mem::take(&mut self.buf), self.line.take());
        self.space = false;
        out
    }
}

fn collapse(s: &str) -> String {
    let mut i = Inline::default();
    i.push(s, 1);
    i.buf
}

// ---------------------------------------------------------------------------------------
// Rendering

fn is_block(name: &str) -> bool {
    matches!(
        name,
        "p" | "div"
            | "h1"
            | "h2"
            | "h3"
            | "h4"
            | "h5"
            | "h6"
            | "li"
            | "ul"
            | "ol"
            | "dl"
            | "dt"
            | "dd"
            | "section"
            | "article"
            | "aside"
            | "header"
            | "main"
            | "blockquote"
            | "pre"
            | "address"
            | "center"
            | "figure"
            | "figcaption"
            | "hr"
            | "form"
            | "fieldset"
            | "legend"
            | "details"
            | "summary"
            | "table"
            | "caption"
            | "thead"
            | "tbody"
            | "tfoot"
            | "tr"
            | "td"
            | "th"
            | "body"
            | "html"
    )
}

struct Out {
    text: String,
    places: Vec<(TextRange, Place)>,
    tables: usize,
}

impl Out {
    fn line(&mut self, s: &str, line: usize) {
        let start = self.text.len();
        self.text.push_str(s);
        self.places.push((
            TextRange::new(start, self.text.len()),
            Place::SourceLine { line },
        ));
        self.text.push('\n');
    }
    fn blank(&mut self) {
        if !self.text.is_empty() && !self.text.ends_with("\n\n") {
            self.text.push('\n');
        }
    }
}

fn render(dom: &Dom) -> Rendering {
    let flat = flatten(dom);
    let body = find_body(dom, &flat);
    let mut out = Out {
        text: String::new(),
        places: Vec::new(),
        tables: 0,
    };
    if let Some((title, line)) = find_title(dom, &flat, body) {
        out.line(&title, line);
    }
    let mut para = Inline::default();
    let flush = |para: &mut Inline, out: &mut Out| {
        let (s, line) = para.take();
        if let Some(line) = line {
            out.line(&s, line);
        }
    };
    walk(dom, body, |e| {
        match e {
            Event::Enter(id) => {
                let n = dom.node(id);
                match &n.data {
                    Data::Text(t) => para.push(t, n.line),
                    Data::Element { name, .. } => match &**name {
                        "br" => flush(&mut para, &mut out),
                        "table" if is_data_table(dom, id) => {
                            flush(&mut para, &mut out);
                            render_table(dom, id, &mut out);
                            return false;
                        }
                        name if is_block(name) => flush(&mut para, &mut out),
                        _ => {}
                    },
                    _ => {}
                }
            }
            Event::Exit(id) => {
                if dom.node(id).name().is_some_and(is_block) {
                    flush(&mut para, &mut out);
                }
            }
        }
        true
    });
    flush(&mut para, &mut out);
    while out.text.ends_with("\n\n") {
        out.text.pop();
    }
    Rendering {
        form: Form::Html,
        text: out.text,
        places: out.places,
    }
}

/// The rows of a table (through `thead`/`tbody`/`tfoot`, not into nested tables).
fn rows(dom: &Dom, table: Id) -> Vec<Id> {
    let mut v = Vec::new();
    for &c in &dom.node(table).children {
        match dom.node(c).name() {
            Some("tr") => v.push(c),
            Some("thead" | "tbody" | "tfoot") => v.extend(
                dom.node(c)
                    .children
                    .iter()
                    .copied()
                    .filter(|&r| dom.node(r).name() == Some("tr")),
            ),
            _ => {}
        }
    }
    v
}

fn cells(dom: &Dom, tr: Id) -> impl Iterator<Item = Id> + '_ {
    dom.node(tr)
        .children
        .iter()
        .copied()
        .filter(|&c| matches!(dom.node(c).name(), Some("td" | "th")))
}

/// A table of data, not one that lays out the page: no table inside it, and more than one
/// cell.
fn is_data_table(dom: &Dom, table: Id) -> bool {
    let rows = rows(dom, table);
    let n_cells: usize = rows.iter().map(|&r| cells(dom, r).count()).sum();
    if n_cells < 2 {
        return false;
    }
    let mut nested = false;
    walk(dom, table, |e| {
        if let Event::Enter(id) = e {
            if id != table && dom.node(id).name() == Some("table") {
                nested = true;
            }
        }
        !nested
    });
    !nested
}

/// Grid columns at most: a report's widest table has 15; a page with more is not a report
/// table and is not expanded further.
const MAX_COLUMNS: usize = 64;

/// `rowspan`/`colspan` by the HTML rules for non-negative integers (leading digits).
fn span(n: &Node, key: &str) -> Option<usize> {
    let v = n.attr(key)?.trim_start();
    let digits: String = v.chars().take_while(char::is_ascii_digit).take(6).collect();
    digits.parse().ok()
}

#[derive(Clone, Copy)]
enum Slot {
    Empty,
    /// A cell's first grid position: the index of the cell in the table's list.
    Origin(usize),
    /// Covered by a merged cell whose first grid position is (row, col).
    Covered(usize, usize),
}

fn render_table(dom: &Dom, table: Id, out: &mut Out) {
    out.tables += 1;
    let t = out.tables;
    let rows = rows(dom, table);
    let n_rows = rows.len();
    // Caption: a paragraph before the table.
    for &c in &dom.node(table).children {
        if dom.node(c).name() == Some("caption") {
            let mut cap = Inline::default();
            gather(dom, c, &mut cap);
            if let (s, Some(line)) = cap.take() {
                out.line(&s, line);
            }
        }
    }
    let mut grid: Vec<Vec<Slot>> = vec![Vec::new(); n_rows];
    let mut texts: Vec<String> = Vec::new();
    for (r, &tr) in rows.iter().enumerate() {
        let mut c = 0;
        for td in cells(dom, tr) {
            while grid[r].get(c).is_some_and(|s| !matches!(s, Slot::Empty)) {
                c += 1;
            }
            if c >= MAX_COLUMNS {
                break;
            }
            let n = dom.node(td);
            let cs = span(n, "colspan")
                .filter(|&s| s > 0)
                .unwrap_or(1)
                .min(MAX_COLUMNS - c);
            let rs = match span(n, "rowspan") {
                Some(0) => n_rows - r,
                Some(s) => s.min(n_rows - r),
                None => 1,
            };
            let mut cell = Inline::default();
            gather(dom, td, &mut cell);
            texts.push(cell.take().0);
            let idx = texts.len() - 1;
            for (dr, row) in grid[r..r + rs].iter_mut().enumerate() {
                if row.len() < c + cs {
                    row.resize(c + cs, Slot::Empty);
                }
                for (dc, slot) in row[c..c + cs].iter_mut().enumerate() {
                    *slot = if dr == 0 && dc == 0 {
                        Slot::Origin(idx)
                    } else {
                        Slot::Covered(r, c)
                    };
                }
            }
            c += cs;
        }
    }
    let width = grid.iter().map(Vec::len).max().unwrap_or(0);
    // Where each cell's origin is, to place the cells it covers.
    out.blank();
    let mut first = true;
    for (r, row) in grid.iter().enumerate() {
        let has_text = row
            .iter()
            .any(|s| matches!(s, Slot::Origin(i) if !texts[*i].is_empty()));
        if !has_text {
            continue;
        }
        let tr_line = dom.node(rows[r]).line;
        let pipe = |out: &mut Out| {
            let at = out.text.len();
            out.text.push('|');
            out.places.push((
                TextRange::new(at, at + 1),
                Place::SourceLine { line: tr_line },
            ));
        };
        pipe(out);
        for c in 0..width {
            let start = out.text.len();
            out.text.push(' ');
            let place = match row.get(c).copied().unwrap_or(Slot::Empty) {
                Slot::Origin(i) => {
                    out.text.push_str(&texts[i]);
                    Some((r, c))
                }
                Slot::Covered(or, oc) => Some((or, oc)),
                Slot::Empty => None,
            };
            out.text.push(' ');
            if let Some((pr, pc)) = place {
                out.places.push((
                    TextRange::new(start, out.text.len()),
                    Place::Cell {
                        table: t,
                        row: pr + 1,
                        col: pc + 1,
                    },
                ));
            }
            pipe(out);
        }
        out.text.push('\n');
        if first {
            first = false;
            out.text.push('|');
            for _ in 0..width {
                out.text.push_str("---|");
            }
            out.text.push('\n');
        }
    }
    out.blank();
}

/// The text of a cell (or caption) on one line: paragraphs and line breaks inside it are
/// white space.
fn gather(dom: &Dom, root: Id, into: &mut Inline) {
    walk(dom, root, |e| {
        match e {
            Event::Enter(id) => {
                let n = dom.node(id);
                match &n.data {
                    Data::Text(t) => into.push(t, n.line),
                    Data::Element { name, .. } if &**name == "br" || is_block(name) => into.gap(),
                    _ => {}
                }
            }
            Event::Exit(id) => {
                if dom.node(id).name().is_some_and(is_block) {
                    into.gap();
                }
            }
        }
        true
    });
}
