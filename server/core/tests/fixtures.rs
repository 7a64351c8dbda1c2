//! Fixture tests as data: every draft under `tests/fixtures/{seeds,rules,variants}`
//! is analysed and its rendered diagnostics compared exactly with the `.expected`
//! file next to it. `UPDATE_EXPECT=1 cargo test -p nianbao-core --test fixtures` regenerates them.
//!
//! Expected format: a line with the detected format and year, a line with what
//! was read of tables 二/三/四, a count per code, then per diagnostic: code,
//! severity, 1-based line:col range in UTF-16 units, the zh message, the source
//! line(s) with the range marked `⟦…⟧` (tabs shown as `→`, form feeds as `␌`),
//! and for each fix its kind, title and the resulting line(s) with the new text marked.
//!
//! Rules that depend on a local profile (`fee_decimals`, `require_rectification`,
//! `section6_items`) are tested with a profile set on the fixture's first line, an HTML
//! comment that only this harness reads (the engine ignores it like any comment):
//!
//! ```text
//! <!-- nianbao-test-profile: require_rectification; fee_decimals=4; section6_items=人大代表建议|政协提案, 政务公开工作要点 -->
//! ```
//!
//! Settings are separated by `;`, items of `section6_items` by `,`. Without the line
//! the default configuration is used.

mod common;

use common::*;
use nianbao_core::analysis::{analyze, Analysis};
use nianbao_core::config::Config;
use std::path::Path;

const PROFILE_TAG: &str = "<!-- nianbao-test-profile:";

/// The configuration a fixture asks for on its first line (see the module documentation).
fn config_for(src: &str) -> Config {
    let mut c = Config::default();
    let first = src.lines().next().unwrap_or("").trim();
    let Some(spec) = first
        .strip_prefix(PROFILE_TAG)
        .and_then(|s| s.strip_suffix("-->"))
    else {
        return c;
    };
    for setting in spec.split(';').map(str::trim).filter(|s| !s.is_empty()) {
        let (key, value) = setting.split_once('=').unwrap_or((setting, ""));
        match key.trim() {
            "require_rectification" => c.profile.require_rectification = true,
            "fee_decimals" => c.profile.fee_decimals = Some(value.trim().parse().unwrap()),
            "section6_items" => {
                c.profile.section6_items = value.split(',').map(|i| i.trim().to_string()).collect()
            }
            other => panic!("unknown test profile setting {other:?}"),
        }
    }
    c
}

/// Analyse a fixture with the configuration it asks for.
fn analyse(src: &str) -> Analysis {
    analyze(src, &config_for(src))
}

/// [`render`] with the fixture's own configuration.
fn render_fixture(src: &str) -> String {
    render_analysis(src, &analyse(src))
}

fn check_dir(sub: &str) -> usize {
    let dir = fixtures_dir().join(sub);
    let update = std::env::var_os("UPDATE_EXPECT").is_some();
    let mut failures = Vec::new();
    let files = inputs(&dir);
    assert!(!files.is_empty(), "no fixtures in {}", dir.display());
    for input in &files {
        let src = read(input);
        let got = render_fixture(&src);
        let exp_path = Path::new(&format!("{}.expected", input.display())).to_path_buf();
        if update {
            std::fs::write(&exp_path, &got).unwrap();
            continue;
        }
        let want = std::fs::read_to_string(&exp_path).unwrap_or_default();
        if want != got {
            let diff: Vec<String> = want
                .lines()
                .zip(got.lines())
                .enumerate()
                .filter(|(_, (a, b))| a != b)
                .take(3)
                .map(|(i, (a, b))| {
                    format!(
                        "  line {}:\n    expected: {}\n    got:      {}",
                        i + 1,
                        a,
                        b
                    )
                })
                .collect();
            failures.push(format!(
                "{} differs from its .expected ({} vs {} lines)\n{}",
                input.display(),
                want.lines().count(),
                got.lines().count(),
                diff.join("\n")
            ));
        }
    }
    assert!(
        failures.is_empty(),
        "{}\n(run UPDATE_EXPECT=1 cargo test -p nianbao-core --test fixtures, then review the diff)",
        failures.join("\n")
    );
    files.len()
}

#[test]
fn seeds() {
    check_dir("seeds");
}

#[test]
fn rules() {
    check_dir("rules");
}

#[test]
fn variants() {
    check_dir("variants");
}

/// Every rule has a fixture named after it where it fires, and a `_quiet_` one
/// (a near miss) where it does not.
#[test]
fn every_rule_fires_and_stays_quiet() {
    let files = inputs(&fixtures_dir().join("rules"));
    let mut missing = Vec::new();
    for rule in nianbao_core::rules::RULES {
        // Rules that compare two reports fire only with last year's beside this
        // one: their pairs are tests/fixtures/years/*, checked by tests/across_years.rs.
        if matches!(rule.check, nianbao_core::rules::Check::AcrossYears) {
            continue;
        }
        let prefix = rule.code.to_ascii_lowercase() + "_";
        let mine: Vec<_> = files
            .iter()
            .filter(|p| {
                p.file_name()
                    .unwrap()
                    .to_string_lossy()
                    .starts_with(&prefix)
            })
            .collect();
        let fires = |p: &&std::path::PathBuf| {
            analyse(&read(p))
                .diagnostics
                .iter()
                .any(|d| d.code() == rule.code)
        };
        let quiet_name =
            |p: &&&std::path::PathBuf| p.file_name().unwrap().to_string_lossy().contains("_quiet_");
        if !mine.iter().filter(|p| !quiet_name(p)).any(fires) {
            missing.push(format!(
                "{}: no fixture {}*.md where it fires",
                rule.code, prefix
            ));
        }
        if !mine.iter().filter(quiet_name).any(|p| !fires(p)) {
            missing.push(format!(
                "{}: no fixture {}quiet_*.md where it stays quiet",
                rule.code, prefix
            ));
        }
        for p in mine.iter().filter(quiet_name) {
            assert!(
                !fires(p),
                "{} fires in its quiet fixture {}",
                rule.code,
                p.display()
            );
        }
    }
    assert!(missing.is_empty(), "{}", missing.join("\n"));
}

/// Applying a diagnostic's fix removes a diagnostic of that code (the fix does
/// what it says), in every fixture.
#[test]
fn fixes_resolve_their_diagnostic() {
    let mut checked = 0;
    for sub in ["seeds", "rules", "variants"] {
        for p in inputs(&fixtures_dir().join(sub)) {
            let src = read(&p);
            let a = analyse(&src);
            for d in &a.diagnostics {
                let before = a
                    .diagnostics
                    .iter()
                    .filter(|x| x.code() == d.code())
                    .count();
                for f in &d.fixes {
                    let fixed = nianbao_core::text::apply_edits(&src, &f.edits);
                    let after = analyse(&fixed)
                        .diagnostics
                        .iter()
                        .filter(|x| x.code() == d.code())
                        .count();
                    assert!(
                        after < before,
                        "{}: fix 「{}」 of {} at {:?} leaves {} {} diagnostics (was {})",
                        p.display(),
                        f.title.zh,
                        d.code(),
                        d.range,
                        after,
                        d.code(),
                        before
                    );
                    checked += 1;
                }
            }
        }
    }
    assert!(checked > 20, "only {} fixes checked", checked);
}
