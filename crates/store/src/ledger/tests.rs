//! One test suite, run against SQLite and PostgreSQL alike.

use std::collections::BTreeMap;
use std::sync::Arc;

use accord_core::id::{AgreementId, IndicatorId, ParticipantId, UnitId};
use accord_core::statement::{
    Confidentiality, Evidence, KeyEvent, Method, Observation, Quantity, Statement,
};
use accord_core::time::Period;
use accord_ledger::checkpoint::open_checkpoint;
use accord_ledger::entry::{self, Body, Entry, EntryError, SignedEntry};
use accord_ledger::merkle;
use accord_ledger::note::{SignerKey, VerifierKey};
use accord_ledger::roster::{Member, RegisteredKey, Role, Roster};
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as B64;

use super::*;
use crate::Store;
use crate::testing::{TestStore, both};

mod lease;
mod tamper;
mod tiles;

const ORIGIN: &str = "accord.example/test-log";

fn key(n: u8) -> SignerKey {
    SignerKey::from_seed("k", [n; 32]).unwrap()
}

fn log_key() -> SignerKey {
    SignerKey::from_seed(ORIGIN, [200; 32]).unwrap()
}

fn pid(s: &str) -> ParticipantId {
    ParticipantId::new(s).unwrap()
}

fn roster() -> Roster {
    let mut participants = BTreeMap::new();
    for (name, role, n) in [
        ("treasury", Role::Authority, 1),
        ("target", Role::Target, 2),
        ("iaea", Role::Monitor, 3),
        ("audit-firm", Role::Monitor, 4),
    ] {
        participants.insert(
            pid(name),
            Member {
                role,
                standing: role == Role::Authority,
                keys: vec![RegisteredKey {
                    public_key: B64.encode(key(n).public_key()),
                    valid_from: "2020-01-01T00:00:00Z".parse().unwrap(),
                    valid_until: None,
                    ended_because: None,
                }],
            },
        );
    }
    Roster {
        agreement: AgreementId::new("agreement-1").unwrap(),
        participants,
    }
}

fn evidence(i: u64) -> Statement {
    Statement::Evidence(Evidence {
        indicator: IndicatorId::new("stockpile").unwrap(),
        period: Period::new(
            jiff::civil::date(2026, 1, 1),
            jiff::civil::date(2026, 3, 31),
        )
        .unwrap(),
        value: Observation::Quantity(
            Quantity::new(i as f64 / 4.0, UnitId::new("kg").unwrap()).unwrap(),
        ),
        method: Method::OnSiteInspection,
        attachments: vec![],
        confidentiality: Confidentiality::Public,
        note: None,
        escrow_until: None,
    })
}

fn signed(body: Body, signers: &[(&str, u8)]) -> SignedEntry {
    let ids: Vec<ParticipantId> = signers.iter().map(|(p, _)| pid(p)).collect();
    let keys: Vec<SignerKey> = signers.iter().map(|(_, n)| key(*n)).collect();
    let authors: Vec<(&ParticipantId, &SignerKey)> = ids.iter().zip(keys.iter()).collect();
    Entry {
        origin: ORIGIN.into(),
        agreement: AgreementId::new("agreement-1").unwrap(),
        body,
    }
    .sign(&authors)
}

fn submission(entry: SignedEntry) -> Submission {
    Submission {
        entry,
        sealed: None,
    }
}

/// `batch` handed to the sequencer as one batch (each entry with its encoding), and the
/// outcomes it was answered with, once.
fn submit_batch(sequencer: &Sequencer, batch: &[SignedEntry]) -> Vec<sequencer::Outcome> {
    let items = batch
        .iter()
        .map(|e| (submission(e.clone()), e.encoded()))
        .collect();
    let (tx, rx) = std::sync::mpsc::channel();
    sequencer.submit_batch(items, Box::new(move |outcomes| tx.send(outcomes).unwrap()));
    let outcomes = rx.recv().unwrap();
    assert!(rx.recv().is_err(), "answered once");
    outcomes
}

