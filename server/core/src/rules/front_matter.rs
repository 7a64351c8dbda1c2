//! What a report says about itself — its title and agency, its year, the 统计期限,
//! a contact — and the text helpers the rules that read prose share (NB108–NB114,
//! NB405, NB505): a region of the source read with its spacing dropped, since PDF
//! text breaks words and numbers over lines ("统计期限自 2024 年 1 月 1 日\n起至…",
//! "电\n话"), and the regions they scan (the opening, one section's body, the end).
//!
//! Every function here reads only the part of the text it is given, once.

use crate::model::Report;
use crate::parse::lex::is_space;
use crate::text::TextRange;
use regex::Regex;
use std::sync::OnceLock;

/// Regions of the source read as one text with spacing and Markdown emphasis
/// dropped, full-width digits, colons and brackets made ASCII. Regions are
/// joined by "。", so that a sentence never runs from one into the next.
pub struct Flat {
    pub text: String,
    /// Where each part of `text` came from, in runs.
    map: Vec<Run>,
}

/// The flat form of one char (`None`: dropped).
fn flat_char(c: char) -> Option<char> {
    if is_space(c) || c == '*' {
        return None;
    }
    Some(match c {
        '０'..='９' => char::from_u32(c as u32 - '０' as u32 + '0' as u32).unwrap_or(c),
        '：' => ':',
        '（' => '(',
        '）' => ')',
        '－' | '—' | '–' => '-',
        _ => c,
    })
}

/// Length of the longest prefix of `s` whose chars [`flat_char`] keeps as they
/// are. Only spacing, `*`, full-width digits and a few punctuation marks change,
/// and all of them are ASCII or start with one of the bytes C2, E1, E2, E3, EF:
/// other bytes (Han characters and every continuation byte) are skipped unread.
fn verbatim_prefix_len(s: &str) -> usize {
    let b = s.as_bytes();
    let mut i = 0;
    while i < b.len() {
        match b[i] {
            b'\t'..=b'\r' | b' ' | b'*' => return i,
            0xC2 | 0xE1 | 0xE2 | 0xE3 | 0xEF => {
                let c = s[i..].chars().next().expect("char boundary");
                if flat_char(c) != Some(c) {
                    return i;
                }
                i += c.len_utf8();
            }
            _ => i += 1,
        }
    }
    b.len()
}

/// Append the flat text of `s` to `text`, calling `run(flat, src, flat_len, src_len, verbatim)`
/// before each piece (a run of unchanged chars, or one changed char) is appended.
fn flatten_into(s: &str, text: &mut String, mut run: impl FnMut(usize, usize, usize, usize, bool)) {
    let mut o = 0;
    while o < s.len() {
        let n = verbatim_prefix_len(&s[o..]);
        if n > 0 {
            run(text.len(), o, n, n, true);
            text.push_str(&s[o..o + n]);
            o += n;
            continue;
        }
        let c = s[o..].chars().next().expect("char boundary");
        if let Some(f) = flat_char(c) {
            run(text.len(), o, f.len_utf8(), c.len_utf8(), false);
            text.push(f);
        }
        o += c.len_utf8();
    }
}

/// A letter, digit or Han character (Han first: the common case, without the
/// slow Unicode table lookup).
pub fn is_word_char(c: char) -> bool {
    c.is_ascii_alphanumeric()
        || crate::parse::lex::is_han(c)
        || (!c.is_ascii() && c.is_alphanumeric())
}

/// The flat text of `ranges` without the offset map (for rules that only look words up).
pub fn flat_text(src: &str, ranges: &[TextRange]) -> String {
    let mut text = String::with_capacity(ranges.iter().map(TextRange::len).sum());
    for (i, r) in ranges.iter().enumerate() {
        if i > 0 {
            text.push('。');
        }
        flatten_into(&src[r.start..r.end], &mut text, |_, _, _, _, _| {});
    }
    text
}

