//! Engine throughput: parse + every rule (`analyze`) on real reports and on
//! synthetic long ones, in bytes per second.
//!
//! `cargo bench -p nianbao-core --bench engine` (quick: `cargo bench -p nianbao-core --bench engine -- --warm-up-time 1 --measurement-time 3`)

#[path = "../../benches/common/mod.rs"]
mod common;

use criterion::{black_box, criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use nianbao_core::{analyze, config::Config};
use std::path::Path;

fn fixture(path: &str) -> String {
    let p = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../tests/fixtures")
        .join(path);
    std::fs::read_to_string(&p).unwrap_or_else(|e| panic!("{}: {}", p.display(), e))
}

fn engine(c: &mut Criterion) {
    let config = Config::default();
    // (name, text, synthetic): real reports keep their real findings (seed 002
    // has two NB404); synthetic ones must have none.
    let inputs = [
        ("seed 002 (pipe tables)", common::SEED.to_string(), false),
        (
            "realworld 008 (PDF text)",
            fixture("seeds/008_huaian_city_gov_2024.txt"),
            false,
        ),
        ("synthetic 30 KB", common::synthetic(30 * 1024), true),
        ("synthetic 1 MB", common::synthetic(1024 * 1024), true),
        ("synthetic 10 MB", common::synthetic(10 * 1024 * 1024), true),
    ];
    let mut group = c.benchmark_group("analyze");
    for (name, src, synthetic) in &inputs {
        // Every input must still be a report whose tables are read; a synthetic
        // one must also be free of findings (its padding states no figures).
        let a = analyze(src, &config);
        assert!(a.report.table3.is_some(), "{}: table 三 not read", name);
        assert!(
            !synthetic || a.diagnostics.is_empty(),
            "{}: {:?}",
            name,
            a.diagnostics.first()
        );
        group.throughput(Throughput::Bytes(src.len() as u64));
        group.sample_size(if src.len() > 100_000 { 10 } else { 100 });
        group.bench_with_input(
            BenchmarkId::from_parameter(format!("{} {} B", name, src.len())),
            src,
            |b, src| b.iter(|| analyze(black_box(src), &config)),
        );
    }
    group.finish();
}

criterion_group!(benches, engine);
criterion_main!(benches);
