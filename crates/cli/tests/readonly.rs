//! Issue #12 point 5: commands that only read open the store read-only and create
//! nothing. In a read-only directory (tests may run as root, where `chmod` stops no write,
//! so what is checked is what the commands do): no `-wal`, `-shm` or journal file appears,
//! the database's bytes stay the same, and a store that does not exist is not created.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn accord(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_accord"))
        .current_dir(dir)
        .env_remove("ACCORD_STORE")
        .args(args)
        .output()
        .unwrap()
}

fn ok(output: Output) -> String {
    assert!(
        output.status.success(),
        "stderr: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8(output.stdout).unwrap()
}

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// The directory's files, each with its length and a hash of its bytes.
fn snapshot(dir: &Path) -> Vec<(String, usize, u64)> {
    use std::hash::{DefaultHasher, Hash, Hasher};
    let mut files: Vec<(String, usize, u64)> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| {
            let path = e.unwrap().path();
            let name = path.file_name().unwrap().to_string_lossy().into_owned();
            let bytes = std::fs::read(&path).unwrap();
            let mut hasher = DefaultHasher::new();
            bytes.hash(&mut hasher);
            (name, bytes.len(), hasher.finish())
        })
        .collect();
    files.sort();
    files
}

#[test]
fn reading_commands_create_nothing_and_change_no_byte() {
    let dir = tempfile::tempdir().unwrap();
    let store_dir = dir.path().join("store");
    std::fs::create_dir(&store_dir).unwrap();
    let url = format!("sqlite:{}", store_dir.join("accord.db").display());
    let list = repo().join("crates/app/tests/fixtures/status/eu-arden.xml");
    let scenario = repo().join("examples/scenarios/nuclear-caps.toml");
    ok(accord(
        dir.path(),
        &[
            "lists",
            "import",
            list.to_str().unwrap(),
            "--source",
            "eu-fsf",
            "--observed-at",
            "2026-01-01",
            "--store",
            &url,
        ],
    ));
    ok(accord(
        dir.path(),
        &["play", scenario.to_str().unwrap(), "--store", &url],
    ));
    let before = snapshot(&store_dir);
    assert_eq!(
        before.iter().map(|(n, ..)| n.as_str()).collect::<Vec<_>>(),
        ["accord.db"]
    );
    std::fs::set_permissions(&store_dir, std::fs::Permissions::from_mode(0o555)).unwrap();
    let reads: [&[&str]; 7] = [
        &["evaluate", "arden-nuclear-2026", "--as-of", "2026-07-01"],
        &["explain", "arden-nuclear-2026", "--as-of", "2026-07-01"],
        &["timeline", "arden-nuclear-2026"],
        &[
            "status",
            "--entity",
            "eu-fsf:EU.1001.23",
            "--agreement",
            "arden-nuclear-2026",
        ],
        &["ledger", "audit"],
        &["lists", "export"],
        &["screen", "Arden", "--threshold", "0.5"],
    ];
    for args in reads {
        let mut args = args.to_vec();
        args.extend_from_slice(&["--store", &url]);
        let out = accord(dir.path(), &args);
        assert!(
            out.status.success(),
            "{args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        assert_eq!(snapshot(&store_dir), before, "{args:?} wrote to the store");
    }
    std::fs::set_permissions(&store_dir, std::fs::Permissions::from_mode(0o755)).unwrap();
    // A store that does not exist is refused, and not created.
    let absent = dir.path().join("absent.db");
    let absent_url = format!("sqlite:{}", absent.display());
    for args in [
        &["ledger", "audit", "--store", &absent_url][..],
        &[
            "evaluate",
            "arden-nuclear-2026",
            "--as-of",
            "2026-07-01",
            "--store",
            &absent_url,
        ],
        &["lists", "export", "--store", &absent_url],
    ] {
        let out = accord(dir.path(), args);
        assert!(!out.status.success(), "{args:?}");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(stderr.contains("does not exist"), "{args:?}: {stderr}");
        assert!(!absent.exists(), "{args:?} created the store");
    }
}
