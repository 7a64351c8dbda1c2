//! Position conversion between LSP positions (in the negotiated encoding) and
//! byte offsets (snapshots) or char indices (ropes).

use crate::text::{self, char_units, Encoding, LineIndex, TextRange};
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

/// Converts positions of one text (a snapshot) in one encoding.
pub struct Conv<'a> {
    pub text: &'a str,
    pub index: &'a LineIndex,
    pub enc: Encoding,
}

impl Conv<'_> {
    pub fn position(&self, offset: usize) -> Position {
        let p = self.index.position(self.text, offset, self.enc);
        Position {
            line: p.line,
            character: p.character,
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
        self.index.offset(
            self.text,
            text::Position {
                line: p.line,
                character: p.character,
            },
            self.enc,
        )
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

    #[test]
    fn cr_alone_breaks_lines_in_rope_and_index() {
        let t = "a\rb\r\nc\nd";
        let rope = Rope::from_str(t);
        let index = LineIndex::new(t);
        assert_eq!(rope.len_lines(), index.line_count());
    }
}
