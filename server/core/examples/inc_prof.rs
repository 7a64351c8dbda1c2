#[path = "../../benches/common/mod.rs"]
mod common;
use nianbao_core::incremental::Engine;
fn main() {
    let text = common::synthetic(30 << 10);
    let pad = common::padding(&text);
    let mut e = Engine::new(text.clone(), Default::default());
    e.analysis();
    let mut at = (pad.start + pad.end) / 2;
    while !text.is_char_boundary(at) {
        at += 1;
    }
    for i in 0..3000 {
        if i % 2 == 0 {
            e.edit(at, at, "1");
        } else {
            e.edit(at, at + 1, "");
        }
        e.analysis();
    }
}
