//! A server on a fresh store of each kind, and a client for it.

use std::collections::BTreeMap;
use std::path::PathBuf;

use accord_app::Store;
use accord_core::id::{AgreementId, IndicatorId, ParticipantId, UnitId};
use accord_core::statement::{Confidentiality, Evidence, Method, Observation, Quantity, Statement};
use accord_ledger::entry::{Body, Entry};
use accord_ledger::note::SignerKey;
use accord_ledger::roster::{Member, RegisteredKey, Role as RosterRole, Roster};
use accord_server::{Config, Role, Tokens};
use base64::Engine as _;

/// The log the write tests append to.
pub const ORIGIN: &str = "accord.example/agreement-1";
/// The bundled agreement the read tests evaluate.
pub const ARDEN: &str = "arden-nuclear-2026";
/// The body limit the fixture's server is given.
pub const BODY_LIMIT: usize = 64 * 1024;

/// A participant's key (seeded, so that tests are reproducible).
/// An HTTP client for the tests (reqwest is built without a rustls provider of its own).
pub fn client() -> reqwest::Client {
    client_builder().build().unwrap()
}

/// [`client`]'s builder.
pub fn client_builder() -> reqwest::ClientBuilder {
    accord_server::webhooks::install_crypto_provider();
    reqwest::Client::builder()
}

pub fn key(n: u8) -> SignerKey {
    SignerKey::from_seed("k", [n; 32]).unwrap()
}

pub fn iaea() -> ParticipantId {
    ParticipantId::new("iaea").unwrap()
}

pub fn roster() -> Roster {
    let registered = |n: u8| RegisteredKey {
        public_key: base64::engine::general_purpose::STANDARD.encode(key(n).public_key()),
        valid_from: "2020-01-01T00:00:00Z".parse().unwrap(),
        valid_until: None,
        ended_because: None,
    };
    let member = |role, n| Member {
        role,
        standing: false,
        keys: vec![registered(n)],
    };
    Roster {
        agreement: AgreementId::new("agreement-1").unwrap(),
        participants: BTreeMap::from([
            (iaea(), member(RosterRole::Monitor, 3)),
            (
                ParticipantId::new("arden").unwrap(),
                member(RosterRole::Target, 4),
            ),
        ]),
    }
}

/// An observation of `amount` kg, as a statement.
pub fn evidence(amount: f64) -> Statement {
    Statement::Evidence(Evidence {
        indicator: IndicatorId::new("stockpile").unwrap(),
        period: accord_core::time::Period::new(
            jiff::civil::date(2026, 1, 1),
            jiff::civil::date(2026, 3, 31),
        )
        .unwrap(),
        value: Observation::Quantity(Quantity::new(amount, UnitId::new("kg").unwrap()).unwrap()),
        method: Method::OnSiteInspection,
        attachments: vec![],
        confidentiality: Confidentiality::Public,
        note: None,
        escrow_until: None,
    })
}

/// A signed entry for `origin`, as the API takes it (base64 of its encoding).
pub fn signed(origin: &str, statement: Statement, signer: &str, with: &SignerKey) -> String {
    let who = ParticipantId::new(signer).unwrap();
    let entry = Entry {
        origin: origin.to_owned(),
        agreement: AgreementId::new("agreement-1").unwrap(),
        body: Body::Open(statement),
    }
    .sign(&[(&who, with)]);
    base64::engine::general_purpose::STANDARD.encode(entry.encode())
}

/// The repository's root.
pub fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// A running server over a fresh store, its tokens, and a client.
pub struct Fixture {
    pub kind: &'static str,
    pub store: Store,
    pub base: String,
    pub tokens: BTreeMap<Role, String>,
    client: reqwest::Client,
}

/// What came back.
#[derive(Debug)]
pub struct Answer {
    pub status: u16,
    pub content_type: String,
    pub headers: reqwest::header::HeaderMap,
    pub body: String,
}

impl Answer {
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.body).unwrap_or_else(|e| panic!("{e}: {}", self.body))
    }

    /// Asserts an RFC 9457 problem of this status and kind; returns its detail.
    #[track_caller]
    pub fn problem(&self, status: u16, kind: &str) -> String {
        assert_eq!(self.status, status, "{}", self.body);
        assert_eq!(
            self.content_type, "application/problem+json",
            "{}",
            self.body
        );
        let p = self.json();
        assert_eq!(
            p["type"],
            format!("urn:accord:problem:{kind}"),
            "{}",
            self.body
        );
        assert_eq!(p["status"], status, "{}", self.body);
        assert!(p["title"].is_string(), "{}", self.body);
        p["detail"].as_str().unwrap().to_owned()
    }
}

