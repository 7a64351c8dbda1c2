//! Checks across years (NB406–NB408): this year's report against last year's
//! report of the same agency, when it is available.
//!
//! - NB406: this year's 二、上年结转 equals last year's 四、结转下年度继续办理, column by column;
//! - NB407: 行政规范性文件 现行有效件数 rolls forward (last year + 本年制发 − 本年废止);
//! - NB408: section 五 does not repeat last year's (不得年年雷同).
//!
//! The rules are in the registry (documentation, settings) with a no-op `check`;
//! their findings are made here, after the single-file analysis, by
//! [`check`] / [`check_prev`], and merged with [`merge`] (suppression comments
//! apply to them as to any other finding). Matching a report with last year's —
//! agency from the title, year − 1 — is [`AgencyYear`]; [`DiskPeers`] finds last
//! year's report among files on disk (the CLI's inputs and the folder of the
//! file; the server uses it for files that are not open). Core: no LSP, no terminal.

use crate::config::Config;
use crate::diag::{Diagnostic, Msg};
use crate::model::Report;
use crate::rules::front_matter::{self, Flat};
use crate::rules::{Check, Rule};
use crate::template::{Format, TABLE3_COLUMNS, TABLE3_COLUMNS_EN};
use crate::template::{T2Row, T3Row};
use crate::text::TextRange;
use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, OnceLock};
use std::time::{Duration, Instant, SystemTime};

/// NB408 fires when the character-bigram Jaccard similarity of the two 五 sections
/// (digits, years, spacing and punctuation removed) reaches this. Measured
/// (`tests/across_years.rs`): the 五 of eight real reports of different agencies
/// score 0.05–0.13 against each other; the real 洪泽区 2023/2024 pair, whose
/// problems were rewritten and one of three measures changed, 0.38; seed 002's 五
/// with its figures changed 0.98, with one measure rewritten 0.75, with the
/// problems rewritten and the measures kept 0.72, with the measures rewritten 0.19.
pub const REPEAT_THRESHOLD: f64 = 0.5;

/// Section 五 texts shorter than this (normalised chars) are not compared: "无" is no repetition.
pub const REPEAT_MIN_CHARS: usize = 30;

/// Who wrote a report and for which year.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct AgencyYear {
    /// The agency as the title names it, normalised ("蒙城县工业和信息化局").
    pub agency: String,
    pub year: u16,
}

impl AgencyYear {
    /// The agency and year of a report (`None` when the title names no agency or year).
    pub fn of(src: &str, report: &Report) -> Option<AgencyYear> {
        let title = report.title?;
        let year = report.year?;
        let agency = agency_of_title(src.get(title.start..title.end)?)?;
        Some(AgencyYear { agency, year })
    }

    /// Is `prev` last year's report of the same agency?
    pub fn is_previous(&self, prev: &AgencyYear) -> bool {
        prev.year + 1 == self.year && same_agency(&self.agency, &prev.agency)
    }
}

/// Places (省/市/州/盟/县/区) that may prefix an agency's name one year and not the
/// next ("淮安市洪泽区人民政府" / "洪泽区人民政府").
const PLACE_ENDS: &[char] = &['省', '市', '州', '盟', '县', '区', '旗'];

/// The same agency: equal names, or one is the other with a place name in front.
pub fn same_agency(a: &str, b: &str) -> bool {
    if a == b {
        return true;
    }
    let (short, long) = if a.chars().count() < b.chars().count() {
        (a, b)
    } else {
        (b, a)
    };
    short.chars().count() >= 5
        && long.ends_with(short)
        && long[..long.len() - short.len()]
            .chars()
            .last()
            .is_some_and(|c| PLACE_ENDS.contains(&c))
}

/// Words that may stand before or around the agency without being part of it.
const NOT_AGENCY_PREFIX: &[&str] = &["关于", "印发", "发布"];

// Where the report's name starts in a title.

/// The agency a title names, normalised: spacing, Markdown marks and brackets
/// dropped ("蒙城县工业和信息化局2024年\n政府信息公开工作年度报告" → "蒙城县工业和信息化局").
pub fn agency_of_title(title: &str) -> Option<String> {
    let t: String = title
        .chars()
        .filter(|c| {
            !(c.is_whitespace()
                || matches!(
                    c,
                    '#' | '*'
                        | '\u{3000}'
                        | '\u{feff}'
                        | '('
                        | ')'
                        | '（'
                        | '）'
                        | '【'
                        | '】'
                        | '《'
                        | '》'
                        | '“'
                        | '”'
                        | '"'
                ))
        })
        .collect();
    let (before, after) = front_matter::title_parts(&t);
    let mut candidates = vec![before];
    if let Some(after) = after {
        candidates.push(after.strip_prefix("度").unwrap_or(after));
    }
    candidates.into_iter().find_map(|c| {
        let mut c = c;
        for w in NOT_AGENCY_PREFIX {
            c = c.strip_prefix(w).unwrap_or(c);
        }
        let c = c.trim_end_matches(['的', '度']);
        (c.chars()
            .filter(|ch| crate::parse::lex::is_han(*ch))
            .count()
            >= 2)
            .then(|| c.to_string())
    })
}

