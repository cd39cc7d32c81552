//! Fresh stores of each kind for the tests of this crate: a SQLite file in a temporary
//! directory, and a PostgreSQL schema of its own (dropped at the end), so that parallel
//! test runs never share tables.

use std::sync::atomic::{AtomicU32, Ordering};

use crate::StoreUrl;

/// A fresh store of each kind; `None` for PostgreSQL when it is unreachable outside CI.
pub(crate) struct TestStore {
    pub(crate) url: StoreUrl,
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

pub(crate) fn sqlite_store() -> TestStore {
    let dir = tempfile::tempdir().unwrap();
    TestStore {
        url: StoreUrl::Sqlite(dir.path().join("ledger.db")),
        _dir: Some(dir),
        schema: None,
    }
}

pub(crate) fn postgres_store() -> Option<TestStore> {
    static COUNTER: AtomicU32 = AtomicU32::new(0);
    let base = std::env::var("ACCORD_TEST_POSTGRES")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/test".into());
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

pub(crate) fn both(test: impl Fn(&TestStore)) {
    test(&sqlite_store());
    if let Some(pg) = postgres_store() {
        test(&pg);
    }
}
