//! Screening speed: queries per second on one core, with p50/p99 latency, against the real
//! list samples loaded together and against one million generated names.
//!
//! Run: `cargo bench -p accord-screen --bench speed`. `ACCORD_BENCH_NAMES` sets the number
//! of generated names (default 1,000000); `ACCORD_SANCTIONS_DATA` the samples directory
//! (default `../../../shared/data/sanctions` from this crate). Names are generated
//! deterministically at run time and never committed. Queries run on one thread, so
//! queries/s is per core; queries per CPU-second leave out time spent preempted.
//! Diagnostics: `ACCORD_SHOW_SLOWEST=1`, `ACCORD_SHOW_MISSES=1`, and
//! `ACCORD_DEBUG_QUERY=NAME` (prints that name's top hits on the samples).
//!
//! For scale (reported figures, not measured here): OpenSanctions' yente reports about 4
//! requests/s per vCPU for its best matcher; a leading OFAC screening server about 0.85 ms
//! per search. Goal: at least 1,000 queries/s per core at 1M names.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::time::{Duration, Instant};

use accord_screen::{
    Candidate, CandidateName, Identifier, Index, NameKind, Query, Schema, Settings,
};

mod common;
use common::{Rng, samples, samples_dir};

const ONSETS: &[&str] = &[
    "b", "d", "f", "g", "h", "k", "l", "m", "n", "p", "r", "s", "t", "v", "z", "ch", "sh", "kh",
    "st", "tr", "al", "an", "el", "ar", "br", "gr", "ya", "mi",
];
const VOWELS: &[&str] = &["a", "e", "i", "o", "u", "ia", "ei", "ou", "y"];
const CODAS: &[&str] = &[
    "", "", "n", "r", "s", "l", "m", "v", "k", "d", "ov", "in", "ez", "an",
];
const LEGAL: &[&str] = &[
    "LLC",
    "Ltd",
    "GmbH",
    "JSC",
    "SA",
    "Co., Ltd.",
    "Inc.",
    "OOO",
    "FZE",
];

fn word(rng: &mut Rng, syllables: usize) -> String {
    let mut w = String::new();
    for _ in 0..syllables {
        let onset: &&str = rng.pick(ONSETS);
        w.push_str(onset);
        let vowel: &&str = rng.pick(VOWELS);
        w.push_str(vowel);
    }
    let coda: &&str = rng.pick(CODAS);
    w.push_str(coda);
    let mut chars = w.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => w,
    }
}

fn generated(n: usize) -> Vec<Candidate> {
    let mut rng = Rng(0x5eed_1234_abcd_0001);
    let given: Vec<String> = (0..3000).map(|_| word(&mut rng, 2)).collect();
    let surnames: Vec<String> = (0..80_000).map(|i| word(&mut rng, 2 + i % 2)).collect();
    let words: Vec<String> = (0..20_000).map(|i| word(&mut rng, 1 + i % 3)).collect();
    (0..n)
        .map(|i| {
            let roll = rng.below(100);
            let (schema, name) = if roll < 70 {
                let name = if rng.below(4) == 0 {
                    format!(
                        "{} {} {}",
                        rng.pick(&given),
                        rng.pick(&given),
                        rng.pick(&surnames)
                    )
                } else {
                    format!("{} {}", rng.pick(&given), rng.pick(&surnames))
                };
                (Schema::Person, name)
            } else if roll < 95 {
                let name = format!(
                    "{} {} {}",
                    rng.pick(&words),
                    rng.pick(&words),
                    rng.pick(LEGAL)
                );
                (Schema::Company, name)
            } else {
                (
                    Schema::Vessel,
                    format!("{} {}", rng.pick(&words), rng.pick(&words)),
                )
            };
            Candidate {
                id: format!("gen-{i}"),
                schema,
                names: vec![CandidateName {
                    value: name,
                    kind: NameKind::Primary,
                }],
                identifiers: if schema == Schema::Vessel {
                    vec![Identifier::new("imo", &format!("{}", 9_000_000 + i))]
                } else {
                    vec![]
                },
                birth_dates: vec![],
                countries: vec![],
            }
        })
        .collect()
}

