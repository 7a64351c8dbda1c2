//! Position conversion between LSP positions (in the negotiated encoding) and
//! byte offsets (snapshots) or char indices (ropes).

use nianbao_core::text::{char_units, Encoding, TextRange};
use ropey::Rope;
use tower_lsp_server::ls_types::{ClientCapabilities, Position, PositionEncodingKind, Range};

/// The first encoding of the client's `general.positionEncodings` that we support
/// (all three); UTF-16 when the client offers none.
pub fn negotiate(caps: &ClientCapabilities) -> Encoding {
    caps.general
        .as_ref()
        .and_then(|g| g.position_encodings.as_ref())
        .and_then(|list| list.iter().find_map(from_kind))
        .unwrap_or(Encoding::Utf16)
}

pub fn from_kind(k: &PositionEncodingKind) -> Option<Encoding> {
    match k.as_str() {
        "utf-8" => Some(Encoding::Utf8),
        "utf-16" => Some(Encoding::Utf16),
        "utf-32" => Some(Encoding::Utf32),
        _ => None,
    }
}

pub fn kind(enc: Encoding) -> PositionEncodingKind {
    match enc {
        Encoding::Utf8 => PositionEncodingKind::UTF8,
        Encoding::Utf16 => PositionEncodingKind::UTF16,
        Encoding::Utf32 => PositionEncodingKind::UTF32,
    }
}

/// Converts positions of one text (a snapshot's rope) in one encoding, in
/// O(log n) per position: no line index of the whole text is built.
pub struct Conv<'a> {
    pub rope: &'a Rope,
    pub enc: Encoding,
}

impl Conv<'_> {
    /// The position of byte `offset` (clamped to the text; inside a character: its start).
    pub fn position(&self, offset: usize) -> Position {
        let rope = self.rope;
        let offset = offset.min(rope.len_bytes());
        let c = rope.byte_to_char(offset);
        let line = rope.char_to_line(c);
        let line_char = rope.line_to_char(line);
        let character = match self.enc {
            Encoding::Utf8 => rope.char_to_byte(c) - rope.line_to_byte(line),
            Encoding::Utf16 => rope.char_to_utf16_cu(c) - rope.char_to_utf16_cu(line_char),
            Encoding::Utf32 => c - line_char,
        };
        Position {
            line: line as u32,
            character: character as u32,
        }
    }

    pub fn range(&self, r: TextRange) -> Range {
        Range {
            start: self.position(r.start),
            end: self.position(r.end),
        }
    }

    /// Byte offset of a position (clamped; inside a character snaps to its start).
    pub fn offset(&self, p: Position) -> usize {
        let (c, _) = rope_char(self.rope, p, self.enc);
        self.rope.char_to_byte(c)
    }

    /// Byte range of an LSP range (ends swapped if reversed).
    pub fn text_range(&self, r: Range) -> TextRange {
        let (a, b) = (self.offset(r.start), self.offset(r.end));
        TextRange::new(a.min(b), a.max(b))
    }
}

/// How a position had to be adjusted to fit the rope.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Fit {
    Exact,
    /// The column was past the end of the line (allowed by LSP: clamp).
    ColumnClamped,
    /// The column fell inside a character (e.g. between UTF-16 surrogates): snapped to its start.
    Snapped,
    /// The line is past the end of the document: clamped to its end.
    LineClamped,
}

/// Char index in `rope` of an LSP position in `enc`.
pub fn rope_char(rope: &Rope, pos: Position, enc: Encoding) -> (usize, Fit) {
    let line = pos.line as usize;
    let lines = rope.len_lines();
    if line >= lines {
        // `line == lines` with column 0 is how some clients say "end of document".
        let fit = if line == lines && pos.character == 0 {
            Fit::Exact
        } else {
            Fit::LineClamped
        };
        return (rope.len_chars(), fit);
    }
    let start = rope.line_to_char(line);
    let mut units = 0usize;
    let want = pos.character as usize;
    for (i, ch) in rope.line(line).chars().enumerate() {
        if ch == '\n' || ch == '\r' {
            let fit = if want > units {
                Fit::ColumnClamped
            } else {
                Fit::Exact
            };
            return (start + i, fit);
        }
        if units == want {
            return (start + i, Fit::Exact);
        }
        let w = char_units(ch, enc);
        if units + w > want {
            return (start + i, Fit::Snapped);
        }
        units += w;
    }
    let end = start + rope.line(line).len_chars();
    (
        end,
        if want > units {
            Fit::ColumnClamped
        } else {
            Fit::Exact
        },
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rope_positions_in_three_encodings() {
        let rope = Rope::from_str("总计𠀀x\r\n第二行\n");
        let x = |c| Position {
            line: 0,
            character: c,
        };
        assert_eq!(rope_char(&rope, x(10), Encoding::Utf8), (3, Fit::Exact));
        assert_eq!(rope_char(&rope, x(4), Encoding::Utf16), (3, Fit::Exact));
        assert_eq!(rope_char(&rope, x(3), Encoding::Utf32), (3, Fit::Exact));
        assert_eq!(rope_char(&rope, x(3), Encoding::Utf16), (2, Fit::Snapped));
        assert_eq!(
            rope_char(&rope, x(99), Encoding::Utf16),
            (4, Fit::ColumnClamped)
        );
        assert_eq!(
            rope_char(
                &rope,
                Position {
                    line: 1,
                    character: 3
                },
                Encoding::Utf16
            ),
            (9, Fit::Exact)
        );
        assert_eq!(rope.len_lines(), 3);
        assert_eq!(
            rope_char(
                &rope,
                Position {
                    line: 3,
                    character: 0
                },
                Encoding::Utf16
            ),
            (rope.len_chars(), Fit::Exact)
        );
        assert_eq!(
            rope_char(
                &rope,
                Position {
                    line: 7,
                    character: 2
                },
                Encoding::Utf16
            )
            .1,
            Fit::LineClamped
        );
    }

    /// The rope conversion gives the positions the line index gives, for every
    /// char boundary of a text with CJK, 𠀀, U+2028 and all three line breaks.
    #[test]
    fn rope_positions_equal_line_index_positions() {
        use nianbao_core::text::LineIndex;
        let t = "总计𠀀x\r\n第二行\u{2028}y\r\r\nz\n\n𠀀𠀀a\nend";
        let rope = Rope::from_str(t);
        let index = LineIndex::new(t);
        for enc in [Encoding::Utf8, Encoding::Utf16, Encoding::Utf32] {
            let conv = Conv { rope: &rope, enc };
            for (off, _) in t.char_indices().chain([(t.len(), ' ')]) {
                let want = index.position(t, off, enc);
                let got = conv.position(off);
                assert_eq!(
                    (got.line, got.character),
                    (want.line, want.character),
                    "{enc:?} @{off}"
                );
                // (the "\n" of a "\r\n" is no position of its own)
                if !(t[..off].ends_with('\r') && t[off..].starts_with('\n')) {
                    assert_eq!(conv.offset(got), off, "{enc:?} @{off} back");
                }
            }
        }
    }

    #[test]
    fn cr_alone_breaks_lines_in_rope_and_index() {
        use nianbao_core::text::LineIndex;
        let t = "a\rb\r\nc\nd";
        let rope = Rope::from_str(t);
        let index = LineIndex::new(t);
        assert_eq!(rope.len_lines(), index.line_count());
    }
}
