//! Figures the prose states: "共收到政府信息公开申请12件", "办结10件",
//! "行政复议3件", "废止规范性文件2件", "未收到政府信息公开申请", … — read from the
//! sentences outside the tables, so that the NB4xx rules can compare them with
//! the table cells.
//!
//! Precision over recall: a clause yields a figure only when its words say
//! plainly what is counted (verb and object right before the number), the
//! number is exact ("300余件" is not) and carries the unit 件. Anything else —
//! "发布信息300余条", "主动公开政府信息13条", "较上年增加5件" — yields nothing.

use crate::model::Report;
use crate::template::{T2Row, T3Row};
use crate::text::TextRange;
use nom::branch::alt;
use nom::bytes::complete::{tag, take_while1};
use nom::character::complete::{char as nchar, space0};
use nom::combinator::{map, map_opt, opt, recognize};
use nom::multi::many1;
use nom::sequence::{pair, preceded};
use nom::IResult;

/// What a figure in the prose counts.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Quantity {
    /// "收到/受理/接收 … 申请 N件": 新收, or 新收 + 上年结转 when the wording is loose.
    Received,
    /// "新收 … 申请 N件".
    NewReceived,
    /// "办结/答复 N件": （七）总计.
    Completed,
    /// "上年结转 … N件".
    CarriedIn,
    /// "结转下年度 N件", "N件顺延到下年度".
    CarriedOut,
    /// "行政复议 N件": 表四 行政复议·总计.
    Review,
    /// "行政诉讼 N件": 表四 both 行政诉讼 totals.
    Litigation,
    /// "制发/印发 … 规范性文件 N件".
    NormIssued,
    /// "废止 … 规范性文件 N件".
    NormRepealed,
    /// "现行有效 … 规范性文件 N件".
    NormInForce,
    /// "作出行政许可决定 N件".
    License,
    /// "作出行政处罚决定 N件".
    Penalty,
    /// "作出行政强制决定 N件".
    Coercion,
}

impl Quantity {
    pub fn name_zh(self) -> &'static str {
        match self {
            Quantity::Received => "收到申请数",
            Quantity::NewReceived => "新收申请数",
            Quantity::Completed => "办结（答复）数",
            Quantity::CarriedIn => "上年结转申请数",
            Quantity::CarriedOut => "结转下年度申请数",
            Quantity::Review => "行政复议数",
            Quantity::Litigation => "行政诉讼数",
            Quantity::NormIssued => "规范性文件制发件数",
            Quantity::NormRepealed => "规范性文件废止件数",
            Quantity::NormInForce => "现行有效规范性文件件数",
            Quantity::License => "行政许可决定数",
            Quantity::Penalty => "行政处罚决定数",
            Quantity::Coercion => "行政强制决定数",
        }
    }
    pub fn name_en(self) -> &'static str {
        match self {
            Quantity::Received => "applications received",
            Quantity::NewReceived => "new applications",
            Quantity::Completed => "applications completed",
            Quantity::CarriedIn => "applications carried over from last year",
            Quantity::CarriedOut => "applications carried over to next year",
            Quantity::Review => "administrative reviews",
            Quantity::Litigation => "administrative lawsuits",
            Quantity::NormIssued => "normative documents issued",
            Quantity::NormRepealed => "normative documents repealed",
            Quantity::NormInForce => "normative documents in force",
            Quantity::License => "licensing decisions",
            Quantity::Penalty => "penalty decisions",
            Quantity::Coercion => "coercive-measure decisions",
        }
    }
}

/// A figure the prose states.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Claim {
    pub quantity: Quantity,
    pub value: i64,
    /// The number as written, or the negation ("未收到") for a zero claim.
    pub range: TextRange,
    /// The claim is a negation ("未收到…申请", "未发生…行政复议").
    pub negation: bool,
}

