//! `nianbao extract`: every report read as tidy data — one record per report, one per
//! table cell, one per finding — written as SQLite (the default for `.db`/`.sqlite`),
//! CSV (three files) or JSON Lines. The three formats have the same columns.
//!
//! Re-running over the same files replaces each report's rows (keyed by path): a
//! database never holds a report twice.

use super::files::{self, Input};
use super::{CheckArgs, EXIT_OK, EXIT_TROUBLE};
use nianbao_core::across_years::AgencyYear;
use nianbao_core::analysis::{analyze, Analysis};
use nianbao_core::diag::{Lang, Severity};
use nianbao_core::extract::{cells, content_hash, CellRecord};
use nianbao_core::text::{Encoding, LineIndex};
use rayon::prelude::*;
use serde_json::{json, Value};
use std::io::{self, Write};
use std::path::{Path, PathBuf};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ExtractFormat {
    Sqlite,
    Csv,
    Jsonl,
}

pub struct ExtractArgs {
    pub check: CheckArgs,
    pub format: Option<ExtractFormat>,
    /// `None`: JSON Lines on standard output.
    pub output: Option<PathBuf>,
}

/// Columns of the three record kinds (the SQLite tables, the CSV files, the JSONL keys).
pub const REPORT_COLUMNS: &[&str] = &[
    "path",
    "form",
    "agency",
    "year",
    "format",
    "errors",
    "warnings",
    "information",
    "hints",
    "hash",
];
pub const CELL_COLUMNS: &[&str] = &[
    "path",
    "tbl",
    "row_key",
    "col_key",
    "row_label",
    "col_label",
    "text",
    "value",
    "state",
    "implied",
    "line",
    "col",
];
pub const FINDING_COLUMNS: &[&str] = &[
    "path", "code", "severity", "message", "line", "col", "place",
];

/// One report as rows.
/// One report as rows. The rows of cells and findings leave out the path (their first
/// column), which the sinks write from `path`: one string per report, not one per cell.
struct Extracted {
    path: Value,
    report: Vec<Value>,
    cells: Vec<Vec<Value>>,
    findings: Vec<Vec<Value>>,
}

fn position(index: &LineIndex, src: &str, offset: usize) -> (Value, Value) {
    let p = index.position(src, offset, Encoding::Utf16);
    (json!(p.line + 1), json!(p.character + 1))
}

fn extract_one(
    path: &str,
    bytes_hash: String,
    form: &str,
    src: &str,
    a: &Analysis,
    lang: Lang,
) -> Extracted {
    let index = LineIndex::new(src);
    let count = |s: Severity| a.diagnostics.iter().filter(|d| d.severity == s).count();
    let who = AgencyYear::of(src, &a.report);
    let report = vec![
        json!(path),
        json!(form),
        json!(who.as_ref().map(|w| w.agency.clone())),
        json!(a.report.year),
        json!(a.report.format.as_str()),
        json!(count(Severity::Error)),
        json!(count(Severity::Warning)),
        json!(count(Severity::Information)),
        json!(count(Severity::Hint)),
        json!(bytes_hash),
    ];
    let cells = cells(src, a)
        .into_iter()
        .map(|c: CellRecord| {
            let (line, col) = match c.range {
                Some(r) => position(&index, src, r.start),
                None => (Value::Null, Value::Null),
            };
            vec![
                json!(c.table),
                json!(c.row_key),
                json!(c.col_key),
                json!(c.row_label),
                json!(c.col_label),
                json!(c.text),
                match c.value {
                    Some(v) if v.fract() == 0.0 && v.abs() < 1e15 => json!(v as i64),
                    Some(v) => json!(v),
                    None => Value::Null,
                },
                json!(c.state.as_str()),
                json!(c.implied),
                line,
                col,
            ]
        })
        .collect();
    let findings = a
        .diagnostics
        .iter()
        .map(|d| {
            let (line, col) = position(&index, src, d.range.start);
            vec![
                json!(d.code()),
                json!(d.severity.as_str()),
                json!(d.message.get(lang)),
                line,
                col,
                json!(a.report.cell_at(d.range.start).map(|c| match lang {
                    Lang::Zh => c.describe(),
                    Lang::En => c.describe_en(),
                })),
            ]
        })
        .collect();
    Extracted {
        path: json!(path),
        report,
        cells,
        findings,
    }
}

