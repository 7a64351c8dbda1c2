//! Engine throughput: parse + every rule (`analyze`) on real reports and on
//! synthetic long ones, in bytes per second.
//!
//! `cargo bench --bench engine -- --warm-up-time 1 --measurement-time 3`

use criterion::{black_box, criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use nianbao::{analyze, config::Config};
use std::path::Path;

fn fixture(path: &str) -> String {
    let p = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../tests/fixtures")
        .join(path);
    std::fs::read_to_string(&p).unwrap_or_else(|e| panic!("{}: {}", p.display(), e))
}

/// Seed 002 with its narrative paragraphs repeated in section 一 until the text
/// reaches `size` bytes: a long report whose tables stay as they are.
fn synthetic(size: usize) -> String {
    let seed = fixture("seeds/002_fb96db60f172c7f1.txt");
    let start = seed.find("一、总体情况\n").expect("section 一") + "一、总体情况\n".len();
    let end = seed.find("二、主动公开政府信息情况").expect("section 二");
    let narrative = &seed[start..end];
    let mut body = String::with_capacity(size + narrative.len());
    while seed.len() + body.len() < size {
        body.push_str(narrative);
    }
    format!("{}{}{}", &seed[..start], body, &seed[start..])
}

fn engine(c: &mut Criterion) {
    let config = Config::default();
    let inputs = [
        (
            "seed 002 (pipe tables)",
            fixture("seeds/002_fb96db60f172c7f1.txt"),
        ),
        (
            "realworld 008 (PDF text)",
            fixture("seeds/008_huaian_city_gov_2024.txt"),
        ),
        ("synthetic 30 KB", synthetic(30 * 1024)),
        ("synthetic 1 MB", synthetic(1024 * 1024)),
    ];
    let mut group = c.benchmark_group("analyze");
    for (name, src) in &inputs {
        // The synthetic reports must still be reports: tables read, nothing wrong.
        let a = analyze(src, &config);
        assert!(
            a.report.table3.is_some() && a.diagnostics.is_empty(),
            "{}: {:?}",
            name,
            a.diagnostics.first()
        );
        group.throughput(Throughput::Bytes(src.len() as u64));
        if src.len() > 100_000 {
            group.sample_size(10);
        }
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
