//! The ledger's use cases: a log created (from a roster, or from the agreement itself,
//! whose text is then registered), statements appended one by one or as a stream, proofs
//! that verify, an audit that finds nothing.

use std::collections::BTreeMap;

use accord_app::Error;
use accord_app::ledger::{self, RosterSource, Streamed};
use accord_core::id::{AgreementId, IndicatorId, ParticipantId, UnitId};
use accord_core::statement::{Confidentiality, Evidence, Method, Observation, Quantity, Statement};
use accord_ledger::entry::{Body, Entry};
use accord_ledger::note::SignerKey;
use accord_ledger::roster::{Member, RegisteredKey, Role, Roster};
use base64::Engine as _;

use crate::support::{both, repo};

const ORIGIN: &str = "accord.example/agreement-1";

fn key(n: u8) -> SignerKey {
    SignerKey::from_seed("k", [n; 32]).unwrap()
}

fn iaea() -> ParticipantId {
    ParticipantId::new("iaea").unwrap()
}

fn roster() -> Roster {
    let member = Member {
        role: Role::Monitor,
        standing: false,
        keys: vec![RegisteredKey {
            public_key: base64::engine::general_purpose::STANDARD.encode(key(3).public_key()),
            valid_from: "2020-01-01T00:00:00Z".parse().unwrap(),
            valid_until: None,
            ended_because: None,
        }],
    };
    Roster {
        agreement: AgreementId::new("agreement-1").unwrap(),
        participants: BTreeMap::from([(iaea(), member)]),
    }
}

fn evidence(amount: f64, confidentiality: Confidentiality) -> Statement {
    Statement::Evidence(Evidence {
        indicator: IndicatorId::new("stockpile").unwrap(),
        period: accord_core::time::Period::new(
            jiff::civil::date(2026, 1, 1),
            jiff::civil::date(2026, 3, 31),
        )
        .unwrap(),
        value: Observation::Quantity(Quantity::new(amount, UnitId::new("kg").unwrap()).unwrap()),
        method: Method::OnSiteInspection,
        attachments: vec![],
        confidentiality,
        note: None,
        escrow_until: None,
    })
}

fn log_key() -> SignerKey {
    SignerKey::from_seed(ORIGIN, [9; 32]).unwrap()
}

/// Creates the test log on `store` with [`roster`]'s participants.
fn init_log(store: &crate::support::TestStore) {
    let roster = serde_json::to_vec(&roster()).unwrap();
    let participants = ledger::read_roster("roster.json", roster).unwrap();
    ledger::init(&store.store, ORIGIN, &log_key().verifier(), &participants).unwrap();
}

/// Public evidence of `amount` for the test log, signed for the IAEA with `with`.
fn signed_evidence(amount: f64, with: &SignerKey) -> accord_ledger::entry::SignedEntry {
    Entry {
        origin: ORIGIN.into(),
        agreement: AgreementId::new("agreement-1").unwrap(),
        body: Body::Open(evidence(amount, Confidentiality::Public)),
    }
    .sign(&[(&iaea(), with)])
}

#[test]
fn statements_are_appended_proved_and_audited() {
    both(|store| {
        let roster = serde_json::to_vec(&roster()).unwrap();
        let participants = ledger::read_roster("roster.json", roster).unwrap();
        ledger::init(&store.store, ORIGIN, &log_key().verifier(), &participants).unwrap();
        let signers = [(iaea(), key(3))];
        let (first, _) = ledger::append(
            &store.store,
            None,
            evidence(1.0, Confidentiality::Public),
            &signers,
            false,
        )
        .unwrap();
        let (second, _) = ledger::append(
            &store.store,
            Some(ORIGIN),
            evidence(2.0, Confidentiality::Confidential),
            &signers,
            true,
        )
        .unwrap();
        assert_eq!((first.index, second.index), (0, 1), "{}", store.kind);
        let unsigned = ledger::append(
            &store.store,
            None,
            evidence(3.0, Confidentiality::Public),
            &[],
            false,
        );
        assert!(matches!(unsigned, Err(Error::Unsigned)), "{unsigned:?}");

        ledger::checkpoint(&store.store, None, &log_key()).unwrap();
        let proof = ledger::inclusion(&store.store, None, 1, None).unwrap();
        accord_app::tlog::verify_inclusion(
            &proof.leaf_hash,
            1,
            proof.size,
            &proof.proof,
            &proof.root,
        )
        .unwrap();
        let consistency = ledger::consistency(&store.store, None, 1, None).unwrap();
        accord_app::tlog::verify_consistency(
            (1, &consistency.old_root),
            (2, &consistency.new_root),
            &consistency.proof,
        )
        .unwrap();
        assert!(
            ledger::tlog_proof(&store.store, None, 1)
                .unwrap()
                .contains(ORIGIN)
        );
        let audit = ledger::audit(&store.store, None).unwrap();
        assert!(audit.is_clean(), "{:?}", audit.findings);
        assert_eq!(audit.entries, 2);
        // The sealed entry is revealed for evaluation and checked against its leaf.
        let mut log = store.store.ledger(None).unwrap();
        let read = accord_app::log::read(&mut log).unwrap();
        assert_eq!(read.len(), 2);
        assert_eq!(
            read[1].statement,
            evidence(2.0, Confidentiality::Confidential)
        );
    });
}

