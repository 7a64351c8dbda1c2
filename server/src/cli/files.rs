//! Finding report files, reading them as UTF-8, and writing them back atomically.

use nianbao_core::diag::{Lang, Msg};
use std::fs;
use std::io::{self, Read, Write};
use std::path::{Path, PathBuf};

/// Extensions picked up when a folder is searched (compared case-insensitively).
pub const EXTENSIONS: &[&str] = &["md", "markdown", "txt", "docx", "html", "htm", "pdf"];

/// One input of `check`.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Input {
    Stdin,
    File(PathBuf),
}

impl Input {
    /// The path as shown in output (`-` for standard input).
    pub fn display(&self) -> String {
        match self {
            Input::Stdin => "-".to_string(),
            Input::File(p) => p.display().to_string(),
        }
    }
}

/// What collecting the inputs found.
#[derive(Debug, Default)]
pub struct Collected {
    /// Sorted by path, without duplicates.
    pub inputs: Vec<Input>,
    /// Paths that could not be read (message without the `nianbao: ` prefix).
    pub problems: Vec<(String, String)>,
    /// Folders that held no report file.
    pub empty_dirs: Vec<String>,
}

/// `io::Error`'s message without the trailing " (os error N)".
pub fn io_message(e: &io::Error) -> String {
    let s = e.to_string();
    match s.rfind(" (os error ") {
        Some(i) if s.ends_with(')') => s[..i].to_string(),
        _ => s,
    }
}

fn has_report_extension(path: &Path) -> bool {
    path.extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| EXTENSIONS.iter().any(|x| e.eq_ignore_ascii_case(x)))
}

fn is_hidden(name: &std::ffi::OsStr) -> bool {
    name.to_str().is_some_and(|n| n.starts_with('.'))
}

/// Walk `dir` recursively; symlinks to files are followed only when their target lies
/// inside `root` (the folder given on the command line, canonicalized), so that
/// `--fix` never writes outside the paths given; symlinks to folders are not
/// followed (no cycles, no escape).
fn walk(dir: &Path, root: &Path, out: &mut Vec<PathBuf>, problems: &mut Vec<(String, String)>) {
    let entries = match fs::read_dir(dir) {
        Ok(e) => e,
        Err(e) => {
            problems.push((
                dir.display().to_string(),
                format!("cannot read '{}': {}", dir.display(), io_message(&e)),
            ));
            return;
        }
    };
    let mut entries: Vec<fs::DirEntry> = entries.filter_map(Result::ok).collect();
    entries.sort_by_key(|e| e.file_name());
    for entry in entries {
        if is_hidden(&entry.file_name()) {
            continue;
        }
        let path = entry.path();
        let Ok(ft) = entry.file_type() else { continue };
        if ft.is_dir() {
            walk(&path, root, out, problems);
        } else if has_report_extension(&path)
            && (ft.is_file()
                || (ft.is_symlink()
                    && path.is_file()
                    && fs::canonicalize(&path).is_ok_and(|t| t.starts_with(root))))
        {
            out.push(path);
        }
    }
}

/// Expand the command-line paths into the inputs to check.
pub fn collect(paths: &[PathBuf]) -> Collected {
    let mut c = Collected::default();
    for p in paths {
        if p.as_os_str() == "-" {
            c.inputs.push(Input::Stdin);
            continue;
        }
        match fs::metadata(p) {
            Err(e) => c.problems.push((
                p.display().to_string(),
                format!("cannot read '{}': {}", p.display(), io_message(&e)),
            )),
            Ok(m) if m.is_dir() => {
                let mut found = Vec::new();
                let root = fs::canonicalize(p).unwrap_or_else(|_| p.clone());
                walk(p, &root, &mut found, &mut c.problems);
                if found.is_empty() {
                    c.empty_dirs.push(p.display().to_string());
                }
                c.inputs.extend(found.into_iter().map(Input::File));
            }
            Ok(_) => c.inputs.push(Input::File(p.clone())),
        }
    }
    c.inputs.sort();
    c.inputs.dedup();
    c
}

/// What identifies the file a path leads to, through symlinks and hard links:
/// `--fix` hands every path of one file to the same worker, in input order, so
/// that parallel runs rewrite it exactly as a sequential run does.
#[cfg(unix)]
pub type FileId = (u64, u64);
#[cfg(not(unix))]
pub type FileId = PathBuf;

