//! Matching quality on labelled pairs: precision, recall and F1 of `accord-screen` at its
//! documented threshold, side by side, in the same run, with OpenSanctions' matcher
//! `nomenklatura` on the same pairs (through `benches/nomenklatura_pairs.py`).
//!
//! The sets: `tests/data/sets/{tune,heldout}/GROUP.csv` (issue #19: one file per script
//! group and one for particles; the held-out half is never used to change a rule) and the
//! calibration pairs of issue #6 (`tests/data/pairs.csv`, `tests/data/holdout.csv`, both
//! looked at while tuning, so reported as tuning sets).
//!
//! Run: `cargo bench -p accord-screen --bench quality`. The Python interpreter is
//! `$ACCORD_NOMENKLATURA_PYTHON` (default `python3`); the nomenklatura algorithm is
//! `$ACCORD_NOMENKLATURA_ALGORITHM` (default `logic-v2`). `ACCORD_PAIRS=FILE` runs one
//! file instead. `ACCORD_SHOW_ERRORS=1` lists our misclassified pairs of the tuning sets
//! only (held-out misses are not printed, so that no rule is written from them);
//! `ACCORD_SHOW_CATEGORIES=1` prints correct pairs per category. `ACCORD_TUNE_ONLY=1`
//! leaves the held-out files out altogether (not even their figures are printed): the
//! mode to iterate in, so that held-out figures are looked at once, after tuning.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::path::Path;
use std::process::Command;
use std::time::Instant;

use accord_screen::{DEFAULT_THRESHOLD, Schema, score_pair, score_pair_value};

struct Pair {
    /// The file's set (`tune/latin`, `heldout/han`, `issue6/pairs`…).
    set: String,
    name1: String,
    name2: String,
    schema: Option<Schema>,
    label: bool,
    category: String,
}

fn read_pairs(path: &Path, set: &str) -> Vec<Pair> {
    let mut reader = csv::Reader::from_path(path).unwrap();
    reader
        .records()
        .map(|record| {
            let record = record.unwrap();
            let schema = record.get(2).unwrap();
            Pair {
                set: set.to_owned(),
                name1: record.get(0).unwrap().to_owned(),
                name2: record.get(1).unwrap().to_owned(),
                schema: if schema.is_empty() {
                    None
                } else {
                    Some(schema.parse().unwrap())
                },
                label: record.get(3).unwrap() == "1",
                category: record.get(4).unwrap().to_owned(),
            }
        })
        .collect()
}

struct Quality {
    precision: f64,
    recall: f64,
    f1: f64,
}

fn quality(labels: &[bool], scores: &[f64], threshold: f64) -> Quality {
    let (mut tp, mut fp, mut fn_) = (0.0, 0.0, 0.0);
    for (label, score) in labels.iter().zip(scores) {
        match (*label, *score >= threshold) {
            (true, true) => tp += 1.0,
            (false, true) => fp += 1.0,
            (true, false) => fn_ += 1.0,
            (false, false) => {}
        }
    }
    let precision = if tp + fp > 0.0 { tp / (tp + fp) } else { 0.0 };
    let recall = if tp + fn_ > 0.0 { tp / (tp + fn_) } else { 0.0 };
    let f1 = if precision + recall > 0.0 {
        2.0 * precision * recall / (precision + recall)
    } else {
        0.0
    };
    Quality {
        precision,
        recall,
        f1,
    }
}

fn best_threshold(labels: &[bool], scores: &[f64]) -> (f64, Quality) {
    let mut best = (0.0, quality(labels, scores, 0.0));
    for step in 1..100 {
        let threshold = f64::from(step) / 100.0;
        let q = quality(labels, scores, threshold);
        if q.f1 > best.1.f1 {
            best = (threshold, q);
        }
    }
    best
}

/// Scores of both matchers on a subset of the pairs, printed as one table row.
fn row(label: &str, pairs: &[&Pair], ours: &[f64], theirs: Option<&[f64]>) {
    let owned: Vec<bool> = pairs.iter().map(|p| p.label).collect();
    let q = quality(&owned, ours, DEFAULT_THRESHOLD);
    let (bt, best) = best_threshold(&owned, ours);
    let mut line = format!(
        "{label:<22} {:>5} | ours P {:.3} R {:.3} F1 {:.3} (best {:.3} at {bt:.2})",
        pairs.len(),
        q.precision,
        q.recall,
        q.f1,
        best.f1
    );
    if let Some(theirs) = theirs {
        let q = quality(&owned, theirs, PEER_THRESHOLD);
        let (bt, best) = best_threshold(&owned, theirs);
        line.push_str(&format!(
            " | peer P {:.3} R {:.3} F1 {:.3} (best {:.3} at {bt:.2})",
            q.precision, q.recall, q.f1, best.f1
        ));
    }
    println!("{line}");
}

