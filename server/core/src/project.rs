//! `nianbao.toml`: project configuration.
//!
//! The file that applies to a report is the first `nianbao.toml` found walking up
//! from the report's directory to the filesystem root ([`find`]). It sets the same
//! things as the command-line options and the editor settings:
//!
//! ```toml
//! language = "zh"                     # or "en"
//! format = "2021"                     # "2019", "pre2019", "auto" (default)
//! [rules]
//! NB112 = "off"                       # "on", or a severity: error | warning | information | hint
//! row-total = { severity = "warning" } # a code, a rule name, or a group prefix (NB4)
//! [profile]
//! fee_decimals = 4
//! require_rectification = true
//! section6_items = ["人大代表建议和政协提案办理结果公开"]
//! ```
//!
//! [`ProjectFile::parse`] never fails: unknown keys, values of the wrong type and
//! bad values become [`Problem`]s with their line and column (from the `toml_edit`
//! crate's spans) and are left out; everything else applies. Only a file that is
//! not TOML at all (or cannot be read) is [`ProjectFile::broken`]: nothing of it
//! applies.

use crate::config::{Config, RuleSetting};
use crate::diag::{Lang, Msg, Severity};
use crate::rules::Rule;
use crate::template::Format;
use crate::text::{Encoding, LineIndex};
use std::collections::HashMap;
use std::ops::Range;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::SystemTime;

/// The file name looked for.
pub const FILE_NAME: &str = "nianbao.toml";

const TOP_KEYS: &str = "language, format, rules, profile";
const PROFILE_KEYS: &str = "fee_decimals, require_rectification, section6_items";
const RULE_KEYS: &str = "enabled, severity";
const RULE_VALUES: &str = "off, on, error, warning, information, hint";
/// At most this many problems of one file are listed; one more says how many were left out.
pub const MAX_PROBLEMS: usize = 100;
/// A nianbao.toml larger than this is not read (`--config /dev/zero` would never end).
pub const MAX_FILE_BYTES: u64 = 16 << 20;
/// The largest `fee_decimals` accepted (as in the editor settings).
const MAX_FEE_DECIMALS: i64 = 12;

/// Something wrong in a `nianbao.toml`, at a 1-based line and column (UTF-16
/// code units, as everywhere in the CLI); line 0 when it has no place (the file
/// cannot be read).
#[derive(Clone, Debug, PartialEq)]
pub struct Problem {
    pub line: usize,
    pub column: usize,
    pub message: Msg,
}

/// Profile keys as the file sets them (`None`: not in the file).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct ProfileFile {
    pub fee_decimals: Option<u8>,
    pub require_rectification: Option<bool>,
    pub section6_items: Option<Vec<String>>,
}

/// A parsed `nianbao.toml`: what it sets (each `None` when absent) and what was wrong.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct ProjectFile {
    pub path: PathBuf,
    pub language: Option<Lang>,
    /// `Some(None)`: `format = "auto"`.
    pub format: Option<Option<Format>>,
    /// By rule code (names and group prefixes are expanded to codes), in file order.
    pub rules: Vec<(Rule, RuleSetting)>,
    pub profile: ProfileFile,
    pub problems: Vec<Problem>,
    /// The file cannot be read or is not TOML: nothing of it applies.
    pub broken: bool,
}

impl ProjectFile {
    /// Read and parse the file at `path`.
    pub fn load(path: &Path) -> ProjectFile {
        match read_bounded(path) {
            Ok(bytes) => match String::from_utf8(bytes) {
                Ok(text) => ProjectFile::parse(path, &text),
                Err(_) => ProjectFile::unusable(
                    path,
                    Msg::new(
                        "无法读取：不是 UTF-8 编码的文本",
                        "cannot read it: not UTF-8 text",
                    ),
                ),
            },
            Err(ReadError::TooLarge) => ProjectFile::unusable(
                path,
                Msg::new(
                    format!("无法读取：超过 {} MB，不像配置文件", MAX_FILE_BYTES >> 20),
                    format!(
                        "cannot read it: larger than {} MB, not a configuration file",
                        MAX_FILE_BYTES >> 20
                    ),
                ),
            ),
            Err(ReadError::Io(e)) => ProjectFile::unusable(
                path,
                Msg::new(format!("无法读取：{e}"), format!("cannot read it: {e}")),
            ),
        }
    }

