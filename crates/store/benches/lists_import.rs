//! Sanctions list import throughput (records/s, MB/s) and peak memory, per real sample and
//! on a generated file of one million FollowTheMoney entities, each beside its baseline in
//! the same run: the raw parse alone (the importer's records, counted and dropped).
//!
//! Each case runs in a child process (this binary re-executed with `--case`), so that the
//! peak resident memory (`VmHWM`) is the case's own. Run with
//! `cargo bench -p accord-store --bench lists_import` (set `ACCORD_BENCH_FTM_ENTITIES` to
//! change the size of the generated file, default 1000000).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::Instant;

use accord_lists::{read, sniff};
use accord_store::lists::{ImportFile, ImportRequest, ListStore};

fn samples() -> Option<PathBuf> {
    let dir = std::env::var_os("ACCORD_SANCTIONS_DATA").map_or_else(
        || PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/data/sanctions"),
        PathBuf::from,
    );
    dir.is_dir().then_some(dir)
}

fn peak_rss_kib() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmHWM:"))
                .and_then(|l| l.split_whitespace().nth(1).and_then(|v| v.parse().ok()))
        })
        .unwrap_or(0)
}

/// Runs one case in this process and prints `records seconds peak_kib`.
fn run_case(mode: &str, paths: &[PathBuf], work: &Path) {
    let started = Instant::now();
    let mut n = 0u64;
    if mode == "parse" {
        for path in paths {
            let origin = path.display().to_string();
            let file = std::io::BufReader::new(std::fs::File::open(path).unwrap());
            let (format, reader) = sniff(file, &origin).unwrap();
            for record in read(format, reader, &origin) {
                record.unwrap();
                n += 1;
            }
        }
    } else {
        let url = accord_store::StoreUrl::Sqlite(work.join("bench.db"));
        let mut store = ListStore::open(&url).unwrap();
        let mut files = Vec::new();
        for path in paths {
            let origin = path.display().to_string();
            let file = std::io::BufReader::new(std::fs::File::open(path).unwrap());
            let (format, reader) = sniff(file, &origin).unwrap();
            files.push(ImportFile {
                origin: origin.clone(),
                format,
                records: read(format, reader, &origin),
            });
        }
        let request = ImportRequest {
            source: "bench".into(),
            observed_at: "2026-01-01T00:00:00Z".into(),
            content_sha256: String::new(),
            ..ImportRequest::default()
        };
        let summary = store.import(&request, files, &mut |_| {}).unwrap();
        n = summary.n_records as u64;
    }
    println!("{n} {} {}", started.elapsed().as_secs_f64(), peak_rss_kib());
}

fn generate_ftm(path: &Path, n: usize) {
    let mut out = std::io::BufWriter::new(std::fs::File::create(path).unwrap());
    for i in 0..n {
        writeln!(
            out,
            "{{\"id\":\"gen-{i}\",\"schema\":\"Person\",\"properties\":{{\"name\":[\"Person Number {i}\"],\"alias\":[\"P. N. {i}\"],\"birthDate\":[\"19{:02}-0{}-1{}\"],\"nationality\":[\"xx\"],\"program\":[\"TEST-{}\"],\"passportNumber\":[\"X{i:08}\"]}},\"datasets\":[\"bench\"],\"first_seen\":\"2024-01-01T00:00:00\",\"target\":true}}",
            i % 100,
            1 + i % 9,
            i % 10,
            i % 7
        )
        .unwrap();
    }
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    if let Some(i) = args.iter().position(|a| a == "--case") {
        let mode = &args[i + 1];
        let work = PathBuf::from(&args[i + 2]);
        let paths: Vec<PathBuf> = args[i + 3..].iter().map(PathBuf::from).collect();
        run_case(mode, &paths, &work);
        return;
    }
    let tmp = tempfile::tempdir().unwrap();
    let mut cases: Vec<(String, Vec<PathBuf>)> = Vec::new();
    if let Some(dir) = samples() {
        for (name, files) in [
            ("un-sc xml", vec!["un_sc/UN_consolidated.xml"]),
            (
                "ofac-sdn csv set",
                vec![
                    "ofac_sdn_csv/sdn.csv",
                    "ofac_sdn_csv/add.csv",
                    "ofac_sdn_csv/alt.csv",
                    "ofac_sdn_csv/sdn_comments.csv",
                ],
            ),
            ("ofac-cons csv", vec!["ofac_cons_csv/cons_prim.csv"]),
            (
                "ofac advanced xml",
                vec!["ofac_advanced_xml/sample_sdn_advanced.xml"],
            ),
            ("eu-fsf xml", vec!["eu_fsf/sample_eu_fsf.xml"]),
            ("eu-fsf csv", vec!["eu_fsf/EUSanctionsShort.csv"]),
            ("uk-ofsi csv", vec!["uk_ofsi/sanctionsconlist.csv"]),
            ("uk-fcdo xml", vec!["uk_fcdo/sample_uk_sanctions.xml"]),
            ("us-csl csv", vec!["us_csl/csl.csv"]),
            ("us-bis-dpl tsv", vec!["us_bis_dpl/dpl.txt"]),
            (
                "opensanctions ftm",
                vec!["opensanctions_ftm/entities.ftm.json"],
            ),
        ] {
            cases.push((name.into(), files.iter().map(|f| dir.join(f)).collect()));
        }
    } else {
        eprintln!("skipped samples: sanctions samples not found");
    }
    let n_generated: usize = std::env::var("ACCORD_BENCH_FTM_ENTITIES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(1_000_000);
    let generated = tmp.path().join("generated.ftm.json");
    generate_ftm(&generated, n_generated);
    cases.push((format!("generated ftm ({n_generated})"), vec![generated]));

    println!(
        "{:<26} {:>9} {:>9} | {:>12} {:>8} {:>9} | {:>12} {:>8} {:>9} | {:>6}",
        "case",
        "records",
        "MB",
        "parse rec/s",
        "MB/s",
        "peak MiB",
        "import rec/s",
        "MB/s",
        "peak MiB",
        "ratio"
    );
    let exe = std::env::current_exe().unwrap();
    for (name, paths) in cases {
        let bytes: u64 = paths
            .iter()
            .map(|p| std::fs::metadata(p).unwrap().len())
            .sum();
        let mb = bytes as f64 / 1e6;
        let mut results = Vec::new();
        for mode in ["parse", "import"] {
            let work = tempfile::tempdir().unwrap();
            let out = std::process::Command::new(&exe)
                .arg("--case")
                .arg(mode)
                .arg(work.path())
                .args(&paths)
                .output()
                .unwrap();
            assert!(
                out.status.success(),
                "{name} {mode}: {}",
                String::from_utf8_lossy(&out.stderr)
            );
            let text = String::from_utf8_lossy(&out.stdout);
            let fields: Vec<f64> = text
                .split_whitespace()
                .map(|f| f.parse().unwrap())
                .collect();
            results.push((fields[0], fields[1], fields[2] / 1024.0));
        }
        let (records, parse_s, parse_mem) = results[0];
        let (stored, import_s, import_mem) = results[1];
        println!(
            "{:<26} {:>9} {:>9.2} | {:>12.0} {:>8.1} {:>9.1} | {:>12.0} {:>8.1} {:>9.1} | {:>5.1}x",
            name,
            format!("{records}/{stored}"),
            mb,
            records / parse_s,
            mb / parse_s,
            parse_mem,
            records / import_s,
            mb / import_s,
            import_mem,
            import_s / parse_s
        );
    }
}