/// The [`FileId`] of `path`, or `None` when it cannot be looked up (reading it then reports why).
pub fn file_id(path: &Path) -> Option<FileId> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        fs::metadata(path).ok().map(|m| (m.dev(), m.ino()))
    }
    #[cfg(not(unix))]
    {
        fs::canonicalize(path).ok()
    }
}

/// The encoding a report was read in, and is written back in by `--fix`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TextEncoding {
    Utf8,
    /// UTF-8 with a byte order mark.
    Utf8Bom,
    /// UTF-16 little-endian with a byte order mark.
    Utf16Le,
    /// UTF-16 big-endian with a byte order mark.
    Utf16Be,
    /// GB18030, which includes GBK and GB2312.
    Gb18030,
}

impl TextEncoding {
    /// The stable name used in JSON output (`"encoding"`) and in notes.
    pub fn as_str(self) -> &'static str {
        match self {
            TextEncoding::Utf8 => "utf-8",
            TextEncoding::Utf8Bom => "utf-8-bom",
            TextEncoding::Utf16Le => "utf-16le",
            TextEncoding::Utf16Be => "utf-16be",
            TextEncoding::Gb18030 => "gb18030",
        }
    }

    /// Human name for notes on standard error.
    pub fn describe(self) -> &'static str {
        match self {
            TextEncoding::Utf8 => "UTF-8",
            TextEncoding::Utf8Bom => "UTF-8 with BOM",
            TextEncoding::Utf16Le => "UTF-16LE with BOM",
            TextEncoding::Utf16Be => "UTF-16BE with BOM",
            TextEncoding::Gb18030 => "GB18030 (GBK)",
        }
    }

    /// Encode `text` (no BOM in it) back into this encoding, BOM included.
    pub fn encode(self, text: &str) -> Vec<u8> {
        match self {
            TextEncoding::Utf8 => text.as_bytes().to_vec(),
            TextEncoding::Utf8Bom => [b"\xEF\xBB\xBF".as_slice(), text.as_bytes()].concat(),
            TextEncoding::Utf16Le => {
                let mut out = vec![0xFF, 0xFE];
                out.extend(text.encode_utf16().flat_map(u16::to_le_bytes));
                out
            }
            TextEncoding::Utf16Be => {
                let mut out = vec![0xFE, 0xFF];
                out.extend(text.encode_utf16().flat_map(u16::to_be_bytes));
                out
            }
            TextEncoding::Gb18030 => {
                let (bytes, _, _) = encoding_rs::GB18030.encode(text);
                bytes.into_owned()
            }
        }
    }
}

/// A file's text, with what is needed to write it back as it was.
#[derive(Debug)]
pub struct Source {
    pub text: String,
    /// The file started with a UTF-8 byte order mark (stripped from `text`, restored on write).
    pub bom: bool,
    /// The encoding the bytes were decoded from.
    pub encoding: TextEncoding,
    /// Encoding `text` again gives back exactly the bytes read (always true for
    /// UTF-8 and UTF-16; for GB18030 a few GBK-only byte sequences do not survive).
    pub round_trips: bool,
    /// Of the bytes read, so that `--fix` can refuse to overwrite a file that
    /// changed on disk in between.
    pub fingerprint: Fingerprint,
    /// A .docx, HTML page or PDF: the reader's rendering (`text` is its text) and the
    /// file's bytes, which `--fix` writes back into.
    pub origin: Option<Box<Origin>>,
}

/// A file of another form than text, as read.
#[derive(Debug)]
pub struct Origin {
    pub rendering: nianbao_core::read::Rendering,
    pub bytes: Vec<u8>,
}

/// Length and hash of a file's bytes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Fingerprint {
    pub len: u64,
    pub hash: u64,
}

impl Fingerprint {
    pub fn of(bytes: &[u8]) -> Fingerprint {
        use std::hash::{Hash, Hasher};
        let mut h = std::collections::hash_map::DefaultHasher::new();
        bytes.hash(&mut h);
        Fingerprint {
            len: bytes.len() as u64,
            hash: h.finish(),
        }
    }
}

