//! Incremental analysis equals a fresh analysis: random edit sequences
//! (inserts, deletes, line joins and splits, CRLF and lone CR, CJK, characters
//! outside the BMP, U+2028, headings, table cells, suppression comments) are
//! applied to an [`Engine`] and, after every step, its analysis is compared
//! with `analyze` of the same text.
//!
//! `PROPTEST_CASES` sets the number of sequences (default 256 here, each of up
//! to 24 steps, over the real reports of tests/fixtures/seeds).

use nianbao_core::config::Config;
use nianbao_core::incremental::Engine;
use proptest::prelude::*;
use std::path::Path;
use std::sync::OnceLock;

fn seeds() -> &'static Vec<String> {
    static S: OnceLock<Vec<String>> = OnceLock::new();
    S.get_or_init(|| {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/fixtures/seeds");
        let mut v: Vec<_> = std::fs::read_dir(&dir)
            .unwrap()
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.extension().is_some_and(|x| x == "txt"))
            .collect();
        v.sort();
        let mut texts: Vec<String> = v
            .iter()
            .map(|p| std::fs::read_to_string(p).unwrap())
            .collect();
        // Short ones too, so edits often hit structure.
        texts.push("一、总体情况\n本年度共收到申请3件。\n六、其他需要报告的事项\n无\n".into());
        texts
    })
}

/// Pieces typed or pasted.
const PIECES: &[&str] = &[
    "1",
    "0",
    "9",
    "１２",
    "件",
    "。",
    "，",
    "、",
    "|",
    " | ",
    "\t",
    " ",
    "\n",
    "\r\n",
    "\r",
    "\n\n",
    "𠀀",
    "\u{2028}",
    "\u{3000}",
    "收到",
    "申请",
    "办结",
    "结转下年度",
    "三、",
    "四、",
    "五、存在的主要问题及改进情况\n",
    "二、主动公开政府信息情况\n",
    "一、总体情况",
    "（七）总计",
    "行政复议",
    "本年新收",
    "<!-- nianbao-disable NB301 -->",
    "<!-- nianbao-disable-next-line -->\n",
    "<!--",
    "-->",
    "2024年",
    "年度报告",
    "共收到政府信息公开申请12件。",
    "办结十二件",
    "-3-",
    "|---|---|",
    "#",
    "## ",
];

#[derive(Clone, Debug)]
enum Op {
    /// Insert `PIECES[piece]` (times `repeat`) at fraction `at` of the text.
    Insert {
        at: f64,
        piece: usize,
        repeat: usize,
    },
    /// Delete `len` bytes (moved to char boundaries) at fraction `at`.
    Delete { at: f64, len: usize },
    /// Replace a range with a piece.
    Replace { at: f64, len: usize, piece: usize },
    /// Join the line at `at` with the next one, or split it.
    JoinLine { at: f64 },
    /// Analyse now (otherwise edits accumulate).
    Analyse,
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        4 => (0.0..=1.0f64, 0..PIECES.len(), 1..4usize).prop_map(|(at, piece, repeat)| Op::Insert { at, piece, repeat }),
        3 => (0.0..=1.0f64, 1..40usize).prop_map(|(at, len)| Op::Delete { at, len }),
        2 => (0.0..=1.0f64, 0..12usize, 0..PIECES.len()).prop_map(|(at, len, piece)| Op::Replace { at, len, piece }),
        2 => (0.0..=1.0f64).prop_map(|at| Op::JoinLine { at }),
        3 => Just(Op::Analyse),
    ]
}

fn floor(s: &str, mut x: usize) -> usize {
    x = x.min(s.len());
    while !s.is_char_boundary(x) {
        x -= 1;
    }
    x
}

/// Apply an op to both the engine and a plain String (the reference text).
fn apply(engine: &mut Engine, text: &mut String, op: &Op) {
    let pos = |at: f64, t: &str| floor(t, (at * t.len() as f64) as usize);
    let (start, end, new): (usize, usize, String) = match op {
        Op::Insert { at, piece, repeat } => {
            let p = pos(*at, text);
            (p, p, PIECES[*piece].repeat(*repeat))
        }
        Op::Delete { at, len } => {
            let p = pos(*at, text);
            (p, floor(text, p + len), String::new())
        }
        Op::Replace { at, len, piece } => {
            let p = pos(*at, text);
            (p, floor(text, p + len), PIECES[*piece].to_string())
        }
        Op::JoinLine { at } => {
            let p = pos(*at, text);
            match text[p..].find(['\n', '\r']) {
                Some(i) => {
                    let s = p + i;
                    let e = if text[s..].starts_with("\r\n") {
                        s + 2
                    } else {
                        s + 1
                    };
                    (s, e, String::new())
                }
                None => (p, p, "\n".to_string()),
            }
        }
        Op::Analyse => return,
    };
    text.replace_range(start..end, &new);
    engine.edit(start, end, &new);
}

