//! Readers of each input form. A report arrives as a text draft (Markdown or plain text,
//! decoded by the caller), a Word document (.docx), a published web page (HTML) or a PDF.
//! Each reader turns its form into a [`Rendering`]: a text the parser reads exactly as it
//! reads a draft (paragraphs one per line, tables as pipe tables), and for each piece of that
//! text the place it came from in the original file, so that a finding can be shown where the
//! user will find it ("表三 第 5 行 · 自然人", "第 12 段", a line of the page source).
//!
//! Invariants:
//! - Reading never panics and never fails silently: it gives a rendering (possibly with no
//!   report in it) or a [`ReadError`] a person can act on.
//! - `places` are sorted, do not overlap, and every range lies on char boundaries of `text`.
//! - [`write_back`] changes only the bytes that carry the edited cells; every other byte of
//!   the file (for a .docx: every other entry of the package) stays as it was.

pub mod docx;
pub mod html;
pub mod pdf;

use crate::diag::{Lang, Msg};
use crate::text::{TextEdit, TextRange};

/// The form a file is in.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Form {
    Text,
    Docx,
    Html,
    Pdf,
}

impl Form {
    pub fn as_str(self) -> &'static str {
        match self {
            Form::Text => "text",
            Form::Docx => "docx",
            Form::Html => "html",
            Form::Pdf => "pdf",
        }
    }

    /// The form of a file, by its first bytes, then by its name's extension.
    /// Old binary Office files are [`Form::Text`] here: the text decoder refuses them with
    /// its own message ("请另存为 .docx").
    pub fn sniff(name: Option<&str>, bytes: &[u8]) -> Form {
        if bytes.starts_with(b"PK\x03\x04") {
            return Form::Docx;
        }
        if bytes.starts_with(b"%PDF") {
            return Form::Pdf;
        }
        let ext = name
            .and_then(|n| n.rsplit_once('.'))
            .map(|(_, e)| e.to_ascii_lowercase());
        match ext.as_deref() {
            Some("html" | "htm" | "shtml" | "xhtml") => return Form::Html,
            Some("docx") => return Form::Docx,
            Some("pdf") => return Form::Pdf,
            _ => {}
        }
        if looks_like_html(bytes) {
            return Form::Html;
        }
        Form::Text
    }
}

/// The start of an HTML document (after a BOM, white space and comments): a doctype,
/// `<html`, or a `<head>`/`<meta>`/`<body>` tag. A comment alone is not one: Markdown drafts
/// open with `<!-- nianbao-disable-file … -->`.
fn looks_like_html(bytes: &[u8]) -> bool {
    let mut b = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    loop {
        let start = b
            .iter()
            .position(|c| !c.is_ascii_whitespace())
            .unwrap_or(b.len());
        b = &b[start..];
        let Some(rest) = b.strip_prefix(b"<!--") else {
            break;
        };
        match memchr::memmem::find(rest, b"-->") {
            Some(end) => b = &rest[end + 3..],
            None => return false,
        }
    }
    let head: Vec<u8> = b[..b.len().min(64)]
        .iter()
        .map(u8::to_ascii_lowercase)
        .collect();
    [
        &b"<!doctype html"[..],
        b"<html",
        b"<head",
        b"<meta",
        b"<body",
    ]
    .iter()
    .any(|p| head.starts_with(p))
}

/// Where a piece of the rendering came from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Place {
    /// A paragraph of the document body, counted from 1 as Word's status bar does
    /// (tables not counted).
    Paragraph { index: usize },
    /// A cell of a table of the document: the table's number in the document, the row and
    /// the column in the table's grid (all from 1; a merged cell is at its first grid row
    /// and column).
    Cell {
        table: usize,
        row: usize,
        col: usize,
    },
    /// A line of the file's source (from 1): the HTML page source.
    SourceLine { line: usize },
    /// A page of a PDF (from 1).
    Page { page: usize },
}

impl Place {
    /// "第 12 段", "第 3 个表格 第 5 行 第 2 列", "源代码第 120 行", "第 4 页".
    pub fn describe(&self, lang: Lang) -> String {
        match (self, lang) {
            (Place::Paragraph { index }, Lang::Zh) => format!("第 {index} 段"),
            (Place::Paragraph { index }, Lang::En) => format!("paragraph {index}"),
            (Place::Cell { table, row, col }, Lang::Zh) => {
                format!("第 {table} 个表格 第 {row} 行 第 {col} 列")
            }
            (Place::Cell { table, row, col }, Lang::En) => {
                format!("table {table}, row {row}, column {col}")
            }
            (Place::SourceLine { line }, Lang::Zh) => format!("源代码第 {line} 行"),
            (Place::SourceLine { line }, Lang::En) => format!("source line {line}"),
            (Place::Page { page }, Lang::Zh) => format!("第 {page} 页"),
            (Place::Page { page }, Lang::En) => format!("page {page}"),
        }
    }
}

