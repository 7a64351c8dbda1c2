//! Analyse one file N times (for profiling): `cargo run --release -p nianbao-core --example analyze_loop -- FILE [N]`.
fn main() {
    let args: Vec<String> = std::env::args().collect();
    let src = std::fs::read_to_string(&args[1]).expect("read");
    let n: usize = args.get(2).and_then(|s| s.parse().ok()).unwrap_or(2000);
    let config = nianbao_core::config::Config::default();
    let t = std::time::Instant::now();
    let mut d = 0;
    for _ in 0..n {
        d += nianbao_core::analyze(&src, &config).diagnostics.len();
    }
    let e = t.elapsed();
    println!(
        "{} runs, {:.1} µs each, {:.1} MB/s ({} diags)",
        n,
        e.as_secs_f64() * 1e6 / n as f64,
        (src.len() * n) as f64 / e.as_secs_f64() / 1e6,
        d / n
    );
}
