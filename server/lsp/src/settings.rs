//! Settings (section "nianbao"): read from `initializationOptions`, from
//! `workspace/configuration` after `initialized` and on every
//! `workspace/didChangeConfiguration`, and from settings pushed in that notification.
//!
//! ```json
//! { "language": "zh" | "en",
//!   "format": "auto" | "2019" | "2021",
//!   "rules": { "NB301": { "enabled": false, "severity": "warning" }, "NB106": "off" },
//!   "attach": "auto" | "always" | "never",
//!   "profile": { "feeDecimals": 4, "requireRectification": true, "section6Items": ["…"] } }
//! ```
//!
//! # Settings and nianbao.toml
//!
//! Each document's configuration is built from the built-in defaults, then the
//! `nianbao.toml` that applies to it (the first one walking up from its folder;
//! see [`nianbao_core::project`]), then the settings the user set here. A setting counts
//! as set when it is present with a value that says something:
//!
//! - `language`: "zh" or "en" (not "auto", "" or null). It wins over the file's;
//!   without either, the client's locale decides.
//! - `format`: "2019", "2021", "pre2019" ("auto", "" and null leave the file's).
//! - `rules`: each code (or rule name, or group prefix) given; per field —
//!   `{"enabled": true}` re-enables a rule the file turns off and keeps the
//!   file's severity.
//! - `profile`: `feeDecimals` a number, `requireRectification` true,
//!   `section6Items` a non-empty list. Null, false and [] are what editors send
//!   when nothing was set (VS Code sends every default), so they leave the file's.
//!
//! The server finds the file from each document's file:// path, keeps parsed
//! files by path, and looks again before each analysis (a few `stat`s): a file
//! that appeared, changed or went away bumps the settings generation, so every
//! open document is analysed again. Clients that can register
//! `workspace/didChangeWatchedFiles` dynamically watch `**/nianbao.toml` for us,
//! so a change is picked up at once instead of at the next edit. Problems in a
//! file are shown once per change of it (`window/showMessage`, warning) and logged.

use super::server::Backend;
use nianbao_core::config::{Config, RuleSetting};
use nianbao_core::diag::{Lang, Severity};
use nianbao_core::project::{self, ProjectFile};
use nianbao_core::rules::Rule;
use nianbao_core::template::Format;
use serde_json::{json, Value};
use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use tower_lsp_server::ls_types::{
    ClientCapabilities, ConfigurationItem, DidChangeWatchedFilesParams, MessageType, Registration,
    Uri,
};

/// Which documents get diagnostics.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum Attach {
    /// Markdown and plain text that look like an annual report.
    #[default]
    Auto,
    Always,
    Never,
}

#[derive(Clone, Debug, Default, PartialEq)]
pub struct Settings {
    /// `language` as set; `None`: from the client's locale.
    pub language: Option<Lang>,
    /// From `InitializeParams.locale`: Chinese unless it starts with "en".
    pub locale_lang: Lang,
    /// `None`: not set ("auto").
    pub format: Option<Format>,
    /// The rules set (a key that names no rule sets nothing).
    pub rules: BTreeMap<Rule, RuleSetting>,
    pub attach: Attach,
    pub profile: ProfileSettings,
}

/// The profile settings that were set (see the module documentation).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct ProfileSettings {
    pub fee_decimals: Option<u8>,
    pub require_rectification: Option<bool>,
    pub section6_items: Option<Vec<String>>,
}

impl Settings {
    /// The configuration from the settings alone (no nianbao.toml).
    pub fn config(&self) -> Config {
        self.config_with(None)
    }

    /// Built-in defaults, then `file`, then the settings that were set.
    pub fn config_with(&self, file: Option<&ProjectFile>) -> Config {
        let mut c = Config {
            lang: self.locale_lang,
            ..Config::default()
        };
        if let Some(file) = file {
            file.apply(&mut c);
        }
        if let Some(lang) = self.language {
            c.lang = lang;
        }
        if let Some(format) = self.format {
            c.format = Some(format);
        }
        for (rule, r) in &self.rules {
            c.merge_rule(*rule, r);
        }
        let p = &self.profile;
        if let Some(d) = p.fee_decimals {
            c.profile.fee_decimals = Some(d);
        }
        if let Some(r) = p.require_rectification {
            c.profile.require_rectification = r;
        }
        if let Some(items) = &p.section6_items {
            c.profile.section6_items = items.clone();
        }
        c
    }

