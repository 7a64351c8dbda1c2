//! Checks across years in the server (NB406–NB408, see [`nianbao_core::across_years`]):
//! last year's report of a document's agency is looked for among the open
//! documents, then among the files of the document's folder (file:// URIs).
//!
//! - Each document's single-file snapshot is layered with the findings across
//!   years ([`layer`]); the result is cached per document, keyed by the base
//!   snapshot and by the facts of last year's report it used, so a keystroke in
//!   this year's report re-reads nothing of last year's.
//! - What an open document says as last year's report ([`Prev`]) is read once per
//!   version, and only while a document of the next year is open; when it
//!   changes (or the document closes), the open documents of the next year are
//!   queued for diagnostics again (push) or a refresh is asked for (pull).
//! - Files on disk are read at most once while unchanged ([`DiskPeers`]: their
//!   stamps are looked at again at most every [`DISK_TTL`]); a
//!   `workspace/didChangeWatchedFiles` event (registered for `**/*.md` and
//!   `**/*.txt` when the client allows dynamic registration) forgets them at once.

use super::document::Snapshot;
use super::server::Backend;
use nianbao_core::across_years::{self, AgencyYear, DiskPeers, Prev};
use nianbao_core::Analysis;
use serde_json::json;
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, OnceLock};
use std::time::Duration;
use tower_lsp_server::jsonrpc::Result;
use tower_lsp_server::ls_types::*;

/// How long what was read of a file on disk is trusted without looking at its stamp.
pub const DISK_TTL: Duration = Duration::from_secs(2);

/// An open document as the checks across years see it.
struct OpenDoc {
    base: Arc<Snapshot>,
    agency_year: Option<AgencyYear>,
    /// The document as last year's report (read when a next-year document asks).
    prev: OnceLock<Option<Arc<Prev>>>,
}

impl OpenDoc {
    fn prev(&self) -> Option<Arc<Prev>> {
        self.prev
            .get_or_init(|| {
                let a = self.base.analysis.as_ref()?;
                Prev::of(&display_name(&self.base.uri), self.base.text(), &a.report).map(Arc::new)
            })
            .clone()
    }
}

/// A layered snapshot and what it was made from.
struct Layered {
    base: Arc<Snapshot>,
    prev: Option<Arc<Prev>>,
    out: Arc<Snapshot>,
}

#[derive(Default)]
struct Inner {
    open: HashMap<Uri, Arc<OpenDoc>>,
    layered: HashMap<Uri, Layered>,
}

pub struct Peers {
    inner: Mutex<Inner>,
    disk: DiskPeers,
    /// The client can register `workspace/didChangeWatchedFiles` dynamically.
    watch_dynamic: AtomicBool,
}

impl Default for Peers {
    fn default() -> Self {
        Peers {
            inner: Mutex::new(Inner::default()),
            disk: DiskPeers::new(Vec::new(), read_text, Some(DISK_TTL)),
            watch_dynamic: AtomicBool::new(false),
        }
    }
}

fn read_text(p: &Path) -> Option<String> {
    let bytes = std::fs::read(p).ok()?;
    let (enc, bom) = encoding_rs::Encoding::for_bom(&bytes).unwrap_or((encoding_rs::UTF_8, 0));
    let body = &bytes[bom..];
    if enc == encoding_rs::UTF_8 {
        if let Ok(s) = std::str::from_utf8(body) {
            return Some(s.to_string());
        }
        // Not UTF-8: the other encoding real drafts come in.
        return Some(
            encoding_rs::GB18030
                .decode_without_bom_handling(body)
                .0
                .into_owned(),
        );
    }
    Some(enc.decode_without_bom_handling(body).0.into_owned())
}

/// How messages name a document: its file name.
fn display_name(uri: &Uri) -> String {
    if let Some(p) = uri.to_file_path() {
        if let Some(n) = p.file_name() {
            return n.to_string_lossy().into_owned();
        }
    }
    let s = uri.as_str();
    s.rsplit('/').next().unwrap_or(s).to_string()
}

fn path_of(uri: &Uri) -> Option<PathBuf> {
    if !uri.as_str().starts_with("file:") {
        return None;
    }
    uri.to_file_path().map(|p| p.into_owned())
}

/// The agency and year of a snapshot's report.
fn agency_year_of(snap: &Snapshot) -> Option<AgencyYear> {
    let report = &snap.analysis.as_ref()?.report;
    let t = report.title?;
    if t.end > snap.rope.len_bytes() {
        return None;
    }
    let title = snap.rope.byte_slice(t.start..t.end).to_string();
    Some(AgencyYear {
        agency: across_years::agency_of_title(&title)?,
        year: report.year?,
    })
}

