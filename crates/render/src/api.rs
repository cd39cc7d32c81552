//! The JSON documents of the HTTP API (`accord serve`, `docs/api.md`) that no command
//! printed before: the registry's agreements, a log's summary and proofs, what an
//! explanation names, an entry's receipt, and the RFC 9457 problem body. The state, the
//! timeline and the status query answer with the documents the CLI prints
//! ([`crate::state::output`], [`crate::timeline::output`], [`crate::status::json`]).
//!
//! Hashes are base64 (as in C2SP checkpoints and `tlog-proof`s); entry ids are hex (as
//! in the CLI's receipts). Field order is the documented order.

use accord_app::evaluate::Subjects;
use accord_app::ledger::{Consistency, Inclusion};
use accord_app::service::{RegisteredAgreement, Submitted};
use accord_core::engine::state::{
    ActionState, CommitmentState, DecisionState, DisputeState, EventState, ExemptionState,
    IndicatorState, PhaseState, State, TriggerState,
};
use accord_ledger::checkpoint::encode_hash;
use accord_store::ledger::LogInfo;

/// One version of a registered agreement.
#[derive(Debug, serde::Serialize)]
pub struct VersionDoc<'a> {
    /// Its version number.
    pub version: u32,
    /// Its title.
    pub title: &'a str,
    /// SHA-256 of its text, lowercase hex (what parties sign when they sign an amendment).
    pub sha256: &'a str,
    /// The file name it was registered under (without its directory: a server does not
    /// show where its operator keeps files).
    pub name: &'a str,
    /// The text, with the agreement itself.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub text: Option<&'a str>,
}

/// A registered agreement and its versions.
#[derive(Debug, serde::Serialize)]
pub struct AgreementDoc<'a> {
    /// The agreement's id.
    pub id: &'a str,
    /// Its versions, in order.
    pub versions: Vec<VersionDoc<'a>>,
}

fn agreement_doc(a: &RegisteredAgreement, with_text: bool) -> AgreementDoc<'_> {
    AgreementDoc {
        id: &a.id,
        versions: a
            .versions
            .iter()
            .map(|v| VersionDoc {
                version: v.agreement.version,
                title: &v.agreement.title,
                sha256: &v.sha256,
                name: file_name(&v.name),
                text: with_text.then_some(v.text.as_str()),
            })
            .collect(),
    }
}

/// The last component of a path (`a/b/x.toml` → `x.toml`).
fn file_name(name: &str) -> &str {
    name.rsplit(['/', '\\']).next().unwrap_or(name)
}

/// `{"agreements": [...]}`: every registered agreement with its versions (no texts).
pub fn agreements(list: &[RegisteredAgreement]) -> String {
    #[derive(serde::Serialize)]
    struct List<'a> {
        agreements: Vec<AgreementDoc<'a>>,
    }
    crate::pretty(&List {
        agreements: list.iter().map(|a| agreement_doc(a, false)).collect(),
    })
}

/// One agreement with its versions, their SHA-256s and texts.
pub fn agreement(a: &RegisteredAgreement) -> String {
    crate::pretty(&agreement_doc(a, true))
}

/// A log: its origin, agreement, verifier key, size and latest checkpoint's size.
#[derive(Debug, serde::Serialize)]
pub struct LogDoc<'a> {
    /// The log's origin (the first line of its checkpoints).
    pub origin: &'a str,
    /// The agreement its roster names.
    pub agreement: &'a str,
    /// The verifier key of its checkpoints (C2SP form).
    pub log_key: &'a str,
    /// How many entries it holds.
    pub size: u64,
    /// The size of its latest signed checkpoint (`null`: none yet).
    pub checkpoint_size: Option<u64>,
}

/// A log's summary.
pub fn log(info: &LogInfo, checkpoint_size: Option<u64>) -> String {
    crate::pretty(&LogDoc {
        origin: &info.origin,
        agreement: info.roster.agreement.as_str(),
        log_key: &info.log_key,
        size: info.size,
        checkpoint_size,
    })
}

/// An inclusion proof: `index`, `size`, `leaf_hash`, `root`, `proof` (base64 hashes).
#[derive(Debug, serde::Serialize)]
struct InclusionDoc {
    index: u64,
    size: u64,
    leaf_hash: String,
    root: String,
    proof: Vec<String>,
}

/// An inclusion proof as JSON.
pub fn inclusion(p: &Inclusion) -> String {
    crate::pretty(&InclusionDoc {
        index: p.index,
        size: p.size,
        leaf_hash: encode_hash(&p.leaf_hash),
        root: encode_hash(&p.root),
        proof: p.proof.iter().map(encode_hash).collect(),
    })
}

/// A consistency proof: `old_size`, `new_size`, `old_root`, `new_root`, `proof`.
#[derive(Debug, serde::Serialize)]
struct ConsistencyDoc {
    old_size: u64,
    new_size: u64,
    old_root: String,
    new_root: String,
    proof: Vec<String>,
}

/// A consistency proof as JSON.
pub fn consistency(p: &Consistency) -> String {
    crate::pretty(&ConsistencyDoc {
        old_size: p.old_size,
        new_size: p.new_size,
        old_root: encode_hash(&p.old_root),
        new_root: encode_hash(&p.new_root),
        proof: p.proof.iter().map(encode_hash).collect(),
    })
}