/// A file read into text, with where each piece came from.
#[derive(Clone, Debug)]
pub struct Rendering {
    pub form: Form,
    /// What the parser reads.
    pub text: String,
    /// Sorted, non-overlapping ranges of `text` and their places in the file.
    pub places: Vec<(TextRange, Place)>,
}

impl Rendering {
    /// A rendering with no places (e.g. a PDF's text layer read as a whole).
    pub fn plain(form: Form, text: String) -> Rendering {
        Rendering {
            form,
            text,
            places: Vec::new(),
        }
    }

    /// The place of the piece that holds `offset` (a range holds its start, not its end,
    /// except an empty range, which holds its start).
    pub fn place_at(&self, offset: usize) -> Option<&Place> {
        let i = self.places.partition_point(|(r, _)| r.start <= offset);
        let (r, p) = self.places.get(i.checked_sub(1)?)?;
        (offset < r.end || (r.start == r.end && offset == r.start)).then_some(p)
    }
}

/// Why a file could not be read: a complete sentence in both languages, saying what to do.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ReadError(pub Msg);

impl ReadError {
    pub fn new(zh: impl Into<String>, en: impl Into<String>) -> ReadError {
        ReadError(Msg::new(zh, en))
    }
    pub fn get(&self, lang: Lang) -> &str {
        self.0.get(lang)
    }
}

/// Read a file of a form other than text.
pub fn read(form: Form, bytes: &[u8]) -> Result<Rendering, ReadError> {
    match form {
        Form::Docx => docx::read(bytes),
        Form::Html => html::read(bytes),
        Form::Pdf => pdf::read(bytes),
        Form::Text => Err(ReadError::new(
            "文本文件由调用方解码",
            "text files are decoded by the caller",
        )),
    }
}

/// The file's bytes with `edits` (ranges of `rendering.text`) written into it, or why that
/// cannot be done. Only a .docx can be written back; a web page or a PDF is a published
/// document, not a draft.
pub fn write_back(
    bytes: &[u8],
    rendering: &Rendering,
    edits: &[TextEdit],
) -> Result<Vec<u8>, ReadError> {
    match rendering.form {
        Form::Docx => docx::write_back(bytes, rendering, edits),
        Form::Html => Err(ReadError::new(
            "网页是已发布的文件，不能就地修改：请在原稿中修改",
            "a web page is a published document and is not changed in place: fix the draft it was made from",
        )),
        Form::Pdf => Err(ReadError::new(
            "PDF 是已发布的文件，不能就地修改：请在原稿中修改",
            "a PDF is a published document and is not changed in place: fix the draft it was made from",
        )),
        Form::Text => Err(ReadError::new(
            "文本文件由调用方写回",
            "text files are written back by the caller",
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn forms_by_bytes_then_name() {
        assert_eq!(Form::sniff(Some("a.txt"), b"PK\x03\x04rest"), Form::Docx);
        assert_eq!(Form::sniff(Some("a.md"), b"%PDF-1.7"), Form::Pdf);
        assert_eq!(Form::sniff(Some("a.HTM"), "报告".as_bytes()), Form::Html);
        assert_eq!(
            Form::sniff(None, b"\xEF\xBB\xBF\n  <!DOCTYPE html>"),
            Form::Html
        );
        assert_eq!(
            Form::sniff(
                Some("a.md"),
                "# 某局2024年政府信息公开工作年度报告".as_bytes()
            ),
            Form::Text
        );
        assert_eq!(
            Form::sniff(None, b"\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1"),
            Form::Text
        );
        // A draft that opens with a comment is text; a page that does is a page.
        let draft = "<!-- nianbao-disable-file NB105 -->\n# 某局2024年政府信息公开工作年度报告";
        assert_eq!(Form::sniff(Some("a.md"), draft.as_bytes()), Form::Text);
        assert_eq!(
            Form::sniff(None, b"<!-- x -->\n<!-- y --><!DOCTYPE html>"),
            Form::Html
        );
        assert_eq!(Form::sniff(None, b"<!-- unterminated"), Form::Text);
    }

    #[test]
    fn place_at_finds_the_piece() {
        let r = Rendering {
            form: Form::Docx,
            text: "ab|cd".into(),
            places: vec![
                (TextRange::new(0, 2), Place::Paragraph { index: 1 }),
                (
                    TextRange::new(3, 3),
                    Place::Cell {
                        table: 1,
                        row: 1,
                        col: 1,
                    },
                ),
                (
                    TextRange::new(3, 5),
                    Place::Cell {
                        table: 1,
                        row: 1,
                        col: 2,
                    },
                ),
            ],
        };
        assert_eq!(r.place_at(1), Some(&Place::Paragraph { index: 1 }));
        assert_eq!(r.place_at(2), None);
        assert_eq!(
            r.place_at(4),
            Some(&Place::Cell {
                table: 1,
                row: 1,
                col: 2
            })
        );
        assert_eq!(r.place_at(5), None);
    }
}
