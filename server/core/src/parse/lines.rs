//! What the parser needs to know of one line, computed from that line's text
//! alone. A fresh parse computes these for every line; the incremental engine
//! ([`crate::incremental`]) keeps them per line and recomputes only the lines an
//! edit touches. Everything here is relative to the line start, so facts stay
//! valid when the line moves.

use super::lex::{self, is_space, normalize};
use super::{candidate_at, match_section, NUMERALS, TABLE_ROW_PREFIXES};
use crate::template;
pub use crate::text::split_lines;
use crate::text::{LineIndex, TextRange};
use std::sync::Arc;

/// Anchor words that start a table's region, per table (二, 三, 四).
pub const TABLE_ANCHORS: [&[&str]; 3] = [
    &["第二十条"],
    &["勾稽关系", "申请人情况", "本年新收"],
    &["结果维持", "行政复议", "行政诉讼"],
];

/// The last characters of the anchor words.
const ANCHOR_ENDS: [char; 7] = ['条', '系', '况', '收', '持', '议', '讼'];

/// A possible top-level heading ("X、title") found on a line; offsets relative to the line start.
#[derive(Clone, Debug, PartialEq)]
pub struct HeadCand {
    pub numeral: (usize, usize),
    pub title: (usize, usize),
    pub number: u32,
    pub inline: bool,
    /// Title up to the first sentence punctuation: byte length and chars.
    pub short_len: usize,
    pub short_chars: usize,
    /// Names a 2008-structure section ("收费及减免情况").
    pub pre2019: bool,
    /// Which section the title names: (section, official or alias, normalised length).
    pub section: Option<(usize, bool, usize)>,
    /// Byte length of the title up to the end of the official title (official matches only).
    pub official_len: Option<usize>,
}

#[derive(Clone, Debug, Default, PartialEq)]
pub struct LineFacts {
    /// Heading candidates, in line order (at the start, then after each 。).
    pub cands: Vec<HeadCand>,
    /// Only spacing.
    pub blank: bool,
    /// Bit `t`: the line holds an anchor word of table `t` and no 。.
    pub anchors: u8,
    /// Never a table line: prose (。；), a page number or an alignment row.
    pub table_skip: bool,
    /// A prose line for the narrative reader.
    pub prose: bool,
    /// The line's text ends a sentence (。！？；…): prose after it starts a new one.
    pub ends_sentence: bool,
    /// Holds "<!--" (a suppression comment may start here).
    pub comment: bool,
}

/// The facts of the line `src[range]` (no line terminator inside).
pub fn line_facts(src: &str, range: TextRange) -> LineFacts {
    let text = &src[range.start..range.end];
    let mut cands = Vec::new();
    let mut push = |at: usize, inline: bool| {
        if let Some(c) = candidate_at(src, at, range.end, inline) {
            if let Some(h) = head_cand(src, range.start, &c) {
                cands.push(h);
            }
        }
    };
    push(range.start, false);
    // Mid-line: after a full stop (optionally closing bold), a number glued into a paragraph.
    let mut has_stop = false;
    for i in finders().stop.find_iter(text.as_bytes()) {
        has_stop = true;
        push(range.start + i + '。'.len_utf8(), true);
    }
    let trimmed = text.trim_matches(is_space);
    let blank = trimmed.is_empty();
    let mut anchors = 0u8;
    // Normalising maps no character to one of an anchor word's but 钩 to 勾, so
    // a line without the last character of any anchor word holds none.
    if !has_stop && !blank && text.contains(ANCHOR_ENDS) {
        let n = lex::norm_str(text);
        for (t, words) in TABLE_ANCHORS.iter().enumerate() {
            if words.iter().any(|a| n.contains(a)) {
                anchors |= 1 << t;
            }
        }
    }
    LineFacts {
        cands,
        blank,
        anchors,
        table_skip: has_stop
            || finders().semicolon.find(text.as_bytes()).is_some()
            || lex::is_page_number(text)
            || lex::is_alignment_row(text),
        prose: crate::narrative::is_prose_line(text),
        ends_sentence: text
            .trim()
            .chars()
            .next_back()
            .is_some_and(crate::narrative::is_sentence_end),
        comment: finders().comment.find(text.as_bytes()).is_some(),
    }
}

