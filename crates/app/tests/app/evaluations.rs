//! The evaluation cache answers what a full read and replay of the store answers, byte for
//! byte, while the log grows under it, at random instants (including instants before
//! entries already read, asked after later ones), on both stores; and a store replaced
//! under the same URL is read again, not answered from the old one.

use accord_app::evaluate::{AgreementSource, Inputs, LogSource, Reading};
use accord_app::evaluations::Evaluations;
use accord_app::play::{Dir, rehearse};
use accord_app::{Store, StoreUrl};
use accord_core::time::Instant;

use crate::support::{both, repo};

/// A small deterministic generator (splitmix64): the same instants on every run.
struct Draw(u64);

impl Draw {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
}

fn full(store: &Store, agreement: &str) -> Inputs {
    Inputs::read(
        &AgreementSource::Registered(agreement.to_owned()),
        LogSource::Store(store),
    )
    .unwrap()
}

fn json<T: serde::Serialize + ?Sized>(value: &T) -> String {
    serde_json::to_string(value).unwrap()
}

/// Instants around the log's record times: exact, a second either side, a day either
/// side, long before and long after; and some asked again.
fn instants(draw: &mut Draw, inputs: &Inputs, asked: &mut Vec<Instant>) -> Vec<Instant> {
    let mut out = Vec::new();
    for _ in 0..4 {
        let at = match inputs.log.get(draw.below(inputs.log.len().max(1))) {
            Some(entry) => entry.recorded_at,
            None => "2026-01-01T00:00:00Z".parse().unwrap(),
        };
        let shift = [0i64, -1, 1, -86_400, 86_400, -400 * 86_400, 4_000 * 86_400][draw.below(7)];
        out.push(at + jiff::SignedDuration::from_secs(shift));
    }
    if let Some(again) = asked.get(draw.below(asked.len().max(1))) {
        out.push(*again);
    }
    asked.extend(&out);
    out
}

/// Plays `scenario` into `store`, and after each append (and at some random sizes only,
/// so that several entries arrive between two requests) compares the cache with a full
/// read at random instants, in the plain reading and for a contract; and the timeline.
fn follow(store: &Store, scenario: &str, seed: u64) -> usize {
    let dir = repo().join("examples/scenarios");
    let text = std::fs::read_to_string(dir.join(scenario)).unwrap();
    let rehearsal = rehearse(scenario, &text, &Dir(dir), None).unwrap();
    let cache = Evaluations::new();
    let mut draw = Draw(seed);
    let mut asked = Vec::new();
    let mut compared = 0;
    let mut agreement = None::<String>;
    rehearsal
        .play_into_watched(store, &mut |size| {
            if draw.below(3) == 0 && size > 1 {
                return Ok(());
            }
            let id = agreement
                .get_or_insert_with(|| store.registered_agreements().unwrap()[0].clone())
                .clone();
            let inputs = full(store, &id);
            assert_eq!(inputs.log.len() as u64, size);
            for as_of in instants(&mut draw, &inputs, &mut asked) {
                for reading in [
                    Reading::default(),
                    Reading {
                        view: None,
                        contract: Some("2026-03-01".parse().unwrap()),
                    },
                ] {
                    let cached = cache.state(store, &id, as_of, &reading).unwrap();
                    let replayed = inputs.evaluate_as(as_of, &reading).unwrap();
                    assert_eq!(
                        json(&*cached.state),
                        json(&replayed),
                        "{scenario}: size {size}, as of {as_of}, {reading:?}"
                    );
                    assert_eq!(json(&*cached.log), json(&inputs.log));
                    same_reports(&cached, &inputs, as_of);
                    compared += 1;
                }
            }
            if draw.below(4) == 0 {
                let to = accord_core::engine::date_of(inputs.log.last().unwrap().recorded_at);
                let cached = cache.timeline(store, &id, None, to).unwrap();
                let replayed = inputs.timeline(None, to).unwrap();
                assert_eq!(
                    json(&*cached),
                    json(&replayed),
                    "{scenario}: timeline at {size}"
                );
            }
            Ok(())
        })
        .unwrap();
    compared
}

