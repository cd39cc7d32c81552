//! A played scenario, the states it reached, the demo, and what is wrong with a scenario.

use std::fmt::Write as _;

use accord_app::play::{Demo, EventProblem, Played};
use accord_core::engine::coverage::{Coverage, VOCABULARY};
use accord_scenario::ScenarioError;

/// What playing a scenario did, and its timeline.
pub fn played(played: &Played) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "# {}", played.title);
    if !played.description.is_empty() {
        let _ = writeln!(out, "{}", played.description);
    }
    let _ = writeln!(
        out,
        "\n{} entries signed and appended to log `{}`; checkpoint:",
        played.entries, played.origin
    );
    for line in played.checkpoint.lines().take(3) {
        let _ = writeln!(out, "  {line}");
    }
    out.push('\n');
    out.push_str(&crate::timeline::changes(&played.changes));
    out
}

/// The states reached and never reached, one kind per line, in the vocabulary's order.
pub fn coverage(c: &Coverage) -> String {
    let span = match (c.from, c.to) {
        (Some(from), Some(to)) => format!(" from {from} to {to}"),
        _ => String::new(),
    };
    let mut out = format!("States reached{span}:\n");
    for (kind, statuses) in VOCABULARY {
        let seen = c.reached.get(*kind);
        let list: Vec<&str> = statuses
            .iter()
            .copied()
            .filter(|s| seen.is_some_and(|seen| seen.contains(*s)))
            .collect();
        let list = if list.is_empty() {
            "—".to_owned()
        } else {
            list.join(", ")
        };
        let _ = writeln!(out, "  {kind:<16} {list}");
    }
    let missing = c.missing();
    if missing.is_empty() {
        out.push_str("Every state of the vocabulary was reached at least once.\n");
    } else {
        out.push_str("Never reached:\n");
        for (kind, statuses) in &missing {
            let _ = writeln!(out, "  {kind:<16} {}", statuses.join(", "));
        }
    }
    out
}

/// The coverage as JSON: the statuses reached and those never reached, per kind.
pub fn coverage_json(c: &Coverage) -> serde_json::Value {
    serde_json::json!({
        "from": c.from,
        "to": c.to,
        "reached": c.reached,
        "never_reached": c.missing(),
    })
}

/// What `accord play` prints: the played scenario (and the states reached), or as JSON the
/// changes (with the coverage: `{"changes", "coverage"}`).
pub fn output(played: &Played, json: bool, with_coverage: bool) -> String {
    match (json, with_coverage) {
        (true, _) => format!("{}\n", played_json(played, with_coverage)),
        (false, true) => format!("{}\n{}", self::played(played), coverage(&played.coverage)),
        (false, false) => self::played(played),
    }
}

/// `accord play --json`: the changes, or with the coverage `{"changes", "coverage"}`.
pub fn played_json(played: &Played, with_coverage: bool) -> String {
    if with_coverage {
        crate::pretty(&serde_json::json!({
            "changes": played.changes,
            "coverage": coverage_json(&played.coverage),
        }))
    } else {
        crate::pretty(&played.changes)
    }
}

/// The demo's output: each scenario played, then the states reached together.
pub fn demo(demo: &Demo, kept_in: Option<&str>) -> String {
    let mut out = format!(
        "Accord demo: playing {} bundled scenario(s) into {}\n\n",
        demo.played.len(),
        demo.store
    );
    for one in &demo.played {
        let _ = writeln!(out, "{}", played(one));
    }
    let _ = writeln!(
        out,
        "Across the {} scenarios — {}",
        demo.played.len(),
        coverage(&demo.reached)
    );
    if let Some(dir) = kept_in {
        let _ = writeln!(out, "The store and the files are kept in {dir}.");
    }
    out
}

/// Each problem of a scenario file as `file:line:col: error: …` (the way `accord check`
/// shows a diagnostic), with its help line.
pub fn scenario_errors(file: &str, errors: &[ScenarioError]) -> String {
    let mut out = String::new();
    for e in errors {
        let event = e.event.map(|n| format!("event {n}: ")).unwrap_or_default();
        let _ = writeln!(
            out,
            "{file}:{}:{}: error: {event}{}",
            e.line, e.column, e.message
        );
        if let Some(help) = &e.help {
            let _ = writeln!(out, "  help: {help}");
        }
    }
    out
}

/// Each event that does not play as written, as `file: error: …`.
pub fn event_problems(file: &str, problems: &[EventProblem]) -> String {
    problems
        .iter()
        .map(|p| format!("{file}: error: {p}\n"))
        .collect()
}

/// The problems an error of `accord play` lists line by line before its summary (a
/// scenario's `file:line:col` errors, or the events that do not play), if any.
pub fn problems(error: &accord_app::Error) -> String {
    match error {
        accord_app::Error::Scenario { name, errors } => scenario_errors(name, errors),
        accord_app::Error::Events { name, problems, .. } => event_problems(name, problems),
        _ => String::new(),
    }
}
