//! The list store on both back ends: the same tests run on a fresh SQLite file and on a
//! fresh PostgreSQL schema.

use std::sync::atomic::{AtomicU32, Ordering};

use accord_lists::{Format, read};
use proptest::prelude::*;

use super::*;

static COUNTER: AtomicU32 = AtomicU32::new(0);

/// Drops the test's PostgreSQL schema at the end.
struct PgSchema {
    url: String,
    name: String,
}

impl Drop for PgSchema {
    fn drop(&mut self) {
        if let Ok(mut client) = crate::connect_postgres(&self.url) {
            let _ = client.batch_execute(&format!("DROP SCHEMA IF EXISTS {} CASCADE", self.name));
        }
    }
}

fn unique(prefix: &str) -> String {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.subsec_nanos());
    format!(
        "{prefix}_{}_{}_{nanos}",
        std::process::id(),
        COUNTER.fetch_add(1, Ordering::SeqCst)
    )
}

/// Runs `test` on a fresh SQLite store and on a fresh PostgreSQL schema (skipped, saying
/// so, when PostgreSQL is unreachable and `CI` is not set).
fn on_both(test: impl Fn(&mut ListStore, &str)) {
    let dir = tempfile::tempdir().unwrap();
    let mut store = ListStore::open(&StoreUrl::Sqlite(dir.path().join("lists.db"))).unwrap();
    test(&mut store, "sqlite");
    if let Some((mut store, _guard)) = fresh_postgres() {
        test(&mut store, "postgres");
    }
}

/// A store on a fresh PostgreSQL schema, dropped with the guard; `None` (saying so) when
/// PostgreSQL is unreachable and `CI` is not set.
fn fresh_postgres() -> Option<(ListStore, PgSchema)> {
    let url = std::env::var("ACCORD_TEST_POSTGRES")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/test".to_owned());
    let mut client = match crate::connect_postgres(&url) {
        Ok(client) => client,
        Err(e) => {
            if std::env::var_os("CI").is_some() {
                panic!("PostgreSQL not reachable at {url}: {e}");
            }
            eprintln!("skipped: PostgreSQL not reachable at {url}");
            return None;
        }
    };
    let name = unique("accord_test_lists");
    let guard = PgSchema {
        url: url.clone(),
        name: name.clone(),
    };
    client
        .batch_execute(&format!("CREATE SCHEMA {name}"))
        .unwrap();
    let sep = if url.contains('?') { '&' } else { '?' };
    let schema_url = format!("{url}{sep}options=-csearch_path%3D{name}");
    let store = ListStore::open(&StoreUrl::Postgres(schema_url)).unwrap();
    Some((store, guard))
}

fn ftm(entities: &[(&str, &str)]) -> String {
    entities
        .iter()
        .map(|(id, name)| {
            format!(
                "{{\"id\":\"{id}\",\"schema\":\"Person\",\"properties\":{{\"name\":[\"{name}\"],\"startDate\":[\"2020-01-15\"]}}}}\n"
            )
        })
        .collect()
}

/// Everything a caller may allow: the tests of the history's logic.
const ALLOW_ALL: Allow = Allow {
    empty: IfEmpty::Accept,
    removals: Removals::Allowed,
};

fn import_text(
    store: &mut ListStore,
    text: &str,
    format: Format,
    observed_at: &str,
) -> Result<ImportSummary, ListStoreError> {
    import_as(store, "test", text, format, observed_at, ALLOW_ALL)
}

fn import_as(
    store: &mut ListStore,
    source: &str,
    text: &str,
    format: Format,
    observed_at: &str,
    allow: Allow,
) -> Result<ImportSummary, ListStoreError> {
    let request = ImportRequest {
        source: source.into(),
        observed_at: observed_at.into(),
        content_sha256: accord_lists::model::hex(text.as_bytes())
            .chars()
            .take(16)
            .collect(),
        allow,
    };
    let files = vec![ImportFile {
        origin: "test.json".into(),
        format,
        records: read(format, text.as_bytes(), "test.json"),
    }];
    store.import(&request, files, &mut |_| {})
}

const T1: &str = "2026-01-10T09:00:00Z";
const T2: &str = "2026-02-10T09:00:00Z";
const T3: &str = "2026-03-10T09:00:00Z";

#[test]
fn first_import_adds_and_reimport_changes_nothing() {
    on_both(|store, backend| {
        let text = ftm(&[("a", "Jane Roe"), ("b", "John Doe"), ("c", "Acme Ltd")]);
        let first = import_text(store, &text, Format::FtmJson, T1).unwrap();
        assert_eq!(
            (first.n_records, first.n_added, first.n_removed),
            (3, 3, 0),
            "{backend}"
        );
        let again = import_text(store, &text, Format::FtmJson, T2).unwrap();
        assert_eq!(
            (
                again.n_records,
                again.n_added,
                again.n_removed,
                again.n_amended,
                again.n_unchanged
            ),
            (3, 0, 0, 0, 3),
            "{backend}"
        );
        assert_eq!(again.import_id, first.import_id + 1);
        assert_eq!(store.imports(Some("test")).unwrap().len(), 2);
    });
}

