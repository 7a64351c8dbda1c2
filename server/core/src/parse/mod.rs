//! The parser. It never fails: whatever the input, it returns what it
//! understood, and the rules judge the rest.

pub mod lex;
pub mod lines;

use crate::model::*;
use crate::template::{self, Format, T3Row, SECTIONS, TABLE3_ROWS};
use crate::text::TextRange;
use lex::{is_space, normalize, tokenize_line, LineKind, TokKind, Token};
pub use lines::{LineFacts, Lines};
use regex::Regex;
use std::sync::OnceLock;

/// Parse a report. `format` forces the template instead of detecting it.
pub fn parse(src: &str, format: Option<Format>) -> Report {
    parse_lines(src, format, &Lines::new(src), &mut |_, _, _| None).0
}

/// The text ranges each table was read from (for the incremental engine).
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Regions {
    pub tables: [Option<TextRange>; 3],
}

/// A table already read from the same text, if the caller has one: given the
/// table number (0 = 二), its region and the heading lines, return it or `None`
/// to have it read.
pub type TableReuse<'a> = dyn FnMut(usize, TextRange, &[usize]) -> Option<Tables> + 'a;

/// One table of either kind.
#[derive(Clone, Debug, PartialEq)]
pub enum Tables {
    T2(Option<Table2>),
    T3(Option<Table3>),
    T4(Option<Table4>),
}

/// Parse over lines already split, with their facts (see [`lines`]).
pub fn parse_lines(
    src: &str,
    format: Option<Format>,
    lines: &Lines,
    reuse: &mut TableReuse,
) -> (Report, Regions) {
    let headings = find_headings(src, lines);
    let sections = section_spans(src, lines.ranges(), &headings);
    let (title, year, year_range) = find_title_and_year(src, lines, &headings);
    let heading_lines: Vec<usize> = headings.iter().map(|h| h.line).collect();

    let mut regions = Regions::default();
    for (t, section) in [(0usize, 1usize), (1, 2), (2, 3)] {
        regions.tables[t] = region(src, lines, &sections, section, t);
    }
    let mut table2 = None;
    let mut table3 = None;
    let mut table4 = None;
    for t in 0..3 {
        let Some(r) = regions.tables[t] else { continue };
        let got = reuse(t, r, &heading_lines).unwrap_or_else(|| match t {
            0 => Tables::T2(read_table2(src, lines, &heading_lines, r)),
            1 => Tables::T3(read_table3(src, lines, &heading_lines, r)),
            _ => Tables::T4(read_table4(src, lines, &heading_lines, r)),
        });
        match got {
            Tables::T2(x) => table2 = x,
            Tables::T3(x) => table3 = x,
            Tables::T4(x) => table4 = x,
        }
    }

    let (format, format_source) = match (format, year) {
        (Some(f), _) => (f, FormatSource::Config),
        (None, Some(y)) => (Format::for_year(y), FormatSource::Year),
        (None, None) => detect_format_from_tables(table2.as_ref(), table3.as_ref()),
    };

    (
        Report {
            title,
            year,
            year_range,
            format,
            format_source,
            headings,
            sections,
            table2,
            table3,
            table4,
        },
        regions,
    )
}

fn detect_format_from_tables(t2: Option<&Table2>, t3: Option<&Table3>) -> (Format, FormatSource) {
    if let Some(t3) = t3 {
        if t3.has_values(T3Row::OtherOverdue) || t3.has_values(T3Row::OtherUnpaid) {
            return (Format::F2021, FormatSource::Tables);
        }
        if t3.has_values(T3Row::Other) {
            return (Format::F2019, FormatSource::Tables);
        }
    }
    if t2.map(|t| !t.markers_2019.is_empty()).unwrap_or(false) {
        return (Format::F2019, FormatSource::Tables);
    }
    (Format::F2021, FormatSource::Default)
}

// ------------------------------------------------------------------ headings

const NUMERALS: &str = "一二三四五六七八九十";

