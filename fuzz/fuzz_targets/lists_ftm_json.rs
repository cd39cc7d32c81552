//! Fuzzes the `ftm_json` importer: any input yields records or an error, then an outcome, never a panic.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let mut records = accord_lists::read(accord_lists::Format::FtmJson, data, "fuzz");
    for record in records.by_ref().take(100_000) {
        if record.is_err() {
            break;
        }
    }
    // The end-of-file checks (trailer, counts, emptiness) run on every input too.
    let _ = records.finish(accord_lists::IfEmpty::Accept);
});
