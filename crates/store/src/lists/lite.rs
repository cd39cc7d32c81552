//! Staging an import's records on SQLite: one cached prepared statement per record, with
//! borrowed parameters, instead of multi-row statements built per batch.
//!
//! - A record of a format whose records are whole targets goes straight into
//!   `lists_staging`; a second record with the same identifier finds its row taken
//!   (`ON CONFLICT DO NOTHING` changes nothing) and is refused as a duplicate.
//! - A fragment of a scattered format ([`Format::scattered`]) is appended to
//!   `lists_fragment`, in file order. The fragments are merged once per target, by one
//!   pass over them sorted by identifier (SQLite's sorter: memory bounded whatever the
//!   file's size), before the next file of whole targets and at the end. Each fragment is
//!   serialised once and read back once, instead of the merged target being read,
//!   merged, serialised and hashed again for every fragment that joins it.
//!
//! What is staged is exactly what the generic path ([`super::Batch`]) stages: the same
//! rows, bodies and names, the same errors for duplicates; the property test
//! `lite_staging_equals_generic_staging` compares the two on generated imports.

use accord_lists::{Designation, ErrorKind, IfEmpty, ImportError, Location};
use rusqlite::{OptionalExtension, Transaction};
use sha2::{Digest, Sha256};

use super::first::{self, Sink};
use super::{ImportFile, ListStoreError, Staged, Written, name_key, parse_body};
use crate::sql::Sql;

/// The staging tables of [`super::STAGING`], keyed by their primary keys alone
/// (`WITHOUT ROWID`): one B-tree per table instead of a rowid table beside the index of its
/// key, so that staging a record writes one tree, not two. They hold the same columns.
const STAGING: &[&str] = &[
    "CREATE TEMP TABLE IF NOT EXISTS lists_staging (
        source_id TEXT PRIMARY KEY,
        digest TEXT NOT NULL,
        body TEXT NOT NULL,
        caption TEXT NOT NULL,
        schema TEXT,
        listed_on TEXT,
        has_primary BIGINT NOT NULL,
        origin TEXT NOT NULL) WITHOUT ROWID",
    "CREATE TEMP TABLE IF NOT EXISTS lists_staging_name (
        source_id TEXT NOT NULL,
        name_key TEXT NOT NULL,
        PRIMARY KEY (source_id, name_key)) WITHOUT ROWID",
    "DELETE FROM lists_staging",
    "DELETE FROM lists_staging_name",
];

const FRAGMENTS: &[&str] = &[
    "CREATE TEMP TABLE IF NOT EXISTS lists_fragment (
        seq INTEGER PRIMARY KEY,
        source_id TEXT NOT NULL,
        has_primary BIGINT NOT NULL,
        origin TEXT NOT NULL,
        body TEXT NOT NULL)",
    "DELETE FROM lists_fragment",
];

const INSERT_STAGED: &str = "INSERT INTO lists_staging (source_id, digest, body, caption, schema, listed_on, has_primary, origin)
     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8) ON CONFLICT (source_id) DO NOTHING";
const INSERT_NAME: &str =
    "INSERT INTO lists_staging_name (source_id, name_key) VALUES (?1, ?2) ON CONFLICT DO NOTHING";
const INSERT_VERSION: &str =
    "INSERT INTO lists_version (digest, body) VALUES (?1, ?2) ON CONFLICT (digest) DO NOTHING";
const INSERT_LISTED_NAME: &str =
    "INSERT INTO lists_name (source, source_id, name_key) VALUES (?1, ?2, ?3)
     ON CONFLICT DO NOTHING";
const STORED_DIGEST: &str =
    "SELECT digest FROM lists_designation WHERE source = ?1 AND source_id = ?2";
const INSERT_FRAGMENT: &str =
    "INSERT INTO lists_fragment (source_id, has_primary, origin, body) VALUES (?1, ?2, ?3, ?4)";

/// The secondary indexes a source's first import builds once after writing its rows
/// instead of inserting into them row by row: names by key, whose keys come in no order (a
/// B-tree seek and often a page split per name, against one sorted pass at the end), and
/// changes by designation (one row per designation a first import adds).
const DEFERRED: &[&str] = &["lists_name_by_key", "lists_change_by_id"];