    /// Settings from a settings object (`{"language": …}` or `{"nianbao": {…}}`);
    /// missing keys take their defaults. Returns problems found, to log.
    pub fn from_value(v: &Value, locale_lang: Lang) -> (Settings, Vec<String>) {
        let mut s = Settings {
            locale_lang,
            ..Settings::default()
        };
        let mut problems = Vec::new();
        let v = unwrap_section(v);
        let Some(obj) = v.as_object() else {
            // Neovim encodes an empty Lua table `{}` as the JSON list `[]`.
            let empty_list = v.as_array().is_some_and(|a| a.is_empty());
            if !v.is_null() && !empty_list {
                problems.push(format!("nianbao settings: expected an object, got {v}"));
            }
            return (s, problems);
        };
        if let Some(l) = obj.get("language").filter(|l| !l.is_null()) {
            match l.as_str() {
                Some("auto") | Some("") => {}
                Some(x) => match Lang::parse(x) {
                    Some(lang) => s.language = Some(lang),
                    None => {
                        problems.push(format!("nianbao.language: unknown language {x:?} (zh|en)"))
                    }
                },
                None => problems.push(format!("nianbao.language: expected a string, got {l}")),
            }
        }
        if let Some(f) = obj.get("format").filter(|f| !f.is_null()) {
            let text = f
                .as_str()
                .map(str::to_string)
                .unwrap_or_else(|| f.to_string());
            match text.as_str() {
                "auto" | "" => {}
                "2019" => s.format = Some(Format::F2019),
                "2021" => s.format = Some(Format::F2021),
                "pre2019" | "2008" => s.format = Some(Format::Pre2019),
                x => problems.push(format!(
                    "nianbao.format: unknown format {x:?} (auto|2019|2021)"
                )),
            }
        }
        if let Some(a) = obj.get("attach").filter(|a| !a.is_null()) {
            match a.as_str() {
                Some("auto") => s.attach = Attach::Auto,
                Some("always") => s.attach = Attach::Always,
                Some("never") => s.attach = Attach::Never,
                _ => problems.push(format!(
                    "nianbao.attach: expected auto|always|never, got {a}"
                )),
            }
        }
        if let Some(rules) = obj.get("rules").and_then(Value::as_object) {
            for (code, r) in rules {
                match rule_setting(r) {
                    Some(rs) => {
                        // A code, rule name or group prefix stands for its rules.
                        for rule in project::rule_codes(code) {
                            s.rules.entry(rule).or_default().merge(&rs);
                        }
                    }
                    None => problems.push(format!("nianbao.rules.{code}: cannot read {r}")),
                }
            }
        }
        if let Some(p) = obj.get("profile").and_then(Value::as_object) {
            let get = |k: &str, alt: &str| p.get(k).or_else(|| p.get(alt)).filter(|v| !v.is_null());
            if let Some(d) = get("feeDecimals", "fee_decimals") {
                match d.as_u64().filter(|d| *d <= 12) {
                    Some(d) => s.profile.fee_decimals = Some(d as u8),
                    None => problems.push(format!(
                        "nianbao.profile.feeDecimals: expected a small number, got {d}"
                    )),
                }
            }
            // false and [] are what editors send for "not set": they leave nianbao.toml's.
            if let Some(b) = get("requireRectification", "require_rectification") {
                if b.as_bool() == Some(true) {
                    s.profile.require_rectification = Some(true);
                }
            }
            if let Some(items) = get("section6Items", "section6_items").and_then(Value::as_array) {
                let items: Vec<String> = items
                    .iter()
                    .filter_map(|i| i.as_str().map(str::to_string))
                    .collect();
                if !items.is_empty() {
                    s.profile.section6_items = Some(items);
                }
            }
        }
        (s, problems)
    }
}

/// `{"nianbao": {...}}` → `{...}`.
fn unwrap_section(v: &Value) -> &Value {
    match v.get("nianbao") {
        Some(inner) if inner.is_object() || inner.is_array() => inner,
        _ => v,
    }
}

