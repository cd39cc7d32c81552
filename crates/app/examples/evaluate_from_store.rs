//! Evaluates a bundled agreement from a store through the library alone.
//!
//! Plays the bundled nuclear-caps rehearsal into a fresh embedded store (the store keeps
//! the agreement's text beside its log), then — with no agreement file anywhere — reads the
//! registered text and the log back from the store and evaluates them, as a server worker
//! would. Run it with `cargo run -p accord-app --example evaluate_from_store`; the tests of
//! `accord-app` run it too, so that it cannot rot.

use accord_app::evaluate::{AgreementSource, Inputs, LogSource};
use accord_app::{Store, StoreUrl};
use accord_core::engine::state::ReliefStatus;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let dir = tempfile::tempdir()?;
    let store = accord_app::open(&StoreUrl::Sqlite(dir.path().join("accord.db")), false)?;
    print!("{}", evaluate_from_store(&store)?);
    Ok(())
}

/// Plays the bundled rehearsal into `store`, then evaluates the agreement from the store
/// alone; returns what it found, in words.
pub fn evaluate_from_store(store: &Store) -> Result<String, accord_app::Error> {
    let played = accord_app::play::play_bundled(store, "scenarios/nuclear-caps.toml")?;
    // Nothing but the store from here on: the agreement by its id, the log by its agreement.
    let agreement = AgreementSource::Registered("arden-nuclear-2026".into());
    let inputs = Inputs::read(&agreement, LogSource::Store(store))?;
    let as_of = accord_app::time::parse_instant("2026-07-31")?;
    let state = inputs.evaluate(as_of)?;
    let reached: Vec<&str> = state
        .phases
        .iter()
        .filter(|p| p.entered.is_some())
        .map(|p| p.id.as_str())
        .collect();
    let in_force: Vec<&str> = state
        .relief
        .iter()
        .filter(|a| a.status == ReliefStatus::InForce)
        .map(|a| a.id.as_str())
        .collect();
    Ok(format!(
        "played {} entries into {}\nagreement `{}` version {} as of {}: {} of {} log entries read back\nphases reached: {}\nrelief in force: {}\n",
        played.entries,
        store.url(),
        state.agreement,
        state.version,
        state.date,
        state.entries,
        inputs.log.len(),
        reached.join(", "),
        in_force.join(", ")
    ))
}