/// The cells of this year's report a finding points at, and what last year's says.
#[derive(Clone, Debug, PartialEq)]
pub struct Prev {
    /// How messages name last year's report (its file name).
    pub name: String,
    pub agency_year: AgencyYear,
    /// 四、结转下年度继续办理, the seven columns (`None`: not a readable integer).
    pub carried_out: Option<Vec<Option<i64>>>,
    /// 行政规范性文件 现行有效件数 (2021-format table 二 only).
    pub in_force: Option<i64>,
    /// Section 五, normalised (see [`normalise_prose`]).
    pub section5: Option<String>,
}

impl Prev {
    /// What last year's report says, as this year's checks need it. `None`
    /// without an [`AgencyYear`] (no agency or year in the title).
    pub fn of(name: &str, src: &str, report: &Report) -> Option<Prev> {
        let agency_year = AgencyYear::of(src, report)?;
        let carried_out = carried_row(report, T3Row::CarriedOut)
            .map(|cells| cells.iter().map(|c| c.and_then(|(v, _)| Some(v))).collect());
        Some(Prev {
            name: name.to_string(),
            agency_year,
            carried_out,
            in_force: normative(report).and_then(|c| c[2].map(|(v, _)| v)),
            section5: front_matter::body(src, report, 4)
                .map(|b| normalise_prose(&src[b.start..b.end])),
        })
    }
}

/// The seven cells of a table 三 row: (value, range) where it is an integer.
fn carried_row(report: &Report, key: T3Row) -> Option<Vec<Option<(i64, TextRange)>>> {
    let t3 = report.table3.as_ref()?;
    if t3.disordered {
        return None;
    }
    let cells = t3.row(key)?.cells.as_ref()?;
    Some(
        cells
            .iter()
            .map(|c| c.int().map(|v| (v, c.number_range)))
            .collect(),
    )
}

/// The three cells of 行政规范性文件 in a 2021-format table 二.
fn normative(report: &Report) -> Option<Vec<Option<(i64, TextRange)>>> {
    let t2 = report.table2.as_ref()?;
    if t2.format != Format::F2021 {
        return None;
    }
    let row = t2
        .rows
        .iter()
        .find(|(k, _)| *k == T2Row::Normative)?
        .1
        .as_ref()?;
    let cells = row.cells.as_ref()?;
    (cells.len() == 3).then(|| {
        cells
            .iter()
            .map(|c| c.int().map(|v| (v, c.number_range)))
            .collect()
    })
}

/// Prose reduced to what is worded: years ("2024年", "2024年度"), digits, spacing and
/// punctuation dropped; letters and Han characters kept.
pub fn normalise_prose(s: &str) -> String {
    let flat = Flat::new(s, &[TextRange::new(0, s.len())]);
    let without_years = front_matter::year_with_nian_re().replace_all(&flat.text, "");
    without_years
        .chars()
        .filter(|c| c.is_alphabetic())
        .collect()
}

/// Jaccard similarity of the character-bigram sets of two normalised texts (0 to 1).
pub fn similarity(a: &str, b: &str) -> f64 {
    fn bigrams(s: &str) -> std::collections::HashSet<(char, char)> {
        let cs: Vec<char> = s.chars().collect();
        cs.windows(2).map(|w| (w[0], w[1])).collect()
    }
    let (x, y) = (bigrams(a), bigrams(b));
    if x.is_empty() && y.is_empty() {
        return 0.0;
    }
    let inter = x.intersection(&y).count();
    inter as f64 / (x.len() + y.len() - inter) as f64
}

fn finding(rule: Rule, range: TextRange, message: Msg, config: &Config) -> Diagnostic {
    let mut d = Diagnostic::new(rule, range, message);
    d.severity = config.severity(rule, d.severity);
    d
}

