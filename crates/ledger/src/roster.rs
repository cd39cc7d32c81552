//! Who may sign what: the agreement's roster, the entitlement table, and the checks an
//! entry passes before it is accepted.
//!
//! The [`Roster`] is a plain value derived by the caller from the agreement file (parties,
//! monitors and their keys) and then updated, in log order, by the `key_event` entries the
//! log accepts ([`Roster::apply`]). Acceptance ([`check_entry`] then signature
//! verification) is a pure function of the entry, the log's origin, the roster and the
//! record time, so an auditor replaying the log reaches the same verdict on every entry.
//!
//! Signatures are verified strictly (`verify_strict`: no small-order keys or `R`, no
//! malleable encodings). [`verify_batch`] uses Ed25519 batch verification for speed, after
//! the same small-order and canonical-encoding checks on `R` that `verify_strict` makes;
//! if a batch fails, each signature is verified alone to name the culprit.
//!
//! INVARIANT: keys in a roster are valid, non-weak Ed25519 keys ([`Roster::validate`] and
//! [`Roster::apply`] refuse others).

use std::collections::BTreeMap;

use accord_core::agreement::{PartyRole, role_may_state};
use accord_core::id::{AgreementId, ParticipantId};
use accord_core::statement::{Correction, KeyEvent, Method, Statement, StatementKind};
use accord_core::time::Instant;
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as B64;
use ed25519_dalek::VerifyingKey;

use crate::entry::{Body, EntryError, SignedEntry, kind_name};

/// A participant's role in the agreement.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize, serde::Deserialize,
)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// A sanctioning authority (a party).
    Authority,
    /// The sanctioned party.
    Target,
    /// A guarantor (a party).
    Guarantor,
    /// An observer (a party without obligations).
    Observer,
    /// An independent monitor (never a party).
    Monitor,
}

impl Role {
    /// Whether the role is one of the parties to the agreement.
    pub fn is_party(self) -> bool {
        !matches!(self, Role::Monitor)
    }
}

impl std::fmt::Display for Role {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Role::Authority => "authority",
            Role::Target => "target",
            Role::Guarantor => "guarantor",
            Role::Observer => "observer",
            Role::Monitor => "monitor",
        })
    }
}

/// A key registered for a participant, with the interval in which it may sign.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct RegisteredKey {
    /// The Ed25519 public key, base64 (32 bytes).
    pub public_key: String,
    /// From when it may sign.
    pub valid_from: Instant,
    /// From when it may no longer sign (rotation or revocation), if ever.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub valid_until: Option<Instant>,
    /// Why it stopped (`rotated`, or the revocation's reason).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ended_because: Option<String>,
}

/// A participant of the agreement.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Member {
    /// Its role.
    pub role: Role,
    /// Whether it has standing to invoke the agreement's regression rules (trigger steps).
    #[serde(default)]
    pub standing: bool,
    /// Its keys.
    #[serde(default)]
    pub keys: Vec<RegisteredKey>,
}

/// The participants of one agreement and their keys: the input of acceptance.
///
/// As a file (JSON, or TOML with the same shape) for `accord ledger init`:
///
/// ```
/// let roster: accord_ledger::roster::Roster = serde_json::from_str(r#"{
///   "agreement": "agreement-1",
///   "participants": {
///     "treasury": { "role": "authority", "standing": true,
///       "keys": [{ "public_key": "ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10Q=",
///                  "valid_from": "2026-01-01T00:00:00Z" }] },
///     "iaea": { "role": "monitor" }
///   }
/// }"#).unwrap();
/// assert_eq!(roster.participants.len(), 2);
/// ```
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Roster {
    /// The agreement this roster belongs to.
    pub agreement: AgreementId,
    /// Participants by id.
    pub participants: BTreeMap<ParticipantId, Member>,
}

/// Decodes a base64 Ed25519 public key and refuses malformed and weak keys, and keys with
/// a small-order component (which strict verification would accept but batch verification
/// treats differently).
pub fn decode_key(text: &str) -> Result<[u8; 32], EntryError> {
    let bytes = B64
        .decode(text)
        .map_err(|_| EntryError::WeakKey(text.to_owned()))?;
    let key: [u8; 32] = bytes
        .try_into()
        .map_err(|_| EntryError::WeakKey(text.to_owned()))?;
    let point = check_key(&key)?;
    if !point.to_edwards().is_torsion_free() {
        return Err(EntryError::WeakKey(text.to_owned()));
    }
    Ok(key)
}

