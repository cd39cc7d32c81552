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

/// Verifies `bundle` with `openings` (altered by `alter`) and returns the verification.
fn with_openings(
    bundle: &Bundle,
    openings: &accord_report::Openings,
    alter: impl FnOnce(&mut accord_report::Openings),
) -> accord_report::Verification {
    let mut altered = openings.clone();
    alter(&mut altered);
    accord_report::verify_with(bundle, None, Some(&altered.to_text()))
}

fn problems_of(v: &accord_report::Verification, part: Part) -> Vec<String> {
    v.failures()
        .filter(|c| c.part == part)
        .filter_map(|c| c.problem.clone())
        .collect()
}

/// Flips one bit of a hex or base64 text at `at` while keeping it the same kind of text.
fn tweak(text: &mut String, at: usize) {
    let c = text.as_bytes()[at];
    let replacement = if c == b'a' { 'b' } else { 'a' };
    text.replace_range(at..=at, &replacement.to_string());
}

#[test]
fn sealed_evidence_is_disclosed_selectively_and_its_openings_re_run_the_attested_state() {
    use base64::Engine as _;
    let p = played();
    // Implementation day: the IAEA's sealed reports verify the caps.
    let built = build(&p.store, &request("2026-09-01T00:00:00Z", None, None)).unwrap();
    let bundle = &built.bundle;
    let openings = &built.openings;
    assert!(
        !openings.openings.is_empty(),
        "the demo seals the IAEA's evidence"
    );
    let report: serde_json::Value = serde_json::from_slice(&bundle.files["report.json"]).unwrap();

    // The public state under-states: caps not started, implementation day not reached and
    // the authority's grant a departure; the attested state (with the sealed IAEA
    // evidence) finds the caps verified and the grant in order.
    let differences = report["attested"]["differences"].as_array().unwrap();
    let verdict = |subject: &str, id: &str| {
        differences
            .iter()
            .find(|d| d["subject"] == subject && d["id"] == id)
            .map(|d| {
                (
                    d["public"].as_str().unwrap(),
                    d["attested"].as_str().unwrap(),
                )
            })
    };
    assert_eq!(
        verdict("phase", "implementation-day"),
        Some(("not_reached", "reached")),
        "{differences:?}"
    );
    assert_eq!(
        verdict("departure", "#29"),
        Some(("departure", "not a departure"))
    );
    assert_eq!(
        verdict("commitment", "centrifuge_limit"),
        Some(("not_started", "complete"))
    );
    let caps: Vec<&serde_json::Value> = differences
        .iter()
        .filter(|d| d["subject"] == "commitment")
        .collect();
    for d in &caps {
        assert_eq!(d["public"], "not_started", "{d}");
        assert!(!d["depends_on"].as_array().unwrap().is_empty(), "{d}");
    }
    let html = String::from_utf8(bundle.files["index.html"].clone()).unwrap();
    assert!(html.contains("Attested with confidential evidence"));
    assert!(html.contains("verifiable by holders of the openings"));

    // The public bundle never holds an opening: no sealed content, in bytes or base64, and
    // no salt, in any of its files.
    for o in &openings.openings {
        let content = base64::engine::general_purpose::STANDARD
            .decode(&o.content)
            .unwrap();
        for (path, bytes) in &bundle.files {
            let found = |needle: &[u8]| bytes.windows(needle.len()).any(|w| w == needle);
            assert!(!found(&content), "{path} holds the content of #{}", o.entry);
            assert!(
                !found(o.content.as_bytes()),
                "{path} holds #{}'s content",
                o.entry
            );
            assert!(
                !found(o.salt.as_bytes()),
                "{path} holds #{}'s salt",
                o.entry
            );
        }
    }

    // With the openings, the attested state is re-run and agrees.
    let v = accord_report::verify_with(bundle, None, Some(&openings.to_text()));
    assert!(v.is_ok(), "{v:?}");
    assert!(
        v.checks.iter().any(|c| c.part == Part::Attested
            && c.what.contains("re-run on the open and opened entries"))
    );

    // A byte of a content, a salt, a missing opening: each named in the openings.
    let content = with_openings(bundle, openings, |o| tweak(&mut o.openings[0].content, 4));
    let named = problems_of(&content, Part::Openings);
    assert!(
        named
            .iter()
            .any(|m| m.contains("do not open its commitment")),
        "{content:?}"
    );
    assert!(!content.is_ok());
    let salt = with_openings(bundle, openings, |o| tweak(&mut o.openings[0].salt, 0));
    assert!(
        problems_of(&salt, Part::Openings)
            .iter()
            .any(|m| m.contains(&format!("entry #{}", openings.openings[0].entry))),
        "{salt:?}"
    );
    let missing_entry = openings.openings[0].entry;
    let missing = with_openings(bundle, openings, |o| {
        o.openings.remove(0);
    });
    assert!(
        problems_of(&missing, Part::Openings)
            .iter()
            .any(|m| m.contains(&format!("no opening for #{missing_entry}"))),
        "{missing:?}"
    );
    assert!(missing.failed_parts().contains(&Part::Attested));

    // An attested state other than the one the openings give: its hash altered (the
    // report's bytes otherwise consistent) fails with the openings, naming the attested
    // state.
    let mut altered = bundle.clone();
    let text = String::from_utf8(altered.files["report.json"].clone()).unwrap();
    let at = text.find("\"state_sha256\": \"").unwrap() + 17;
    let mut text = text;
    tweak(&mut text, at);
    altered.put("report.json", text.clone());
    let doc: accord_report::document::Report = serde_json::from_str(&text).unwrap();
    altered.put("index.html", accord_report::html::page(&doc));
    let without = accord_report::verify(&altered, None);
    assert!(
        without.is_ok(),
        "without openings it cannot be told: {without:?}"
    );
    let with = accord_report::verify_with(&altered, None, Some(&openings.to_text()));
    let named = problems_of(&with, Part::Attested);
    assert!(
        named.iter().any(|m| m.contains("its state hashes to")),
        "{with:?}"
    );

    // Without the openings, the stated dependencies are checked against the log, and the
    // verification says the attested state was not re-run.
    let v = accord_report::verify(bundle, None);
    assert!(v.is_ok(), "{v:?}");
    assert!(
        v.checks
            .iter()
            .any(|c| c.part == Part::Attested && c.what.contains("NOT re-run")),
        "{v:?}"
    );
    let mut wrong_dependency = bundle.clone();
    let text = String::from_utf8(bundle.files["report.json"].clone()).unwrap();
    let commitment = caps[0]["depends_on"][0]["commitment"].as_str().unwrap();
    let at = text
        .find(&format!("\"commitment\": \"{commitment}\""))
        .unwrap();
    // The first mention of a commitment is in `confidential`; alter its mention in the
    // attested part (after `"attested"`).
    let attested_at = text.find("\"attested\": {").unwrap();
    let at = text[attested_at..]
        .find(&format!("\"commitment\": \"{commitment}\""))
        .map_or(at, |i| i + attested_at)
        + 16;
    let mut text = text;
    tweak(&mut text, at);
    wrong_dependency.put("report.json", text.clone());
    let doc: accord_report::document::Report = serde_json::from_str(&text).unwrap();
    wrong_dependency.put("index.html", accord_report::html::page(&doc));
    let v = accord_report::verify(&wrong_dependency, None);
    assert!(
        problems_of(&v, Part::Attested)
            .iter()
            .any(|m| m.contains("has the commitment")),
        "{v:?}"
    );
}