/// Does this settings value carry nianbao settings at all?
pub fn has_settings(v: &Value) -> bool {
    let v = unwrap_section(v);
    v.as_object()
        .map(|o| {
            ["language", "format", "rules", "attach", "profile"]
                .iter()
                .any(|k| o.contains_key(*k))
        })
        .unwrap_or(false)
}

fn rule_setting(v: &Value) -> Option<RuleSetting> {
    match v {
        Value::Bool(b) => Some(RuleSetting {
            enabled: Some(*b),
            severity: None,
        }),
        Value::String(s) => match s.to_ascii_lowercase().as_str() {
            "off" | "none" | "false" | "disabled" => Some(RuleSetting {
                enabled: Some(false),
                severity: None,
            }),
            "on" | "true" | "enabled" | "default" => Some(RuleSetting {
                enabled: Some(true),
                severity: None,
            }),
            x => Severity::parse(x).map(|sev| RuleSetting {
                enabled: Some(true),
                severity: Some(sev),
            }),
        },
        Value::Object(o) => {
            let enabled = o.get("enabled").and_then(Value::as_bool);
            let severity = match o.get("severity").and_then(Value::as_str) {
                Some("off") => {
                    return Some(RuleSetting {
                        enabled: Some(false),
                        severity: None,
                    })
                }
                Some(x) => Some(Severity::parse(&x.to_ascii_lowercase())?),
                None => None,
            };
            Some(RuleSetting { enabled, severity })
        }
        _ => None,
    }
}

/// nianbao.toml files for the server: parsed files by path, and whether the
/// client watches them for us.
#[derive(Default)]
pub struct ProjectState {
    cache: project::Cache,
    /// The client can register `workspace/didChangeWatchedFiles` dynamically.
    can_watch: AtomicBool,
}

impl ProjectState {
    /// Note what the client can do (from `initialize`).
    pub fn init(&self, caps: &ClientCapabilities) {
        let can = caps
            .workspace
            .as_ref()
            .and_then(|w| w.did_change_watched_files.as_ref())
            .and_then(|d| d.dynamic_registration)
            .unwrap_or(false);
        self.can_watch.store(can, Ordering::SeqCst);
    }
}

/// The folder of a `file:` document (none for other schemes).
fn document_dir(uri: &Uri) -> Option<PathBuf> {
    if !uri.scheme().as_str().eq_ignore_ascii_case("file") {
        return None;
    }
    let path = uri.to_file_path()?;
    Some(project::start_dir(&path))
}

/// The configuration of the document `uri`: defaults, then its nianbao.toml, then
/// the settings that were set. Looks at the file again (a few `stat`s); when it
/// appeared, changed or went away, every open document is analysed again; when it
/// was read just now and has problems, they are shown and logged.
pub fn document_config(b: &Backend, uri: &Uri, settings: &Settings) -> Config {
    let Some(dir) = document_dir(uri) else {
        return settings.config();
    };
    let found = b.state.project.cache.lookup(&dir);
    let config = settings.config_with(found.file.as_deref());
    if found.changed {
        b.state.bump_generation();
        let b = b.clone();
        tokio::spawn(async move { changed(&b).await });
    }
    if let Some(file) = found.file.filter(|f| found.fresh && !f.problems.is_empty()) {
        let lines = file.messages(config.lang);
        let head = match config.lang {
            Lang::Zh => "nianbao.toml 有问题（其余设置照常生效）：",
            Lang::En => "problems in nianbao.toml (the rest of it applies):",
        };
        let head = if file.broken {
            match config.lang {
                Lang::Zh => "nianbao.toml 无法解析，未采用：",
                Lang::En => "nianbao.toml cannot be parsed and is not used:",
            }
        } else {
            head
        };
        let b = b.clone();
        tokio::spawn(async move {
            for l in &lines {
                b.client.log_message(MessageType::WARNING, l).await;
            }
            b.client
                .show_message(
                    MessageType::WARNING,
                    format!("{head}\n{}", lines.join("\n")),
                )
                .await;
        });
    }
    config
}

