//! The rule registry. Each rule lives in its own file with its metadata — code,
//! name, default severity, how it is checked and what it reads ([`Check`],
//! [`Input`]), documentation — and, for a rule checked over one parsed report,
//! its `check` function. `define_rules!` below lists them, one line per rule,
//! as the [`Rule`] enum: adding a rule is its file plus that line (and its
//! fixtures). A code is read into a [`Rule`] only where text names one: the
//! configuration, suppression comments, `--select`/`--ignore` ([`select`],
//! [`Rule::from_code`]).

use crate::config::Config;
use crate::diag::{Diagnostic, Msg, Severity};
use crate::model::Report;
use crate::text::TextRange;

/// Declares the rule modules, the [`Rule`] enum (one variant per module, in
/// registry order), [`Rule::ALL`] and [`RULES`] from one list.
macro_rules! define_rules {
    ($($variant:ident => $module:ident,)*) => {
        $(mod $module;)*

        /// A rule. Its code ("NB301") and everything else about it
        /// are in its [`RuleMeta`] ([`Rule::meta`]). The derived order is the
        /// order of the codes (the registry is sorted by code).
        #[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
        pub enum Rule {
            $($variant,)*
        }

        impl Rule {
            /// Every rule, in the order of the codes.
            pub const ALL: &'static [Rule] = &[$(Rule::$variant,)*];

            /// The rule's metadata.
            pub fn meta(self) -> &'static RuleMeta {
                match self {
                    $(Rule::$variant => &$module::RULE,)*
                }
            }
        }

        /// Every rule's metadata, indexed like [`Rule::ALL`].
        pub static RULES: &[&RuleMeta] = &[$(&$module::RULE,)*];
    };
}

pub mod front_matter;
mod located;
mod nb4_common;
pub mod shared;

// The registry: one line per rule, `Variant => module` (the rule's file,
// which holds its code, name, default severity, inputs and documentation).
// The order is the order of the codes.
define_rules! {
    MissingSection => nb101_missing_section,
    SectionOrder => nb102_section_order,
    DuplicateSection => nb103_duplicate_section,
    StrayTopLevelNumber => nb104_stray_number,
    UnofficialHeading => nb105_unofficial_heading,
    MissingFeeStatement => nb106_fee_statement,
    UnusedSuppression => nb107_unused_suppression,
    TitleWithoutAgency => nb108_title_without_agency,
    MissingPeriod => nb109_missing_period,
    MissingContact => nb110_missing_contact,
    OverviewAspects => nb111_overview_aspects,
    OverviewLength => nb112_overview_length,
    RectificationMissing => nb113_rectification_missing,
    Section6ItemMissing => nb114_section6_item_missing,
    TableMissing => nb201_table_missing,
    RowMissing => nb202_row_missing,
    UnknownRow => nb203_unknown_row,
    CellCount => nb204_cell_count,
    NonNumericCell => nb205_non_numeric,
    InvalidCount => nb206_invalid_count,
    LabelVariant => nb207_label_variant,
    UnreadableTable => nb208_unreadable_table,
    FeeDecimals => nb209_fee_decimals,
    RowTotal => nb301_row_total,
    OutcomeTotal => nb302_outcome_total,
    Balance => nb303_balance,
    ReviewTotal => nb304_review_total,
    WrongPart => nb305_wrong_part,
    NarrativeApplications => nb401_narrative_applications,
    AmbiguousReceived => nb402_ambiguous_received,
    NarrativeReview => nb403_narrative_review,
    NarrativeTable2 => nb404_narrative_table2,
    YearMismatch => nb405_year_mismatch,
    CarryoverMismatch => nb406_carryover_mismatch,
    InForceRollforward => nb407_in_force_rollforward,
    RepeatedProblems => nb408_repeated_problems,
    Table2Format2019 => nb501_2019_table2,
    SingleOtherRow => nb502_single_other_row,
    Pre2019Structure => nb503_pre2019,
    Table3Rows2021In2019 => nb504_2021_rows_in_2019,
    Table2Format2021In2019 => nb505_table2_2021_in_2019,
}