fn init(store: &TestStore) -> Ledger {
    Ledger::init(&store.url, ORIGIN, &log_key().verifier(), &roster()).unwrap()
}

#[test]
fn concurrent_appends_are_all_logged_in_one_order_and_prove() {
    both(|store| {
        let ledger = init(store);
        let sequencer = ledger.into_sequencer(GroupCommit::default()).unwrap();
        let receipts: Vec<Receipt> = std::thread::scope(|s| {
            let handles: Vec<_> = (0..4u64)
                .map(|t| {
                    let sequencer = &sequencer;
                    s.spawn(move || {
                        (0..25u64)
                            .map(|i| {
                                let e = signed(Body::Open(evidence(t * 100 + i)), &[("iaea", 3)]);
                                sequencer.append(submission(e)).unwrap()
                            })
                            .collect::<Vec<_>>()
                    })
                })
                .collect();
            handles
                .into_iter()
                .flat_map(|h| h.join().unwrap())
                .collect()
        });
        sequencer.shutdown();
        let mut indexes: Vec<u64> = receipts.iter().map(|r| r.index).collect();
        indexes.sort_unstable();
        assert_eq!(indexes, (0..100).collect::<Vec<_>>());

        let mut ledger = Ledger::open(&store.url, None).unwrap();
        assert_eq!(ledger.info().size, 100);
        let note = ledger.checkpoint(&log_key()).unwrap();
        let cp = open_checkpoint(&note, &log_key().verifier(), &[])
            .unwrap()
            .checkpoint;
        assert_eq!(cp.size, 100);
        for index in [0, 1, 15, 16, 63, 64, 99] {
            let (entry, leaf_hash) = ledger.entry(index).unwrap();
            assert_eq!(entry.leaf_hash(), leaf_hash);
            let proof = ledger.inclusion_proof(index, 100).unwrap();
            merkle::verify_inclusion(&leaf_hash, index, 100, &proof, &cp.root).unwrap();
        }
        for old in [0, 1, 17, 64, 99, 100] {
            let proof = ledger.consistency_proof(old, 100).unwrap();
            let old_root = ledger.root_at(old).unwrap();
            merkle::verify_consistency(old, 100, &old_root, &cp.root, &proof).unwrap();
        }
        let report = ledger.audit().unwrap();
        assert!(report.is_clean(), "{:?}", report.findings);
        assert_eq!(report.root, cp.root);
        // A tlog-proof for an entry verifies offline.
        let (_, leaf_hash) = ledger.entry(42).unwrap();
        let tlog = ledger.tlog_proof(42).unwrap();
        accord_ledger::checkpoint::TlogProof::parse(&tlog.encode())
            .unwrap()
            .verify(&leaf_hash, &log_key().verifier(), &[])
            .unwrap();
    });
}

