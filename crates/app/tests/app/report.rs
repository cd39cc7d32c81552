//! Public reports (issue #15): built from a store played with the bundled nuclear-caps
//! scenario, written, verified from the directory alone (the store removed), and every
//! part of the bundle altered in turn, each naming that part. The checkpoint is cosigned
//! by a witness (the real protocol code, in process) through the log side of witnessing.

use std::cell::RefCell;
use std::path::Path;

use accord_app::report::{Request, build, read_bundle, verify, write};
use accord_app::witnessing::{self, Outcome, Transport};
use accord_app::{Store, StoreUrl};
use accord_ledger::witness::TrustedLog;
use accord_ledger::witness::policy::WitnessPolicy;
use accord_ledger::witness::serve::{Witness, WitnessState};
use accord_report::{Bundle, Part};

const AGREEMENT: &str = "arden-nuclear-2026";

/// A witness answering in process, with the protocol code `accord witness serve` runs.
struct InProcess {
    witness: Witness,
    state: RefCell<WitnessState>,
}

impl Transport for InProcess {
    fn post(&self, _url: &str, body: &str) -> Result<(u16, Option<String>, String), String> {
        let now = jiff::Timestamp::from_second(1_800_000_000).unwrap();
        let answer = self
            .witness
            .add_checkpoint(&self.state.borrow(), body.as_bytes(), now);
        match answer {
            Ok(cosigned) => {
                self.state.borrow_mut().apply(&cosigned.update).unwrap();
                Ok((200, Some("text/plain".into()), cosigned.body))
            }
            Err(refusal) => match refusal.size_body() {
                Some(size) => Ok((409, Some("text/x.tlog.size".into()), size)),
                None => Ok((refusal.status().code(), None, refusal.to_string())),
            },
        }
    }
}

struct Played {
    _dir: tempfile::TempDir,
    root: std::path::PathBuf,
    store: Store,
    origin: String,
}

fn played() -> Played {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().to_path_buf();
    let store = accord_app::open(&StoreUrl::Sqlite(root.join("accord.db")), false).unwrap();
    let played = accord_app::play::play_bundled(&store, "scenarios/nuclear-caps.toml").unwrap();
    Played {
        _dir: dir,
        root,
        store,
        origin: played.origin,
    }
}

/// A 1-of-1 witness policy, and the log's checkpoint cosigned under it.
fn witnessed(p: &Played) -> String {
    let key = accord_app::keys::generate("witness.example/w1", true).unwrap();
    let log_key = p
        .store
        .ledger(Some(&p.origin))
        .unwrap()
        .info()
        .log_key
        .clone();
    let log_key = accord_ledger::note::VerifierKey::parse(&log_key).unwrap();
    let mut policy = WitnessPolicy::new();
    policy.add_log(log_key.clone(), None).unwrap();
    policy
        .add_witness("w1", key.verifier(), Some("http://w1.invalid".into()))
        .unwrap();
    policy.set_quorum("w1").unwrap();
    let text = policy.to_text();
    let transport = InProcess {
        witness: Witness::new(vec![key], vec![TrustedLog::from_key(log_key)]).unwrap(),
        state: RefCell::new(WitnessState::new()),
    };
    let round = witnessing::witness(&p.store, Some(&p.origin), &text, &transport).unwrap();
    assert!(
        matches!(round.witnesses[0].1, Outcome::Cosigned(_)),
        "{round:?}"
    );
    assert_eq!(round.witnessed, Ok(()));
    // Asked again, the witness has nothing new to cosign.
    let again = witnessing::witness(&p.store, Some(&p.origin), &text, &transport).unwrap();
    assert_eq!(again.witnesses[0].1, Outcome::AlreadyCosigned);
    text
}

fn request<'a>(as_of: &str, previous: Option<&'a Path>, policy: Option<&'a str>) -> Request<'a> {
    Request {
        agreement: AGREEMENT,
        as_of: as_of.parse().unwrap(),
        previous,
        policy,
    }
}

/// One alteration of a bundle.
type Alter = Box<dyn FnOnce(&mut Bundle)>;

/// Verifies a bundle altered by `alter`; returns the parts named.
fn parts_failing(bundle: &Bundle, alter: impl FnOnce(&mut Bundle)) -> Vec<Part> {
    let mut altered = bundle.clone();
    alter(&mut altered);
    let v = accord_report::verify(&altered, None);
    assert!(!v.is_ok());
    v.failed_parts()
}

fn flip(bundle: &mut Bundle, path: &str, at: impl FnOnce(&[u8]) -> usize) {
    let bytes = bundle.files.get_mut(path).unwrap();
    let i = at(bytes);
    bytes[i] ^= 0x01;
}

