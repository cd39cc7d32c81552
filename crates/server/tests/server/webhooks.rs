//! State changes over real loopback HTTP: an entry submitted to an agreement's log makes a
//! phase change, which a receiver hears of by a webhook it verifies with the server's
//! public key (a forged signature does not verify); a receiver that fails twice hears of it
//! on the third attempt, and the record of deliveries shows the three; the per-agreement
//! event stream tells the same change as `event: state`.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use accord_app::Store;
use accord_core::id::{AgreementId, ParticipantId};
use accord_ledger::entry::{Body, Entry};
use accord_ledger::note::{SignerKey, VerifierKey};
use accord_ledger::roster::{Member, RegisteredKey, Role as RosterRole, Roster};
use accord_server::webhooks::{
    Retry, SIGNATURE_HEADER, StateChange, Subscriber, Trusted, signed_message,
};
use accord_server::{Config, Role, Webhooks};
use axum::http::{HeaderMap, StatusCode};
use base64::Engine as _;

use super::support::{key, repo};

const AGREEMENT: &str = "arden-nuclear-2026";
const ORIGIN: &str = "accord.test/arden-nuclear-2026";

/// The bundled nuclear-caps agreement registered, and a log for it whose roster holds
/// the EU as an authority signing with `key(5)`.
fn prepare(store: &Store) {
    let bytes = std::fs::read(repo().join("examples/nuclear-caps.toml")).unwrap();
    let text = accord_app::agreements::AgreementText {
        name: "nuclear-caps.toml".into(),
        bytes,
    };
    let versions = accord_app::agreements::check(&[text]).unwrap();
    accord_app::agreements::register(store, &versions).unwrap();
    let member = Member {
        role: RosterRole::Authority,
        standing: false,
        keys: vec![RegisteredKey {
            public_key: base64::engine::general_purpose::STANDARD.encode(key(5).public_key()),
            valid_from: "2020-01-01T00:00:00Z".parse().unwrap(),
            valid_until: None,
            ended_because: None,
        }],
    };
    let roster = Roster {
        agreement: AgreementId::new(AGREEMENT).unwrap(),
        participants: BTreeMap::from([(ParticipantId::new("eu").unwrap(), member)]),
    };
    let roster = serde_json::to_vec(&roster).unwrap();
    let participants = accord_app::ledger::read_roster("roster.json", roster).unwrap();
    let log_key = SignerKey::from_seed(ORIGIN, [8; 32]).unwrap();
    accord_app::ledger::init(store, ORIGIN, &log_key.verifier(), &participants).unwrap();
}

/// The EU's adoption-day event, signed, as `POST /v1/statements` takes it.
fn adoption(store: &Store) -> String {
    let versions = accord_app::agreements::registered(store, AGREEMENT).unwrap();
    let docs: Vec<accord_scenario::VersionDoc<'_>> = versions
        .iter()
        .map(|v| accord_scenario::VersionDoc {
            agreement: &v.agreement,
            sha256: &v.sha256,
        })
        .collect();
    let scenario = accord_scenario::parse(
        "[scenario]\ntitle = \"t\"\ndescription = \"d\"\nagreement = \"nuclear-caps.toml\"\n\n\
         [[events]]\nat = 2026-01-15T10:00:00Z\nby = \"eu\"\nevent = { id = \"adoption\", on = 2026-01-15 }\n",
    )
    .unwrap();
    let planned = scenario.lower(&docs, 0).unwrap();
    let eu = ParticipantId::new("eu").unwrap();
    let entry = Entry {
        origin: ORIGIN.to_owned(),
        agreement: AgreementId::new(AGREEMENT).unwrap(),
        body: Body::Open(planned[0].statement.clone()),
    }
    .sign(&[(&eu, &key(5))]);
    let entry = base64::engine::general_purpose::STANDARD.encode(entry.encode());
    format!("{{\"entry\": \"{entry}\"}}")
}

/// What a receiver got: each request's headers and body.
#[derive(Clone, Default)]
struct Received(Arc<Mutex<Vec<(HeaderMap, String)>>>);