/// A run of the flat text: bytes `flat..flat + flat_len` come from
/// `src..src + src_len`; in a verbatim run byte for byte, else one char.
#[derive(Clone, Copy, Debug)]
struct Run {
    flat: usize,
    src: usize,
    flat_len: usize,
    src_len: usize,
    verbatim: bool,
}

impl Flat {
    pub fn new(src: &str, ranges: &[TextRange]) -> Flat {
        let cap: usize = ranges.iter().map(TextRange::len).sum();
        let mut text = String::with_capacity(cap);
        let mut map: Vec<Run> = Vec::new();
        for (i, r) in ranges.iter().enumerate() {
            if i > 0 {
                // The seam maps to the end of the previous region (an empty range).
                map.push(Run {
                    flat: text.len(),
                    src: ranges[i - 1].end,
                    flat_len: '。'.len_utf8(),
                    src_len: 0,
                    verbatim: false,
                });
                text.push('。');
            }
            flatten_into(
                &src[r.start..r.end],
                &mut text,
                |flat, o, flat_len, src_len, verbatim| {
                    let at = r.start + o;
                    match map.last_mut() {
                        Some(run)
                            if verbatim
                                && run.verbatim
                                && run.flat + run.flat_len == flat
                                && run.src + run.src_len == at =>
                        {
                            run.flat_len += flat_len;
                            run.src_len += src_len;
                        }
                        _ => map.push(Run {
                            flat,
                            src: at,
                            flat_len,
                            src_len,
                            verbatim,
                        }),
                    }
                },
            );
        }
        Flat { text, map }
    }

    /// The run holding flat byte `off`.
    fn run_at(&self, off: usize) -> Option<&Run> {
        let i = self.map.partition_point(|r| r.flat + r.flat_len <= off);
        self.map.get(i)
    }

    /// The source range of the flat byte range `[start, end)` (both on char boundaries).
    pub fn source(&self, start: usize, end: usize) -> TextRange {
        let Some(first) = self.run_at(start) else {
            let e = self.map.last().map(|r| r.src + r.src_len).unwrap_or(0);
            return TextRange::empty(e);
        };
        let s = if first.verbatim {
            first.src + (start - first.flat)
        } else {
            first.src
        };
        if end <= start {
            return TextRange::empty(s);
        }
        let last = self.run_at(end - 1).unwrap_or(first);
        let e = if last.verbatim {
            last.src + (end - last.flat).min(last.flat_len)
        } else {
            last.src + last.src_len
        };
        TextRange::new(s, e.max(s))
    }
}

/// What ends a sentence of a flat text.
const SENTENCE_ENDS: [char; 7] = ['。', '；', ';', '!', '！', '?', '？'];

/// The sentences of a flat text, each with its flat byte offset.
pub fn sentences(text: &str) -> impl Iterator<Item = (usize, &str)> {
    text.split_inclusive(SENTENCE_ENDS).scan(0usize, |at, s| {
        let start = *at;
        *at += s.len();
        Some((start, s))
    })
}

/// Does the text look like a written report: a section heading was found, and
/// there is some prose (a title, or text in the opening or a section)? The rules
/// about the report as a whole stay quiet on fragments, unrelated files and an
/// outline of bare headings still to be filled in.
pub fn reads_as_report(src: &str, r: &Report) -> bool {
    if !r.sections.iter().any(Option::is_some) {
        return false;
    }
    r.title.is_some()
        || std::iter::once(opening(src, r))
            .chain(r.sections.iter().flatten().map(|s| s.body))
            .any(|b| has_prose(src, b))
}

/// Does `range` hold some text — at least 20 letters, digits or Han characters?
/// Stops reading as soon as it does.
pub fn has_prose(src: &str, range: TextRange) -> bool {
    src[range.start..range.end]
        .chars()
        .filter(|c| is_word_char(*c))
        .nth(19)
        .is_some()
}

fn floor_boundary(src: &str, at: usize) -> usize {
    crate::text::floor_char_boundary(src, at)
}

