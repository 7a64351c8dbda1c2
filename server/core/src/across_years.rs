//! Checks across years (NB406–NB408): this year's report against last year's
//! report of the same agency, when it is available (spec §5 "Across years").
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
use std::collections::HashMap;
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

/// The first lines of a file: 4 KB read; UTF-16 or other non-UTF-8 text is read whole.
fn read_head(path: &Path, read: ReadText) -> Option<String> {
    use std::io::Read;
    let mut buf = vec![0u8; 4096];
    let mut f = std::fs::File::open(path).ok()?;
    let mut n = 0;
    while n < buf.len() {
        match f.read(&mut buf[n..]) {
            Ok(0) => break,
            Ok(k) => n += k,
            Err(_) => return None,
        }
    }
    buf.truncate(n);
    let bytes = buf.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(&buf);
    match std::str::from_utf8(bytes) {
        Ok(s) => Some(s.to_string()),
        Err(e) if e.error_len().is_none() => {
            Some(String::from_utf8_lossy(&bytes[..e.valid_up_to()]).into_owned())
        }
        Err(_) => read(path),
    }
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
}

impl DiskPeers {
    pub fn new(given: Vec<PathBuf>, read: ReadText, ttl: Option<Duration>) -> DiskPeers {
        DiskPeers {
            given,
            read,
            ttl,
            folders: Mutex::new(HashMap::new()),
            files: Mutex::new(HashMap::new()),
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
        let years = read_head(path, self.read)
            .map(|h| head_years(&h))
            .unwrap_or_default();
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
        let mut candidates: Vec<PathBuf> = self.given.clone();
        if let Some(dir) = this.and_then(Path::parent) {
            let dir = if dir.as_os_str().is_empty() {
                Path::new(".")
            } else {
                dir
            };
            candidates.extend(self.listing(dir).iter().cloned());
        }
        let mut seen = std::collections::HashSet::new();
        let mut loose = None;
        for path in candidates {
            // Paths of the folder's listing share `this`'s parent: compared as they are.
            if !seen.insert(path.clone()) || Some(path.as_path()) == this || skip(&path) {
                continue;
            }
            let canon = path.clone();
            let e = self.entry(&canon);
            if me.year == 0 || !e.years.contains(&(me.year - 1)) {
                continue;
            }
            let prev = e
                .prev
                .get_or_init(|| {
                    let text = (self.read)(&canon)?;
                    let report = crate::parse::parse(&text, None);
                    let name = path
                        .file_name()
                        .map(|n| n.to_string_lossy().into_owned())
                        .unwrap_or_else(|| path.display().to_string());
                    Prev::of(&name, &text, &report).map(Arc::new)
                })
                .clone();
            let Some(prev) = prev else { continue };
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
    fn heads() {
        assert_eq!(
            head_years("\n  洪泽区人民政府\n 2023 年政府信息公开工作年度报告\n正文"),
            vec![2023]
        );
        assert!(head_years("# README\n2023年").is_empty());
    }
}
