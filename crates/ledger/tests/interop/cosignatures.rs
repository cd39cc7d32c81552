//! `tlog-cosignature/v1` checked by the `sigsum` crate (a dev-dependency, used as an
//! oracle only). A Sigsum log is a C2SP log whose origin is `sigsum.org/v1/tree/<hex
//! SHA-256 of its key>`, and a Sigsum proof bundles a checkpoint, its witnesses'
//! cosignatures and an inclusion proof: so our log key signs the checkpoint, our witness
//! state machine cosigns it, our Merkle code proves the leaf, and sigsum verifies the lot
//! under its own policy engine, which we also compare with ours.

use accord_ledger::checkpoint::{Checkpoint, encode_hex};
use accord_ledger::merkle::{self, MemoryTree, leaf_hash};
use accord_ledger::note::{self, SignerKey, TYPE_COSIGNATURE};
use accord_ledger::witness::{
    AddCheckpoint, TrustedLog, Witness, WitnessPolicy, WitnessState, submit,
};
use proptest::prelude::*;
use sha2::{Digest, Sha256};

fn sha(bytes: &[u8]) -> [u8; 32] {
    Sha256::digest(bytes).into()
}

/// A log key whose name is its Sigsum origin.
fn sigsum_log_key() -> SignerKey {
    let public = SignerKey::from_seed("x", [21; 32]).unwrap().public_key();
    let origin = format!("sigsum.org/v1/tree/{}", encode_hex(&sha(&public)));
    SignerKey::from_seed(&origin, [21; 32]).unwrap()
}

fn witness_key(n: u8) -> SignerKey {
    SignerKey::from_seed_of_type(
        &format!("witness.example/w{n}"),
        TYPE_COSIGNATURE,
        [30 + n; 32],
    )
    .unwrap()
}

/// A Sigsum log of `n` leaves, the one at `index` being a signature on `message`.
struct Fixture {
    log: SignerKey,
    submitter: SignerKey,
    message: [u8; 32],
    tree: MemoryTree,
    index: u64,
    leaf_signature: [u8; 64],
    checkpoint: String,
}

fn fixture(n: u64, index: u64) -> Fixture {
    let log = sigsum_log_key();
    let submitter = SignerKey::from_seed("submitter", [22; 32]).unwrap();
    let message = sha(b"the monitor's report for June");
    let checksum = sha(&message);
    let mut signed = b"sigsum.org/v1/tree-leaf\0".to_vec();
    signed.extend_from_slice(&checksum);
    let leaf_signature = submitter.sign_bytes(&signed);
    let tree = MemoryTree::from_leaves((0..n).map(|i| {
        if i == index {
            let mut leaf = checksum.to_vec();
            leaf.extend_from_slice(&leaf_signature);
            leaf.extend_from_slice(&sha(&submitter.public_key()));
            leaf_hash(&leaf)
        } else {
            leaf_hash(&i.to_be_bytes())
        }
    }));
    let checkpoint = Checkpoint {
        origin: log.name().into(),
        size: n,
        root: tree.root(),
        extensions: vec![],
    }
    .sign(&log)
    .unwrap();
    Fixture {
        log,
        submitter,
        message,
        tree,
        index,
        leaf_signature,
        checkpoint,
    }
}

/// The cosignature lines of witness `n` (run through our witness state machine).
fn cosign(f: &Fixture, n: u8, time: i64) -> String {
    let witness = Witness::new(
        vec![witness_key(n)],
        vec![TrustedLog::from_key(f.log.verifier())],
    )
    .unwrap();
    let request = AddCheckpoint {
        old_size: 0,
        proof: vec![],
        checkpoint: f.checkpoint.clone(),
    };
    let now = jiff::Timestamp::from_second(time).unwrap();
    witness
        .add_checkpoint(&WitnessState::new(), request.encode().as_bytes(), now)
        .unwrap()
        .body
}

