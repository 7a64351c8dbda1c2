//! `--format sarif`: SARIF 2.1.0 for code-scanning tools.
//!
//! Lines and columns are 1-based; columns are UTF-16 code units
//! (`"columnKind": "utf16CodeUnits"`), so `startColumn` is the JSON
//! `character` + 1. Severity maps to `level`: error → `error`, warning →
//! `warning`, information and hint → `note`. Recompute and edit fixes are
//! given as SARIF `fixes`.

use super::check::{FileResult, Outcome, Render};
use super::files::TextEncoding;
use super::json::{element, split_at_hole, Hole, StreamedArray};
use nianbao_core::diag::{Diagnostic, Lang, Severity};
use nianbao_core::rules::{docs_url, Rule};
use nianbao_core::text::TextRange;
use serde_json::{json, Value};
use std::io::{self, Write};

pub const SCHEMA: &str = "https://json.schemastore.org/sarif-2.1.0.json";
const INFORMATION_URI: &str = "https://github.com/nianbao/nianbao";

pub fn level(sev: Severity) -> &'static str {
    match sev {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Information | Severity::Hint => "note",
    }
}

/// A relative URI reference for a path as shown (`-` is standard input).
pub fn uri(path: &str) -> String {
    if path == "-" {
        return "stdin".to_string();
    }
    uri_of_path(std::path::Path::new(path))
}

/// A relative URI reference for `path`, from its bytes: everything outside the
/// unreserved set (and `/`) is percent-encoded, so Chinese names, a `\` in a
/// Unix name and names that are not UTF-8 are all kept exactly. On Windows `\`
/// separates folders and becomes `/`.
pub fn uri_of_path(path: &std::path::Path) -> String {
    #[cfg(unix)]
    let bytes: std::borrow::Cow<[u8]> = {
        use std::os::unix::ffi::OsStrExt;
        path.as_os_str().as_bytes().into()
    };
    #[cfg(not(unix))]
    let bytes: std::borrow::Cow<[u8]> = path
        .to_string_lossy()
        .replace('\\', "/")
        .into_bytes()
        .into();
    let mut out = String::new();
    for &b in bytes.iter() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' | b'/' => {
                out.push(b as char)
            }
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    if bytes.starts_with(b"/") {
        format!("file://{out}")
    } else {
        out
    }
}

/// The URI of a checked file: from its path's bytes when it is a file.
fn file_uri(file: &FileResult) -> String {
    match &file.file {
        Some(p) => uri_of_path(p),
        None => uri(&file.path),
    }
}

fn region(file: &FileResult, r: TextRange) -> Value {
    let s = file.position(r.start);
    let e = file.position(r.end);
    json!({
        "startLine": s.line + 1,
        "startColumn": s.character + 1,
        "endLine": e.line + 1,
        "endColumn": e.character + 1,
    })
}

fn location(file: &FileResult, r: TextRange) -> Value {
    json!({
        "physicalLocation": {
            "artifactLocation": { "uri": file_uri(file) },
            "region": region(file, r),
        }
    })
}

fn result(file: &FileResult, d: &Diagnostic, lang: Lang) -> Value {
    let mut v = json!({
        "ruleId": d.code(),
        "level": level(d.severity),
        "message": { "text": d.message.get(lang) },
        "locations": [location(file, d.range)],
    });
    if let Some(place) = file.place(d.range.start) {
        // A cell of a .docx table or a paragraph: a logical location beside the region
        // of the text rendering.
        v["locations"][0]["logicalLocations"] = json!([{ "name": place, "kind": "element" }]);
    }
    v["ruleIndex"] = json!(d.rule as usize);
    if !d.related.is_empty() {
        v["relatedLocations"] = d
            .related
            .iter()
            .enumerate()
            .map(|(i, r)| {
                let mut l = location(file, r.range);
                l["id"] = json!(i);
                l["message"] = json!({ "text": r.message.get(lang) });
                l
            })
            .collect();
    }
    if !d.fixes.is_empty() {
        v["fixes"] = d
            .fixes
            .iter()
            .map(|f| {
                json!({
                    "description": { "text": f.title.get(lang) },
                    "artifactChanges": [{
                        "artifactLocation": { "uri": file_uri(file) },
                        "replacements": f.edits.iter().map(|e| json!({
                            "deletedRegion": region(file, e.range),
                            "insertedContent": { "text": e.new_text },
                        })).collect::<Vec<_>>(),
                    }],
                })
            })
            .collect();
    }
    v
}

/// The whole log, with holes where `artifacts` and `results` go.
fn log(outcome: &Outcome, lang: Lang) -> Value {
    let rules: Vec<Value> = Rule::ALL
        .iter()
        .map(|&rule| {
            let r = rule.meta();
            json!({
                "id": r.code,
                "name": r.name,
                "shortDescription": { "text": r.what().get(lang) },
                "fullDescription": { "text": match lang { Lang::Zh => r.why.0, Lang::En => r.why.1 } },
                "helpUri": docs_url(rule),
                "defaultConfiguration": { "level": level(r.severity) },
            })
        })
        .collect();
    let notifications: Vec<Value> = outcome
        .problems
        .iter()
        .map(|(path, message)| {
            json!({
                "level": "error",
                "message": { "text": message },
                "locations": [{ "physicalLocation": { "artifactLocation": { "uri": uri(path) } } }],
            })
        })
        .collect();
    json!({
        "$schema": SCHEMA,
        "version": "2.1.0",
        "runs": [{
            "tool": {
                "driver": {
                    "name": "nianbao",
                    "version": super::VERSION,
                    "informationUri": INFORMATION_URI,
                    "rules": rules,
                }
            },
            "columnKind": "utf16CodeUnits",
            "artifacts": Hole("artifacts"),
            "results": Hole("results"),
            "invocations": [{
                "executionSuccessful": outcome.problems.is_empty(),
                "toolExecutionNotifications": notifications,
            }],
        }],
    })
}

