//! End-to-end tests of `accord screen`: one name, a customer file, and pair scoring.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::path::Path;
use std::process::{Command, Output};

fn accord() -> Command {
    Command::new(env!("CARGO_BIN_EXE_accord"))
}

fn run(dir: &Path, args: &[&str]) -> Output {
    accord().current_dir(dir).args(args).output().unwrap()
}

fn stdout(output: &Output) -> String {
    String::from_utf8(output.stdout.clone()).unwrap()
}

fn stderr(output: &Output) -> String {
    String::from_utf8(output.stderr.clone()).unwrap()
}

const CANDIDATES_CSV: &str = "\
id,schema,name,aliases,weak_aliases,identifiers,birth_dates,countries,listed,delisted
p-1,Person,Владимир Владимирович Путин,Vladimir Putin,,,1952-10-07,RU,2022-02-25,
p-2,Person,Xi Jinping,习近平,,,,,,
c-1,Company,ООО «Газпром экспорт»,Gazprom Export LLC,,registration:1027700072237,,RU,2022-03-01,
v-1,Vessel,Ocean Breeze,,,imo:9187629,,,2020-01-01,2023-06-30
";

fn with_candidates() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("candidates.csv"), CANDIDATES_CSV).unwrap();
    dir
}

#[test]
fn screens_one_name_across_scripts() {
    let dir = with_candidates();
    let output = run(
        dir.path(),
        &[
            "screen",
            "PUTIN, Vladimir",
            "--candidates",
            "candidates.csv",
            "--dob",
            "1952",
            "--as-of",
            "2024-01-01",
        ],
    );
    assert!(output.status.success(), "{}", stderr(&output));
    insta::assert_snapshot!(stdout(&output), @r"
    1.000  p-1  Person  Vladimir Putin (alias)
           name 1.000: putin=putin, vladimir=vladimir | date of birth 1952 agrees with 1952-10-07 +0.05
    ");
}

#[test]
fn screens_in_json() {
    let dir = with_candidates();
    let output = run(
        dir.path(),
        &[
            "screen",
            "Gazprom Export",
            "--candidates",
            "candidates.csv",
            "--schema",
            "Company",
            "--as-of",
            "2024-01-01",
            "--json",
        ],
    );
    assert!(output.status.success(), "{}", stderr(&output));
    let mut json: serde_json::Value = serde_json::from_str(&stdout(&output)).unwrap();
    // Key order is not part of the format: compare sorted (see tests/check.rs).
    json.sort_all_objects();
    insta::assert_json_snapshot!(json, @r#"
    {
      "candidates": 3,
      "hits": [
        {
          "candidate_id": "c-1",
          "explanation": {
            "birth_date": null,
            "country": null,
            "identifier": null,
            "name": {
              "legal_forms_ignored": [
                "llc"
              ],
              "method": "tokens",
              "pairs": [
                {
                  "candidate": "gazprom",
                  "how": "exact",
                  "query": "gazprom",
                  "similarity": 1.0
                },
                {
                  "candidate": "export",
                  "how": "exact",
                  "query": "export",
                  "similarity": 1.0
                }
              ],
              "score": 1.0,
              "unmatched_candidate": [],
              "unmatched_query": []
            },
            "weak_alias_factor": null
          },
          "matched_name": "Gazprom Export LLC",
          "name_kind": "alias",
          "schema": "Company",
          "score": 1.0
        }
      ],
      "query": "Gazprom Export",
      "threshold": 0.85
    }
    "#);
}

#[test]
fn as_of_drops_designations_not_in_force() {
    let dir = with_candidates();
    let args = |as_of: &'static str| {
        vec![
            "screen",
            "Some Ship",
            "--identifier",
            "imo:IMO9187629",
            "--candidates",
            "candidates.csv",
            "--as-of",
            as_of,
        ]
    };
    let in_force = run(dir.path(), &args("2022-01-01"));
    assert!(in_force.status.success(), "{}", stderr(&in_force));
    insta::assert_snapshot!(stdout(&in_force), @r"
    1.000  v-1  Vessel  Ocean Breeze
           imo 9187629 matches exactly | name 0.000; unmatched in query: some ship; unmatched in candidate: ocean breeze
    ");
    let delisted = run(dir.path(), &args("2024-01-01"));
    assert!(delisted.status.success());
    insta::assert_snapshot!(stdout(&delisted), @"no match for `Some Ship` at or above 0.85 among 3 candidates");
}

#[test]
fn candidates_as_json_lines() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("list.jsonl"),
        r#"{"id":"a-1","schema":"Person","names":["أسامة بن لادن"],"aliases":["Usama bin Ladin"]}
{"id":"a-2","schema":"Person","names":["Omar bin Laden"]}
"#,
    )
    .unwrap();
    let output = run(
        dir.path(),
        &["screen", "Osama bin Laden", "--candidates", "list.jsonl"],
    );
    assert!(output.status.success(), "{}", stderr(&output));
    let text = stdout(&output);
    insta::assert_snapshot!(text, @r"
    0.923  a-1  Person  Usama bin Ladin (alias)
           name 0.923: osama~usama (transliteration 0.97), bin=bin, laden~ladin (fuzzy 0.85)
    ");
    assert!(!text.contains("a-2"), "{text}");
}

#[test]
fn without_candidates_says_what_to_do() {
    let dir = tempfile::tempdir().unwrap();
    let output = run(dir.path(), &["screen", "Anyone"]);
    assert!(!output.status.success());
    let text = stderr(&output);
    assert!(text.contains("nothing to screen against"), "{text}");
    assert!(text.contains("--candidates FILE"), "{text}");
    let output = run(
        dir.path(),
        &["screen", "Anyone", "--store", "sqlite:accord.db"],
    );
    assert!(!output.status.success());
    assert!(stderr(&output).contains("the store `sqlite:accord.db` does not exist"));
    assert!(
        !dir.path().join("accord.db").exists(),
        "reading must not create a store"
    );
}

#[test]
fn bad_candidate_rows_are_reported_with_their_line() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("c.csv"),
        "id,schema,name,birth_dates\nx-1,Person,Someone,1990\nx-2,Spaceship,Other,\n",
    )
    .unwrap();
    let output = run(dir.path(), &["screen", "Someone", "--candidates", "c.csv"]);
    assert!(!output.status.success());
    let text = stderr(&output);
    assert!(
        text.contains("`c.csv` line 3: unknown schema `Spaceship`"),
        "{text}"
    );
}