    fn unusable(path: &Path, message: Msg) -> ProjectFile {
        ProjectFile {
            path: path.to_path_buf(),
            problems: vec![Problem {
                line: 0,
                column: 0,
                message,
            }],
            broken: true,
            ..ProjectFile::default()
        }
    }

    /// Parse `text` (the contents of `path`).
    pub fn parse(path: &Path, text: &str) -> ProjectFile {
        let text = text.strip_prefix('\u{feff}').unwrap_or(text);
        let mut file = ProjectFile {
            path: path.to_path_buf(),
            ..ProjectFile::default()
        };
        // One index for every problem's place: lines end at \n, \r\n or \r, as in LSP.
        let index = LineIndex::new(text);
        let place = |span: Option<Range<usize>>| match span {
            Some(s) => {
                let p = index.position(text, s.start, Encoding::Utf16);
                (p.line as usize + 1, p.character as usize + 1)
            }
            None => (0, 0),
        };
        let top = match toml_edit::ImDocument::parse(text) {
            Ok(doc) => table_node(doc.as_table()),
            Err(e) => {
                let (line, column) = place(e.span());
                let m = e
                    .message()
                    .lines()
                    .map(str::trim)
                    .filter(|l| !l.is_empty())
                    .collect::<Vec<_>>()
                    .join("; ");
                file.problems.push(Problem {
                    line,
                    column,
                    message: Msg::new(format!("TOML 语法错误：{m}"), format!("not TOML: {m}")),
                });
                file.broken = true;
                return file;
            }
        };
        let mut problems = Vec::new();
        let mut left_out = 0usize;
        let mut report = |span: Option<Range<usize>>, message: Msg| {
            if problems.len() >= MAX_PROBLEMS {
                left_out += 1;
                return;
            }
            let (line, column) = place(span);
            problems.push(Problem {
                line,
                column,
                message,
            });
        };
        for (key, value) in &top {
            match key.name.as_str() {
                "language" => match str_value(&value.node) {
                    Some(s) => match s.to_ascii_lowercase().as_str() {
                        "zh" | "zh-cn" | "zh-hans" => file.language = Some(Lang::Zh),
                        "en" => file.language = Some(Lang::En),
                        _ => report(value.span(), bad_value("language", s, "zh, en")),
                    },
                    None => report(value.span(), wrong_type("language", &value.node, STRING)),
                },
                "format" => {
                    let text = match &value.node {
                        Node::Str(s) => Some(s.clone()),
                        Node::Int(i) => Some(i.to_string()),
                        _ => None,
                    };
                    match text.as_deref() {
                        Some("auto") => file.format = Some(None),
                        Some("2019") => file.format = Some(Some(Format::F2019)),
                        Some("2021") => file.format = Some(Some(Format::F2021)),
                        Some("pre2019") => file.format = Some(Some(Format::Pre2019)),
                        Some(x) => report(value.span(), bad_value("format", x, "auto, 2019, 2021")),
                        None => report(value.span(), wrong_type("format", &value.node, STRING)),
                    }
                }
                "rules" => match &value.node {
                    Node::Table(rules) => {
                        for (code, setting) in rules {
                            read_rule(code, setting, &mut file.rules, &mut report);
                        }
                    }
                    other => report(value.span(), wrong_type("rules", other, TABLE)),
                },
                "profile" => match &value.node {
                    Node::Table(entries) => {
                        read_profile(entries, &mut file.profile, &mut report);
                    }
                    other => report(value.span(), wrong_type("profile", other, TABLE)),
                },
                other => report(key.span.clone(), unknown_key(other, TOP_KEYS)),
            }
        }
        if left_out > 0 {
            problems.push(Problem {
                line: 0,
                column: 0,
                message: Msg::new(
                    format!("另有 {left_out} 个问题未列出（只列出前 {MAX_PROBLEMS} 个）"),
                    format!("{left_out} more problems not shown (only the first {MAX_PROBLEMS} are listed)"),
                ),
            });
        }
        file.problems = problems;
        file
    }

    /// Lay what the file sets on top of `config` (nothing when it is broken).
    pub fn apply(&self, config: &mut Config) {
        if self.broken {
            return;
        }
        if let Some(lang) = self.language {
            config.lang = lang;
        }
        if let Some(format) = self.format {
            config.format = format;
        }
        for (rule, setting) in &self.rules {
            config.merge_rule(*rule, setting);
        }
        let p = &self.profile;
        if let Some(d) = p.fee_decimals {
            config.profile.fee_decimals = Some(d);
        }
        if let Some(r) = p.require_rectification {
            config.profile.require_rectification = r;
        }
        if let Some(items) = &p.section6_items {
            config.profile.section6_items = items.clone();
        }
    }

