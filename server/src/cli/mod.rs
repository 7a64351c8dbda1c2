//! The command-line front end: `nianbao check`, `nianbao lsp`, `nianbao rules`.
//!
//! Argument parsing is done by hand (no dependency): the grammar is small, and
//! owning it keeps the exit codes exact — 0 no error-severity finding, 1 errors
//! found, 2 usage or I/O problems.

mod check;
mod extract;
mod files;
mod html;
mod human;
mod json;
mod sarif;
mod sum;

use files::Input;
use nianbao_core::config::{Config, RuleSetting};
use nianbao_core::diag::{Lang, Msg};
use nianbao_core::project::{self, ProjectFile};
use nianbao_core::rules::Rule;
use nianbao_core::template::Format;
use std::collections::HashMap;
use std::ffi::OsString;
use std::io::{self, IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::sync::Arc;

pub const VERSION: &str = env!("CARGO_PKG_VERSION");

/// Exit status: no error-severity diagnostic.
pub const EXIT_OK: i32 = 0;
/// Exit status: error-severity diagnostics were found.
pub const EXIT_FINDINGS: i32 = 1;
/// Exit status: usage or I/O problem.
pub const EXIT_TROUBLE: i32 = 2;

const USAGE: &str = "\
Usage: nianbao <COMMAND> [OPTIONS]

Commands:
  check [OPTIONS] PATH...   Lint report drafts (files, folders, or - for stdin)
  extract [OPTIONS] PATH... Read reports into data: SQLite, CSV or JSON Lines (提取表格数据)
  sum [OPTIONS] PATH...     Add the tables of reports into one (汇总), or --check a report
  rules [--markdown]        List the rules (检查规则一览)
  lsp [--stdio]             Run the language server over stdin/stdout
  help [COMMAND]            Print help

Options:
  -h, --help                Print help
  -V, --version             Print version
";

const MAIN_HELP: &str = "\
nianbao — linter and language server for 政府信息公开工作年度报告 drafts
(政府信息公开工作年度报告检查工具)
";

const CHECK_HELP: &str = "\
Lint report drafts (检查年度报告草稿).

Usage: nianbao check [OPTIONS] PATH...

Arguments:
  PATH...  Files, folders (searched recursively for .md, .markdown, .txt,
           .docx, .html, .htm and .pdf; hidden entries are skipped), or - to
           read standard input

Options:
      --format <FORMAT>         Output: human (default), json, sarif, or html (one
                                self-contained audit page: summary, charts, findings)
      --output <FILE>           Write the output to FILE instead of standard output
      --fix                     Apply the safe fixes (recompute totals) in place,
                                report what changed, then report what remains
      --lang <LANG>             Message language: zh (default), en
      --report-format <FMT>     Report template: auto (default), 2019, 2021, pre2019
      --select <CODE,...>       Run only these rules (codes or prefixes, e.g. NB3)
      --ignore <CODE,...>       Do not run these rules (codes or prefixes)
      --config <PATH>           Use this nianbao.toml for every file (instead of
                                the nearest one above each file)
      --no-config               Use no nianbao.toml
      --color <WHEN>            auto (default: when stdout is a terminal), always, never
  -j, --jobs <N>                Check N files at a time (default: one per CPU core;
                                1 checks them one after another). The output is
                                the same, in the same order, whatever N is
  -h, --help                    Print help

Progress: when standard error is a terminal and the run is long (more than 50
files, or over a second), a progress bar is drawn there and cleared at the
end. Never when standard error is redirected, with --color never, or with
NO_COLOR set.

Project configuration: for each file, the first nianbao.toml found in its
folder or a folder above it (for standard input: from the current folder)
sets language, format, rules and profile; options given here override it.
Problems in it are printed on standard error as path:line:column: message;
a nianbao.toml that is not TOML at all stops the files under it from being
checked (exit status 2).

Positions: line:column, both 1-based, the column in UTF-16 code units (as in
the JSON output and LSP, where they are 0-based).

Exit status: 0 no error found, 1 errors found, 2 usage or I/O problem.
";

const EXTRACT_HELP: &str = "\
Read reports into data (提取表格数据): one record per report, per cell of tables
二/三/四 and per finding.

Usage: nianbao extract [OPTIONS] PATH...

Arguments:
  PATH...  Files, folders (as for check), or - to read standard input

Options:
  -o, --output <FILE>       Where to write. FILE.db/.sqlite: SQLite; FILE.csv:
                            three files FILE.reports.csv, FILE.cells.csv and
                            FILE.findings.csv; otherwise JSON Lines. Without
                            --output: JSON Lines on standard output
      --format <FORMAT>     sqlite, csv or jsonl (default: from FILE's extension)
      --lang <LANG>         Language of the findings' messages: zh (default), en
  -j, --jobs <N>            Read N files at a time (default: one per CPU core)
      --config <PATH>, --no-config, --report-format, --select, --ignore: as for check
  -h, --help                Print help

A database is updated in place: each report's rows are replaced (keyed by path),
never duplicated. The columns are listed in README.md (For reviewers).

Exit status: 0 all read, 2 a file could not be read or the output not written.
";

const SUM_HELP: &str = "\
Add the tables of reports cell by cell (汇总), or compare a report with the sum.

Usage: nianbao sum [OPTIONS] DEPT_REPORT...
       nianbao sum --check GOV_REPORT [OPTIONS] DEPT_REPORT...

Arguments:
  DEPT_REPORT...  The reports to add (files or folders, as for check)

Options:
  -o, --output <FILE>   Write the summed report here (default: standard output): the
                        2021 template with tables 二, 三 and 四 the sums of the inputs,
                        the inputs listed in a comment at the top, and first among them
                        any whose tables do not add up (also said on standard error)
      --year <YEAR>     The year of the summed report (default: the year most inputs
                        report on)
      --check <GOV>     Compare GOV's tables with the sum of the DEPT_REPORTs: one line
                        per cell that differs (path:line:column, both values); exit 1
                        when any differs
      --format <FMT>    With --check: human (default) or json
      --lang <LANG>     zh (default) or en
  -j, --jobs <N>        Read N reports at a time (default: one per CPU core)
  -h, --help            Print help
";

const RULES_HELP: &str = "\
List the rules (检查规则一览).

Usage: nianbao rules [OPTIONS]

Options:
      --markdown       Print the full rule documentation as Markdown
      --lang <LANG>    Language of the table: zh (default), en
  -h, --help           Print help
";

const LSP_HELP: &str = "\
Run the language server (LSP over stdin/stdout).

Usage: nianbao lsp [--stdio]
";

/// Output format of `check`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum OutputFormat {
    Human,
    Json,
    Sarif,
    Html,
}

/// Which `nianbao.toml` applies (`--config`, `--no-config`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ProjectChoice {
    /// The nearest one above each file (the default).
    Search,
    /// `--config PATH`: this one for every file.
    File(PathBuf),
    /// `--no-config`.
    Off,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ColorChoice {
    Auto,
    Always,
    Never,
}

/// Parsed `check` arguments.
#[derive(Clone, Debug)]
pub struct CheckArgs {
    pub paths: Vec<PathBuf>,
    pub format: OutputFormat,
    pub fix: bool,
    /// The language of the output. Before `check` runs, without `--lang`, the
    /// `language` of the nianbao.toml that applies to the current folder.
    pub lang: Lang,
    /// `--lang` was given: it overrides nianbao.toml.
    pub lang_set: bool,
    pub report_format: Option<Format>,
    /// `--report-format` was given (`auto` too): it overrides nianbao.toml.
    pub report_format_set: bool,
    pub select: Option<Vec<String>>,
    pub ignore: Vec<String>,
    pub color: ColorChoice,
    /// `--jobs`: files checked at a time; `None` means one per core.
    pub jobs: Option<usize>,
    pub project: ProjectChoice,
    /// `--output FILE`: write the output there instead of standard output.
    pub output: Option<PathBuf>,
}

/// The configuration of each input: defaults, then its nianbao.toml, then the options.
pub struct InputConfigs {
    /// `Err`: the nianbao.toml that applies cannot be used (the message says so).
    configs: Vec<Result<Config, String>>,
    /// Index into `configs` of each input.
    of_input: Vec<usize>,
}

impl InputConfigs {
    pub fn get(&self, input: usize) -> Result<&Config, String> {
        match &self.configs[self.of_input[input]] {
            Ok(c) => Ok(c),
            Err(m) => Err(m.clone()),
        }
    }
}

impl CheckArgs {
    /// The configuration from the options alone (no nianbao.toml).
    pub fn config(&self) -> Config {
        self.config_with(None)
    }

    /// Built-in defaults, then `file`, then the options given on the command line.
    pub fn config_with(&self, file: Option<&ProjectFile>) -> Config {
        let mut config = Config::default();
        if let Some(file) = file {
            file.apply(&mut config);
        }
        if self.lang_set {
            config.lang = self.lang;
        }
        if self.report_format_set {
            config.format = self.report_format;
        }
        for &r in Rule::ALL {
            let selected = self
                .select
                .as_ref()
                .map(|s| s.iter().any(|p| r.code_starts_with(p)));
            let ignored = self.ignore.iter().any(|p| r.code_starts_with(p));
            // `--select` names what runs, over the file's `off`; `--ignore` wins over both.
            let enabled = match (selected, ignored) {
                (_, true) | (Some(false), _) => Some(false),
                (Some(true), false) => Some(true),
                (None, false) => None,
            };
            if enabled.is_some() {
                config.merge_rule(
                    r,
                    &RuleSetting {
                        enabled,
                        severity: None,
                    },
                );
            }
        }
        config
    }

    /// The language a nianbao.toml's problems are told in: `--lang`, else its own
    /// `language`, else the output's.
    fn problem_lang(&self, file: &ProjectFile) -> Lang {
        if self.lang_set {
            self.lang
        } else {
            file.language.unwrap_or(self.lang)
        }
    }

    /// The nianbao.toml that applies to the current folder (or `--config`), to
    /// choose the output language before any file is checked.
    fn output_lang(&self) -> Lang {
        if self.lang_set {
            return self.lang;
        }
        let path = match &self.project {
            ProjectChoice::Off => None,
            ProjectChoice::File(p) => Some(p.clone()),
            ProjectChoice::Search => project::find(&project::absolute_dir(Path::new("."))),
        };
        path.and_then(|p| ProjectFile::load(&p).language)
            .unwrap_or(self.lang)
    }

    /// The configuration of each input, reading each nianbao.toml once; its
    /// problems are printed on standard error as it is read.
    pub fn configs(&self, inputs: &[Input]) -> InputConfigs {
        let mut out = InputConfigs {
            configs: Vec::new(),
            of_input: Vec::with_capacity(inputs.len()),
        };
        let explicit = match &self.project {
            ProjectChoice::Off => {
                out.configs.push(Ok(self.config()));
                out.of_input = vec![0; inputs.len()];
                return out;
            }
            ProjectChoice::File(p) => Some(Arc::new(ProjectFile::load(p))),
            ProjectChoice::Search => None,
        };
        let cache = project::Cache::default();
        let cwd = project::absolute_dir(Path::new("."));
        // Index in `configs` by nianbao.toml (`None`: none applies).
        let mut by_file: HashMap<Option<PathBuf>, usize> = HashMap::new();
        for input in inputs {
            let file = match &explicit {
                Some(f) => Some(f.clone()),
                None => {
                    let dir = match input {
                        Input::File(p) => project::start_dir(p),
                        Input::Stdin => cwd.clone(),
                    };
                    cache.lookup(&dir).file
                }
            };
            let key = file.as_ref().map(|f| f.path.clone());
            if let Some(&i) = by_file.get(&key) {
                out.of_input.push(i);
                continue;
            }
            let config = match &file {
                None => Ok(self.config()),
                Some(f) => {
                    let lang = self.problem_lang(f);
                    let shown = Self::shown_path(&f.path, &cwd);
                    let mut err = io::stderr().lock();
                    for m in f.messages_at(&shown, lang) {
                        let _ = writeln!(err, "{m}");
                    }
                    if f.broken {
                        Err(Msg::new(
                            format!("配置文件 {} 无法使用，未检查", shown.display()),
                            format!("not checked: cannot use {}", shown.display()),
                        )
                        .get(lang)
                        .to_string())
                    } else {
                        Ok(self.config_with(Some(f)))
                    }
                }
            };
            by_file.insert(key, out.configs.len());
            out.of_input.push(out.configs.len());
            out.configs.push(config);
        }
        out
    }

    /// A nianbao.toml's path as printed: relative to the current folder when under it.
    fn shown_path(path: &Path, cwd: &Path) -> PathBuf {
        match path.strip_prefix(cwd) {
            Ok(rel) if !rel.as_os_str().is_empty() => rel.to_path_buf(),
            _ => path.to_path_buf(),
        }
    }

    /// Draw a progress bar on standard error (only for long runs; see `check`):
    /// when standard error is a terminal, unless `--color never`, `NO_COLOR`
    /// (without `--color always`) or `TERM=dumb` say otherwise.
    pub fn progress_enabled(&self) -> bool {
        let env_off = |name: &str| std::env::var_os(name).is_some_and(|v| !v.is_empty());
        let allowed = match self.color {
            ColorChoice::Never => false,
            ColorChoice::Always => true,
            ColorChoice::Auto => !env_off("NO_COLOR"),
        };
        allowed
            && io::stderr().is_terminal()
            && std::env::var_os("TERM").is_none_or(|t| t != "dumb")
    }

    pub fn color_enabled(&self) -> bool {
        match self.color {
            ColorChoice::Always => true,
            ColorChoice::Never => false,
            ColorChoice::Auto => {
                io::stdout().is_terminal()
                    && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
            }
        }
    }
}

/// A usage error: printed with a hint, exit status 2.
#[derive(Debug)]
pub struct UsageError {
    pub message: String,
    /// Help of the subcommand the error belongs to (for the hint).
    pub command: Option<&'static str>,
}

fn usage(message: impl Into<String>, command: Option<&'static str>) -> UsageError {
    UsageError {
        message: message.into(),
        command,
    }
}

/// Run the CLI with the process arguments; returns the exit code.
pub fn main() -> i32 {
    let args: Vec<OsString> = std::env::args_os().skip(1).collect();
    run(args)
}

/// Run the CLI with `args` (without the program name); returns the exit code.
pub fn run(args: Vec<OsString>) -> i32 {
    match dispatch(args) {
        Ok(code) => code,
        Err(e) => {
            let mut err = io::stderr().lock();
            let _ = writeln!(err, "nianbao: {}", e.message);
            match e.command {
                Some(cmd) => {
                    let synopsis = match cmd {
                        "check" => "check [OPTIONS] PATH...",
                        "rules" => "rules [--markdown] [--lang zh|en]",
                        "extract" => "extract [--output FILE] [--format sqlite|csv|jsonl] PATH...",
                        "sum" => "sum [--output FILE] [--year YEAR] [--check GOV] PATH...",
                        _ => "lsp [--stdio]",
                    };
                    let _ = writeln!(
                        err,
                        "\nUsage: nianbao {synopsis}\nFor more information, try 'nianbao {cmd} --help'."
                    );
                }
                None => {
                    let _ = writeln!(
                        err,
                        "\n{USAGE}\nFor more information, try 'nianbao --help'."
                    );
                }
            }
            EXIT_TROUBLE
        }
    }
}

fn print_stdout(text: &str) -> i32 {
    let mut out = io::stdout().lock();
    match out.write_all(text.as_bytes()).and_then(|_| out.flush()) {
        Ok(()) => EXIT_OK,
        Err(e) if e.kind() == io::ErrorKind::BrokenPipe => EXIT_OK,
        Err(e) => {
            eprintln!(
                "nianbao: cannot write to standard output: {}",
                files::io_message(&e)
            );
            EXIT_TROUBLE
        }
    }
}

fn dispatch(args: Vec<OsString>) -> Result<i32, UsageError> {
    let mut it = args.into_iter();
    let Some(first) = it.next() else {
        return Err(usage("no command given", None));
    };
    let rest: Vec<OsString> = it.collect();
    let first = first.to_str().ok_or_else(|| {
        usage(
            format!("unknown command '{}'", first.to_string_lossy()),
            None,
        )
    })?;
    match first {
        "-h" | "--help" => Ok(print_stdout(&format!("{MAIN_HELP}\n{USAGE}"))),
        "-V" | "--version" | "version" => Ok(print_stdout(&format!("nianbao {VERSION}\n"))),
        "help" => match rest.first().and_then(|s| s.to_str()) {
            None => Ok(print_stdout(&format!("{MAIN_HELP}\n{USAGE}"))),
            Some("check") => Ok(print_stdout(CHECK_HELP)),
            Some("rules") => Ok(print_stdout(RULES_HELP)),
            Some("extract") => Ok(print_stdout(EXTRACT_HELP)),
            Some("sum") => Ok(print_stdout(SUM_HELP)),
            Some("lsp") => Ok(print_stdout(LSP_HELP)),
            Some(other) => Err(usage(format!("unknown command '{other}'"), None)),
        },
        "check" => {
            let Some(mut args) = parse_check(rest)? else {
                return Ok(print_stdout(CHECK_HELP));
            };
            args.lang = args.output_lang();
            Ok(check::run(&args))
        }
        "extract" => {
            let Some(mut args) = parse_extract(rest)? else {
                return Ok(print_stdout(EXTRACT_HELP));
            };
            args.check.lang = args.check.output_lang();
            Ok(extract::run(&args))
        }
        "sum" => {
            let Some(mut args) = parse_sum(rest)? else {
                return Ok(print_stdout(SUM_HELP));
            };
            args.check.lang = args.check.output_lang();
            Ok(sum::run(&args))
        }
        "rules" => rules_command(rest),
        "lsp" => {
            for a in &rest {
                match a.to_str() {
                    Some("--stdio") => {}
                    Some("-h" | "--help") => return Ok(print_stdout(LSP_HELP)),
                    _ => {
                        return Err(usage(
                            format!("unexpected argument '{}' for 'lsp'", a.to_string_lossy()),
                            Some("lsp"),
                        ))
                    }
                }
            }
            Ok(nianbao_lsp::serve_stdio())
        }
        other if other.starts_with('-') => Err(usage(
            format!("unexpected option '{other}' (a command comes first)"),
            None,
        )),
        other => Err(usage(format!("unknown command '{other}'"), None)),
    }
}

/// Split `--name=value` / take the next argument as the value of `--name`.
fn option_value(
    name: &str,
    inline: Option<String>,
    it: &mut impl Iterator<Item = OsString>,
    cmd: &'static str,
) -> Result<String, UsageError> {
    if let Some(v) = inline {
        return Ok(v);
    }
    match it.next() {
        Some(v) => v.into_string().map_err(|v| {
            usage(
                format!("invalid value '{}' for '{name}'", v.to_string_lossy()),
                Some(cmd),
            )
        }),
        None => Err(usage(format!("option '{name}' needs a value"), Some(cmd))),
    }
}

fn parse_lang(v: &str, cmd: &'static str) -> Result<Lang, UsageError> {
    Lang::parse(v).ok_or_else(|| {
        usage(
            format!("invalid value '{v}' for '--lang' (expected zh or en)"),
            Some(cmd),
        )
    })
}

fn parse_codes(name: &str, v: &str) -> Result<Vec<String>, UsageError> {
    let mut out = Vec::new();
    for code in v.split(',').map(str::trim).filter(|c| !c.is_empty()) {
        let code = code.to_ascii_uppercase();
        if nianbao_core::rules::prefixed(&code).is_empty() {
            return Err(usage(
                format!("unknown rule '{code}' in '{name}' (see 'nianbao rules')"),
                Some("check"),
            ));
        }
        out.push(code);
    }
    Ok(out)
}

/// `--jobs N`: a whole number, at least 1.
fn parse_jobs(v: &str) -> Result<usize, UsageError> {
    match v.trim().parse::<usize>() {
        Ok(n) if n >= 1 => Ok(n),
        _ => Err(usage(
            format!("invalid value '{v}' for '--jobs' (expected a number of files to check at a time, 1 or more)"),
            Some("check"),
        )),
    }
}

/// The options a command adds to `check`'s: `own(name, inline value, rest of the
/// arguments)` takes one (returns `Ok(true)`) or leaves it to `check` (`Ok(false)`).
/// Returns the arguments left for `check`.
fn own_options(
    args: Vec<OsString>,
    cmd: &'static str,
    mut own: impl FnMut(
        &str,
        Option<String>,
        &mut std::vec::IntoIter<OsString>,
    ) -> Result<bool, UsageError>,
) -> Result<Vec<OsString>, UsageError> {
    let mut rest = Vec::new();
    let mut it = args.into_iter();
    while let Some(arg) = it.next() {
        let s = arg.to_str().unwrap_or("").to_string();
        let (name, inline) = match s.split_once('=') {
            Some((n, v)) if n.starts_with("--") => (n, Some(v.to_string())),
            _ => (s.as_str(), None),
        };
        if name == "--" {
            rest.push(arg);
            rest.extend(it.by_ref());
        } else if name == "--fix" {
            return Err(usage(
                format!("'--fix' belongs to 'check': {cmd} never changes a file"),
                Some(cmd),
            ));
        } else if !own(name, inline, &mut it)? {
            rest.push(arg);
        }
    }
    Ok(rest)
}

/// `check`'s arguments for another command (its errors name that command).
fn parse_check_for(
    rest: Vec<OsString>,
    cmd: &'static str,
) -> Result<Option<CheckArgs>, UsageError> {
    parse_check(rest).map_err(|mut e| {
        e.command = Some(cmd);
        e
    })
}

/// `sum`'s own options (`--output`, `--year`, `--check`); the rest are `check`'s.
fn parse_sum(args: Vec<OsString>) -> Result<Option<sum::SumArgs>, UsageError> {
    let (mut output, mut year, mut whole) = (None, None, None::<PathBuf>);
    let mut rest = own_options(args, "sum", |name, inline, it| {
        match name {
            "-o" | "--output" => {
                output = Some(PathBuf::from(option_value(name, inline, it, "sum")?))
            }
            "--check" => whole = Some(PathBuf::from(option_value(name, inline, it, "sum")?)),
            "--year" => {
                let v = option_value(name, inline, it, "sum")?;
                year = Some(
                    v.parse::<u16>()
                        .ok()
                        .filter(|y| (2008..=2100).contains(y))
                        .ok_or_else(|| {
                            usage(
                                format!("invalid value '{v}' for '--year' (a year such as 2024)"),
                                Some("sum"),
                            )
                        })?,
                );
            }
            _ => return Ok(false),
        }
        Ok(true)
    })?;
    // The report checked is read from its own path and never counted among the parts
    // (`sum --check GOV` alone compares it with an empty list): add it to the paths.
    if let Some(w) = &whole {
        rest.push(w.clone().into_os_string());
    }
    let check = parse_check_for(rest, "sum");
    let Some(check) = check? else {
        return Ok(None);
    };
    Ok(Some(sum::SumArgs {
        check,
        year,
        output,
        whole,
    }))
}

/// `extract`'s own options (`--output`, `--format`); the rest are `check`'s.
fn parse_extract(args: Vec<OsString>) -> Result<Option<extract::ExtractArgs>, UsageError> {
    let (mut output, mut format) = (None, None);
    let rest = own_options(args, "extract", |name, inline, it| {
        match name {
            "-o" | "--output" => {
                output = Some(PathBuf::from(option_value(name, inline, it, "extract")?))
            }
            "--format" => {
                let v = option_value(name, inline, it, "extract")?;
                format = Some(match v.as_str() {
                    "sqlite" | "db" => extract::ExtractFormat::Sqlite,
                    "csv" => extract::ExtractFormat::Csv,
                    "jsonl" | "ndjson" => extract::ExtractFormat::Jsonl,
                    _ => return Err(usage(
                        format!(
                            "invalid value '{v}' for '--format' (expected sqlite, csv or jsonl)"
                        ),
                        Some("extract"),
                    )),
                });
            }
            _ => return Ok(false),
        }
        Ok(true)
    })?;
    let Some(check) = parse_check_for(rest, "extract")? else {
        return Ok(None);
    };
    Ok(Some(extract::ExtractArgs {
        check,
        format,
        output,
    }))
}

/// Parse `check` arguments; `Ok(None)` means help was asked for.
pub fn parse_check(args: Vec<OsString>) -> Result<Option<CheckArgs>, UsageError> {
    let mut a = CheckArgs {
        paths: Vec::new(),
        format: OutputFormat::Human,
        fix: false,
        lang: Lang::Zh,
        lang_set: false,
        report_format: None,
        report_format_set: false,
        select: None,
        ignore: Vec::new(),
        color: ColorChoice::Auto,
        jobs: None,
        project: ProjectChoice::Search,
        output: None,
    };
    let mut no_config = false;
    let mut it = args.into_iter();
    let mut only_paths = false;
    while let Some(arg) = it.next() {
        let s = match arg.to_str() {
            Some(s) if !only_paths && s.starts_with("--") && s.len() > 2 => s.to_string(),
            Some("--") if !only_paths => {
                only_paths = true;
                continue;
            }
            Some(s) if !only_paths && s.starts_with('-') && s != "-" => match s {
                "-h" => return Ok(None),
                "-j" => {
                    a.jobs = Some(parse_jobs(&option_value("-j", None, &mut it, "check")?)?);
                    continue;
                }
                _ if s.starts_with("-j") => {
                    let v = &s[2..];
                    a.jobs = Some(parse_jobs(v.strip_prefix('=').unwrap_or(v))?);
                    continue;
                }
                _ => return Err(usage(format!("unknown option '{s}'"), Some("check"))),
            },
            _ => {
                a.paths.push(PathBuf::from(arg));
                continue;
            }
        };
        let (name, inline) = match s.split_once('=') {
            Some((n, v)) => (n.to_string(), Some(v.to_string())),
            None => (s.clone(), None),
        };
        match name.as_str() {
            "--help" => return Ok(None),
            "--fix" if inline.is_none() => a.fix = true,
            "--output" => {
                a.output = Some(PathBuf::from(option_value(
                    &name, inline, &mut it, "check",
                )?))
            }
            "--format" => {
                let v = option_value(&name, inline, &mut it, "check")?;
                a.format = match v.as_str() {
                    "human" | "text" => OutputFormat::Human,
                    "json" => OutputFormat::Json,
                    "sarif" => OutputFormat::Sarif,
                    "html" => OutputFormat::Html,
                    _ => {
                        return Err(usage(
                            format!(
                            "invalid value '{v}' for '--format' (expected human, json, sarif or html)"
                        ),
                            Some("check"),
                        ))
                    }
                };
            }
            "--lang" => {
                let v = option_value(&name, inline, &mut it, "check")?;
                a.lang = parse_lang(&v, "check")?;
                a.lang_set = true;
            }
            "--config" => {
                let v = option_value(&name, inline, &mut it, "check")?;
                if v.is_empty() {
                    return Err(usage("option '--config' needs a path", Some("check")));
                }
                a.project = ProjectChoice::File(PathBuf::from(v));
            }
            "--no-config" if inline.is_none() => no_config = true,
            "--report-format" => {
                let v = option_value(&name, inline, &mut it, "check")?;
                a.report_format_set = true;
                a.report_format = match v.as_str() {
                    "auto" => None,
                    "2019" => Some(Format::F2019),
                    "2021" => Some(Format::F2021),
                    "pre2019" => Some(Format::Pre2019),
                    _ => {
                        return Err(usage(
                            format!("invalid value '{v}' for '--report-format' (expected auto, 2019, 2021 or pre2019)"),
                            Some("check"),
                        ))
                    }
                };
            }
            "--select" => {
                let v = option_value(&name, inline, &mut it, "check")?;
                a.select
                    .get_or_insert_with(Vec::new)
                    .extend(parse_codes(&name, &v)?);
            }
            "--ignore" => {
                let v = option_value(&name, inline, &mut it, "check")?;
                a.ignore.extend(parse_codes(&name, &v)?);
            }
            "--jobs" => {
                a.jobs = Some(parse_jobs(&option_value(&name, inline, &mut it, "check")?)?);
            }
            "--color" | "--colour" => {
                let v = option_value(&name, inline, &mut it, "check")?;
                a.color = match v.as_str() {
                    "auto" => ColorChoice::Auto,
                    "always" => ColorChoice::Always,
                    "never" => ColorChoice::Never,
                    _ => {
                        return Err(usage(
                            format!(
                            "invalid value '{v}' for '--color' (expected auto, always or never)"
                        ),
                            Some("check"),
                        ))
                    }
                };
            }
            _ => return Err(usage(format!("unknown option '{s}'"), Some("check"))),
        }
    }
    if no_config {
        if let ProjectChoice::File(_) = a.project {
            return Err(usage(
                "'--config' and '--no-config' cannot be used together",
                Some("check"),
            ));
        }
        a.project = ProjectChoice::Off;
    }
    if a.paths.is_empty() {
        return Err(usage(
            "no path given (use - to read standard input)",
            Some("check"),
        ));
    }
    if a.fix && a.paths.iter().any(|p| p.as_os_str() == "-") {
        return Err(usage(
            "--fix cannot rewrite standard input in place; pass a file path",
            Some("check"),
        ));
    }
    Ok(Some(a))
}

fn rules_command(args: Vec<OsString>) -> Result<i32, UsageError> {
    let mut markdown = false;
    let mut lang = Lang::Zh;
    let mut it = args.into_iter();
    while let Some(arg) = it.next() {
        let s = arg.into_string().map_err(|a| {
            usage(
                format!("unexpected argument '{}'", a.to_string_lossy()),
                Some("rules"),
            )
        })?;
        let (name, inline) = match s.split_once('=') {
            Some((n, v)) if n.starts_with("--") => (n.to_string(), Some(v.to_string())),
            _ => (s.clone(), None),
        };
        match name.as_str() {
            "-h" | "--help" => return Ok(print_stdout(RULES_HELP)),
            "--markdown" => markdown = true,
            "--lang" => {
                lang = parse_lang(&option_value(&name, inline, &mut it, "rules")?, "rules")?
            }
            _ => {
                return Err(usage(
                    format!("unexpected argument '{s}' for 'rules'"),
                    Some("rules"),
                ))
            }
        }
    }
    if markdown {
        return Ok(print_stdout(&nianbao_core::rules::docs_markdown()));
    }
    Ok(print_stdout(&rules_table(lang)))
}

/// The rule table: code, name, severity, what — columns aligned by display width.
pub fn rules_table(lang: Lang) -> String {
    let header = match lang {
        Lang::Zh => ["代码", "名称", "默认级别", "说明"],
        Lang::En => ["code", "name", "severity", "what"],
    };
    let rows: Vec<[String; 4]> = nianbao_core::rules::RULES
        .iter()
        .map(|r| {
            [
                r.code.to_string(),
                r.name.to_string(),
                r.severity.as_str().to_string(),
                r.what().get(lang).to_string(),
            ]
        })
        .collect();
    let mut widths = header.map(human::text_width);
    for row in &rows {
        for (w, cell) in widths.iter_mut().zip(row) {
            *w = (*w).max(human::text_width(cell));
        }
    }
    let mut out = String::new();
    let mut line = |cells: [&str; 4]| {
        let mut l = String::new();
        for (i, cell) in cells.iter().enumerate() {
            l.push_str(cell);
            if i < 3 {
                l.push_str(&" ".repeat(widths[i] - human::text_width(cell) + 2));
            }
        }
        out.push_str(l.trim_end());
        out.push('\n');
    };
    line(header);
    for row in &rows {
        line([&row[0], &row[1], &row[2], &row[3]]);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(v: &[&str]) -> Vec<OsString> {
        v.iter().map(OsString::from).collect()
    }

    #[test]
    fn parses_check_options() {
        let a = parse_check(args(&[
            "--format=json",
            "--lang",
            "en",
            "a.md",
            "--fix",
            "--select",
            "NB3,nb105",
            "--",
            "--x.md",
        ]))
        .unwrap()
        .unwrap();
        assert_eq!(a.format, OutputFormat::Json);
        assert_eq!(a.lang, Lang::En);
        assert!(a.fix);
        assert_eq!(
            a.paths,
            vec![PathBuf::from("a.md"), PathBuf::from("--x.md")]
        );
        let config = a.config();
        assert!(config.rule_enabled(Rule::RowTotal));
        assert!(config.rule_enabled(Rule::UnofficialHeading));
        assert!(!config.rule_enabled(Rule::MissingSection));
    }

    #[test]
    fn rejects_bad_usage() {
        assert!(parse_check(args(&[])).is_err());
        assert!(parse_check(args(&["--format", "xml", "a.md"])).is_err());
        assert!(parse_check(args(&["--select", "XX1", "a.md"])).is_err());
        assert!(parse_check(args(&["--fix", "-"])).is_err());
        assert!(parse_check(args(&["--frobnicate", "a.md"])).is_err());
        assert!(parse_check(args(&["-h"])).unwrap().is_none());
        for bad in [
            &["--jobs", "0"][..],
            &["-j", "x"],
            &["--jobs=-1"],
            &["-j"],
            &["-j0"],
        ] {
            let mut v = bad.to_vec();
            v.push("a.md");
            let e = parse_check(args(&v)).unwrap_err();
            assert!(
                e.message.contains("'--jobs'") || e.message.contains("needs a value"),
                "{}",
                e.message
            );
        }
    }

    #[test]
    fn parses_jobs() {
        let jobs = |v: &[&str]| parse_check(args(v)).unwrap().unwrap().jobs;
        assert_eq!(jobs(&["a.md"]), None);
        assert_eq!(jobs(&["--jobs", "2", "a.md"]), Some(2));
        assert_eq!(jobs(&["--jobs=3", "a.md"]), Some(3));
        assert_eq!(jobs(&["-j", "1", "a.md"]), Some(1));
        assert_eq!(jobs(&["-j4", "a.md"]), Some(4));
    }
}
