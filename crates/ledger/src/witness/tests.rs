//! The witness and the log side against each other, the spec's codes, and bad input.

use proptest::prelude::*;

use super::protocol::{self, AddCheckpoint, BodyError, MAX_BODY_BYTES};
use super::serve::{Refusal, Status, Witness, WitnessState};
use super::submit::{self, CosignatureError, Reply};
use super::{TrustedLog, WitnessPolicy};
use crate::checkpoint::Checkpoint;
use crate::merkle::{self, Hash, MemoryTree, leaf_hash};
use crate::note::{self, NoteError, SignerKey, TYPE_COSIGNATURE, VerifierKey};
use crate::splitview::Finding;

pub(crate) const ORIGIN: &str = "accord.example/agreement-1";

pub(crate) fn log_key() -> SignerKey {
    SignerKey::from_seed(ORIGIN, [1; 32]).unwrap()
}

pub(crate) fn witness_key(n: u8) -> SignerKey {
    SignerKey::from_seed_of_type(
        &format!("witness.example/w{n}"),
        TYPE_COSIGNATURE,
        [10 + n; 32],
    )
    .unwrap()
}

/// A tree of `n` leaves; `fork` changes the leaf at that index (a log showing another tree).
pub(crate) fn tree(n: u64, fork: Option<u64>) -> MemoryTree {
    MemoryTree::from_leaves((0..n).map(|i| {
        if Some(i) == fork {
            leaf_hash(b"the other story")
        } else {
            leaf_hash(&i.to_be_bytes())
        }
    }))
}

pub(crate) fn signed(tree: &MemoryTree, size: u64, key: &SignerKey) -> String {
    Checkpoint {
        origin: ORIGIN.into(),
        size,
        root: tree.root_at(size),
        extensions: vec![],
    }
    .sign(key)
    .unwrap()
}

fn witness() -> Witness {
    Witness::new(
        vec![witness_key(1)],
        vec![TrustedLog::from_key(log_key().verifier())],
    )
    .unwrap()
}

fn body(tree: &MemoryTree, old: u64, size: u64) -> Vec<u8> {
    AddCheckpoint {
        old_size: old,
        proof: merkle::consistency_proof(tree, old, size).unwrap(),
        checkpoint: signed(tree, size, &log_key()),
    }
    .encode()
    .into_bytes()
}

fn at(seconds: i64) -> jiff::Timestamp {
    jiff::Timestamp::from_second(seconds).unwrap()
}

/// Submits and applies; returns the status.
fn submit(w: &Witness, state: &mut WitnessState, body: &[u8]) -> Result<String, Refusal> {
    let cosigned = w.add_checkpoint(state, body, at(1_700_000_000))?;
    state.apply(&cosigned.update).unwrap();
    Ok(cosigned.body)
}

#[test]
fn a_log_is_cosigned_as_it_grows() {
    let (w, log) = (witness(), tree(40, None));
    let mut state = WitnessState::new();
    for (old, size) in [(0, 5), (5, 13), (13, 13), (13, 32), (32, 33), (33, 40)] {
        let answer = submit(&w, &mut state, &body(&log, old, size)).unwrap();
        // The answer is one cosignature line by the witness key over the checkpoint.
        let checkpoint = signed(&log, size, &log_key());
        let cosigs = submit::open_cosignatures(&checkpoint, &answer, &w.verifiers()).unwrap();
        assert_eq!(cosigs.len(), 1);
        assert_eq!(cosigs[0].timestamp, 1_700_000_000);
        assert_eq!(cosigs[0].line, answer);
        let recorded = state.get(ORIGIN).unwrap();
        assert_eq!((recorded.size, recorded.root), (size, log.root_at(size)));
        // The record is the checkpoint with the log's signature and the cosignature.
        let v = note::open_note(
            &recorded.checkpoint,
            &[log_key().verifier(), witness_key(1).verifier()],
        )
        .unwrap();
        assert_eq!(v.signers, vec![ORIGIN, "witness.example/w1"]);
    }
}