#[test]
fn removal_and_amendment_are_recorded_and_answer_listed_on() {
    on_both(|store, backend| {
        import_text(
            store,
            &ftm(&[("a", "Jane Roe"), ("b", "John Doe")]),
            Format::FtmJson,
            T1,
        )
        .unwrap();
        // `b` delisted, `a` amended, `c` added.
        let second = import_text(
            store,
            &ftm(&[("a", "Jane Q. Roe"), ("c", "Acme Ltd")]),
            Format::FtmJson,
            T2,
        )
        .unwrap();
        assert_eq!(
            (
                second.n_added,
                second.n_removed,
                second.n_amended,
                second.n_unchanged
            ),
            (1, 1, 1, 0),
            "{backend}"
        );
        let changes = store.changes("test", "a").unwrap();
        assert_eq!(changes.len(), 2);
        assert_eq!(changes[1].kind, "amended");
        assert_eq!(changes[1].before.as_ref().unwrap().caption(), "Jane Roe");
        assert_eq!(changes[1].after.as_ref().unwrap().caption(), "Jane Q. Roe");
        let removed = store.changes("test", "b").unwrap();
        assert_eq!(removed.last().unwrap().kind, "removed");

        // Before the first import, the source's listing date (2020-01-15) answers.
        assert!(matches!(
            store.listed_on("test", "b", "2021-06-01").unwrap(),
            ListedOn::PerListingDate { .. }
        ));
        assert!(matches!(
            store.listed_on("test", "b", "2019-06-01").unwrap(),
            ListedOn::NotListed { .. }
        ));
        // Present in the import of 10 January.
        assert!(matches!(
            store.listed_on("test", "b", "2026-01-10").unwrap(),
            ListedOn::Observed {
                since_import: 1,
                ..
            }
        ));
        // Between the last import that had it and the first that did not: unknown.
        assert!(matches!(
            store.listed_on("test", "b", "2026-01-20").unwrap(),
            ListedOn::Unknown { .. }
        ));
        // From the import that dropped it on: not listed.
        assert!(matches!(
            store.listed_on("test", "b", "2026-02-10").unwrap(),
            ListedOn::NotListed { .. }
        ));
        assert!(matches!(
            store.listed_on("test", "b", "2027-01-01").unwrap(),
            ListedOn::NotListed { .. }
        ));
        // `c` first seen on 10 February, listed per its own date before that.
        assert!(matches!(
            store.listed_on("test", "c", "2026-03-01").unwrap(),
            ListedOn::Observed {
                since_import: 2,
                ..
            }
        ));
        // Re-listing opens a second interval.
        import_text(
            store,
            &ftm(&[("a", "Jane Q. Roe"), ("b", "John Doe"), ("c", "Acme Ltd")]),
            Format::FtmJson,
            T3,
        )
        .unwrap();
        let intervals = store.intervals("test", "b").unwrap();
        assert_eq!(intervals.len(), 2, "{backend}");
        assert_eq!(intervals[0].until_import, Some(2));
        assert_eq!(intervals[0].last_seen.as_ref().map(|s| s.0), Some(1));
        assert_eq!(intervals[1].until_import, None);
        assert!(matches!(
            store.listed_on("test", "b", "2026-03-11").unwrap(),
            ListedOn::Observed {
                since_import: 3,
                ..
            }
        ));
        let found = store.find_by_name(Some("test"), "john").unwrap();
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].source_id, "b");
    });
}

#[test]
fn failed_imports_change_nothing() {
    on_both(|store, backend| {
        let good = ftm(&[("a", "Jane Roe"), ("b", "John Doe")]);
        import_text(store, &good, Format::FtmJson, T1).unwrap();
        let before = store.snapshot().unwrap();

        // Truncated: the last object is cut.
        let cut = &good[..good.len() - 10];
        let err = import_text(store, cut, Format::FtmJson, T2).unwrap_err();
        assert!(
            err.to_string().contains("`test.json`, line 2"),
            "{backend}: {err}"
        );
        assert_eq!(store.snapshot().unwrap(), before, "{backend}: truncated");

        // Corrupt: garbage in the middle, after a record that was already staged.
        let corrupt = format!("{}garbage\n{}", ftm(&[("c", "X")]), good);
        let err = import_text(store, &corrupt, Format::FtmJson, T2).unwrap_err();
        assert!(err.to_string().contains("line 2"), "{err}");
        assert_eq!(store.snapshot().unwrap(), before, "{backend}: corrupt");

        // Duplicate identifiers.
        let duplicate = ftm(&[("a", "Jane Roe"), ("a", "Someone Else")]);
        let err = import_text(store, &duplicate, Format::FtmJson, T2).unwrap_err();
        assert!(
            err.to_string().contains("duplicate identifier `a`"),
            "{err}"
        );
        assert!(err.to_string().contains("nothing was imported"), "{err}");
        assert_eq!(store.snapshot().unwrap(), before, "{backend}: duplicate");

        // An observation older than the latest import.
        let err = import_text(store, &good, Format::FtmJson, "2025-01-01T00:00:00Z").unwrap_err();
        assert!(matches!(err, ListStoreError::OutOfOrder { .. }), "{err}");
        assert_eq!(store.snapshot().unwrap(), before, "{backend}: out of order");
    });
}

#[test]
fn scattered_rows_merge_and_companions_need_a_primary() {
    on_both(|store, backend| {
        let sdn = "10,\"ROE, Jane\",\"individual\",\"SDGT] [IRGC\",-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,\"DOB 14 Apr 1960.\"\r\n\x1a";
        let alt = "10,1,\"aka\",\"DOE, Janet\",-0- \r\n\x1a";
        let orphan = "11,2,\"aka\",\"NOBODY\",-0- \r\n\x1a";
        let request = ImportRequest {
            source: "ofac".into(),
            observed_at: T1.into(),
            content_sha256: "x".into(),
            ..ImportRequest::default()
        };
        let before = store.snapshot().unwrap();
        let files = vec![
            ImportFile {
                origin: "sdn.csv".into(),
                format: Format::OfacCsv,
                records: read(Format::OfacCsv, sdn.as_bytes(), "sdn.csv"),
            },
            ImportFile {
                origin: "alt.csv".into(),
                format: Format::OfacCsvAliases,
                records: read(Format::OfacCsvAliases, orphan.as_bytes(), "alt.csv"),
            },
        ];
        let err = store.import(&request, files, &mut |_| {}).unwrap_err();
        assert!(
            err.to_string().contains("`alt.csv`, record `11`"),
            "{backend}: {err}"
        );
        assert_eq!(store.snapshot().unwrap(), before);

        let files = vec![
            ImportFile {
                origin: "alt.csv".into(),
                format: Format::OfacCsvAliases,
                records: read(Format::OfacCsvAliases, alt.as_bytes(), "alt.csv"),
            },
            ImportFile {
                origin: "sdn.csv".into(),
                format: Format::OfacCsv,
                records: read(Format::OfacCsv, sdn.as_bytes(), "sdn.csv"),
            },
        ];
        let summary = store.import(&request, files, &mut |_| {}).unwrap();
        assert_eq!(summary.n_records, 1);
        let (d, listed) = store.designation("ofac", "10").unwrap().unwrap();
        assert!(listed);
        assert_eq!(d.caption(), "ROE, Jane");
        assert_eq!(d.names.len(), 2);
        assert_eq!(d.programmes, ["IRGC", "SDGT"]);
        assert_eq!(d.birth_dates[0].date.to_string(), "1960-04-14");
    });
}

fn samples() -> Option<std::path::PathBuf> {
    let dir = std::env::var_os("ACCORD_SANCTIONS_DATA").map_or_else(
        || {
            std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR"))
                .join("../../../shared/data/sanctions")
        },
        std::path::PathBuf::from,
    );
    if dir.is_dir() {
        Some(dir)
    } else {
        eprintln!("skipped: sanctions samples not found at {}", dir.display());
        None
    }
}

