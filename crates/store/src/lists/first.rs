//! A source's first import, written straight into the list tables (issue #18).
//!
//! With no designation of the source stored, every record of the import is an addition:
//! there is nothing to compare, so nothing is staged. When the import is one file whose
//! records are whole targets ([`direct`]: FtM, UN XML, …), each record is written once into
//! its final rows — designation, version, names, an open listing interval and its `added`
//! change — exactly the rows the staged path ([`super::record_staged`]) writes for the same
//! file; the property test `lite_staging_equals_generic_staging` compares the two. A second
//! record with the same identifier finds its designation taken and is refused as a
//! duplicate. Any error leaves the transaction to be rolled back by the caller: nothing is
//! imported.
//!
//! The records go to a [`Sink`]: on SQLite one cached statement per row
//! ([`super::lite::FirstRows`]), on PostgreSQL one binary `COPY` per table and batch
//! ([`Copied`]).

use std::collections::BTreeSet;

use accord_lists::{Contents, Designation, ErrorKind, ImportError, Location};

use super::{
    Counts, ImportFile, ImportRequest, ImportSummary, ListStoreError, guard, lite, name_key,
    previous_formats, record_import,
};
use crate::sql::{self, Sql, Val};

/// Whether a source's first import can be written without staging: one file whose records
/// are whole targets (no fragment to merge, no companion without its primary, and a
/// duplicate is always of a record of the same file, so its error names no other file).
pub(super) fn direct(files: &[ImportFile<'_>]) -> bool {
    match files {
        [file] => !file.format.scattered() && !file.format.companion(),
        _ => false,
    }
}

/// Whether `source` has never been imported (no designation of it is stored; a stored
/// designation is never deleted).
pub(super) fn never_imported(tx: &mut dyn Sql, source: &str) -> Result<bool, ListStoreError> {
    let rows = tx.rows(
        "SELECT COUNT(*) FROM (SELECT 1 FROM lists_designation WHERE source = $1 LIMIT 1) x",
        &[Val::text(source)],
    )?;
    Ok(rows.first().is_none_or(|r| sql::int(r, 0) == 0))
}

/// Where a first import's records are written.
pub(super) trait Sink {
    /// Writes (or queues) one record of `origin`, read at `at`.
    fn record(&mut self, d: Designation, origin: &str, at: Location) -> Result<(), ListStoreError>;
    /// Writes what is queued.
    fn flush(&mut self) -> Result<(), ListStoreError>;
    /// The transaction, for the import's record.
    fn tx(&mut self) -> &mut dyn Sql;
}

/// The error for a second record of `id` in `origin`.
pub(super) fn duplicate(id: &str, origin: &str, at: Location) -> ListStoreError {
    ImportError::new(
        origin,
        at,
        ErrorKind::Duplicate {
            id: id.to_owned(),
            first_seen_in: None,
        },
    )
    .into()
}

/// Imports the files ([`direct`]) of a source never imported into `sink` as import
/// `import_id`, then records the import.
pub(super) fn import(
    sink: &mut dyn Sink,
    request: &ImportRequest,
    import_id: i64,
    files: Vec<ImportFile<'_>>,
    progress: &mut dyn FnMut(u64),
) -> Result<ImportSummary, ListStoreError> {
    let source = request.source.as_str();
    let mut n_read: u64 = 0;
    let (mut declared, mut origins, mut formats, mut published) =
        (Vec::new(), Vec::new(), Vec::new(), None);
    for file in files {
        let ImportFile {
            origin,
            format,
            mut records,
        } = file;
        while let Some(record) = records.next() {
            let mut d = record?;
            d.source = source.to_owned();
            sink.record(d, &origin, records.location())?;
            n_read += 1;
            if n_read.is_multiple_of(5000) {
                progress(n_read);
            }
        }
        sink.flush()?;
        let file_declared = records.finish(request.allow.empty)?;
        if published.is_none() {
            published = file_declared.published.map(|p| p.to_string());
        }
        origins.push(format!("{origin} ({format})"));
        formats.push(format);
        declared.push(file_declared);
    }
    progress(n_read);
    let tx = sink.tx();
    let previous = previous_formats(tx, source)?;
    accord_lists::check_import(source, &previous, &declared)?;
    let n_records = i64::try_from(n_read).unwrap_or(i64::MAX);
    let counts = Counts {
        added: n_records,
        removed: 0,
        amended: 0,
    };
    let empty = declared
        .iter()
        .all(|d| matches!(d.contents, Contents::Empty(_)));
    let overridden = guard(source, 0, &counts, empty, request.allow)?;
    let summary = ImportSummary {
        import_id,
        source: source.to_owned(),
        observed_at: request.observed_at.clone(),
        published,
        origin: origins.join(", "),
        content_sha256: request.content_sha256.clone(),
        n_records,
        n_added: n_records,
        n_removed: 0,
        n_amended: 0,
        n_unchanged: 0,
        formats,
        overridden,
    };
    record_import(tx, &summary)?;
    tx.exec(
        "DELETE FROM lists_fetch WHERE source = $1",
        &[Val::text(source)],
    )?;
    Ok(summary)
}

/// The next import's number.
pub(super) fn next_import_id(tx: &mut dyn Sql) -> Result<i64, ListStoreError> {
    Ok(tx
        .rows("SELECT COALESCE(MAX(id), 0) + 1 FROM lists_import", &[])?
        .first()
        .map_or(1, |r| sql::int(r, 0)))
}

/// Records a PostgreSQL first import writes per binary `COPY` of each table.
const COPY_BATCH: usize = 4096;

/// PostgreSQL's sink: records queued and written [`COPY_BATCH`] at a time by one binary
/// `COPY` per table, with no statement text to parse and plan per batch. A batch's
/// designations are copied inside a savepoint: an identifier already listed by an earlier
/// batch makes the copy fail on the table's key, and the savepoint rolled back lets the
/// import find which record repeated it. Versions, intervals and changes are new for a
/// source never imported (the version's body names its source); a designation's names are
/// copied once per distinct key, as `ON CONFLICT DO NOTHING` keeps them.
pub(super) struct Copied<'t, 'c> {
    pub(super) tx: &'t mut postgres::Transaction<'c>,
    pub(super) import_id: i64,
    pub(super) observed_at: String,
    pub(super) queued: Vec<(Designation, String, Location)>,
}

impl Sink for Copied<'_, '_> {
    fn record(&mut self, d: Designation, origin: &str, at: Location) -> Result<(), ListStoreError> {
        self.queued.push((d, origin.to_owned(), at));
        if self.queued.len() >= COPY_BATCH {
            self.flush()?;
        }
        Ok(())
    }

    fn flush(&mut self) -> Result<(), ListStoreError> {
        if self.queued.is_empty() {
            return Ok(());
        }
        let queued = std::mem::take(&mut self.queued);
        let mut seen = BTreeSet::new();
        for (d, origin, at) in &queued {
            if !seen.insert(d.source_id.as_str()) {
                return Err(duplicate(&d.source_id, origin, at.clone()));
            }
        }
        let bodies: Vec<(String, String)> = queued
            .iter()
            .map(|(d, _, _)| {
                let body = d.to_json();
                (lite::digest_of(&body), body)
            })
            .collect();
        let mut savepoint = self.tx.transaction()?;
        match copy_designations(&mut savepoint, &queued, &bodies, self.import_id) {
            Ok(()) => savepoint.commit()?,
            Err(e) if e.code() == Some(&postgres::error::SqlState::UNIQUE_VIOLATION) => {
                drop(savepoint);
                return Err(self.repeated(&queued));
            }
            Err(e) => return Err(e.into()),
        }
        copy_rows(self.tx, &queued, &bodies, self.import_id, &self.observed_at)?;
        Ok(())
    }

    fn tx(&mut self) -> &mut dyn Sql {
        &mut *self.tx
    }
}

impl Copied<'_, '_> {
    /// The duplicate error for the first record of a batch whose identifier an earlier
    /// batch listed.
    fn repeated(&mut self, queued: &[(Designation, String, Location)]) -> ListStoreError {
        let Some((first, _, _)) = queued.first() else {
            return ListStoreError::Corrupt("an empty batch failed".into());
        };
        let ids: Vec<&str> = queued
            .iter()
            .map(|(d, _, _)| d.source_id.as_str())
            .collect();
        let listed = match self.tx.query(
            "SELECT source_id FROM lists_designation WHERE source = $1 AND source_id = ANY($2)",
            &[&first.source, &ids],
        ) {
            Ok(rows) => rows,
            Err(e) => return e.into(),
        };
        let listed: BTreeSet<String> = listed.iter().map(|r| r.get(0)).collect();
        match queued
            .iter()
            .find(|(d, _, _)| listed.contains(&d.source_id))
        {
            Some((d, origin, at)) => duplicate(&d.source_id, origin, at.clone()),
            None => ListStoreError::Corrupt("a designation could not be written".into()),
        }
    }
}

/// Copies a batch's designations (listed, first and last seen in `import_id`).
fn copy_designations(
    tx: &mut postgres::Transaction<'_>,
    queued: &[(Designation, String, Location)],
    bodies: &[(String, String)],
    import_id: i64,
) -> Result<(), postgres::Error> {
    use postgres::binary_copy::BinaryCopyInWriter;
    use postgres::types::Type;
    let sink = tx.copy_in(
        "COPY lists_designation (source, source_id, digest, caption, schema, listed_on, listed, first_import, last_import) FROM STDIN BINARY",
    )?;
    let types = [
        Type::TEXT,
        Type::TEXT,
        Type::TEXT,
        Type::TEXT,
        Type::TEXT,
        Type::TEXT,
        Type::INT8,
        Type::INT8,
        Type::INT8,
    ];
    let mut writer = BinaryCopyInWriter::new(sink, &types);
    for ((d, _, _), (digest, _)) in queued.iter().zip(bodies) {
        let schema = d.schema.map(|s| s.as_str());
        let listed_on = d.listed_on.map(|l| l.to_string());
        writer.write(&[
            &d.source,
            &d.source_id,
            digest,
            &d.caption(),
            &schema,
            &listed_on,
            &1i64,
            &import_id,
            &import_id,
        ])?;
    }
    writer.finish()?;
    Ok(())
}

/// Copies a batch's versions, names, open intervals and `added` changes.
fn copy_rows(
    tx: &mut postgres::Transaction<'_>,
    queued: &[(Designation, String, Location)],
    bodies: &[(String, String)],
    import_id: i64,
    observed_at: &str,
) -> Result<(), postgres::Error> {
    use postgres::binary_copy::BinaryCopyInWriter;
    use postgres::types::Type;
    let text2 = [Type::TEXT, Type::TEXT];
    let mut versions = BinaryCopyInWriter::new(
        tx.copy_in("COPY lists_version (digest, body) FROM STDIN BINARY")?,
        &text2,
    );
    for (digest, body) in bodies {
        versions.write(&[digest, body])?;
    }
    versions.finish()?;
    let mut names = BinaryCopyInWriter::new(
        tx.copy_in("COPY lists_name (source, source_id, name_key) FROM STDIN BINARY")?,
        &[Type::TEXT, Type::TEXT, Type::TEXT],
    );
    for (d, _, _) in queued {
        let keys: BTreeSet<String> = d.names.iter().map(|n| name_key(&n.full)).collect();
        for key in &keys {
            names.write(&[&d.source, &d.source_id, key])?;
        }
    }
    names.finish()?;
    let mut intervals = BinaryCopyInWriter::new(
        tx.copy_in(
            "COPY lists_interval (source, source_id, from_import, from_at) FROM STDIN BINARY",
        )?,
        &[Type::TEXT, Type::TEXT, Type::INT8, Type::TEXT],
    );
    for (d, _, _) in queued {
        intervals.write(&[&d.source, &d.source_id, &import_id, &observed_at])?;
    }
    intervals.finish()?;
    let mut changes = BinaryCopyInWriter::new(
        tx.copy_in(
            "COPY lists_change (import_id, source, source_id, kind, after_digest) FROM STDIN BINARY",
        )?,
        &[Type::INT8, Type::TEXT, Type::TEXT, Type::TEXT, Type::TEXT],
    );
    for ((d, _, _), (digest, _)) in queued.iter().zip(bodies) {
        changes.write(&[&import_id, &d.source, &d.source_id, &"added", digest])?;
    }
    changes.finish()?;
    Ok(())
}
