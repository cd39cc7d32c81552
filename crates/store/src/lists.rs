//! Imported sanctions lists and their history, on SQLite and PostgreSQL alike.
//!
//! An import is one transaction: the records of every file of one source are streamed into
//! a staging table (fragments of one target merged there, duplicates refused), compared
//! with the designations currently listed for that source, and the differences recorded as
//! `added` / `removed` / `amended` changes together with listing intervals. A source's
//! first import of one file of whole targets has nothing to compare with: its records are
//! written straight into the list tables (`lists/first.rs`). On PostgreSQL the other
//! imports stage files of whole targets by binary `COPY` (`lists/copy.rs`); the differences
//! are computed and applied in SQL, set-based, on both stores. Any error rolls the whole
//! transaction back: the store is exactly as it was.
//!
//! Invariants:
//! - Imports of a source are recorded in order of observation time; an older observation is
//!   refused, so that listing intervals never overlap.
//! - A designation is in `lists_designation` with `listed = 1` exactly when it was in the
//!   latest import of its source; it has exactly one open interval then, and none otherwise.
//! - Re-importing the same content records an import with zero changes (and the same
//!   content digest): the import still counts, as a confirmation that the list was
//!   unchanged at that time.
//! - Each version of a designation is kept (`lists_version`, by digest), so every change
//!   can show what was listed before and after.

use std::collections::BTreeMap;

use accord_lists::{
    Contents, Declared, Designation, ErrorKind, Format, IfEmpty, ImportError, Location, Records,
};

use crate::sql::{self, Access, Sql, SqlError, Val};
use crate::{Conn, Store, StoreError, StoreUrl};

/// Errors of the list store.
#[derive(Debug, thiserror::Error)]
pub enum ListStoreError {
    /// A file could not be imported; nothing was changed.
    #[error("{0}; nothing was imported")]
    Import(#[from] ImportError),
    /// The SQLite file failed.
    #[error("the embedded store failed: {0}")]
    Sqlite(#[from] rusqlite::Error),
    /// PostgreSQL failed.
    #[error("PostgreSQL failed: {0}")]
    Postgres(#[from] postgres::Error),
    /// An observation time older than the latest import of the source.
    #[error(
        "`{source_name}` was last imported as observed at {latest}, later than {observed_at}: record imports of a source in the order they were observed"
    )]
    OutOfOrder {
        /// The source.
        source_name: String,
        /// The refused observation time.
        observed_at: String,
        /// The latest recorded one.
        latest: String,
    },
    /// A timestamp not in the store's form.
    #[error("`{0}` is not a UTC time of the form `YYYY-MM-DDTHH:MM:SSZ`")]
    BadTime(String),
    /// A date not in the store's form.
    #[error("`{0}` is not a date of the form `YYYY-MM-DD`")]
    BadDate(String),
    /// An import with no file.
    #[error("no file to import")]
    NoFiles,
    /// Something stored that Accord did not write.
    #[error("the store holds data Accord cannot read ({0}): was it edited by hand?")]
    Corrupt(String),
    /// An import that would remove more of the source's designations than an import may
    /// remove unless the caller allows it explicitly ([`Removals::Allowed`]).
    #[error(
        "this import of `{source_name}` would remove {removed} of its {listed} listed designations ({added} added, {amended} amended), more than the {MAX_REMOVED_PERCENT}% an import may remove unless the removals are allowed explicitly: a file cut at a record boundary looks exactly like this; nothing was imported"
    )]
    MassRemoval {
        /// The source.
        source_name: String,
        /// Designations the import would remove.
        removed: i64,
        /// Designations listed before it.
        listed: i64,
        /// Designations it would add.
        added: i64,
        /// Designations it would amend.
        amended: i64,
    },
    /// The store could not be opened or gave no connection.
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// The share of a source's listed designations one import may remove, in percent, unless
/// the removals are allowed explicitly. It applies at every source size: a cut at a record
/// boundary removes "the last N designations", which no format with no trailer can detect.
pub const MAX_REMOVED_PERCENT: i64 = 10;

/// Whether an import may remove more than [`MAX_REMOVED_PERCENT`] of its source.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Removals {
    /// Refuse such an import ([`ListStoreError::MassRemoval`]).
    #[default]
    Guarded,
    /// Accept it: the caller said explicitly that the removals are real.
    Allowed,
}

/// What an import may do that the store refuses by default. An allowance that an import
/// needed is recorded with it ([`Override`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Allow {
    /// Whether a file that lists nothing is accepted as "the list is now empty".
    pub empty: IfEmpty,
    /// Whether mass removals are accepted.
    pub removals: Removals,
}

/// A default refusal an import was allowed past, recorded with it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Override {
    /// The import's files listed nothing, and an empty list was allowed.
    Empty,
    /// The import removed more than [`MAX_REMOVED_PERCENT`], and that was allowed.
    Removals,
}

impl Override {
    fn as_str(self) -> &'static str {
        match self {
            Override::Empty => "empty",
            Override::Removals => "removals",
        }
    }

    fn parse(text: &str) -> Result<Override, ListStoreError> {
        match text {
            "empty" => Ok(Override::Empty),
            "removals" => Ok(Override::Removals),
            other => Err(ListStoreError::Corrupt(format!(
                "unknown import override `{other}`"
            ))),
        }
    }
}

impl std::fmt::Display for Override {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Override::Empty => "an empty list was allowed",
            Override::Removals => "mass removals were allowed",
        })
    }
}

impl From<SqlError> for ListStoreError {
    fn from(e: SqlError) -> Self {
        match e {
            SqlError::Sqlite(e) => ListStoreError::Sqlite(e),
            SqlError::Postgres(e) => ListStoreError::Postgres(e),
        }
    }
}

/// One file of an import: its name (path or URL), format and records.
pub struct ImportFile<'r> {
    /// The path or URL, for errors and the import record.
    pub origin: String,
    /// Its format.
    pub format: Format,
    /// Its records.
    pub records: Records<'r>,
}

/// What an import is of.
#[derive(Debug, Clone, Default)]
pub struct ImportRequest {
    /// The source name (`un-sc`, `ofac-sdn`, …).
    pub source: String,
    /// When the list was observed (downloaded or handed over), `YYYY-MM-DDTHH:MM:SSZ`.
    pub observed_at: String,
    /// SHA-256 of the files' bytes (hex; several files: their digests joined by `+`).
    pub content_sha256: String,
    /// What the import may do that is refused by default.
    pub allow: Allow,
}

/// What an import recorded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImportSummary {
    /// The import's number (increasing across all sources).
    pub import_id: i64,
    /// The source.
    pub source: String,
    /// When the list was observed.
    pub observed_at: String,
    /// The publication date the file states, if any.
    pub published: Option<String>,
    /// The files and formats read.
    pub origin: String,
    /// SHA-256 of the content.
    pub content_sha256: String,
    /// Designations in this import (after merging fragments).
    pub n_records: i64,
    /// Designations new since the previous import of the source (or re-listed).
    pub n_added: i64,
    /// Designations of the previous import absent from this one (delisted).
    pub n_removed: i64,
    /// Designations whose published facts changed.
    pub n_amended: i64,
    /// Designations unchanged.
    pub n_unchanged: i64,
    /// The formats of its files, in order.
    pub formats: Vec<Format>,
    /// The default refusal it was allowed past, if any.
    pub overridden: Option<Override>,
}

/// One change to a designation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Change {
    /// The import that recorded it.
    pub import_id: i64,
    /// When that import was observed.
    pub observed_at: String,
    /// `added`, `removed` or `amended`.
    pub kind: String,
    /// The version before (removed, amended).
    pub before: Option<Designation>,
    /// The version after (added, amended).
    pub after: Option<Designation>,
}

