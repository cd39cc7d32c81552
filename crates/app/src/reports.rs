//! Per indicator, where its reports are in an agreement's log (issue #14): the indicator
//! page shows each monitor's latest report on each period, and finding those by walking
//! the log made the page O(entries) on every request. [`Reports`] is kept next to the log
//! (by the evaluation cache, one entry pushed at a time as the log grows), so the page
//! reads only its indicator's few keys.

use std::collections::{BTreeMap, HashMap};

use accord_core::statement::{Evidence, LoggedStatement, Statement};
use accord_core::time::{Instant, Period};

/// For each indicator, for each (monitor, period), the positions in the log (in log
/// order) of the evidence and corrections reported on it.
#[derive(Debug, Clone, Default)]
pub struct Reports {
    by_indicator: HashMap<String, BTreeMap<(String, Period), Vec<usize>>>,
}

/// The evidence an entry reports: its own, or the one a correction carries.
pub fn reported(statement: &Statement) -> Option<&Evidence> {
    match statement {
        Statement::Evidence(evidence) => Some(evidence),
        Statement::Correction(correction) => Some(&correction.evidence),
        _ => None,
    }
}

/// The monitor an entry speaks for, as the page names it: its authors joined by " + ".
pub fn monitor(entry: &LoggedStatement) -> String {
    entry
        .authors
        .iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join(" + ")
}

impl Reports {
    /// The reports of every entry of `log`.
    pub fn new(log: &[LoggedStatement]) -> Reports {
        let mut reports = Reports::default();
        for (position, entry) in log.iter().enumerate() {
            reports.push(position, entry);
        }
        reports
    }

    /// Adds `entry`, at `position` in the log (past every position pushed before).
    pub fn push(&mut self, position: usize, entry: &LoggedStatement) {
        let Some(evidence) = reported(&entry.statement) else {
            return;
        };
        self.by_indicator
            .entry(evidence.indicator.as_str().to_owned())
            .or_default()
            .entry((monitor(entry), evidence.period))
            .or_default()
            .push(position);
    }

    /// Each monitor's latest report on each period of `indicator` recorded by `as_of`, in
    /// (monitor, period) order; `log` is the log these reports were pushed from. A verified
    /// log's record times never go back, so the reports recorded by `as_of` are a prefix
    /// of each key's positions.
    pub fn latest<'a>(
        &self,
        log: &'a [LoggedStatement],
        indicator: &str,
        as_of: Instant,
    ) -> Vec<&'a LoggedStatement> {
        let Some(keys) = self.by_indicator.get(indicator) else {
            return Vec::new();
        };
        keys.values()
            .filter_map(|positions| {
                let by = positions.partition_point(|&p| log[p].recorded_at <= as_of);
                by.checked_sub(1).map(|last| &log[positions[last]])
            })
            .collect()
    }
}
