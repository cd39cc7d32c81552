//! Persistence for Accord: the embedded SQLite file (the default, nothing to install) and
//! PostgreSQL (for a shared deployment), behind one interface per concern.
//!
//! This is the only crate that knows SQL. Every other crate hands it domain values and
//! receives domain values back.
//!
//! A store is named by a URL (see [`StoreUrl`]): `sqlite:PATH` for the embedded file, or a
//! `postgres://` / `postgresql://` connection string.

pub mod ledger;
pub mod lists;
mod url;

pub use url::{StoreUrl, StoreUrlError, connect_postgres, open_sqlite};