impl Peers {
    fn inner(&self) -> MutexGuard<'_, Inner> {
        self.inner.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Read what the client declared (from `initialize`).
    pub fn set_client_caps(&self, c: &ClientCapabilities) {
        let dynamic = c
            .workspace
            .as_ref()
            .and_then(|w| w.did_change_watched_files.as_ref())
            .and_then(|d| d.dynamic_registration)
            .unwrap_or(false);
        self.watch_dynamic.store(dynamic, Ordering::SeqCst);
    }

    /// Record `base` as the latest snapshot of its document. Returns the open
    /// documents of the next year whose findings across years may change.
    /// Nothing is recorded unless `base` is of the document as it is open now
    /// (`current` is asked under the lock [`closed`] takes, so an analysis that
    /// ends after the close, or after a close and reopen, cannot bring the closed
    /// document back: that kept 10,000 closed documents' snapshots alive, a few
    /// at a time).
    fn note(&self, base: &Arc<Snapshot>, current: &dyn Fn(&Snapshot) -> bool) -> Vec<Uri> {
        let uri = &base.uri;
        let old = self.inner().open.get(uri).cloned();
        if let Some(o) = &old {
            if Arc::ptr_eq(&o.base, base)
                || (o.base.version, o.base.generation) > (base.version, base.generation)
            {
                return Vec::new();
            }
        }
        let new = OpenDoc {
            base: base.clone(),
            agency_year: agency_year_of(base),
            prev: OnceLock::new(),
        };
        let dependents = self.dependents(
            uri,
            [
                old.as_ref().and_then(|o| o.agency_year.as_ref()),
                new.agency_year.as_ref(),
            ],
        );
        if !dependents.is_empty() {
            if let Some(o) = &old {
                if o.agency_year == new.agency_year {
                    let (was, now) = (o.prev(), new.prev());
                    if was == now {
                        // Same facts: keep the old ones, so that layered snapshots stay valid.
                        let new = OpenDoc {
                            base: base.clone(),
                            agency_year: new.agency_year,
                            prev: OnceLock::from(was),
                        };
                        self.insert_if_current(Arc::new(new), current);
                        return Vec::new();
                    }
                }
            }
        }
        if !self.insert_if_current(Arc::new(new), current) {
            return Vec::new();
        }
        dependents
    }

    fn insert_if_current(&self, doc: Arc<OpenDoc>, current: &dyn Fn(&Snapshot) -> bool) -> bool {
        let mut inner = self.inner();
        if !current(&doc.base) {
            return false;
        }
        inner.open.insert(doc.base.uri.clone(), doc);
        true
    }

    /// Open documents (other than `uri`) whose last year's report is of one of `keys`.
    fn dependents(&self, uri: &Uri, keys: [Option<&AgencyYear>; 2]) -> Vec<Uri> {
        let inner = self.inner();
        inner
            .open
            .iter()
            .filter(|(u, o)| {
                *u != uri
                    && o.agency_year
                        .as_ref()
                        .is_some_and(|me| keys.iter().flatten().any(|p| me.is_previous(p)))
            })
            .map(|(u, _)| u.clone())
            .collect()
    }

    /// Last year's report among the open documents.
    fn open_prev(&self, uri: &Uri, me: &AgencyYear) -> Option<Arc<Prev>> {
        let cands: Vec<Arc<OpenDoc>> = {
            let inner = self.inner();
            let mut v: Vec<(&Uri, &Arc<OpenDoc>)> = inner
                .open
                .iter()
                .filter(|(u, o)| {
                    *u != uri && o.agency_year.as_ref().is_some_and(|p| me.is_previous(p))
                })
                .collect();
            v.sort_by(|a, b| a.0.as_str().cmp(b.0.as_str()));
            v.into_iter().map(|(_, o)| o.clone()).collect()
        };
        let exact = cands.iter().find(|o| {
            o.agency_year
                .as_ref()
                .is_some_and(|p| p.agency == me.agency)
        });
        exact.or(cands.first()).and_then(|o| o.prev())
    }
}

