//! Incremental analysis: the text of one open document, kept with what the
//! last analysis learnt of it, so that the work after an edit is proportional
//! to the edit.
//!
//! - **Lines.** Each line keeps its facts ([`crate::parse::LineFacts`]: heading
//!   candidates, table anchors, prose and comment flags) and an id. An edit
//!   re-reads only the lines it touches (and one line either side, for "\r\n"
//!   pairs split or joined by the edit); they get new ids.
//! - **Blocks.** A table whose region the edit did not touch, at the same place
//!   relative to the edit and with the same headings inside, is reused (moved)
//!   instead of read again. A prose paragraph's figures are cached by the ids of
//!   its lines.
//! - **Rules.** Each rule declares what it reads ([`inputs`]); it runs again
//!   only when one of those changed, otherwise its previous findings are moved.
//!
//! Invariant: [`Engine::analysis`] equals [`crate::analyze`] of [`Engine::text`]
//! — checked by a property test over random edit sequences
//! (`server/core/tests/incremental.rs`) and the `rope_edits` fuzz target.

use crate::analysis::Analysis;
use crate::config::Config;
use crate::diag::Diagnostic;
use crate::model::*;
use crate::narrative::Claim;
use crate::parse::{self, lines::split_lines, Lines, Regions, Tables};
use crate::rules::{self, Ctx, RULES};
use crate::text::TextRange;
use std::collections::HashMap;
use std::sync::Arc;

/// Where the text changed since the last analysis, in both coordinates: bytes
/// `lo..old_hi` of the analysed text became `lo..new_hi`; lines likewise.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Dirty {
    pub lo: usize,
    pub old_hi: usize,
    pub new_hi: usize,
    pub line_lo: usize,
    pub old_line_hi: usize,
    pub new_line_hi: usize,
}

impl Dirty {
    fn delta(&self) -> isize {
        self.new_hi as isize - self.old_hi as isize
    }
    /// An old byte range in the new text: unchanged before the edit, moved
    /// after it, stretched when it encloses it; `None` when the edit cuts into it.
    pub fn range(&self, r: TextRange) -> Option<TextRange> {
        let d = self.delta();
        let mv = |x: usize| (x as isize + d) as usize;
        if r.end < self.lo {
            Some(r)
        } else if r.start > self.old_hi {
            Some(TextRange::new(mv(r.start), mv(r.end)))
        } else if r.start < self.lo && r.end > self.old_hi {
            Some(TextRange::new(r.start, mv(r.end)))
        } else {
            None
        }
    }
    /// An old range the edit must not touch at all (its text is the same).
    pub fn untouched(&self, r: TextRange) -> Option<TextRange> {
        if r.end < self.lo || r.start > self.old_hi {
            self.range(r)
        } else {
            None
        }
    }
    pub fn line(&self, l: usize) -> Option<usize> {
        if l < self.line_lo {
            Some(l)
        } else if l > self.old_line_hi {
            Some((l as isize + self.new_line_hi as isize - self.old_line_hi as isize) as usize)
        } else {
            None
        }
    }
}

/// Something that can be carried over an edit.
pub trait Carry: Sized {
    fn carry(&self, d: &Dirty) -> Option<Self>;
}

impl Carry for TextRange {
    fn carry(&self, d: &Dirty) -> Option<Self> {
        d.range(*self)
    }
}

impl<T: Carry> Carry for Option<T> {
    fn carry(&self, d: &Dirty) -> Option<Self> {
        match self {
            None => Some(None),
            Some(x) => Some(Some(x.carry(d)?)),
        }
    }
}

impl<T: Carry> Carry for Vec<T> {
    fn carry(&self, d: &Dirty) -> Option<Self> {
        self.iter().map(|x| x.carry(d)).collect()
    }
}

impl Carry for Cell {
    fn carry(&self, d: &Dirty) -> Option<Self> {
        Some(Cell {
            range: d.untouched(self.range)?,
            number_range: d.untouched(self.number_range)?,
            ..self.clone()
        })
    }
}

