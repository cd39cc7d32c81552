//! `accord explain` (issue #4): why each status is what it is (the rule and the log
//! entries it rests on), and for phases not reached, what remains and by when.

use std::fmt::Write as _;
use std::path::PathBuf;
use std::process::ExitCode;

use accord_core::engine::evaluate;
use accord_core::engine::state::{Reason, State};

use super::evaluate::{eval_error, load, parse_instant};

/// Arguments of `accord explain`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The agreement file (TOML; or the agreement model as `.json`).
    pub agreement: PathBuf,
    /// The ledger store: `sqlite:PATH`, `postgres://…`, or `jsonl:FILE` (an exported log).
    #[arg(long)]
    pub store: String,
    /// The record-time cut (default: now).
    #[arg(long)]
    pub as_of: Option<String>,
    /// What to explain: a phase, relief action, commitment, indicator, exemption or event
    /// (every phase when absent).
    pub id: Option<String>,
}

/// Runs `accord explain`.
pub fn run(args: Args) -> miette::Result<ExitCode> {
    let as_of = match &args.as_of {
        Some(text) => parse_instant(text)?,
        None => jiff::Timestamp::now(),
    };
    let (versions, log) = load(&args.agreement, &args.store)?;
    let state = evaluate(&versions, &log, as_of).map_err(eval_error)?;
    let text = explain(&state, args.id.as_deref()).ok_or_else(|| {
        miette::miette!(
            code = "accord::explain::unknown",
            help = "name a phase, relief action, commitment, indicator, exemption, event, trigger or dispute of the agreement, or a decision by its entry (`#29`)",
            "`{}` is nothing the agreement names",
            args.id.as_deref().unwrap_or_default()
        )
    })?;
    print!("{text}");
    Ok(ExitCode::SUCCESS)
}

fn reasons(out: &mut String, indent: &str, reasons: &[Reason]) {
    for r in reasons {
        let entries = if r.entries.is_empty() {
            String::new()
        } else if r.entries.len() <= 8 {
            let list: Vec<String> = r.entries.iter().map(ToString::to_string).collect();
            format!(" [{}]", list.join(", "))
        } else {
            format!(
                " [{} entries, {} to {}]",
                r.entries.len(),
                r.entries
                    .first()
                    .map(ToString::to_string)
                    .unwrap_or_default(),
                r.entries
                    .last()
                    .map(ToString::to_string)
                    .unwrap_or_default()
            )
        };
        let _ = writeln!(out, "{indent}- {}: {}{entries}", r.rule, r.detail);
    }
}

/// A decision in one line: what it does, from when, whether it departs from the
/// evaluation, and the authority's stated reason.
fn decision_line(d: &accord_core::engine::state::DecisionState) -> String {
    format!(
        "decision {}: {} effective {} — {}{}{}: \"{}\"",
        d.entry,
        serde_json::to_value(d.act)
            .ok()
            .and_then(|v| v.as_str().map(str::to_owned))
            .unwrap_or_default(),
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

/// The explanation of `id` (every phase when `None`), or `None` when nothing has that id.
pub fn explain(state: &State, id: Option<&str>) -> Option<String> {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "Agreement `{}` version {}, as of {} ({})",
        state.agreement, state.version, state.as_of, state.date
    );
    let mut found = false;
    for p in &state.phases {
        if id.is_some_and(|id| id != p.id.as_str()) {
            continue;
        }
        found = true;
        let status = match p.entered {
            Some(d) => format!("reached on {d}"),
            None => "not reached".to_owned(),
        };
        let _ = writeln!(out, "\nphase `{}` ({}): {status}", p.id, p.title);
        reasons(&mut out, "  ", &p.reasons);
        if !p.remains.is_empty() {
            let _ = writeln!(out, "  what remains:");
            for u in &p.remains {
                let _ = writeln!(
                    out,
                    "  - {} — {}; earliest {}",
                    u.condition,
                    u.detail,
                    u.earliest
                        .map_or_else(|| "unknown".to_owned(), |d| d.to_string())
                );
            }
        }
    }
    let Some(id) = id else {
        return Some(out);
    };
    for a in state.relief.iter().filter(|a| a.id.as_str() == id) {
        found = true;
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
        for d in state
            .decisions
            .iter()
            .filter(|d| a.reasons.iter().any(|r| r.entries.contains(&d.entry)))
        {
            let _ = writeln!(out, "  {}", decision_line(d));
        }
    }
    for t in state.triggers.iter().filter(|t| t.id.as_str() == id) {
        found = true;
        let _ = writeln!(
            out,
            "
trigger `{}`: {}",
            t.id, t.status
        );
        reasons(&mut out, "  ", &t.reasons);
    }
    for d in state.disputes.iter().filter(|d| d.id.as_str() == id) {
        found = true;
        let _ = writeln!(
            out,
            "
dispute `{}`: {}{} (effect on what it disputes: {})",
            d.id,
            d.status,
            d.stage
                .as_ref()
                .map_or(String::new(), |s| format!(" at `{s}`")),
            d.effect
        );
        reasons(&mut out, "  ", &d.reasons);
    }
    let entry = id.strip_prefix('#').unwrap_or(id).parse::<u64>().ok();
    for d in state.decisions.iter().filter(|d| Some(d.entry.0) == entry) {
        found = true;
        let _ = writeln!(
            out,
            "
{}",
            decision_line(d)
        );
        reasons(&mut out, "  ", &d.reasons);
    }
    for c in state.commitments.iter().filter(|c| c.id.as_str() == id) {
        found = true;
        let _ = writeln!(out, "\ncommitment `{}` ({})", c.id, c.title);
        for r in &c.reviews {
            let _ = writeln!(
                out,
                "  review {}: {}",
                r.review,
                serde_json::to_value(r.status)
                    .ok()
                    .and_then(|v| v.as_str().map(str::to_owned))
                    .unwrap_or_default()
            );
            reasons(&mut out, "    ", &r.reasons);
        }
    }
    for i in state.indicators.iter().filter(|i| i.id.as_str() == id) {
        found = true;
        let _ = writeln!(
            out,
            "\nindicator `{}` (commitment `{}`)",
            i.id, i.commitment
        );
        for r in &i.reviews {
            let late = if r.late { ", late" } else { "" };
            let _ = writeln!(out, "  review {}: {}{late}", r.review, r.status.as_str());
            reasons(&mut out, "    ", &r.reasons);
        }
    }
    for e in state.exemptions.iter().filter(|e| e.id.as_str() == id) {
        found = true;
        let _ = writeln!(out, "\nexemption `{}` ({}): in force", e.id, e.title);
        reasons(&mut out, "  ", &e.reasons);
    }
    for e in state.events.iter().filter(|e| e.id.as_str() == id) {
        found = true;
        let _ = writeln!(
            out,
            "\nevent `{}`: {}",
            e.id,
            e.date
                .map_or_else(|| "no date yet".to_owned(), |d| d.to_string())
        );
        reasons(&mut out, "  ", &e.reasons);
    }
    found.then_some(out)
}