fn format_of(args: &ExtractArgs) -> ExtractFormat {
    if let Some(f) = args.format {
        return f;
    }
    let ext = args
        .output
        .as_ref()
        .and_then(|p| p.extension())
        .and_then(|e| e.to_str())
        .map(str::to_ascii_lowercase);
    match ext.as_deref() {
        Some("db" | "sqlite" | "sqlite3") => ExtractFormat::Sqlite,
        Some("csv") => ExtractFormat::Csv,
        _ => ExtractFormat::Jsonl,
    }
}

pub fn run(args: &ExtractArgs) -> i32 {
    let format = format_of(args);
    if format != ExtractFormat::Jsonl && args.output.is_none() {
        eprintln!("nianbao: extract --format sqlite/csv needs --output FILE");
        return EXIT_TROUBLE;
    }
    let collected = files::collect(&args.check.paths);
    let mut trouble = false;
    for (_, why) in &collected.problems {
        eprintln!("nianbao: {why}");
        trouble = true;
    }
    let inputs = collected.inputs;
    let configs = args.check.configs(&inputs);
    let lang = args.check.lang;
    let work = |i: usize, input: &Input| -> Result<Extracted, String> {
        let config = configs.get(i)?;
        let source = files::read(input, config.lang)?;
        let hash = match &source.origin {
            Some(o) => content_hash(&o.bytes),
            None => content_hash(&source.encoding.encode(&source.text)),
        };
        let form = source
            .origin
            .as_ref()
            .map_or("text", |o| o.rendering.form.as_str());
        let a = analyze(&source.text, config);
        Ok(extract_one(
            &input.display(),
            hash,
            form,
            &source.text,
            &a,
            lang,
        ))
    };
    let jobs = args
        .check
        .jobs
        .unwrap_or_else(super::check::default_jobs)
        .max(1);
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(jobs)
        .build()
        .ok();
    let sink: Box<dyn Sink + Send> = match open_sink(format, args.output.as_deref()) {
        Ok(s) => s,
        Err(why) => {
            eprintln!("nianbao: {why}");
            return EXIT_TROUBLE;
        }
    };
    // A chunk at a time, in input order: memory stays bounded whatever the number of files.
    // The sink writes chunk k on its own thread while the workers read chunk k + 1.
    let (mut reports, mut cells, mut findings) = (0usize, 0usize, 0usize);
    let indexed: Vec<(usize, &Input)> = inputs.iter().enumerate().collect();
    let mut progress =
        super::check::Progress::new(args.check.progress_enabled(), inputs.len(), lang);
    let written: Result<(), String> = std::thread::scope(|scope| {
        let (tx, rx) = std::sync::mpsc::sync_channel::<Vec<Extracted>>(1);
        let writer = scope.spawn(move || -> Result<(), String> {
            let mut sink = sink;
            for done in rx {
                sink.write(&done)?;
            }
            sink.finish()
        });
        for chunk in indexed.chunks(CHUNK) {
            let results: Vec<Result<Extracted, String>> = match &pool {
                Some(pool) => pool.install(|| chunk.par_iter().map(|(i, x)| work(*i, x)).collect()),
                None => chunk.iter().map(|(i, x)| work(*i, x)).collect(),
            };
            let mut done = Vec::with_capacity(results.len());
            for r in results {
                match r {
                    Ok(x) => done.push(x),
                    Err(why) => {
                        eprintln!("nianbao: {why}");
                        trouble = true;
                    }
                }
            }
            progress.update(chunk.last().map_or(0, |(i, _)| i + 1));
            reports += done.len();
            cells += done.iter().map(|x| x.cells.len()).sum::<usize>();
            findings += done.iter().map(|x| x.findings.len()).sum::<usize>();
            if tx.send(done).is_err() {
                break; // the writer stopped on an error, which join gives
            }
        }
        drop(tx);
        writer
            .join()
            .unwrap_or_else(|_| Err("internal error: the writer panicked".into()))
    });
    progress.finish();
    if let Err(why) = written {
        eprintln!("nianbao: {why}");
        return EXIT_TROUBLE;
    }
    if let Some(p) = &args.output {
        let msg = match lang {
            Lang::Zh => format!(
                "已写入 {}：{} 份报告，{} 个单元格，{} 条检查结果",
                p.display(),
                reports,
                cells,
                findings
            ),
            Lang::En => format!(
                "wrote {}: {} reports, {} cells, {} findings",
                p.display(),
                reports,
                cells,
                findings
            ),
        };
        eprintln!("{msg}");
    }
    if trouble {
        EXIT_TROUBLE
    } else {
        EXIT_OK
    }
}