impl Carry for Row {
    fn carry(&self, d: &Dirty) -> Option<Self> {
        Some(Row {
            label_range: d.untouched(self.label_range)?,
            label_cell: d.untouched(self.label_cell)?,
            label_text: self.label_text.clone(),
            label_is_cell: self.label_is_cell,
            raw: self.raw.carry(d)?,
            cells: self.cells.carry(d)?,
            glued: match self.glued {
                None => None,
                Some(g) => Some(d.untouched(g)?),
            },
        })
    }
}

impl Carry for Table2 {
    fn carry(&self, d: &Dirty) -> Option<Self> {
        Some(Table2 {
            range: d.range(self.range)?,
            format: self.format,
            rows: self
                .rows
                .iter()
                .map(|(k, r)| Some((*k, r.carry(d)?)))
                .collect::<Option<_>>()?,
            layout: self.layout,
            markers_2019: self
                .markers_2019
                .iter()
                .map(|(r, w)| Some((d.untouched(*r)?, w.clone())))
                .collect::<Option<_>>()?,
            unknown: self
                .unknown
                .iter()
                .map(|r| d.untouched(*r))
                .collect::<Option<_>>()?,
        })
    }
}

impl Carry for Table3 {
    fn carry(&self, d: &Dirty) -> Option<Self> {
        Some(Table3 {
            range: d.range(self.range)?,
            rows: self.rows.carry(d)?,
            layout: self.layout,
            disordered: self.disordered,
            unknown: self
                .unknown
                .iter()
                .map(|r| d.untouched(*r))
                .collect::<Option<_>>()?,
        })
    }
}

impl Carry for Table4 {
    fn carry(&self, d: &Dirty) -> Option<Self> {
        Some(Table4 {
            range: d.range(self.range)?,
            row: self.row.carry(d)?,
            layout: self.layout,
        })
    }
}

impl Carry for Heading {
    fn carry(&self, d: &Dirty) -> Option<Self> {
        Some(Heading {
            range: d.untouched(self.range)?,
            line: d.line(self.line)?,
            title_range: d.untouched(self.title_range)?,
            ..self.clone()
        })
    }
}

impl Carry for Section {
    fn carry(&self, d: &Dirty) -> Option<Self> {
        Some(Section {
            heading: self.heading,
            range: d.range(self.range)?,
            body: d.range(self.body)?,
        })
    }
}

impl Carry for Claim {
    fn carry(&self, d: &Dirty) -> Option<Self> {
        Some(Claim {
            range: d.untouched(self.range)?,
            ..self.clone()
        })
    }
}

impl Carry for Diagnostic {
    fn carry(&self, d: &Dirty) -> Option<Self> {
        let mut out = self.clone();
        out.range = d.range(self.range)?;
        for r in &mut out.related {
            r.range = d.range(r.range)?;
        }
        for f in &mut out.fixes {
            for e in &mut f.edits {
                e.range = d.untouched(e.range)?;
            }
        }
        Some(out)
    }
}

/// What a rule reads.
#[derive(Clone, Copy, Debug)]
pub enum Input {
    /// Everything: the rule runs after every edit.
    All,
    /// Title, year, format, headings and section spans.
    Structure,
    /// Tables 二, 三 and 四.
    Tables,
    /// The text of the tables' regions (headers and words between the rows,
    /// which rules read besides the cells): untouched by the edit.
    TableText,
    /// The figures the prose states.
    Claims,
    /// The text of a span of the report (e.g. a section body); it must be
    /// untouched by the edit.
    Span(fn(&Report, &str) -> Option<TextRange>),
    /// Whether the text reads as a written report ([`crate::rules::identity::looks_like_report`]).
    LooksLikeReport,
    /// The text's line ending.
    Eol,
}

fn body<const K: usize>(r: &Report, src: &str) -> Option<TextRange> {
    crate::rules::identity::body(src, r, K)
}

