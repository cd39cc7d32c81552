//! Public reports that anyone can verify offline (issue #15).
//!
//! A report is made from a few *inputs* — the agreement versions' texts, a signed (and
//! cosigned) checkpoint, the public log prefix it covers, the instant it is as of, and
//! optionally the witness policy and the previous report — and everything else in it is
//! *derived* from them by pure functions: the engine's state, the report document (scores,
//! departures, confidential evidence counted, changes since the previous report), its HTML,
//! the inclusion proofs of every cited entry, the consistency proof from the previous
//! checkpoint and the manifest. [`build`] derives them; [`verify`] checks the inputs
//! (signatures, cosignatures, hashes, the tree) and derives them again, comparing each
//! derived file with the bundle's byte for byte. Both are the same code, so a report
//! that was built verifies, and any altered byte shows as a named mismatch.
//!
//! Nothing here reads files, a store, a clock or the network: the caller hands over the
//! bundle's files as bytes ([`Bundle`]). The bundle's format is `docs/report-format.md`.
//!
//! - [`bundle`] — the files of a bundle, the manifest, the log file, the proof files.
//! - [`score`] — the implementation score of each commitment, rolled up by theme.
//! - [`attested`] — the attested state (the evaluation with sealed evidence, selectively
//!   disclosed) and the openings file for entitled readers.
//! - [`document`] — the report document (`report.json`) and the changes since the
//!   previous one.
//! - [`html`] — the report as one HTML page (inline SVG, print stylesheet).
//! - [`derive`] — the derivation shared by [`build`] and [`verify`].
//! - [`verify`] — checking a bundle, or split-view evidence.

pub mod attested;
pub mod bundle;
pub mod derive;
pub mod document;
pub mod html;
pub mod score;
pub mod verify;

pub use attested::{Attested, Openings};
pub use bundle::{Bundle, Part};
pub use derive::{Disclosure, Inputs, Previous, build};
pub use verify::{Check, Verification, verify, verify_with};

/// The engine that computed a report's state, written in every manifest: a verifier whose
/// engine differs says so rather than compare states made by different rules.
pub const ENGINE: &str = concat!("accord-core ", env!("CARGO_PKG_VERSION"));

/// A problem with one part of a report: what a build refuses, or a verification finds.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{part}: {message}")]
pub struct Problem {
    /// The part (a file of the bundle, or a check).
    pub part: Part,
    /// What is wrong.
    pub message: String,
}

impl Problem {
    /// A problem with a part.
    pub fn new(part: Part, message: impl Into<String>) -> Self {
        Self {
            part,
            message: message.into(),
        }
    }
}
