//! The floor: what the store's engine can do at best for the rows an entity needs, measured
//! the same way as an import (parse, canonical JSON, digest, name keys, write, commit, all
//! in one transaction) but into bare tables: no key, no index, no duplicate check, no
//! comparison with a previous import. Two floors:
//!
//! - `rows`: every row a first import writes (designation, version, one name per name, an
//!   open interval, an `added` change), with the same columns and bytes;
//! - `body`: one row per entity, its identifier and canonical JSON: the least any store
//!   that keeps each version's body can write.
//!
//! An import can be no faster than `rows` without writing fewer or smaller rows, and no
//! faster than `body` without storing less than each entity's body.

use std::path::{Path, PathBuf};
use std::time::Instant;

use accord_lists::{Designation, read, sniff};
use accord_store::lists::name_key;
use sha2::{Digest, Sha256};

/// Which rows a floor writes.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Rows {
    /// Every row of a first import.
    All,
    /// One row per entity: its body.
    Body,
}

impl Rows {
    pub fn parse(mode: &str) -> Option<Rows> {
        match mode {
            "floor-rows" => Some(Rows::All),
            "floor-body" => Some(Rows::Body),
            _ => None,
        }
    }
}

const BARE: &str = "
CREATE TABLE floor_designation (source TEXT, source_id TEXT, digest TEXT, caption TEXT,
    schema TEXT, listed_on TEXT, listed BIGINT, first_import BIGINT, last_import BIGINT);
CREATE TABLE floor_version (digest TEXT, body TEXT);
CREATE TABLE floor_name (source TEXT, source_id TEXT, name_key TEXT);
CREATE TABLE floor_interval (source TEXT, source_id TEXT, from_import BIGINT, from_at TEXT);
CREATE TABLE floor_change (import_id BIGINT, source TEXT, source_id TEXT, kind TEXT,
    after_digest TEXT);
CREATE TABLE floor_body (source_id TEXT, body TEXT)";

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// One parsed record, with what every import computes from it.
struct Prepared {
    d: Designation,
    body: String,
    digest: String,
    keys: Vec<String>,
}

fn prepare(mut d: Designation) -> Prepared {
    d.source = "bench".into();
    let body = d.to_json();
    let digest = hex(&Sha256::digest(body.as_bytes()));
    let mut keys: Vec<String> = d.names.iter().map(|n| name_key(&n.full)).collect();
    keys.sort_unstable();
    keys.dedup();
    Prepared {
        d,
        body,
        digest,
        keys,
    }
}

/// Every record of the files, prepared, handed to `write` one at a time.
fn each_record(paths: &[PathBuf], mut write: impl FnMut(&Prepared)) -> u64 {
    let mut n = 0;
    for path in paths {
        let origin = path.display().to_string();
        let file = std::io::BufReader::new(std::fs::File::open(path).unwrap());
        let (format, reader) = sniff(file, &origin).unwrap();
        for record in read(format, reader, &origin) {
            write(&prepare(record.unwrap()));
            n += 1;
        }
    }
    n
}

/// Runs a floor into a fresh SQLite file (the store's settings) and returns the records
/// and the seconds from the first record read to the commit.
pub fn sqlite(rows: Rows, paths: &[PathBuf], work: &Path) -> (u64, f64) {
    let mut conn = accord_store::open_sqlite(&work.join("floor.db")).unwrap();
    conn.pragma_update(None, "cache_size", -65536).unwrap();
    conn.pragma_update(None, "mmap_size", 1i64 << 34).unwrap();
    conn.execute_batch(BARE).unwrap();
    let started = Instant::now();
    let tx = conn.transaction().unwrap();
    let n = each_record(paths, |p| {
        let d = &p.d;
        if rows == Rows::Body {
            tx.prepare_cached("INSERT INTO floor_body VALUES (?1, ?2)")
                .unwrap()
                .execute((&d.source_id, &p.body))
                .unwrap();
            return;
        }
        tx.prepare_cached("INSERT INTO floor_designation VALUES (?1, ?2, ?3, ?4, ?5, ?6, 1, 1, 1)")
            .unwrap()
            .execute((
                &d.source,
                &d.source_id,
                &p.digest,
                d.caption(),
                d.schema.map(|s| s.as_str()),
                d.listed_on.map(|l| l.to_string()),
            ))
            .unwrap();
        tx.prepare_cached("INSERT INTO floor_version VALUES (?1, ?2)")
            .unwrap()
            .execute((&p.digest, &p.body))
            .unwrap();
        let mut name = tx
            .prepare_cached("INSERT INTO floor_name VALUES (?1, ?2, ?3)")
            .unwrap();
        for key in &p.keys {
            name.execute((&d.source, &d.source_id, key)).unwrap();
        }
        tx.prepare_cached("INSERT INTO floor_interval VALUES (?1, ?2, 1, '2026-01-01T00:00:00Z')")
            .unwrap()
            .execute((&d.source, &d.source_id))
            .unwrap();
        tx.prepare_cached("INSERT INTO floor_change VALUES (1, ?1, ?2, 'added', ?3)")
            .unwrap()
            .execute((&d.source, &d.source_id, &p.digest))
            .unwrap();
    });
    tx.commit().unwrap();
    (n, started.elapsed().as_secs_f64())
}

