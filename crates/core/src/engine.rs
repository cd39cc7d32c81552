//! The evaluation engine: `evaluate(agreement versions, log prefix, as_of) -> State`
//! (DESIGN §4).
//!
//! The engine is a pure function. It reads no clock, does no I/O, draws no random numbers
//! and iterates only ordered collections (`BTreeMap`, `Vec`), so the same inputs give the
//! same [`State`], byte for byte, on every machine.
//!
//! Two times matter. Each statement has a *valid time* (the period it observes) and a
//! *record time* (when the log accepted it). `as_of` cuts by record time: entries recorded
//! after it are invisible, so "what did we know on 1 March about January" has one answer.
//! Entries are taken in one total order, record time then log index, whatever order they
//! are handed over in.
//!
//! Errors ([`EvalError`]) are only for inputs that cannot be evaluated at all (no
//! version, versions of different agreements, a version given twice). An agreement
//! evaluated before it takes effect answers: `agreement_status` says whether it is agreed,
//! nothing is reached and every measure applies (or has relief scheduled). A bad *entry* — evidence for an unknown indicator, a value in the wrong unit or
//! of the wrong type, a statement from someone not entitled to make it, a retraction of an
//! entry that does not exist — never stops an evaluation: it is listed in
//! [`State::rejected`] with its reason and otherwise ignored.
//!
//! [`Evaluator`] is the incremental form: [`Evaluator::append`] ingests one entry and
//! recomputes only the quorum of the reporting period it touches; [`Evaluator::state`]
//! derives the statuses from those cached quorums, in time proportional to the agreement's
//! size (indicators × periods), not the log's. It also carries forward the status of every
//! reporting period that has settled (its period and grace over, no cure window or escrow
//! pending): a later derivation takes it as it is while its quorum, the misses before it
//! and its due date are unchanged, instead of deriving it again. `evaluate` is `Evaluator`
//! fed the whole prefix, and the property tests check that both agree byte for byte for
//! arbitrary logs, appends out of order and states asked for at any instant.
//!
//! INVARIANT: exemptions are added to the state by the last statement of
//! [`Evaluator::state`], unconditionally (see `derive::exemptions`): no rule, trigger,
//! decision or version can turn one off.

pub mod coverage;
mod derive;
mod ingest;
mod quorum;
pub mod state;
pub mod timeline;

use std::collections::BTreeMap;

use crate::agreement::Agreement;
use crate::id::{AgreementId, IndicatorId, ParticipantId};
use crate::statement::LoggedStatement;
use crate::time::{Date, Instant};

pub use state::State;
pub use timeline::{Change, timeline};

/// Why an evaluation cannot be made at all.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum EvalError {
    /// No version of the agreement was given.
    #[error("no agreement version to evaluate: pass at least version 1")]
    NoVersions,
    /// The versions belong to different agreements.
    #[error(
        "versions belong to different agreements: `{first}` and `{other}`; evaluate one agreement at a time"
    )]
    MixedAgreements {
        /// The first version's agreement.
        first: AgreementId,
        /// Another version's agreement.
        other: AgreementId,
    },
    /// Two versions carry the same number.
    #[error("version {0} is given twice: pass each version of the agreement once")]
    DuplicateVersion(u32),
    /// The agreement counts its days in a zone the tz database does not have.
    #[error(
        "`{0}` is not a time zone of the tz database: name an IANA zone such as `Europe/London`"
    )]
    UnknownZone(String),
    /// A view was asked for that the evaluation does not have: neither a view's id nor a
    /// participant of the agreement.
    #[error("there is no view `{view}`: the views are {}{}", views.join(", "), holders_words(participants))]
    UnknownView {
        /// The view asked for.
        view: String,
        /// The views there are, by id.
        views: Vec<String>,
        /// The participants holding a view, whose ids may be asked for instead.
        participants: Vec<crate::id::ParticipantId>,
    },
}

/// The participants that may be asked for as a view, in words (empty when none holds one).
fn holders_words(participants: &[crate::id::ParticipantId]) -> String {
    if participants.is_empty() {
        return String::new();
    }
    let each: Vec<String> = participants.iter().map(ToString::to_string).collect();
    format!("; or the view held by a participant: {}", each.join(", "))
}

/// The total order of log entries: record time, then log index.
pub(crate) type Key = (Instant, u64);