/// Drops the [`DEFERRED`] indexes for a source's `first` import, returning the statements
/// that create them again ([`build_indexes`], in the same transaction: an import that
/// fails leaves them as they were). A source is imported for the first time once, so
/// rebuilding the indexes over the other sources' rows too is paid once per source.
pub(super) fn defer_indexes(
    tx: &Transaction<'_>,
    first: bool,
) -> Result<Vec<String>, ListStoreError> {
    let mut dropped = Vec::new();
    if !first {
        return Ok(dropped);
    }
    for name in DEFERRED {
        let create: Option<String> = tx
            .query_row(
                "SELECT sql FROM sqlite_master WHERE type = 'index' AND name = ?1",
                [name],
                |r| r.get(0),
            )
            .optional()?;
        if let Some(create) = create {
            tx.execute(&format!("DROP INDEX {name}"), [])?;
            dropped.push(create);
        }
    }
    Ok(dropped)
}

/// Creates the indexes [`defer_indexes`] dropped, as they were defined.
pub(super) fn build_indexes(
    tx: &Transaction<'_>,
    dropped: Vec<String>,
) -> Result<(), ListStoreError> {
    for create in dropped {
        tx.execute(&create, [])?;
    }
    Ok(())
}

/// The SHA-256 of a designation's canonical JSON, in lowercase hex: what
/// [`Designation::digest`] returns, from JSON already made.
pub(super) fn digest_of(json: &str) -> String {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    let digest = Sha256::digest(json.as_bytes());
    let mut out = String::with_capacity(2 * digest.len());
    for b in digest {
        out.push(char::from(HEX[usize::from(b >> 4)]));
        out.push(char::from(HEX[usize::from(b & 0xf)]));
    }
    out
}

/// Stages every file's records (see the module's description), then asks each file what
/// it declared, as [`super::stage`] does.
pub(super) fn stage(
    tx: &Transaction<'_>,
    source: &str,
    files: Vec<ImportFile<'_>>,
    if_empty: IfEmpty,
    progress: &mut dyn FnMut(u64),
) -> Result<Staged, ListStoreError> {
    for statement in STAGING.iter().chain(FRAGMENTS) {
        tx.execute(statement, [])?;
    }
    let mut n_read: u64 = 0;
    let mut pending = false;
    // A record of a file of whole targets that a later scattered file may complete would
    // leave its own version behind if it were written at once: such imports stage bodies.
    let completed_later = files.iter().enumerate().any(|(i, f)| {
        !f.format.scattered() && files.iter().skip(i + 1).any(|g| g.format.scattered())
    });
    let written = if completed_later {
        Written::Staging
    } else {
        Written::Direct
    };
    let mut staged = Staged {
        declared: Vec::new(),
        published: None,
        origins: Vec::new(),
        formats: Vec::new(),
        written,
    };
    for file in files {
        let ImportFile {
            origin,
            format,
            mut records,
        } = file;
        let scattered = format.scattered();
        if !scattered && pending {
            merge_fragments(tx, written)?;
            pending = false;
        }
        let has_primary = i64::from(!format.companion());
        while let Some(record) = records.next() {
            let mut d = record?;
            d.source = source.to_owned();
            if scattered {
                let mut fragment = tx.prepare_cached(INSERT_FRAGMENT)?;
                fragment.execute((&d.source_id, has_primary, &origin, &d.to_json()))?;
                pending = true;
            } else if !insert_staged(tx, &d, d.to_json(), (has_primary, &origin), written)? {
                return Err(duplicate(tx, &d.source_id, &origin, records.location()));
            }
            n_read += 1;
            if n_read.is_multiple_of(5000) {
                progress(n_read);
            }
        }
        let declared = records.finish(if_empty)?;
        if staged.published.is_none() {
            staged.published = declared.published.map(|p| p.to_string());
        }
        staged.origins.push(format!("{origin} ({format})"));
        staged.formats.push(format);
        staged.declared.push(declared);
    }
    if pending {
        merge_fragments(tx, written)?;
    }
    progress(n_read);
    Ok(staged)
}