/// Read an input and decode it; the error is a complete message without the `nianbao: ` prefix.
///
/// The returned [`Source`] carries what writing the file back needs (its
/// encoding and the fingerprint of the bytes read); nothing is remembered
/// elsewhere, so any number of inputs can be read and written in parallel.
pub fn read(input: &Input, lang: Lang) -> Result<Source, String> {
    let display = input.display();
    let too_long = || {
        format!(
            "cannot read '{display}': more than {} MB, which no report is (not read further)",
            MAX_STREAM_BYTES >> 20
        )
    };
    let bytes = match input {
        Input::Stdin => read_bounded(io::stdin().lock())
            .map_err(|e| format!("cannot read standard input: {}", io_message(&e)))?
            .ok_or_else(too_long)?,
        Input::File(p) => {
            let cannot = |e: io::Error| format!("cannot read '{}': {}", display, io_message(&e));
            let file = fs::File::open(p).map_err(cannot)?;
            if file.metadata().map_err(cannot)?.is_file() {
                let mut bytes = Vec::new();
                (&file).read_to_end(&mut bytes).map_err(cannot)?;
                bytes
            } else {
                // A device, a FIFO, /dev/stdin: no length to trust, and maybe no end.
                read_bounded(file).map_err(cannot)?.ok_or_else(too_long)?
            }
        }
    };
    let name = match input {
        Input::File(p) => p.file_name().and_then(|n| n.to_str()),
        Input::Stdin => None,
    };
    match nianbao_core::read::Form::sniff(name, &bytes) {
        nianbao_core::read::Form::Text => {
            decode(bytes).map_err(|why| format!("cannot read '{display}': {why}"))
        }
        form => of_form(form, bytes, lang).map_err(|why| format!("cannot read '{display}': {why}")),
    }
}

/// A .docx, HTML page or PDF read by the core's reader of its form.
pub fn of_form(
    form: nianbao_core::read::Form,
    bytes: Vec<u8>,
    lang: Lang,
) -> Result<Source, String> {
    let rendering = nianbao_core::read::read(form, &bytes).map_err(|e| e.get(lang).to_string())?;
    Ok(Source {
        text: rendering.text.clone(),
        bom: false,
        encoding: TextEncoding::Utf8,
        round_trips: true,
        fingerprint: Fingerprint::of(&bytes),
        origin: Some(Box::new(Origin { rendering, bytes })),
    })
}

/// What is read at most from standard input, a device or a FIFO.
pub const MAX_STREAM_BYTES: u64 = 64 << 20;

/// All of `r`, or `None` when it holds more than [`MAX_STREAM_BYTES`].
fn read_bounded(r: impl Read) -> io::Result<Option<Vec<u8>>> {
    let mut bytes = Vec::new();
    r.take(MAX_STREAM_BYTES + 1).read_to_end(&mut bytes)?;
    Ok((bytes.len() as u64 <= MAX_STREAM_BYTES).then_some(bytes))
}

/// Formats that are certainly not a text report, by their first bytes.
const MAGIC: &[(&[u8], &str)] = &[
    (
        b"PK\x03\x04",
        "a zip archive (a .docx, .xlsx, .odt or .zip file)",
    ),
    (b"PK\x05\x06", "an empty zip archive"),
    (b"%PDF", "a PDF document"),
    (
        b"\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1",
        "an old Office document (.doc, .xls, .wps)",
    ),
    (b"\x89PNG", "a PNG image"),
    (b"\xFF\xD8\xFF", "a JPEG image"),
    (b"GIF8", "a GIF image"),
    (b"\x1F\x8B", "a gzip archive"),
    (b"Rar!", "a RAR archive"),
    (b"7z\xBC\xAF", "a 7-Zip archive"),
    (b"{\\rtf", "an RTF document"),
];

const SAVE_AS: &str = "save the report as plain text (.txt) or Markdown (.md)";