fn check_key(key: &[u8; 32]) -> Result<VerifyingKey, EntryError> {
    match VerifyingKey::from_bytes(key) {
        Ok(k) if !k.is_weak() => Ok(k),
        _ => Err(EntryError::WeakKey(B64.encode(key))),
    }
}

/// Which roles may make which kinds of statement (before kind-specific rules).
///
/// | kind | who |
/// |---|---|
/// | evidence, correction | monitors; the target as self-report |
/// | retraction | monitors, the target and authorities (their own statements) |
/// | decision | authorities |
/// | dispute step, amendment signature | parties other than observers |
/// | event occurred | authorities |
/// | trigger step | parties with standing (to invoke or to halt) |
/// | key event | the participant itself, or an authority |
pub fn entitled(member: &Member, kind: StatementKind) -> bool {
    let party = match member.role {
        Role::Authority => Some(PartyRole::Authority),
        Role::Target => Some(PartyRole::Target),
        Role::Guarantor => Some(PartyRole::Guarantor),
        Role::Observer => Some(PartyRole::Observer),
        Role::Monitor => None,
    };
    // The table is the core's, shared with the scenario checker and the engine; the roster
    // adds standing for regression rules (invoking or halting a trigger).
    role_may_state(party, kind) && (kind != StatementKind::TriggerStep || member.standing)
}

impl Roster {
    /// Checks every key: valid base64, 32 bytes, not weak.
    pub fn validate(&self) -> Result<(), EntryError> {
        for member in self.participants.values() {
            for key in &member.keys {
                decode_key(&key.public_key)?;
            }
        }
        Ok(())
    }

    /// Whether `key` of `signer` may sign at `at`; the member if so.
    pub fn key_valid_at(
        &self,
        signer: &ParticipantId,
        key: &[u8; 32],
        at: Instant,
    ) -> Result<&Member, EntryError> {
        let member = self
            .participants
            .get(signer)
            .ok_or_else(|| EntryError::UnknownSigner(signer.to_string()))?;
        let text = B64.encode(key);
        let registered = member
            .keys
            .iter()
            .filter(|k| k.public_key == text)
            .collect::<Vec<_>>();
        if registered.is_empty() {
            return Err(EntryError::UnregisteredKey {
                signer: signer.to_string(),
                key: text,
            });
        }
        let mut why = String::new();
        for k in registered {
            if at < k.valid_from {
                why = format!("it is valid only from {}", k.valid_from);
            } else if let Some(until) = k.valid_until.filter(|u| at >= *u) {
                why = format!(
                    "it stopped signing at {until} ({})",
                    k.ended_because.as_deref().unwrap_or("ended")
                );
            } else {
                return Ok(member);
            }
        }
        Err(EntryError::KeyNotValid {
            signer: signer.to_string(),
            key: text,
            at: at.to_string(),
            why,
        })
    }

    /// Applies an accepted key event: registers, rotates or revokes a key.
    pub fn apply(&mut self, event: &KeyEvent) -> Result<(), EntryError> {
        match event {
            KeyEvent::Register {
                participant,
                public_key,
                valid_from,
            } => {
                decode_key(public_key)?;
                let member = self.member_mut(participant)?;
                if member.keys.iter().any(|k| &k.public_key == public_key) {
                    return Err(EntryError::Rule(format!(
                        "the key `{public_key}` is already registered for `{participant}`"
                    )));
                }
                member.keys.push(RegisteredKey {
                    public_key: public_key.clone(),
                    valid_from: *valid_from,
                    valid_until: None,
                    ended_because: None,
                });
            }
            KeyEvent::Rotate {
                participant,
                old_key,
                new_key,
                at,
            } => {
                decode_key(new_key)?;
                let member = self.member_mut(participant)?;
                if member.keys.iter().any(|k| &k.public_key == new_key) {
                    return Err(EntryError::Rule(format!(
                        "the key `{new_key}` is already registered for `{participant}`"
                    )));
                }
                end_key(member, participant, old_key, *at, "rotated")?;
                member.keys.push(RegisteredKey {
                    public_key: new_key.clone(),
                    valid_from: *at,
                    valid_until: None,
                    ended_because: None,
                });
            }
            KeyEvent::Revoke {
                participant,
                key,
                effective,
                reason,
            } => {
                let member = self.member_mut(participant)?;
                end_key(
                    member,
                    participant,
                    key,
                    *effective,
                    &format!("revoked: {reason}"),
                )?;
            }
        }
        Ok(())
    }

