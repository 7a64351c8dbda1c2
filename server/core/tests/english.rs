//! Every user-facing string in English is English: run every rule over every fixture (and a
//! few mutations that trigger the arithmetic and prose rules) with `language = "en"`, and
//! check that messages, related notes and fix titles hold no Chinese outside quotation
//! marks (quoted text is the report's own words, e.g. the row “行政规范性文件”).

use nianbao_core::analysis::analyze;
use nianbao_core::config::Config;
use nianbao_core::diag::Lang;
use std::path::{Path, PathBuf};

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn texts(dir: &Path, out: &mut Vec<(String, String)>) {
    let Ok(rd) = std::fs::read_dir(dir) else {
        return;
    };
    let mut paths: Vec<_> = rd.filter_map(|e| e.ok().map(|e| e.path())).collect();
    paths.sort();
    for p in paths {
        if p.is_dir() {
            texts(&p, out);
        } else if p.extension().is_some_and(|e| e == "md" || e == "txt")
            && !p.to_string_lossy().contains("README")
        {
            if let Ok(t) = std::fs::read_to_string(&p) {
                out.push((p.display().to_string(), t));
            }
        }
    }
}

fn is_cjk(c: char) -> bool {
    matches!(c as u32, 0x3400..=0x9FFF | 0xF900..=0xFAFF | 0x20000..=0x3134F | 0x3000..=0x303F | 0xFF01..=0xFF5E)
}

/// `s` without its quoted parts (“…”, 「…」, ‘…’, "…").
fn unquoted(s: &str) -> String {
    let mut out = String::new();
    let mut close: Option<char> = None;
    for c in s.chars() {
        match close {
            Some(end) if c == end => close = None,
            Some(_) => {}
            None => match c {
                '“' => close = Some('”'),
                '「' => close = Some('」'),
                '‘' => close = Some('’'),
                '"' => close = Some('"'),
                _ => out.push(c),
            },
        }
    }
    out
}

#[test]
fn english_output_has_no_chinese_outside_quotes() {
    let mut inputs = Vec::new();
    texts(&root().join("tests/fixtures"), &mut inputs);
    // Mutations: every digit of table 三's first rows bumped, so the arithmetic rules speak.
    let extra: Vec<(String, String)> = inputs
        .iter()
        .filter(|(p, _)| p.contains("seeds"))
        .map(|(p, t)| {
            let mutated: String = t
                .lines()
                .map(|l| {
                    if l.contains("予以公开")
                        || l.contains("本年新收")
                        || l.contains("行政规范性文件")
                    {
                        l.replacen('0', "7", 1)
                    } else {
                        l.to_string()
                    }
                })
                .collect::<Vec<_>>()
                .join("\n");
            (format!("{p} (mutated)"), mutated)
        })
        .collect();
    inputs.extend(extra);
    assert!(inputs.len() > 40, "{}", inputs.len());
    let config = Config {
        lang: Lang::En,
        ..Config::default()
    };
    let mut bad = Vec::new();
    let mut seen_codes = std::collections::BTreeSet::new();
    for (path, text) in &inputs {
        let a = analyze(text, &config);
        for d in &a.diagnostics {
            seen_codes.insert(d.code());
            let mut strings = vec![("message", d.message.get(Lang::En).to_string())];
            strings.extend(
                d.related
                    .iter()
                    .map(|r| ("related", r.message.get(Lang::En).to_string())),
            );
            strings.extend(
                d.fixes
                    .iter()
                    .map(|f| ("fix", f.title.get(Lang::En).to_string())),
            );
            for (what, s) in strings {
                let rest = unquoted(&s);
                if rest.chars().any(is_cjk) || rest.contains("(七)") {
                    bad.push(format!("{} {what} in {path}: {s}", d.code()));
                }
            }
        }
    }
    bad.sort();
    bad.dedup_by(|a, b| {
        a.split(" in ").next() == b.split(" in ").next()
            && a.split(": ").nth(1) == b.split(": ").nth(1)
    });
    assert!(
        seen_codes.len() >= 25,
        "only {} rules spoke: {seen_codes:?}",
        seen_codes.len()
    );
    assert!(
        bad.is_empty(),
        "{} English strings with Chinese outside quotes:\n{}",
        bad.len(),
        bad.join("\n")
    );
}
