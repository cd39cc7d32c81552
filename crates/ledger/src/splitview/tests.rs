//! The book of checkpoints seen, and split-view evidence: what it shows, that it cannot
//! frame an honest log, and that any change to it is caught.

use proptest::prelude::*;

use super::*;
use crate::merkle::{MemoryTree, consistency_proof};
use crate::note::SignerKey;
use crate::witness::tests::{ORIGIN, log_key, signed, tree};

fn book() -> Book {
    Book::new(vec![TrustedLog::from_key(log_key().verifier())])
}

fn proof(t: &MemoryTree, old: u64, new: u64) -> Vec<Hash> {
    consistency_proof(t, old, new).unwrap()
}

#[test]
fn a_growing_log_is_followed() {
    let (mut book, log) = (book(), tree(40, None));
    let key = log_key();
    assert_eq!(
        book.observe(&signed(&log, 10, &key), None),
        Ok(Observation::First)
    );
    assert_eq!(
        book.observe(&signed(&log, 10, &key), None),
        Ok(Observation::Same)
    );
    assert_eq!(
        book.observe(&signed(&log, 25, &key), None),
        Ok(Observation::NeedsProof { old: 10, new: 25 })
    );
    assert_eq!(
        book.latest(ORIGIN).unwrap().checkpoint.size,
        10,
        "not taken without a proof"
    );
    let p = proof(&log, 10, 25);
    assert_eq!(
        book.observe(&signed(&log, 25, &key), Some(&p)),
        Ok(Observation::Extended { from: 10 })
    );
    // An older checkpoint, proven a prefix of the latest, changes nothing.
    assert_eq!(
        book.observe(&signed(&log, 3, &key), None),
        Ok(Observation::NeedsProof { old: 3, new: 25 })
    );
    let p = proof(&log, 3, 25);
    assert_eq!(
        book.observe(&signed(&log, 3, &key), Some(&p)),
        Ok(Observation::Older)
    );
    assert_eq!(
        book.observe(&signed(&log, 0, &key), None),
        Ok(Observation::Older)
    );
    assert_eq!(book.latest(ORIGIN).unwrap().checkpoint.size, 25);
    assert_eq!(book.seen().count(), 1);
}

#[test]
fn the_book_refuses_what_says_nothing_about_the_log() {
    let (mut book, log) = (book(), tree(5, None));
    let stranger = SignerKey::from_seed("accord.example/other", [3; 32]).unwrap();
    let other = Checkpoint {
        origin: "accord.example/other".into(),
        size: 5,
        root: log.root(),
        extensions: vec![],
    };
    assert!(matches!(
        book.observe(&other.sign(&stranger).unwrap(), None),
        Err(BookError::UnknownOrigin(_))
    ));
    let impostor = SignerKey::from_seed(ORIGIN, [4; 32]).unwrap();
    assert!(matches!(
        book.observe(&signed(&log, 5, &impostor), None),
        Err(BookError::NotSigned { .. })
    ));
    let bad_empty = Checkpoint {
        origin: ORIGIN.into(),
        size: 0,
        root: [1; 32],
        extensions: vec![],
    };
    assert!(matches!(
        book.observe(&bad_empty.sign(&log_key()).unwrap(), None),
        Err(BookError::EmptyTreeRoot(_))
    ));
    assert!(matches!(
        book.observe("not a note", None),
        Err(BookError::Checkpoint(_))
    ));
    assert!(book.latest(ORIGIN).is_none());
}

#[test]
fn two_trees_of_one_size_are_a_conclusive_split_view() {
    let (mut book, honest, forked) = (book(), tree(12, None), tree(12, Some(4)));
    book.observe(&signed(&honest, 12, &log_key()), None)
        .unwrap();
    let Observation::SplitView(evidence) = book
        .observe(&signed(&forked, 12, &log_key()), None)
        .unwrap()
    else {
        panic!("no split view")
    };
    let finding = evidence.check().unwrap();
    assert_eq!(
        finding,
        Finding::SameSize {
            origin: ORIGIN.into(),
            size: 12
        }
    );
    assert!(finding.is_conclusive());
    assert_eq!(
        finding.to_string(),
        format!("split view: log `{ORIGIN}` signed two different trees of size 12")
    );
    assert!(evidence.proof().is_none());
    // The latest is unchanged: the alarm does not replace what was seen.
    assert_eq!(book.latest(ORIGIN).unwrap().checkpoint.root, honest.root());
}