/// The snapshot of a document with the findings across years added (or `base`
/// itself when there are none). Called by [`Backend::snapshot`].
pub async fn layer(b: &Backend, base: Arc<Snapshot>) -> Result<Arc<Snapshot>> {
    let peers = &b.state.peers;
    let Some(analysis) = base.analysis.clone() else {
        peers.inner().layered.remove(&base.uri);
        return Ok(base);
    };
    let current = |s: &Snapshot| b.version_of(&s.uri) == Some(s.version);
    let dependents = peers.note(&base, &current);
    requeue(b, dependents);
    let me = peers
        .inner()
        .open
        .get(&base.uri)
        .and_then(|o| o.agency_year.clone());
    let Some(me) = me else {
        return Ok(base);
    };
    let prev = match peers.open_prev(&base.uri, &me) {
        Some(p) => Some(p),
        None => match path_of(&base.uri) {
            Some(path) => {
                let state = b.state.clone();
                let me = me.clone();
                b.analyze_blocking(move || {
                    let open: Vec<PathBuf> = state
                        .peers
                        .inner()
                        .open
                        .keys()
                        .filter_map(path_of)
                        .collect();
                    state
                        .peers
                        .disk
                        .find(Some(&path), &me, &|p| open.iter().any(|o| o == p))
                })
                .await?
            }
            None => None,
        },
    };
    {
        let inner = peers.inner();
        if let Some(l) = inner.layered.get(&base.uri) {
            let same_prev = match (&l.prev, &prev) {
                (Some(a), Some(b)) => Arc::ptr_eq(a, b),
                (None, None) => true,
                _ => false,
            };
            if Arc::ptr_eq(&l.base, &base) && same_prev {
                return Ok(l.out.clone());
            }
        }
    }
    // The document's own configuration (its nianbao.toml, then the settings).
    let config = match &prev {
        Some(_) => super::settings::document_config(b, &base.uri, &b.state.settings()),
        None => nianbao_core::config::Config::default(),
    };
    let out = match &prev {
        None => base.clone(),
        Some(p) => {
            let across = across_years::check_prev(base.text(), &analysis.report, p, &config);
            if across.is_empty() {
                base.clone()
            } else {
                let diagnostics =
                    across_years::merge(base.text(), &config, analysis.diagnostics.clone(), across);
                Arc::new(base.with_analysis(Arc::new(Analysis {
                    report: analysis.report.clone(),
                    diagnostics,
                    identities: analysis.identities.clone(),
                })))
            }
        }
    };
    {
        let mut inner = peers.inner();
        if current(&base) {
            inner.layered.insert(
                base.uri.clone(),
                Layered {
                    base,
                    prev,
                    out: out.clone(),
                },
            );
        }
    }
    Ok(out)
}

/// Queue documents for diagnostics again: push to them, or ask a pull client to refresh.
fn requeue(b: &Backend, uris: Vec<Uri>) {
    if uris.is_empty() {
        return;
    }
    let caps = b.state.caps();
    if caps.pull_diagnostics {
        if caps.diagnostic_refresh {
            let client = b.client.clone();
            tokio::spawn(async move {
                let _ = client.workspace_diagnostic_refresh().await;
            });
        }
        return;
    }
    for u in uris {
        b.schedule(u);
    }
}

/// A document was closed: forget it; the next year's documents fall back to the file on disk.
pub fn closed(b: &Backend, uri: &Uri) {
    let peers = &b.state.peers;
    let old = {
        let mut inner = peers.inner();
        inner.layered.remove(uri);
        let old = inner.open.remove(uri);
        super::memory::shrink_if_sparse(&mut inner.layered);
        super::memory::shrink_if_sparse(&mut inner.open);
        old
    };
    if let Some(agency_year) = old.and_then(|o| o.agency_year.clone()) {
        let dependents = peers.dependents(uri, [Some(&agency_year), None]);
        requeue(b, dependents);
    }
}

/// Register `workspace/didChangeWatchedFiles` for report files (when the client allows it).
pub async fn register_watch(b: &Backend) {
    if !b.state.peers.watch_dynamic.load(Ordering::SeqCst) {
        return;
    }
    let reg = Registration {
        id: "nianbao-watched-files".to_string(),
        method: "workspace/didChangeWatchedFiles".to_string(),
        register_options: Some(json!({
            "watchers": [{ "globPattern": "**/*.md" }, { "globPattern": "**/*.txt" }]
        })),
    };
    if let Err(e) = b.client.register_capability(vec![reg]).await {
        b.client
            .log_message(
                MessageType::WARNING,
                format!("cannot register for file changes: {e}"),
            )
            .await;
    }
}

/// Files changed on disk: forget what was read of them, and check again the
/// open documents of the same folders.
pub fn watched_files_changed(b: &Backend, params: DidChangeWatchedFilesParams) {
    let peers = &b.state.peers;
    let mut dirs = Vec::new();
    for change in &params.changes {
        if let Some(p) = path_of(&change.uri) {
            peers.disk.invalidate(&p);
            if let Some(d) = p.parent() {
                dirs.push(d.to_path_buf());
            }
        }
    }
    let dependents: Vec<Uri> = peers
        .inner()
        .open
        .iter()
        .filter(|(u, o)| {
            o.agency_year.is_some()
                && path_of(u)
                    .and_then(|p| p.parent().map(Path::to_path_buf))
                    .is_some_and(|d| dirs.contains(&d))
        })
        .map(|(u, _)| u.clone())
        .collect();
    requeue(b, dependents);
}
