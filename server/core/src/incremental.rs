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
//! - **Rules.** Each rule declares what it reads (its [`Input`]s, in its
//!   [`crate::rules::RuleMeta`]); it runs again only when one of those changed,
//!   otherwise its previous findings are moved.
//!
//! There is one pipeline ([`run`]): [`crate::analyze`] is it with nothing to
//! reuse and nothing kept. Invariant: [`Engine::analysis`] after any edits
//! equals [`crate::analyze`] of [`Engine::text`] — what is reused equals what
//! would be computed again — checked by a property test over random edit
//! sequences (`server/core/tests/incremental.rs`) and the `rope_edits` fuzz target.

use crate::analysis::Analysis;
use crate::config::Config;
use crate::diag::Diagnostic;
use crate::model::*;
use crate::narrative::Claim;
use crate::parse::{self, lines::split_lines, Lines, Regions, Tables};
use crate::rules::{self, Ctx, Rule};
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

pub use crate::rules::{Input, Span};

/// What the last analysis left for the next one.
struct Prev {
    analysis: Arc<Analysis>,
    memo: Memo,
}

/// What an analysis learnt besides its result, for the next one to compare.
struct Memo {
    regions: Regions,
    claims: Vec<Claim>,
    eol: &'static str,
    spans: Vec<(Span, Option<TextRange>)>,
    looks_like: bool,
    /// Findings per rule (indexed like [`Rule::ALL`]), before suppression.
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
        let n = lines.index.line_count();
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
        for i in 0..self.lines.index.line_count() {
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

    /// The lines of the current text (kept up to date with every edit).
    pub fn line_index(&self) -> &crate::text::LineIndex {
        &self.lines.index
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
        if fresh.index.line_count() != self.lines.index.line_count() {
            return Some(fresh.index.line_count().min(self.lines.index.line_count()));
        }
        (0..fresh.index.line_count()).find(|&i| {
            fresh.ranges()[i] != self.lines.ranges()[i] || fresh.facts[i] != self.lines.facts[i]
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
        let floor = |x: usize, s: &str| crate::text::floor_char_boundary(s, x);
        let (start, end) = {
            let (a, b) = (floor(start, &self.text), floor(end, &self.text));
            (a.min(b), a.max(b))
        };
        // Lines to read again: those the edit touches and one either side.
        let a = self.lines.line_of(start).saturating_sub(1);
        let b = (self.lines.line_of(end) + 1).min(self.lines.index.line_count() - 1);
        let from = self.lines.ranges()[a].start;
        let old_to = self
            .lines
            .ranges()
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
        if b + 1 < self.lines.index.line_count() {
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
        self.lines.index.splice(a..=b, fresh, delta);
        self.lines.facts.splice(a..=b, facts);
        self.ids.splice(a..=b, ids);
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
        let dirty = self.dirty.take();
        if !self.incremental {
            let a = Arc::new(crate::analyze(&self.text, &self.config));
            self.stats = Stats {
                lines_read: self.lines.index.line_count(),
                rules_run: Rule::ALL.len(),
                ..Stats::default()
            };
            return a;
        }
        let prev = self.prev.take();
        let mut stats = Stats {
            lines_read: std::mem::take(&mut self.lines_read),
            ..Stats::default()
        };
        let eol = match self.terminators {
            [crlf, _, _] if crlf > 0 => "\r\n",
            [_, lf, cr] if lf > 0 || cr == 0 => "\n",
            _ => "\r",
        };
        let keep = Keep {
            ids: &self.ids,
            eol,
            paragraphs: &mut self.paragraphs,
        };
        // Carry over only with an old analysis and a known edit.
        let carry = prev.as_ref().zip(dirty);
        let (analysis, memo) = run(
            &self.text,
            &self.config,
            &self.lines,
            carry,
            Some(keep),
            &mut stats,
        );
        let analysis = Arc::new(analysis);
        self.stats = stats;
        self.prev = memo.map(|memo| Prev {
            analysis: analysis.clone(),
            memo,
        });
        analysis
    }
}

/// The analysis of `src` from scratch: the pipeline of [`Engine::analysis`]
/// with nothing to carry over and nothing kept for a next one.
pub(crate) fn fresh(src: &str, config: &Config) -> Analysis {
    let lines = Lines::new(src);
    run(src, config, &lines, None, None, &mut Stats::default()).0
}

/// What an engine keeps for its next analysis: the line ids (paragraphs are
/// known by them), the line ending it counted, and the paragraph cache.
struct Keep<'a> {
    ids: &'a [u64],
    eol: &'static str,
    paragraphs: &'a mut ParaCache,
}

/// The one analysis pipeline: parse the lines (reusing the tables `carry`
/// allows), read the prose figures (reusing cached paragraphs), run the rules
/// whose inputs changed (moving the others' findings), apply the suppression
/// comments. With `keep`, also returns what the next analysis needs.
fn run(
    src: &str,
    config: &Config,
    lines: &Lines,
    carry: Option<(&Prev, Dirty)>,
    mut keep: Option<Keep>,
    stats: &mut Stats,
) -> (Analysis, Option<Memo>) {
    // Tables: reuse those whose region the edit did not touch.
    let old_heading_lines: Vec<usize> = carry
        .map(|(p, _)| p.analysis.report.headings.iter().map(|h| h.line).collect())
        .unwrap_or_default();
    let mut reused = [false; 3];
    let mut reuse = |t: usize, region: TextRange, heading_lines: &[usize]| -> Option<Tables> {
        let (p, d) = carry?;
        let old = p.memo.regions.tables[t]?;
        if d.untouched(old)? != region {
            return None;
        }
        // The headings (which a table skips) must be the same lines too.
        let old_lines: Option<Vec<usize>> = old_heading_lines.iter().map(|&l| d.line(l)).collect();
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
    let (report, regions) = parse::parse_lines(src, config.format, lines, &mut reuse);
    stats.tables_reused = reused.iter().filter(|r| **r).count();
    stats.tables_read = regions.tables.iter().flatten().count() - stats.tables_reused;

    // Prose figures, per paragraph.
    let mut claims = Vec::new();
    match keep.as_mut() {
        None => {
            for span in crate::narrative::paragraph_spans(lines, &report) {
                stats.paragraphs_read += 1;
                claims.extend(crate::narrative::paragraph_claims(
                    src,
                    &lines.ranges()[span],
                ));
            }
        }
        Some(keep) => read_claims(src, lines, &report, keep, &mut claims, stats),
    }

    let mut ctx = Ctx::new(src, &report, config);
    if let Some(keep) = &keep {
        ctx = ctx.with_eol(keep.eol);
    }
    let ctx = ctx.with_claims(match keep {
        Some(_) => claims.clone(),
        None => std::mem::take(&mut claims),
    });

    // The spans of text the rules read, and whether the text reads as a
    // report: only for the next analysis to compare.
    let mut spans: Vec<(Span, Option<TextRange>)> = Vec::new();
    let mut looks_like = false;
    if keep.is_some() {
        for r in Rule::ALL {
            for i in r.meta().reads() {
                if let Input::Span(span) = *i {
                    if !spans.iter().any(|s| s.0 == span) {
                        spans.push((span, span.find(&report, src)));
                    }
                }
            }
        }
        looks_like = crate::rules::front_matter::reads_as_report(src, &report);
    }
    let eol = keep.as_ref().map(|k| k.eol);

    // What changed, for the rules.
    let changed = |input: Input| -> bool {
        let Some((p, d)) = carry else { return true };
        let old = &p.analysis.report;
        match input {
            Input::All => true,
            Input::Eol => Some(p.memo.eol) != eol,
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
            Input::Claims => p.memo.claims.carry(&d).as_ref() != Some(&claims),
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
            Input::LooksLikeReport => p.memo.looks_like != looks_like,
            Input::Span(span) => {
                let now = spans.iter().find(|s| s.0 == span).and_then(|s| s.1);
                match p.memo.spans.iter().find(|s| s.0 == span).map(|s| s.1) {
                    None => true,
                    Some(None) => now.is_some(),
                    Some(Some(o)) => d.untouched(o) != now,
                }
            }
        }
    };
    let mut by_rule = Vec::with_capacity(if keep.is_some() { Rule::ALL.len() } else { 0 });
    let mut diagnostics = Vec::new();
    for (i, &r) in Rule::ALL.iter().enumerate() {
        let kept = match carry {
            Some((p, d)) if !r.meta().reads().iter().any(|&x| changed(x)) => {
                p.memo.by_rule.get(i).and_then(|v| v.carry(&d))
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
        if keep.is_some() {
            diagnostics.extend(out.iter().cloned());
            by_rule.push(out);
        } else {
            diagnostics.extend(out);
        }
    }
    rules::sort(&mut diagnostics);
    let dirs = crate::suppress::directives_in(src, lines);
    // Thousands of findings are a paste, not a draft: list a bounded number.
    let diagnostics = rules::cap(crate::suppress::apply_with(
        src,
        lines,
        &dirs,
        config,
        diagnostics,
    ));
    let identities = ctx
        .identities
        .into_inner()
        .map(Into::into)
        .unwrap_or_default();
    let analysis = Analysis {
        report,
        diagnostics,
        identities,
    };
    let memo = eol.map(|eol| Memo {
        regions,
        claims,
        eol,
        spans,
        looks_like,
        by_rule,
    });
    (analysis, memo)
}

/// The prose figures of `report`, per paragraph: a paragraph whose lines are
/// the same as in the last analysis (by their ids) gets its figures moved from
/// the cache, the others are read; the cache is then this analysis' paragraphs.
fn read_claims(
    src: &str,
    lines: &Lines,
    report: &Report,
    keep: &mut Keep,
    claims: &mut Vec<Claim>,
    stats: &mut Stats,
) {
    let mut old = std::mem::take(keep.paragraphs);
    let mut index: Option<HashMap<ParaKey, usize, std::hash::BuildHasherDefault<IdHasher>>> = None;
    let (mut next, mut misses) = (0, 0);
    for span in crate::narrative::paragraph_spans(lines, report) {
        let ids = &keep.ids[span.clone()];
        let key: ParaKey = (
            ids[0],
            ids[ids.len() - 1],
            ids.len(),
            ids.iter().copied().max().unwrap_or(0),
        );
        let base = lines.ranges()[span.start].start;
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
                let mut c = crate::narrative::paragraph_claims(src, &lines.ranges()[span]);
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
        keep.paragraphs.push((key, figures));
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
    match (
        b.get(lines.ranges()[i].end),
        b.get(lines.ranges()[i].end + 1),
    ) {
        (Some(b'\r'), Some(b'\n')) => Some(0),
        (Some(b'\n'), _) => Some(1),
        (Some(b'\r'), _) => Some(2),
        _ => None,
    }
}
