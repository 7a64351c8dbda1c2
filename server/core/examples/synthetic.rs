//! Print the synthetic report the benchmarks use, of at least SIZE bytes, to
//! standard output (to profile or count instructions on it with another build):
//! `cargo run --release -p nianbao-core --example synthetic -- 1048576 > syn1m.md`.
#[path = "../../benches/common/mod.rs"]
#[allow(dead_code)]
mod common;

fn main() {
    let size: usize = std::env::args()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(30 * 1024);
    print!("{}", common::synthetic(size));
}
