//! `accord serve --witness-policy` over real HTTP (issue #15): a real witness (the server
//! crate's `accord witness serve` router, on a state file, on its own runtime and port),
//! a server whose policy names it, entries submitted and a checkpoint signed; the served
//! checkpoint then carries the witness's cosignature, checked with the ledger crate, and
//! the published reports rest on it. A witness holding another view of the log makes the
//! server write split-view evidence. And the attested part of the nuclear report, as the
//! dashboard links it.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, missing_docs)]

#[allow(dead_code)]
#[path = "server/support.rs"]
mod support;

use std::path::PathBuf;
use std::sync::{Arc, Mutex};

use accord_ledger::note::{SignerKey, TYPE_COSIGNATURE};
use accord_ledger::witness::Witness;
use accord_ledger::witness::policy::WitnessPolicy;
use accord_server::Role;
use accord_server::witness::{self as http, WitnessServer};

use support::{ARDEN, Fixture, ORIGIN, both, both_with, evidence, key, signed};

/// The write log's key (as `support` makes the log).
fn log_key() -> SignerKey {
    SignerKey::from_seed(ORIGIN, [9; 32]).unwrap()
}

fn witness_key() -> SignerKey {
    SignerKey::from_seed_of_type("witness.example/w1", TYPE_COSIGNATURE, [7; 32]).unwrap()
}

/// A witness served on a thread of its own (its own runtime), stopped when dropped.
struct RunningWitness {
    base: String,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    thread: Option<std::thread::JoinHandle<()>>,
    _dir: tempfile::TempDir,
}

impl RunningWitness {
    /// A witness of every log of `logs` (vkeys), which has first cosigned `first` (a
    /// request body) when given.
    fn start(logs: &[String], first: Option<String>) -> RunningWitness {
        let dir = tempfile::tempdir().unwrap();
        let text: String = logs.iter().map(|k| format!("log {k}\n")).collect();
        let trusted = http::parse_logs("logs.txt", &text).unwrap();
        let witness = Witness::new(vec![witness_key()], trusted).unwrap();
        let server = Arc::new(WitnessServer::open(witness, &dir.path().join("w1.json")).unwrap());
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        let (tell, told) = std::sync::mpsc::channel::<String>();
        let thread = std::thread::spawn(move || {
            let runtime = tokio::runtime::Builder::new_multi_thread()
                .worker_threads(1)
                .enable_all()
                .build()
                .unwrap();
            runtime.block_on(async move {
                let running = http::start(server, "127.0.0.1:0".parse().unwrap())
                    .await
                    .unwrap();
                let base = format!("http://{}", running.addr());
                if let Some(body) = first {
                    let answer = support::client()
                        .post(format!("{base}/add-checkpoint"))
                        .body(body)
                        .send()
                        .await
                        .unwrap();
                    assert_eq!(answer.status(), 200, "{}", answer.text().await.unwrap());
                }
                tell.send(base).unwrap();
                let _ = stopped.await;
                running.stop().await.unwrap();
            });
        });
        RunningWitness {
            base: told.recv().unwrap(),
            stop: Some(stop),
            thread: Some(thread),
            _dir: dir,
        }
    }
}

