//! `nianbao check`: read every input, analyse it, optionally apply the safe
//! fixes in place, and stream the results to a renderer.
//!
//! # Many files
//!
//! Inputs are checked on a rayon pool of `--jobs` threads (default: all cores;
//! `--jobs 1` checks them one after another on the current thread). The worker
//! that checked a file also renders that file's share of the output (a
//! [`Render::Piece`]: the human snippets, the JSON object) and drops the
//! analysis, so memory does not grow with the number of files and rendering is
//! parallel too. Pieces come back tagged with the input's index; the main
//! thread keeps a reorder buffer and writes each piece as soon as it and every
//! piece before it are done, so the output is byte-identical whatever `--jobs`
//! is. Inputs are handed out in order (`par_bridge` pulls from one iterator),
//! which keeps the reorder buffer short.
//!
//! With `--fix`, paths that lead to the same file (a symlink and its target, hard
//! links) are checked by one worker in input order, as a sequential run would.

use super::files::{self, Input, TextEncoding};
use super::{
    html, human, json, sarif, CheckArgs, OutputFormat, EXIT_FINDINGS, EXIT_OK, EXIT_TROUBLE,
};
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use nianbao_core::analysis::{analyze, Analysis};
use nianbao_core::config::Config;
use nianbao_core::diag::{Lang, Severity};
use nianbao_core::model::Report;
use nianbao_core::template::identities;
use nianbao_core::text::{apply_edits, Encoding, LineIndex, Position, TextEdit};
use rayon::iter::{ParallelBridge, ParallelIterator};
use std::collections::{BTreeMap, HashMap};
use std::io::{self, Write};
use std::sync::mpsc;
use std::time::{Duration, Instant};

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
    /// The file's path as given (`None` for standard input), for output that
    /// must keep every byte of it (SARIF URIs).
    pub file: Option<std::path::PathBuf>,
    /// The language of this file's messages: `--lang`, else the `language` of
    /// its own nianbao.toml, else Chinese.
    pub lang: Lang,
    /// The text the diagnostics refer to (after fixing, when `--fix` changed it).
    pub src: String,
    pub index: LineIndex,
    pub analysis: Analysis,
    /// Cells rewritten by `--fix` (empty without `--fix`).
    pub fixed: Vec<AppliedFix>,
    /// The encoding the file was read in (and `--fix` wrote it back in).
    pub encoding: TextEncoding,
    /// A .docx, HTML page or PDF: its reader's rendering (`src` is its text), for the
    /// place in the file of each finding.
    pub origin: Option<std::sync::Arc<nianbao_core::read::Rendering>>,
}

impl FileResult {
    pub fn position(&self, offset: usize) -> Position {
        self.index.position(&self.src, offset, Encoding::Utf16)
    }
    /// Where `offset` is in a file of another form than text: the template cell, when it
    /// is one ("（二）部分公开·自然人"), and the place in the file ("第 3 个表格 第 5 行 第 2 列").
    pub fn place(&self, offset: usize) -> Option<String> {
        let origin = self.origin.as_ref()?;
        let cell = self
            .analysis
            .report
            .cell_at(offset)
            .map(|c| match self.lang {
                Lang::Zh => c.describe(),
                Lang::En => c.describe_en(),
            });
        let place = origin.place_at(offset).map(|p| p.describe(self.lang));
        match (cell, place) {
            (Some(c), Some(p)) => Some(format!("{c} · {p}")),
            (c, p) => c.or(p),
        }
    }
    pub fn form(&self) -> &'static str {
        self.origin.as_ref().map_or("text", |o| o.form.as_str())
    }
    pub fn count(&self, severity: Severity) -> usize {
        self.analysis
            .diagnostics
            .iter()
            .filter(|d| d.severity == severity)
            .count()
    }
}

/// Counts over the files checked: what the closing parts of the output need.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Totals {
    pub files: usize,
    pub errors: usize,
    pub warnings: usize,
    pub information: usize,
    pub hints: usize,
    /// Cells rewritten by `--fix`.
    pub fixed: usize,
    /// Files `--fix` rewrote.
    pub fixed_files: usize,
}

