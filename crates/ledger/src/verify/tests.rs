use proptest::prelude::*;

use super::*;
use crate::merkle::Hash;
use crate::replay::replay;
use crate::replay::tests::{ORIGIN, checkpoint, leaf, log_key, roster};

/// The leaf with one signature byte flipped (the entry is otherwise intact).
fn forged(amount: f64, at: i64) -> Vec<u8> {
    let mut logged = LoggedEntry::decode(&leaf(amount, 3, at)).unwrap();
    logged.signed.signatures[0].signature[40] ^= 1;
    logged.leaf_bytes()
}

#[test]
fn a_sound_log_verifies_with_the_tree_its_leaves_give() {
    let leaves = [leaf(1.0, 3, 10), leaf(2.0, 3, 20), leaf(3.0, 3, 20)];
    let verified = verify_log(ORIGIN, roster(), leaves.iter().map(Vec::as_slice), 0).unwrap();
    assert_eq!(verified.entries.len(), 3);
    assert_eq!(verified.checked, 3);
    let hashes: Vec<Hash> = leaves.iter().map(|l| merkle::leaf_hash(l)).collect();
    assert_eq!(verified.tree.root(), merkle::root(&hashes));
    let note = checkpoint(2, merkle::root(&hashes[..2]));
    let cp = check_checkpoint(&verified.tree, ORIGIN, &note, &log_key().verifier()).unwrap();
    assert_eq!(cp.size, 2);
}

#[test]
fn the_first_bad_entry_is_named_by_its_index() {
    let leaves = [
        leaf(1.0, 3, 10),
        forged(2.0, 20),
        // Signed by a key the roster does not hold.
        leaf(3.0, 7, 30),
    ];
    let err = verify_log(ORIGIN, roster(), leaves.iter().map(Vec::as_slice), 0).unwrap_err();
    assert_eq!(err.index, 1);
    assert!(matches!(err.problem, Problem::Refused(_)), "{err:?}");
    let err = verify_log(ORIGIN, roster(), leaves.iter().map(Vec::as_slice), 2).unwrap_err();
    assert_eq!(err.index, 2, "{err:?}");
}

#[test]
fn entries_below_the_trusted_prefix_are_not_checked_again_but_still_hashed() {
    let leaves = [leaf(1.0, 3, 10), forged(2.0, 20), leaf(3.0, 3, 30)];
    let verified = verify_log(ORIGIN, roster(), leaves.iter().map(Vec::as_slice), 2).unwrap();
    assert_eq!(verified.checked, 1);
    // The caller's defence: the prefix's root is not the one the log signed.
    let sound = [leaf(1.0, 3, 10), leaf(2.0, 3, 20)];
    let hashes: Vec<Hash> = sound.iter().map(|l| merkle::leaf_hash(l)).collect();
    let note = checkpoint(2, merkle::root(&hashes));
    assert_eq!(
        check_checkpoint(&verified.tree, ORIGIN, &note, &log_key().verifier()),
        Err(CheckpointProblem::RootDiffers { size: 2 })
    );
}

#[test]
fn time_going_backwards_is_named() {
    let leaves = [leaf(1.0, 3, 10), leaf(2.0, 3, 5)];
    let err = verify_log(ORIGIN, roster(), leaves.iter().map(Vec::as_slice), 2).unwrap_err();
    assert_eq!(err.index, 1);
    assert!(matches!(err.problem, Problem::BeforePrevious { .. }));
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]

    /// Verifying from nothing trusted refuses exactly the logs the audit's replay finds
    /// something in, and names the same first entry.
    #[test]
    fn verifying_agrees_with_the_replay(
        steps in proptest::collection::vec((0u8..6, -3i64..10), 1..12)
    ) {
        let leaves = mixed_leaves(&steps);
        let replayed = replay(ORIGIN, roster(), leaves.iter().map(Vec::as_slice));
        let verified = verify_log(ORIGIN, roster(), leaves.iter().map(Vec::as_slice), 0);
        match (replayed.findings.first(), verified) {
            (None, Ok(v)) => prop_assert_eq!(v.tree.root(), replayed.root()),
            (Some(f), Err(e)) => prop_assert_eq!(f.index, e.index),
            (f, v) => prop_assert!(false, "replay {:?} but verify {:?}", f, v.map(|v| v.checked)),
        }
    }

    /// A log verified as it grows, a chunk at a time through one [`Frontier`] (as the
    /// server's evaluation cache reads it), meets the verdict of one pass over the whole:
    /// the same first bad entry by its index in the log, or the same entries, tree and
    /// roster.
    #[test]
    fn verifying_in_chunks_agrees_with_one_pass(
        steps in proptest::collection::vec((0u8..6, -3i64..10), 1..12),
        cut in 0usize..12,
    ) {
        let leaves = mixed_leaves(&steps);
        let cut = cut.min(leaves.len());
        let whole = verify_log(ORIGIN, roster(), leaves.iter().map(Vec::as_slice), 0);
        let mut frontier = Frontier::new(roster());
        let chunked = frontier
            .verify(ORIGIN, leaves[..cut].iter().map(Vec::as_slice), 0)
            .and_then(|mut first| {
                let rest = frontier.verify(ORIGIN, leaves[cut..].iter().map(Vec::as_slice), 0)?;
                first.extend(rest);
                Ok(first)
            });
        match (whole, chunked) {
            (Ok(whole), Ok(entries)) => {
                prop_assert_eq!(whole.entries, entries);
                prop_assert_eq!(whole.tree.root(), frontier.tree.root());
                prop_assert_eq!(whole.roster, frontier.roster);
            }
            (Err(whole), Err(chunked)) => prop_assert_eq!(whole.index, chunked.index),
            (whole, chunked) => prop_assert!(
                false, "one pass {:?} but in chunks {:?}", whole.err(), chunked.err()
            ),
        }
    }
}

/// Leaves of sound, forged, unknown-key and corrupted entries, with record times that
/// sometimes go backwards.
fn mixed_leaves(steps: &[(u8, i64)]) -> Vec<Vec<u8>> {
    let mut at = 100i64;
    steps
        .iter()
        .enumerate()
        .map(|(i, (kind, dt))| {
            at += dt;
            match kind {
                0 => forged(i as f64, at),
                1 => leaf(i as f64, 7, at),
                2 => {
                    let mut l = leaf(i as f64, 3, at);
                    l[0] ^= 1;
                    l
                }
                _ => leaf(i as f64, 3, at),
            }
        })
        .collect()
}