/// What an entry submission answers: where the entry is and what to keep of it, in the
/// documented order (`docs/api.md`).
#[derive(Debug, serde::Serialize)]
pub struct SubmittedDoc<'a> {
    /// The log's origin.
    pub origin: &'a str,
    /// The entry's index in the log.
    pub index: u64,
    /// When the log recorded it (the first time, for an entry it held already).
    pub recorded_at: jiff::Timestamp,
    /// Its Merkle leaf hash, base64.
    pub leaf_hash: String,
    /// The entry's id, hex.
    pub entry_id: String,
    /// Whether the log held it already (nothing was written).
    pub duplicate: bool,
}

/// An entry's receipt as a document, for answers that hold it among others (a batch's
/// results) without rendering it on its own first.
pub fn submitted_doc(s: &Submitted) -> SubmittedDoc<'_> {
    SubmittedDoc {
        origin: &s.origin,
        index: s.index,
        recorded_at: s.recorded_at,
        leaf_hash: encode_hash(&s.leaf_hash),
        entry_id: accord_ledger::checkpoint::encode_hex(&s.entry_id),
        duplicate: s.duplicate,
    }
}

/// An entry's receipt in a batch's answer: the receipt's fields, then the `status` a
/// submission of that entry alone would have been answered with (201 new, 200 held
/// already). The fields are [`SubmittedDoc`]'s, written here as the struct's own rather
/// than through `#[serde(flatten)]`, which makes serde write the whole receipt as a map
/// of unknown length, entry by entry (a batch's answer writes one per entry).
#[derive(Debug, serde::Serialize)]
pub struct BatchReceiptDoc<'a> {
    /// The log's origin.
    pub origin: &'a str,
    /// The entry's index in the log.
    pub index: u64,
    /// When the log recorded it (the first time, for an entry it held already).
    pub recorded_at: jiff::Timestamp,
    /// Its Merkle leaf hash, base64.
    pub leaf_hash: String,
    /// The entry's id, hex.
    pub entry_id: String,
    /// Whether the log held it already (nothing was written).
    pub duplicate: bool,
    /// 201 or 200.
    pub status: u16,
}

/// An entry's receipt with its status, for a batch's answer.
pub fn batch_receipt(s: &Submitted) -> BatchReceiptDoc<'_> {
    let SubmittedDoc {
        origin,
        index,
        recorded_at,
        leaf_hash,
        entry_id,
        duplicate,
    } = submitted_doc(s);
    BatchReceiptDoc {
        origin,
        index,
        recorded_at,
        leaf_hash,
        entry_id,
        duplicate,
        status: if s.duplicate { 200 } else { 201 },
    }
}

/// An entry's receipt as JSON.
pub fn submitted(s: &Submitted) -> String {
    crate::pretty(&submitted_doc(s))
}

/// A relief action an explanation names, with the decisions its reasons cite.
#[derive(Debug, serde::Serialize)]
struct ReliefDoc<'s> {
    action: &'s ActionState,
    decisions: &'s [&'s DecisionState],
}

/// What an explanation names.
#[derive(Debug, serde::Serialize)]
struct ExplainDoc<'s> {
    agreement: &'s str,
    version: u32,
    as_of: jiff::Timestamp,
    subject: Option<&'s str>,
    phases: &'s [&'s PhaseState],
    relief: Vec<ReliefDoc<'s>>,
    triggers: &'s [&'s TriggerState],
    disputes: &'s [&'s DisputeState],
    decisions: &'s [&'s DecisionState],
    commitments: &'s [&'s CommitmentState],
    indicators: &'s [&'s IndicatorState],
    exemptions: &'s [&'s ExemptionState],
    events: &'s [&'s EventState],
}

/// What an explanation names, as the state's own JSON objects (`docs/state-json.md`),
/// with the evaluation's agreement, version and instant.
pub fn explain(state: &State, subject: Option<&str>, s: &Subjects<'_>) -> String {
    crate::pretty(&ExplainDoc {
        agreement: state.agreement.as_str(),
        version: state.version,
        as_of: state.as_of,
        subject,
        phases: &s.phases,
        relief: s
            .relief
            .iter()
            .map(|(action, decisions)| ReliefDoc { action, decisions })
            .collect(),
        triggers: &s.triggers,
        disputes: &s.disputes,
        decisions: &s.decisions,
        commitments: &s.commitments,
        indicators: &s.indicators,
        exemptions: &s.exemptions,
        events: &s.events,
    })
}

/// An RFC 9457 problem: `type`, `title`, `status`, `detail`, and the extensions a client
/// acts on (`errors`: each field or file problem).
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Problem {
    /// A URI naming the kind of problem (`about:blank` when the status says it all).
    #[serde(rename = "type")]
    pub kind: String,
    /// The kind's short summary.
    pub title: String,
    /// The HTTP status.
    pub status: u16,
    /// What went wrong this time.
    pub detail: String,
    /// The problems one by one, when there are several (agreement diagnostics, fields).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub errors: Vec<serde_json::Value>,
}

/// A problem body (`application/problem+json`).
pub fn problem(p: &Problem) -> String {
    crate::pretty(p)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_problem_has_the_rfc_9457_members_in_order() {
        let body = problem(&Problem {
            kind: "https://accord.invalid/problems/malformed-json".into(),
            title: "Malformed JSON".into(),
            status: 400,
            detail: "expected `,` at line 1 column 9".into(),
            errors: vec![],
        });
        assert_eq!(
            body,
            "{\n  \"type\": \"https://accord.invalid/problems/malformed-json\",\n  \"title\": \"Malformed JSON\",\n  \"status\": 400,\n  \"detail\": \"expected `,` at line 1 column 9\"\n}"
        );
    }
}