fn typo(rng: &mut Rng, name: &str) -> String {
    let chars: Vec<char> = name.chars().collect();
    if chars.len() < 6 {
        return name.to_owned();
    }
    let i = 1 + rng.below(chars.len() - 2);
    let mut out: Vec<char> = chars.clone();
    match rng.below(3) {
        0 => {
            out.remove(i);
        }
        1 => out.swap(i, i - 1),
        _ => out.insert(i, 'e'),
    }
    out.into_iter().collect()
}

/// Queries drawn from the indexed names (some with a typo, some reordered) and made-up
/// names that should find nothing, in fixed proportions; each with the id of the candidate
/// it was drawn from.
fn queries(candidates: &[Candidate], n: usize, seed: u64) -> Vec<(Query, Option<String>)> {
    let mut rng = Rng(seed);
    (0..n)
        .map(|i| {
            let (name, source) = if i % 4 == 3 {
                (format!("{} {}", word(&mut rng, 2), word(&mut rng, 3)), None)
            } else {
                let c = rng.pick(candidates);
                let n = &rng.pick(&c.names).value;
                let name = match i % 4 {
                    0 => n.clone(),
                    1 => typo(&mut rng, n),
                    _ => n.split_whitespace().rev().collect::<Vec<_>>().join(" "),
                };
                (name, Some(c.id.clone()))
            };
            (
                Query {
                    name,
                    ..Query::default()
                },
                source,
            )
        })
        .collect()
}

/// CPU seconds this thread has used (Linux: `/proc/thread-self/stat`, in clock ticks of
/// 1/100 s), so that queries/s per core can be stated without the time the thread spent
/// preempted on a shared machine. `None` elsewhere.
fn thread_cpu_seconds() -> Option<f64> {
    let stat = std::fs::read_to_string("/proc/thread-self/stat").ok()?;
    // Fields after the command name (which is in parentheses and may contain spaces).
    let rest = stat.rsplit_once(')')?.1;
    let fields: Vec<&str> = rest.split_whitespace().collect();
    // utime and stime are fields 14 and 15 of the whole line: 12 and 13 after `)`.
    let utime: f64 = fields.get(11)?.parse().ok()?;
    let stime: f64 = fields.get(12)?.parse().ok()?;
    Some((utime + stime) / 100.0)
}

