//! Who may do what: one typed table from (role, action) to allow or deny. Anonymous
//! requests (no token) see public material only.
//!
//! The issue asks for these rules as Cedar policies in a file operators can change; this
//! table is the shipped default they will start from (`docs/api.md` lists it), and the
//! matrix test in `tests/server/matrix.rs` calls every endpoint as every role against it.

use crate::auth::Role;

/// What a request does, as far as the rules care.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Action {
    /// Read agreements and their logs (checkpoints, proofs): public material. A sealed
    /// entry's leaf holds only its commitment.
    ReadPublic,
    /// Read an agreement's evaluation (state, explanation, timeline). The engine reads
    /// sealed contents too, so an evaluation can reveal what a sealed entry says (a
    /// quorum's value): until evaluations are computed per entitlement, only token
    /// holders with a part in the process read them.
    ReadEvaluation,
    /// Ask what is in force for an entity (the `status` query).
    QueryStatus,
    /// Submit a signed entry to a log.
    SubmitEntry,
    /// Screen names against the lists and read the designations found (the
    /// OpenSanctions-compatible `match` and `entities`): compliance work, and the
    /// operator's.
    Screen,
    /// Read confidential content on the dashboard's pages (issue #14): the values of
    /// evidence an agreement seals or restricts. Participants of the process and the
    /// operator; the public and compliance officers see sealed entries as commitments.
    ReadConfidential,
    /// Read the server's metrics (`/metrics`): the operator's, since request counts by
    /// route tell how the server is used.
    ReadMetrics,
    /// Submit an agreement's text, a first version or an amendment, to the registry
    /// (issue #13). DESIGN §2: a version is the authorities' act and an amendment comes
    /// into force only once its signatories have signed it in the log, so registering a
    /// text grants nothing; authorities (of the agreement: checked against its text) and
    /// the operator may.
    SubmitAgreement,
    /// Import a sanctions list by upload, or have the server fetch a source's update: the
    /// operator's, since what the lists say decides every screening and status answer.
    ImportLists,
}

impl Action {
    /// Every action.
    pub const ALL: [Action; 9] = [
        Action::ReadPublic,
        Action::ReadEvaluation,
        Action::QueryStatus,
        Action::SubmitEntry,
        Action::Screen,
        Action::ReadConfidential,
        Action::ReadMetrics,
        Action::SubmitAgreement,
        Action::ImportLists,
    ];
}

/// Whether a request of `role` (`None`: anonymous) may do `action`.
pub fn permits(role: Option<Role>, action: Action) -> bool {
    use Role::*;
    match action {
        Action::ReadPublic => true,
        Action::ReadEvaluation | Action::QueryStatus => {
            matches!(role, Some(Compliance | Authority | Party | Monitor | Admin))
        }
        // Entries are authored by participants; the entry's signatures say which, and the
        // token must act for one of its signers (checked where the entry is read).
        Action::SubmitEntry => matches!(role, Some(Authority | Party | Monitor)),
        Action::Screen => matches!(role, Some(Compliance | Admin)),
        Action::ReadConfidential => matches!(role, Some(Authority | Party | Monitor | Admin)),
        Action::ReadMetrics => matches!(role, Some(Admin)),
        Action::SubmitAgreement => matches!(role, Some(Authority | Admin)),
        Action::ImportLists => matches!(role, Some(Admin)),
    }
}