    /// Each problem as `path:line:column: message` (`path: message` without a place).
    pub fn messages(&self, lang: Lang) -> Vec<String> {
        self.messages_at(&self.path, lang)
    }

    /// [`ProjectFile::messages`] with the file shown as `path`.
    pub fn messages_at(&self, path: &Path, lang: Lang) -> Vec<String> {
        self.problems
            .iter()
            .map(|p| {
                let path = path.display();
                let m = p.message.get(lang);
                if p.line == 0 {
                    format!("{path}: {m}")
                } else {
                    format!("{path}:{}:{}: {m}", p.line, p.column)
                }
            })
            .collect()
    }
}

enum ReadError {
    TooLarge,
    Io(std::io::Error),
}

/// The bytes of `path`, at most [`MAX_FILE_BYTES`] of them (a device or a FIFO
/// given as `--config` is read no further).
fn read_bounded(path: &Path) -> Result<Vec<u8>, ReadError> {
    use std::io::Read;
    let file = std::fs::File::open(path).map_err(ReadError::Io)?;
    let mut bytes = Vec::new();
    file.take(MAX_FILE_BYTES + 1)
        .read_to_end(&mut bytes)
        .map_err(ReadError::Io)?;
    if bytes.len() as u64 > MAX_FILE_BYTES {
        return Err(ReadError::TooLarge);
    }
    Ok(bytes)
}

/// The directory to start the walk from for a report at `file`: its directory,
/// made absolute (and with symbolic links resolved when it exists).
pub fn start_dir(file: &Path) -> PathBuf {
    let dir = match file.parent() {
        Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
        _ => PathBuf::from("."),
    };
    absolute_dir(&dir)
}

/// `dir` made absolute (symbolic links resolved when it exists).
pub fn absolute_dir(dir: &Path) -> PathBuf {
    std::fs::canonicalize(dir)
        .or_else(|_| std::path::absolute(dir))
        .unwrap_or_else(|_| dir.to_path_buf())
}

/// The first `nianbao.toml` in `dir` or a directory above it.
pub fn find(dir: &Path) -> Option<PathBuf> {
    dir.ancestors()
        .map(|d| d.join(FILE_NAME))
        .find(|p| p.is_file())
}

/// Resolve a rule key — a code (`NB301`, any case), a rule name (`row-total`) or
/// a group prefix (`NB3`) — to the codes it stands for.
pub fn rule_codes(key: &str) -> Vec<Rule> {
    crate::rules::select(key)
}

/// A rule value: `"off"`, `"on"`, a severity, `true`/`false`, or
/// `{ enabled = …, severity = … }`.
fn read_rule(
    key: &Key,
    value: &SpannedNode,
    out: &mut Vec<(Rule, RuleSetting)>,
    report: &mut impl FnMut(Option<Range<usize>>, Msg),
) {
    let codes = rule_codes(&key.name);
    if codes.is_empty() {
        report(
            key.span.clone(),
            Msg::new(
                format!("未知的规则「{}」（见 nianbao rules）", key.name),
                format!("unknown rule '{}' (see 'nianbao rules')", key.name),
            ),
        );
        return;
    }
    let what = format!("rules.{}", key.name);
    let setting = match &value.node {
        Node::Bool(b) => Some(RuleSetting {
            enabled: Some(*b),
            severity: None,
        }),
        Node::Str(s) => {
            let setting = rule_word(s);
            if setting.is_none() {
                report(value.span(), bad_value(&what, s, RULE_VALUES));
            }
            setting
        }
        Node::Table(entries) => {
            let mut setting = RuleSetting::default();
            for (k, v) in entries {
                let name = format!("{what}.{}", k.name);
                match (k.name.as_str(), &v.node) {
                    ("enabled", Node::Bool(b)) => setting.enabled = Some(*b),
                    ("enabled", other) => report(v.span(), wrong_type(&name, other, BOOL)),
                    ("severity", Node::Str(s)) => match s.to_ascii_lowercase().as_str() {
                        "off" => setting.enabled = Some(false),
                        x => match Severity::parse(x) {
                            Some(sev) => setting.severity = Some(sev),
                            None => report(
                                v.span(),
                                bad_value(&name, s, "error, warning, information, hint"),
                            ),
                        },
                    },
                    ("severity", other) => report(v.span(), wrong_type(&name, other, STRING)),
                    (other, _) => report(
                        k.span.clone(),
                        unknown_key(&format!("{what}.{other}"), RULE_KEYS),
                    ),
                }
            }
            Some(setting)
        }
        other => {
            report(
                value.span(),
                Msg::new(
                    format!(
                        "「{what}」应为字符串（{RULE_VALUES}）或表 {{ enabled = …, severity = … }}，实为{}",
                        type_name(other, Lang::Zh)
                    ),
                    format!(
                        "'{what}' must be a string ({RULE_VALUES}) or a table {{ enabled = …, severity = … }}, found {}",
                        type_name(other, Lang::En)
                    ),
                ),
            );
            None
        }
    };
    if let Some(setting) = setting {
        for rule in codes {
            out.push((rule, setting.clone()));
        }
    }
}