/// yente, OpenSanctions' screening API, reports matches from 0.70 by default.
const PEER_THRESHOLD: f64 = 0.70;

fn category_line(pairs: &[&Pair], scores: &[f64], threshold: f64) -> String {
    let mut categories: Vec<&str> = pairs.iter().map(|p| p.category.as_str()).collect();
    categories.sort_unstable();
    categories.dedup();
    let mut line = String::new();
    for category in categories {
        let (mut right, mut total) = (0, 0);
        for (pair, score) in pairs.iter().zip(scores) {
            if pair.category == category {
                total += 1;
                right += usize::from((*score >= threshold) == pair.label);
            }
        }
        line.push_str(&format!(" {category} {right}/{total}"));
    }
    line
}

/// Every labelled file: (set name, path), tuning sets first.
fn pair_files(manifest: &Path) -> Vec<(String, std::path::PathBuf)> {
    if let Some(path) = std::env::var_os("ACCORD_PAIRS") {
        return vec![("pairs".to_owned(), std::path::PathBuf::from(path))];
    }
    let mut files = vec![
        (
            "issue6/pairs".to_owned(),
            manifest.join("tests/data/pairs.csv"),
        ),
        (
            "issue6/holdout".to_owned(),
            manifest.join("tests/data/holdout.csv"),
        ),
    ];
    let splits: &[&str] = if std::env::var_os("ACCORD_TUNE_ONLY").is_some() {
        &["tune"]
    } else {
        &["tune", "heldout"]
    };
    for split in splits {
        let dir = manifest.join("tests/data/sets").join(split);
        let mut names: Vec<_> = std::fs::read_dir(&dir)
            .unwrap()
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.extension().is_some_and(|e| e == "csv"))
            .collect();
        names.sort();
        for path in names {
            let group = path.file_stem().unwrap().to_string_lossy().into_owned();
            files.push((format!("{split}/{group}"), path));
        }
    }
    files
}

/// Runs the peer on every pair (one process, models loaded once); `None` when it cannot run.
fn peer_scores(manifest: &Path, pairs: &[Pair]) -> Option<(Vec<f64>, f64, String)> {
    let python =
        std::env::var("ACCORD_NOMENKLATURA_PYTHON").unwrap_or_else(|_| "python3".to_owned());
    let algorithm =
        std::env::var("ACCORD_NOMENKLATURA_ALGORITHM").unwrap_or_else(|_| "logic-v2".to_owned());
    let combined = std::env::temp_dir().join(format!("accord-quality-{}.csv", std::process::id()));
    let mut writer = csv::Writer::from_path(&combined).unwrap();
    writer
        .write_record(["name1", "name2", "schema", "label", "category"])
        .unwrap();
    for p in pairs {
        let schema = p.schema.map(|s| s.to_string()).unwrap_or_default();
        let label = if p.label { "1" } else { "0" };
        writer
            .write_record([&p.name1, &p.name2, &schema, label, &p.category])
            .unwrap();
    }
    writer.flush().unwrap();
    drop(writer);
    let script = manifest.join("benches/nomenklatura_pairs.py");
    let output = Command::new(&python)
        .arg(&script)
        .arg(&combined)
        .arg(&algorithm)
        .output();
    let _ = std::fs::remove_file(&combined);
    let output = match output {
        Err(error) => {
            println!("nomenklatura: not run: cannot start `{python}`: {error}");
            return None;
        }
        Ok(output) if !output.status.success() => {
            println!(
                "nomenklatura: not run: {}",
                String::from_utf8_lossy(&output.stderr).trim()
            );
            return None;
        }
        Ok(output) => output,
    };
    let text = String::from_utf8_lossy(&output.stdout);
    let mut scores = Vec::new();
    let mut per_pair = f64::NAN;
    let mut version = String::new();
    for line in text.lines() {
        if let Some(rest) = line.strip_prefix("seconds_per_pair ") {
            per_pair = rest.trim().parse().unwrap();
        } else if let Some(rest) = line.strip_prefix("version ") {
            version = rest.trim().to_owned();
        } else if let Ok(score) = line.trim().parse::<f64>() {
            scores.push(score);
        }
    }
    assert_eq!(
        scores.len(),
        pairs.len(),
        "nomenklatura returned a score per pair"
    );
    Some((
        scores,
        per_pair,
        format!("nomenklatura {algorithm} {version}"),
    ))
}

