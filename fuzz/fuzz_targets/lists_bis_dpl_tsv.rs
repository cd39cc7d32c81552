//! Fuzzes the `bis_dpl_tsv` importer: any input yields records or an error, never a panic.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    for record in accord_lists::read(accord_lists::Format::BisDplTsv, data, "fuzz").take(100_000) {
        if record.is_err() {
            break;
        }
    }
});