#[test]
fn the_cosignature_is_tlog_cosignature_v1_over_the_checkpoint() {
    let (w, log) = (witness(), tree(5, None));
    let cosigned = w
        .add_checkpoint(&WitnessState::new(), &body(&log, 0, 5), at(1_679_315_147))
        .unwrap();
    let parsed = note::parse_note(&format!(
        "{}\n{}",
        cosigned.checkpoint.body(),
        cosigned.body
    ))
    .unwrap();
    let sig = &parsed.signatures[0];
    assert_eq!(sig.key_id, witness_key(1).key_id());
    assert_eq!(
        sig.signature.len(),
        72,
        "u64 timestamp and a 64-byte signature"
    );
    assert_eq!(sig.signature[..8], 1_679_315_147u64.to_be_bytes());
    let message = format!(
        "cosignature/v1\ntime 1679315147\n{}",
        cosigned.checkpoint.body()
    );
    let ed: [u8; 64] = sig.signature[8..].try_into().unwrap();
    assert!(
        witness_key(1)
            .verifier()
            .verify_bytes(message.as_bytes(), &ed)
    );
}

#[test]
fn every_witness_key_cosigns() {
    let w = Witness::new(
        vec![witness_key(1), witness_key(2)],
        vec![TrustedLog::from_key(log_key().verifier())],
    )
    .unwrap();
    let log = tree(3, None);
    let cosigned = w
        .add_checkpoint(&WitnessState::new(), &body(&log, 0, 3), at(9))
        .unwrap();
    let checkpoint = signed(&log, 3, &log_key());
    let cosigs = submit::open_cosignatures(&checkpoint, &cosigned.body, &w.verifiers()).unwrap();
    let names: Vec<&str> = cosigs.iter().map(|c| c.witness.as_str()).collect();
    assert_eq!(names, ["witness.example/w1", "witness.example/w2"]);
}

#[test]
fn a_wrong_old_size_is_409_with_the_recorded_size() {
    let (w, log) = (witness(), tree(20, None));
    let mut state = WitnessState::new();
    submit(&w, &mut state, &body(&log, 0, 5)).unwrap();
    for old in [0, 4, 6] {
        let refusal = submit(&w, &mut state, &body(&log, old, 13)).unwrap_err();
        assert_eq!(refusal.status(), Status::Conflict);
        assert_eq!(refusal.status().code(), 409);
        assert_eq!(refusal.size_body().as_deref(), Some("5\n"));
        assert_eq!(protocol::parse_size("5\n"), Ok(5));
    }
    assert_eq!(state.tree(ORIGIN).0, 5, "nothing changed");
}

#[test]
fn rollbacks_are_refused() {
    let (w, log) = (witness(), tree(20, None));
    let mut state = WitnessState::new();
    submit(&w, &mut state, &body(&log, 0, 13)).unwrap();
    let before = state.clone();
    // Told the truth about the old size: old > size, 400.
    let older = AddCheckpoint {
        old_size: 13,
        proof: vec![],
        checkpoint: signed(&log, 5, &log_key()),
    };
    let refusal = submit(&w, &mut state, older.encode().as_bytes()).unwrap_err();
    assert_eq!(refusal.status().code(), 400);
    assert!(matches!(
        refusal,
        Refusal::OldSizeAboveSize { old: 13, size: 5 }
    ));
    // Claiming the smaller size: 409.
    let refusal = submit(&w, &mut state, &body(&log, 5, 5)).unwrap_err();
    assert_eq!(refusal.status().code(), 409);
    assert_eq!(state, before);
}

