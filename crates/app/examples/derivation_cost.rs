//! What one derivation costs when the log is large: the figure behind a "now" request to
//! the evaluation cache (`accord_app::evaluations`), whose instant is new every time.
//!
//! The bundled nuclear-caps scenario is played into a temporary store and read back; then
//! `ENTRIES` (default 1,000,000) monthly enrichment reports by the IAEA are added in memory,
//! one a minute after 2027-05-06 (the workload of `crates/server/benches/dashboard.sh`),
//! appended to an `Evaluator` as the cache appends them, and states derived for fresh
//! instants: after every entry (what "now" sees once the log is current) and in the middle
//! of the log. The full replay of the same log (`accord_core::engine::evaluate`, what every
//! request cost before the cache, without even reading or verifying the log) is the
//! baseline.
//!
//! `cargo run --release -p accord-app --example derivation_cost` (ENTRIES=100000 for a
//! quick run).

use std::time::{Duration, Instant as Clock};

use accord_app::evaluate::{AgreementSource, Inputs, LogSource};
use accord_app::{Store, StoreUrl};
use accord_core::engine::Evaluator;
use accord_core::statement::{LogIndex, LoggedStatement, Statement};
use accord_core::time::Period;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let entries: usize = std::env::var("ENTRIES")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(1_000_000);
    let dir = tempfile::tempdir()?;
    let store = accord_app::open(&StoreUrl::Sqlite(dir.path().join("accord.db")), false)?;
    accord_app::play::play_bundled(&store, "scenarios/nuclear-caps.toml")?;
    let (versions, log) = grown(&store, entries)?;
    println!("log of {} entries", log.len());

    let started = Clock::now();
    let mut evaluator = Evaluator::new(&versions)?;
    for entry in &log {
        evaluator.append(entry);
    }
    println!("append every entry: {:.2?}", started.elapsed());

    let last = log.last().map(|e| e.recorded_at).ok_or("empty log")?;
    let middle = log
        .get(log.len() / 2)
        .map(|e| e.recorded_at)
        .ok_or("empty log")?;
    // RUNS=N derives N fresh instants of each kind (a profile's workload).
    let runs: i64 = std::env::var("RUNS")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(20);
    for (what, from) in [("after every entry (now)", last), ("mid-log", middle)] {
        let mut times = Vec::new();
        for second in 1..=runs {
            let as_of = from + jiff::SignedDuration::from_secs(second);
            let started = Clock::now();
            evaluator.state(as_of)?;
            times.push(started.elapsed());
        }
        report(&format!("derive as of a new instant, {what}"), &mut times);
    }
    // The first request for each of bench/as_of.lua's eight instants (the memo row): a
    // past instant sees a different part of the log, so what the latest state kept
    // serves it less.
    let mut times = Vec::new();
    for at in [
        "2026-07-01T23:59:59Z",
        "2026-12-31T23:59:59Z",
        "2027-03-15T23:59:59Z",
        "2027-06-30T23:59:59Z",
        "2027-12-31T12:00:00Z",
        "2028-06-30T23:59:59Z",
        "2028-12-31T23:59:59Z",
        "2029-03-01T23:59:59Z",
    ] {
        let as_of: jiff::Timestamp = at.parse()?;
        let started = Clock::now();
        evaluator.state(as_of)?;
        let took = started.elapsed();
        println!("  first derivation as of {at}: {took:.2?}");
        times.push(took);
    }
    report(
        "derive as of each of as_of.lua's eight instants",
        &mut times,
    );
    if std::env::var("BASELINE").is_ok_and(|b| b == "0") {
        return Ok(());
    }
    let mut times = Vec::new();
    for _ in 0..3 {
        let started = Clock::now();
        accord_core::engine::evaluate(&versions, &log, last)?;
        times.push(started.elapsed());
    }
    report("baseline: full replay (evaluate) per request", &mut times);
    Ok(())
}

/// The played log read back, with `n` monthly enrichment reports added after it.
fn grown(
    store: &Store,
    n: usize,
) -> Result<
    (Vec<accord_core::agreement::Agreement>, Vec<LoggedStatement>),
    Box<dyn std::error::Error>,
> {
    let agreement = AgreementSource::Registered("arden-nuclear-2026".into());
    let inputs = Inputs::read(&agreement, LogSource::Store(store))?;
    let template = inputs
        .log
        .iter()
        .rev()
        .find(|e| matches!(&e.statement, Statement::Evidence(ev) if ev.indicator.as_str() == "u235_enrichment"))
        .ok_or("no enrichment report in the scenario")?
        .clone();
    let mut log = inputs.log;
    let start: jiff::Timestamp = "2027-05-06T00:00:00Z".parse()?;
    for i in 0..n {
        let at = start + jiff::SignedDuration::from_mins(i as i64);
        let day = accord_core::engine::date_of(at);
        let this_month = day.first_of_month();
        let last = this_month.yesterday()?;
        let first = last.first_of_month();
        let mut entry = template.clone();
        entry.index = LogIndex(log.len() as u64);
        entry.recorded_at = at;
        if let Statement::Evidence(ev) = &mut entry.statement {
            ev.period = Period::new(first, last)?;
            ev.note = Some(format!("reading {i}"));
        }
        log.push(entry);
    }
    Ok((inputs.versions, log))
}

fn report(what: &str, times: &mut [Duration]) {
    times.sort();
    let at = |q: f64| times.get(((times.len() - 1) as f64 * q) as usize).copied();
    println!(
        "{what}: p50 {:.2?}, max {:.2?} ({} runs)",
        at(0.5).unwrap_or_default(),
        at(1.0).unwrap_or_default(),
        times.len()
    );
}