fn main() {
    let manifest = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut pairs: Vec<Pair> = Vec::new();
    for (set, path) in pair_files(manifest) {
        pairs.extend(read_pairs(&path, &set));
    }
    let positives = pairs.iter().filter(|p| p.label).count();
    println!(
        "labelled pairs: {} ({} same entity, {} different)",
        pairs.len(),
        positives,
        pairs.len() - positives
    );
    let ours: Vec<f64> = pairs
        .iter()
        .map(|p| score_pair(&p.name1, &p.name2, p.schema).score)
        .collect();
    // The fastest of several passes: the machine is shared, and preemption only ever adds
    // time. The nomenklatura script times its passes the same way.
    let fastest_pass = |f: &dyn Fn(&Pair)| {
        (0..10)
            .map(|_| {
                let start = Instant::now();
                for p in &pairs {
                    f(p);
                }
                start.elapsed().as_secs_f64() / pairs.len() as f64
            })
            .fold(f64::INFINITY, f64::min)
    };
    let ours_per_pair = fastest_pass(&|p| {
        std::hint::black_box(score_pair_value(&p.name1, &p.name2, p.schema));
    });
    for (p, score) in pairs.iter().zip(&ours) {
        assert_eq!(score_pair_value(&p.name1, &p.name2, p.schema), *score);
    }
    let peer = peer_scores(manifest, &pairs);
    if let Some((_, _, name)) = &peer {
        println!(
            "peer: {name}, at its default threshold {PEER_THRESHOLD:.2}; ours at {DEFAULT_THRESHOLD:.2}"
        );
    }
    let show_categories = std::env::var_os("ACCORD_SHOW_CATEGORIES").is_some();
    let mut sets: Vec<String> = pairs.iter().map(|p| p.set.clone()).collect();
    sets.dedup();
    let select = |keep: &dyn Fn(&Pair) -> bool| -> (Vec<&Pair>, Vec<f64>, Option<Vec<f64>>) {
        let mut chosen = Vec::new();
        let mut ours_chosen = Vec::new();
        let mut theirs_chosen = Vec::new();
        for (i, p) in pairs.iter().enumerate() {
            if keep(p) {
                chosen.push(p);
                ours_chosen.push(ours[i]);
                if let Some((theirs, _, _)) = &peer {
                    theirs_chosen.push(theirs[i]);
                }
            }
        }
        let theirs = peer.as_ref().map(|_| theirs_chosen);
        (chosen, ours_chosen, theirs)
    };
    for set in &sets {
        let (chosen, o, t) = select(&|p| &p.set == set);
        row(set, &chosen, &o, t.as_deref());
        if show_categories {
            println!("    ours:{}", category_line(&chosen, &o, DEFAULT_THRESHOLD));
            if let Some(t) = &t {
                println!("    peer:{}", category_line(&chosen, t, PEER_THRESHOLD));
            }
        }
    }
    for (label, prefix) in [
        ("all tune (issue 19)", "tune/"),
        ("all held-out", "heldout/"),
    ] {
        let (chosen, o, t) = select(&|p| p.set.starts_with(prefix));
        if !chosen.is_empty() {
            row(label, &chosen, &o, t.as_deref());
        }
    }
    let mut sweep = String::from("held-out threshold sweep, ours (P/R/F1):");
    let (chosen, o, _) = select(&|p| p.set.starts_with("heldout/"));
    if chosen.is_empty() {
        sweep = String::from("held-out files left out (ACCORD_TUNE_ONLY)");
    }
    let owned: Vec<bool> = chosen.iter().map(|p| p.label).collect();
    for step in [75, 80, 85, 90, 95]
        .into_iter()
        .filter(|_| !owned.is_empty())
    {
        let threshold = f64::from(step) / 100.0;
        let q = quality(&owned, &o, threshold);
        sweep.push_str(&format!(
            " {threshold:.2} {:.3}/{:.3}/{:.3}",
            q.precision, q.recall, q.f1
        ));
    }
    println!("{sweep}");
    match &peer {
        Some((_, per_pair, _)) => println!(
            "time per pair: ours {:.1} µs, peer {:.1} µs ({:.0}x)",
            ours_per_pair * 1e6,
            per_pair * 1e6,
            per_pair / ours_per_pair
        ),
        None => println!("time per pair: ours {:.1} µs", ours_per_pair * 1e6),
    }
    if std::env::var_os("ACCORD_SHOW_ERRORS").is_some() {
        for (pair, score) in pairs.iter().zip(&ours) {
            if pair.set.starts_with("heldout/") {
                continue;
            }
            if (*score >= DEFAULT_THRESHOLD) != pair.label {
                println!(
                    "    miss [{} {}] {:.3} {} | {} ({:?}) {}",
                    pair.set,
                    pair.category,
                    score,
                    pair.name1,
                    pair.name2,
                    pair.schema,
                    score_pair(&pair.name1, &pair.name2, pair.schema)
                );
            }
        }
    }
}
