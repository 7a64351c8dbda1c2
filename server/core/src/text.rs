//! Text model: byte ranges, line index, and position conversion in the three
//! encodings LSP knows (UTF-8, UTF-16, UTF-32 code units).
//!
//! Lines break only at `\n`, `\r\n` and `\r`, as LSP defines them. Everything in
//! the core works on byte offsets into the document; conversion to line/column
//! happens at the edges (the CLI renderer and `lsp/`).

use serde::Serialize;

/// A half-open byte range `[start, end)` into a document.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Default, Serialize)]
pub struct TextRange {
    pub start: usize,
    pub end: usize,
}

impl TextRange {
    pub fn new(start: usize, end: usize) -> Self {
        debug_assert!(start <= end);
        TextRange { start, end }
    }
    pub fn empty(at: usize) -> Self {
        TextRange { start: at, end: at }
    }
    pub fn len(&self) -> usize {
        self.end - self.start
    }
    pub fn is_empty(&self) -> bool {
        self.start == self.end
    }
    pub fn contains(&self, offset: usize) -> bool {
        self.start <= offset && offset < self.end
    }
    pub fn cover(self, other: TextRange) -> TextRange {
        TextRange::new(self.start.min(other.start), self.end.max(other.end))
    }
}

/// Column unit of a position.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Encoding {
    Utf8,
    Utf16,
    Utf32,
}

/// A zero-based line and column, the column counted in some [`Encoding`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Default, Serialize)]
pub struct Position {
    pub line: u32,
    pub character: u32,
}

/// The largest char boundary of `s` at or before `offset` (clamped to `s`).
pub fn floor_char_boundary(s: &str, offset: usize) -> usize {
    let mut offset = offset.min(s.len());
    while !s.is_char_boundary(offset) {
        offset -= 1;
    }
    offset
}

/// The smallest char boundary of `s` at or after `offset` (clamped to `s`).
pub fn ceil_char_boundary(s: &str, offset: usize) -> usize {
    let mut offset = offset.min(s.len());
    while !s.is_char_boundary(offset) {
        offset += 1;
    }
    offset
}

/// The lines of `src[from..to]` (which must start at a line start), without their
/// terminators; a text ending with a terminator has a last, empty line. Lines
/// break at "\n", "\r\n" and a lone "\r", as LSP defines them.
pub fn split_lines(src: &str, from: usize, to: usize) -> Vec<TextRange> {
    let b = &src.as_bytes()[..to];
    let mut out = Vec::new();
    let mut start = from;
    let mut i = from;
    while let Some(p) = memchr::memchr2(b'\n', b'\r', &b[i..]) {
        let at = i + p;
        out.push(TextRange::new(start, at));
        i = if b[at] == b'\r' && b.get(at + 1) == Some(&b'\n') {
            at + 2
        } else {
            at + 1
        };
        start = i;
    }
    out.push(TextRange::new(start, to));
    out
}

/// The lines of `text` without their terminators, as [`split_lines`] gives them
/// but, like `str::lines`, without the empty line after a final terminator
/// (unlike `str::lines`, a lone "\r" ends a line too).
pub fn lines(text: &str) -> impl Iterator<Item = &str> {
    let mut rest = (!text.is_empty()).then_some(text);
    std::iter::from_fn(move || {
        let t = rest?;
        match memchr::memchr2(b'\n', b'\r', t.as_bytes()) {
            Some(at) => {
                let next = if t[at..].starts_with("\r\n") {
                    at + 2
                } else {
                    at + 1
                };
                rest = (next < t.len()).then(|| &t[next..]);
                Some(&t[..at])
            }
            None => {
                rest = None;
                Some(t)
            }
        }
    })
}

/// The line (without its terminator) holding byte `offset`, found without an
/// index: the same lines as [`split_lines`]. An offset inside a line terminator
/// belongs to the line the terminator ends; the end of the text to the last line.
pub fn line_around(src: &str, offset: usize) -> TextRange {
    let offset = floor_char_boundary(src, offset);
    let b = src.as_bytes();
    // The "\n" of a "\r\n" ends the line before the "\r".
    let at = if offset > 0 && b.get(offset) == Some(&b'\n') && b[offset - 1] == b'\r' {
        offset - 1
    } else {
        offset
    };
    let start = memchr::memrchr2(b'\n', b'\r', &b[..at]).map_or(0, |i| i + 1);
    let end = memchr::memchr2(b'\n', b'\r', &b[at..]).map_or(src.len(), |i| at + i);
    TextRange::new(start, end)
}

