//! Parse + every rule, and the readers of the checks across years, on arbitrary
//! text (see `nianbao_testkit::check_analysis`).
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    nianbao_testkit::check_analysis(&String::from_utf8_lossy(data));
});