fn rule_word(s: &str) -> Option<RuleSetting> {
    let (enabled, severity) = match s.to_ascii_lowercase().as_str() {
        "off" | "false" | "disabled" => (false, None),
        "on" | "true" | "enabled" | "default" => (true, None),
        x => (true, Some(Severity::parse(x)?)),
    };
    Some(RuleSetting {
        enabled: Some(enabled),
        severity,
    })
}

fn read_profile(
    entries: &[(Key, SpannedNode)],
    out: &mut ProfileFile,
    report: &mut impl FnMut(Option<Range<usize>>, Msg),
) {
    for (k, v) in entries {
        let name = format!("profile.{}", k.name);
        match (k.name.as_str(), &v.node) {
            ("fee_decimals", Node::Int(d)) if (0..=MAX_FEE_DECIMALS).contains(d) => {
                out.fee_decimals = Some(*d as u8)
            }
            ("fee_decimals", Node::Int(d)) => report(
                v.span(),
                bad_value(&name, &d.to_string(), &format!("0 … {MAX_FEE_DECIMALS}")),
            ),
            ("fee_decimals", other) => report(v.span(), wrong_type(&name, other, INTEGER)),
            ("require_rectification", Node::Bool(b)) => out.require_rectification = Some(*b),
            ("require_rectification", other) => report(v.span(), wrong_type(&name, other, BOOL)),
            ("section6_items", Node::Array(items)) => {
                let mut list = Vec::new();
                for item in items {
                    match &item.node {
                        Node::Str(s) => list.push(s.clone()),
                        other => report(
                            item.span(),
                            Msg::new(
                                format!(
                                    "「{name}」的元素应为字符串，实为{}",
                                    type_name(other, Lang::Zh)
                                ),
                                format!(
                                    "items of '{name}' must be strings, found {}",
                                    type_name(other, Lang::En)
                                ),
                            ),
                        ),
                    }
                }
                out.section6_items = Some(list);
            }
            ("section6_items", other) => report(v.span(), wrong_type(&name, other, ARRAY)),
            (other, _) => report(
                k.span.clone(),
                unknown_key(&format!("profile.{other}"), PROFILE_KEYS),
            ),
        }
    }
}

/// Messages.
fn unknown_key(key: &str, known: &str) -> Msg {
    Msg::new(
        format!("未知的配置项「{key}」（可用：{known}）"),
        format!("unknown key '{key}' (expected one of: {known})"),
    )
}

fn bad_value(key: &str, value: &str, expected: &str) -> Msg {
    Msg::new(
        format!("「{key}」的值「{value}」无效（可用：{expected}）"),
        format!("invalid value '{value}' for '{key}' (expected {expected})"),
    )
}

/// Expected types, (Chinese, English).
type Expected = (&'static str, &'static str);
const STRING: Expected = ("字符串", "a string");
const BOOL: Expected = ("布尔值（true 或 false）", "a boolean (true or false)");
const INTEGER: Expected = ("整数", "an integer");
const ARRAY: Expected = ("字符串数组", "an array of strings");
const TABLE: Expected = ("表", "a table");

fn wrong_type(key: &str, found: &Node, expected: Expected) -> Msg {
    Msg::new(
        format!(
            "「{key}」应为{}，实为{}",
            expected.0,
            type_name(found, Lang::Zh)
        ),
        format!(
            "'{key}' must be {}, found {}",
            expected.1,
            type_name(found, Lang::En)
        ),
    )
}

