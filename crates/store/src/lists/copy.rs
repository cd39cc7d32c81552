//! Staging an import's records on PostgreSQL by binary `COPY` (issue #18).
//!
//! A file of whole targets is staged [`COPY_BATCH`] records at a time: one binary `COPY`
//! into `lists_staging` and one into `lists_staging_name` per batch, instead of multi-row
//! `INSERT`s of [`BATCH`] records, each parsed and planned, after a query for the
//! identifiers already staged. A repeat inside a batch is found before copying; a repeat of
//! an identifier an earlier batch or file staged makes the copy fail on the staging table's
//! key, inside a savepoint: rolled back, it lets the import find which record repeated it.
//! Either way the error names the record and its line, as the generic path's does, and the
//! caller rolls the import back. Fragments of scattered formats are merged by the generic
//! path ([`Batch::flush`]), which reads back what is staged, however it was written.
//!
//! What is staged is exactly what the generic path stages (same rows, bodies and names);
//! the test `a_reimport_staged_by_copy_equals_the_generic_one_on_both_stores` compares the
//! two across batches.

use std::collections::{BTreeMap, BTreeSet};

use accord_lists::{Designation, ErrorKind, Format, ImportError, Location};
use postgres::binary_copy::BinaryCopyInWriter;
use postgres::error::SqlState;
use postgres::types::Type;

use super::{BATCH, Batch, ListStoreError, Stager, lite, name_key};
use crate::sql::Sql;

/// Records of a file of whole targets staged per binary `COPY`.
const COPY_BATCH: usize = 4096;

/// PostgreSQL's staging (see the module's description).
pub(super) struct Copied<'t, 'c> {
    pub(super) tx: &'t mut postgres::Transaction<'c>,
}

impl Stager for Copied<'_, '_> {
    fn sql(&mut self) -> &mut dyn Sql {
        &mut *self.tx
    }

    fn batch_len(&self, format: Format) -> usize {
        if format.scattered() {
            BATCH
        } else {
            COPY_BATCH
        }
    }

    fn flush(&mut self, batch: &mut Batch, source: &str) -> Result<(), ListStoreError> {
        if batch.format.scattered() {
            return batch.flush(&mut *self.tx, source);
        }
        if batch.records.is_empty() {
            return Ok(());
        }
        let mut seen = BTreeSet::new();
        for (d, at) in &mut batch.records {
            d.source = source.to_owned();
            if !seen.insert(d.source_id.clone()) {
                return Err(duplicate(&d.source_id, &batch.origin, &batch.origin, at));
            }
        }
        let has_primary = i64::from(!batch.format.companion());
        let mut savepoint = self.tx.transaction()?;
        match copy_staged(&mut savepoint, batch, has_primary) {
            Ok(()) => savepoint.commit()?,
            Err(e) if e.code() == Some(&SqlState::UNIQUE_VIOLATION) => {
                drop(savepoint);
                return Err(self.repeated(batch));
            }
            Err(e) => return Err(e.into()),
        }
        batch.records.clear();
        Ok(())
    }
}

impl Copied<'_, '_> {
    /// The duplicate error for the first record of a batch whose identifier an earlier
    /// batch or file staged.
    fn repeated(&mut self, batch: &Batch) -> ListStoreError {
        let ids: Vec<&str> = batch
            .records
            .iter()
            .map(|(d, _)| d.source_id.as_str())
            .collect();
        let staged = match self.tx.query(
            "SELECT source_id, origin FROM lists_staging WHERE source_id = ANY($1)",
            &[&ids],
        ) {
            Ok(rows) => rows,
            Err(e) => return e.into(),
        };
        let staged: BTreeMap<String, String> =
            staged.iter().map(|r| (r.get(0), r.get(1))).collect();
        batch
            .records
            .iter()
            .find_map(|(d, at)| {
                let first_origin = staged.get(&d.source_id)?;
                Some(duplicate(&d.source_id, &batch.origin, first_origin, at))
            })
            .unwrap_or_else(|| ListStoreError::Corrupt("a record could not be staged".into()))
    }
}

/// The error for a second record of `id`, in `origin` at `at`, first seen in
/// `first_origin`: the generic path's words.
fn duplicate(id: &str, origin: &str, first_origin: &str, at: &Location) -> ListStoreError {
    let kind = ErrorKind::Duplicate {
        id: id.to_owned(),
        first_seen_in: (first_origin != origin).then(|| first_origin.to_owned()),
    };
    ImportError::new(origin, at.clone(), kind).into()
}

/// Copies a batch's records into `lists_staging` and their distinct name keys into
/// `lists_staging_name`.
fn copy_staged(
    tx: &mut postgres::Transaction<'_>,
    batch: &Batch,
    has_primary: i64,
) -> Result<(), postgres::Error> {
    let mut rows = BinaryCopyInWriter::new(
        tx.copy_in(
            "COPY lists_staging (source_id, digest, body, caption, schema, listed_on, has_primary, origin) FROM STDIN BINARY",
        )?,
        &[
            Type::TEXT,
            Type::TEXT,
            Type::TEXT,
            Type::TEXT,
            Type::TEXT,
            Type::TEXT,
            Type::INT8,
            Type::TEXT,
        ],
    );
    for (d, _) in &batch.records {
        write_staged(&mut rows, d, has_primary, &batch.origin)?;
    }
    rows.finish()?;
    let mut names = BinaryCopyInWriter::new(
        tx.copy_in("COPY lists_staging_name (source_id, name_key) FROM STDIN BINARY")?,
        &[Type::TEXT, Type::TEXT],
    );
    for (d, _) in &batch.records {
        let keys: BTreeSet<String> = d.names.iter().map(|n| name_key(&n.full)).collect();
        for key in &keys {
            names.write(&[&d.source_id, key])?;
        }
    }
    names.finish()?;
    Ok(())
}

/// Writes one staged row: the columns [`super::row_values`] gives the generic path.
fn write_staged(
    rows: &mut BinaryCopyInWriter,
    d: &Designation,
    has_primary: i64,
    origin: &str,
) -> Result<(), postgres::Error> {
    let body = d.to_json();
    let digest = lite::digest_of(&body);
    let schema = d.schema.map(|s| s.as_str());
    let listed_on = d.listed_on.map(|l| l.to_string());
    rows.write(&[
        &d.source_id,
        &digest,
        &body,
        &d.caption(),
        &schema,
        &listed_on,
        &has_primary,
        &origin,
    ])
}