/// The lines of a text: each line's byte range without its terminator. This is
/// the one line model of the core (the parser, the rules, the CLI and the
/// language server's snapshot read lines from it); the incremental engine keeps
/// one up to date with [`LineIndex::splice`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LineIndex {
    lines: Vec<TextRange>,
}

impl LineIndex {
    pub fn new(text: &str) -> Self {
        LineIndex {
            lines: split_lines(text, 0, text.len()),
        }
    }

    /// Every line's range, in order (never empty: an empty text has one empty line).
    pub fn ranges(&self) -> &[TextRange] {
        &self.lines
    }

    pub fn line_count(&self) -> usize {
        self.lines.len()
    }

    /// Length of the text the index was built for.
    pub fn text_len(&self) -> usize {
        self.lines.last().map_or(0, |r| r.end)
    }

    /// Byte offset where line `line` starts (clamped to the last line).
    pub fn line_start(&self, line: usize) -> usize {
        self.line_range(line).start
    }

    /// Byte range of line `line` without its terminator (clamped to the last line).
    pub fn line_range(&self, line: usize) -> TextRange {
        self.lines[line.min(self.lines.len() - 1)]
    }

    /// Line containing byte `offset` (a terminator belongs to the line it ends;
    /// offsets past the end to the last line).
    pub fn line_of(&self, offset: usize) -> usize {
        self.lines
            .partition_point(|r| r.start <= offset)
            .saturating_sub(1)
    }

    /// After an edit of the text: lines `old` are replaced by `fresh` (the lines
    /// split again from the text as it is now) and the ranges of the lines after
    /// them move by `delta` bytes.
    pub fn splice(
        &mut self,
        old: std::ops::RangeInclusive<usize>,
        fresh: Vec<TextRange>,
        delta: isize,
    ) {
        let added = fresh.len();
        let first = *old.start();
        self.lines.splice(old, fresh);
        for r in &mut self.lines[first + added..] {
            r.start = (r.start as isize + delta) as usize;
            r.end = (r.end as isize + delta) as usize;
        }
    }

    /// Position of byte `offset` (clamped to the text, snapped back to a char boundary).
    pub fn position(&self, text: &str, offset: usize, enc: Encoding) -> Position {
        let offset = floor_char_boundary(text, offset);
        let line = self.line_of(offset);
        let start = self.lines[line].start;
        let col = column_units(&text[start..offset], enc);
        Position {
            line: line as u32,
            character: col as u32,
        }
    }

    /// Byte offset of a position. Columns past the end of the line clamp to the
    /// line end; lines past the end clamp to the end of the text; a column inside
    /// a character (e.g. between the two halves of a surrogate pair) snaps back to
    /// the start of that character.
    pub fn offset(&self, text: &str, pos: Position, enc: Encoding) -> usize {
        let line = pos.line as usize;
        if line >= self.lines.len() {
            return text.len();
        }
        let range = self.lines[line];
        let mut units = 0usize;
        for (i, ch) in text[range.start..range.end].char_indices() {
            let w = char_units(ch, enc);
            if units + w > pos.character as usize {
                return range.start + i;
            }
            units += w;
        }
        range.end
    }
}

pub fn char_units(ch: char, enc: Encoding) -> usize {
    match enc {
        Encoding::Utf8 => ch.len_utf8(),
        Encoding::Utf16 => ch.len_utf16(),
        Encoding::Utf32 => 1,
    }
}

pub fn column_units(s: &str, enc: Encoding) -> usize {
    match enc {
        Encoding::Utf8 => s.len(),
        Encoding::Utf16 => s.chars().map(char::len_utf16).sum(),
        Encoding::Utf32 => s.chars().count(),
    }
}

/// A replacement of `range` by `new_text`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct TextEdit {
    pub range: TextRange,
    pub new_text: String,
}