fn numeral_value(s: &str) -> Option<u32> {
    let v: Vec<u32> = s
        .chars()
        .map(|c| NUMERALS.chars().position(|n| n == c).map(|p| p as u32 + 1))
        .collect::<Option<_>>()?;
    match v.as_slice() {
        [a] => Some(*a),
        [10, b] if *b < 10 => Some(10 + b),
        _ => None,
    }
}

/// Table-三 row labels that look like top-level headings.
const TABLE_ROW_PREFIXES: &[&str] = &["本年新收", "上年结转", "本年度办理", "结转下年度"];

/// Which section a (normalised) heading title names: (section, is the official title or a known alias, normalised title length).
fn match_section(nt: &str) -> Option<(usize, bool, usize)> {
    // The normalised official titles, then the normalised aliases, with their sections.
    type Titles = Vec<(usize, String)>;
    static TITLES: OnceLock<(Titles, Titles)> = OnceLock::new();
    let (officials, aliases) = TITLES.get_or_init(|| {
        let officials = SECTIONS
            .iter()
            .enumerate()
            .map(|(k, s)| (k, lex::norm_str(s.title)))
            .collect();
        let aliases = SECTIONS
            .iter()
            .enumerate()
            .flat_map(|(k, s)| s.aliases.iter().map(move |a| (k, lex::norm_str(a))))
            .collect();
        (officials, aliases)
    });
    for (k, official) in officials {
        if nt.starts_with(official.as_str()) {
            return Some((*k, true, official.len()));
        }
    }
    for (k, a) in aliases {
        if nt.starts_with(a.as_str()) {
            return Some((*k, false, a.len()));
        }
    }
    // Keyword match on the first words of the title only.
    let head: String = nt
        .chars()
        .take_while(|c| !matches!(c, '。' | ':' | ';' | '!' | '?'))
        .take(30)
        .collect();
    for k in [5usize, 3, 4, 2, 1, 0] {
        if let Some(key) = SECTIONS[k].keys.iter().find(|key| head.contains(*key)) {
            let end = head.find(key).unwrap() + key.len();
            return Some((k, false, end.max(head.len().min(end + 30))));
        }
    }
    None
}

struct Candidate {
    numeral: TextRange,
    title: TextRange,
    number: u32,
    inline: bool,
}

/// Find "X、title" at the start of `src[at..end]` (after markup).
fn candidate_at(src: &str, at: usize, end: usize, inline: bool) -> Option<Candidate> {
    let s = &src[at..end];
    let mut i = 0;
    for (j, c) in s.char_indices() {
        if is_space(c) || matches!(c, '#' | '*' | '>') {
            i = j + c.len_utf8();
        } else {
            break;
        }
    }
    let rest = &s[i..];
    let num_len: usize = rest
        .chars()
        .take_while(|c| NUMERALS.contains(*c))
        .map(char::len_utf8)
        .sum();
    if num_len == 0 || num_len > 6 {
        return None;
    }
    let number = numeral_value(&rest[..num_len])?;
    let after = &rest[num_len..];
    let sp: usize = after
        .chars()
        .take_while(|c| is_space(*c))
        .map(char::len_utf8)
        .sum();
    let sep = after[sp..].chars().next()?;
    if !matches!(sep, '、' | '.' | '．') {
        return None;
    }
    let title_start = at + i + num_len + sp + sep.len_utf8();
    let t = &src[title_start..end];
    let lead: usize = t
        .chars()
        .take_while(|c| is_space(*c))
        .map(char::len_utf8)
        .sum();
    let t = t[lead..].trim_end_matches(|c: char| is_space(c) || c == '*' || c == '#');
    Some(Candidate {
        numeral: TextRange::new(at + i, at + i + num_len),
        title: TextRange::new(title_start + lead, title_start + lead + t.len()),
        number,
        inline,
    })
}

