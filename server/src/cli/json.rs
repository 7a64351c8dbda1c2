//! `--format json`: the machine-readable output scripts and CI depend on.
//!
//! # Stability
//!
//! The fields below are stable: new fields may be added, existing ones are never
//! renamed, removed or given another meaning. Positions are exactly what LSP
//! sends: `line` is 0-based, `character` is 0-based and counted in UTF-16 code
//! units; a `range`'s `end` is exclusive.
//!
//! ```json
//! {
//!   "version": "0.1.0",
//!   "files": [
//!     {
//!       "path": "reports/2024.md",
//!       "form": "text",
//!       "format": "2021",
//!       "year": 2024,
//!       "encoding": "utf-8",
//!       "diagnostics": [
//!         {
//!           "code": "NB301",
//!           "severity": "error",
//!           "message": "勾稽关系A…：「（一）予以公开」的总计应为 4（…），实为 5",
//!           "range": { "start": { "line": 36, "character": 36 }, "end": { "line": 36, "character": 37 } },
//!           "name": "row-total",
//!           "url": "https://…/docs/rules.md#nb301",
//!           "related": [ { "range": { … }, "message": "（一）予以公开·自然人 = 3" } ],
//!           "fixes": [
//!             {
//!               "title": "将此格改为 4",
//!               "kind": "recompute",
//!               "preferred": true,
//!               "edits": [ { "range": { … }, "newText": "4" } ]
//!             }
//!           ]
//!         }
//!       ],
//!       "fixed": [
//!         { "range": { … }, "old": "5", "new": "4", "cell": "（一）予以公开·总计" }
//!       ]
//!     }
//!   ],
//!   "errors": [ { "path": "missing.md", "message": "cannot read 'missing.md': No such file or directory" } ],
//!   "summary": { "files": 1, "errors": 0, "warnings": 0, "information": 0, "hints": 0, "fixed": 1 }
//! }
//! ```
//!
//! Fields:
//!
//! - `version`: the nianbao version that wrote the output.
//! - `files[]`: one entry per file checked, sorted by path. Files that could not be
//!   read are not listed here but in `errors`.
//!   - `path`: the path as given on the command line or found in a folder (`-` for standard input).
//!   - `format`: the template the report was judged against: `"2021"`, `"2019"` or `"pre2019"`.
//!   - `year`: the report year found in the title or 统计期限, or `null`.
//!   - `encoding`: the encoding the file was read in, and that `--fix` writes it back in:
//!     `"utf-8"`, `"utf-8-bom"`, `"utf-16le"`, `"utf-16be"` (both with a byte order
//!     mark) or `"gb18030"` (which includes GBK and GB2312).
//!   - `diagnostics[]`: sorted by position. With `--fix`, the diagnostics that remain
//!     after fixing, with positions in the fixed text.
//!     - `code`: rule code (`NB301`); see `nianbao rules`.
//!     - `severity`: `"error"`, `"warning"`, `"information"` or `"hint"`.
//!     - `message`: in the language chosen with `--lang`, else the file's own
//!       nianbao.toml `language` (default Chinese).
//!     - `range`: `{start, end}` positions as described above.
//!     - `name`: the rule's name (`row-total`); `url`: its documentation.
//!     - `related[]`: `{range, message}` other places that take part in the finding.
//!     - `fixes[]`: fixes offered: `title`; `kind` — `"recompute"` (rewrites a total
//!       from its parts; these are what `--fix` applies) or `"edit"` (offered, never
//!       applied by `--fix`); `preferred`; `edits[]` of `{range, newText}`.
//!     - `located[]` (NB301–NB305, only on a finding of a located wrong cell): the
//!       cells of the one smallest explanation of the failing identities of
//!       tables 三/四 — the cells `--fix` rewrites — each `{cell, range, written,
//!       value}`: the cell's name, its range (or `null`), its integer as written
//!       and the value that makes every identity hold.
//!     - `candidates[][]` (NB301–NB304, only on the one finding of a table the
//!       identities cannot decide): every explanation equally simple, each a list
//!       of cells as in `located` (`value` is `null` where the identities do not
//!       determine it); `--fix` rewrites none of them.
//!     - `proseDecided` (only when `true`, with `located`): the table alone allowed
//!       several explanations and the figures the prose states chose this one.
//!   - `fixed[]` (only with `--fix`): the edits `--fix` applied, in order, each with
//!     `range` in the ORIGINAL text, `old` (the exact text replaced), `new` (its
//!     replacement) and `cell` (the table cell, e.g. `"（一）予以公开·总计"`, or `null`).
//! - `errors[]`: `{path, message}` for inputs that could not be read or written
//!   (the exit status is then 2).
//! - `summary`: counts over all files: `files`, `errors`, `warnings`,
//!   `information`, `hints`, `fixed` (cells rewritten by `--fix`).

