//! Screening candidates: from a file (CSV or JSON lines, with listing periods) or from the
//! store's lists; customer and pair files; every bad row named by its line.

use accord_app::Error;
use accord_app::lists::Import;
use accord_app::screen::{file_candidates, read_customers, score_pairs, store_candidates};

use crate::support::{both, repo};

fn write(dir: &std::path::Path, name: &str, text: &str) -> std::path::PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, text).unwrap();
    path
}

#[test]
fn candidate_files_keep_what_is_listed_on_the_day_asked() {
    let dir = tempfile::tempdir().unwrap();
    let csv = write(
        dir.path(),
        "c.csv",
        "id,schema,name,aliases,listed,delisted\n\
         a,Person,Ann Smith,Anne Smith;A. Smith,2020-01-01,\n\
         b,Company,Acme Ltd,,2026-01-01,\n\
         c,Person,Old Name,,2010-01-01,2020-01-01\n",
    );
    let ids = |date: &str| -> Vec<String> {
        file_candidates(&csv, date.parse().unwrap())
            .unwrap()
            .into_iter()
            .map(|c| c.id)
            .collect()
    };
    assert_eq!(ids("2025-06-01"), ["a"]);
    assert_eq!(ids("2026-06-01"), ["a", "b"]);
    assert_eq!(ids("2015-06-01"), ["c"]);
    let alias_count = file_candidates(&csv, "2025-06-01".parse().unwrap()).unwrap()[0]
        .names
        .len();
    assert_eq!(alias_count, 3);
    let jsonl = write(
        dir.path(),
        "c.jsonl",
        "{\"id\":\"v\",\"schema\":\"Vessel\",\"names\":[\"Sea Star\",\"Star of the Sea\"],\"identifiers\":[\"imo:9187629\"]}\n",
    );
    let vessel = &file_candidates(&jsonl, "2026-01-01".parse().unwrap()).unwrap()[0];
    assert_eq!(vessel.names.len(), 2);
    assert_eq!(vessel.identifiers.len(), 1);
}

#[test]
fn bad_rows_are_named_by_their_line() {
    let dir = tempfile::tempdir().unwrap();
    let day = "2026-01-01".parse().unwrap();
    let line_of =
        |name: &str, text: &str| match file_candidates(&write(dir.path(), name, text), day) {
            Err(Error::Line { line, message, .. }) => (line, message),
            other => panic!("{other:?}"),
        };
    let (line, message) = line_of("s.csv", "id,schema,name\na,Person,Ann\nb,Planet,Bob\n");
    assert_eq!(line, 3);
    assert!(message.contains("Planet"), "{message}");
    let (line, message) = line_of("d.csv", "id,schema,name,listed\na,Person,Ann,2026-13-01\n");
    assert_eq!(line, 2);
    assert_eq!(
        message,
        "`2026-13-01` is not a listing date: write YYYY-MM-DD"
    );
    let (line, _) = line_of("j.jsonl", "{\"id\":\"a\"}\n");
    assert_eq!(line, 1);
    let missing = file_candidates(&write(dir.path(), "m.csv", "id,name\na,Ann\n"), day);
    assert!(matches!(missing, Err(Error::Columns { .. })), "{missing:?}");
    let customers = read_customers(&write(dir.path(), "cu.csv", "id,label\n1,x\n"));
    match customers {
        Err(e @ Error::Columns { .. }) => {
            assert!(e.to_string().ends_with("has no `name` column"), "{e}");
        }
        other => panic!("{other:?}"),
    }
    let pairs = score_pairs(&write(
        dir.path(),
        "p.csv",
        "name1,name2,schema\nAnn,Anne,Planet\n",
    ));
    match pairs {
        Err(e) => assert!(
            e.to_string().starts_with(&format!(
                "`{}` line 2: unknown schema `Planet`",
                dir.path().join("p.csv").display()
            )),
            "{e}"
        ),
        Ok(_) => panic!("a bad schema scored"),
    }
}

#[test]
fn customers_and_pairs_read_as_documented() {
    let dir = tempfile::tempdir().unwrap();
    let customers = read_customers(&write(
        dir.path(),
        "cu.csv",
        "name,dob,country,identifiers\nVladimir Putin,1952,ru,\nAcme,,,imo:9187629;lei:X\n",
    ))
    .unwrap();
    assert_eq!(customers[0].id, "1");
    assert_eq!(customers[1].id, "2");
    assert_eq!(customers[0].query.countries, ["ru"]);
    assert_eq!(customers[1].query.identifiers.len(), 2);
    let scored = score_pairs(&write(
        dir.path(),
        "p.csv",
        "name1,name2,label\nVladimir Putin,Владимир Путин,same\nAnn Smith,Bob Jones,other\n",
    ))
    .unwrap();
    assert_eq!(scored.header.as_deref().map(<[String]>::len), Some(3));
    assert_eq!(scored.rows[0].0[2], "same");
    assert!(scored.rows[0].1.score > 0.9, "{:?}", scored.rows[0].1);
    assert!(scored.rows[1].1.score < 0.5, "{:?}", scored.rows[1].1);
}

#[test]
fn the_store_screens_today_only_and_refuses_when_empty() {
    both(|store| {
        let today = "2026-06-01".parse().unwrap();
        let empty = store_candidates(&store.store, None, today);
        assert!(matches!(empty, Err(Error::NothingToScreen(_))), "{empty:?}");
        let path = repo().join("crates/app/tests/fixtures/status/eu-arden.xml");
        let what = Import::files(
            &[path],
            None,
            Some("eu-fsf".into()),
            "2026-01-01T00:00:00Z".into(),
        );
        accord_app::lists::import(&store.store, &what, &mut |_, _| {}).unwrap();
        let ids: Vec<String> = store_candidates(&store.store, Some(today), today)
            .unwrap()
            .into_iter()
            .map(|c| c.id)
            .collect();
        assert_eq!(ids, ["eu-fsf:EU.1001.23", "eu-fsf:EU.2001.23"]);
        let past = store_candidates(&store.store, Some("2026-01-01".parse().unwrap()), today);
        assert!(matches!(past, Err(Error::ScreenPastDay)), "{past:?}");
    });
}