/// The Sigsum proof (its ASCII form) of the fixture's leaf, with the given cosignatures.
fn sigsum_proof(f: &Fixture, cosignature_lines: &str) -> String {
    let parsed = note::parse_note(&format!("{}{cosignature_lines}", f.checkpoint)).unwrap();
    let log_signature = &parsed.signatures[0].signature;
    let mut s = format!(
        "version=2\nlog={}\nleaf={} {}\n\nsize={}\nroot_hash={}\nsignature={}\n",
        encode_hex(&sha(&f.log.public_key())),
        encode_hex(&sha(&f.submitter.public_key())),
        encode_hex(&f.leaf_signature),
        f.tree.size(),
        encode_hex(&f.tree.root()),
        encode_hex(log_signature),
    );
    for sig in parsed.signatures.iter().skip(1) {
        let key = (1..=3)
            .map(witness_key)
            .find(|k| k.name() == sig.name && k.key_id() == sig.key_id)
            .unwrap();
        let timestamp = u64::from_be_bytes(sig.signature[..8].try_into().unwrap());
        s.push_str(&format!(
            "cosignature={} {timestamp} {}\n",
            encode_hex(&sha(&key.public_key())),
            encode_hex(&sig.signature[8..])
        ));
    }
    s.push_str(&format!("\nleaf_index={}\n", f.index));
    for h in merkle::inclusion_proof(&f.tree, f.index, f.tree.size()).unwrap() {
        s.push_str(&format!("node_hash={}\n", encode_hex(&h)));
    }
    s
}

fn policy_text(log: &SignerKey, hex_keys: bool, k: &str) -> String {
    let key = |s: &SignerKey| {
        if hex_keys {
            encode_hex(&s.public_key())
        } else {
            s.verifier().to_string()
        }
    };
    let mut t = format!("log {}\n", key(log));
    for n in 1..=3 {
        t.push_str(&format!("witness w{n} {}\n", key(&witness_key(n))));
    }
    t.push_str(&format!("group g {k} w1 w2 w3\nquorum g\n"));
    t
}

fn sigsum_verify(f: &Fixture, proof: &str, k: &str) -> Result<(), String> {
    let policy = sigsum::Policy::parse(&policy_text(&f.log, true, k)).map_err(|e| e.to_string())?;
    let signature = sigsum::SigsumSignature::from_ascii(proof).map_err(|e| e.to_string())?;
    let signer = sigsum::PublicKey::from(f.submitter.public_key());
    sigsum::verify(
        &sigsum::Hash::from(f.message),
        &signature,
        &[signer],
        &policy,
    )
    .map_err(|e| e.to_string())
}

fn our_verify(f: &Fixture, lines: &str, k: &str) -> Result<(), String> {
    let policy = WitnessPolicy::parse(&policy_text(&f.log, false, k)).unwrap();
    let cosigned = format!("{}{lines}", f.checkpoint);
    policy
        .verify(&cosigned, &[])
        .map(|_| ())
        .map_err(|e| e.to_string())
}

#[test]
fn sigsum_verifies_what_our_witnesses_cosign() {
    let f = fixture(300, 123);
    let lines = format!(
        "{}{}",
        cosign(&f, 1, 1_700_000_000),
        cosign(&f, 3, 1_700_000_042)
    );
    let proof = sigsum_proof(&f, &lines);
    assert_eq!(sigsum_verify(&f, &proof, "2"), Ok(()));
    assert_eq!(our_verify(&f, &lines, "2"), Ok(()));
    // The log side's checks agree: the answer verifies as cosignatures of the checkpoint.
    let cosigs = submit::open_cosignatures(
        &f.checkpoint,
        &lines,
        &[witness_key(1).verifier(), witness_key(3).verifier()],
    )
    .unwrap();
    assert_eq!(
        cosigs.iter().map(|c| c.timestamp).collect::<Vec<_>>(),
        [1_700_000_000, 1_700_000_042]
    );
}

