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
//!     - `message`: in the language chosen with `--lang` (default Chinese).
//!     - `range`: `{start, end}` positions as described above.
//!     - `name`: the rule's name (`row-total`); `url`: its documentation.
//!     - `related[]`: `{range, message}` other places that take part in the finding.
//!     - `fixes[]`: fixes offered: `title`; `kind` — `"recompute"` (rewrites a total
//!       from its parts; these are what `--fix` applies) or `"edit"` (offered, never
//!       applied by `--fix`); `preferred`; `edits[]` of `{range, newText}`.
//!   - `fixed[]` (only with `--fix`): the edits `--fix` applied, in order, each with
//!     `range` in the ORIGINAL text, `old` (the exact text replaced), `new` (its
//!     replacement) and `cell` (the table cell, e.g. `"（一）予以公开·总计"`, or `null`).
//! - `errors[]`: `{path, message}` for inputs that could not be read or written
//!   (the exit status is then 2).
//! - `summary`: counts over all files: `files`, `errors`, `warnings`,
//!   `information`, `hints`, `fixed` (cells rewritten by `--fix`).

use super::check::{FileResult, Outcome};
use crate::diag::{Diagnostic, FixKind, Lang, Severity};
use crate::text::{Position, TextRange};
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
    files: Vec<JsonFile>,
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

fn diagnostic(file: &FileResult, d: &Diagnostic, lang: Lang) -> JsonDiagnostic {
    JsonDiagnostic {
        code: d.code,
        severity: d.severity.as_str(),
        message: d.message.get(lang).to_string(),
        range: range(file, d.range),
        name: crate::rules::rule(d.code).map(|r| r.name),
        url: crate::rules::docs_url(d.code),
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
    }
}

pub fn render(out: &mut dyn Write, outcome: &Outcome, lang: Lang) -> io::Result<()> {
    let files = outcome
        .files
        .iter()
        .map(|f| JsonFile {
            path: f.path.clone(),
            format: f.analysis.report.format.as_str(),
            year: f.analysis.report.year,
            encoding: super::files::encoding_of(&f.path)
                .unwrap_or(super::files::TextEncoding::Utf8)
                .as_str(),
            diagnostics: f
                .analysis
                .diagnostics
                .iter()
                .map(|d| diagnostic(f, d, lang))
                .collect(),
            fixed: outcome.fix.then(|| {
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
        })
        .collect();
    let output = JsonOutput {
        version: super::VERSION,
        files,
        errors: outcome
            .problems
            .iter()
            .map(|(path, message)| JsonError {
                path: path.clone(),
                message: message.clone(),
            })
            .collect(),
        summary: JsonSummary {
            files: outcome.files.len(),
            errors: outcome.count(Severity::Error),
            warnings: outcome.count(Severity::Warning),
            information: outcome.count(Severity::Information),
            hints: outcome.count(Severity::Hint),
            fixed: outcome.fixed_count(),
        },
    };
    serde_json::to_writer_pretty(&mut *out, &output).map_err(io::Error::from)?;
    writeln!(out)
}
