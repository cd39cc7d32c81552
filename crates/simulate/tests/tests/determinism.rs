//! The same seed gives byte-identical JSON on one thread and on two (a stream per run,
//! aggregation in run order), and a different seed gives different histories.

use crate::{agreement_text, model_text, root, settings};
use accord_simulate::{Tick, simulate};

fn json_on(threads: usize, seed: u64) -> String {
    let text = std::fs::read_to_string(root().join("examples/nuclear-caps.toml")).unwrap();
    let agreement = agreement_text(&text);
    let source = std::fs::read_to_string(root().join("examples/models/nuclear-caps.toml")).unwrap();
    let model = model_text(&source, &agreement);
    let mut s = settings(12, seed, "P6Y");
    s.sensitivity_runs = 2;
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()
        .unwrap();
    let sim = pool
        .install(|| simulate(std::slice::from_ref(&agreement), &model, &s, &|_: Tick| {}))
        .unwrap();
    serde_json::to_string(&sim).unwrap()
}

#[test]
fn the_same_seed_gives_byte_identical_json_on_one_thread_and_on_two() {
    let one = json_on(1, 42);
    let two = json_on(2, 42);
    assert!(one == two, "the JSON differs between one and two threads");
    assert_ne!(
        one,
        json_on(2, 43),
        "another seed should draw other histories"
    );
}
