//! Sealed (confidential) evidence over the API: the entry with its salt and content beside
//! it, which the log's writer checks against the entry's commitment and stores apart; a
//! content that does not open the commitment, or one beside an open entry, refused with
//! nothing written.

use accord_core::id::{AgreementId, ParticipantId};
use accord_core::statement::Statement;
use accord_ledger::entry::{self, Entry};
use accord_server::Role;
use base64::Engine as _;
use serde_json::json;

use super::support::{Fixture, ORIGIN, both, evidence, key, signed};

fn b64(bytes: &[u8]) -> String {
    base64::engine::general_purpose::STANDARD.encode(bytes)
}

/// `statement` sealed with `salt` and signed by `iaea`: the entry (base64) and the content.
pub fn sealed(statement: &Statement, salt: &[u8; 32]) -> (String, Vec<u8>) {
    let (body, content) = entry::seal(statement, salt);
    let entry = Entry {
        origin: ORIGIN.to_owned(),
        agreement: AgreementId::new("agreement-1").unwrap(),
        body,
    }
    .sign(&[(&ParticipantId::new("iaea").unwrap(), &key(3))]);
    (b64(&entry.encode()), content)
}

/// The body of a submission of `entry` with `salt` and `content` beside it.
pub fn with_content(entry: &str, salt: &[u8], content: &[u8]) -> serde_json::Value {
    json!({ "entry": entry, "sealed": { "salt": b64(salt), "content": b64(content) } })
}

/// The salt and content the store keeps apart for the entry at `index`, if any.
fn kept(f: &Fixture, index: u64) -> Option<([u8; 32], Vec<u8>)> {
    f.blocking(|s| s.ledger(Some(ORIGIN)).unwrap().sealed(index).unwrap())
}

#[test]
fn a_sealed_entry_is_logged_with_its_content_kept_apart() {
    both(async |f| {
        let salt = [5; 32];
        let (entry, content) = sealed(&evidence(3.6), &salt);
        let body = with_content(&entry, &salt, &content).to_string();
        let first = f.submit(Some(Role::Monitor), &body).await;
        assert_eq!(first.status, 201, "{}: {}", f.kind, first.body);
        assert_eq!(first.json()["index"], 0);
        assert_eq!(kept(f, 0), Some((salt, content.clone())));

        // Again, with its content or without: the first receipt, nothing written twice.
        let again = f.submit(Some(Role::Monitor), &body).await;
        assert_eq!(again.status, 200, "{}", again.body);
        assert_eq!(again.json()["index"], 0);
        let bare = f
            .submit(Some(Role::Monitor), &json!({ "entry": entry }).to_string())
            .await;
        assert_eq!(bare.status, 200, "{}", bare.body);
        assert_eq!(f.log_size(), 1);

        // Hex as well as base64; in a batch, beside an open entry.
        let salt = [6; 32];
        let (entry, content) = sealed(&evidence(3.5), &salt);
        let hex = |bytes: &[u8]| -> String { bytes.iter().map(|b| format!("{b:02x}")).collect() };
        let batch = json!([
            { "entry": entry, "sealed": { "salt": hex(&salt), "content": hex(&content) } },
            { "entry": signed(ORIGIN, evidence(1.0), "iaea", &key(3)) },
        ]);
        let answer = f.submit(Some(Role::Monitor), &batch.to_string()).await;
        assert_eq!(answer.status, 200, "{}", answer.body);
        let results = answer.json()["results"].clone();
        assert_eq!(results[0]["status"], 201, "{}", answer.body);
        assert_eq!(results[0]["index"], 1, "{}", answer.body);
        assert_eq!(results[1]["status"], 201, "{}", answer.body);
        assert_eq!(kept(f, 1), Some((salt, content)));
        assert_eq!(kept(f, 2), None);
    });
}

