//! Leadership by lease (issue #17): on one PostgreSQL schema, one handle at a time writes a
//! log; the others are refused, naming the leader, and take over once the leader is gone.
//! SQLite has no lease.

use super::*;
use crate::testing::TestStore;

/// Asks `store` for the log's writer until it leads (a refusal is remembered for
/// [`crate::LEASE_RETRY`]), at most `tries` times; the number of refusals before it led.
fn lead_within(store: &Store, tries: u32) -> u32 {
    for refused in 0..tries {
        match store.writer(ORIGIN) {
            Ok(_) => return refused,
            Err(StoreError::NotLeader { .. }) => {
                std::thread::sleep(crate::LEASE_RETRY / 4);
            }
            Err(e) => panic!("{e}"),
        }
    }
    panic!("no leadership after {tries} tries");
}

#[test]
fn one_handle_leads_a_postgres_log_and_another_takes_over_when_it_is_gone() {
    let Some(pg) = TestStore::postgres() else {
        return;
    };
    drop(init(&pg));
    let a = Store::open(&pg.url).unwrap();
    let b = Store::open(&pg.url).unwrap();
    a.lead_by_lease(Some("http://a.example".into()));
    b.lead_by_lease(Some("http://b.example".into()));

    let writer = a.writer(ORIGIN).unwrap();
    assert!(a.leads(ORIGIN));
    match b.writer(ORIGIN) {
        Err(StoreError::NotLeader { origin, leader }) => {
            assert_eq!(origin, ORIGIN);
            assert_eq!(leader.as_deref(), Some("http://a.example"));
        }
        other => panic!("{other:?}"),
    }
    assert!(!b.leads(ORIGIN));
    let receipt = writer
        .append(submission(signed(Body::Open(evidence(1)), &[("iaea", 3)])))
        .unwrap();
    assert_eq!(receipt.index, 0);

    // The leader goes (its process ends): its session ends, and so does its lease.
    drop(writer);
    drop(a);
    lead_within(&b, 200);
    assert!(b.leads(ORIGIN));
    let receipt = b
        .writer(ORIGIN)
        .unwrap()
        .append(submission(signed(Body::Open(evidence(2)), &[("iaea", 3)])))
        .unwrap();
    assert_eq!(receipt.index, 1, "the new leader continues the log");
    let audit = b.ledger(Some(ORIGIN)).unwrap().audit().unwrap();
    assert!(audit.findings.is_empty(), "{audit:?}");
}

#[test]
fn a_lease_needs_a_log_and_a_handle_that_does_not_lead_by_lease_takes_none() {
    let Some(pg) = TestStore::postgres() else {
        return;
    };
    let a = Store::open(&pg.url).unwrap();
    a.lead_by_lease(None);
    assert!(matches!(a.writer(ORIGIN), Err(StoreError::NoSuchLog(_))));
    drop(init(&pg));
    let _writer = a.writer(ORIGIN).unwrap();
    // A handle that does not lead by lease (`accord ledger append`) still writes,
    // fenced by the log's size.
    let plain = Store::open(&pg.url).unwrap();
    let receipt = plain
        .writer(ORIGIN)
        .unwrap()
        .append(submission(signed(Body::Open(evidence(3)), &[("iaea", 3)])))
        .unwrap();
    assert_eq!(receipt.index, 0);
    // The leader's writer reloads after the conflict and continues after it.
    let receipt = a
        .writer(ORIGIN)
        .unwrap()
        .append(submission(signed(Body::Open(evidence(4)), &[("iaea", 3)])))
        .unwrap();
    assert_eq!(receipt.index, 1);
}

#[test]
fn an_embedded_store_has_no_lease() {
    let store = TestStore::sqlite();
    drop(init(&store));
    let a = Store::open(&store.url).unwrap();
    a.lead_by_lease(Some("http://a.example".into()));
    let _writer = a.writer(ORIGIN).unwrap();
    assert!(a.leads(ORIGIN));
    let b = Store::open(&store.url).unwrap();
    b.lead_by_lease(Some("http://b.example".into()));
    assert!(b.writer(ORIGIN).is_ok());
}