use super::check::{FileResult, Outcome, Render};
use nianbao_core::diag::{Diagnostic, Finding, FixKind, Lang};
use nianbao_core::identities::Evaluation;
use nianbao_core::text::{Position, TextRange};
use nianbao_core::wrong_cells::{Candidate, Located, Location};
use serde::Serialize;
use std::io::{self, Write};

#[derive(Serialize)]
pub struct JsonRange {
    pub start: Position,
    pub end: Position,
}

#[derive(Serialize)]
struct JsonRelated {
    range: JsonRange,
    message: String,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct JsonEdit {
    range: JsonRange,
    new_text: String,
}

#[derive(Serialize)]
struct JsonFix {
    title: String,
    kind: &'static str,
    preferred: bool,
    edits: Vec<JsonEdit>,
}

#[derive(Serialize)]
struct JsonDiagnostic {
    code: &'static str,
    severity: &'static str,
    message: String,
    range: JsonRange,
    name: Option<&'static str>,
    url: String,
    related: Vec<JsonRelated>,
    fixes: Vec<JsonFix>,
    /// A .docx, HTML page or PDF: where the finding is in the file.
    #[serde(skip_serializing_if = "Option::is_none")]
    place: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    located: Option<Vec<JsonCell>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    candidates: Option<Vec<Vec<JsonCell>>>,
    #[serde(rename = "proseDecided", skip_serializing_if = "std::ops::Not::not")]
    prose_decided: bool,
}

/// A cell of an explanation of the failing identities.
#[derive(Serialize)]
struct JsonCell {
    cell: String,
    range: Option<JsonRange>,
    written: i64,
    value: Option<i64>,
}

#[derive(Serialize)]
struct JsonFixed {
    range: JsonRange,
    old: String,
    new: String,
    cell: Option<String>,
}

#[derive(Serialize)]
struct JsonFile {
    path: String,
    /// The file's form: text, docx, html or pdf.
    form: &'static str,
    format: &'static str,
    year: Option<u16>,
    encoding: &'static str,
    diagnostics: Vec<JsonDiagnostic>,
    #[serde(skip_serializing_if = "Option::is_none")]
    fixed: Option<Vec<JsonFixed>>,
}

#[derive(Serialize)]
struct JsonError {
    path: String,
    message: String,
}

#[derive(Serialize)]
struct JsonSummary {
    files: usize,
    errors: usize,
    warnings: usize,
    information: usize,
    hints: usize,
    fixed: usize,
}

#[derive(Serialize)]
struct JsonOutput {
    version: &'static str,
    /// Written one file at a time, where this hole is.
    files: Hole,
    errors: Vec<JsonError>,
    summary: JsonSummary,
}

fn range(file: &FileResult, r: TextRange) -> JsonRange {
    JsonRange {
        start: file.position(r.start),
        end: file.position(r.end),
    }
}

pub fn kind_str(kind: FixKind) -> &'static str {
    match kind {
        FixKind::Recompute => "recompute",
        FixKind::Edit => "edit",
    }
}

fn cells(file: &FileResult, c: &Candidate, lang: Lang) -> Vec<JsonCell> {
    c.changes
        .iter()
        .map(|ch| JsonCell {
            cell: match lang {
                Lang::En => ch.cell.describe_en(),
                _ => ch.cell.describe(),
            },
            range: file
                .analysis
                .report
                .cell(ch.cell)
                .map(|x| range(file, x.range)),
            written: ch.written,
            value: ch.value,
        })
        .collect()
}