#[test]
fn refused_entries_write_nothing() {
    both(|store| {
        let ledger = init(store);
        let sequencer = ledger.into_sequencer(GroupCommit::default()).unwrap();
        let mut forged = signed(Body::Open(evidence(1)), &[("iaea", 3)]);
        forged.signatures[0].signature[10] ^= 1;
        let unregistered = signed(Body::Open(evidence(2)), &[("iaea", 9)]);
        let stranger = signed(Body::Open(evidence(3)), &[("stranger", 3)]);
        let mut other_agreement = signed(Body::Open(evidence(4)), &[("iaea", 3)]);
        other_agreement.entry.agreement = AgreementId::new("agreement-2").unwrap();
        let other_agreement = signed_again(other_agreement.entry, 3);
        let mut other_log = signed(Body::Open(evidence(5)), &[("iaea", 3)]);
        other_log.entry.origin = "accord.example/other".into();
        let other_log = signed_again(other_log.entry, 3);
        let not_entitled = signed(Body::Open(evidence(6)), &[("treasury", 1)]);
        let mut huge = evidence(8);
        if let Statement::Evidence(e) = &mut huge {
            e.note = Some("x".repeat(70_000));
        }
        let oversize = signed(Body::Open(huge), &[("iaea", 3)]);
        let (sealed_body, _) = entry::seal(&evidence(7), &[1; 32]);
        let sealed_without_content = signed(sealed_body, &[("iaea", 3)]);
        type Expected = fn(&EntryError) -> bool;
        let cases: Vec<(SignedEntry, Expected)> = vec![
            (forged, |e| matches!(e, EntryError::BadSignature(_))),
            (unregistered, |e| {
                matches!(e, EntryError::UnregisteredKey { .. })
            }),
            (stranger, |e| matches!(e, EntryError::UnknownSigner(_))),
            (other_agreement, |e| {
                matches!(e, EntryError::UnknownAgreement { .. })
            }),
            (other_log, |e| matches!(e, EntryError::WrongOrigin { .. })),
            (not_entitled, |e| {
                matches!(e, EntryError::NotEntitled { .. })
            }),
            (sealed_without_content, |e| matches!(e, EntryError::Rule(_))),
            (oversize, |e| matches!(e, EntryError::TooLarge { .. })),
        ];
        for (entry, expected) in cases {
            match sequencer.append(submission(entry)) {
                Err(AppendError::Refused(e)) => assert!(expected(&e), "unexpected refusal: {e}"),
                other => panic!("expected a refusal, got {other:?}"),
            }
        }
        sequencer.shutdown();
        let mut ledger = Ledger::open(&store.url, Some(ORIGIN)).unwrap();
        assert_eq!(ledger.info().size, 0);
        assert!(ledger.audit().unwrap().is_clean());
    });
}

/// A receipt carries the leaf hash the writer computed for the entry it wrote (and for a
/// copy of it in the same batch): the hash the log holds at its index, so a submitter need
/// not hash the entry again. An entry logged before carries none (its leaf has its first
/// record time: read it back).
#[test]
fn a_receipt_carries_the_leaf_hash_the_log_holds() {
    both(|store| {
        let sequencer = init(store).into_sequencer(GroupCommit::default()).unwrap();
        let logged = signed(Body::Open(evidence(1)), &[("iaea", 3)]);
        let first = sequencer.append(submission(logged.clone())).unwrap();
        let new = signed(Body::Open(evidence(2)), &[("iaea", 3)]);
        let outcomes: Vec<Receipt> = submit_batch(&sequencer, &[new.clone(), new, logged])
            .into_iter()
            .flatten()
            .collect();
        sequencer.shutdown();
        let mut ledger = Ledger::open(&store.url, None).unwrap();
        let mut held = |index: u64| Some(ledger.entry(index).unwrap().1);
        assert_eq!(first.leaf_hash, held(0));
        assert_eq!(outcomes.len(), 3);
        assert_eq!((outcomes[0].index, outcomes[0].leaf_hash), (1, held(1)));
        assert_eq!((outcomes[1].index, outcomes[1].leaf_hash), (1, held(1)));
        assert_eq!((outcomes[2].index, outcomes[2].leaf_hash), (0, None));
    });
}

fn signed_again(entry: Entry, n: u8) -> SignedEntry {
    let p = pid("iaea");
    entry.sign(&[(&p, &key(n))])
}

#[test]
fn the_same_entry_is_logged_once() {
    both(|store| {
        let sequencer = init(store).into_sequencer(GroupCommit::default()).unwrap();
        let e = signed(Body::Open(evidence(1)), &[("iaea", 3), ("audit-firm", 4)]);
        let first = sequencer.append(submission(e.clone())).unwrap();
        let again = sequencer.append(submission(e.clone())).unwrap();
        assert_eq!((first.index, first.duplicate), (0, false));
        assert_eq!((again.index, again.duplicate), (0, true));
        // Twice in the same batch.
        let e2 = signed(Body::Open(evidence(2)), &[("iaea", 3)]);
        let a = sequencer.submit(submission(e2.clone()));
        let b = sequencer.submit(submission(e2));
        let (a, b) = (a.recv().unwrap().unwrap(), b.recv().unwrap().unwrap());
        assert_eq!(a.index, b.index);
        assert!(a.duplicate != b.duplicate);
        sequencer.shutdown();
        assert_eq!(Ledger::open(&store.url, None).unwrap().info().size, 2);
    });
}

