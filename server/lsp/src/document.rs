//! Open documents (ropes, edited in place) and analysis snapshots (an immutable
//! copy of the text of one version, with its analysis).

use super::encoding::Conv;
use super::settings::Attach;
use nianbao_core::config::Config;
use nianbao_core::diag::Lang;
use nianbao_core::incremental::Engine;
use nianbao_core::text::{Encoding, LineIndex};
use nianbao_core::Analysis;
use ropey::Rope;
use std::sync::{Arc, OnceLock};
use tower_lsp_server::ls_types::Uri;

/// An edit: the byte range of the text before it, and the new text.
pub type PendingEdit = (usize, usize, String);

pub struct Document {
    pub rope: Rope,
    pub version: i32,
    pub language_id: String,
    /// The latest analysis (maybe of an older version or older settings).
    pub snapshot: Option<Arc<Snapshot>>,
    /// The incremental engine (`None` while an analysis has it out).
    pub engine: Option<Box<Engine>>,
    /// Edits since the engine's text.
    pub pending: Vec<PendingEdit>,
    /// Bumped whenever `pending` is taken: an engine handed back from an older
    /// take would miss edits, and is dropped.
    pub pending_epoch: u64,
    /// Unique per opened document (a reopened URI is another document).
    pub serial: u64,
}

impl Document {
    pub fn new(text: &str, version: i32, language_id: String) -> Self {
        static SERIAL: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
        Document {
            rope: Rope::from_str(text),
            version,
            language_id,
            snapshot: None,
            engine: None,
            pending: Vec::new(),
            pending_epoch: 0,
            serial: SERIAL.fetch_add(1, std::sync::atomic::Ordering::Relaxed),
        }
    }

    /// The cached snapshot, if it is of this version and these settings.
    pub fn current_snapshot(&self, generation: u64) -> Option<Arc<Snapshot>> {
        self.snapshot
            .clone()
            .filter(|s| s.version == self.version && s.generation == generation)
    }

    /// Record an edit for the engine (bytes `start..end` of the current text).
    pub fn record_edit(&mut self, start: usize, end: usize, text: &str) {
        // A long backlog (no analysis ran, e.g. a detached document): start afresh.
        if self.pending.len() > 4096 {
            self.engine = None;
            self.pending.clear();
            self.pending_epoch += 1;
            return;
        }
        self.pending.push((start, end, text.to_string()));
    }

    /// Take what an analysis needs: the engine (if here) and the edits since its text.
    pub fn take_engine(&mut self) -> (Option<Box<Engine>>, Vec<PendingEdit>, u64) {
        self.pending_epoch += 1;
        (
            self.engine.take(),
            std::mem::take(&mut self.pending),
            self.pending_epoch,
        )
    }

    /// Hand an engine back after an analysis that took it at `epoch`.
    pub fn give_back(&mut self, engine: Box<Engine>, epoch: u64, serial: u64) {
        if self.engine.is_none() && self.pending_epoch == epoch && self.serial == serial {
            self.engine = Some(engine);
        }
    }
}

/// One version of a document, analysed.
pub struct Snapshot {
    pub uri: Uri,
    pub version: i32,
    /// Settings generation the analysis used.
    pub generation: u64,
    /// The text of this version (a rope: cloning it is cheap).
    pub rope: Rope,
    /// The text the engine analysed (this version's), shared, not copied from the rope.
    text: Arc<str>,
    /// The engine's lines of that text.
    index: Arc<LineIndex>,
    /// The document is an annual report (or the settings attach it).
    pub attached: bool,
    /// The analysis, for attached documents only.
    pub analysis: Option<Arc<Analysis>>,
    pub lang: Lang,
    pub encoding: Encoding,
    /// Markdown or plain text.
    pub is_text: bool,
    pub attach: Attach,
}

impl Snapshot {
    /// Positions of this version, converted on the rope (no copy of the text).
    pub fn conv(&self) -> Conv<'_> {
        Conv {
            rope: &self.rope,
            enc: self.encoding,
        }
    }
    /// The text as one string (made on first use, for requests that read it).
    pub fn text(&self) -> &str {
        &self.text
    }
    pub fn index(&self) -> &LineIndex {
        &self.index
    }
    /// The same version with another analysis (the findings across years added: see `peers`).
    pub fn with_analysis(&self, analysis: Arc<Analysis>) -> Snapshot {
        Snapshot {
            uri: self.uri.clone(),
            version: self.version,
            generation: self.generation,
            rope: self.rope.clone(),
            text: self.text.clone(),
            index: self.index.clone(),
            attached: self.attached,
            analysis: Some(analysis),
            lang: self.lang,
            encoding: self.encoding,
            is_text: self.is_text,
            attach: self.attach,
        }
    }
}

