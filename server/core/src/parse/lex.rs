//! Line-level lexing: label normalisation, numbers, and splitting a table line
//! into tokens whatever its layout (pipes, tabs, spaces, one cell per line).

use crate::model::{Cell, NumStyle, Value};
use crate::text::TextRange;

/// Characters treated as spacing (PDF and Word text carry NBSP, en spaces, ideographic spaces, form feeds):
/// Unicode `White_Space` (as [`char::is_whitespace`]) plus the zero-width space and the BOM,
/// spelled out so that no Unicode table is looked up.
#[inline]
pub fn is_space(c: char) -> bool {
    matches!(
        c,
        '\t'..='\r'
            | ' '
            | '\u{0085}'
            | '\u{00a0}'
            | '\u{1680}'
            | '\u{2000}'..='\u{200b}'
            | '\u{2028}'
            | '\u{2029}'
            | '\u{202f}'
            | '\u{205f}'
            | '\u{3000}'
            | '\u{feff}'
    )
}

/// Normalised text plus, for every normalised char, the byte offset in the source
/// where it came from (and one extra entry: the end).
pub struct Normalized {
    pub text: String,
    /// `offsets[i]` = source byte offset of the i-th *byte* of `text`'s char starting there.
    pub map: Vec<(usize, usize)>, // (normalised byte offset, source byte offset)
    pub end: usize,
}

impl Normalized {
    /// Source byte offset of a normalised byte offset.
    pub fn source(&self, norm_offset: usize) -> usize {
        match self.map.binary_search_by_key(&norm_offset, |&(n, _)| n) {
            Ok(i) => self.map[i].1,
            Err(i) if i < self.map.len() => self.map[i].1,
            Err(_) => self.end,
        }
    }
    /// Source byte offset just after the char that ends at `norm_end`.
    pub fn source_end(&self, norm_end: usize, src: &str) -> usize {
        if norm_end == 0 {
            return self.source(0);
        }
        // find the char that ends at norm_end
        let i = match self.map.binary_search_by_key(&norm_end, |&(n, _)| n) {
            Ok(i) | Err(i) => i,
        };
        let (_, start) = self.map[i - 1];
        start + src[start..].chars().next().map(char::len_utf8).unwrap_or(0)
    }
}

/// Map one char to its normalised form (None: dropped).
pub fn norm_char(c: char) -> Option<char> {
    if is_space(c) || c == '*' || c == '#' || c == '|' {
        return None;
    }
    Some(match c {
        '（' | '﹙' => '(',
        '）' | '﹚' => ')',
        '．' => '.',
        '，' => ',',
        '：' => ':',
        '；' => ';',
        '钩' => '勾',
        '０'..='９' => char::from_u32(c as u32 - '０' as u32 + '0' as u32).unwrap(),
        _ => c,
    })
}

/// Normalise `src[range]`: drop spaces and markup, unify brackets, digits, 勾/钩, and
/// "1、" to "1.".
pub fn normalize(src: &str, range: TextRange) -> Normalized {
    let mut text = String::with_capacity(range.len());
    let mut map = Vec::with_capacity(range.len() / 2);
    let mut prev_digit = false;
    for (i, c) in src[range.start..range.end].char_indices() {
        let Some(mut n) = norm_char(c) else { continue };
        if n == '、' && prev_digit {
            n = '.';
        }
        prev_digit = n.is_ascii_digit();
        map.push((text.len(), range.start + i));
        text.push(n);
    }
    Normalized {
        text,
        map,
        end: range.end,
    }
}

/// The normalised text of `s` (as [`normalize`], without the offset map).
pub fn norm_str(s: &str) -> String {
    let mut text = String::with_capacity(s.len());
    norm_into(s, &mut text);
    text
}

