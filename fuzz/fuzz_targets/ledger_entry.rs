//! Fuzzes the entry decoder: never panics, and whatever it accepts re-encodes to the same
//! bytes (one entry, one encoding).
#![no_main]

use accord_ledger::entry::{LoggedEntry, SignedEntry};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(entry) = SignedEntry::decode(data) {
        assert_eq!(entry.encode(), data);
    }
    if let Ok(logged) = LoggedEntry::decode(data) {
        assert_eq!(logged.leaf_bytes(), data);
    }
});
