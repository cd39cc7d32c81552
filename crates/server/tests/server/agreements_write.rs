//! Agreements submitted over HTTP: checked as `accord check` checks them (diagnostics with
//! line and column, nothing registered on a refusal), idempotent, versions in order, by
//! the agreement's authorities; and an amendment's signatures, checked against the
//! registered text before they reach the log.

use std::collections::BTreeMap;

use accord_core::id::{AgreementId, ParticipantId};
use accord_core::statement::{AmendmentSignature, Statement};
use accord_ledger::entry::{Body, Entry};
use accord_ledger::note::SignerKey;
use accord_ledger::roster::{Member, RegisteredKey, Role as RosterRole, Roster};
use accord_server::Role;
use base64::Engine as _;

use super::support::{Answer, Fixture, Request, both, both_with, repo};

pub(super) const CALDERA: &str = "caldera-electoral-roadmap";
const CALDERA_LOG: &str = "accord.example/caldera";
/// The signatories of version 2, with the roster role each has.
const SIGNATORIES: [(&str, RosterRole, u8); 3] = [
    ("ofac", RosterRole::Authority, 21),
    ("caldera", RosterRole::Target, 22),
    ("opposition", RosterRole::Guarantor, 23),
];

pub(super) fn example(name: &str) -> Vec<u8> {
    std::fs::read(repo().join("examples").join(name)).unwrap()
}

fn key(n: u8) -> SignerKey {
    SignerKey::from_seed("k", [n; 32]).unwrap()
}

/// A token for each signatory (authority for `ofac`, party for the others).
pub(super) fn signatory_tokens() -> (
    Vec<accord_server::auth::TokenRecord>,
    BTreeMap<String, String>,
) {
    let mut records = Vec::new();
    let mut tokens = BTreeMap::new();
    for (who, role, _) in SIGNATORIES {
        let role = if role == RosterRole::Authority {
            Role::Authority
        } else {
            Role::Party
        };
        let issued = accord_server::auth::issue(role, Some(who), jiff::Timestamp::now()).unwrap();
        records.push(issued.record);
        tokens.insert(who.to_owned(), issued.token);
    }
    (records, tokens)
}

async fn post(f: &Fixture, path: &str, bearer: &str, content_type: &str, body: Vec<u8>) -> Answer {
    f.send(Request {
        method: reqwest::Method::POST,
        path,
        as_role: None,
        content_type: Some(content_type),
        body: Some(body),
        authorization: Some(format!("Bearer {bearer}")),
    })
    .await
}

async fn submit(f: &Fixture, bearer: &str, text: Vec<u8>) -> Answer {
    post(f, "/v1/agreements", bearer, "application/toml", text).await
}

fn registered(f: &Fixture, agreement: &str) -> usize {
    f.blocking(|store| store.agreement_texts(agreement).unwrap().len())
}

/// A log for the Caldera agreement whose roster holds the signatories' seeded keys.
fn caldera_log(f: &Fixture) {
    f.blocking(caldera_log_in);
}

/// [`caldera_log`] in `store`.
pub(super) fn caldera_log_in(store: &accord_app::Store) {
    let registered = |n: u8| RegisteredKey {
        public_key: base64::engine::general_purpose::STANDARD.encode(key(n).public_key()),
        valid_from: "2020-01-01T00:00:00Z".parse().unwrap(),
        valid_until: None,
        ended_because: None,
    };
    let participants = SIGNATORIES
        .iter()
        .map(|(who, role, n)| {
            let member = Member {
                role: *role,
                standing: false,
                keys: vec![registered(*n)],
            };
            (ParticipantId::new(*who).unwrap(), member)
        })
        .collect();
    let roster = Roster {
        agreement: AgreementId::new(CALDERA).unwrap(),
        participants,
    };
    let roster = serde_json::to_vec(&roster).unwrap();
    let participants = accord_app::ledger::read_roster("roster.json", roster).unwrap();
    let log_key = SignerKey::from_seed(CALDERA_LOG, [24; 32]).unwrap();
    accord_app::ledger::init(store, CALDERA_LOG, &log_key.verifier(), &participants).unwrap();
}