#[test]
fn a_proof_that_fails_is_422_with_split_view_evidence() {
    let (w, honest) = (witness(), tree(20, None));
    let mut state = WitnessState::new();
    submit(&w, &mut state, &body(&honest, 0, 7)).unwrap();
    // The log now shows a tree whose leaf 2 differs, with that tree's own proof.
    let forked = tree(20, Some(2));
    let refusal = submit(&w, &mut state, &body(&forked, 7, 13)).unwrap_err();
    assert_eq!(refusal.status(), Status::UnprocessableEntity);
    let evidence = refusal.evidence().expect("evidence");
    match evidence.check().unwrap() {
        Finding::Fork {
            old,
            new,
            root_in_larger,
            ..
        } => {
            assert_eq!((old, new), (7, 13));
            assert_eq!(root_in_larger, forked.root_at(7));
        }
        other => panic!("{other:?}"),
    }
    // From a power-of-two size the proof leaves the old root out, so the same fork is
    // shown but not proven by the proof alone.
    let mut state = WitnessState::new();
    submit(&w, &mut state, &body(&honest, 0, 8)).unwrap();
    let before = state.clone();
    let refusal = submit(&w, &mut state, &body(&forked, 8, 13)).unwrap_err();
    assert_eq!(refusal.status().code(), 422);
    let finding = refusal.evidence().unwrap().check().unwrap();
    assert!(
        matches!(
            finding,
            Finding::Unproven {
                old: 8,
                new: 13,
                ..
            }
        ),
        "{finding:?}"
    );
    // A damaged proof of the honest tree: the log has not proven it, not conclusive.
    let mut request = AddCheckpoint::parse(&body(&honest, 8, 13)).unwrap();
    request.proof[0][0] ^= 1;
    let refusal = submit(&w, &mut state, request.encode().as_bytes()).unwrap_err();
    assert_eq!(refusal.status().code(), 422);
    let finding = refusal.evidence().unwrap().check().unwrap();
    assert!(!finding.is_conclusive(), "{finding}");
    // Truncated, and with a hash too many.
    let mut request = AddCheckpoint::parse(&body(&honest, 8, 13)).unwrap();
    request.proof.pop();
    assert_eq!(
        submit(&w, &mut state, request.encode().as_bytes())
            .unwrap_err()
            .status()
            .code(),
        422
    );
    request.proof = merkle::consistency_proof(&honest, 8, 13).unwrap();
    request.proof.push([0; 32]);
    assert_eq!(
        submit(&w, &mut state, request.encode().as_bytes())
            .unwrap_err()
            .status()
            .code(),
        422
    );
    // A proof with old size 0 must be empty.
    let fresh = AddCheckpoint {
        old_size: 0,
        proof: vec![[1; 32]],
        checkpoint: signed(&honest, 3, &log_key()),
    };
    let refusal = w
        .add_checkpoint(&WitnessState::new(), fresh.encode().as_bytes(), at(1))
        .unwrap_err();
    assert_eq!(refusal.status().code(), 422);
    assert!(refusal.evidence().is_none(), "nothing was cosigned before");
    assert_eq!(state, before);
}

#[test]
fn the_same_size_with_another_root_is_409_with_evidence() {
    let (w, honest) = (witness(), tree(8, None));
    let mut state = WitnessState::new();
    submit(&w, &mut state, &body(&honest, 0, 8)).unwrap();
    let forked = tree(8, Some(7));
    let refusal = submit(&w, &mut state, &body(&forked, 8, 8)).unwrap_err();
    assert!(matches!(refusal, Refusal::RootConflict { size: 8, .. }));
    assert_eq!(refusal.status().code(), 409);
    assert_eq!(refusal.size_body().as_deref(), Some("8\n"));
    let finding = refusal.evidence().unwrap().check().unwrap();
    assert!(matches!(finding, Finding::SameSize { size: 8, .. }));
    // Same size, same root: cosigned again (a fresh timestamp).
    submit(&w, &mut state, &body(&honest, 8, 8)).unwrap();
    // A size-0 checkpoint must have the empty tree's root.
    let bogus = Checkpoint {
        origin: ORIGIN.into(),
        size: 0,
        root: [7; 32],
        extensions: vec![],
    };
    let request = AddCheckpoint {
        old_size: 0,
        proof: vec![],
        checkpoint: bogus.sign(&log_key()).unwrap(),
    };
    let refusal = w
        .add_checkpoint(&WitnessState::new(), request.encode().as_bytes(), at(1))
        .unwrap_err();
    assert_eq!(refusal.status().code(), 409);
}

