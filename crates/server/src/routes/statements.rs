//! `POST /v1/statements`: one signed entry submitted to the log its origin names. The
//! entry's signatures authenticate its authors (the ledger checks them against the
//! roster); the token must act for one of them. The answer comes after the commit.

use std::borrow::Cow;
use std::sync::Arc;

use accord_app::StoreError;
use axum::body::Bytes;
use axum::extract::State;
use axum::extract::rejection::BytesRejection;
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse as _, Response};

use accord_ledger::entry::{Encoded, SignedEntry};
use accord_store::ledger::Submission;
use sha2::Digest as _;

use super::json;
use crate::AppState;
use crate::extract::{Caller, json_body_bytes, parse_json};
use crate::policy::Action;
use crate::problem::ApiError;
use crate::replica::COMMIT_LSN;

/// The header of a `not-the-leader` answer naming the server that leads the log.
pub use crate::problem::LEADER;

/// The body: `{"entry": "<the signed entry's canonical encoding, base64 or hex>"}`, and for
/// a sealed entry `"sealed": {"salt": …, "content": …}` beside it.
/// The entry's text is borrowed from the request's body when it holds no JSON escape (it
/// never needs one: hex and base64), rather than copied.
#[derive(Debug, serde::Deserialize, serde::Serialize)]
#[serde(deny_unknown_fields)]
pub struct Submit<'a> {
    #[serde(borrow)]
    pub(crate) entry: Cow<'a, str>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) sealed: Option<Sealed>,
}

/// A sealed entry's content, which its leaf commits to and the store keeps apart: the
/// salt (32 bytes) and the statement's encoding, each in base64 or hex as the entry is —
/// what `accord submit` passes to the ledger beside the entry.
#[derive(Debug, serde::Deserialize, serde::Serialize)]
#[serde(deny_unknown_fields)]
pub struct Sealed {
    pub(crate) salt: String,
    pub(crate) content: String,
}

