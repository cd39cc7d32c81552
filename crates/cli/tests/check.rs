//! End-to-end tests of `accord check`, `accord schema` and `accord init`.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn accord() -> Command {
    Command::new(env!("CARGO_BIN_EXE_accord"))
}

fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn examples() -> Vec<PathBuf> {
    let mut out: Vec<PathBuf> = std::fs::read_dir(repo().join("examples"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "toml"))
        .collect();
    out.sort();
    out
}

fn run_in(dir: &Path, args: &[&str]) -> Output {
    accord().current_dir(dir).args(args).output().unwrap()
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8(bytes.to_vec()).unwrap()
}

#[test]
fn the_readme_command_checks_every_example() {
    let mut args = vec!["check".to_owned()];
    args.extend(
        examples()
            .iter()
            .map(|p| p.strip_prefix(repo()).unwrap().display().to_string()),
    );
    let out = accord().current_dir(repo()).args(&args).output().unwrap();
    assert!(
        out.status.success(),
        "stdout:\n{}\nstderr:\n{}",
        text(&out.stdout),
        text(&out.stderr)
    );
    insta::assert_snapshot!(text(&out.stdout));
}

fn broken_file(dir: &Path) -> PathBuf {
    let starter = run_in(dir, &["init", "-"]);
    let source = text(&starter.stdout)
        .replacen("role = \"authority\"", "role = \"authorty\"", 1)
        .replacen(
            "cadence = \"P3M\"  ",
            "cadance = \"P3M\"\ncadence = \"P3M\"  ",
            1,
        )
        .replacen("quorum = 1", "quorum = 2", 1);
    let path = dir.join("broken.toml");
    std::fs::write(&path, source).unwrap();
    path
}

#[test]
fn errors_are_reported_with_file_line_column_snippet_and_help_and_exit_1() {
    let dir = tempfile::tempdir().unwrap();
    broken_file(dir.path());
    let out = run_in(dir.path(), &["check", "broken.toml"]);
    assert_eq!(out.status.code(), Some(1));
    insta::assert_snapshot!(text(&out.stderr));
    assert_eq!(text(&out.stdout), "failed: broken.toml: 3 errors\n");
}

#[test]
fn json_output_has_the_same_diagnostics() {
    let dir = tempfile::tempdir().unwrap();
    broken_file(dir.path());
    let out = run_in(dir.path(), &["check", "--format", "json", "broken.toml"]);
    assert_eq!(out.status.code(), Some(1));
    let mut json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    // Key order is not part of the format (serde_json keeps a document's order when a
    // dependency turns on `preserve_order`, as cedar-policy does): compare sorted.
    json.sort_all_objects();
    insta::assert_json_snapshot!(json);
}

#[test]
fn warnings_alone_exit_0() {
    let dir = tempfile::tempdir().unwrap();
    let starter = text(&run_in(dir.path(), &["init", "-"]).stdout);
    let source = starter.replacen(
        "quorum = 1, confidentiality",
        "quorum = 1, self_report = \"sufficient\", confidentiality",
        1,
    );
    std::fs::write(dir.path().join("w.toml"), source).unwrap();
    let out = run_in(dir.path(), &["check", "w.toml"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert!(
        text(&out.stderr)
            .contains("w.toml:64:6: warning: indicator `audit_published` can be found compliant")
    );
    assert!(
        text(&out.stdout)
            .starts_with("ok: w.toml (agreement `starter-agreement`, version 1), 1 warning")
    );
}

#[test]
fn unreadable_non_utf8_and_huge_files_are_errors_not_crashes() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("latin1.toml"),
        b"[agreement]\ntitle = \"caf\xe9\"\n",
    )
    .unwrap();
    let huge = std::fs::File::create(dir.path().join("huge.toml")).unwrap();
    huge.set_len(50 * 1024 * 1024).unwrap();
    let out = run_in(
        dir.path(),
        &["check", "missing.toml", "latin1.toml", "huge.toml"],
    );
    assert_eq!(out.status.code(), Some(1));
    let stderr = text(&out.stderr);
    assert!(
        stderr.contains("missing.toml: error: cannot read the file"),
        "{stderr}"
    );
    assert!(
        stderr.contains("latin1.toml:2:13: error: the file is not UTF-8: byte 24 (0xe9)"),
        "{stderr}"
    );
    assert!(
        stderr.contains("huge.toml:1:1: error: the file is 16777217 bytes, more than the 16 MiB an agreement may be"),
        "{stderr}"
    );
}