/// A batch handed to the writer in one call is answered in one call, in its order, each
/// entry judged as if submitted alone in turn: new, a copy within the batch, logged
/// already, forged (refused), signed with a key the batch's own rotation registered.
#[test]
fn a_batch_is_answered_in_one_call_in_its_order_each_entry_on_its_own() {
    both(|store| {
        let sequencer = init(store).into_sequencer(GroupCommit::default()).unwrap();
        let logged = signed(Body::Open(evidence(1)), &[("iaea", 3)]);
        sequencer.append(submission(logged.clone())).unwrap();
        let new = signed(Body::Open(evidence(2)), &[("iaea", 3)]);
        let mut forged = signed(Body::Open(evidence(3)), &[("iaea", 3)]);
        forged.entry.body = Body::Open(evidence(4));
        let rotate = KeyEvent::Rotate {
            participant: pid("iaea"),
            old_key: B64.encode(key(3).public_key()),
            new_key: B64.encode(key(33).public_key()),
            at: jiff::Timestamp::now(),
        };
        let rotation = signed(Body::Open(Statement::KeyEvent(rotate)), &[("iaea", 3)]);
        let with_new_key = signed(Body::Open(evidence(5)), &[("iaea", 33)]);
        let batch = [new.clone(), new, logged, forged, rotation, with_new_key];
        let outcomes = submit_batch(&sequencer, &batch);
        let receipt = |i: usize| outcomes[i].as_ref().map(|r| (r.index, r.duplicate));
        assert_eq!(outcomes.len(), 6);
        assert_eq!(receipt(0), Ok((1, false)));
        assert_eq!(receipt(1), Ok((1, true)));
        assert_eq!(receipt(2), Ok((0, true)));
        assert!(
            matches!(
                outcomes[3],
                Err(AppendError::Refused(EntryError::BadSignature(_)))
            ),
            "{:?}",
            outcomes[3]
        );
        assert_eq!(receipt(4), Ok((2, false)));
        assert_eq!(receipt(5), Ok((3, false)));
        sequencer.shutdown();
        let mut ledger = Ledger::open(&store.url, None).unwrap();
        assert_eq!(ledger.info().size, 4);
        assert!(ledger.audit().unwrap().is_clean());
    });
}

/// A batch large enough for the verifying thread to split over the cores keeps each
/// entry with the encoding it was handed with: every entry is logged in order, and only
/// the forged one, in a later part, is refused.
#[test]
fn a_large_batch_keeps_each_entry_with_its_encoding() {
    both(|store| {
        let sequencer = init(store).into_sequencer(GroupCommit::default()).unwrap();
        let mut batch: Vec<SignedEntry> = (0..300)
            .map(|n| signed(Body::Open(evidence(n)), &[("iaea", 3)]))
            .collect();
        batch[250].entry.body = Body::Open(evidence(1_000));
        let outcomes = submit_batch(&sequencer, &batch);
        let refused: Vec<usize> = (0..outcomes.len())
            .filter(|&i| outcomes[i].is_err())
            .collect();
        assert_eq!(refused, vec![250], "{:?}", outcomes[250]);
        let indices: Vec<u64> = outcomes.iter().flatten().map(|r| r.index).collect();
        assert_eq!(indices, (0..299).collect::<Vec<u64>>());
        sequencer.shutdown();
        let mut ledger = Ledger::open(&store.url, None).unwrap();
        assert_eq!(ledger.info().size, 299);
        assert!(ledger.audit().unwrap().is_clean());
    });
}