/// Evaluates an agreement against a prefix of its log as of an instant.
///
/// `versions` are the agreement's versions (any order; numbers must be distinct). `log`
/// may be in any order and may include entries recorded after `as_of`: those are ignored.
///
/// ```
/// # use accord_core::engine::evaluate;
/// # fn demo(agreement: accord_core::agreement::Agreement) {
/// let as_of: jiff::Timestamp = "2026-07-01T00:00:00Z".parse().unwrap();
/// let state = evaluate(&[agreement], &[], as_of).unwrap();
/// for phase in &state.phases {
///     println!("{} {:?}", phase.id, phase.status);
/// }
/// # }
/// ```
pub fn evaluate(
    versions: &[Agreement],
    log: &[LoggedStatement],
    as_of: Instant,
) -> Result<State, EvalError> {
    // The same ingestion as `Evaluator`, without keeping a copy of every entry.
    let mut core = Evaluator::new(versions)?.core;
    let mut entries: Vec<&LoggedStatement> =
        log.iter().filter(|e| e.recorded_at <= as_of).collect();
    entries.sort_by_key(|e| (e.recorded_at, e.index.0));
    for entry in entries {
        core.ingest(entry);
    }
    derive::state(&core, as_of, false, derive::Detail::Full, None).map(|(state, _)| state)
}

/// Evaluates in one view: `as-recorded` (every entry as recorded), `void-#N` (a contested
/// invocation, entry N, held void), or a participant's id (each contested invocation as
/// that participant holds it, as recorded where it holds none: `State::participant_view`
/// says which). A view's id wins over a participant of the same id (only `as-recorded` can
/// be one: ids have no `#`); `participant:ID` always names the participant.
/// `State::views` lists the views there are; an unknown view is an error listing them and
/// the participants holding one.
pub fn evaluate_view(
    versions: &[Agreement],
    log: &[LoggedStatement],
    as_of: Instant,
    view: &str,
) -> Result<State, EvalError> {
    let mut core = Evaluator::new(versions)?.core;
    let mut entries: Vec<&LoggedStatement> =
        log.iter().filter(|e| e.recorded_at <= as_of).collect();
    entries.sort_by_key(|e| (e.recorded_at, e.index.0));
    for entry in entries {
        core.ingest(entry);
    }
    derive::state(&core, as_of, false, derive::Detail::Full, Some(view)).map(|(state, _)| state)
}

/// Incremental evaluation: feed entries one by one, ask for the state at any instant.
///
/// Entries should come in log order (record time, then index). An entry that comes out of
/// order is still taken into account correctly: slotted in place when no entry ingested
/// after it depends on it (evidence or a statement that kills nothing, with a log index
/// nobody used or named), else by rebuilding the caches (the result never depends on the
/// order of appends).
#[derive(Debug, Clone)]
pub struct Evaluator {
    pub(crate) core: ingest::Core,
    /// Every entry appended, kept only to rebuild after an out-of-order append.
    appended: Vec<LoggedStatement>,
}

impl Evaluator {
    /// An evaluator over the given versions of one agreement, with an empty log.
    pub fn new(versions: &[Agreement]) -> Result<Self, EvalError> {
        let first = versions.first().ok_or(EvalError::NoVersions)?;
        if let Some(other) = versions.iter().find(|v| v.id != first.id) {
            return Err(EvalError::MixedAgreements {
                first: first.id.clone(),
                other: other.id.clone(),
            });
        }
        let mut sorted: Vec<Agreement> = versions.to_vec();
        sorted.sort_by_key(|v| v.version);
        for pair in sorted.windows(2) {
            if let [a, b] = pair
                && a.version == b.version
            {
                return Err(EvalError::DuplicateVersion(a.version));
            }
        }
        let days = match &first.zone {
            None => crate::time::DayZone::utc(),
            Some(name) => crate::time::DayZone::named(name)
                .map_err(|_| EvalError::UnknownZone(name.clone()))?,
        };
        Ok(Self {
            core: ingest::Core::new(sorted.into(), days),
            appended: Vec::new(),
        })
    }

