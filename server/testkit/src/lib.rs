//! Properties that hold for any input, checked by the fuzz targets (`fuzz/`) and
//! by the corpus replay in the normal test suite (`server/core/tests/fuzz_corpus.rs`).
//! Each function panics with a message when a property fails.

use nianbao_core::config::Config;
use nianbao_core::text::apply_edits;

/// Parse + every rule: no panic, and every range lies on char boundaries inside the text.
pub fn check_analysis(text: &str) {
    let a = nianbao_core::analyze(text, &Config::default());
    // The readers of the checks across years (the title's agency and year, last
    // year's figures) on the same text: no panic (a title whose year ran into the
    // name words once sliced backwards here, unseen by this target).
    let _ = nianbao_core::across_years::AgencyYear::of(text, &a.report);
    let _ = nianbao_core::across_years::Prev::of("fuzz.md", text, &a.report);
    for d in &a.diagnostics {
        assert!(
            d.range.start <= d.range.end && d.range.end <= text.len(),
            "range out of the text: {d:?}"
        );
        assert!(
            text.is_char_boundary(d.range.start) && text.is_char_boundary(d.range.end),
            "range splits a char: {d:?}"
        );
        for f in &d.fixes {
            for e in &f.edits {
                assert!(
                    e.range.start <= e.range.end && e.range.end <= text.len(),
                    "fix edit out of the text: {e:?}"
                );
                assert!(
                    text.is_char_boundary(e.range.start) && text.is_char_boundary(e.range.end),
                    "fix edit splits a char: {e:?}"
                );
            }
        }
    }
}

/// Fix-all: edits lie in cells of tables 三/四 and write a number, the result re-parses,
/// and fixing again changes nothing.
pub fn check_fix_all(text: &str) {
    let config = Config::default();
    let a = nianbao_core::analyze(text, &config);
    let edits = nianbao_core::fix::fix_all(text, &a.report);
    if edits.is_empty() {
        return;
    }
    // Fix-all writes the cells the identities locate: totals or parts.
    let targets: Vec<_> = nianbao_core::template::identities(a.report.table3_format())
        .iter()
        .flat_map(|i| i.cells().collect::<Vec<_>>())
        .filter_map(|c| a.report.cell(c))
        .collect();
    for e in &edits {
        assert!(
            e.range.start <= e.range.end && e.range.end <= text.len(),
            "edit out of the text: {e:?}"
        );
        let number = e.new_text.trim_matches(' ');
        assert!(
            !number.is_empty()
                && number
                    .chars()
                    .all(|c| c.is_ascii_digit() || ('０'..='９').contains(&c) || c == ','),
            "fix writes a number: {:?}",
            e.new_text
        );
        // In the cell, or from the padding spaces just before its number (a
        // right-aligned column keeps its alignment: " 3" becomes "12").
        let padded = |c: &nianbao_core::model::Cell| {
            let pad = text[..c.number_range.start].trim_end_matches(' ').len();
            pad <= e.range.start
                && e.range.start <= c.number_range.start
                && e.range.end <= c.range.end.max(c.number_range.end)
        };
        assert!(
            targets.iter().any(|c| (c.range.start <= e.range.start
                && e.range.end <= c.range.end.max(c.range.start + 1))
                || c.number_range.start == e.range.start
                || padded(c)),
            "edit {e:?} is not in a cell of tables 三/四"
        );
    }
    let fixed = apply_edits(text, &edits);
    let b = nianbao_core::analyze(&fixed, &config);
    let again = nianbao_core::fix::fix_all(&fixed, &b.report);
    assert_eq!(apply_edits(&fixed, &again), fixed, "fix-all is idempotent");
}

/// The incremental engine agrees with a fresh analysis: its text is `text`, its
/// lines are up to date, and its analysis equals `fresh` (a fresh analysis of
/// `text` when `None`). `Err` says where they differ. Used by the property test
/// (`server/core/tests/incremental.rs`) and the `rope_edits` fuzz target.
pub fn engine_agrees(
    engine: &mut nianbao_core::incremental::Engine,
    text: &str,
    config: &Config,
    fresh: Option<&nianbao_core::Analysis>,
) -> Result<(), String> {
    if engine.text() != text {
        return Err("engine text differs".into());
    }
    if let Some(l) = engine.first_stale_line() {
        return Err(format!("engine lines out of date from line {l}"));
    }
    let inc = engine.analysis();
    let made;
    let fresh = match fresh {
        Some(f) => f,
        None => {
            made = nianbao_core::analyze(text, config);
            &made
        }
    };
    if inc.report != fresh.report {
        let (a, b) = (format!("{:#?}", inc.report), format!("{:#?}", fresh.report));
        let at = a
            .lines()
            .zip(b.lines())
            .position(|(x, y)| x != y)
            .unwrap_or(0);
        let show = |s: &str| {
            s.lines()
                .skip(at.saturating_sub(8))
                .take(16)
                .collect::<Vec<_>>()
                .join("\n")
        };
        return Err(format!(
            "report differs (line {at} of the Debug output)\nincremental:\n{}\nfresh:\n{}",
            show(&a),
            show(&b)
        ));
    }
    if inc.diagnostics != fresh.diagnostics {
        let show = |v: &[nianbao_core::diag::Diagnostic]| {
            v.iter()
                .map(|d| format!("{} {:?} {}", d.code(), d.range, d.message.zh))
                .collect::<Vec<_>>()
        };
        let (a, b) = (show(&inc.diagnostics), show(&fresh.diagnostics));
        let only_inc: Vec<_> = a.iter().filter(|x| !b.contains(x)).collect();
        let only_fresh: Vec<_> = b.iter().filter(|x| !a.contains(x)).collect();
        return Err(format!(
            "diagnostics differ: incremental only {only_inc:?}; fresh only {only_fresh:?} (or the same set in another order or with other fields)"
        ));
    }
    Ok(())
}