/// From the start of the text to the end of the line of the first heading of
/// sections 二–六 (the title, the opening and usually section 一), up to the
/// rules' read limit.
fn front(r: &Report, src: &str) -> Option<TextRange> {
    let end = r
        .sections
        .iter()
        .skip(1)
        .flatten()
        .map(|s| r.headings[s.heading].range.end)
        .min()
        .map(|e| crate::rules::shared::line_at(src, e).end)
        .unwrap_or(src.len());
    Some(crate::rules::identity::cap(src, TextRange::new(0, end)))
}

fn full_body<const K: usize>(r: &Report, _: &str) -> Option<TextRange> {
    r.sections[K].as_ref().map(|s| s.body)
}

/// From the start of the text to the end of where the report-level hints sit.
fn anchor(r: &Report, src: &str) -> Option<TextRange> {
    Some(TextRange::new(
        0,
        crate::rules::identity::anchor(src, r).end,
    ))
}

fn tail(r: &Report, src: &str) -> Option<TextRange> {
    crate::rules::identity::tail(src, r)
}

/// The inputs of a rule; a rule not listed here reads everything.
pub fn inputs(code: &str) -> &'static [Input] {
    use Input::*;
    match code {
        // Reported outside the rule pass (suppression; two reports compared).
        "NB107" | "NB406" | "NB407" | "NB408" => &[],
        "NB102" | "NB103" | "NB104" | "NB105" => &[Structure],
        "NB106" => &[Structure, Span(full_body::<5>)],
        "NB114" => &[Structure, Span(body::<5>)],
        "NB108" => &[Structure, Span(front), Span(anchor), LooksLikeReport],
        "NB109" => &[
            Structure,
            Span(front),
            Span(body::<0>),
            Span(anchor),
            LooksLikeReport,
        ],
        "NB405" => &[Structure, Span(front), Span(body::<0>)],
        "NB110" => &[
            Structure,
            Span(front),
            Span(tail),
            Span(anchor),
            LooksLikeReport,
        ],
        "NB111" | "NB112" => &[Structure, Span(body::<0>)],
        "NB113" => &[Structure, Span(body::<4>)],
        "NB201" | "NB203" | "NB204" | "NB205" | "NB206" | "NB207" | "NB208" | "NB209" | "NB501"
        | "NB502" | "NB503" | "NB504" | "NB505" => &[Structure, Tables, TableText],
        // The prose decides between equally simple explanations of the tables.
        "NB301" | "NB302" | "NB303" | "NB304" | "NB305" => &[Structure, Tables, TableText, Claims],
        "NB202" => &[Structure, Tables, TableText, Eol],
        "NB401" | "NB402" | "NB403" | "NB404" => &[Structure, Tables, Claims],
        _ => &[All],
    }
}

/// What the last analysis left for the next one.
struct Prev {
    analysis: Arc<Analysis>,
    regions: Regions,
    claims: Vec<Claim>,
    eol: &'static str,
    spans: Vec<(usize, Option<TextRange>)>,
    looks_like: bool,
    /// Findings per rule (indexed like [`RULES`]), before suppression.
    by_rule: Vec<Vec<Diagnostic>>,
}

/// A paragraph's lines, exactly: ids only grow, so a paragraph whose first and
/// last line, line count and greatest id are the same has the same lines.
type ParaKey = (u64, u64, usize, u64);

/// A fast hasher for keys made of line ids (small integers, no attacker: the
/// ids are ours).
#[derive(Default)]
struct IdHasher(u64);

impl std::hash::Hasher for IdHasher {
    fn write(&mut self, bytes: &[u8]) {
        for b in bytes {
            self.write_u64(*b as u64);
        }
    }
    fn write_u64(&mut self, x: u64) {
        self.0 = (self.0.rotate_left(5) ^ x).wrapping_mul(0x51_7c_c1_b7_27_22_0a_95);
    }
    fn write_usize(&mut self, x: usize) {
        self.write_u64(x as u64);
    }
    fn finish(&self) -> u64 {
        self.0
    }
}