impl Totals {
    pub fn of(file: &FileResult) -> Totals {
        Totals {
            files: 1,
            errors: file.count(Severity::Error),
            warnings: file.count(Severity::Warning),
            information: file.count(Severity::Information),
            hints: file.count(Severity::Hint),
            fixed: file.fixed.len(),
            fixed_files: usize::from(!file.fixed.is_empty()),
        }
    }
    pub fn add(&mut self, o: Totals) {
        self.files += o.files;
        self.errors += o.errors;
        self.warnings += o.warnings;
        self.information += o.information;
        self.hints += o.hints;
        self.fixed += o.fixed;
        self.fixed_files += o.fixed_files;
    }
    pub fn count(&self, severity: Severity) -> usize {
        match severity {
            Severity::Error => self.errors,
            Severity::Warning => self.warnings,
            Severity::Information => self.information,
            Severity::Hint => self.hints,
        }
    }
}

/// Everything `check` found, once every file is done.
pub struct Outcome {
    pub totals: Totals,
    /// (path, message) of inputs that could not be read or written.
    pub problems: Vec<(String, String)>,
}

impl Outcome {
    pub fn count(&self, severity: Severity) -> usize {
        self.totals.count(severity)
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

/// An output format, written piece by piece in input order.
///
/// The format itself is shared by the workers (it renders pieces); what changes
/// while writing lives in its [`Render::State`], owned by the thread that writes.
pub trait Render: Sync {
    /// One file's share of the output, rendered on the worker that checked it.
    type Piece: Send;
    /// What the writing thread keeps between pieces.
    type State;
    /// Render `file`'s piece (called on worker threads).
    fn piece(&self, file: &FileResult) -> Self::Piece;
    /// A note about `file` for standard error, printed just before its piece.
    fn note(&self, _file: &FileResult) -> Option<String> {
        None
    }
    /// Write what comes before the first piece.
    fn begin(&self, out: &mut dyn Write) -> io::Result<Self::State>;
    /// Write (or keep, for formats assembled at the end) a piece.
    fn write(
        &self,
        state: &mut Self::State,
        out: &mut dyn Write,
        piece: Self::Piece,
    ) -> io::Result<()>;
    /// Write what comes after the last piece.
    fn finish(&self, state: Self::State, out: &mut dyn Write, outcome: &Outcome) -> io::Result<()>;
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
///
/// When the fixed text cannot be written, the result is the analysis of the
/// file as it is on disk, with the reason it was not written.
fn check_one(
    input: &Input,
    config: &Config,
    fix: bool,
) -> Result<(FileResult, Option<String>), String> {
    // A FIFO or a device is not even read (see `files::refuse_to_fix`).
    if let (true, Input::File(p)) = (fix, input) {
        if let Some(r) = files::refuse_to_fix(p, config.lang).filter(|r| r.not_a_file) {
            return Err(r.message);
        }
    }
    let source = files::read(input, config.lang)?;
    let path = input.display();
    test_panic(&path);
    let analysis = analyze(&source.text, config);
    let edits = if fix {
        let mut edits = nianbao_core::fix::fix_all(&source.text, &analysis.report);
        edits.sort_by_key(|e| (e.range.start, e.range.end));
        edits
    } else {
        Vec::new()
    };
    let original = &source.text;
    let fixed_text = apply_edits(original, &edits);
    if fixed_text == *original {
        return Ok((unfixed(input, source, analysis, config.lang), None));
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
        // Looked at only when there is something to write.
        if let Some(r) = files::refuse_to_fix(p, config.lang) {
            return Ok((
                unfixed(input, source, analysis, config.lang),
                Some(r.message),
            ));
        }
        let bytes = match &source.origin {
            // A .docx: the edited cells written into the package, nothing else changed.
            Some(origin) => {
                match nianbao_core::read::write_back(&origin.bytes, &origin.rendering, &edits) {
                    Ok(b) => b,
                    Err(e) => {
                        let why = format!("not fixed '{}': {}", path, e.get(config.lang));
                        return Ok((unfixed(input, source, analysis, config.lang), Some(why)));
                    }
                }
            }
            None => {
                let mut bytes = Vec::with_capacity(fixed_text.len() + 3);
                if source.bom {
                    bytes.extend_from_slice(b"\xEF\xBB\xBF");
                }
                bytes.extend_from_slice(fixed_text.as_bytes());
                bytes
            }
        };
        if let Err(e) = files::write_atomic(p, &bytes, Some(&source)) {
            let why = format!("cannot write '{}': {}", path, files::io_message(&e));
            return Ok((unfixed(input, source, analysis, config.lang), Some(why)));
        }
        if let Some(origin) = &source.origin {
            // What the file now says, read as it will be read next time.
            let form = origin.rendering.form;
            let again = files::of_form(form, bytes, config.lang)
                .map_err(|why| format!("cannot read '{path}' after fixing it: {why}"))?;
            let analysis = analyze(&again.text, config);
            let index = LineIndex::new(&again.text);
            return Ok((
                FileResult {
                    path,
                    file: input_file(input),
                    lang: config.lang,
                    index,
                    src: again.text,
                    analysis,
                    fixed,
                    encoding: again.encoding,
                    origin: again.origin.map(|o| std::sync::Arc::new(o.rendering)),
                },
                None,
            ));
        }
    }
    let analysis = analyze(&fixed_text, config);
    let index = LineIndex::new(&fixed_text);
    Ok((
        FileResult {
            path,
            file: input_file(input),
            lang: config.lang,
            index,
            src: fixed_text,
            analysis,
            fixed,
            encoding: source.encoding,
            origin: source.origin.map(|o| std::sync::Arc::new(o.rendering)),
        },
        None,
    ))
}

/// The result for a file as it was read (nothing fixed, or the fix not written).
fn unfixed(input: &Input, source: files::Source, analysis: Analysis, lang: Lang) -> FileResult {
    FileResult {
        path: input.display(),
        file: input_file(input),
        lang,
        index: LineIndex::new(&source.text),
        encoding: source.encoding,
        src: source.text,
        analysis,
        fixed: Vec::new(),
        origin: source.origin.map(|o| std::sync::Arc::new(o.rendering)),
    }
}

fn input_file(input: &Input) -> Option<std::path::PathBuf> {
    match input {
        Input::File(p) => Some(p.clone()),
        Input::Stdin => None,
    }
}

/// Debug builds only: `NIANBAO_TEST_PANIC=NAME` makes checking a file whose
/// path ends with NAME panic, so that tests can see a panic isolated.
fn test_panic(path: &str) {
    #[cfg(debug_assertions)]
    if let Some(name) = std::env::var_os("NIANBAO_TEST_PANIC") {
        if !name.is_empty() && path.ends_with(&*name.to_string_lossy()) {
            panic!("NIANBAO_TEST_PANIC asked for a panic while checking this file");
        }
    }
    #[cfg(not(debug_assertions))]
    let _ = path;
}

thread_local! {
    /// Set while this thread checks a file: a panic is then recorded in
    /// [`PANIC_MESSAGE`] instead of being printed.
    static CHECKING: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
    static PANIC_MESSAGE: std::cell::RefCell<Option<String>> = const { std::cell::RefCell::new(None) };
}

/// Install (once) a panic hook that records the message and place of a panic
/// raised while a file is checked, and leaves other panics to the previous hook.
fn install_panic_hook() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| {
        let previous = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            if CHECKING.with(|c| c.get()) {
                let what = info
                    .payload()
                    .downcast_ref::<&str>()
                    .map(|s| s.to_string())
                    .or_else(|| info.payload().downcast_ref::<String>().cloned())
                    .unwrap_or_else(|| "panic".to_string());
                let place = info
                    .location()
                    .map(|l| format!(" at {}:{}", l.file(), l.line()))
                    .unwrap_or_default();
                PANIC_MESSAGE.with(|m| *m.borrow_mut() = Some(format!("{what}{place}")));
            } else {
                previous(info)
            }
        }));
    });
}

