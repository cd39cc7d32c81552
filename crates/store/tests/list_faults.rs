//! The list half of issue #12's fault suite, through the store: every faulty copy of every
//! sample list format (`crates/lists/tests/importers/cuts.rs`) is imported into a store
//! holding the complete sample, on SQLite and PostgreSQL. A copy the file shows to be
//! faulty must be refused and change nothing. A copy no file check can tell from a
//! shorter list (a cut at a record boundary of a format with no trailer) must be refused by
//! the mass-removal guard, or — when it removes no more than the guard allows — is
//! reported as accepted, with what it removed; the complete file is then imported again.
//!
//! Prints per back end: tried, refused, unchanged after a refusal, accepted under the
//! guard's threshold.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::path::PathBuf;

use accord_lists::{Format, read};
use accord_store::Store;
use accord_store::lists::{
    ImportFile, ImportRequest, ImportSummary, ListStoreError, MAX_REMOVED_PERCENT,
};
use accord_store::{StoreUrl, connect_postgres};

#[path = "../../lists/tests/importers/cuts.rs"]
mod cuts;

use cuts::{Expect, Sample, cases};

fn samples() -> Option<PathBuf> {
    let dir = std::env::var_os("ACCORD_SANCTIONS_DATA").map_or_else(
        || PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/data/sanctions"),
        PathBuf::from,
    );
    if dir.is_dir() {
        Some(dir)
    } else {
        eprintln!("skipped: sanctions samples not found at {}", dir.display());
        None
    }
}

const OBSERVED: &str = "2026-03-01T00:00:00Z";

/// OFAC's legacy CSV files are cut to their first rows (and the end byte, where the file
/// has one) and a companion file paired with the primary rows it refers to: every kind of
/// fault is still tried, in a fraction of the time (this crate's importer suite tries the
/// whole files).
const OFAC_ROWS: usize = 300;

fn ent_num(row: &[u8]) -> &[u8] {
    row.split(|b| *b == b',').next().unwrap_or_default()
}

/// The first `rows` rows of an OFAC CSV file, ended as the file is.
fn ofac_head(bytes: &[u8], keep: impl Fn(&[u8]) -> bool, rows: usize) -> Vec<u8> {
    let end_byte = bytes.last() == Some(&0x1a);
    let body = if end_byte {
        &bytes[..bytes.len() - 1]
    } else {
        bytes
    };
    let mut out = Vec::new();
    for row in body
        .split_inclusive(|b| *b == b'\n')
        .filter(|r| keep(r))
        .take(rows)
    {
        out.extend_from_slice(row);
    }
    if end_byte {
        out.push(0x1a);
    }
    out
}

/// The sample's bytes for the store suite, and the primary file a companion needs.
fn reduced(
    sample: &Sample,
    primary: Option<&(PathBuf, Vec<u8>)>,
) -> (Vec<u8>, Option<(PathBuf, Vec<u8>)>) {
    let bytes = std::fs::read(&sample.path).unwrap();
    let ofac_csv = matches!(
        sample.format,
        Format::OfacCsv
            | Format::OfacCsvAddresses
            | Format::OfacCsvAliases
            | Format::OfacCsvComments
    );
    if !ofac_csv || !sample.name.starts_with("ofac") {
        return (bytes, None);
    }
    let head = ofac_head(&bytes, |_| true, OFAC_ROWS);
    if !sample.format.companion() {
        return (head, None);
    }
    let Some((path, primary)) = primary else {
        return (head, None);
    };
    let wanted: std::collections::BTreeSet<Vec<u8>> = head
        .split(|b| *b == b'\n')
        .map(|r| ent_num(r).to_vec())
        .collect();
    let rows = ofac_head(primary, |r| wanted.contains(ent_num(r)), usize::MAX);
    (head, Some((path.clone(), rows)))
}

/// The files of one import: the copy, after the OFAC primary file when it is a companion.
fn import(
    store: &Store,
    sample: &Sample,
    primary: Option<&(PathBuf, Vec<u8>)>,
    bytes: &[u8],
    label: &str,
) -> Result<ImportSummary, ListStoreError> {
    let mut files = Vec::new();
    if sample.format.companion()
        && let Some((path, primary)) = primary
    {
        let origin = path.display().to_string();
        files.push(ImportFile {
            records: read(Format::OfacCsv, primary.as_slice(), &origin),
            origin,
            format: Format::OfacCsv,
        });
    }
    let origin = format!("{} ({label})", sample.name);
    files.push(ImportFile {
        records: read(sample.format, bytes, &origin),
        origin,
        format: sample.format,
    });
    let request = ImportRequest {
        source: sample.format.default_source(&sample.name).to_owned(),
        observed_at: OBSERVED.into(),
        content_sha256: label.into(),
        ..ImportRequest::default()
    };
    store.lists()?.import(&request, files, &mut |_| {})
}

/// What the list tables hold, cheaply: the imports, and the rows of every table (an import
/// is one transaction: a refused one that changed anything would show in both).
fn fingerprint(store: &Store) -> (Vec<ImportSummary>, Vec<i64>) {
    let mut lists = store.lists().unwrap();
    (lists.imports(None).unwrap(), lists.row_counts().unwrap())
}

#[derive(Default)]
struct Figures {
    tried: usize,
    refused: usize,
    unchanged: usize,
    accepted: Vec<String>,
    wrong: Vec<String>,
}