pub struct Ctx<'a> {
    pub src: &'a str,
    pub report: &'a Report,
    pub config: &'a Config,
    /// The text's line ending ("\n", "\r\n" or "\r"), for fixes that insert lines.
    pub eol: std::cell::OnceCell<&'static str>,
    /// The flat text of the opening and section 1 (read by several rules).
    pub front_flat: std::cell::OnceCell<front_matter::Flat>,
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
    /// [`front_matter::Flat`] of [`front_matter::front`], built once.
    pub fn front_flat(&self) -> &front_matter::Flat {
        self.front_flat.get_or_init(|| {
            front_matter::Flat::new(self.src, &front_matter::front(self.src, self.report))
        })
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

/// What a rule reads of a report, so that the incremental engine runs it again
/// only when one of these changed (see [`crate::incremental`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Input {
    /// Everything: the rule runs after every edit.
    All,
    /// Title, year, format, headings and section spans.
    Structure,
    /// Tables 二, 三 and 四.
    Tables,
    /// The text of the tables' regions (headers and words between the rows,
    /// which rules read besides the cells): untouched by the edit.
    TableText,
    /// The figures the prose states.
    Claims,
    /// The text of a span of the report; it must be untouched by the edit.
    Span(Span),
    /// Whether the text reads as a written report ([`front_matter::reads_as_report`]).
    LooksLikeReport,
    /// The text's line ending.
    Eol,
}

/// A span of the report's text that rules read (see [`Input::Span`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Span {
    /// From the start of the text to the end of the line of the first heading
    /// of sections 二–六 (the title, the opening and usually section 1), up to
    /// the rules' read limit.
    Front,
    /// From the start of the text to the end of where the report-level hints sit.
    Anchor,
    /// The end of the report: section 6 (or the last section found) to the end
    /// of the text, up to the rules' read limit ([`front_matter::tail`]).
    Tail,
    /// The body of section `k` (0 = 一 … 5 = 六) up to the rules' read limit.
    Body(usize),
    /// The whole body of section `k`.
    WholeBody(usize),
}

impl Span {
    /// Where the span is in `report` (`None` when it is absent).
    pub fn find(self, report: &Report, src: &str) -> Option<TextRange> {
        match self {
            Span::Front => {
                let end = report
                    .sections
                    .iter()
                    .skip(1)
                    .flatten()
                    .map(|s| report.headings[s.heading].range.end)
                    .min()
                    .map(|e| crate::text::line_around(src, e).end)
                    .unwrap_or(src.len());
                Some(front_matter::cap(src, TextRange::new(0, end)))
            }
            Span::Anchor => Some(TextRange::new(0, front_matter::anchor(src, report).end)),
            Span::Tail => front_matter::tail(src, report),
            Span::Body(k) => front_matter::body(src, report, k),
            Span::WholeBody(k) => report.sections.get(k)?.as_ref().map(|s| s.body),
        }
    }
}

/// How and when a rule is checked.
#[derive(Clone, Copy)]
pub enum Check {
    /// Over one parsed report, reading only `reads` of it.
    Report {
        run: fn(&Ctx, &mut Vec<Diagnostic>),
        reads: &'static [Input],
    },
    /// By [`crate::suppress::apply`], after the other rules ran (NB107).
    AfterSuppression,
    /// By [`crate::across_years::check`], which needs last year's report.
    AcrossYears,
}

/// A rule's metadata and documentation (what, why, example, fix).
pub struct RuleMeta {
    pub code: &'static str,
    pub name: &'static str,
    pub severity: Severity,
    pub check: Check,
    pub what: (&'static str, &'static str),
    pub why: (&'static str, &'static str),
    /// A snippet of report text that triggers the rule.
    pub example: &'static str,
    pub fix: (&'static str, &'static str),
}

impl RuleMeta {
    pub fn what(&self) -> Msg {
        Msg::new(self.what.0, self.what.1)
    }
    /// What the rule reads of one report; nothing for a rule checked elsewhere
    /// (it has no findings of its own in the rule pass, so none to recompute).
    pub fn reads(&self) -> &'static [Input] {
        match self.check {
            Check::Report { reads, .. } => reads,
            _ => &[],
        }
    }
}

/// The rule families, by the first digit of the code.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Family {
    /// NB1xx: sections and the text around them.
    Structure,
    /// NB2xx: the tables' shape.
    TableShape,
    /// NB3xx: the arithmetic (勾稽关系).
    Arithmetic,
    /// NB4xx: consistency across the text (and across years).
    Consistency,
    /// NB5xx: the template version.
    TemplateVersion,
}