/// The findings of NB406–NB408 for this year's report against last year's
/// (`prev_name` names it in messages). Empty when `prev` is not last year's
/// report of the same agency. Not yet filtered by suppression comments: see [`merge`].
pub fn check(
    this_src: &str,
    this_report: &Report,
    prev_src: &str,
    prev_report: &Report,
    prev_name: &str,
    config: &Config,
) -> Vec<Diagnostic> {
    match Prev::of(prev_name, prev_src, prev_report) {
        Some(prev) => check_prev(this_src, this_report, &prev, config),
        None => Vec::new(),
    }
}

/// [`check`] with last year's facts already read.
pub fn check_prev(src: &str, report: &Report, prev: &Prev, config: &Config) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    match AgencyYear::of(src, report) {
        Some(me) if me.is_previous(&prev.agency_year) => {}
        _ => return out,
    }
    let name = &prev.name;
    let py = prev.agency_year.year;
    if config.rule_enabled(Rule::CarryoverMismatch) {
        if let (Some(this), Some(last)) = (carried_row(report, T3Row::CarriedIn), &prev.carried_out)
        {
            for (col, (here, there)) in this.iter().zip(last).enumerate() {
                let (Some((v, range)), Some(p)) = (here, there) else {
                    continue;
                };
                if v == p {
                    continue;
                }
                out.push(finding(
                    Rule::CarryoverMismatch,
                    *range,
                    Msg::new(
                        format!(
                            "二、上年结转·{col_zh}为 {v}，但上年报告（{name}，{py}年）的四、结转下年度继续办理·{col_zh}为 {p}：两者应相等",
                            col_zh = TABLE3_COLUMNS[col],
                        ),
                        format!(
                            "2. carried over from last year · {col_en} is {v}, but last year's report ({name}, {py}) carried {p} over to this year (4. carried over to next year · {col_en}): they should be equal",
                            col_en = TABLE3_COLUMNS_EN[col],
                        ),
                    ),
                    config,
                ));
            }
        }
    }
    if config.rule_enabled(Rule::InForceRollforward) {
        if let (Some(cells), Some(last)) = (normative(report), prev.in_force) {
            if let [Some((made, _)), Some((repealed, _)), Some((now, range))] = cells[..] {
                let expected = last + made - repealed;
                if now != expected {
                    out.push(finding(
                        Rule::InForceRollforward,
                        range,
                        Msg::new(
                            format!(
                                "行政规范性文件现行有效件数为 {now}，按上年报告（{name}）的现行有效 {last} 件 + 本年制发 {made} 件 − 本年废止 {repealed} 件应为 {expected}；若本年开展了清理（失效、宣布失效等未计入废止），可能不相等，请核对"
                            ),
                            format!(
                                "行政规范性文件 in force: {now}, but last year's report ({name}) had {last} in force, + {made} issued − {repealed} repealed this year = {expected}; a clean-up (documents expired or declared invalid without being counted as repealed) can explain the difference: please check"
                            ),
                        ),
                        config,
                    ));
                }
            }
        }
    }
    if config.rule_enabled(Rule::RepeatedProblems) {
        if let (Some(body), Some(last), Some(heading)) = (
            front_matter::body(src, report, 4),
            &prev.section5,
            front_matter::heading_range(report, 4),
        ) {
            let this = normalise_prose(&src[body.start..body.end]);
            if this.chars().count() >= REPEAT_MIN_CHARS && last.chars().count() >= REPEAT_MIN_CHARS
            {
                let sim = similarity(&this, last);
                if sim >= REPEAT_THRESHOLD {
                    let pct = (sim * 100.0).round() as u32;
                    out.push(finding(
                        Rule::RepeatedProblems,
                        heading,
                        Msg::new(
                            format!(
                                "第五部分与上年报告（{name}）的第五部分相似度为 {pct}%：存在的主要问题及改进情况“不得年年雷同”，应写本年度的具体问题和措施"
                            ),
                            format!(
                                "Section 五 is {pct}% similar to section 五 of last year's report ({name}): the problems and improvements must not repeat from year to year (不得年年雷同); describe this year's own problems and measures"
                            ),
                        ),
                        config,
                    ));
                }
            }
        }
    }
    out
}

/// Add the findings across years to a file's diagnostics (already filtered by its
/// suppression comments, with NB107 for the comments that suppressed nothing):
/// suppression comments apply to the new findings too, and a comment that now
/// suppresses one of them is no longer reported as unused.
pub fn merge(
    src: &str,
    config: &Config,
    base: Vec<Diagnostic>,
    across: Vec<Diagnostic>,
) -> Vec<Diagnostic> {
    if across.is_empty() {
        return base;
    }
    let mut out = base;
    if src.contains("nianbao-") {
        let kept = crate::suppress::apply(src, config, across);
        // NB107 after the across findings: the comments unused by them too.
        let unused: Vec<TextRange> = kept
            .iter()
            .filter(|d| d.rule == Rule::UnusedSuppression)
            .map(|d| d.range)
            .collect();
        out.retain(|d| d.rule != Rule::UnusedSuppression || unused.contains(&d.range));
        out.extend(
            kept.into_iter()
                .filter(|d| d.rule != Rule::UnusedSuppression),
        );
    } else {
        out.extend(across);
    }
    crate::rules::sort(&mut out);
    out
}