#[test]
fn sigsum_and_we_refuse_the_same_bad_cosignatures() {
    let f = fixture(40, 7);
    let good = cosign(&f, 2, 1_700_000_000);
    // One of three is not two of three, for both.
    assert!(
        sigsum_verify(&f, &sigsum_proof(&f, &good), "2")
            .unwrap_err()
            .contains("not enough")
    );
    assert!(
        our_verify(&f, &good, "2")
            .unwrap_err()
            .contains("not witnessed")
    );
    // But it is `any`.
    assert_eq!(sigsum_verify(&f, &sigsum_proof(&f, &good), "any"), Ok(()));
    assert_eq!(our_verify(&f, &good, "any"), Ok(()));
    let mut proof = sigsum_proof(&f, &good);
    // A changed timestamp, a changed signature byte: refused by both.
    let stamp = "1700000000";
    let retimed = proof.replacen(stamp, "1700000001", 1);
    assert!(
        sigsum_verify(&f, &retimed, "any")
            .unwrap_err()
            .contains("bad witness cosignature")
    );
    let parsed = note::parse_note(&format!("{}{good}", f.checkpoint)).unwrap();
    let mut sig = parsed.signatures[1].clone();
    sig.signature[40] ^= 4;
    let mut bytes = sig.key_id.to_be_bytes().to_vec();
    bytes.extend_from_slice(&sig.signature);
    use base64::Engine as _;
    let damaged = format!(
        "\u{2014} {} {}\n",
        sig.name,
        base64::engine::general_purpose::STANDARD.encode(bytes)
    );
    assert!(
        sigsum_verify(&f, &sigsum_proof(&f, &damaged), "any")
            .unwrap_err()
            .contains("bad witness cosignature")
    );
    assert!(our_verify(&f, &damaged, "any").is_err());
    // A cosignature of another checkpoint of the same log.
    let other = fixture(41, 7);
    let elsewhere = cosign(&other, 2, 1_700_000_000);
    assert!(sigsum_verify(&f, &sigsum_proof(&f, &elsewhere), "any").is_err());
    assert!(our_verify(&f, &elsewhere, "any").is_err());
    // A damaged inclusion proof: sigsum refuses, and so does our Merkle code.
    let at = proof.find("node_hash=").unwrap() + "node_hash=".len();
    let flipped = if &proof[at..at + 1] == "0" { "1" } else { "0" };
    proof.replace_range(at..at + 1, flipped);
    assert!(
        sigsum_verify(&f, &proof, "any")
            .unwrap_err()
            .contains("inclusion")
    );
}

/// A random policy over three witnesses: groups of what precedes them, and a quorum.
fn structures() -> impl Strategy<Value = (Vec<(usize, u16)>, usize)> {
    (
        proptest::collection::vec((any::<usize>(), any::<u16>()), 0..5),
        any::<usize>(),
    )
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    /// Our quorum evaluation and sigsum's agree on every policy and every set of cosigners.
    #[test]
    fn quorums_agree_with_sigsum((groups, quorum) in structures(), cosigned in 0u8..8) {
        let log = sigsum_log_key();
        let (mut ours, mut theirs) = (policy_text_head(&log, false), policy_text_head(&log, true));
        let mut names: Vec<String> = (1..=3).map(|n| format!("w{n}")).collect();
        for (g, (k, pick)) in groups.iter().enumerate() {
            let members: Vec<&String> = names.iter().enumerate().filter(|(i, _)| pick & (1 << (i % 16)) != 0).map(|(_, n)| n).collect();
            if members.is_empty() {
                continue;
            }
            let k = 1 + k % members.len();
            let line = format!("group g{g} {k} {}\n", members.iter().map(|m| m.as_str()).collect::<Vec<_>>().join(" "));
            ours.push_str(&line);
            theirs.push_str(&line);
            names.push(format!("g{g}"));
        }
        let q = format!("quorum {}\n", names[quorum % names.len()]);
        ours.push_str(&q);
        theirs.push_str(&q);
        let ours = WitnessPolicy::parse(&ours).unwrap();
        let theirs = sigsum::Policy::parse(&theirs).unwrap();
        let indexes: Vec<usize> = (0..3).filter(|i| cosigned & (1 << i) != 0).collect();
        let keyhashes: Vec<sigsum::Hash> = indexes
            .iter()
            .map(|i| sigsum::Hash::new(witness_key(*i as u8 + 1).public_key()))
            .collect();
        prop_assert_eq!(ours.is_satisfied_by(&indexes), theirs.check_quorum(&keyhashes));
    }
}

fn policy_text_head(log: &SignerKey, hex_keys: bool) -> String {
    let full = policy_text(log, hex_keys, "any");
    full.lines().take(4).map(|l| format!("{l}\n")).collect()
}
