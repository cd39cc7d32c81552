//! Fuzzes format detection followed by the detected importer.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    if let Ok((format, reader)) = accord_lists::sniff(data, "fuzz") {
        for record in accord_lists::read(format, reader, "fuzz").take(100_000) {
            if record.is_err() {
                break;
            }
        }
    }
});