// ------------------------------------------------------------------ files on disk

/// The years a text's first lines give, when they contain "年度报告" (a cheap
/// look at a file before parsing it).
pub fn head_years(text: &str) -> Vec<u16> {
    let head: String = text
        .lines()
        .filter(|l| !l.trim().is_empty())
        .take(6)
        .flat_map(|l| l.chars().filter(|c| !c.is_whitespace()))
        .collect();
    if !head.contains("年度报告") {
        return Vec::new();
    }
    front_matter::year_with_nian_re()
        .captures_iter(&head)
        .filter_map(|c| c[1].parse().ok())
        .collect()
}

/// Reads a whole file as text (the caller knows the encodings).
pub type ReadText = fn(&Path) -> Option<String>;

/// What is read of a file to decide whether it can be last year's report.
const HEAD_BYTES: usize = 4096;

/// A file larger than this is not read whole as last year's report (no report is).
pub const MAX_PEER_BYTES: u64 = 64 << 20;

/// The first lines of a file, from its first [`HEAD_BYTES`] only: UTF-8, UTF-16
/// with a byte order mark, or else GB18030 read just far enough for
/// [`head_years`] (digits, spacing and 年度报告; other characters stand as □).
fn read_head(path: &Path) -> Option<String> {
    use std::io::Read;
    let f = std::fs::File::open(path).ok()?;
    let mut buf = Vec::with_capacity(HEAD_BYTES);
    f.take(HEAD_BYTES as u64).read_to_end(&mut buf).ok()?;
    Some(decode_head(&buf))
}

fn decode_head(buf: &[u8]) -> String {
    let utf16 = |bytes: &[u8], le: bool| {
        let units = bytes.chunks_exact(2).map(|p| {
            if le {
                u16::from_le_bytes([p[0], p[1]])
            } else {
                u16::from_be_bytes([p[0], p[1]])
            }
        });
        char::decode_utf16(units)
            .map(|c| c.unwrap_or('\u{FFFD}'))
            .collect::<String>()
    };
    if let Some(rest) = buf.strip_prefix(&[0xFF, 0xFE]) {
        return utf16(rest, true);
    }
    if let Some(rest) = buf.strip_prefix(&[0xFE, 0xFF]) {
        return utf16(rest, false);
    }
    let bytes = buf.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(buf);
    match std::str::from_utf8(bytes) {
        Ok(s) => s.to_string(),
        // Cut off inside a character at the end of the head.
        Err(e) if e.error_len().is_none() => {
            String::from_utf8_lossy(&bytes[..e.valid_up_to()]).into_owned()
        }
        Err(_) => gb18030_head(bytes),
    }
}

/// The characters [`head_years`] looks for, in GB18030/GBK bytes.
const GB_CHARS: &[([u8; 2], char)] = &[
    ([0xC4, 0xEA], '年'),
    ([0xB6, 0xC8], '度'),
    ([0xB1, 0xA8], '报'),
    ([0xB8, 0xE6], '告'),
    ([0xA1, 0xA1], '\u{3000}'),
];

/// Just enough of GB18030 for [`head_years`]: ASCII as it is, the characters of
/// [`GB_CHARS`], anything else as □ (two or four bytes).
fn gb18030_head(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let b = bytes[i];
        if b < 0x80 {
            out.push(b as char);
            i += 1;
            continue;
        }
        let four = bytes.get(i + 1).is_some_and(|b| b.is_ascii_digit());
        let len = if four { 4 } else { 2 };
        let ch = bytes
            .get(i..i + 2)
            .and_then(|pair| GB_CHARS.iter().find(|(g, _)| g == pair))
            .filter(|_| !four)
            .map_or('□', |(_, c)| *c);
        out.push(ch);
        i += len;
    }
    out
}

/// A file's modification time and length, to notice it changed.
type Stamp = Option<(SystemTime, u64)>;

fn stamp(path: &Path) -> Stamp {
    let m = std::fs::metadata(path).ok()?;
    Some((m.modified().ok()?, m.len()))
}

