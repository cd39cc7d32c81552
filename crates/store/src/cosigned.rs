//! Cosigned checkpoints (issue #15): each signed checkpoint of a log with the witnesses'
//! cosignatures collected for it, kept beside the checkpoint the log signed (which stays
//! as it was signed, so that an audit against checkpoints held outside still finds it
//! unchanged). Cosignatures are checked by the caller before they are stored.

use crate::sql::{self, Access, Val};
use crate::{Store, StoreError};

/// The cosigned checkpoints (migration 7 of [`crate::migrate`]).
pub(crate) const SCHEMA: &str = "
CREATE TABLE ledger_cosigned (
    log BIGINT NOT NULL,
    size BIGINT NOT NULL,
    note TEXT NOT NULL,
    PRIMARY KEY (log, size)
)";

fn log_id(tx: &mut dyn sql::Sql, origin: &str) -> Result<i64, StoreError> {
    let rows = tx.rows(
        "SELECT id FROM ledger_log WHERE origin = $1",
        &[Val::text(origin)],
    )?;
    rows.first()
        .map(|r| sql::int(r, 0))
        .ok_or_else(|| StoreError::NoSuchLog(origin.to_owned()))
}

impl Store {
    /// Stores the cosigned form of the log's checkpoint of `size` (the signed checkpoint
    /// with every cosignature collected so far), replacing an earlier cosigned form.
    pub fn put_cosigned(&self, origin: &str, size: u64, note: &str) -> Result<(), StoreError> {
        let size = i64::try_from(size)
            .map_err(|_| StoreError::OutOfRange(format!("size {size} is too large")))?;
        let mut conn = self.conn()?;
        sql::with_tx(&mut conn, Access::Write, |tx| {
            let log = log_id(tx, origin)?;
            tx.exec(
                "INSERT INTO ledger_cosigned (log, size, note) VALUES ($1, $2, $3) ON CONFLICT (log, size) DO UPDATE SET note = excluded.note",
                &[Val::Int(log), Val::Int(size), Val::text(note)],
            )?;
            Ok(())
        })
    }

    /// Every cosigned checkpoint of the log, by size.
    pub fn cosigned_checkpoints(&self, origin: &str) -> Result<Vec<(u64, String)>, StoreError> {
        let mut conn = self.conn()?;
        sql::with_tx(&mut conn, Access::Read, |tx| {
            let log = log_id(tx, origin)?;
            let rows = tx.rows(
                "SELECT size, note FROM ledger_cosigned WHERE log = $1 ORDER BY size",
                &[Val::Int(log)],
            )?;
            Ok(rows
                .iter()
                .map(|r| (sql::int(r, 0) as u64, sql::text(r, 1).to_owned()))
                .collect())
        })
    }
}
