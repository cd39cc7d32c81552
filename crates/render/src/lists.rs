//! Import summaries, what stays in force when an update fails, and the history of
//! designations.

use std::fmt::Write as _;

use accord_app::lists::{Histories, History, SourceUpdate, Updated};
use accord_store::lists::{ImportSummary, ListedOn};

/// One line saying what an import recorded.
pub fn summary_line(s: &ImportSummary) -> String {
    let published = s
        .published
        .as_deref()
        .map(|p| format!(", published {p}"))
        .unwrap_or_default();
    let overridden = s
        .overridden
        .map(|o| format!(" ({o}, as asked; recorded with the import)"))
        .unwrap_or_default();
    format!(
        "imported `{}` as import {} (observed {}{published}): {} designations: {} added, {} removed, {} amended, {} unchanged{overridden}",
        s.source,
        s.import_id,
        s.observed_at,
        s.n_records,
        s.n_added,
        s.n_removed,
        s.n_amended,
        s.n_unchanged
    )
}

/// Which import of a source stays in force (after a failed or skipped update).
pub fn in_force_note(
    source: &str,
    latest: &Result<Option<ImportSummary>, accord_app::Error>,
) -> String {
    match latest {
        Ok(Some(latest)) => format!(
            "the previous import of `{source}` (import {}, observed {}) stays in force",
            latest.import_id, latest.observed_at
        ),
        Ok(None) => format!("`{source}` has no import yet"),
        Err(e) => format!(
            "(could not read the previous imports: {})",
            crate::errors::chain(e)
        ),
    }
}

/// A source not re-imported because nothing changed.
pub fn unchanged(source: &str, note: &str) -> String {
    format!("`{source}` is unchanged since its last download: not re-imported; {note}")
}

/// "Was it listed on this date", answered in words.
pub fn listed_on(answer: &ListedOn, date: &str) -> String {
    match answer {
        ListedOn::Observed {
            since_import,
            since,
            confirmed_by,
            confirmed_at,
        } => format!(
            "listed on {date}: present since import {since_import} ({since}), confirmed by import {confirmed_by} ({confirmed_at})"
        ),
        ListedOn::PerListingDate {
            listed_on,
            first_seen,
        } => format!(
            "listed on {date}: the source's listing date is {listed_on} (first imported {first_seen})"
        ),
        ListedOn::NotListed { reason } => format!("not listed on {date}: {reason}"),
        ListedOn::Unknown { reason } => format!("unknown on {date}: {reason}"),
    }
}

/// The history of one designation: its presence in the imports, its changes, and the
/// answer for the date asked.
pub fn history(h: &History) -> String {
    let mut out = String::new();
    let state = if h.listed { "listed" } else { "delisted" };
    let _ = writeln!(
        out,
        "{} {}: {} ({state})",
        h.list,
        h.id,
        h.designation.caption()
    );
    for interval in &h.intervals {
        match (&interval.until_at, &interval.last_seen) {
            (Some(until), Some((seen_id, seen_at))) => {
                let _ = writeln!(
                    out,
                    "  present from import {} ({}) to import {seen_id} ({seen_at}); absent from import {} ({until})",
                    interval.from_import,
                    interval.from_at,
                    interval.until_import.unwrap_or_default()
                );
            }
            _ => {
                let _ = writeln!(
                    out,
                    "  present from import {} ({}) to the latest import",
                    interval.from_import, interval.from_at
                );
            }
        }
    }
    for change in &h.changes {
        let _ = writeln!(
            out,
            "  import {} ({}): {}",
            change.import_id, change.observed_at, change.kind
        );
    }
    if let Some((date, answer)) = &h.on {
        let _ = writeln!(out, "  {}", listed_on(answer, date));
    }
    out
}

/// The imports of a source, newest first, one per line.
pub fn imports(source: &str, imports: &[ImportSummary]) -> String {
    if imports.is_empty() {
        return format!("`{source}` has no import\n");
    }
    let mut out = String::new();
    for s in imports {
        let _ = writeln!(
            out,
            "import {} observed {}: {} designations, {} added, {} removed, {} amended; {} sha256 {}",
            s.import_id,
            s.observed_at,
            s.n_records,
            s.n_added,
            s.n_removed,
            s.n_amended,
            s.origin,
            s.content_sha256
        );
    }
    out
}

/// What `accord lists history` prints for the source `list`, asked by identifier or `name`.
pub fn histories(list: &str, name: Option<&str>, answer: &Histories) -> String {
    match answer {
        Histories::Imports(all) => imports(list, all),
        Histories::Designations(found) if found.is_empty() => format!(
            "no designation of `{list}` has a name containing `{}`\n",
            name.unwrap_or_default()
        ),
        Histories::Designations(found) => found.iter().map(history).collect(),
    }
}

/// What updating one source did: a line for standard output (`Ok`) or, when it failed, for
/// the error stream (`Err`); each says which import is in force.
pub fn update(u: &SourceUpdate) -> Result<String, String> {
    let note = || in_force_note(&u.name, &u.latest);
    match &u.outcome {
        Ok(Updated::Imported(summary)) => Ok(summary_line(summary)),
        Ok(Updated::Unchanged) => Ok(unchanged(&u.name, &note())),
        Err(e) => Err(format!(
            "error: `{}`: {}; {}",
            u.name,
            crate::errors::chain(e),
            note()
        )),
    }
}