/// Apply non-overlapping edits (in any order) to `text`.
pub fn apply_edits(text: &str, edits: &[TextEdit]) -> String {
    let mut sorted: Vec<&TextEdit> = edits.iter().collect();
    sorted.sort_by_key(|e| (e.range.start, e.range.end));
    let mut out = String::with_capacity(text.len());
    let mut at = 0;
    for e in sorted {
        if e.range.start < at {
            continue; // overlapping edit: skip rather than corrupt
        }
        out.push_str(&text[at..e.range.start]);
        out.push_str(&e.new_text);
        at = e.range.end;
    }
    out.push_str(&text[at..]);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_breaks_lsp() {
        let t = "a\nb\r\nc\rd";
        let li = LineIndex::new(t);
        assert_eq!(li.line_count(), 4);
        assert_eq!(&t[li.line_range(1).start..li.line_range(1).end], "b");
        assert_eq!(&t[li.line_range(2).start..li.line_range(2).end], "c");
        assert_eq!(
            li.position(t, t.len(), Encoding::Utf16),
            Position {
                line: 3,
                character: 1
            }
        );
    }

    #[test]
    fn line_around_agrees_with_the_index() {
        for t in [
            "",
            "a",
            "a\n",
            "总\r\n计\r\rx\n\r\n",
            "\r\n\n\r",
            "行一\r行二\n",
        ] {
            let li = LineIndex::new(t);
            for off in 0..=t.len() + 2 {
                let line = li.line_of(floor_char_boundary(t, off));
                assert_eq!(line_around(t, off), li.line_range(line), "{t:?} at {off}");
            }
        }
        // the "\n" of a "\r\n" belongs to the line it ends, not to an empty line
        assert_eq!(line_around("ab\r\ncd", 3), TextRange::new(0, 2));
        assert_eq!(line_around("ab\r\ncd", 4), TextRange::new(4, 6));
    }

    #[test]
    fn lines_iterate_the_index_lines() {
        for t in [
            "",
            "a",
            "a\n",
            "a\n\nb",
            "总\r\n计\r\n",
            "总\r\n计\r\rx\n\r\n",
            "\r\n\n\r",
            "\n",
        ] {
            let li = LineIndex::new(t);
            let mut want: Vec<&str> = li.ranges().iter().map(|r| &t[r.start..r.end]).collect();
            if t.is_empty() || t.ends_with(['\n', '\r']) {
                want.pop();
            }
            assert_eq!(lines(t).collect::<Vec<_>>(), want, "{t:?}");
            if !t.replace("\r\n", "").contains('\r') {
                assert_eq!(
                    lines(t).collect::<Vec<_>>(),
                    t.lines().collect::<Vec<_>>(),
                    "{t:?}"
                );
            }
        }
    }

    #[test]
    fn splice_matches_a_fresh_index() {
        let mut t = String::from("一\n二\r\n三\r四");
        let mut li = LineIndex::new(&t);
        // replace "二\r\n三" (line 1 and 2) by "x\ny\nz"
        let (start, end) = (t.find('二').unwrap(), t.find('\r').unwrap() + 5);
        t.replace_range(start..end, "x\ny\nz");
        let delta = 5 - (end - start) as isize;
        let from = li.line_start(1);
        let to = (li.line_start(3) as isize + delta) as usize;
        let mut fresh = split_lines(&t, from, to);
        fresh.pop(); // the empty piece at `to` is the start of line 3
        li.splice(1..=2, fresh, delta);
        assert_eq!(li, LineIndex::new(&t));
        assert_eq!(li.text_len(), t.len());
    }

    #[test]
    fn char_boundaries() {
        let t = "a总b";
        assert_eq!(floor_char_boundary(t, 2), 1);
        assert_eq!(ceil_char_boundary(t, 2), 4);
        assert_eq!(floor_char_boundary(t, 99), t.len());
        assert_eq!(ceil_char_boundary(t, 4), 4);
    }

    #[test]
    fn columns_differ_by_encoding() {
        let t = "总计𠀀x";
        let li = LineIndex::new(t);
        let x = t.find('x').unwrap();
        assert_eq!(li.position(t, x, Encoding::Utf8).character, 10);
        assert_eq!(li.position(t, x, Encoding::Utf16).character, 4);
        assert_eq!(li.position(t, x, Encoding::Utf32).character, 3);
        for enc in [Encoding::Utf8, Encoding::Utf16, Encoding::Utf32] {
            assert_eq!(li.offset(t, li.position(t, x, enc), enc), x);
        }
        // inside the surrogate pair snaps back to the character start
        assert_eq!(
            li.offset(
                t,
                Position {
                    line: 0,
                    character: 3
                },
                Encoding::Utf16
            ),
            6
        );
        // past the end of the line clamps
        assert_eq!(
            li.offset(
                t,
                Position {
                    line: 0,
                    character: 99
                },
                Encoding::Utf16
            ),
            t.len()
        );
    }
}