#[test]
fn key_events_change_who_may_sign() {
    both(|store| {
        let sequencer = init(store).into_sequencer(GroupCommit::default()).unwrap();
        let now: jiff::Timestamp = jiff::Timestamp::now();
        let rotate = KeyEvent::Rotate {
            participant: pid("iaea"),
            old_key: B64.encode(key(3).public_key()),
            new_key: B64.encode(key(33).public_key()),
            at: now,
        };
        // Submitted together: the entry signed with the new key follows the rotation.
        let r = sequencer.submit(submission(signed(
            Body::Open(Statement::KeyEvent(rotate)),
            &[("iaea", 3)],
        )));
        let e = sequencer.submit(submission(signed(Body::Open(evidence(1)), &[("iaea", 33)])));
        assert_eq!(r.recv().unwrap().unwrap().index, 0);
        assert_eq!(e.recv().unwrap().unwrap().index, 1);
        let old = sequencer.append(submission(signed(Body::Open(evidence(2)), &[("iaea", 3)])));
        assert!(
            matches!(
                old,
                Err(AppendError::Refused(EntryError::KeyNotValid { .. }))
            ),
            "{old:?}"
        );
        let revoke = KeyEvent::Revoke {
            participant: pid("audit-firm"),
            key: B64.encode(key(4).public_key()),
            effective: now,
            reason: "compromised".into(),
        };
        sequencer
            .append(submission(signed(
                Body::Open(Statement::KeyEvent(revoke)),
                &[("treasury", 1)],
            )))
            .unwrap();
        let revoked = sequencer.append(submission(signed(
            Body::Open(evidence(3)),
            &[("audit-firm", 4)],
        )));
        assert!(
            matches!(
                revoked,
                Err(AppendError::Refused(EntryError::KeyNotValid { .. }))
            ),
            "{revoked:?}"
        );
        sequencer.shutdown();
        // The roster survives a restart, and the audit replays the same decisions.
        let mut ledger = Ledger::open(&store.url, None).unwrap();
        assert_eq!(ledger.info().size, 3);
        assert!(ledger.info().roster != roster());
        let report = ledger.audit().unwrap();
        assert!(report.is_clean(), "{:?}", report.findings);
        let sequencer = ledger.into_sequencer(GroupCommit::default()).unwrap();
        let old = sequencer.append(submission(signed(Body::Open(evidence(2)), &[("iaea", 3)])));
        assert!(old.is_err());
    });
}

#[test]
fn sealed_entries_keep_their_content_apart_and_reveal() {
    both(|store| {
        let sequencer = init(store).into_sequencer(GroupCommit::default()).unwrap();
        let statement = evidence(9);
        let salt = [5u8; 32];
        let (body, content) = entry::seal(&statement, &salt);
        let e = signed(body, &[("iaea", 3)]);
        let receipt = sequencer
            .append(Submission {
                entry: e,
                sealed: Some((salt, content.clone())),
            })
            .unwrap();
        // A content that does not open the commitment is refused.
        let (body2, _) = entry::seal(&evidence(10), &salt);
        let wrong = sequencer.append(Submission {
            entry: signed(body2, &[("iaea", 3)]),
            sealed: Some((salt, content.clone())),
        });
        assert_eq!(wrong, Err(AppendError::Refused(EntryError::RevealMismatch)));
        sequencer.shutdown();
        let mut ledger = Ledger::open(&store.url, None).unwrap();
        let (logged, _) = ledger.entry(receipt.index).unwrap();
        // The public leaf does not contain the content.
        assert!(!logged.leaf_bytes().windows(9).any(|w| w == b"stockpile"));
        let (salt2, content2) = ledger.sealed(receipt.index).unwrap().unwrap();
        assert_eq!(
            entry::reveal(&logged.signed.entry.body, &salt2, &content2).unwrap(),
            statement
        );
        assert!(ledger.audit().unwrap().is_clean());
        store.execute(match &store.url {
            StoreUrl::Sqlite(_) => {
                "UPDATE ledger_sealed SET content = CAST(content || X'20' AS BLOB)"
            }
            StoreUrl::Postgres(_) => "UPDATE ledger_sealed SET content = content || '\\x20'::bytea",
        });
        let report = ledger.audit().unwrap();
        assert_eq!(report.findings.len(), 1, "{:?}", report.findings);
        assert_eq!(report.findings[0].index, Some(0));
    });
}

