//! Fix-all: the result re-parses, fixing again changes nothing, and only the
//! total cells of table 3 are rewritten (with digits).
#![no_main]
use libfuzzer_sys::fuzz_target;
use nianbao::config::Config;
use nianbao::template::identities;
use nianbao::text::apply_edits;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let config = Config::default();
    let a = nianbao::analysis::analyze(&text, &config);
    let edits = nianbao::fix::fix_all(&text, &a.report);
    if edits.is_empty() {
        return;
    }
    let targets: Vec<_> = identities(a.report.table3_format())
        .iter()
        .filter_map(|i| a.report.cell(i.target))
        .collect();
    for e in &edits {
        assert!(e.range.start <= e.range.end && e.range.end <= text.len());
        assert!(
            e.new_text.chars().all(|c| c.is_ascii_digit()),
            "fix writes a number: {:?}",
            e.new_text
        );
        assert!(
            targets.iter().any(|c| (c.range.start <= e.range.start
                && e.range.end <= c.range.end.max(c.range.start + 1))
                || c.number_range.start == e.range.start),
            "edit {e:?} is not in a total cell"
        );
    }
    let fixed = apply_edits(&text, &edits);
    let b = nianbao::analysis::analyze(&fixed, &config);
    let again = nianbao::fix::fix_all(&fixed, &b.report);
    assert_eq!(apply_edits(&fixed, &again), fixed, "fix-all is idempotent");
});