/// Append the normalised text of `s` to `text`.
pub fn norm_into(s: &str, text: &mut String) {
    let mut prev_digit = false;
    for c in s.chars() {
        let Some(mut n) = norm_char(c) else { continue };
        if n == '、' && prev_digit {
            n = '.';
        }
        prev_digit = n.is_ascii_digit();
        text.push(n);
    }
}

/// Is this char CJK (a Han character)?
pub fn is_han(c: char) -> bool {
    matches!(c as u32, 0x3400..=0x4dbf | 0x4e00..=0x9fff | 0xf900..=0xfaff | 0x20000..=0x3134f)
}

/// Parse a number cell. `None`: not a number.
pub fn parse_number(s: &str, offset: usize) -> Option<(Value, TextRange, NumStyle)> {
    let t = s.trim_matches(is_space);
    let lead = s.len() - s.trim_start_matches(is_space).len();
    let start = offset + lead;
    let mut style = NumStyle::default();
    let mut chars = t.char_indices().peekable();
    let mut neg = false;
    let mut digits_start = 0;
    if let Some(&(_, c)) = chars.peek() {
        if matches!(c, '-' | '－' | '−' | '+' | '＋') {
            neg = !matches!(c, '+' | '＋');
            chars.next();
            digits_start = c.len_utf8();
        }
    }
    // The digits are read in place: the value of the integer part (None once it
    // overflows), how many digits each part has.
    let mut int: Option<i64> = Some(0);
    let mut int_digits = 0usize;
    let mut frac: Option<usize> = None;
    let mut end = digits_start;
    let mut last_was_sep = false;
    // Thousands separators: a first group of one to three digits, then groups of
    // exactly three ("1,234,567"); "1,2,3,4" is a list, not a number.
    let mut group_digits = 0usize;
    while let Some(&(i, c)) = chars.peek() {
        let d = match c {
            '0'..='9' => Some(c as u32 - '0' as u32),
            '０'..='９' => {
                style.fullwidth = true;
                Some(c as u32 - '０' as u32)
            }
            _ => None,
        };
        if let Some(d) = d {
            match &mut frac {
                Some(f) => *f += 1,
                None => {
                    int_digits += 1;
                    group_digits += 1;
                    int = int
                        .and_then(|v| v.checked_mul(10))
                        .and_then(|v| v.checked_add(d as i64));
                }
            }
            last_was_sep = false;
            end = i + c.len_utf8();
            chars.next();
            continue;
        }
        if matches!(c, ',' | '，') && frac.is_none() && int_digits > 0 {
            if group_digits > 3 || (style.thousands && group_digits != 3) {
                return None;
            }
            group_digits = 0;
            style.thousands = true;
            last_was_sep = true;
            chars.next();
            continue;
        }
        if matches!(c, '.' | '．') && frac.is_none() && int_digits > 0 {
            if style.thousands && group_digits != 3 {
                return None;
            }
            frac = Some(0);
            last_was_sep = true;
            chars.next();
            continue;
        }
        break;
    }
    if int_digits == 0 || last_was_sep || (style.thousands && frac.is_none() && group_digits != 3) {
        return None;
    }
    let rest = t[end..].trim_start_matches(is_space);
    if !(rest.is_empty() || matches!(rest, "件" | "万元" | "元" | "个" | "条" | "次" | "人次"))
    {
        return None;
    }
    let range = TextRange::new(start + digits_start, start + end);
    let value = match frac {
        Some(f) if f > 0 => {
            // "-1,234.50" → "-1234.50": the digits in ASCII, the point kept.
            let mut text = String::with_capacity(end - digits_start + 1);
            if neg {
                text.push('-');
            }
            for c in t[digits_start..end].chars() {
                match c {
                    '0'..='9' => text.push(c),
                    '０'..='９' => text.push(char::from(b'0' + (c as u32 - '０' as u32) as u8)),
                    '.' | '．' => text.push('.'),
                    _ => {}
                }
            }
            let value: f64 = text.parse().ok()?;
            Value::Decimal { text, value }
        }
        _ => {
            let v = int?;
            Value::Int {
                value: if neg { -v } else { v },
            }
        }
    };
    Some((value, range, style))
}

