use nianbao::{analyze, config::Config, text::{Encoding, LineIndex}};
fn main() {
    let path = std::env::args().nth(1).unwrap();
    let src = std::fs::read_to_string(&path).unwrap();
    let a = analyze(&src, &Config::default());
    let li = LineIndex::new(&src);
    println!("format {:?} year {:?} source {:?}", a.report.format, a.report.year, a.report.format_source);
    for d in &a.diagnostics {
        let p = li.position(&src, d.range.start, Encoding::Utf16);
        println!("{}:{} {} {:?} {} [{}]", p.line + 1, p.character + 1, d.code, d.severity, d.message.zh, &src[d.range.start..d.range.end]);
    }
}
