//! The per-request cost of an authorisation decision: the Cedar policy (the shipped
//! default, built once) against the typed table it replaced (the baseline, kept here),
//! in the same run. Each decision is one (role, action) of the 7 × 8 combinations, in
//! turn; the Cedar decisions are made as the server makes them (a holder acting for a
//! participant, the agreement its path names).
//!
//! `cargo bench -p accord-server --bench policy` (`-- ROUNDS` to change the rounds).

#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

use std::hint::black_box;
use std::time::Instant;

use accord_core::id::ParticipantId;
use accord_server::Role;
use accord_server::auth::Holder;
use accord_server::policy::{Action, Policy, Resource};

/// The table of the server before the Cedar policy (the baseline).
fn table(role: Option<Role>, action: Action) -> bool {
    use Role::*;
    match action {
        Action::ReadPublic => true,
        Action::ReadEvaluation | Action::QueryStatus => {
            matches!(role, Some(Compliance | Authority | Party | Monitor | Admin))
        }
        Action::SubmitEntry => matches!(role, Some(Authority | Party | Monitor)),
        Action::Screen => matches!(role, Some(Compliance | Admin)),
        Action::ReadConfidential => matches!(role, Some(Authority | Party | Monitor | Admin)),
        Action::ReadMetrics | Action::ReadDeliveries | Action::ImportLists => {
            matches!(role, Some(Admin))
        }
        Action::SubmitAgreement => matches!(role, Some(Authority | Admin)),
    }
}

/// Nanoseconds per decision of `decide` over every combination, `rounds` times.
fn per_decision<T>(cases: &[T], rounds: usize, mut decide: impl FnMut(&T) -> bool) -> f64 {
    let start = Instant::now();
    let mut allowed = 0usize;
    for _ in 0..rounds {
        for case in cases {
            allowed += usize::from(decide(black_box(case)));
        }
    }
    black_box(allowed);
    start.elapsed().as_nanos() as f64 / (rounds * cases.len()) as f64
}

fn main() {
    let rounds: usize = std::env::args()
        .skip(1)
        .find_map(|a| a.parse().ok())
        .unwrap_or(2000);
    let policy = Policy::shipped();
    let resource = Resource::Agreement("arden-nuclear-2026".into());
    let mut cases = Vec::new();
    for role in std::iter::once(None).chain(Role::ALL.map(Some)) {
        for action in Action::ALL {
            let holder = role.map(|role| Holder {
                role,
                party: role
                    .acts_for_participant()
                    .then(|| ParticipantId::new("arden").unwrap()),
            });
            cases.push((role, holder, action));
        }
    }
    // The two agree on every combination (what the matrix test asserts too).
    for (role, holder, action) in &cases {
        assert_eq!(
            policy.permits(holder.as_ref(), *action, &resource),
            table(*role, *action)
        );
    }
    // A warm-up round of each, then the measured rounds.
    per_decision(&cases, rounds / 10 + 1, |(r, _, a)| table(*r, *a));
    per_decision(&cases, rounds / 10 + 1, |(_, h, a)| {
        policy.permits(h.as_ref(), *a, &resource)
    });
    let table_ns = per_decision(&cases, rounds * 100, |(r, _, a)| table(*r, *a));
    let cedar_ns = per_decision(&cases, rounds, |(_, h, a)| {
        policy.permits(h.as_ref(), *a, &resource)
    });
    let load = std::fs::read_to_string("/proc/loadavg").unwrap_or_default();
    println!("decisions: {} combinations", cases.len());
    println!("table (baseline): {table_ns:>10.1} ns per decision");
    println!(
        "cedar:            {cedar_ns:>10.1} ns per decision ({:.0}x)",
        cedar_ns / table_ns
    );
    println!("load average: {}", load.trim());
}