/// The paragraphs of the last analysis in document order, each with its figures
/// (relative to its start). An edit leaves the paragraphs before and after it in
/// the same order, so the next analysis walks this list alongside the new
/// paragraphs and finds each in the next place, without hashing (at 10 MB a
/// hash probe per paragraph, 23,000 cache misses, was the largest cost of a
/// keystroke). It looks a few places ahead past the edited paragraphs, and
/// indexes the list only after that many paragraphs in a row were not found
/// (an edit that moved more).
type ParaCache = Vec<(ParaKey, Vec<Claim>)>;

/// How far ahead of the expected place a paragraph is looked for, and how
/// many paragraphs in a row may be missed before the list is indexed.
const PARA_LOOKAHEAD: usize = 8;

/// Counters of the last analysis (for tests and benchmarks).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Stats {
    pub lines_read: usize,
    pub tables_read: usize,
    pub tables_reused: usize,
    pub paragraphs_read: usize,
    pub paragraphs_reused: usize,
    pub rules_run: usize,
    pub rules_reused: usize,
}

/// One document's text and its incremental analysis.
pub struct Engine {
    text: String,
    config: Config,
    lines: Lines,
    ids: Vec<u64>,
    next_id: u64,
    dirty: Option<Dirty>,
    prev: Option<Prev>,
    incremental: bool,
    lines_read: usize,
    stats: Stats,
    /// The last analysis' paragraphs and their figures (see [`ParaCache`]).
    paragraphs: ParaCache,
    /// Line terminators: "\r\n", "\n", lone "\r".
    terminators: [usize; 3],
}

impl Engine {
    pub fn new(text: String, config: Config) -> Self {
        let lines = Lines::new(&text);
        let n = lines.ranges.len();
        Engine {
            text,
            config,
            lines_read: n,
            ids: (0..n as u64).collect(),
            next_id: n as u64,
            lines,
            dirty: None,
            prev: None,
            incremental: true,
            stats: Stats::default(),
            paragraphs: ParaCache::default(),
            terminators: [0; 3],
        }
        .counted()
    }

    fn counted(mut self) -> Self {
        for i in 0..self.lines.ranges.len() {
            if let Some(t) = terminator(&self.text, &self.lines, i) {
                self.terminators[t] += 1;
            }
        }
        self
    }

    /// Analyse every version from scratch (for measuring the gain).
    pub fn set_incremental(&mut self, on: bool) {
        self.incremental = on;
        if !on {
            self.prev = None;
        }
    }

    pub fn text(&self) -> &str {
        &self.text
    }

    pub fn config(&self) -> &Config {
        &self.config
    }

    /// New settings: the next analysis starts afresh.
    pub fn set_config(&mut self, config: Config) {
        if config != self.config {
            self.config = config;
            self.prev = None;
        }
    }

    /// The first line whose range or facts differ from a fresh split of the text
    /// (for tests: `None` when the kept lines are right).
    pub fn first_stale_line(&self) -> Option<usize> {
        let fresh = Lines::new(&self.text);
        if fresh.ranges.len() != self.lines.ranges.len() {
            return Some(fresh.ranges.len().min(self.lines.ranges.len()));
        }
        (0..fresh.ranges.len()).find(|&i| {
            fresh.ranges[i] != self.lines.ranges[i] || fresh.facts[i] != self.lines.facts[i]
        })
    }

    pub fn stats(&self) -> Stats {
        self.stats
    }

    /// Replace the whole text.
    pub fn set_text(&mut self, text: String) {
        let len = self.text.len();
        self.edit(0, len, &text);
    }