/// The cache's report index, pushed one entry at a time as the log grew, selects for
/// each indicator the entries an index of the full read selects.
fn same_reports(cached: &accord_app::evaluations::Evaluated, inputs: &Inputs, as_of: Instant) {
    let full = accord_app::reports::Reports::new(&inputs.log);
    for def in inputs.versions.iter().flat_map(|v| &v.indicators) {
        let id = def.id.as_str();
        let indices = |log: &[accord_core::statement::LoggedStatement],
                       reports: &accord_app::reports::Reports| {
            reports
                .latest(log, id, as_of)
                .iter()
                .map(|e| e.index.0)
                .collect::<Vec<_>>()
        };
        assert_eq!(
            indices(&cached.log, &cached.reports),
            indices(&inputs.log, &full),
            "{id} as of {as_of}"
        );
    }
}

#[test]
fn cached_evaluations_equal_full_replays_as_the_log_grows() {
    for (n, scenario) in [
        "nuclear-caps.toml",
        "licence-snapback.toml",
        "sectoral-dispute.toml",
        "staged-lifting.toml",
    ]
    .into_iter()
    .enumerate()
    {
        both(|s| {
            let compared = follow(&s.store, scenario, 17 + n as u64);
            assert!(compared > 20, "{scenario} on {}: {compared}", s.kind);
        });
    }
}

/// The nuclear-caps scenario without its last `drop` events.
fn nuclear_without_last(drop: usize) -> String {
    let text =
        std::fs::read_to_string(repo().join("examples/scenarios/nuclear-caps.toml")).unwrap();
    let mut text = text.as_str();
    for _ in 0..drop {
        text = text.rsplit_once("[[events]]").unwrap().0;
    }
    text.to_owned()
}

/// A fresh SQLite store at `path` (whatever was there removed) with `scenario` played
/// into it, with keys of its own.
fn replace_store(path: &std::path::Path, scenario: &str) -> Store {
    for suffix in ["", "-wal", "-shm"] {
        let _ = std::fs::remove_file(format!("{}{suffix}", path.display()));
    }
    let url: StoreUrl = format!("sqlite:{}", path.display()).parse().unwrap();
    let store = Store::open(&url).unwrap();
    let dir = repo().join("examples/scenarios");
    rehearse("nuclear-caps.toml", scenario, &Dir(dir), None)
        .unwrap()
        .play_into(&store)
        .unwrap();
    store
}

#[test]
fn a_store_replaced_under_the_same_url_is_read_again() {
    // A longer log signed by other keys (the cache, were it to extend what it read, would
    // check the new entries against the old roster and refuse them), then a shorter one.
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("replaced.db");
    let cache = Evaluations::new();
    let as_of: Instant = "2030-01-01T00:00:00Z".parse().unwrap();
    let id = "arden-nuclear-2026";
    for drop in [3, 1, 5] {
        let store = replace_store(&path, &nuclear_without_last(drop));
        let inputs = full(&store, id);
        let cached = cache.state(&store, id, as_of, &Reading::default()).unwrap();
        assert_eq!(
            cached.log.len(),
            inputs.log.len(),
            "without the last {drop}"
        );
        assert_eq!(json(&*cached.log), json(&inputs.log));
        assert_eq!(json(&*cached.state), json(&inputs.evaluate(as_of).unwrap()));
    }
}

#[test]
fn a_version_registered_after_the_cache_filled_is_evaluated() {
    // A third version of the licence arrangement (the second, renumbered, effective
    // later, not signed): registered after the cache was filled, it must appear in the
    // cached state as it does in a full read.
    both(|s| {
        let dir = repo().join("examples/scenarios");
        let text = std::fs::read_to_string(dir.join("licence-snapback.toml")).unwrap();
        rehearse("licence-snapback.toml", &text, &Dir(dir), None)
            .unwrap()
            .play_into(&s.store)
            .unwrap();
        let id = "caldera-electoral-roadmap";
        let cache = Evaluations::new();
        let as_of: Instant = "2028-01-01T00:00:00Z".parse().unwrap();
        let before = cache
            .state(&s.store, id, as_of, &Reading::default())
            .unwrap();
        assert_eq!(before.versions.len(), 2);

        let read = |name: &str| accord_app::agreements::AgreementText {
            name: name.to_owned(),
            bytes: std::fs::read(repo().join("examples").join(name)).unwrap(),
        };
        let v3 = String::from_utf8(read("licence-elections-v2.toml").bytes)
            .unwrap()
            .replacen(
                "version = 2\namends = 1\neffective = 2026-12-01",
                "version = 3\namends = 2\neffective = 2027-06-01",
                1,
            );
        let texts = [
            read("licence-elections.toml"),
            read("licence-elections-v2.toml"),
            accord_app::agreements::AgreementText {
                name: "licence-elections-v3.toml".into(),
                bytes: v3.into_bytes(),
            },
        ];
        let versions = accord_app::agreements::check(&texts).unwrap();
        accord_app::agreements::register(&s.store, &versions).unwrap();

        let after = cache
            .state(&s.store, id, as_of, &Reading::default())
            .unwrap();
        let inputs = full(&s.store, id);
        assert_eq!(inputs.versions.len(), 3);
        assert_eq!(after.versions.len(), 3);
        assert_eq!(json(&*after.state), json(&inputs.evaluate(as_of).unwrap()));
        assert_ne!(json(&*after.state), json(&*before.state));
    });
}

