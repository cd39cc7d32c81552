//! Fuzzes format detection followed by the detected importer.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    if let Ok((format, reader)) = accord_lists::sniff(data, "fuzz") {
        let mut records = accord_lists::read(format, reader, "fuzz");
        for record in records.by_ref().take(100_000) {
            if record.is_err() {
                break;
            }
        }
        let _ = records.finish(accord_lists::IfEmpty::Accept);
    }
});
