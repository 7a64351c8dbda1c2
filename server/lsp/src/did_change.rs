//! Document sync: didOpen, didChange (incremental), didClose.
//!
//! tower-lsp-server runs handlers concurrently, but starts them in the order the
//! messages arrived. Every handler here changes the document map synchronously,
//! before its first `.await`, so edits apply in the order received. The
//! analysis is queued to the push worker afterwards.

use super::encoding::{rope_char, Fit};
use super::server::Backend;
use nianbao_core::text::Encoding;
use tower_lsp_server::ls_types::*;

use super::document::Document;

/// Apply one didChange to a document. Returns messages to log (the change is
/// applied, clamped, or rejected — the document is never left half-edited).
pub fn apply_changes(
    doc: &mut Document,
    version: i32,
    changes: &[TextDocumentContentChangeEvent],
    enc: Encoding,
) -> Vec<(MessageType, String)> {
    let mut logs = Vec::new();
    if version <= doc.version {
        logs.push((
            MessageType::WARNING,
            format!(
                "didChange: version {version} is not newer than {}: change ignored",
                doc.version
            ),
        ));
        return logs;
    }
    for (i, change) in changes.iter().enumerate() {
        match change.range {
            None => {
                let old = doc.rope.len_bytes();
                doc.record_edit(0, old, &change.text);
                doc.rope = ropey::Rope::from_str(&change.text);
            }
            Some(range) => {
                let (mut start, fs) = rope_char(&doc.rope, range.start, enc);
                let (mut end, fe) = rope_char(&doc.rope, range.end, enc);
                for (fit, which, p) in [(fs, "start", range.start), (fe, "end", range.end)] {
                    match fit {
                        Fit::LineClamped => logs.push((
                            MessageType::WARNING,
                            format!(
                                "didChange v{version} change {i}: {which} {}:{} is past the end of the document ({} lines): clamped",
                                p.line,
                                p.character,
                                doc.rope.len_lines()
                            ),
                        )),
                        Fit::Snapped => logs.push((
                            MessageType::LOG,
                            format!("didChange v{version} change {i}: {which} {}:{} falls inside a character: moved to its start", p.line, p.character),
                        )),
                        Fit::ColumnClamped | Fit::Exact => {}
                    }
                }
                if start > end {
                    logs.push((
                        MessageType::WARNING,
                        format!("didChange v{version} change {i}: range end before start: swapped"),
                    ));
                    std::mem::swap(&mut start, &mut end);
                }
                let (sb, eb) = (doc.rope.char_to_byte(start), doc.rope.char_to_byte(end));
                doc.record_edit(sb, eb, &change.text);
                if start < end {
                    doc.rope.remove(start..end);
                }
                if !change.text.is_empty() {
                    doc.rope.insert(start, &change.text);
                }
            }
        }
    }
    doc.version = version;
    logs
}

pub async fn did_open(b: &Backend, p: DidOpenTextDocumentParams) {
    let uri = p.text_document.uri;
    {
        let mut docs = b.state.docs();
        docs.insert(
            uri.clone(),
            Document::new(
                &p.text_document.text,
                p.text_document.version,
                p.text_document.language_id,
            ),
        );
    }
    b.schedule(uri);
}

pub async fn did_change(b: &Backend, p: DidChangeTextDocumentParams) {
    let enc = b.state.caps().encoding;
    let uri = p.text_document.uri;
    let logs = {
        let mut docs = b.state.docs();
        match docs.get_mut(&uri) {
            Some(doc) => apply_changes(doc, p.text_document.version, &p.content_changes, enc),
            None => vec![(
                MessageType::WARNING,
                format!(
                    "didChange for a document that is not open: {}",
                    uri.as_str()
                ),
            )],
        }
    };
    b.schedule(uri);
    for (typ, msg) in logs {
        b.client.log_message(typ, msg).await;
    }
}

pub async fn did_close(b: &Backend, p: DidCloseTextDocumentParams) {
    let uri = p.text_document.uri;
    let left = {
        let mut docs = b.state.docs();
        docs.remove(&uri);
        super::memory::shrink_if_sparse(&mut *docs);
        docs.len()
    };
    // The worker clears the diagnostics it published for it.
    b.schedule(uri);
    super::memory::release(left);
}

#[cfg(test)]
mod tests {
    use super::*;

    fn change(l0: u32, c0: u32, l1: u32, c1: u32, text: &str) -> TextDocumentContentChangeEvent {
        TextDocumentContentChangeEvent {
            range: Some(Range {
                start: Position {
                    line: l0,
                    character: c0,
                },
                end: Position {
                    line: l1,
                    character: c1,
                },
            }),
            range_length: None,
            text: text.to_string(),
        }
    }

    #[test]
    fn incremental_edits_in_each_encoding() {
        for (enc, col) in [
            (Encoding::Utf8, 10),
            (Encoding::Utf16, 4),
            (Encoding::Utf32, 3),
        ] {
            let mut doc = Document::new("总计𠀀x\n第二行\n", 1, "markdown".into());
            let logs = apply_changes(&mut doc, 2, &[change(0, col, 0, col + 1, "12")], enc);
            assert!(logs.is_empty());
            assert_eq!(doc.rope.to_string(), "总计𠀀12\n第二行\n");
            assert_eq!(doc.version, 2);
        }
    }

    #[test]
    fn stale_and_out_of_range_edits_never_corrupt() {
        let mut doc = Document::new("abc\n", 5, "markdown".into());
        let logs = apply_changes(&mut doc, 5, &[change(0, 0, 0, 1, "X")], Encoding::Utf16);
        assert_eq!(logs.len(), 1);
        assert_eq!(doc.rope.to_string(), "abc\n");
        let logs = apply_changes(&mut doc, 6, &[change(9, 9, 12, 0, "!")], Encoding::Utf16);
        assert!(!logs.is_empty());
        assert_eq!(doc.rope.to_string(), "abc\n!");
        let logs = apply_changes(&mut doc, 7, &[change(0, 2, 0, 1, "")], Encoding::Utf16);
        assert!(!logs.is_empty());
        assert_eq!(doc.rope.to_string(), "ac\n!");
        // inside a surrogate pair: snapped to the char start
        let mut doc = Document::new("𠀀z", 1, "markdown".into());
        apply_changes(&mut doc, 2, &[change(0, 1, 0, 1, "y")], Encoding::Utf16);
        assert_eq!(doc.rope.to_string(), "y𠀀z");
    }
}