#[test]
fn a_fork_behind_a_larger_checkpoint_is_shown_by_its_own_proof() {
    let (mut book, honest, forked) = (book(), tree(30, None), tree(30, Some(1)));
    book.observe(&signed(&honest, 11, &log_key()), None)
        .unwrap();
    let p = proof(&forked, 11, 30);
    let Observation::SplitView(evidence) = book
        .observe(&signed(&forked, 30, &log_key()), Some(&p))
        .unwrap()
    else {
        panic!("no split view")
    };
    let finding = evidence.check().unwrap();
    assert!(
        matches!(
            finding,
            Finding::Fork {
                old: 11,
                new: 30,
                ..
            }
        ),
        "{finding:?}"
    );
    assert!(finding.to_string().starts_with("split view: in log `accord.example/agreement-1`'s tree of size 30 the first 11 entries have root "));
    // The same fork seen from the other side: the larger first, then the smaller.
    let mut other = Book::new(vec![TrustedLog::from_key(log_key().verifier())]);
    other
        .observe(&signed(&forked, 30, &log_key()), None)
        .unwrap();
    let Observation::SplitView(again) = other
        .observe(&signed(&honest, 11, &log_key()), Some(&p))
        .unwrap()
    else {
        panic!("no split view")
    };
    assert_eq!(again.encode(), evidence.encode(), "one evidence, one text");
}

#[test]
fn the_evidence_file_round_trips_and_reads_as_documented() {
    let (honest, forked) = (tree(30, None), tree(30, Some(1)));
    let (a, b) = (
        signed(&honest, 11, &log_key()),
        signed(&forked, 30, &log_key()),
    );
    let evidence = SplitView::new(
        vec![log_key().verifier()],
        &b,
        &a,
        Some(proof(&forked, 11, 30)),
    )
    .unwrap();
    let text = evidence.encode();
    let expected_head = format!(
        "accord/split-view/v1\nlog {}\nproof\n",
        log_key().verifier()
    );
    assert!(text.starts_with(&expected_head), "{text}");
    assert!(
        text.contains(&format!("\n\n{a}\n{b}")),
        "smaller first:\n{text}"
    );
    assert_eq!(SplitView::parse(&text).unwrap(), evidence);
    assert_eq!(SplitView::parse(&text).unwrap().encode(), text);
    // Checked against the keys one trusts.
    assert!(evidence.check_against(&[log_key().verifier()]).is_ok());
    let other = SignerKey::from_seed(ORIGIN, [8; 32]).unwrap().verifier();
    assert!(matches!(
        evidence.check_against(&[other]),
        Err(EvidenceError::UntrustedKey(_))
    ));
}