struct Entry {
    stamp: Stamp,
    checked: Instant,
    /// Years of the head (empty: not a report).
    years: Vec<u16>,
    /// Last year's facts, read when first asked for.
    prev: OnceLock<Option<Arc<Prev>>>,
}

struct Listing {
    checked: Instant,
    files: Arc<Vec<PathBuf>>,
}

/// Finds last year's report among files on disk, reading each file at most once
/// (again only when it changed, checked at most every `ttl`). Thread-safe.
pub struct DiskPeers {
    /// Files given explicitly (the CLI's other inputs).
    given: Vec<PathBuf>,
    read: ReadText,
    /// `None`: never look again (a CLI run); `Some`: re-check stamps this often (the server).
    ttl: Option<Duration>,
    folders: Mutex<HashMap<PathBuf, Listing>>,
    files: Mutex<HashMap<PathBuf, Arc<Entry>>>,
    given_index: OnceLock<Arc<GivenIndex>>,
}

impl DiskPeers {
    pub fn new(given: Vec<PathBuf>, read: ReadText, ttl: Option<Duration>) -> DiskPeers {
        DiskPeers {
            given,
            read,
            ttl,
            folders: Mutex::new(HashMap::new()),
            files: Mutex::new(HashMap::new()),
            given_index: OnceLock::new(),
        }
    }

    fn stale(&self, checked: Instant) -> bool {
        self.ttl.is_some_and(|t| checked.elapsed() >= t)
    }

    /// The report files (.md, .markdown, .txt) directly in `dir`, sorted.
    fn listing(&self, dir: &Path) -> Arc<Vec<PathBuf>> {
        {
            let folders = self.folders.lock().unwrap_or_else(|e| e.into_inner());
            if let Some(l) = folders.get(dir) {
                if !self.stale(l.checked) {
                    return l.files.clone();
                }
            }
        }
        let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
            .map(|rd| {
                rd.filter_map(Result::ok)
                    .map(|e| e.path())
                    .filter(|p| {
                        p.extension().and_then(|e| e.to_str()).is_some_and(|e| {
                            ["md", "markdown", "txt"]
                                .iter()
                                .any(|x| e.eq_ignore_ascii_case(x))
                        }) && p
                            .file_name()
                            .and_then(|n| n.to_str())
                            .is_some_and(|n| !n.starts_with('.'))
                            && p.is_file()
                    })
                    .collect()
            })
            .unwrap_or_default();
        files.sort();
        let files = Arc::new(files);
        self.folders
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .insert(
                dir.to_path_buf(),
                Listing {
                    checked: Instant::now(),
                    files: files.clone(),
                },
            );
        files
    }

    fn entry(&self, path: &Path) -> Arc<Entry> {
        let old = self
            .files
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .get(path)
            .cloned();
        if let Some(e) = &old {
            if !self.stale(e.checked) {
                return e.clone();
            }
        }
        let now = stamp(path);
        if let Some(e) = old {
            if e.stamp == now && now.is_some() {
                let fresh = Arc::new(Entry {
                    stamp: e.stamp,
                    checked: Instant::now(),
                    years: e.years.clone(),
                    prev: e.prev.clone(),
                });
                self.insert(path, fresh.clone());
                return fresh;
            }
        }
        let years = read_head(path).map(|h| head_years(&h)).unwrap_or_default();
        let e = Arc::new(Entry {
            stamp: now,
            checked: Instant::now(),
            years,
            prev: OnceLock::new(),
        });
        self.insert(path, e.clone());
        e
    }

    fn insert(&self, path: &Path, e: Arc<Entry>) {
        self.files
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .insert(path.to_path_buf(), e);
    }

    /// Forget what was read of `path` and of its folder's listing (it changed on disk).
    pub fn invalidate(&self, path: &Path) {
        self.files
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .remove(path);
        if let Some(dir) = path.parent() {
            self.folders
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .remove(dir);
        }
    }