#[test]
fn batch_writes_one_row_per_customer() {
    let dir = with_candidates();
    std::fs::write(
        dir.path().join("customers.csv"),
        "id,name,schema,dob\n\
         k-1,Vladimir Putin,Person,1952-10-07\n\
         k-2,Jane Doe,,\n\
         k-3,习近平,Person,\n\
         k-4,Gazprom Export OOO,Company,\n",
    )
    .unwrap();
    let output = run(
        dir.path(),
        &[
            "screen",
            "batch",
            "customers.csv",
            "--candidates",
            "candidates.csv",
            "--as-of",
            "2024-01-01",
        ],
    );
    assert!(output.status.success(), "{}", stderr(&output));
    insta::assert_snapshot!(stdout(&output), @r#"
    id,name,hits,top_score,top_candidate,top_schema,top_name,explanation
    k-1,Vladimir Putin,1,1.0000,p-1,Person,Vladimir Putin,"name 1.000: vladimir=vladimir, putin=putin | date of birth 1952-10-07 agrees with 1952-10-07 +0.05"
    k-2,Jane Doe,0,,,,,
    k-3,习近平,1,1.0000,p-2,Person,Xi Jinping,"name 1.000: xi=xi, jinping=jinping"
    k-4,Gazprom Export OOO,1,1.0000,c-1,Company,Gazprom Export LLC,"name 1.000: gazprom=gazprom, export=export; legal forms ignored: ooo, llc"
    "#);
    assert!(
        stderr(&output)
            .contains("screened 4 customers against 6 names: 3 with hits at or above 0.85"),
        "{}",
        stderr(&output)
    );
}

#[test]
fn batch_writes_json_lines_to_a_file() {
    let dir = with_candidates();
    std::fs::write(dir.path().join("customers.csv"), "name\nXi Jinping\n").unwrap();
    let output = run(
        dir.path(),
        &[
            "screen",
            "batch",
            "customers.csv",
            "--candidates",
            "candidates.csv",
            "--json",
            "--output",
            "out.jsonl",
        ],
    );
    assert!(output.status.success(), "{}", stderr(&output));
    let written = std::fs::read_to_string(dir.path().join("out.jsonl")).unwrap();
    let row: serde_json::Value = serde_json::from_str(written.trim()).unwrap();
    assert_eq!(row["id"], "1");
    assert_eq!(row["hits"][0]["candidate_id"], "p-2");
}

/// Issue #12: a row that cannot be screened is reported with its line and why, the other
/// rows are screened, and the exit status says that not every row was.
#[test]
fn batch_reports_bad_rows_screens_the_others_and_fails() {
    let dir = with_candidates();
    std::fs::write(
        dir.path().join("customers.csv"),
        "id,name,dob\n\
         k-1,Xi Jinping,\n\
         k-2,Jane Roe,1974-01-32\n\
         k-3,,\n\
         k-4,Vladimir Putin,1952\n",
    )
    .unwrap();
    let output = run(
        dir.path(),
        &[
            "screen",
            "batch",
            "customers.csv",
            "--candidates",
            "candidates.csv",
            "--as-of",
            "2024-01-01",
        ],
    );
    assert!(!output.status.success(), "{}", stderr(&output));
    let text = stderr(&output);
    assert!(
        text.contains(
            "`customers.csv` line 3 (id `k-2`, name `Jane Roe`): column `dob`: `1974-01-32` is not a date"
        ),
        "{text}"
    );
    assert!(text.contains("`customers.csv` line 4 (id `k-3`)"), "{text}");
    assert!(
        text.contains("2 row(s) of `customers.csv` not screened"),
        "{text}"
    );
    let written = stdout(&output);
    let ids: Vec<&str> = written
        .lines()
        .skip(1)
        .map(|l| l.split(',').next().unwrap())
        .collect();
    assert_eq!(ids, ["k-1", "k-4"], "{written}");
}

#[test]
fn batch_needs_a_name_column() {
    let dir = with_candidates();
    std::fs::write(dir.path().join("customers.csv"), "customer\nXi Jinping\n").unwrap();
    let output = run(
        dir.path(),
        &[
            "screen",
            "batch",
            "customers.csv",
            "--candidates",
            "candidates.csv",
        ],
    );
    assert!(!output.status.success());
    assert!(
        stderr(&output).contains("the customer file `customers.csv` has no `name` column"),
        "{}",
        stderr(&output)
    );
}

#[test]
fn score_writes_each_row_back_with_a_score() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("pairs.csv"),
        "name1,name2,schema,label\n\
         Vladimir Putin,Владимир Путин,Person,1\n\
         Ivan Petrov,Ivana Petrova,Person,0\n\
         Acme Trading LLC,ACME TRADING GMBH,Company,1\n\
         \"Smith, John\",John Smith,,1\n",
    )
    .unwrap();
    let output = run(dir.path(), &["screen", "score", "pairs.csv"]);
    assert!(output.status.success(), "{}", stderr(&output));
    insta::assert_snapshot!(stdout(&output), @r#"
    name1,name2,schema,label,score
    Vladimir Putin,Владимир Путин,Person,1,1.0000
    Ivan Petrov,Ivana Petrova,Person,0,0.0000
    Acme Trading LLC,ACME TRADING GMBH,Company,1,1.0000
    "Smith, John",John Smith,,1,1.0000
    "#);
}

