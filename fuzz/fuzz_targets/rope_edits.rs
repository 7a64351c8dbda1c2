//! LSP-style incremental edits (line/column ranges in UTF-8, UTF-16 or UTF-32,
//! clamped and swapped like the server's didChange) applied to a ropey Rope,
//! to a String and to the incremental analysis engine
//! (`nianbao_core::incremental::Engine`). The three texts must stay equal, the
//! rope's positions must agree with `LineIndex`, and every analysis the engine
//! makes (after one or several edits) must equal a fresh `analyze` of the text
//! (the same comparison as server/core/tests/incremental.rs).
//!
//! Input: byte 0 picks the starting text (empty, a short hand-made draft, the
//! Markdown draft of the corpus, a real report of tests/fixtures/seeds) and the
//! position encoding; then 6 bytes per edit:
//! `[start line, start column, end line (delta), end column, piece, flags]`
//! where the flags' bits 0-1 are the number of pieces inserted, bit 2 asks for
//! an analysis, and bits 3-7 all set send the edit as a whole-document change
//! (those re-read every line: kept rare).
#![no_main]
use libfuzzer_sys::fuzz_target;
use nianbao_core::config::Config;
use nianbao_core::incremental::Engine;
use nianbao_core::text::{char_units, Encoding, LineIndex, Position};
use nianbao_core::Analysis;
use ropey::Rope;
use std::sync::OnceLock;

/// Starting texts (byte 0 picks one): edits land in real structure.
const SEEDS: &[&str] = &[
    "",
    "# 示例局2024年政府信息公开工作年度报告\n\n\
     # 一、总体情况\n\
     本年度共收到政府信息公开申请12件，上年结转2件，办结13件，结转下年度继续办理1件。\n\n\
     <!-- nianbao-disable-next-line NB301 -->\n\
     | 行政复议 | | | | |\n|---|---|---|---|---|\n\
     | 结果维持 | 结果纠正 | 其他结果 | 尚未审结 | 总计 |\n| 1 | 0 | 0 | 0 | 2 |\n\n\
     五、存在的主要问题及改进情况\r\n无。\r\n六、其他需要报告的事项\r\n本年度没有产生信息处理费。\n",
    include_str!("../corpus/analyze/draft.md"),
    include_str!("../../tests/fixtures/seeds/004_c25dc2a8f623cf43.txt"),
];

/// Pieces typed or pasted.
const ALPHABET: &[&str] = &[
    "a",
    "总",
    "计",
    "件",
    "。",
    "𠀀",
    "\u{2028}",
    "\n",
    "\r\n",
    "\r",
    "\n\n",
    "|",
    "| ",
    " ",
    "0",
    "1",
    "5",
    "9",
    "１２",
    "é",
    "# 一、总体情况\n",
    "三、",
    "（七）总计",
    "结转下年度继续办理",
    "上年结转",
    "<!-- nianbao-disable-next-line NB301 -->",
    "<!-- nianbao-disable NB301 -->",
    "<!--",
    "-->",
    "|---|---|",
    "\t",
    "2024年",
];

/// Largest text the edits may make (bytes): keeps the analyses fast.
const MAX_TEXT: usize = 24 * 1024;
/// Analyses per input besides the first and the last.
const MAX_ANALYSES: usize = 4;
/// Edits per input.
const MAX_EDITS: usize = 200;

/// Char index in `rope` of an LSP position (a copy of the server's
/// `lsp::encoding::rope_char`): past the last line is the end of the text, a
/// column past the end of the line is its end (before the terminator), a
/// column inside a character snaps to its start.
fn rope_char(rope: &Rope, pos: Position, enc: Encoding) -> usize {
    let line = pos.line as usize;
    if line >= rope.len_lines() {
        return rope.len_chars();
    }
    let start = rope.line_to_char(line);
    let want = pos.character as usize;
    let mut units = 0;
    for (i, ch) in rope.line(line).chars().enumerate() {
        if ch == '\n' || ch == '\r' || units + char_units(ch, enc) > want {
            return start + i;
        }
        units += char_units(ch, enc);
    }
    start + rope.line(line).len_chars()
}

