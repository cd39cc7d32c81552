//! Bench only: builds the dashboard bench's store fast (issue #14's 1M-entry figure).
//!
//! The same log `crates/server/benches/dashboard.sh` plays through `accord play` — the
//! bundled nuclear-caps scenario, then `ENTRIES` monthly enrichment reports by the IAEA, one
//! a minute from 2027-05-06 — but appended through the store's writer in large batches:
//! the scenario's own entries one by one at their record times (as `accord play` does),
//! then the reports signed here and submitted a batch at a time without waiting for each
//! commit, every entry of a batch recorded at its batch's last minute (record times never
//! go backwards). `accord play` waits for each entry's commit and checks the whole
//! scenario against the evaluation first, which at 1M entries takes about an hour.
//!
//! ```text
//! cargo run --release -p accord-web --example bench_store -- sqlite:/tmp/bench.db 1000000
//! ```

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::print_stdout)]

use std::collections::BTreeMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};
use std::time::Instant as Clock;

use accord_app::agreements::{self, AgreementText};
use accord_core::id::{AgreementId, IndicatorId, ParticipantId, UnitId};
use accord_core::statement::{Confidentiality, Evidence, Method, Observation, Quantity, Statement};
use accord_ledger::entry::{Body, Entry, seal};
use accord_ledger::note::SignerKey;
use accord_scenario::VersionDoc;
use accord_store::ledger::{GroupCommit, Submission};

/// Entries submitted before the writer's answers are awaited.
const BATCH: usize = 4096;

fn bundled(path: &str) -> &'static str {
    accord_app::play::BUNDLED
        .iter()
        .find(|b| b.path == path)
        .expect("bundled")
        .text
}

fn sign(
    agreement: &AgreementId,
    origin: &str,
    authors: &[ParticipantId],
    statement: &Statement,
    keys: &BTreeMap<ParticipantId, SignerKey>,
) -> Submission {
    let confidential = match statement {
        Statement::Evidence(e) => e.confidentiality == Confidentiality::Confidential,
        Statement::Correction(c) => c.evidence.confidentiality == Confidentiality::Confidential,
        _ => false,
    };
    let (body, sealed) = if confidential {
        let salt = accord_app::keys::random_32().unwrap();
        let (body, content) = seal(statement, &salt);
        (body, Some((salt, content)))
    } else {
        (Body::Open(statement.clone()), None)
    };
    let entry = Entry {
        origin: origin.to_owned(),
        agreement: agreement.clone(),
        body,
    };
    let signers: Vec<(&ParticipantId, &SignerKey)> =
        authors.iter().map(|a| (a, &keys[a])).collect();
    Submission {
        entry: entry.sign(&signers),
        sealed,
    }
}