    fn member_mut(&mut self, p: &ParticipantId) -> Result<&mut Member, EntryError> {
        self.participants
            .get_mut(p)
            .ok_or_else(|| EntryError::UnknownSigner(p.to_string()))
    }
}

fn end_key(
    member: &mut Member,
    participant: &ParticipantId,
    key: &str,
    at: Instant,
    why: &str,
) -> Result<(), EntryError> {
    let record = member
        .keys
        .iter_mut()
        .find(|k| k.public_key == key)
        .ok_or_else(|| EntryError::UnregisteredKey {
            signer: participant.to_string(),
            key: key.to_owned(),
        })?;
    // A key can only end earlier, never be revived.
    if record.valid_until.is_none_or(|u| at < u) {
        record.valid_until = Some(at);
        record.ended_because = Some(why.to_owned());
    }
    Ok(())
}

fn key_event_subject(event: &KeyEvent) -> &ParticipantId {
    match event {
        KeyEvent::Register { participant, .. }
        | KeyEvent::Rotate { participant, .. }
        | KeyEvent::Revoke { participant, .. } => participant,
    }
}

/// Checks everything about an entry except its signatures: form, origin, agreement,
/// signers registered with keys valid at `at`, entitlement, and kind-specific rules.
pub fn check_entry(
    signed: &SignedEntry,
    origin: &str,
    roster: &Roster,
    at: Instant,
) -> Result<(), EntryError> {
    check_entry_encoded(signed, signed.encode().len(), origin, roster, at)
}

/// [`check_entry`] for an entry whose encoding is `len` bytes long (a writer that encoded
/// it once, with [`SignedEntry::encoded`]).
pub fn check_entry_encoded(
    signed: &SignedEntry,
    len: usize,
    origin: &str,
    roster: &Roster,
    at: Instant,
) -> Result<(), EntryError> {
    signed.check_form_encoded(len)?;
    let entry = &signed.entry;
    if entry.origin != origin {
        return Err(EntryError::WrongOrigin {
            expected: origin.to_owned(),
            found: entry.origin.clone(),
        });
    }
    if entry.agreement != roster.agreement {
        return Err(EntryError::UnknownAgreement {
            expected: roster.agreement.to_string(),
            found: entry.agreement.to_string(),
        });
    }
    let kind = entry.body.kind();
    for sig in &signed.signatures {
        // INVARIANT: a registered key is a valid, non-weak key (`validate`, `apply`), so
        // being registered is enough here; signature verification decodes it again.
        let member = roster.key_valid_at(&sig.signer, &sig.public_key, at)?;
        let refused = || EntryError::NotEntitled {
            signer: sig.signer.to_string(),
            role: member.role.to_string(),
            kind: kind_name(kind).to_owned(),
        };
        if !entitled(member, kind) {
            return Err(refused());
        }
        match &entry.body {
            Body::Open(Statement::Evidence(e))
            | Body::Open(Statement::Correction(Correction { evidence: e, .. }))
                if member.role == Role::Target && e.method != Method::SelfReport =>
            {
                return Err(EntryError::Rule(format!(
                    "`{}` is the target: its evidence must use the method `self_report`",
                    sig.signer
                )));
            }
            Body::Open(Statement::KeyEvent(event))
                if key_event_subject(event) != &sig.signer && member.role != Role::Authority =>
            {
                return Err(EntryError::Rule(format!(
                    "`{}` may not change the keys of `{}`: only the participant itself or an authority may",
                    sig.signer,
                    key_event_subject(event)
                )));
            }
            Body::Sealed {
                kind: StatementKind::KeyEvent,
                ..
            } => {
                return Err(EntryError::Rule(
                    "key events cannot be sealed: everyone must be able to check signatures".into(),
                ));
            }
            _ => {}
        }
    }
    if let Body::Open(Statement::KeyEvent(event)) = &entry.body {
        // The event must apply cleanly to the roster as it stands.
        roster.clone().apply(event)?;
    }
    Ok(())
}

