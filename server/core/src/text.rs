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

/// Start offsets of every line of a text.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LineIndex {
    starts: Vec<usize>,
    len: usize,
}

impl LineIndex {
    pub fn new(text: &str) -> Self {
        let bytes = text.as_bytes();
        let mut starts = vec![0];
        let mut i = 0;
        while i < bytes.len() {
            match bytes[i] {
                b'\n' => starts.push(i + 1),
                b'\r' => {
                    if bytes.get(i + 1) == Some(&b'\n') {
                        i += 1;
                    }
                    starts.push(i + 1);
                }
                _ => {}
            }
            i += 1;
        }
        LineIndex {
            starts,
            len: text.len(),
        }
    }

    pub fn line_count(&self) -> usize {
        self.starts.len()
    }

    /// Byte offset where line `line` starts (clamped to the last line).
    pub fn line_start(&self, line: usize) -> usize {
        self.starts[line.min(self.starts.len() - 1)]
    }

    /// Byte range of line `line` without its terminator.
    pub fn line_range(&self, text: &str, line: usize) -> TextRange {
        let start = self.line_start(line);
        let mut end = if line + 1 < self.starts.len() {
            self.starts[line + 1]
        } else {
            self.len
        };
        let b = text.as_bytes();
        if end > start && b[end - 1] == b'\n' {
            end -= 1;
        }
        if end > start && b[end - 1] == b'\r' {
            end -= 1;
        }
        TextRange::new(start, end)
    }

    /// Line containing byte `offset`.
    pub fn line_of(&self, offset: usize) -> usize {
        match self.starts.binary_search(&offset) {
            Ok(l) => l,
            Err(l) => l - 1,
        }
    }

    /// Position of byte `offset` (clamped to the text, snapped back to a char boundary).
    pub fn position(&self, text: &str, offset: usize, enc: Encoding) -> Position {
        let mut offset = offset.min(text.len());
        while !text.is_char_boundary(offset) {
            offset -= 1;
        }
        let line = self.line_of(offset);
        let start = self.starts[line];
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
        if line >= self.starts.len() {
            return text.len();
        }
        let range = self.line_range(text, line);
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
        assert_eq!(&t[li.line_range(t, 1).start..li.line_range(t, 1).end], "b");
        assert_eq!(&t[li.line_range(t, 2).start..li.line_range(t, 2).end], "c");
        assert_eq!(
            li.position(t, t.len(), Encoding::Utf16),
            Position {
                line: 3,
                character: 1
            }
        );
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
