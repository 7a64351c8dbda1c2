//! The rule registry. Each rule lives in its own file with its metadata (code,
//! default severity, documentation) and a `check` function over the parsed report.

use crate::config::Config;
use crate::diag::{Diagnostic, Msg, Severity};
use crate::model::Report;

pub mod identity;
mod located;
mod nb101_missing_section;
mod nb102_section_order;
mod nb103_duplicate_section;
mod nb104_stray_number;
mod nb105_unofficial_heading;
mod nb106_fee_statement;
mod nb107_unused_suppression;
mod nb108_title_without_agency;
mod nb109_missing_period;
mod nb110_missing_contact;
mod nb111_overview_aspects;
mod nb112_overview_length;
mod nb113_rectification_missing;
mod nb114_section6_item_missing;
mod nb201_table_missing;
mod nb202_row_missing;
mod nb203_unknown_row;
mod nb204_cell_count;
mod nb205_non_numeric;
mod nb206_invalid_count;
mod nb207_label_variant;
mod nb208_unreadable_table;
mod nb209_fee_decimals;
mod nb301_row_total;
mod nb302_outcome_total;
mod nb303_balance;
mod nb304_review_total;
mod nb305_wrong_part;
mod nb401_narrative_applications;
mod nb402_ambiguous_received;
mod nb403_narrative_review;
mod nb404_narrative_table2;
mod nb405_year_mismatch;
mod nb406_carryover_mismatch;
mod nb407_in_force_rollforward;
mod nb408_repeated_problems;
mod nb4_common;
mod nb501_2019_table2;
mod nb502_single_other_row;
mod nb503_pre2019;
mod nb504_2021_rows_in_2019;
mod nb505_table2_2021_in_2019;
pub mod shared;

pub struct Ctx<'a> {
    pub src: &'a str,
    pub report: &'a Report,
    pub config: &'a Config,
    /// The text's line ending ("\n", "\r\n" or "\r"), for fixes that insert lines.
    pub eol: std::cell::OnceCell<&'static str>,
    /// The flat text of the opening and section 一 (read by several rules).
    pub front_flat: std::cell::OnceCell<identity::Flat>,
    /// The figures the prose states (given by the caller, or read on first use).
    pub claims: std::cell::OnceCell<Vec<crate::narrative::Claim>>,
    /// The prose figures that disagree with the tables, computed once for the NB4xx rules.
    pub narrative: std::cell::OnceCell<Vec<crate::narrative::Comparison>>,
    /// Every identity of tables 三 and 四 evaluated once (NB301–NB304, NB4xx).
    pub identities: std::cell::OnceCell<crate::identities::Evaluation>,
    /// The wrong cells of tables 三 and 四, located once (NB301–NB305).
    pub located: std::cell::OnceCell<crate::wrong_cells::Located>,
}

impl<'a> Ctx<'a> {
    pub fn new(src: &'a str, report: &'a Report, config: &'a Config) -> Self {
        Ctx {
            src,
            report,
            config,
            eol: std::cell::OnceCell::new(),
            front_flat: std::cell::OnceCell::new(),
            claims: std::cell::OnceCell::new(),
            narrative: std::cell::OnceCell::new(),
            identities: std::cell::OnceCell::new(),
            located: std::cell::OnceCell::new(),
        }
    }
    /// With the line ending already known.
    pub fn with_eol(self, eol: &'static str) -> Self {
        let _ = self.eol.set(eol);
        self
    }
    /// [`identity::Flat`] of [`identity::front`], built once.
    pub fn front_flat(&self) -> &identity::Flat {
        self.front_flat
            .get_or_init(|| identity::Flat::new(self.src, &identity::front(self.src, self.report)))
    }
    pub fn eol(&self) -> &'static str {
        self.eol.get_or_init(|| shared::eol(self.src))
    }
    /// With the prose figures already read (by the incremental engine or `analyze`).
    pub fn with_claims(mut self, claims: Vec<crate::narrative::Claim>) -> Self {
        self.claims = std::cell::OnceCell::from(claims);
        self
    }
    pub fn claims(&self) -> &[crate::narrative::Claim] {
        self.claims
            .get_or_init(|| crate::narrative::claims(self.src, self.report))
    }
    pub fn narrative(&self) -> &[crate::narrative::Comparison] {
        self.narrative.get_or_init(|| {
            crate::narrative::disagreements(self.claims(), self.report, self.identities())
        })
    }
    pub fn identities(&self) -> &crate::identities::Evaluation {
        self.identities
            .get_or_init(|| crate::identities::Evaluation::of(self.report))
    }
    pub fn located(&self) -> &crate::wrong_cells::Located {
        self.located
            .get_or_init(|| crate::wrong_cells::Located::of(self.identities(), || self.claims()))
    }
}