/// Byte searchers for the few strings every line is searched for. (A `char`
/// pattern such as `'。'` searches for its last byte, a continuation byte that
/// most Han characters share.)
struct Finders {
    stop: memchr::memmem::Finder<'static>,
    semicolon: memchr::memmem::Finder<'static>,
    comment: memchr::memmem::Finder<'static>,
}

fn finders() -> &'static Finders {
    static F: std::sync::OnceLock<Finders> = std::sync::OnceLock::new();
    F.get_or_init(|| Finders {
        stop: memchr::memmem::Finder::new("。"),
        semicolon: memchr::memmem::Finder::new("；"),
        comment: memchr::memmem::Finder::new("<!--"),
    })
}

/// Lines a table region never tokenizes.
pub fn table_skip(t: &str) -> bool {
    let f = finders();
    f.stop.find(t.as_bytes()).is_some()
        || f.semicolon.find(t.as_bytes()).is_some()
        || lex::is_page_number(t)
        || lex::is_alignment_row(t)
}

fn head_cand(src: &str, line_start: usize, c: &super::Candidate) -> Option<HeadCand> {
    let title_text = &src[c.title.start..c.title.end];
    let nt = lex::norm_str(title_text);
    if nt.is_empty() || TABLE_ROW_PREFIXES.iter().any(|p| nt.starts_with(p)) {
        return None;
    }
    if nt.starts_with(|ch: char| NUMERALS.contains(ch) || ch == '是') {
        return None; // "一、二、三季度", "一是"
    }
    // Short title: up to the first sentence punctuation.
    let short_len = title_text
        .char_indices()
        .find(|(_, ch)| {
            matches!(
                ch,
                '。' | '，' | ',' | '；' | ';' | '：' | ':' | '！' | '？' | '*'
            )
        })
        .map(|(i, _)| i)
        .unwrap_or(title_text.len());
    let short_chars = title_text[..short_len].chars().count();
    let pre2019 = template::PRE2019_HEADING_KEYS
        .iter()
        .any(|k| nt.contains(k))
        && short_chars <= 30
        && !c.inline;
    let section = if pre2019 { None } else { match_section(&nt) };
    let official_len = match section {
        Some((_, true, nlen)) => {
            let norm = normalize(src, c.title);
            Some(norm.source_end(nlen.min(norm.text.len()), src) - c.title.start)
        }
        _ => None,
    };
    Some(HeadCand {
        numeral: (c.numeral.start - line_start, c.numeral.end - line_start),
        title: (c.title.start - line_start, c.title.end - line_start),
        number: c.number,
        inline: c.inline,
        short_len,
        short_chars,
        pre2019,
        section,
        official_len,
    })
}

/// The lines of a text (the core's one [`LineIndex`]) and their facts.
pub struct Lines {
    pub index: LineIndex,
    pub facts: Vec<Arc<LineFacts>>,
}

impl Lines {
    /// Split `src` at "\n", "\r\n" and a lone "\r" (as LSP does) and compute every line's facts.
    pub fn new(src: &str) -> Lines {
        let index = LineIndex::new(src);
        let facts = index
            .ranges()
            .iter()
            .map(|&r| Arc::new(line_facts(src, r)))
            .collect();
        Lines { index, facts }
    }

    /// Every line's range without its terminator.
    pub fn ranges(&self) -> &[TextRange] {
        self.index.ranges()
    }

    /// Index of the line holding byte `offset` (the last line for the end of the text).
    pub fn line_of(&self, offset: usize) -> usize {
        self.index.line_of(offset)
    }
}
