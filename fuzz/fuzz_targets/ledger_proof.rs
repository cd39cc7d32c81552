//! Fuzzes the proof parsers (`tlog-proof` text and command-line hashes): never panic, and
//! an accepted proof text re-encodes to the same text.
#![no_main]

use accord_ledger::checkpoint::{TlogProof, parse_hash};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let _ = parse_hash(text);
    if let Ok(proof) = TlogProof::parse(text) {
        assert_eq!(proof.encode(), text);
    }
});