fn type_name(node: &Node, lang: Lang) -> &'static str {
    let (zh, en) = match node {
        Node::Str(_) => STRING,
        Node::Int(_) => INTEGER,
        Node::Float => ("小数", "a float"),
        Node::Bool(_) => ("布尔值", "a boolean"),
        Node::Datetime => ("日期时间", "a date-time"),
        Node::Array(_) => ("数组", "an array"),
        Node::Table(_) => TABLE,
    };
    match lang {
        Lang::Zh => zh,
        Lang::En => en,
    }
}

fn str_value(node: &Node) -> Option<&str> {
    match node {
        Node::Str(s) => Some(s),
        _ => None,
    }
}

// ------------------------------------------------------------------ the TOML tree with spans

/// A TOML value whose keys and values keep their byte spans.
#[derive(Debug)]
enum Node {
    Str(String),
    Int(i64),
    Float,
    Bool(bool),
    Datetime,
    Array(Vec<SpannedNode>),
    Table(Vec<(Key, SpannedNode)>),
}

#[derive(Debug)]
struct SpannedNode {
    span: Option<Range<usize>>,
    node: Node,
}

impl SpannedNode {
    fn span(&self) -> Option<Range<usize>> {
        self.span.clone()
    }
}

#[derive(Debug)]
struct Key {
    name: String,
    span: Option<Range<usize>>,
}

/// The entries of a table (`[header]`, inline or implicit), with the spans
/// `toml_edit` kept of each key and value, in file order.
fn table_node(table: &dyn toml_edit::TableLike) -> Vec<(Key, SpannedNode)> {
    table
        .iter()
        .map(|(name, item)| {
            let span = table.key(name).and_then(toml_edit::Key::span);
            (
                Key {
                    name: name.to_string(),
                    span,
                },
                item_node(item),
            )
        })
        .collect()
}

fn item_node(item: &toml_edit::Item) -> SpannedNode {
    use toml_edit::Item;
    match item {
        Item::Value(v) => value_node(v),
        Item::Table(t) => SpannedNode {
            span: t.span(),
            node: Node::Table(table_node(t)),
        },
        Item::ArrayOfTables(a) => SpannedNode {
            span: a.span(),
            node: Node::Array(
                a.iter()
                    .map(|t| SpannedNode {
                        span: t.span(),
                        node: Node::Table(table_node(t)),
                    })
                    .collect(),
            ),
        },
        Item::None => SpannedNode {
            span: None,
            node: Node::Table(Vec::new()),
        },
    }
}

fn value_node(value: &toml_edit::Value) -> SpannedNode {
    use toml_edit::Value;
    let node = match value {
        Value::String(s) => Node::Str(s.value().clone()),
        Value::Integer(i) => Node::Int(*i.value()),
        Value::Float(_) => Node::Float,
        Value::Boolean(b) => Node::Bool(*b.value()),
        Value::Datetime(_) => Node::Datetime,
        Value::Array(a) => Node::Array(a.iter().map(value_node).collect()),
        Value::InlineTable(t) => Node::Table(table_node(t)),
    };
    SpannedNode {
        span: value.span(),
        node,
    }
}

// ------------------------------------------------------------------ cache

/// What identifies a version of a file on disk.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Stamp {
    modified: Option<SystemTime>,
    len: u64,
}

fn stamp(path: &Path) -> Option<Stamp> {
    let m = std::fs::metadata(path).ok()?;
    Some(Stamp {
        modified: m.modified().ok(),
        len: m.len(),
    })
}

/// Parsed `nianbao.toml` files by path, re-read when their size or modification
/// time changes, and which file each looked-up directory resolved to.
#[derive(Default)]
pub struct Cache {
    inner: Mutex<CacheInner>,
}

#[derive(Default)]
struct CacheInner {
    files: HashMap<PathBuf, (Option<Stamp>, Arc<ProjectFile>)>,
    dirs: HashMap<PathBuf, Option<PathBuf>>,
}

/// The result of [`Cache::lookup`].
#[derive(Clone, Debug, Default)]
pub struct Lookup {
    /// The file that applies (none found: `None`).
    pub file: Option<Arc<ProjectFile>>,
    /// The file was read just now (first use, or it changed): report its problems.
    pub fresh: bool,
    /// What applies here differs from the previous lookup (the file changed, or
    /// appeared, or went away): analyses made with the old one are stale.
    pub changed: bool,
}