#[test]
fn unknown_origins_are_404_and_unsigned_checkpoints_403() {
    let (w, log) = (witness(), tree(5, None));
    let state = WitnessState::new();
    let other_log = SignerKey::from_seed("accord.example/other", [3; 32]).unwrap();
    let unknown = AddCheckpoint {
        old_size: 0,
        proof: vec![],
        checkpoint: Checkpoint {
            origin: "accord.example/other".into(),
            size: 5,
            root: log.root(),
            extensions: vec![],
        }
        .sign(&other_log)
        .unwrap(),
    };
    let refusal = w
        .add_checkpoint(&state, unknown.encode().as_bytes(), at(1))
        .unwrap_err();
    assert_eq!(refusal.status().code(), 404);
    assert_eq!(
        refusal.to_string(),
        "this witness does not witness the log `accord.example/other`"
    );
    // Signed by another key under the log's name: unknown key, ignored, so nobody trusted.
    let impostor = SignerKey::from_seed(ORIGIN, [4; 32]).unwrap();
    let forged = AddCheckpoint {
        old_size: 0,
        proof: vec![],
        checkpoint: signed(&log, 5, &impostor),
    };
    let refusal = w
        .add_checkpoint(&state, forged.encode().as_bytes(), at(1))
        .unwrap_err();
    assert_eq!(refusal.status().code(), 403);
    assert!(matches!(
        refusal,
        Refusal::NotSigned {
            reason: NoteError::NoTrustedSignature(_),
            ..
        }
    ));
    // The log's signature over another text: a trusted key's signature fails, 403.
    let genuine = signed(&log, 5, &log_key());
    let altered = genuine.replacen("\n5\n", "\n4\n", 1);
    let request = AddCheckpoint {
        old_size: 0,
        proof: vec![],
        checkpoint: altered,
    };
    let refusal = w
        .add_checkpoint(&state, request.encode().as_bytes(), at(1))
        .unwrap_err();
    assert_eq!(refusal.status().code(), 403);
    assert!(matches!(
        refusal,
        Refusal::NotSigned {
            reason: NoteError::InvalidSignature(_),
            ..
        }
    ));
    // Signatures by unknown keys beside the log's are ignored.
    let both = note::add_signatures(&genuine, &[&impostor], 0).unwrap();
    let request = AddCheckpoint {
        old_size: 0,
        proof: vec![],
        checkpoint: both,
    };
    assert!(
        w.add_checkpoint(&state, request.encode().as_bytes(), at(1))
            .is_ok()
    );
}

#[test]
fn malformed_bodies_are_400() {
    let (w, log) = (witness(), tree(5, None));
    let state = WitnessState::new();
    let good = String::from_utf8(body(&log, 0, 5)).unwrap();
    let note = signed(&log, 5, &log_key());
    let hash = "47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=";
    let cases: Vec<(String, BodyError)> = vec![
        (good.replacen("old 0", "old 00", 1), BodyError::OldLine),
        (good.replacen("old 0", "old -1", 1), BodyError::OldLine),
        (good.replacen("old 0", "old  0", 1), BodyError::OldLine),
        (good.replacen("old 0", "OLD 0", 1), BodyError::OldLine),
        (
            good.replacen("old 0", "old 18446744073709551616", 1),
            BodyError::OldLine,
        ),
        (
            format!("old 0\nnot a hash\n\n{note}"),
            BodyError::ProofLine { line: 2 },
        ),
        (
            format!("old 0\n{hash}\n{}\n\n{note}", &hash[..43]),
            BodyError::ProofLine { line: 3 },
        ),
        (
            format!("old 0\n{}\n\n{note}", hash.replace("FU=", "FV=")),
            BodyError::ProofLine { line: 2 },
        ),
        (
            format!(
                "old 0\n{}\n\n{note}",
                format!("{hash}\n").repeat(64).trim_end()
            ),
            BodyError::TooManyProofLines,
        ),
        ("old 0\n".to_owned(), BodyError::NoBlankLine),
        ("old 0".to_owned(), BodyError::OldLine),
        (
            format!("old 0\n\n{}", &note[..note.len() - 1]),
            BodyError::Note(NoteError::Malformed),
        ),
        (
            format!("old 0\n\n{}garbage", note),
            BodyError::Note(NoteError::Malformed),
        ),
    ];
    for (bad, expected) in cases {
        let refusal = w.add_checkpoint(&state, bad.as_bytes(), at(1)).unwrap_err();
        assert_eq!(refusal, Refusal::Malformed(expected), "{bad:?}");
        assert_eq!(refusal.status().code(), 400);
    }
    // Not UTF-8.
    let mut bytes = good.clone().into_bytes();
    bytes[8] = 0xff;
    assert_eq!(
        w.add_checkpoint(&state, &bytes, at(1)).unwrap_err(),
        Refusal::Malformed(BodyError::NotUtf8)
    );
    // A signed note whose text is not a checkpoint.
    let text = note::sign_note("hello\n", &[&log_key()], 0).unwrap();
    let refusal = w
        .add_checkpoint(&state, format!("old 0\n\n{text}").as_bytes(), at(1))
        .unwrap_err();
    assert!(matches!(refusal, Refusal::BadCheckpoint(_)));
    assert_eq!(refusal.status().code(), 400);
    // 63 proof lines are allowed by the format (then the proof is judged).
    let many = format!("old 0\n{}\n{note}", format!("{hash}\n").repeat(63));
    assert_eq!(
        w.add_checkpoint(&state, many.as_bytes(), at(1))
            .unwrap_err()
            .status()
            .code(),
        422
    );
}