    /// Replace bytes `start..end` (clamped to the text, moved back to char
    /// boundaries) with `new_text`.
    pub fn edit(&mut self, start: usize, end: usize, new_text: &str) {
        let floor = |mut x: usize, s: &str| {
            x = x.min(s.len());
            while !s.is_char_boundary(x) {
                x -= 1;
            }
            x
        };
        let (start, end) = {
            let (a, b) = (floor(start, &self.text), floor(end, &self.text));
            (a.min(b), a.max(b))
        };
        // Lines to read again: those the edit touches and one either side.
        let a = self.lines.line_of(start).saturating_sub(1);
        let b = (self.lines.line_of(end) + 1).min(self.lines.ranges.len() - 1);
        let from = self.lines.ranges[a].start;
        let old_to = self
            .lines
            .ranges
            .get(b + 1)
            .map(|r| r.start)
            .unwrap_or(self.text.len());
        let (old_lo_line, old_hi_line) = (self.lines.line_of(start), self.lines.line_of(end));
        for i in a..=b {
            if let Some(t) = terminator(&self.text, &self.lines, i) {
                self.terminators[t] -= 1;
            }
        }
        self.text.replace_range(start..end, new_text);
        let delta = new_text.len() as isize - (end - start) as isize;
        let to = (old_to as isize + delta) as usize;
        let mut fresh = split_lines(&self.text, from, to);
        if b + 1 < self.lines.ranges.len() {
            fresh.pop(); // the empty piece at `to` is the start of the next line
        }
        let facts: Vec<_> = fresh
            .iter()
            .map(|&r| Arc::new(parse::lines::line_facts(&self.text, r)))
            .collect();
        let ids: Vec<u64> = (0..fresh.len() as u64).map(|i| self.next_id + i).collect();
        self.next_id += fresh.len() as u64;
        self.lines_read += fresh.len();
        let added = fresh.len();
        self.lines.ranges.splice(a..=b, fresh);
        self.lines.facts.splice(a..=b, facts);
        self.ids.splice(a..=b, ids);
        for r in &mut self.lines.ranges[a + added..] {
            r.start = (r.start as isize + delta) as usize;
            r.end = (r.end as isize + delta) as usize;
        }
        for i in a..a + added {
            if let Some(t) = terminator(&self.text, &self.lines, i) {
                self.terminators[t] += 1;
            }
        }
        let new_hi_line = self.lines.line_of(start + new_text.len());
        let step = Dirty {
            lo: start,
            old_hi: end,
            new_hi: start + new_text.len(),
            line_lo: old_lo_line,
            old_line_hi: old_hi_line,
            new_line_hi: new_hi_line,
        };
        self.dirty = Some(match self.dirty {
            None => step,
            Some(d) => merge(d, step),
        });
    }

