//! Fuzzes what a witness and a verifier read from strangers: the `add-checkpoint` body
//! (through the whole witness), the witness policy, and split-view evidence. Never panic;
//! the witness cosigns nothing that its one trusted log key did not sign; accepted policy
//! and evidence texts re-encode to themselves.
#![no_main]

use accord_ledger::checkpoint::Checkpoint;
use accord_ledger::merkle;
use accord_ledger::note::{SignerKey, TYPE_COSIGNATURE};
use accord_ledger::splitview::SplitView;
use accord_ledger::witness::{AddCheckpoint, TrustedLog, Witness, WitnessPolicy, WitnessState};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let log = SignerKey::from_seed("fuzz.example/log", [7; 32]).expect("valid name");
    let key = SignerKey::from_seed_of_type("fuzz.example/witness", TYPE_COSIGNATURE, [8; 32])
        .expect("valid name");
    let witness = Witness::new(vec![key], vec![TrustedLog::from_key(log.verifier())])
        .expect("valid configuration");
    let mut state = WitnessState::new();
    // A recorded checkpoint, so that sizes, proofs and evidence are all reachable.
    let tree = merkle::MemoryTree::from_leaves((0..5u8).map(|i| merkle::leaf_hash(&[i])));
    let first = Checkpoint {
        origin: "fuzz.example/log".into(),
        size: 5,
        root: tree.root(),
        extensions: vec![],
    };
    let body = AddCheckpoint {
        old_size: 0,
        proof: vec![],
        checkpoint: first.sign(&log).expect("signs"),
    }
    .encode();
    let now = jiff::Timestamp::UNIX_EPOCH;
    let cosigned = witness.add_checkpoint(&state, body.as_bytes(), now).expect("cosigns");
    state.apply(&cosigned.update).expect("applies");
    if let Ok(c) = witness.add_checkpoint(&state, data, now) {
        // Only a checkpoint the log signed can be cosigned; the fuzzer cannot sign.
        let request = AddCheckpoint::parse(data).expect("accepted bodies parse");
        assert!(request.checkpoint.contains(&first.body()) && c.checkpoint == first);
    }
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    if let Ok(policy) = WitnessPolicy::parse(text) {
        assert_eq!(WitnessPolicy::parse(&policy.to_text()).as_ref(), Ok(&policy));
    }
    if let Ok(evidence) = SplitView::parse(text) {
        assert_eq!(evidence.encode(), text);
        let _ = evidence.check();
    }
});