#[test]
fn the_body_limit_is_16_kib() {
    let (w, log) = (witness(), tree(5, None));
    let good = body(&log, 0, 5);
    // Pad the checkpoint with unknown signatures up to the limit, then one byte past it.
    let filler = format!("\u{2014} pad.example/x {}\n", "A".repeat(88));
    let mut padded = String::from_utf8(good).unwrap();
    while padded.len() + filler.len() <= MAX_BODY_BYTES {
        padded.push_str(&filler);
    }
    let room = MAX_BODY_BYTES - padded.len();
    if room > 0 {
        // The last line cannot be any length; pad the name instead.
        padded = padded.replacen(
            "pad.example/x",
            &format!("pad.example/{}", "x".repeat(room + 1)),
            1,
        );
    }
    assert_eq!(padded.len(), MAX_BODY_BYTES);
    // Within the limit, the note's 100-signature limit refuses it — but not for its size.
    let within = w.add_checkpoint(&WitnessState::new(), padded.as_bytes(), at(1));
    assert!(
        !matches!(within, Err(Refusal::Malformed(BodyError::TooLarge(_)))),
        "{within:?}"
    );
    let over = format!("{padded}x");
    assert_eq!(
        w.add_checkpoint(&WitnessState::new(), over.as_bytes(), at(1))
            .unwrap_err(),
        Refusal::Malformed(BodyError::TooLarge(MAX_BODY_BYTES + 1))
    );
}

#[test]
fn a_stale_update_is_not_applied() {
    // The race of the spec: A (0 -> 5) and B (0 -> 13) both checked against the empty
    // state; B applied first; A must not roll the log back to 5.
    let (w, log) = (witness(), tree(13, None));
    let mut state = WitnessState::new();
    let a = w.add_checkpoint(&state, &body(&log, 0, 5), at(1)).unwrap();
    let b = w.add_checkpoint(&state, &body(&log, 0, 13), at(1)).unwrap();
    state.apply(&b.update).unwrap();
    let stale = state.apply(&a.update).unwrap_err();
    assert_eq!((stale.expected, stale.found), (0, 13));
    assert_eq!(state.tree(ORIGIN).0, 13);
    // Asked again, A gets the 409 it should have had.
    let again = w
        .add_checkpoint(&state, &body(&log, 0, 5), at(1))
        .unwrap_err();
    assert_eq!(again.size_body().as_deref(), Some("13\n"));
}