fn diagnostic(file: &FileResult, d: &Diagnostic, lang: Lang, loc: &Located) -> JsonDiagnostic {
    // The explanation a finding of the identities belongs to.
    let (mut located, mut candidates, mut prose_decided) = (None, None, false);
    if let (true, Some(Finding::WrongTotal { cell, fixable, .. })) = (
        d.rule.family() == nianbao_core::rules::Family::Arithmetic,
        d.finding,
    ) {
        match &loc.location {
            Location::Unique { candidate, prose }
                if fixable && candidate.change(cell).is_some() =>
            {
                located = Some(cells(file, candidate, lang));
                prose_decided = prose.is_some();
            }
            Location::Ambiguous { candidates: all }
                if !fixable && loc.broken.first().is_some_and(|i| i.target == cell) =>
            {
                candidates = Some(all.iter().map(|c| cells(file, c, lang)).collect());
            }
            _ => {}
        }
    }
    JsonDiagnostic {
        located,
        candidates,
        prose_decided,
        code: d.code(),
        severity: d.severity.as_str(),
        message: d.message.get(lang).to_string(),
        range: range(file, d.range),
        name: Some(d.rule.name()),
        url: nianbao_core::rules::docs_url(d.rule),
        related: d
            .related
            .iter()
            .map(|r| JsonRelated {
                range: range(file, r.range),
                message: r.message.get(lang).to_string(),
            })
            .collect(),
        fixes: d
            .fixes
            .iter()
            .map(|f| JsonFix {
                title: f.title.get(lang).to_string(),
                kind: kind_str(f.kind),
                preferred: f.preferred,
                edits: f
                    .edits
                    .iter()
                    .map(|e| JsonEdit {
                        range: range(file, e.range),
                        new_text: e.new_text.clone(),
                    })
                    .collect(),
            })
            .collect(),
        place: file.place(d.range.start),
    }
}

fn file(f: &FileResult, lang: Lang, fix: bool) -> JsonFile {
    let report = &f.analysis.report;
    let claims = std::cell::OnceCell::new();
    let loc = Located::of(&Evaluation::of(report), || {
        claims.get_or_init(|| nianbao_core::narrative::claims(&f.src, report))
    });
    JsonFile {
        path: f.path.clone(),
        form: f.form(),
        format: f.analysis.report.format.as_str(),
        year: f.analysis.report.year,
        encoding: f.encoding.as_str(),
        diagnostics: f
            .analysis
            .diagnostics
            .iter()
            .map(|d| diagnostic(f, d, lang, &loc))
            .collect(),
        fixed: fix.then(|| {
            f.fixed
                .iter()
                .map(|x| JsonFixed {
                    range: JsonRange {
                        start: x.start,
                        end: x.end,
                    },
                    old: x.old.clone(),
                    new: x.new.clone(),
                    cell: x.cell.clone(),
                })
                .collect()
        }),
    }
}

fn output(outcome: &Outcome) -> JsonOutput {
    let totals = &outcome.totals;
    JsonOutput {
        version: super::VERSION,
        files: Hole("files"),
        errors: outcome
            .problems
            .iter()
            .map(|(path, message)| JsonError {
                path: path.clone(),
                message: message.clone(),
            })
            .collect(),
        summary: JsonSummary {
            files: totals.files,
            errors: totals.errors,
            warnings: totals.warnings,
            information: totals.information,
            hints: totals.hints,
            fixed: totals.fixed,
        },
    }
}

// ------------------------------------------------------------ writing arrays in pieces
//
// A document is pretty-printed by serde_json with a marker string where an array
// goes (a `Hole`); the array's elements are pretty-printed separately, on the
// workers, and indented to their depth. Writing the text before the marker, the
// elements, and the text after it gives exactly the bytes serde_json would
// write for the whole document.

/// Serialises as a marker that nothing else in a document can produce: a string
/// that starts with U+0000, which JSON always writes escaped (`\u0000`), and which
/// is found with its opening quote (a `\u0000` inside another string would have
/// its backslash escaped).
pub struct Hole(pub &'static str);

impl Serialize for Hole {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&format!("\u{0}nianbao:{}", self.0))
    }
}

/// `doc` (pretty-printed) split at the hole named `name`: the text before it,
/// the indentation of its line, and the text after it.
pub fn split_at_hole<'d>(doc: &'d str, name: &str) -> (&'d str, usize, &'d str) {
    let marker = format!("\"\\u0000nianbao:{name}\"");
    let at = doc
        .find(&marker)
        .expect("the document holds the hole it was serialised with");
    let line_start = doc[..at].rfind('\n').map_or(0, |i| i + 1);
    let indent = doc[line_start..].bytes().take_while(|b| *b == b' ').count();
    (&doc[..at], indent, &doc[at + marker.len()..])
}

/// `value` pretty-printed as an element of an array whose line is indented by `indent`.
pub fn element(value: &impl Serialize, indent: usize) -> String {
    let text = serde_json::to_string_pretty(value).expect("output serialises");
    let pad = " ".repeat(indent + 2);
    let mut out = String::with_capacity(text.len() + text.len() / 8);
    for (i, line) in text.split('\n').enumerate() {
        if i > 0 {
            out.push('\n');
        }
        out.push_str(&pad);
        out.push_str(line);
    }
    out
}

