//! Sanctions list import throughput (records/s, MB/s) and peak memory, per real sample and
//! on a generated file of one million FollowTheMoney entities, each beside its baseline in
//! the same run: the raw parse alone (the importer's records, counted and dropped). The
//! `ratio` columns are the import's rate over the parse's (1.00 = as fast as parsing).
//!
//! Two imports are timed per case: the first, into an empty store, and the same files
//! imported again (nothing changed: the daily update of a list). Each times
//! [`ListStore::import`] alone; opening (creating) the store is printed on its own
//! (`open ms`), as the parse baseline has nothing like it.
//!
//! Beside them, two floors (`lists_import/floor.rs`): the same rows a first import writes,
//! and one body row per entity, into bare tables of a fresh store of the same settings, timed
//! from the first record parsed to the commit: what the engine does at best here.
//!
//! Each case runs in a child process (this binary re-executed with `--case`), so that the
//! peak resident memory (`VmHWM`) is the case's own. Run with
//! `cargo bench -p accord-store --bench lists_import` (set `ACCORD_BENCH_FTM_ENTITIES` to
//! change the size of the generated file, default 1000000; `ACCORD_BENCH_CASES` to a
//! comma-separated list of case name prefixes to run only those; `ACCORD_BENCH_POSTGRES` to
//! a PostgreSQL URL to import into a fresh schema of that server instead of a SQLite file).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::Instant;

use accord_lists::{read, sniff};
use accord_store::lists::{ImportFile, ImportRequest, ListStore};

#[path = "lists_import/floor.rs"]
mod floor;

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

fn files(paths: &[PathBuf]) -> Vec<ImportFile<'static>> {
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
    files
}

/// A fresh PostgreSQL schema for one case (`ACCORD_BENCH_POSTGRES`), dropped at the end.
struct PgSchema {
    server: String,
    name: String,
}

impl PgSchema {
    fn create(server: &str) -> PgSchema {
        let name = format!("accord_bench_lists_{}", std::process::id());
        let mut client = accord_store::connect_postgres(server).unwrap();
        client
            .batch_execute(&format!(
                "DROP SCHEMA IF EXISTS {name} CASCADE; CREATE SCHEMA {name}"
            ))
            .unwrap();
        PgSchema {
            server: server.to_owned(),
            name,
        }
    }

    fn url(&self) -> String {
        let sep = if self.server.contains('?') { '&' } else { '?' };
        format!("{}{sep}options=-csearch_path%3D{}", self.server, self.name)
    }
}

impl Drop for PgSchema {
    fn drop(&mut self) {
        if let Ok(mut client) = accord_store::connect_postgres(&self.server) {
            let _ = client.batch_execute(&format!("DROP SCHEMA IF EXISTS {} CASCADE", self.name));
        }
    }
}