/// What a snapshot is built from (taken under the document lock).
pub struct SnapshotInput {
    pub uri: Uri,
    pub version: i32,
    pub generation: u64,
    pub rope: Rope,
    pub engine: Option<Box<Engine>>,
    pub pending: Vec<PendingEdit>,
    pub language_id: String,
    pub attach: Attach,
    pub config: Config,
    pub encoding: Encoding,
}

/// `NIANBAO_INCREMENTAL=0` (or `off`): analyse every version from scratch (to measure the gain).
pub fn incremental_enabled() -> bool {
    static ON: OnceLock<bool> = OnceLock::new();
    *ON.get_or_init(|| {
        !matches!(
            std::env::var("NIANBAO_INCREMENTAL").as_deref(),
            Ok("0") | Ok("off") | Ok("false")
        )
    })
}

/// Analyse (runs the engine: call from a blocking thread, inside `catch_unwind`).
/// Returns the engine to hand back to the document.
pub fn build(input: SnapshotInput) -> (Snapshot, Box<Engine>) {
    let mut engine = match input.engine {
        Some(mut e) => {
            for (start, end, text) in &input.pending {
                e.edit(*start, *end, text);
            }
            e.set_config(input.config.clone());
            e
        }
        None => Box::new(Engine::new(input.rope.to_string(), input.config.clone())),
    };
    // The engine's text is the document's: the rope and the engine receive the same
    // edits. Should they ever differ, the rope (what the client sent) wins.
    if !rope_equals(&input.rope, engine.text()) {
        engine = Box::new(Engine::new(input.rope.to_string(), input.config.clone()));
    }
    engine.set_incremental(incremental_enabled());
    let attached = should_attach(input.attach, &input.language_id, &input.uri, engine.text());
    let is_text = is_text_document(&input.language_id, &input.uri);
    let analysis = attached.then(|| engine.analysis());
    let snap = Snapshot {
        uri: input.uri,
        version: input.version,
        generation: input.generation,
        rope: input.rope,
        text: Arc::from(engine.text()),
        index: Arc::new(engine.line_index().clone()),
        attached,
        analysis,
        lang: input.config.lang,
        encoding: input.encoding,
        is_text,
        attach: input.attach,
    };
    (snap, engine)
}

/// Markdown or plain text (by language id or file extension).
/// Does the rope hold exactly `text`? (Chunk by chunk: no copy of the rope.)
fn rope_equals(rope: &Rope, text: &str) -> bool {
    if rope.len_bytes() != text.len() {
        return false;
    }
    let mut at = 0;
    rope.chunks().all(|c| {
        let same = text.as_bytes()[at..at + c.len()] == *c.as_bytes();
        at += c.len();
        same
    })
}

pub fn is_text_document(language_id: &str, uri: &Uri) -> bool {
    let lang = language_id.to_ascii_lowercase();
    if matches!(
        lang.as_str(),
        "markdown" | "plaintext" | "text" | "txt" | "md" | "mdx" | "rmd" | "quarto"
    ) {
        return true;
    }
    let path = uri.as_str().to_ascii_lowercase();
    let path = path.split(['?', '#']).next().unwrap_or("");
    [".md", ".markdown", ".txt", ".text", ".mdown", ".mkd"]
        .iter()
        .any(|ext| path.ends_with(ext))
}

pub fn should_attach(attach: Attach, language_id: &str, uri: &Uri, text: &str) -> bool {
    match attach {
        Attach::Always => true,
        Attach::Never => false,
        Attach::Auto => {
            is_text_document(language_id, uri) && !is_html_page(text) && looks_like_report(text)
        }
    }
}

/// A web page (a saved or crawled page opened as text): its markup is not a report's text
/// (`nianbao check` reads such a page through its HTML reader).
fn is_html_page(text: &str) -> bool {
    let t = text.trim_start_matches('\u{feff}').trim_start();
    let starts = |p: &str| {
        t.as_bytes()
            .get(..p.len())
            .is_some_and(|h| h.eq_ignore_ascii_case(p.as_bytes()))
    };
    starts("<!doctype html") || starts("<html")
}