/// The opening: from the start of the text to the first heading after the title
/// (seed 004 prints "一、总体情况" above its title and opening paragraph). Without
/// headings, the first 4000 bytes.
pub fn opening(src: &str, r: &Report) -> TextRange {
    let after = r.title.map(|t| t.end).unwrap_or(0);
    let end = r
        .headings
        .iter()
        .map(|h| h.range.start)
        .find(|&s| s >= after)
        .unwrap_or_else(|| floor_boundary(src, 4000));
    cap(src, TextRange::new(0, end))
}

/// How much of one part of the report (the opening, a section body, the end)
/// the rules about its prose read: a real 总体情况 is a few kilobytes; a part
/// pasted in by mistake at megabytes must not slow every keystroke down.
pub const READ_LIMIT: usize = 64 * 1024;

/// The first [`READ_LIMIT`] bytes of `r`.
pub fn cap(src: &str, r: TextRange) -> TextRange {
    TextRange::new(
        r.start,
        floor_boundary(src, r.end.min(r.start + READ_LIMIT)).max(r.start),
    )
}

/// The last [`READ_LIMIT`] bytes of `r`.
pub fn cap_tail(src: &str, r: TextRange) -> TextRange {
    let start = crate::text::ceil_char_boundary(src, r.start.max(r.end.saturating_sub(READ_LIMIT)));
    TextRange::new(start.min(r.end), r.end)
}

/// The body of section `k` (0-based), if it was found, up to [`READ_LIMIT`] bytes.
pub fn body(src: &str, r: &Report, k: usize) -> Option<TextRange> {
    r.sections[k].as_ref().map(|s| cap(src, s.body))
}

/// The heading of section `k`.
pub fn heading_range(r: &Report, k: usize) -> Option<TextRange> {
    r.sections[k].as_ref().map(|s| r.headings[s.heading].range)
}

/// The opening and section 1: where the 统计期限 and the report's own
/// "截至…年12月31日" statements belong. One range when section 1 follows the
/// opening directly (the usual case), two otherwise.
pub fn front(src: &str, r: &Report) -> Vec<TextRange> {
    let open = opening(src, r);
    let Some(s1) = r.sections[0].as_ref() else {
        return vec![open];
    };
    let first_other = r
        .sections
        .iter()
        .skip(1)
        .flatten()
        .map(|s| s.range.start)
        .min()
        .unwrap_or(usize::MAX);
    if s1.range.start < first_other {
        vec![cap(src, TextRange::new(0, s1.body.end.max(open.end)))]
    } else {
        vec![open, cap(src, s1.body)]
    }
}

/// The end of the report: section 6 (or the last section found) to the end of
/// the text, its last [`READ_LIMIT`] bytes.
pub fn tail(src: &str, r: &Report) -> Option<TextRange> {
    let last = r.sections[5]
        .as_ref()
        .or_else(|| r.sections.iter().flatten().max_by_key(|s| s.range.start))?;
    Some(cap_tail(src, last.body))
}

/// Where to report something about the report as a whole: its title (first line),
/// else the first line with text when it is short like a title, else the first
/// character of the text (not a whole paragraph).
pub fn anchor(src: &str, r: &Report) -> TextRange {
    if let Some(t) = r.title {
        return first_line(src, t);
    }
    let mut at = 0;
    for line in src.split(['\n', '\r']) {
        let t = line.trim_matches(is_space);
        if let Some(c) = t.chars().next() {
            let start = at + line.len() - line.trim_start_matches(is_space).len();
            let len = if t.chars().count() <= 40 {
                t.len()
            } else {
                c.len_utf8()
            };
            return TextRange::new(start, start + len);
        }
        at += line.len() + 1;
    }
    TextRange::empty(0)
}

/// `range` cut at its first line break (a two-line title is reported on its first line).
fn first_line(src: &str, range: TextRange) -> TextRange {
    let t = &src[range.start..range.end];
    match t.find(['\n', '\r']) {
        Some(i) => TextRange::new(
            range.start,
            range.start + t[..i].trim_end_matches(is_space).len(),
        ),
        None => range,
    }
}

