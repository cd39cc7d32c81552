//! State changes, one per line — date, subject, `from → to` (and the instant, when an
//! instrument stated one) — then the first reason and
//! the log entries it rests on, indented: the one timeline rendering, used by
//! `accord timeline`, `accord play` and the demo alike.

use accord_core::engine::Change;

/// The subjects' column is as wide as the longest subject, at most this.
const MAX_SUBJECT: usize = 48;

/// What `accord timeline` prints: the changes as text, or as a JSON array.
pub fn output(list: &[Change], json: bool) -> String {
    if json {
        format!("{}\n", crate::pretty(&list))
    } else {
        changes(list)
    }
}

/// The changes as a policy officer reads them.
///
/// ```
/// use accord_core::engine::Change;
/// use accord_core::engine::state::{Reason, Rule};
/// use accord_core::statement::LogIndex;
/// let change = Change {
///     date: jiff::civil::date(2026, 7, 6),
///     at: None,
///     subject: "phase first-relief".into(),
///     from: Some("not_reached".into()),
///     to: "reached".into(),
///     reasons: vec![Reason {
///         rule: Rule::PhaseEntry,
///         detail: "entry condition met".into(),
///         entries: vec![LogIndex(3), LogIndex(4)],
///     }],
/// };
/// assert_eq!(
///     accord_render::timeline::changes(&[change]),
///     "2026-07-06  phase first-relief  not_reached → reached\n            entry condition met [#3, #4]\n"
/// );
/// ```
pub fn changes(changes: &[Change]) -> String {
    let width = changes
        .iter()
        .map(|c| c.subject.len())
        .max()
        .unwrap_or(0)
        .min(MAX_SUBJECT);
    let mut out = String::new();
    for change in changes {
        let from = change.from.as_deref().unwrap_or("—");
        let at = change
            .at
            .map_or_else(String::new, |t| format!("  (at {t})"));
        out.push_str(&format!(
            "{}  {:<width$}  {} → {}{at}\n",
            change.date, change.subject, from, change.to
        ));
        if let Some(reason) = change.reasons.first() {
            let entries = if reason.entries.is_empty() {
                String::new()
            } else {
                let list: Vec<String> = reason.entries.iter().map(ToString::to_string).collect();
                format!(" [{}]", list.join(", "))
            };
            out.push_str(&format!("            {}{entries}\n", reason.detail));
        }
    }
    out
}