/// The dashboard bench's report number `i`: on the month before its minute.
fn report(i: u64, start: jiff::Timestamp) -> (jiff::Timestamp, Statement) {
    let at = start
        .checked_add(jiff::SignedDuration::from_mins(i as i64))
        .unwrap();
    let day = accord_app::time::today(at);
    let first_this = day.first_of_month();
    let last = first_this.yesterday().unwrap();
    let first = last.first_of_month();
    let statement = Statement::Evidence(Evidence {
        indicator: IndicatorId::new("u235_enrichment").unwrap(),
        period: accord_core::time::Period::new(first, last).unwrap(),
        value: Observation::Quantity(
            Quantity::new(3.6, UnitId::new("percent_u235").unwrap()).unwrap(),
        ),
        method: Method::OnSiteInspection,
        attachments: vec![],
        confidentiality: Confidentiality::Public,
        note: Some(format!("reading {i}")),
        escrow_until: None,
    });
    (at, statement)
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let [_, url, entries] = args.as_slice() else {
        eprintln!("usage: bench_store STORE_URL ENTRIES");
        std::process::exit(2);
    };
    let entries: u64 = entries.parse().expect("ENTRIES is a number");
    let began = Clock::now();
    let store = accord_app::open(&url.parse().expect("a store URL"), false).unwrap();
    let versions = agreements::check(&[AgreementText {
        name: "nuclear-caps.toml".into(),
        bytes: bundled("nuclear-caps.toml").as_bytes().to_vec(),
    }])
    .unwrap();
    let docs: Vec<VersionDoc<'_>> = versions
        .iter()
        .map(|v| VersionDoc {
            agreement: &v.agreement,
            sha256: &v.sha256,
        })
        .collect();
    let planned = accord_scenario::parse(bundled("scenarios/nuclear-caps.toml"))
        .unwrap()
        .lower(&docs, 0)
        .unwrap();
    let agreement = &versions[0].agreement;
    let origin = format!("accord.play/{}", agreement.id);
    let mut keys = BTreeMap::new();
    for id in agreement
        .parties
        .iter()
        .map(|p| &p.id)
        .chain(agreement.monitors.iter().map(|m| &m.id))
    {
        keys.insert(
            id.clone(),
            accord_app::keys::generate(id.as_str(), false).unwrap(),
        );
    }
    let public: BTreeMap<ParticipantId, String> = keys
        .iter()
        .map(|(id, k)| {
            use base64::Engine as _;
            let encoded = base64::engine::general_purpose::STANDARD.encode(k.public_key());
            (id.clone(), encoded)
        })
        .collect();
    let roster = accord_app::ledger::roster_for(agreement, &public, planned[0].at);
    let log_key = accord_app::keys::generate(&origin, false).unwrap();
    agreements::register(&store, &versions).unwrap();
    let ledger = store
        .init_log(&origin, &log_key.verifier(), &roster)
        .unwrap();
    let now = Arc::new(AtomicI64::new(0));
    let clock_now = Arc::clone(&now);
    let writer = ledger
        .into_sequencer(GroupCommit {
            max_batch: BATCH,
            clock: Arc::new(move || {
                jiff::Timestamp::from_microsecond(clock_now.load(Ordering::SeqCst)).unwrap()
            }),
            ..GroupCommit::default()
        })
        .unwrap();
    // The scenario, one entry at a time at its own record time.
    for p in &planned {
        now.store(p.at.as_microsecond(), Ordering::SeqCst);
        writer
            .append(sign(&p.agreement, &origin, &p.authors, &p.statement, &keys))
            .unwrap();
    }
    println!(
        "bench_store: the scenario's {} entries in {:.1} s",
        planned.len(),
        began.elapsed().as_secs_f64()
    );
    // The reports, a batch at a time.
    let start: jiff::Timestamp = "2027-05-06T00:00:00Z".parse().unwrap();
    let iaea = vec![ParticipantId::new("iaea").unwrap()];
    let mut next = 0u64;
    while next < entries {
        let end = (next + BATCH as u64).min(entries);
        let batch: Vec<(jiff::Timestamp, Submission)> = (next..end)
            .map(|i| {
                let (at, statement) = report(i, start);
                (at, sign(&agreement.id, &origin, &iaea, &statement, &keys))
            })
            .collect();
        let last = batch.last().map(|(at, _)| *at).unwrap();
        now.store(last.as_microsecond(), Ordering::SeqCst);
        let pending: Vec<_> = batch
            .into_iter()
            .map(|(_, submission)| writer.submit(submission))
            .collect();
        for receipt in pending {
            receipt.recv().unwrap().unwrap();
        }
        next = end;
        if next % 100_000 < BATCH as u64 || next == entries {
            println!(
                "bench_store: {next} reports appended, {:.1} s",
                began.elapsed().as_secs_f64()
            );
        }
    }
    writer.shutdown();
    store
        .ledger(Some(&origin))
        .unwrap()
        .checkpoint(&log_key)
        .unwrap();
    println!(
        "bench_store: log {origin} of {} entries, checkpointed, in {:.1} s",
        planned.len() as u64 + entries,
        began.elapsed().as_secs_f64()
    );
}