/// Every figure stated in the prose of `src` (lines outside the tables).
pub fn claims(src: &str, report: &Report) -> Vec<Claim> {
    let lines = crate::parse::Lines::new(src);
    let mut out = Vec::new();
    for para in paragraph_spans(&lines, report) {
        out.extend(paragraph_claims(src, &lines.ranges()[para]));
    }
    out
}

/// A sentence yields a figure only if it holds one of these: the unit of a
/// count (件/起/宗) or the start of a negation (未/没/无; "尚未" holds 未).
fn is_trigger(c: char) -> bool {
    matches!(c, '件' | '起' | '宗' | '未' | '没' | '无')
}

/// Where the text of a paragraph (its lines trimmed and joined) came from:
/// (offset in the joined text, offset in the source) at the start of each line.
struct Joined<'a> {
    text: std::borrow::Cow<'a, str>,
    pieces: Vec<(usize, usize)>,
}

impl Joined<'_> {
    /// Source offset of byte `i` of the joined text.
    fn source(&self, i: usize) -> usize {
        let p = self.pieces.partition_point(|&(j, _)| j <= i) - 1;
        let (j, s) = self.pieces[p];
        s + (i - j)
    }
}

/// The figures stated in one paragraph (consecutive prose lines).
///
/// The paragraph is read in place: only the sentences that hold a trigger
/// character (see [`is_trigger`]) are looked at closely, and a paragraph of
/// several lines is copied into one text only when one of its lines holds one.
pub fn paragraph_claims(src: &str, lines: &[TextRange]) -> Vec<Claim> {
    let mut out = Vec::new();
    let trimmed = |r: &TextRange| {
        let body = &src[r.start..r.end];
        let lead = body.len() - body.trim_start().len();
        (body.trim(), r.start + lead)
    };
    let joined = if let [r] = lines {
        let (t, at) = trimmed(r);
        Joined {
            text: std::borrow::Cow::Borrowed(t),
            pieces: vec![(0, at)],
        }
    } else {
        // Copy the lines into one text only when there is something to read.
        if !lines
            .iter()
            .any(|r| src[r.start..r.end].chars().any(is_trigger))
        {
            return out;
        }
        let mut text = String::new();
        let mut pieces = Vec::with_capacity(lines.len());
        for r in lines {
            let (t, at) = trimmed(r);
            pieces.push((text.len(), at));
            text.push_str(t);
        }
        Joined {
            text: std::borrow::Cow::Owned(text),
            pieces,
        }
    };
    let text: &str = &joined.text;
    // Sentences: the non-empty runs between sentence ends.
    let mut start = 0;
    let mut trigger = false;
    for (i, c) in text.char_indices() {
        if is_sentence_end(c) {
            if trigger && i > start {
                sentence_claims(&text[start..i], start, &joined, &mut out);
            }
            start = i + c.len_utf8();
            trigger = false;
        } else if is_trigger(c) {
            trigger = true;
        }
    }
    if trigger && text.len() > start {
        sentence_claims(&text[start..], start, &joined, &mut out);
    }
    out
}

fn table_ranges(report: &Report) -> Vec<TextRange> {
    let mut v = Vec::new();
    if let Some(t) = &report.table2 {
        v.push(t.range);
    }
    if let Some(t) = &report.table3 {
        v.push(t.range);
    }
    if let Some(t) = &report.table4 {
        v.push(t.range);
    }
    v
}

/// A line the narrative reader takes for prose, judged on its own text: not
/// blank, no table delimiters, not a page number, not a comment.
pub fn is_prose_line(body: &str) -> bool {
    let trimmed = body.trim();
    let page_number = trimmed
        .trim_matches(|c: char| c == '-' || c == '—' || c.is_whitespace())
        .chars()
        .all(|c| c.is_ascii_digit())
        && !trimmed.is_empty()
        && trimmed.len() < 12;
    !trimmed.is_empty()
        && !page_number
        && !body.contains('|')
        && !body.contains('\t')
        && !body.contains('\u{c}')
        && !trimmed.starts_with("<!--")
}

