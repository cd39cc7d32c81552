//! Fuzzes the signed-note and checkpoint parsers: never panic, and verification against a
//! fixed key never accepts what that key did not sign.
#![no_main]

use accord_ledger::checkpoint::Checkpoint;
use accord_ledger::note::{self, SignerKey};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let _ = Checkpoint::parse_body(text);
    if note::parse_note(text).is_ok() {
        let key = SignerKey::from_seed("fuzz.example/key", [7; 32]).expect("valid name");
        if let Ok(verified) = note::open_note(text, &[key.verifier()]) {
            // Only our key is known: it is the only possible verified signer.
            assert_eq!(verified.signers, vec!["fuzz.example/key".to_owned()]);
        }
    }
});
