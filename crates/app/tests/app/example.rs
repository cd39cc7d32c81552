//! The example program runs, so that it cannot rot.

#[allow(dead_code)]
#[path = "../../examples/evaluate_from_store.rs"]
mod evaluate_from_store;

#[test]
fn the_example_evaluates_a_bundled_agreement_from_a_store_alone() {
    crate::support::both(|store| {
        let text = evaluate_from_store::evaluate_from_store(&store.store).unwrap();
        assert!(text.contains("played 112 entries"), "{text}");
        assert!(
            text.contains("agreement `arden-nuclear-2026` version 1 as of 2026-07-31: 41 of 112 log entries read back"),
            "{text}"
        );
        assert!(
            text.contains("phases reached: adoption-day, implementation-day"),
            "{text}"
        );
    });
}