/// After `initialized`: ask the client to watch `**/nianbao.toml` (when it can).
pub async fn watch_project_files(b: &Backend) {
    if !b.state.project.can_watch.load(Ordering::SeqCst) {
        return;
    }
    let reg = Registration {
        id: "nianbao-project-files".to_string(),
        method: "workspace/didChangeWatchedFiles".to_string(),
        register_options: Some(json!({ "watchers": [{ "globPattern": "**/nianbao.toml" }] })),
    };
    if let Err(e) = b.client.register_capability(vec![reg]).await {
        b.client
            .log_message(
                MessageType::WARNING,
                format!("cannot watch nianbao.toml files: {e}"),
            )
            .await;
    }
}

/// `workspace/didChangeWatchedFiles`: a nianbao.toml was created, changed or
/// deleted — read the files afresh and analyse every open document again.
pub fn watched_files_changed(b: &Backend, params: &DidChangeWatchedFilesParams) {
    let ours = params.changes.iter().any(|c| {
        c.uri
            .path()
            .as_str()
            .rsplit('/')
            .next()
            .is_some_and(|name| name == project::FILE_NAME)
    });
    if !ours {
        return;
    }
    b.state.project.cache.clear();
    b.state.bump_generation();
    let b = b.clone();
    tokio::spawn(async move { changed(&b).await });
}

/// The client's locale → message language: Chinese unless it starts with "en".
pub fn locale_lang(locale: Option<&str>) -> Lang {
    match locale {
        Some(l) if l.to_ascii_lowercase().starts_with("en") => Lang::En,
        _ => Lang::Zh,
    }
}

/// Install new settings; returns whether anything changed.
pub fn install(b: &Backend, value: &Value) -> (bool, Vec<String>) {
    let locale = b.state.settings().locale_lang;
    let (s, problems) = Settings::from_value(value, locale);
    let changed = b.state.set_settings(s);
    (changed, problems)
}

/// Read the settings with `workspace/configuration` (when the client supports it).
pub async fn pull(b: &Backend) -> bool {
    if !b.state.caps().configuration {
        return false;
    }
    let item = ConfigurationItem {
        scope_uri: None,
        section: Some("nianbao".to_string()),
    };
    match b.client.configuration(vec![item]).await {
        Ok(values) => match values.into_iter().next() {
            Some(v) if !v.is_null() => {
                let (changed, problems) = install(b, &v);
                for p in problems {
                    b.client.log_message(MessageType::WARNING, p).await;
                }
                changed
            }
            _ => false,
        },
        Err(e) => {
            b.client
                .log_message(
                    MessageType::WARNING,
                    format!("workspace/configuration failed: {e}"),
                )
                .await;
            false
        }
    }
}

