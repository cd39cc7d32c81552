//! Fuzzes name normalisation and pair scoring with arbitrary text: never panics, scores stay
//! in [0, 1], scoring is symmetric, and the score-only path agrees with the explained one.
//!
//! Needs in `fuzz/Cargo.toml`: `accord-screen = { path = "../crates/screen" }` and a
//! `[[bin]] name = "screen_score", path = "fuzz_targets/screen_score.rs"` entry.
#![no_main]

use accord_screen::{Schema, score_pair, score_pair_value};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let (a, b) = text.split_once('\u{0}').unwrap_or((&text, ""));
    for schema in [None, Some(Schema::Person), Some(Schema::Company)] {
        let ab = score_pair(a, b, schema);
        let ba = score_pair_value(b, a, schema);
        assert!((0.0..=1.0).contains(&ab.score));
        assert_eq!(ab.score, ba);
    }
});
