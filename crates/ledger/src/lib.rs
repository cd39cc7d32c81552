//! The evidence ledger: RFC 9162 Merkle maths, C2SP signed notes and checkpoints, and the
//! canonical signed entries of an agreement's log.
//!
//! This crate is pure: no I/O, no clock, no randomness. Keys are made from seeds the
//! caller draws; record times are given by the caller (the store's sequencer).
//!
//! Witnessing (issue #15) is in [`witness`] (C2SP tlog-witness v1.0.0 both sides,
//! `tlog-cosignature/v1`, the witness policy) and [`splitview`] (checkpoints seen per log,
//! and split-view evidence anyone can re-check).
//!
//! - [`merkle`] — leaf and node hashing, roots, inclusion and consistency proofs.
//! - [`note`] — signed notes, Go-compatible key strings, witness cosignatures.
//! - [`checkpoint`] — checkpoint bodies, the `tlog-proof` text, hash parsing.
//! - [`entry`] — the binary encoding of signed entries, sealed (confidential) bodies.
//! - [`roster`] — who may sign what, and the acceptance checks.
//! - [`replay`] — a whole log re-checked from its leaves (what an audit runs).
//! - [`verify`] — a log verified for reading, past a trusted prefix (what every read runs).

pub mod checkpoint;
pub mod entry;
pub mod merkle;
pub mod note;
pub mod replay;
pub mod roster;
pub mod splitview;
pub mod verify;
pub mod witness;