#[test]
fn an_entry_altered_after_the_cache_read_past_it_is_refused_then_read_again_once_mended() {
    // The cache verifies entries that arrive after it filled by the rules of a full read
    // (accord_ledger::verify::Frontier). Entry #21 is forged before the cache reads it: a
    // signature byte flipped and its stored leaf hash rewritten to match, so that only the
    // signature check can see it. It is refused by its index, and once mended the slot
    // reads on as a full read does.
    accord_store::testing::both(|fresh| {
        let store = Store::open(&fresh.url).unwrap();
        let dir = repo().join("examples/scenarios");
        let text = std::fs::read_to_string(dir.join("nuclear-caps.toml")).unwrap();
        let rehearsal = rehearse("nuclear-caps.toml", &text, &Dir(dir), None).unwrap();
        let cache = Evaluations::new();
        let as_of: Instant = "2030-01-01T00:00:00Z".parse().unwrap();
        let id = "arden-nuclear-2026";
        let state = || cache.state(&store, id, as_of, &Reading::default());
        rehearsal
            .play_into_watched(&store, &mut |size| {
                match size {
                    20 => {
                        state().unwrap();
                    }
                    23 => {
                        let forge = || forge_signature(fresh, &store, id, 21);
                        forge();
                        let refused = state().map(|_| ()).unwrap_err().to_string();
                        assert!(
                            refused.contains("entry #21") && refused.contains("signature"),
                            "{}: {refused}",
                            fresh.kind()
                        );
                        forge();
                        let mended = state().unwrap();
                        let inputs = full(&store, id);
                        assert_eq!(json(&*mended.log), json(&inputs.log));
                        assert_eq!(json(&*mended.state), json(&inputs.evaluate(as_of).unwrap()));
                    }
                    _ => {}
                }
                Ok(())
            })
            .unwrap();
    });
}

/// Flips one bit of the first signature of entry `index` and rewrites its stored leaf hash
/// to the hash of the altered bytes (twice: the entry as it was).
fn forge_signature(
    fresh: &accord_store::testing::TestStore,
    store: &Store,
    agreement: &str,
    index: u64,
) {
    let mut ledger = accord_app::log::find(store, &agreement.parse().unwrap()).unwrap();
    let (logged, _) = ledger.entry(index).unwrap();
    let mut leaf = logged.leaf_bytes();
    let signature = &logged.signed.signatures[0].signature;
    let at = leaf
        .windows(signature.len())
        .position(|w| w == signature.as_slice())
        .unwrap()
        + 40;
    fresh.flip_leaf_byte(index as i64, at);
    leaf[at] ^= 1;
    let hash = accord_ledger::merkle::leaf_hash(&leaf);
    fresh.execute(&fresh.set_stored_hash_sql(0, index, &hash));
}

/// Instants from 2026-01-01 to mid-2028 (the nuclear-caps log runs from January 2026 to
/// May 2027), a different one for each (reader, request): never asked before, so each is
/// derived.
fn fresh_instant(reader: u64, request: u64) -> Instant {
    let start: Instant = "2026-01-01T00:00:00Z".parse().unwrap();
    let span = 900 * 86_400;
    let at = (reader * 7_919 + request * 104_729) % span;
    start + jiff::SignedDuration::from_secs(at as i64)
}

