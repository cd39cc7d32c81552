//! Benchmark of disputes and triggers in the engine (issue #5): the same evidence log
//! evaluated without and with many dispute and trigger steps, so the cost of those steps
//! shows as the difference; the state from cached quorums for both logs; a timeline over
//! the whole span (one evaluation per day with a change); against the baseline of merely
//! decoding the dispute and trigger entries.
//!
//! The agreement has 100 indicators over 20 commitments reported monthly by 2 monitors
//! each, a dispute process of 3 stages and an advisory board beside the ministers (joint
//! commission, extensible by consent, then the ministers or, as an alternative,
//! arbitration) under `freeze_finding`, and 2 triggers over the last commitment, which the evidence leaves
//! non-compliant so that invocations count: one with a countdown an authority may halt,
//! one that re-earns its relief.
//!
//! Run: `cargo bench -p accord-core --bench snapback`. `DISPUTES` and `CYCLES` (trigger
//! step cycles) set the workload of the full log, `TIMELINE_DISPUTES` and `TIMELINE_CYCLES`
//! the smaller one of the timeline, `MONTHS` the months of evidence, `REPEATS` the
//! evaluations of which the median is taken, `SWEEP` the sizes (comma-separated) at which
//! the state is measured with disputes alone and with trigger cycles alone; `VERBOSE`
//! lists refused steps and phases.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::collections::{BTreeMap, BTreeSet};
use std::time::{Duration, Instant as Clock};

use accord_core::agreement::*;
use accord_core::engine::{Evaluator, evaluate, timeline};
use accord_core::id::*;
use accord_core::rule::{CommitmentStatus, Condition, DateRule, Quantifier};
use accord_core::statement::*;
use accord_core::time::{CalendarDuration, Date, Instant, Period};

const INDICATORS: usize = 100;
const COMMITMENTS: usize = 20;
const MONITORS: usize = 2;
/// Disputes contest the first 95 indicators only: a dispute over the breached commitment
/// freezes its finding, which would make most invocations fail their condition.
const DISPUTED: usize = INDICATORS - INDICATORS / COMMITMENTS;
/// The parties who dispute and invoke, and the authority who resolves and halts.
const PARTY_A: &str = "party-a";
const PARTY_B: &str = "party-b";
const AUTHORITY: &str = "authority";

fn id<T: std::str::FromStr>(s: &str) -> T
where
    T::Err: std::fmt::Debug,
{
    s.parse().unwrap()
}

fn env(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(default)
}

fn day(n: i64) -> Date {
    jiff::civil::date(2026, 1, 1)
        .checked_add(jiff::Span::new().days(n))
        .unwrap()
}

fn month_start(m: usize) -> Date {
    jiff::civil::date(2026, 1, 1)
        .checked_add(jiff::Span::new().months(m as i64))
        .unwrap()
}

fn days_since_start(d: Date) -> i64 {
    (d - jiff::civil::date(2026, 1, 1)).get_days() as i64
}

/// Midnight UTC of `d`, plus `seconds`.
fn at(d: Date, seconds: i64) -> Instant {
    let start: Instant = "2026-01-01T00:00:00Z".parse().unwrap();
    start
        .checked_add(jiff::SignedDuration::from_secs(
            days_since_start(d) * 86_400 + seconds,
        ))
        .unwrap()
}

/// The UTC day of an instant.
fn date_of(t: Instant) -> Date {
    let start: Instant = "2026-01-01T00:00:00Z".parse().unwrap();
    day(t.duration_since(start).as_secs().div_euclid(86_400))
}

/// The last commitment's indicators are reported over the limit: both triggers' condition
/// holds from the first review on, and phases never wait for it.
fn breached(indicator: usize) -> bool {
    indicator / (INDICATORS / COMMITMENTS) == COMMITMENTS - 1
}