/// `signer`'s signature of `version`, naming the text by `sha256`, as the API takes it.
pub(super) fn signature(version: u32, sha256: &str, signer: &str) -> String {
    let n = SIGNATORIES.iter().find(|(w, _, _)| *w == signer).unwrap().2;
    let entry = Entry {
        origin: CALDERA_LOG.to_owned(),
        agreement: AgreementId::new(CALDERA).unwrap(),
        body: Body::Open(Statement::AmendmentSignature(AmendmentSignature {
            version,
            document_sha256: sha256.to_owned(),
        })),
    }
    .sign(&[(&ParticipantId::new(signer).unwrap(), &key(n))]);
    let encoded = base64::engine::general_purpose::STANDARD.encode(entry.encode());
    serde_json::json!({ "entry": encoded }).to_string()
}

fn log_size(f: &Fixture) -> u64 {
    f.blocking(|store| {
        store
            .ledger(Some(CALDERA_LOG))
            .unwrap()
            .refresh()
            .unwrap()
            .size
    })
}

#[test]
fn versions_are_registered_in_order_by_the_agreements_authorities_idempotently() {
    let (records, tokens) = signatory_tokens();
    both_with(
        |config| {
            for record in &records {
                config.tokens.add(record).unwrap();
            }
        },
        async |f| {
            let admin = &f.tokens[&Role::Admin];
            let v1 = example("licence-elections.toml");
            let v2 = example("licence-elections-v2.toml");
            // An amendment before the version it amends.
            let gap = submit(f, admin, v2.clone()).await;
            assert!(
                gap.problem(409, "version-gap")
                    .contains("the next version is 1")
            );
            // An authority of another agreement (the fixture's acts for `arden`).
            let other = submit(f, &f.tokens[&Role::Authority], v1.clone()).await;
            assert!(other.problem(403, "not-an-authority").contains("`arden`"));
            // Roles that may not submit at all.
            for role in [Role::Party, Role::Monitor, Role::Compliance, Role::Public] {
                submit(f, &f.tokens[&role], v1.clone())
                    .await
                    .problem(403, "forbidden");
            }
            assert_eq!(registered(f, CALDERA), 0);

            let first = submit(f, &tokens["ofac"], v1.clone()).await;
            assert_eq!(first.status, 201, "{}", first.body);
            let first = first.json();
            assert_eq!(first["agreement"], CALDERA);
            assert_eq!(first["version"], 1);
            assert_eq!(first["registered"], true);
            // The same text again: the registration as it was, nothing written.
            let again = submit(f, admin, v1.clone()).await;
            assert_eq!(again.status, 200, "{}", again.body);
            assert_eq!(again.json()["sha256"], first["sha256"]);
            assert_eq!(again.json()["registered"], false);
            assert_eq!(registered(f, CALDERA), 1);
            // Another text as version 1.
            let edited = String::from_utf8(v1.clone())
                .unwrap()
                .replace("Electoral roadmap", "An electoral roadmap");
            let conflict = submit(f, admin, edited.into_bytes()).await;
            conflict.problem(409, "version-conflict");

            let amended = submit(f, &tokens["ofac"], v2.clone()).await;
            assert_eq!(amended.status, 201, "{}", amended.body);
            assert_eq!(
                amended.json()["signatories"],
                serde_json::json!(["ofac", "caldera", "opposition"])
            );
            assert_eq!(registered(f, CALDERA), 2);
            let listed = f
                .get(&format!("/v1/agreements/{CALDERA}"), None)
                .await
                .json();
            assert_eq!(listed["versions"].as_array().unwrap().len(), 2);
        },
    );
}

#[test]
fn an_invalid_agreement_is_answered_with_its_diagnostics_and_nothing_registered() {
    both(async |f| {
        let admin = &f.tokens[&Role::Admin];
        let text = String::from_utf8(example("licence-elections.toml")).unwrap();
        let typo = text.replacen("role = \"authority\"", "role = \"authorty\"", 1);
        let line = typo.lines().position(|l| l.contains("authorty")).unwrap() + 1;
        let answer = submit(f, admin, typo.into_bytes()).await;
        answer.problem(422, "agreement-invalid");
        let errors = answer.json()["errors"].as_array().unwrap().clone();
        assert!(
            errors
                .iter()
                .any(|e| e["line"] == line && e["column"].as_u64().unwrap() >= 1),
            "no diagnostic at line {line}: {errors:?}"
        );
        assert!(
            errors
                .iter()
                .all(|e| e["file"] == "body.toml" && e["severity"] == "error")
        );
        // Not TOML at all, not UTF-8, or not sent as TOML.
        submit(f, admin, b"[agreement\nid = ".to_vec())
            .await
            .problem(422, "agreement-invalid");
        submit(f, admin, vec![0xff, 0xfe, 0x00])
            .await
            .problem(422, "agreement-invalid");
        post(
            f,
            "/v1/agreements",
            admin,
            "application/json",
            b"{}".to_vec(),
        )
        .await
        .problem(415, "unsupported-media-type");
        assert_eq!(registered(f, CALDERA), 0);
        // The bundled agreement the fixture played is registered with this very text.
        let arden = submit(f, admin, example("nuclear-caps.toml")).await;
        assert_eq!(arden.status, 200, "{}", arden.body);
        assert_eq!(arden.json()["registered"], false);
    });
}