/// Files analysed at a time before their rows are written.
const CHUNK: usize = 256;

/// Where the records go, a chunk of reports at a time.
trait Sink {
    fn write(&mut self, done: &[Extracted]) -> Result<(), String>;
    fn finish(self: Box<Self>) -> Result<(), String>;
}

fn open_sink(format: ExtractFormat, output: Option<&Path>) -> Result<Box<dyn Sink + Send>, String> {
    Ok(match (format, output) {
        (ExtractFormat::Sqlite, Some(p)) => Box::new(SqliteSink::open(p)?),
        (ExtractFormat::Csv, Some(p)) => Box::new(CsvSink::open(p)?),
        (ExtractFormat::Jsonl, Some(p)) => {
            let f = std::fs::File::create(p).map_err(|e| {
                format!("cannot write '{}': {}", p.display(), files::io_message(&e))
            })?;
            Box::new(JsonlSink(Box::new(io::BufWriter::new(f))))
        }
        (ExtractFormat::Jsonl, None) => {
            Box::new(JsonlSink(Box::new(io::BufWriter::new(io::stdout()))))
        }
        (_, None) => return Err("extract --format sqlite/csv needs --output FILE".into()),
    })
}

struct JsonlSink(Box<dyn Write + Send>);

fn io_out(e: io::Error) -> Result<(), String> {
    if e.kind() == io::ErrorKind::BrokenPipe {
        Ok(())
    } else {
        Err(format!(
            "cannot write the output: {}",
            files::io_message(&e)
        ))
    }
}

/// `{"record":KIND,"COL":VALUE,…}` written straight out (no map built per record).
fn jsonl_line(
    out: &mut dyn Write,
    kind: &str,
    cols: &[&str],
    path: Option<&Value>,
    row: &[Value],
) -> io::Result<()> {
    write!(out, "{{\"record\":\"{kind}\"")?;
    let values = path.into_iter().chain(row);
    for (c, v) in cols.iter().zip(values) {
        write!(out, ",\"{c}\":")?;
        serde_json::to_writer(&mut *out, v)?;
    }
    out.write_all(b"}\n")
}

impl Sink for JsonlSink {
    fn write(&mut self, done: &[Extracted]) -> Result<(), String> {
        let out: &mut dyn Write = &mut *self.0;
        let r = (|| -> io::Result<()> {
            for x in done {
                jsonl_line(out, "report", REPORT_COLUMNS, None, &x.report)?;
                for c in &x.cells {
                    jsonl_line(out, "cell", CELL_COLUMNS, Some(&x.path), c)?;
                }
                for f in &x.findings {
                    jsonl_line(out, "finding", FINDING_COLUMNS, Some(&x.path), f)?;
                }
            }
            Ok(())
        })();
        r.or_else(io_out)
    }
    fn finish(mut self: Box<Self>) -> Result<(), String> {
        self.0.flush().or_else(io_out)
    }
}