#[test]
fn score_without_header_and_with_explanations() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("pairs.csv"),
        "Osama bin Laden,Usama Binladen\nXi Jinping,习近平,Person\n",
    )
    .unwrap();
    let output = run(
        dir.path(),
        &[
            "screen",
            "score",
            "pairs.csv",
            "--explain",
            "-o",
            "scored.csv",
        ],
    );
    assert!(output.status.success(), "{}", stderr(&output));
    let written = std::fs::read_to_string(dir.path().join("scored.csv")).unwrap();
    insta::assert_snapshot!(written, @r#"
    Osama bin Laden,Usama Binladen,1.0000,name 1.000 (words joined): osama~usama (transliteration 0.97); unmatched in query: bin laden; unmatched in candidate: binladen
    Xi Jinping,习近平,Person,1.0000,"name 1.000: xi=xi, jinping=jinping"
    "#);
}

#[test]
fn score_reports_a_bad_schema_with_its_line() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("pairs.csv"), "a,b,Person\nc,d,Planet\n").unwrap();
    let output = run(dir.path(), &["screen", "score", "pairs.csv"]);
    assert!(!output.status.success());
    assert!(
        stderr(&output).contains("`pairs.csv` line 2: unknown schema `Planet`"),
        "{}",
        stderr(&output)
    );
}