    /// Last year's report for `me` (the report at `this`, if it is a file):
    /// among the files given and the files of its folder, except `this` and
    /// the paths `skip` says to leave out (open in an editor). The first in path
    /// order whose agency is the same name wins over one that matches with a place prefix.
    pub fn find(
        &self,
        this: Option<&Path>,
        me: &AgencyYear,
        skip: &dyn Fn(&Path) -> bool,
    ) -> Option<Arc<Prev>> {
        if me.year == 0 {
            return None;
        }
        let year = me.year - 1;
        let usable = |path: &Path| Some(path) != this && !skip(path);
        // The files given, indexed once by year and agency (see [`GivenIndex`]);
        // those of the folder are few and looked at one by one, after them.
        let given = self.given_index();
        let mut loose = None;
        if let Some(index) = given.year(self, year) {
            if let Some(prev) = index.exact(&me.agency, &usable) {
                return Some(prev);
            }
            loose = index.loose(me, &usable);
        }
        let Some(dir) = this.and_then(Path::parent) else {
            return loose;
        };
        let dir = if dir.as_os_str().is_empty() {
            Path::new(".")
        } else {
            dir
        };
        for path in self.listing(dir).iter() {
            // Paths of the folder's listing share `this`'s parent: compared as they are.
            if given.paths.contains(path) || !usable(path) {
                continue;
            }
            let Some(prev) = self.prev_of(path, year) else {
                continue;
            };
            if !me.is_previous(&prev.agency_year) {
                continue;
            }
            if prev.agency_year.agency == me.agency {
                return Some(prev);
            }
            loose.get_or_insert(prev);
        }
        loose
    }

    /// Last year's facts of the file at `path`, when its first lines name `year`.
    fn prev_of(&self, path: &Path, year: u16) -> Option<Arc<Prev>> {
        let e = self.entry(path);
        if !e.years.contains(&year) {
            return None;
        }
        e.prev
            .get_or_init(|| {
                if std::fs::metadata(path).ok()?.len() > MAX_PEER_BYTES {
                    return None;
                }
                let text = (self.read)(path)?;
                let report = crate::parse::parse(&text, None);
                let name = path
                    .file_name()
                    .map(|n| n.to_string_lossy().into_owned())
                    .unwrap_or_else(|| path.display().to_string());
                Prev::of(&name, &text, &report).map(Arc::new)
            })
            .clone()
    }

    /// The index of the files given: built once in a run that never looks again
    /// (`ttl` is `None`), afresh each time otherwise.
    fn given_index(&self) -> Arc<GivenIndex> {
        if self.ttl.is_none() {
            return self
                .given_index
                .get_or_init(|| Arc::new(GivenIndex::new(self)))
                .clone();
        }
        Arc::new(GivenIndex::new(self))
    }
}

/// The files given, by the year their first lines name; for each year asked
/// for, their last year's facts by agency. Finding last year's report among
/// 20,000 inputs is then a look-up, not a pass over all of them for each.
struct GivenIndex {
    paths: HashSet<PathBuf>,
    /// Paths (first occurrence, in the order given) by year of their head.
    by_year: HashMap<u16, Vec<PathBuf>>,
    years: Mutex<HashMap<u16, Arc<OnceLock<YearIndex>>>>,
}

impl GivenIndex {
    fn new(peers: &DiskPeers) -> GivenIndex {
        let mut paths = HashSet::new();
        let mut by_year: HashMap<u16, Vec<PathBuf>> = HashMap::new();
        for path in &peers.given {
            if !paths.insert(path.clone()) {
                continue;
            }
            let mut years = peers.entry(path).years.clone();
            years.sort_unstable();
            years.dedup();
            for y in years {
                by_year.entry(y).or_default().push(path.clone());
            }
        }
        GivenIndex {
            paths,
            by_year,
            years: Mutex::new(HashMap::new()),
        }
    }

    /// The reports of `year` among the files given (read when first asked for).
    fn year(&self, peers: &DiskPeers, year: u16) -> Option<Arc<OnceLock<YearIndex>>> {
        let paths = self.by_year.get(&year)?;
        let cell = self
            .years
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .entry(year)
            .or_default()
            .clone();
        cell.get_or_init(|| YearIndex::new(peers, paths, year));
        Some(cell)
    }
}

/// Last year's reports of one year, in the order given, by agency.
struct YearIndex {
    reports: Vec<(PathBuf, Arc<Prev>)>,
    /// Indexes into `reports` by agency.
    exact: HashMap<String, Vec<usize>>,
    /// Indexes into `reports` by each end of their agency that follows a place
    /// name ("洪泽区人民政府" for "淮安市洪泽区人民政府").
    by_end: HashMap<String, Vec<usize>>,
}

/// The ends of `agency` that follow a place name (see [`same_agency`]).
fn place_ends(agency: &str) -> impl Iterator<Item = &str> {
    agency
        .char_indices()
        .filter(|(_, c)| PLACE_ENDS.contains(c))
        .map(move |(i, c)| &agency[i + c.len_utf8()..])
        .filter(|end| end.chars().count() >= 5)
}

