//! Benchmark of `accord simulate` (issue #16): runs per second on the bundled nuclear
//! agreement and its bundled model over a 10-year horizon, against the naive baseline in
//! the same run — the same histories and reactions with a full `evaluate` of the whole log
//! at every review date instead of the incremental evaluator looked at when needed.
//!
//! Run: `cargo bench -p accord-simulate --bench simulate`. `RUNS` (default 10,000) sets the
//! runs of the incremental simulation, `BASELINE_RUNS` (default 200) those of the baseline
//! (it is far slower; runs per second are compared), `THREADS` the rayon threads (default:
//! every core). `CHECKS=0` skips the checks after the timings (the incremental engine at
//! the baseline's looks, and which runs the sparse looks change), for CPU-time measures;
//! `REPEAT=n` runs the big simulation n times (the same runs: a later pass slower than the
//! first would be the process's age). The big run prints runs per second in each tenth of
//! its runs (wall clock and per CPU-second), memory, and a digest of its JSON.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, missing_docs)]

use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Instant;

use accord_simulate::{Evaluation, RunOutcome, Settings, Tick, model, one_run, simulate};

fn env(name: &str, default: u32) -> u32 {
    std::env::var(name)
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(default)
}

/// The process's resident memory now and at its peak, in MiB (Linux; 0 elsewhere).
fn memory() -> (u64, u64) {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    let field = |name: &str| {
        status
            .lines()
            .find_map(|l| l.strip_prefix(name))
            .and_then(|v| v.split_whitespace().next())
            .and_then(|v| v.parse::<u64>().ok())
            .unwrap_or(0)
            / 1024
    };
    (field("VmRSS:"), field("VmHWM:"))
}

/// The CPU seconds the process has used (user and system, every thread; Linux, at the
/// kernel's 100 ticks per second; 0 elsewhere).
fn cpu() -> f64 {
    let stat = std::fs::read_to_string("/proc/self/stat").unwrap_or_default();
    // The fields after the command's closing parenthesis: utime and stime are the 12th
    // and 13th of them.
    let rest = stat.rsplit_once(')').map_or("", |(_, r)| r);
    let ticks: u64 = rest
        .split_whitespace()
        .skip(11)
        .take(2)
        .filter_map(|v| v.parse::<u64>().ok())
        .sum();
    ticks as f64 / 100.0
}

/// Runs per second in each tenth of a simulation (in the order runs finish), to see
/// whether a run costs more the more runs came before it.
struct Windows {
    done: AtomicU64,
    every: u64,
    marks: Mutex<Vec<(Instant, f64)>>,
}

impl Windows {
    fn new(runs: u32) -> Self {
        Windows {
            done: AtomicU64::new(0),
            every: (u64::from(runs) / 10).max(1),
            marks: Mutex::new(vec![(Instant::now(), cpu())]),
        }
    }

    fn tick(&self, t: Tick) {
        if let Tick::Done = t {
            let n = self.done.fetch_add(1, Ordering::Relaxed) + 1;
            if n.is_multiple_of(self.every) {
                self.marks.lock().unwrap().push((Instant::now(), cpu()));
            }
        }
    }

    fn rates(&self) -> String {
        let marks = self.marks.lock().unwrap();
        marks
            .windows(2)
            .map(|w| {
                let n = self.every as f64;
                format!(
                    "{:.0} ({:.0} per CPU-s)",
                    n / (w[1].0 - w[0].0).as_secs_f64(),
                    n / (w[1].1 - w[0].1).max(0.01)
                )
            })
            .collect::<Vec<_>>()
            .join(", ")
    }
}

