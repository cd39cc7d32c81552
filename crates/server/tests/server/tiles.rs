//! The log as C2SP tlog-tiles, read by a client with its own code: the tiles and bundles
//! of two checkpointed sizes fetched over HTTP, the tree's root rebuilt from them with
//! this file's RFC 6962 hashing and compared with the signed checkpoint, an inclusion
//! proof built from the tiles and verified; bad paths are 400 problems, tiles the tree
//! does not hold 404s.

use accord_core::id::{AgreementId, ParticipantId};
use accord_ledger::entry::{Body, Entry};
use accord_ledger::note::SignerKey;
use sha2::{Digest as _, Sha256};

use super::support::{Answer, Fixture, ORIGIN, both, evidence, key};

/// The write log, by its agreement.
const PREFIX: &str = "/v1/agreements/agreement-1/log/";
/// The first checkpointed size: one full level-0 tile and a partial one.
const FIRST: u64 = 300;
/// The second: two full level-0 tiles, a partial one, and a partial level-1 tile of 2.
const SECOND: u64 = 2 * 256 + 45;

type Hash = [u8; 32];

fn leaf_hash(data: &[u8]) -> Hash {
    Sha256::new()
        .chain_update([0u8])
        .chain_update(data)
        .finalize()
        .into()
}

fn node_hash(left: &Hash, right: &Hash) -> Hash {
    Sha256::new()
        .chain_update([1u8])
        .chain_update(left)
        .chain_update(right)
        .finalize()
        .into()
}

/// RFC 6962 MTH, recursively.
fn mth(leaves: &[Hash]) -> Hash {
    match leaves.len() {
        0 => Sha256::digest(b"").into(),
        1 => leaves[0],
        n => {
            let k = n.next_power_of_two() / 2;
            node_hash(&mth(&leaves[..k]), &mth(&leaves[k..]))
        }
    }
}

/// RFC 6962 PATH(m, D[n]).
fn path(m: usize, leaves: &[Hash]) -> Vec<Hash> {
    let n = leaves.len();
    if n <= 1 {
        return vec![];
    }
    let k = n.next_power_of_two() / 2;
    if m < k {
        let mut p = path(m, &leaves[..k]);
        p.push(mth(&leaves[k..]));
        p
    } else {
        let mut p = path(m - k, &leaves[k..]);
        p.push(mth(&leaves[..k]));
        p
    }
}

/// RFC 9162 §2.1.3.2: the root an inclusion proof leads to.
fn root_from_proof(index: u64, size: u64, leaf: Hash, proof: &[Hash]) -> Option<Hash> {
    let (mut f_n, mut s_n, mut r) = (index, size - 1, leaf);
    for p in proof {
        if s_n == 0 {
            return None;
        }
        if f_n & 1 == 1 || f_n == s_n {
            r = node_hash(p, &r);
            while f_n & 1 == 0 && f_n != 0 {
                f_n >>= 1;
                s_n >>= 1;
            }
        } else {
            r = node_hash(&r, p);
        }
        f_n >>= 1;
        s_n >>= 1;
    }
    (s_n == 0).then_some(r)
}

/// `<N>` in three-digit groups, all but the last prefixed `x`.
fn groups(mut n: u64) -> String {
    let mut parts = vec![format!("{:03}", n % 1000)];
    n /= 1000;
    while n > 0 {
        parts.push(format!("x{:03}", n % 1000));
        n /= 1000;
    }
    parts.reverse();
    parts.join("/")
}

/// The path of tile `index` at `level` ("entries" for bundles) in the tree of `size`:
/// full if the tree completes it, else partial.
fn tile_path(level: &str, lvl: u32, index: u64, size: u64) -> String {
    let complete = size >> (8 * lvl);
    let width = (complete - index * 256).min(256);
    let partial = if width < 256 {
        format!(".p/{width}")
    } else {
        String::new()
    };
    format!("{PREFIX}tile/{level}/{}{partial}", groups(index))
}

async fn fetch(f: &Fixture, path: &str) -> Vec<u8> {
    let answer = f.get_bytes(path).await;
    assert_eq!(
        answer.0,
        200,
        "{path}: {}",
        String::from_utf8_lossy(&answer.1)
    );
    answer.1
}

/// Reads the tree of `size` from its tiles as a tlog-tiles client does: the level-0
/// tiles give the leaf hashes, each checked against its entry in the bundles; the
/// level-1 tiles are checked as the roots of the full level-0 tiles. Returns the leaves.
async fn read_tree(f: &Fixture, size: u64) -> Vec<Hash> {
    let mut leaves = Vec::new();
    for t in 0..size.div_ceil(256) {
        let tile = fetch(f, &tile_path("0", 0, t, size)).await;
        let hashes: Vec<Hash> = tile.chunks(32).map(|c| c.try_into().unwrap()).collect();
        let bundle = fetch(f, &tile_path("entries", 0, t, size)).await;
        let mut at = 0;
        for hash in &hashes {
            let len = usize::from(u16::from_be_bytes([bundle[at], bundle[at + 1]]));
            let entry = &bundle[at + 2..at + 2 + len];
            assert_eq!(
                &leaf_hash(entry),
                hash,
                "entry {} of bundle {t}",
                leaves.len()
            );
            at += 2 + len;
            leaves.push(*hash);
        }
        assert_eq!(at, bundle.len(), "bundle {t} ends with its last entry");
    }
    assert_eq!(leaves.len() as u64, size);
    let upper = fetch(f, &tile_path("1", 1, 0, size)).await;
    assert_eq!(upper.len() as u64, (size / 256) * 32);
    for (t, hash) in upper.chunks(32).enumerate() {
        assert_eq!(
            hash,
            mth(&leaves[t * 256..(t + 1) * 256]),
            "level-1 hash {t}"
        );
    }
    leaves
}