fn import_files(
    store: &mut ListStore,
    source: &str,
    paths: &[std::path::PathBuf],
    observed_at: &str,
) -> Result<ImportSummary, ListStoreError> {
    let mut files = Vec::new();
    for path in paths {
        let origin = path.display().to_string();
        let file = std::fs::File::open(path).unwrap();
        let (format, reader) = accord_lists::sniff(file, &origin)?;
        files.push(ImportFile {
            origin: origin.clone(),
            format,
            records: read(format, reader, &origin),
        });
    }
    let request = ImportRequest {
        source: source.into(),
        observed_at: observed_at.into(),
        content_sha256: "x".into(),
        ..ImportRequest::default()
    };
    store.import(&request, files, &mut |_| {})
}

#[test]
fn real_samples_import_with_their_counts() {
    let Some(dir) = samples() else { return };
    on_both(|store, backend| {
        let cases: [(&str, &[&str], i64); 5] = [
            ("un-sc", &["un_sc/UN_consolidated.xml"], 1003),
            ("uk-ofsi", &["uk_ofsi/sanctionsconlist.csv"], 2106),
            (
                "ofac-sdn",
                &[
                    "ofac_sdn_csv/sdn.csv",
                    "ofac_sdn_csv/add.csv",
                    "ofac_sdn_csv/alt.csv",
                    "ofac_sdn_csv/sdn_comments.csv",
                ],
                8976,
            ),
            ("eu-fsf", &["eu_fsf/EUSanctionsShort.csv"], 93),
            ("us-bis-dpl", &["us_bis_dpl/dpl.txt"], 0),
        ];
        for (source, files, n) in cases {
            let paths: Vec<_> = files.iter().map(|f| dir.join(f)).collect();
            let summary = import_files(store, source, &paths, T1).unwrap();
            if n > 0 {
                assert_eq!(summary.n_records, n, "{backend} {source}");
            }
            assert_eq!(summary.n_added, summary.n_records);
            let again = import_files(store, source, &paths, T2).unwrap();
            assert_eq!(
                again.n_unchanged, summary.n_records,
                "{backend} {source} is not idempotent"
            );
        }
        // A truncated and a corrupted copy of the UN list fail and change nothing.
        let before = store.snapshot().unwrap();
        let bytes = std::fs::read(dir.join("un_sc/UN_consolidated.xml")).unwrap();
        let tmp = tempfile::tempdir().unwrap();
        let truncated = tmp.path().join("UN_truncated.xml");
        std::fs::write(&truncated, &bytes[..bytes.len() / 2]).unwrap();
        let err = import_files(store, "un-sc", &[truncated], T3).unwrap_err();
        assert!(err.to_string().contains("truncated"), "{err}");
        let mut corrupted_bytes = bytes.clone();
        let at = corrupted_bytes.len() * 3 / 4;
        corrupted_bytes.splice(at..at, b"</INDIVIDUAL></WRONG>".iter().copied());
        let corrupted = tmp.path().join("UN_corrupted.xml");
        std::fs::write(&corrupted, &corrupted_bytes).unwrap();
        let err = import_files(store, "un-sc", &[corrupted], T3).unwrap_err();
        assert!(err.to_string().contains("UN_corrupted.xml"), "{err}");
        assert_eq!(store.snapshot().unwrap(), before, "{backend}");

        // A later UN file without `CDi.001` and with `CDi.002` renamed: one delisting, one
        // amendment, and "listed on D" answers both ways.
        let text = String::from_utf8(bytes).unwrap();
        let start = text.find("<INDIVIDUAL>").unwrap();
        let end = text.find("</INDIVIDUAL>").unwrap() + "</INDIVIDUAL>".len();
        assert!(text[start..end].contains("CDi.001"));
        let edited = format!("{}{}", &text[..start], &text[end..]).replacen(
            "<FIRST_NAME>FRANK KAKOLELE</FIRST_NAME>",
            "<FIRST_NAME>FRANK K.</FIRST_NAME>",
            1,
        );
        let later = tmp.path().join("UN_later.xml");
        std::fs::write(&later, edited).unwrap();
        let summary = import_files(store, "un-sc", &[later], T3).unwrap();
        assert_eq!(
            (
                summary.n_records,
                summary.n_added,
                summary.n_removed,
                summary.n_amended
            ),
            (1002, 0, 1, 1),
            "{backend}"
        );
        assert!(matches!(
            store.listed_on("un-sc", "CDi.001", "2026-01-31").unwrap(),
            ListedOn::Observed { .. }
        ));
        assert!(matches!(
            store.listed_on("un-sc", "CDi.001", "2026-02-20").unwrap(),
            ListedOn::Unknown { .. }
        ));
        assert!(matches!(
            store.listed_on("un-sc", "CDi.001", "2026-03-10").unwrap(),
            ListedOn::NotListed { .. }
        ));
        // Before Accord's first import, the UN's own listing date (2012-12-31) answers.
        assert!(matches!(
            store.listed_on("un-sc", "CDi.001", "2013-01-01").unwrap(),
            ListedOn::PerListingDate { .. }
        ));
        assert!(matches!(
            store.listed_on("un-sc", "CDi.001", "2012-12-30").unwrap(),
            ListedOn::NotListed { .. }
        ));
        let changes = store.changes("un-sc", "CDi.002").unwrap();
        assert_eq!(changes.last().unwrap().kind, "amended");
        assert!(
            changes
                .last()
                .unwrap()
                .after
                .as_ref()
                .unwrap()
                .caption()
                .starts_with("FRANK K. BWAMBALE")
        );
    });
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(24))]

    /// The recorded changes between two imports are exactly the set differences, and the
    /// amended ones exactly the common identifiers whose facts differ.
    #[test]
    fn changes_match_set_difference(
        first in proptest::collection::btree_map(0u8..40, 0u8..3, 0..25),
        second in proptest::collection::btree_map(0u8..40, 0u8..3, 0..25),
    ) {
        let dir = tempfile::tempdir().unwrap();
        let mut store = ListStore::open(&StoreUrl::Sqlite(dir.path().join("p.db"))).unwrap();
        let text = |m: &BTreeMap<u8, u8>| {
            let entities: Vec<(String, String)> = m.iter().map(|(k, v)| (format!("id{k}"), format!("Name {v}"))).collect();
            let refs: Vec<(&str, &str)> = entities.iter().map(|(a, b)| (a.as_str(), b.as_str())).collect();
            ftm(&refs)
        };
        import_text(&mut store, &text(&first), Format::FtmJson, T1).unwrap();
        let summary = import_text(&mut store, &text(&second), Format::FtmJson, T2).unwrap();
        let added = second.keys().filter(|k| !first.contains_key(k)).count() as i64;
        let removed = first.keys().filter(|k| !second.contains_key(k)).count() as i64;
        let amended = second.iter().filter(|(k, v)| first.get(k).is_some_and(|w| w != *v)).count() as i64;
        prop_assert_eq!(summary.n_added, added);
        prop_assert_eq!(summary.n_removed, removed);
        prop_assert_eq!(summary.n_amended, amended);
        prop_assert_eq!(summary.n_records, second.len() as i64);
        for k in first.keys().filter(|k| !second.contains_key(k)) {
            let listed = store.designation("test", &format!("id{k}")).unwrap().unwrap().1;
            prop_assert!(!listed);
        }
    }
}

