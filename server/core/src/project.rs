//! `nianbao.toml`: project configuration (issue 7 §6).
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
//! bad values become [`Problem`]s with their line and column (from the `toml`
//! crate's spans) and are left out; everything else applies. Only a file that is
//! not TOML at all (or cannot be read) is [`ProjectFile::broken`]: nothing of it
//! applies.

use crate::config::{Config, RuleSetting};
use crate::diag::{Lang, Msg, Severity};
use crate::rules::Rule;
use crate::template::Format;
use serde::de::{self, DeserializeSeed, Deserializer, MapAccess, SeqAccess, Visitor};
use serde::Deserialize;
use std::collections::HashMap;
use std::fmt;
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
        match std::fs::read(path) {
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
            Err(e) => ProjectFile::unusable(
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
        let place = |span: Option<Range<usize>>| match span {
            Some(s) => line_column(text, s.start),
            None => (0, 0),
        };
        let top = match toml::from_str::<Node>(text) {
            Ok(Node::Table(entries)) => entries,
            Ok(_) => Vec::new(),
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
        let mut report = |span: Option<Range<usize>>, message: Msg| {
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

/// 1-based line and column (UTF-16 code units) of byte `offset` in `text`.
pub fn line_column(text: &str, offset: usize) -> (usize, usize) {
    let mut offset = offset.min(text.len());
    while !text.is_char_boundary(offset) {
        offset -= 1;
    }
    let before = &text[..offset];
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    let line = before.matches('\n').count() + 1;
    let column = before[line_start..].encode_utf16().count() + 1;
    (line, column)
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

/// How `toml` recognises a request for a span (the protocol of `toml::Spanned`,
/// from `serde_spanned`). Asked for by hand so that a key or value that carries no
/// span (the parts of a date-time) still reads; `spans_are_found` tests it.
const SPANNED_NAME: &str = "$__serde_spanned_private_Spanned";
const SPANNED_START: &str = "$__serde_spanned_private_start";
const SPANNED_END: &str = "$__serde_spanned_private_end";
const SPANNED_VALUE: &str = "$__serde_spanned_private_value";
const SPANNED_FIELDS: &[&str] = &[SPANNED_START, SPANNED_END, SPANNED_VALUE];

/// Private key under which `toml` hands over a date-time.
const DATETIME_KEY: &str = "$__toml_private_datetime";

impl<'de> Deserialize<'de> for Node {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Node, D::Error> {
        d.deserialize_any(NodeVisitor)
    }
}

struct NodeVisitor;

impl<'de> Visitor<'de> for NodeVisitor {
    type Value = Node;
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a TOML value")
    }
    fn visit_bool<E>(self, v: bool) -> Result<Node, E> {
        Ok(Node::Bool(v))
    }
    fn visit_i64<E>(self, v: i64) -> Result<Node, E> {
        Ok(Node::Int(v))
    }
    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Node, E> {
        Ok(i64::try_from(v).map_or(Node::Float, Node::Int))
    }
    fn visit_f64<E>(self, _: f64) -> Result<Node, E> {
        Ok(Node::Float)
    }
    fn visit_str<E>(self, v: &str) -> Result<Node, E> {
        Ok(Node::Str(v.to_string()))
    }
    fn visit_string<E>(self, v: String) -> Result<Node, E> {
        Ok(Node::Str(v))
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Node, A::Error> {
        let mut items = Vec::new();
        while let Some(item) = seq.next_element_seed(SpannedSeed)? {
            items.push(item);
        }
        Ok(Node::Array(items))
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Node, A::Error> {
        let mut entries = Vec::new();
        while let Some(key) = map.next_key_seed(KeySeed)? {
            if key.name == DATETIME_KEY {
                let _: de::IgnoredAny = map.next_value()?;
                return Ok(Node::Datetime);
            }
            let value = map.next_value_seed(SpannedSeed)?;
            entries.push((key, value));
        }
        Ok(Node::Table(entries))
    }
}

/// Reads a value with its span (when the deserializer has one).
struct SpannedSeed;

impl<'de> DeserializeSeed<'de> for SpannedSeed {
    type Value = SpannedNode;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<SpannedNode, D::Error> {
        d.deserialize_struct(SPANNED_NAME, SPANNED_FIELDS, SpannedVisitor(NodeVisitor))
    }
}

/// Reads a key with its span (when the deserializer has one).
struct KeySeed;

impl<'de> DeserializeSeed<'de> for KeySeed {
    type Value = Key;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Key, D::Error> {
        let s = d.deserialize_struct(SPANNED_NAME, SPANNED_FIELDS, SpannedVisitor(NodeVisitor))?;
        match s.node {
            Node::Str(name) => Ok(Key { name, span: s.span }),
            other => Err(de::Error::custom(format!("unexpected key {other:?}"))),
        }
    }
}

/// Takes either the span protocol's map (start, end, value) or a plain value.
struct SpannedVisitor(NodeVisitor);

impl<'de> Visitor<'de> for SpannedVisitor {
    type Value = SpannedNode;
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a TOML value")
    }
    fn visit_bool<E: de::Error>(self, v: bool) -> Result<SpannedNode, E> {
        plain(self.0.visit_bool(v))
    }
    fn visit_i64<E: de::Error>(self, v: i64) -> Result<SpannedNode, E> {
        plain(self.0.visit_i64(v))
    }
    fn visit_u64<E: de::Error>(self, v: u64) -> Result<SpannedNode, E> {
        plain(self.0.visit_u64(v))
    }
    fn visit_f64<E: de::Error>(self, v: f64) -> Result<SpannedNode, E> {
        plain(self.0.visit_f64(v))
    }
    fn visit_str<E: de::Error>(self, v: &str) -> Result<SpannedNode, E> {
        plain(self.0.visit_str(v))
    }
    fn visit_string<E: de::Error>(self, v: String) -> Result<SpannedNode, E> {
        plain(self.0.visit_string(v))
    }
    fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<SpannedNode, A::Error> {
        plain(self.0.visit_seq(seq))
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<SpannedNode, A::Error> {
        // The span protocol hands over start, end and value, in that order; any
        // other map is a plain table (or a date-time) without a span.
        let Some(first) = map.next_key::<String>()? else {
            return Ok(SpannedNode {
                span: None,
                node: Node::Table(Vec::new()),
            });
        };
        if first != SPANNED_START {
            return plain(rest_of_map(first, map));
        }
        let start: usize = map.next_value()?;
        let mut end = start;
        let mut node = None;
        while let Some(k) = map.next_key::<String>()? {
            match k.as_str() {
                SPANNED_END => end = map.next_value()?,
                SPANNED_VALUE => node = Some(map.next_value::<Node>()?),
                _ => {
                    let _: de::IgnoredAny = map.next_value()?;
                }
            }
        }
        let node = node.ok_or_else(|| de::Error::missing_field(SPANNED_VALUE))?;
        Ok(SpannedNode {
            span: Some(start..end),
            node,
        })
    }
}

/// A map whose first key was already read as a plain string.
fn rest_of_map<'de, A: MapAccess<'de>>(first: String, mut map: A) -> Result<Node, A::Error> {
    if first == DATETIME_KEY {
        let _: de::IgnoredAny = map.next_value()?;
        return Ok(Node::Datetime);
    }
    let mut entries = vec![(
        Key {
            name: first,
            span: None,
        },
        map.next_value_seed(SpannedSeed)?,
    )];
    while let Some(key) = map.next_key_seed(KeySeed)? {
        let value = map.next_value_seed(SpannedSeed)?;
        entries.push((key, value));
    }
    Ok(Node::Table(entries))
}

fn plain<E>(node: Result<Node, E>) -> Result<SpannedNode, E> {
    node.map(|node| SpannedNode { span: None, node })
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