/// Characters that end a sentence.
pub fn is_sentence_end(c: char) -> bool {
    matches!(c, '。' | '！' | '？' | '；' | ';' | '!' | '?')
}

/// Prose paragraphs: runs of prose lines outside the tables, as line index
/// ranges. They are read joined without their line breaks (PDF text wraps
/// mid-word). A run is cut after a line that ends a sentence: the figures are
/// the same (sentences split there anyway), and an edit re-reads only its piece.
pub fn paragraph_spans(
    lines: &crate::parse::Lines,
    report: &Report,
) -> Vec<std::ops::Range<usize>> {
    let tables = table_ranges(report);
    let mut spans = Vec::new();
    let mut cur: Option<usize> = None;
    for (l, (r, f)) in lines.ranges().iter().zip(&lines.facts).enumerate() {
        let in_table = tables.iter().any(|t| r.start < t.end && r.end > t.start);
        if f.prose && !in_table {
            let s = *cur.get_or_insert(l);
            if f.ends_sentence {
                spans.push(s..l + 1);
                cur = None;
            }
        } else if let Some(s) = cur.take() {
            spans.push(s..l);
        }
    }
    if let Some(s) = cur {
        spans.push(s..lines.ranges().len());
    }
    spans
}

/// The non-empty pieces of `text` between separators, with their offsets in `text`.
fn split(text: &str, sep: impl Fn(char) -> bool) -> impl Iterator<Item = (usize, &str)> {
    text.split(sep)
        .filter(|s| !s.is_empty())
        .map(move |s| (s.as_ptr() as usize - text.as_ptr() as usize, s))
}

// ------------------------------------------------------------------ numbers

fn digit(c: char) -> Option<u32> {
    match c {
        '0'..='9' => Some(c as u32 - '0' as u32),
        '０'..='９' => Some(c as u32 - '０' as u32),
        _ => None,
    }
}

fn arabic(i: &str) -> IResult<&str, i64> {
    map(
        recognize(pair(
            take_while1(|c| digit(c).is_some()),
            opt(many1(preceded(
                alt((nchar(','), nchar('，'))),
                take_while1(|c| digit(c).is_some()),
            ))),
        )),
        |s: &str| {
            // Beyond any count (MAX_COUNT, or i64 on the way there): i64::MAX,
            // which no count reaches and `count` does not take.
            s.chars()
                .filter_map(digit)
                .try_fold(0i64, |v, d| v.checked_mul(10)?.checked_add(d as i64))
                .filter(|v| crate::identities::is_count(*v))
                .unwrap_or(i64::MAX)
        },
    )(i)
}

fn cn_digit(c: char) -> Option<i64> {
    Some(match c {
        '零' | '〇' => 0,
        '一' => 1,
        '二' | '两' => 2,
        '三' => 3,
        '四' => 4,
        '五' => 5,
        '六' => 6,
        '七' => 7,
        '八' => 8,
        '九' => 9,
        _ => return None,
    })
}

fn cn_unit(c: char) -> Option<i64> {
    Some(match c {
        '十' => 10,
        '百' => 100,
        '千' => 1000,
        '万' => 10000,
        _ => return None,
    })
}

/// Chinese numerals: 三, 十二, 一百零五, 两千三百.
fn chinese(i: &str) -> IResult<&str, i64> {
    let (rest, s) = take_while1(|c| cn_digit(c).is_some() || cn_unit(c).is_some())(i)?;
    // Checked: a numeral beyond i64 reads as i64::MAX, which `count` does not take.
    let value = || -> Option<i64> {
        let mut total = 0i64;
        let mut section = 0i64;
        let mut num: Option<i64> = None;
        for c in s.chars() {
            if let Some(d) = cn_digit(c) {
                num = Some(d);
            } else if let Some(u) = cn_unit(c) {
                if u == 10000 {
                    section = section.checked_add(num.unwrap_or(0))?.checked_mul(u)?;
                    total = total.checked_add(section)?;
                    section = 0;
                } else {
                    section = section.checked_add(num.unwrap_or(1).checked_mul(u)?)?;
                }
                num = None;
            }
        }
        total.checked_add(section)?.checked_add(num.unwrap_or(0))
    };
    Ok((rest, value().unwrap_or(i64::MAX)))
}