#[test]
fn the_attested_part_of_the_nuclear_report() {
    let p = played();
    let built = build(&p.store, &request("2026-09-01T00:00:00Z", None, None)).unwrap();
    let report: serde_json::Value =
        serde_json::from_slice(&built.bundle.files["report.json"]).unwrap();
    // Commitments and the state's hash change with each play (random salts, times).
    let mut attested = report["attested"].clone();
    attested["state_sha256"] = "<sha256>".into();
    for d in attested["differences"].as_array_mut().unwrap() {
        for dep in d["depends_on"].as_array_mut().unwrap() {
            dep["commitment"] = "<commitment>".into();
        }
    }
    attested.sort_all_objects();
    insta::assert_json_snapshot!(attested);
}

#[test]
fn an_openings_file_is_never_written_into_the_report() {
    let p = played();
    let dir = p.root.join("r");
    let refused = accord_app::report::check_openings_path(&dir.join("openings.json"), &dir);
    assert!(
        matches!(refused, Err(accord_app::Error::OpeningsInBundle(_))),
        "{refused:?}"
    );
    assert!(accord_app::report::check_openings_path(&p.root.join("o.json"), &dir).is_ok());
}

/// A witness answering in process that also publishes what it last cosigned (the
/// `GET /checkpoint/{origin}` extension) when `publishes` is set.
struct Publishing {
    inner: InProcess,
    publishes: bool,
}

impl Transport for Publishing {
    fn post(&self, url: &str, body: &str) -> Result<(u16, Option<String>, String), String> {
        self.inner.post(url, body)
    }

    fn get(&self, url: &str) -> Result<(u16, Option<String>, String), String> {
        let origin = url.split_once("/checkpoint/").unwrap().1;
        match self.inner.state.borrow().get(origin) {
            Some(recorded) if self.publishes => Ok((200, None, recorded.checkpoint.clone())),
            _ => Ok((404, None, "nothing cosigned\n".into())),
        }
    }
}

const SPLIT_ORIGIN: &str = "accord.example/split";

