//! PDF: the text layer, handed to the parser's PDF-text readers.
//!
//! The text layer is extracted by poppler's `pdftotext -layout` (package poppler-utils),
//! run as a child process with the PDF on its standard input and a time limit. Why poppler
//! and not a Rust crate: its `-layout` mode keeps each table row on one line in fixed
//! columns, which is the form the parser's PDF-text readers are built and tested on
//! (`009_…txt` is its output), and it reads the CID fonts of Chinese PDFs (WPS, Word) well;
//! the pure-Rust extractors give the text without its columns.
//!
//! Places: each page's text (up to and with the form feed `pdftotext` ends it with) is at
//! [`Place::Page`].

use super::{Form, Place, ReadError, Rendering};
use crate::text::TextRange;
use std::ffi::OsStr;
use std::io::{Read, Write};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// The extractor's program: `pdftotext` on the `PATH`, or the one `NIANBAO_PDFTOTEXT` names.
pub const PROGRAM_ENV: &str = "NIANBAO_PDFTOTEXT";

/// How long the extractor may take for one PDF (a report of 30 pages takes well under a
/// second).
pub const TIMEOUT: Duration = Duration::from_secs(60);

/// Fewer visible characters than this in the whole text layer: the PDF has no text layer
/// (a scan, or pages of images).
const MIN_TEXT_CHARS: usize = 20;

pub fn read(bytes: &[u8]) -> Result<Rendering, ReadError> {
    let program = std::env::var_os(PROGRAM_ENV).unwrap_or_else(|| "pdftotext".into());
    read_with(bytes, &program, TIMEOUT)
}

/// [`read`] with a given extractor program and time limit.
pub fn read_with(bytes: &[u8], program: &OsStr, timeout: Duration) -> Result<Rendering, ReadError> {
    let out = extract(bytes, program, timeout)?;
    let text = String::from_utf8_lossy(&out).into_owned();
    let visible = text.chars().filter(|c| !c.is_whitespace()).count();
    if visible < MIN_TEXT_CHARS {
        return Err(ReadError::new(
            "该 PDF 没有文字层（可能是扫描件或图片）：需先做文字识别（OCR），再检查识别出的文本",
            "the PDF has no text layer (it may be a scan or images of pages): it needs OCR first; check the recognised text",
        ));
    }
    Ok(Rendering {
        form: Form::Pdf,
        places: pages(&text),
        text,
    })
}

/// Each page's range: up to and with its form feed; the last page to the end.
fn pages(text: &str) -> Vec<(TextRange, Place)> {
    let mut v = Vec::new();
    let mut start = 0;
    for (i, _) in text.match_indices('\u{c}') {
        v.push((
            TextRange::new(start, i + 1),
            Place::Page { page: v.len() + 1 },
        ));
        start = i + 1;
    }
    if start < text.len() {
        v.push((
            TextRange::new(start, text.len()),
            Place::Page { page: v.len() + 1 },
        ));
    }
    v
}

/// The output of `program -layout -enc UTF-8 - -` given `bytes`, or why there is none.
fn extract(bytes: &[u8], program: &OsStr, timeout: Duration) -> Result<Vec<u8>, ReadError> {
    let mut child = Command::new(program)
        .args(["-layout", "-enc", "UTF-8", "-", "-"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| {
            if e.kind() == std::io::ErrorKind::NotFound {
                ReadError::new(
                    format!(
                        "读取 PDF 需要 poppler 的 pdftotext，但未找到「{}」：请安装 poppler-utils（如 apt-get install poppler-utils、brew install poppler），或用 pdftotext -layout 导出文本后检查该文本",
                        program.to_string_lossy()
                    ),
                    format!(
                        "reading a PDF needs poppler's pdftotext, and '{}' was not found: install poppler-utils (e.g. apt-get install poppler-utils, brew install poppler), or extract the text with `pdftotext -layout` and check that",
                        program.to_string_lossy()
                    ),
                )
            } else {
                ReadError::new(
                    format!("无法运行 {}：{e}", program.to_string_lossy()),
                    format!("cannot run {}: {e}", program.to_string_lossy()),
                )
            }
        })?;
    // Feed and drain on threads of their own: a full pipe must never stall the other end.
    let mut stdin = child.stdin.take();
    let mut stdout = child.stdout.take();
    let mut stderr = child.stderr.take();
    let (out, err, status) = std::thread::scope(|s| {
        let feeder = s.spawn(move || {
            if let Some(mut w) = stdin.take() {
                // A tool that stops reading early (a broken PDF) closes the pipe: not our error.
                let _ = w.write_all(bytes);
            }
        });
        let reader = s.spawn(move || {
            let mut v = Vec::new();
            if let Some(r) = stdout.as_mut() {
                let _ = r.read_to_end(&mut v);
            }
            v
        });
        let err_reader = s.spawn(move || {
            let mut v = Vec::new();
            if let Some(r) = stderr.as_mut() {
                let _ = r.take(64 << 10).read_to_end(&mut v);
            }
            v
        });
        let started = Instant::now();
        let status = loop {
            match child.try_wait() {
                Ok(Some(st)) => break Ok(st),
                Ok(None) if started.elapsed() >= timeout => {
                    let _ = child.kill();
                    let _ = child.wait();
                    break Err(());
                }
                Ok(None) => std::thread::sleep(Duration::from_millis(2)),
                Err(_) => {
                    let _ = child.kill();
                    let _ = child.wait();
                    break Err(());
                }
            }
        };
        let _ = feeder.join();
        let out = reader.join().unwrap_or_default();
        let err = err_reader.join().unwrap_or_default();
        (out, err, status)
    });
    let Ok(status) = status else {
        return Err(ReadError::new(
            format!(
                "提取 PDF 文字超时（超过 {} 秒）：请用 pdftotext -layout 导出文本后检查该文本",
                timeout.as_secs()
            ),
            format!(
                "extracting the PDF's text took too long (over {} s): extract it with `pdftotext -layout` and check that",
                timeout.as_secs()
            ),
        ));
    };
    if !status.success() {
        let why = String::from_utf8_lossy(&err);
        let why = why
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty())
            .take(3)
            .collect::<Vec<_>>()
            .join("; ");
        return Err(ReadError::new(
            format!("无法读取该 PDF（文件可能已损坏或加密；pdftotext：{why}）"),
            format!("the PDF cannot be read (it may be damaged or encrypted; pdftotext: {why})"),
        ));
    }
    Ok(out)
}