/// A JSON array written a chunk of elements at a time, laid out as serde_json's
/// pretty printer lays out the whole array.
#[derive(Debug, Default)]
pub struct StreamedArray {
    /// Indentation of the line holding the array.
    pub indent: usize,
    count: usize,
}

impl StreamedArray {
    pub fn new(indent: usize) -> StreamedArray {
        StreamedArray { indent, count: 0 }
    }
    pub fn open(&self, out: &mut dyn Write) -> io::Result<()> {
        out.write_all(b"[")
    }
    /// `chunk` is `n` elements from [`element`], joined by `",\n"`.
    pub fn push(&mut self, out: &mut dyn Write, chunk: &str, n: usize) -> io::Result<()> {
        if n == 0 {
            return Ok(());
        }
        out.write_all(if self.count == 0 { b"\n" } else { b",\n" })?;
        out.write_all(chunk.as_bytes())?;
        self.count += n;
        Ok(())
    }
    pub fn close(&self, out: &mut dyn Write) -> io::Result<()> {
        if self.count > 0 {
            out.write_all(b"\n")?;
            out.write_all(" ".repeat(self.indent).as_bytes())?;
        }
        out.write_all(b"]")
    }
}

/// The JSON format: `files` is streamed, one element per file as soon as it is
/// its turn; `errors` and `summary` follow once every file is done.
pub struct Json {
    fix: bool,
    /// The document up to `files`' value, and the indentation of its line.
    head: String,
    indent: usize,
}

impl Json {
    /// Messages are in each file's language ([`FileResult::lang`]).
    pub fn new(fix: bool) -> Json {
        // Nothing before `files` depends on the outcome.
        let doc = pretty(&output(&Outcome {
            totals: Default::default(),
            problems: Vec::new(),
        }));
        let (head, indent, _) = split_at_hole(&doc, "files");
        Json {
            fix,
            head: head.to_string(),
            indent,
        }
    }
}

fn pretty(v: &impl Serialize) -> String {
    serde_json::to_string_pretty(v).expect("output serialises")
}

impl Render for Json {
    /// The file's element of `files`, indented.
    type Piece = String;
    type State = StreamedArray;

    fn piece(&self, f: &FileResult) -> String {
        element(&file(f, f.lang, self.fix), self.indent)
    }

    fn begin(&self, out: &mut dyn Write) -> io::Result<StreamedArray> {
        out.write_all(self.head.as_bytes())?;
        let array = StreamedArray::new(self.indent);
        array.open(out)?;
        Ok(array)
    }

    fn write(
        &self,
        array: &mut StreamedArray,
        out: &mut dyn Write,
        piece: String,
    ) -> io::Result<()> {
        array.push(out, &piece, 1)
    }

    fn finish(
        &self,
        array: StreamedArray,
        out: &mut dyn Write,
        outcome: &Outcome,
    ) -> io::Result<()> {
        array.close(out)?;
        let doc = pretty(&output(outcome));
        let (head, _, tail) = split_at_hole(&doc, "files");
        debug_assert_eq!(head, self.head);
        out.write_all(tail.as_bytes())?;
        writeln!(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    /// Writing around a hole gives the bytes serde_json writes for the whole document.
    #[test]
    fn streamed_arrays_match_serde_json() {
        for n in [0, 1, 3] {
            let items: Vec<_> = (0..n)
                .map(|i| json!({"path": format!("a{i}.md"), "d": [1, {"x": "\\u0000nianbao:files"}], "e": []}))
                .collect();
            let whole = json!({"version": "1", "files": items, "z": {"k": [1, 2]}});
            let want = serde_json::to_string_pretty(&whole).unwrap();
            let doc = pretty(
                &json!({"version": "1", "files": Hole("files").serialize(serde_json::value::Serializer).unwrap(), "z": {"k": [1, 2]}}),
            );
            let (head, indent, tail) = split_at_hole(&doc, "files");
            let mut out = head.as_bytes().to_vec();
            let mut array = StreamedArray::new(indent);
            array.open(&mut out).unwrap();
            for item in &items {
                array.push(&mut out, &element(item, indent), 1).unwrap();
            }
            array.close(&mut out).unwrap();
            out.extend_from_slice(tail.as_bytes());
            assert_eq!(String::from_utf8(out).unwrap(), want);
        }
    }
}
