//! Where the time of one analysis goes, per phase and per rule:
//! `cargo run --release -p nianbao-core --example phase_times -- FILE [N]`.
use std::time::Instant;
fn main() {
    let args: Vec<String> = std::env::args().collect();
    let src = std::fs::read_to_string(&args[1]).expect("read");
    let n: u32 = args.get(2).and_then(|s| s.parse().ok()).unwrap_or(500);
    let config = nianbao_core::config::Config::default();
    let time = |name: &str, f: &mut dyn FnMut()| {
        let t = Instant::now();
        for _ in 0..n {
            f();
        }
        let us = t.elapsed().as_secs_f64() * 1e6 / n as f64;
        if us > 2.0 {
            println!("{name:>14} {us:8.1} µs");
        }
    };
    time("lines", &mut || drop(nianbao_core::parse::Lines::new(&src)));
    let lines = nianbao_core::parse::Lines::new(&src);
    time("parse", &mut || {
        drop(nianbao_core::parse::parse_lines(
            &src,
            None,
            &lines,
            &mut |_, _, _| None,
        ))
    });
    let report = nianbao_core::parse::parse(&src, None);
    time("claims", &mut || {
        for p in nianbao_core::narrative::paragraph_spans(&lines, &report) {
            drop(nianbao_core::narrative::paragraph_claims(
                &src,
                &lines.ranges()[p],
            ));
        }
    });
    let claims = nianbao_core::narrative::claims(&src, &report);
    for &r in nianbao_core::rules::Rule::ALL {
        time(r.code(), &mut || {
            let ctx =
                nianbao_core::rules::Ctx::new(&src, &report, &config).with_claims(claims.clone());
            drop(nianbao_core::rules::run_rule(r, &ctx));
        });
    }
    time("analyze", &mut || {
        drop(nianbao_core::analyze(&src, &config))
    });
}