/// A period during which a designation was present in every import of its source.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Interval {
    /// The first import it was present in.
    pub from_import: i64,
    /// When that import was observed.
    pub from_at: String,
    /// The first import it was absent from, if any.
    pub until_import: Option<i64>,
    /// When that import was observed.
    pub until_at: Option<String>,
    /// The last import it was present in (before `until_import`), and when.
    pub last_seen: Option<(i64, String)>,
}

/// The answer to "was this designation listed on date D".
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ListedOn {
    /// Listed: present in an import observed on or before D and not removed by D.
    Observed {
        /// The import it was first present in (of the interval covering D).
        since_import: i64,
        /// When that import was observed.
        since: String,
        /// The latest import of the source on or before D (it was present in it).
        confirmed_by: i64,
        /// When that import was observed.
        confirmed_at: String,
    },
    /// Listed according to the source's own listing date, before Accord first saw it.
    PerListingDate {
        /// The source's listing date.
        listed_on: String,
        /// When Accord first observed it.
        first_seen: String,
    },
    /// Not listed on D.
    NotListed {
        /// Why: e.g. "absent from import 4 (2026-03-01T…)" or "before its listing date".
        reason: String,
    },
    /// The imports cannot tell: it was present in one import and absent from the next, and
    /// D falls between them; or D is before any import and no listing date is known.
    Unknown {
        /// Why.
        reason: String,
    },
}

/// What the last successful download of a list's file returned, for conditional requests.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct FetchState {
    /// The `ETag` header, if the server sent one.
    pub etag: Option<String>,
    /// The `Last-Modified` header, if the server sent one.
    pub last_modified: Option<String>,
    /// SHA-256 of the bytes downloaded.
    pub content_sha256: String,
    /// When it was downloaded.
    pub fetched_at: String,
}

/// A designation found by name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Found {
    /// Its source.
    pub source: String,
    /// Its identifier at the source.
    pub source_id: String,
    /// Its primary name.
    pub caption: String,
    /// Whether it is in the latest import of its source.
    pub listed: bool,
}

/// The sanctions lists held in a store: one pooled connection of a [`Store`].
pub struct ListStore {
    conn: Conn,
}

/// The list tables (migration 2 of [`crate::migrate`]).
pub(crate) const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS lists_import (
        id BIGINT PRIMARY KEY,
        source TEXT NOT NULL,
        observed_at TEXT NOT NULL,
        published TEXT,
        origin TEXT NOT NULL,
        content_sha256 TEXT NOT NULL,
        n_records BIGINT NOT NULL,
        n_added BIGINT NOT NULL,
        n_removed BIGINT NOT NULL,
        n_amended BIGINT NOT NULL,
        n_unchanged BIGINT NOT NULL);
CREATE INDEX IF NOT EXISTS lists_import_by_source ON lists_import (source, id);
CREATE TABLE IF NOT EXISTS lists_version (
        digest TEXT PRIMARY KEY,
        body TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS lists_designation (
        source TEXT NOT NULL,
        source_id TEXT NOT NULL,
        digest TEXT NOT NULL,
        caption TEXT NOT NULL,
        schema TEXT,
        listed_on TEXT,
        listed BIGINT NOT NULL,
        first_import BIGINT NOT NULL,
        last_import BIGINT NOT NULL,
        PRIMARY KEY (source, source_id));
CREATE TABLE IF NOT EXISTS lists_change (
        import_id BIGINT NOT NULL,
        source TEXT NOT NULL,
        source_id TEXT NOT NULL,
        kind TEXT NOT NULL,
        before_digest TEXT,
        after_digest TEXT,
        PRIMARY KEY (import_id, source_id));
CREATE INDEX IF NOT EXISTS lists_change_by_id ON lists_change (source, source_id);
CREATE TABLE IF NOT EXISTS lists_interval (
        source TEXT NOT NULL,
        source_id TEXT NOT NULL,
        from_import BIGINT NOT NULL,
        from_at TEXT NOT NULL,
        until_import BIGINT,
        until_at TEXT,
        PRIMARY KEY (source, source_id, from_import));
CREATE TABLE IF NOT EXISTS lists_name (
        source TEXT NOT NULL,
        source_id TEXT NOT NULL,
        name_key TEXT NOT NULL,
        PRIMARY KEY (source, source_id, name_key));
CREATE INDEX IF NOT EXISTS lists_name_by_key ON lists_name (name_key);
CREATE TABLE IF NOT EXISTS lists_fetch (
        source TEXT NOT NULL,
        url TEXT NOT NULL,
        etag TEXT,
        last_modified TEXT,
        content_sha256 TEXT NOT NULL,
        fetched_at TEXT NOT NULL,
        PRIMARY KEY (source, url))";

/// The formats of each import and the default refusal it was allowed past (migration 5).
pub(crate) const SCHEMA_5: &str = "
ALTER TABLE lists_import ADD COLUMN formats TEXT;
ALTER TABLE lists_import ADD COLUMN overridden TEXT";

/// SQLite: the list tables keyed by their primary keys alone (migration 8, issue #18). A
/// rowid table with a composite primary key is two B-trees, the rows by rowid and an
/// automatic index of the key; `WITHOUT ROWID` makes it one, so that a row is one insert
/// (a first import writes four such rows per designation, more with several names). The
/// versions stay a rowid table: their bodies (about half a kilobyte) in a tree ordered by
/// digest, which comes in no order, would split pages on every insert (measured: a third
/// slower). Each table is rebuilt with the same columns in the same order and its rows
/// copied; the indexes dropped with the old table are created again.
pub(crate) const SCHEMA_8_SQLITE: &str = "
CREATE TABLE lists_designation_keyed (
        source TEXT NOT NULL,
        source_id TEXT NOT NULL,
        digest TEXT NOT NULL,
        caption TEXT NOT NULL,
        schema TEXT,
        listed_on TEXT,
        listed BIGINT NOT NULL,
        first_import BIGINT NOT NULL,
        last_import BIGINT NOT NULL,
        PRIMARY KEY (source, source_id)) WITHOUT ROWID;
INSERT INTO lists_designation_keyed
    SELECT source, source_id, digest, caption, schema, listed_on, listed, first_import, last_import
    FROM lists_designation;
DROP TABLE lists_designation;
ALTER TABLE lists_designation_keyed RENAME TO lists_designation;
CREATE TABLE lists_change_keyed (
        import_id BIGINT NOT NULL,
        source TEXT NOT NULL,
        source_id TEXT NOT NULL,
        kind TEXT NOT NULL,
        before_digest TEXT,
        after_digest TEXT,
        PRIMARY KEY (import_id, source_id)) WITHOUT ROWID;
INSERT INTO lists_change_keyed
    SELECT import_id, source, source_id, kind, before_digest, after_digest FROM lists_change;
DROP TABLE lists_change;
ALTER TABLE lists_change_keyed RENAME TO lists_change;
CREATE INDEX lists_change_by_id ON lists_change (source, source_id);
CREATE TABLE lists_interval_keyed (
        source TEXT NOT NULL,
        source_id TEXT NOT NULL,
        from_import BIGINT NOT NULL,
        from_at TEXT NOT NULL,
        until_import BIGINT,
        until_at TEXT,
        PRIMARY KEY (source, source_id, from_import)) WITHOUT ROWID;
INSERT INTO lists_interval_keyed
    SELECT source, source_id, from_import, from_at, until_import, until_at FROM lists_interval;
DROP TABLE lists_interval;
ALTER TABLE lists_interval_keyed RENAME TO lists_interval;
CREATE TABLE lists_name_keyed (
        source TEXT NOT NULL,
        source_id TEXT NOT NULL,
        name_key TEXT NOT NULL,
        PRIMARY KEY (source, source_id, name_key)) WITHOUT ROWID;
INSERT INTO lists_name_keyed SELECT source, source_id, name_key FROM lists_name;
DROP TABLE lists_name;
ALTER TABLE lists_name_keyed RENAME TO lists_name;
CREATE INDEX lists_name_by_key ON lists_name (name_key)";

/// PostgreSQL has no rowid: a table is a heap beside the index of its key either way, so
/// migration 8 changes nothing there (a statement that reads nothing, recorded as applied).
pub(crate) const SCHEMA_8_POSTGRES: &str = "SELECT 1";

/// The tables an audit (or a test) compares before and after a failed import.
pub const TABLES: [&str; 7] = [
    "lists_import",
    "lists_version",
    "lists_designation",
    "lists_change",
    "lists_interval",
    "lists_name",
    "lists_fetch",
];

const STAGING: &[&str] = &[
    "CREATE TEMP TABLE IF NOT EXISTS lists_staging (
        source_id TEXT PRIMARY KEY,
        digest TEXT NOT NULL,
        body TEXT NOT NULL,
        caption TEXT NOT NULL,
        schema TEXT,
        listed_on TEXT,
        has_primary BIGINT NOT NULL,
        origin TEXT NOT NULL)",
    "CREATE TEMP TABLE IF NOT EXISTS lists_staging_name (
        source_id TEXT NOT NULL,
        name_key TEXT NOT NULL,
        PRIMARY KEY (source_id, name_key))",
    "DELETE FROM lists_staging",
    "DELETE FROM lists_staging_name",
];