    /// Appends one log entry and updates the cached quorum it touches.
    pub fn append(&mut self, entry: &LoggedStatement) {
        let key = (entry.recorded_at, entry.index.0);
        if self.core.last.is_some_and(|last| key < last) {
            // Out of order: slotted in place when nothing ingested depends on its coming
            // later (the caches stay), else rebuilt in the total order; either way the
            // result is the same as a replay in log order.
            let at = self
                .appended
                .partition_point(|e| (e.recorded_at, e.index.0) <= key);
            self.appended.insert(at, entry.clone());
            if self.core.slot_in(entry) {
                return;
            }
            let versions = std::sync::Arc::clone(&self.core.versions);
            let days = std::mem::take(&mut self.core.days);
            self.core = ingest::Core::new(versions, days);
            for e in &self.appended {
                self.core.ingest(e);
            }
            return;
        }
        self.appended.push(entry.clone());
        self.core.ingest(entry);
    }

    /// [`Evaluator::append`] of an entry the caller hands over, which spares copying it.
    pub fn push(&mut self, entry: LoggedStatement) {
        let key = (entry.recorded_at, entry.index.0);
        if self.core.last.is_some_and(|last| key < last) {
            self.append(&entry);
            return;
        }
        self.core.ingest(&entry);
        self.appended.push(entry);
    }

    /// Makes room for `additional` more entries, for a caller that knows about how many
    /// it will append (the simulator: a run's drawn history), so that the evaluator's
    /// copy of the log is not moved again and again as it grows.
    pub fn reserve(&mut self, additional: usize) {
        self.appended.reserve(additional);
        self.core.reserve(additional);
    }

    /// The days the agreement counts in: its zone, UTC when it names none.
    pub fn days(&self) -> &crate::time::DayZone {
        &self.core.days
    }

    /// How many entries have been appended.
    pub fn len(&self) -> usize {
        self.appended.len()
    }

    /// Whether no entry has been appended.
    pub fn is_empty(&self) -> bool {
        self.appended.is_empty()
    }

    /// The state as of `as_of`: entries recorded after it are ignored.
    ///
    /// Quorums and settled reporting periods computed on the way are kept (when `as_of`
    /// sees every appended entry), so the next call and the next appends only recompute
    /// what changed.
    pub fn state(&mut self, as_of: Instant) -> Result<State, EvalError> {
        self.derive(as_of, derive::Detail::Full, derive::Output::State)
    }

    /// The state as of `as_of` for a caller that reads statuses and dates, not why they
    /// are what they are (the simulator looks at thousands of states per second): every
    /// field but the `reasons` is that of [`Evaluator::state`], and so are the reasons of
    /// phases, triggers, relief, measures and decisions, except that those may cite fewer
    /// entries. The `reasons` of indicators' reporting periods, of indicators' reviews, of
    /// commitments' reviews and of disputes are left empty (or partly so): building them is
    /// most of the cost of a state over a long history.
    pub fn statuses(&mut self, as_of: Instant) -> Result<State, EvalError> {
        self.derive(as_of, derive::Detail::Statuses, derive::Output::State)
    }

    /// Where the agreement stands as of `as_of` — its phases, triggers and relief — for a
    /// caller that looks at it after every review (the simulator): each is the one
    /// [`Evaluator::statuses`] gives (the same stages derive them, with every view kept),
    /// without building what no stage after them reads (measures, exemptions, events,
    /// commitments, rejected entries…), and without the words a reader of statuses and
    /// dates skips: a phase's reasons and what remains of a phase not reached (`remains`,
    /// empty but for a phase a trigger reverted), and the last reason of a trigger neither
    /// counting down, paused nor fired (that its condition holds or does not) are left out.
    pub fn look(&mut self, as_of: Instant) -> Result<Look, EvalError> {
        self.derive(as_of, derive::Detail::Statuses, derive::Output::Look)
            .map(Look::from)
    }

    /// The state in the detail asked for, keeping what it computed for later derivations.
    fn derive(
        &mut self,
        as_of: Instant,
        detail: derive::Detail,
        output: derive::Output,
    ) -> Result<State, EvalError> {
        let (state, fills) = derive::output(&self.core, as_of, true, detail, output)?;
        for fill in fills {
            self.fill(fill);
        }
        Ok(state)
    }

