//! The store handle on both back ends: migrations run once and are recorded, a newer
//! schema is refused, reading never creates a store, and the agreement registry keeps each
//! version's text unchanged.

use crate::testing::both;
use crate::{Store, StoreError, StoreUrl};

fn versions(store: &Store) -> Vec<i64> {
    match store.conn().unwrap() {
        crate::Conn::Sqlite(c) => {
            let mut s = c
                .prepare("SELECT version FROM accord_schema ORDER BY version")
                .unwrap();
            s.query_map([], |r| r.get(0))
                .unwrap()
                .map(Result::unwrap)
                .collect()
        }
        crate::Conn::Postgres(mut c) => c
            .query("SELECT version FROM accord_schema ORDER BY version", &[])
            .unwrap()
            .iter()
            .map(|r| r.get(0))
            .collect(),
    }
}

fn all_versions() -> Vec<i64> {
    (1..=crate::migrate::SCHEMA_VERSION).collect()
}

#[test]
fn migrations_are_applied_once_and_recorded() {
    both(|store| {
        let handle = Store::open(&store.url).unwrap();
        assert_eq!(versions(&handle), all_versions());
        drop(handle);
        // Remove a table behind Accord's back: a second open reads the version table and
        // does not run the migrations again, so the table stays missing.
        store.execute("DROP TABLE agreement_text");
        let handle = Store::open(&store.url).unwrap();
        assert_eq!(versions(&handle), all_versions());
        assert!(handle.registered_agreements().is_err());
    });
}

#[test]
fn a_store_written_by_a_newer_accord_is_refused() {
    both(|store| {
        drop(Store::open(&store.url).unwrap());
        store.execute("INSERT INTO accord_schema (version, name) VALUES (99, 'from the future')");
        match Store::open(&store.url) {
            Err(StoreError::TooNew { found: 99, known }) => {
                assert_eq!(known, crate::migrate::SCHEMA_VERSION);
            }
            other => panic!("{other:?}"),
        }
    });
}

#[test]
fn a_store_made_before_the_version_table_adopts_it_and_keeps_its_data() {
    both(|store| {
        // What an earlier build left: the lists tables, created on open, and an import.
        let old_import = "INSERT INTO lists_import (id, source, observed_at, origin, content_sha256, \
             n_records, n_added, n_removed, n_amended, n_unchanged) \
             VALUES (1, 'un-sc', '2026-01-01T00:00:00Z', 'x.xml', 'ab', 0, 0, 0, 0, 0)";
        store.execute(&format!("{};\n{old_import}", crate::lists::SCHEMA));
        let handle = Store::open(&store.url).unwrap();
        assert_eq!(versions(&handle), all_versions());
        let imports = handle.lists().unwrap().imports(None).unwrap();
        assert_eq!(imports.len(), 1);
        assert_eq!(imports[0].source, "un-sc");
    });
}

#[test]
fn reading_never_creates_an_embedded_store() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("absent.db");
    let url = StoreUrl::Sqlite(path.clone());
    match Store::open_existing(&url) {
        Err(StoreError::Missing(missing)) => assert_eq!(missing, url),
        other => panic!("{other:?}"),
    }
    assert!(!path.exists());
    Store::open(&url).unwrap();
    assert!(path.exists());
    Store::open_existing(&url).unwrap();
}

#[test]
fn a_wrong_postgres_address_is_the_connection_error_not_a_pool_timeout() {
    let url = StoreUrl::Postgres("postgres://postgres@127.0.0.1:1/nothing".into());
    match Store::open(&url) {
        Err(StoreError::Postgres(_)) => {}
        other => panic!("{other:?}"),
    }
}