#[test]
fn a_content_that_does_not_open_the_commitment_is_refused_and_nothing_written() {
    both(async |f| {
        let salt = [5; 32];
        let (entry, content) = sealed(&evidence(3.6), &salt);
        // Another statement's content, a well-formed one.
        let (_, other) = sealed(&evidence(2.0), &salt);
        let detail = f
            .submit(
                Some(Role::Monitor),
                &with_content(&entry, &salt, &other).to_string(),
            )
            .await
            .problem(422, "entry-refused");
        assert!(
            detail.contains("does not match the entry's commitment"),
            "{detail}"
        );
        // The right content with another salt.
        f.submit(
            Some(Role::Monitor),
            &with_content(&entry, &[6; 32], &content).to_string(),
        )
        .await
        .problem(422, "entry-refused");
        // Without its content: the store keeps a sealed entry's content, so it must come.
        let detail = f
            .submit(Some(Role::Monitor), &json!({ "entry": entry }).to_string())
            .await
            .problem(422, "entry-refused");
        assert!(
            detail.contains("must come with its salt and content"),
            "{detail}"
        );
        // In a batch: that entry refused, the others written.
        let batch = json!([
            with_content(&entry, &salt, &other),
            { "entry": signed(ORIGIN, evidence(1.0), "iaea", &key(3)) },
        ]);
        let answer = f.submit(Some(Role::Monitor), &batch.to_string()).await;
        let results = answer.json()["results"].clone();
        assert_eq!(results[0]["status"], 422, "{}", answer.body);
        assert_eq!(results[0]["type"], "urn:accord:problem:entry-refused");
        assert_eq!(results[1]["status"], 201, "{}", answer.body);
        assert_eq!(f.log_size(), 1, "{}", f.kind);
        assert_eq!(kept(f, 0), None);
    });
}

#[test]
fn a_content_beside_an_open_entry_or_malformed_is_refused_and_nothing_written() {
    both(async |f| {
        let open = signed(ORIGIN, evidence(1.0), "iaea", &key(3));
        let (_, content) = entry::seal(&evidence(1.0), &[5; 32]);
        let detail = f
            .submit(
                Some(Role::Monitor),
                &with_content(&open, &[5; 32], &content).to_string(),
            )
            .await
            .problem(422, "entry-refused");
        assert!(
            detail.contains("only sealed entries carry a separate content"),
            "{detail}"
        );

        let salt = [5; 32];
        let (entry, content) = sealed(&evidence(3.6), &salt);
        let short = f
            .submit(
                Some(Role::Monitor),
                &with_content(&entry, &[5; 16], &content).to_string(),
            )
            .await
            .problem(422, "malformed-entry");
        assert_eq!(short, "`sealed.salt` is 16 bytes, not 32");
        let body = json!({ "entry": entry, "sealed": { "salt": "%%", "content": b64(&content) } });
        f.submit(Some(Role::Monitor), &body.to_string())
            .await
            .problem(422, "malformed-entry");
        let body = json!({ "entry": entry, "sealed": { "salt": b64(&salt) } });
        f.submit(Some(Role::Monitor), &body.to_string())
            .await
            .problem(422, "invalid-body");
        let mut body = with_content(&entry, &salt, &content);
        body["sealed"]["extra"] = json!(1);
        f.submit(Some(Role::Monitor), &body.to_string())
            .await
            .problem(422, "invalid-body");
        // An amendment's signature is open: nothing sealed comes beside it.
        let signature = f
            .send(super::support::Request {
                method: reqwest::Method::POST,
                path: "/v1/agreements/arden-nuclear-2026/versions/1/signatures",
                as_role: Some(Role::Monitor),
                content_type: Some("application/json"),
                body: Some(
                    with_content(&open, &salt, &content)
                        .to_string()
                        .into_bytes(),
                ),
                authorization: None,
            })
            .await;
        signature.problem(422, "invalid-body");
        assert_eq!(f.log_size(), 0, "{}", f.kind);
    });
}