/// Run `f` (the work on one file), turning a panic into the message of an
/// internal error about `path`: one bad file does not end the run.
fn isolated<T>(path: &str, lang: Lang, f: impl FnOnce() -> T) -> Result<T, String> {
    CHECKING.with(|c| c.set(true));
    let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(f));
    CHECKING.with(|c| c.set(false));
    result.map_err(|_| {
        let what = PANIC_MESSAGE
            .with(|m| m.borrow_mut().take())
            .unwrap_or_else(|| "panic".to_string());
        match lang {
            Lang::Zh => format!(
                "内部错误：检查 '{path}' 时 nianbao 出错（{what}）；这是 nianbao 的缺陷，请报告（可能的话附上该文件）"
            ),
            Lang::En => format!(
                "internal error while checking '{path}' ({what}); this is a bug in nianbao, please report it (with the file if you can)"
            ),
        }
    })
}

/// What a worker hands back for one input.
enum Item<P> {
    Checked {
        note: Option<String>,
        piece: P,
        totals: Totals,
        /// The file was checked but `--fix` could not write it: (path, why).
        problem: Option<(String, String)>,
    },
    Failed {
        path: String,
        message: String,
    },
}

/// Check one input and render its piece; the analysis is dropped here, on the worker.
/// `config` is `Err` when the input's nianbao.toml cannot be used.
/// A panic anywhere in this work becomes an [`Item::Failed`] (an internal error).
fn process<R: Render>(
    input: &Input,
    config: Result<&Config, String>,
    fix: bool,
    render: &R,
    peers: &nianbao_core::across_years::DiskPeers,
    lang: Lang,
) -> Item<R::Piece> {
    let path = input.display();
    isolated(&path, lang, || {
        process_unguarded(input, config, fix, render, peers)
    })
    .unwrap_or_else(|message| Item::Failed { path, message })
}

