//! Benchmark of the evaluation engine (issue #4): full replay of 1M evidence entries over
//! an agreement of 100 indicators, against the baseline of merely decoding those entries;
//! incremental update per entry (median and p99); and the derivation of the whole state,
//! which includes "what remains" for every phase.
//!
//! Run: `cargo bench -p accord-core --bench engine` (`ENTRIES=100000` for a shorter run).

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::time::{Duration, Instant as Clock};

use accord_core::agreement::*;
use accord_core::engine::{Evaluator, evaluate};
use accord_core::id::*;
use accord_core::rule::{CommitmentStatus, Condition, DateRule, Quantifier};
use accord_core::statement::*;
use accord_core::time::{CalendarDuration, Date, Instant, Period};

const INDICATORS: usize = 100;
const MONITORS: usize = 3;

fn id<T: std::str::FromStr>(s: &str) -> T
where
    T::Err: std::fmt::Debug,
{
    s.parse().unwrap()
}

fn agreement() -> Agreement {
    let monitors: Vec<Monitor> = (0..MONITORS)
        .map(|m| Monitor {
            id: id(&format!("m{m}")),
            name: format!("monitor {m}"),
            methods: vec![Method::OnSiteInspection],
            keys: vec![],
        })
        .collect();
    let commitments: Vec<Commitment> = (0..INDICATORS / 5)
        .map(|c| Commitment {
            id: id(&format!("c{c}")),
            title: format!("commitment {c}"),
            text: String::new(),
            themes: Vec::new(),
        })
        .collect();
    let indicators = (0..INDICATORS)
        .map(|i| Indicator {
            id: id(&format!("i{i}")),
            commitment: id(&format!("c{}", i / 5)),
            description: String::new(),
            target: IndicatorTarget::Threshold {
                comparison: Comparison::AtMost,
                limit: 300.0,
                unit: id("kg_u"),
            },
            cadence: CalendarDuration::days(1),
            starts: DateRule::On(jiff::civil::date(2026, 1, 1)),
            ends: None,
            grace: CalendarDuration::days(7),
            overdue: OverduePolicy::HoldRelief,
            cure: Some(CalendarDuration::days(30)),
            stands: None,
            verification: Verification {
                monitors: monitors.iter().map(|m| m.id.clone()).collect(),
                methods: vec![Method::OnSiteInspection],
                quorum: 2,
                tolerance: Tolerance::Relative { fraction: 0.05 },
                self_report: SelfReport::NotAccepted,
                confidentiality: Confidentiality::Public,
            },
        })
        .collect();
    let phase = |n: usize, reviews: u32| Phase {
        id: id(&format!("p{n}")),
        title: format!("phase {n}"),
        entry: Condition::Status {
            quantifier: Quantifier::All,
            commitments: commitments.iter().map(|c| c.id.clone()).collect(),
            status: CommitmentStatus::Compliant,
            reviews,
        },
        not_before: None,
        actions: vec![ReliefAction {
            id: id(&format!("a{n}")),
            title: String::new(),
            kind: ReliefKind::Cooperation {
                area: format!("area {n}"),
            },
            regime: id("r"),
            starts: None,
            expires: None,
            renewal: Renewal::None,
            supersedes: None,
            lifted: None,
            weight: 1.0,
        }],
    };
    Agreement {
        id: id("bench"),
        title: "bench".into(),
        version: 1,
        effective: DateRule::On(jiff::civil::date(2026, 1, 1)),
        zone: None,
        signatories: vec![],
        document_sha256: None,
        parties: vec![],
        monitors,
        regimes: vec![],
        units: vec![Unit {
            id: id("kg_u"),
            quantity: "uranium_mass".into(),
            factor: 1.0,
            description: String::new(),
            precision: None,
        }],
        events: vec![],
        commitments: commitments.clone(),
        indicators,
        // The last phase needs more reviews than the log covers: it stays "not reached"
        // and has something that remains.
        phases: vec![phase(1, 2), phase(2, 8), phase(3, 16), phase(4, 400)],
        exemptions: vec![],
        triggers: vec![],
        review: Review {
            starts: DateRule::On(jiff::civil::date(2026, 1, 1)),
            every: CalendarDuration::months(3),
            ends: None,
        },
        disputes: DisputeProcess {
            stages: vec![],
            while_open: WhileOpen::FreezeFinding,
            standing: vec![],
            resolved_by: vec![],
            extension_consent: vec![],
        },
        proportionality: Proportionality { methods: vec![] },
    }
}

