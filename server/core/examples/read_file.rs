//! Developer aid: what a reader makes of a .html/.pdf file — the text the parser reads, each
//! place, and the time taken (read alone, and read + analyse; p50 over N runs, release):
//! `cargo run --release -p nianbao-core --example read_file -- FILE [N] [--places]`.
use nianbao_core::read::{read, Form};
use std::time::Instant;

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let path = args.first().expect("usage: read_file FILE [N] [--places]");
    let n: usize = args.get(1).and_then(|s| s.parse().ok()).unwrap_or(0);
    let bytes = std::fs::read(path).expect("read");
    let form = Form::sniff(Some(path), &bytes);
    let r = match read(form, &bytes) {
        Ok(r) => r,
        Err(e) => {
            eprintln!("{}", e.get(nianbao_core::diag::Lang::Zh));
            std::process::exit(2);
        }
    };
    if n == 0 {
        print!("{}", r.text);
        if args.iter().any(|a| a == "--places") {
            for (range, place) in &r.places {
                println!(
                    "{:?} {:?} {:?}",
                    range,
                    place,
                    &r.text[range.start..range.end]
                );
            }
        }
        return;
    }
    let config = nianbao_core::config::Config::default();
    let p50 = |f: &mut dyn FnMut()| {
        let mut t: Vec<f64> = (0..n)
            .map(|_| {
                let s = Instant::now();
                f();
                s.elapsed().as_secs_f64() * 1e3
            })
            .collect();
        t.sort_by(f64::total_cmp);
        (t[n / 2], t[n * 9 / 10])
    };
    let (read_p50, read_p90) = p50(&mut || {
        std::hint::black_box(read(form, &bytes).unwrap());
    });
    let (all_p50, all_p90) = p50(&mut || {
        let r = read(form, &bytes).unwrap();
        std::hint::black_box(nianbao_core::analyze(&r.text, &config));
    });
    println!(
        "{path}: {} bytes, {n} runs: read p50 {read_p50:.2} ms (p90 {read_p90:.2}), read + analyse p50 {all_p50:.2} ms (p90 {all_p90:.2})",
        bytes.len()
    );
}