/// After a settings change: analyse every document again and tell the client.
pub async fn changed(b: &Backend) {
    let caps = b.state.caps();
    if caps.pull_diagnostics {
        if caps.diagnostic_refresh {
            let _ = b.client.workspace_diagnostic_refresh().await;
        }
    } else {
        for uri in b.state.open_uris() {
            b.schedule(uri);
        }
    }
    if caps.inlay_hint_refresh {
        let _ = b.client.inlay_hint_refresh().await;
    }
    if caps.code_lens_refresh {
        let _ = b.client.code_lens_refresh().await;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn reads_every_key() {
        let (s, problems) = Settings::from_value(
            &json!({"nianbao": {
                "language": "en", "format": "2019", "attach": "always",
                "rules": {"NB301": {"enabled": false}, "nb106": "off", "NB302": "warning", "NB303": {"severity": "hint"}},
                "profile": {"feeDecimals": 4, "requireRectification": true, "section6Items": ["人大代表建议"]}
            }}),
            Lang::Zh,
        );
        assert!(problems.is_empty(), "{problems:?}");
        assert_eq!(s.config().lang, Lang::En);
        assert_eq!(s.format, Some(Format::F2019));
        assert_eq!(s.attach, Attach::Always);
        let c = s.config();
        assert!(
            !c.rule_enabled(Rule::RowTotal)
                && !c.rule_enabled(Rule::MissingFeeStatement)
                && c.rule_enabled(Rule::OutcomeTotal)
        );
        assert_eq!(
            c.severity(Rule::OutcomeTotal, Severity::Error),
            Severity::Warning
        );
        assert_eq!(c.severity(Rule::Balance, Severity::Error), Severity::Hint);
        assert_eq!(c.profile.fee_decimals, Some(4));
        assert!(c.profile.require_rectification);
        assert_eq!(c.profile.section6_items, vec!["人大代表建议".to_string()]);
    }

    #[test]
    fn empty_list_from_neovim_is_empty_settings() {
        let (s, problems) = Settings::from_value(&json!({"nianbao": []}), Lang::Zh);
        assert!(problems.is_empty(), "{problems:?}");
        let (_, problems) = Settings::from_value(&json!([]), Lang::Zh);
        assert!(problems.is_empty(), "{problems:?}");
        assert_eq!(s.config().lang, Lang::Zh);
        let (_, problems) = Settings::from_value(&json!({"nianbao": [1]}), Lang::Zh);
        assert_eq!(problems.len(), 1);
    }

    #[test]
    fn defaults_and_locale() {
        let (s, _) = Settings::from_value(&Value::Null, Lang::En);
        assert_eq!(s.config().lang, Lang::En);
        assert_eq!(s.attach, Attach::Auto);
        assert_eq!(locale_lang(Some("en-US")), Lang::En);
        assert_eq!(locale_lang(Some("zh-cn")), Lang::Zh);
        assert_eq!(locale_lang(None), Lang::Zh);
        let (_, problems) = Settings::from_value(&json!({"language": "fr", "attach": 3}), Lang::Zh);
        assert_eq!(problems.len(), 2);
    }

    #[test]
    fn set_settings_override_nianbao_toml_and_unset_ones_leave_it() {
        let file = ProjectFile::parse(
            std::path::Path::new("nianbao.toml"),
            "language = \"en\"\nformat = \"2019\"\n[rules]\nNB112 = \"off\"\nNB301 = \"warning\"\n[profile]\nfee_decimals = 4\nrequire_rectification = true\nsection6_items = [\"甲\"]\n",
        );
        assert!(file.problems.is_empty(), "{:?}", file.problems);
        // What VS Code sends when nothing was set: every default.
        let (s, _) = Settings::from_value(
            &json!({"format": "auto", "rules": {}, "attach": "auto",
                    "profile": {"feeDecimals": null, "requireRectification": false, "section6Items": []}}),
            Lang::Zh,
        );
        let c = s.config_with(Some(&file));
        assert_eq!(c.lang, Lang::En, "the file's language over the locale");
        assert_eq!(c.format, Some(Format::F2019));
        assert!(!c.rule_enabled(Rule::OverviewLength));
        assert_eq!(
            c.severity(Rule::RowTotal, Severity::Error),
            Severity::Warning
        );
        assert_eq!(c.profile.fee_decimals, Some(4));
        assert!(c.profile.require_rectification);
        assert_eq!(c.profile.section6_items, vec!["甲".to_string()]);
        // Settings that were set win, field by field for rules.
        let (s, _) = Settings::from_value(
            &json!({"language": "zh", "format": "2021",
                    "rules": {"NB112": {"enabled": true}, "row-total": {"enabled": true}},
                    "profile": {"feeDecimals": 2, "section6Items": ["乙"]}}),
            Lang::En,
        );
        let c = s.config_with(Some(&file));
        assert_eq!(c.lang, Lang::Zh);
        assert_eq!(c.format, Some(Format::F2021));
        assert!(c.rule_enabled(Rule::OverviewLength));
        assert_eq!(
            c.severity(Rule::RowTotal, Severity::Error),
            Severity::Warning,
            "enabled alone keeps the file's severity"
        );
        assert_eq!(c.profile.fee_decimals, Some(2));
        assert!(c.profile.require_rectification);
        assert_eq!(c.profile.section6_items, vec!["乙".to_string()]);
        // No file: the locale decides the language.
        assert_eq!(s.config_with(None).format, Some(Format::F2021));
        let (s, _) = Settings::from_value(&Value::Null, Lang::En);
        assert_eq!(s.config_with(None).lang, Lang::En);
    }
}