fn process_unguarded<R: Render>(
    input: &Input,
    config: Result<&Config, String>,
    fix: bool,
    render: &R,
    peers: &nianbao_core::across_years::DiskPeers,
) -> Item<R::Piece> {
    let checked = config.and_then(|config| {
        let (mut file, problem) = check_one(input, config, fix)?;
        // Last year's report among the inputs and the file's folder (NB406–NB408).
        let path = match input {
            Input::File(p) => Some(p.as_path()),
            Input::Stdin => None,
        };
        let base = std::mem::take(&mut file.analysis.diagnostics);
        file.analysis.diagnostics =
            peers.add_findings(path, &file.src, &file.analysis.report, config, base);
        Ok((file, problem))
    });
    match checked {
        Ok((file, problem)) => Item::Checked {
            note: render.note(&file),
            piece: render.piece(&file),
            totals: Totals::of(&file),
            problem: problem.map(|m| (file.path.clone(), m)),
        },
        Err(message) => Item::Failed {
            path: input.display(),
            message,
        },
    }
}

/// The inputs grouped into units of work: one input each, except that with
/// `--fix` every path of the same file goes into the group of its first path.
fn tasks(inputs: &[Input], fix: bool) -> Vec<Vec<usize>> {
    let mut tasks: Vec<Vec<usize>> = Vec::with_capacity(inputs.len());
    let mut by_file: HashMap<files::FileId, usize> = HashMap::new();
    for (i, input) in inputs.iter().enumerate() {
        if let (true, Input::File(p)) = (fix, input) {
            if let Some(id) = files::file_id(p) {
                if let Some(&t) = by_file.get(&id) {
                    tasks[t].push(i);
                    continue;
                }
                by_file.insert(id, tasks.len());
            }
        }
        tasks.push(vec![i]);
    }
    tasks
}

