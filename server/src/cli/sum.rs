//! `nianbao sum`: 汇总 — tables 二/三/四 of department reports added cell by cell into a
//! report skeleton; with `--check GOV`, a government's published tables compared with the
//! sum of its departments'.

use super::files::{self, Input};
use super::{CheckArgs, OutputFormat, EXIT_FINDINGS, EXIT_OK, EXIT_TROUBLE};
use nianbao_core::analysis::{analyze, Analysis};
use nianbao_core::diag::Lang;
use nianbao_core::sum::{compare, number_text, sum, Part};
use nianbao_core::text::{Encoding, LineIndex};
use serde_json::json;
use std::io::Write;
use std::path::PathBuf;

pub struct SumArgs {
    pub check: CheckArgs,
    pub year: Option<u16>,
    pub output: Option<PathBuf>,
    /// `--check GOV`: compare this report with the sum of the others.
    pub whole: Option<PathBuf>,
}

struct Read {
    name: String,
    text: String,
    analysis: Analysis,
}

fn read_all(inputs: &[Input], args: &CheckArgs) -> Result<Vec<Read>, String> {
    use rayon::prelude::*;
    let configs = args.configs(inputs);
    let one = |(i, input): (usize, &Input)| -> Result<Read, String> {
        let config = configs.get(i)?;
        let source = files::read(input, config.lang)?;
        let analysis = analyze(&source.text, config);
        Ok(Read {
            name: input.display(),
            text: source.text,
            analysis,
        })
    };
    let jobs = args.jobs.unwrap_or_else(super::check::default_jobs).max(1);
    match rayon::ThreadPoolBuilder::new().num_threads(jobs).build() {
        Ok(pool) => pool.install(|| inputs.par_iter().enumerate().map(one).collect()),
        Err(_) => inputs.iter().enumerate().map(one).collect(),
    }
}

pub fn run(args: &SumArgs) -> i32 {
    let lang = args.check.lang;
    let collected = files::collect(&args.check.paths);
    for (_, why) in &collected.problems {
        eprintln!("nianbao: {why}");
    }
    if !collected.problems.is_empty() {
        return EXIT_TROUBLE;
    }
    let mut inputs = collected.inputs;
    let whole_input = args.whole.clone().map(Input::File);
    if let Some(Input::File(w)) = &whole_input {
        let canon =
            |p: &std::path::Path| std::fs::canonicalize(p).unwrap_or_else(|_| p.to_path_buf());
        let w = canon(w);
        inputs.retain(|i| !matches!(i, Input::File(p) if canon(p) == w));
    }
    let parts = match read_all(&inputs, &args.check) {
        Ok(p) => p,
        Err(why) => {
            eprintln!("nianbao: {why}");
            return EXIT_TROUBLE;
        }
    };
    let as_parts: Vec<Part> = parts
        .iter()
        .map(|r| Part {
            name: &r.name,
            src: &r.text,
            analysis: &r.analysis,
        })
        .collect();
    match whole_input {
        Some(w) => {
            let whole = match read_all(std::slice::from_ref(&w), &args.check) {
                Ok(mut v) => v.remove(0),
                Err(why) => {
                    eprintln!("nianbao: {why}");
                    return EXIT_TROUBLE;
                }
            };
            check_whole(&whole, &as_parts, args, lang)
        }
        None => write_sum(&as_parts, args, lang),
    }
}