#[test]
fn the_state_persists_as_json() {
    let (w, log) = (witness(), tree(9, None));
    let mut state = WitnessState::new();
    submit(&w, &mut state, &body(&log, 0, 9)).unwrap();
    let json = serde_json::to_string(&state).unwrap();
    assert!(
        json.contains(&crate::checkpoint::encode_hash(&log.root())),
        "{json}"
    );
    let back: WitnessState = serde_json::from_str(&json).unwrap();
    assert_eq!(back, state);
    let broken = json.replace(&crate::checkpoint::encode_hash(&log.root()), "AAAA");
    assert!(serde_json::from_str::<WitnessState>(&broken).is_err());
}

#[test]
fn configurations_are_checked() {
    use super::serve::ConfigError;
    let log = TrustedLog::from_key(log_key().verifier());
    assert_eq!(
        Witness::new(vec![], vec![log.clone()]).unwrap_err(),
        ConfigError::NoKeys
    );
    assert!(matches!(
        Witness::new(vec![log_key()], vec![log.clone()]),
        Err(ConfigError::NotACosigner(_))
    ));
    assert!(matches!(
        Witness::new(vec![witness_key(1), witness_key(1)], vec![log.clone()]),
        Err(ConfigError::DuplicateKey(_))
    ));
    assert!(matches!(
        Witness::new(vec![witness_key(1)], vec![log.clone(), log.clone()]),
        Err(ConfigError::DuplicateOrigin(_))
    ));
    let cosigner_as_log = TrustedLog::from_key(witness_key(2).verifier());
    assert!(matches!(
        Witness::new(vec![witness_key(1)], vec![cosigner_as_log]),
        Err(ConfigError::NotALogKey { .. })
    ));
    let rotated = TrustedLog::from_keys([
        log_key().verifier(),
        SignerKey::from_seed(ORIGIN, [5; 32]).unwrap().verifier(),
    ]);
    assert_eq!(rotated.len(), 1);
    assert_eq!(rotated[0].keys.len(), 2);
}

/// The log side against the witness: unknown size, 409, retry, 200, attach, policy.
#[test]
fn the_log_collects_cosignatures_until_the_policy_is_met() {
    let log = tree(30, None);
    let witnesses: Vec<Witness> = (1..=3)
        .map(|n| {
            Witness::new(
                vec![witness_key(n)],
                vec![TrustedLog::from_key(log_key().verifier())],
            )
            .unwrap()
        })
        .collect();
    let mut states = vec![WitnessState::new(); 3];
    // Witness 3 has already cosigned size 10 (the log lost track of it).
    let early = witnesses[2]
        .add_checkpoint(&states[2], &body(&log, 0, 10), at(5))
        .unwrap();
    states[2].apply(&early.update).unwrap();
    let policy = WitnessPolicy::k_of_n(
        2,
        (1..=3).map(|n| (format!("w{n}"), witness_key(n).verifier())),
    )
    .unwrap();
    let mut checkpoint = signed(&log, 30, &log_key());
    assert!(policy.verify(&checkpoint, &[log_key().verifier()]).is_err());
    for (i, w) in witnesses.iter().enumerate() {
        let mut known_size = 0;
        let reply = loop {
            let request = submit::request(&log, &checkpoint, known_size).unwrap();
            let answer = w.add_checkpoint(&states[i], request.encode().as_bytes(), at(100));
            let (status, kind, text) = match &answer {
                Ok(c) => (200, None, c.body.clone()),
                Err(r) => (
                    r.status().code(),
                    Some(protocol::SIZE_CONTENT_TYPE),
                    r.size_body().unwrap_or_default(),
                ),
            };
            match submit::read_reply(status, kind, &text, &checkpoint, &w.verifiers()).unwrap() {
                Reply::Conflict { witness_size } => known_size = witness_size,
                reply => {
                    if let Ok(c) = answer {
                        states[i].apply(&c.update).unwrap();
                    }
                    break reply;
                }
            }
        };
        let Reply::Cosigned(cosigs) = reply else {
            panic!("{reply:?}")
        };
        checkpoint = submit::attach(&checkpoint, &cosigs).unwrap();
        // Attaching the same cosignatures again changes nothing.
        assert_eq!(submit::attach(&checkpoint, &cosigs).unwrap(), checkpoint);
        let verdict = policy.verify(&checkpoint, &[log_key().verifier()]);
        assert_eq!(verdict.is_ok(), i >= 1, "{verdict:?}");
    }
    let witnessed = policy.verify(&checkpoint, &[log_key().verifier()]).unwrap();
    let names: Vec<&str> = witnessed
        .cosigned_by
        .iter()
        .map(|(n, _)| n.as_str())
        .collect();
    assert_eq!(names, ["w1", "w2", "w3"]);
    assert_eq!(witnessed.checkpoint.size, 30);
}