fn check_equal(engine: &mut Engine, text: &str, config: &Config) -> Result<(), TestCaseError> {
    let agrees = nianbao_testkit::engine_agrees(engine, text, config, None);
    prop_assert!(agrees.is_ok(), "{}", agrees.unwrap_err());
    Ok(())
}

fn cases() -> u32 {
    std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(256)
}

proptest! {
    #![proptest_config(ProptestConfig { cases: cases(), max_shrink_iters: 2000, ..ProptestConfig::default() })]

    #[test]
    fn incremental_equals_fresh(seed in 0..9usize, ops in proptest::collection::vec(op(), 1..24)) {
        let seeds = seeds();
        let mut text = seeds[seed % seeds.len()].clone();
        let config = Config::default();
        let mut engine = Engine::new(text.clone(), config.clone());
        check_equal(&mut engine, &text, &config)?;
        for op in &ops {
            apply(&mut engine, &mut text, op);
            if matches!(op, Op::Analyse) || ops.len() < 6 {
                check_equal(&mut engine, &text, &config)?;
            }
        }
        check_equal(&mut engine, &text, &config)?;
    }
}

/// Typing in a narrative paragraph of a long report re-reads one line, no table,
/// and runs only the rules that read everything.
#[test]
fn work_is_proportional_to_the_edit() {
    let seed = &seeds()[2];
    let start = seed.find("一、总体情况\n").unwrap() + "一、总体情况\n".len();
    let para = "本机关持续推进政务公开工作，不断完善制度建设。\n";
    let text = format!("{}{}{}", &seed[..start], para.repeat(5000), &seed[start..]);
    let mut engine = Engine::new(text.clone(), Config::default());
    engine.analysis();
    let at = start + para.len() * 2500 + "本机关".len();
    engine.edit(at, at, "在");
    let a = engine.analysis();
    let s = engine.stats();
    assert!(s.lines_read <= 3, "{s:?}");
    assert_eq!(s.tables_read, 0, "{s:?}");
    assert_eq!(s.tables_reused, 3, "{s:?}");
    assert!(s.paragraphs_read <= 3, "{s:?}");
    let always = nianbao_core::rules::RULES
        .iter()
        .filter(|r| {
            r.reads()
                .iter()
                .any(|i| matches!(i, nianbao_core::incremental::Input::All))
        })
        .count();
    assert_eq!(s.rules_run, always, "{s:?}");
    let mut fresh_text = text.clone();
    fresh_text.insert(at, '在');
    assert_eq!(
        a.diagnostics,
        nianbao_core::analyze(&fresh_text, &Config::default()).diagnostics
    );
    // Typing in a table cell re-reads that table only.
    let cell = fresh_text.find("| 0 |").unwrap() + 2;
    engine.edit(cell, cell + 1, "7");
    fresh_text.replace_range(cell..cell + 1, "7");
    let a = engine.analysis();
    let s = engine.stats();
    assert_eq!(s.tables_read, 1, "{s:?}");
    assert_eq!(s.tables_reused, 2, "{s:?}");
    assert_eq!(
        a.diagnostics,
        nianbao_core::analyze(&fresh_text, &Config::default()).diagnostics
    );
    // Deleting 100 paragraphs, then pasting 100 back: the paragraphs after the
    // edit are found again (after a short run of misses the last analysis'
    // list is indexed), not read again.
    let at = fresh_text.find(para).unwrap() + para.len() * 1000;
    let cut = para.len() * 100;
    engine.edit(at, at + cut, "");
    fresh_text.replace_range(at..at + cut, "");
    let a = engine.analysis();
    let s = engine.stats();
    assert!(s.paragraphs_read <= 12, "{s:?}");
    assert!(s.paragraphs_reused >= 4800, "{s:?}");
    assert_eq!(
        a.diagnostics,
        nianbao_core::analyze(&fresh_text, &Config::default()).diagnostics
    );
    let pasted = "本机关在新的一年里共发布信息100条。\n".repeat(100);
    engine.edit(at, at, &pasted);
    fresh_text.insert_str(at, &pasted);
    let a = engine.analysis();
    let s = engine.stats();
    assert!(s.paragraphs_read <= 110, "{s:?}");
    assert!(s.paragraphs_reused >= 4800, "{s:?}");
    assert_eq!(
        a.diagnostics,
        nianbao_core::analyze(&fresh_text, &Config::default()).diagnostics
    );
}