/// Issue #12: a list cut at a record boundary (or to its header, or emptied) is never read
/// as the source's complete list.
#[test]
fn mass_removals_and_empty_files_are_refused_unless_allowed_and_recorded() {
    on_both(|store, backend| {
        let guarded = Allow::default();
        let names: Vec<(String, String)> = (0..20)
            .map(|i| (format!("id{i}"), format!("Person {i}")))
            .collect();
        let refs: Vec<(&str, &str)> = names
            .iter()
            .map(|(a, b)| (a.as_str(), b.as_str()))
            .collect();
        let first = import_as(store, "own", &ftm(&refs), Format::FtmJson, T1, guarded).unwrap();
        assert_eq!(first.overridden, None, "{backend}");
        assert_eq!(first.formats, vec![Format::FtmJson]);
        let before = store.snapshot().unwrap();

        // Cut after 15 of 20 records (a whole line): 5 removed, 25%.
        let cut = ftm(&refs[..15]);
        let err = import_as(store, "own", &cut, Format::FtmJson, T2, guarded).unwrap_err();
        assert!(
            matches!(
                err,
                ListStoreError::MassRemoval {
                    removed: 5,
                    listed: 20,
                    ..
                }
            ),
            "{backend}: {err}"
        );
        assert!(
            err.to_string()
                .contains("would remove 5 of its 20 listed designations"),
            "{err}"
        );
        assert_eq!(
            store.snapshot().unwrap(),
            before,
            "{backend}: nothing changed"
        );

        // At every size: one of two is 50%.
        let two = ftm(&refs[..2]);
        import_as(store, "small", &two, Format::FtmJson, T1, guarded).unwrap();
        let err = import_as(
            store,
            "small",
            &ftm(&refs[..1]),
            Format::FtmJson,
            T2,
            guarded,
        )
        .unwrap_err();
        assert!(
            matches!(
                err,
                ListStoreError::MassRemoval {
                    removed: 1,
                    listed: 2,
                    ..
                }
            ),
            "{err}"
        );

        // Up to 10% is an ordinary update: 2 of 20.
        let fewer = import_as(
            store,
            "own",
            &ftm(&refs[..18]),
            Format::FtmJson,
            T2,
            guarded,
        )
        .unwrap();
        assert_eq!((fewer.n_removed, fewer.overridden), (2, None), "{backend}");

        // Empty and header-only (white space) files are refused as such.
        for empty in ["", "\n \n"] {
            let before = store.snapshot().unwrap();
            let err = import_as(store, "own", empty, Format::FtmJson, T3, guarded).unwrap_err();
            assert!(
                matches!(&err, ListStoreError::Import(e) if matches!(e.kind, ErrorKind::Empty(_))),
                "{backend}: {err}"
            );
            assert_eq!(
                store.snapshot().unwrap(),
                before,
                "{backend}: nothing changed"
            );
        }

        // Allowed explicitly: imported, and the allowance recorded with the import.
        let allowed = Allow {
            removals: Removals::Allowed,
            ..guarded
        };
        let cut = import_as(store, "own", &ftm(&refs[..9]), Format::FtmJson, T3, allowed).unwrap();
        assert_eq!(
            (cut.n_removed, cut.overridden),
            (9, Some(Override::Removals))
        );
        let empty = Allow {
            empty: IfEmpty::Accept,
            ..guarded
        };
        let none = import_as(store, "own", "", Format::FtmJson, T3, empty).unwrap();
        assert_eq!(
            (none.n_records, none.n_removed, none.overridden),
            (0, 9, Some(Override::Empty))
        );
        let recorded = store.imports(Some("own")).unwrap();
        assert_eq!(recorded[0].overridden, Some(Override::Empty), "{backend}");
        assert_eq!(
            recorded[1].overridden,
            Some(Override::Removals),
            "{backend}"
        );
        assert_eq!(recorded[2].overridden, None, "{backend}");
        assert_eq!(
            store.previous_formats("own").unwrap(),
            vec![Format::FtmJson]
        );
    });
}

/// Issue #12: `lists import --source un-sc csl.csv` replaced the UN list; a file must belong
/// to the source it is imported under, by its content and the source's previous import.
#[test]
fn a_file_of_another_source_is_refused() {
    on_both(|store, backend| {
        let csl = "source,entity_number,type,programs,name,title,addresses,federal_register_notice,start_date,end_date,standard_order,license_requirement,license_policy,call_sign,vessel_type,gross_tonnage,gross_registered_tonnage,vessel_flag,vessel_owner,remarks,source_list_url,alt_names,citizenships,dates_of_birth,nationalities,places_of_birth,source_information_url,ids\n\
            Entity List (EL) - Bureau of Industry and Security,,,,ACME LTD,,,,,,,,,,,,,,,,,,,,,,,\n";
        let before = store.snapshot().unwrap();
        let err = import_as(store, "un-sc", csl, Format::UsCslCsv, T1, ALLOW_ALL).unwrap_err();
        assert!(
            err.to_string().contains("cannot be imported under `un-sc`"),
            "{backend}: {err}"
        );
        assert_eq!(store.snapshot().unwrap(), before, "{backend}");
        // A source of one's own keeps the publisher of its first import.
        import_as(store, "mine", csl, Format::UsCslCsv, T1, ALLOW_ALL).unwrap();
        let err = import_as(
            store,
            "mine",
            &ftm(&[("a", "Jane Roe")]),
            Format::FtmJson,
            T2,
            ALLOW_ALL,
        )
        .unwrap_err();
        assert!(
            err.to_string().contains("`mine` holds trade.gov"),
            "{backend}: {err}"
        );
    });
}

/// Issue #12: after an import, the download validators recorded for its source are gone,
/// so that `update` downloads again instead of trusting what a manual or overridden
/// import replaced.
#[test]
fn an_import_forgets_the_sources_download_validators() {
    on_both(|store, backend| {
        let state = FetchState {
            etag: Some("\"v1\"".into()),
            last_modified: None,
            content_sha256: "abc".into(),
            fetched_at: T1.into(),
        };
        store
            .record_fetch("test", "http://x/a.json", &state)
            .unwrap();
        store
            .record_fetch("other", "http://x/b.json", &state)
            .unwrap();
        import_text(store, &ftm(&[("a", "Jane Roe")]), Format::FtmJson, T2).unwrap();
        assert_eq!(
            store.fetch_state("test", "http://x/a.json").unwrap(),
            None,
            "{backend}"
        );
        assert!(
            store
                .fetch_state("other", "http://x/b.json")
                .unwrap()
                .is_some()
        );
        store.forget_fetches("other").unwrap();
        assert_eq!(
            store.fetch_state("other", "http://x/b.json").unwrap(),
            None,
            "{backend}"
        );
    });
}