#[test]
fn a_name_and_a_subcommand_cannot_be_mixed_and_a_name_is_required() {
    let dir = tempfile::tempdir().unwrap();
    let output = run(dir.path(), &["screen"]);
    assert!(!output.status.success());
    assert!(stderr(&output).contains("<NAME>"), "{}", stderr(&output));
    let output = run(dir.path(), &["screen", "--threshold", "1.5", "x"]);
    assert!(!output.status.success());
    assert!(
        stderr(&output).contains("`1.5` is not a threshold: give a number from 0 to 1"),
        "{}",
        stderr(&output)
    );
}

/// The real UN list sample, imported into a real SQLite store, screened by name.
#[test]
fn screening_the_store_finds_an_imported_designation() {
    let samples = std::env::var_os("ACCORD_SANCTIONS_DATA")
        .map(std::path::PathBuf::from)
        .unwrap_or_else(|| {
            std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/data/sanctions")
        });
    let un = samples.join("un_sc/UN_consolidated.xml");
    if !un.exists() {
        println!(
            "skipped: sanctions samples not found at {}",
            samples.display()
        );
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let store = format!("sqlite:{}", dir.path().join("lists.db").display());
    let empty = accord()
        .args(["screen", "Eric Badege", "--store", &store])
        .output()
        .unwrap();
    assert!(!empty.status.success());
    assert!(String::from_utf8_lossy(&empty.stderr).contains("does not exist"));

    let import = accord()
        .args(["lists", "import", "--store", &store])
        .arg(&un)
        .output()
        .unwrap();
    assert!(
        import.status.success(),
        "{}",
        String::from_utf8_lossy(&import.stderr)
    );
    let hit = accord()
        .args(["screen", "Badege Eric", "--store", &store])
        .output()
        .unwrap();
    assert!(
        hit.status.success(),
        "{}",
        String::from_utf8_lossy(&hit.stderr)
    );
    let stdout = String::from_utf8(hit.stdout).unwrap();
    let first = stdout.lines().next().unwrap_or_default();
    assert!(
        first.contains("un-sc:") && first.contains("ERIC BADEGE"),
        "{stdout}"
    );

    let past = accord()
        .args([
            "screen",
            "Eric Badege",
            "--store",
            &store,
            "--as-of",
            "2020-01-01",
        ])
        .output()
        .unwrap();
    assert!(
        !past.status.success(),
        "an as-of the store cannot answer is refused, not guessed"
    );
}