/// The value of a count typed out in Chinese numerals: "三", "十二", "叁拾",
/// "一百零五", "两千", "一万二千"; `None` for anything else (a numeral among
/// other text, a unit without a digit after 零…).
pub fn chinese_number(s: &str) -> Option<i64> {
    fn digit(c: char) -> Option<i64> {
        Some(match c {
            '零' | '〇' => 0,
            '一' | '壹' => 1,
            '二' | '两' | '贰' | '貳' => 2,
            '三' | '叁' | '參' => 3,
            '四' | '肆' => 4,
            '五' | '伍' => 5,
            '六' | '陆' | '陸' => 6,
            '七' | '柒' => 7,
            '八' | '捌' => 8,
            '九' | '玖' => 9,
            _ => return None,
        })
    }
    fn unit(c: char) -> Option<i64> {
        Some(match c {
            '十' | '拾' => 10,
            '百' | '佰' => 100,
            '千' | '仟' => 1000,
            _ => return None,
        })
    }
    let t = s.trim_matches(is_space);
    if t.is_empty() || t.chars().count() > 16 {
        return None;
    }
    // total: finished 万 groups; section: the current group below 万; pending: the last digit.
    let (mut total, mut section, mut pending): (i64, i64, Option<i64>) = (0, 0, None);
    let mut last_unit = i64::MAX;
    for c in t.chars() {
        if let Some(d) = digit(c) {
            if pending.is_some() {
                return None; // "三三", "三零": digits without a unit between them
            }
            pending = if d == 0 { None } else { Some(d) };
        } else if let Some(u) = unit(c) {
            if u >= last_unit {
                return None; // "十百"
            }
            // "十二": a leading 十 is one ten.
            let d = match pending.take() {
                Some(d) => d,
                None if section == 0 && total == 0 && u == 10 => 1,
                None => return None,
            };
            section += d * u;
            last_unit = u;
        } else if c == '万' || c == '萬' {
            section += pending.take().unwrap_or(0);
            if section == 0 || total != 0 {
                return None;
            }
            total = section * 10_000;
            section = 0;
            last_unit = i64::MAX;
        } else {
            return None;
        }
    }
    let value = total + section + pending.unwrap_or(0);
    // "零" alone is 0; an empty reading ("零零") is not a number either way.
    (value > 0 || t.chars().all(|c| c == '零' || c == '〇') && t.chars().count() == 1)
        .then_some(value)
}

/// A cell of text where a number belongs: a count typed out in Chinese numerals
/// is read as that number (its style says so), anything else is text.
pub fn text_cell(src: &str, range: TextRange, in_pipe_row: bool) -> Cell {
    let text = &src[range.start..range.end];
    match chinese_number(text) {
        Some(value) => Cell {
            range,
            number_range: range,
            value: Value::Int { value },
            style: NumStyle {
                chinese: true,
                ..NumStyle::default()
            },
            in_pipe_row,
        },
        None => Cell {
            range,
            number_range: range,
            value: Value::Text {
                text: text.to_string(),
            },
            style: NumStyle::default(),
            in_pipe_row,
        },
    }
}

/// Placeholders people put where a count belongs.
pub fn is_marker(t: &str) -> bool {
    matches!(
        t,
        "/" | "／"
            | "\\"
            | "无"
            | "空"
            | "N/A"
            | "n/a"
            | "NA"
            | "-"
            | "－"
            | "--"
            | "－－"
            | "×"
            | "x"
            | "X"
    ) || (!t.is_empty() && t.chars().all(|c| matches!(c, '—' | '–' | '-' | '－' | '─')))
}

#[derive(Clone, Debug, PartialEq)]
pub enum TokKind {
    Label,
    /// A value cell (number, placeholder, blank, or text in a value position).
    Value(Cell),
}