/// Inserts a staged designation, unless its identifier is staged already (then nothing
/// is written and `false` returned); its version and names go where `written` says.
fn insert_staged(
    tx: &Transaction<'_>,
    d: &Designation,
    body: String,
    (has_primary, origin): (i64, &str),
    written: Written,
) -> Result<bool, ListStoreError> {
    let digest = digest_of(&body);
    let staged_body = match written {
        Written::Staging => body.as_str(),
        Written::Direct => "",
    };
    let mut insert = tx.prepare_cached(INSERT_STAGED)?;
    let inserted = insert.execute((
        &d.source_id,
        &digest,
        staged_body,
        d.caption(),
        d.schema.map(|s| s.as_str()),
        d.listed_on.map(|l| l.to_string()),
        has_primary,
        origin,
    ))?;
    if inserted == 0 {
        return Ok(false);
    }
    match written {
        Written::Staging => {
            let mut name = tx.prepare_cached(INSERT_NAME)?;
            for n in &d.names {
                name.execute((&d.source_id, name_key(&n.full)))?;
            }
        }
        Written::Direct => {
            // The version and names of the digest the designation has in the store were
            // written when that digest was staged: an import that changes nothing (the
            // daily update) looks up one key per designation instead of writing them again.
            let stored: Option<String> = tx
                .prepare_cached(STORED_DIGEST)?
                .query_row((&d.source, &d.source_id), |r| r.get(0))
                .optional()?;
            if stored.as_deref() == Some(digest.as_str()) {
                return Ok(true);
            }
            tx.prepare_cached(INSERT_VERSION)?
                .execute((&digest, &body))?;
            let mut name = tx.prepare_cached(INSERT_LISTED_NAME)?;
            for n in &d.names {
                name.execute((&d.source, &d.source_id, name_key(&n.full)))?;
            }
        }
    }
    Ok(true)
}

/// The error for a second record of `id` (a format whose records are whole targets).
fn duplicate(tx: &Transaction<'_>, id: &str, origin: &str, at: Location) -> ListStoreError {
    let first: Result<Option<String>, _> = tx
        .query_row(
            "SELECT origin FROM lists_staging WHERE source_id = ?1",
            [id],
            |r| r.get(0),
        )
        .optional();
    let first = match first {
        Ok(first) => first.unwrap_or_else(|| origin.to_owned()),
        Err(e) => return e.into(),
    };
    let kind = ErrorKind::Duplicate {
        id: id.to_owned(),
        first_seen_in: (first != origin).then_some(first),
    };
    ImportError::new(origin, at, kind).into()
}

/// A text column, borrowed from the row.
fn text<'r>(row: &'r rusqlite::Row<'_>, i: usize) -> Result<&'r str, rusqlite::Error> {
    Ok(row.get_ref(i)?.as_str()?)
}

/// One target's fragments, merged in file order.
struct Target {
    source_id: String,
    /// The first fragment's JSON, kept as read while it is the only one.
    first_body: Option<String>,
    merged: Option<Designation>,
    fragments: usize,
    has_primary: i64,
    origin: String,
}

impl Target {
    fn absorb(&mut self, body: &str) -> Result<(), ListStoreError> {
        let d = parse_body(body)?;
        let merged = match self.merged.take() {
            Some(m) => m,
            None => parse_body(self.first_body.as_deref().unwrap_or("{}"))?,
        };
        let mut merged = merged;
        merged.absorb(d);
        self.merged = Some(merged);
        self.fragments += 1;
        Ok(())
    }
}

/// Merges the pending fragments into `lists_staging`, each target once: with what is
/// staged already for it (a record of an earlier file) first, then its fragments in file
/// order, normalised when there was more than one.
fn merge_fragments(tx: &Transaction<'_>, written: Written) -> Result<(), ListStoreError> {
    let mut select = tx.prepare(
        "SELECT source_id, has_primary, origin, body FROM lists_fragment ORDER BY source_id, seq",
    )?;
    let mut rows = select.query([])?;
    let mut current: Option<Target> = None;
    while let Some(row) = rows.next()? {
        let id = text(row, 0)?;
        let has_primary: i64 = row.get(1)?;
        let body = text(row, 3)?;
        match current.as_mut() {
            Some(t) if t.source_id == id => {
                t.absorb(body)?;
                t.has_primary = t.has_primary.max(has_primary);
            }
            _ => {
                if let Some(t) = current.take() {
                    finish(tx, t, written)?;
                }
                current = Some(Target {
                    source_id: id.to_owned(),
                    first_body: Some(body.to_owned()),
                    merged: None,
                    fragments: 1,
                    has_primary,
                    origin: row.get(2)?,
                });
            }
        }
    }
    if let Some(t) = current {
        finish(tx, t, written)?;
    }
    drop(rows);
    tx.execute("DELETE FROM lists_fragment", [])?;
    Ok(())
}