/// Runs one case in this process and prints `records seconds peak_kib open_seconds`.
fn run_case(mode: &str, paths: &[PathBuf], work: &Path) {
    if mode == "parse" {
        let started = Instant::now();
        let mut n = 0u64;
        for path in paths {
            let origin = path.display().to_string();
            let file = std::io::BufReader::new(std::fs::File::open(path).unwrap());
            let (format, reader) = sniff(file, &origin).unwrap();
            for record in read(format, reader, &origin) {
                record.unwrap();
                n += 1;
            }
        }
        println!(
            "{n} {} {} 0",
            started.elapsed().as_secs_f64(),
            peak_rss_kib()
        );
        return;
    }
    if let Some(rows) = floor::Rows::parse(mode) {
        let (n, secs) = match std::env::var("ACCORD_BENCH_POSTGRES") {
            Ok(server) => floor::postgres(rows, paths, &PgSchema::create(&server).url()),
            Err(_) => floor::sqlite(rows, paths, work),
        };
        println!("{n} {secs} {} 0", peak_rss_kib());
        return;
    }
    let opened = Instant::now();
    let (url, _schema) = match std::env::var("ACCORD_BENCH_POSTGRES") {
        Ok(server) => {
            let schema = PgSchema::create(&server);
            (accord_store::StoreUrl::Postgres(schema.url()), Some(schema))
        }
        Err(_) => (accord_store::StoreUrl::Sqlite(work.join("bench.db")), None),
    };
    let mut store = ListStore::open(&url).unwrap();
    let open_s = opened.elapsed().as_secs_f64();
    let mut request = ImportRequest {
        source: "bench".into(),
        observed_at: "2026-01-01T00:00:00Z".into(),
        content_sha256: String::new(),
        ..ImportRequest::default()
    };
    if mode == "reimport" {
        store.import(&request, files(paths), &mut |_| {}).unwrap();
        request.observed_at = "2026-01-02T00:00:00Z".into();
    }
    let started = Instant::now();
    let summary = store.import(&request, files(paths), &mut |_| {}).unwrap();
    let import_s = started.elapsed().as_secs_f64();
    if mode == "reimport" {
        assert_eq!(summary.n_unchanged, summary.n_records);
    }
    // The records read, as the parse counts them (fragments of one target each count).
    let n = summary.n_records;
    println!("{n} {import_s} {} {open_s}", peak_rss_kib());
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

/// The table's column names.
fn print_header() {
    println!(
        "{:<26} {:>15} {:>6} | {:>10} {:>6} | {:>10} {:>6} {:>6} {:>7} | {:>10} {:>6} {:>6} | {:>7} | {:>10} {:>6} | {:>10} {:>6}",
        "case",
        "records/stored",
        "MB",
        "parse r/s",
        "MiB",
        "import r/s",
        "ratio",
        "MiB",
        "open ms",
        "again r/s",
        "ratio",
        "MiB",
        "goal",
        "floor r/s",
        "ratio",
        "body r/s",
        "ratio"
    );
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

    let only: Option<Vec<String>> = std::env::var("ACCORD_BENCH_CASES")
        .ok()
        .map(|v| v.split(',').map(str::to_owned).collect());
    match std::env::var("ACCORD_BENCH_POSTGRES") {
        Ok(_) => println!("store: PostgreSQL (ACCORD_BENCH_POSTGRES)"),
        Err(_) => println!("store: SQLite"),
    }
    print_header();
    let exe = std::env::current_exe().unwrap();
    for (name, paths) in cases {
        if only
            .as_ref()
            .is_some_and(|o| !o.iter().any(|p| name.starts_with(p.as_str())))
        {
            continue;
        }
        let bytes: u64 = paths
            .iter()
            .map(|p| std::fs::metadata(p).unwrap().len())
            .sum();
        let mb = bytes as f64 / 1e6;
        let mut results = Vec::new();
        for mode in ["parse", "import", "reimport", "floor-rows", "floor-body"] {
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
            results.push((fields[0], fields[1], fields[2] / 1024.0, fields[3]));
        }
        let (records, parse_s, parse_mem, _) = results[0];
        let (stored, import_s, import_mem, open_s) = results[1];
        let (_, again_s, again_mem, _) = results[2];
        let (_, floor_s, _, _) = results[3];
        let (_, body_s, _, _) = results[4];
        // Rates in the parse's records (what the file holds), so that the ratios compare
        // the same work.
        let (import_ratio, again_ratio) = (parse_s / import_s, parse_s / again_s);
        println!(
            "{:<26} {:>15} {:>6.2} | {:>10.0} {:>6.1} | {:>10.0} {:>6.2} {:>6.1} {:>7.1} | {:>10.0} {:>6.2} {:>6.1} | {:>7} | {:>10.0} {:>6.2} | {:>10.0} {:>6.2}",
            name,
            format!("{records}/{stored}"),
            mb,
            records / parse_s,
            parse_mem,
            records / import_s,
            import_ratio,
            import_mem,
            open_s * 1e3,
            records / again_s,
            again_ratio,
            again_mem,
            if import_ratio >= 0.5 && again_ratio >= 0.5 {
                "met"
            } else {
                "not met"
            },
            records / floor_s,
            parse_s / floor_s,
            records / body_s,
            parse_s / body_s
        );
    }
}