#[test]
fn the_log_refuses_bad_answers() {
    let log = tree(4, None);
    let checkpoint = signed(&log, 4, &log_key());
    let keys = [witness_key(1).verifier()];
    let w = witness();
    let good = w
        .add_checkpoint(&WitnessState::new(), &body(&log, 0, 4), at(7))
        .unwrap()
        .body;
    let stranger = Witness::new(
        vec![witness_key(2)],
        vec![TrustedLog::from_key(log_key().verifier())],
    )
    .unwrap()
    .add_checkpoint(&WitnessState::new(), &body(&log, 0, 4), at(7))
    .unwrap()
    .body;
    // Another witness's line is ignored beside a good one, and is not enough alone.
    let both = format!("{stranger}{good}");
    assert_eq!(
        submit::open_cosignatures(&checkpoint, &both, &keys)
            .unwrap()
            .len(),
        1
    );
    assert!(matches!(
        submit::open_cosignatures(&checkpoint, &stranger, &keys),
        Err(CosignatureError::Invalid(NoteError::NoTrustedSignature(_)))
    ));
    // A cosignature of another checkpoint, a damaged one, an empty answer, an empty line.
    let other = w
        .add_checkpoint(&WitnessState::new(), &body(&log, 0, 3), at(7))
        .unwrap()
        .body;
    for bad in [
        other,
        good.replacen('A', "B", 1),
        String::new(),
        format!("\n{good}"),
        good.trim_end().to_owned(),
    ] {
        assert!(
            submit::open_cosignatures(&checkpoint, &bad, &keys).is_err(),
            "{bad:?}"
        );
    }
    // A note key given as a witness key.
    assert!(matches!(
        submit::open_cosignatures(&checkpoint, &good, &[log_key().verifier()]),
        Err(CosignatureError::NotACosigner(_))
    ));
    // 409 answers: the size, in the right content type.
    let reply = submit::read_reply(
        409,
        Some("text/x.tlog.size; charset=utf-8"),
        "12\n",
        &checkpoint,
        &keys,
    );
    assert_eq!(reply, Ok(Reply::Conflict { witness_size: 12 }));
    assert!(matches!(
        submit::read_reply(409, Some("text/plain"), "12\n", &checkpoint, &keys),
        Err(CosignatureError::SizeContentType(_))
    ));
    for bad in ["12", "012\n", "twelve\n", "12\n\n"] {
        assert!(
            submit::read_reply(409, Some("text/x.tlog.size"), bad, &checkpoint, &keys).is_err(),
            "{bad:?}"
        );
    }
    assert!(matches!(
        submit::read_reply(422, None, "bad proof", &checkpoint, &keys),
        Ok(Reply::Refused { status: 422, .. })
    ));
    // A witness that cosigned more than the log has.
    assert!(matches!(
        submit::request(&log, &checkpoint, 5),
        Err(submit::RequestError::WitnessAhead {
            witness_size: 5,
            size: 4
        })
    ));
}

/// One of two trees sharing a prefix; every checkpoint the test signs is from one of them.
#[derive(Debug, Clone)]
struct Move {
    forked: bool,
    size: u64,
    old: u64,
    proof_from_tree: bool,
    damage: Option<usize>,
    signer: u8,
}

