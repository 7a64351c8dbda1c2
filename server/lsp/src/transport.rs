//! The input side of the transport: a reader that passes LSP frames through
//! unchanged, but holds everything after `initialize` until the server has
//! answered it, and notes whether `shutdown` came before `exit`.
//!
//! tower-lsp-server checks the server state when it reads a message, and runs
//! handlers later: a client that writes its whole session at once (`printf … |
//! nianbao lsp`) would otherwise see `initialized`/`didOpen` dropped, `shutdown`
//! refused and `initialize` cancelled by `exit`. Real clients wait for the
//! initialize response anyway, so for them nothing changes.
//!
//! It also re-frames every message, because tower-lsp-server's reader stops for
//! good at the first message it cannot decode (tokio-util's `FramedRead` ends the
//! stream after a decoder error), which would end the session on one bad frame.
//! So frames reach it only with a canonical `Content-Length` header and a body
//! that is a JSON-RPC message; anything else (headers without a usable length,
//! garbage between frames, invalid JSON, JSON that is not JSON-RPC, frames over
//! [`MAX_BODY`]) is skipped and replaced by a `nianbao/invalidMessage`
//! notification, which the server logs, or, when the broken message carried an
//! `id`, by a `nianbao/invalidRequest` request with that id, which the server
//! answers with the LSP error the client is owed.

use serde::Deserialize;
use std::future::Future;
use std::io;
use std::pin::Pin;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll, Waker};
use tokio::io::{AsyncRead, ReadBuf};

#[derive(Default)]
pub struct Gate {
    initialized: AtomicBool,
    shutdown_seen: AtomicBool,
    shutdown_answered: AtomicBool,
    /// The input ended (end of file) or `exit` was passed on.
    ended: AtomicBool,
    ended_notify: tokio::sync::Notify,
    waker: Mutex<Option<Waker>>,
    /// `workspace/applyEdit` requests written to the output so far.
    pub apply_edits_written: Written,
}

/// A count of messages written to the output, to wait on.
#[derive(Default)]
pub struct Written {
    count: std::sync::atomic::AtomicU64,
    notify: tokio::sync::Notify,
}

impl Written {
    pub fn count(&self) -> u64 {
        self.count.load(Ordering::SeqCst)
    }
    fn add(&self, n: u64) {
        self.count.fetch_add(n, Ordering::SeqCst);
        self.notify.notify_waiters();
    }
    /// Resolves once the count is over `n`.
    pub async fn past(&self, n: u64) {
        loop {
            let notified = self.notify.notified();
            if self.count() > n {
                return;
            }
            notified.await;
        }
    }
}

/// The output side: passes bytes through unchanged and counts the
/// `workspace/applyEdit` requests written, so that `executeCommand` can answer
/// once its request is out (a client then always reads the request first)
/// without waiting for the client's answer.
pub struct CountingWriter<W> {
    inner: Pin<Box<W>>,
    gate: Arc<Gate>,
    /// The last bytes written, for a pattern split across two writes.
    tail: Vec<u8>,
}

const APPLY_EDIT_PATTERN: &[u8] = br#""method":"workspace/applyEdit""#;

impl<W> CountingWriter<W> {
    pub fn new(inner: W, gate: Arc<Gate>) -> Self {
        CountingWriter {
            inner: Box::pin(inner),
            gate,
            tail: Vec::new(),
        }
    }

    fn scan(&mut self, chunk: &[u8]) {
        let n = APPLY_EDIT_PATTERN.len();
        let mut data = std::mem::take(&mut self.tail);
        let old = data.len();
        data.extend_from_slice(chunk);
        let found = data
            .windows(n)
            .enumerate()
            .filter(|(i, w)| i + n > old && *w == APPLY_EDIT_PATTERN)
            .count();
        if found > 0 {
            self.gate.apply_edits_written.add(found as u64);
        }
        let keep = data.len().min(n - 1);
        self.tail = data.split_off(data.len() - keep);
    }
}

impl<W: tokio::io::AsyncWrite> tokio::io::AsyncWrite for CountingWriter<W> {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        let r = self.inner.as_mut().poll_write(cx, buf);
        if let Poll::Ready(Ok(n)) = r {
            self.scan(&buf[..n]);
        }
        r
    }
    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        self.inner.as_mut().poll_flush(cx)
    }
    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        self.inner.as_mut().poll_shutdown(cx)
    }
}

