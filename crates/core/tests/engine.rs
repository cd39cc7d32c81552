//! Tests of the evaluation engine: scenarios played through time, bad input, and
//! property tests of its invariants (determinism, as-of cut, exemptions, incremental).

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod engine {
    mod builder;
    mod calendars;
    mod escalation;
    mod instants;
    mod lifted;
    mod measures;
    mod monitoring;
    mod participation;
    mod properties;
    mod relief_acts;
    mod scenarios;
    mod snapback;
    mod timelines;
}