impl Rule {
    /// The code, e.g. "NB301".
    pub fn code(self) -> &'static str {
        self.meta().code
    }
    /// The rule name, e.g. "row-total".
    pub fn name(self) -> &'static str {
        self.meta().name
    }
    pub fn default_severity(self) -> Severity {
        self.meta().severity
    }
    pub fn family(self) -> Family {
        match self.code().as_bytes().get(2) {
            Some(b'1') => Family::Structure,
            Some(b'2') => Family::TableShape,
            Some(b'3') => Family::Arithmetic,
            Some(b'4') => Family::Consistency,
            _ => Family::TemplateVersion,
        }
    }
    /// The rule with this code (any case, surrounding blanks ignored).
    pub fn from_code(code: &str) -> Option<Rule> {
        let code = code.trim();
        Rule::ALL
            .iter()
            .copied()
            .find(|r| r.code().eq_ignore_ascii_case(code))
    }
    /// Whether the code starts with `prefix` (already upper case), as the
    /// prefixes of suppression comments and `--select` match.
    pub fn code_starts_with(self, prefix: &str) -> bool {
        self.code().starts_with(prefix)
    }
}

impl std::fmt::Display for Rule {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.code())
    }
}

impl serde::Serialize for Rule {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.code())
    }
}

/// The rules a key stands for: a code (`NB301`, any case), a rule name
/// (`row-total`) or a group prefix (`NB3`); none for anything else.
pub fn select(key: &str) -> Vec<Rule> {
    let key = key.trim();
    let upper = key.to_ascii_uppercase();
    if let Some(r) = Rule::ALL
        .iter()
        .find(|r| r.code() == upper || r.name().eq_ignore_ascii_case(key))
    {
        return vec![*r];
    }
    let is_prefix = upper.len() >= 3
        && upper.starts_with("NB")
        && upper[2..].bytes().all(|b| b.is_ascii_digit());
    if !is_prefix {
        return Vec::new();
    }
    prefixed(&upper)
}

/// The rules whose code starts with `prefix` (already upper case).
pub fn prefixed(prefix: &str) -> Vec<Rule> {
    Rule::ALL
        .iter()
        .copied()
        .filter(|r| r.code_starts_with(prefix))
        .collect()
}

/// A set of rules (e.g. what a suppression comment names).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct RuleSet(u128);

const _: () = assert!(Rule::ALL.len() <= 128, "RuleSet holds up to 128 rules");

impl RuleSet {
    pub const EMPTY: RuleSet = RuleSet(0);
    /// Every rule.
    pub fn all() -> RuleSet {
        Rule::ALL.iter().copied().collect()
    }
    pub fn insert(&mut self, rule: Rule) {
        self.0 |= 1 << rule as usize;
    }
    pub fn contains(self, rule: Rule) -> bool {
        self.0 & (1 << rule as usize) != 0
    }
    pub fn is_empty(self) -> bool {
        self.0 == 0
    }
}

impl FromIterator<Rule> for RuleSet {
    fn from_iter<I: IntoIterator<Item = Rule>>(iter: I) -> Self {
        let mut s = RuleSet::EMPTY;
        for r in iter {
            s.insert(r);
        }
        s
    }
}

pub fn rule(code: &str) -> Option<&'static RuleMeta> {
    Rule::from_code(code).map(Rule::meta)
}

/// Base URL of the rule documentation (one anchor per code).
pub const DOCS_URL: &str = "https://github.com/nianbao/nianbao/blob/main/docs/rules.md";

pub fn docs_url(rule: Rule) -> String {
    format!("{}#{}", DOCS_URL, rule.code().to_ascii_lowercase())
}

/// Run every enabled rule checked over one report, apply severity overrides,
/// and sort by position.
pub fn run(ctx: &Ctx) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    for &r in Rule::ALL {
        out.extend(run_rule(r, ctx));
    }
    sort(&mut out);
    out
}

/// One rule's findings (none when the configuration disables it, or when it is
/// not checked over one report), severities overridden.
pub fn run_rule(r: Rule, ctx: &Ctx) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    let Check::Report { run, .. } = r.meta().check else {
        return out;
    };
    if !ctx.config.rule_enabled(r) {
        return out;
    }
    run(ctx, &mut out);
    for d in &mut out {
        d.severity = ctx.config.severity(r, d.severity);
    }
    out
}

/// At most this many findings of one rule are listed per report.
pub const MAX_PER_RULE: usize = 200;
/// At most this many findings are listed per report (besides the notes that
/// say how many were left out).
pub const MAX_PER_REPORT: usize = 1000;

