//! `NIANBAO_LSP_TRACE=<file>`: append every byte the server reads and writes to a file,
//! each chunk headed by its direction and the milliseconds since the server started.
//! For bug reports ("what did the editor send?"); off unless the variable is set.

use std::io::{self, Write};
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};
use std::time::Instant;
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};

#[derive(Clone)]
pub struct Trace {
    file: Arc<Mutex<std::fs::File>>,
    start: Instant,
}

impl Trace {
    /// The trace the environment asks for, if any (a file that cannot be opened: none).
    pub fn from_env() -> Option<Trace> {
        let path = std::env::var_os("NIANBAO_LSP_TRACE")?;
        Trace::to_file(std::path::Path::new(&path))
            .map_err(|e| eprintln!("nianbao: NIANBAO_LSP_TRACE {path:?}: {e}"))
            .ok()
    }

    /// Append to `path` (created if missing).
    pub fn to_file(path: &std::path::Path) -> io::Result<Trace> {
        let file = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(path)?;
        Ok(Trace {
            file: Arc::new(Mutex::new(file)),
            start: Instant::now(),
        })
    }

    fn record(&self, dir: &str, bytes: &[u8]) {
        let ms = self.start.elapsed().as_secs_f64() * 1000.0;
        let mut f = self.file.lock().unwrap_or_else(|e| e.into_inner());
        let _ = write!(f, "\n=={dir} {ms:.1}ms {}==\n", bytes.len());
        let _ = f.write_all(bytes);
    }
}

pub struct Traced<T> {
    inner: T,
    trace: Option<Trace>,
}

impl<T> Traced<T> {
    pub fn new(inner: T, trace: Option<Trace>) -> Self {
        Traced { inner, trace }
    }
}

impl<R: AsyncRead + Unpin> AsyncRead for Traced<R> {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        let before = buf.filled().len();
        let r = Pin::new(&mut self.inner).poll_read(cx, buf);
        if let (Poll::Ready(Ok(())), Some(t)) = (&r, &self.trace) {
            t.record("IN", &buf.filled()[before..]);
        }
        r
    }
}

impl<W: AsyncWrite + Unpin> AsyncWrite for Traced<W> {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        let r = Pin::new(&mut self.inner).poll_write(cx, buf);
        if let (Poll::Ready(Ok(n)), Some(t)) = (&r, &self.trace) {
            t.record("OUT", &buf[..*n]);
        }
        r
    }
    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_flush(cx)
    }
    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_shutdown(cx)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tokio::io::{AsyncReadExt, AsyncWriteExt};

    #[tokio::test]
    async fn both_directions_are_recorded_byte_for_byte() {
        let dir = std::env::temp_dir().join(format!("nianbao-trace-{}", std::process::id()));
        let _ = std::fs::remove_file(&dir);
        let trace = Trace::to_file(&dir).unwrap();
        let (client, server) = tokio::io::duplex(64);
        let (mut server_r, mut server_w) = tokio::io::split(server);
        let (mut client_r, mut client_w) = tokio::io::split(client);
        let mut r = Traced::new(&mut server_r, Some(trace.clone()));
        let mut w = Traced::new(&mut server_w, Some(trace));
        client_w.write_all("请求 in".as_bytes()).await.unwrap();
        let mut buf = [0u8; 9];
        r.read_exact(&mut buf).await.unwrap();
        w.write_all(b"answer").await.unwrap();
        let mut got = [0u8; 6];
        client_r.read_exact(&mut got).await.unwrap();
        assert_eq!(&got, b"answer");
        let log = std::fs::read_to_string(&dir).unwrap();
        let _ = std::fs::remove_file(&dir);
        let inn = log.find("==IN ").expect("an IN chunk");
        let out = log.find("==OUT ").expect("an OUT chunk");
        assert!(inn < out, "{log}");
        assert!(log.contains("9==\n请求 in"), "{log}");
        assert!(log.contains("6==\nanswer"), "{log}");
    }
}