impl YearIndex {
    fn new(peers: &DiskPeers, paths: &[PathBuf], year: u16) -> YearIndex {
        let mut index = YearIndex {
            reports: Vec::new(),
            exact: HashMap::new(),
            by_end: HashMap::new(),
        };
        for path in paths {
            let Some(prev) = peers.prev_of(path, year) else {
                continue;
            };
            if prev.agency_year.year != year {
                continue;
            }
            let i = index.reports.len();
            index
                .exact
                .entry(prev.agency_year.agency.clone())
                .or_default()
                .push(i);
            for end in place_ends(&prev.agency_year.agency) {
                index.by_end.entry(end.to_string()).or_default().push(i);
            }
            index.reports.push((path.clone(), prev));
        }
        index
    }
}

trait YearLookup {
    fn exact(&self, agency: &str, usable: &dyn Fn(&Path) -> bool) -> Option<Arc<Prev>>;
    fn loose(&self, me: &AgencyYear, usable: &dyn Fn(&Path) -> bool) -> Option<Arc<Prev>>;
}

impl YearLookup for Arc<OnceLock<YearIndex>> {
    /// The first report (in the order given) of the same agency by name.
    fn exact(&self, agency: &str, usable: &dyn Fn(&Path) -> bool) -> Option<Arc<Prev>> {
        let index = self.get()?;
        index.exact.get(agency)?.iter().find_map(|&i| {
            let (path, prev) = &index.reports[i];
            usable(path).then(|| prev.clone())
        })
    }

    /// The first report (in the order given) of the same agency with or
    /// without a place name in front ([`same_agency`]).
    fn loose(&self, me: &AgencyYear, usable: &dyn Fn(&Path) -> bool) -> Option<Arc<Prev>> {
        let index = self.get()?;
        let mut hits: Vec<usize> = Vec::new();
        if let Some(v) = index.exact.get(&me.agency) {
            hits.extend(v);
        }
        if let Some(v) = index.by_end.get(&me.agency) {
            hits.extend(v);
        }
        for end in place_ends(&me.agency) {
            if let Some(v) = index.exact.get(end) {
                hits.extend(v);
            }
        }
        hits.sort_unstable();
        hits.into_iter().find_map(|i| {
            let (path, prev) = &index.reports[i];
            (usable(path) && me.is_previous(&prev.agency_year)).then(|| prev.clone())
        })
    }
}

impl DiskPeers {
    /// The findings across years for the report `src` (read from `path`, if a
    /// file), merged into its diagnostics `base` (see [`merge`]).
    pub fn add_findings(
        &self,
        path: Option<&Path>,
        src: &str,
        report: &Report,
        config: &Config,
        base: Vec<Diagnostic>,
    ) -> Vec<Diagnostic> {
        if !rules().any(|r| config.rule_enabled(r)) {
            return base;
        }
        let Some(me) = AgencyYear::of(src, report) else {
            return base;
        };
        if me.year == 0 {
            return base;
        }
        let Some(prev) = self.find(path, &me, &|_| false) else {
            return base;
        };
        let across = check_prev(src, report, &prev, config);
        merge(src, config, base, across)
    }
}

