//! The input side of the transport: a reader that passes LSP frames through
//! unchanged, but holds everything after `initialize` until the server has
//! answered it, and notes whether `shutdown` came before `exit`.
//!
//! tower-lsp-server checks the server state when it reads a message, and runs
//! handlers later: a client that writes its whole session at once (`printf … |
//! nianbao lsp`) would otherwise see `initialized`/`didOpen` dropped, `shutdown`
//! refused and `initialize` cancelled by `exit`. Real clients wait for the
//! initialize response anyway, so for them nothing changes.

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
    waker: Mutex<Option<Waker>>,
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
        }
    }
}

/// Length of the first complete frame in `buf` (headers + body), if there is one.
/// Headers without a usable Content-Length are released as they are.
fn frame_len(buf: &[u8]) -> Option<(usize, usize)> {
    let end = buf.windows(4).position(|w| w == b"\r\n\r\n")?;
    let headers = std::str::from_utf8(&buf[..end]).ok();
    let len = headers.and_then(|h| {
        h.split("\r\n").find_map(|line| {
            let (k, v) = line.split_once(':')?;
            k.trim()
                .eq_ignore_ascii_case("content-length")
                .then(|| v.trim().parse::<usize>().ok())
                .flatten()
        })
    });
    match len {
        Some(n) if buf.len() >= end + 4 + n => Some((end + 4, end + 4 + n)),
        Some(_) => None,
        None => Some((end + 4, end + 4)),
    }
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
            if let Some((body_start, end)) = frame_len(&this.pending) {
                let frame: Vec<u8> = this.pending.drain(..end).collect();
                if let Ok(m) = serde_json::from_slice::<MethodOnly>(&frame[body_start..]) {
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
                        _ => {}
                    }
                }
                this.out = frame;
                this.out_pos = 0;
                continue;
            }
            if this.eof {
                if this.pending.is_empty() {
                    return Poll::Ready(Ok(()));
                }
                this.out = std::mem::take(&mut this.pending);
                this.out_pos = 0;
                continue;
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

    #[tokio::test]
    async fn malformed_headers_pass_through() {
        let input = "Bogus: 1\r\n\r\n{}garbage".to_string();
        let gate = Arc::new(Gate::default());
        let mut r = GatedReader::new(std::io::Cursor::new(input.clone().into_bytes()), gate);
        let mut out = Vec::new();
        r.read_to_end(&mut out).await.unwrap();
        assert_eq!(out, input.as_bytes());
    }
}
