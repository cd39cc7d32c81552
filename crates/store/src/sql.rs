//! The few SQL operations the list store and the agreement registry need, over either back
//! end, so that their logic is written once and tested on both. (The ledger has one
//! implementation per back end instead: its hot paths use each database's own bulk forms.)
//!
//! Statements use PostgreSQL's `$1` placeholders; for SQLite they are rewritten to `?1`
//! (same numbering). Only two column types are used: BIGINT and TEXT.

/// A statement failed on one of the back ends.
#[derive(Debug, thiserror::Error)]
pub enum SqlError {
    /// The SQLite file failed.
    #[error(transparent)]
    Sqlite(#[from] rusqlite::Error),
    /// PostgreSQL failed.
    #[error(transparent)]
    Postgres(#[from] postgres::Error),
}

/// A parameter or column value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Val {
    Int(i64),
    Text(String),
    OptText(Option<String>),
    OptInt(Option<i64>),
}

impl Val {
    pub fn text(s: &str) -> Val {
        Val::Text(s.to_owned())
    }
}

/// A transaction on either back end.
pub(crate) trait Sql {
    /// Runs a statement; returns the number of rows changed.
    fn exec(&mut self, sql: &str, params: &[Val]) -> Result<u64, SqlError>;
    /// Runs a query; returns every row.
    fn rows(&mut self, sql: &str, params: &[Val]) -> Result<Vec<Vec<Val>>, SqlError>;
}

pub(crate) fn int(row: &[Val], i: usize) -> i64 {
    opt_int(row, i).unwrap_or(0)
}

pub(crate) fn opt_int(row: &[Val], i: usize) -> Option<i64> {
    match row.get(i) {
        Some(Val::Int(v)) | Some(Val::OptInt(Some(v))) => Some(*v),
        Some(Val::Text(s)) | Some(Val::OptText(Some(s))) => s.parse().ok(),
        _ => None,
    }
}

pub(crate) fn text(row: &[Val], i: usize) -> &str {
    opt_text(row, i).unwrap_or("")
}

pub(crate) fn opt_text(row: &[Val], i: usize) -> Option<&str> {
    match row.get(i) {
        Some(Val::Text(s)) | Some(Val::OptText(Some(s))) => Some(s),
        _ => None,
    }
}

/// `$12` → `?12` (SQLite's numbered parameters).
fn sqlite_sql(sql: &str) -> String {
    sql.replace('$', "?")
}

fn sqlite_params(params: &[Val]) -> Vec<rusqlite::types::Value> {
    use rusqlite::types::Value;
    params
        .iter()
        .map(|p| match p {
            Val::Int(v) | Val::OptInt(Some(v)) => Value::Integer(*v),
            Val::Text(s) | Val::OptText(Some(s)) => Value::Text(s.clone()),
            Val::OptText(None) | Val::OptInt(None) => Value::Null,
        })
        .collect()
}

impl Sql for rusqlite::Transaction<'_> {
    fn exec(&mut self, sql: &str, params: &[Val]) -> Result<u64, SqlError> {
        let mut statement = self.prepare_cached(&sqlite_sql(sql))?;
        let n = statement.execute(rusqlite::params_from_iter(sqlite_params(params)))?;
        Ok(n as u64)
    }

    fn rows(&mut self, sql: &str, params: &[Val]) -> Result<Vec<Vec<Val>>, SqlError> {
        use rusqlite::types::ValueRef;
        let mut statement = self.prepare_cached(&sqlite_sql(sql))?;
        let n_columns = statement.column_count();
        let mut rows = statement.query(rusqlite::params_from_iter(sqlite_params(params)))?;
        let mut out = Vec::new();
        while let Some(row) = rows.next()? {
            let mut values = Vec::with_capacity(n_columns);
            for i in 0..n_columns {
                values.push(match row.get_ref(i)? {
                    ValueRef::Null => Val::OptText(None),
                    ValueRef::Integer(v) => Val::Int(v),
                    ValueRef::Real(v) => Val::Text(v.to_string()),
                    ValueRef::Text(t) | ValueRef::Blob(t) => {
                        Val::Text(String::from_utf8_lossy(t).into_owned())
                    }
                });
            }
            out.push(values);
        }
        Ok(out)
    }
}

fn pg_params(params: &[Val]) -> Vec<&(dyn postgres::types::ToSql + Sync)> {
    params
        .iter()
        .map(|p| -> &(dyn postgres::types::ToSql + Sync) {
            match p {
                Val::Int(v) => v,
                Val::Text(s) => s,
                Val::OptText(s) => s,
                Val::OptInt(v) => v,
            }
        })
        .collect()
}

impl Sql for postgres::Transaction<'_> {
    fn exec(&mut self, sql: &str, params: &[Val]) -> Result<u64, SqlError> {
        let statement = self.prepare(sql)?;
        Ok(self.execute(&statement, &pg_params(params))?)
    }

    fn rows(&mut self, sql: &str, params: &[Val]) -> Result<Vec<Vec<Val>>, SqlError> {
        use postgres::types::Type;
        let statement = self.prepare(sql)?;
        let rows = self.query(&statement, &pg_params(params))?;
        let mut out = Vec::with_capacity(rows.len());
        for row in rows {
            let mut values = Vec::with_capacity(row.len());
            for (i, column) in row.columns().iter().enumerate() {
                let value = match *column.type_() {
                    Type::INT8 => Val::OptInt(row.try_get::<_, Option<i64>>(i)?),
                    Type::INT4 => Val::OptInt(row.try_get::<_, Option<i32>>(i)?.map(i64::from)),
                    Type::BOOL => Val::OptInt(row.try_get::<_, Option<bool>>(i)?.map(i64::from)),
                    _ => Val::OptText(row.try_get::<_, Option<String>>(i)?),
                };
                values.push(value);
            }
            out.push(values);
        }
        Ok(out)
    }
}

/// What a transaction will do, which decides how SQLite starts it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Access {
    /// Only reads: a snapshot, taken without the write lock, so readers never wait for
    /// one another.
    Read,
    /// Writes: SQLite's `BEGIN IMMEDIATE`, so the write lock is taken before anything is
    /// read and what was read cannot change before the write.
    Write,
}

/// Runs `f` in one transaction on either back end, committed only if it returns `Ok`.
pub(crate) fn with_tx<T, E: From<SqlError>>(
    conn: &mut crate::Conn,
    access: Access,
    f: impl FnOnce(&mut dyn Sql) -> Result<T, E>,
) -> Result<T, E> {
    match conn {
        crate::Conn::Sqlite(conn) => {
            let behaviour = match access {
                Access::Read => rusqlite::TransactionBehavior::Deferred,
                Access::Write => rusqlite::TransactionBehavior::Immediate,
            };
            let mut tx = conn
                .transaction_with_behavior(behaviour)
                .map_err(SqlError::from)?;
            let value = f(&mut tx)?;
            tx.commit().map_err(SqlError::from)?;
            Ok(value)
        }
        crate::Conn::Postgres(client) => {
            let mut tx = client.transaction().map_err(SqlError::from)?;
            let value = f(&mut tx)?;
            tx.commit().map_err(SqlError::from)?;
            Ok(value)
        }
    }
}