/// A progress bar on standard error, only for long runs on a terminal.
pub struct Progress {
    bar: Option<ProgressBar>,
    start: Instant,
    /// Shown once the run has taken this long.
    delay: Duration,
    visible: bool,
}

/// Runs over this many files show the bar almost at once; shorter ones after [`SLOW_RUN`].
const MANY_FILES: usize = 50;
const SLOW_RUN: Duration = Duration::from_secs(1);
/// Even a run over many files is not worth a bar for its first moment.
const MANY_FILES_DELAY: Duration = Duration::from_millis(200);
/// While the bar is on screen, output is written at most this often (each write
/// clears and redraws the bar).
const REDRAW_EVERY: Duration = Duration::from_millis(50);
/// The writing thread takes in the workers' results at most this often.
const GATHER: Duration = Duration::from_millis(5);

impl Progress {
    pub fn new(enabled: bool, total: usize, lang: Lang) -> Progress {
        let bar = (enabled && total > 0).then(|| {
            let template = match lang {
                Lang::Zh => "检查中 [{bar:30}] {pos}/{len} 个文件  {elapsed}",
                Lang::En => "checking [{bar:30}] {pos}/{len} files  {elapsed}",
            };
            let bar =
                ProgressBar::with_draw_target(Some(total as u64), ProgressDrawTarget::hidden());
            if let Ok(style) = ProgressStyle::with_template(template) {
                bar.set_style(style.progress_chars("=> "));
            }
            bar
        });
        Progress {
            bar,
            start: Instant::now(),
            delay: if total > MANY_FILES {
                MANY_FILES_DELAY
            } else {
                SLOW_RUN
            },
            visible: false,
        }
    }

    /// `done` inputs are checked; show the bar once the run is long enough.
    pub fn update(&mut self, done: usize) {
        let Some(bar) = &self.bar else { return };
        bar.set_position(done as u64);
        if !self.visible && self.start.elapsed() >= self.delay {
            bar.set_draw_target(ProgressDrawTarget::stderr());
            bar.tick();
            self.visible = true;
        }
    }

    /// Run `f`, which writes to the terminal, with the bar cleared.
    fn suspend<T>(&self, f: impl FnOnce() -> T) -> T {
        match &self.bar {
            Some(bar) if self.visible => bar.suspend(f),
            _ => f(),
        }
    }

    pub fn finish(&self) {
        if let (Some(bar), true) = (&self.bar, self.visible) {
            bar.finish_and_clear();
        }
    }
}

/// Writes items in input order as they arrive (the reorder buffer) and keeps the totals.
struct Emitter<'a, R: Render, W: Write> {
    render: &'a R,
    /// `None` when `begin` failed.
    state: Option<R::State>,
    out: W,
    progress: Progress,
    /// Items that arrived before an earlier one, by input index.
    pending: BTreeMap<usize, Item<R::Piece>>,
    /// Items whose turn has come, not yet written.
    ready: Vec<Item<R::Piece>>,
    /// Index of the next input to write.
    next: usize,
    done: usize,
    last_write: Instant,
    totals: Totals,
    problems: &'a mut Vec<(String, String)>,
    /// The first error writing standard output; nothing more is written after it,
    /// but checking (and fixing) goes on.
    out_error: Option<io::Error>,
}