fn find_headings(src: &str, lines: &Lines) -> Vec<Heading> {
    let mut out: Vec<Heading> = Vec::new();
    let mut seen = [false; 6];
    let mut current: Option<usize> = None;
    for (line, (lr, facts)) in lines.ranges().iter().zip(&lines.facts).enumerate() {
        for h in &facts.cands {
            let c = Candidate {
                numeral: TextRange::new(lr.start + h.numeral.0, lr.start + h.numeral.1),
                title: TextRange::new(lr.start + h.title.0, lr.start + h.title.1),
                number: h.number,
                inline: h.inline,
            };
            let (short_len, short_chars) = (h.short_len, h.short_chars);
            if h.pre2019 {
                out.push(heading(
                    src,
                    &c,
                    line,
                    short_len,
                    false,
                    HeadingKind::Pre2019,
                ));
                continue;
            }
            let m = h.section;
            let n = c.number as usize;
            let kind = match m {
                Some((k, official, _)) if !c.inline || official => {
                    if k + 1 == n {
                        if seen[k] {
                            Some((HeadingKind::Duplicate { section: k }, official))
                        } else {
                            Some((HeadingKind::Section { section: k }, official))
                        }
                    } else if !seen[k] && current.is_none_or(|cur| k > cur) && !c.inline {
                        Some((HeadingKind::Section { section: k }, false))
                    } else {
                        Some((HeadingKind::Stray, true))
                    }
                }
                _ if short_chars > 24 || short_chars == 0 => None,
                _ if !c.inline
                    && (1..=6).contains(&n)
                    && !seen[n - 1]
                    && current.map_or(n == 1, |cur| n - 1 == cur + 1)
                    && m.is_none() =>
                {
                    Some((HeadingKind::Section { section: n - 1 }, false))
                }
                _ => Some((HeadingKind::Stray, true)),
            };
            let Some((kind, official)) = kind else {
                continue;
            };
            // Title extent: glued headings end where the official title ends.
            let title_len = match (kind, h.official_len) {
                (HeadingKind::Section { .. } | HeadingKind::Duplicate { .. }, Some(len)) => len,
                _ => short_len,
            };
            if let HeadingKind::Section { section } = kind {
                seen[section] = true;
                current = Some(section);
            }
            out.push(heading(src, &c, line, title_len, official, kind));
        }
    }
    out
}

fn heading(
    src: &str,
    c: &Candidate,
    line: usize,
    title_len: usize,
    official: bool,
    kind: HeadingKind,
) -> Heading {
    let title_range = TextRange::new(c.title.start, c.title.start + title_len);
    let title = src[title_range.start..title_range.end].to_string();
    let inline = c.inline || title_range.end < c.title.end;
    Heading {
        range: TextRange::new(c.numeral.start, title_range.end),
        line,
        number: c.number,
        title,
        title_range,
        official,
        inline,
        kind,
    }
}

fn section_spans(src: &str, lines: &[TextRange], headings: &[Heading]) -> [Option<Section>; 6] {
    let mut sections: [Option<Section>; 6] = Default::default();
    let starts: Vec<(usize, usize)> = headings
        .iter()
        .enumerate()
        .filter_map(|(i, h)| match h.kind {
            HeadingKind::Section { section } => Some((i, section)),
            _ => None,
        })
        .collect();
    for (j, &(hi, k)) in starts.iter().enumerate() {
        let h = &headings[hi];
        let start = lines[h.line].start;
        let end = starts
            .get(j + 1)
            .map(|&(n, _)| lines[headings[n].line].start)
            .unwrap_or(src.len());
        let body_start = if h.inline {
            h.range.end
        } else {
            lines[h.line].end
        };
        sections[k] = Some(Section {
            heading: hi,
            range: TextRange::new(start, end),
            body: TextRange::new(body_start.min(end), end),
        });
    }
    sections
}

fn year_re() -> &'static Regex {
    static RE: OnceLock<Regex> = OnceLock::new();
    RE.get_or_init(|| Regex::new(r"((?:19|20)[0-9]{2})\s*年").unwrap())
}

fn period_re() -> &'static Regex {
    static RE: OnceLock<Regex> = OnceLock::new();
    RE.get_or_init(|| Regex::new(r"((?:19|20)[0-9]{2})\s*年\s*0?1\s*月\s*0?1\s*日").unwrap())
}