/// The key a name is found by: lowercase, whitespace collapsed.
pub fn name_key(name: &str) -> String {
    let mut key = String::with_capacity(name.len());
    for word in name.split_whitespace() {
        if !key.is_empty() {
            key.push(' ');
        }
        key.push_str(word);
    }
    if key.is_ascii() {
        key.make_ascii_lowercase();
        key
    } else {
        key.to_lowercase()
    }
}

fn check_time(t: &str) -> Result<(), ListStoreError> {
    let b = t.as_bytes();
    let digits = [0, 1, 2, 3, 5, 6, 8, 9, 11, 12, 14, 15, 17, 18];
    let ok = b.len() == 20
        && digits
            .iter()
            .all(|i| b.get(*i).is_some_and(u8::is_ascii_digit))
        && b.get(4) == Some(&b'-')
        && b.get(7) == Some(&b'-')
        && b.get(10) == Some(&b'T')
        && b.get(13) == Some(&b':')
        && b.get(16) == Some(&b':')
        && b.get(19) == Some(&b'Z');
    if ok {
        Ok(())
    } else {
        Err(ListStoreError::BadTime(t.to_owned()))
    }
}

fn check_date(d: &str) -> Result<(), ListStoreError> {
    let b = d.as_bytes();
    let ok = b.len() == 10
        && [0, 1, 2, 3, 5, 6, 8, 9]
            .iter()
            .all(|i| b.get(*i).is_some_and(u8::is_ascii_digit))
        && b.get(4) == Some(&b'-')
        && b.get(7) == Some(&b'-');
    if ok {
        Ok(())
    } else {
        Err(ListStoreError::BadDate(d.to_owned()))
    }
}

impl ListStore {
    /// Opens the store named by a URL (creating it and its tables if needed) and takes one
    /// connection for the lists. A process that asks more than once holds a [`Store`] and
    /// calls [`Store::lists`] instead.
    pub fn open(url: &StoreUrl) -> Result<ListStore, ListStoreError> {
        Ok(Store::open(url)?.lists()?)
    }

    pub(crate) fn new(conn: Conn) -> ListStore {
        ListStore { conn }
    }

    /// Runs `f` in one transaction that writes, committed only if it returns `Ok`.
    fn with_tx<T>(
        &mut self,
        f: impl FnOnce(&mut dyn Sql) -> Result<T, ListStoreError>,
    ) -> Result<T, ListStoreError> {
        sql::with_tx(&mut self.conn, Access::Write, f)
    }

    /// Runs `f` in one transaction that only reads.
    fn read<T>(
        &mut self,
        f: impl FnOnce(&mut dyn Sql) -> Result<T, ListStoreError>,
    ) -> Result<T, ListStoreError> {
        sql::with_tx(&mut self.conn, Access::Read, f)
    }

    /// Imports the files of one source in one transaction and records what changed since
    /// the previous import of that source. `progress` is called with the number of records
    /// read so far, every few thousand records.
    ///
    /// Refused, changing nothing: a file that is not complete, or that lists nothing unless
    /// [`Allow::empty`] accepts it; files that do not belong to the source
    /// ([`accord_lists::check_import`], against the formats of the source's latest import);
    /// an import removing more than [`MAX_REMOVED_PERCENT`] of the source's designations
    /// unless [`Allow::removals`] accepts it. An import forgets the source's download
    /// validators ([`ListStore::fetch_state`]): they belong to the import they came with.
    pub fn import(
        &mut self,
        request: &ImportRequest,
        files: Vec<ImportFile<'_>>,
        progress: &mut dyn FnMut(u64),
    ) -> Result<ImportSummary, ListStoreError> {
        check_time(&request.observed_at)?;
        if files.is_empty() {
            return Err(ListStoreError::NoFiles);
        }
        match &mut self.conn {
            Conn::Sqlite(conn) => {
                let mut tx =
                    conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
                check_order(&mut tx, request)?;
                let never = first::never_imported(&mut tx, &request.source)?;
                let deferred = lite::defer_indexes(&tx, never)?;
                let summary = if never && first::direct(&files) {
                    let import_id = first::next_import_id(&mut tx)?;
                    let mut sink = lite::FirstRows {
                        tx: &mut tx,
                        import_id,
                        observed_at: request.observed_at.clone(),
                    };
                    first::import(&mut sink, request, import_id, files, progress)?
                } else {
                    let staged =
                        lite::stage(&tx, &request.source, files, request.allow.empty, progress)?;
                    record_staged(&mut tx, request, staged, Apply::Changed)?
                };
                lite::build_indexes(&tx, deferred)?;
                tx.commit()?;
                Ok(summary)
            }
            Conn::Postgres(client) => {
                let mut tx = client.transaction()?;
                // One import at a time per database: import ids and intervals are computed
                // from what the previous import left. Concurrent imports wait here, in
                // turn (the lock is released when the transaction ends).
                tx.execute("SELECT pg_advisory_xact_lock(7317002)", &[])?;
                let summary =
                    if first::direct(&files) && first::never_imported(&mut tx, &request.source)? {
                        check_order(&mut tx, request)?;
                        let import_id = first::next_import_id(&mut tx)?;
                        let mut sink = first::Copied {
                            tx: &mut tx,
                            import_id,
                            observed_at: request.observed_at.clone(),
                            queued: Vec::new(),
                        };
                        first::import(&mut sink, request, import_id, files, progress)?
                    } else {
                        check_order(&mut tx, request)?;
                        let mut stager = copy::Copied { tx: &mut tx };
                        let staged = stage(
                            &mut stager,
                            &request.source,
                            files,
                            request.allow.empty,
                            progress,
                        )?;
                        record_staged(&mut tx, request, staged, Apply::Changed)?
                    };
                tx.commit()?;
                Ok(summary)
            }
        }
    }

    /// [`ListStore::import`] staging through the generic path on either back end (one
    /// multi-row statement per batch, every staged row upserted): the reference the other
    /// paths are compared with.
    #[cfg(test)]
    fn import_generic(
        &mut self,
        request: &ImportRequest,
        files: Vec<ImportFile<'_>>,
    ) -> Result<ImportSummary, ListStoreError> {
        check_time(&request.observed_at)?;
        self.with_tx(|tx| import_in(tx, request, files, &mut |_| {}, Apply::EveryRow))
    }