    /// Stores one quorum, settled period or prefix a derivation computed.
    fn fill(&mut self, fill: derive::CacheFill) {
        let Some(ind) = self
            .core
            .lenses
            .get_mut(fill.lens)
            .and_then(|l| l.indicators.get_mut(fill.indicator))
        else {
            return;
        };
        match fill.what {
            derive::Filled::Quorum(cell, settled) => {
                let stamp = ind.store_cell(fill.start, cell);
                if let Some(settled) = settled {
                    ind.settled
                        .insert(fill.start, ingest::Settled { stamp, ..settled });
                }
            }
            derive::Filled::Period(settled) => {
                ind.settled.insert(fill.start, settled);
            }
            derive::Filled::Reported(stamp) => {
                ind.reported.insert(fill.start, stamp);
            }
            derive::Filled::Prefix { keep, key, add } => {
                ind.prefix.extend(keep, key, add);
            }
            derive::Filled::Past(past) => ind.keep_past(past),
        }
    }
}

/// Where an agreement stands at a look ([`Evaluator::look`]): its phases, triggers and
/// relief actions, as [`State`] has them.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Look {
    /// The cut.
    pub as_of: Instant,
    /// See [`State::phases`].
    pub phases: Vec<state::PhaseState>,
    /// See [`State::triggers`].
    pub triggers: Vec<state::TriggerState>,
    /// See [`State::relief`].
    pub relief: Vec<state::ActionState>,
}

impl From<State> for Look {
    fn from(s: State) -> Self {
        Look {
            as_of: s.as_of,
            phases: s.phases,
            triggers: s.triggers,
            relief: s.relief,
        }
    }
}

impl From<&State> for Look {
    fn from(s: &State) -> Self {
        Look {
            as_of: s.as_of,
            phases: s.phases.clone(),
            triggers: s.triggers.clone(),
            relief: s.relief.clone(),
        }
    }
}

impl Look {
    /// The phase with this id.
    pub fn phase(&self, id: &str) -> Option<&state::PhaseState> {
        self.phases.iter().find(|p| p.id.as_str() == id)
    }

    /// The relief action with this id.
    pub fn relief(&self, id: &str) -> Option<&state::ActionState> {
        self.relief.iter().find(|a| a.id.as_str() == id)
    }

    /// The trigger with this id.
    pub fn trigger(&self, id: &str) -> Option<&state::TriggerState> {
        self.triggers.iter().find(|t| t.id.as_str() == id)
    }
}

/// Interned names shared by every version, so that entries are ingested once.
#[derive(Debug, Clone, Default)]
pub(crate) struct Names {
    pub participants: BTreeMap<ParticipantId, u32>,
    pub indicators: BTreeMap<IndicatorId, u32>,
}

/// The UTC civil date of an instant.
pub fn date_of(instant: Instant) -> Date {
    let days = instant.as_second().div_euclid(86_400);
    date_from_epoch_day(days).unwrap_or(Date::MIN)
}

/// Days since 1970-01-01 (negative before), by the civil-from-days algorithm.
pub(crate) fn epoch_day(date: Date) -> i64 {
    let y = i64::from(date.year()) - i64::from(date.month() <= 2);
    let m = i64::from(date.month());
    let d = i64::from(date.day());
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// The date `days` after 1970-01-01, or `None` off the calendar.
pub(crate) fn date_from_epoch_day(days: i64) -> Option<Date> {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    Date::new(
        i16::try_from(y).ok()?,
        i8::try_from(m).ok()?,
        i8::try_from(d).ok()?,
    )
    .ok()
}

/// The first instant of a UTC date: what a plain date means when an act takes effect.
pub fn start_of_day(date: Date) -> Instant {
    let day = i128::from(epoch_day(date));
    Instant::from_nanosecond(day * 86_400_000_000_000).unwrap_or(Instant::MIN)
}

/// The last instant of a UTC date: the `as_of` that sees everything recorded that day.
pub fn end_of_day(date: Date) -> Instant {
    let next = i128::from(epoch_day(date).saturating_add(1));
    Instant::from_nanosecond(next * 86_400_000_000_000 - 1).unwrap_or(Instant::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::date;

    #[test]
    fn epoch_days_round_trip() {
        for d in [
            date(1970, 1, 1),
            date(2000, 2, 29),
            date(2026, 12, 31),
            date(1969, 12, 31),
            date(2100, 3, 1),
        ] {
            assert_eq!(date_from_epoch_day(epoch_day(d)), Some(d), "{d}");
        }
        assert_eq!(epoch_day(date(1970, 1, 2)), 1);
        let t: Instant = "2026-03-01T23:59:59.999999999Z".parse().unwrap();
        assert_eq!(date_of(t), date(2026, 3, 1));
        assert_eq!(end_of_day(date(2026, 3, 1)), t);
    }
}
