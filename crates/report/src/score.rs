//! The implementation score: each commitment graded on an ordinal scale from its
//! indicators' current statuses, and the grades rolled up by theme.
//!
//! An indicator *is met* when its current status — at the latest review period that
//! judged it, else its latest reporting period — is `compliant` or `met_late`. With `m`
//! of a commitment's `n` indicators met, its level is `not_started` (m = 0), `minimal`
//! (0 < 2m < n), `intermediate` (n ≤ 2m < 2n) or `complete` (m = n). A theme's level is
//! the lower median of its commitments' levels; the counts per level are kept beside it.
//! The scale is ordinal: levels are compared, never averaged.
//!
//! INVARIANT: linear in the number of indicators and commitments (one pass each, lookups
//! through maps), so that agreements of several hundred provisions score in microseconds.

use std::collections::BTreeMap;

use accord_core::agreement::Agreement;
use accord_core::engine::state::{IndicatorState, IndicatorStatus, State};
use serde::{Deserialize, Serialize};

/// The theme of commitments that name none.
pub const NO_THEME: &str = "(no theme)";

/// A level of implementation, worst first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Level {
    /// No indicator met.
    NotStarted,
    /// Fewer than half of the indicators met.
    Minimal,
    /// At least half, not all.
    Intermediate,
    /// Every indicator met.
    Complete,
}

impl Level {
    /// Every level, worst first.
    pub const ALL: [Level; 4] = [
        Level::NotStarted,
        Level::Minimal,
        Level::Intermediate,
        Level::Complete,
    ];

    /// The name written in JSON.
    pub fn as_str(self) -> &'static str {
        match self {
            Level::NotStarted => "not_started",
            Level::Minimal => "minimal",
            Level::Intermediate => "intermediate",
            Level::Complete => "complete",
        }
    }

    /// The level of `met` indicators met out of `total`.
    pub fn of(met: usize, total: usize) -> Level {
        if met == 0 || total == 0 {
            Level::NotStarted
        } else if met >= total {
            Level::Complete
        } else if 2 * met >= total {
            Level::Intermediate
        } else {
            Level::Minimal
        }
    }
}

impl std::fmt::Display for Level {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One commitment's grade.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CommitmentScore {
    /// The commitment.
    pub id: String,
    /// Its title.
    pub title: String,
    /// Its themes (none: counted under [`NO_THEME`]).
    pub themes: Vec<String>,
    /// Its level.
    pub level: Level,
    /// How many of its indicators are met.
    pub met: usize,
    /// How many indicators it has.
    pub indicators: usize,
    /// Its level in the previous report, when that report graded it.
    pub previous: Option<Level>,
}

/// One theme's roll-up.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ThemeScore {
    /// The theme.
    pub theme: String,
    /// The lower median of its commitments' levels.
    pub level: Level,
    /// How many of its commitments are at each level, worst first.
    pub counts: [usize; 4],
    /// Its level in the previous report, when that report had the theme.
    pub previous: Option<Level>,
}

/// The implementation score of a report.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Score {
    /// Each commitment of the governing version, in the agreement's order.
    pub commitments: Vec<CommitmentScore>,
    /// Each theme, by name.
    pub themes: Vec<ThemeScore>,
}

/// Whether an indicator is met now: the status of its latest review that judged it, else
/// of its latest reporting period that did. A review or period still `missing` (no
/// evidence yet, within its time or grace) has not judged: the one before it stands.
fn is_met(indicator: &IndicatorState) -> bool {
    let judged = |s: &IndicatorStatus| *s != IndicatorStatus::Missing;
    let current = indicator
        .reviews
        .iter()
        .rev()
        .map(|r| r.status)
        .find(judged)
        .or_else(|| {
            indicator
                .periods
                .iter()
                .rev()
                .map(|p| p.status)
                .find(judged)
        });
    matches!(
        current,
        Some(IndicatorStatus::Compliant | IndicatorStatus::MetLate)
    )
}

/// Scores the commitments of `agreement` (the governing version) in `state`, with the
/// previous report's score for the change.
pub fn score(agreement: &Agreement, state: &State, previous: Option<&Score>) -> Score {
    let mut tally: BTreeMap<&str, (usize, usize)> = BTreeMap::new();
    for indicator in &state.indicators {
        let t = tally.entry(indicator.commitment.as_str()).or_default();
        t.1 += 1;
        t.0 += usize::from(is_met(indicator));
    }
    let before: BTreeMap<&str, Level> = previous
        .map(|p| {
            p.commitments
                .iter()
                .map(|c| (c.id.as_str(), c.level))
                .collect()
        })
        .unwrap_or_default();
    let commitments: Vec<CommitmentScore> = agreement
        .commitments
        .iter()
        .map(|c| {
            let (met, total) = tally.get(c.id.as_str()).copied().unwrap_or_default();
            CommitmentScore {
                id: c.id.to_string(),
                title: c.title.clone(),
                themes: c.themes.clone(),
                level: Level::of(met, total),
                met,
                indicators: total,
                previous: before.get(c.id.as_str()).copied(),
            }
        })
        .collect();
    let themes = themes(&commitments, previous);
    Score {
        commitments,
        themes,
    }
}

fn themes(commitments: &[CommitmentScore], previous: Option<&Score>) -> Vec<ThemeScore> {
    let mut levels: BTreeMap<&str, Vec<Level>> = BTreeMap::new();
    for c in commitments {
        if c.themes.is_empty() {
            levels.entry(NO_THEME).or_default().push(c.level);
        }
        for theme in &c.themes {
            levels.entry(theme.as_str()).or_default().push(c.level);
        }
    }
    let before: BTreeMap<&str, Level> = previous
        .map(|p| {
            p.themes
                .iter()
                .map(|t| (t.theme.as_str(), t.level))
                .collect()
        })
        .unwrap_or_default();
    levels
        .into_iter()
        .map(|(theme, mut of)| {
            of.sort_unstable();
            let mut counts = [0; 4];
            for level in &of {
                if let Some(n) = counts.get_mut(*level as usize) {
                    *n += 1;
                }
            }
            let median = of
                .get((of.len().saturating_sub(1)) / 2)
                .copied()
                .unwrap_or(Level::NotStarted);
            ThemeScore {
                theme: theme.to_owned(),
                level: median,
                counts,
                previous: before.get(theme).copied(),
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn levels_follow_the_share_of_indicators_met() {
        assert_eq!(Level::of(0, 3), Level::NotStarted);
        assert_eq!(Level::of(0, 0), Level::NotStarted);
        assert_eq!(Level::of(1, 3), Level::Minimal);
        assert_eq!(Level::of(1, 2), Level::Intermediate);
        assert_eq!(Level::of(2, 3), Level::Intermediate);
        assert_eq!(Level::of(3, 3), Level::Complete);
    }

    #[test]
    fn a_theme_takes_the_lower_median() {
        let c = |id: &str, level| CommitmentScore {
            id: id.into(),
            title: String::new(),
            themes: vec!["t".into()],
            level,
            met: 0,
            indicators: 1,
            previous: None,
        };
        let scored = themes(
            &[
                c("a", Level::Complete),
                c("b", Level::NotStarted),
                c("c", Level::Minimal),
                c("d", Level::Complete),
            ],
            None,
        );
        assert_eq!(scored.len(), 1);
        assert_eq!(scored[0].level, Level::Minimal);
        assert_eq!(scored[0].counts, [1, 1, 0, 2]);
    }
}