#[test]
fn states_derived_at_once_while_the_log_grows_are_states_of_the_prefix_read() {
    // Readers ask fresh instants, at the same time as each other, while the scenario is
    // appended: every state answered must be the full replay of the log it was derived
    // from, that log a prefix of the log verified in full at the end, and once the last
    // entry is in, the cache must answer from all of them.
    both(|s| {
        let dir = repo().join("examples/scenarios");
        let text = std::fs::read_to_string(dir.join("nuclear-caps.toml")).unwrap();
        let rehearsal = rehearse("nuclear-caps.toml", &text, &Dir(dir), None).unwrap();
        let cache = Evaluations::new();
        let id = "arden-nuclear-2026";
        let done = std::sync::atomic::AtomicBool::new(false);
        let answers = std::thread::scope(|scope| {
            let readers: Vec<_> = (0..3u64)
                .map(|reader| {
                    let (cache, done, store) = (&cache, &done, &s.store);
                    scope.spawn(move || {
                        let mut answers = Vec::new();
                        for request in 0.. {
                            if done.load(std::sync::atomic::Ordering::SeqCst) {
                                break;
                            }
                            let as_of = fresh_instant(reader, request);
                            // Before the agreement is registered and its log created.
                            let Ok(cached) = cache.state(store, id, as_of, &Reading::default())
                            else {
                                continue;
                            };
                            if answers.len() < 150 {
                                answers.push((as_of, cached));
                            }
                        }
                        answers
                    })
                })
                .collect();
            rehearsal
                .play_into_watched(&s.store, &mut |_| {
                    std::thread::sleep(std::time::Duration::from_millis(2));
                    Ok(())
                })
                .unwrap();
            std::thread::sleep(std::time::Duration::from_millis(50));
            done.store(true, std::sync::atomic::Ordering::SeqCst);
            readers
                .into_iter()
                .flat_map(|r| r.join().unwrap())
                .collect::<Vec<_>>()
        });
        let inputs = full(&s.store, id);
        let sizes: std::collections::BTreeSet<usize> =
            answers.iter().map(|(_, c)| c.log.len()).collect();
        assert!(sizes.len() > 3, "{}: sizes seen {sizes:?}", s.kind);
        for (as_of, cached) in &answers {
            let seen = Inputs {
                versions: (*cached.versions).clone(),
                log: (*cached.log).clone(),
            };
            assert_eq!(
                json(&seen.log),
                json(&inputs.log[..seen.log.len()]),
                "{}: a log that is not a prefix",
                s.kind
            );
            assert_eq!(
                json(&*cached.state),
                json(&seen.evaluate(*as_of).unwrap()),
                "{}: size {}, as of {as_of}",
                s.kind,
                seen.log.len()
            );
        }
        let as_of = fresh_instant(9, 9);
        let last = cache
            .state(&s.store, id, as_of, &Reading::default())
            .unwrap();
        assert_eq!(last.log.len(), inputs.log.len(), "{}", s.kind);
        assert_eq!(json(&*last.state), json(&inputs.evaluate(as_of).unwrap()));
    });
}

#[test]
fn a_checkpoint_replaced_after_the_cache_checked_it_is_refused_with_no_entry_since() {
    // The log does not grow: only its latest checkpoint is replaced by one of the same
    // tree signed by another key. The cache, which answers from its slot when the store
    // did not move, must see that the checkpoint did and check it.
    accord_store::testing::both(|fresh| {
        let store = Store::open(&fresh.url).unwrap();
        let dir = repo().join("examples/scenarios");
        let text = std::fs::read_to_string(dir.join("nuclear-caps.toml")).unwrap();
        rehearse("nuclear-caps.toml", &text, &Dir(dir), None)
            .unwrap()
            .play_into(&store)
            .unwrap();
        let cache = Evaluations::new();
        let id = "arden-nuclear-2026";
        let state = |at: &str| cache.state(&store, id, at.parse().unwrap(), &Reading::default());
        state("2027-01-01T00:00:00Z").unwrap();
        let mut ledger = accord_app::log::find(&store, &id.parse().unwrap()).unwrap();
        let (size, origin) = (ledger.info().size, ledger.info().origin.clone());
        let (stored, _) = ledger.checkpoints().unwrap().pop().unwrap();
        assert_eq!(stored, size);
        let forged = accord_ledger::checkpoint::Checkpoint {
            origin: origin.clone(),
            size,
            root: ledger.root_at(size).unwrap(),
            extensions: vec![],
        }
        .sign(&accord_ledger::note::SignerKey::from_seed(&origin, [7; 32]).unwrap())
        .unwrap();
        fresh.execute(&format!(
            "UPDATE ledger_checkpoint SET note = '{}' WHERE size = {size}",
            forged.replace('\'', "''")
        ));
        let refused = state("2027-01-02T00:00:00Z").map(|_| ()).unwrap_err();
        assert!(
            refused.to_string().contains("checkpoint"),
            "{}: {refused}",
            fresh.kind()
        );
    });
}