/// Fresh analyses of the seeds (made once: they are the same for every input).
fn seed_analysis(i: usize) -> &'static Analysis {
    static A: OnceLock<Vec<Analysis>> = OnceLock::new();
    &A.get_or_init(|| {
        SEEDS
            .iter()
            .map(|s| nianbao_core::analyze(s, &Config::default()))
            .collect()
    })[i]
}

/// The three texts are equal, and the engine agrees with `fresh` (or a fresh
/// analysis of the text): `nianbao_testkit::engine_agrees`.
fn check(engine: &mut Engine, rope: &Rope, text: &str, config: &Config, fresh: Option<&Analysis>) {
    assert!(rope == text, "rope and String differ");
    if let Err(e) = nianbao_testkit::engine_agrees(engine, text, config, fresh) {
        panic!("{e}");
    }
}

fuzz_target!(|data: &[u8]| {
    let Some((&first, ops)) = data.split_first() else {
        return;
    };
    let seed_index = first as usize % SEEDS.len();
    let seed = SEEDS[seed_index];
    let enc = [Encoding::Utf16, Encoding::Utf8, Encoding::Utf32][(first as usize / 4) % 3];
    let config = Config::default();
    let mut rope = Rope::from_str(seed);
    let mut string = seed.to_string();
    let mut engine = Engine::new(string.clone(), config.clone());
    check(
        &mut engine,
        &rope,
        &string,
        &config,
        Some(seed_analysis(seed_index)),
    );
    let mut analyses = 0;
    // Edits since the last check (none: the engine's analysis is the same).
    let mut edited = false;
    for op in ops.chunks(6).take(MAX_EDITS) {
        let [a, b, c, d, e, f] =
            [0, 1, 2, 3, 4, 5].map(|i| op.get(i).copied().unwrap_or(0) as usize);
        let lines = rope.len_lines();
        // Start anywhere up to one line past the end ("end of document");
        // the end from one line before to six after, so ranges may be reversed.
        let l0 = a % (lines + 1);
        let l1 = (l0 + c % 8).saturating_sub(1);
        let p0 = Position {
            line: l0 as u32,
            character: b as u32,
        };
        let p1 = Position {
            line: l1 as u32,
            character: d as u32,
        };
        let (mut start, mut end) = (rope_char(&rope, p0, enc), rope_char(&rope, p1, enc));
        if start > end {
            std::mem::swap(&mut start, &mut end);
        }
        let (sb, eb) = (rope.char_to_byte(start), rope.char_to_byte(end));
        // The String's own line index finds the same offsets.
        let index = LineIndex::new(&string);
        assert_eq!(
            index.line_count(),
            lines,
            "line counts of LineIndex and ropey"
        );
        let (ib0, ib1) = (
            index.offset(&string, p0, enc),
            index.offset(&string, p1, enc),
        );
        assert_eq!(
            (ib0.min(ib1), ib0.max(ib1)),
            (sb, eb),
            "LineIndex and rope offsets of {p0:?} {p1:?}"
        );

        let count = f & 3;
        let mut insert: String = (0..count)
            .map(|k| ALPHABET[(e + 7 * k) % ALPHABET.len()])
            .collect();
        if string.len() - (eb - sb) + insert.len() > MAX_TEXT {
            insert.clear();
        }
        if start < end {
            rope.remove(start..end);
        }
        rope.insert(start, &insert);
        let old_len = string.len();
        string.replace_range(sb..eb, &insert);
        if f >> 3 == 31 {
            // A whole-document change (a didChange without a range).
            engine.edit(0, old_len, &string);
        } else {
            engine.edit(sb, eb, &insert);
        }
        assert_eq!(rope.len_bytes(), string.len());
        edited = true;
        if f & 4 != 0 && analyses < MAX_ANALYSES {
            analyses += 1;
            edited = false;
            check(&mut engine, &rope, &string, &config, None);
        }
    }
    if edited {
        check(&mut engine, &rope, &string, &config, None);
    }
});
