//! Fresh stores of each kind, the repository's files, and scenarios held in memory.
#![allow(dead_code)]

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use accord_app::Store;
use accord_app::play::Files;

/// The repository's root.
pub fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// A file of the repository, as text.
pub fn text(relative: &str) -> String {
    std::fs::read_to_string(repo().join(relative)).unwrap()
}

/// A fresh store of one kind, opened (it is removed when the test is done with it).
pub struct TestStore {
    pub store: Store,
    pub kind: &'static str,
}

/// Runs `test` on a fresh SQLite store, then on a fresh PostgreSQL schema (skipped, saying
/// so, when PostgreSQL is unreachable outside CI).
pub fn both(test: impl Fn(&TestStore)) {
    accord_store::testing::both(|fresh| {
        test(&TestStore {
            store: Store::open(&fresh.url).unwrap(),
            kind: fresh.kind(),
        });
    });
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