/// Keep at most [`MAX_PER_RULE`] findings of each rule and [`MAX_PER_REPORT`]
/// in all (the first ones in report order), and for each rule with findings
/// left out one information note, on the last finding kept (or the first left
/// out), saying how many. A real report has a few dozen findings; a text with
/// thousands is not a report drafted by hand (a 100 MB paste), and listing them
/// all would cost the editor gigabytes.
pub fn cap(diagnostics: Vec<Diagnostic>) -> Vec<Diagnostic> {
    if diagnostics.len() <= MAX_PER_RULE {
        return diagnostics;
    }
    let mut count = vec![0usize; Rule::ALL.len()];
    let mut dropped: Vec<(usize, TextRange)> = vec![(0, TextRange::new(0, 0)); Rule::ALL.len()];
    let mut last_kept: Vec<Option<TextRange>> = vec![None; Rule::ALL.len()];
    let mut out = Vec::with_capacity(diagnostics.len().min(MAX_PER_REPORT));
    for d in diagnostics {
        let i = d.rule as usize;
        if count[i] < MAX_PER_RULE && out.len() < MAX_PER_REPORT {
            count[i] += 1;
            last_kept[i] = Some(d.range);
            out.push(d);
        } else {
            if dropped[i].0 == 0 {
                dropped[i].1 = d.range;
            }
            dropped[i].0 += 1;
        }
    }
    let mut notes = false;
    for (i, &(n, first)) in dropped.iter().enumerate() {
        if n == 0 {
            continue;
        }
        let rule = Rule::ALL[i];
        let mut d = Diagnostic::new(
            rule,
            last_kept[i].unwrap_or(first),
            Msg::new(
                format!(
                    "另有 {n} 处 {code} 未列出：每条规则最多列出 {MAX_PER_RULE} 处，每份报告最多 {MAX_PER_REPORT} 处",
                    code = rule.code()
                ),
                format!(
                    "{n} more {code} findings are not listed: at most {MAX_PER_RULE} per rule and {MAX_PER_REPORT} per report are",
                    code = rule.code()
                ),
            ),
        );
        d.severity = Severity::Information;
        out.push(d);
        notes = true;
    }
    if notes {
        sort(&mut out);
    }
    out
}

/// The order diagnostics are reported in: by position, then code.
pub fn sort(out: &mut [Diagnostic]) {
    out.sort_by(|a, b| {
        (a.range.start, a.range.end, a.rule).cmp(&(b.range.start, b.range.end, b.rule))
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn registry_is_in_code_order_with_unique_codes_and_names() {
        // The derived order of `Rule` is the registry's; diagnostics are sorted
        // by it, so it must be the order of the codes.
        for w in Rule::ALL.windows(2) {
            assert!(w[0].code() < w[1].code(), "{} before {}", w[0], w[1]);
        }
        for (i, r) in Rule::ALL.iter().enumerate() {
            assert!(std::ptr::eq(r.meta(), RULES[i]));
            assert_eq!(Rule::from_code(r.code()), Some(*r));
            assert_eq!(Rule::from_code(&r.code().to_ascii_lowercase()), Some(*r));
            assert_eq!(select(r.name()), vec![*r]);
            let fam = (r.code().as_bytes()[2] - b'1') as usize;
            assert_eq!(r.family() as usize, fam, "{r}");
        }
        let mut names: Vec<_> = Rule::ALL.iter().map(|r| r.name()).collect();
        names.sort();
        names.dedup();
        assert_eq!(names.len(), Rule::ALL.len());
    }

    #[test]
    fn keys_select_a_rule_a_family_or_nothing() {
        assert_eq!(select(" nb301 "), vec![Rule::RowTotal]);
        assert_eq!(select("row-total"), vec![Rule::RowTotal]);
        assert_eq!(
            select("NB30"),
            vec![
                Rule::RowTotal,
                Rule::OutcomeTotal,
                Rule::Balance,
                Rule::ReviewTotal,
                Rule::WrongPart
            ]
        );
        assert!(select("NB").is_empty() && select("NB999").is_empty() && select("X").is_empty());
        assert_eq!(Rule::from_code("NB30"), None);
    }

    #[test]
    fn only_report_checks_declare_what_they_read() {
        for r in Rule::ALL {
            match r.meta().check {
                Check::Report { reads, .. } => assert!(!reads.is_empty(), "{r}"),
                Check::AfterSuppression => assert_eq!(*r, Rule::UnusedSuppression),
                Check::AcrossYears => assert_eq!(r.family(), Family::Consistency),
            }
        }
    }
}
