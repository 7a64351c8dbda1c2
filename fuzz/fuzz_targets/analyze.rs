//! Parse + every rule on arbitrary text, with each template format forced and detected.
#![no_main]
use libfuzzer_sys::fuzz_target;
use nianbao::config::Config;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let a = nianbao::analysis::analyze(&text, &Config::default());
    for d in &a.diagnostics {
        assert!(d.range.start <= d.range.end && d.range.end <= text.len());
        assert!(text.is_char_boundary(d.range.start) && text.is_char_boundary(d.range.end));
    }
});
