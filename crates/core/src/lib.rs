//! Accord's domain model and evaluation engine.
//!
//! This crate is the functional core: it knows nothing of files, sockets, clocks or
//! databases. Everything here is a plain value or a pure function of plain values, so that
//! an outsider who replays the public log gets the same answer, byte for byte.
//!
//! - [`agreement`] — one version of an agreement: parties, monitors, commitments,
//!   indicators, phases and relief actions, exemptions, triggers, reviews, disputes.
//! - [`rule`] — conditions (phase entry, triggers) and date rules ("90 days after adoption").
//! - [`id`] — identifiers of the things an agreement names.
//! - [`time`] — dates, instants, periods and ISO 8601 calendar durations.
//! - [`statement`] — what participants say in the evidence log: evidence, corrections,
//!   decisions, dispute steps, amendment signatures, key events.
//! - [`engine`] — `evaluate(versions, log prefix, as_of) -> State`, incremental
//!   evaluation, and the timeline of state changes.
//!
//! # Architecture invariant
//!
//! No I/O, no clock, no randomness, no dependence on hash-map iteration order (use
//! `BTreeMap`/`Vec`).

pub mod agreement;
pub mod engine;
pub mod id;
pub mod rule;
pub mod statement;
pub mod time;
