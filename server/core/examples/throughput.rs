//! Engine throughput on the bench inputs, for comparing two builds run in turns
//! on a noisy machine: `cargo run --release -p nianbao-core --example throughput -- [SECONDS] [FILTER]`.
//! Prints one line per input: the median of several rounds, in MB/s (MiB).
#[path = "../../benches/common/mod.rs"]
#[allow(dead_code)]
mod common;

use std::time::Instant;

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let secs: f64 = args.get(1).and_then(|s| s.parse().ok()).unwrap_or(2.0);
    let filter = args.get(2).cloned().unwrap_or_default();
    let fixture = |p: &str| {
        std::fs::read_to_string(
            std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
                .join("../../tests/fixtures")
                .join(p),
        )
        .expect("fixture")
    };
    let inputs = [
        ("seed002", common::SEED.to_string()),
        ("rw008", fixture("seeds/008_huaian_city_gov_2024.txt")),
        ("syn30k", common::synthetic(30 * 1024)),
        ("syn1m", common::synthetic(1024 * 1024)),
        ("syn10m", common::synthetic(10 * 1024 * 1024)),
    ];
    let config = nianbao_core::config::Config::default();
    for (name, src) in &inputs {
        if !name.contains(filter.as_str()) {
            continue;
        }
        // Rounds of about secs/7 each; the median round counts.
        let mut rates = Vec::new();
        let per_round = secs / 7.0;
        for _ in 0..7 {
            let t = Instant::now();
            let mut n = 0usize;
            while t.elapsed().as_secs_f64() < per_round || n == 0 {
                std::hint::black_box(nianbao_core::analyze(std::hint::black_box(src), &config));
                n += 1;
            }
            let e = t.elapsed().as_secs_f64();
            rates.push((src.len() * n) as f64 / e / (1 << 20) as f64);
        }
        rates.sort_by(|a, b| a.partial_cmp(b).unwrap());
        println!("{name:>8} {:>10} B {:8.1} MB/s", src.len(), rates[3]);
    }
}