/// A fresh store: a SQLite file, or a PostgreSQL schema of its own (dropped at the end).
struct TestStore {
    url: StoreUrl,
    _dir: Option<tempfile::TempDir>,
    schema: Option<(String, String)>,
}

impl Drop for TestStore {
    fn drop(&mut self) {
        if let Some((base, schema)) = &self.schema
            && let Ok(mut c) = connect_postgres(base)
        {
            let _ = c.batch_execute(&format!("DROP SCHEMA IF EXISTS {schema} CASCADE"));
        }
    }
}

impl TestStore {
    fn sqlite() -> TestStore {
        let dir = tempfile::tempdir().unwrap();
        TestStore {
            url: StoreUrl::Sqlite(dir.path().join("lists.db")),
            _dir: Some(dir),
            schema: None,
        }
    }

    /// `None` (saying so) when PostgreSQL is unreachable, except under `CI`.
    fn postgres() -> Option<TestStore> {
        let base = std::env::var("ACCORD_TEST_POSTGRES")
            .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/test".into());
        let mut client = match connect_postgres(&base) {
            Ok(c) => c,
            Err(e) => {
                assert!(
                    std::env::var_os("CI").is_none(),
                    "PostgreSQL not reachable at {base}: {e}"
                );
                eprintln!("skipped: PostgreSQL not reachable at {base}");
                return None;
            }
        };
        static COUNTER: std::sync::atomic::AtomicU32 = std::sync::atomic::AtomicU32::new(0);
        let n = COUNTER.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        let schema = format!("accord_test_list_faults_{}_{n}", std::process::id());
        client
            .batch_execute(&format!("CREATE SCHEMA {schema}"))
            .unwrap();
        let sep = if base.contains('?') { '&' } else { '?' };
        Some(TestStore {
            url: StoreUrl::Postgres(format!("{base}{sep}options=-csearch_path%3D{schema}")),
            _dir: None,
            schema: Some((base, schema)),
        })
    }

    fn kind(&self) -> &'static str {
        match self.url {
            StoreUrl::Sqlite(_) => "sqlite",
            StoreUrl::Postgres(_) => "postgres",
        }
    }
}

/// Every faulty copy of every sample, each sample in a fresh store of its own (several
/// samples share a source).
fn run_on(fresh: &dyn Fn() -> Option<TestStore>) -> Figures {
    let mut figures = Figures::default();
    let primary = samples().map(|dir| {
        let path = dir.join("ofac_sdn_csv/sdn.csv");
        let bytes = std::fs::read(&path).unwrap();
        (path, bytes)
    });
    for sample in cuts::samples() {
        if sample.format.companion() && primary.is_none() {
            continue;
        }
        let Some(test) = fresh() else {
            return figures;
        };
        let store = Store::open(&test.url).unwrap();
        let started = std::time::Instant::now();
        let (bytes, paired) = reduced(&sample, primary.as_ref());
        let primary = paired.as_ref();
        import(&store, &sample, primary, &bytes, "complete").unwrap();
        let all = cases(&sample, &bytes);
        let n_cases = all.len();
        for case in all {
            figures.tried += 1;
            let before = fingerprint(&store);
            let what = format!("{} ({}) on {}", sample.name, case.label, test.kind());
            match import(&store, &sample, primary, &case.bytes, &case.label) {
                Err(ListStoreError::Import(_) | ListStoreError::MassRemoval { .. }) => {
                    figures.refused += 1;
                    if fingerprint(&store) == before {
                        figures.unchanged += 1;
                    } else {
                        figures
                            .wrong
                            .push(format!("{what}: refused but the store changed"));
                    }
                }
                Err(e) => figures.wrong.push(format!("{what}: {e}")),
                Ok(summary) => {
                    let listed = before.0.first().map_or(0, |i| i.n_records);
                    let within = summary.n_removed * 100 <= listed * MAX_REMOVED_PERCENT;
                    if matches!(case.expect, Expect::Undetectable(..)) && within {
                        figures.accepted.push(format!(
                            "{what}: {} removed of {listed}, {} amended",
                            summary.n_removed, summary.n_amended
                        ));
                        import(&store, &sample, primary, &bytes, "complete again").unwrap();
                    } else {
                        figures.wrong.push(format!("{what}: imported: {summary:?}"));
                    }
                }
            }
        }
        eprintln!(
            "    {} on {}: {n_cases} copies in {:.1} s",
            sample.name,
            test.kind(),
            started.elapsed().as_secs_f64()
        );
    }
    figures
}

#[test]
fn every_faulty_copy_is_refused_by_the_store_and_changes_nothing() {
    let back_ends: [(&str, &dyn Fn() -> Option<TestStore>); 2] = [
        ("sqlite", &|| Some(TestStore::sqlite())),
        ("postgres", &TestStore::postgres),
    ];
    for (kind, fresh) in back_ends {
        let figures = run_on(fresh);
        for accepted in &figures.accepted {
            eprintln!("    accepted, under the guard's {MAX_REMOVED_PERCENT}%: {accepted}");
        }
        eprintln!(
            "faulty list imports on {kind}: {} tried, {} refused, {} of them with the store unchanged, {} accepted (undetectable in the file, under the guard's threshold), {} wrong",
            figures.tried,
            figures.refused,
            figures.unchanged,
            figures.accepted.len(),
            figures.wrong.len()
        );
        assert!(figures.wrong.is_empty(), "{}", figures.wrong.join("\n"));
        assert_eq!(figures.refused, figures.unchanged);
    }
}