fn main() {
    let root = concat!(env!("CARGO_MANIFEST_DIR"), "/../..");
    let text = std::fs::read_to_string(format!("{root}/examples/nuclear-caps.toml")).unwrap();
    let agreement = accord_spec::parse(&text).agreement.unwrap();
    let source =
        std::fs::read_to_string(format!("{root}/examples/models/nuclear-caps.toml")).unwrap();
    let m = model::read::parse(&source, &agreement).model.unwrap();
    let threads = env("THREADS", 0) as usize;
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()
        .unwrap();
    let versions = std::slice::from_ref(&agreement);
    let settings = |runs: u32, evaluation: Evaluation| Settings {
        runs,
        seed: 2026,
        horizon: "P10Y".parse().unwrap(),
        sensitivity_runs: 0,
        evaluation,
    };
    let runs = env("RUNS", 10_000);
    let baseline_runs = env("BASELINE_RUNS", 200);
    println!("threads: {}", pool.current_num_threads());
    let windows = |s: &Settings| {
        let w = Windows::new(s.runs);
        let start = Instant::now();
        let sim = pool
            .install(|| simulate(versions, &m, s, &|t: Tick| w.tick(t)))
            .unwrap();
        (start.elapsed().as_secs_f64(), sim, w)
    };
    let time = |s: Settings| {
        let (secs, sim, _) = windows(&s);
        (secs, sim)
    };
    let rate = |n: u32, secs: f64| f64::from(n) / secs;
    let (naive, naive_sim) = time(settings(baseline_runs, Evaluation::FullReplay));
    println!(
        "baseline (full evaluate at every review): {baseline_runs} runs in {naive:.2} s — {:.1} runs/s, {:.1} states per run",
        rate(baseline_runs, naive),
        naive_sim.states_per_run
    );
    let (same, same_sim) = time(settings(baseline_runs, Evaluation::Incremental));
    println!(
        "incremental with sparse looks (not what accord simulate runs: they change relief-days), same {baseline_runs} runs: {same:.2} s — {:.1} runs/s, {:.1} states per run: {:.1}× the baseline",
        rate(baseline_runs, same),
        same_sim.states_per_run,
        rate(baseline_runs, same) / rate(baseline_runs, naive)
    );
    // `REPEAT=n`: the same simulation n - 1 times first, each pass's runs per CPU-second
    // printed — the same runs, so a later pass slower than the first is the process's age
    // (its allocator's state, say), not the runs'.
    for pass in 1..env("REPEAT", 1) {
        let c = cpu();
        let (_, again, _) = windows(&settings(runs, Evaluation::IncrementalEveryReview));
        println!(
            "  pass {pass}: {:.0} runs per CPU-second ({:.1} states per run)",
            f64::from(runs) / (cpu() - c).max(0.01),
            again.states_per_run
        );
    }
    let c = cpu();
    let (ours, sim, w) = windows(&settings(runs, Evaluation::IncrementalEveryReview));
    let ours_cpu = cpu() - c;
    println!(
        "incremental at every review (what accord simulate runs), {runs} runs: {ours:.2} s — {:.1} runs/s, {:.1} states per run: {:.1}× the baseline{}",
        rate(runs, ours),
        sim.states_per_run,
        rate(runs, ours) / rate(baseline_runs, naive),
        if ours < 60.0 {
            "; under a minute"
        } else {
            "; over a minute"
        }
    );
    let (rss, peak) = memory();
    // FNV-1a of the simulation's JSON: two builds that compute the same runs print the same.
    let digest = serde_json::to_string(&sim)
        .unwrap()
        .bytes()
        .fold(0xcbf2_9ce4_8422_2325_u64, |h, b| {
            (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
        });
    println!(
        "  runs/s in each tenth of those runs (wall, and per CPU-second of the process): {}; {:.0} runs per CPU-second in all; memory {rss} MiB resident, {peak} MiB at the peak; JSON digest {digest:016x}",
        w.rates(),
        f64::from(runs) / ours_cpu.max(0.01)
    );
    let phases_agree = |x: &accord_simulate::Simulation, y: &accord_simulate::Simulation| {
        x.distributions
            .phases
            .iter()
            .zip(&y.distributions.phases)
            .all(|(a, b)| a.quantiles == b.quantiles && a.never == b.never)
    };
    println!(
        "phase quantiles of the baseline and the incremental runs agree: {}",
        phases_agree(&naive_sim, &same_sim)
    );
    for (a, b) in naive_sim
        .distributions
        .triggers
        .iter()
        .zip(&same_sim.distributions.triggers)
    {
        println!(
            "trigger {}: fired in {:.1}% of the baseline's runs, {:.1}% of the incremental's",
            a.id,
            100.0 * a.fired,
            100.0 * b.fired
        );
    }
    if env("CHECKS", 1) == 0 {
        return;
    }
    // Like with like: the incremental engine looked at every review, as the baseline is,
    // draws the same reactions, so everything it reports must be the baseline's.
    let (_, every) = time(settings(baseline_runs, Evaluation::IncrementalEveryReview));
    let json = |x: &accord_simulate::Simulation| serde_json::to_string(x).unwrap();
    println!(
        "the incremental engine at the baseline's looks (every review), same {baseline_runs} runs: phase quantiles agree: {}; whole simulation JSON identical: {}",
        phases_agree(&naive_sim, &every),
        json(&naive_sim) == json(&every)
    );
    // The sparse looks: which runs come to another outcome, and whether their last states
    // (the engine's final word on the same log) differ too.
    let s = settings(baseline_runs, Evaluation::FullReplay);
    for run in 0..u64::from(baseline_runs) {
        let (a, last_a) = one_run(versions, &m, &s, run).unwrap();
        let sparse = Settings {
            evaluation: Evaluation::Incremental,
            ..s.clone()
        };
        let (b, last_b) = one_run(versions, &m, &sparse, run).unwrap();
        let states = |x: &RunOutcome| RunOutcome {
            states: 0,
            ..x.clone()
        };
        if states(&a) != states(&b) {
            let same_last = last_a.as_ref().map(|x| serde_json::to_value(x).unwrap())
                == last_b.as_ref().map(|x| serde_json::to_value(x).unwrap());
            println!(
                "run {run} differs with sparse looks: phases first seen on days {:?} (every review) vs {:?} (sparse); triggers {:?} vs {:?}; relief-days {:?} vs {:?}; last states identical: {same_last}",
                a.phases, b.phases, a.triggers, b.triggers, a.relief_days, b.relief_days
            );
        }
    }
}
