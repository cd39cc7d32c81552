//! Persistence for Accord: the embedded SQLite file (the default, nothing to install) and
//! PostgreSQL (for a shared deployment), behind one handle per store.
//!
//! This is the only crate that knows SQL. Every other crate hands it domain values and
//! receives domain values back.
//!
//! A store is named by a URL (see [`StoreUrl`]): `sqlite:PATH` for the embedded file, or a
//! `postgres://` / `postgresql://` connection string. [`Store::open`] gives the long-lived
//! handle: a connection pool, the schema migrated once ([`migrate`]), and the concerns it
//! holds — the evidence [`ledger`], the sanctions [`lists`] and the agreement registry
//! ([`agreements`]).

pub mod agreements;
mod cosigned;
mod handle;
pub mod lease;
pub mod ledger;
pub mod lists;
pub mod migrate;
mod replication;
mod sql;
#[cfg(any(test, feature = "testing"))]
pub mod testing;
mod tls;
pub mod url;

pub use agreements::AgreementText;
pub use handle::{Conn, LEASE_RETRY, PostgresConn, SqliteConn, SqliteManager, Store};
pub use ledger::StoreError;
pub use replication::{STANDBY_WAIT, parse_lsn};
pub use tls::SslMode;
pub use url::{
    StoreMap, StoreMapError, StoreUrl, StoreUrlError, connect_postgres, open_sqlite,
    open_sqlite_read_only,
};