/// A store holding a log of two entries, checkpointed, whose key the test holds.
fn small_log(root: &Path) -> (Store, accord_ledger::note::SignerKey) {
    use accord_core::statement::Statement;
    let store = accord_app::open(&StoreUrl::Sqlite(root.join("split.db")), false).unwrap();
    let log_key = accord_ledger::note::SignerKey::from_seed(SPLIT_ORIGIN, [9; 32]).unwrap();
    let author = accord_ledger::note::SignerKey::from_seed("k", [3; 32]).unwrap();
    let roster = serde_json::json!({
        "agreement": "agreement-1",
        "participants": { "eu": { "role": "authority", "standing": false, "keys": [{
            "public_key": base64::Engine::encode(&base64::engine::general_purpose::STANDARD, author.public_key()),
            "valid_from": "2020-01-01T00:00:00Z", "valid_until": null, "ended_because": null }] } }
    });
    let participants =
        accord_app::ledger::read_roster("roster.json", serde_json::to_vec(&roster).unwrap())
            .unwrap();
    accord_app::ledger::init(&store, SPLIT_ORIGIN, &log_key.verifier(), &participants).unwrap();
    for event in ["adoption", "implementation"] {
        let statement: Statement = serde_json::from_value(serde_json::json!({
            "kind": "event_occurred", "event": event, "on": "2026-01-15"
        }))
        .unwrap();
        accord_app::ledger::append(
            &store,
            None,
            statement,
            &[("eu".parse().unwrap(), author.clone())],
            false,
        )
        .unwrap();
    }
    accord_app::ledger::checkpoint(&store, None, &log_key).unwrap();
    (store, log_key)
}

/// A witness that has already cosigned `size` with another `root`, signed by the log key.
fn witness_holding(
    log_key: &accord_ledger::note::SignerKey,
    size: u64,
    root: [u8; 32],
    publishes: bool,
) -> (Publishing, String) {
    let key = accord_app::keys::generate("witness.example/w1", true).unwrap();
    let mut policy = WitnessPolicy::new();
    policy.add_log(log_key.verifier(), None).unwrap();
    policy
        .add_witness("w1", key.verifier(), Some("http://w1.invalid".into()))
        .unwrap();
    policy.set_quorum("w1").unwrap();
    let text = policy.to_text();
    let witness = Witness::new(vec![key], vec![TrustedLog::from_key(log_key.verifier())]).unwrap();
    let transport = Publishing {
        inner: InProcess {
            witness,
            state: RefCell::new(WitnessState::new()),
        },
        publishes,
    };
    let other = accord_ledger::checkpoint::Checkpoint {
        origin: SPLIT_ORIGIN.into(),
        size,
        root,
        extensions: vec![],
    }
    .sign(log_key)
    .unwrap();
    let body = accord_ledger::witness::protocol::AddCheckpoint {
        old_size: 0,
        proof: vec![],
        checkpoint: other,
    }
    .encode();
    let (status, ..) = transport
        .post("http://w1.invalid/add-checkpoint", &body)
        .unwrap();
    assert_eq!(status, 200);
    (transport, text)
}

#[test]
fn a_witness_holding_another_view_of_the_log_gives_split_view_evidence() {
    let dir = tempfile::tempdir().unwrap();
    let (store, log_key) = small_log(dir.path());
    let trusted = [log_key.verifier()];

    // Same size, another root: the witness refuses with 409 and publishes the other
    // checkpoint; the evidence is conclusive, and `accord verify` reads it.
    let (transport, policy) = witness_holding(&log_key, 2, [7; 32], true);
    let round = witnessing::witness(&store, None, &policy, &transport).unwrap();
    assert!(
        matches!(round.witnesses[0].1, Outcome::Refused(409, _)),
        "{round:?}"
    );
    assert_eq!(round.alarms.len(), 1, "{round:?}");
    let alarm = &round.alarms[0];
    assert!(alarm.conclusive, "{alarm:?}");
    let evidence = alarm.evidence.clone().unwrap();
    assert!(evidence.starts_with("accord/split-view/v1\n"));
    let finding = accord_app::report::split_view(&evidence, &trusted).unwrap();
    assert!(finding.contains("(conclusive)"), "{finding}");
    let saved = witnessing::save_evidence(dir.path(), &round).unwrap();
    assert_eq!(std::fs::read_to_string(&saved[0]).unwrap(), evidence);

    // A larger tree than the log has: the witness's checkpoint is saved with the log's,
    // not conclusive (the log cannot prove anything about a tree it does not have).
    let (transport, policy) = witness_holding(&log_key, 5, [8; 32], true);
    let round = witnessing::witness(&store, None, &policy, &transport).unwrap();
    assert_eq!(round.witnesses[0].1, Outcome::Ahead(5));
    let alarm = &round.alarms[0];
    assert!(!alarm.conclusive && alarm.evidence.is_some(), "{alarm:?}");

    // A witness that publishes nothing (tlog-witness v1.0.0 has no such endpoint): an
    // alarm with what is known, and no evidence file.
    let (transport, policy) = witness_holding(&log_key, 2, [7; 32], false);
    let round = witnessing::witness(&store, None, &policy, &transport).unwrap();
    let alarm = &round.alarms[0];
    assert_eq!(alarm.evidence, None);
    assert!(alarm.known.contains("its size: 2"), "{alarm:?}");
    assert!(
        alarm.known.contains("could not be obtained (HTTP 404)"),
        "{alarm:?}"
    );
    assert!(
        witnessing::save_evidence(dir.path(), &round)
            .unwrap()
            .is_empty()
    );
}
