//! Settings shared by the CLI and the server.

use crate::diag::{Lang, Severity};
use crate::rules::Rule;
use crate::template::Format;
use std::collections::BTreeMap;

/// Per-rule override.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct RuleSetting {
    pub enabled: Option<bool>,
    pub severity: Option<Severity>,
}

impl RuleSetting {
    /// Lay `over` on top of this setting: each field `over` sets wins.
    pub fn merge(&mut self, over: &RuleSetting) {
        if over.enabled.is_some() {
            self.enabled = over.enabled;
        }
        if over.severity.is_some() {
            self.severity = over.severity;
        }
    }
}

/// Local profile options (e.g. 保留4位小数 for the fee, 上年度整改 in section 五): provinces that require more than the national format.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Profile {
    /// Decimal places the 行政事业性收费 amount must have (e.g. 4 for "保留4位小数").
    pub fee_decimals: Option<u8>,
    /// Section 五 must report the previous year's rectification (上年度问题整改情况).
    pub require_rectification: bool,
    /// Extra items section 六 must mention (e.g. "人大代表建议和政协提案办理结果公开").
    pub section6_items: Vec<String>,
}

#[derive(Clone, Debug, Default, PartialEq)]
pub struct Config {
    pub lang: Lang,
    /// `None`: detect from the report's year and tables.
    pub format: Option<Format>,
    /// Per-rule overrides (a code read from a file or a setting is turned into
    /// a [`Rule`] where it is read: [`crate::rules::select`]).
    pub rules: BTreeMap<Rule, RuleSetting>,
    pub profile: Profile,
}

impl Config {
    /// Lay a rule override on top of what is set for `rule` (see [`RuleSetting::merge`]).
    pub fn merge_rule(&mut self, rule: Rule, over: &RuleSetting) {
        self.rules.entry(rule).or_default().merge(over);
    }
    pub fn rule_enabled(&self, rule: Rule) -> bool {
        self.rules
            .get(&rule)
            .and_then(|r| r.enabled)
            .unwrap_or(true)
    }
    pub fn severity(&self, rule: Rule, default: Severity) -> Severity {
        self.rules
            .get(&rule)
            .and_then(|r| r.severity)
            .unwrap_or(default)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn merged_rule_fields_override_one_by_one() {
        let mut c = Config::default();
        c.merge_rule(
            Rule::RowTotal,
            &RuleSetting {
                enabled: Some(false),
                severity: Some(Severity::Warning),
            },
        );
        c.merge_rule(
            Rule::RowTotal,
            &RuleSetting {
                enabled: Some(true),
                severity: None,
            },
        );
        assert!(c.rule_enabled(Rule::RowTotal));
        assert_eq!(
            c.severity(Rule::RowTotal, Severity::Error),
            Severity::Warning
        );
        assert!(c.rule_enabled(Rule::OutcomeTotal));
    }
}
