//! The schema of a store, in numbered migrations recorded in a version table.
//!
//! [`crate::Store::open`] reads the version table once; only when the store is behind this
//! build does it take the write lock (SQLite `BEGIN IMMEDIATE`, a PostgreSQL advisory
//! lock), apply the missing migrations and record each, all in one transaction. A store
//! written by a newer Accord (a version this build does not know) is refused rather than
//! written to.
//!
//! INVARIANT: a migration is never edited once released; a change of schema is a new
//! migration at the end of [`MIGRATIONS`]. The first three use `IF NOT EXISTS`, so that
//! stores made before the version table existed (whose tables each concern created on
//! every open) adopt it without change.

use crate::{Conn, StoreError};

/// One step of the schema.
struct Migration {
    version: i64,
    name: &'static str,
    sqlite: &'static str,
    postgres: &'static str,
}

/// The agreement registry: every agreement version's text by its SHA-256.
const REGISTRY: &str = "
CREATE TABLE IF NOT EXISTS agreement_text (
    sha256 TEXT PRIMARY KEY,
    agreement TEXT NOT NULL,
    version BIGINT NOT NULL,
    name TEXT NOT NULL,
    body TEXT NOT NULL,
    UNIQUE (agreement, version)
)";

/// Each log's verified-up-to mark: the size of a signed checkpoint up to which every entry
/// was verified (see `ledger::verified`). A row is only a hint: a read re-checks the
/// checkpoint it names against the leaves before trusting it.
const VERIFIED_MARK: &str = "
CREATE TABLE IF NOT EXISTS ledger_verified (
    log BIGINT PRIMARY KEY,
    size BIGINT NOT NULL
)";

/// Every migration, in order.
const MIGRATIONS: &[Migration] = &[
    Migration {
        version: 1,
        name: "ledger",
        sqlite: crate::ledger::SQLITE_SCHEMA,
        postgres: crate::ledger::POSTGRES_SCHEMA,
    },
    Migration {
        version: 2,
        name: "lists",
        sqlite: crate::lists::SCHEMA,
        postgres: crate::lists::SCHEMA,
    },
    Migration {
        version: 3,
        name: "agreement registry",
        sqlite: REGISTRY,
        postgres: REGISTRY,
    },
    Migration {
        version: 4,
        name: "ledger verified-up-to mark",
        sqlite: VERIFIED_MARK,
        postgres: VERIFIED_MARK,
    },
    Migration {
        version: 5,
        name: "list import formats and overrides",
        sqlite: crate::lists::SCHEMA_5,
        postgres: crate::lists::SCHEMA_5,
    },
    Migration {
        version: 6,
        name: "ledger hashes as tiles",
        sqlite: crate::ledger::SQLITE_TILES,
        postgres: crate::ledger::POSTGRES_TILES,
    },
    Migration {
        version: 7,
        name: "cosigned checkpoints",
        sqlite: crate::cosigned::SCHEMA,
        postgres: crate::cosigned::SCHEMA,
    },
    Migration {
        version: 8,
        name: "list tables keyed without rowid",
        sqlite: crate::lists::SCHEMA_8_SQLITE,
        postgres: crate::lists::SCHEMA_8_POSTGRES,
    },
    Migration {
        version: 9,
        name: "ledger tiles in a rowid table (SQLite)",
        sqlite: crate::ledger::SQLITE_TILES_BY_ROWID,
        // PostgreSQL keeps a row's key apart from its value already.
        postgres: "",
    },
];

/// The schema version this build writes.
pub const SCHEMA_VERSION: i64 = 9;

const VERSION_TABLE: &str = "CREATE TABLE IF NOT EXISTS accord_schema (
    version BIGINT PRIMARY KEY,
    name TEXT NOT NULL,
    applied_at TEXT NOT NULL DEFAULT CURRENT_TIMESTAMP
)";

const CURRENT: &str = "SELECT COALESCE(MAX(version), 0) FROM accord_schema";

/// The store's schema version, or `None` when it has no version table yet.
fn current(conn: &mut Conn) -> Option<i64> {
    match conn {
        Conn::Sqlite(c) => c.query_row(CURRENT, [], |r| r.get(0)).ok(),
        Conn::Postgres(c) => c.query_one(CURRENT, &[]).ok()?.try_get(0).ok(),
    }
}

fn too_new(found: i64) -> StoreError {
    StoreError::TooNew {
        found,
        known: SCHEMA_VERSION,
    }
}

/// Brings the store's schema to [`SCHEMA_VERSION`], applying only what is missing.
pub(crate) fn migrate(conn: &mut Conn) -> Result<(), StoreError> {
    match current(conn) {
        Some(v) if v == SCHEMA_VERSION => return Ok(()),
        Some(v) if v > SCHEMA_VERSION => return Err(too_new(v)),
        _ => {}
    }
    match conn {
        Conn::Sqlite(c) => apply_sqlite(c, SCHEMA_VERSION),
        Conn::Postgres(c) => apply_postgres(c, SCHEMA_VERSION),
    }
}

/// Applies the migrations missing up to `target`, in one transaction.
pub(crate) fn apply_sqlite(c: &mut rusqlite::Connection, target: i64) -> Result<(), StoreError> {
    let tx = c.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
    tx.execute_batch(VERSION_TABLE)?;
    let found: i64 = tx.query_row(CURRENT, [], |r| r.get(0))?;
    for m in pending(found)?.filter(|m| m.version <= target) {
        tx.execute_batch(m.sqlite)?;
        tx.execute(
            "INSERT INTO accord_schema (version, name) VALUES (?1, ?2)",
            rusqlite::params![m.version, m.name],
        )?;
    }
    tx.commit()?;
    Ok(())
}

/// Applies the migrations missing up to `target`, in one transaction.
pub(crate) fn apply_postgres(c: &mut postgres::Client, target: i64) -> Result<(), StoreError> {
    let mut tx = c.transaction()?;
    // Concurrent first opens would race on CREATE TABLE; a lock on a per-database
    // key serialises them.
    tx.execute("SELECT pg_advisory_xact_lock(7317001)", &[])?;
    tx.batch_execute(VERSION_TABLE)?;
    let found: i64 = tx.query_one(CURRENT, &[])?.try_get(0)?;
    for m in pending(found)?.filter(|m| m.version <= target) {
        tx.batch_execute(m.postgres)?;
        tx.execute(
            "INSERT INTO accord_schema (version, name) VALUES ($1, $2)",
            &[&m.version, &m.name],
        )?;
    }
    tx.commit()?;
    Ok(())
}

/// Checks, without writing, that the store's schema is the one this build reads: a store
/// opened read-only is never migrated.
pub(crate) fn check(conn: &mut Conn) -> Result<(), StoreError> {
    match current(conn).unwrap_or(0) {
        v if v == SCHEMA_VERSION => Ok(()),
        v if v > SCHEMA_VERSION => Err(too_new(v)),
        found => Err(StoreError::TooOld {
            found,
            known: SCHEMA_VERSION,
        }),
    }
}

/// The migrations after `found`, in order.
fn pending(found: i64) -> Result<impl Iterator<Item = &'static Migration>, StoreError> {
    if found > SCHEMA_VERSION {
        return Err(too_new(found));
    }
    Ok(MIGRATIONS.iter().filter(move |m| m.version > found))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn migrations_are_numbered_in_order_up_to_the_schema_version() {
        let versions: Vec<i64> = MIGRATIONS.iter().map(|m| m.version).collect();
        let expected: Vec<i64> = (1..=SCHEMA_VERSION).collect();
        assert_eq!(versions, expected);
    }
}