/// `out.csv` → `out.reports.csv`, `out.cells.csv`, `out.findings.csv`.
pub fn csv_paths(output: &Path) -> [PathBuf; 3] {
    let stem = output
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_else(|| "nianbao".into());
    let dir = output.parent().unwrap_or(Path::new(""));
    ["reports", "cells", "findings"].map(|k| dir.join(format!("{stem}.{k}.csv")))
}

fn csv_field(v: &Value) -> String {
    match v {
        Value::Null => String::new(),
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

struct CsvSink {
    writers: Vec<(PathBuf, csv::Writer<std::fs::File>)>,
}

impl CsvSink {
    fn open(output: &Path) -> Result<CsvSink, String> {
        let mut writers = Vec::new();
        for (path, cols) in
            csv_paths(output)
                .into_iter()
                .zip([REPORT_COLUMNS, CELL_COLUMNS, FINDING_COLUMNS])
        {
            let cannot = |e: csv::Error| format!("cannot write '{}': {e}", path.display());
            let mut w = csv::Writer::from_path(&path).map_err(cannot)?;
            w.write_record(cols).map_err(cannot)?;
            writers.push((path, w));
        }
        Ok(CsvSink { writers })
    }
}

impl Sink for CsvSink {
    fn write(&mut self, done: &[Extracted]) -> Result<(), String> {
        for x in done {
            let rows: [(Option<&Value>, Vec<&Vec<Value>>); 3] = [
                (None, vec![&x.report]),
                (Some(&x.path), x.cells.iter().collect()),
                (Some(&x.path), x.findings.iter().collect()),
            ];
            for ((path, w), (lead, rows)) in self.writers.iter_mut().zip(rows) {
                for row in rows {
                    w.write_record(lead.into_iter().chain(row.iter()).map(csv_field))
                        .map_err(|e| format!("cannot write '{}': {e}", path.display()))?;
                }
            }
        }
        Ok(())
    }
    fn finish(mut self: Box<Self>) -> Result<(), String> {
        for (path, w) in &mut self.writers {
            w.flush().map_err(|e| {
                format!(
                    "cannot write '{}': {}",
                    path.display(),
                    files::io_message(&e)
                )
            })?;
        }
        Ok(())
    }
}

/// The schema (documented in the README).
pub const SCHEMA: &str = "\
CREATE TABLE IF NOT EXISTS reports (
  path TEXT PRIMARY KEY, form TEXT NOT NULL, agency TEXT, year INTEGER, format TEXT NOT NULL,
  errors INTEGER NOT NULL, warnings INTEGER NOT NULL, information INTEGER NOT NULL,
  hints INTEGER NOT NULL, hash TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS cells (
  path TEXT NOT NULL REFERENCES reports(path), tbl TEXT NOT NULL, row_key TEXT NOT NULL,
  col_key TEXT NOT NULL, row_label TEXT NOT NULL, col_label TEXT NOT NULL, text TEXT,
  value NUMERIC, state TEXT NOT NULL, implied INTEGER, line INTEGER, col INTEGER);
CREATE INDEX IF NOT EXISTS cells_path ON cells(path);
CREATE TABLE IF NOT EXISTS findings (
  path TEXT NOT NULL REFERENCES reports(path), code TEXT NOT NULL, severity TEXT NOT NULL,
  message TEXT NOT NULL, line INTEGER NOT NULL, col INTEGER NOT NULL, place TEXT);
CREATE INDEX IF NOT EXISTS findings_path ON findings(path);
";

/// A JSON value bound as an SQL parameter without copying its text.
struct Sql<'a>(&'a Value);

impl rusqlite::ToSql for Sql<'_> {
    fn to_sql(&self) -> rusqlite::Result<rusqlite::types::ToSqlOutput<'_>> {
        use rusqlite::types::{ToSqlOutput, Value as V, ValueRef};
        Ok(match self.0 {
            Value::Null => ToSqlOutput::Owned(V::Null),
            Value::Bool(b) => ToSqlOutput::Owned(V::Integer(*b as i64)),
            Value::Number(n) => ToSqlOutput::Owned(match n.as_i64() {
                Some(i) => V::Integer(i),
                None => V::Real(n.as_f64().unwrap_or(0.0)),
            }),
            Value::String(s) => ToSqlOutput::Borrowed(ValueRef::Text(s.as_bytes())),
            other => ToSqlOutput::Owned(V::Text(other.to_string())),
        })
    }
}