/// A count with its unit: "12件", "３ 件", "一百零五件". Returns the value and
/// the length of the number itself.
fn count(i: &str) -> IResult<&str, (i64, usize)> {
    // A figure beyond any count (30 digits run together) is not a claim.
    let (rest, (v, n)) = alt((
        map_opt(recognize(arabic), |s: &str| {
            let v = arabic(s).ok()?.1;
            crate::identities::is_count(v).then_some((v, s.len()))
        }),
        map_opt(recognize(chinese), |s: &str| {
            let v = chinese(s).ok()?.1;
            crate::identities::is_count(v).then_some((v, s.len()))
        }),
    ))(i)?;
    let (rest, _) = space0(rest)?;
    let (rest, _) = alt((tag("件"), tag("起"), tag("宗")))(rest)?;
    Ok((rest, (v, n)))
}

/// A negated receipt or occurrence: "未收到", "没有接到", "尚未接获", "未发生".
fn negation(i: &str) -> IResult<&str, &str> {
    recognize(pair(
        alt((tag("尚未"), tag("未曾"), tag("没有"), tag("未"), tag("无"))),
        alt((
            tag("收到"),
            tag("接到"),
            tag("接获"),
            tag("接收到"),
            tag("受理"),
            tag("发生"),
            tag("产生"),
        )),
    ))(i)
}

// ------------------------------------------------------------------ claims

const RECEIVE: &[&str] = &["收到", "受理", "接收", "接到", "接获"];
const COMPLETE: &[&str] = &["办结", "答复", "办理完毕", "处理完毕"];
/// Words that make a figure a change, a share or a part rather than the count.
const NOT_THE_COUNT: &[&str] = &[
    "增加",
    "减少",
    "增长",
    "下降",
    "同比",
    "较上年",
    "比上年",
    "其中",
    "占",
    "平均",
    "每",
    "予以公开",
    "不予公开",
    "部分公开",
    "无法提供",
    "不予处理",
    "维持",
    "纠正",
    "审结",
    "电话",
    "网上",
    "当面",
    "信函",
    "邮寄",
    "咨询",
];

fn has(s: &str, words: &[&str]) -> bool {
    words.iter().any(|w| s.contains(w))
}

/// Could the sentence yield a figure at all? A count needs a numeral right
/// before its unit (spaces and tabs between), a negation needs its words.
fn may_claim(text: &str) -> bool {
    for (i, c) in text.char_indices() {
        match c {
            '件' | '起' | '宗' => {
                let before = text[..i].trim_end_matches([' ', '\t']);
                if before.chars().next_back().is_some_and(|p| {
                    digit(p).is_some() || cn_digit(p).is_some() || cn_unit(p).is_some()
                }) {
                    return true;
                }
            }
            '未' | '没' | '无' if negation(&text[i..]).is_ok() => return true,
            _ => {}
        }
    }
    false
}