/// The rules checked here.
pub fn rules() -> impl Iterator<Item = Rule> {
    Rule::ALL
        .iter()
        .copied()
        .filter(|r| matches!(r.meta().check, Check::AcrossYears))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn agencies_from_titles() {
        for (t, a) in [
            (
                "蒙城县工业和信息化局2024年\n政府信息公开工作年度报告",
                "蒙城县工业和信息化局",
            ),
            (
                "                洪泽区人民政府\n      2023 年政府信息公开工作年度报告",
                "洪泽区人民政府",
            ),
            (
                "2024年度蒙城县工信局政府信息公开工作年度报告",
                "蒙城县工信局",
            ),
            (
                "# 中共某某县委（办公室）2024年政府信息公开工作年度报告",
                "中共某某县委办公室",
            ),
        ] {
            assert_eq!(agency_of_title(t).as_deref(), Some(a), "{t}");
        }
        assert_eq!(agency_of_title("2024年政府信息公开工作年度报告"), None);
        // A year running into the name words (a line taken for the title in a
        // mangled draft; found by running `check` over 3,000 mutated reports: it
        // panicked slicing between the year's end and the name's start).
        assert_eq!(
            agency_of_title("对2023年度报告中指出的政策解读形式单一问题,已制作图解2期。"),
            None
        );
        assert_eq!(agency_of_title("2023年度报告"), None);
        assert!(same_agency("淮安市洪泽区人民政府", "洪泽区人民政府"));
        assert!(!same_agency("洪泽区人民政府", "淮阴区人民政府"));
        assert!(!same_agency("某某区人民政府", "区人民政府"));
    }

    #[test]
    fn prose_similarity() {
        let a = normalise_prose("2023年，信息发布总量偏少（3条）。一是加强培训；二是完善制度。");
        let b = normalise_prose("2024 年，信息发布总量偏少(5 条)。一是加强培训；二是完善制度。");
        assert_eq!(a, b);
        assert_eq!(similarity(&a, &b), 1.0);
        assert!(similarity(&a, "完全不同的一段文字内容") < 0.1);
    }

    #[test]
    fn heads_in_other_encodings_are_read_from_the_first_bytes() {
        // "洪泽区人民政府\n2023年政府信息公开工作年度报告" in GBK.
        let gbk: &[u8] = b"\xba\xe9\xd4\xf3\xc7\xf8\xc8\xcb\xc3\xf1\xd5\xfe\xb8\xae\n2023\xc4\xea\xd5\xfe\xb8\xae\xd0\xc5\xcf\xa2\xb9\xab\xbf\xaa\xb9\xa4\xd7\xf7\xc4\xea\xb6\xc8\xb1\xa8\xb8\xe6\n";
        assert_eq!(head_years(&decode_head(gbk)), vec![2023]);
        let le: Vec<u8> = [0xFF, 0xFE]
            .into_iter()
            .chain(
                "某局\n2024年政府信息公开工作年度报告"
                    .encode_utf16()
                    .flat_map(u16::to_le_bytes),
            )
            .collect();
        assert_eq!(head_years(&decode_head(&le)), vec![2024]);
        // Not a report: nothing more is read.
        assert!(head_years(&decode_head(b"\xff\xfe\x00")).is_empty());
        assert!(head_years(&decode_head(&[0xB0; 4096])).is_empty());
    }

    #[test]
    fn a_big_sibling_is_read_only_as_far_as_its_head() {
        let dir = tempfile::tempdir().unwrap();
        let big = dir.path().join("big.txt");
        // 8 MB of GBK text that is no report: only its head is read.
        std::fs::write(&big, vec![0xB0; 8 << 20]).unwrap();
        fn never(_: &Path) -> Option<String> {
            panic!("the whole file was read")
        }
        let peers = DiskPeers::new(vec![big.clone()], never, None);
        let me = AgencyYear {
            agency: "洪泽区人民政府".into(),
            year: 2024,
        };
        assert!(peers.find(None, &me, &|_| false).is_none());
    }

    #[test]
    fn the_index_of_the_given_files_keeps_the_order_of_preference() {
        let dir = tempfile::tempdir().unwrap();
        let write = |name: &str, agency: &str, year: u16| {
            let p = dir.path().join(name);
            std::fs::write(
                &p,
                format!("{agency}\n{year}年政府信息公开工作年度报告\n\n一、总体情况\n\n正文。\n"),
            )
            .unwrap();
            p
        };
        fn read(p: &Path) -> Option<String> {
            std::fs::read_to_string(p).ok()
        }
        let loose = write("a.md", "淮安市洪泽区人民政府", 2023);
        let other = write("b.md", "淮阴区人民政府", 2023);
        let exact = write("c.md", "洪泽区人民政府", 2023);
        let this = write("d.md", "洪泽区人民政府", 2024);
        let me = AgencyYear {
            agency: "洪泽区人民政府".into(),
            year: 2024,
        };
        let name = |p: Option<Arc<Prev>>| p.map(|p| p.name.clone());
        let all = vec![loose.clone(), other.clone(), exact.clone(), this.clone()];
        let peers = DiskPeers::new(all, read, None);
        // The same name wins over an earlier one with a place name in front.
        assert_eq!(
            name(peers.find(Some(&this), &me, &|_| false)).as_deref(),
            Some("c.md")
        );
        // Left out: the one with the place name.
        let skip_exact = |p: &Path| p == exact.as_path();
        assert_eq!(
            name(peers.find(Some(&this), &me, &skip_exact)).as_deref(),
            Some("a.md")
        );
        // The longer name finds the shorter one too.
        let me_long = AgencyYear {
            agency: "淮安市洪泽区人民政府".into(),
            year: 2024,
        };
        let skip_loose = |p: &Path| p == loose.as_path();
        assert_eq!(
            name(peers.find(None, &me_long, &skip_loose)).as_deref(),
            Some("c.md")
        );
        // Not last year's: nothing.
        let me_2026 = AgencyYear { year: 2026, ..me };
        assert!(peers.find(None, &me_2026, &|_| false).is_none());
        let _ = other;
    }

    #[test]
    fn heads() {
        assert_eq!(
            head_years("\n  洪泽区人民政府\n 2023 年政府信息公开工作年度报告\n正文"),
            vec![2023]
        );
        assert!(head_years("# README\n2023年").is_empty());
    }
}