/// A receiver on loopback that answers 500 to its first `failures` requests, then 204.
async fn receiver(failures: usize) -> (String, Received) {
    let received = Received::default();
    let kept = received.clone();
    let app = axum::Router::new().route(
        "/hook",
        axum::routing::post(move |headers: HeaderMap, body: String| {
            let kept = kept.clone();
            async move {
                let mut all = kept.0.lock().unwrap();
                all.push((headers, body));
                if all.len() <= failures {
                    StatusCode::INTERNAL_SERVER_ERROR
                } else {
                    StatusCode::NO_CONTENT
                }
            }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await });
    (format!("http://{addr}/hook"), received)
}

/// The receiver's check: the `Accord-Signature` header's `sig` verifies, by `key`, over
/// `t.body`. Returns the signed change.
fn verify(key: &VerifierKey, headers: &HeaderMap, body: &str) -> Option<StateChange> {
    let header = headers.get(SIGNATURE_HEADER)?.to_str().ok()?;
    let fields: BTreeMap<&str, &str> = header
        .split(", ")
        .filter_map(|field| field.split_once('='))
        .collect();
    let t: i64 = fields.get("t")?.parse().ok()?;
    let sig = base64::engine::general_purpose::STANDARD
        .decode(fields.get("sig")?)
        .ok()?;
    let sig: [u8; 64] = sig.try_into().ok()?;
    assert_eq!(
        fields.get("keyid").copied(),
        Some(format!("{}+{:08x}", key.name(), key.key_id()).as_str())
    );
    // A receiver refuses an old timestamp (a replay): here, more than five minutes.
    let now = jiff::Timestamp::now().as_second();
    if (now - t).abs() > 300 {
        return None;
    }
    key.verify_bytes(&signed_message(t, body.as_bytes()), &sig)
        .then(|| serde_json::from_str(body).unwrap())
}

/// Waits (bounded) until `received` holds `n` requests.
async fn until_received(received: &Received, n: usize) -> Vec<(HeaderMap, String)> {
    for _ in 0..600 {
        let all = received.0.lock().unwrap().clone();
        if all.len() >= n {
            return all;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("the receiver did not get {n} request(s)");
}

fn token(role: Role, party: Option<&str>, tokens: &mut accord_server::Tokens) -> String {
    let issued = accord_server::auth::issue(role, party, jiff::Timestamp::now()).unwrap();
    tokens.add(&issued.record).unwrap();
    issued.token
}

#[test]
fn a_phase_change_is_delivered_signed_retried_recorded_and_streamed() {
    accord_store::testing::both(|fresh| {
        let store = Store::open(&fresh.url).unwrap();
        prepare(&store);
        let submission = adoption(&store);
        let dir = tempfile::tempdir().unwrap();
        let server_key = SignerKey::from_seed("accord-webhooks.test", [7; 32]).unwrap();
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .unwrap();
        runtime.block_on(async {
            let (steady_url, steady) = receiver(0).await;
            let (flaky_url, flaky) = receiver(2).await;
            let mut tokens = accord_server::Tokens::none();
            let eu = token(Role::Authority, Some("eu"), &mut tokens);
            let admin = token(Role::Admin, None, &mut tokens);
            let compliance = token(Role::Compliance, None, &mut tokens);
            let config = Config {
                tokens,
                webhooks: Some(Webhooks {
                    subscribers: vec![
                        Subscriber {
                            url: steady_url.clone(),
                            agreement: Some(AGREEMENT.into()),
                        },
                        Subscriber {
                            url: flaky_url.clone(),
                            agreement: None,
                        },
                        // Another agreement's subscriber hears nothing of this one.
                        format!("other-agreement={steady_url}x").parse().unwrap(),
                    ],
                    key: server_key.clone(),
                    record: dir.path().join("deliveries.jsonl"),
                    retry: Retry {
                        attempts: 5,
                        first: Duration::from_millis(50),
                        max: Duration::from_millis(200),
                        timeout: Duration::from_secs(10),
                    },
                    trusted: Trusted::default(),
                }),
                ..Config::new(store.clone())
            };
            let running = accord_server::start(config, "127.0.0.1:0".parse().unwrap())
                .await
                .unwrap();
            let base = format!("http://{}", running.addr());
            let client = super::support::client();
            let mut stream = client
                .get(format!("{base}/v1/agreements/{AGREEMENT}/events"))
                .bearer_auth(&compliance)
                .send()
                .await
                .unwrap();
            assert_eq!(stream.status(), 200);

            let submitted = client
                .post(format!("{base}/v1/statements"))
                .bearer_auth(&eu)
                .header("content-type", "application/json")
                .body(submission.clone())
                .send()
                .await
                .unwrap();
            let status = submitted.status();
            assert!(
                status.is_success(),
                "{status}: {}",
                submitted.text().await.unwrap()
            );

            // The steady receiver hears of the phase entered, signed by the server's key.
            let got = until_received(&steady, 1).await;
            let (headers, body) = &got[0];
            let change = verify(&server_key.verifier(), headers, body)
                .unwrap_or_else(|| panic!("the signature does not verify: {headers:?}"));
            assert_eq!(change.agreement, AGREEMENT);
            assert_eq!(change.id, format!("{ORIGIN}/1"));
            let phase = change
                .changes
                .iter()
                .find(|c| c.subject == "phase adoption-day")
                .unwrap_or_else(|| panic!("no phase change in {body}"));
            assert_ne!(phase.from, phase.to);
            assert!(
                phase.to.as_deref().unwrap().contains("2026-01-15"),
                "{body}"
            );
            assert_eq!(headers["accord-delivery"], change.id.as_str());

            // A forged delivery does not verify: another key, or the body changed.
            let forger = SignerKey::from_seed("accord-webhooks.test", [6; 32]).unwrap();
            let t = jiff::Timestamp::now().as_second();
            let forged_sig = base64::engine::general_purpose::STANDARD
                .encode(forger.sign_bytes(&signed_message(t, body.as_bytes())));
            let mut forged = headers.clone();
            forged.insert(
                SIGNATURE_HEADER,
                format!(
                    "keyid={}+{:08x}, t={t}, sig={forged_sig}",
                    server_key.name(),
                    server_key.key_id()
                )
                .parse()
                .unwrap(),
            );
            assert!(verify(&server_key.verifier(), &forged, body).is_none());
            let altered = body.replace("adoption-day", "transition-day");
            assert!(verify(&server_key.verifier(), headers, &altered).is_none());

            // The flaky receiver gets the same change on the third attempt.
            let got = until_received(&flaky, 3).await;
            for (headers, body) in &got {
                assert_eq!(
                    verify(&server_key.verifier(), headers, body),
                    Some(change.clone())
                );
            }

            // The per-agreement stream told it as `event: state`.
            let mut told = String::new();
            while !told.contains("event: state") {
                let chunk = tokio::time::timeout(Duration::from_secs(30), stream.chunk())
                    .await
                    .unwrap()
                    .unwrap()
                    .unwrap();
                told.push_str(&String::from_utf8_lossy(&chunk));
            }
            assert!(told.contains(&format!("id: {ORIGIN}/1")), "{told}");
            assert!(told.contains("phase adoption-day"), "{told}");
            drop(stream);

            // The record: one attempt to the steady receiver, three to the flaky one, the
            // last delivered; nothing to the other agreement's subscriber.
            let deliveries = async || -> serde_json::Value {
                let answer = client
                    .get(format!("{base}/v1/webhooks/deliveries"))
                    .bearer_auth(&admin)
                    .send()
                    .await
                    .unwrap();
                assert_eq!(answer.status(), 200);
                serde_json::from_str(&answer.text().await.unwrap()).unwrap()
            };
            let mut record = deliveries().await;
            for _ in 0..100 {
                let flaky_done = record["deliveries"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .any(|d| d["url"] == flaky_url.as_str() && d["outcome"] == "delivered");
                if flaky_done {
                    break;
                }
                tokio::time::sleep(Duration::from_millis(100)).await;
                record = deliveries().await;
            }
            assert_eq!(record["key"], server_key.verifier().to_string());
            let list = record["deliveries"].as_array().unwrap();
            assert_eq!(list.len(), 2, "{record}");
            let of = |url: &str| list.iter().find(|d| d["url"] == url).unwrap().clone();
            let (steady_record, flaky_record) = (of(&steady_url), of(&flaky_url));
            assert_eq!(steady_record["attempts"], 1, "{record}");
            assert_eq!(steady_record["outcome"], "delivered");
            assert_eq!(flaky_record["attempts"], 3, "{record}");
            assert_eq!(flaky_record["outcome"], "delivered");
            let statuses: Vec<&serde_json::Value> = flaky_record["history"]
                .as_array()
                .unwrap()
                .iter()
                .map(|a| &a["status"])
                .collect();
            assert_eq!(statuses, [500, 500, 204]);
            assert_eq!(flaky_record["event"], change.id.as_str());
            // The record is on disk, one line per attempt.
            let lines = std::fs::read_to_string(dir.path().join("deliveries.jsonl")).unwrap();
            assert_eq!(lines.lines().count(), 4);
            // Only the operator reads it.
            let refused = client
                .get(format!("{base}/v1/webhooks/deliveries"))
                .bearer_auth(&compliance)
                .send()
                .await
                .unwrap();
            assert_eq!(refused.status(), 403);
            running.stop().await.unwrap();
        });
        drop(runtime);
        drop(store);
    });
}

#[test]
fn a_webhook_is_a_url_or_an_agreement_and_a_url() {
    let all: Subscriber = "http://127.0.0.1:9/hook?a=b".parse().unwrap();
    assert_eq!(all.agreement, None);
    assert_eq!(all.url, "http://127.0.0.1:9/hook?a=b");
    let one: Subscriber = "arden-nuclear-2026=http://bank.example/hook"
        .parse()
        .unwrap();
    assert_eq!(one.agreement.as_deref(), Some("arden-nuclear-2026"));
    assert_eq!(one.url, "http://bank.example/hook");
    let tls: Subscriber = "https://bank.example/hook".parse().unwrap();
    assert_eq!(tls.url, "https://bank.example/hook");
    assert!("bank.example/hook".parse::<Subscriber>().is_err());
    assert!("not an id!=http://x".parse::<Subscriber>().is_err());
}

/// A receiver over HTTPS on loopback (rustls, on threads of its own) with the
/// self-signed certificate of `fixtures/receiver.pem` (for 127.0.0.1): each request's
/// headers and body kept, answered 204.
fn tls_receiver() -> (String, Received) {
    use rustls::pki_types::pem::PemObject as _;
    use rustls::pki_types::{CertificateDer, PrivateKeyDer};
    let dir = repo().join("crates/server/tests/server/fixtures");
    let certs = CertificateDer::pem_file_iter(dir.join("receiver.pem"))
        .unwrap()
        .collect::<Result<Vec<_>, _>>()
        .unwrap();
    let key = PrivateKeyDer::from_pem_file(dir.join("receiver.key")).unwrap();
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let config = rustls::ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .unwrap()
        .with_no_client_auth()
        .with_single_cert(certs, key)
        .unwrap();
    let config = Arc::new(config);
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let received = Received::default();
    let kept = received.clone();
    std::thread::spawn(move || {
        for tcp in listener.incoming().flatten() {
            let (config, kept) = (config.clone(), kept.clone());
            // A refused handshake (the server does not trust the certificate) is an
            // error here: nothing is kept.
            std::thread::spawn(move || answer_tls(config, tcp, &kept));
        }
    });
    (format!("https://127.0.0.1:{port}/hook"), received)
}

/// Reads one HTTP/1.1 request over TLS, keeps it, answers 204.
fn answer_tls(
    config: Arc<rustls::ServerConfig>,
    tcp: std::net::TcpStream,
    kept: &Received,
) -> std::io::Result<()> {
    use std::io::{BufRead as _, Read as _, Write as _};
    let connection = rustls::ServerConnection::new(config).map_err(std::io::Error::other)?;
    let mut tls = rustls::StreamOwned::new(connection, tcp);
    let mut reader = std::io::BufReader::new(&mut tls);
    let mut headers = HeaderMap::new();
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line)? == 0 || line == "\r\n" {
            break;
        }
        if let Some((name, value)) = line.trim_end().split_once(": ")
            && let (Ok(name), Ok(value)) = (
                name.to_ascii_lowercase().parse::<axum::http::HeaderName>(),
                value.parse(),
            )
        {
            headers.insert(name, value);
        }
    }
    let length: usize = headers
        .get("content-length")
        .and_then(|v| v.to_str().ok()?.parse().ok())
        .unwrap_or(0);
    let mut body = vec![0; length];
    reader.read_exact(&mut body)?;
    drop(reader);
    kept.0
        .lock()
        .unwrap()
        .push((headers, String::from_utf8_lossy(&body).into_owned()));
    tls.write_all(b"HTTP/1.1 204 No Content\r\ncontent-length: 0\r\nconnection: close\r\n\r\n")?;
    tls.conn.send_close_notify();
    tls.flush()
}

/// The webhooks to `url` signed by `key`, one attempt each, recorded in `record`.
fn one_attempt(
    url: &str,
    key: &SignerKey,
    record: std::path::PathBuf,
    trusted: Trusted,
) -> Webhooks {
    Webhooks {
        subscribers: vec![url.parse().unwrap()],
        key: key.clone(),
        record,
        retry: Retry {
            attempts: 1,
            ..Retry::default()
        },
        trusted,
    }
}

#[test]
fn an_https_receiver_is_delivered_to_when_its_certificate_is_trusted() {
    let fresh = accord_store::testing::sqlite_store();
    let store = Store::open(&fresh.url).unwrap();
    prepare(&store);
    let submission = adoption(&store);
    let dir = tempfile::tempdir().unwrap();
    let server_key = SignerKey::from_seed("accord-webhooks.test", [7; 32]).unwrap();
    let pem =
        std::fs::read(repo().join("crates/server/tests/server/fixtures/receiver.pem")).unwrap();
    let (url, received) = tls_receiver();
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(async {
        let mut tokens = accord_server::Tokens::none();
        let eu = token(Role::Authority, Some("eu"), &mut tokens);
        // Two servers of one store hear of the same change: one trusts the receiver's
        // certificate (`--webhook-ca`), the other knows only the Mozilla roots.
        let trusting = Config {
            tokens,
            webhooks: Some(one_attempt(
                &url,
                &server_key,
                dir.path().join("trusting.jsonl"),
                Trusted::from_pem(&pem).unwrap(),
            )),
            ..Config::new(store.clone())
        };
        let distrusting = Config {
            webhooks: Some(one_attempt(
                &url,
                &server_key,
                dir.path().join("distrusting.jsonl"),
                Trusted::default(),
            )),
            ..Config::new(store.clone())
        };
        let trusting = accord_server::start(trusting, "127.0.0.1:0".parse().unwrap())
            .await
            .unwrap();
        let distrusting = accord_server::start(distrusting, "127.0.0.1:0".parse().unwrap())
            .await
            .unwrap();
        let submitted = super::support::client()
            .post(format!("http://{}/v1/statements", trusting.addr()))
            .bearer_auth(&eu)
            .header("content-type", "application/json")
            .body(submission)
            .send()
            .await
            .unwrap();
        assert!(submitted.status().is_success());

        let got = until_received(&received, 1).await;
        let (headers, body) = &got[0];
        let change = verify(&server_key.verifier(), headers, body)
            .unwrap_or_else(|| panic!("the signature does not verify: {headers:?}"));
        assert_eq!(change.id, format!("{ORIGIN}/1"));

        // The other server's single attempt failed on the certificate, and says so.
        let failed = async || {
            for _ in 0..600 {
                let record = std::fs::read_to_string(dir.path().join("distrusting.jsonl"))
                    .unwrap_or_default();
                if let Some(line) = record.lines().next() {
                    return serde_json::from_str::<serde_json::Value>(line).unwrap();
                }
                tokio::time::sleep(Duration::from_millis(100)).await;
            }
            panic!("no attempt recorded");
        };
        let attempt = failed().await;
        assert_eq!(attempt["outcome"], "failed", "{attempt}");
        assert!(
            attempt["error"].as_str().unwrap().contains("certificate"),
            "{attempt}"
        );
        assert_eq!(received.0.lock().unwrap().len(), 1);
        trusting.stop().await.unwrap();
        distrusting.stop().await.unwrap();
    });
    drop(runtime);
    drop(store);
}

#[test]
fn a_ca_file_without_a_certificate_is_refused() {
    assert!(Trusted::from_pem(b"not a certificate").is_err());
    let key =
        std::fs::read(repo().join("crates/server/tests/server/fixtures/receiver.key")).unwrap();
    assert!(Trusted::from_pem(&key).is_err());
    let missing = Trusted::read(&["/nonexistent/ca.pem".into()]).unwrap_err();
    assert!(
        missing.to_string().contains("/nonexistent/ca.pem"),
        "{missing}"
    );
}