    /// The analysis of the current text.
    pub fn analysis(&mut self) -> Arc<Analysis> {
        if let (None, Some(p)) = (self.dirty, &self.prev) {
            return p.analysis.clone();
        }
        if !self.incremental {
            self.dirty = None;
            let a = Arc::new(crate::analyze(&self.text, &self.config));
            self.stats = Stats {
                lines_read: self.lines.ranges.len(),
                rules_run: RULES.len(),
                ..Stats::default()
            };
            return a;
        }
        let dirty = self.dirty.take();
        let prev = self.prev.take();
        // Carry over only with an old analysis and a known edit.
        let carry = match (&prev, dirty) {
            (Some(p), Some(d)) => Some((p, d)),
            _ => None,
        };
        let mut stats = Stats {
            lines_read: std::mem::take(&mut self.lines_read),
            ..Stats::default()
        };
        let src = &self.text;
        let lines = &self.lines;

        // Tables: reuse those whose region the edit did not touch.
        let old_heading_lines: Vec<usize> = carry
            .map(|(p, _)| p.analysis.report.headings.iter().map(|h| h.line).collect())
            .unwrap_or_default();
        let mut reused = [false; 3];
        let mut reuse = |t: usize, region: TextRange, heading_lines: &[usize]| -> Option<Tables> {
            let (p, d) = carry?;
            let old = p.regions.tables[t]?;
            if d.untouched(old)? != region {
                return None;
            }
            // The headings (which a table skips) must be the same lines too.
            let old_lines: Option<Vec<usize>> =
                old_heading_lines.iter().map(|&l| d.line(l)).collect();
            if old_lines.as_deref() != Some(heading_lines) {
                return None;
            }
            let r = &p.analysis.report;
            let got = match t {
                0 => Tables::T2(r.table2.carry(&d)?),
                1 => Tables::T3(r.table3.carry(&d)?),
                _ => Tables::T4(r.table4.carry(&d)?),
            };
            reused[t] = true;
            Some(got)
        };
        let (report, regions) = parse::parse_lines(src, self.config.format, lines, &mut reuse);
        stats.tables_reused = reused.iter().filter(|r| **r).count();
        stats.tables_read = regions.tables.iter().flatten().count() - stats.tables_reused;

        // Prose figures, per paragraph.
        let mut old = std::mem::take(&mut self.paragraphs);
        let mut index: Option<HashMap<ParaKey, usize, std::hash::BuildHasherDefault<IdHasher>>> =
            None;
        let (mut next, mut misses) = (0, 0);
        let mut claims = Vec::new();
        for span in crate::narrative::paragraph_spans(lines, &report) {
            let ids = &self.ids[span.clone()];
            let key: ParaKey = (
                ids[0],
                ids[ids.len() - 1],
                ids.len(),
                ids.iter().copied().max().unwrap_or(0),
            );
            let base = lines.ranges[span.start].start;
            let ahead = old
                .get(next..)
                .unwrap_or_default()
                .iter()
                .take(PARA_LOOKAHEAD)
                .position(|e| e.0 == key)
                .map(|k| next + k);
            let found = ahead.or_else(|| {
                if misses < PARA_LOOKAHEAD {
                    return None;
                }
                let index = index
                    .get_or_insert_with(|| old.iter().enumerate().map(|(i, e)| (e.0, i)).collect());
                index.get(&key).copied()
            });
            misses = if found.is_some() { 0 } else { misses + 1 };
            let figures = match found {
                Some(i) => {
                    stats.paragraphs_reused += 1;
                    next = i + 1;
                    std::mem::take(&mut old[i].1)
                }
                None => {
                    stats.paragraphs_read += 1;
                    let mut c = crate::narrative::paragraph_claims(src, &lines.ranges[span]);
                    for x in &mut c {
                        x.range = TextRange::new(x.range.start - base, x.range.end - base);
                    }
                    c
                }
            };
            claims.extend(figures.iter().map(|c| Claim {
                range: TextRange::new(c.range.start + base, c.range.end + base),
                ..c.clone()
            }));
            self.paragraphs.push((key, figures));
        }

        let eol = match self.terminators {
            [crlf, _, _] if crlf > 0 => "\r\n",
            [_, lf, cr] if lf > 0 || cr == 0 => "\n",
            _ => "\r",
        };
        let ctx = Ctx::new(src, &report, &self.config)
            .with_claims(claims.clone())
            .with_eol(eol);

        // The spans of text the rules read, and whether the text reads as a report.
        let mut spans: Vec<(usize, Option<TextRange>)> = Vec::new();
        for r in RULES.iter() {
            for i in inputs(r.code) {
                if let Input::Span(f) = i {
                    if !spans.iter().any(|s| s.0 == *f as usize) {
                        spans.push((*f as usize, f(&report, src)));
                    }
                }
            }
        }
        let looks_like = crate::rules::identity::looks_like_report(src, &report);

        // What changed, for the rules.
        let changed = |input: Input| -> bool {
            let Some((p, d)) = carry else { return true };
            let old = &p.analysis.report;
            match input {
                Input::All => true,
                Input::Eol => p.eol != eol,
                Input::Structure => {
                    old.year != report.year
                        || old.format != report.format
                        || old.format_source != report.format_source
                        || old.title.map(|t| d.untouched(t)) != report.title.map(Some)
                        || old.year_range.map(|t| d.untouched(t)) != report.year_range.map(Some)
                        || old.headings.carry(&d).as_ref() != Some(&report.headings)
                        // Messages name heading lines ("已在第 39 行开始").
                        || old.headings.iter().zip(&report.headings).any(|(o, n)| o.line != n.line)
                        || old
                            .sections
                            .iter()
                            .zip(&report.sections)
                            .any(|(o, n)| o.carry(&d).as_ref() != Some(n))
                }
                Input::Tables => {
                    (!reused[0] && old.table2.carry(&d).as_ref() != Some(&report.table2))
                        || (!reused[1] && old.table3.carry(&d).as_ref() != Some(&report.table3))
                        || (!reused[2] && old.table4.carry(&d).as_ref() != Some(&report.table4))
                }
                Input::Claims => p.claims.carry(&d).as_ref() != Some(&claims),
                Input::TableText => {
                    let ranges = |r: &Report| {
                        [
                            r.table2.as_ref().map(|t| t.range),
                            r.table3.as_ref().map(|t| t.range),
                            r.table4.as_ref().map(|t| t.range),
                        ]
                    };
                    ranges(old)
                        .iter()
                        .zip(ranges(&report))
                        .any(|(o, n)| o.map(|o| d.untouched(o)) != n.map(Some))
                }
                Input::LooksLikeReport => p.looks_like != looks_like,
                Input::Span(f) => {
                    let key = f as usize;
                    let now = spans.iter().find(|s| s.0 == key).and_then(|s| s.1);
                    match p.spans.iter().find(|s| s.0 == key).map(|s| s.1) {
                        None => true,
                        Some(None) => now.is_some(),
                        Some(Some(o)) => d.untouched(o) != now,
                    }
                }
            }
        };
        let mut by_rule = Vec::with_capacity(RULES.len());
        let mut diagnostics = Vec::new();
        for (i, r) in RULES.iter().enumerate() {
            let kept = match carry {
                Some((p, d)) if !inputs(r.code).iter().any(|&x| changed(x)) => {
                    p.by_rule.get(i).and_then(|v| v.carry(&d))
                }
                _ => None,
            };
            let out = match kept {
                Some(v) => {
                    stats.rules_reused += 1;
                    v
                }
                None => {
                    stats.rules_run += 1;
                    rules::run_rule(r, &ctx)
                }
            };
            diagnostics.extend(out.iter().cloned());
            by_rule.push(out);
        }
        rules::sort(&mut diagnostics);
        let dirs = crate::suppress::directives_in(src, lines);
        let diagnostics = crate::suppress::apply_with(src, lines, &dirs, &self.config, diagnostics);
        drop(ctx);
        let analysis = Arc::new(Analysis {
            report,
            diagnostics,
        });
        self.stats = stats;
        self.prev = Some(Prev {
            analysis: analysis.clone(),
            regions,
            claims,
            eol,
            spans,
            looks_like,
            by_rule,
        });
        analysis
    }
}