#[test]
fn evidence_that_shows_nothing_is_refused() {
    let log = tree(30, None);
    let keys = vec![log_key().verifier()];
    let (a, b) = (signed(&log, 11, &log_key()), signed(&log, 30, &log_key()));
    assert_eq!(
        SplitView::new(keys.clone(), &a, &b, Some(proof(&log, 11, 30))),
        Err(EvidenceError::Consistent { old: 11, new: 30 })
    );
    assert_eq!(
        SplitView::new(keys.clone(), &a, &a, None),
        Err(EvidenceError::SameTree(11))
    );
    assert_eq!(
        SplitView::new(keys.clone(), &a, &b, None),
        Err(EvidenceError::ProofPresence)
    );
    // From size 0 (the empty tree) everything is consistent.
    let empty = signed(&log, 0, &log_key());
    assert!(matches!(
        SplitView::new(keys.clone(), &empty, &b, Some(vec![])),
        Err(EvidenceError::Consistent { .. })
    ));
    // A checkpoint the log did not sign.
    let impostor = signed(
        &tree(30, Some(3)),
        30,
        &SignerKey::from_seed(ORIGIN, [4; 32]).unwrap(),
    );
    assert!(matches!(
        SplitView::new(keys.clone(), &a, &impostor, Some(vec![])),
        Err(EvidenceError::NotSigned {
            which: Which::Second,
            ..
        })
    ));
    // Two logs.
    let stranger = SignerKey::from_seed("accord.example/other", [3; 32]).unwrap();
    let other = Checkpoint {
        origin: "accord.example/other".into(),
        size: 30,
        root: log.root(),
        extensions: vec![],
    }
    .sign(&stranger)
    .unwrap();
    let both = vec![log_key().verifier(), stranger.verifier()];
    assert!(matches!(
        SplitView::new(both, &a, &other, Some(vec![])),
        Err(EvidenceError::TwoLogs { .. })
    ));
    // A size-0 checkpoint with another root is itself conclusive.
    let bad_empty = Checkpoint {
        origin: ORIGIN.into(),
        size: 0,
        root: [1; 32],
        extensions: vec![],
    }
    .sign(&log_key())
    .unwrap();
    let finding = SplitView::new(keys, &bad_empty, &b, Some(vec![]))
        .unwrap()
        .check()
        .unwrap();
    assert_eq!(
        finding,
        Finding::EmptyTreeRoot {
            origin: ORIGIN.into()
        }
    );
}

