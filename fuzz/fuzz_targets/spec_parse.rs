//! Fuzz target: the agreement parser and validator never panic, whatever the bytes, and
//! every diagnostic can be rendered.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let (source, checked) = accord_spec::check_bytes(data);
    let _ = accord_spec::render_text("fuzz.toml", &source, &checked.diagnostics);
    let _ = accord_spec::to_json("fuzz.toml", &source, &checked.diagnostics);
    assert_eq!(checked.agreement.is_some(), !checked.has_errors());
    if let Ok(text) = std::str::from_utf8(data) {
        let _ = accord_spec::condition::parse_condition(text);
        let _ = accord_spec::condition::parse_date_rule(text);
    }
});
