//! `--format sarif`: SARIF 2.1.0 for code-scanning tools.
//!
//! Lines and columns are 1-based; columns are UTF-16 code units
//! (`"columnKind": "utf16CodeUnits"`), so `startColumn` is the JSON
//! `character` + 1. Severity maps to `level`: error → `error`, warning →
//! `warning`, information and hint → `note`. Recompute and edit fixes are
//! given as SARIF `fixes`.

use super::check::{FileResult, Outcome};
use crate::diag::{Diagnostic, Lang, Severity};
use crate::rules::{docs_url, RULES};
use crate::text::TextRange;
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

/// A relative URI reference for a path: `\` becomes `/`, and everything outside
/// the unreserved set (and `/`) is percent-encoded, so Chinese file names are valid URIs.
pub fn uri(path: &str) -> String {
    if path == "-" {
        return "stdin".to_string();
    }
    let path = path.replace('\\', "/");
    let mut out = String::new();
    let absolute = path.starts_with('/');
    for b in path.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' | b'/' => {
                out.push(b as char)
            }
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    if absolute {
        format!("file://{out}")
    } else {
        out
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
            "artifactLocation": { "uri": uri(&file.path) },
            "region": region(file, r),
        }
    })
}

fn result(file: &FileResult, d: &Diagnostic, lang: Lang) -> Value {
    let mut v = json!({
        "ruleId": d.code,
        "level": level(d.severity),
        "message": { "text": d.message.get(lang) },
        "locations": [location(file, d.range)],
    });
    if let Some(i) = RULES.iter().position(|r| r.code == d.code) {
        v["ruleIndex"] = json!(i);
    }
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
                        "artifactLocation": { "uri": uri(&file.path) },
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

pub fn render(out: &mut dyn Write, outcome: &Outcome, lang: Lang) -> io::Result<()> {
    let rules: Vec<Value> = RULES
        .iter()
        .map(|r| {
            json!({
                "id": r.code,
                "name": r.name,
                "shortDescription": { "text": r.what().get(lang) },
                "fullDescription": { "text": match lang { Lang::Zh => r.why.0, Lang::En => r.why.1 } },
                "helpUri": docs_url(r.code),
                "defaultConfiguration": { "level": level(r.severity) },
            })
        })
        .collect();
    let results: Vec<Value> = outcome
        .files
        .iter()
        .flat_map(|f| {
            f.analysis
                .diagnostics
                .iter()
                .map(move |d| result(f, d, lang))
        })
        .collect();
    let artifacts: Vec<Value> = outcome
        .files
        .iter()
        .map(|f| json!({ "location": { "uri": uri(&f.path) }, "encoding": sarif_encoding(&f.path), "sourceLanguage": "markdown" }))
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
    let sarif = json!({
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
            "artifacts": artifacts,
            "results": results,
            "invocations": [{
                "executionSuccessful": outcome.problems.is_empty(),
                "toolExecutionNotifications": notifications,
            }],
        }],
    });
    serde_json::to_writer_pretty(&mut *out, &sarif).map_err(io::Error::from)?;
    writeln!(out)
}

/// The artifact's encoding as SARIF names it (IANA character set names).
fn sarif_encoding(path: &str) -> &'static str {
    use super::files::TextEncoding;
    match super::files::encoding_of(path) {
        Some(TextEncoding::Utf16Le) => "UTF-16LE",
        Some(TextEncoding::Utf16Be) => "UTF-16BE",
        Some(TextEncoding::Gb18030) => "GB18030",
        _ => "utf-8",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uris_are_percent_encoded() {
        assert_eq!(uri("a b/报告.md"), "a%20b/%E6%8A%A5%E5%91%8A.md");
        assert_eq!(uri("/tmp/x.md"), "file:///tmp/x.md");
        assert_eq!(uri("dir\\x.md"), "dir/x.md");
    }
}