/// A generated OFAC legacy CSV set: per target (`ent_num`), the variant of its name,
/// how many aliases it has (`alt.csv`, one of them repeated) and whether it has an
/// address (`add.csv`); rows of the companion files in descending `ent_num` order, so
/// that fragments of one target are scattered.
fn ofac_set(targets: &BTreeMap<u16, (u8, u8, bool)>) -> [(String, Format, String); 3] {
    let mut sdn = String::new();
    let mut alt = String::new();
    let mut add = String::new();
    for (id, (variant, _, _)) in targets {
        sdn.push_str(&format!(
            "{id},\"ROE {variant}, Jane {id}\",\"individual\",\"SDGT] [P{variant}\",-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,\"DOB 14 Apr 1960.\"\r\n"
        ));
    }
    for (id, (variant, aliases, address)) in targets.iter().rev() {
        for a in 0..*aliases {
            alt.push_str(&format!("{id},{a},\"aka\",\"DOE {a}, Jan {id}\",-0- \r\n"));
        }
        if *aliases > 1 {
            alt.push_str(&format!("{id},99,\"aka\",\"DOE 0, Jan {id}\",-0- \r\n"));
        }
        if *address {
            add.push_str(&format!(
                "{id},{variant},\"Street {variant}\",\"Town {id}\",\"Cuba\",-0- \r\n"
            ));
        }
    }
    [
        ("sdn.csv".into(), Format::OfacCsv, sdn + "\x1a"),
        ("alt.csv".into(), Format::OfacCsvAliases, alt + "\x1a"),
        ("add.csv".into(), Format::OfacCsvAddresses, add + "\x1a"),
    ]
}

/// A generated FtM file: per identifier, the variant of its name and whether it has an
/// alias; `repeat` writes one identifier a second time (a duplicate, refused).
fn ftm_file(targets: &BTreeMap<u16, (u8, u8, bool)>, repeat: Option<u16>) -> String {
    let line = |id: &u16, variant: &u8, alias: bool| {
        let alias = if alias {
            format!(",\"alias\":[\"R. {variant}\"]")
        } else {
            String::new()
        };
        format!(
            "{{\"id\":\"e{id}\",\"schema\":\"Person\",\"properties\":{{\"name\":[\"Roe {variant}\"]{alias}}}}}\n"
        )
    };
    let mut text: String = targets
        .iter()
        .map(|(id, (variant, _, alias))| line(id, variant, *alias))
        .collect();
    if let Some(id) = repeat {
        text.push_str(&line(&id, &0, false));
    }
    text
}

/// The ways an import is written: [`ListStore::import`] on its back end; the generic
/// staging with every row upserted (the reference).
#[derive(Debug, Clone, Copy)]
enum Via {
    Store,
    Generic,
}

fn import_generated(
    store: &mut ListStore,
    source: &str,
    files: &[(String, Format, String)],
    observed_at: &str,
    via: Via,
) -> Result<ImportSummary, String> {
    let request = ImportRequest {
        source: source.into(),
        observed_at: observed_at.into(),
        content_sha256: "x".into(),
        allow: ALLOW_ALL,
    };
    let files = files
        .iter()
        .map(|(origin, format, text)| ImportFile {
            origin: origin.clone(),
            format: *format,
            records: read(*format, text.as_bytes(), origin),
        })
        .collect();
    let result = match via {
        Via::Generic => store.import_generic(&request, files),
        Via::Store => store.import(&request, files, &mut |_| {}),
    };
    result.map_err(|e| e.to_string())
}

/// The files of one import: name, format, text.
type Files = Vec<(String, Format, String)>;

/// One generated import per source: an FtM file (with `repeat` listed twice, if any) and
/// the OFAC CSV set of the same targets.
fn generated_files(
    targets: &BTreeMap<u16, (u8, u8, bool)>,
    repeat: Option<u16>,
) -> [(&'static str, Files); 2] {
    let ftm = vec![(
        "e.json".to_owned(),
        Format::FtmJson,
        ftm_file(targets, repeat),
    )];
    [("ftm", ftm), ("ofac", ofac_set(targets).to_vec())]
}

/// `files` imported as `source` by the store's own path into `fast` and by the generic one
/// into `reference`: the same outcome, and the same tables after it.
fn import_both(
    fast: &mut ListStore,
    reference: &mut ListStore,
    source: &str,
    files: &[(String, Format, String)],
    at: &str,
) -> Result<Result<ImportSummary, String>, TestCaseError> {
    let got = import_generated(fast, source, files, at, Via::Store);
    let want = import_generated(reference, source, files, at, Via::Generic);
    prop_assert_eq!(&got, &want);
    prop_assert_eq!(fast.snapshot().unwrap(), reference.snapshot().unwrap());
    Ok(got)
}

fn generated_targets() -> impl Strategy<Value = BTreeMap<u16, (u8, u8, bool)>> {
    proptest::collection::btree_map(0u16..60, (0u8..3, 0u8..3, any::<bool>()), 0..40)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(32))]

    /// Issue #18: the SQLite import (records staged one prepared statement at a time,
    /// scattered fragments merged once per target, only what changed rewritten, a first
    /// import of one FtM file written without staging) leaves every list table exactly as
    /// the generic path with the previous apply step (every staged row upserted) leaves it, over three imports of generated lists with
    /// additions, removals, amendments, scattered fragments and duplicates; and the
    /// changes it records are the set differences of the identifiers.
    #[test]
    fn lite_staging_equals_generic_staging(
        lists in proptest::collection::vec((generated_targets(), proptest::option::of(0u16..60)), 3),
    ) {
        let dir = tempfile::tempdir().unwrap();
        let mut fast = ListStore::open(&StoreUrl::Sqlite(dir.path().join("fast.db"))).unwrap();
        let mut reference = ListStore::open(&StoreUrl::Sqlite(dir.path().join("ref.db"))).unwrap();
        let mut listed: BTreeMap<String, BTreeMap<String, String>> = BTreeMap::new();
        for ((targets, repeat), at) in lists.iter().zip([T1, T2, T3]) {
            for (source, files) in generated_files(targets, *repeat) {
                let got = import_both(&mut fast, &mut reference, source, &files, at)?;
                let Ok(summary) = got else { continue };
                // The changes, per identifier, against a model of the listed digests.
                let before = listed.remove(source).unwrap_or_default();
                let now: BTreeMap<String, String> = fast
                    .read(|tx| {
                        Ok(tx.rows(
                            "SELECT source_id, digest FROM lists_designation WHERE source = $1 AND listed = 1",
                            &[Val::text(source)],
                        )?)
                    })
                    .unwrap()
                    .iter()
                    .map(|r| (sql::text(r, 0).to_owned(), sql::text(r, 1).to_owned()))
                    .collect();
                for id in before.keys().chain(now.keys()) {
                    let kind = match (before.get(id), now.get(id)) {
                        (None, Some(_)) => Some("added"),
                        (Some(_), None) => Some("removed"),
                        (Some(a), Some(b)) if a != b => Some("amended"),
                        _ => None,
                    };
                    let last = fast.changes(source, id).unwrap().pop();
                    let recorded = last
                        .filter(|c| c.import_id == summary.import_id)
                        .map(|c| c.kind);
                    prop_assert_eq!(recorded.as_deref(), kind, "{} {}", source, id);
                }
                listed.insert(source.to_owned(), now);
            }
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(8))]

    /// The same on PostgreSQL: its import (a first import by COPY straight into the final
    /// rows, re-imports of whole targets staged by COPY, scattered formats in multi-row
    /// batches) leaves every list table as the generic path leaves it, over the same
    /// generated imports (the FtM files carry the duplicates, refused in the same words).
    #[test]
    fn postgres_staging_equals_generic_staging(
        lists in proptest::collection::vec((generated_targets(), proptest::option::of(0u16..60)), 3),
    ) {
        let (Some((mut fast, _fast_schema)), Some((mut reference, _reference_schema))) =
            (fresh_postgres(), fresh_postgres())
        else {
            return Ok(());
        };
        for ((targets, repeat), at) in lists.iter().zip([T1, T2, T3]) {
            for (source, files) in generated_files(targets, *repeat) {
                let _same_outcome = import_both(&mut fast, &mut reference, source, &files, at)?;
            }
        }
    }
}

