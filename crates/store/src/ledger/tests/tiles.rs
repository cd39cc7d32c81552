//! The tree's hashes as tiles (migration 6): a store written before them is migrated when
//! opened and proves, audits and grows as before.

use accord_ledger::merkle::{CompactRange, MemoryTree, is_stored_level};

use super::*;

/// Appends `n` evidence entries (numbered from `from`) through the writer, all in flight.
fn append_many(ledger: Ledger, from: u64, n: u64) {
    let sequencer = ledger.into_sequencer(GroupCommit::default()).unwrap();
    let pending: Vec<_> = (from..from + n)
        .map(|i| sequencer.submit(submission(signed(Body::Open(evidence(i)), &[("iaea", 3)]))))
        .collect();
    for rx in pending {
        rx.recv().unwrap().unwrap();
    }
    sequencer.shutdown();
}

/// The rows the writer of schema 5 stored: one per leaf hash, one per subtree hash at
/// every 4th level.
fn node_rows(leaf_hashes: &[Hash]) -> Vec<(u32, u64, Hash)> {
    let mut range = CompactRange::new();
    let mut rows = Vec::new();
    for (i, leaf) in leaf_hashes.iter().enumerate() {
        rows.push((0, i as u64, *leaf));
        range.push(*leaf, |level, idx, hash| {
            if is_stored_level(level) {
                rows.push((level, idx, *hash));
            }
        });
    }
    rows
}

/// Makes `store` a store of schema 5 holding the log `info` with `entries`, as the build
/// before tiles wrote it.
fn write_schema_5(store: &TestStore, info: &LogInfo, entries: &[EntryRow]) {
    let roster = |r: &Roster| serde_json::to_string(r).unwrap();
    let last = info.last_recorded.map(|t| t.to_string());
    let size = info.size as i64;
    let log = "INSERT INTO ledger_log (id, origin, log_key, initial_roster, roster, size, last_recorded) \
               VALUES (1, $1, $2, $3, $4, $5, $6)";
    let entry = "INSERT INTO ledger_entry (log, idx, entry_id, leaf) VALUES (1, $1, $2, $3)";
    let node = "INSERT INTO ledger_node (log, level, idx, hash) VALUES (1, $1, $2, $3)";
    let hashes: Vec<Hash> = entries.iter().map(|e| e.3).collect();
    match &store.url {
        StoreUrl::Sqlite(path) => {
            let mut c = crate::open_sqlite(path).unwrap();
            crate::migrate::apply_sqlite(&mut c, 5).unwrap();
            let (initial, current) = (roster(&info.initial_roster), roster(&info.roster));
            let p = |sql: &str| sql.replace('$', "?");
            c.execute(
                &p(log),
                rusqlite::params![info.origin, info.log_key, initial, current, size, last],
            )
            .unwrap();
            for (idx, id, leaf, _) in entries {
                c.execute(&p(entry), rusqlite::params![*idx as i64, &id[..], leaf])
                    .unwrap();
            }
            for (level, idx, hash) in node_rows(&hashes) {
                c.execute(&p(node), rusqlite::params![level, idx as i64, &hash[..]])
                    .unwrap();
            }
        }
        StoreUrl::Postgres(url) => {
            let mut c = crate::connect_postgres(url).unwrap();
            crate::migrate::apply_postgres(&mut c, 5).unwrap();
            let (initial, current) = (roster(&info.initial_roster), roster(&info.roster));
            c.execute(
                log,
                &[
                    &info.origin,
                    &info.log_key,
                    &initial,
                    &current,
                    &size,
                    &last,
                ],
            )
            .unwrap();
            for (idx, id, leaf, _) in entries {
                c.execute(entry, &[&(*idx as i64), &&id[..], leaf]).unwrap();
            }
            for (level, idx, hash) in node_rows(&hashes) {
                c.execute(node, &[&(level as i32), &(idx as i64), &&hash[..]])
                    .unwrap();
            }
        }
    }
}

/// Proofs from the store against the same proofs over the leaf hashes in memory.
fn assert_proves_as(ledger: &mut Ledger, tree: &MemoryTree) {
    let n = tree.size();
    assert_eq!(ledger.root_at(n).unwrap(), tree.root());
    for (index, size) in [
        (0, n),
        (255, 256),
        (256, n),
        (n - 1, n),
        (17, 300),
        (511, 512),
    ] {
        assert_eq!(
            ledger.inclusion_proof(index, size).unwrap(),
            merkle::inclusion_proof(tree, index, size).unwrap(),
            "inclusion of {index} in {size}"
        );
    }
    for (old, new) in [(1, n), (256, n), (257, 600), (300, 513), (n - 1, n)] {
        assert_eq!(
            ledger.consistency_proof(old, new).unwrap(),
            merkle::consistency_proof(tree, old, new).unwrap(),
            "consistency of {old} with {new}"
        );
    }
    let report = ledger.audit().unwrap();
    assert!(report.is_clean(), "{:?}", report.findings);
}