/// Decode a report: UTF-8 (with or without BOM), UTF-16 with a BOM, or GB18030/GBK.
/// Binary files (office documents, PDFs, archives, anything with NUL bytes) are refused.
pub fn decode(bytes: Vec<u8>) -> Result<Source, String> {
    let fingerprint = Fingerprint::of(&bytes);
    for (magic, what) in MAGIC {
        if bytes.starts_with(magic) {
            if magic.starts_with(b"\xD0\xCF") {
                return Err(format!(
                    "it is {what}, a binary format nianbao does not read: \
                     save it as .docx (请另存为 .docx: 文件 → 另存为 → Word 文档)"
                ));
            }
            return Err(format!("not a text file: it is {what}; {SAVE_AS}"));
        }
    }
    let utf16 = if bytes.starts_with(&[0xFF, 0xFE]) {
        Some((encoding_rs::UTF_16LE, TextEncoding::Utf16Le))
    } else if bytes.starts_with(&[0xFE, 0xFF]) {
        Some((encoding_rs::UTF_16BE, TextEncoding::Utf16Be))
    } else {
        None
    };
    if let Some((enc, which)) = utf16 {
        let body = &bytes[2..];
        if !body.len().is_multiple_of(2) {
            return Err(format!(
                "not valid {}: odd number of bytes; {SAVE_AS}",
                which.describe()
            ));
        }
        return match enc.decode_without_bom_handling_and_without_replacement(body) {
            Some(text) if !text.contains('\0') => Ok(Source {
                text: text.into_owned(),
                bom: false,
                encoding: which,
                round_trips: true,
                fingerprint,
                origin: None,
            }),
            Some(_) => Err(format!(
                "not a text file: it holds NUL characters; {SAVE_AS}"
            )),
            None => Err(format!(
                "not valid {} (unpaired surrogate); {SAVE_AS}",
                which.describe()
            )),
        };
    }
    if let Some(at) = bytes.iter().position(|b| *b == 0) {
        return Err(format!(
            "not a text file: NUL byte at byte offset {at} (binary data, or UTF-16 without a byte order mark); {SAVE_AS}"
        ));
    }
    let bom = bytes.starts_with(&[0xEF, 0xBB, 0xBF]);
    let body = if bom { &bytes[3..] } else { &bytes[..] };
    match std::str::from_utf8(body) {
        Ok(text) => {
            return Ok(Source {
                text: text.to_string(),
                bom,
                encoding: if bom {
                    TextEncoding::Utf8Bom
                } else {
                    TextEncoding::Utf8
                },
                round_trips: true,
                fingerprint,
                origin: None,
            })
        }
        Err(e) if bom => {
            let at = e.valid_up_to();
            let line = body[..at].iter().filter(|b| **b == b'\n').count() + 1;
            return Err(format!(
                "not valid UTF-8 although it starts with a UTF-8 byte order mark \
                 (invalid byte 0x{:02X} on line {line}, byte offset {})",
                body[at],
                at + 3
            ));
        }
        Err(_) => {}
    }
    match encoding_rs::GB18030.decode_without_bom_handling_and_without_replacement(&bytes) {
        Some(text) => {
            let round_trips = TextEncoding::Gb18030.encode(&text) == bytes;
            Ok(Source {
                text: text.into_owned(),
                bom: false,
                encoding: TextEncoding::Gb18030,
                round_trips,
                fingerprint,
                origin: None,
            })
        }
        None => {
            let at = std::str::from_utf8(&bytes)
                .err()
                .map_or(0, |e| e.valid_up_to());
            let line = bytes[..at].iter().filter(|b| **b == b'\n').count() + 1;
            Err(format!(
                "neither UTF-8, UTF-16 nor GB18030/GBK (not valid UTF-8 from byte 0x{:02X} \
                 on line {line}, byte offset {at}); save it as UTF-8",
                bytes[at]
            ))
        }
    }
}

fn refuse(msg: String) -> io::Error {
    io::Error::other(msg)
}

/// Check that `target` still holds exactly the bytes that were read from it.
pub fn unchanged_since_read(target: &Path, read: Fingerprint) -> io::Result<()> {
    let now = fs::read(target)?;
    if Fingerprint::of(&now) != read {
        return Err(refuse(
            "the file changed on disk after it was read; it was not overwritten \
             (run the command again)"
                .to_string(),
        ));
    }
    Ok(())
}

/// Why `--fix` may not rewrite a file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Refusal {
    pub message: String,
    /// The file is a device, a FIFO or standard input: not even read (reading
    /// would take what another reader expects, or never end).
    pub not_a_file: bool,
}