/// `POST /v1/statements`: 201 with the receipt when the entry is new, 200 with the first
/// receipt's index and record time when the log already holds it; 422 with the ledger's
/// reason when it refuses the entry (nothing is written). When another server of the same
/// PostgreSQL store leads the log, the submission is sent on to it and its answer returned
/// ([`crate::forward`], with `Accord-Forwarded-To`); 503 `not-the-leader`
/// ([`ApiError::not_the_leader`]: `Retry-After`, and the leader in `Accord-Leader`) when
/// it cannot be, or was forwarded already. The answer carries `Accord-Commit-Lsn` on
/// PostgreSQL (see [`crate::replica`]).
pub async fn submit(
    State(state): State<AppState>,
    caller: Caller,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Result<Response, ApiError> {
    let caller = caller.may(Action::SubmitEntry)?;
    let bytes = json_body_bytes(&headers, body)?;
    let submit: Submit<'_> = parse_json(&bytes)?;
    let (submission, encoded) = checked_submission(caller, &submit)?;
    let answer = append(&state, submission, encoded).await;
    // The body as received goes on to the leader, should another server lead the log
    // (`crate::forward`).
    crate::forward::or_refuse(&headers, "/v1/statements", Some(bytes), answer).await
}

/// Appends `entry` (encoded as `encoded`) once `check` (run on the blocking pool,
/// against the store) lets it through, and answers as [`append`] does. Every route that
/// writes one entry after a check of its own goes through here.
pub(crate) async fn append_checked(
    state: &AppState,
    submission: Submission,
    encoded: Encoded,
    check: impl FnOnce(&accord_app::Store, &SignedEntry) -> accord_app::Result<()> + Send + 'static,
) -> Result<Response, ApiError> {
    let store = state
        .reads
        .writes_for(submission.entry.entry.agreement.as_str())
        .clone();
    let checked = tokio::task::spawn_blocking(move || {
        check(&store, &submission.entry)?;
        Ok::<_, accord_app::Error>(submission)
    })
    .await
    .map_err(|_| ApiError::internal())?;
    append(state, checked?, encoded).await
}

/// Appends `entry` and answers as `POST /v1/statements` does: 201 or 200 with the
/// receipt, `Accord-Commit-Lsn` on PostgreSQL, 503 "submit again" when the commit's
/// answer was lost to a failover. The entry goes to the server's
/// [`accord_app::submitter::Submitter`], and the answer (after the commit) is awaited
/// here: no thread of the blocking pool waits for the commit.
pub(crate) async fn append(
    state: &AppState,
    submission: Submission,
    encoded: Encoded,
) -> Result<Response, ApiError> {
    let answer = submitted(state, submission, encoded).await?;
    let (submitted, position) = match answer {
        accord_app::submitter::Answer {
            submitted: Ok(submitted),
            position,
        } => (submitted, position),
        accord_app::submitter::Answer {
            submitted: Err(e), ..
        } => return Err(problem(e)),
    };
    let status = if submitted.duplicate {
        StatusCode::OK
    } else {
        StatusCode::CREATED
    };
    let mut response = json(accord_render::api::submitted(&submitted));
    *response.status_mut() = status;
    if let Some(value) = position.and_then(|p| HeaderValue::from_str(&p).ok()) {
        response.headers_mut().insert(COMMIT_LSN, value);
    }
    Ok(response.into_response())
}

/// The answer to `submission` ([`enqueue`]), awaited on the runtime.
async fn submitted(
    state: &AppState,
    submission: Submission,
    encoded: Encoded,
) -> Result<accord_app::submitter::Answer, ApiError> {
    let admitted = admit(state, 1)?;
    enqueue(state, submission, encoded, admitted)
        .await
        .map_err(|_| ApiError::internal())
}

/// Permits for `entries` more submitted entries in flight, or 503 `overloaded` at once
/// (nothing handed over) when the server has [`crate::Config::submissions_in_flight`]
/// waiting for their writers already: what keeps submissions from queueing without bound
/// in front of a slow store.
pub(crate) fn admit(
    state: &AppState,
    entries: usize,
) -> Result<tokio::sync::OwnedSemaphorePermit, ApiError> {
    let entries = u32::try_from(entries).map_err(|_| super::overloaded())?;
    Arc::clone(&state.in_flight)
        .try_acquire_many_owned(entries)
        .map_err(|_| super::overloaded())
}

/// Hands `submission` (encoded as `encoded`) to the server's submitter, for the store the
/// store map gives the entry's agreement (else the server's own): where its answer will
/// come. Submissions of one log handed over in turn are committed in that order.
/// `admitted` ([`admit`]) is held until the entry is answered, whether or not anyone
/// still waits for the answer.
fn enqueue(
    state: &AppState,
    submission: Submission,
    encoded: Encoded,
    admitted: tokio::sync::OwnedSemaphorePermit,
) -> tokio::sync::oneshot::Receiver<accord_app::submitter::Answer> {
    let store = state
        .reads
        .writes_for(submission.entry.entry.agreement.as_str());
    let (tx, rx) = tokio::sync::oneshot::channel();
    state.submitter.submit(
        store,
        submission,
        encoded,
        Box::new(move |answer| {
            let _ = tx.send(answer);
            drop(admitted);
        }),
    );
    rx
}

/// The problem a submission's failure is: 503 "submit again" when the store went while an
/// entry logged already was read back (a failover), else the error's own.
pub(crate) fn problem(e: accord_app::Error) -> ApiError {
    match e {
        accord_app::Error::Entry { source, .. }
            if matches!(*source, StoreError::Postgres(_) | StoreError::Pool(_)) =>
        {
            receipt_lost()
        }
        e => e.into(),
    }
}

/// The signed entry of a submission with its sealed content, and the entry's encoding
/// ([`checked_entry`]), if it is one and the caller's participant signed it (422
/// `malformed-entry`, 403 `not-a-signer` otherwise). Whether the content opens the entry's
/// commitment, and whether the entry is sealed at all, the log's writer judges (422
/// `entry-refused`, nothing written).
pub(crate) fn checked_submission(
    caller: &Caller,
    submit: &Submit<'_>,
) -> Result<(Submission, Encoded), ApiError> {
    let (entry, encoded) = checked_entry(caller, &submit.entry)?;
    let sealed = submit.sealed.as_ref().map(sealed_content).transpose()?;
    Ok((Submission { entry, sealed }, encoded))
}

/// The salt and content of `sealed`, decoded (422 `malformed-entry` when either is not
/// base64 or hex, or the salt is not 32 bytes).
fn sealed_content(sealed: &Sealed) -> Result<([u8; 32], Vec<u8>), ApiError> {
    let malformed =
        |detail: String| ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, "malformed-entry", detail);
    let salt = accord_app::ledger::decode_bytes(sealed.salt.trim())
        .ok_or_else(|| malformed("`sealed.salt` is neither hex nor base64".into()))?;
    let salt: [u8; 32] = salt.try_into().map_err(|salt: Vec<u8>| {
        malformed(format!("`sealed.salt` is {} bytes, not 32", salt.len()))
    })?;
    let content = accord_app::ledger::decode_bytes(sealed.content.trim())
        .ok_or_else(|| malformed("`sealed.content` is neither hex nor base64".into()))?;
    Ok((salt, content))
}

/// The signed entry `text` (hex or base64), with its encoding, if it is one and the
/// caller's participant signed it (422 `malformed-entry`, 403 `not-a-signer` otherwise).
pub(crate) fn checked_entry(
    caller: &Caller,
    text: &str,
) -> Result<(SignedEntry, Encoded), ApiError> {
    let (entry, encoded) = parse_entry(text.trim()).map_err(|message| {
        ApiError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "malformed-entry",
            format!("`entry` is not a signed entry: {message}"),
        )
    })?;
    // INVARIANT (policy): only authorities, parties and monitors get here, and their
    // tokens always name the participant they act for.
    let party = caller.0.as_ref().and_then(|h| h.party.as_ref());
    if !entry.signatures.iter().any(|s| Some(&s.signer) == party) {
        return Err(ApiError::new(
            StatusCode::FORBIDDEN,
            "not-a-signer",
            format!(
                "the token acts for `{}`, who did not sign this entry",
                party.map(|p| p.as_str()).unwrap_or_default()
            ),
        ));
    }
    Ok((entry, encoded))
}

