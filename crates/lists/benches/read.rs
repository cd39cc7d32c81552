//! Importer throughput (MB/s) on every real sample and on a generated FollowTheMoney file,
//! each beside its baseline in the same run: the bare tokenizer the importer is written on
//! (quick-xml events, csv byte records, JSON lines parsed into `serde::de::IgnoredAny`),
//! counting and dropping what it reads. The ratio is the importer's time over the
//! tokenizer's: what the model, the checks of a complete file and the declared facts cost.
//!
//! Files are read into memory first, so the disk is not measured. Each measurement repeats
//! the work until it has run for at least half a second and keeps the best of three.
//! Run with `cargo bench -p accord-lists --bench read` (set `ACCORD_BENCH_FTM_ENTITIES` to
//! change the size of the generated file, default 200000; `ACCORD_BENCH_CASES` to run only
//! the cases whose name contains it; `ACCORD_BENCH_ONCE` to run each once). Instructions,
//! which a shared machine does not disturb, are counted with valgrind, e.g.:
//! `ACCORD_BENCH_ONCE=1 ACCORD_BENCH_CASES=sdn.csv valgrind --tool=callgrind
//! --toggle-collect='read::import*' target/release/deps/read-… --bench`.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::path::PathBuf;
use std::time::{Duration, Instant};

use accord_lists::{Format, read};

fn samples() -> Option<PathBuf> {
    let dir = std::env::var_os("ACCORD_SANCTIONS_DATA").map_or_else(
        || PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/data/sanctions"),
        PathBuf::from,
    );
    dir.is_dir().then_some(dir)
}

/// Seconds per run of `work`, the best of three measurements of at least 0.5 s each; with
/// `ACCORD_BENCH_ONCE` set, one run (to count instructions under valgrind, which a shared
/// machine does not disturb).
fn time(mut work: impl FnMut() -> u64) -> (u64, f64) {
    if std::env::var_os("ACCORD_BENCH_ONCE").is_some() {
        let started = Instant::now();
        let n = work();
        return (n, started.elapsed().as_secs_f64());
    }
    let mut best = f64::INFINITY;
    let mut n = 0;
    for _ in 0..3 {
        let started = Instant::now();
        let mut runs = 0u32;
        while started.elapsed() < Duration::from_millis(500) {
            n = work();
            runs += 1;
        }
        best = best.min(started.elapsed().as_secs_f64() / f64::from(runs));
    }
    (n, best)
}

/// The bare tokenizer under the importer of `format`: items read, nothing kept.
#[inline(never)]
fn tokenize(format: Format, bytes: &[u8]) -> u64 {
    match format {
        Format::OfacXml
        | Format::OfacAdvancedXml
        | Format::UnXml
        | Format::EuXml
        | Format::UkFcdoXml => {
            let mut reader = quick_xml::Reader::from_reader(bytes);
            let mut buf = Vec::new();
            let mut n = 0;
            loop {
                buf.clear();
                match reader.read_event_into(&mut buf).unwrap() {
                    quick_xml::events::Event::Eof => return n,
                    _ => n += 1,
                }
            }
        }
        Format::FtmJson => {
            let mut n = 0;
            for line in bytes.split(|b| *b == b'\n').filter(|l| !l.is_empty()) {
                serde_json::from_slice::<serde::de::IgnoredAny>(line).unwrap();
                n += 1;
            }
            n
        }
        _ => {
            let delimiter = if matches!(format, Format::BisDplTsv | Format::EuCsv) {
                b'\t'
            } else {
                b','
            };
            let mut reader = csv::ReaderBuilder::new()
                .has_headers(false)
                .flexible(true)
                .delimiter(delimiter)
                .from_reader(bytes);
            let mut record = csv::ByteRecord::new();
            let mut n = 0;
            while reader.read_byte_record(&mut record).unwrap() {
                n += 1;
            }
            n
        }
    }
}

#[inline(never)]
fn import(format: Format, bytes: &[u8]) -> u64 {
    let mut n = 0;
    for record in read(format, bytes, "bench") {
        record.unwrap();
        n += 1;
    }
    n
}

fn generated_ftm(n: usize) -> Vec<u8> {
    let mut out = Vec::new();
    for i in 0..n {
        out.extend_from_slice(
            format!(
                "{{\"id\":\"gen-{i}\",\"schema\":\"Person\",\"properties\":{{\"name\":[\"Person Number {i}\"],\"alias\":[\"P. N. {i}\"],\"birthDate\":[\"19{:02}-0{}-1{}\"],\"nationality\":[\"ru\"],\"program\":[\"RUSSIA-EO14024\"]}},\"datasets\":[\"gen\"]}}\n",
                i % 100,
                i % 9 + 1,
                i % 10
            )
            .as_bytes(),
        );
    }
    out
}

fn main() {
    let mut cases: Vec<(String, Format, Vec<u8>)> = Vec::new();
    match samples() {
        Some(dir) => {
            for (file, format) in [
                ("un_sc/UN_consolidated.xml", Format::UnXml),
                ("ofac_sdn_csv/sdn.csv", Format::OfacCsv),
                ("ofac_sdn_csv/add.csv", Format::OfacCsvAddresses),
                ("ofac_sdn_csv/alt.csv", Format::OfacCsvAliases),
                ("ofac_cons_csv/cons_prim.csv", Format::OfacCsv),
                (
                    "ofac_advanced_xml/sample_sdn_advanced.xml",
                    Format::OfacAdvancedXml,
                ),
                ("eu_fsf/sample_eu_fsf.xml", Format::EuXml),
                ("eu_fsf/EUSanctionsShort.csv", Format::EuCsv),
                ("uk_ofsi/sanctionsconlist.csv", Format::UkOfsiCsv),
                ("uk_fcdo/sample_uk_sanctions.xml", Format::UkFcdoXml),
                ("us_csl/csl.csv", Format::UsCslCsv),
                ("us_bis_dpl/dpl.txt", Format::BisDplTsv),
                ("opensanctions_ftm/entities.ftm.json", Format::FtmJson),
            ] {
                cases.push((
                    file.to_owned(),
                    format,
                    std::fs::read(dir.join(file)).unwrap(),
                ));
            }
        }
        None => eprintln!("skipped the samples: ../shared/data/sanctions not found"),
    }
    let n_generated = std::env::var("ACCORD_BENCH_FTM_ENTITIES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(200_000);
    cases.push((
        format!("generated ftm, {n_generated} entities"),
        Format::FtmJson,
        generated_ftm(n_generated),
    ));
    println!("| case | records | MB | tokenize MB/s | read MB/s | read rec/s | ratio |");
    println!("|---|---|---|---|---|---|---|");
    let only = std::env::var("ACCORD_BENCH_CASES").unwrap_or_default();
    for (name, format, bytes) in cases.iter().filter(|c| c.0.contains(&only)) {
        let mb = bytes.len() as f64 / 1e6;
        let (_, base) = time(|| tokenize(*format, bytes));
        let (records, seconds) = time(|| import(*format, bytes));
        println!(
            "| {name} | {records} | {mb:.2} | {:.1} | {:.1} | {:.0} | {:.2}× |",
            mb / base,
            mb / seconds,
            records as f64 / seconds,
            seconds / base
        );
    }
}