/// The title's year and the range of its digits, when the title has one.
pub fn title_year(r: &Report) -> Option<(u16, TextRange)> {
    let (t, y, yr) = (r.title?, r.year?, r.year_range?);
    (t.start <= yr.start && yr.end <= t.end).then_some((y, yr))
}

/// A year written as four digits directly followed by 年 ("2024年"; the
/// parser's year reader also allows spacing before 年).
pub fn year_with_nian_re() -> &'static Regex {
    static RE: OnceLock<Regex> = OnceLock::new();
    RE.get_or_init(|| Regex::new(r"((?:19|20)[0-9]{2})年").unwrap())
}

// ------------------------------------------------------------------ title

/// Words that may stand before the year without naming an agency.
const NOT_AGENCY: &[&str] = &[
    "关于",
    "本机关",
    "本单位",
    "本部门",
    "我单位",
    "我部门",
    "我局",
    "本局",
    "我委",
    "我办",
    "全年",
    "年度",
    "度",
    "的",
];

/// How many Han characters `s` has once the words of [`NOT_AGENCY`] are taken out.
fn agency_chars(s: &str) -> usize {
    let mut rest = s;
    let mut n = 0;
    'outer: while let Some(c) = rest.chars().next() {
        for w in NOT_AGENCY {
            if let Some(r) = rest.strip_prefix(w) {
                rest = r;
                continue 'outer;
            }
        }
        if crate::parse::lex::is_han(c) {
            n += 1;
        }
        rest = &rest[c.len_utf8()..];
    }
    n
}

/// Where the words of the report's name start ("政府信息公开工作年度报告" and its variants).
pub const NAME_WORDS: &[&str] = &[
    "政府信息公开",
    "政务信息公开",
    "政务公开",
    "信息公开",
    "年度报告",
];

/// Does the title name the agency — before the year (the official form), or
/// between the year and the report's name ("2024年度蒙城县工信局政府信息公开…")?
pub fn title_names_agency(src: &str, title: TextRange) -> bool {
    let flat = Flat::new(src, &[title]);
    let (before, after) = title_parts(flat.text.as_str());
    agency_chars(before) >= 2 || after.is_some_and(|a| agency_chars(a) >= 2)
}

/// Where a title may name its agency: the text before its year (or before the
/// report's name words when there is no year), and the text between the year
/// and the name words (`None` without a year, or when the year runs into the
/// name words, as in "2023年度报告").
pub fn title_parts(t: &str) -> (&str, Option<&str>) {
    let name = NAME_WORDS
        .iter()
        .filter_map(|w| t.find(w))
        .min()
        .unwrap_or(t.len());
    match year_with_nian_re().find(t).filter(|m| m.start() < name) {
        Some(m) => (&t[..m.start()], t.get(m.end()..name)),
        None => (&t[..name], None),
    }
}

// ------------------------------------------------------------------ period

/// A 统计期限 statement with its years.
pub struct Period {
    /// Flat range of the whole statement.
    pub flat: (usize, usize),
    /// Each year written in it, with the source range of its digits.
    pub years: Vec<(u16, TextRange)>,
}

fn period_keyword_re() -> &'static Regex {
    static RE: OnceLock<Regex> = OnceLock::new();
    RE.get_or_init(|| {
        Regex::new(
            r"(?:统计期限|统计时限|统计时间|统计区间|统计周期|统计期间|统计日期|数据统计期)[^。；;]{0,12}?((?:19|20)[0-9]{2})年(?:[^。；;至到~～]{0,10}(?:至|到|~|～)((?:19|20)[0-9]{2})年)?",
        )
        .unwrap()
    })
}