/// The figures of one sentence: `text` starts at byte `base` of the paragraph.
fn sentence_claims(text: &str, base: usize, joined: &Joined, out: &mut Vec<Claim>) {
    // Most sentences state no count and no negation: skip them cheaply.
    if !may_claim(text) {
        return;
    }
    // A conditional or a plan states no figure.
    if has(text, &["如", "若", "计划", "力争", "预计"]) && !text.contains("如下") {
        return;
    }
    let about_applications = text.contains("申请");
    let about_norms = text.contains("规范性文件");
    let mut seen_before = String::new();
    for (at, ct) in split(text, |c| {
        matches!(c, '，' | ',' | '、' | '：' | ':' | '（' | '）' | '(' | ')')
    }) {
        clause_claims(
            ct,
            base + at,
            joined,
            &seen_before,
            about_applications,
            about_norms,
            out,
        );
        seen_before.push_str(ct);
        seen_before.push('，');
    }
    // Negations may span clauses ("未收到、也未办理政府信息公开申请"): judged on the sentence.
    negation_claims(text, base, joined, out);
}

fn negation_claims(text: &str, base: usize, joined: &Joined, out: &mut Vec<Claim>) {
    let mut covered = 0;
    for (i, c) in text.char_indices() {
        if i < covered || !matches!(c, '尚' | '未' | '没' | '无') {
            continue;
        }
        let Ok((_, neg)) = negation(&text[i..]) else {
            continue;
        };
        covered = i + neg.len();
        // "无" only at the start of a clause ("本年度无政府信息公开申请"), never in "无正当理由".
        if neg.starts_with('无') && i > 0 {
            let prev = text[..i].chars().last().unwrap();
            if !matches!(prev, '，' | ',' | '年' | '度' | '内') {
                continue;
            }
        }
        let after = &text[i + neg.len()..];
        // The object follows within the same clause-ish span.
        let span = &after[..after.find(['，', ',', '。', '；']).unwrap_or(after.len())];
        let start = joined.source(base + i);
        let range = TextRange::new(start, start + neg.len());
        let (verb_receive, verb_occur) = (
            !neg.ends_with("发生") && !neg.ends_with("产生"),
            neg.ends_with("发生") || neg.ends_with("产生"),
        );
        if verb_receive && (span.contains("申请") || span.contains("依申请公开")) {
            // "未收到补正申请", "未受理的申请" and the like are not the count.
            if has(span, &["补正", "复议", "诉讼", "的申请", "投诉"]) {
                continue;
            }
            out.push(Claim {
                quantity: Quantity::Received,
                value: 0,
                range,
                negation: true,
            });
        } else if verb_occur || (verb_receive && has(span, &["复议", "诉讼"])) {
            if span.contains("行政复议") || span.contains("复议") {
                out.push(Claim {
                    quantity: Quantity::Review,
                    value: 0,
                    range,
                    negation: true,
                });
            }
            if span.contains("行政诉讼") || span.contains("诉讼") {
                out.push(Claim {
                    quantity: Quantity::Litigation,
                    value: 0,
                    range,
                    negation: true,
                });
            }
        }
    }
}

/// The figure of one clause `ct`, which starts at byte `base` of the paragraph.
fn clause_claims(
    ct: &str,
    base: usize,
    joined: &Joined,
    before: &str,
    about_applications: bool,
    about_norms: bool,
    out: &mut Vec<Claim>,
) {
    let is_numeral = |c: char| digit(c).is_some() || cn_digit(c).is_some() || cn_unit(c).is_some();
    // (offset, value, length of the number, end of the count)
    let mut found: Option<(usize, i64, usize, usize)> = None;
    let mut prev: Option<char> = None;
    for (i, c) in ct.char_indices() {
        let p = prev.replace(c);
        if !is_numeral(c) {
            continue;
        }
        // Numbers start where the previous character is no digit or numeral.
        if let Some(p) = p {
            if is_numeral(p) || matches!(p, '第' | '.' | '．' | ',') {
                continue;
            }
        }
        if let Ok((rest, (v, n))) = count(&ct[i..]) {
            // One figure per clause: several are a list we do not read.
            if found.is_some() {
                return;
            }
            found = Some((i, v, n, ct.len() - rest.len()));
        }
    }
    let Some((i, value, len, end)) = found else {
        return;
    };
    let prefix = ct[..i].trim_end();
    let suffix = &ct[end..];
    if has(prefix, NOT_THE_COUNT) || suffix.starts_with('次') {
        return;
    }
    let Some(quantity) = classify(prefix, suffix, before, about_applications, about_norms) else {
        return;
    };
    let start = joined.source(base + i);
    out.push(Claim {
        quantity,
        value,
        range: TextRange::new(start, start + len),
        negation: false,
    });
}