fn find_title_and_year(
    src: &str,
    all: &Lines,
    headings: &[Heading],
) -> (Option<TextRange>, Option<u16>, Option<TextRange>) {
    let lines = all.ranges();
    let first_section_line = headings
        .iter()
        .find(|h| matches!(h.kind, HeadingKind::Section { section } if section > 0))
        .map(|h| h.line)
        .unwrap_or(lines.len());
    let mut nonempty = 0;
    let mut title = None;
    for (l, r) in lines.iter().enumerate().take(first_section_line) {
        if all.facts[l].blank {
            continue;
        }
        let t = &src[r.start..r.end];
        nonempty += 1;
        if nonempty > 12 {
            break;
        }
        if t.contains("年度报告") && t.chars().count() < 80 {
            let lead: usize = t
                .chars()
                .take_while(|c| is_space(*c))
                .map(char::len_utf8)
                .sum();
            let mut range = TextRange::new(r.start + lead, r.end);
            // The agency and year may sit on the line before ("蒙城县工业和信息化局2024年").
            if let Some(prev) = (0..l).rev().find(|&p| !all.facts[p].blank) {
                let pt = &src[lines[prev].start..lines[prev].end];
                let pt_trim = pt.trim_matches(is_space);
                if pt_trim.chars().count() < 40
                    && !pt_trim.contains('。')
                    && !headings.iter().any(|h| h.line == prev)
                {
                    let lead: usize = pt
                        .chars()
                        .take_while(|c| is_space(*c))
                        .map(char::len_utf8)
                        .sum();
                    range = TextRange::new(lines[prev].start + lead, range.end);
                }
            }
            title = Some(range);
            break;
        }
    }
    if let Some(tr) = title {
        if let Some(c) = year_re().captures(&src[tr.start..tr.end]) {
            let m = c.get(1).unwrap();
            return (
                title,
                m.as_str().parse().ok(),
                Some(TextRange::new(tr.start + m.start(), tr.start + m.end())),
            );
        }
    }
    // The 统计期限 ("自2021年1月1日至…") in the first part of the text.
    let limit = lines
        .get(first_section_line.min(lines.len().saturating_sub(1)))
        .map(|r| r.end)
        .unwrap_or(src.len());
    let limit = limit.max(src.len().min(4000));
    let limit = crate::text::floor_char_boundary(src, limit);
    if let Some(c) = period_re().captures(&src[..limit]) {
        let m = c.get(1).unwrap();
        return (
            title,
            m.as_str().parse().ok(),
            Some(TextRange::new(m.start(), m.end())),
        );
    }
    (title, None, None)
}

// ------------------------------------------------------------------ regions

/// The region of a table (`table` 0 = 二): the body of its section from the
/// first anchor line on; without the section, from the first anchor line in the
/// text to the next section heading.
fn region(
    src: &str,
    lines: &Lines,
    sections: &[Option<Section>; 6],
    section: usize,
    table: usize,
) -> Option<TextRange> {
    let bit = 1u8 << table;
    let anchor_in = |range: TextRange| -> Option<usize> {
        let first = lines.ranges().partition_point(|l| l.start < range.start);
        lines.ranges()[first..]
            .iter()
            .zip(&lines.facts[first..])
            .take_while(|(l, _)| l.start <= range.end)
            .find_map(|(l, f)| (l.end <= range.end && f.anchors & bit != 0).then_some(l.start))
    };
    if let Some(s) = &sections[section] {
        let start = anchor_in(s.body).unwrap_or(s.body.start).max(s.body.start);
        return Some(TextRange::new(start, s.body.end));
    }
    let start = anchor_in(TextRange::new(0, src.len()))?;
    let end = sections
        .iter()
        .flatten()
        .map(|s| s.range.start)
        .filter(|&s| s > start)
        .min()
        .unwrap_or(src.len());
    Some(TextRange::new(start, end))
}