#[test]
fn malformed_evidence_files_are_refused_with_their_line() {
    let (honest, forked) = (tree(9, None), tree(9, Some(0)));
    let good = SplitView::new(
        vec![log_key().verifier()],
        &signed(&honest, 9, &log_key()),
        &signed(&forked, 9, &log_key()),
        None,
    )
    .unwrap()
    .encode();
    let cases = [
        (
            good.replacen("accord/split-view/v1", "accord/split-view/v2", 1),
            "line 1: the first line must be `accord/split-view/v1`",
        ),
        (
            good.replacen("log ", "key ", 1),
            "line 2: expected `log <vkey>` lines, then optionally `proof` and hashes",
        ),
        (
            good.replacen("\nlog ", "\nproof\nlog ", 1),
            "line 2: expected `log <vkey>` lines, then optionally `proof` and hashes",
        ),
        (
            good.replacen("\n\n", "\nproof\nnot-a-hash\n\n", 1),
            "line 4: expected a base64 hash",
        ),
        (
            good.replacen("\n\n", "\n", 1),
            "line 3: expected `log <vkey>` lines, then optionally `proof` and hashes",
        ),
        (
            "accord/split-view/v1\n".to_owned(),
            "line 1: no empty line after the header",
        ),
        (
            format!("{good}\n{}", signed(&honest, 9, &log_key())),
            "line 4: expected two signed checkpoints separated by an empty line",
        ),
        (
            good[..good.len() - 1].to_owned(),
            "the second checkpoint is malformed: the note is malformed: expected text ending in a newline, a blank line, then signature lines",
        ),
    ];
    for (text, expected) in cases {
        let err = SplitView::parse(&text)
            .and_then(|e| e.check().map(|_| e))
            .unwrap_err();
        assert_eq!(err.to_string(), expected, "{text}");
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(128))]

    /// Whatever proof is offered between two checkpoints of one honest log, the evidence
    /// never concludes that the log forked: an honest log cannot be framed.
    #[test]
    fn an_honest_log_cannot_be_framed(
        old in 1u64..60,
        extra in 1u64..60,
        noise in proptest::collection::vec(any::<[u8; 32]>(), 0..10),
        keep in any::<u64>(),
    ) {
        let log = tree(old + extra, None);
        let (a, b) = (signed(&log, old, &log_key()), signed(&log, old + extra, &log_key()));
        // Mix real proof hashes with noise.
        let real = proof(&log, old, old + extra);
        let offered: Vec<Hash> = real
            .iter()
            .enumerate()
            .map(|(i, h)| if keep & (1 << (i % 64)) != 0 { *h } else { noise.get(i % noise.len().max(1)).copied().unwrap_or([0; 32]) })
            .chain(noise.iter().copied().take((keep % 3) as usize))
            .collect();
        match SplitView::new(vec![log_key().verifier()], &a, &b, Some(offered)) {
            Ok(evidence) => prop_assert!(!evidence.check().unwrap().is_conclusive()),
            Err(e) => prop_assert_eq!(e, EvidenceError::Consistent { old, new: old + extra }),
        }
    }

    /// Whatever two trees with a common prefix show, the book alarms exactly when they
    /// differ at the sizes seen, with evidence that checks; proofs come from the tree shown.
    #[test]
    fn the_book_alarms_exactly_on_inconsistency(
        seen in proptest::collection::vec((any::<bool>(), 0u64..40), 1..12),
        fork_at in 0u64..40,
    ) {
        let honest = tree(40, None);
        let forked = tree(40, Some(fork_at));
        let mut book = book();
        let mut latest: Option<(bool, u64)> = None;
        for (is_forked, size) in seen {
            let t = if is_forked { &forked } else { &honest };
            let text = signed(t, size, &log_key());
            let mut observation = book.observe(&text, None).unwrap();
            if let Observation::NeedsProof { old, new } = observation {
                // The proof comes from the tree of the larger checkpoint.
                let larger = match latest {
                    Some((true, _)) if new != size => &forked,
                    Some((false, _)) if new != size => &honest,
                    _ => t,
                };
                observation = book.observe(&text, Some(&proof(larger, old, new))).unwrap();
            }
            let Some((was_forked, was_size)) = latest else {
                latest = Some((is_forked, size));
                continue;
            };
            // Two checkpoints agree when they share the smaller one's prefix.
            let agree = is_forked == was_forked || size.min(was_size) <= fork_at;
            match observation {
                Observation::SplitView(evidence) => {
                    prop_assert!(!agree);
                    evidence.check().unwrap();
                    let reread = SplitView::parse(&evidence.encode()).unwrap();
                    prop_assert_eq!(&reread, evidence.as_ref());
                }
                other => {
                    prop_assert!(agree, "{:?}", other);
                    if size > was_size {
                        latest = Some((is_forked, size));
                    }
                }
            }
        }
    }

    /// Any change to an evidence file's bytes is refused or re-checked: a change inside
    /// either checkpoint or the keys never passes, and a change to the proof may weaken the
    /// finding but never turns honest data into a conclusive one.
    #[test]
    fn mutated_evidence_is_caught(at_char in any::<usize>(), c in any::<char>()) {
        let (honest, forked) = (tree(30, None), tree(30, Some(1)));
        let evidence = SplitView::new(
            vec![log_key().verifier()],
            &signed(&honest, 11, &log_key()),
            &signed(&forked, 30, &log_key()),
            Some(proof(&forked, 11, 30)),
        )
        .unwrap();
        let text = evidence.encode();
        let mut chars: Vec<char> = text.chars().collect();
        let i = at_char % chars.len();
        prop_assume!(chars[i] != c);
        chars[i] = c;
        let mutated: String = chars.into_iter().collect();
        // The header is ASCII, so character and byte positions agree there.
        let notes_start = text.find("\n\n").unwrap();
        let hashes_start = text.find("\nproof\n").unwrap() + "\nproof\n".len();
        let in_proof = (hashes_start..notes_start).contains(&i);
        if let Ok(finding) = SplitView::parse(&mutated).and_then(|e| e.check()) {
            prop_assert!(in_proof, "a change outside the proof passed: {}", finding);
            prop_assert!(!finding.is_conclusive(), "{}", finding);
        }
    }
}
