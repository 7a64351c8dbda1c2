//! Diagnostics as the core produces them: byte ranges, both languages, fixes as
//! text edits. Rendering (terminal, JSON, SARIF, LSP) happens elsewhere.

use crate::rules::Rule;
use crate::text::{TextEdit, TextRange};
use serde::Serialize;

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Error,
    Warning,
    Information,
    Hint,
}

impl Severity {
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Error => "error",
            Severity::Warning => "warning",
            Severity::Information => "information",
            Severity::Hint => "hint",
        }
    }
    pub fn parse(s: &str) -> Option<Severity> {
        Some(match s {
            "error" => Severity::Error,
            "warning" => Severity::Warning,
            "information" | "info" => Severity::Information,
            "hint" => Severity::Hint,
            _ => return None,
        })
    }
}

/// Message language.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Default, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Lang {
    #[default]
    Zh,
    En,
}

impl Lang {
    pub fn parse(s: &str) -> Option<Lang> {
        let s = s.to_ascii_lowercase();
        if s.starts_with("zh") {
            Some(Lang::Zh)
        } else if s.starts_with("en") {
            Some(Lang::En)
        } else {
            None
        }
    }
}

/// A text in both languages.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Msg {
    pub zh: String,
    pub en: String,
}

impl Msg {
    pub fn new(zh: impl Into<String>, en: impl Into<String>) -> Self {
        Msg {
            zh: zh.into(),
            en: en.into(),
        }
    }
    pub fn get(&self, lang: Lang) -> &str {
        match lang {
            Lang::Zh => &self.zh,
            Lang::En => &self.en,
        }
    }
}

/// A place that takes part in a finding (e.g. a cell an identity sums).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Related {
    pub range: TextRange,
    pub message: Msg,
}

/// What a fix does, so that clients can group fixes (e.g. fix-all takes only `Recompute`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum FixKind {
    /// Rewrites a total cell from its parts (safe, part of fix-all).
    Recompute,
    /// Inserts or rewrites text (headings, rows, cells): offered, never applied by `--fix`.
    Edit,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Fix {
    pub title: Msg,
    pub kind: FixKind,
    /// The one obvious fix for the finding.
    pub preferred: bool,
    pub edits: Vec<TextEdit>,
}

/// What a finding is, as data: what fixes and the editor features (hover,
/// inlay hints, code lens) read instead of parsing the message or a fix's text.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case", tag = "kind")]
pub enum Finding {
    /// A total that fails an identity of table 三 or 四.
    WrongTotal {
        cell: crate::template::CellRef,
        identity: crate::template::IdentityKind,
        /// The total as written.
        written: i64,
        /// The value the identity implies for it (may be negative).
        expected: i64,
        /// Writing `expected` is the fix (a recompute fix is attached).
        fixable: bool,
    },
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Diagnostic {
    /// The rule that found it (serialised as its code, "NB301").
    #[serde(rename = "code")]
    pub rule: Rule,
    pub severity: Severity,
    pub range: TextRange,
    pub message: Msg,
    pub related: Vec<Related>,
    pub fixes: Vec<Fix>,
    /// The finding as data, for the findings that have one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub finding: Option<Finding>,
}

impl Diagnostic {
    /// A finding of `rule` with the rule's default severity.
    pub fn new(rule: Rule, range: TextRange, message: Msg) -> Self {
        Diagnostic {
            rule,
            severity: rule.default_severity(),
            range,
            message,
            related: Vec::new(),
            fixes: Vec::new(),
            finding: None,
        }
    }
    /// The rule's code, e.g. "NB301" (for renderers).
    pub fn code(&self) -> &'static str {
        self.rule.code()
    }
    pub fn with_related(mut self, related: Vec<Related>) -> Self {
        self.related = related;
        self
    }
    pub fn with_finding(mut self, finding: Finding) -> Self {
        self.finding = Some(finding);
        self
    }
    /// The total this finding says is wrong, with the value it should have,
    /// when recomputing it is the fix.
    pub fn expected_total(&self) -> Option<(crate::template::CellRef, i64)> {
        match self.finding? {
            Finding::WrongTotal {
                cell,
                expected,
                fixable: true,
                ..
            } => Some((cell, expected)),
            _ => None,
        }
    }
    pub fn with_fix(mut self, fix: Fix) -> Self {
        self.fixes.push(fix);
        self
    }
}