#[test]
fn a_report_verifies_from_its_directory_alone_and_every_altered_part_is_named() {
    let p = played();
    let policy = witnessed(&p);
    let first = build(
        &p.store,
        &request("2026-09-01T00:00:00Z", None, Some(&policy)),
    )
    .unwrap();
    write(&p.root.join("r1"), &first.bundle).unwrap();
    let second = build(
        &p.store,
        &request(
            "2027-06-01T00:00:00Z",
            Some(&p.root.join("r1")),
            Some(&policy),
        ),
    )
    .unwrap();
    write(&p.root.join("r2"), &second.bundle).unwrap();
    // A second report into the same directory is refused, and changes nothing.
    assert!(write(&p.root.join("r2"), &first.bundle).is_err());
    drop(p.store);
    std::fs::remove_file(p.root.join("accord.db")).unwrap();

    let v = verify(&p.root.join("r2"), None).unwrap();
    assert!(v.is_ok(), "{v:?}");
    let checked: Vec<Part> = v.checks.iter().map(|c| c.part).collect();
    for part in [
        Part::State,
        Part::Cosignatures,
        Part::Consistency,
        Part::Inclusion,
        Part::Html,
    ] {
        assert!(checked.contains(&part), "{part} not checked");
    }

    let bundle = read_bundle(&p.root.join("r2")).unwrap();
    assert_eq!(bundle, second.bundle);
    let mid = |b: &[u8]| b.len() / 2;
    let cases: Vec<(Part, Alter)> = vec![
        (Part::Log, Box::new(move |b| flip(b, "log.bin", mid))),
        (
            Part::Inclusion,
            Box::new(|b| {
                let text = String::from_utf8(b.files["inclusion.json"].clone()).unwrap();
                let at = text.find("\"proof\": [\n        \"").unwrap() + 22;
                flip(b, "inclusion.json", |_| at);
            }),
        ),
        (
            Part::Checkpoint,
            Box::new(|b| {
                let text = String::from_utf8(b.files["checkpoint.txt"].clone()).unwrap();
                let at = text.find('\n').unwrap() + 1;
                flip(b, "checkpoint.txt", |_| at);
            }),
        ),
        (
            Part::Cosignatures,
            Box::new(|b| {
                let text = String::from_utf8(b.files["checkpoint.txt"].clone()).unwrap();
                let at = text.find("— witness.example/w1 ").unwrap()
                    + "— witness.example/w1 ".len()
                    + 12;
                flip(b, "checkpoint.txt", |_| at);
            }),
        ),
        (
            Part::Agreement(1),
            Box::new(|b| {
                b.files
                    .get_mut("agreement/v1.toml")
                    .unwrap()
                    .extend_from_slice(b"# amended\n");
            }),
        ),
        (
            Part::State,
            Box::new(|b| {
                let text = String::from_utf8(b.files["state.json"].clone()).unwrap();
                let at = text.find("\"status\": \"").unwrap() + 11;
                flip(b, "state.json", |_| at);
            }),
        ),
        (
            Part::Consistency,
            Box::new(|b| {
                let text = String::from_utf8(b.files["consistency.json"].clone()).unwrap();
                let at = text.find("\"old_root\": \"").unwrap() + 14;
                flip(b, "consistency.json", |_| at);
            }),
        ),
        (
            Part::Report,
            Box::new(|b| {
                b.files.remove("report.json");
            }),
        ),
        (
            Part::Log,
            Box::new(|b| {
                b.files.remove("log.bin");
            }),
        ),
        (
            Part::PreviousCheckpoint,
            Box::new(|b| {
                b.files.remove("previous/checkpoint.txt");
            }),
        ),
    ];
    for (part, alter) in cases {
        let failing = parts_failing(&bundle, alter);
        assert!(
            failing.contains(&part),
            "{part} altered, but the failures name {failing:?}"
        );
    }
}

#[test]
fn a_report_needs_a_witnessed_checkpoint_where_a_policy_exists() {
    let p = played();
    let key = accord_app::keys::generate("witness.example/w2", true).unwrap();
    let policy = WitnessPolicy::k_of_n(1, [("w2".to_owned(), key.verifier())])
        .unwrap()
        .to_text();
    let refused = build(
        &p.store,
        &request("2027-06-01T00:00:00Z", None, Some(&policy)),
    );
    assert!(
        matches!(
            refused,
            Err(accord_app::Error::ReportUncovered {
                witnessed: true,
                ..
            })
        ),
        "{refused:?}"
    );
}

#[test]
fn the_report_document_of_the_nuclear_scenario() {
    let p = played();
    let built = build(&p.store, &request("2027-06-01T00:00:00Z", None, None)).unwrap();
    let report: serde_json::Value =
        serde_json::from_slice(&built.bundle.files["report.json"]).unwrap();
    // What a reader sees, without the parts that change with each play (keys, roots,
    // commitments to random salts, times).
    let summary = serde_json::json!({
        "agreement": report["agreement"],
        "agreement_status": report["agreement_status"],
        "log": { "size": report["log"]["size"], "read": report["log"]["read"], "sealed": report["log"]["sealed"] },
        "score": report["score"],
        "phases": report["phases"],
        "departures": report["departures"],
        "confidential": report["confidential"].as_array().map(Vec::len),
        "cited": report["cited"].as_array().map(Vec::len),
    });
    // Key order is not part of the format (serde_json keeps insertion order when a
    // dependency turns on `preserve_order`, as cedar-policy does): compare sorted.
    let mut summary = summary;
    summary.sort_all_objects();
    insta::assert_json_snapshot!(summary);
}