#[test]
fn init_writes_a_starter_that_checks_clean_and_refuses_to_overwrite() {
    let dir = tempfile::tempdir().unwrap();
    let out = run_in(dir.path(), &["init"]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let out = run_in(dir.path(), &["check", "agreement.toml"]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert_eq!(text(&out.stderr), "", "the starter has no warnings either");
    let again = run_in(dir.path(), &["init"]);
    assert_eq!(again.status.code(), Some(1));
    assert!(text(&again.stderr).contains("`agreement.toml` already exists"));
    assert!(run_in(dir.path(), &["init", "--force"]).status.success());
}

#[test]
fn schema_is_json_schema_and_validates_the_examples() {
    let out = accord().arg("schema").output().unwrap();
    assert!(out.status.success());
    let schema: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(
        schema["$schema"],
        "https://json-schema.org/draft/2020-12/schema"
    );
    assert_eq!(schema["title"], "Accord agreement");
    assert!(schema["properties"]["commitments"].is_object());
    // The library's schema is what `accord-spec`'s tests validate every example against,
    // and the committed copy is what editors are pointed at.
    assert_eq!(schema, accord_spec::schema::schema());
    let committed: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(repo().join("docs/agreement.schema.json")).unwrap(),
    )
    .unwrap();
    assert_eq!(
        schema, committed,
        "docs/agreement.schema.json is stale: regenerate it with `accord schema > docs/agreement.schema.json`"
    );
}

#[test]
fn an_amendment_checked_alone_against_a_store_is_compared_with_its_registered_versions() {
    let dir = tempfile::tempdir().unwrap();
    let store = format!("sqlite:{}", dir.path().join("a.db").display());
    let scenario = repo().join("examples/scenarios/licence-snapback.toml");
    let played = run_in(
        dir.path(),
        &["play", scenario.to_str().unwrap(), "--store", &store],
    );
    assert!(played.status.success(), "{}", text(&played.stderr));
    let v2 = std::fs::read_to_string(repo().join("examples/licence-elections-v2.toml"))
        .unwrap()
        .replacen("version = 2\n", "version = 2\nzone = \"Asia/Tokyo\"\n", 1);
    std::fs::write(dir.path().join("v2.toml"), v2).unwrap();

    // Alone, the file says nothing of the chain's zone.
    let alone = run_in(dir.path(), &["check", "v2.toml"]);
    assert!(alone.status.success(), "{}", text(&alone.stderr));
    assert!(!text(&alone.stderr).contains("zone_changed"));
    // Against the store, version 1 as registered is the first link: a warning at `zone`.
    let against = run_in(dir.path(), &["check", "v2.toml", "--store", &store]);
    assert!(against.status.success(), "{}", text(&against.stderr));
    let stderr = text(&against.stderr);
    assert!(
        stderr.contains("v2.toml:19:8: warning: version 2 of `caldera-electoral-roadmap` counts its days in `Asia/Tokyo`, but version 1 counts them in `UTC`"),
        "{stderr}"
    );
    // A store that does not exist is refused, not created.
    let missing = format!("sqlite:{}", dir.path().join("none.db").display());
    let refused = run_in(dir.path(), &["check", "v2.toml", "--store", &missing]);
    assert!(!refused.status.success());
    assert!(!dir.path().join("none.db").exists());
}
