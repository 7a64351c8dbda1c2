//! docs/rules.md is generated from the rule registry; this test keeps it in sync.
//! Regenerate with `UPDATE_EXPECT=1 cargo test -p nianbao-core --test docs`.

use std::path::PathBuf;

#[test]
fn rules_doc_is_up_to_date() {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../docs/rules.md");
    let want = nianbao_core::rules::docs_markdown();
    if std::env::var_os("UPDATE_EXPECT").is_some() {
        std::fs::write(&path, &want).unwrap();
    }
    let have = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        have == want,
        "docs/rules.md is stale: run UPDATE_EXPECT=1 cargo test -p nianbao-core --test docs"
    );
}

#[test]
fn every_rule_is_documented_and_unique() {
    let mut seen = std::collections::HashSet::new();
    for r in nianbao_core::rules::RULES {
        assert!(seen.insert(r.code), "duplicate code {}", r.code);
        let n: u32 = r.code[2..].parse().unwrap();
        assert!(
            r.code.starts_with("NB") && (100..600).contains(&n),
            "{}",
            r.code
        );
        for (zh, en) in [r.what, r.why, r.fix] {
            assert!(
                !zh.is_empty() && !en.is_empty(),
                "{} lacks documentation",
                r.code
            );
        }
        assert!(!r.example.is_empty(), "{} lacks an example", r.code);
    }
}