/// Entry `k`: monitor `k / 100 % 3` reports indicator `k % 100` for day `k / 300`,
/// recorded the next day.
fn entries(n: usize) -> Vec<LoggedStatement> {
    let start = jiff::civil::date(2026, 1, 1);
    let days = n / (INDICATORS * MONITORS) + 2;
    let dates: Vec<Date> = (0..days)
        .map(|d| start.checked_add(jiff::Span::new().days(d as i64)).unwrap())
        .collect();
    let base: Instant = "2026-01-02T00:00:00Z".parse().unwrap();
    let indicator_ids: Vec<IndicatorId> = (0..INDICATORS).map(|i| id(&format!("i{i}"))).collect();
    let monitor_ids: Vec<ParticipantId> = (0..MONITORS).map(|m| id(&format!("m{m}"))).collect();
    let agreement_id: AgreementId = id("bench");
    let unit: UnitId = id("kg_u");
    (0..n)
        .map(|k| {
            let i = k % INDICATORS;
            let m = (k / INDICATORS) % MONITORS;
            let day = k / (INDICATORS * MONITORS);
            let recorded_at = base
                .checked_add(jiff::SignedDuration::from_secs(
                    (day * 86_400 + m * INDICATORS + i) as i64,
                ))
                .unwrap();
            LoggedStatement {
                index: LogIndex(k as u64),
                recorded_at,
                agreement: agreement_id.clone(),
                authors: vec![monitor_ids[m].clone()],
                statement: Statement::Evidence(Evidence {
                    indicator: indicator_ids[i].clone(),
                    period: Period::new(dates[day], dates[day]).unwrap(),
                    value: Observation::Quantity(
                        Quantity::new(200.0 + (k * 37 % 10) as f64, unit.clone()).unwrap(),
                    ),
                    method: Method::OnSiteInspection,
                    attachments: vec![],
                    confidentiality: Confidentiality::Public,
                    note: None,
                    escrow_until: None,
                }),
            }
        })
        .collect()
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i]
}

fn main() {
    let n: usize = std::env::var("ENTRIES")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(1_000_000);
    let agreement = agreement();
    let versions = std::slice::from_ref(&agreement);
    println!(
        "evaluation engine: {n} evidence entries, {INDICATORS} indicators, {MONITORS} monitors each, daily cadence"
    );

    let generated = entries(n);
    let lines: Vec<String> = generated
        .iter()
        .map(|e| serde_json::to_string(e).unwrap())
        .collect();
    let bytes: usize = lines.iter().map(|l| l.len() + 1).sum();
    drop(generated);
    let as_of = {
        let last: &LoggedStatement = &serde_json::from_str(lines.last().unwrap()).unwrap();
        last.recorded_at
            .checked_add(jiff::SignedDuration::from_hours(24 * 10))
            .unwrap()
    };

    // Baseline: decoding the entries (serde_json of `LoggedStatement`, one per line).
    let t = Clock::now();
    let decoded: Vec<LoggedStatement> = lines
        .iter()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let decode = t.elapsed();
    println!(
        "  decode (baseline)        {:>10.3} s  {:>12.0} entries/s  ({} MB of JSON lines)",
        decode.as_secs_f64(),
        n as f64 / decode.as_secs_f64(),
        bytes / 1_000_000
    );

    // Full replay.
    let t = Clock::now();
    let state = evaluate(versions, &decoded, as_of).unwrap();
    let full = t.elapsed();
    println!(
        "  full replay              {:>10.3} s  {:>12.0} entries/s  ({:.2}x decode)",
        full.as_secs_f64(),
        n as f64 / full.as_secs_f64(),
        full.as_secs_f64() / decode.as_secs_f64()
    );
    let reached = state.phases.iter().filter(|p| p.entered.is_some()).count();
    println!(
        "    ({} reviews, {} of {} phases reached, {} rejected)",
        state.reviews.len(),
        reached,
        state.phases.len(),
        state.rejected.len()
    );
    drop(state);

    // Incremental: an evaluator holding all but the last 10 000 entries, with its quorums
    // cached; then each append is timed.
    let tail = 10_000.min(n / 2);
    let (head, rest) = decoded.split_at(n - tail);
    let mut evaluator = Evaluator::new(versions).unwrap();
    for e in head {
        evaluator.append(e);
    }
    let t = Clock::now();
    let _ = evaluator.state(as_of).unwrap();
    let derive = t.elapsed();
    let mut times = Vec::with_capacity(rest.len());
    for e in rest {
        let t = Clock::now();
        evaluator.append(e);
        times.push(t.elapsed());
    }
    times.sort_unstable();
    println!(
        "  incremental append       median {:>6.2} µs   p99 {:>6.2} µs   max {:>8.2} µs  ({} appends)",
        percentile(&times, 0.5).as_secs_f64() * 1e6,
        percentile(&times, 0.99).as_secs_f64() * 1e6,
        times.last().unwrap().as_secs_f64() * 1e6,
        times.len()
    );

    // The whole state from cached quorums: every status, and what remains for every phase.
    let mut derives = Vec::new();
    for _ in 0..3 {
        let t = Clock::now();
        let s = evaluator.state(as_of).unwrap();
        derives.push(t.elapsed());
        assert!(s.phases.iter().any(|p| !p.remains.is_empty()));
    }
    derives.sort_unstable();
    println!(
        "  state from cache         {:>10.3} s  (first, filling the cache: {:.3} s)",
        derives[1].as_secs_f64(),
        derive.as_secs_f64()
    );
    let t = Clock::now();
    let s = evaluator.state(as_of).unwrap();
    let phases_remain: usize = s.phases.iter().map(|p| p.remains.len()).sum();
    println!(
        "  what remains, every phase {:>9.3} s  ({} unmet conditions over {} phases, within the state above)",
        t.elapsed().as_secs_f64(),
        phases_remain,
        s.phases.len()
    );
}