/// The artifact's encoding as SARIF names it (IANA character set names).
fn sarif_encoding(encoding: TextEncoding) -> &'static str {
    match encoding {
        TextEncoding::Utf16Le => "UTF-16LE",
        TextEncoding::Utf16Be => "UTF-16BE",
        TextEncoding::Gb18030 => "GB18030",
        TextEncoding::Utf8 | TextEncoding::Utf8Bom => "utf-8",
    }
}

/// One file's share of the log: its artifact, and its results (joined by
/// `",\n"`, already indented).
pub struct SarifPiece {
    artifact: String,
    results: String,
    n_results: usize,
}

/// An array gathered element by element, and where it is indented.
type Gathering = (StreamedArray, Vec<u8>);

/// What has been gathered. SARIF puts the invocation (which needs every file's
/// outcome) between the artifacts and the results, so the log is written at the end.
pub struct Gathered {
    artifacts: Gathering,
    results: Gathering,
}

/// The SARIF format: results are rendered on the workers, the log is assembled at the end.
pub struct Sarif {
    lang: Lang,
    /// Indentation of the lines holding `artifacts` and `results`.
    artifacts_indent: usize,
    results_indent: usize,
}

impl Sarif {
    pub fn new(lang: Lang) -> Sarif {
        let doc = pretty(&log(
            &Outcome {
                totals: Default::default(),
                problems: Vec::new(),
            },
            lang,
        ));
        Sarif {
            lang,
            artifacts_indent: split_at_hole(&doc, "artifacts").1,
            results_indent: split_at_hole(&doc, "results").1,
        }
    }
}

fn pretty(v: &Value) -> String {
    serde_json::to_string_pretty(v).expect("output serialises")
}

impl Render for Sarif {
    type Piece = SarifPiece;
    type State = Gathered;

    fn piece(&self, f: &FileResult) -> SarifPiece {
        let artifact = json!({
            "location": { "uri": file_uri(f) },
            "encoding": sarif_encoding(f.encoding),
            "sourceLanguage": "markdown",
        });
        let results: Vec<String> = f
            .analysis
            .diagnostics
            .iter()
            .map(|d| element(&result(f, d, f.lang), self.results_indent))
            .collect();
        SarifPiece {
            artifact: element(&artifact, self.artifacts_indent),
            n_results: results.len(),
            results: results.join(",\n"),
        }
    }

    fn begin(&self, _out: &mut dyn Write) -> io::Result<Gathered> {
        Ok(Gathered {
            artifacts: (StreamedArray::new(self.artifacts_indent), Vec::new()),
            results: (StreamedArray::new(self.results_indent), Vec::new()),
        })
    }

    fn write(&self, g: &mut Gathered, _out: &mut dyn Write, piece: SarifPiece) -> io::Result<()> {
        let (array, buf) = &mut g.artifacts;
        array.push(buf, &piece.artifact, 1)?;
        let (array, buf) = &mut g.results;
        array.push(buf, &piece.results, piece.n_results)
    }

    fn finish(&self, g: Gathered, out: &mut dyn Write, outcome: &Outcome) -> io::Result<()> {
        let doc = pretty(&log(outcome, self.lang));
        let mut holes =
            [("artifacts", g.artifacts), ("results", g.results)].map(|(name, array)| {
                let (head, _, tail) = split_at_hole(&doc, name);
                (head.len(), doc.len() - tail.len(), array)
            });
        holes.sort_by_key(|h| h.0);
        let mut at = 0;
        for (start, end, (array, elements)) in holes {
            out.write_all(&doc.as_bytes()[at..start])?;
            array.open(out)?;
            out.write_all(&elements)?;
            array.close(out)?;
            at = end;
        }
        out.write_all(&doc.as_bytes()[at..])?;
        writeln!(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uris_are_percent_encoded() {
        assert_eq!(uri("a b/报告.md"), "a%20b/%E6%8A%A5%E5%91%8A.md");
        assert_eq!(uri("/tmp/x.md"), "file:///tmp/x.md");
        #[cfg(windows)]
        assert_eq!(uri("dir\\x.md"), "dir/x.md");
        #[cfg(unix)]
        {
            use std::os::unix::ffi::OsStrExt;
            // A backslash is part of a Unix file name.
            assert_eq!(uri("dir\\x.md"), "dir%5Cx.md");
            let name = std::ffi::OsStr::from_bytes(b"r\xB1\xA8.md");
            assert_eq!(uri_of_path(std::path::Path::new(name)), "r%B1%A8.md");
        }
    }
}