/// A request to send.
pub struct Request<'a> {
    pub method: reqwest::Method,
    pub path: &'a str,
    pub as_role: Option<Role>,
    pub content_type: Option<&'a str>,
    pub body: Option<Vec<u8>>,
    pub authorization: Option<String>,
}

impl Fixture {
    pub async fn send(&self, r: Request<'_>) -> Answer {
        let mut request = self
            .client
            .request(r.method, format!("{}{}", self.base, r.path));
        if let Some(role) = r.as_role {
            request = request.bearer_auth(&self.tokens[&role]);
        }
        if let Some(value) = r.authorization {
            request = request.header("authorization", value);
        }
        if let Some(ct) = r.content_type {
            request = request.header("content-type", ct);
        }
        if let Some(body) = r.body {
            request = request.body(body);
        }
        let response = request.send().await.unwrap();
        let status = response.status().as_u16();
        let headers = response.headers().clone();
        let content_type = headers
            .get("content-type")
            .map(|v| v.to_str().unwrap().to_owned())
            .unwrap_or_default();
        // An event stream does not end: its answer is read no further than its head.
        let body = if content_type.starts_with("text/event-stream") {
            String::new()
        } else {
            response.text().await.unwrap()
        };
        Answer {
            status,
            content_type,
            headers,
            body,
        }
    }

    pub async fn get(&self, path: &str, as_role: Option<Role>) -> Answer {
        self.send(Request {
            method: reqwest::Method::GET,
            path,
            as_role,
            content_type: None,
            body: None,
            authorization: None,
        })
        .await
    }

    /// A `GET` whose body is bytes (no content encoding asked for): status and body.
    pub async fn get_bytes(&self, path: &str) -> (u16, Vec<u8>) {
        let response = self
            .client
            .get(format!("{}{}", self.base, path))
            .send()
            .await
            .unwrap();
        let status = response.status().as_u16();
        (status, response.bytes().await.unwrap().to_vec())
    }

    /// `POST /v1/statements` with a JSON body.
    pub async fn submit(&self, as_role: Option<Role>, body: &str) -> Answer {
        self.send(Request {
            method: reqwest::Method::POST,
            path: "/v1/statements",
            as_role,
            content_type: Some("application/json"),
            body: Some(body.as_bytes().to_vec()),
            authorization: None,
        })
        .await
    }

    /// Runs blocking work on the store (a use case called directly, not through the
    /// server) from within the test's runtime.
    pub fn blocking<T>(&self, work: impl FnOnce(&Store) -> T) -> T {
        tokio::task::block_in_place(|| work(&self.store))
    }

    /// The write log's size, read from the store (not through the server).
    pub fn log_size(&self) -> u64 {
        self.blocking(|store| store.ledger(Some(ORIGIN)).unwrap().refresh().unwrap().size)
    }
}

/// The fresh store prepared: the nuclear-caps scenario played, the sample list imported,
/// the write log created.
fn prepare(store: &Store) {
    accord_app::play::play_bundled(store, "scenarios/nuclear-caps.toml").unwrap();
    let list = repo().join("crates/server/demo/eu-arden.xml");
    let import = accord_app::lists::Import::files(
        &[list],
        None,
        Some("eu-fsf".into()),
        "2026-01-01T00:00:00Z".into(),
    );
    accord_app::lists::import(store, &import, &mut |_, _| {}).unwrap();
    let roster = serde_json::to_vec(&roster()).unwrap();
    let participants = accord_app::ledger::read_roster("roster.json", roster).unwrap();
    let log_key = SignerKey::from_seed(ORIGIN, [9; 32]).unwrap();
    accord_app::ledger::init(store, ORIGIN, &log_key.verifier(), &participants).unwrap();
}

/// One token of each role (authorities and parties act for `arden`, monitors for `iaea`).
pub fn tokens() -> (Tokens, BTreeMap<Role, String>) {
    let mut accepted = Tokens::none();
    let mut tokens = BTreeMap::new();
    for role in Role::ALL {
        let party = match role {
            Role::Authority | Role::Party => Some("arden"),
            Role::Monitor => Some("iaea"),
            _ => None,
        };
        let issued = accord_server::auth::issue(role, party, jiff::Timestamp::now()).unwrap();
        accepted.add(&issued.record).unwrap();
        tokens.insert(role, issued.token);
    }
    (accepted, tokens)
}

/// Runs `test` against a server on a fresh SQLite store, then on a fresh PostgreSQL
/// schema (skipped, saying so, when PostgreSQL is unreachable outside CI).
pub fn both(test: impl AsyncFn(&Fixture)) {
    both_with(|_| {}, test);
}