proptest! {
    /// `name_key` without its intermediate vector (and lowercasing ASCII in place) is the
    /// key it was: words joined by one space, lowercased.
    #[test]
    fn name_key_is_the_joined_lowercase_words(name in "[ \ta-zA-ZΣσςÉé\u{130}İ.]{0,24}") {
        let before = name.split_whitespace().collect::<Vec<_>>().join(" ").to_lowercase();
        prop_assert_eq!(name_key(&name), before);
    }
}

/// The names of the temporary tables and of the list indexes on a SQLite store's connection.
fn sqlite_objects(store: &mut ListStore) -> (Vec<String>, Vec<String>) {
    let names = |store: &mut ListStore, sql: &str| -> Vec<String> {
        store
            .read(|tx| Ok(tx.rows(sql, &[])?))
            .unwrap()
            .iter()
            .map(|r| sql::text(r, 0).to_owned())
            .collect()
    };
    (
        names(
            store,
            "SELECT name FROM sqlite_temp_master WHERE type = 'table' ORDER BY name",
        ),
        names(
            store,
            "SELECT name FROM sqlite_master WHERE type = 'index' AND name LIKE 'lists_%' AND sql IS NOT NULL ORDER BY name",
        ),
    )
}

/// Issue #18: a source's first import of one file of whole targets writes its designations
/// straight into the list tables, with no staging table; one refused (a duplicate, a cut
/// file) changes nothing, and the indexes it defers are there again either way. The rows
/// are those of the staged path (`lite_staging_equals_generic_staging`).
#[test]
fn a_first_import_of_whole_targets_is_written_without_staging() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = ListStore::open(&StoreUrl::Sqlite(dir.path().join("lists.db"))).unwrap();
    let (_, indexes) = sqlite_objects(&mut store);
    assert!(
        indexes.contains(&"lists_change_by_id".to_owned()),
        "{indexes:?}"
    );
    assert!(
        indexes.contains(&"lists_name_by_key".to_owned()),
        "{indexes:?}"
    );
    let empty = store.snapshot().unwrap();

    let good = ftm(&[("a", "Jane Roe"), ("b", "John Doe"), ("c", "Acme Ltd")]);
    let duplicate = ftm(&[("a", "Jane Roe"), ("b", "John Doe"), ("a", "Someone Else")]);
    let err = import_text(&mut store, &duplicate, Format::FtmJson, T1).unwrap_err();
    assert!(
        err.to_string().contains("duplicate identifier `a`"),
        "{err}"
    );
    let err = import_text(&mut store, &good[..good.len() - 10], Format::FtmJson, T1).unwrap_err();
    assert!(err.to_string().contains("`test.json`, line 3"), "{err}");
    assert_eq!(store.snapshot().unwrap(), empty);
    assert_eq!(sqlite_objects(&mut store).1, indexes);

    let first = import_text(&mut store, &good, Format::FtmJson, T1).unwrap();
    assert_eq!(
        (first.n_records, first.n_added, first.n_unchanged),
        (3, 3, 0)
    );
    let (temporary, after) = sqlite_objects(&mut store);
    assert_eq!(
        temporary,
        Vec::<String>::new(),
        "a first import stages nothing"
    );
    assert_eq!(after, indexes);
    assert_eq!(store.find_by_name(None, "john").unwrap().len(), 1);
    let added = store.changes("test", "b").unwrap();
    assert_eq!(added.len(), 1);
    assert_eq!(added[0].kind, "added");

    // The next import of the source stages and compares.
    let second = import_text(&mut store, &good, Format::FtmJson, T2).unwrap();
    assert_eq!((second.n_added, second.n_unchanged), (0, 3));
    assert!(
        sqlite_objects(&mut store)
            .0
            .contains(&"lists_staging".to_owned())
    );
}