struct SqliteSink {
    db: rusqlite::Connection,
    path: PathBuf,
}

fn insert_sql(table: &str, cols: &[&str]) -> String {
    format!(
        "INSERT INTO {table} ({}) VALUES ({})",
        cols.join(", "),
        (1..=cols.len())
            .map(|i| format!("?{i}"))
            .collect::<Vec<_>>()
            .join(", ")
    )
}

impl SqliteSink {
    fn open(path: &Path) -> Result<SqliteSink, String> {
        let cannot = |e: rusqlite::Error| format!("cannot write '{}': {e}", path.display());
        let db = rusqlite::Connection::open(path).map_err(cannot)?;
        db.execute_batch("PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL;")
            .map_err(cannot)?;
        db.execute_batch(SCHEMA).map_err(cannot)?;
        // One transaction for the whole run: a run that fails leaves the database as it was.
        db.execute_batch("BEGIN").map_err(cannot)?;
        Ok(SqliteSink {
            db,
            path: path.to_path_buf(),
        })
    }
}

impl Sink for SqliteSink {
    fn write(&mut self, done: &[Extracted]) -> Result<(), String> {
        let path = &self.path;
        let cannot = |e: rusqlite::Error| format!("cannot write '{}': {e}", path.display());
        let db = &self.db;
        let mut del_cells = db
            .prepare_cached("DELETE FROM cells WHERE path = ?1")
            .map_err(cannot)?;
        let mut del_findings = db
            .prepare_cached("DELETE FROM findings WHERE path = ?1")
            .map_err(cannot)?;
        let mut del_report = db
            .prepare_cached("DELETE FROM reports WHERE path = ?1")
            .map_err(cannot)?;
        let mut ins_report = db
            .prepare_cached(&insert_sql("reports", REPORT_COLUMNS))
            .map_err(cannot)?;
        let mut ins_cell = db
            .prepare_cached(&insert_sql("cells", CELL_COLUMNS))
            .map_err(cannot)?;
        let mut ins_finding = db
            .prepare_cached(&insert_sql("findings", FINDING_COLUMNS))
            .map_err(cannot)?;
        for x in done {
            del_cells.execute([&Sql(&x.path)]).map_err(cannot)?;
            del_findings.execute([&Sql(&x.path)]).map_err(cannot)?;
            del_report.execute([&Sql(&x.path)]).map_err(cannot)?;
            ins_report
                .execute(rusqlite::params_from_iter(x.report.iter().map(Sql)))
                .map_err(cannot)?;
            for c in &x.cells {
                ins_cell
                    .execute(rusqlite::params_from_iter(
                        std::iter::once(Sql(&x.path)).chain(c.iter().map(Sql)),
                    ))
                    .map_err(cannot)?;
            }
            for f in &x.findings {
                ins_finding
                    .execute(rusqlite::params_from_iter(
                        std::iter::once(Sql(&x.path)).chain(f.iter().map(Sql)),
                    ))
                    .map_err(cannot)?;
            }
        }
        Ok(())
    }
    fn finish(self: Box<Self>) -> Result<(), String> {
        self.db
            .execute_batch("COMMIT")
            .map_err(|e| format!("cannot write '{}': {e}", self.path.display()))
    }
}
