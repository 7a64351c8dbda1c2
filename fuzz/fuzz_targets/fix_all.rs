//! Fix-all: only total cells are rewritten with numbers, the result re-parses,
//! and fixing again changes nothing (see `nianbao_testkit::check_fix_all`).
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    nianbao_testkit::check_fix_all(&String::from_utf8_lossy(data));
});
