//! Issue #12 point 5: a full disk stops `ledger append` at the first failure with one
//! clear message, and every entry it acknowledged is in the log. The disk is a 1 MiB
//! tmpfs; where mounting is not allowed (not root, a container without the capability)
//! the test says so and skips.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

#[path = "support/ledger.rs"]
mod ledger_common;

use std::path::{Path, PathBuf};
use std::process::Command;

use ledger_common::*;

/// A small tmpfs, unmounted when dropped.
struct Tmpfs(PathBuf);

impl Tmpfs {
    fn mount(at: &Path, size: &str) -> Option<Tmpfs> {
        std::fs::create_dir(at).unwrap();
        let out = Command::new("mount")
            .args(["-t", "tmpfs", "-o", &format!("size={size}"), "tmpfs"])
            .arg(at)
            .output()
            .ok()?;
        out.status
            .success()
            .then(|| Tmpfs(at.to_owned()))
            .or_else(|| {
                eprintln!(
                    "skipped: cannot mount a tmpfs here ({}); the full-disk test needs root",
                    String::from_utf8_lossy(&out.stderr).trim()
                );
                None
            })
    }
}

impl Drop for Tmpfs {
    fn drop(&mut self) {
        let _ = Command::new("umount").arg(&self.0).status();
    }
}

fn accord(args: &[&str]) -> (i32, String, String) {
    let o = Command::new(env!("CARGO_BIN_EXE_accord"))
        .env_remove("ACCORD_STORE")
        .args(args)
        .output()
        .unwrap();
    (
        o.status.code().unwrap_or(-1),
        String::from_utf8(o.stdout).unwrap(),
        String::from_utf8(o.stderr).unwrap(),
    )
}

#[test]
fn a_full_disk_stops_append_at_the_first_failure_with_one_message() {
    let dir = tempfile::tempdir().unwrap();
    let Some(disk) = Tmpfs::mount(&dir.path().join("disk"), "1m") else {
        return;
    };
    let setup = Setup::new(dir.path());
    let url = format!("sqlite:{}", disk.0.join("l.db").display());
    let (code, _, stderr) = accord(&[
        "ledger",
        "init",
        "--store",
        &url,
        "--origin",
        ORIGIN,
        "--roster",
        setup.roster.to_str().unwrap(),
        "--log-key",
        &setup.log_vkey,
    ]);
    assert_eq!(code, 0, "{stderr}");
    // Far more entries than 1 MiB holds.
    let hex = |b: &[u8]| b.iter().map(|x| format!("{x:02x}")).collect::<String>();
    let lines: String = (0..5000)
        .map(|i| format!("{}\n", hex(&setup.entry(i).encode())))
        .collect();
    let entries = dir.path().join("entries");
    std::fs::write(&entries, lines).unwrap();
    let (code, stdout, stderr) = accord(&[
        "ledger",
        "append",
        "--store",
        &url,
        "--entries",
        entries.to_str().unwrap(),
    ]);
    assert_ne!(code, 0, "5000 entries fit in 1 MiB?");
    let acknowledged = stdout.lines().count();
    assert!(acknowledged < 5000, "{acknowledged}");
    let errors = stderr.lines().filter(|l| l.contains("full")).count();
    assert_eq!(errors, 1, "{stderr}");
    assert!(stderr.lines().count() < 12, "{stderr}");
    // Every acknowledged entry is in the log, and the log verifies.
    let (code, audit, stderr) = accord(&["ledger", "audit", "--store", &url]);
    assert_eq!(code, 0, "{audit}{stderr}");
    eprintln!("acknowledged {acknowledged}; audit: {audit}");
    let size: usize = audit
        .split_whitespace()
        .find_map(|w| w.parse().ok())
        .unwrap_or_else(|| panic!("no size in {audit}"));
    assert!(size >= acknowledged, "{size} < {acknowledged}: {audit}");
}