/// What the words before (and, for "N件顺延到下年度", after) a number say it counts.
fn classify(
    prefix: &str,
    suffix: &str,
    before: &str,
    about_applications: bool,
    about_norms: bool,
) -> Option<Quantity> {
    let p = prefix;
    // Applications.
    let other_subject = has(p, &["复议", "诉讼", "规范性文件", "许可", "处罚", "强制"]);
    if !other_subject && (p.contains("申请") || (about_applications && p.chars().count() <= 10)) {
        if !p.contains("申请") && !before.contains("申请") {
            return None;
        }
        if p.contains("上年") && p.contains("结转") {
            return Some(Quantity::CarriedIn);
        }
        if has(p, &["结转下年", "结转至下年", "结转到下年", "转入下年"]) {
            return Some(Quantity::CarriedOut);
        }
        if p.chars().count() <= 4
            && has(
                suffix,
                &[
                    "顺延到下年",
                    "顺延至下年",
                    "结转下年",
                    "结转至下年",
                    "结转到下年",
                ],
            )
        {
            return Some(Quantity::CarriedOut);
        }
        if p.contains("结转") {
            return None;
        }
        let receive = has(p, RECEIVE);
        let new = p.contains("新收");
        let complete = has(p, COMPLETE);
        return match (new, receive, complete) {
            (true, _, false) => Some(Quantity::NewReceived),
            (false, true, false) if p.contains("申请") => Some(Quantity::Received),
            (false, false, true) => Some(Quantity::Completed),
            _ => None,
        };
    }
    // Reviews and lawsuits: the name right before the number.
    let tail = p
        .trim_end_matches(['共', '计', '总', '合', '累', '达', '为', '有'])
        .trim_end();
    if tail.ends_with("行政复议") || tail.ends_with("复议案件") || tail.ends_with("复议申请")
    {
        if tail.contains("诉讼") {
            return None;
        }
        return Some(Quantity::Review);
    }
    if tail.ends_with("行政诉讼") || tail.ends_with("诉讼案件") {
        if tail.contains("复议") {
            return None;
        }
        return Some(Quantity::Litigation);
    }
    // Normative documents.
    if (p.contains("规范性文件") || (about_norms && p.contains("文件")))
        && !has(p, &["规章", "清理", "审查", "备案", "公开", "解读", "发布"])
    {
        let issued = has(p, &["制发", "印发", "出台", "制定"]);
        let repealed = p.contains("废止");
        let in_force = p.contains("现行有效");
        return match (issued, repealed, in_force) {
            (true, false, false) => Some(Quantity::NormIssued),
            (false, true, false) => Some(Quantity::NormRepealed),
            (false, false, true) => Some(Quantity::NormInForce),
            _ => None,
        };
    }
    // Licensing, penalties, coercive measures: decisions only.
    if has(p, &["公开", "公示", "信息", "事项", "清单"])
        || !has(p, &["作出", "办理", "办结", "决定"])
    {
        return None;
    }
    let license = p.contains("许可");
    let penalty = p.contains("处罚");
    let coercion = p.contains("强制");
    match (license, penalty, coercion) {
        (true, false, false) => Some(Quantity::License),
        (false, true, false) => Some(Quantity::Penalty),
        (false, false, true) => Some(Quantity::Coercion),
        _ => None,
    }
}

// ------------------------------------------------------------------ tables