impl<R: Render, W: Write> Emitter<'_, R, W> {
    /// Take in input `index`'s item (see [`Emitter::push_batch`]).
    fn push(&mut self, index: usize, item: Item<R::Piece>) {
        self.push_batch([(index, item)]);
    }

    /// Take in input `index`'s item, into the reorder buffer or the ready list.
    fn take(&mut self, index: usize, item: Item<R::Piece>) {
        self.done += 1;
        if index == self.next {
            self.ready.push(item);
            self.next += 1;
        } else {
            self.pending.insert(index, item);
        }
        while let Some(item) = self.pending.remove(&self.next) {
            self.ready.push(item);
            self.next += 1;
        }
    }

    /// Take in a batch of items from the workers; write what is ready now, unless
    /// the bar is on screen and was redrawn a moment ago.
    fn push_batch(&mut self, batch: impl IntoIterator<Item = (usize, Item<R::Piece>)>) {
        for (index, item) in batch {
            self.take(index, item);
        }
        self.progress.update(self.done);
        if !self.progress.visible || self.last_write.elapsed() >= REDRAW_EVERY {
            self.write_ready();
        }
    }

    fn tick(&mut self) {
        self.progress.update(self.done);
        self.write_ready();
    }

    fn write_ready(&mut self) {
        if self.ready.is_empty() {
            return;
        }
        self.last_write = Instant::now();
        let ready = std::mem::take(&mut self.ready);
        let Emitter {
            render,
            state,
            out,
            progress,
            totals,
            problems,
            out_error,
            ..
        } = self;
        progress.suspend(|| {
            for item in ready {
                let line = match item {
                    Item::Checked {
                        note,
                        piece,
                        totals: t,
                        problem,
                    } => {
                        totals.add(t);
                        if let Some(note) = note {
                            stderr_line(out, out_error, &note);
                        }
                        if let (None, Some(state)) = (&out_error, state.as_mut()) {
                            *out_error = render.write(state, out, piece).err();
                        }
                        let Some((path, message)) = problem else {
                            continue;
                        };
                        let line = format!("nianbao: {message}");
                        problems.push((path, message));
                        line
                    }
                    Item::Failed { path, message } => {
                        let line = format!("nianbao: {message}");
                        problems.push((path, message));
                        line
                    }
                };
                stderr_line(out, out_error, &line);
            }
            if out_error.is_none() {
                *out_error = out.flush().err();
            }
        });
    }
}

/// Print a line on standard error after what is already on standard output.
fn stderr_line(out: &mut impl Write, out_error: &mut Option<io::Error>, line: &str) {
    if out_error.is_none() {
        *out_error = out.flush().err();
    }
    let _ = writeln!(io::stderr().lock(), "{line}");
}

/// Default for `--jobs`: every core.
pub fn default_jobs() -> usize {
    std::thread::available_parallelism().map_or(1, |n| n.get())
}

/// Collect, analyse, fix, and render; returns the exit code.
pub fn run(args: &CheckArgs) -> i32 {
    match args.format {
        OutputFormat::Human => run_with(
            args,
            human::Human::new(args.lang, args.color_enabled(), args.fix),
        ),
        OutputFormat::Json => run_with(args, json::Json::new(args.fix)),
        OutputFormat::Sarif => run_with(args, sarif::Sarif::new(args.lang)),
        OutputFormat::Html => run_with(args, html::Html::new(args.lang)),
    }
}