impl Cache {
    /// The `nianbao.toml` that applies to reports in `dir` (absolute).
    pub fn lookup(&self, dir: &Path) -> Lookup {
        let found = find(dir);
        let mut inner = self.inner.lock().unwrap_or_else(|e| e.into_inner());
        let mut out = Lookup::default();
        if let Some(path) = &found {
            let now = stamp(path);
            match inner.files.get(path) {
                Some((s, file)) if *s == now && now.is_some() => out.file = Some(file.clone()),
                old => {
                    out.changed = old.is_some();
                    out.fresh = true;
                    let file = Arc::new(ProjectFile::load(path));
                    inner.files.insert(path.clone(), (now, file.clone()));
                    out.file = Some(file);
                }
            }
        }
        if let Some(before) = inner.dirs.insert(dir.to_path_buf(), found.clone()) {
            out.changed |= before != found;
        }
        out
    }

    /// Forget everything (a `nianbao.toml` was created, changed or deleted):
    /// the next lookups read afresh.
    pub fn clear(&self) {
        let mut inner = self.inner.lock().unwrap_or_else(|e| e.into_inner());
        inner.files.clear();
        inner.dirs.clear();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rules_map(file: &ProjectFile) -> std::collections::BTreeMap<Rule, RuleSetting> {
        let mut c = Config::default();
        file.apply(&mut c);
        c.rules
    }

    fn parse(text: &str) -> ProjectFile {
        ProjectFile::parse(Path::new("nianbao.toml"), text)
    }

    #[test]
    fn reads_every_key() {
        let f = parse(
            "language = \"en\"\nformat = \"2019\"\n[rules]\nNB112 = \"off\"\nrow-total = { severity = \"warning\" }\nNB302 = { enabled = false }\nnb303 = \"hint\"\n[profile]\nfee_decimals = 4\nrequire_rectification = true\nsection6_items = [\"人大代表建议和政协提案办理结果公开\"]\n",
        );
        assert!(f.problems.is_empty(), "{:?}", f.problems);
        let mut c = Config::default();
        f.apply(&mut c);
        assert_eq!(c.lang, Lang::En);
        assert_eq!(c.format, Some(Format::F2019));
        assert!(!c.rule_enabled(Rule::OverviewLength) && !c.rule_enabled(Rule::OutcomeTotal));
        assert!(c.rule_enabled(Rule::RowTotal));
        assert_eq!(
            c.severity(Rule::RowTotal, Severity::Error),
            Severity::Warning
        );
        assert_eq!(c.severity(Rule::Balance, Severity::Error), Severity::Hint);
        assert_eq!(c.profile.fee_decimals, Some(4));
        assert!(c.profile.require_rectification);
        assert_eq!(c.profile.section6_items.len(), 1);
    }

    #[test]
    fn spans_are_found() {
        let f = parse("language = \"zh\"\n\nrulez = 1\n[profile]\n  fee_decimalz = 2\n");
        let places: Vec<(usize, usize)> = f.problems.iter().map(|p| (p.line, p.column)).collect();
        assert_eq!(places, vec![(3, 1), (5, 3)], "{:?}", f.problems);
        assert_eq!(
            f.messages(Lang::Zh)[0],
            "nianbao.toml:3:1: 未知的配置项「rulez」（可用：language, format, rules, profile）"
        );
        assert_eq!(f.language, Some(Lang::Zh));
    }

    #[test]
    fn bad_values_and_types_are_located_and_left_out() {
        let f = parse(
            "language = \"fr\"\nformat = 2020\n[rules]\nNB999 = \"off\"\nNB301 = \"loud\"\nNB302 = 3\nNB4 = \"off\"\n[profile]\nfee_decimals = \"4\"\nrequire_rectification = \"yes\"\nsection6_items = [\"a\", 1]\ndate = 2024-01-01\n",
        );
        let places: Vec<(usize, usize)> = f.problems.iter().map(|p| (p.line, p.column)).collect();
        assert_eq!(
            places,
            vec![
                (1, 12),
                (2, 10),
                (4, 1),
                (5, 9),
                (6, 9),
                (9, 16),
                (10, 25),
                (11, 24),
                (12, 1)
            ],
            "{:#?}",
            f.problems
        );
        assert!(!f.broken);
        let rules = rules_map(&f);
        assert!(
            rules.keys().all(|c| c.code().starts_with("NB4")),
            "{rules:?}"
        );
        assert_eq!(f.profile.section6_items, Some(vec!["a".to_string()]));
    }

    #[test]
    fn places_count_every_line_break_lsp_knows() {
        // \r\n ends a line as \n does (TOML allows no lone \r outside strings).
        let f = parse("language = \"zh\"\r\nrulez = 1\r\n  fee = 2\n[profile]\r\nx = 1\n");
        let places: Vec<(usize, usize)> = f.problems.iter().map(|p| (p.line, p.column)).collect();
        assert_eq!(places, vec![(2, 1), (3, 3), (5, 1)], "{:?}", f.problems);
        // Columns in UTF-16 code units.
        let f = parse("language = \"𝄞𝄞\"\n");
        assert_eq!((f.problems[0].line, f.problems[0].column), (1, 12));
    }

    #[test]
    fn many_problems_are_capped_and_counted() {
        let text: String = (0..100_000).map(|i| format!("key{i} = {i}\n")).collect();
        let start = std::time::Instant::now();
        let f = parse(&text);
        assert!(start.elapsed() < std::time::Duration::from_secs(20));
        assert_eq!(f.problems.len(), MAX_PROBLEMS + 1);
        assert_eq!(
            (
                f.problems[MAX_PROBLEMS - 1].line,
                f.problems[MAX_PROBLEMS - 1].column
            ),
            (MAX_PROBLEMS, 1)
        );
        let last = &f.problems[MAX_PROBLEMS];
        assert_eq!(last.line, 0);
        assert!(
            last.message
                .get(Lang::En)
                .starts_with("99900 more problems not shown"),
            "{:?}",
            last.message
        );
        assert!(last
            .message
            .get(Lang::Zh)
            .contains("另有 99900 个问题未列出"));
    }

    #[test]
    fn a_huge_or_endless_file_is_not_read_whole() {
        #[cfg(unix)]
        {
            let f = ProjectFile::load(Path::new("/dev/zero"));
            assert!(f.broken);
            assert!(
                f.messages(Lang::En)[0].contains("larger than 16 MB"),
                "{:?}",
                f.messages(Lang::En)
            );
        }
    }

    #[test]
    fn broken_toml_is_located() {
        let f = parse("language = \"zh\"\n[rules\nNB112 = \"off\"\n");
        assert!(f.broken);
        assert_eq!(f.problems.len(), 1);
        assert_eq!(f.problems[0].line, 2, "{:?}", f.problems);
        let m = &f.messages(Lang::Zh)[0];
        assert!(
            m.starts_with("nianbao.toml:2:") && m.contains("TOML 语法错误"),
            "{m}"
        );
        let mut c = Config::default();
        f.apply(&mut c);
        assert_eq!(c, Config::default());
    }

    #[test]
    fn rule_keys() {
        assert_eq!(rule_codes("row-total"), vec![Rule::RowTotal]);
        assert_eq!(rule_codes("nb112"), vec![Rule::OverviewLength]);
        assert!(rule_codes("NB3").len() >= 4);
        assert!(rule_codes("NB").is_empty() && rule_codes("NB999").is_empty());
    }

    #[test]
    fn cache_rereads_changed_files() {
        let dir = tempfile::tempdir().unwrap();
        let sub = dir.path().join("a/b");
        std::fs::create_dir_all(&sub).unwrap();
        let cache = Cache::default();
        let l = cache.lookup(&sub);
        assert!(l.file.is_none() && !l.changed);
        let path = dir.path().join("a").join(FILE_NAME);
        std::fs::write(&path, "language = \"en\"\n").unwrap();
        let l = cache.lookup(&sub);
        assert!(l.fresh && l.changed);
        assert_eq!(l.file.as_ref().unwrap().language, Some(Lang::En));
        let l = cache.lookup(&sub);
        assert!(!l.fresh && !l.changed);
        std::fs::write(&path, "language = \"zh\"\nformat = \"2021\"\n").unwrap();
        let l = cache.lookup(&sub);
        assert!(l.fresh && l.changed);
        assert_eq!(l.file.as_ref().unwrap().language, Some(Lang::Zh));
        std::fs::remove_file(&path).unwrap();
        let l = cache.lookup(&sub);
        assert!(l.file.is_none() && l.changed);
    }
}