/// Why `--fix` may not rewrite the file at `path`, checked before it is read:
/// only a regular file is rewritten (not a device, a FIFO or anything under
/// /dev or /proc, such as /dev/stdin), only one the user may write (its
/// permissions are honoured even by root: a read-only file stays so), and only
/// one with a single name (replacing a file with hard links would cut the
/// rewritten name off the others).
pub fn refuse_to_fix(path: &Path, lang: Lang) -> Option<Refusal> {
    let m = fs::metadata(path).ok()?;
    let shown = path.display();
    let say = |zh: String, en: String, not_a_file: bool| {
        Some(Refusal {
            message: Msg::new(zh, en).get(lang).to_string(),
            not_a_file,
        })
    };
    if !m.is_file()
        || fs::canonicalize(path).is_ok_and(|c| c.starts_with("/dev") || c.starts_with("/proc"))
    {
        return say(
            format!("--fix 只改写普通文件：'{shown}' 不是（设备、管道或标准输入），未修复"),
            format!(
                "--fix rewrites only regular files: '{shown}' is not one (a device, FIFO or \
                 standard input); not fixed"
            ),
            true,
        );
    }
    // Opening it for writing (without truncating) asks the system what this user may do.
    if m.permissions().readonly() || fs::OpenOptions::new().write(true).open(path).is_err() {
        return say(
            format!("--fix 无法改写 '{shown}'：该文件对你是只读的，未修复"),
            format!("--fix cannot rewrite '{shown}': the file is read-only for you; not fixed"),
            false,
        );
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        if m.nlink() > 1 {
            let n = m.nlink();
            return say(
                format!(
                    "--fix 不改写 '{shown}'：它有 {n} 个硬链接，替换会使其他名称仍指向旧内容\
                     （请修复一个副本），未修复"
                ),
                format!(
                    "--fix does not rewrite '{shown}': it has {n} hard links, and replacing it \
                     would leave the other names with the old text (fix a copy); not fixed"
                ),
                false,
            );
        }
    }
    None
}