#[test]
fn a_stream_reports_each_line_in_order_and_refuses_only_the_bad_ones() {
    both(|store| {
        let participants = RosterSource::Roster(roster());
        ledger::init(&store.store, ORIGIN, &log_key().verifier(), &participants).unwrap();
        let entry = |amount: f64, n: u8| {
            let signed = Entry {
                origin: ORIGIN.into(),
                agreement: AgreementId::new("agreement-1").unwrap(),
                body: Body::Open(evidence(amount, Confidentiality::Public)),
            }
            .sign(&[(&iaea(), &key(n))]);
            accord_ledger::checkpoint::encode_hex(&signed.encode())
        };
        let lines = [
            entry(1.0, 3),
            "zz-not-an-entry".to_owned(),
            entry(2.0, 7),
            entry(3.0, 3),
        ];
        let mut seen = Vec::new();
        let every = ledger::CheckpointEvery {
            every: 2,
            key: log_key(),
        };
        let refused = ledger::append_stream(
            &store.store,
            None,
            lines.iter().map(|l| Ok(l.clone())),
            Some(every),
            &mut |event| seen.push(event),
        )
        .unwrap();
        assert_eq!(refused, 2, "{}", store.kind);
        let kinds: Vec<String> = seen
            .iter()
            .map(|e| match e {
                Streamed::Appended { receipt, .. } => format!("appended {}", receipt.index),
                Streamed::Malformed { line, .. } => format!("malformed {line}"),
                Streamed::Refused { line, .. } => format!("refused {line}"),
                Streamed::Checkpoint { size, .. } => format!("checkpoint {size}"),
            })
            .collect();
        assert_eq!(
            kinds,
            [
                "appended 0",
                "malformed 2",
                "refused 3",
                "appended 1",
                "checkpoint 2"
            ]
        );
    });
}

#[test]
fn a_log_made_from_the_agreement_registers_its_text() {
    both(|store| {
        let path = repo().join("examples/nuclear-caps.toml");
        let participants = ledger::read_roster_file(&path).unwrap();
        assert!(matches!(participants, RosterSource::Agreement(_)));
        let key = SignerKey::from_seed("accord.example/arden", [5; 32]).unwrap();
        // A key named for another log is refused before anything is written.
        let wrong = ledger::init(
            &store.store,
            "accord.example/other",
            &key.verifier(),
            &participants,
        );
        assert!(matches!(wrong, Err(Error::LogKeyName { .. })), "{wrong:?}");
        assert!(store.store.registered_agreements().unwrap().is_empty());
        let info = ledger::init(
            &store.store,
            "accord.example/arden",
            &key.verifier(),
            &participants,
        )
        .unwrap();
        assert_eq!(info.roster.agreement.as_str(), "arden-nuclear-2026");
        let texts = store.store.agreement_texts("arden-nuclear-2026").unwrap();
        assert_eq!(texts.len(), 1);
        assert_eq!(texts[0].text, std::fs::read_to_string(&path).unwrap());
    });
}

#[test]
fn a_weak_key_in_a_roster_is_refused() {
    let mut weak = roster();
    let mut identity = [0u8; 32];
    identity[0] = 1;
    weak.participants.get_mut(&iaea()).unwrap().keys[0].public_key =
        base64::engine::general_purpose::STANDARD.encode(identity);
    let refused = ledger::read_roster("weak.json", serde_json::to_vec(&weak).unwrap());
    match refused {
        Err(e @ Error::Roster { .. }) => assert!(e.to_string().contains("small order"), "{e}"),
        other => panic!("{other:?}"),
    }
}

