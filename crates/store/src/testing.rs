//! Fresh stores of each kind for tests (this crate's, and with the `testing` feature those
//! of the crates above it): a SQLite file in a temporary directory, and a PostgreSQL schema
//! of its own (dropped at the end), so that parallel test runs never share tables; and the
//! tamperer's tools, which bypass Accord.
//!
//! PostgreSQL is `ACCORD_TEST_POSTGRES` (default `postgres://postgres@127.0.0.1:5432/test`);
//! when it is unreachable a test skips it, saying so, except under `CI`, where it fails.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, missing_docs)]

use std::sync::atomic::{AtomicU32, Ordering};

use crate::StoreUrl;

/// A fresh store of each kind; `None` for PostgreSQL when it is unreachable outside CI.
pub struct TestStore {
    pub url: StoreUrl,
    _dir: Option<tempfile::TempDir>,
    schema: Option<(String, String)>,
}

impl Drop for TestStore {
    fn drop(&mut self) {
        if let Some((base, schema)) = &self.schema
            && let Ok(mut c) = crate::connect_postgres(base)
        {
            let _ = c.batch_execute(&format!("DROP SCHEMA IF EXISTS {schema} CASCADE"));
        }
    }
}

pub fn sqlite_store() -> TestStore {
    let dir = tempfile::tempdir().unwrap();
    TestStore {
        url: StoreUrl::Sqlite(dir.path().join("ledger.db")),
        _dir: Some(dir),
        schema: None,
    }
}

/// The URL of the PostgreSQL server the tests use: `ACCORD_TEST_POSTGRES`, or its default.
pub fn postgres_url() -> String {
    std::env::var("ACCORD_TEST_POSTGRES")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/test".into())
}

pub fn postgres_store() -> Option<TestStore> {
    static COUNTER: AtomicU32 = AtomicU32::new(0);
    let base = postgres_url();
    let mut client = match crate::connect_postgres(&base) {
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
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .subsec_nanos();
    let schema = format!(
        "accord_test_{}_{}_{nanos}",
        std::process::id(),
        COUNTER.fetch_add(1, Ordering::SeqCst)
    );
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

pub fn both(test: impl Fn(&TestStore)) {
    test(&sqlite_store());
    if let Some(pg) = postgres_store() {
        test(&pg);
    }
}

impl TestStore {
    /// A fresh SQLite file.
    pub fn sqlite() -> TestStore {
        sqlite_store()
    }

    /// A fresh PostgreSQL schema, or `None` when PostgreSQL is unreachable outside CI.
    pub fn postgres() -> Option<TestStore> {
        postgres_store()
    }

    /// Which back end.
    pub fn kind(&self) -> &'static str {
        match self.url {
            StoreUrl::Sqlite(_) => "sqlite",
            StoreUrl::Postgres(_) => "postgres",
        }
    }

    /// Runs SQL against the store directly, bypassing Accord: the tamperer's tool.
    pub fn execute(&self, sql: &str) {
        match &self.url {
            StoreUrl::Sqlite(path) => rusqlite::Connection::open(path)
                .unwrap()
                .execute_batch(sql)
                .unwrap(),
            StoreUrl::Postgres(url) => crate::connect_postgres(url)
                .unwrap()
                .batch_execute(sql)
                .unwrap(),
        }
    }

    /// Flips one bit of one byte of an entry's leaf, directly in the database.
    pub fn flip_leaf_byte(&self, index: i64, offset: usize) {
        match &self.url {
            StoreUrl::Sqlite(path) => {
                let c = rusqlite::Connection::open(path).unwrap();
                let mut leaf: Vec<u8> = c
                    .query_row(
                        "SELECT leaf FROM ledger_entry WHERE idx = ?1",
                        [index],
                        |r| r.get(0),
                    )
                    .unwrap();
                leaf[offset] ^= 1;
                c.execute(
                    "UPDATE ledger_entry SET leaf = ?2 WHERE idx = ?1",
                    rusqlite::params![index, leaf],
                )
                .unwrap();
            }
            StoreUrl::Postgres(url) => {
                let mut c = crate::connect_postgres(url).unwrap();
                c.execute(
                    "UPDATE ledger_entry SET leaf = set_byte(leaf, $2, get_byte(leaf, $2) # 1) WHERE idx = $1",
                    &[&index, &(offset as i32)],
                )
                .unwrap();
            }
        }
    }

    /// SQL that overwrites one stored hash inside its tile (level 0: a leaf hash).
    pub fn set_stored_hash_sql(&self, level: u32, index: u64, hash: &[u8; 32]) -> String {
        let hex: String = hash.iter().map(|b| format!("{b:02x}")).collect();
        let (tile, at) = (index / 256, index % 256 * 32);
        match self.url {
            // `||` makes text of blobs without changing a byte; the cast makes a blob again.
            StoreUrl::Sqlite(_) => format!(
                "UPDATE ledger_tile SET hashes = CAST(substr(hashes, 1, {at}) || X'{hex}' || substr(hashes, {}) AS BLOB) \
                 WHERE level = {level} AND idx = {tile};",
                at + 33
            ),
            StoreUrl::Postgres(_) => format!(
                "UPDATE ledger_tile SET hashes = overlay(hashes placing '\\x{hex}'::bytea from {} for 32) \
                 WHERE level = {level} AND idx = {tile};",
                at + 1
            ),
        }
    }

    /// SQL that deletes the stored leaf hashes from `from` on (the tiles keep the ones before).
    pub fn truncate_leaf_hashes_sql(&self, from: u64) -> String {
        let (tile, keep) = (from / 256, from % 256 * 32);
        format!(
            "DELETE FROM ledger_tile WHERE level = 0 AND idx > {tile}; \
             UPDATE ledger_tile SET hashes = substr(hashes, 1, {keep}) WHERE level = 0 AND idx = {tile};"
        )
    }
}