/// Issue #18: on both stores, a source's first import written without staging (SQLite:
/// one statement per row; PostgreSQL: binary `COPY` per batch) leaves every list table as
/// the staged import does, also across batches, with names that share a key, a file that
/// lists nothing, and a source imported before; a duplicate in a later batch is refused
/// naming its record, changing nothing.
#[test]
fn a_first_import_without_staging_equals_the_staged_one_on_both_stores() {
    let dir = tempfile::tempdir().unwrap();
    let sqlite = |name: &str| ListStore::open(&StoreUrl::Sqlite(dir.path().join(name))).unwrap();
    let mut pairs = vec![("sqlite", sqlite("a.db"), sqlite("b.db"), None, None)];
    if let (Some((a, ga)), Some((b, gb))) = (fresh_postgres(), fresh_postgres()) {
        pairs.push(("postgres", a, b, Some(ga), Some(gb)));
    }
    let many: Vec<(String, String)> = (0..5000)
        .map(|i| (format!("id{i}"), format!("Name {} Roe", i % 97)))
        .collect();
    let many: Vec<(&str, &str)> = many.iter().map(|(a, b)| (a.as_str(), b.as_str())).collect();
    let same_key = "{\"id\":\"k\",\"schema\":\"Person\",\"properties\":{\"name\":[\"John Doe\"],\"alias\":[\"JOHN  DOE\",\"john doe\"]}}\n";
    let files: [(&str, String); 4] = [
        ("other", ftm(&[("x", "Xavier Roe")])),
        ("many", ftm(&many)),
        ("keys", same_key.to_owned()),
        ("empty", String::new()),
    ];
    for (backend, mut fast, mut reference, _ga, _gb) in pairs {
        for (at, (source, text)) in [T1, T2, T2, T3].iter().zip(&files) {
            let files = [("f.json".to_owned(), Format::FtmJson, text.clone())];
            let got = import_generated(&mut fast, source, &files, at, Via::Store);
            let want = import_generated(&mut reference, source, &files, at, Via::Generic);
            assert_eq!(got, want, "{backend} {source}");
            assert_eq!(
                fast.snapshot().unwrap(),
                reference.snapshot().unwrap(),
                "{backend} {source}"
            );
        }
        let before = fast.snapshot().unwrap();
        let mut repeated = many.clone();
        repeated.push(("id17", "Again"));
        let text = ftm(&repeated);
        let files = [("d.json".to_owned(), Format::FtmJson, text)];
        let err = import_generated(&mut fast, "dup", &files, T3, Via::Store).unwrap_err();
        assert!(
            err.contains("duplicate identifier `id17`"),
            "{backend}: {err}"
        );
        assert!(err.contains("line 5001"), "{backend}: {err}");
        assert_eq!(fast.snapshot().unwrap(), before, "{backend}");
    }
}

/// Issue #18: on both stores, a re-import (PostgreSQL: staged by binary `COPY`, 4,096
/// records a batch) leaves every list table as the generic staging does, across batches,
/// with additions, removals, amendments and names that share a key, and the two stores
/// hold the same rows; a duplicate in the second batch, of a record of the first batch or
/// of its own, is refused as the generic path refuses it, naming its line, changing
/// nothing.
#[test]
fn a_reimport_staged_by_copy_equals_the_generic_one_on_both_stores() {
    let dir = tempfile::tempdir().unwrap();
    let sqlite = |name: &str| ListStore::open(&StoreUrl::Sqlite(dir.path().join(name))).unwrap();
    let mut pairs = vec![("sqlite", sqlite("a.db"), sqlite("b.db"), None, None)];
    if let (Some((a, ga)), Some((b, gb))) = (fresh_postgres(), fresh_postgres()) {
        pairs.push(("postgres", a, b, Some(ga), Some(gb)));
    }
    let list = |range: std::ops::Range<usize>, variant: usize| -> Vec<(String, String)> {
        range
            .map(|i| {
                let amended = if i % 7 == 0 { variant } else { 0 };
                (format!("id{i}"), format!("Name {} Roe {amended}", i % 97))
            })
            .collect()
    };
    let text = |list: &[(String, String)], repeat: Option<&str>| -> String {
        let mut entities: Vec<(&str, &str)> =
            list.iter().map(|(a, b)| (a.as_str(), b.as_str())).collect();
        if let Some(id) = repeat {
            entities.push((id, "Again"));
        }
        let same_key = "{\"id\":\"k\",\"schema\":\"Person\",\"properties\":{\"name\":[\"John Doe\"],\"alias\":[\"JOHN  DOE\",\"john doe\"]}}\n";
        same_key.to_owned() + &ftm(&entities)
    };
    // 5,001 listed, then 4,801 of them (some amended) and 200 new: 5,001 records.
    let first = list(0..5000, 0);
    let again = list(200..5200, 1);
    let mut snapshots = Vec::new();
    for (backend, mut fast, mut reference, _ga, _gb) in pairs {
        for (at, text) in [(T1, text(&first, None)), (T2, text(&again, None))] {
            let files = [("f.json".to_owned(), Format::FtmJson, text)];
            let got = import_generated(&mut fast, "many", &files, at, Via::Store);
            let want = import_generated(&mut reference, "many", &files, at, Via::Generic);
            assert_eq!(got, want, "{backend}");
            assert_eq!(
                fast.snapshot().unwrap(),
                reference.snapshot().unwrap(),
                "{backend}"
            );
        }
        let before = fast.snapshot().unwrap();
        // The repeat is line 5,002, in the second batch, as id4900 (line 4,702) is; id300
        // is in the first.
        for id in ["id300", "id4900"] {
            let files = [("d.json".to_owned(), Format::FtmJson, text(&again, Some(id)))];
            let got = import_generated(&mut fast, "many", &files, T3, Via::Store).unwrap_err();
            let want =
                import_generated(&mut reference, "many", &files, T3, Via::Generic).unwrap_err();
            assert_eq!(got, want, "{backend}");
            assert!(
                got.contains(&format!("duplicate identifier `{id}`")),
                "{backend}: {got}"
            );
            assert!(got.contains("line 5002"), "{backend}: {got}");
            assert_eq!(fast.snapshot().unwrap(), before, "{backend}");
        }
        // A repeat in a later file of the same import names the file it was first seen in.
        let files = [
            ("a.json".to_owned(), Format::FtmJson, text(&again, None)),
            (
                "b.json".to_owned(),
                Format::FtmJson,
                ftm(&[("id4000", "Again")]),
            ),
        ];
        let got = import_generated(&mut fast, "many", &files, T3, Via::Store).unwrap_err();
        let want = import_generated(&mut reference, "many", &files, T3, Via::Generic).unwrap_err();
        assert_eq!(got, want, "{backend}");
        assert!(
            got.contains("duplicate identifier `id4000` (first seen in `a.json`)"),
            "{backend}: {got}"
        );
        assert_eq!(fast.snapshot().unwrap(), before, "{backend}");
        snapshots.push(before);
    }
    // The same rows on both stores, read back as values of whichever nullability (a NULL
    // from SQLite has no column type).
    let plain = |rows: &Vec<String>| -> Vec<String> {
        rows.iter()
            .map(|r| r.replace("Opt", "").replace("Some(", "").replace(')', ""))
            .map(|r| r.replace("Int(None", "None").replace("Text(None", "None"))
            .collect()
    };
    if let [sqlite, postgres] = snapshots.as_slice() {
        let (a, b) = (plain(sqlite), plain(postgres));
        let diff: Vec<_> = a.iter().zip(&b).filter(|(x, y)| x != y).take(2).collect();
        assert!(diff.is_empty(), "{diff:?}");
    }
}