/// Tokens of the table lines in a region (prose, page numbers, headings and
/// alignment rows skipped), and the layout they show.
fn region_tokens(
    src: &str,
    lines: &Lines,
    heading_lines: &[usize],
    region: TextRange,
) -> (Vec<Token>, Layout) {
    let mut toks = Vec::new();
    let (mut pipe, mut tab, mut space) = (0, 0, 0);
    let first = lines.ranges().partition_point(|r| r.end < region.start);
    for (l, full) in lines.ranges().iter().enumerate().skip(first) {
        if full.start >= region.end {
            break;
        }
        if full.end < region.start || heading_lines.contains(&l) {
            continue;
        }
        let r = TextRange::new(full.start.max(region.start), full.end.min(region.end));
        let skip = if r == *full {
            lines.facts[l].table_skip
        } else {
            lines::table_skip(&src[r.start..r.end])
        };
        if skip {
            continue;
        }
        let before = toks.len();
        let kind = tokenize_line(src, r, l, &mut toks);
        if toks[before..]
            .iter()
            .any(|t: &Token| matches!(t.kind, TokKind::Value(_)) && !t.header_blank)
        {
            match kind {
                LineKind::Pipe => pipe += 1,
                LineKind::Tab => tab += 1,
                LineKind::Space => space += 1,
            }
        }
    }
    let layout = match (pipe > 0, tab > 0, space > 0) {
        (true, false, false) => Layout::Pipe,
        (false, true, false) => Layout::Tab,
        (false, false, _) => Layout::Whitespace,
        _ => Layout::Mixed,
    };
    (toks, layout)
}

/// The label stream of a token list: normalised label texts concatenated, with
/// the token each byte came from.
struct LabelStream {
    text: String,
    /// (stream offset, token index, normalised text of the token)
    parts: Vec<(usize, usize, lex::Normalized)>,
}

impl LabelStream {
    fn new(src: &str, toks: &[Token]) -> Self {
        let mut text = String::new();
        let mut parts = Vec::new();
        for (i, t) in toks.iter().enumerate() {
            if t.kind == TokKind::Label {
                let n = normalize(src, t.range);
                parts.push((text.len(), i, n));
                text.push_str(&parts.last().unwrap().2.text);
            }
        }
        LabelStream { text, parts }
    }
    fn part_of(&self, offset: usize) -> usize {
        match self.parts.binary_search_by_key(&offset, |p| p.0) {
            Ok(i) => i,
            Err(i) => i.saturating_sub(1),
        }
    }
    /// Source range of a stream range, and the token indices at its ends.
    fn locate(&self, src: &str, start: usize, end: usize) -> (TextRange, usize, usize) {
        let ps = self.part_of(start);
        let pe = self.part_of(end.saturating_sub(1).max(start));
        let (s0, ti_s, ns) = &self.parts[ps];
        let (s1, ti_e, ne) = &self.parts[pe];
        let a = ns.source(start - s0);
        let b = ne.source_end(end - s1, src);
        (TextRange::new(a, b.max(a)), *ti_s, *ti_e)
    }
}

struct Found {
    def: usize,
    label: TextRange,
    first_tok: usize,
    last_tok: usize,
}

/// Find each row's label in the stream, in template order. Returns the matches
/// and whether some were found only before the previous one (labels out of order).
fn match_rows<'a>(
    src: &str,
    stream: &LabelStream,
    defs: impl Iterator<Item = (usize, &'a [&'a str])>,
) -> (Vec<Found>, usize) {
    let mut cursor = 0;
    let mut found = Vec::new();
    let mut out_of_order = 0;
    for (def, matchers) in defs {
        let find_from = |from: usize| {
            matchers
                .iter()
                .filter_map(|m| {
                    stream
                        .text
                        .get(from..)
                        .and_then(|t| t.find(m))
                        .map(|p| (from + p, from + p + m.len()))
                })
                .min()
        };
        let hit = match find_from(cursor) {
            Some(h) => Some(h),
            None => {
                let h = find_from(0);
                if h.is_some() {
                    out_of_order += 1;
                }
                h
            }
        };
        if let Some((s, e)) = hit {
            if s >= cursor {
                cursor = e;
            }
            let (label, first_tok, last_tok) = stream.locate(src, s, e);
            found.push(Found {
                def,
                label,
                first_tok,
                last_tok,
            });
        }
    }
    (found, out_of_order)
}