/// The signed entry `text` encodes, with its encoding: what
/// [`accord_app::ledger::parse_entry_line`] reads, with the same answers and errors.
fn parse_entry(text: &str) -> Result<(SignedEntry, Encoded), String> {
    let bytes = accord_app::ledger::decode_bytes(text)
        .ok_or_else(|| "neither hex nor base64".to_owned())?;
    let entry = SignedEntry::decode(&bytes).map_err(|e| e.to_string())?;
    let encoded = encoded(&entry, bytes);
    Ok((entry, encoded))
}

/// The encoding of `entry`, decoded from `bytes`, made from those bytes rather than by
/// encoding the entry again ([`SignedEntry::encoded`], whose statement JSON is the cost).
/// INVARIANT: [`SignedEntry::decode`] is strict, so the bytes it accepts are the entry's
/// one encoding — the bytes the writer logs and hashes (tested below).
fn encoded(entry: &SignedEntry, bytes: Vec<u8>) -> Encoded {
    // The signatures follow the signed bytes: their count, then each signer's
    // length-prefixed name, key and signature.
    let signatures: usize = 1 + entry
        .signatures
        .iter()
        .map(|s| 4 + s.signer.as_str().len() + s.public_key.len() + s.signature.len())
        .sum::<usize>();
    Encoded {
        signed_len: bytes.len().saturating_sub(signatures),
        id: sha2::Sha256::digest(&bytes).into(),
        bytes,
    }
}

/// The entry was acknowledged by the log's writer, but the store went before its receipt
/// could be read back (a failover): submitting it again answers its receipt (200).
fn receipt_lost() -> ApiError {
    ApiError::new(
        StatusCode::SERVICE_UNAVAILABLE,
        "store-unavailable",
        "the store went while the receipt was read back; the entry may have been written: submit it again for its receipt",
    )
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn an_entry_s_encoding_is_the_bytes_it_was_decoded_from() {
        let key = |seed: u8| accord_ledger::note::SignerKey::from_seed("k", [seed; 32]).unwrap();
        let signer = |id: &str| accord_core::id::ParticipantId::new(id).unwrap();
        let entry = accord_ledger::entry::Entry {
            origin: "example.org/arden".into(),
            agreement: accord_core::id::AgreementId::new("arden").unwrap(),
            body: accord_ledger::entry::Body::Sealed {
                kind: accord_core::statement::StatementKind::Evidence,
                commitment: [5; 32],
            },
        };
        let (a, b) = (signer("iaea"), signer("monitor-long-name"));
        for signed in [
            entry.clone().sign(&[(&a, &key(1))]),
            entry.sign(&[(&a, &key(1)), (&b, &key(2))]),
        ] {
            let hex = accord_ledger::checkpoint::encode_hex(&signed.encode());
            let (parsed, encoded) = parse_entry(&hex).unwrap();
            assert_eq!(parsed, signed);
            assert_eq!(encoded, signed.encoded());
        }
    }

    #[test]
    fn a_body_s_entry_is_borrowed_unless_it_holds_an_escape_and_reads_the_same_either_way() {
        let plain: Submit<'_> = parse_json(br#"{"entry": "0aFf"}"#).unwrap();
        assert!(matches!(plain.entry, Cow::Borrowed("0aFf")));
        let escaped: Submit<'_> = parse_json(br#"{"entry": "0a\u0046f"}"#).unwrap();
        assert_eq!(escaped.entry, "0aFf");
        let batch: Vec<Submit<'_>> =
            parse_json(br#"[{"entry": "00"}, {"entry": "\u0030\u0030"}]"#).unwrap();
        assert!(batch.iter().all(|s| s.entry == "00"));
        // Written again (as a batch's entries are, sent on to a leader) without the
        // escape: the same entry.
        assert_eq!(
            serde_json::to_string(&escaped).unwrap(),
            r#"{"entry":"0aFf"}"#
        );
        let unknown = parse_json::<Submit<'_>>(br#"{"entry": "00", "x": 1}"#).unwrap_err();
        assert_eq!(
            (unknown.status, unknown.kind),
            (StatusCode::UNPROCESSABLE_ENTITY, "invalid-body")
        );
    }

    #[test]
    fn an_entry_is_read_from_hex_or_base64_with_the_general_reader_s_errors() {
        for text in ["", "00", "zz", "+f", "QUJD", "0aFf"] {
            assert_eq!(
                parse_entry(text).map(|(entry, _)| entry),
                accord_app::ledger::parse_entry_line(text),
                "{text}"
            );
        }
    }
}
