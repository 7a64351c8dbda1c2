//! Read a .docx: print its rendering (`--text`), its places (`--places`), or time the
//! reader and the analysis of its rendering (default: 100 runs, p50 and max).
//!
//!     cargo run --release -p nianbao-core --example docx_time -- FILE.docx [--text|--places]

use nianbao_core::analysis::analyze;
use nianbao_core::config::Config;
use std::time::Instant;

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let Some(path) = args.first() else {
        eprintln!("usage: docx_time FILE.docx [--text|--places]");
        std::process::exit(2);
    };
    let bytes = std::fs::read(path).expect("read the file");
    let r = match nianbao_core::read::docx::read(&bytes) {
        Ok(r) => r,
        Err(e) => {
            eprintln!("{}", e.get(nianbao_core::diag::Lang::Zh));
            std::process::exit(1);
        }
    };
    match args.get(1).map(String::as_str) {
        Some("--text") => print!("{}", r.text),
        Some("--places") => {
            for (range, place) in &r.places {
                println!("{place:?}\t{:?}", &r.text[range.start..range.end]);
            }
        }
        _ => {
            let config = Config::default();
            let mut read = Vec::new();
            let mut total = Vec::new();
            for _ in 0..100 {
                let t = Instant::now();
                let r = nianbao_core::read::docx::read(&bytes).expect("read");
                let t1 = t.elapsed();
                let a = analyze(&r.text, &config);
                std::hint::black_box(&a);
                read.push(t1);
                total.push(t.elapsed());
            }
            read.sort();
            total.sort();
            println!(
                "{path}: read p50 {:?} max {:?}; read + analyse p50 {:?} max {:?} (100 runs)",
                read[50], read[99], total[50], total[99]
            );
            // Write-back of the fix-all edits, when there are any.
            let a = analyze(&r.text, &config);
            let edits = nianbao_core::fix::fix_all(&r.text, &a.report);
            if !edits.is_empty() {
                let mut times = Vec::new();
                for _ in 0..100 {
                    let t = Instant::now();
                    let out = nianbao_core::read::docx::write_back(&bytes, &r, &edits)
                        .expect("written back");
                    std::hint::black_box(out);
                    times.push(t.elapsed());
                }
                times.sort();
                println!(
                    "{path}: write-back of {} edit(s) p50 {:?} max {:?} (100 runs)",
                    edits.len(),
                    times[50],
                    times[99]
                );
            }
        }
    }
}