/// Stages one merged target, replacing what an earlier file staged for it.
fn finish(tx: &Transaction<'_>, mut t: Target, written: Written) -> Result<(), ListStoreError> {
    let existing: Option<(String, i64, String)> = tx
        .prepare_cached("SELECT COALESCE(NULLIF(s.body, ''), v.body), s.has_primary, s.origin FROM lists_staging s
         LEFT JOIN lists_version v ON v.digest = s.digest WHERE s.source_id = ?1")?
        .query_row([&t.source_id], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
        .optional()?;
    let (body, d) = match existing {
        None if t.fragments == 1 => {
            let body = t.first_body.take().unwrap_or_default();
            let d = parse_body(&body)?;
            (body, d)
        }
        existing => {
            let mut d = match (t.merged.take(), t.first_body.take()) {
                (Some(m), _) => m,
                (None, body) => parse_body(body.as_deref().unwrap_or("{}"))?,
            };
            if let Some((body, has_primary, origin)) = existing {
                let mut earlier = parse_body(&body)?;
                earlier.absorb(d);
                d = earlier;
                t.has_primary = t.has_primary.max(has_primary);
                t.origin = origin;
                tx.prepare_cached("DELETE FROM lists_staging WHERE source_id = ?1")?
                    .execute([&t.source_id])?;
            }
            d.normalize();
            (d.to_json(), d)
        }
    };
    insert_staged(tx, &d, body, (t.has_primary, &t.origin), written)?;
    Ok(())
}

const INSERT_FIRST_DESIGNATION: &str = "INSERT INTO lists_designation (source, source_id, digest, caption, schema, listed_on, listed, first_import, last_import)
     VALUES (?1, ?2, ?3, ?4, ?5, ?6, 1, ?7, ?7) ON CONFLICT (source, source_id) DO NOTHING";
const INSERT_FIRST_INTERVAL: &str =
    "INSERT INTO lists_interval (source, source_id, from_import, from_at, until_import, until_at)
     VALUES (?1, ?2, ?3, ?4, NULL, NULL)";
const INSERT_FIRST_CHANGE: &str =
    "INSERT INTO lists_change (import_id, source, source_id, kind, before_digest, after_digest)
     VALUES (?1, ?2, ?3, 'added', NULL, ?4)";

/// SQLite's sink of a source's first import ([`super::first`]): each record written at once
/// into its final rows, one cached statement per row with borrowed parameters.
pub(super) struct FirstRows<'t, 'c> {
    pub(super) tx: &'t mut Transaction<'c>,
    pub(super) import_id: i64,
    pub(super) observed_at: String,
}

impl Sink for FirstRows<'_, '_> {
    fn record(&mut self, d: Designation, origin: &str, at: Location) -> Result<(), ListStoreError> {
        let tx = &*self.tx;
        let body = d.to_json();
        let digest = digest_of(&body);
        let inserted = tx.prepare_cached(INSERT_FIRST_DESIGNATION)?.execute((
            &d.source,
            &d.source_id,
            &digest,
            d.caption(),
            d.schema.map(|s| s.as_str()),
            d.listed_on.map(|l| l.to_string()),
            self.import_id,
        ))?;
        if inserted == 0 {
            return Err(first::duplicate(&d.source_id, origin, at));
        }
        tx.prepare_cached(INSERT_VERSION)?
            .execute((&digest, &body))?;
        let mut name = tx.prepare_cached(INSERT_LISTED_NAME)?;
        for n in &d.names {
            name.execute((&d.source, &d.source_id, name_key(&n.full)))?;
        }
        tx.prepare_cached(INSERT_FIRST_INTERVAL)?.execute((
            &d.source,
            &d.source_id,
            self.import_id,
            &self.observed_at,
        ))?;
        tx.prepare_cached(INSERT_FIRST_CHANGE)?.execute((
            self.import_id,
            &d.source,
            &d.source_id,
            &digest,
        ))?;
        Ok(())
    }

    fn flush(&mut self) -> Result<(), ListStoreError> {
        Ok(())
    }

    fn tx(&mut self) -> &mut dyn Sql {
        &mut *self.tx
    }
}
