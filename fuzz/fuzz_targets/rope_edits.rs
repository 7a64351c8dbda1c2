//! LSP-style incremental edits (line/column ranges, clamped like the server
//! does) applied to a ropey Rope and to a String must give the same text.
#![no_main]
use libfuzzer_sys::fuzz_target;

const ALPHABET: &[&str] = &["a", "总", "计", "𠀀", "\n", "\r\n", "\r", "|", "5", " ", "é"];

/// Char index of (line, UTF-16 column) in `s`, clamped to the line / document.
fn char_at(s: &str, line: usize, col16: usize) -> usize {
    let rope = ropey::Rope::from_str(s);
    let line = line.min(rope.len_lines().saturating_sub(1));
    let start = rope.line_to_char(line);
    let text = rope.line(line);
    let mut units = 0;
    let mut idx = start;
    for c in text.chars() {
        if c == '\n' || c == '\r' || units + c.len_utf16() > col16 {
            break;
        }
        units += c.len_utf16();
        idx += 1;
    }
    idx
}

fn byte_of_char(s: &str, ch: usize) -> usize {
    s.char_indices().nth(ch).map_or(s.len(), |(b, _)| b)
}

fuzz_target!(|data: &[u8]| {
    let mut rope = ropey::Rope::new();
    let mut string = String::new();
    for op in data.chunks(4) {
        let [a, b, c, d] = [0, 1, 2, 3].map(|i| op.get(i).copied().unwrap_or(0) as usize);
        // Both sides compute the range from the same (line, column) positions.
        let mut start = char_at(&string, a % 8, b % 12);
        let mut end = char_at(&string, (a / 8) % 8, c % 12);
        if start > end {
            std::mem::swap(&mut start, &mut end);
        }
        let insert: String = (0..d % 4).map(|k| ALPHABET[(d + k) % ALPHABET.len()]).collect();
        rope.remove(start..end);
        rope.insert(start, &insert);
        let (bs, be) = (byte_of_char(&string, start), byte_of_char(&string, end));
        string.replace_range(bs..be, &insert);
        assert_eq!(rope.len_chars(), string.chars().count());
    }
    assert_eq!(rope.to_string(), string);
    let lines = nianbao::text::LineIndex::new(&string);
    let _ = lines;
});