impl Drop for RunningWitness {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

/// What the test of one store run is given.
struct Witnessed {
    policy: String,
    evidence: PathBuf,
    _witness: RunningWitness,
    _dir: tempfile::TempDir,
}

/// Runs `test` on each store against a server whose policy is one witness (`w1`, which
/// witnesses every log of the store and, with `first`, has already cosigned that body),
/// split-view evidence written into a directory of its own.
fn witnessed_by_w1(first: Option<String>, test: impl AsyncFn(&Fixture, &Witnessed)) {
    let current: Mutex<Option<Witnessed>> = Mutex::new(None);
    both_with(
        |config| {
            // The store blocks (the PostgreSQL client on a runtime of its own), and so does
            // starting the witness: both outside the server's runtime's async context.
            let (logs, witness) = tokio::task::block_in_place(|| {
                let logs: Vec<String> = config
                    .store
                    .logs()
                    .unwrap()
                    .into_iter()
                    .map(|l| l.log_key)
                    .collect();
                let witness = RunningWitness::start(&logs, first.clone());
                (logs, witness)
            });
            assert!(!logs.is_empty());
            let policy = format!(
                "witness w1 {} {}\nquorum w1\n",
                witness_key().verifier(),
                witness.base
            );
            let dir = tempfile::tempdir().unwrap();
            let evidence = dir.path().join("evidence");
            config.witnessing = Some(
                accord_server::witnessing::Witnessing::new(policy.clone(), evidence.clone())
                    .unwrap(),
            );
            std::fs::create_dir_all(&evidence).unwrap();
            *current.lock().unwrap() = Some(Witnessed {
                policy,
                evidence,
                _witness: witness,
                _dir: dir,
            });
        },
        async |f| {
            let w = current.lock().unwrap().take().unwrap();
            test(f, &w).await;
            // Stopped from outside the server's runtime (its thread is joined).
            tokio::task::block_in_place(|| drop(w));
        },
    );
}

/// Asks `probe` again (every 100 ms, at most 600 times) until it gives something.
async fn poll<T>(what: &str, mut probe: impl AsyncFnMut() -> Option<T>) -> T {
    for _ in 0..600 {
        if let Some(found) = probe().await {
            return found;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    panic!("never came: {what}");
}

/// Two entries submitted to the write log over HTTP, and a checkpoint of them signed with
/// the log's key (as `accord ledger checkpoint` does: the server holds no log key).
async fn two_entries_checkpointed(f: &Fixture) {
    for amount in [1.0, 2.0] {
        let entry = signed(ORIGIN, evidence(amount), "iaea", &key(3));
        let answer = f
            .submit(Some(Role::Monitor), &format!("{{\"entry\": \"{entry}\"}}"))
            .await;
        assert_eq!(answer.status, 201, "{}: {}", f.kind, answer.body);
    }
    f.blocking(|s| accord_app::ledger::checkpoint(s, Some(ORIGIN), &log_key()).unwrap());
}

const COSIGNED_BY_W1: &str = "\u{2014} witness.example/w1 ";

#[test]
fn serve_has_each_new_checkpoint_cosigned_and_publishes_the_cosignatures() {
    witnessed_by_w1(None, async |f, w| {
        two_entries_checkpointed(f).await;
        let path = "/v1/agreements/agreement-1/log/checkpoint";
        let served = poll("the cosigned checkpoint", async || {
            let answer = f.get(path, None).await;
            assert_eq!(answer.status, 200, "{}", answer.body);
            answer.body.contains(COSIGNED_BY_W1).then_some(answer.body)
        })
        .await;
        // The ledger crate checks it: the log's signature and w1's cosignature.
        let policy = WitnessPolicy::parse(&w.policy).unwrap();
        let checked = policy
            .verify(&served, &[log_key().verifier()])
            .unwrap_or_else(|e| panic!("{}: {e}: {served}", f.kind));
        assert_eq!(checked.checkpoint.size, 2);
        assert_eq!(checked.cosigned_by.len(), 1);
        assert_eq!(checked.cosigned_by[0].0, "w1");

        // The nuclear log's checkpoint was cosigned too (witnessed at start-up), and the
        // reports now rest on it: its checkpoint carries the cosignature, and the bundle
        // verifies with the policy it carries.
        let base = format!("/v1/agreements/{ARDEN}/reports/2027-06-01");
        poll("a report on a witnessed checkpoint", async || {
            let answer = f.get(&format!("{base}/checkpoint.txt"), None).await;
            (answer.status == 200 && answer.body.contains(COSIGNED_BY_W1)).then_some(())
        })
        .await;
        let manifest = f.get(&format!("{base}/manifest.json"), None).await.json();
        assert_eq!(manifest["witness_policy"], true, "{manifest}");
        let mut files: Vec<String> = [
            "manifest.json",
            "checkpoint.txt",
            "policy.txt",
            "log.bin",
            "inclusion.json",
            "state.json",
            "report.json",
            "index.html",
        ]
        .map(str::to_owned)
        .to_vec();
        for version in manifest["versions"].as_array().unwrap() {
            files.push(version["file"].as_str().unwrap().to_owned());
        }
        let mut bundle = accord_report::Bundle::default();
        for file in &files {
            let (status, bytes) = f.get_bytes(&format!("{base}/{file}")).await;
            assert_eq!(status, 200, "{file}");
            bundle.put(file, bytes);
        }
        let verified = accord_report::verify(&bundle, None);
        assert!(verified.is_ok(), "{}: {verified:?}", f.kind);

        // The dashboard's log page names the witness and says the checkpoint is witnessed.
        let page = poll("the log page with its witness", async || {
            let page = f.get(&format!("/agreements/{ARDEN}/log"), None).await;
            page.body
                .contains("id=\"cosignatures\"")
                .then_some(page.body)
        })
        .await;
        assert!(page.contains("<strong>Witnessed</strong>"), "{page}");
        assert!(page.contains(">w1<"), "{page}");
        assert!(page.contains("yes, against the policy"), "{page}");
    });
}

#[test]
fn a_witness_holding_another_view_makes_serve_write_split_view_evidence() {
    // The witness has already cosigned a checkpoint of size 2 with another root, signed
    // by the log's key (a log that showed it another history).
    let other = accord_ledger::checkpoint::Checkpoint {
        origin: ORIGIN.into(),
        size: 2,
        root: [7; 32],
        extensions: vec![],
    }
    .sign(&log_key())
    .unwrap();
    let first = accord_ledger::witness::AddCheckpoint {
        old_size: 0,
        proof: vec![],
        checkpoint: other,
    }
    .encode();
    witnessed_by_w1(Some(first), async |f, w| {
        two_entries_checkpointed(f).await;
        let file = w.evidence.join("split-view-w1-2.txt");
        let evidence = poll("the split-view evidence", async || {
            std::fs::read_to_string(&file).ok()
        })
        .await;
        let finding = accord_app::report::split_view(&evidence, &[log_key().verifier()]).unwrap();
        assert!(finding.contains("(conclusive)"), "{}: {finding}", f.kind);
        // The alarm is counted (once the watcher has read the round that wrote the
        // evidence), and the checkpoint is served without a cosignature.
        let alarms =
            format!("accord_witness_alarms_total{{origin=\"{ORIGIN}\",witness=\"w1\"}} 1\n");
        poll("the alarm counted in /metrics", async || {
            let metrics = f.get("/metrics", Some(Role::Admin)).await.body;
            metrics.contains(&alarms).then_some(())
        })
        .await;
        let served = f
            .get("/v1/agreements/agreement-1/log/checkpoint", None)
            .await;
        assert!(!served.body.contains(COSIGNED_BY_W1), "{}", served.body);
    });
}

#[test]
fn a_published_report_shows_its_attested_part_over_http() {
    both(async |f| {
        // The dashboard lists the reports, newest first; the newest covers the whole log,
        // the sealed entries of the nuclear rehearsal included.
        // (The rehearsal's entries are recorded up to 2029: the page looks from after.)
        let page = f
            .get(&format!("/agreements/{ARDEN}?as_of=2030-01-01"), None)
            .await;
        assert_eq!(page.status, 200);
        let prefix = format!("/v1/agreements/{ARDEN}/reports/");
        let at = page.body.find(&prefix).expect("a report is listed");
        let end = page.body[at..].find("index.html").unwrap() + at + "index.html".len();
        let href = &page.body[at..end];
        let report = f.get(href, None).await;
        assert_eq!(report.status, 200, "{href}: {}", report.body);
        assert_eq!(report.content_type, "text/html; charset=utf-8");
        let html = &report.body;
        assert!(
            html.contains("<h2>Attested with confidential evidence</h2>"),
            "{}: {html}",
            f.kind
        );
        // The verdicts that differ, each with the sealed entries it depends on.
        assert!(
            html.contains("<th>public state</th><th>attested state</th>"),
            "{html}"
        );
        assert!(html.contains("sealed entries (commitments #"), "{html}");
        assert!(
            html.contains("verifiable by holders of the openings"),
            "{html}"
        );
        assert!(html.contains("depends on "), "{html}");
    });
}
