//! Print everything one analysis yields for each file (report model, prose
//! figures, diagnostics), to compare two builds on a corpus:
//! `cargo run --release -p nianbao-core --example analysis_digest -- FILE... > out.txt`.
fn main() {
    let config = nianbao_core::config::Config::default();
    for path in std::env::args().skip(1) {
        let Ok(src) = std::fs::read_to_string(&path) else {
            continue;
        };
        let a = nianbao_core::analyze(&src, &config);
        let claims = nianbao_core::narrative::claims(&src, &a.report);
        println!(
            "== {path}\n{:?}\n{:?}\n{:?}",
            a.report, claims, a.diagnostics
        );
    }
}