fn write_sum(parts: &[Part], args: &SumArgs, lang: Lang) -> i32 {
    if parts.is_empty() {
        eprintln!("nianbao: sum needs at least one report");
        return EXIT_TROUBLE;
    }
    // The year most of the parts report on, else the default of the skeleton.
    let year = args.year.unwrap_or_else(|| {
        let mut years: Vec<u16> = parts
            .iter()
            .filter_map(|p| p.analysis.report.year)
            .collect();
        years.sort_unstable();
        let best = years
            .chunk_by(|a, b| a == b)
            .max_by_key(|g| g.len())
            .map(|g| g[0]);
        best.unwrap_or_else(nianbao_core::skeleton::default_year)
    });
    let summed = sum(parts, year, &args.check.config());
    for (name, errs) in &summed.unclean {
        let head = match lang {
            Lang::Zh => format!("nianbao: {name} 的表格勾稽关系不成立，汇总的合计可能有误："),
            Lang::En => {
                format!("nianbao: the tables of {name} do not add up; the sums may be wrong:")
            }
        };
        eprintln!("{head}");
        for e in errs {
            eprintln!("  {e}");
        }
    }
    let written = match &args.output {
        Some(p) => std::fs::write(p, &summed.text)
            .map_err(|e| format!("cannot write '{}': {}", p.display(), files::io_message(&e))),
        None => std::io::stdout()
            .lock()
            .write_all(summed.text.as_bytes())
            .map_err(|e| format!("cannot write the output: {}", files::io_message(&e))),
    };
    if let Err(why) = written {
        eprintln!("nianbao: {why}");
        return EXIT_TROUBLE;
    }
    if let Some(p) = &args.output {
        match lang {
            Lang::Zh => eprintln!(
                "已写入 {}：{} 份报告的汇总（{year} 年）",
                p.display(),
                parts.len()
            ),
            Lang::En => eprintln!(
                "wrote {}: the sum of {} reports ({year})",
                p.display(),
                parts.len()
            ),
        }
    }
    EXIT_OK
}

fn check_whole(whole: &Read, parts: &[Part], args: &SumArgs, lang: Lang) -> i32 {
    let diffs = compare(&whole.text, &whole.analysis, parts);
    let index = LineIndex::new(&whole.text);
    let mut out = std::io::stdout().lock();
    let show = |v: Option<f64>| v.map_or("—".to_string(), number_text);
    let result = if args.check.format == OutputFormat::Json {
        let items: Vec<_> = diffs
            .iter()
            .map(|d| {
                let pos = d
                    .cell
                    .range
                    .map(|r| index.position(&whole.text, r.start, Encoding::Utf16));
                json!({
                    "table": d.cell.table,
                    "row_key": d.cell.row_key,
                    "col_key": d.cell.col_key,
                    "row_label": d.cell.row_label,
                    "col_label": d.cell.col_label,
                    "reported": d.cell.value,
                    "sum": d.sum.value,
                    "not_counted": d.sum.not_counted,
                    "line": pos.map(|p| p.line + 1),
                    "col": pos.map(|p| p.character + 1),
                })
            })
            .collect();
        let doc = json!({ "path": whole.name, "parts": parts.len(), "differences": items });
        writeln!(
            out,
            "{}",
            serde_json::to_string_pretty(&doc).unwrap_or_default()
        )
    } else {
        let mut r = Ok(());
        for d in &diffs {
            let at = match d.cell.range {
                Some(range) => {
                    let p = index.position(&whole.text, range.start, Encoding::Utf16);
                    format!("{}:{}:{}", whole.name, p.line + 1, p.character + 1)
                }
                None => whole.name.clone(),
            };
            let cell = format!(
                "表{} {}·{}",
                d.cell.table, d.cell.row_label, d.cell.col_label
            );
            let line = match lang {
                Lang::Zh => format!(
                    "{at}: {cell}：本报告为 {}，各报告合计为 {}",
                    show(d.cell.value),
                    number_text(d.sum.value)
                ),
                Lang::En => format!(
                    "{at}: {cell}: this report says {}, the reports sum to {}",
                    show(d.cell.value),
                    number_text(d.sum.value)
                ),
            };
            r = r.and_then(|_| writeln!(out, "{line}"));
            if !d.sum.not_counted.is_empty() {
                let note = match lang {
                    Lang::Zh => format!("  （未计入：{}）", d.sum.not_counted.join("、")),
                    Lang::En => format!("  (not counted: {})", d.sum.not_counted.join(", ")),
                };
                r = r.and_then(|_| writeln!(out, "{note}"));
            }
        }
        let summary = match lang {
            Lang::Zh => format!(
                "{} 个单元格与 {} 份报告的合计不一致",
                diffs.len(),
                parts.len()
            ),
            Lang::En => format!(
                "{} cells differ from the sum of {} reports",
                diffs.len(),
                parts.len()
            ),
        };
        r.and_then(|_| writeln!(out, "{summary}"))
    };
    if let Err(e) = result {
        if e.kind() != std::io::ErrorKind::BrokenPipe {
            eprintln!(
                "nianbao: cannot write the output: {}",
                files::io_message(&e)
            );
            return EXIT_TROUBLE;
        }
    }
    if diffs.is_empty() {
        EXIT_OK
    } else {
        EXIT_FINDINGS
    }
}
