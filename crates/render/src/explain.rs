//! Why each status is what it is — the rule and the log entries it rests on — and, for
//! phases not reached, what remains and by when (`accord explain`).

use std::fmt::Write as _;

use accord_app::evaluate::Subjects;
use accord_core::engine::state::{DecisionState, Reason, State};

use crate::serde_name;

fn reasons(out: &mut String, indent: &str, reasons: &[Reason]) {
    for r in reasons {
        let entries = if r.entries.is_empty() {
            String::new()
        } else if r.entries.len() <= 8 {
            let list: Vec<String> = r.entries.iter().map(ToString::to_string).collect();
            format!(" [{}]", list.join(", "))
        } else {
            let first = r.entries.first().map(ToString::to_string);
            let last = r.entries.last().map(ToString::to_string);
            format!(
                " [{} entries, {} to {}]",
                r.entries.len(),
                first.unwrap_or_default(),
                last.unwrap_or_default()
            )
        };
        let _ = writeln!(out, "{indent}- {}: {}{entries}", r.rule, r.detail);
    }
}

/// A decision in one line: what it does, from when, whether it departs from the
/// evaluation, and the authority's stated reason.
pub fn decision_line(d: &DecisionState) -> String {
    format!(
        "decision {}: {} effective {} — {}{}{}: \"{}\"",
        d.entry,
        serde_name(&d.act),
        d.effective,
        if d.departure {
            "a departure from the evaluation"
        } else {
            "follows the evaluation"
        },
        if d.set_aside { ", set aside" } else { "" },
        d.disputed_by
            .as_ref()
            .map_or(String::new(), |x| format!(", disputed in `{x}`")),
        d.stated_reason
    )
}

/// The explanation of what [`accord_app::evaluate::explain`] found in the state.
pub fn explain(state: &State, subjects: &Subjects<'_>) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "Agreement `{}` version {}, as of {} ({})",
        state.agreement, state.version, state.as_of, state.date
    );
    out.push_str(&crate::state::view_line(state));
    for p in &subjects.phases {
        let status = match p.entered {
            Some(d) => format!("reached on {d}"),
            None => "not reached".to_owned(),
        };
        let _ = writeln!(out, "\nphase `{}` ({}): {status}", p.id, p.title);
        reasons(&mut out, "  ", &p.reasons);
        if !p.remains.is_empty() {
            let _ = writeln!(out, "  what remains:");
            for u in &p.remains {
                let earliest = u
                    .earliest
                    .map_or_else(|| "unknown".to_owned(), |d| d.to_string());
                let _ = writeln!(
                    out,
                    "  - {} — {}; earliest {earliest}",
                    u.condition, u.detail
                );
            }
        }
    }
    for (a, decisions) in &subjects.relief {
        let _ = writeln!(
            out,
            "\nrelief `{}` ({}): {}{}{}",
            a.id,
            a.title,
            a.status.as_str(),
            a.since.map_or(String::new(), |d| format!(" since {d}")),
            a.until.map_or(String::new(), |d| format!(" until {d}"))
        );
        reasons(&mut out, "  ", &a.reasons);
        for d in decisions {
            let _ = writeln!(out, "  {}", decision_line(d));
        }
    }
    for t in &subjects.triggers {
        let _ = writeln!(out, "\ntrigger `{}`: {}", t.id, t.status);
        reasons(&mut out, "  ", &t.reasons);
    }
    for d in &subjects.disputes {
        let stage = d
            .stage
            .as_ref()
            .map_or(String::new(), |s| format!(" at `{s}`"));
        let _ = writeln!(
            out,
            "\ndispute `{}`: {}{stage} (effect on what it disputes: {})",
            d.id, d.status, d.effect
        );
        reasons(&mut out, "  ", &d.reasons);
    }
    for d in &subjects.decisions {
        let _ = writeln!(out, "\n{}", decision_line(d));
        reasons(&mut out, "  ", &d.reasons);
    }
    reviews(&mut out, subjects);
    for e in &subjects.exemptions {
        let _ = writeln!(out, "\nexemption `{}` ({}): in force", e.id, e.title);
        reasons(&mut out, "  ", &e.reasons);
    }
    for e in &subjects.events {
        let date = e
            .date
            .map_or_else(|| "no date yet".to_owned(), |d| d.to_string());
        let _ = writeln!(out, "\nevent `{}`: {date}", e.id);
        reasons(&mut out, "  ", &e.reasons);
    }
    if !state.signals.is_empty() {
        let _ = writeln!(
            out,
            "\nsignals and recommendations recorded (they change no status):"
        );
        for s in &state.signals {
            let _ = writeln!(out, "  - {}", crate::state::signal_line(s));
        }
    }
    out
}

/// Commitments and indicators, review by review.
fn reviews(out: &mut String, subjects: &Subjects<'_>) {
    for c in &subjects.commitments {
        let _ = writeln!(out, "\ncommitment `{}` ({})", c.id, c.title);
        for r in &c.reviews {
            let _ = writeln!(out, "  review {}: {}", r.review, serde_name(&r.status));
            reasons(out, "    ", &r.reasons);
        }
    }
    for i in &subjects.indicators {
        let _ = writeln!(
            out,
            "\nindicator `{}` (commitment `{}`)",
            i.id, i.commitment
        );
        for r in &i.reviews {
            let late = if r.late { ", late" } else { "" };
            let _ = writeln!(out, "  review {}: {}{late}", r.review, r.status.as_str());
            reasons(out, "    ", &r.reasons);
        }
    }
}
