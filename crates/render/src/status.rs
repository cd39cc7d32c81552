//! What is in force for an entity: the human answer (one block per jurisdiction) and the
//! status JSON of `docs/status-json.md`.

use std::fmt::Write as _;

use accord_app::status::{Evaluation, Who};
use accord_lists::in_force::{Outcome, Status};

/// The status JSON (`docs/status-json.md`): fields in this order.
#[derive(Debug, serde::Serialize)]
pub struct Report<'a> {
    /// What was asked.
    pub query: Asked<'a>,
    /// The answer.
    pub status: &'a Status,
    /// How each agreement's relief was read: the view the answer uses (null: every view
    /// kept), the views there are, the contract date asked.
    pub evaluations: &'a [Evaluation],
}

/// What was asked: the entity or the name (the other `null`).
#[derive(Debug, serde::Serialize)]
pub struct Asked<'a> {
    /// The designation asked for, as `SOURCE:ID`.
    pub entity: Option<&'a str>,
    /// The name screened.
    pub name: Option<&'a str>,
}

impl<'a> Report<'a> {
    /// The report of a query and its answer.
    pub fn new(who: &'a Who, status: &'a Status, evaluations: &'a [Evaluation]) -> Report<'a> {
        let (entity, name) = match who {
            Who::Entity(e) => (Some(e.as_str()), None),
            Who::Name(n) => (None, Some(n.as_str())),
        };
        Report {
            query: Asked { entity, name },
            status,
            evaluations,
        }
    }
}

/// The status JSON, pretty-printed.
pub fn json(who: &Who, status: &Status, evaluations: &[Evaluation]) -> String {
    crate::pretty(&Report::new(who, status, evaluations))
}

/// What `accord status` prints: the text, or the status JSON.
pub fn output(who: &Who, answer: &accord_app::status::StatusAnswer, json: bool) -> String {
    if json {
        format!("{}\n", self::json(who, &answer.status, &answer.evaluations))
    } else {
        let mut out = text(&answer.status, answer.matched.is_empty());
        let read = readings(&answer.evaluations);
        if let Some(first) = out.find('\n') {
            out.insert_str(first + 1, &read);
        }
        out.push_str(&signals(&answer.evaluations));
        out
    }
}

/// How each agreement was read, one line each: the view the answer uses and the contract
/// date, when one was asked.
pub fn readings(evaluations: &[Evaluation]) -> String {
    let mut out = String::new();
    for e in evaluations {
        let named = |id: &str| {
            e.views
                .iter()
                .zip(&e.view_names)
                .find(|(v, _)| v.as_str() == id)
                .map(|(_, n)| format!(", the view {n}"))
                .unwrap_or_default()
        };
        let view = match (&e.view, e.views.is_empty()) {
            (Some(v), _) => match &e.participant_view {
                Some(p) => format!("in view `{v}`, {}", crate::state::participant_view(p)),
                None => format!("in view `{v}`{}", named(v)),
            },
            (None, true) => "as recorded (nothing is contested)".to_owned(),
            (None, false) => format!(
                "with every view kept: what they disagree on is contested and relieves nothing (views: {})",
                e.views
                    .iter()
                    .zip(&e.view_names)
                    .map(|(v, n)| format!("`{v}`, {n}"))
                    .collect::<Vec<_>>()
                    .join("; ")
            ),
        };
        let contract = e
            .contract
            .map(|c| format!(", for a contract concluded on {c}"))
            .unwrap_or_default();
        let _ = writeln!(out, "Agreement `{}` read {view}{contract}", e.agreement);
    }
    out
}

/// The risk signals and recommendations of each agreement read: they change no status,
/// and are shown wherever the state is. Empty when none was recorded.
pub fn signals(evaluations: &[Evaluation]) -> String {
    let mut out = String::new();
    for e in evaluations.iter().filter(|e| !e.signals.is_empty()) {
        let _ = writeln!(
            out,
            "\nSignals and recommendations in `{}` (they change no status):",
            e.agreement
        );
        for s in &e.signals {
            let _ = writeln!(out, "- {}", crate::state::signal_line(s));
        }
    }
    out
}

/// An outcome in words.
pub fn words(outcome: Outcome) -> &'static str {
    match outcome {
        Outcome::Prohibited => "prohibited",
        Outcome::WindDown => "wind-down",
        Outcome::Licensed => "licensed",
        Outcome::Relieved => "relieved",
        Outcome::NotListed => "not listed",
    }
}

/// The human answer: one block per jurisdiction.
pub fn text(status: &Status, nothing_matched: bool) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "What is in force on {}{}",
        status.date,
        status
            .activity
            .as_deref()
            .map(|a| format!(" for `{a}`"))
            .unwrap_or_default()
    );
    if status.agreements.is_empty() {
        let _ = writeln!(
            out,
            "From the lists alone: no agreement was given, so no relief is composed."
        );
    } else {
        let _ = writeln!(out, "Agreements: {}", status.agreements.join(", "));
    }
    if nothing_matched {
        let _ = writeln!(out, "No designation in the store matched.");
    }
    for id in &status.unplaced {
        let _ = writeln!(
            out,
            "Warning: `{id}` is listed by a source of no known jurisdiction; it is answered for none below, so `not listed` does not clear it."
        );
    }
    for j in &status.jurisdictions {
        let until = j.until.map(|d| format!(" until {d}")).unwrap_or_default();
        let _ = writeln!(out, "\n{}: {}{until}", j.jurisdiction, words(j.outcome));
        for l in &j.listings {
            listing(&mut out, l);
        }
        for x in &j.exemptions {
            let _ = writeln!(
                out,
                "  exemption: {} \"{}\" ({}): {} — {}",
                x.exemption,
                x.title,
                x.agreement,
                x.activities.join(", "),
                x.legal_basis
            );
        }
    }
    out
}

fn listing(out: &mut String, l: &accord_lists::in_force::Listing) {
    let _ = writeln!(out, "  {} {} — {}", l.list_id, l.name, words(l.outcome));
    let _ = writeln!(out, "    matched: {}", l.matched);
    if !l.basis.programmes.is_empty() || !l.basis.legal_basis.is_empty() {
        let under: Vec<String> = l
            .basis
            .programmes
            .iter()
            .chain(&l.basis.legal_basis)
            .cloned()
            .collect();
        let _ = writeln!(out, "    listed under: {}", under.join("; "));
    }
    for r in &l.basis.regimes {
        let _ = writeln!(
            out,
            "    regime: {} ({}) — {}",
            r.regime, r.agreement, r.legal_basis
        );
    }
    for r in &l.relief {
        let _ = writeln!(
            out,
            "    relief: {} \"{}\" ({}, {}){}{}",
            r.action,
            r.title,
            r.kind,
            r.status.as_str(),
            r.since.map(|d| format!(" since {d}")).unwrap_or_default(),
            r.until
                .map(|d| format!(", expires {d}"))
                .unwrap_or_else(|| ", no expiry".to_owned()),
        );
        if let Some(d) = &r.decision {
            let _ = writeln!(out, "      {}", d.describe());
        }
    }
    for reason in &l.reasons {
        let _ = writeln!(out, "    - {reason}");
    }
}