/// A whole year written as a range, without the word 统计期限.
fn full_year_re() -> &'static Regex {
    static RE: OnceLock<Regex> = OnceLock::new();
    RE.get_or_init(|| {
        Regex::new(
            r"((?:19|20)[0-9]{2})年0?1月0?1日起?(?:至|到|-|~|～)(?:((?:19|20)[0-9]{2})年)?0?12月31日",
        )
        .unwrap()
    })
}

/// Every 统计期限 statement in `flat`: "统计期限…YYYY年…至YYYY年" or a whole-year
/// range "YYYY年1月1日至YYYY年12月31日".
pub fn periods(flat: &Flat) -> Vec<Period> {
    let mut out: Vec<Period> = Vec::new();
    let mut push = |caps: regex::Captures| {
        let m = caps.get(0).expect("match");
        if out
            .iter()
            .any(|p| p.flat.0 < m.end() && m.start() < p.flat.1)
        {
            return;
        }
        let years = [caps.get(1), caps.get(2)]
            .into_iter()
            .flatten()
            .filter_map(|y| Some((y.as_str().parse().ok()?, flat.source(y.start(), y.end()))))
            .collect();
        out.push(Period {
            flat: (m.start(), m.end()),
            years,
        });
    };
    for caps in period_keyword_re().captures_iter(&flat.text) {
        push(caps);
    }
    for caps in full_year_re().captures_iter(&flat.text) {
        push(caps);
    }
    out.sort_by_key(|p| p.flat.0);
    out
}

fn as_of_re() -> &'static Regex {
    static RE: OnceLock<Regex> = OnceLock::new();
    RE.get_or_init(|| {
        Regex::new(r"(?:截至|截止到|截止至|截止)((?:19|20)[0-9]{2})年(?:0?12月(?:31日|底|末)?|年?底|年?末)")
            .unwrap()
    })
}

/// "截至2024年12月31日" / "截止2024年底" statements: (year, source range of its
/// digits, flat range of the sentence it is in).
pub fn year_end_statements(flat: &Flat) -> Vec<(u16, TextRange, (usize, usize))> {
    // One search over the whole text: a statement holds no sentence end, so the
    // matches are those of a search sentence by sentence.
    let text = &flat.text;
    let mut out = Vec::new();
    for caps in as_of_re().captures_iter(text) {
        let m = caps.get(0).expect("match");
        let y = caps.get(1).expect("group");
        if let Ok(year) = y.as_str().parse() {
            let at = text[..m.start()]
                .rfind(SENTENCE_ENDS)
                .map(|i| i + text[i..].chars().next().map_or(0, char::len_utf8))
                .unwrap_or(0);
            let end = text[m.end()..]
                .find(SENTENCE_ENDS)
                .map(|i| {
                    let e = m.end() + i;
                    e + text[e..].chars().next().map_or(0, char::len_utf8)
                })
                .unwrap_or(text.len());
            out.push((year, flat.source(y.start(), y.end()), (at, end)));
        }
    }
    out
}

// ------------------------------------------------------------------ contact

fn contact_re() -> &'static Regex {
    static RE: OnceLock<Regex> = OnceLock::new();
    RE.get_or_init(|| {
        Regex::new(concat!(
            // a phone number after its label, or a landline / mobile number anywhere
            r"(?:电话|热线|传真)[:]?[(]?[0-9][0-9()\-]{6,}",
            r"|(?:^|[^0-9])0[0-9]{2,3}-[0-9]{7,8}(?:[^0-9]|$)",
            r"|(?:^|[^0-9])1[3-9][0-9]{9}(?:[^0-9]|$)",
            // a postcode, an e-mail address, a postal address
            r"|(?:邮编|邮政编码)[:]?[0-9]{6}",
            r"|[A-Za-z0-9._%+\-]+@[A-Za-z0-9\-]+(?:\.[A-Za-z0-9\-]+)+",
            r"|(?:^|[^站页网])地址:?\p{Han}",
            // a labelled field, even with a placeholder still to fill ("电话：XX")
            r"|(?:^|[^站页网])地址:|(?:电话|邮编|邮政编码|邮箱|传真):",
        ))
        .unwrap()
    })
}