#[test]
fn an_amendment_comes_into_force_with_its_signatories_signatures_checked_against_its_text() {
    let (records, tokens) = signatory_tokens();
    both_with(
        |config| {
            for record in &records {
                config.tokens.add(record).unwrap();
            }
        },
        async |f| {
            let admin = &f.tokens[&Role::Admin];
            submit(f, admin, example("licence-elections.toml")).await;
            let v2 = submit(f, admin, example("licence-elections-v2.toml"))
                .await
                .json();
            let sha = v2["sha256"].as_str().unwrap().to_owned();
            caldera_log(f);
            let path = format!("/v1/agreements/{CALDERA}/versions/2/signatures");
            let awaited = f.get(&path, None).await;
            assert_eq!(awaited.status, 200, "{}", awaited.body);
            let awaited = awaited.json();
            assert_eq!(awaited["sha256"], sha.as_str());
            assert_eq!(awaited["in_force"], false);
            let entries: Vec<_> = awaited["signatories"]
                .as_array()
                .unwrap()
                .iter()
                .map(|s| (s["participant"].clone(), s["entry"].clone()))
                .collect();
            assert_eq!(
                entries,
                ["ofac", "caldera", "opposition"].map(|p| (p.into(), serde_json::Value::Null))
            );

            // Refused before the log, with the reason: another text, another version, a
            // signer who is no signatory, an entry the token's participant did not sign.
            let wrong = signature(2, &"0".repeat(64), "caldera");
            let refused = post(
                f,
                &path,
                &tokens["caldera"],
                "application/json",
                wrong.into_bytes(),
            )
            .await;
            assert!(
                refused
                    .problem(422, "signature-refused")
                    .contains("registered with SHA-256")
            );
            let v1 = signature(1, &sha, "caldera");
            let refused = post(
                f,
                &path,
                &tokens["caldera"],
                "application/json",
                v1.into_bytes(),
            )
            .await;
            assert!(
                refused
                    .problem(422, "signature-refused")
                    .contains("version 1")
            );
            let path1 = format!("/v1/agreements/{CALDERA}/versions/1/signatures");
            let first = signature(1, &sha, "caldera");
            let refused = post(
                f,
                &path1,
                &tokens["caldera"],
                "application/json",
                first.into_bytes(),
            )
            .await;
            assert!(
                refused
                    .problem(422, "signature-refused")
                    .contains("adoption")
            );
            let theirs = signature(2, &sha, "caldera");
            post(
                f,
                &path,
                &tokens["opposition"],
                "application/json",
                theirs.into_bytes(),
            )
            .await
            .problem(403, "not-a-signer");
            assert_eq!(log_size(f), 0);

            let mut indexes = Vec::new();
            for who in ["ofac", "caldera", "opposition"] {
                let body = signature(2, &sha, who);
                let signed = post(
                    f,
                    &path,
                    &tokens[who],
                    "application/json",
                    body.clone().into_bytes(),
                )
                .await;
                assert_eq!(signed.status, 201, "{}", signed.body);
                indexes.push(signed.json()["index"].clone());
                let again = post(
                    f,
                    &path,
                    &tokens[who],
                    "application/json",
                    body.into_bytes(),
                )
                .await;
                assert_eq!(again.status, 200, "{}", again.body);
                assert_eq!(again.json()["duplicate"], true);
            }
            assert_eq!(log_size(f), 3);
            let signed = f.get(&path, None).await.json();
            let counted: Vec<_> = signed["signatories"]
                .as_array()
                .unwrap()
                .iter()
                .map(|s| s["entry"].clone())
                .collect();
            assert_eq!(counted, indexes);
            let reasons = signed["reasons"].to_string();
            assert!(reasons.contains("signed by every signatory"), "{reasons}");
            let effective = jiff::civil::date(2026, 12, 1);
            let today = accord_app::time::today(jiff::Timestamp::now());
            assert_eq!(signed["in_force"], today >= effective, "{signed}");
        },
    );
}