/// Replace the file at `path` with `contents` atomically: write a temporary file in
/// the same folder, then rename it over the original. A symlink is resolved so
/// that its target, not the link, is replaced.
///
/// The temporary file is created with the original's permissions (no moment
/// when others may read it that could not read the original) and, when run as
/// root, given the original's owner and group; its name is short, so that a
/// file name near the 255-byte limit still has room. See [`refuse_to_fix`] for
/// the files that are not rewritten at all (read-only, hard-linked, not regular).
///
/// When `read` is what [`read`] returned for `path`, `contents` is UTF-8 (with a
/// BOM when the original had one) and is written back in the original's
/// encoding, and the write is refused if the file changed on disk since it was read.
pub fn write_atomic(path: &Path, contents: &[u8], read: Option<&Source>) -> io::Result<()> {
    let contents: std::borrow::Cow<[u8]> = match read {
        Some(r) if !matches!(r.encoding, TextEncoding::Utf8 | TextEncoding::Utf8Bom) => {
            if !r.round_trips {
                return Err(refuse(format!(
                    "the file's {} bytes would not survive being written back unchanged; \
                     not overwritten (save it as UTF-8 to fix it)",
                    r.encoding.describe()
                )));
            }
            // Every character is kept, a U+FEFF at the start too (a GB18030 byte
            // order mark, or one after a UTF-16 byte order mark).
            let text = std::str::from_utf8(contents)
                .map_err(|_| refuse("internal error: fixed text is not UTF-8".to_string()))?;
            r.encoding.encode(text).into()
        }
        _ => contents.into(),
    };
    let target = if fs::symlink_metadata(path)?.file_type().is_symlink() {
        fs::canonicalize(path)?
    } else {
        path.to_path_buf()
    };
    if let Some(why) = refuse_to_fix(&target, Lang::En) {
        return Err(refuse(why.message));
    }
    let meta = fs::metadata(&target)?;
    let perms = meta.permissions();
    let dir = match target.parent() {
        Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
        _ => PathBuf::from("."),
    };
    let mut attempt = 0u32;
    let (tmp, mut file) = loop {
        let tmp = dir.join(format!(".nb{:x}-{attempt}.tmp", std::process::id()));
        let mut options = fs::OpenOptions::new();
        options.write(true).create_new(true);
        #[cfg(unix)]
        {
            use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
            // Never more open than the original, from the first byte on.
            options.mode(perms.mode() & 0o777);
        }
        match options.open(&tmp) {
            Ok(f) => break (tmp, f),
            Err(e) if e.kind() == io::ErrorKind::AlreadyExists && attempt < 100 => attempt += 1,
            Err(e) => return Err(e),
        }
    };
    let result = (|| {
        #[cfg(unix)]
        {
            use std::os::unix::fs::MetadataExt;
            if file.metadata()?.uid() != meta.uid() || file.metadata()?.gid() != meta.gid() {
                // Only root may give a file away; others keep what they can.
                let _ = std::os::unix::fs::fchown(&file, Some(meta.uid()), Some(meta.gid()))
                    .or_else(|_| std::os::unix::fs::fchown(&file, None, Some(meta.gid())));
            }
        }
        file.write_all(&contents)?;
        // The exact bits (the umask may have taken some; chown clears set-id bits).
        file.set_permissions(perms)?;
        file.sync_all()?;
        drop(file);
        #[cfg(test)]
        tests::before_rename_hook(&target);
        if let Some(r) = read {
            unchanged_since_read(&target, r.fingerprint)?;
        }
        fs::rename(&tmp, &target)
    })();
    if result.is_err() {
        let _ = fs::remove_file(&tmp);
    }
    result
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decodes_utf8_with_bom() {
        let s = decode(b"\xEF\xBB\xBFabc".to_vec()).unwrap();
        assert!(s.bom);
        assert_eq!(s.text, "abc");
    }

    type Hook = Box<dyn Fn(&Path)>;

    thread_local! {
        static HOOK: std::cell::RefCell<Option<Hook>> =
            const { std::cell::RefCell::new(None) };
    }

    /// Called by `write_atomic` just before it compares and renames (tests only).
    pub(super) fn before_rename_hook(target: &Path) {
        HOOK.with(|h| {
            if let Some(f) = h.borrow().as_ref() {
                f(target)
            }
        });
    }

    #[test]
    fn decodes_gbk_as_gb18030() {
        // "总计" in GBK
        let s = decode(b"ok\n\xD7\xDC\xBC\xC6".to_vec()).unwrap();
        assert_eq!(s.text, "ok\n总计");
        assert_eq!(s.encoding, TextEncoding::Gb18030);
        assert!(s.round_trips);
    }

    #[test]
    fn rejects_undecodable_bytes() {
        let e = decode(b"ok\n\x81\x20".to_vec()).unwrap_err();
        assert!(e.contains("GB18030"), "{e}");
        assert!(e.contains("line 2"), "{e}");
    }

    #[test]
    fn decodes_utf16_with_bom() {
        let le = TextEncoding::Utf16Le.encode("总计\r\n5");
        let s = decode(le.clone()).unwrap();
        assert_eq!(
            (s.text.as_str(), s.encoding),
            ("总计\r\n5", TextEncoding::Utf16Le)
        );
        assert_eq!(s.encoding.encode(&s.text), le);
        let be = TextEncoding::Utf16Be.encode("总计");
        assert_eq!(decode(be).unwrap().encoding, TextEncoding::Utf16Be);
        assert!(decode(vec![0xFF, 0xFE, 0x00, 0xD8]).is_err()); // lone surrogate
        assert!(decode(vec![0xFF, 0xFE, 0x41]).is_err()); // odd length
    }

    #[test]
    fn refuses_binary() {
        for (bytes, want) in [
            (&b"PK\x03\x04rest"[..], "zip"),
            (b"%PDF-1.7", "PDF"),
            (b"abc\0def", "NUL byte at byte offset 3"),
        ] {
            let e = decode(bytes.to_vec()).unwrap_err();
            assert!(e.contains("not a text file") && e.contains(want), "{e}");
        }
        // An old Office document is told to be saved as .docx, which nianbao reads.
        let e = decode(b"\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1".to_vec()).unwrap_err();
        assert!(
            e.contains("old Office document") && e.contains("save it as .docx"),
            "{e}"
        );
    }

    #[test]
    fn refuses_to_overwrite_a_file_changed_since_read() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("r.txt");
        fs::write(&path, "总计 5\n").unwrap();
        let src = read(&Input::File(path.clone()), Lang::Zh).unwrap();
        let other = path.clone();
        HOOK.with(|h| {
            *h.borrow_mut() = Some(Box::new(move |_: &Path| {
                fs::write(&other, "someone else's edit\n").unwrap();
            }))
        });
        let r = write_atomic(&path, src.text.replace('5', "4").as_bytes(), Some(&src));
        HOOK.with(|h| *h.borrow_mut() = None);
        let e = r.unwrap_err();
        assert!(e.to_string().contains("changed on disk"), "{e}");
        assert_eq!(fs::read_to_string(&path).unwrap(), "someone else's edit\n");
        // No temporary file left behind.
        assert_eq!(fs::read_dir(dir.path()).unwrap().count(), 1);
        // The compare function itself.
        let fp = Fingerprint::of(b"abc");
        fs::write(&path, "abc").unwrap();
        assert!(unchanged_since_read(&path, fp).is_ok());
        fs::write(&path, "abd").unwrap();
        assert!(unchanged_since_read(&path, fp).is_err());
    }

    #[test]
    fn io_message_drops_os_error() {
        let e = io::Error::from_raw_os_error(2);
        assert!(!io_message(&e).contains("os error"));
    }
}