#[test]
fn a_store_written_before_tiles_is_migrated_when_opened_and_proves_as_before() {
    both(|store| {
        // The log's rows, made by the writer in a scratch store: migration 6 changes only
        // how the hashes are kept, not the log's rows or its entries.
        let scratch = TestStore::sqlite();
        append_many(init(&scratch), 0, 600);
        let mut written = Ledger::open(&scratch.url, Some(ORIGIN)).unwrap();
        let info = written.info().clone();
        let entries = written.backend.entries(info.id, 0, info.size).unwrap();
        assert_eq!(entries.len(), 600);
        write_schema_5(store, &info, &entries);

        // One handle throughout, so that its cache of upper tiles is used across appends.
        let handle = Store::open(&store.url).unwrap();
        let mut ledger = handle.ledger(Some(ORIGIN)).unwrap();
        let mut tree = MemoryTree::from_leaves(entries.iter().map(|e| e.3));
        assert_proves_as(&mut ledger, &tree);
        assert_eq!(
            ledger
                .backend
                .tiles(1, &[(0, 0), (0, 2), (4, 0), (8, 0)])
                .unwrap()
                .iter()
                .map(Vec::len)
                .collect::<Vec<_>>(),
            [256, 88, 37, 2],
            "600 leaf hashes in 3 tiles, 37 subtree hashes of 16 leaves and 2 of 256 in one each"
        );

        // The migrated tiles are continued by new appends, and the last tile of level 8,
        // cached with 2 hashes, is read again once a proof needs its 4.
        append_many(ledger, 1000, 500);
        let mut ledger = handle.ledger(Some(ORIGIN)).unwrap();
        for e in ledger.backend.entries(1, 600, 1100).unwrap() {
            tree.push(e.3);
        }
        assert_proves_as(&mut ledger, &tree);
        assert_eq!(ledger.backend.tiles(1, &[(8, 0)]).unwrap()[0].len(), 4);
    });
}

/// The tile rows of a SQLite store, in key order.
fn tile_rows(path: &std::path::Path) -> Vec<(i64, i64, i64, Vec<u8>)> {
    let c = rusqlite::Connection::open(path).unwrap();
    let mut stmt = c
        .prepare("SELECT log, level, idx, hashes FROM ledger_tile ORDER BY log, level, idx")
        .unwrap();
    stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap()
}

/// Whether the SQLite store's `ledger_tile` has rowids (migration 9), rather than being
/// keyed WITHOUT ROWID (migration 6).
fn tiles_have_rowids(path: &std::path::Path) -> bool {
    let c = rusqlite::Connection::open(path).unwrap();
    c.prepare("SELECT rowid FROM ledger_tile").is_ok()
}

/// A SQLite store whose tiles are keyed WITHOUT ROWID (schema 8, every store before
/// migration 9) is rebuilt when opened: the same rows, now in a rowid table, and the
/// same proofs, also after it grows.
#[test]
fn a_store_with_tiles_keyed_without_rowid_is_rebuilt_and_proves_as_before() {
    let scratch = TestStore::sqlite();
    append_many(init(&scratch), 0, 700);
    let mut written = Ledger::open(&scratch.url, Some(ORIGIN)).unwrap();
    let info = written.info().clone();
    let entries = written.backend.entries(info.id, 0, info.size).unwrap();
    let store = TestStore::sqlite();
    let StoreUrl::Sqlite(path) = &store.url else {
        unreachable!()
    };
    write_schema_5(&store, &info, &entries);
    crate::migrate::apply_sqlite(&mut crate::open_sqlite(path).unwrap(), 8).unwrap();
    let before = tile_rows(path);
    assert!(
        !tiles_have_rowids(path),
        "schema 8 keys its tiles without rowid"
    );

    let handle = Store::open(&store.url).unwrap();
    assert!(
        tiles_have_rowids(path),
        "migration 9 gives the tiles rowids"
    );
    assert_eq!(
        tile_rows(path),
        before,
        "the same tile rows after the rebuild"
    );
    let mut ledger = handle.ledger(Some(ORIGIN)).unwrap();
    let mut tree = MemoryTree::from_leaves(entries.iter().map(|e| e.3));
    assert_proves_as(&mut ledger, &tree);

    append_many(ledger, 1000, 300);
    let mut ledger = handle.ledger(Some(ORIGIN)).unwrap();
    for e in ledger.backend.entries(1, 700, 1000).unwrap() {
        tree.push(e.3);
    }
    assert_proves_as(&mut ledger, &tree);
}

/// A failover to a standby that had not received the last commits: the log the server
/// reads is not the one its tile cache read. Shorter than when the cached tiles were read
/// (300, 520: even one whose upper tile is as long as the cached one), or regrown past the
/// cached upper tile with other entries (800: the tile read again does not continue the
/// cached one), or regrown to the size the cache was read at or past it without needing
/// more of the cached upper tile (600, 700: only the anchor's leaf tells), it proves
/// against its own root.
#[test]
fn a_log_replaced_under_the_tile_cache_proves_against_its_new_root() {
    both(|store| {
        for replaced_by in [300, 520, 800, 600, 700] {
            replace_under_the_cache(store, replaced_by);
        }
    });
}