impl Gate {
    fn wake(&self) {
        if let Some(w) = self.waker.lock().unwrap_or_else(|e| e.into_inner()).take() {
            w.wake();
        }
    }
    /// The initialize request has been answered: let the rest through.
    pub fn open(&self) {
        self.initialized.store(true, Ordering::SeqCst);
        self.wake();
    }
    /// The shutdown request has been answered: let `exit` through.
    pub fn shutdown_answered(&self) {
        self.shutdown_answered.store(true, Ordering::SeqCst);
        self.wake();
    }
    pub fn is_open(&self) -> bool {
        self.initialized.load(Ordering::SeqCst)
    }
    /// A `shutdown` request was read (before `exit`, since `exit` ends the reading).
    pub fn shutdown_seen(&self) -> bool {
        self.shutdown_seen.load(Ordering::SeqCst)
    }
    fn end(&self) {
        self.ended.store(true, Ordering::SeqCst);
        self.ended_notify.notify_waiters();
    }
    /// Resolves once the input has ended or `exit` was read: nothing more will come.
    pub async fn input_ended(&self) {
        loop {
            let notified = self.ended_notify.notified();
            if self.ended.load(Ordering::SeqCst) {
                return;
            }
            notified.await;
        }
    }
}

/// `shutdown` and `exit` take no parameters; tower-lsp-server refuses a `shutdown`
/// whose `params` is `{}` (as some clients send), while the transport already
/// counts it as a shutdown. An empty `params` (`{}`, `[]`, `null`) is removed.
fn without_empty_params(body: &[u8]) -> Option<Vec<u8>> {
    let mut v: serde_json::Value = serde_json::from_slice(body).ok()?;
    let empty = match v.get("params")? {
        serde_json::Value::Null => true,
        serde_json::Value::Object(m) => m.is_empty(),
        serde_json::Value::Array(a) => a.is_empty(),
        _ => false,
    };
    if !empty {
        return None;
    }
    v.as_object_mut()?.remove("params");
    serde_json::to_vec(&v).ok()
}

/// Opens the gate when dropped: `initialize` returning, failing or being cancelled.
pub struct OpenOnDrop(pub Arc<Gate>);

impl Drop for OpenOnDrop {
    fn drop(&mut self) {
        self.0.open();
    }
}

pub struct GatedReader<R> {
    inner: R,
    gate: Arc<Gate>,
    /// Bytes read but not released yet.
    pending: Vec<u8>,
    /// Released bytes not yet handed to the reader.
    out: Vec<u8>,
    out_pos: usize,
    holding: bool,
    /// Holding after `shutdown`, at most until this deadline.
    after_shutdown: Option<Pin<Box<tokio::time::Sleep>>>,
    shutdown_gated: bool,
    eof: bool,
    /// Bytes of an oversized body still to skip.
    discard: usize,
}

impl<R> GatedReader<R> {
    pub fn new(inner: R, gate: Arc<Gate>) -> Self {
        GatedReader {
            inner,
            gate,
            pending: Vec::new(),
            out: Vec::new(),
            out_pos: 0,
            holding: false,
            after_shutdown: None,
            shutdown_gated: false,
            eof: false,
            discard: 0,
        }
    }
}

/// Bodies larger than this are skipped (a 10 MB report is ~10 MB of JSON).
pub const MAX_BODY: usize = 256 * 1024 * 1024;
/// Header blocks longer than this without a blank line are garbage.
const MAX_HEADERS: usize = 8 * 1024;