/// A table cell that a claim is compared with.
#[derive(Clone, Debug)]
pub struct CellFigure {
    /// The cell in tables 三/四 (whose totals the arithmetic rules recompute).
    pub cell: Option<crate::template::CellRef>,
    pub range: TextRange,
    pub name_zh: String,
    pub name_en: String,
    pub value: i64,
}

/// A claim set against the table: the value the table gives and the cells it sums.
#[derive(Clone, Debug)]
pub struct Comparison {
    pub claim: Claim,
    pub table: i64,
    pub cells: Vec<CellFigure>,
    /// "收到" equals 新收 + 上年结转 (the wording is loose, not wrong).
    pub received_with_carried: bool,
}

fn t3_cell(report: &Report, key: T3Row) -> Option<CellFigure> {
    use crate::template::{CellRef, TABLE3_TOTAL_COL};
    let row = key.index();
    let c = CellRef::T3 {
        row,
        col: TABLE3_TOTAL_COL,
    };
    let cell = report.cell(c)?;
    Some(CellFigure {
        cell: Some(c),
        range: cell.range,
        name_zh: format!(
            "表三「{}」总计",
            crate::template::TABLE3_ROWS[row].display()
        ),
        name_en: c.describe_en(),
        value: cell.int()?,
    })
}

fn t4_cell(report: &Report, col: usize) -> Option<CellFigure> {
    let c = crate::template::CellRef::T4 { col };
    let cell = report.cell(c)?;
    Some(CellFigure {
        cell: Some(c),
        range: cell.range,
        name_zh: format!("表四「{}」", crate::template::table4_column_name(col)),
        name_en: c.describe_en(),
        value: cell.int()?,
    })
}

fn t2_cell(report: &Report, key: T2Row, col: usize) -> Option<CellFigure> {
    let t2 = report.table2.as_ref()?;
    if t2.format != crate::template::Format::F2021 {
        return None;
    }
    let (_, row) = t2.rows.iter().find(|(k, _)| *k == key)?;
    let cell = row.as_ref()?.cells.as_ref()?.get(col)?;
    let block = crate::template::TABLE2_2021
        .iter()
        .find(|b| b.rows.iter().any(|r| r.key == key))?;
    let label = block.rows.iter().find(|r| r.key == key)?.label;
    Some(CellFigure {
        cell: None,
        range: cell.range,
        name_zh: format!("表二「{}」{}", label, block.columns[col]),
        name_en: format!(
            "table 2 “{}” · {}",
            label,
            crate::template::table2_column_en(block.columns[col])
        ),
        value: cell.int()?,
    })
}

/// The cells of the table that hold what `q` counts.
pub fn table_cells(report: &Report, q: Quantity) -> Option<Vec<CellFigure>> {
    Some(match q {
        Quantity::Received | Quantity::NewReceived => vec![t3_cell(report, T3Row::New)?],
        Quantity::Completed => vec![t3_cell(report, T3Row::Total)?],
        Quantity::CarriedIn => vec![t3_cell(report, T3Row::CarriedIn)?],
        Quantity::CarriedOut => vec![t3_cell(report, T3Row::CarriedOut)?],
        Quantity::Review => vec![t4_cell(report, 4)?],
        Quantity::Litigation => vec![t4_cell(report, 9)?, t4_cell(report, 14)?],
        Quantity::NormIssued => vec![t2_cell(report, T2Row::Normative, 0)?],
        Quantity::NormRepealed => vec![t2_cell(report, T2Row::Normative, 1)?],
        Quantity::NormInForce => vec![t2_cell(report, T2Row::Normative, 2)?],
        Quantity::License => vec![t2_cell(report, T2Row::License, 0)?],
        Quantity::Penalty => vec![t2_cell(report, T2Row::Penalty, 0)?],
        Quantity::Coercion => vec![t2_cell(report, T2Row::Coercion, 0)?],
    })
}