/// The core's evidence ([`nianbao_core::detect`]): a 政府信息公开…年度报告 title, three
/// section headings numbered as in the template, or the row labels of table 三.
pub fn looks_like_report(text: &str) -> bool {
    nianbao_core::detect::is_report(text)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::str::FromStr;

    #[test]
    fn attach_detection() {
        assert!(looks_like_report(
            "# 某某局2024年政府信息公开工作年度报告\n"
        ));
        assert!(!looks_like_report("前言\n\n一、总体情况\n"));
        assert!(!looks_like_report("# README\n\n一、安装\n"));
        let report = "一、总体情况\n二、主动公开政府信息情况\n三、收到和处理政府信息公开申请情况\n";
        assert!(looks_like_report(report));
        let md = Uri::from_str("file:///a/b.md").unwrap();
        let rs = Uri::from_str("file:///a/b.rs").unwrap();
        assert!(should_attach(Attach::Auto, "markdown", &md, report));
        assert!(!should_attach(Attach::Auto, "rust", &rs, report));
        assert!(!should_attach(
            Attach::Auto,
            "markdown",
            &md,
            "一、总体情况"
        ));
        assert!(should_attach(
            Attach::Always,
            "markdown",
            &md,
            "一、总体情况"
        ));
        assert!(should_attach(Attach::Always, "rust", &rs, ""));
        // A web page with the report's words: not as HTML, not as text holding the markup.
        let page = format!("<!DOCTYPE html>\n<html><head><title>某局2024年政府信息公开工作年度报告</title></head><body><p>{}</p></body></html>", report.replace('\n', "</p><p>"));
        assert!(looks_like_report(&page));
        let html = Uri::from_str("file:///a/report.html").unwrap();
        assert!(!should_attach(Attach::Auto, "html", &html, &page));
        let txt = Uri::from_str("file:///a/page.txt").unwrap();
        assert!(!should_attach(Attach::Auto, "plaintext", &txt, &page));
        assert!(!should_attach(
            Attach::Auto,
            "markdown",
            &md,
            &format!("\u{feff}  {page}")
        ));
        // A Markdown draft that starts with an HTML comment is still a draft.
        assert!(should_attach(
            Attach::Auto,
            "markdown",
            &md,
            &format!("<!-- 草稿 -->\n{report}")
        ));
        assert!(!should_attach(
            Attach::Never,
            "markdown",
            &md,
            "一、总体情况"
        ));
    }

    fn input(rope: Rope, engine: Option<Box<Engine>>, pending: Vec<PendingEdit>) -> SnapshotInput {
        SnapshotInput {
            uri: Uri::from_str("file:///a/b.md").unwrap(),
            version: 1,
            generation: 0,
            rope,
            engine,
            pending,
            language_id: "markdown".into(),
            attach: Attach::Always,
            config: Config::default(),
            encoding: Encoding::Utf16,
        }
    }

    #[test]
    fn snapshot_reads_the_engine_text_and_lines() {
        let text = "一、总体情况\r\n第二行𠀀\r第三行\n";
        let (snap, engine) = build(input(Rope::from_str(text), None, Vec::new()));
        assert_eq!(snap.text(), text);
        assert_eq!(snap.text(), engine.text());
        assert_eq!(snap.index(), engine.line_index());
        assert_eq!(snap.index().line_count(), 4);
        // an edit the engine and the rope both received
        let mut rope = Rope::from_str(text);
        rope.insert(0, "# ");
        let (snap, engine) = build(input(rope, Some(engine), vec![(0, 0, "# ".into())]));
        assert_eq!(snap.text(), format!("# {text}"));
        assert_eq!(snap.index(), &LineIndex::new(snap.text()));
        assert_eq!(engine.text(), snap.text());
    }

    #[test]
    fn a_rope_the_engine_disagrees_with_wins() {
        // the engine missed an edit: the snapshot is of the rope's text, in release builds too
        let (_, engine) = build(input(Rope::from_str("abc\n"), None, Vec::new()));
        let (snap, engine) = build(input(Rope::from_str("abd\n"), Some(engine), Vec::new()));
        assert_eq!(snap.text(), "abd\n");
        assert_eq!(engine.text(), "abd\n");
        assert!(rope_equals(&Rope::from_str("总计𠀀"), "总计𠀀"));
        assert!(!rope_equals(&Rope::from_str("总计𠀀"), "总计𠀁"));
        let long: String = "第一行，内容足够长以分成多个块。\n".repeat(400);
        assert!(rope_equals(&Rope::from_str(&long), &long));
        assert!(!rope_equals(
            &Rope::from_str(&long),
            &long.replace("块。\n第", "块。\r第")
        ));
    }
}
