//! Every human rendering and JSON envelope of Accord's results, so that the CLI, a
//! dashboard and a report show the same thing the same way.
//!
//! Pure functions from result values (the engine's `State`, `accord-app`'s results) to
//! text: no I/O, no clock. The shells print what these return. JSON documents whose shape
//! is promised (`docs/state-json.md`, `docs/status-json.md`) are built here, by types whose
//! field order is the documented order.
//!
//! - [`api`] — the HTTP API's own documents: agreements, logs, proofs, receipts, problems.
//! - [`table`] — aligned columns.
//! - [`state`] — the evaluation as tables (`accord evaluate`).
//! - [`explain`] — reasons and what remains.
//! - [`json`] — pretty JSON into a caller's buffer, as [`pretty`] writes it.
//! - [`timeline`] — state changes, one renderer for `timeline`, `play` and the demo.
//! - [`play`] — a played scenario, coverage, the demo, scenario problems.
//! - [`status`] — what is in force, as text and as the status JSON.
//! - [`screen`] — hits, batch results, scored pairs.
//! - [`simulate`] — a simulation's summary table and its SVG charts.
//! - [`lists`] — import summaries and history.
//! - [`ledger`] — receipts, proofs, audits.
//! - [`check`] — the summary of `accord check`.
//! - [`errors`] — error chains and invalid agreements.

pub mod api;
pub mod check;
pub mod errors;
pub mod explain;
pub mod json;
pub mod ledger;
pub mod lists;
pub mod play;
pub mod report;
pub mod screen;
pub mod simulate;
pub mod state;
pub mod status;
pub mod table;
pub mod timeline;

/// A value as pretty-printed JSON (field order as the types declare it).
pub fn pretty(value: &impl serde::Serialize) -> String {
    // INVARIANT: the values rendered are Accord's own types and `serde_json::Value`s,
    // whose serialisation cannot fail (no non-string map keys, no failing `Serialize`).
    serde_json::to_string_pretty(value).unwrap_or_default()
}

/// A value as one line of JSON.
pub fn line(value: &impl serde::Serialize) -> String {
    serde_json::to_string(value).unwrap_or_default()
}

/// A value's serde name (`"in_force"` for `ReliefStatus::InForce`), or empty.
pub fn serde_name(value: &impl serde::Serialize) -> String {
    serde_json::to_value(value)
        .ok()
        .and_then(|v| v.as_str().map(str::to_owned))
        .unwrap_or_default()
}

/// `-` for nothing.
pub fn or_dash(value: Option<impl ToString>) -> String {
    value.map_or_else(|| "-".to_owned(), |v| v.to_string())
}
