//! A report bundle built from a small generated log (nuclear-caps, two events and monthly
//! stockpile reports), its checkpoint cosigned under a 1-of-1 witness policy: it verifies,
//! every check it makes is listed (snapshot), and flipping any bit of any of its files
//! makes the verification fail (property).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::sync::LazyLock;

use accord_core::statement::Statement;
use accord_ledger::checkpoint::Checkpoint;
use accord_ledger::entry::{Body, Entry, EntrySignature, LoggedEntry, SignedEntry};
use accord_ledger::merkle::{MemoryTree, leaf_hash};
use accord_ledger::note::{SignerKey, TYPE_COSIGNATURE};
use accord_ledger::witness::TrustedLog;
use accord_ledger::witness::policy::WitnessPolicy;
use accord_ledger::witness::protocol::AddCheckpoint;
use accord_ledger::witness::serve::{Witness, WitnessState};
use accord_ledger::witness::submit::{Reply, attach, read_reply};
use accord_report::bundle::encode_log;
use accord_report::{Bundle, Inputs, build, verify};
use proptest::prelude::*;

const ORIGIN: &str = "test.example/arden";
const AGREEMENT: &str = "arden-nuclear-2026";

fn leaf(statement: &str, by: &str, at: jiff::Timestamp) -> Vec<u8> {
    let statement: Statement = serde_json::from_str(statement).unwrap();
    LoggedEntry {
        signed: SignedEntry {
            entry: Entry {
                origin: ORIGIN.into(),
                agreement: AGREEMENT.parse().unwrap(),
                body: Body::Open(statement),
            },
            signatures: vec![EntrySignature {
                signer: by.parse().unwrap(),
                public_key: [1; 32],
                signature: [2; 64],
            }],
        },
        recorded_at: at,
    }
    .leaf_bytes()
}

fn leaves() -> Vec<Vec<u8>> {
    let at = |s: i64| {
        "2026-03-01T00:00:00Z"
            .parse::<jiff::Timestamp>()
            .unwrap()
            .checked_add(jiff::SignedDuration::from_secs(s))
            .unwrap()
    };
    let mut out = vec![
        leaf(
            r#"{"kind":"event_occurred","event":"adoption","on":"2026-01-15"}"#,
            "eu",
            at(0),
        ),
        leaf(
            r#"{"kind":"event_occurred","event":"implementation","on":"2026-02-01"}"#,
            "eu",
            at(1),
        ),
    ];
    for m in 0..6i64 {
        let start = jiff::civil::date(2026, 2, 1)
            .checked_add(jiff::Span::new().months(m))
            .unwrap();
        let json = format!(
            r#"{{"kind":"evidence","indicator":"leu_stockpile","period":{{"start":"{start}","end":"{}"}},"value":{{"type":"quantity","value":{},"unit":"kg_uf6"}},"method":"on_site_inspection","confidentiality":"public"}}"#,
            start.last_of_month(),
            250 + 20 * m
        );
        out.push(leaf(&json, "iaea", at(86_400 * 31 * (m + 1))));
    }
    out
}

struct Fixture {
    text: String,
    log: Vec<u8>,
    checkpoint: String,
    policy: String,
    log_key: String,
}

fn fixture() -> Fixture {
    let text = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../examples/nuclear-caps.toml"
    ))
    .unwrap();
    let leaves = leaves();
    let tree = MemoryTree::from_leaves(leaves.iter().map(|l| leaf_hash(l)));
    let key = SignerKey::from_seed(ORIGIN, [7; 32]).unwrap();
    let signed = Checkpoint {
        origin: ORIGIN.into(),
        size: tree.size(),
        root: tree.root(),
        extensions: vec![],
    }
    .sign(&key)
    .unwrap();
    let witness_key =
        SignerKey::from_seed_of_type("witness.example/w1", TYPE_COSIGNATURE, [9; 32]).unwrap();
    let witness = Witness::new(
        vec![witness_key.clone()],
        vec![TrustedLog::from_key(key.verifier())],
    )
    .unwrap();
    let body = AddCheckpoint {
        old_size: 0,
        proof: vec![],
        checkpoint: signed.clone(),
    }
    .encode();
    let now = jiff::Timestamp::from_second(1_800_000_000).unwrap();
    let answer = witness
        .add_checkpoint(&WitnessState::new(), body.as_bytes(), now)
        .unwrap();
    let Reply::Cosigned(cosignatures) =
        read_reply(200, None, &answer.body, &signed, &[witness_key.verifier()]).unwrap()
    else {
        panic!("not cosigned");
    };
    let policy = WitnessPolicy::k_of_n(1, [("w1".to_owned(), witness_key.verifier())]).unwrap();
    Fixture {
        text,
        log: encode_log(leaves.iter().map(Vec::as_slice)),
        checkpoint: attach(&signed, &cosignatures).unwrap(),
        policy: policy.to_text(),
        log_key: key.verifier().to_string(),
    }
}

static BUNDLE: LazyLock<Bundle> = LazyLock::new(|| {
    let f = fixture();
    build(&Inputs {
        agreement: AGREEMENT,
        as_of: "2026-12-31T00:00:00Z".parse().unwrap(),
        log_key: &f.log_key,
        texts: vec![(1, &f.text)],
        checkpoint: &f.checkpoint,
        policy: Some(&f.policy),
        log: &f.log,
        previous: None,
        disclosure: accord_report::Disclosure::Stated(None),
    })
    .unwrap()
});

#[test]
fn a_built_report_verifies_and_lists_what_it_checked() {
    let v = verify(&BUNDLE, None);
    assert!(v.is_ok(), "{v:?}");
    let checks: Vec<String> = v
        .checks
        .iter()
        .map(|c| format!("{}: {}", c.part, c.what))
        .map(|line| line.replace(&fixture().log_key, "LOG-KEY"))
        .collect();
    insta::assert_snapshot!(checks.join("\n"));
}

#[test]
fn a_report_built_twice_is_the_same_bytes() {
    let f = fixture();
    let again = build(&Inputs {
        agreement: AGREEMENT,
        as_of: "2026-12-31T00:00:00Z".parse().unwrap(),
        log_key: &f.log_key,
        texts: vec![(1, &f.text)],
        checkpoint: &f.checkpoint,
        policy: Some(&f.policy),
        log: &f.log,
        previous: None,
        disclosure: accord_report::Disclosure::Stated(None),
    })
    .unwrap();
    assert_eq!(again, *BUNDLE);
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]

    /// Any bit of any file flipped: the verification fails.
    #[test]
    fn any_flipped_bit_fails_the_verification(file in 0usize..64, at in any::<prop::sample::Index>(), bit in 0u8..8) {
        let mut altered = BUNDLE.clone();
        let names: Vec<String> = altered.files.keys().cloned().collect();
        let name = &names[file % names.len()];
        let bytes = altered.files.get_mut(name).unwrap();
        let i = at.index(bytes.len());
        bytes[i] ^= 1 << bit;
        let v = verify(&altered, None);
        prop_assert!(!v.is_ok(), "{name} byte {i} bit {bit} altered, yet it verifies");
    }
}