    /// The formats of the latest import of `source` (empty when it has none): what a file
    /// whose content names no format (an empty file) is read as.
    pub fn previous_formats(&mut self, source: &str) -> Result<Vec<Format>, ListStoreError> {
        self.read(|tx| previous_formats(tx, source))
    }

    /// Every import, newest first; only those of `source` if given.
    pub fn imports(&mut self, source: Option<&str>) -> Result<Vec<ImportSummary>, ListStoreError> {
        self.read(|tx| {
            let rows = match source {
                Some(s) => tx.rows(
                    &format!("{IMPORT_COLUMNS} WHERE source = $1 ORDER BY id DESC"),
                    &[Val::text(s)],
                )?,
                None => tx.rows(&format!("{IMPORT_COLUMNS} ORDER BY id DESC"), &[])?,
            };
            rows.into_iter().map(|r| import_from_row(&r)).collect()
        })
    }

    /// The latest stored version of a designation.
    pub fn designation(
        &mut self,
        source: &str,
        source_id: &str,
    ) -> Result<Option<(Designation, bool)>, ListStoreError> {
        self.read(|tx| {
            let rows = tx.rows(
                "SELECT v.body, d.listed FROM lists_designation d JOIN lists_version v ON v.digest = d.digest
                 WHERE d.source = $1 AND d.source_id = $2",
                &[Val::text(source), Val::text(source_id)],
            )?;
            match rows.first() {
                Some(row) => Ok(Some((parse_body(sql::text(row, 0))?, sql::int(row, 1) == 1))),
                None => Ok(None),
            }
        })
    }

    /// Every designation listed in the latest import of its source, in its latest version,
    /// ordered by source and identifier (what screening compares names against).
    pub fn listed(&mut self) -> Result<Vec<Designation>, ListStoreError> {
        self.read(|tx| {
            let rows = tx.rows(
                "SELECT v.body FROM lists_designation d JOIN lists_version v ON v.digest = d.digest
                 WHERE d.listed = 1 ORDER BY d.source, d.source_id",
                &[],
            )?;
            rows.iter().map(|r| parse_body(sql::text(r, 0))).collect()
        })
    }

    /// Designations with a name containing `name` (case-insensitive), in `source` if given.
    pub fn find_by_name(
        &mut self,
        source: Option<&str>,
        name: &str,
    ) -> Result<Vec<Found>, ListStoreError> {
        let pattern = format!(
            "%{}%",
            name_key(name)
                .replace('\\', "\\\\")
                .replace('%', "\\%")
                .replace('_', "\\_")
        );
        self.read(|tx| {
            let rows = tx.rows(
                "SELECT DISTINCT d.source, d.source_id, d.caption, d.listed FROM lists_name n
                 JOIN lists_designation d ON d.source = n.source AND d.source_id = n.source_id
                 WHERE n.name_key LIKE $1 ESCAPE '\\' AND ($2 = '' OR n.source = $2)
                 ORDER BY d.source, d.source_id",
                &[Val::Text(pattern), Val::text(source.unwrap_or(""))],
            )?;
            Ok(rows
                .iter()
                .map(|r| Found {
                    source: sql::text(r, 0).to_owned(),
                    source_id: sql::text(r, 1).to_owned(),
                    caption: sql::text(r, 2).to_owned(),
                    listed: sql::int(r, 3) == 1,
                })
                .collect())
        })
    }

    /// Every change recorded for a designation, oldest first.
    pub fn changes(
        &mut self,
        source: &str,
        source_id: &str,
    ) -> Result<Vec<Change>, ListStoreError> {
        self.read(|tx| {
            let rows = tx.rows(
                "SELECT c.import_id, i.observed_at, c.kind, b.body, a.body FROM lists_change c
                 JOIN lists_import i ON i.id = c.import_id
                 LEFT JOIN lists_version b ON b.digest = c.before_digest
                 LEFT JOIN lists_version a ON a.digest = c.after_digest
                 WHERE c.source = $1 AND c.source_id = $2 ORDER BY c.import_id",
                &[Val::text(source), Val::text(source_id)],
            )?;
            rows.iter()
                .map(|r| {
                    let body = |i| sql::opt_text(r, i).map(parse_body).transpose();
                    Ok(Change {
                        import_id: sql::int(r, 0),
                        observed_at: sql::text(r, 1).to_owned(),
                        kind: sql::text(r, 2).to_owned(),
                        before: body(3)?,
                        after: body(4)?,
                    })
                })
                .collect()
        })
    }

    /// The listing intervals of a designation, oldest first.
    pub fn intervals(
        &mut self,
        source: &str,
        source_id: &str,
    ) -> Result<Vec<Interval>, ListStoreError> {
        self.read(|tx| intervals_in(tx, source, source_id))
    }

    /// Was the designation `source_id` of `source` listed on `date` (`YYYY-MM-DD`, as of
    /// the end of that day, UTC)? Answered from the imports: present in the latest import
    /// on or before D; before the first import, from the source's own listing date.
    pub fn listed_on(
        &mut self,
        source: &str,
        source_id: &str,
        date: &str,
    ) -> Result<ListedOn, ListStoreError> {
        check_date(date)?;
        self.read(|tx| {
            let intervals = intervals_in(tx, source, source_id)?;
            let day = |t: &str| t.get(..10).unwrap_or(t).to_owned();
            let latest = tx.rows(
                "SELECT id, observed_at FROM lists_import WHERE source = $1 AND substr(observed_at, 1, 10) <= $2 ORDER BY id DESC LIMIT 1",
                &[Val::text(source), Val::text(date)],
            )?;
            let latest = latest
                .first()
                .map(|r| (sql::int(r, 0), sql::text(r, 1).to_owned()));
            if let Some(interval) = intervals.iter().find(|i| {
                day(&i.from_at).as_str() <= date
                    && i.until_at.as_deref().is_none_or(|u| day(u).as_str() > date)
            }) {
                let (confirmed_by, confirmed_at) = latest.clone().unwrap_or_default();
                // Present in the latest import on or before D, unless that import is the
                // one before its removal and D is after it: then the removal happened
                // between two observations around D.
                if let (Some(until_at), Some((seen_id, seen_at))) =
                    (&interval.until_at, &interval.last_seen)
                    && day(seen_at).as_str() < date
                {
                    return Ok(ListedOn::Unknown {
                        reason: format!(
                            "present in import {seen_id} ({seen_at}) and absent from import {} ({until_at}); it was delisted between those observations",
                            interval.until_import.unwrap_or_default()
                        ),
                    });
                }
                return Ok(ListedOn::Observed {
                    since_import: interval.from_import,
                    since: interval.from_at.clone(),
                    confirmed_by,
                    confirmed_at,
                });
            }
            let Some(first) = intervals.first() else {
                return Ok(ListedOn::NotListed {
                    reason: format!("`{source_id}` was never in an import of `{source}`"),
                });
            };
            if date < day(&first.from_at).as_str() {
                let listed_on = tx.rows(
                    "SELECT listed_on FROM lists_designation WHERE source = $1 AND source_id = $2",
                    &[Val::text(source), Val::text(source_id)],
                )?;
                let listed_on = listed_on.first().and_then(|r| sql::opt_text(r, 0)).map(str::to_owned);
                if let Some(listed_on) = listed_on {
                    // A partial date (`2001`) counts from its first day.
                    let start = match listed_on.len() {
                        4 => format!("{listed_on}-01-01"),
                        7 => format!("{listed_on}-01"),
                        _ => listed_on.clone(),
                    };
                    if start.as_str() <= date {
                        return Ok(ListedOn::PerListingDate {
                            listed_on,
                            first_seen: first.from_at.clone(),
                        });
                    }
                    return Ok(ListedOn::NotListed {
                        reason: format!("{date} is before the source's listing date {listed_on}"),
                    });
                }
                return Ok(match latest {
                    Some((id, at)) => ListedOn::NotListed {
                        reason: format!("absent from import {id} ({at}), the latest of `{source}` on or before {date}"),
                    },
                    None => ListedOn::Unknown {
                        reason: format!(
                            "no import of `{source}` on or before {date}, and the source states no listing date"
                        ),
                    },
                });
            }
            // After an interval closed and before any later one opened.
            let (id, at) = latest.unwrap_or_default();
            Ok(ListedOn::NotListed {
                reason: format!("delisted: absent from import {id} ({at}), the latest of `{source}` on or before {date}"),
            })
        })
    }