/// Strip surplus blank cells (merged-cell artifacts) from the ends, then fit.
fn fit(raw: &[Cell], width: usize) -> Option<Vec<Cell>> {
    let mut v: Vec<Cell> = raw.to_vec();
    while v.len() > width && v.last().map(|c| c.value == Value::Blank).unwrap_or(false) {
        v.pop();
    }
    while v.len() > width && v.first().map(|c| c.value == Value::Blank).unwrap_or(false) {
        v.remove(0);
    }
    (v.len() == width).then_some(v)
}

fn glued_re() -> &'static Regex {
    static RE: OnceLock<Regex> = OnceLock::new();
    RE.get_or_init(|| Regex::new(r"[\p{Han}）)”\x22]([0-9０-９]+(?:[.．][0-9０-９]+)?)$").unwrap())
}

/// Where digits are glued together: in a label ("行政规范性文件693665"), or as one
/// long number where a row needs several ("1009200101012" for seven cells).
fn glued(src: &str, toks: &[Token], raw: &[Cell], width: usize) -> Option<TextRange> {
    let in_label = toks
        .iter()
        .filter(|t| t.kind == TokKind::Label)
        .find_map(|t| {
            let s = &src[t.range.start..t.range.end];
            glued_re().captures(s).map(|c| {
                let m = c.get(1).expect("group");
                TextRange::new(t.range.start + m.start(), t.range.end)
            })
        });
    if in_label.is_some() {
        return in_label;
    }
    // Few plain integers carrying at least one digit per missing cell.
    let digits: usize = raw
        .iter()
        .map(|c| match c.value {
            Value::Int { .. } if !c.style.thousands => Some(
                src[c.number_range.start..c.number_range.end]
                    .chars()
                    .count(),
            ),
            _ => None,
        })
        .sum::<Option<usize>>()?;
    (!raw.is_empty() && raw.len() * 2 <= width && digits >= width).then(|| {
        raw.iter()
            .fold(raw[0].number_range, |r, c| r.cover(c.number_range))
    })
}

/// Does a cell's text read as (part of) a row label rather than as a count
/// written as text: enumerated ("1.属于…", "（三）…", "二、…") or long.
fn label_like(text: &str) -> bool {
    let n = lex::norm_str(text);
    if n.chars().count() > 8 || n.starts_with('(') {
        return true;
    }
    let rest = n.trim_start_matches(|c: char| c.is_ascii_digit() || NUMERALS.contains(c));
    rest.len() < n.len() && rest.starts_with(['.', '、'])
}

/// In a table with separators, the cells right of a row's label are its values
/// even when they are not numbers: a text cell between the label and the first
/// number ("（一）予以公开 | 三 | 1 | …", "… | 未统计 | 0 | …") is a value in its
/// column, not more label — read as label, it would move every value of the row
/// one column left. The tokens with those cells turned into value cells, or
/// `None` when there are none. `found` is sorted by first token.
fn values_in_label_position(src: &str, toks: &[Token], found: &[Found]) -> Option<Vec<Token>> {
    let mut out: Option<Vec<Token>> = None;
    for (i, f) in found.iter().enumerate() {
        let next = found.get(i + 1).map_or(toks.len(), |n| n.first_tok);
        let line = toks[f.last_tok].line;
        let span = f.last_tok + 1..next.max(f.last_tok + 1).min(toks.len());
        for j in span.clone() {
            let t = &toks[j];
            if t.line != line {
                break;
            }
            if t.kind != TokKind::Label || !t.delimited {
                continue;
            }
            let text = &src[t.range.start..t.range.end];
            let value_after = toks[j + 1..span.end].iter().any(|v| {
                v.line == line && matches!(&v.kind, TokKind::Value(c) if c.value != Value::Blank)
            });
            if label_like(text) || !(value_after || lex::chinese_number(text).is_some()) {
                continue;
            }
            let pipe = src[toks[f.first_tok].range.start..t.range.start].contains('|');
            let v = out.get_or_insert_with(|| toks.to_vec());
            v[j].kind = TokKind::Value(lex::text_cell(src, t.range, pipe));
        }
    }
    out
}