/// Verifies every signature of an entry with `verify_strict`.
pub fn verify_signatures(signed: &SignedEntry) -> Result<(), EntryError> {
    let message = signed.entry.signed_bytes();
    for sig in &signed.signatures {
        let key = check_key(&sig.public_key)?;
        let signature = ed25519_dalek::Signature::from_bytes(&sig.signature);
        key.verify_strict(&message, &signature)
            .map_err(|_| EntryError::BadSignature(sig.signer.to_string()))?;
    }
    Ok(())
}

/// The `y` coordinates (sign bit cleared) of the eight points of small order.
fn small_order_ys() -> &'static [[u8; 32]; 8] {
    static YS: std::sync::OnceLock<[[u8; 32]; 8]> = std::sync::OnceLock::new();
    YS.get_or_init(|| {
        let mut ys = [[0u8; 32]; 8];
        for (y, point) in ys
            .iter_mut()
            .zip(curve25519_dalek::constants::EIGHT_TORSION.iter())
        {
            *y = point.compress().0;
            y[31] &= 0x7f;
        }
        ys
    })
}

/// `R` must be canonically encoded (`y < p`) and not of small order: the checks
/// `verify_strict` makes on `R` and batch verification does not. (Whether `R` is on the
/// curve at all is checked by the batch equation itself.)
fn strict_r(signature: &[u8; 64]) -> bool {
    let mut y = [0u8; 32];
    y.copy_from_slice(signature.get(..32).unwrap_or(&[0; 32]));
    y[31] &= 0x7f;
    // p = 2^255 - 19, little-endian: ed ff .. ff 7f.
    let at_least_p = y[31] == 0x7f && y[1..31].iter().all(|b| *b == 0xff) && y[0] >= 0xed;
    // A point and its negation share `y` and their order: comparing `y` is exact.
    !at_least_p && !small_order_ys().contains(&y)
}

/// Verifies the signatures of many entries at once; one result per entry, in order.
pub fn verify_batch(entries: &[&SignedEntry]) -> Vec<Result<(), EntryError>> {
    let messages: Vec<Vec<u8>> = entries.iter().map(|e| e.entry.signed_bytes()).collect();
    let messages: Vec<&[u8]> = messages.iter().map(Vec::as_slice).collect();
    verify_batch_signed(entries, &messages)
}