    /// The state of the last download of `url` for `source` that was imported.
    pub fn fetch_state(
        &mut self,
        source: &str,
        url: &str,
    ) -> Result<Option<FetchState>, ListStoreError> {
        self.read(|tx| {
            let rows = tx.rows(
                "SELECT etag, last_modified, content_sha256, fetched_at FROM lists_fetch WHERE source = $1 AND url = $2",
                &[Val::text(source), Val::text(url)],
            )?;
            Ok(rows.first().map(|r| FetchState {
                etag: sql::opt_text(r, 0).map(str::to_owned),
                last_modified: sql::opt_text(r, 1).map(str::to_owned),
                content_sha256: sql::text(r, 2).to_owned(),
                fetched_at: sql::text(r, 3).to_owned(),
            }))
        })
    }

    /// Records a download whose content was imported (or found identical to the last).
    pub fn record_fetch(
        &mut self,
        source: &str,
        url: &str,
        state: &FetchState,
    ) -> Result<(), ListStoreError> {
        check_time(&state.fetched_at)?;
        self.with_tx(|tx| {
            tx.exec("DELETE FROM lists_fetch WHERE source = $1 AND url = $2", &[Val::text(source), Val::text(url)])?;
            tx.exec(
                "INSERT INTO lists_fetch (source, url, etag, last_modified, content_sha256, fetched_at) VALUES ($1, $2, $3, $4, $5, $6)",
                &[
                    Val::text(source),
                    Val::text(url),
                    Val::OptText(state.etag.clone()),
                    Val::OptText(state.last_modified.clone()),
                    Val::text(&state.content_sha256),
                    Val::text(&state.fetched_at),
                ],
            )?;
            Ok(())
        })
    }

    /// Forgets the download validators of `source`: its next update downloads in full
    /// (after an import from a download was refused, or allowed past a refusal).
    pub fn forget_fetches(&mut self, source: &str) -> Result<(), ListStoreError> {
        self.with_tx(|tx| {
            tx.exec(
                "DELETE FROM lists_fetch WHERE source = $1",
                &[Val::text(source)],
            )?;
            Ok(())
        })
    }

    /// The number of rows of each list table, in [`TABLES`] order: a cheap check that a
    /// refused import left the tables as they were ([`ListStore::snapshot`] compares rows).
    pub fn row_counts(&mut self) -> Result<Vec<i64>, ListStoreError> {
        self.read(|tx| {
            let mut out = Vec::new();
            for table in TABLES {
                let rows = tx.rows(&format!("SELECT COUNT(*) FROM {table}"), &[])?;
                out.push(rows.first().map_or(0, |r| sql::int(r, 0)));
            }
            Ok(out)
        })
    }

    /// Every row of the list tables, in a fixed order: two snapshots are equal exactly when
    /// the tables hold the same data (used to prove that a failed import changed nothing).
    pub fn snapshot(&mut self) -> Result<Vec<String>, ListStoreError> {
        self.read(|tx| {
            let mut out = Vec::new();
            for table in TABLES {
                let rows = tx.rows(&format!("SELECT * FROM {table}"), &[])?;
                out.push(format!("{table}: {} rows", rows.len()));
                // Sorted whole: the order of rows that tie on a table's first columns is
                // the order they were written in, which is not part of their data.
                let mut rows: Vec<String> =
                    rows.iter().map(|r| format!("{table}: {r:?}")).collect();
                rows.sort_unstable();
                out.extend(rows);
            }
            Ok(out)
        })
    }
}

const IMPORT_COLUMNS: &str = "SELECT id, source, observed_at, published, origin, content_sha256, n_records, n_added, n_removed, n_amended, n_unchanged, formats, overridden FROM lists_import";

fn import_from_row(r: &[Val]) -> Result<ImportSummary, ListStoreError> {
    Ok(ImportSummary {
        import_id: sql::int(r, 0),
        source: sql::text(r, 1).to_owned(),
        observed_at: sql::text(r, 2).to_owned(),
        published: sql::opt_text(r, 3).map(str::to_owned),
        origin: sql::text(r, 4).to_owned(),
        content_sha256: sql::text(r, 5).to_owned(),
        n_records: sql::int(r, 6),
        n_added: sql::int(r, 7),
        n_removed: sql::int(r, 8),
        n_amended: sql::int(r, 9),
        n_unchanged: sql::int(r, 10),
        formats: match sql::opt_text(r, 11) {
            Some(formats) => parse_formats(formats)?,
            None => Vec::new(),
        },
        overridden: sql::opt_text(r, 12).map(Override::parse).transpose()?,
    })
}

fn parse_body(body: &str) -> Result<Designation, ListStoreError> {
    serde_json::from_str(body).map_err(|e| ListStoreError::Corrupt(e.to_string()))
}

fn intervals_in(
    tx: &mut dyn Sql,
    source: &str,
    source_id: &str,
) -> Result<Vec<Interval>, ListStoreError> {
    let rows = tx.rows(
        "SELECT from_import, from_at, until_import, until_at,
            (SELECT MAX(i.id) FROM lists_import i WHERE i.source = v.source AND i.id < v.until_import)
         FROM lists_interval v WHERE source = $1 AND source_id = $2 ORDER BY from_import",
        &[Val::text(source), Val::text(source_id)],
    )?;
    let mut out = Vec::new();
    for r in &rows {
        let last_seen = match sql::opt_int(r, 4) {
            Some(id) => {
                let at = tx.rows(
                    "SELECT observed_at FROM lists_import WHERE id = $1",
                    &[Val::Int(id)],
                )?;
                at.first().map(|a| (id, sql::text(a, 0).to_owned()))
            }
            None => None,
        };
        out.push(Interval {
            from_import: sql::int(r, 0),
            from_at: sql::text(r, 1).to_owned(),
            until_import: sql::opt_int(r, 2),
            until_at: sql::opt_text(r, 3).map(str::to_owned),
            last_seen,
        });
    }
    Ok(out)
}

/// Records waiting to be staged: staging goes in batches, one multi-row statement per
/// batch, because a round trip per record makes PostgreSQL imports crawl.
struct Batch {
    format: Format,
    origin: String,
    /// Each record with its place in the file, for errors.
    records: Vec<(Designation, Location)>,
}

const BATCH: usize = 256;