/// Entries handed to a [`accord_app::submitter::Submitter`] are answered after their
/// commit with what the store holds for them (index, record time, leaf hash, id); an entry
/// logged already with its first index and record time; a refused one with the ledger's
/// reason, nothing written.
#[test]
fn a_submitter_answers_each_entry_with_what_the_store_holds() {
    use accord_app::submitter::{Answer, Submitter};
    use accord_store::ledger::Submission;
    both(|store| {
        init_log(store);
        let mut entries: Vec<_> = (0..20)
            .map(|i| signed_evidence(f64::from(i), &key(3)))
            .collect();
        entries.push(entries[4].clone());
        // Signed with a key the roster does not hold.
        entries.push(signed_evidence(99.0, &key(7)));
        let submitter = Submitter::new();
        let answers: Vec<std::sync::mpsc::Receiver<Answer>> = entries
            .iter()
            .map(|entry| {
                let (tx, rx) = std::sync::mpsc::channel();
                let submission = Submission {
                    entry: entry.clone(),
                    sealed: None,
                };
                let done = Box::new(move |answer| tx.send(answer).unwrap());
                submitter.submit(&store.store, submission, entry.encoded(), done);
                rx
            })
            .collect();
        drop(submitter);
        let answers: Vec<Answer> = answers.into_iter().map(|rx| rx.recv().unwrap()).collect();

        let mut ledger = store.store.ledger(Some(ORIGIN)).unwrap();
        assert_eq!(ledger.info().size, 20, "{}", store.kind);
        for (i, (answer, entry)) in answers.iter().zip(&entries).take(21).enumerate() {
            let submitted = answer.submitted.as_ref().unwrap();
            let (logged, leaf_hash) = ledger.entry(submitted.index).unwrap();
            assert_eq!(&logged.signed, entry, "#{i}");
            assert_eq!(submitted.origin, ORIGIN);
            assert_eq!(submitted.entry_id, entry.id(), "#{i}");
            assert_eq!(submitted.recorded_at, logged.recorded_at, "#{i}");
            assert_eq!(submitted.leaf_hash, leaf_hash, "#{i}");
            assert_eq!(submitted.duplicate, i == 20, "#{i}");
        }
        assert_eq!(
            answers[20].submitted.as_ref().unwrap().index,
            answers[4].submitted.as_ref().unwrap().index
        );
        assert!(
            matches!(&answers[21].submitted, Err(Error::Append(_))),
            "{:?}",
            answers[21].submitted
        );
        // A position to wait for on PostgreSQL, none on SQLite.
        assert_eq!(
            answers[0].position.is_some(),
            store.kind == "postgres",
            "{}",
            store.kind
        );
    });
}

/// A batch handed to a [`accord_app::submitter::Submitter`] in one call is answered with
/// one answer per entry in the batch's order, after the commit: the new entries at the
/// next indexes in that order, an entry the ledger refuses with its reason where it
/// stands (nothing written for it, the others not held back), a copy of an earlier entry
/// of the batch with that entry's index.
#[test]
fn a_submitter_answers_a_batch_in_its_order() {
    use accord_app::submitter::{Answer, Submitter};
    use accord_store::ledger::Submission;
    both(|store| {
        init_log(store);
        let mut entries: Vec<_> = (0..6)
            .map(|i| signed_evidence(f64::from(i), &key(3)))
            .collect();
        // Signed with a key the roster does not hold, in the middle of the batch.
        entries.insert(3, signed_evidence(99.0, &key(7)));
        entries.push(entries[1].clone());
        let submitter = Submitter::new();
        let (tx, rx) = std::sync::mpsc::channel::<Vec<Answer>>();
        let items = entries
            .iter()
            .map(|entry| {
                let submission = Submission {
                    entry: entry.clone(),
                    sealed: None,
                };
                (store.store.clone(), submission, entry.encoded())
            })
            .collect();
        submitter.submit_batch(items, Box::new(move |answers| tx.send(answers).unwrap()));
        let answers = rx.recv().unwrap();
        drop(submitter);

        assert_eq!(answers.len(), entries.len());
        let indexes: Vec<Option<u64>> = answers
            .iter()
            .map(|a| a.submitted.as_ref().ok().map(|s| s.index))
            .collect();
        assert_eq!(
            indexes,
            [
                Some(0),
                Some(1),
                Some(2),
                None,
                Some(3),
                Some(4),
                Some(5),
                Some(1)
            ],
            "{}",
            store.kind
        );
        assert!(
            matches!(&answers[3].submitted, Err(Error::Append(_))),
            "{:?}",
            answers[3].submitted
        );
        assert!(answers[7].submitted.as_ref().unwrap().duplicate);
        let mut ledger = store.store.ledger(Some(ORIGIN)).unwrap();
        assert_eq!(ledger.info().size, 6, "{}", store.kind);
        for (answer, entry) in answers.iter().zip(&entries) {
            let Ok(submitted) = &answer.submitted else {
                continue;
            };
            let (logged, leaf_hash) = ledger.entry(submitted.index).unwrap();
            assert_eq!(&logged.signed, entry);
            assert_eq!(submitted.entry_id, entry.id());
            assert_eq!(submitted.leaf_hash, leaf_hash);
        }
    });
}