/// Build rows from matches: each row takes the value tokens from its label to the next row's label.
fn build_rows(
    src: &str,
    toks: &[Token],
    mut found: Vec<Found>,
    width: impl Fn(usize) -> usize,
) -> (Vec<(usize, Row)>, Vec<TextRange>) {
    found.sort_by_key(|f| (f.first_tok, f.label.start));
    let kept;
    let toks = match values_in_label_position(src, toks, &found) {
        Some(t) => {
            kept = t;
            &kept[..]
        }
        None => toks,
    };
    // Lines that carry a label and values but no template row: rows not in the template.
    // A row covers the lines of its label and, when no value follows the label on
    // its last line, the lines up to its first value: a label wrapped inside its
    // cell ("2.没有现成信息需要" / "另行制作 | 0 | …") continues there.
    let covered: std::collections::HashSet<usize> = found
        .iter()
        .enumerate()
        .flat_map(|(i, f)| {
            let last = toks[f.last_tok].line;
            let next = found.get(i + 1).map(|n| n.first_tok).unwrap_or(toks.len());
            let value_on_last = toks[f.last_tok..next.max(f.last_tok)]
                .iter()
                .any(|t| t.line == last && matches!(t.kind, TokKind::Value(_)) && !t.header_blank);
            let end = if value_on_last {
                last
            } else {
                toks[f.last_tok..next.max(f.last_tok)]
                    .iter()
                    .find(|t| matches!(t.kind, TokKind::Value(_)) && !t.header_blank)
                    .map(|t| t.line)
                    .unwrap_or(last)
            };
            toks[f.first_tok].line..=end
        })
        .collect();
    let mut unknown_lines = std::collections::BTreeMap::<usize, TextRange>::new();
    for t in toks {
        if t.kind == TokKind::Label && t.delimited && !covered.contains(&t.line) {
            let n = lex::norm_str(&src[t.range.start..t.range.end]);
            if n.chars().count() >= 2
                && toks.iter().any(|v| {
                    v.line == t.line && matches!(v.kind, TokKind::Value(_)) && !v.header_blank
                })
            {
                unknown_lines.entry(t.line).or_insert(t.range);
            }
        }
    }
    let mut rows = Vec::new();
    for i in 0..found.len() {
        let f = &found[i];
        let end_tok = found
            .get(i + 1)
            .map(|n| n.first_tok)
            .unwrap_or(toks.len())
            .max(f.last_tok + 1);
        let span = &toks[f.first_tok..end_tok.min(toks.len())];
        let raw: Vec<Cell> = span
            .iter()
            .filter(|t| !unknown_lines.contains_key(&t.line))
            .filter(|t| !t.header_blank || t.line == toks[f.first_tok].line)
            .filter_map(|t| match &t.kind {
                TokKind::Value(c) => Some(c.clone()),
                _ => None,
            })
            .collect();
        // Label as written: label tokens from the matched one up to the first value.
        let first = &toks[f.first_tok];
        let mut label_cell = first.range;
        for t in &toks[f.first_tok..] {
            match t.kind {
                TokKind::Label if t.line == first.line => label_cell = label_cell.cover(t.range),
                _ => break,
            }
        }
        let label_text = src[label_cell.start..label_cell.end].to_string();
        // Reliable only when the whole label sits on one line before the values.
        let label_is_cell = f.last_tok < toks.len() && toks[f.last_tok].line == first.line;
        let cells = fit(&raw, width(f.def));
        let glued = if cells.is_some() {
            None
        } else {
            glued(src, span, &raw, width(f.def))
        };
        rows.push((
            f.def,
            Row {
                label_range: f.label,
                label_cell,
                label_text,
                label_is_cell,
                raw,
                cells,
                glued,
            },
        ));
    }
    (rows, unknown_lines.into_values().collect())
}

