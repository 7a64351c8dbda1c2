//! Where the time of one analysis goes, per phase and per rule:
//! `cargo run --release --example phase_times -- FILE [N]`.
use std::time::Instant;
fn main() {
    let args: Vec<String> = std::env::args().collect();
    let src = std::fs::read_to_string(&args[1]).expect("read");
    let n: u32 = args.get(2).and_then(|s| s.parse().ok()).unwrap_or(500);
    let config = nianbao::config::Config::default();
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
    time("lines", &mut || drop(nianbao::parse::Lines::new(&src)));
    let lines = nianbao::parse::Lines::new(&src);
    time("parse", &mut || {
        drop(nianbao::parse::parse_lines(
            &src,
            None,
            &lines,
            &mut |_, _, _| None,
        ))
    });
    let report = nianbao::parse::parse(&src, None);
    time("claims", &mut || {
        for p in nianbao::narrative::paragraph_spans(&lines, &report) {
            drop(nianbao::narrative::paragraph_claims(&src, &lines.ranges[p]));
        }
    });
    let claims = nianbao::narrative::claims(&src, &report);
    for r in nianbao::rules::RULES {
        time(r.code, &mut || {
            let ctx = nianbao::rules::Ctx::new(&src, &report, &config).with_claims(claims.clone());
            drop(nianbao::rules::run_rule(r, &ctx));
        });
    }
    time("analyze", &mut || drop(nianbao::analyze(&src, &config)));
}
