//! Issue #12 point 5: four `accord lists import` processes started together into a fresh
//! store (a fresh PostgreSQL schema, and a fresh SQLite file) all succeed, one after the
//! other: the schema is created once, and imports serialise on the store's lock.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

#[path = "support/ledger.rs"]
mod ledger_common;

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use ledger_common::TestStore;

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn four_imports_at_once(url: &str) {
    let list = repo().join("crates/app/tests/fixtures/status/eu-arden.xml");
    let children: Vec<_> = (0..4)
        .map(|_| {
            Command::new(env!("CARGO_BIN_EXE_accord"))
                .env_remove("ACCORD_STORE")
                .args(["lists", "import"])
                .arg(&list)
                .args(["--source", "eu-fsf", "--store", url])
                .stdout(Stdio::piped())
                .stderr(Stdio::piped())
                .spawn()
                .unwrap()
        })
        .collect();
    for child in children {
        let out = child.wait_with_output().unwrap();
        assert!(
            out.status.success(),
            "{url}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    let out = Command::new(env!("CARGO_BIN_EXE_accord"))
        .args([
            "lists",
            "show",
            "--source",
            "eu-fsf",
            "--id",
            "EU.1001.23",
            "--store",
            url,
        ])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{url}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn four_concurrent_imports_into_a_fresh_store_all_succeed() {
    four_imports_at_once(&TestStore::sqlite().url);
    if let Some(pg) = TestStore::postgres() {
        four_imports_at_once(&pg.url);
    }
}
