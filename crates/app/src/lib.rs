//! Accord's use cases as a library: what the `accord` binary, the HTTP server and the
//! report writer call, so that each behaviour exists once.
//!
//! Every use case is a plain function over a [`Store`] (the long-lived handle on one store:
//! a connection pool, `Send + Sync`, cheap to clone) and value types, returning a typed
//! [`Error`]. Nothing here parses arguments, prints, renders, exits, reads a clock or keeps
//! global state: the caller passes "now" in, and renders results with `accord-render`.
//!
//! - [`agreements`] — agreement versions from texts (files, the store's registry, the
//!   bundled examples), checked and chained; the registry.
//! - [`evaluate`] — evaluate, explain, timeline, from a store or an exported log.
//! - [`status`] — what is in force for an entity, and the FollowTheMoney export.
//! - [`screen`] — screening candidates from designations or files; batch and pair scoring.
//! - [`lists`] — list import, update (downloads), history.
//! - [`ledger`] — logs: init, append, checkpoint, proofs, audit; rosters.
//! - [`keys`] — signing keys.
//! - [`play`] — scenarios played into a store, and the demo.
//! - [`time`] — the one notion of "today" (UTC), and the instants users write.
//! - [`tlog`] — Merkle maths on typed values: roots, proofs checked.
//! - [`report`] — public reports built from a store and written into a directory; bundles
//!   read back for verification (which needs no store).
//! - [`witnessing`] — the log side of witnessing: checkpoints sent to the policy's
//!   witnesses, cosignatures collected and stored.
//! - [`service`] — what the server asks: the registry listed, an agreement's log and
//!   latest checkpoint, one pre-signed entry submitted.
//! - [`submitter`] — pre-signed entries submitted for a long-lived process and answered
//!   after their commit, without a thread waiting for each.
//! - [`simulate`] — an agreement and a behaviour model, checked, and the Monte Carlo of
//!   its relief pathways (`accord-simulate`).
//! - [`evaluations`] — the per-agreement evaluation cache of a long-lived process: state,
//!   explanation and timeline without a full read per request.
//! - [`dashboard`] — what the dashboard's pages ask: every agreement evaluated as of an
//!   instant, a page of a log with each entry's leaf.
//!
//! ```no_run
//! use accord_app::{Store, StoreUrl};
//! use accord_app::evaluate::{AgreementSource, Inputs, LogSource};
//! # fn main() -> Result<(), accord_app::Error> {
//! let url: StoreUrl = "sqlite:accord.db".parse().expect("a store URL");
//! let store = Store::open_existing(&url)?;
//! let inputs = Inputs::read(&AgreementSource::Registered("arden-nuclear-2026".into()), LogSource::Store(&store))?;
//! let state = inputs.evaluate(jiff::Timestamp::now())?;
//! println!("{} phases", state.phases.len());
//! # Ok(()) }
//! ```

pub mod agreements;
pub mod dashboard;
mod error;
pub mod evaluate;
pub mod evaluations;
pub mod keys;
pub mod ledger;
pub mod lists;
pub mod log;
pub mod play;
pub mod report;
pub mod reports;
pub mod screen;
pub mod service;
pub mod simulate;
pub mod status;
pub mod submitter;
pub mod tiles;
pub mod time;
pub mod tlog;
pub mod witnessing;

pub use accord_store::{Store, StoreError, StoreUrl};
pub use error::{Error, FileKind, Result};

/// Opens a store for a use case: the handle, or [`Error::Open`] saying which store. With
/// `must_exist`, a missing SQLite file is refused ([`StoreError::Missing`], as is) rather
/// than created: commands that only read never create an empty store and answer from it.
pub fn open(url: &StoreUrl, must_exist: bool) -> Result<Store> {
    let opened = if must_exist {
        Store::open_existing(url)
    } else {
        Store::open(url)
    };
    opened.map_err(|source| match source {
        StoreError::Missing(_) => Error::Store(source),
        source => Error::Open {
            url: url.clone(),
            source: Box::new(source),
        },
    })
}

/// Opens an existing store for a use case that only reads: SQLite read-only, creating no
/// file and changing no byte; the schema checked, never migrated. A missing SQLite file is
/// [`StoreError::Missing`], as is.
pub fn open_read_only(url: &StoreUrl) -> Result<Store> {
    Store::open_read_only(url).map_err(|source| match source {
        StoreError::Missing(_) => Error::Store(source),
        source => Error::Open {
            url: url.clone(),
            source: Box::new(source),
        },
    })
}

/// A file's text, or [`Error::Read`] naming it as `what` (`scenario`, `roster`, …). The
/// path `-` reads standard input.
pub fn read_text(what: &'static str, path: &std::path::Path) -> Result<String> {
    let text = if path.as_os_str() == "-" {
        std::io::read_to_string(std::io::stdin())
    } else {
        std::fs::read_to_string(path)
    };
    text.map_err(|source| Error::Read {
        what,
        name: path.display().to_string(),
        source,
    })
}