/// What the start of the buffer holds.
#[derive(Debug, PartialEq, Eq)]
enum Next {
    /// Not enough bytes yet.
    Incomplete,
    /// A complete frame: its body is `buf[body_start..end]`.
    Frame { body_start: usize, end: usize },
    /// Headers announcing a body over [`MAX_BODY`]: skip the headers, then `len` bytes.
    TooLarge { body_start: usize, len: usize },
    /// Not a frame: drop this many bytes (why, for the log).
    Skip(usize, &'static str),
}

/// Position of the next `Content-Length` (case-insensitive) at or after `from`.
fn find_header(buf: &[u8], from: usize) -> Option<usize> {
    const NAME: &[u8] = b"content-length";
    (from..buf.len().saturating_sub(NAME.len() - 1))
        .find(|&i| buf[i..i + NAME.len()].eq_ignore_ascii_case(NAME))
}

/// Drop garbage up to the next header that may start a frame, or everything but
/// a tail that may hold the start of one.
fn skip_to_next_header(buf: &[u8], why: &'static str) -> Next {
    match find_header(buf, 1) {
        Some(i) => Next::Skip(i, why),
        None => Next::Skip(buf.len().saturating_sub(16).max(1).min(buf.len()), why),
    }
}

fn next_frame(buf: &[u8]) -> Next {
    if buf.is_empty() {
        return Next::Incomplete;
    }
    let Some(end) = buf.windows(4).position(|w| w == b"\r\n\r\n") else {
        return if buf.len() > MAX_HEADERS {
            skip_to_next_header(buf, "header block without an end")
        } else {
            Next::Incomplete
        };
    };
    let mut len = None;
    let mut valid = true;
    for line in buf[..end].split(|b| *b == b'\n') {
        let line = line.strip_suffix(b"\r").unwrap_or(line);
        let Some(colon) = line.iter().position(|b| *b == b':') else {
            valid = false;
            break;
        };
        let (name, value) = (&line[..colon], &line[colon + 1..]);
        if name.is_empty() || !name.iter().all(|b| b.is_ascii_alphanumeric() || *b == b'-') {
            valid = false;
            break;
        }
        if name.eq_ignore_ascii_case(b"content-length") {
            len = std::str::from_utf8(value)
                .ok()
                .and_then(|v| v.trim().parse::<usize>().ok());
            if len.is_none() {
                valid = false;
                break;
            }
        }
    }
    let body_start = end + 4;
    match len {
        Some(n) if valid && n > MAX_BODY => Next::TooLarge { body_start, len: n },
        Some(n) if valid => {
            if buf.len() >= body_start + n {
                Next::Frame {
                    body_start,
                    end: body_start + n,
                }
            } else {
                Next::Incomplete
            }
        }
        _ => match find_header(buf, 1) {
            // Garbage before a header, or a header block without a usable length.
            Some(i) if i < body_start => Next::Skip(i, "bytes that are not a message header"),
            Some(i) => Next::Skip(i, "a header without a usable Content-Length"),
            None => Next::Skip(body_start, "a header without a usable Content-Length"),
        },
    }
}

fn framed(body: &[u8]) -> Vec<u8> {
    let mut out = format!("Content-Length: {}\r\n\r\n", body.len()).into_bytes();
    out.extend_from_slice(body);
    out
}

/// The stand-in for a message that cannot be passed on.
fn invalid(id: Option<serde_json::Value>, code: i64, message: String, what: &Shallow) -> Vec<u8> {
    let params = serde_json::json!({
        "code": code, "message": message, "method": what.method, "uri": what.uri
    });
    let msg = match id {
        Some(id) => serde_json::json!({
            "jsonrpc": "2.0", "id": id, "method": "nianbao/invalidRequest", "params": params
        }),
        None => serde_json::json!({
            "jsonrpc": "2.0", "method": "nianbao/invalidMessage", "params": params
        }),
    };
    framed(&serde_json::to_vec(&msg).unwrap_or_default())
}

/// Check a body the way tower-lsp-server will decode it; pass it on re-framed,
/// repaired, or replaced with an `invalid` stand-in.
fn checked(body: &[u8]) -> Vec<u8> {
    if decodes(body) {
        return framed(body);
    }
    // Decode leniently: invalid UTF-8 and lone surrogates (`"\udc00"`, which
    // serde_json refuses) become U+FFFD, as the editor shows them; the message
    // is passed on and the repair logged (`nianbao/repairedMessage`).
    if let Some((fixed, n)) = repaired(body) {
        if decodes(&fixed) {
            let what = shallow(&fixed);
            let params = serde_json::json!({
                "replaced": n,
                "method": what.method,
                "uri": what.uri,
            });
            let note = serde_json::json!({
                "jsonrpc": "2.0", "method": "nianbao/repairedMessage", "params": params
            });
            let mut out = framed(&fixed);
            out.extend(framed(&serde_json::to_vec(&note).unwrap_or_default()));
            return out;
        }
    }
    // Not decodable: answer a request (found by a shallow scan that needs no
    // recursion, so 100,000 nested brackets still have their id read), log the rest.
    let what = shallow(body);
    let (code, message) = match serde_json::from_slice::<serde_json::Value>(body) {
        Err(e) => (-32700, format!("invalid JSON: {e}")),
        Ok(_) => (-32600, "not a valid JSON-RPC 2.0 message".to_string()),
    };
    invalid(
        what.id.clone().filter(|_| what.method.is_some()),
        code,
        message,
        &what,
    )
}

fn decodes(body: &[u8]) -> bool {
    use tower_lsp_server::jsonrpc::{Request, Response};
    serde_json::from_slice::<Request>(body).is_ok()
        || serde_json::from_slice::<Response>(body).is_ok()
}

/// The body with invalid UTF-8 sequences and lone surrogate escapes replaced by
/// U+FFFD, and how many were replaced; `None` when there is nothing to replace.
fn repaired(body: &[u8]) -> Option<(Vec<u8>, usize)> {
    let mut n = 0;
    let mut text = String::with_capacity(body.len());
    for chunk in body.utf8_chunks() {
        text.push_str(chunk.valid());
        if !chunk.invalid().is_empty() {
            text.push('\u{fffd}');
            n += 1;
        }
    }
    let b = text.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let hex = |at: usize| -> Option<u16> {
        let h = b.get(at..at + 4)?;
        u16::from_str_radix(std::str::from_utf8(h).ok()?, 16).ok()
    };
    let mut i = 0;
    while i < b.len() {
        // Backslashes occur in JSON only inside strings, as escapes.
        if b[i] != b'\\' {
            out.push(b[i]);
            i += 1;
            continue;
        }
        if b.get(i + 1) != Some(&b'u') {
            out.extend_from_slice(&b[i..(i + 2).min(b.len())]);
            i += 2;
            continue;
        }
        match hex(i + 2) {
            Some(0xD800..=0xDBFF)
                if b.get(i + 6..i + 8) == Some(b"\\u".as_slice())
                    && hex(i + 8).is_some_and(|lo| (0xDC00..=0xDFFF).contains(&lo)) =>
            {
                out.extend_from_slice(&b[i..i + 12]);
                i += 12;
            }
            Some(0xD800..=0xDFFF) => {
                out.extend_from_slice(b"\\ufffd");
                n += 1;
                i += 6;
            }
            _ => {
                out.extend_from_slice(&b[i..(i + 2).min(b.len())]);
                i += 2;
            }
        }
    }
    (n > 0).then_some((out, n))
}

/// What a shallow scan of a body finds: the top-level `id` and `method`, and
/// the first `uri` at any depth. It keeps no stack, so any nesting depth is fine.
#[derive(Default)]
struct Shallow {
    id: Option<serde_json::Value>,
    method: Option<String>,
    uri: Option<String>,
}

fn shallow(body: &[u8]) -> Shallow {
    let mut out = Shallow::default();
    let mut depth = 0usize;
    let mut i = 0;
    let end_of_string = |from: usize| -> Option<usize> {
        // `from` is just after the opening quote; returns the index after the closing one.
        let mut j = from;
        while j < body.len() {
            match body[j] {
                b'\\' => j += 2,
                b'"' => return Some(j + 1),
                _ => j += 1,
            }
        }
        None
    };
    while i < body.len() {
        match body[i] {
            b'{' | b'[' => depth += 1,
            b'}' | b']' => depth = depth.saturating_sub(1),
            b'"' => {
                let Some(after) = end_of_string(i + 1) else {
                    break;
                };
                let key = &body[i + 1..after - 1];
                let mut j = after;
                while body.get(j).is_some_and(|c| c.is_ascii_whitespace()) {
                    j += 1;
                }
                if body.get(j) == Some(&b':') {
                    j += 1;
                    while body.get(j).is_some_and(|c| c.is_ascii_whitespace()) {
                        j += 1;
                    }
                    let value_end = match body.get(j) {
                        Some(b'"') => end_of_string(j + 1),
                        Some(c) if c.is_ascii_digit() || *c == b'-' => Some(
                            (j + 1..body.len())
                                .find(|&k| !(body[k].is_ascii_digit()))
                                .unwrap_or(body.len()),
                        ),
                        _ => None,
                    };
                    let value = value_end.and_then(|e| {
                        serde_json::from_slice::<serde_json::Value>(&body[j..e]).ok()
                    });
                    match (key, depth, value) {
                        (b"id", 1, Some(v))
                            if out.id.is_none() && (v.is_string() || v.is_i64() || v.is_u64()) =>
                        {
                            out.id = Some(v)
                        }
                        (b"method", 1, Some(serde_json::Value::String(m)))
                            if out.method.is_none() =>
                        {
                            out.method = Some(m)
                        }
                        (b"uri", _, Some(serde_json::Value::String(u))) if out.uri.is_none() => {
                            out.uri = Some(u)
                        }
                        _ => {}
                    }
                }
                i = after;
                continue;
            }
            _ => {}
        }
        i += 1;
    }
    out
}

#[derive(Deserialize)]
struct MethodOnly {
    method: Option<String>,
}

impl<R: AsyncRead + Unpin> AsyncRead for GatedReader<R> {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        dst: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        let this = &mut *self;
        loop {
            if this.out_pos < this.out.len() {
                let n = dst.remaining().min(this.out.len() - this.out_pos);
                dst.put_slice(&this.out[this.out_pos..this.out_pos + n]);
                this.out_pos += n;
                return Poll::Ready(Ok(()));
            }
            if this.holding {
                if !this.gate.is_open() {
                    *this.gate.waker.lock().unwrap_or_else(|e| e.into_inner()) =
                        Some(cx.waker().clone());
                    // Re-check: the gate may have opened before the waker was stored.
                    if !this.gate.is_open() {
                        return Poll::Pending;
                    }
                }
                this.holding = false;
            }
            if let Some(deadline) = this.after_shutdown.as_mut() {
                if !this.gate.shutdown_answered.load(Ordering::SeqCst) {
                    *this.gate.waker.lock().unwrap_or_else(|e| e.into_inner()) =
                        Some(cx.waker().clone());
                    if !this.gate.shutdown_answered.load(Ordering::SeqCst)
                        && deadline.as_mut().poll(cx).is_pending()
                    {
                        return Poll::Pending;
                    }
                }
                this.after_shutdown = None;
            }
            if this.discard > 0 {
                let n = this.discard.min(this.pending.len());
                this.pending.drain(..n);
                this.discard -= n;
            }
            let next = if this.discard > 0 {
                Next::Incomplete
            } else {
                next_frame(&this.pending)
            };
            match next {
                Next::Frame { body_start, end } => {
                    let frame: Vec<u8> = this.pending.drain(..end).collect();
                    let mut body = &frame[body_start..];
                    let trimmed;
                    if let Ok(m) = serde_json::from_slice::<MethodOnly>(body) {
                        if matches!(m.method.as_deref(), Some("shutdown" | "exit")) {
                            if let Some(b) = without_empty_params(body) {
                                trimmed = b;
                                body = &trimmed;
                            }
                        }
                        match m.method.as_deref() {
                            Some("initialize") if !this.gate.is_open() => this.holding = true,
                            Some("shutdown") => {
                                this.gate.shutdown_seen.store(true, Ordering::SeqCst);
                                // Let the server answer it before `exit` can cancel it.
                                if this.gate.is_open() && !this.shutdown_gated {
                                    this.shutdown_gated = true;
                                    this.after_shutdown = Some(Box::pin(tokio::time::sleep(
                                        std::time::Duration::from_secs(1),
                                    )));
                                }
                            }
                            Some("exit") => this.gate.end(),
                            _ => {}
                        }
                    }
                    this.out = checked(body);
                    this.out_pos = 0;
                    continue;
                }
                Next::TooLarge { body_start, len } => {
                    this.pending.drain(..body_start);
                    this.discard = len;
                    this.out = invalid(
                        None,
                        -32600,
                        format!("message of {len} bytes is over the limit of {MAX_BODY}: skipped"),
                        &Shallow::default(),
                    );
                    this.out_pos = 0;
                    continue;
                }
                Next::Skip(n, why) => {
                    this.pending.drain(..n);
                    this.out = invalid(
                        None,
                        -32700,
                        format!("skipped {n} bytes: {why}"),
                        &Shallow::default(),
                    );
                    this.out_pos = 0;
                    continue;
                }
                Next::Incomplete => {}
            }
            if this.eof {
                // A truncated frame at the end of the input is dropped.
                this.pending.clear();
                this.gate.end();
                return Poll::Ready(Ok(()));
            }
            let mut tmp = [0u8; 16 * 1024];
            let mut rb = ReadBuf::new(&mut tmp);
            match Pin::new(&mut this.inner).poll_read(cx, &mut rb) {
                Poll::Pending => return Poll::Pending,
                Poll::Ready(Err(e)) => return Poll::Ready(Err(e)),
                Poll::Ready(Ok(())) => {
                    if rb.filled().is_empty() {
                        this.eof = true;
                    } else {
                        this.pending.extend_from_slice(rb.filled());
                    }
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tokio::io::AsyncReadExt;

    fn frame(body: &str) -> String {
        format!("Content-Length: {}\r\n\r\n{}", body.len(), body)
    }

    #[tokio::test]
    async fn holds_after_initialize_until_opened_and_passes_bytes_unchanged() {
        let input = format!(
            "{}{}{}",
            frame(r#"{"jsonrpc":"2.0","id":1,"method":"initialize","params":{}}"#),
            frame(r#"{"jsonrpc":"2.0","method":"initialized","params":{}}"#),
            frame(r#"{"jsonrpc":"2.0","id":2,"method":"shutdown"}"#)
        );
        let gate = Arc::new(Gate::default());
        let mut r = GatedReader::new(
            std::io::Cursor::new(input.clone().into_bytes()),
            gate.clone(),
        );
        let first = frame(r#"{"jsonrpc":"2.0","id":1,"method":"initialize","params":{}}"#);
        let mut buf = vec![0u8; first.len()];
        r.read_exact(&mut buf).await.unwrap();
        assert_eq!(buf, first.as_bytes());
        let mut one = [0u8; 1];
        let held =
            tokio::time::timeout(std::time::Duration::from_millis(50), r.read(&mut one)).await;
        assert!(held.is_err(), "held until initialize is answered");
        gate.open();
        let mut rest = Vec::new();
        r.read_to_end(&mut rest).await.unwrap();
        assert_eq!(
            format!("{first}{}", String::from_utf8(rest).unwrap()),
            input
        );
        assert!(gate.shutdown_seen());
    }

    async fn read_all(input: &[u8]) -> String {
        let gate = Arc::new(Gate::default());
        gate.open();
        let mut r = GatedReader::new(std::io::Cursor::new(input.to_vec()), gate);
        let mut out = Vec::new();
        r.read_to_end(&mut out).await.unwrap();
        String::from_utf8(out).unwrap()
    }

    /// Bodies of the frames in `s`.
    fn bodies(s: &str) -> Vec<serde_json::Value> {
        let mut out = Vec::new();
        let mut rest = s;
        while let Some(r) = rest.strip_prefix("Content-Length: ") {
            let (n, r) = r.split_once("\r\n\r\n").unwrap();
            let n: usize = n.parse().unwrap();
            out.push(serde_json::from_str(&r[..n]).unwrap());
            rest = &r[n..];
        }
        assert!(rest.is_empty(), "left: {rest:?}");
        out
    }

    #[tokio::test]
    async fn malformed_input_becomes_invalid_message_notifications() {
        let good = r#"{"jsonrpc":"2.0","method":"initialized","params":{}}"#;
        let cases: Vec<(Vec<u8>, Vec<&str>)> = vec![
            (
                b"Bogus: 1\r\n\r\n{}garbage".to_vec(),
                vec!["nianbao/invalidMessage"],
            ),
            (
                format!("Content-Length: abc\r\n\r\n{{}}{}", frame(good)).into_bytes(),
                vec!["nianbao/invalidMessage", "initialized"],
            ),
            (
                format!("junk{}", frame(good)).into_bytes(),
                vec!["nianbao/invalidMessage", "initialized"],
            ),
            (
                format!("{}{}", frame("{not json"), frame(good)).into_bytes(),
                vec!["nianbao/invalidMessage", "initialized"],
            ),
            (
                format!("{}{}", frame(r#"{"id":7,"method":"x"}"#), frame("[1]")).into_bytes(),
                vec!["nianbao/invalidRequest", "nianbao/invalidMessage"],
            ),
            (
                format!(
                    "content-length: 2\r\nContent-Type: application/json\r\n\r\n{{}}{}",
                    frame(good)
                )
                .into_bytes(),
                vec!["nianbao/invalidMessage", "initialized"],
            ),
            (
                format!("Content-Length: {}\r\n\r\n{{", MAX_BODY + 1).into_bytes(),
                vec!["nianbao/invalidMessage"],
            ),
            (b"Content-Length: 40\r\n\r\n{}".to_vec(), vec![]),
        ];
        for (input, want) in cases {
            let out = read_all(&input).await;
            let got: Vec<String> = bodies(&out)
                .iter()
                .map(|b| b["method"].as_str().unwrap_or("").to_string())
                .collect();
            assert_eq!(got, want, "{:?}", String::from_utf8_lossy(&input));
        }
        let out = read_all(frame(r#"{"id":7,"method":"x"}"#).as_bytes()).await;
        assert_eq!(bodies(&out)[0]["id"], 7);
    }

    #[tokio::test]
    async fn lone_surrogates_and_invalid_utf8_are_replaced_and_logged() {
        let open = r#"{"jsonrpc":"2.0","method":"textDocument/didOpen","params":{"textDocument":{"uri":"file:///a.md","languageId":"markdown","version":1,"text":"a\udc00b\ud83d\ude00c\\udc00"}}}"#;
        let out = bodies(&read_all(frame(open).as_bytes()).await);
        assert_eq!(out.len(), 2, "{out:?}");
        assert_eq!(out[0]["method"], "textDocument/didOpen");
        // The lone one replaced; the pair (😀) and the escaped backslash kept.
        assert_eq!(
            out[0]["params"]["textDocument"]["text"],
            "a\u{fffd}b\u{1f600}c\\udc00"
        );
        assert_eq!(out[1]["method"], "nianbao/repairedMessage");
        assert_eq!(out[1]["params"]["replaced"], 1);
        assert_eq!(out[1]["params"]["uri"], "file:///a.md");

        let mut bad =
            br#"{"jsonrpc":"2.0","id":3,"method":"nianbao/documentText","params":{"uri":"file:///"#
                .to_vec();
        bad.extend_from_slice(b"\xff\xfe.md\"}}");
        let mut input = format!("Content-Length: {}\r\n\r\n", bad.len()).into_bytes();
        input.extend_from_slice(&bad);
        let out = bodies(&read_all(&input).await);
        assert_eq!(out[0]["id"], 3);
        assert_eq!(out[0]["params"]["uri"], "file:///\u{fffd}\u{fffd}.md");
        assert_eq!(out[1]["params"]["replaced"], 2);
    }

    #[tokio::test]
    async fn a_request_too_deep_to_decode_still_gets_its_error() {
        let deep = format!(
            r#"{{"jsonrpc":"2.0","id":"deep","method":"textDocument/hover","params":{}{}}}"#,
            "[".repeat(100_000),
            "]".repeat(100_000)
        );
        let out = bodies(&read_all(frame(&deep).as_bytes()).await);
        assert_eq!(out.len(), 1);
        assert_eq!(out[0]["method"], "nianbao/invalidRequest");
        assert_eq!(out[0]["id"], "deep");
        // A broken didChange names its document, for the server to mark it.
        let change = r#"{"jsonrpc":"2.0","method":"textDocument/didChange","params":{"textDocument":{"uri":"file:///b.md","version":2},"contentChanges":[{"text":"x"}]"#;
        let out = bodies(&read_all(frame(change).as_bytes()).await);
        assert_eq!(out[0]["method"], "nianbao/invalidMessage");
        assert_eq!(out[0]["params"]["method"], "textDocument/didChange");
        assert_eq!(out[0]["params"]["uri"], "file:///b.md");
    }

    #[tokio::test]
    async fn the_writer_counts_apply_edit_requests_split_across_writes() {
        use tokio::io::AsyncWriteExt;
        let gate = Arc::new(Gate::default());
        let mut w = CountingWriter::new(Vec::new(), gate.clone());
        let msg = frame(r#"{"jsonrpc":"2.0","method":"workspace/applyEdit","params":{},"id":1}"#);
        let (a, b) = msg.split_at(30);
        w.write_all(a.as_bytes()).await.unwrap();
        assert_eq!(gate.apply_edits_written.count(), 0);
        w.write_all(b.as_bytes()).await.unwrap();
        assert_eq!(gate.apply_edits_written.count(), 1);
        w.write_all(frame(r#"{"jsonrpc":"2.0","method":"window/logMessage","params":{"message":"workspace/applyEdit failed"}}"#).as_bytes())
            .await
            .unwrap();
        w.write_all(msg.as_bytes()).await.unwrap();
        assert_eq!(gate.apply_edits_written.count(), 2);
    }
}
