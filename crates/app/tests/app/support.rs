//! Fresh stores of each kind, the repository's files, and scenarios held in memory.
#![allow(dead_code)]

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU32, Ordering};

use accord_app::play::Files;
use accord_app::{Store, StoreUrl};

/// The repository's root.
pub fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// A file of the repository, as text.
pub fn text(relative: &str) -> String {
    std::fs::read_to_string(repo().join(relative)).unwrap()
}

/// A store of one kind, removed at the end.
pub struct TestStore {
    pub store: Store,
    pub kind: &'static str,
    _dir: Option<tempfile::TempDir>,
    schema: Option<(String, String)>,
}

impl Drop for TestStore {
    fn drop(&mut self) {
        if let Some((base, schema)) = &self.schema
            && let Ok(mut c) = accord_store::connect_postgres(base)
        {
            let _ = c.batch_execute(&format!("DROP SCHEMA IF EXISTS {schema} CASCADE"));
        }
    }
}

/// A fresh SQLite file.
pub fn sqlite() -> TestStore {
    let dir = tempfile::tempdir().unwrap();
    let url = StoreUrl::Sqlite(dir.path().join("accord.db"));
    TestStore {
        store: Store::open(&url).unwrap(),
        kind: "sqlite",
        _dir: Some(dir),
        schema: None,
    }
}

/// A fresh PostgreSQL schema; `None` (saying so) when PostgreSQL is unreachable outside CI.
pub fn postgres() -> Option<TestStore> {
    static COUNTER: AtomicU32 = AtomicU32::new(0);
    let base = std::env::var("ACCORD_TEST_POSTGRES")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/test".into());
    let mut client = match accord_store::connect_postgres(&base) {
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
        "accord_app_test_{}_{}_{nanos}",
        std::process::id(),
        COUNTER.fetch_add(1, Ordering::SeqCst)
    );
    client
        .batch_execute(&format!("CREATE SCHEMA {schema}"))
        .unwrap();
    let sep = if base.contains('?') { '&' } else { '?' };
    let url = StoreUrl::Postgres(format!("{base}{sep}options=-csearch_path%3D{schema}"));
    Some(TestStore {
        store: Store::open(&url).unwrap(),
        kind: "postgres",
        _dir: None,
        schema: Some((base, schema)),
    })
}

/// Runs `test` on a fresh SQLite store, then on a fresh PostgreSQL schema.
pub fn both(test: impl Fn(&TestStore)) {
    test(&sqlite());
    if let Some(pg) = postgres() {
        test(&pg);
    }
}

/// Files held in memory, by the names a scenario gives them.
pub struct Texts(pub BTreeMap<String, String>);

impl Files for Texts {
    fn name(&self, relative: &str) -> String {
        relative.to_owned()
    }

    fn read(&self, relative: &str) -> std::io::Result<Vec<u8>> {
        self.0
            .get(relative)
            .map(|t| t.as_bytes().to_vec())
            .ok_or_else(|| std::io::Error::from(std::io::ErrorKind::NotFound))
    }
}

/// The nuclear-caps agreement as `agreement.toml`.
pub fn nuclear_agreement() -> Texts {
    Texts(BTreeMap::from([(
        "agreement.toml".to_owned(),
        text("examples/nuclear-caps.toml"),
    )]))
}