fn append(f: &Fixture, from: u64, to: u64) {
    f.blocking(|store| {
        let iaea = ParticipantId::new("iaea").unwrap();
        for n in from..to {
            let entry = Entry {
                origin: ORIGIN.to_owned(),
                agreement: AgreementId::new("agreement-1").unwrap(),
                body: Body::Open(evidence(n as f64 + 1.0)),
            }
            .sign(&[(&iaea, &key(3))]);
            let submission = accord_store::ledger::Submission {
                entry,
                sealed: None,
            };
            accord_app::service::submit(store, submission).unwrap();
        }
        let log_key = SignerKey::from_seed(ORIGIN, [9; 32]).unwrap();
        store
            .ledger(Some(ORIGIN))
            .unwrap()
            .checkpoint(&log_key)
            .unwrap();
    });
}

#[test]
fn a_client_rebuilds_the_checkpointed_root_from_the_tiles() {
    both(async |f| {
        append(f, 0, FIRST);
        let first_note = f.get(&format!("{PREFIX}checkpoint"), None).await.body;
        append(f, FIRST, SECOND);

        // The checkpoint: verified under the log's key, then its lines read.
        let answer = f.get(&format!("{PREFIX}checkpoint"), None).await;
        assert_eq!(answer.status, 200);
        assert_eq!(answer.content_type, "text/plain; charset=utf-8");
        assert_eq!(answer.headers["cache-control"], "no-cache");
        let verifier = SignerKey::from_seed(ORIGIN, [9; 32]).unwrap().verifier();
        accord_ledger::checkpoint::open_checkpoint(&answer.body, &verifier, &[]).unwrap();
        for (note, size) in [(&answer.body, SECOND), (&first_note, FIRST)] {
            let lines: Vec<&str> = note.lines().collect();
            assert_eq!(lines[0], ORIGIN);
            assert_eq!(lines[1], size.to_string());
            let root: Hash =
                base64::Engine::decode(&base64::engine::general_purpose::STANDARD, lines[2])
                    .unwrap()
                    .try_into()
                    .unwrap();
            // Every partial tile of this checkpointed size is still served.
            let leaves = read_tree(f, size).await;
            assert_eq!(mth(&leaves), root, "{}: the root of size {size}", f.kind);

            // An inclusion proof from the tiles, verified against the signed root, and
            // the same as the server's own proof.
            let index = size - 7;
            let proof = path(index as usize, &leaves);
            assert_eq!(
                root_from_proof(index, size, leaves[index as usize], &proof),
                Some(root)
            );
            let served = f
                .get(
                    &format!("{PREFIX}inclusion?index={index}&size={size}"),
                    None,
                )
                .await
                .json();
            let served: Vec<String> = serde_json::from_value(served["proof"].clone()).unwrap();
            let ours: Vec<String> = proof
                .iter()
                .map(accord_ledger::checkpoint::encode_hash)
                .collect();
            assert_eq!(served, ours);
        }

        // Full tiles are immutable; a partial one too (its width fixes its content).
        let full = f.get(&format!("{PREFIX}tile/0/000"), None).await;
        assert_eq!(full.headers["content-type"], "application/octet-stream");
        assert_eq!(
            full.headers["cache-control"],
            "public, max-age=604800, immutable"
        );
    });
}

#[test]
fn bad_tile_paths_are_problems_and_absent_tiles_404() {
    both(async |f| {
        append(f, 0, FIRST);
        for bad in [
            "tile/0/1",
            "tile/0/x000/001",
            "tile/0/x001",
            "tile/00/000",
            "tile/64/000",
            "tile/0/000.p/0",
            "tile/0/000.p/256",
            "tile/0/001.p/044",
            "tile/entries/1",
            "tile/data/000",
            "tile/0/000/",
        ] {
            let answer: Answer = f.get(&format!("{PREFIX}{bad}"), None).await;
            let detail = answer.problem(400, "bad-tile-path");
            assert!(detail.contains("C2SP"), "{bad}: {detail}");
        }
        for absent in [
            "tile/0/001",
            "tile/0/001.p/45",
            "tile/0/002.p/1",
            "tile/1/000",
            "tile/1/000.p/2",
            "tile/2/000.p/1",
            "tile/entries/001",
            "tile/entries/x001/000",
        ] {
            f.get(&format!("{PREFIX}{absent}"), None)
                .await
                .problem(404, "no-such-tile");
        }
        // A log that does not exist.
        f.get("/v1/agreements/no-such/log/tile/0/000", None)
            .await
            .problem(404, "no-log");
    });
}