/// What every reader answers about the designations `ids` of the source `test`, and every
/// row of the list tables.
fn answers(store: &mut ListStore, ids: &[&str]) -> Vec<String> {
    let mut out = vec![
        format!("{:?}", store.imports(None).unwrap()),
        format!("{:?}", store.listed().unwrap()),
        format!("{:?}", store.find_by_name(None, "roe").unwrap()),
        format!("{:?}", store.previous_formats("test").unwrap()),
    ];
    for id in ids {
        out.push(format!("{:?}", store.designation("test", id).unwrap()));
        out.push(format!("{:?}", store.changes("test", id).unwrap()));
        out.push(format!("{:?}", store.intervals("test", id).unwrap()));
        for date in ["2026-01-01", "2026-01-10", "2026-02-20", "2026-03-10"] {
            out.push(format!("{:?}", store.listed_on("test", id, date).unwrap()));
        }
    }
    out.extend(store.snapshot().unwrap());
    out
}

/// The imports a migrated store is compared on: a first one, an amendment, removal and
/// addition, a re-listing.
const HISTORY: [(&str, &[(&str, &str)]); 3] = [
    (
        T1,
        &[("a", "Jane Roe"), ("b", "John Roe"), ("c", "Acme Roe")],
    ),
    (
        T2,
        &[("a", "Jane Roe"), ("b", "Johnny Roe"), ("d", "Dee Roe")],
    ),
    (
        T3,
        &[("a", "Jane Roe"), ("c", "Acme Roe"), ("d", "Dee Roe")],
    ),
];

/// A SQLite store at schema 7 holding the rows of the list tables of `from`, then opened
/// (migrated to the current schema).
fn migrated_sqlite(from: &std::path::Path, to: &std::path::Path) -> ListStore {
    let mut c = crate::open_sqlite(to).unwrap();
    crate::migrate::apply_sqlite(&mut c, 7).unwrap();
    let old: String = c
        .query_row(
            "SELECT sql FROM sqlite_master WHERE name = 'lists_designation'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert!(!old.contains("WITHOUT ROWID"), "{old}");
    c.execute(
        "ATTACH DATABASE ?1 AS written",
        [from.display().to_string()],
    )
    .unwrap();
    for table in TABLES {
        c.execute(
            &format!("INSERT INTO main.{table} SELECT * FROM written.{table}"),
            [],
        )
        .unwrap();
    }
    drop(c);
    ListStore::open(&StoreUrl::Sqlite(to.to_owned())).unwrap()
}

/// A PostgreSQL schema at schema 7 holding the rows of the list tables of the schema
/// `from`, then opened (migrated to the current schema).
fn migrated_postgres(from: &str) -> (ListStore, PgSchema) {
    let url = std::env::var("ACCORD_TEST_POSTGRES")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/test".to_owned());
    let name = unique("accord_test_lists_old");
    let guard = PgSchema {
        url: url.clone(),
        name: name.clone(),
    };
    let sep = if url.contains('?') { '&' } else { '?' };
    let schema_url = format!("{url}{sep}options=-csearch_path%3D{name}");
    let mut c = crate::connect_postgres(&url).unwrap();
    c.batch_execute(&format!("CREATE SCHEMA {name}")).unwrap();
    let mut c = crate::connect_postgres(&schema_url).unwrap();
    crate::migrate::apply_postgres(&mut c, 7).unwrap();
    for table in TABLES {
        c.batch_execute(&format!("INSERT INTO {table} SELECT * FROM {from}.{table}"))
            .unwrap();
    }
    drop(c);
    let store = ListStore::open(&StoreUrl::Postgres(schema_url)).unwrap();
    (store, guard)
}

/// A back end, the store written under the current schema, the migrated one, and the
/// PostgreSQL schemas to drop.
type Migrated = (
    &'static str,
    ListStore,
    ListStore,
    Option<(PgSchema, PgSchema)>,
);

/// Issue #18: a store whose list tables were written under schema 7 (SQLite: rowid tables)
/// migrates to the current schema (SQLite: tables keyed `WITHOUT ROWID`) and answers every
/// reader as the store written under the current schema does, before and after a further
/// import, on both stores.
#[test]
fn a_store_of_the_previous_list_schema_migrates_and_answers_the_same() {
    let dir = tempfile::tempdir().unwrap();
    let written_path = dir.path().join("written.db");
    let mut written = ListStore::open(&StoreUrl::Sqlite(written_path.clone())).unwrap();
    let mut pairs: Vec<Migrated> = Vec::new();
    for (at, entities) in HISTORY {
        import_text(&mut written, &ftm(entities), Format::FtmJson, at).unwrap();
    }
    let mut migrated = migrated_sqlite(&written_path, &dir.path().join("old.db"));
    assert_eq!(
        keyed_tables(&mut migrated),
        [
            "lists_change",
            "lists_designation",
            "lists_interval",
            "lists_name"
        ]
    );
    pairs.push(("sqlite", written, migrated, None));
    if let Some((mut written, guard)) = fresh_postgres() {
        for (at, entities) in HISTORY {
            import_text(&mut written, &ftm(entities), Format::FtmJson, at).unwrap();
        }
        let (migrated, old) = migrated_postgres(&guard.name);
        pairs.push(("postgres", written, migrated, Some((guard, old))));
    }
    let ids = ["a", "b", "c", "d", "e"];
    let next = ftm(&[("a", "Jane Q Roe"), ("c", "Acme Roe"), ("e", "Eve Roe")]);
    for (backend, mut written, mut migrated, _guards) in pairs {
        assert_eq!(
            answers(&mut migrated, &ids),
            answers(&mut written, &ids),
            "{backend}"
        );
        for store in [&mut written, &mut migrated] {
            let summary = import_text(store, &next, Format::FtmJson, "2026-04-10T09:00:00Z");
            assert_eq!(summary.unwrap().n_added, 1, "{backend}");
        }
        assert_eq!(
            answers(&mut migrated, &ids),
            answers(&mut written, &ids),
            "{backend}"
        );
    }
}

/// The list tables of a SQLite store keyed by their primary keys alone.
fn keyed_tables(store: &mut ListStore) -> Vec<String> {
    store
        .read(|tx| {
            Ok(tx.rows(
                "SELECT name FROM sqlite_master WHERE type = 'table' AND name LIKE 'lists_%'
                 AND sql LIKE '%WITHOUT ROWID' ORDER BY name",
                &[],
            )?)
        })
        .unwrap()
        .iter()
        .map(|r| sql::text(r, 0).to_owned())
        .collect()
}