impl Batch {
    /// Stages the batch: inserts new identifiers, merges fragments of identifiers already
    /// staged when the format spreads targets over several records, refuses duplicates
    /// otherwise.
    fn flush(&mut self, tx: &mut dyn Sql, source: &str) -> Result<(), ListStoreError> {
        if self.records.is_empty() {
            return Ok(());
        }
        let has_primary = i64::from(!self.format.companion());
        let scattered = self.format.scattered();
        let origin = self.origin.clone();
        let duplicate = |id: &str, first_origin: &str, at: Location| -> ListStoreError {
            let kind = ErrorKind::Duplicate {
                id: id.to_owned(),
                first_seen_in: (first_origin != origin).then(|| first_origin.to_owned()),
            };
            ImportError::new(&origin, at, kind).into()
        };
        // Merge or refuse repeats inside the batch.
        let mut by_id: BTreeMap<String, Designation> = BTreeMap::new();
        let mut places: BTreeMap<String, Location> = BTreeMap::new();
        for (mut d, at) in self.records.drain(..) {
            d.source = source.to_owned();
            match by_id.get_mut(&d.source_id) {
                Some(earlier) if scattered => {
                    earlier.absorb(d);
                    earlier.normalize();
                }
                Some(_) => return Err(duplicate(&d.source_id, &origin, at)),
                None => {
                    places.insert(d.source_id.clone(), at);
                    by_id.insert(d.source_id.clone(), d);
                }
            }
        }
        // Identifiers staged by an earlier batch or file.
        let placeholders: Vec<String> = (1..=by_id.len()).map(|i| format!("${i}")).collect();
        let ids: Vec<Val> = by_id.keys().map(|k| Val::text(k)).collect();
        let existing = tx.rows(
            &format!(
                "SELECT source_id, body, has_primary, origin FROM lists_staging WHERE source_id IN ({})",
                placeholders.join(", ")
            ),
            &ids,
        )?;
        let mut names: Vec<Val> = Vec::new();
        let mut rows: Vec<(Designation, i64, String)> = Vec::with_capacity(by_id.len());
        let mut replaced: Vec<Val> = Vec::new();
        for row in &existing {
            let id = sql::text(row, 0);
            let Some(d) = by_id.remove(id) else { continue };
            if !scattered {
                let at = places
                    .remove(id)
                    .unwrap_or_else(|| Location::Record(id.to_owned()));
                return Err(duplicate(id, sql::text(row, 3), at));
            }
            for name in &d.names {
                names.push(Val::text(id));
                names.push(Val::Text(name_key(&name.full)));
            }
            let mut merged = parse_body(sql::text(row, 1))?;
            merged.absorb(d);
            merged.normalize();
            replaced.push(Val::text(id));
            rows.push((
                merged,
                sql::int(row, 2).max(has_primary),
                sql::text(row, 3).to_owned(),
            ));
        }
        if !replaced.is_empty() {
            // Merged records are deleted and inserted again with the new ones: one
            // statement each instead of one update per record.
            let placeholders: Vec<String> = (1..=replaced.len()).map(|i| format!("${i}")).collect();
            tx.exec(
                &format!(
                    "DELETE FROM lists_staging WHERE source_id IN ({})",
                    placeholders.join(", ")
                ),
                &replaced,
            )?;
        }
        for d in by_id.into_values() {
            for name in &d.names {
                names.push(Val::text(&d.source_id));
                names.push(Val::Text(name_key(&name.full)));
            }
            rows.push((d, has_primary, origin.clone()));
        }
        if !rows.is_empty() {
            let mut values = Vec::with_capacity(rows.len() * 8);
            let mut tuples = Vec::with_capacity(rows.len());
            for (n, (d, primary, first_origin)) in rows.iter().enumerate() {
                let p: Vec<String> = (1..=8).map(|k| format!("${}", n * 8 + k)).collect();
                tuples.push(format!("({})", p.join(", ")));
                values.extend(row_values(d, *primary, first_origin));
            }
            tx.exec(
                &format!(
                    "INSERT INTO lists_staging (source_id, digest, body, caption, schema, listed_on, has_primary, origin) VALUES {}",
                    tuples.join(", ")
                ),
                &values,
            )?;
        }
        for chunk in names.chunks(2 * 500) {
            let tuples: Vec<String> = (0..chunk.len() / 2)
                .map(|n| format!("(${}, ${})", 2 * n + 1, 2 * n + 2))
                .collect();
            tx.exec(
                &format!(
                    "INSERT INTO lists_staging_name (source_id, name_key) VALUES {} ON CONFLICT DO NOTHING",
                    tuples.join(", ")
                ),
                chunk,
            )?;
        }
        Ok(())
    }
}

fn row_values(d: &Designation, has_primary: i64, origin: &str) -> Vec<Val> {
    let body = d.to_json();
    vec![
        Val::text(&d.source_id),
        Val::Text(lite::digest_of(&body)),
        Val::Text(body),
        Val::text(d.caption()),
        Val::OptText(d.schema.map(|s| s.as_str().to_owned())),
        Val::OptText(d.listed_on.map(|l| l.to_string())),
        Val::Int(has_primary),
        Val::text(origin),
    ]
}

/// What the files of an import held, once staged.
struct Staged {
    declared: Vec<Declared>,
    published: Option<String>,
    origins: Vec<String>,
    formats: Vec<Format>,
    /// Where the versions and names of the staged designations are.
    written: Written,
}

/// Where staging put the versions and names of the designations it staged.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Written {
    /// In the staging tables (bodies in `lists_staging`, names in `lists_staging_name`):
    /// the apply step copies those of the added and amended designations.
    Staging,
    /// Already in `lists_version` and `lists_name` (as the previous apply step wrote them
    /// for every staged designation): staging keeps no bodies.
    Direct,
}

/// An import staged by the generic path ([`Statements`]): what PostgreSQL ran before its
/// re-imports were staged by `COPY`, kept as the tests' reference.
#[cfg(test)]
fn import_in(
    tx: &mut dyn Sql,
    request: &ImportRequest,
    files: Vec<ImportFile<'_>>,
    progress: &mut dyn FnMut(u64),
    apply: Apply,
) -> Result<ImportSummary, ListStoreError> {
    check_order(tx, request)?;
    let staged = stage(
        &mut Statements(&mut *tx),
        &request.source,
        files,
        request.allow.empty,
        progress,
    )?;
    record_staged(tx, request, staged, apply)
}

/// How staging writes the batches of a file's records.
trait Stager {
    /// The import's transaction.
    fn sql(&mut self) -> &mut dyn Sql;
    /// How many records of `format` a batch holds.
    fn batch_len(&self, format: Format) -> usize;
    /// Stages the batch's records, leaving it empty.
    fn flush(&mut self, batch: &mut Batch, source: &str) -> Result<(), ListStoreError>;
}

/// The generic staging: one multi-row statement per table and batch ([`Batch::flush`]).
#[cfg(test)]
struct Statements<'t>(&'t mut dyn Sql);

#[cfg(test)]
impl Stager for Statements<'_> {
    fn sql(&mut self) -> &mut dyn Sql {
        &mut *self.0
    }

    fn batch_len(&self, _format: Format) -> usize {
        BATCH
    }

    fn flush(&mut self, batch: &mut Batch, source: &str) -> Result<(), ListStoreError> {
        batch.flush(self.0, source)
    }
}