fn stage(
    name: &str,
    days: u32,
    extension: Extension,
    next: Option<&str>,
    parallel: &[&str],
    alternatives: &[&str],
) -> Stage {
    Stage {
        id: id(name),
        title: name.into(),
        deadline: CalendarDuration::days(days),
        extension,
        next: next.map(id),
        parallel: parallel.iter().map(|s| id(s)).collect(),
        alternatives: alternatives.iter().map(|s| id(s)).collect(),
        standing: vec![],
    }
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
    let party = |name: &str, role: PartyRole| Party {
        id: id(name),
        name: name.into(),
        role,
        jurisdiction: None,
        keys: vec![],
    };
    let commitments: Vec<Commitment> = (0..COMMITMENTS)
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
            commitment: id(&format!("c{}", i / (INDICATORS / COMMITMENTS))),
            description: String::new(),
            target: IndicatorTarget::Threshold {
                comparison: Comparison::AtMost,
                limit: 300.0,
                unit: id("kg_u"),
            },
            cadence: CalendarDuration::months(1),
            starts: DateRule::On(jiff::civil::date(2026, 1, 1)),
            ends: None,
            grace: CalendarDuration::days(7),
            overdue: OverduePolicy::HoldRelief,
            cure: None,
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
    let kept: Vec<CommitmentId> = commitments[..COMMITMENTS - 1]
        .iter()
        .map(|c| c.id.clone())
        .collect();
    let phase = |n: usize, reviews: u32| Phase {
        id: id(&format!("p{n}")),
        title: format!("phase {n}"),
        entry: Condition::Status {
            quantifier: Quantifier::All,
            commitments: kept.clone(),
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
    let breach = Condition::Status {
        quantifier: Quantifier::Any,
        commitments: vec![id(&format!("c{}", COMMITMENTS - 1))],
        status: CommitmentStatus::Noncompliant,
        reviews: 1,
    };
    let trigger = |name: &str| Trigger {
        id: id(name),
        title: name.into(),
        when: breach.clone(),
        standing: vec![id(PARTY_A), id(PARTY_B)],
        automatic: false,
        countdown: Some(CalendarDuration::days(30)),
        halted_by: vec![],
        reverts_to: Reversion::PreAgreement,
        wind_down: CalendarDuration::days(30),
        non_retroactive: true,
        reentry: Reentry::ByDecision,
        milestones: vec![],
    };
    Agreement {
        id: id("bench"),
        title: "bench".into(),
        version: 1,
        effective: DateRule::On(jiff::civil::date(2026, 1, 1)),
        zone: None,
        signatories: vec![],
        document_sha256: None,
        parties: vec![
            party(PARTY_A, PartyRole::Target),
            party(PARTY_B, PartyRole::Guarantor),
            party(AUTHORITY, PartyRole::Authority),
        ],
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
        commitments,
        indicators,
        phases: vec![phase(1, 1), phase(2, 2), phase(3, 3)],
        exemptions: vec![],
        triggers: vec![
            Trigger {
                halted_by: vec![id(AUTHORITY)],
                reverts_to: Reversion::Phase { phase: id("p1") },
                ..trigger("countdown")
            },
            Trigger {
                countdown: Some(CalendarDuration::days(15)),
                reentry: Reentry::ReEarn,
                milestones: vec![],
                ..trigger("re-earn")
            },
        ],
        review: Review {
            starts: DateRule::On(jiff::civil::date(2026, 1, 1)),
            every: CalendarDuration::months(3),
            ends: None,
        },
        disputes: DisputeProcess {
            stages: vec![
                stage(
                    "joint-commission",
                    30,
                    Extension::ByConsent {
                        max: Some(CalendarDuration::days(30)),
                    },
                    Some("ministers"),
                    &[],
                    &["arbitration"],
                ),
                stage("ministers", 30, Extension::None, None, &["advisory"], &[]),
                stage("advisory", 20, Extension::None, None, &[], &[]),
                stage("arbitration", 40, Extension::None, None, &[], &[]),
            ],
            while_open: WhileOpen::FreezeFinding,
            standing: vec![id(PARTY_A), id(PARTY_B)],
            resolved_by: vec![],
            extension_consent: vec![],
        },
        proportionality: Proportionality { methods: vec![] },
    }
}

/// An entry before its log index is known (indexes follow record order).
type Unindexed = (Instant, Vec<ParticipantId>, Statement);

/// Each indicator's monthly report by each monitor, recorded on the 3rd of the next month.
fn evidence(months: usize) -> Vec<Unindexed> {
    let unit: UnitId = id("kg_u");
    let mut out = Vec::with_capacity(months * INDICATORS * MONITORS);
    for m in 0..months {
        let period = Period::new(month_start(m), month_start(m + 1).yesterday().unwrap()).unwrap();
        let recorded = month_start(m + 1)
            .checked_add(jiff::Span::new().days(2))
            .unwrap();
        for i in 0..INDICATORS {
            for monitor in 0..MONITORS {
                let value = if breached(i) { 400.0 } else { 200.0 } + (i * 7 % 5) as f64;
                out.push((
                    at(recorded, (i * MONITORS + monitor) as i64),
                    vec![id(&format!("m{monitor}"))],
                    Statement::Evidence(Evidence {
                        indicator: id(&format!("i{i}")),
                        period,
                        value: Observation::Quantity(Quantity::new(value, unit.clone()).unwrap()),
                        method: Method::OnSiteInspection,
                        attachments: vec![],
                        confidentiality: Confidentiality::Public,
                        note: None,
                        escrow_until: None,
                    }),
                ));
            }
        }
    }
    out
}

/// `disputes` disputes opened evenly from `first` to `last` (days since 1 January 2026),
/// each over a quarter already reviewed: opened (alternately by each party), its joint
/// commission extended by every party's consent, escalated to the ministers (with the
/// advisory board beside them) or to arbitration, then resolved by the authority (with both
/// parties' positions), withdrawn by its opener, or left to run out — one in three each.
fn disputes(count: usize, first: i64, last: i64) -> Vec<Unindexed> {
    let mut out = Vec::new();
    let step = |d: &str, action: DisputeAction| {
        Statement::DisputeStep(DisputeStep {
            dispute: id(d),
            step: action,
        })
    };
    for k in 0..count {
        let name = format!("d{k}");
        let opened = day(first + (last - first) * k as i64 / count.max(1) as i64);
        // Steps of one dispute on one day come at distinct seconds after the evidence.
        let s = 3600 + (k % 1000) as i64 * 10;
        let (opener, other) = if k % 2 == 0 {
            (PARTY_A, PARTY_B)
        } else {
            (PARTY_B, PARTY_A)
        };
        // The last quarter reviewed by the opening day.
        let quarter = (days_since_start(opened) / 91 - 1).clamp(0, 3) as usize;
        let period = Period::new(
            month_start(quarter * 3),
            month_start(quarter * 3 + 3).yesterday().unwrap(),
        )
        .unwrap();
        let a = |n: i64| opened.checked_add(jiff::Span::new().days(n)).unwrap();
        out.push((
            at(opened, s),
            vec![id(opener)],
            step(
                &name,
                DisputeAction::Open {
                    finding: Finding::Indicator {
                        indicator: id(&format!("i{}", k * 37 % DISPUTED)),
                        period,
                    },
                    stage: id("joint-commission"),
                    reason: "the samples were contaminated".into(),
                },
            ),
        ));
        let extend = DisputeAction::Extend {
            stage: id("joint-commission"),
            until: Some(a(45)),
        };
        for (n, who) in [opener, other, AUTHORITY].into_iter().enumerate() {
            out.push((
                at(a(1), s + n as i64),
                vec![id(who)],
                step(&name, extend.clone()),
            ));
        }
        let to = if k % 2 == 0 {
            "ministers"
        } else {
            "arbitration"
        };
        out.push((
            at(a(10), s),
            vec![id(other)],
            step(&name, DisputeAction::Escalate { to: id(to) }),
        ));
        match k % 3 {
            0 => {
                let outcome = [
                    DisputeOutcome::Upheld,
                    DisputeOutcome::Overturned,
                    DisputeOutcome::Settled,
                ][k / 3 % 3];
                out.push((
                    at(a(20), s),
                    vec![id(AUTHORITY)],
                    step(
                        &name,
                        DisputeAction::Resolve {
                            outcome,
                            note: "heard".into(),
                        },
                    ),
                ));
                for (n, (who, accepts)) in [(opener, k % 2 == 0), (other, true)]
                    .into_iter()
                    .enumerate()
                {
                    out.push((
                        at(a(21), s + n as i64),
                        vec![id(who)],
                        step(
                            &name,
                            DisputeAction::Position {
                                accepts,
                                view: "as recorded".into(),
                            },
                        ),
                    ));
                }
            }
            1 => out.push((
                at(a(15), s),
                vec![id(opener)],
                step(&name, DisputeAction::Withdraw),
            )),
            _ => {}
        }
    }
    out
}

/// `cycles` trigger cycles from `first` to `last` (days since 1 January 2026), alternating
/// triggers: each invoked by a party and, the same day, halted by the authority
/// (`countdown`) or withdrawn by the invoker (`countdown` and `re-earn`). The re-earn
/// trigger's last invocation is left to fire.
fn triggers(cycles: usize, first: i64, last: i64) -> Vec<Unindexed> {
    let mut out = Vec::new();
    let step = |t: &str, action: TriggerAction| {
        Statement::TriggerStep(TriggerStep {
            trigger: id(t),
            step: action,
        })
    };
    let last_re_earn = (0..cycles).rev().find(|k| k % 2 == 1);
    for k in 0..cycles {
        let on = day(first + (last - first) * k as i64 / cycles.max(1) as i64);
        // After the evidence and dispute steps of the day, in cycle order.
        let s = 20_000 + k as i64 * 4;
        let trigger = if k % 2 == 0 { "countdown" } else { "re-earn" };
        let invoker = if k % 4 < 2 { PARTY_A } else { PARTY_B };
        out.push((
            at(on, s),
            vec![id(invoker)],
            step(
                trigger,
                TriggerAction::Invoke {
                    reason: "the cap was exceeded".into(),
                },
            ),
        ));
        if Some(k) == last_re_earn {
            continue;
        }
        let (who, action) = if trigger == "countdown" && k % 4 == 0 {
            (
                AUTHORITY,
                TriggerAction::Halt {
                    resolution: format!("resolution {k}"),
                },
            )
        } else {
            (invoker, TriggerAction::Withdraw)
        };
        out.push((at(on, s + 1), vec![id(who)], step(trigger, action)));
    }
    out
}

/// Log entries in record order, indexed from 0.
fn indexed(mut entries: Vec<Unindexed>) -> Vec<LoggedStatement> {
    entries.sort_by_key(|e| e.0);
    entries
        .into_iter()
        .enumerate()
        .map(|(k, (recorded_at, authors, statement))| LoggedStatement {
            index: LogIndex(k as u64),
            recorded_at,
            agreement: id("bench"),
            authors,
            statement,
        })
        .collect()
}

fn is_step(e: &LoggedStatement) -> bool {
    matches!(
        e.statement,
        Statement::DisputeStep(_) | Statement::TriggerStep(_)
    )
}

fn median(mut times: Vec<Duration>) -> Duration {
    times.sort_unstable();
    times[times.len() / 2]
}

fn timed<T>(f: impl FnOnce() -> T) -> (T, Duration) {
    let t = Clock::now();
    let out = f();
    (out, t.elapsed())
}

/// The full log: evidence, disputes and trigger cycles.
fn log(months: usize, disputes_n: usize, cycles: usize) -> Vec<LoggedStatement> {
    // Disputes over quarters already reviewed, trigger steps once the first review is in,
    // both ending well inside the evidence.
    let span_end = days_since_start(month_start(months)) - 10;
    let mut entries = evidence(months);
    entries.extend(disputes(disputes_n, 100, span_end - 60));
    entries.extend(triggers(cycles, 100, span_end));
    indexed(entries)
}

fn main() {
    let months = env("MONTHS", 15);
    let disputes_n = env("DISPUTES", 1000);
    let cycles = env("CYCLES", 2000);
    let timeline_disputes = env("TIMELINE_DISPUTES", 100);
    let timeline_cycles = env("TIMELINE_CYCLES", 200);
    let repeats = env("REPEATS", 5).max(1);
    let agreement = agreement();
    let versions = std::slice::from_ref(&agreement);

    let full = log(months, disputes_n, cycles);
    let evidence_only: Vec<LoggedStatement> =
        full.iter().filter(|e| !is_step(e)).cloned().collect();
    let steps: Vec<&LoggedStatement> = full.iter().filter(|e| is_step(e)).collect();
    let n_steps = steps.len();
    let as_of = at(month_start(months + 1), 0);
    println!(
        "disputes and triggers: {} evidence entries ({INDICATORS} indicators, {MONITORS} monitors, {months} months), \
         {disputes_n} disputes and {cycles} trigger cycles = {n_steps} steps",
        evidence_only.len()
    );

    // (e) Raw parse baseline: decoding the dispute and trigger entries from JSON lines.
    let lines: Vec<String> = steps
        .iter()
        .map(|e| serde_json::to_string(e).unwrap())
        .collect();
    let decode = median(
        (0..repeats)
            .map(|_| {
                timed(|| {
                    lines
                        .iter()
                        .map(|l| serde_json::from_str::<LoggedStatement>(l).unwrap())
                        .collect::<Vec<_>>()
                })
                .1
            })
            .collect(),
    );

    // (a) and (b): whole evaluations, median of `repeats`, alternating the two logs.
    let mut baseline_times = Vec::new();
    let mut full_times = Vec::new();
    let mut baseline_state = None;
    let mut full_state = None;
    for _ in 0..repeats {
        let (s, t) = timed(|| evaluate(versions, &evidence_only, as_of).unwrap());
        baseline_times.push(t);
        baseline_state = Some(s);
        let (s, t) = timed(|| evaluate(versions, &full, as_of).unwrap());
        full_times.push(t);
        full_state = Some(s);
    }
    let baseline = median(baseline_times);
    let with_steps = median(full_times);
    let baseline_state = baseline_state.unwrap();
    let state = full_state.unwrap();

    // How many steps count: the engine lists every refused entry with its reason.
    let step_indexes: BTreeSet<u64> = steps.iter().map(|e| e.index.0).collect();
    let refused: Vec<_> = state
        .rejected
        .iter()
        .filter(|r| step_indexes.contains(&r.entry.0))
        .collect();
    let mut why: BTreeMap<String, usize> = BTreeMap::new();
    for r in &refused {
        // Reasons name disputes, entries and dates: group on their words without digits.
        let head: String = r
            .reason
            .chars()
            .filter(|c| !c.is_ascii_digit())
            .collect::<String>()
            .split_whitespace()
            .take(12)
            .collect::<Vec<_>>()
            .join(" ");
        *why.entry(head).or_default() += 1;
    }
    let fired = state
        .triggers
        .iter()
        .map(|t| format!("{} {:?}", t.id, t.status))
        .collect::<Vec<_>>()
        .join(", ");
    println!(
        "  steps refused            {:>10} of {n_steps} ({:.1}%); evidence refused: {}",
        refused.len(),
        100.0 * refused.len() as f64 / n_steps.max(1) as f64,
        baseline_state.rejected.len()
    );
    for (head, n) in &why {
        println!("    {n:>6} × {head} …");
    }
    if std::env::var("VERBOSE").is_ok() {
        for r in refused.iter().take(40) {
            println!("    {}: {}", r.entry, r.reason);
        }
        for p in &baseline_state.phases {
            println!(
                "    baseline {} {:?} {:?}",
                p.id,
                p.status,
                p.remains.first()
            );
        }
        for p in &state.phases {
            println!(
                "    with steps {} {:?} {:?}",
                p.id,
                p.status,
                p.remains.first()
            );
        }
    }
    println!(
        "    ({} disputes in the state; triggers: {fired}; {} phases reached)",
        state.disputes.len(),
        state.phases.iter().filter(|p| p.entered.is_some()).count()
    );

    let ratio = |d: Duration| d.as_secs_f64() / baseline.as_secs_f64();
    println!(
        "  (a) evaluate, evidence only (baseline) {:>9.3} s",
        baseline.as_secs_f64()
    );
    println!(
        "  (b) evaluate, with the steps           {:>9.3} s  ({:.2}x baseline; {:.2} µs more per step)",
        with_steps.as_secs_f64(),
        ratio(with_steps),
        (with_steps.as_secs_f64() - baseline.as_secs_f64()) / n_steps.max(1) as f64 * 1e6
    );

    // (c) The state from cached quorums, for both logs.
    let mut baseline_cache = Duration::ZERO;
    for (name, entries) in [("evidence only", &evidence_only), ("with the steps", &full)] {
        let mut evaluator = Evaluator::new(versions).unwrap();
        for e in entries.iter() {
            evaluator.append(e);
        }
        let (_, first) = timed(|| evaluator.state(as_of).unwrap());
        let again = median(
            (0..repeats)
                .map(|_| timed(|| evaluator.state(as_of).unwrap()).1)
                .collect(),
        );
        if baseline_cache.is_zero() {
            baseline_cache = again;
        }
        println!(
            "  (c) state from cache, {name:<15} {:>9.3} s  ({:.2}x baseline; first, filling the cache: {:.3} s)",
            again.as_secs_f64(),
            ratio(again),
            first.as_secs_f64()
        );
    }

    // (d) A timeline over the whole span, on a smaller workload.
    let small = log(months, timeline_disputes, timeline_cycles);
    let small_steps = small.iter().filter(|e| is_step(e)).count();
    let small_evidence: Vec<LoggedStatement> =
        small.iter().filter(|e| !is_step(e)).cloned().collect();
    let to = month_start(months + 1);
    let (changes, plain) = timed(|| timeline(versions, &small_evidence, None, to).unwrap());
    let plain_changes = changes.len();
    let (changes, stepped) = timed(|| timeline(versions, &small, None, to).unwrap());
    let days: BTreeSet<Date> = small.iter().map(|e| date_of(e.recorded_at)).collect();
    println!(
        "  (d) timeline, evidence only            {:>9.3} s  ({:.2}x baseline; {plain_changes} changes)",
        plain.as_secs_f64(),
        ratio(plain)
    );
    println!(
        "  (d) timeline, {timeline_disputes} disputes + {timeline_cycles} cycles {:>9.3} s  ({:.2}x baseline; {small_steps} steps on {} record days, {} changes)",
        stepped.as_secs_f64(),
        ratio(stepped),
        days.len(),
        changes.len()
    );
    println!(
        "  (e) decode the {n_steps} steps (JSON) {:>9.3} s  ({:.2}x baseline; {:.2} µs per step)",
        decode.as_secs_f64(),
        ratio(decode),
        decode.as_secs_f64() / n_steps.max(1) as f64 * 1e6
    );

    // (f) How the state's cost grows: disputes alone, then trigger cycles alone.
    let sweep = |name: &str, sizes: &str, make: &dyn Fn(usize) -> Vec<LoggedStatement>| {
        for size in sizes
            .split(',')
            .filter_map(|s| s.trim().parse::<usize>().ok())
        {
            let entries = make(size);
            let steps = entries.iter().filter(|e| is_step(e)).count();
            let mut evaluator = Evaluator::new(versions).unwrap();
            for e in &entries {
                evaluator.append(e);
            }
            let refused = evaluator.state(as_of).unwrap().rejected.len();
            let t = median(
                (0..repeats)
                    .map(|_| timed(|| evaluator.state(as_of).unwrap()).1)
                    .collect(),
            );
            let extra = t.as_secs_f64() - baseline_cache.as_secs_f64();
            println!(
                "  (f) state from cache, {size:>6} {name:<9} {:>9.3} s  ({:.2}x baseline; {steps} steps, {refused} refused; {:.2} µs more per step)",
                t.as_secs_f64(),
                ratio(t),
                extra / steps.max(1) as f64 * 1e6
            );
        }
    };
    let sizes = std::env::var("SWEEP").unwrap_or_else(|_| "1000,2000,4000,8000".into());
    sweep("disputes", &sizes, &|d| log(months, d, 0));
    sweep("cycles", &sizes, &|c| log(months, 0, c));
}