fn measure(label: &str, index: &Index, queries: &[(Query, Option<String>)]) {
    let mut settings = Settings::default();
    if let Some(shortlist) = std::env::var("ACCORD_BENCH_SHORTLIST")
        .ok()
        .and_then(|v| v.parse().ok())
    {
        settings.shortlist = shortlist;
    }
    // Warm the per-thread buffers.
    for (q, _) in queries.iter().take(20) {
        std::hint::black_box(index.screen(q, &settings));
    }
    let mut latencies: Vec<Duration> = Vec::with_capacity(queries.len());
    let mut with_hits = 0usize;
    let (mut drawn, mut found, mut made_up, mut alarms) = (0usize, 0usize, 0usize, 0usize);
    let mut slowest: Vec<(Duration, &str)> = Vec::new();
    let cpu_start = thread_cpu_seconds();
    let start = Instant::now();
    for (q, source) in queries {
        let t = Instant::now();
        let hits = index.screen(q, &settings);
        let elapsed = t.elapsed();
        latencies.push(elapsed);
        slowest.push((elapsed, q.name.as_str()));
        with_hits += usize::from(!hits.is_empty());
        match source {
            Some(id) => {
                drawn += 1;
                let hit = hits.iter().any(|h| &h.candidate_id == id);
                found += usize::from(hit);
                if !hit && std::env::var_os("ACCORD_SHOW_MISSES").is_some() {
                    println!("    miss: {} (from {id}; {} hits)", q.name, hits.len());
                }
            }
            None => {
                made_up += 1;
                alarms += usize::from(!hits.is_empty());
            }
        }
    }
    let total = start.elapsed();
    let cpu = cpu_start.and_then(|before| Some(thread_cpu_seconds()? - before));
    slowest.sort_by_key(|s| std::cmp::Reverse(s.0));
    if std::env::var_os("ACCORD_SHOW_SLOWEST").is_some() {
        for (elapsed, name) in slowest.iter().take(8) {
            println!("    slow: {:>8.1} µs  {name}", elapsed.as_secs_f64() * 1e6);
        }
    }
    latencies.sort_unstable();
    let pct = |p: f64| latencies[((latencies.len() as f64 - 1.0) * p).round() as usize];
    println!(
        "{label:<34} {:>9} names | {:>7.0} queries/s/core | p50 {:>7.1} µs | p99 {:>8.1} µs | {} of {} queries with hits",
        index.n_names(),
        queries.len() as f64 / total.as_secs_f64(),
        pct(0.50).as_secs_f64() * 1e6,
        pct(0.99).as_secs_f64() * 1e6,
        with_hits,
        queries.len()
    );
    if let Some(cpu) = cpu.filter(|c| *c > 0.0) {
        println!(
            "    on CPU time (without time spent preempted): {:.0} queries per CPU-second, {:.1} µs CPU per query",
            queries.len() as f64 / cpu,
            cpu / queries.len() as f64 * 1e6
        );
    }
    println!(
        "    drawn from the index (exact, typo, reordered): source found in {found} of {drawn}; made-up names with a hit: {alarms} of {made_up}"
    );
}

fn main() {
    // Cargo passes `--bench`; there is nothing to filter.
    let dir = samples_dir();
    let sample_candidates = samples(&dir);
    if sample_candidates.is_empty() {
        println!("skipped: sanctions samples not found at {}", dir.display());
    } else {
        let start = Instant::now();
        let index = Index::build(sample_candidates.clone());
        println!(
            "samples: {} entities, {} names, index built in {:.2} s",
            sample_candidates.len(),
            index.n_names(),
            start.elapsed().as_secs_f64()
        );
        if let Ok(name) = std::env::var("ACCORD_DEBUG_QUERY") {
            for c in sample_candidates
                .iter()
                .filter(|c| c.names.iter().any(|n| n.value == name))
            {
                println!(
                    "    has: {} {:?} {:?}",
                    c.id,
                    c.schema,
                    c.names.iter().map(|n| &n.value).collect::<Vec<_>>()
                );
            }
            let settings = Settings {
                threshold: 0.0,
                limit: 5,
                ..Settings::default()
            };
            for hit in index.screen(
                &Query {
                    name,
                    ..Query::default()
                },
                &settings,
            ) {
                println!(
                    "    {:.3} {} {} | {}",
                    hit.score, hit.candidate_id, hit.matched_name, hit.explanation
                );
            }
        }
        measure("all samples", &index, &queries(&sample_candidates, 4000, 7));
    }

    let n: usize = std::env::var("ACCORD_BENCH_NAMES")
        .ok()
        .and_then(|v| v.replace('_', "").parse().ok())
        .unwrap_or(1_000_000);
    let start = Instant::now();
    let candidates = generated(n);
    let generated_in = start.elapsed();
    let start = Instant::now();
    let queries = queries(&candidates, 4000, 11);
    let index = Index::build(candidates);
    println!(
        "generated: {n} names in {:.2} s, index built in {:.2} s",
        generated_in.as_secs_f64(),
        start.elapsed().as_secs_f64()
    );
    measure("generated names", &index, &queries);
    println!(
        "for scale (reported, not measured here): yente best matcher ~4 requests/s per vCPU; OFAC screening server ~0.85 ms per search (~1,176/s)"
    );
}