/// Records an import whose records are staged: checks the files belong to the source,
/// records the changes since its previous import and applies them.
fn record_staged(
    tx: &mut dyn Sql,
    request: &ImportRequest,
    staged: Staged,
    apply: Apply,
) -> Result<ImportSummary, ListStoreError> {
    let source = request.source.as_str();
    // The files belong to the source: by what they say, and the source's latest import.
    let previous = previous_formats(tx, source)?;
    accord_lists::check_import(source, &previous, &staged.declared)?;
    check_orphans(tx)?;
    let import_id = first::next_import_id(tx)?;
    let (s, i, t) = (
        Val::text(source),
        Val::Int(import_id),
        Val::text(&request.observed_at),
    );
    let listed = tx
        .rows(
            "SELECT COUNT(*) FROM lists_designation WHERE source = $1 AND listed = 1",
            std::slice::from_ref(&s),
        )?
        .first()
        .map_or(0, |r| sql::int(r, 0));
    record_changes(tx, &s, &i)?;
    let counts = change_counts(tx, &i)?;
    let empty = staged
        .declared
        .iter()
        .all(|d| matches!(d.contents, Contents::Empty(_)));
    let overridden = guard(source, listed, &counts, empty, request.allow)?;
    match apply {
        Apply::Changed => apply_changes(tx, &s, &i, &t, staged.written)?,
        #[cfg(test)]
        Apply::EveryRow => apply_every_row(tx, &s, &i, &t)?,
    }
    let n_records = tx
        .rows("SELECT COUNT(*) FROM lists_staging", &[])?
        .first()
        .map_or(0, |r| sql::int(r, 0));
    let summary = ImportSummary {
        import_id,
        source: source.to_owned(),
        observed_at: request.observed_at.clone(),
        published: staged.published,
        origin: staged.origins.join(", "),
        content_sha256: request.content_sha256.clone(),
        n_records,
        n_added: counts.added,
        n_removed: counts.removed,
        n_amended: counts.amended,
        n_unchanged: n_records - counts.added - counts.amended,
        formats: staged.formats,
        overridden,
    };
    record_import(tx, &summary)?;
    // The download validators of the source belonged to the import this one replaces.
    tx.exec("DELETE FROM lists_fetch WHERE source = $1", &[s])?;
    tx.exec("DELETE FROM lists_staging", &[])?;
    tx.exec("DELETE FROM lists_staging_name", &[])?;
    Ok(summary)
}

/// Refuses an observation older than the latest import of the source.
fn check_order(tx: &mut dyn Sql, request: &ImportRequest) -> Result<(), ListStoreError> {
    let source = request.source.as_str();
    let latest = tx.rows(
        "SELECT observed_at FROM lists_import WHERE source = $1 ORDER BY id DESC LIMIT 1",
        &[Val::text(source)],
    )?;
    match latest.first().map(|r| sql::text(r, 0).to_owned()) {
        Some(latest) if latest.as_str() > request.observed_at.as_str() => {
            Err(ListStoreError::OutOfOrder {
                source_name: source.to_owned(),
                observed_at: request.observed_at.clone(),
                latest,
            })
        }
        _ => Ok(()),
    }
}

/// Streams every file's records into the staging tables, then asks each file what it
/// declared ([`Records::finish`]): a file that is not complete, or lists nothing unless
/// `if_empty` accepts it, is refused here.
fn stage(
    stager: &mut dyn Stager,
    source: &str,
    files: Vec<ImportFile<'_>>,
    if_empty: IfEmpty,
    progress: &mut dyn FnMut(u64),
) -> Result<Staged, ListStoreError> {
    for statement in STAGING {
        stager.sql().exec(statement, &[])?;
    }
    let mut n_read: u64 = 0;
    let mut staged = Staged {
        declared: Vec::new(),
        published: None,
        origins: Vec::new(),
        formats: Vec::new(),
        written: Written::Staging,
    };
    for file in files {
        let ImportFile {
            origin,
            format,
            mut records,
        } = file;
        let batch_len = stager.batch_len(format);
        let mut batch = Batch {
            format,
            origin: origin.clone(),
            records: Vec::with_capacity(batch_len),
        };
        while let Some(record) = records.next() {
            let designation = record?;
            batch.records.push((designation, records.location()));
            if batch.records.len() >= batch_len {
                stager.flush(&mut batch, source)?;
            }
            n_read += 1;
            if n_read.is_multiple_of(5000) {
                progress(n_read);
            }
        }
        stager.flush(&mut batch, source)?;
        let declared = records.finish(if_empty)?;
        if staged.published.is_none() {
            staged.published = declared.published.map(|p| p.to_string());
        }
        staged.origins.push(format!("{origin} ({format})"));
        staged.formats.push(format);
        staged.declared.push(declared);
    }
    progress(n_read);
    Ok(staged)
}

/// A target met only in companion files (OFAC `add.csv`, `alt.csv`, comments) has no
/// primary row: the set of files is incomplete or inconsistent.
fn check_orphans(tx: &mut dyn Sql) -> Result<(), ListStoreError> {
    let orphans = tx.rows(
        "SELECT source_id, origin FROM lists_staging WHERE has_primary = 0 ORDER BY source_id LIMIT 1",
        &[],
    )?;
    match orphans.first() {
        Some(orphan) => Err(ImportError::new(
            sql::text(orphan, 1),
            Location::Record(sql::text(orphan, 0).to_owned()),
            ErrorKind::Record(
                "this identifier has no primary record in the files of the import: import the primary file (`sdn.csv`) together with its companions".into(),
            ),
        )
        .into()),
        None => Ok(()),
    }
}

/// The formats of the latest import of `source`. Imports recorded before the formats were
/// (schema 3) give them in their origin, `FILE (FORMAT), …`.
fn previous_formats(tx: &mut dyn Sql, source: &str) -> Result<Vec<Format>, ListStoreError> {
    let rows = tx.rows(
        "SELECT formats, origin FROM lists_import WHERE source = $1 ORDER BY id DESC LIMIT 1",
        &[Val::text(source)],
    )?;
    let Some(row) = rows.first() else {
        return Ok(Vec::new());
    };
    match sql::opt_text(row, 0) {
        Some(formats) => parse_formats(formats),
        None => Ok(sql::text(row, 1)
            .split(", ")
            .filter_map(|o| o.rsplit_once(" (")?.1.strip_suffix(')')?.parse().ok())
            .collect()),
    }
}

fn parse_formats(text: &str) -> Result<Vec<Format>, ListStoreError> {
    text.split(',')
        .filter(|f| !f.is_empty())
        .map(|f| {
            f.parse::<Format>()
                .map_err(|e| ListStoreError::Corrupt(e.to_string()))
        })
        .collect()
}

/// Records the differences between the staged records and what the source lists.
fn record_changes(tx: &mut dyn Sql, s: &Val, i: &Val) -> Result<(), ListStoreError> {
    let (s, i) = (s.clone(), i.clone());
    tx.exec(
        "INSERT INTO lists_change (import_id, source, source_id, kind, before_digest, after_digest)
         SELECT CAST($2 AS BIGINT), CAST($1 AS TEXT), s.source_id, 'added', NULL, s.digest FROM lists_staging s
         WHERE NOT EXISTS (SELECT 1 FROM lists_designation d WHERE d.source = $1 AND d.source_id = s.source_id AND d.listed = 1)",
        &[s.clone(), i.clone()],
    )?;
    tx.exec(
        "INSERT INTO lists_change (import_id, source, source_id, kind, before_digest, after_digest)
         SELECT CAST($2 AS BIGINT), CAST($1 AS TEXT), s.source_id, 'amended', d.digest, s.digest FROM lists_staging s
         JOIN lists_designation d ON d.source = $1 AND d.source_id = s.source_id AND d.listed = 1
         WHERE d.digest <> s.digest",
        &[s.clone(), i.clone()],
    )?;
    tx.exec(
        "INSERT INTO lists_change (import_id, source, source_id, kind, before_digest, after_digest)
         SELECT CAST($2 AS BIGINT), CAST($1 AS TEXT), d.source_id, 'removed', d.digest, NULL FROM lists_designation d
         WHERE d.source = $1 AND d.listed = 1
           AND NOT EXISTS (SELECT 1 FROM lists_staging s WHERE s.source_id = d.source_id)",
        &[s, i],
    )?;
    Ok(())
}

/// The changes of one import, by kind.
struct Counts {
    added: i64,
    removed: i64,
    amended: i64,
}