/// [`verify_batch`] with each entry's signed bytes given ([`crate::entry::Entry::signed_bytes`], as
/// [`crate::entry::Encoded::signed_bytes`] has them), so that they are not encoded again.
/// `messages[i]` must be the signed bytes of `entries[i]`; an entry without one is refused.
pub fn verify_batch_signed(
    entries: &[&SignedEntry],
    messages: &[&[u8]],
) -> Vec<Result<(), EntryError>> {
    let mut results: Vec<Result<(), EntryError>> = vec![Ok(()); entries.len()];
    let mut msgs: Vec<&[u8]> = Vec::new();
    let mut sigs = Vec::new();
    let mut keys = Vec::new();
    // Few participants sign many entries: decode each key once per batch.
    let mut decoded: BTreeMap<[u8; 32], Result<VerifyingKey, EntryError>> = BTreeMap::new();
    for (i, entry) in entries.iter().enumerate() {
        for sig in &entry.signatures {
            let key = match decoded
                .entry(sig.public_key)
                .or_insert_with(|| check_key(&sig.public_key))
                .clone()
            {
                Ok(k) => k,
                Err(e) => {
                    if let Some(r) = results.get_mut(i) {
                        *r = Err(e);
                    }
                    continue;
                }
            };
            if !strict_r(&sig.signature) {
                if let Some(r) = results.get_mut(i) {
                    *r = Err(EntryError::BadSignature(sig.signer.to_string()));
                }
                continue;
            }
            let Some(message) = messages.get(i) else {
                if let Some(r) = results.get_mut(i) {
                    *r = Err(EntryError::BadSignature(sig.signer.to_string()));
                }
                continue;
            };
            msgs.push(message);
            sigs.push(ed25519_dalek::Signature::from_bytes(&sig.signature));
            keys.push(key);
        }
    }
    if ed25519_dalek::verify_batch(&msgs, &sigs, &keys).is_err() {
        for (i, entry) in entries.iter().enumerate() {
            if let Some(r) = results.get_mut(i)
                && r.is_ok()
            {
                *r = verify_signatures(entry);
            }
        }
    }
    results
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::entry::{Entry, tests::evidence};
    use crate::note::SignerKey;
    use accord_core::id::PhaseId;
    use accord_core::statement::{Decision, DecisionAct, ReliefRef};

    fn t(s: i64) -> Instant {
        Instant::new(1_767_225_600 + s, 0).unwrap()
    }

    fn key(n: u8) -> SignerKey {
        SignerKey::from_seed("k", [n; 32]).unwrap()
    }

    fn pid(s: &str) -> ParticipantId {
        ParticipantId::new(s).unwrap()
    }

    fn roster() -> Roster {
        let mut participants = BTreeMap::new();
        for (name, role, n) in [
            ("treasury", Role::Authority, 1),
            ("target", Role::Target, 2),
            ("iaea", Role::Monitor, 3),
        ] {
            participants.insert(
                pid(name),
                Member {
                    role,
                    standing: role == Role::Authority,
                    keys: vec![RegisteredKey {
                        public_key: B64.encode(key(n).public_key()),
                        valid_from: t(0),
                        valid_until: None,
                        ended_because: None,
                    }],
                },
            );
        }
        Roster {
            agreement: AgreementId::new("agreement-1").unwrap(),
            participants,
        }
    }

    fn entry(statement: Statement) -> Entry {
        Entry {
            origin: "log".into(),
            agreement: AgreementId::new("agreement-1").unwrap(),
            body: Body::Open(statement),
        }
    }

    fn decision() -> Statement {
        Statement::Decision(Decision {
            act: DecisionAct::Grant,
            relief: ReliefRef::Phase(PhaseId::new("p1").unwrap()),
            effective: jiff::civil::date(2026, 2, 1).into(),
            reason: "earned".into(),
            until: None,
            wind_down: None,
            by: None,
            entities: Vec::new(),
        })
    }

    #[test]
    fn a_monitor_signs_evidence_and_an_authority_decides() {
        let r = roster();
        let e = entry(evidence(3.0)).sign(&[(&pid("iaea"), &key(3))]);
        check_entry(&e, "log", &r, t(10)).unwrap();
        verify_signatures(&e).unwrap();
        let d = entry(decision()).sign(&[(&pid("treasury"), &key(1))]);
        check_entry(&d, "log", &r, t(10)).unwrap();
        // A monitor may not decide; the target may not report on-site inspections.
        let bad = entry(decision()).sign(&[(&pid("iaea"), &key(3))]);
        assert!(matches!(
            check_entry(&bad, "log", &r, t(10)),
            Err(EntryError::NotEntitled { .. })
        ));
        let self_report = entry(evidence(3.0)).sign(&[(&pid("target"), &key(2))]);
        assert!(matches!(
            check_entry(&self_report, "log", &r, t(10)),
            Err(EntryError::Rule(_))
        ));
    }

    #[test]
    fn replays_unknown_signers_and_wrong_keys_are_refused() {
        let r = roster();
        let e = entry(evidence(3.0)).sign(&[(&pid("iaea"), &key(3))]);
        assert!(matches!(
            check_entry(&e, "other-log", &r, t(10)),
            Err(EntryError::WrongOrigin { .. })
        ));
        let mut other = r.clone();
        other.agreement = AgreementId::new("agreement-2").unwrap();
        assert!(matches!(
            check_entry(&e, "log", &other, t(10)),
            Err(EntryError::UnknownAgreement { .. })
        ));
        let stranger = entry(evidence(3.0)).sign(&[(&pid("stranger"), &key(3))]);
        assert!(matches!(
            check_entry(&stranger, "log", &r, t(10)),
            Err(EntryError::UnknownSigner(_))
        ));
        let wrong_key = entry(evidence(3.0)).sign(&[(&pid("iaea"), &key(9))]);
        assert!(matches!(
            check_entry(&wrong_key, "log", &r, t(10)),
            Err(EntryError::UnregisteredKey { .. })
        ));
        assert!(matches!(
            check_entry(&e, "log", &r, t(-10)),
            Err(EntryError::KeyNotValid { .. })
        ));
        // A forged signature.
        let mut forged = e.clone();
        forged.signatures[0].signature[40] ^= 1;
        assert!(matches!(
            verify_signatures(&forged),
            Err(EntryError::BadSignature(_))
        ));
    }

    #[test]
    fn revoked_and_rotated_keys_stop_signing() {
        let mut r = roster();
        let revoke = KeyEvent::Revoke {
            participant: pid("iaea"),
            key: B64.encode(key(3).public_key()),
            effective: t(100),
            reason: "compromise".into(),
        };
        let by_target =
            entry(Statement::KeyEvent(revoke.clone())).sign(&[(&pid("target"), &key(2))]);
        assert!(matches!(
            check_entry(&by_target, "log", &r, t(50)),
            Err(EntryError::Rule(_))
        ));
        let by_authority =
            entry(Statement::KeyEvent(revoke.clone())).sign(&[(&pid("treasury"), &key(1))]);
        check_entry(&by_authority, "log", &r, t(50)).unwrap();
        r.apply(&revoke).unwrap();
        let e = entry(evidence(3.0)).sign(&[(&pid("iaea"), &key(3))]);
        check_entry(&e, "log", &r, t(99)).unwrap();
        let err = check_entry(&e, "log", &r, t(100)).unwrap_err();
        assert!(err.to_string().contains("revoked: compromise"), "{err}");
        // Rotation of the target's key by the target itself.
        let rotate = KeyEvent::Rotate {
            participant: pid("target"),
            old_key: B64.encode(key(2).public_key()),
            new_key: B64.encode(key(7).public_key()),
            at: t(200),
        };
        let signed = entry(Statement::KeyEvent(rotate.clone())).sign(&[(&pid("target"), &key(2))]);
        check_entry(&signed, "log", &r, t(150)).unwrap();
        r.apply(&rotate).unwrap();
        let d = |k: u8| {
            entry(Statement::DisputeStep(
                accord_core::statement::DisputeStep {
                    dispute: accord_core::id::DisputeId::new("d1").unwrap(),
                    step: accord_core::statement::DisputeAction::Withdraw,
                },
            ))
            .sign(&[(&pid("target"), &key(k))])
        };
        check_entry(&d(2), "log", &r, t(199)).unwrap();
        assert!(check_entry(&d(2), "log", &r, t(200)).is_err());
        check_entry(&d(7), "log", &r, t(200)).unwrap();
        // A weak key cannot be registered.
        let mut identity = [0u8; 32];
        identity[0] = 1;
        let weak = KeyEvent::Register {
            participant: pid("target"),
            public_key: B64.encode(identity),
            valid_from: t(0),
        };
        assert!(matches!(r.apply(&weak), Err(EntryError::WeakKey(_))));
    }

    #[test]
    fn batch_verification_agrees_with_strict_verification() {
        let good: Vec<SignedEntry> = (0..20)
            .map(|i| entry(evidence(i as f64)).sign(&[(&pid("iaea"), &key(3))]))
            .collect();
        let mut all = good.clone();
        all[7].signatures[0].signature[3] ^= 1;
        // A small-order R (the identity) is refused even if the batch equation could hold.
        all[11].signatures[0].signature[..32].copy_from_slice(&{
            let mut id = [0u8; 32];
            id[0] = 1;
            id
        });
        let refs: Vec<&SignedEntry> = all.iter().collect();
        let results = verify_batch(&refs);
        for (i, r) in results.iter().enumerate() {
            assert_eq!(r.is_ok(), i != 7 && i != 11, "entry {i}: {r:?}");
            assert_eq!(r.is_ok(), verify_signatures(&all[i]).is_ok());
        }
        let refs: Vec<&SignedEntry> = good.iter().collect();
        assert!(verify_batch(&refs).iter().all(Result::is_ok));
    }
}