fn run_with<R: Render>(args: &CheckArgs, render: R) -> i32 {
    install_panic_hook();
    let collected = files::collect(&args.paths);
    let inputs = collected.inputs;
    let configs = args.configs(&inputs);
    let peers = nianbao_core::across_years::DiskPeers::new(
        inputs
            .iter()
            .filter_map(|i| match i {
                Input::File(p) => Some(p.clone()),
                Input::Stdin => None,
            })
            .collect(),
        |p| {
            files::read(&Input::File(p.to_path_buf()), Lang::En)
                .ok()
                .map(|s| s.text)
        },
        None,
    );
    let mut problems = collected.problems;
    {
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
    }
    let tasks = tasks(&inputs, args.fix);
    let jobs = args
        .jobs
        .unwrap_or_else(default_jobs)
        .min(tasks.len())
        .max(1);
    let sink: Box<dyn Write> = match &args.output {
        Some(p) => match std::fs::File::create(p) {
            Ok(f) => Box::new(f),
            Err(e) => {
                eprintln!(
                    "nianbao: cannot write '{}': {}",
                    p.display(),
                    files::io_message(&e)
                );
                return EXIT_TROUBLE;
            }
        },
        None => Box::new(io::stdout().lock()),
    };
    let mut out = io::BufWriter::with_capacity(64 * 1024, sink);
    let (state, out_error) = match render.begin(&mut out) {
        Ok(state) => (Some(state), None),
        Err(e) => (None, Some(e)),
    };
    let mut emitter = Emitter {
        render: &render,
        state,
        out,
        progress: Progress::new(args.progress_enabled(), inputs.len(), args.lang),
        pending: BTreeMap::new(),
        ready: Vec::new(),
        next: 0,
        done: 0,
        last_write: Instant::now(),
        totals: Totals::default(),
        problems: &mut problems,
        out_error,
    };
    let pool = (jobs > 1)
        .then(|| {
            rayon::ThreadPoolBuilder::new()
                .num_threads(jobs)
                .build()
                .ok()
        })
        .flatten();
    match pool {
        None => {
            for (i, input) in inputs.iter().enumerate() {
                let item = process(input, configs.get(i), args.fix, &render, &peers, args.lang);
                emitter.push(i, item);
            }
        }
        Some(pool) => {
            let (tx, rx) = mpsc::channel();
            let (inputs, configs, render, peers) = (&inputs, &configs, &render, &peers);
            std::thread::scope(|s| {
                s.spawn(move || {
                    pool.install(|| {
                        tasks.iter().par_bridge().for_each_with(tx, |tx, task| {
                            for &i in task {
                                let item = process(
                                    &inputs[i],
                                    configs.get(i),
                                    args.fix,
                                    render,
                                    peers,
                                    args.lang,
                                );
                                if tx.send((i, item)).is_err() {
                                    return;
                                }
                            }
                        })
                    })
                });
                loop {
                    match rx.recv_timeout(Duration::from_millis(100)) {
                        Ok(first) => {
                            emitter.push_batch(std::iter::once(first).chain(rx.try_iter()));
                            // Waking for every file would take a core from a worker
                            // each time; a short pause gathers the next few.
                            std::thread::sleep(GATHER);
                        }
                        Err(mpsc::RecvTimeoutError::Timeout) => emitter.tick(),
                        Err(mpsc::RecvTimeoutError::Disconnected) => break,
                    }
                }
            });
        }
    }
    emitter.write_ready();
    emitter.progress.finish();
    let Emitter {
        state,
        mut out,
        totals,
        out_error,
        ..
    } = emitter;
    let outcome = Outcome { totals, problems };
    let written = match (out_error, state) {
        (Some(e), _) => Err(e),
        (None, Some(state)) => render
            .finish(state, &mut out, &outcome)
            .and_then(|_| out.flush()),
        (None, None) => Ok(()),
    };
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fix_groups_paths_of_the_same_file() {
        let dir = tempfile::tempdir().unwrap();
        let a = dir.path().join("a.md");
        let b = dir.path().join("b.md");
        std::fs::write(&a, "x").unwrap();
        std::fs::write(&b, "y").unwrap();
        let link = dir.path().join("c.md");
        #[cfg(unix)]
        std::os::unix::fs::symlink(&a, &link).unwrap();
        #[cfg(not(unix))]
        std::fs::copy(&a, &link).unwrap();
        let inputs = vec![Input::File(a), Input::File(b), Input::File(link)];
        assert_eq!(tasks(&inputs, false), vec![vec![0], vec![1], vec![2]]);
        #[cfg(unix)]
        assert_eq!(tasks(&inputs, true), vec![vec![0, 2], vec![1]]);
    }

    #[test]
    fn totals_add_up() {
        let mut t = Totals::default();
        t.add(Totals {
            files: 1,
            errors: 2,
            fixed: 1,
            fixed_files: 1,
            ..Totals::default()
        });
        t.add(Totals {
            files: 1,
            hints: 3,
            ..Totals::default()
        });
        assert_eq!((t.files, t.errors, t.hints, t.fixed_files), (2, 2, 3, 1));
        assert_eq!(t.count(Severity::Hint), 3);
    }
}