/// A rule's identity and documentation (what, why, example, fix).
pub struct RuleMeta {
    pub code: &'static str,
    pub name: &'static str,
    pub severity: Severity,
    pub what: (&'static str, &'static str),
    pub why: (&'static str, &'static str),
    /// A snippet of report text that triggers the rule.
    pub example: &'static str,
    pub fix: (&'static str, &'static str),
    pub check: fn(&Ctx, &mut Vec<Diagnostic>),
}

impl RuleMeta {
    pub fn what(&self) -> Msg {
        Msg::new(self.what.0, self.what.1)
    }
}

pub static RULES: &[&RuleMeta] = &[
    &nb101_missing_section::RULE,
    &nb102_section_order::RULE,
    &nb103_duplicate_section::RULE,
    &nb104_stray_number::RULE,
    &nb105_unofficial_heading::RULE,
    &nb106_fee_statement::RULE,
    &nb107_unused_suppression::RULE,
    &nb108_title_without_agency::RULE,
    &nb109_missing_period::RULE,
    &nb110_missing_contact::RULE,
    &nb111_overview_aspects::RULE,
    &nb112_overview_length::RULE,
    &nb113_rectification_missing::RULE,
    &nb114_section6_item_missing::RULE,
    &nb201_table_missing::RULE,
    &nb202_row_missing::RULE,
    &nb203_unknown_row::RULE,
    &nb204_cell_count::RULE,
    &nb205_non_numeric::RULE,
    &nb206_invalid_count::RULE,
    &nb207_label_variant::RULE,
    &nb208_unreadable_table::RULE,
    &nb209_fee_decimals::RULE,
    &nb301_row_total::RULE,
    &nb302_outcome_total::RULE,
    &nb303_balance::RULE,
    &nb304_review_total::RULE,
    &nb305_wrong_part::RULE,
    &nb401_narrative_applications::RULE,
    &nb402_ambiguous_received::RULE,
    &nb403_narrative_review::RULE,
    &nb404_narrative_table2::RULE,
    &nb405_year_mismatch::RULE,
    &nb406_carryover_mismatch::RULE,
    &nb407_in_force_rollforward::RULE,
    &nb408_repeated_problems::RULE,
    &nb501_2019_table2::RULE,
    &nb502_single_other_row::RULE,
    &nb503_pre2019::RULE,
    &nb504_2021_rows_in_2019::RULE,
    &nb505_table2_2021_in_2019::RULE,
];

pub fn rule(code: &str) -> Option<&'static RuleMeta> {
    RULES.iter().copied().find(|r| r.code == code)
}

/// Base URL of the rule documentation (one anchor per code).
pub const DOCS_URL: &str = "https://github.com/nianbao/nianbao/blob/main/docs/rules.md";

pub fn docs_url(code: &str) -> String {
    format!("{}#{}", DOCS_URL, code.to_ascii_lowercase())
}

/// Run every enabled rule, apply severity overrides, and sort by position.
pub fn run(ctx: &Ctx) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    for r in RULES {
        out.extend(run_rule(r, ctx));
    }
    sort(&mut out);
    out
}

/// One rule's findings (none when the configuration disables it), severities overridden.
pub fn run_rule(r: &RuleMeta, ctx: &Ctx) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    if !ctx.config.rule_enabled(r.code) {
        return out;
    }
    (r.check)(ctx, &mut out);
    for d in &mut out {
        d.severity = ctx.config.severity(r.code, d.severity);
    }
    out
}

/// The order diagnostics are reported in: by position, then code.
pub fn sort(out: &mut [Diagnostic]) {
    out.sort_by(|a, b| {
        (a.range.start, a.range.end, a.code).cmp(&(b.range.start, b.range.end, b.code))
    });
}

/// The rule documentation as Markdown (docs/rules.md is generated from this).
pub fn docs_markdown() -> String {
    let mut s = String::from(
        "# nianbao rules\n\n<!-- generated by `nianbao rules --markdown`; do not edit by hand -->\n\n\
         Codes: NB1xx structure, NB2xx table shape, NB3xx arithmetic, NB4xx consistency across the text, NB5xx template version.\n\n\
         | code | name | default severity | what |\n|---|---|---|---|\n",
    );
    for r in RULES {
        s.push_str(&format!(
            "| [{}](#{}) | {} | {} | {} |\n",
            r.code,
            r.code.to_ascii_lowercase(),
            r.name,
            r.severity.as_str(),
            r.what.0
        ));
    }
    for r in RULES {
        s.push_str(&format!(
            "\n## {code}\n\n**{name}** — default severity: {sev}\n\n\
             **What** — {wz}\n\n{we}\n\n**Why** — {yz}\n\n{ye}\n\n**Example**\n\n```text\n{ex}\n```\n\n**Fix** — {fz}\n\n{fe}\n",
            code = r.code,
            name = r.name,
            sev = r.severity.as_str(),
            wz = r.what.0,
            we = r.what.1,
            yz = r.why.0,
            ye = r.why.1,
            ex = r.example,
            fz = r.fix.0,
            fe = r.fix.1,
        ));
    }
    s
}
