//! `nianbao check`: read every input, analyse it, optionally apply the safe
//! fixes in place, and hand the results to a renderer.

use super::files::{self, Input};
use super::{human, json, sarif, CheckArgs, OutputFormat, EXIT_FINDINGS, EXIT_OK, EXIT_TROUBLE};
use crate::analysis::{analyze, Analysis};
use crate::config::Config;
use crate::diag::Severity;
use crate::model::Report;
use crate::template::identities;
use crate::text::{apply_edits, Encoding, LineIndex, Position, TextEdit};
use std::io::{self, Write};

/// One cell rewritten by `--fix`, located in the text as it was before the fix.
#[derive(Clone, Debug)]
pub struct AppliedFix {
    /// The replaced range as 0-based line / UTF-16 column positions in the original text.
    pub start: Position,
    pub end: Position,
    /// The exact text replaced and its replacement.
    pub old: String,
    pub new: String,
    /// The template cell, e.g. "（一）予以公开·总计", when it could be identified.
    pub cell: Option<String>,
}

/// The result for one input file.
pub struct FileResult {
    /// As shown in output (`-` for standard input).
    pub path: String,
    /// The text the diagnostics refer to (after fixing, when `--fix` changed it).
    pub src: String,
    pub index: LineIndex,
    pub analysis: Analysis,
    /// Cells rewritten by `--fix` (empty without `--fix`).
    pub fixed: Vec<AppliedFix>,
}

impl FileResult {
    pub fn position(&self, offset: usize) -> Position {
        self.index.position(&self.src, offset, Encoding::Utf16)
    }
    pub fn count(&self, severity: Severity) -> usize {
        self.analysis
            .diagnostics
            .iter()
            .filter(|d| d.severity == severity)
            .count()
    }
}

/// Everything `check` found, ready to render.
pub struct Outcome {
    pub files: Vec<FileResult>,
    /// (path, message) of inputs that could not be read or written.
    pub problems: Vec<(String, String)>,
    /// `--fix` was given (JSON then carries "fixed" for every file).
    pub fix: bool,
}

impl Outcome {
    pub fn count(&self, severity: Severity) -> usize {
        self.files.iter().map(|f| f.count(severity)).sum()
    }
    pub fn fixed_count(&self) -> usize {
        self.files.iter().map(|f| f.fixed.len()).sum()
    }
    pub fn exit_code(&self) -> i32 {
        if !self.problems.is_empty() {
            EXIT_TROUBLE
        } else if self.count(Severity::Error) > 0 {
            EXIT_FINDINGS
        } else {
            EXIT_OK
        }
    }
}

/// Name the template cell an edit of fix-all rewrites.
fn cell_of_edit(report: &Report, edit: &TextEdit) -> Option<String> {
    identities(report.table3_format())
        .iter()
        .map(|i| i.target)
        .find_map(|target| {
            let cell = report.cell(target)?;
            let hit = cell.number_range.start == edit.range.start
                || (cell.range.start <= edit.range.start
                    && edit.range.start < cell.range.end.max(cell.range.start + 1));
            hit.then(|| target.describe())
        })
}

/// Analyse one input; with `fix`, apply fix-all in place and analyse the result.
fn check_one(input: &Input, config: &Config, fix: bool) -> Result<FileResult, String> {
    let source = files::read(input)?;
    let path = input.display();
    let analysis = analyze(&source.text, config);
    let edits = if fix {
        let mut edits = crate::fix::fix_all(&source.text, &analysis.report);
        edits.sort_by_key(|e| (e.range.start, e.range.end));
        edits
    } else {
        Vec::new()
    };
    let original = &source.text;
    let fixed_text = apply_edits(original, &edits);
    if fixed_text == *original {
        let index = LineIndex::new(&source.text);
        return Ok(FileResult {
            path,
            index,
            src: source.text,
            analysis,
            fixed: Vec::new(),
        });
    }
    let orig_index = LineIndex::new(original);
    let fixed: Vec<AppliedFix> = edits
        .iter()
        .filter(|e| original[e.range.start..e.range.end] != e.new_text)
        .map(|e| AppliedFix {
            start: orig_index.position(original, e.range.start, Encoding::Utf16),
            end: orig_index.position(original, e.range.end, Encoding::Utf16),
            old: original[e.range.start..e.range.end].to_string(),
            new: e.new_text.clone(),
            cell: cell_of_edit(&analysis.report, e),
        })
        .collect();
    if let Input::File(p) = input {
        let mut bytes = Vec::with_capacity(fixed_text.len() + 3);
        if source.bom {
            bytes.extend_from_slice(b"\xEF\xBB\xBF");
        }
        bytes.extend_from_slice(fixed_text.as_bytes());
        files::write_atomic(p, &bytes)
            .map_err(|e| format!("cannot write '{}': {}", path, files::io_message(&e)))?;
    }
    let analysis = analyze(&fixed_text, config);
    let index = LineIndex::new(&fixed_text);
    Ok(FileResult {
        path,
        index,
        src: fixed_text,
        analysis,
        fixed,
    })
}

/// Collect, analyse, fix, and render; returns the exit code.
pub fn run(args: &CheckArgs) -> i32 {
    let config = args.config();
    let collected = files::collect(&args.paths);
    let mut problems = collected.problems;
    let mut err = io::stderr().lock();
    for dir in &collected.empty_dirs {
        let _ = writeln!(
            err,
            "nianbao: no report files (.md, .markdown, .txt) found in '{dir}'"
        );
    }
    for (_, msg) in &problems {
        let _ = writeln!(err, "nianbao: {msg}");
    }
    let mut results = Vec::new();
    for input in &collected.inputs {
        match check_one(input, &config, args.fix) {
            Ok(r) => results.push(r),
            Err(msg) => {
                let _ = writeln!(err, "nianbao: {msg}");
                problems.push((input.display(), msg));
            }
        }
    }
    drop(err);
    let outcome = Outcome {
        files: results,
        problems,
        fix: args.fix,
    };
    let mut out = io::BufWriter::new(io::stdout().lock());
    let written = match args.format {
        OutputFormat::Human => human::render(&mut out, &outcome, args.lang, args.color_enabled()),
        OutputFormat::Json => json::render(&mut out, &outcome, args.lang),
        OutputFormat::Sarif => sarif::render(&mut out, &outcome, args.lang),
    }
    .and_then(|_| out.flush());
    match written {
        Ok(()) => outcome.exit_code(),
        Err(e) if e.kind() == io::ErrorKind::BrokenPipe => outcome.exit_code(),
        Err(e) => {
            eprintln!(
                "nianbao: cannot write to standard output: {}",
                files::io_message(&e)
            );
            EXIT_TROUBLE
        }
    }
}