fn change_counts(tx: &mut dyn Sql, i: &Val) -> Result<Counts, ListStoreError> {
    let mut counts = Counts {
        added: 0,
        removed: 0,
        amended: 0,
    };
    for r in tx.rows(
        "SELECT kind, COUNT(*) FROM lists_change WHERE import_id = $1 GROUP BY kind",
        std::slice::from_ref(i),
    )? {
        let n = sql::int(&r, 1);
        match sql::text(&r, 0) {
            "added" => counts.added = n,
            "removed" => counts.removed = n,
            "amended" => counts.amended = n,
            other => return Err(ListStoreError::Corrupt(format!("change kind `{other}`"))),
        }
    }
    Ok(counts)
}

/// The mass-removal guard: an import may remove at most [`MAX_REMOVED_PERCENT`] of the
/// `listed` designations of its source, at every size, unless allowed; an empty list
/// allowed explicitly removes everything. Returns the allowance the import needed.
fn guard(
    source: &str,
    listed: i64,
    counts: &Counts,
    empty: bool,
    allow: Allow,
) -> Result<Option<Override>, ListStoreError> {
    if empty {
        // Refused by `Records::finish` unless allowed.
        return Ok(Some(Override::Empty));
    }
    if counts.removed == 0 || counts.removed * 100 <= listed * MAX_REMOVED_PERCENT {
        return Ok(None);
    }
    match allow.removals {
        Removals::Allowed => Ok(Some(Override::Removals)),
        Removals::Guarded => Err(ListStoreError::MassRemoval {
            source_name: source.to_owned(),
            removed: counts.removed,
            listed,
            added: counts.added,
            amended: counts.amended,
        }),
    }
}

/// How the recorded changes are applied.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Apply {
    /// Versions, designations and names written for the added and amended designations
    /// only; the unchanged ones get the import's number as their latest.
    Changed,
    /// Every staged designation upserted (the previous way, the reference in tests).
    #[cfg(test)]
    EveryRow,
}

/// Applies the recorded changes: listing intervals, designations, versions and names.
/// An unchanged designation has the digest its source lists, whose version and names were
/// written when that digest was added or amended: only its `last_import` changes.
fn apply_changes(
    tx: &mut dyn Sql,
    s: &Val,
    i: &Val,
    t: &Val,
    written: Written,
) -> Result<(), ListStoreError> {
    let (s, i, t) = (s.clone(), i.clone(), t.clone());
    close_removed(tx, &s, &i, &t)?;
    tx.exec(
        "UPDATE lists_designation SET last_import = $2 WHERE source = $1 AND listed = 1",
        &[s.clone(), i.clone()],
    )?;
    if written == Written::Staging {
        tx.exec(
        "INSERT INTO lists_version (digest, body)
         SELECT s.digest, s.body FROM lists_change c JOIN lists_staging s ON s.source_id = c.source_id
         WHERE c.import_id = $1 AND c.kind <> 'removed'
         ON CONFLICT (digest) DO NOTHING",
        std::slice::from_ref(&i),
    )?;
    }
    tx.exec(
        "INSERT INTO lists_designation (source, source_id, digest, caption, schema, listed_on, listed, first_import, last_import)
         SELECT CAST($1 AS TEXT), s.source_id, s.digest, s.caption, s.schema, s.listed_on, 1, CAST($2 AS BIGINT), CAST($2 AS BIGINT)
         FROM lists_change c JOIN lists_staging s ON s.source_id = c.source_id
         WHERE c.import_id = $2 AND c.kind <> 'removed'
         ON CONFLICT (source, source_id) DO UPDATE SET digest = excluded.digest, caption = excluded.caption,
           schema = excluded.schema, listed_on = excluded.listed_on, listed = 1, last_import = excluded.last_import",
        &[s.clone(), i.clone()],
    )?;
    if written == Written::Staging {
        tx.exec(
            "INSERT INTO lists_name (source, source_id, name_key)
         SELECT CAST($1 AS TEXT), n.source_id, n.name_key
         FROM lists_change c JOIN lists_staging_name n ON n.source_id = c.source_id
         WHERE c.import_id = $2 AND c.kind <> 'removed'
         ON CONFLICT DO NOTHING",
            &[s, i],
        )?;
    }
    Ok(())
}

/// Closes the listing intervals of the removed designations, opens those of the added.
fn close_removed(tx: &mut dyn Sql, s: &Val, i: &Val, t: &Val) -> Result<(), ListStoreError> {
    let (s, i, t) = (s.clone(), i.clone(), t.clone());
    tx.exec(
        "UPDATE lists_interval SET until_import = $2, until_at = $3
         WHERE source = $1 AND until_import IS NULL AND source_id IN
           (SELECT source_id FROM lists_change WHERE import_id = $2 AND kind = 'removed')",
        &[s.clone(), i.clone(), t.clone()],
    )?;
    tx.exec(
        "UPDATE lists_designation SET listed = 0, last_import = $2
         WHERE source = $1 AND source_id IN
           (SELECT source_id FROM lists_change WHERE import_id = $2 AND kind = 'removed')",
        &[s.clone(), i.clone()],
    )?;
    tx.exec(
        "INSERT INTO lists_interval (source, source_id, from_import, from_at, until_import, until_at)
         SELECT CAST($1 AS TEXT), source_id, CAST($2 AS BIGINT), CAST($3 AS TEXT), NULL, NULL FROM lists_change
         WHERE import_id = $2 AND kind = 'added'",
        &[s, i, t],
    )?;
    Ok(())
}

/// The previous apply step: every staged designation upserted.
#[cfg(test)]
fn apply_every_row(tx: &mut dyn Sql, s: &Val, i: &Val, t: &Val) -> Result<(), ListStoreError> {
    close_removed(tx, s, i, t)?;
    let (s, i) = (s.clone(), i.clone());
    tx.exec(
        "INSERT INTO lists_version (digest, body) SELECT digest, body FROM lists_staging WHERE true
         ON CONFLICT (digest) DO NOTHING",
        &[],
    )?;
    tx.exec(
        "INSERT INTO lists_designation (source, source_id, digest, caption, schema, listed_on, listed, first_import, last_import)
         SELECT CAST($1 AS TEXT), source_id, digest, caption, schema, listed_on, 1, CAST($2 AS BIGINT), CAST($2 AS BIGINT)
         FROM lists_staging WHERE true
         ON CONFLICT (source, source_id) DO UPDATE SET digest = excluded.digest, caption = excluded.caption,
           schema = excluded.schema, listed_on = excluded.listed_on, listed = 1, last_import = excluded.last_import",
        &[s.clone(), i],
    )?;
    tx.exec(
        "INSERT INTO lists_name (source, source_id, name_key)
         SELECT CAST($1 AS TEXT), source_id, name_key FROM lists_staging_name WHERE true
         ON CONFLICT DO NOTHING",
        &[s],
    )?;
    Ok(())
}

fn record_import(tx: &mut dyn Sql, summary: &ImportSummary) -> Result<(), ListStoreError> {
    let formats: Vec<&str> = summary.formats.iter().map(|f| f.name()).collect();
    tx.exec(
        "INSERT INTO lists_import (id, source, observed_at, published, origin, content_sha256, n_records, n_added, n_removed, n_amended, n_unchanged, formats, overridden)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)",
        &[
            Val::Int(summary.import_id),
            Val::text(&summary.source),
            Val::text(&summary.observed_at),
            Val::OptText(summary.published.clone()),
            Val::text(&summary.origin),
            Val::text(&summary.content_sha256),
            Val::Int(summary.n_records),
            Val::Int(summary.n_added),
            Val::Int(summary.n_removed),
            Val::Int(summary.n_amended),
            Val::Int(summary.n_unchanged),
            Val::Text(formats.join(",")),
            Val::OptText(summary.overridden.map(|o| o.as_str().to_owned())),
        ],
    )?;
    Ok(())
}

mod copy;
mod first;
mod lite;
#[cfg(test)]
mod tests;