#[test]
fn audit_finds_bytes_edited_in_the_database() {
    both(|store| {
        let sequencer = init(store).into_sequencer(GroupCommit::default()).unwrap();
        for i in 0..40 {
            sequencer
                .append(submission(signed(Body::Open(evidence(i)), &[("iaea", 3)])))
                .unwrap();
        }
        sequencer.shutdown();
        let mut ledger = Ledger::open(&store.url, None).unwrap();
        ledger.checkpoint(&log_key()).unwrap();
        assert!(ledger.audit().unwrap().is_clean());
        // Flip one byte inside entry #17's leaf (in the statement's JSON), as a tamperer with
        // database access would.
        store.flip_leaf_byte(17, 100);
        let report = ledger.audit().unwrap();
        assert!(!report.is_clean());
        assert_eq!(report.findings[0].index, Some(17), "{:?}", report.findings);
        assert!(
            report
                .findings
                .iter()
                .any(|f| f.problem.contains("checkpoint at size 40"))
        );
        // The leaf hashes are intact, so the tree still extends the checkpoint.
        ledger.checkpoint(&log_key()).unwrap();
        // Changing the stored leaf hash to match is caught by the subtree hashes and the
        // checkpoint.
        let (entry_bytes, _) = {
            let rows = ledger.backend.entries(ledger.info.id, 17, 18).unwrap();
            (rows[0].2.clone(), ())
        };
        let new_hash = merkle::leaf_hash(&entry_bytes);
        store.execute(&store.set_stored_hash_sql(0, 17, &new_hash));
        let report = ledger.audit().unwrap();
        assert!(
            report.findings.iter().any(|f| f.index == Some(17)),
            "{:?}",
            report.findings
        );
        assert!(
            report
                .findings
                .iter()
                .any(|f| f.index == Some(16) && f.problem.contains("level 4")),
            "{:?}",
            report.findings
        );
        // The log refuses to sign a checkpoint that does not extend the previous one once
        // a stored hash it reads for the root is changed (here the subtree #16..#31).
        store.execute(&store.set_stored_hash_sql(4, 1, &new_hash));
        let err = ledger.checkpoint(&log_key()).unwrap_err();
        assert!(
            err.to_string()
                .contains("no longer extends its checkpoint at size 40"),
            "{err}"
        );
        // A deleted entry is found too.
        store.execute("DELETE FROM ledger_entry WHERE idx = 30");
        let report = ledger.audit().unwrap();
        assert!(
            report
                .findings
                .iter()
                .any(|f| f.index == Some(30) && f.problem.contains("missing")),
            "{:?}",
            report.findings
        );
    });
}

#[test]
fn two_writers_on_one_log_never_interleave() {
    both(|store| {
        init(store);
        let a = Ledger::open(&store.url, None)
            .unwrap()
            .into_sequencer(GroupCommit::default())
            .unwrap();
        let b = Ledger::open(&store.url, None)
            .unwrap()
            .into_sequencer(GroupCommit::default())
            .unwrap();
        let receipts: Vec<Receipt> = std::thread::scope(|s| {
            let ha = s.spawn(|| {
                (0..30)
                    .map(|i| {
                        a.append(submission(signed(Body::Open(evidence(i)), &[("iaea", 3)])))
                            .unwrap()
                    })
                    .collect::<Vec<_>>()
            });
            let hb = s.spawn(|| {
                (100..130)
                    .map(|i| {
                        b.append(submission(signed(Body::Open(evidence(i)), &[("iaea", 3)])))
                            .unwrap()
                    })
                    .collect::<Vec<_>>()
            });
            let mut all = ha.join().unwrap();
            all.extend(hb.join().unwrap());
            all
        });
        drop((a, b));
        let mut indexes: Vec<u64> = receipts.iter().map(|r| r.index).collect();
        indexes.sort_unstable();
        assert_eq!(indexes, (0..60).collect::<Vec<_>>());
        let mut ledger = Ledger::open(&store.url, None).unwrap();
        let report = ledger.audit().unwrap();
        assert!(report.is_clean(), "{:?}", report.findings);
        assert_eq!(report.entries, 60);
    });
}

