//! Finding report files, reading them as UTF-8, and writing them back atomically.

use std::fs;
use std::io::{self, Read, Write};
use std::path::{Path, PathBuf};

/// Extensions picked up when a folder is searched (compared case-insensitively).
pub const EXTENSIONS: &[&str] = &["md", "markdown", "txt"];

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

/// Walk `dir` recursively; symlinks to files are followed, symlinks to folders are not (no cycles).
fn walk(dir: &Path, out: &mut Vec<PathBuf>, problems: &mut Vec<(String, String)>) {
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
            walk(&path, out, problems);
        } else if has_report_extension(&path)
            && (ft.is_file() || (ft.is_symlink() && path.is_file()))
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
                walk(p, &mut found, &mut c.problems);
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

/// A file's text, with what is needed to write it back as it was.
#[derive(Debug)]
pub struct Source {
    pub text: String,
    /// The file started with a UTF-8 byte order mark (stripped from `text`, restored on write).
    pub bom: bool,
}

/// Read an input as UTF-8; the error is a complete message without the `nianbao: ` prefix.
pub fn read(input: &Input) -> Result<Source, String> {
    let display = input.display();
    let bytes = match input {
        Input::Stdin => {
            let mut buf = Vec::new();
            io::stdin()
                .lock()
                .read_to_end(&mut buf)
                .map_err(|e| format!("cannot read standard input: {}", io_message(&e)))?;
            buf
        }
        Input::File(p) => {
            fs::read(p).map_err(|e| format!("cannot read '{}': {}", display, io_message(&e)))?
        }
    };
    decode(bytes).map_err(|why| format!("cannot read '{display}': {why}"))
}

/// Decode bytes as UTF-8 (an optional BOM is stripped).
pub fn decode(bytes: Vec<u8>) -> Result<Source, String> {
    if bytes.starts_with(&[0xFF, 0xFE]) || bytes.starts_with(&[0xFE, 0xFF]) {
        return Err("the file is UTF-16 encoded; save it as UTF-8".to_string());
    }
    let bom = bytes.starts_with(&[0xEF, 0xBB, 0xBF]);
    let bytes = if bom { bytes[3..].to_vec() } else { bytes };
    match String::from_utf8(bytes) {
        Ok(text) => Ok(Source { text, bom }),
        Err(e) => {
            let at = e.utf8_error().valid_up_to();
            let bytes = e.as_bytes();
            let line = bytes[..at].iter().filter(|b| **b == b'\n').count() + 1;
            Err(format!(
                "not valid UTF-8 (invalid byte 0x{:02X} on line {line}, byte offset {}); \
                 the file may be GB18030/GBK encoded, which is not supported yet: save it as UTF-8",
                bytes[at],
                at + if bom { 3 } else { 0 }
            ))
        }
    }
}

/// Replace the file at `path` with `contents` atomically: write a temporary file in
/// the same folder, give it the original's permissions, then rename it over the
/// original. A symlink is resolved so that its target, not the link, is replaced.
pub fn write_atomic(path: &Path, contents: &[u8]) -> io::Result<()> {
    let target = if fs::symlink_metadata(path)?.file_type().is_symlink() {
        fs::canonicalize(path)?
    } else {
        path.to_path_buf()
    };
    let perms = fs::metadata(&target)?.permissions();
    let dir = match target.parent() {
        Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
        _ => PathBuf::from("."),
    };
    let name = target
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let mut attempt = 0u32;
    let (tmp, mut file) = loop {
        let tmp = dir.join(format!(
            ".{name}.nianbao-{}-{attempt}.tmp",
            std::process::id()
        ));
        match fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&tmp)
        {
            Ok(f) => break (tmp, f),
            Err(e) if e.kind() == io::ErrorKind::AlreadyExists && attempt < 100 => attempt += 1,
            Err(e) => return Err(e),
        }
    };
    let result = (|| {
        file.write_all(contents)?;
        file.sync_all()?;
        drop(file);
        fs::set_permissions(&tmp, perms)?;
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

    #[test]
    fn rejects_gbk() {
        // "总计" in GBK
        let e = decode(b"ok\n\xD7\xDC\xBC\xC6".to_vec()).unwrap_err();
        assert!(e.contains("not valid UTF-8"), "{e}");
        assert!(e.contains("line 2"), "{e}");
    }

    #[test]
    fn io_message_drops_os_error() {
        let e = io::Error::from_raw_os_error(2);
        assert!(!io_message(&e).contains("os error"));
    }
}