fn moves() -> impl Strategy<Value = Vec<Move>> {
    proptest::collection::vec(
        (
            any::<bool>(),
            0u64..48,
            0u64..48,
            any::<bool>(),
            proptest::option::of(0usize..64),
            0u8..4,
        )
            .prop_map(
                |(forked, size, old, proof_from_tree, damage, signer)| Move {
                    forked,
                    size,
                    old,
                    proof_from_tree,
                    damage,
                    signer,
                },
            ),
        1..24,
    )
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(96))]

    /// Whatever is submitted (two trees that share a prefix, any old size, honest or damaged
    /// proofs, the log's key or others), the sequence of cosigned checkpoints never goes
    /// back and each one is consistent with the one before; refusals change nothing.
    #[test]
    fn the_witness_never_cosigns_an_inconsistent_checkpoint(moves in moves(), prefix in 0u64..48) {
        let honest = tree(48, None);
        let forked = tree(48, Some(prefix));
        let w = witness();
        let mut state = WitnessState::new();
        let impostor = SignerKey::from_seed(ORIGIN, [4; 32]).unwrap();
        let on_one_tree = |a: (u64, Hash), b: (u64, Hash)| {
            [&honest, &forked].iter().any(|t| t.root_at(a.0) == a.1 && t.root_at(b.0) == b.1)
        };
        for m in moves {
            let t = if m.forked { &forked } else { &honest };
            let key = if m.signer == 0 { impostor.clone() } else { log_key() };
            let mut proof = if m.proof_from_tree && m.old <= m.size {
                merkle::consistency_proof(t, m.old, m.size).unwrap()
            } else {
                vec![]
            };
            if let Some(d) = m.damage
                && let Some(h) = proof.get_mut(d % 8) {
                h[d % 32] ^= 1;
            }
            let request = AddCheckpoint { old_size: m.old, proof, checkpoint: signed(t, m.size, &key) };
            let before = state.clone();
            match w.add_checkpoint(&state, request.encode().as_bytes(), at(1)) {
                Ok(c) => {
                    prop_assert_eq!(m.signer != 0, true, "only the log's key is trusted");
                    prop_assert!(c.checkpoint.size >= before.tree(ORIGIN).0);
                    prop_assert!(on_one_tree(before.tree(ORIGIN), (c.checkpoint.size, c.checkpoint.root)));
                    state.apply(&c.update).unwrap();
                }
                Err(refusal) => {
                    prop_assert!([400, 403, 409, 422].contains(&refusal.status().code()));
                    if let Some(evidence) = refusal.evidence() {
                        evidence.check().unwrap();
                    }
                }
            }
        }
    }

    /// Any change to a valid request's bytes is refused with one of the spec's codes.
    #[test]
    fn a_mutated_request_is_refused(at_byte in any::<usize>(), byte in any::<u8>(), cut in any::<bool>()) {
        let log = tree(20, None);
        let w = witness();
        let mut state = WitnessState::new();
        submit(&w, &mut state, &body(&log, 0, 7)).unwrap();
        let good = body(&log, 7, 20);
        let mut bad = good.clone();
        let i = at_byte % bad.len();
        if cut {
            bad.truncate(i);
        } else {
            bad[i] = byte;
        }
        prop_assume!(bad != good);
        match w.add_checkpoint(&state, &bad, at(1)) {
            Ok(c) => prop_assert!(false, "cosigned a mutated request: {:?}", c.checkpoint),
            Err(refusal) => prop_assert!([400, 403, 404, 409, 422].contains(&refusal.status().code())),
        }
    }

    /// Requests round-trip exactly, and the parser never panics on any text.
    #[test]
    fn requests_round_trip(old in 0u64..30, extra in 0u64..30, text in ".{0,300}") {
        let log = tree(60, None);
        let request = AddCheckpoint::parse(&body(&log, old, old + extra)).unwrap();
        prop_assert_eq!(AddCheckpoint::parse(request.encode().as_bytes()).unwrap(), request.clone());
        if let Ok(parsed) = AddCheckpoint::parse(text.as_bytes()) {
            prop_assert_eq!(parsed.encode(), text.clone());
        }
        let _ = protocol::parse_size(&text);
    }
}

#[test]
fn verifier_keys_of_the_test_witnesses_are_cosigner_keys() {
    let v: VerifierKey = witness_key(1).verifier();
    assert_eq!(v.kind(), TYPE_COSIGNATURE);
    assert!(v.to_string().starts_with("witness.example/w1+"));
}
