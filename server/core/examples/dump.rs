//! Developer aid: print what the engine finds in a file (`cargo run -p nianbao-core --example dump -- FILE`).
use nianbao_core::{
    analyze,
    config::Config,
    text::{Encoding, LineIndex},
};
fn main() {
    for path in std::env::args().skip(1) {
        let src = std::fs::read_to_string(&path).expect("readable UTF-8 file");
        let a = analyze(&src, &Config::default());
        let li = LineIndex::new(&src);
        println!(
            "== {} format {:?} year {:?} ({:?})",
            path, a.report.format, a.report.year, a.report.format_source
        );
        for d in &a.diagnostics {
            let p = li.position(&src, d.range.start, Encoding::Utf16);
            println!(
                "{}:{} {} {:?} {} ⟦{}⟧",
                p.line + 1,
                p.character + 1,
                d.code(),
                d.severity,
                d.message.zh,
                &src[d.range.start..d.range.end]
            );
        }
    }
}