/// Two edits in a row as one dirty span (in the first one's old coordinates).
fn merge(d: Dirty, e: Dirty) -> Dirty {
    // `e` is in the coordinates after `d`.
    let cur_hi = d.new_hi.max(e.old_hi);
    let cur_line_hi = d.new_line_hi.max(e.old_line_hi);
    Dirty {
        lo: d.lo.min(e.lo),
        old_hi: cur_hi - d.new_hi + d.old_hi,
        new_hi: (cur_hi as isize + e.new_hi as isize - e.old_hi as isize) as usize,
        line_lo: d.line_lo.min(e.line_lo),
        old_line_hi: cur_line_hi - d.new_line_hi + d.old_line_hi,
        new_line_hi: (cur_line_hi as isize + e.new_line_hi as isize - e.old_line_hi as isize)
            as usize,
    }
}

/// The terminator of line `i`: 0 = "\r\n", 1 = "\n", 2 = "\r"; `None` for the last line.
fn terminator(src: &str, lines: &Lines, i: usize) -> Option<usize> {
    let b = src.as_bytes();
    match (b.get(lines.ranges[i].end), b.get(lines.ranges[i].end + 1)) {
        (Some(b'\r'), Some(b'\n')) => Some(0),
        (Some(b'\n'), _) => Some(1),
        (Some(b'\r'), _) => Some(2),
        _ => None,
    }
}