/// Records per binary `COPY`, as the store's first import.
const COPY_BATCH: usize = 4096;

/// Runs a floor into the (fresh) PostgreSQL schema of `url`: binary `COPY` per table and
/// batch, as the store's first import does, into bare tables.
pub fn postgres(rows: Rows, paths: &[PathBuf], url: &str) -> (u64, f64) {
    let mut client = accord_store::connect_postgres(url).unwrap();
    client.batch_execute(BARE).unwrap();
    let started = Instant::now();
    let mut tx = client.transaction().unwrap();
    let mut queued: Vec<Prepared> = Vec::with_capacity(COPY_BATCH);
    let mut n = 0;
    for path in paths {
        let origin = path.display().to_string();
        let file = std::io::BufReader::new(std::fs::File::open(path).unwrap());
        let (format, reader) = sniff(file, &origin).unwrap();
        for record in read(format, reader, &origin) {
            queued.push(prepare(record.unwrap()));
            n += 1;
            if queued.len() >= COPY_BATCH {
                copy(&mut tx, rows, &queued);
                queued.clear();
            }
        }
    }
    copy(&mut tx, rows, &queued);
    tx.commit().unwrap();
    (n, started.elapsed().as_secs_f64())
}

fn open<'a>(
    tx: &'a mut postgres::Transaction<'_>,
    table: &str,
    types: &[postgres::types::Type],
) -> postgres::binary_copy::BinaryCopyInWriter<'a> {
    let sink = tx
        .copy_in(&format!("COPY {table} FROM STDIN BINARY"))
        .unwrap();
    postgres::binary_copy::BinaryCopyInWriter::new(sink, types)
}

fn copy(tx: &mut postgres::Transaction<'_>, rows: Rows, queued: &[Prepared]) {
    use postgres::types::Type;
    const TEXT: Type = Type::TEXT;
    const INT8: Type = Type::INT8;
    if rows == Rows::Body {
        let mut w = open(tx, "floor_body", &[TEXT, TEXT]);
        for p in queued {
            w.write(&[&p.d.source_id, &p.body]).unwrap();
        }
        w.finish().unwrap();
        return;
    }
    let types = [TEXT, TEXT, TEXT, TEXT, TEXT, TEXT, INT8, INT8, INT8];
    let mut w = open(tx, "floor_designation", &types);
    for p in queued {
        let d = &p.d;
        let (schema, listed_on) = (
            d.schema.map(|s| s.as_str()),
            d.listed_on.map(|l| l.to_string()),
        );
        w.write(&[
            &d.source,
            &d.source_id,
            &p.digest,
            &d.caption(),
            &schema,
            &listed_on,
            &1i64,
            &1i64,
            &1i64,
        ])
        .unwrap();
    }
    w.finish().unwrap();
    let mut w = open(tx, "floor_version", &[TEXT, TEXT]);
    for p in queued {
        w.write(&[&p.digest, &p.body]).unwrap();
    }
    w.finish().unwrap();
    let mut w = open(tx, "floor_name", &[TEXT, TEXT, TEXT]);
    for p in queued {
        for key in &p.keys {
            w.write(&[&p.d.source, &p.d.source_id, key]).unwrap();
        }
    }
    w.finish().unwrap();
    let mut w = open(tx, "floor_interval", &[TEXT, TEXT, INT8, TEXT]);
    for p in queued {
        w.write(&[&p.d.source, &p.d.source_id, &1i64, &"2026-01-01T00:00:00Z"])
            .unwrap();
    }
    w.finish().unwrap();
    let mut w = open(tx, "floor_change", &[INT8, TEXT, TEXT, TEXT, TEXT]);
    for p in queued {
        w.write(&[&1i64, &p.d.source, &p.d.source_id, &"added", &p.digest])
            .unwrap();
    }
    w.finish().unwrap();
}