#[derive(Clone, Debug, PartialEq)]
pub struct Token {
    pub range: TextRange,
    pub kind: TokKind,
    pub line: usize,
    /// The token is a whole cell of a delimited row.
    pub delimited: bool,
    /// A blank cell on a line that carries no value.
    pub header_blank: bool,
}

/// How a line splits.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LineKind {
    Pipe,
    Tab,
    Space,
}

/// A page number line from PDF text ("-3-", "- 4 -", "第 3 页").
pub fn is_page_number(line: &str) -> bool {
    let t = line.trim_matches(is_space);
    if t.is_empty() || t.len() > 32 {
        return false;
    }
    // Without its spacing (at most 32 bytes: no allocation).
    let mut buf = [0u8; 32];
    let mut n = 0;
    for c in t.chars().filter(|c| !is_space(*c)) {
        n += c.encode_utf8(&mut buf[n..]).len();
    }
    let t = std::str::from_utf8(&buf[..n]).expect("whole chars");
    if t.is_empty() {
        return false;
    }
    let inner = t
        .trim_start_matches(['-', '—', '－'])
        .trim_end_matches(['-', '—', '－']);
    let dashed = t.starts_with(['-', '—', '－'])
        && t.ends_with(['-', '—', '－'])
        && !inner.is_empty()
        && inner.chars().all(|c| c.is_ascii_digit());
    let page = t.starts_with('第')
        && t.ends_with('页')
        && t[3..t.len() - 3].chars().all(|c| c.is_ascii_digit());
    dashed || page
}

/// A Markdown table alignment row (`|---|:--:|`).
pub fn is_alignment_row(line: &str) -> bool {
    let t = line.trim_matches(is_space);
    t.contains('-') && t.chars().all(|c| matches!(c, '|' | '-' | ':' | ' ' | '\t'))
}

fn value_cell(text: &str, offset: usize, in_pipe_row: bool) -> Option<Cell> {
    let trimmed = text.trim_matches(is_space);
    let lead = text.len() - text.trim_start_matches(is_space).len();
    let range = if trimmed.is_empty() {
        TextRange::new(offset, offset + text.len())
    } else {
        TextRange::new(offset + lead, offset + lead + trimmed.len())
    };
    if trimmed.is_empty() {
        return Some(Cell {
            range,
            number_range: range,
            value: Value::Blank,
            style: NumStyle::default(),
            in_pipe_row,
        });
    }
    // Only a sign or a digit can start a number: labels skip the number parser.
    let numeric = trimmed.starts_with(|c: char| {
        c.is_ascii_digit() || matches!(c, '０'..='９' | '-' | '－' | '−' | '+' | '＋')
    });
    if let Some((value, number_range, style)) =
        numeric.then(|| parse_number(text, offset)).flatten()
    {
        return Some(Cell {
            range,
            number_range,
            value,
            style,
            in_pipe_row,
        });
    }
    if is_marker(trimmed) {
        return Some(Cell {
            range,
            number_range: range,
            value: Value::Text {
                text: trimmed.to_string(),
            },
            style: NumStyle::default(),
            in_pipe_row,
        });
    }
    None
}