/// Every claim of the prose that disagrees with a readable table cell.
///
/// A total that fails an identity of its table is judged by NB3xx: when the
/// prose agrees with the recomputed total, the prose is not what is wrong.
pub fn disagreements(
    claims: &[Claim],
    report: &Report,
    identities: &crate::identities::Evaluation,
) -> Vec<Comparison> {
    let recomputed = &identities.working;
    let mut out = Vec::new();
    for claim in claims.iter().cloned() {
        let Some(cells) = table_cells(report, claim.quantity) else {
            continue;
        };
        let table: i64 = cells.iter().map(|c| c.value).sum();
        if table == claim.value {
            continue;
        }
        let fixed: Option<i64> = cells
            .iter()
            .map(|c| c.cell.and_then(|r| recomputed.get(r)))
            .sum();
        if fixed == Some(claim.value) {
            continue;
        }
        let mut received_with_carried = false;
        let mut cells = cells;
        if claim.quantity == Quantity::Received {
            if let Some(carried) = t3_cell(report, T3Row::CarriedIn) {
                if carried.value > 0 && table + carried.value == claim.value {
                    received_with_carried = true;
                    cells.push(carried);
                }
            }
        }
        out.push(Comparison {
            claim,
            table,
            cells,
            received_with_carried,
        });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse_claims(src: &str) -> Vec<(Quantity, i64, String)> {
        let report = crate::parse::parse(src, None);
        claims(src, &report)
            .into_iter()
            .map(|c| {
                (
                    c.quantity,
                    c.value,
                    src[c.range.start..c.range.end].to_string(),
                )
            })
            .collect()
    }

    #[test]
    fn numbers() {
        assert_eq!(count("12件").unwrap().1, (12, 2));
        assert_eq!(count("１２ 件").unwrap().1, (12, 6));
        assert_eq!(count("三件").unwrap().1 .0, 3);
        assert_eq!(count("十二件").unwrap().1 .0, 12);
        assert_eq!(count("一百零五件").unwrap().1 .0, 105);
        assert_eq!(count("两千三百件").unwrap().1 .0, 2300);
        assert_eq!(count("1,234件").unwrap().1 .0, 1234);
        assert!(count("300余件").is_err());
        assert!(count("13条").is_err());
    }

    #[test]
    fn sentences() {
        use Quantity::*;
        assert_eq!(
            parse_claims("2024年，全市共受理政府信息公开申请 3119 件，答\n复 3050 件（含上年度结转申请 34 件，另有 103 件顺延到下年度\n答复）。\n"),
            vec![
                (Received, 3119, "3119".into()),
                (Completed, 3050, "3050".into()),
                (CarriedIn, 34, "34".into()),
                (CarriedOut, 103, "103".into()),
            ]
        );
        assert_eq!(
            parse_claims(
                "政府信息公开行政复议 351件，其中结果维持 72 件；政府信息公开行政诉讼 46 件。\n"
            ),
            vec![(Review, 351, "351".into()), (Litigation, 46, "46".into())]
        );
        assert_eq!(
            parse_claims("累计废止规范性文件2件,现行有效性文件1件。本年共收到申请十二件。\n"),
            vec![
                (NormRepealed, 2, "2".into()),
                (NormInForce, 1, "1".into()),
                (Received, 12, "十二".into()),
            ]
        );
        assert_eq!(
            parse_claims("2021年，未收到依申请公开信件。\n"),
            vec![(Received, 0, "未收到".into())]
        );
        assert_eq!(
            parse_claims("本年度未发生政府信息公开行政复议、行政诉讼案件。\n"),
            vec![
                (Review, 0, "未发生".into()),
                (Litigation, 0, "未发生".into())
            ]
        );
        // Other things counted, approximate figures, changes: nothing.
        assert!(parse_claims("微信、QQ等平台分别公开300余条。主动公开政府信息13条。申请数量较上年增加5件。对无正当理由大量反复申请的不予处理。\n").is_empty());
    }
}