#[test]
fn the_registry_keeps_each_version_text_unchanged() {
    both(|store| {
        let handle = Store::open(&store.url).unwrap();
        let v1 = handle
            .register_agreement("arden", 1, "arden.toml", "text one\n")
            .unwrap();
        assert_eq!(v1, crate::agreements::sha256_hex(b"text one\n"));
        // The same text again changes nothing.
        assert_eq!(
            handle
                .register_agreement("arden", 1, "elsewhere.toml", "text one\n")
                .unwrap(),
            v1
        );
        handle
            .register_agreement("arden", 2, "arden-v2.toml", "text two\n")
            .unwrap();
        match handle.register_agreement("arden", 1, "arden.toml", "edited\n") {
            Err(StoreError::AgreementConflict {
                version: 1,
                registered,
                ..
            }) => assert_eq!(registered, v1),
            other => panic!("{other:?}"),
        }
        let texts = handle.agreement_texts("arden").unwrap();
        let read: Vec<(u32, &str, &str)> = texts
            .iter()
            .map(|t| (t.version, t.name.as_str(), t.text.as_str()))
            .collect();
        assert_eq!(
            read,
            [
                (1, "arden.toml", "text one\n"),
                (2, "arden-v2.toml", "text two\n")
            ]
        );
        assert_eq!(handle.registered_agreements().unwrap(), ["arden"]);
        assert!(handle.agreement_texts("other").unwrap().is_empty());
        // A text edited in the database is reported, never returned.
        store.execute("UPDATE agreement_text SET body = 'text 2\n' WHERE version = 2");
        assert!(matches!(
            handle.agreement_texts("arden"),
            Err(StoreError::Corrupt(_))
        ));
    });
}

/// An error and its causes, as a shell shows them.
fn chain(e: &dyn std::error::Error) -> String {
    let mut out = e.to_string();
    let mut cause = e.source();
    while let Some(c) = cause {
        out.push_str(&format!(": {c}"));
        cause = c.source();
    }
    out
}

/// The URL with `key=value` added to its query.
fn with_param(url: &str, param: &str) -> String {
    let sep = if url.contains('?') { '&' } else { '?' };
    format!("{url}{sep}{param}")
}

/// Issue #12: PostgreSQL URLs take `sslmode` (rustls). Against the test server: `disable`
/// connects in the clear; `require` connects over TLS when the server offers it and fails
/// with a TLS error when it does not; `verify-full` refuses a certificate no root vouches
/// for (the test server's is self-signed).
#[test]
fn postgres_urls_take_sslmode() {
    let base = std::env::var("ACCORD_TEST_POSTGRES")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/test".into());
    let ssl_of = |client: &mut postgres::Client| -> bool {
        client
            .query_one(
                "SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()",
                &[],
            )
            .unwrap()
            .get(0)
    };
    let mut plain = match crate::connect_postgres(&with_param(&base, "sslmode=disable")) {
        Ok(c) => c,
        Err(e) => {
            assert!(std::env::var_os("CI").is_none(), "{e}");
            eprintln!("skipped: PostgreSQL not reachable at {base}: {e}");
            return;
        }
    };
    assert!(!ssl_of(&mut plain));
    let offers_tls = plain
        .query_one("SHOW ssl", &[])
        .unwrap()
        .get::<_, String>(0)
        == "on";
    let require = with_param(&base, "sslmode=require");
    match crate::connect_postgres(&require) {
        Ok(mut c) => {
            assert!(
                offers_tls,
                "connected with sslmode=require to a server without TLS"
            );
            assert!(ssl_of(&mut c));
            // The store handle and its pool go the same way.
            let store = Store::open(&StoreUrl::Postgres(require.clone())).unwrap();
            match store.conn().unwrap() {
                crate::Conn::Postgres(mut c) => assert!(ssl_of(&mut c)),
                crate::Conn::Sqlite(_) => unreachable!(),
            }
        }
        Err(e) => {
            assert!(!offers_tls, "{e}");
            assert!(
                chain(&e).contains("server does not support TLS"),
                "{}",
                chain(&e)
            );
        }
    }
    if offers_tls {
        let refused = crate::connect_postgres(&with_param(&base, "sslmode=verify-full"))
            .err()
            .expect("verify-full took a certificate no root vouches for");
        let said = chain(&refused);
        assert!(said.contains("TLS handshake"), "{said}");
        assert!(said.contains("certificate"), "{said}");
    }
    let bogus = Store::open(&StoreUrl::Postgres(with_param(&base, "sslmode=maybe")));
    assert!(
        matches!(&bogus, Err(StoreError::Tls(m)) if m.contains("sslmode `maybe`")),
        "{:?}",
        bogus.err()
    );
}
