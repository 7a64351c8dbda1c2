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

use super::server::Backend;
use crate::config::{Config, Profile, RuleSetting};
use crate::diag::{Lang, Severity};
use crate::template::Format;
use serde_json::Value;
use std::collections::BTreeMap;
use tower_lsp_server::ls_types::{ConfigurationItem, MessageType};

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
    pub format: Option<Format>,
    pub rules: BTreeMap<String, RuleSetting>,
    pub attach: Attach,
    pub profile: Profile,
}

impl Settings {
    pub fn lang(&self) -> Lang {
        self.language.unwrap_or(self.locale_lang)
    }

    pub fn config(&self) -> Config {
        Config {
            lang: self.lang(),
            format: self.format,
            rules: self.rules.clone(),
            profile: self.profile.clone(),
        }
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
                        s.rules.insert(code.to_ascii_uppercase(), rs);
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
            if let Some(b) = get("requireRectification", "require_rectification") {
                s.profile.require_rectification = b.as_bool().unwrap_or(false);
            }
            if let Some(items) = get("section6Items", "section6_items").and_then(Value::as_array) {
                s.profile.section6_items = items
                    .iter()
                    .filter_map(|i| i.as_str().map(str::to_string))
                    .collect();
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
        assert_eq!(s.lang(), Lang::En);
        assert_eq!(s.format, Some(Format::F2019));
        assert_eq!(s.attach, Attach::Always);
        let c = s.config();
        assert!(!c.rule_enabled("NB301") && !c.rule_enabled("NB106") && c.rule_enabled("NB302"));
        assert_eq!(c.severity("NB302", Severity::Error), Severity::Warning);
        assert_eq!(c.severity("NB303", Severity::Error), Severity::Hint);
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
        assert_eq!(s.lang(), Lang::Zh);
        let (_, problems) = Settings::from_value(&json!({"nianbao": [1]}), Lang::Zh);
        assert_eq!(problems.len(), 1);
    }

    #[test]
    fn defaults_and_locale() {
        let (s, _) = Settings::from_value(&Value::Null, Lang::En);
        assert_eq!(s.lang(), Lang::En);
        assert_eq!(s.attach, Attach::Auto);
        assert_eq!(locale_lang(Some("en-US")), Lang::En);
        assert_eq!(locale_lang(Some("zh-cn")), Lang::Zh);
        assert_eq!(locale_lang(None), Lang::Zh);
        let (_, problems) = Settings::from_value(&json!({"language": "fr", "attach": 3}), Lang::Zh);
        assert_eq!(problems.len(), 2);
    }
}