fn read_table2(
    src: &str,
    lines: &Lines,
    heading_lines: &[usize],
    region: TextRange,
) -> Option<Table2> {
    let (toks, layout) = region_tokens(src, lines, heading_lines, region);
    let stream = LabelStream::new(src, &toks);
    let mut markers_2019 = Vec::new();
    for m in template::TABLE2_2019_MARKERS {
        let nm = lex::norm_str(m);
        let mut from = 0;
        while let Some(p) = stream.text[from..].find(&nm) {
            let (r, _, _) = stream.locate(src, from + p, from + p + nm.len());
            markers_2019.push((r, m.to_string()));
            from += p + nm.len();
        }
    }
    // The table is read against the template it follows (NB501 judges the choice).
    let format = if markers_2019.is_empty() {
        Format::F2021
    } else {
        Format::F2019
    };
    let defs: Vec<(&template::Table2Block, &template::Table2Row)> = template::table2_blocks(format)
        .iter()
        .flat_map(|b| b.rows.iter().map(move |r| (b, r)))
        .collect();
    let (found, _) = match_rows(
        src,
        &stream,
        defs.iter()
            .enumerate()
            .map(|(i, (_, r))| (i, std::slice::from_ref(&r.matcher))),
    );
    if found.is_empty() && markers_2019.is_empty() {
        return None;
    }
    let (built, unknown) = build_rows(src, &toks, found, |d| defs[d].0.columns.len());
    let mut rows: Vec<(template::T2Row, Option<Row>)> =
        defs.iter().map(|(_, r)| (r.key, None)).collect();
    for (d, row) in built {
        rows[d].1 = Some(row);
    }
    Some(Table2 {
        range: region,
        format,
        rows,
        layout,
        markers_2019,
        unknown,
    })
}

fn read_table3(
    src: &str,
    lines: &Lines,
    heading_lines: &[usize],
    region: TextRange,
) -> Option<Table3> {
    let (toks, layout) = region_tokens(src, lines, heading_lines, region);
    let stream = LabelStream::new(src, &toks);
    let (found, out_of_order) = match_rows(
        src,
        &stream,
        TABLE3_ROWS.iter().enumerate().map(|(i, r)| (i, r.matchers)),
    );
    if found.is_empty() {
        return None;
    }
    let (built, unknown) = build_rows(src, &toks, found, |_| template::TABLE3_COLUMNS.len());
    let mut rows: Vec<Option<Row>> = vec![None; TABLE3_ROWS.len()];
    for (d, row) in built {
        rows[d] = Some(row);
    }
    // "（六）其他处理" above the 2021 sub-rows is a group label: blank cells beside
    // it are the merged cells of the group, not a row of blanks.
    let all_blank = |r: &Row| r.raw.iter().all(|c| c.value == Value::Blank);
    let sub_rows = [T3Row::OtherOverdue, T3Row::OtherUnpaid, T3Row::OtherOther]
        .iter()
        .any(|k| {
            rows[k.index()]
                .as_ref()
                .is_some_and(|r| !r.raw.is_empty() && !all_blank(r))
        });
    if let Some(group) = rows[T3Row::Other.index()]
        .as_mut()
        .filter(|r| sub_rows && all_blank(r))
    {
        group.raw.clear();
        group.cells = None;
    }
    Some(Table3 {
        range: region,
        rows,
        layout,
        disordered: out_of_order >= 2,
        unknown,
    })
}

fn read_table4(
    src: &str,
    lines: &Lines,
    heading_lines: &[usize],
    region: TextRange,
) -> Option<Table4> {
    let (toks, layout) = region_tokens(src, lines, heading_lines, region);
    let raw: Vec<Cell> = toks
        .iter()
        .filter(|t| !t.header_blank)
        .filter_map(|t| match &t.kind {
            TokKind::Value(c) => Some(c.clone()),
            _ => None,
        })
        .collect();
    let has_header = toks.iter().any(|t| {
        t.kind == TokKind::Label && lex::norm_str(&src[t.range.start..t.range.end]).contains("维持")
    });
    if raw.is_empty() && !has_header {
        return None;
    }
    let label_range = toks
        .first()
        .map(|t| t.range)
        .unwrap_or(TextRange::empty(region.start));
    let cells = fit(&raw, template::TABLE4_WIDTH);
    let glued = if cells.is_some() {
        None
    } else {
        glued(src, &toks, &raw, template::TABLE4_WIDTH)
    };
    let row = Row {
        label_range,
        label_cell: label_range,
        label_text: String::new(),
        label_is_cell: false,
        raw,
        cells,
        glued,
    };
    Some(Table4 {
        range: region,
        row,
        layout,
    })
}