/// [`both`], with the server's config changed by `configure` first.
pub fn both_with(configure: impl Fn(&mut Config), test: impl AsyncFn(&Fixture)) {
    accord_store::testing::both(|fresh| {
        // The PostgreSQL client blocks on a runtime of its own: the store is opened,
        // prepared and finally dropped outside the server's runtime, and the tests reach it
        // through `Fixture::blocking`.
        let store = Store::open(&fresh.url).unwrap();
        prepare(&store);
        let (accepted, tokens) = tokens();
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .unwrap();
        runtime.block_on(async {
            let mut config = Config {
                tokens: accepted,
                body_limit: BODY_LIMIT,
                ..Config::new(store.clone())
            };
            configure(&mut config);
            let running = accord_server::start(config, "127.0.0.1:0".parse().unwrap())
                .await
                .unwrap();
            let fixture = Fixture {
                kind: fresh.kind(),
                store: store.clone(),
                base: format!("http://{}", running.addr()),
                tokens,
                client: client(),
            };
            test(&fixture).await;
            running.stop().await.unwrap();
        });
        drop(runtime);
        drop(store);
    });
}

/// Every endpoint: method, path (with an example id and query), and the action the rules
/// judge it as (`None`: not judged, always answered).
pub const ENDPOINTS: &[(&str, &str, Option<accord_server::policy::Action>)] = {
    use accord_server::policy::Action::*;
    &[
        ("GET", "/healthz", None),
        ("GET", "/readyz", None),
        ("GET", "/metrics", Some(ReadMetrics)),
        ("GET", "/v1/openapi.json", None),
        ("GET", "/v1/docs", None),
        ("GET", "/v1/agreements", Some(ReadPublic)),
        ("GET", "/v1/agreements/arden-nuclear-2026", Some(ReadPublic)),
        (
            "GET",
            "/v1/agreements/arden-nuclear-2026/state?as_of=2026-07-01",
            Some(ReadEvaluation),
        ),
        (
            "GET",
            "/v1/agreements/arden-nuclear-2026/explain?subject=bank-delistings&as_of=2026-07-01",
            Some(ReadEvaluation),
        ),
        (
            "GET",
            "/v1/agreements/arden-nuclear-2026/timeline?to=2026-12-31",
            Some(ReadEvaluation),
        ),
        (
            "GET",
            "/v1/agreements/arden-nuclear-2026/log",
            Some(ReadPublic),
        ),
        (
            "GET",
            "/v1/agreements/arden-nuclear-2026/reports/2027-06-01/report.json",
            Some(ReadPublic),
        ),
        (
            "GET",
            "/v1/agreements/arden-nuclear-2026/log/checkpoint",
            Some(ReadPublic),
        ),
        (
            "GET",
            "/v1/agreements/arden-nuclear-2026/log/inclusion?index=0",
            Some(ReadPublic),
        ),
        (
            "GET",
            "/v1/agreements/arden-nuclear-2026/log/consistency?old=1",
            Some(ReadPublic),
        ),
        (
            "GET",
            "/v1/status?entity=eu-fsf:EU.1001.23",
            Some(QueryStatus),
        ),
        ("POST", "/v1/statements", Some(SubmitEntry)),
        ("POST", "/v1/match/default", Some(Screen)),
        ("GET", "/v1/search/default?q=Arden", Some(Screen)),
        ("GET", "/v1/catalog", Some(ReadPublic)),
        ("GET", "/v1/entities/accord-eu-fsf-eu-1001-23", Some(Screen)),
        ("GET", "/v1/events", Some(ReadPublic)),
        (
            "GET",
            "/v1/agreements/arden-nuclear-2026/events",
            Some(ReadEvaluation),
        ),
        ("GET", "/v1/webhooks/deliveries", Some(ReadDeliveries)),
        (
            "GET",
            "/v1/agreements/arden-nuclear-2026/log/tile/0/000.p/1",
            Some(ReadPublic),
        ),
        ("POST", "/v1/agreements", Some(SubmitAgreement)),
        (
            "GET",
            "/v1/agreements/arden-nuclear-2026/versions/1/signatures",
            Some(ReadPublic),
        ),
        (
            "POST",
            "/v1/agreements/arden-nuclear-2026/versions/1/signatures",
            Some(SubmitEntry),
        ),
        ("POST", "/v1/lists/eu-fsf/imports", Some(ImportLists)),
        ("POST", "/v1/lists/no-such-source/update", Some(ImportLists)),
        (
            "GET",
            "/v1/lists/eu-fsf/entities/EU.1001.23/history",
            Some(Screen),
        ),
        ("GET", "/v1/lists/eu-fsf/export", Some(Screen)),
    ]
};