#[test]
fn a_checkpoint_needs_the_log_key() {
    both(|store| {
        let mut ledger = init(store);
        let err = ledger.checkpoint(&key(1)).unwrap_err();
        assert!(matches!(err, StoreError::WrongLogKey { .. }), "{err}");
        let vk: VerifierKey = log_key().verifier();
        assert_eq!(ledger.info().log_key, vk.to_string());
        let note = ledger.checkpoint(&log_key()).unwrap();
        let cp = open_checkpoint(&note, &vk, &[]).unwrap().checkpoint;
        assert_eq!((cp.size, cp.root), (0, merkle::empty_root()));
        assert!(matches!(
            Ledger::init(&store.url, ORIGIN, &vk, &roster()),
            Err(StoreError::LogExists(_))
        ));
    });
}

#[test]
fn one_handle_serves_many_threads_through_one_writer_per_log() {
    both(|store| {
        let handle = Store::open(&store.url).unwrap();
        handle
            .init_log(ORIGIN, &log_key().verifier(), &roster())
            .unwrap();
        let first = handle.writer(ORIGIN).unwrap();
        std::thread::scope(|s| {
            for t in 0..4u64 {
                let handle = handle.clone();
                s.spawn(move || {
                    let writer = handle.writer(ORIGIN).unwrap();
                    for i in 0..10u64 {
                        let e = signed(Body::Open(evidence(t * 100 + i)), &[("iaea", 3)]);
                        writer.append(submission(e)).unwrap();
                    }
                    // Readers take their own pooled connections meanwhile.
                    assert!(handle.ledger(Some(ORIGIN)).unwrap().info().size >= 10);
                    handle.lists().unwrap().imports(None).unwrap();
                });
            }
        });
        assert!(Arc::ptr_eq(&first, &handle.writer(ORIGIN).unwrap()));
        let mut ledger = handle.ledger(None).unwrap();
        assert_eq!(ledger.info().size, 40);
        assert!(ledger.audit().unwrap().is_clean());
        assert_eq!(handle.logs().unwrap().len(), 1);
    });
}

/// PostgreSQL's duplicate lookup reads the id index, never every row of the log, on a
/// table whose statistics were never gathered (a new log: autovacuum has not analysed it;
/// the lookup by `entry_id = ANY(..)` scanned all 40,000 rows here).
#[test]
fn the_postgres_duplicate_lookup_reads_the_id_index_before_any_statistics() {
    let Some(store) = TestStore::postgres() else {
        return;
    };
    let StoreUrl::Postgres(url) = &store.url else {
        unreachable!()
    };
    Store::open(&store.url).unwrap();
    let mut c = crate::connect_postgres(url).unwrap();
    c.batch_execute(
        "INSERT INTO ledger_entry (log, idx, entry_id, leaf) \
         SELECT 1, i, sha256(int8send(i)), '\\x00'::BYTEA FROM generate_series(0, 39999) AS i",
    )
    .unwrap();
    let ids: Vec<Vec<u8>> = vec![vec![7; 32]; 256];
    let plan: String = c
        .query(
            &format!("EXPLAIN {}", super::postgres::FIND_IDS),
            &[&1i64, &ids],
        )
        .unwrap()
        .iter()
        .map(|row| row.get::<_, String>(0))
        .filter(|line| line.contains("Scan"))
        .collect::<Vec<_>>()
        .join("\n");
    assert!(plan.contains("ledger_entry_by_id"), "{plan}");
    assert!(!plan.contains("ledger_entry_pkey"), "{plan}");
}