/// Does the text give a way to reach the agency (phone, postcode, e-mail, address)?
pub fn has_contact(flat: &Flat) -> bool {
    contact_re().is_match(&flat.text)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn flat(s: &str) -> Flat {
        Flat::new(s, &[TextRange::new(0, s.len())])
    }

    #[test]
    fn title_parts_around_the_year() {
        assert_eq!(
            title_parts("蒙城县工信局2024年政府信息公开工作年度报告"),
            ("蒙城县工信局", Some(""))
        );
        assert_eq!(
            title_parts("2024年度蒙城县工信局政府信息公开工作年度报告"),
            ("", Some("度蒙城县工信局"))
        );
        assert_eq!(
            title_parts("蒙城县工信局政府信息公开工作年度报告"),
            ("蒙城县工信局", None)
        );
        // The year runs into the name words: nothing between them (this sliced
        // backwards and panicked, on a mangled draft's line taken for the title).
        assert_eq!(title_parts("对2023年度报告中指出的问题"), ("对", None));
        let src = "对2023年度报告中指出的问题";
        assert!(!title_names_agency(src, TextRange::new(0, src.len())));
    }

    #[test]
    fn flat_maps_back_to_the_source() {
        let s = "统计期限自 2024 年 1 月\n1 日起至２０２４年";
        let f = flat(s);
        assert_eq!(f.text, "统计期限自2024年1月1日起至2024年");
        let at = f.text.rfind("2024").unwrap();
        let r = f.source(at, at + 4);
        assert_eq!(&s[r.start..r.end], "２０２４");
        let r = f.source(15, 19);
        assert_eq!(&s[r.start..r.end], "2024");
    }

    #[test]
    fn periods_and_year_ends() {
        let f = flat("本报告所列数据的统计期限自2024年1月1日起至2023年12月31日止。截至2024年12月31日，共收到申请3件。");
        let p = periods(&f);
        assert_eq!(p.len(), 1);
        assert_eq!(
            p[0].years.iter().map(|y| y.0).collect::<Vec<_>>(),
            vec![2024, 2023]
        );
        let e = year_end_statements(&f);
        assert_eq!(e.len(), 1);
        assert_eq!(e[0].0, 2024);
        assert_eq!(periods(&flat("统计期限为2024年1月1日至12月31日")).len(), 1);
        assert_eq!(periods(&flat("2023年以来，累计发布信息3条。")).len(), 0);
        assert_eq!(year_end_statements(&flat("截至目前，共有95个。")).len(), 0);
    }

    #[test]
    fn title_agency() {
        let yes = [
            "蒙城县工业和信息化局2024年\n政府信息公开工作年度报告",
            "工信局2021年政府信息公开工作年度报告",
            "2024年度蒙城县工信局政府信息公开工作年度报告",
            "# 洪泽区人民政府 2023 年政府信息公开工作年度报告",
        ];
        let no = [
            "2024年政府信息公开工作年度报告",
            "关于2024年度政府信息公开工作年度报告",
            "政府信息公开工作年度报告",
        ];
        for t in yes {
            assert!(title_names_agency(t, TextRange::new(0, t.len())), "{t}");
        }
        for t in no {
            assert!(!title_names_agency(t, TextRange::new(0, t.len())), "{t}");
        }
    }

    #[test]
    fn contacts() {
        for s in [
            "电话0558-7626908",
            "邮 编 ： 223100",
            "电\n子邮箱：hzzwgk@126.com",
            "地址：淮安市翔宇南道1号",
            "联系电话：7062177",
            "（地址：XX，邮编：XX，电话：XX）",
        ] {
            assert!(has_contact(&flat(s)), "{s}");
        }
        for s in [
            "除电话、电子邮件、邮寄信件和网络平台外",
            "索引号 11620602013932130J/2022-08111",
            "网站地址:https://www.example.gov.cn",
        ] {
            assert!(!has_contact(&flat(s)), "{s}");
        }
    }
}