/// Split one line (`src[range]`, line number `line`) into tokens.
pub fn tokenize_line(src: &str, range: TextRange, line: usize, out: &mut Vec<Token>) -> LineKind {
    let text = &src[range.start..range.end];
    let (kind, sep) = if text.contains('|') {
        (LineKind::Pipe, '|')
    } else if text.contains('\t')
        && text
            .split('\t')
            .filter(|p| !p.trim_matches(is_space).is_empty())
            .count()
            >= 2
    {
        (LineKind::Tab, '\t')
    } else {
        (LineKind::Space, ' ')
    };
    if kind == LineKind::Space {
        let mut start = None;
        let push = |s: usize, e: usize, out: &mut Vec<Token>| {
            let piece = &src[s..e];
            let r = TextRange::new(s, e);
            match value_cell(piece, s, false) {
                Some(cell) => out.push(Token {
                    range: r,
                    kind: TokKind::Value(cell),
                    line,
                    delimited: false,
                    header_blank: false,
                }),
                None => out.push(Token {
                    range: r,
                    kind: TokKind::Label,
                    line,
                    delimited: false,
                    header_blank: false,
                }),
            }
        };
        for (i, c) in text.char_indices() {
            let at = range.start + i;
            if is_space(c) {
                if let Some(s) = start.take() {
                    push(s, at, out);
                }
            } else if start.is_none() {
                start = Some(at);
            }
        }
        if let Some(s) = start {
            push(s, range.end, out);
        }
        return kind;
    }
    // Delimited: cells between separators.
    let mut pieces: Vec<(usize, usize)> = Vec::new();
    let mut s = range.start;
    for (i, c) in text.char_indices() {
        if c == sep {
            pieces.push((s, range.start + i));
            s = range.start + i + 1;
        }
    }
    pieces.push((s, range.end));
    if kind == LineKind::Pipe {
        // Outer pipes leave an empty piece at either end: not a cell.
        if pieces
            .first()
            .map(|&(a, b)| src[a..b].trim_matches(is_space).is_empty())
            .unwrap_or(false)
            && text.trim_start_matches(is_space).starts_with('|')
        {
            pieces.remove(0);
        }
        if pieces
            .last()
            .map(|&(a, b)| src[a..b].trim_matches(is_space).is_empty())
            .unwrap_or(false)
            && text.trim_end_matches(is_space).ends_with('|')
        {
            pieces.pop();
        }
    }
    let first_len = out.len();
    let mut seen_value = false;
    let pipe = kind == LineKind::Pipe;
    for (a, b) in pieces {
        let piece = &src[a..b];
        let r = TextRange::new(a, b);
        let trimmed = piece.trim_matches(is_space);
        let cell = value_cell(piece, a, pipe);
        match cell {
            Some(c) if !matches!(c.value, Value::Blank) => {
                seen_value = true;
                out.push(Token {
                    range: c.range,
                    kind: TokKind::Value(c),
                    line,
                    delimited: true,
                    header_blank: false,
                });
            }
            Some(c) => out.push(Token {
                range: r,
                kind: TokKind::Value(c),
                line,
                delimited: true,
                header_blank: false,
            }),
            None if seen_value => {
                // Text where a number belongs.
                let lead = piece.len() - piece.trim_start_matches(is_space).len();
                let cr = TextRange::new(a + lead, a + lead + trimmed.len());
                let c = text_cell(src, cr, pipe);
                out.push(Token {
                    range: cr,
                    kind: TokKind::Value(c),
                    line,
                    delimited: true,
                    header_blank: false,
                });
            }
            None => {
                let lead = piece.len() - piece.trim_start_matches(is_space).len();
                out.push(Token {
                    range: TextRange::new(a + lead, a + lead + trimmed.len()),
                    kind: TokKind::Label,
                    line,
                    delimited: true,
                    header_blank: false,
                })
            }
        }
    }
    // Blank cells on lines without values are usually the empty cells of merged
    // headers: mark them so that only the row whose label sits on this line uses them.
    if !seen_value {
        for t in &mut out[first_len..] {
            if matches!(&t.kind, TokKind::Value(c) if c.value == Value::Blank) {
                t.header_blank = true;
            }
        }
    }
    kind
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers() {
        fn n(s: &str) -> Option<(Value, &str, bool, bool)> {
            parse_number(s, 0).map(|(v, r, st)| (v, &s[r.start..r.end], st.fullwidth, st.thousands))
        }
        assert_eq!(
            n("12"),
            Some((Value::Int { value: 12 }, "12", false, false))
        );
        assert_eq!(
            n(" １２ "),
            Some((Value::Int { value: 12 }, "１２", true, false))
        );
        assert_eq!(
            n("1,234件"),
            Some((Value::Int { value: 1234 }, "1,234", false, true))
        );
        assert_eq!(n("-3"), Some((Value::Int { value: -3 }, "3", false, false)));
        assert!(matches!(
            n("7730.28"),
            Some((Value::Decimal { .. }, "7730.28", _, _))
        ));
        assert_eq!(n("1."), None);
        assert_eq!(n("1.属于国家秘密"), None);
        assert_eq!(n("行政规范性文件693665"), None);
        // thousands separators group three digits; anything else is a list
        assert_eq!(
            n("12,345,678"),
            Some((Value::Int { value: 12345678 }, "12,345,678", false, true))
        );
        assert!(matches!(
            n("1,234.50"),
            Some((Value::Decimal { .. }, "1,234.50", _, true))
        ));
        for list in [
            "1,2,3,4", "1,2", "1234,567", "1,2345", "1，23", "12,34.5", "1,234,56",
        ] {
            assert_eq!(n(list), None, "{list}");
        }
    }

    #[test]
    fn chinese_numerals() {
        for (s, v) in [
            ("三", 3),
            ("叁", 3),
            ("十", 10),
            ("十二", 12),
            ("叁拾", 30),
            ("二十五", 25),
            ("一百零五", 105),
            ("一百二十", 120),
            ("两千", 2000),
            ("一万二千", 12000),
            ("零", 0),
            (" 七 ", 7),
        ] {
            assert_eq!(chinese_number(s), Some(v), "{s}");
        }
        for s in [
            "",
            "三三",
            "三零",
            "零零",
            "十百",
            "约3",
            "三人",
            "未统计",
            "三、",
            "万",
            "百",
        ] {
            assert_eq!(chinese_number(s), None, "{s}");
        }
    }

    #[test]
    fn normalisation() {
        assert_eq!(
            norm_str("（三） 不予公开 1、属于 国家秘密"),
            "(三)不予公开1.属于国家秘密"
        );
        assert_eq!(norm_str("本列数据的钩稽关系"), "本列数据的勾稽关系");
    }

    #[test]
    fn spacing_is_white_space_and_more() {
        for c in (0..=0x10ffffu32).filter_map(char::from_u32) {
            let old = c.is_whitespace()
                || matches!(
                    c,
                    '\u{00a0}'
                        | '\u{2002}'
                        | '\u{2003}'
                        | '\u{3000}'
                        | '\u{200b}'
                        | '\u{feff}'
                        | '\u{000c}'
                );
            assert_eq!(is_space(c), old, "{:?}", c);
        }
    }

    #[test]
    fn page_numbers() {
        assert!(is_page_number("  -3-"));
        assert!(is_page_number("- 4 -"));
        assert!(!is_page_number("-3"));
        assert!(!is_page_number("3"));
    }

    #[test]
    fn pipe_line_tokens() {
        let s = "规章 | 0 | | 3 | |";
        let mut out = Vec::new();
        tokenize_line(s, TextRange::new(0, s.len()), 0, &mut out);
        let kinds: Vec<String> = out
            .iter()
            .map(|t| match &t.kind {
                TokKind::Label => format!("L:{}", &s[t.range.start..t.range.end]),
                TokKind::Value(c) => format!("V:{:?}", c.value),
            })
            .collect();
        assert_eq!(
            kinds,
            vec![
                "L:规章",
                "V:Int { value: 0 }",
                "V:Blank",
                "V:Int { value: 3 }",
                "V:Blank"
            ]
        );
        // A row whose only value is blank keeps the blank, marked as such.
        let s = "行政强制 |  |";
        let mut out = Vec::new();
        tokenize_line(s, TextRange::new(0, s.len()), 0, &mut out);
        assert!(out.iter().any(|t| t.header_blank));
    }
}