/// Fills a log with 600 entries and reads proofs through one handle (its cache now holds
/// the level-8 tile), replaces the log's rows with `size` other entries, then proves
/// through the first handle.
fn replace_under_the_cache(store: &TestStore, size: u64) {
    let kind = format!("{} replaced by {size}", store.kind());
    let server = Store::open(&store.url).unwrap();
    // The previous case's log, if any, is gone (this handle's cache is empty).
    store.execute(
        "DELETE FROM ledger_checkpoint; DELETE FROM ledger_sealed; DELETE FROM ledger_verified; \
         DELETE FROM ledger_entry; DELETE FROM ledger_tile; DELETE FROM ledger_log;",
    );
    server
        .init_log(ORIGIN, &log_key().verifier(), &roster())
        .unwrap();
    append_many(server.ledger(Some(ORIGIN)).unwrap(), 0, 600);
    let mut before = server.ledger(Some(ORIGIN)).unwrap();
    let old_root = before.root_at(600).unwrap();
    before.inclusion_proof(7, 600).unwrap();
    drop(before);
    // The promoted standby's log: the same log row, its entries and tiles gone, then other
    // entries appended (through a handle with a cache of its own).
    store.execute(
        "DELETE FROM ledger_checkpoint; DELETE FROM ledger_sealed; DELETE FROM ledger_verified; \
         DELETE FROM ledger_entry; DELETE FROM ledger_tile; \
         UPDATE ledger_log SET size = 0, last_recorded = NULL;",
    );
    let promoted = Store::open(&store.url).unwrap();
    append_many(promoted.ledger(Some(ORIGIN)).unwrap(), 1000, size);
    let new_root = promoted
        .ledger(Some(ORIGIN))
        .unwrap()
        .root_at(size)
        .unwrap();
    assert_ne!(new_root, old_root, "{kind}");

    let mut after = server.ledger(Some(ORIGIN)).unwrap();
    assert_eq!(after.info().size, size, "{kind}");
    assert_eq!(after.root_at(size).unwrap(), new_root, "{kind}");
    let (_, leaf) = after.entry(7).unwrap();
    let proof = after.inclusion_proof(7, size).unwrap();
    merkle::verify_inclusion(&leaf, 7, size, &proof, &new_root).unwrap();
}

/// Appends synthetic leaves `from..from + n` through the back end in one batch, with the
/// subtree hashes they complete, and pushes their leaf hashes onto `tree`.
fn append_synthetic(
    backend: &mut dyn LedgerBackend,
    log: i64,
    range: &mut CompactRange,
    tree: &mut MemoryTree,
    n: u64,
) {
    let from = range.size();
    let mut batch = Batch::default();
    for i in from..from + n {
        let leaf = i.to_be_bytes().to_vec();
        let leaf_hash = merkle::leaf_hash(&leaf);
        range.push(leaf_hash, |level, idx, hash| {
            if is_stored_level(level) {
                batch.nodes.push((level, idx, *hash));
            }
        });
        tree.push(leaf_hash);
        let mut entry_id = [0u8; 32];
        entry_id[..8].copy_from_slice(&i.to_be_bytes());
        batch.entries.push(StoredEntry {
            index: i,
            entry_id,
            leaf,
            leaf_hash,
            sealed: None,
        });
    }
    backend.append(log, from, &batch).unwrap();
}

proptest::proptest! {
    #![proptest_config(proptest::prelude::ProptestConfig { cases: 12, ..Default::default() })]

    /// Proofs and roots from the store's tiles are the in-memory tree's, for random sizes
    /// and indexes, at every size the log had between batches (so across tile and batch
    /// boundaries), read through one handle whose cache of upper tiles was filled at the
    /// earlier sizes.
    #[test]
    fn proofs_from_the_store_are_the_in_memory_proofs(
        batches in proptest::collection::vec(1u64..9000, 1..5),
        picks in proptest::collection::vec((proptest::prelude::any::<u64>(), proptest::prelude::any::<u64>()), 6),
    ) {
        both(|store| {
            let handle = Store::open(&store.url).unwrap();
            let mut ledger = handle.init_log(ORIGIN, &log_key().verifier(), &roster()).unwrap();
            let mut backend = open_backend(&store.url).unwrap();
            let log = ledger.info().id;
            let (mut range, mut tree) = (CompactRange::new(), MemoryTree::new());
            let mut sizes = Vec::new();
            for &n in &batches {
                append_synthetic(backend.as_mut(), log, &mut range, &mut tree, n);
                sizes.push(range.size());
                ledger.refresh().unwrap();
                for &size in &sizes {
                    assert_eq!(ledger.root_at(size).unwrap(), tree.root_at(size), "root at {size}");
                    for &(a, b) in &picks {
                        let index = a % size;
                        assert_eq!(
                            ledger.inclusion_proof(index, size).unwrap(),
                            merkle::inclusion_proof(&tree, index, size).unwrap(),
                            "inclusion of {index} in {size}"
                        );
                        let old = b % (size + 1);
                        assert_eq!(
                            ledger.consistency_proof(old, size).unwrap(),
                            merkle::consistency_proof(&tree, old, size).unwrap(),
                            "consistency of {old} with {size}"
                        );
                    }
                }
            }
        });
    }
}
