#[path = "../../benches/common/mod.rs"]
mod common;
use nianbao_core::incremental::Engine;
use std::time::Instant;
fn main() {
    for size in [30 << 10, 1 << 20, 10 << 20] {
        let text = common::synthetic(size);
        let pad = common::padding(&text);
        let mut e = Engine::new(text.clone(), Default::default());
        let t = Instant::now();
        e.analysis();
        let first = t.elapsed();
        let mid = (pad.start + pad.end) / 2;
        let mut at = mid;
        while !text.is_char_boundary(at) {
            at += 1;
        }
        let cell = text.find("| 0 |").unwrap() + 2;
        for (name, pos) in [("prose", at), ("cell", cell)] {
            let mut times = vec![];
            for i in 0..50 {
                let t = Instant::now();
                if i % 2 == 0 {
                    e.edit(pos, pos, "1");
                } else {
                    e.edit(pos, pos + 1, "");
                }
                e.analysis();
                times.push(t.elapsed().as_secs_f64() * 1e3);
            }
            times.sort_by(|a, b| a.partial_cmp(b).unwrap());
            println!(
                "{} B {name}: first {:?} p50 {:.3} ms p90 {:.3} max {:.3} stats {:?}",
                text.len(),
                first,
                times[25],
                times[45],
                times[49],
                e.stats()
            );
        }
    }
}
