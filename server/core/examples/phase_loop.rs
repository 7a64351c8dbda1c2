//! Run one phase of the analysis in a loop, to profile it alone:
//! `cargo run --release -p nianbao-core --example phase_loop -- FILE PHASE [SECONDS]` with PHASE one of
//! `lines`, `parse`, `claims`, `rules`, `suppress`, `analyze`.
use std::hint::black_box;
use std::time::Instant;

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let src = std::fs::read_to_string(&args[1]).expect("read");
    let phase = args.get(2).map(String::as_str).unwrap_or("analyze");
    let secs: f64 = args.get(3).and_then(|s| s.parse().ok()).unwrap_or(5.0);
    let config = nianbao_core::config::Config::default();
    let lines = nianbao_core::parse::Lines::new(&src);
    let report = nianbao_core::parse::parse(&src, None);
    let claims = nianbao_core::narrative::claims(&src, &report);
    let mut run: Box<dyn FnMut()> = match phase {
        "lines" => Box::new(|| drop(black_box(nianbao_core::parse::Lines::new(&src)))),
        "parse" => Box::new(|| {
            drop(black_box(nianbao_core::parse::parse_lines(
                &src,
                None,
                &lines,
                &mut |_, _, _| None,
            )))
        }),
        "claims" => Box::new(|| {
            for p in nianbao_core::narrative::paragraph_spans(&lines, &report) {
                drop(black_box(nianbao_core::narrative::paragraph_claims(
                    &src,
                    &lines.ranges[p],
                )));
            }
        }),
        "rules" => Box::new(|| {
            let ctx =
                nianbao_core::rules::Ctx::new(&src, &report, &config).with_claims(claims.clone());
            drop(black_box(nianbao_core::rules::run(&ctx)));
        }),
        "suppress" => Box::new(|| {
            drop(black_box(nianbao_core::suppress::directives_in(
                &src, &lines,
            )))
        }),
        _ => Box::new(|| drop(black_box(nianbao_core::analyze(&src, &config)))),
    };
    let t = Instant::now();
    let mut n = 0u64;
    while t.elapsed().as_secs_f64() < secs {
        for _ in 0..16 {
            run();
        }
        n += 16;
    }
    let us = t.elapsed().as_secs_f64() * 1e6 / n as f64;
    println!(
        "{phase}: {n} runs, {us:.1} µs each, {:.1} MB/s",
        src.len() as f64 / us / 1.048576
    );
}
