//! Issue #12: a tampered store never answers, and `ledger audit --checkpoint` finds what a
//! store altered consistently cannot show by itself.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

#[path = "support/ledger.rs"]
mod ledger_common;

use std::path::{Path, PathBuf};
use std::process::Command;

use ledger_common::*;

struct Out {
    code: i32,
    stdout: String,
    stderr: String,
}

fn run(args: &[&str]) -> Out {
    let o = Command::new(env!("CARGO_BIN_EXE_accord"))
        .args(args)
        .output()
        .unwrap();
    Out {
        code: o.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&o.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&o.stderr).into_owned(),
    }
}

fn examples() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples")
}

#[test]
fn evaluate_and_timeline_refuse_a_log_edited_in_the_database_naming_the_entry() {
    for_each_store(|store| {
        let s = store.url.as_str();
        let scenario = examples().join("scenarios/sectoral-dispute.toml");
        let played = run(&["play", "--store", s, scenario.to_str().unwrap()]);
        assert_eq!(played.code, 0, "{}", played.stderr);
        let agreement = examples().join("sectoral-two-jurisdictions.toml");
        let agreement = agreement.to_str().unwrap();
        let evaluate = ["evaluate", "--store", s, "--as-of", "2027-12-31", agreement];
        let timeline = ["timeline", "--store", s, "--to", "2027-12-31", agreement];
        assert_eq!(run(&evaluate).code, 0, "{}", run(&evaluate).stderr);
        assert_eq!(run(&timeline).code, 0, "{}", run(&timeline).stderr);
        // One entry edited (its signature no longer matches), its leaf hash recomputed.
        store.flip_leaf_byte(2, 60);
        for args in [&evaluate[..], &timeline[..]] {
            let out = run(args);
            assert_eq!(
                out.code, 1,
                "{} answered from a tampered log:\n{}",
                args[0], out.stdout
            );
            assert!(out.stdout.is_empty(), "{}", out.stdout);
            assert!(out.stderr.contains("does not verify"), "{}", out.stderr);
            assert!(out.stderr.contains("entry #2"), "{}", out.stderr);
            assert!(out.stderr.contains("ledger audit"), "{}", out.stderr);
        }
    });
}

#[test]
fn audit_against_a_checkpoint_held_elsewhere_finds_entries_deleted_with_theirs() {
    for_each_store(|store| {
        let dir = tempfile::tempdir().unwrap();
        let setup = Setup::new(dir.path());
        let s = store.url.as_str();
        let init = run(&[
            "ledger",
            "init",
            "--store",
            s,
            "--origin",
            ORIGIN,
            "--roster",
            setup.roster.to_str().unwrap(),
            "--log-key",
            &setup.log_vkey,
        ]);
        assert_eq!(init.code, 0, "{}", init.stderr);
        let hex = |b: &[u8]| b.iter().map(|x| format!("{x:02x}")).collect::<String>();
        let lines: String = (0..6)
            .map(|i| hex(&setup.entry(i).encode()) + "\n")
            .collect();
        let entries = dir.path().join("entries");
        std::fs::write(&entries, lines).unwrap();
        let key = setup.log_key.to_str().unwrap();
        let append = run(&[
            "ledger",
            "append",
            "--store",
            s,
            "--entries",
            entries.to_str().unwrap(),
            "--checkpoint-every",
            "3",
            "--checkpoint-key",
            key,
        ]);
        assert_eq!(append.code, 0, "{}", append.stderr);
        let cp = run(&["ledger", "checkpoint", "--store", s, "--key", key]);
        assert_eq!(cp.code, 0, "{}", cp.stderr);
        let held = dir.path().join("checkpoint.note");
        std::fs::write(&held, &cp.stdout).unwrap();
        let held = held.to_str().unwrap();
        let audit = run(&["ledger", "audit", "--store", s, "--checkpoint", held]);
        assert_eq!(audit.code, 0, "{}{}", audit.stdout, audit.stderr);
        assert!(
            audit.stdout.contains("against 1 held elsewhere"),
            "{}",
            audit.stdout
        );

        // Entries #3.. deleted with the checkpoint covering them: the store is consistent.
        store.execute(
            "DELETE FROM ledger_entry WHERE idx >= 3;
             DELETE FROM ledger_tile WHERE idx > 0; UPDATE ledger_tile SET hashes = substr(hashes, 1, 96);
             DELETE FROM ledger_checkpoint WHERE size > 3; DELETE FROM ledger_verified;
             UPDATE ledger_log SET size = 3, last_recorded = NULL",
        );
        let alone = run(&["ledger", "audit", "--store", s]);
        let against = run(&["ledger", "audit", "--store", s, "--checkpoint", held]);
        assert_eq!(against.code, 1, "{}", against.stdout);
        assert!(
            against
                .stdout
                .contains("beyond the log's 3 entries: entries were removed"),
            "{}",
            against.stdout
        );
        assert!(
            against
                .stdout
                .contains("not in the store: its row was deleted"),
            "{}",
            against.stdout
        );
        // Without it, only the stored last record time (cleared here) gives the store away.
        assert!(
            alone.stdout.contains("last record time"),
            "{}",
            alone.stdout
        );
    });
}
