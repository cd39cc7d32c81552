//! Every kind of direct tampering of the ledger's rows, tried on each store, with what
//! finds it: a verified read (what every use case does before answering), the audit, the
//! audit given a checkpoint held outside the store — or nothing. The table this test holds
//! is the one in `docs/integrity.md`; the test prints its figures.

use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};

use accord_ledger::entry::LoggedEntry;

use super::*;

/// What found a tampering: (verified read, audit, audit with the outside checkpoint).
type Found = (bool, bool, bool);

/// A kind of tampering: its name, what it does, what finds it.
type Case = (&'static str, fn(&TestStore, &mut Setup), Found);

/// A log of 12 entries, one minute apart: checkpoints at 6 and 10 (the latter also held
/// outside the store), read once (so its verified-up-to mark is 10), then 2 more entries.
struct Setup {
    ledger: Ledger,
    outside: String,
}

fn minute(n: i64) -> jiff::Timestamp {
    jiff::Timestamp::from_second(1_767_225_600 + 60 * n).unwrap()
}

fn setup(store: &TestStore) -> Setup {
    let clock = Arc::new(AtomicI64::new(0));
    let append = |ledger: Ledger, from: u64, to: u64| {
        let ticks = Arc::clone(&clock);
        let sequencer = ledger
            .into_sequencer(GroupCommit {
                clock: Arc::new(move || minute(ticks.fetch_add(1, Ordering::SeqCst))),
                ..GroupCommit::default()
            })
            .unwrap();
        for i in from..to {
            let e = signed(Body::Open(evidence(i)), &[("iaea", 3)]);
            sequencer.append(submission(e)).unwrap();
        }
        sequencer.shutdown();
    };
    append(init(store), 0, 6);
    let mut ledger = Ledger::open(&store.url, None).unwrap();
    ledger.checkpoint(&log_key()).unwrap();
    append(ledger, 6, 10);
    let mut ledger = Ledger::open(&store.url, None).unwrap();
    let outside = ledger.checkpoint(&log_key()).unwrap();
    ledger.read_verified().unwrap();
    append(ledger, 10, 12);
    let mut ledger = Ledger::open(&store.url, None).unwrap();
    assert_eq!(ledger.read_verified().unwrap().mark, 10);
    Setup { ledger, outside }
}

fn bytes(store: &TestStore, b: &[u8]) -> String {
    let hex: String = b.iter().map(|x| format!("{x:02x}")).collect();
    match store.url {
        StoreUrl::Sqlite(_) => format!("X'{hex}'"),
        StoreUrl::Postgres(_) => format!("'\\x{hex}'::bytea"),
    }
}

/// Replaces entry `index`'s leaf, and its stored leaf hash to match (a careful tamperer).
fn rewrite_leaf(store: &TestStore, index: u64, leaf: &[u8]) {
    let hash = merkle::leaf_hash(leaf);
    store.execute(&format!(
        "UPDATE ledger_entry SET leaf = {} WHERE idx = {index}; {}",
        bytes(store, leaf),
        store.set_stored_hash_sql(0, index, &hash)
    ));
}

fn leaf_of(ledger: &mut Ledger, index: u64) -> LoggedEntry {
    ledger.entry(index).unwrap().0
}

/// Everything the ledger's tables hold, for "nothing changed".
fn snapshot(ledger: &mut Ledger) -> String {
    let id = ledger.info.id;
    let info = ledger.backend.log_info(&ledger.info.origin.clone());
    let rows = ledger.backend.entries(id, 0, 1000);
    let checkpoints = ledger.backend.checkpoints(id);
    let nodes = ledger.backend.hashes(id, 0, 0, 1000);
    format!(
        "{:?}{rows:?}{checkpoints:?}{nodes:?}",
        info.map(|i| (
            i.size,
            i.roster,
            i.initial_roster,
            i.log_key,
            i.last_recorded
        ))
    )
}

/// Each kind of tampering: its name (as in docs/integrity.md), what it does, and what is
/// expected to find it.
fn cases() -> Vec<Case> {
    vec![
        (
            "leaf hash edited",
            |store, _| {
                store.execute(&store.set_stored_hash_sql(0, 3, &[7; 32]));
            },
            (true, true, true),
        ),
        (
            "entry body edited, under a checkpoint",
            |store, _| {
                store.flip_leaf_byte(3, 100);
            },
            (true, true, true),
        ),
        (
            "entry body edited and its leaf hash recomputed, after the latest checkpoint",
            |store, s| {
                let mut logged = leaf_of(&mut s.ledger, 11);
                logged.signed.entry.body = Body::Open(evidence(999));
                rewrite_leaf(store, 11, &logged.leaf_bytes());
            },
            (true, true, true),
        ),
        (
            "signature edited and its leaf hash recomputed",
            |store, s| {
                let mut logged = leaf_of(&mut s.ledger, 11);
                logged.signed.signatures[0].signature[40] ^= 1;
                rewrite_leaf(store, 11, &logged.leaf_bytes());
            },
            (true, true, true),
        ),
        (
            "record time edited and its leaf hash recomputed",
            |store, s| {
                let mut logged = leaf_of(&mut s.ledger, 4);
                logged.recorded_at = minute(4) + jiff::SignedDuration::from_secs(1);
                rewrite_leaf(store, 4, &logged.leaf_bytes());
            },
            (true, true, true),
        ),
        (
            "entry deleted",
            |store, _| {
                store.execute("DELETE FROM ledger_entry WHERE idx = 11");
            },
            (true, true, true),
        ),
        (
            "entries reordered, under a checkpoint",
            |store, s| {
                let (a, b) = (leaf_of(&mut s.ledger, 2), leaf_of(&mut s.ledger, 3));
                let (mut a2, mut b2) = (b.clone(), a.clone());
                // Keep the record times in order: only the order of the statements changes.
                a2.recorded_at = a.recorded_at;
                b2.recorded_at = b.recorded_at;
                rewrite_leaf(store, 2, &a2.leaf_bytes());
                rewrite_leaf(store, 3, &b2.leaf_bytes());
            },
            (true, true, true),
        ),
        (
            "entries reordered, after the latest checkpoint",
            |store, s| {
                let (a, b) = (leaf_of(&mut s.ledger, 10), leaf_of(&mut s.ledger, 11));
                rewrite_leaf(store, 10, &b.leaf_bytes());
                rewrite_leaf(store, 11, &a.leaf_bytes());
            },
            (true, true, true),
        ),
        (
            "checkpoint row deleted (the one the mark names)",
            |store, _| {
                store.execute("DELETE FROM ledger_checkpoint WHERE size = 10");
            },
            (true, false, true),
        ),
        (
            "checkpoint row and mark deleted",
            |store, _| {
                store.execute(
                    "DELETE FROM ledger_checkpoint WHERE size = 10; DELETE FROM ledger_verified",
                );
            },
            (false, false, true),
        ),
        (
            "checkpoint row rewritten (garbled)",
            |store, _| {
                store.execute("UPDATE ledger_checkpoint SET note = note || 'x' WHERE size = 10");
            },
            (true, true, true),
        ),
        (
            "checkpoint row rewritten (an older checkpoint's note)",
            |store, _| {
                store.execute(
                "UPDATE ledger_checkpoint SET note = (SELECT note FROM ledger_checkpoint WHERE size = 6) WHERE size = 10",
            );
            },
            (false, true, true),
        ),
        (
            "entries deleted with the checkpoint covering them, mark moved back",
            |store, _| {
                store.execute(&format!(
                    "DELETE FROM ledger_entry WHERE idx >= 8; {}
                 DELETE FROM ledger_checkpoint WHERE size = 10; UPDATE ledger_verified SET size = 6;
                 UPDATE ledger_log SET size = 8, last_recorded = '2026-01-01T00:07:00Z'",
                    store.truncate_leaf_hashes_sql(8)
                ));
            },
            (false, false, true),
        ),
        (
            "last entries deleted, after the latest checkpoint",
            |store, _| {
                store.execute(&format!(
                    "DELETE FROM ledger_entry WHERE idx >= 11; {}
                 UPDATE ledger_log SET size = 11, last_recorded = '2026-01-01T00:10:00Z'",
                    store.truncate_leaf_hashes_sql(11)
                ));
            },
            (false, false, false),
        ),
        (
            "stored roster edited",
            |store, _| {
                store.execute("UPDATE ledger_log SET roster = REPLACE(roster, '\"standing\":true', '\"standing\":false')");
            },
            (true, true, true),
        ),
        (
            "initial roster edited (a key removed)",
            |store, _| {
                store.execute(&format!(
                    "UPDATE ledger_log SET initial_roster = REPLACE(initial_roster, '{}', '{}')",
                    B64.encode(key(3).public_key()),
                    B64.encode(key(9).public_key())
                ));
            },
            (true, true, true),
        ),
        (
            "log key replaced",
            |store, _| {
                let other = SignerKey::from_seed(ORIGIN, [201; 32]).unwrap().verifier();
                store.execute(&format!("UPDATE ledger_log SET log_key = '{other}'"));
            },
            (true, true, true),
        ),
        (
            "last record time moved to 2030",
            |store, _| {
                store.execute("UPDATE ledger_log SET last_recorded = '2030-01-01T00:00:00Z'");
            },
            (false, true, true),
        ),
    ]
}

/// What finds a tampering, and whether looking changed anything.
fn detect(s: &mut Setup) -> (Found, bool) {
    let before = snapshot(&mut s.ledger);
    let read = s.ledger.read_verified().is_err();
    let audit = !s.ledger.audit().unwrap().is_clean();
    let outside = !s
        .ledger
        .audit_against(std::slice::from_ref(&s.outside))
        .unwrap()
        .is_clean();
    ((read, audit, outside), before == snapshot(&mut s.ledger))
}

#[test]
fn each_kind_of_tampering_is_found_by_what_the_docs_say() {
    both(|store| {
        let mut s = setup(store);
        assert_eq!(
            detect(&mut s).0,
            (false, false, false),
            "the untouched log is clean"
        );
        drop(s);
        let (mut tried, mut refused, mut audited, mut outside, mut unfound, mut unchanged) =
            (0, 0, 0, 0, 0, 0);
        for (name, tamper, expected) in cases() {
            let fresh = fresh(store);
            let mut s = setup(&fresh);
            tamper(&fresh, &mut s);
            let (found, same) = detect(&mut s);
            assert_eq!(found, expected, "{name} on {}", store.kind());
            tried += 1;
            refused += usize::from(found.0);
            audited += usize::from(found.1);
            outside += usize::from(found.2);
            unfound += usize::from(found == (false, false, false));
            unchanged += usize::from(same);
        }
        println!(
            "tampering on {}: {tried} kinds tried; refused by a verified read {refused}, found by the audit {audited}, \
             by the audit with an outside checkpoint {outside}, by nothing {unfound}; nothing changed in {unchanged} of {tried}",
            store.kind()
        );
        assert_eq!(unchanged, tried);
    });
}

#[test]
fn a_refused_read_names_the_entry() {
    both(|store| {
        let mut s = setup(store);
        let mut logged = leaf_of(&mut s.ledger, 11);
        logged.signed.signatures[0].signature[40] ^= 1;
        rewrite_leaf(store, 11, &logged.leaf_bytes());
        match s.ledger.read_verified() {
            Err(StoreError::Unverified { problem, .. }) => assert_eq!(problem.index(), Some(11)),
            other => panic!("{:?}", other.map(|v| v.checked)),
        }
        // Under the mark, the checkpoint's root no longer holds, and the read goes back to
        // verify everything to name the entry.
        let fresh = fresh(store);
        let mut s = setup(&fresh);
        let mut logged = leaf_of(&mut s.ledger, 3);
        logged.signed.entry.body = Body::Open(evidence(999));
        rewrite_leaf(&fresh, 3, &logged.leaf_bytes());
        match s.ledger.read_verified() {
            Err(StoreError::Unverified { problem, .. }) => assert_eq!(problem.index(), Some(3)),
            other => panic!("{:?}", other.map(|v| v.checked)),
        }
    });
}

fn fresh(store: &TestStore) -> TestStore {
    match store.kind() {
        "sqlite" => TestStore::sqlite(),
        _ => TestStore::postgres().unwrap(),
    }
}

#[test]
fn record_times_follow_the_entries_not_the_stored_row_and_never_go_back() {
    both(|store| {
        let s = setup(store);
        drop(s);
        // The row says 2030: the next entry is dated by the clock, after the last entry.
        store.execute("UPDATE ledger_log SET last_recorded = '2030-01-01T00:00:00Z'");
        let now = minute(20);
        let ledger = Ledger::open(&store.url, None).unwrap();
        let sequencer = ledger
            .into_sequencer(GroupCommit {
                clock: Arc::new(move || now),
                ..GroupCommit::default()
            })
            .unwrap();
        let receipt = sequencer
            .append(submission(signed(Body::Open(evidence(50)), &[("iaea", 3)])))
            .unwrap();
        assert_eq!(receipt.recorded_at, now);
        sequencer.shutdown();
        // A clock behind the last record time by more than the skew is refused; within
        // the skew, the entry takes the last record time.
        for (clock, expected) in [
            (
                now - MAX_CLOCK_SKEW - jiff::SignedDuration::from_secs(1),
                None,
            ),
            (now - MAX_CLOCK_SKEW, Some(now)),
        ] {
            let ledger = Ledger::open(&store.url, None).unwrap();
            let sequencer = ledger
                .into_sequencer(GroupCommit {
                    clock: Arc::new(move || clock),
                    ..GroupCommit::default()
                })
                .unwrap();
            let before = Ledger::open(&store.url, None).unwrap().info().size;
            let result = sequencer.append(submission(signed(
                Body::Open(evidence(60 + before)),
                &[("iaea", 3)],
            )));
            sequencer.shutdown();
            match expected {
                None => {
                    assert!(
                        matches!(result, Err(AppendError::ClockBehind { .. })),
                        "{result:?}"
                    );
                    assert_eq!(Ledger::open(&store.url, None).unwrap().info().size, before);
                }
                Some(at) => assert_eq!(result.unwrap().recorded_at, at),
            }
        }
    });
}

#[test]
fn an_append_is_never_dated_by_an_edited_row() {
    both(|store| {
        let sequencer = init(store).into_sequencer(GroupCommit::default()).unwrap();
        sequencer
            .append(submission(signed(Body::Open(evidence(1)), &[("iaea", 3)])))
            .unwrap();
        sequencer.shutdown();
        store.execute("UPDATE ledger_log SET last_recorded = '2030-01-01T00:00:00Z'");
        let mut ledger = Ledger::open(&store.url, None).unwrap();
        assert!(
            !ledger.audit().unwrap().is_clean(),
            "the audit finds the row"
        );
        let sequencer = ledger.into_sequencer(GroupCommit::default()).unwrap();
        let receipt = sequencer
            .append(submission(signed(Body::Open(evidence(2)), &[("iaea", 3)])))
            .unwrap();
        assert!(receipt.recorded_at < "2029-01-01T00:00:00Z".parse().unwrap());
    });
}
