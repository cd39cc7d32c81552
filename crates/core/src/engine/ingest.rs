//! Ingesting log entries: checks that each entry may count, files evidence under its
//! indicator, and applies corrections and retractions.
//!
//! Each agreement version is a [`Lens`]: evidence is checked against every version (the
//! version that governs a period is only known when evaluating), and each version keeps
//! its own observations and cached quorums. Everything but evidence (events, decisions,
//! signatures, dispute and trigger steps) is rare and kept as is for `derive` to check.
//!
//! INVARIANT: entries are ingested in the total order (record time, then index); the
//! `Evaluator` rebuilds when handed one out of order. So an entry can only correct or
//! retract an entry already ingested, and `killed_by` is always the *first* entry that
//! superseded or withdrew it.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

use crate::agreement::{Agreement, IndicatorTarget, PartyRole, SelfReport, Tolerance};
use crate::id::ParticipantId;
use crate::statement::{
    Evidence, LogIndex, LoggedStatement, Method, Observation, Statement, StatementKind,
};
use crate::time::{CalendarDuration, Date, DayZone, Instant};

use super::quorum::{self, Cell};
use super::{Key, Names, epoch_day};

/// The authors of an entry, interned; one author is the common case and costs no
/// allocation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Authors {
    One(u32),
    Many(Box<[u32]>),
}

impl Authors {
    pub fn as_slice(&self) -> &[u32] {
        match self {
            Authors::One(a) => std::slice::from_ref(a),
            Authors::Many(m) => m,
        }
    }
}

/// What the engine remembers of every accepted entry, for corrections and retractions.
#[derive(Debug, Clone)]
pub(crate) struct EntryRecord {
    pub key: Key,
    pub kind: StatementKind,
    pub authors: Authors,
    /// The first entry that superseded or retracted this one.
    pub killed_by: Option<Key>,
    /// For evidence (and corrections): the indicator name and the observed period's end.
    pub evidence: Option<(u32, Date)>,
}

/// Entry records by log index: a vector while indices come densely from 0 (what the
/// ledger hands over), a map for any other index.
///
/// INVARIANT: `dense[i]` is the record of index `i`; `sparse` never holds an index below
/// `dense.len()` (an index is inserted once, and `dense` only grows by the next index).
#[derive(Debug, Clone, Default)]
pub(crate) struct Entries {
    dense: Vec<EntryRecord>,
    sparse: BTreeMap<u64, EntryRecord>,
}

impl Entries {
    pub fn get(&self, index: &u64) -> Option<&EntryRecord> {
        usize::try_from(*index)
            .ok()
            .and_then(|i| self.dense.get(i))
            .or_else(|| self.sparse.get(index))
    }

    pub fn get_mut(&mut self, index: &u64) -> Option<&mut EntryRecord> {
        match usize::try_from(*index) {
            Ok(i) if i < self.dense.len() => self.dense.get_mut(i),
            _ => self.sparse.get_mut(index),
        }
    }

    pub fn contains_key(&self, index: &u64) -> bool {
        self.get(index).is_some()
    }

    /// Makes room for `additional` more records of the next indices.
    pub fn reserve(&mut self, additional: usize) {
        self.dense.reserve(additional);
    }

    /// Inserts the record of an index not present yet.
    pub fn insert(&mut self, index: u64, record: EntryRecord) {
        if usize::try_from(index).is_ok_and(|i| i == self.dense.len()) {
            self.dense.push(record);
        } else {
            self.sparse.insert(index, record);
        }
    }
}

/// A statement other than evidence, kept for `derive`.
#[derive(Debug, Clone)]
pub(crate) struct OtherEntry {
    pub key: Key,
    /// The agreement's day of its record time.
    pub day: Date,
    pub index: LogIndex,
    pub authors: Vec<ParticipantId>,
    pub statement: Statement,
}

/// A participant's role in one version.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Role {
    Unknown,
    Monitor(Vec<Method>),
    Party(PartyRole),
}

impl Role {
    /// Whether this role may make statements of this kind: the agreement-wide table shared
    /// with the ledger and the scenario checker (`role_may_state`).
    pub(crate) fn may_state(&self, kind: crate::statement::StatementKind) -> bool {
        match self {
            Role::Unknown => false,
            Role::Monitor(_) => crate::agreement::role_may_state(None, kind),
            Role::Party(role) => crate::agreement::role_may_state(Some(*role), kind),
        }
    }
}

/// How an indicator's observations are read as numbers.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum ValueKind {
    /// Amounts of `quantity`, converted to the limit's unit by dividing base units by
    /// `limit_factor`.
    Threshold {
        quantity: String,
        limit_factor: f64,
    },
    Flag,
    Count,
    /// Dates, as days since 1970-01-01.
    Deadline,
    /// Grades, as their rank on the scale.
    Grade(Vec<String>),
    /// The indicator itself is unusable (e.g. its unit is not declared): every report on
    /// it is rejected with this reason.
    Broken(String),
}

/// One observation filed under an indicator.
#[derive(Debug, Clone)]
pub(crate) struct Obs {
    pub index: u64,
    pub voices: Authors,
    /// Whether it is the target's own report.
    pub target: bool,
    pub value: f64,
    pub start: Date,
    /// Recorded after the period's end plus grace.
    pub late: bool,
    pub killed_by: Option<Key>,
    /// Held in escrow until this date (not delivered to the verifier): it counts for
    /// nothing until a correction delivers it.
    pub escrow_until: Option<Date>,
}

/// One indicator of one version, with its observations and cached quorums.
#[derive(Debug, Clone)]
pub(crate) struct LensIndicator {
    pub kind: ValueKind,
    pub monitors: Vec<u32>,
    pub methods: Vec<Method>,
    pub self_report: SelfReport,
    pub quorum: u32,
    pub tolerance: Tolerance,
    pub grace: CalendarDuration,
    /// Observations by (period end, key).
    pub obs: BTreeMap<(Date, Key), Obs>,
    /// Cached quorums by reporting-period start, computed over everything ingested.
    pub cells: BTreeMap<Date, Cell>,
    /// Quorums decided under cuts before the latest entry, by reporting-period start, the
    /// latest last (at most [`PAST_CELLS_KEPT`] a period): a past cut that sees the same
    /// observations of a period takes one of them instead of deciding it again. Kept by
    /// period, not in one list: a past cut decides every period whose cell is not cached
    /// (before any cut after the last entry was asked, every period), which would push
    /// each other out of a short list at every derivation.
    pub past: BTreeMap<Date, Vec<quorum::PastCell>>,
    /// Reporting periods already derived whose status can no longer change with the
    /// evaluation date, by start: carried forward to later derivations of the evaluator
    /// while what they were derived from is unchanged (see [`Settled`]).
    pub settled: BTreeMap<Date, Settled>,
    /// The leading reporting periods all settled, as last derived with everything
    /// ingested: a derivation takes them as they are and walks only the periods after
    /// them (see [`Prefix`]). Cut back whenever evidence on one of them changes.
    pub prefix: Prefix,
    /// The last stamp given to a cached cell (see `Cell::stamp`).
    pub stamps: u64,
    /// Periods of an `escalate` indicator found reported by the end of their grace, by
    /// start, with the stamp of the cached cell they were found in: they need no look
    /// while the cached cell has that stamp (see `escalation::escalations`).
    pub reported: BTreeMap<Date, u64>,
    /// The last period end seen and its grace deadline (days since 1970).
    pub last_deadline: Option<(Date, Option<i64>)>,
}

/// A reporting period's status as derived once, with everything it was derived from
/// besides the evaluation date: it holds for any evaluation date after `after` (the end of
/// the period and of its grace) while its quorum, the consecutive misses before it and its
/// due date are the same. Periods whose status still depends on the date or the cut in
/// other ways (a cure window, evidence in escrow) are never settled.
#[derive(Debug, Clone)]
pub(crate) struct Settled {
    /// Whether `state` has its reasons (derived for `Evaluator::state`, not `statuses`).
    pub explained: bool,
    /// The stamp of the cached cell it was derived from (a cell decided in the derivation
    /// that settled it takes the stamp it is stored with).
    pub stamp: u64,
    pub misses_in: u32,
    pub due: Option<Date>,
    pub after: Date,
    /// Its reasons shared with every state that shows it (see `state::Reasons`): a copy
    /// allocates nothing but an escrow's entries.
    pub state: crate::engine::state::ReportingPeriodState,
    pub misses_out: u32,
}

/// An indicator's first reporting periods, each settled, with the walk's state after
/// each: what a derivation would compute for them again while the schedule starts on
/// `start`, the due date is `due`, the detail is the same, the cut sees every cell's
/// `max_key` and the evaluation date is after every `after`. Evidence filed or killed on
/// one of them cuts the prefix back to the periods that end before it
/// ([`LensIndicator::refresh_cell`], [`LensIndicator::store_cell`]).
#[derive(Debug, Clone, Default)]
pub(crate) struct Prefix {
    pub start: Option<Date>,
    pub due: Option<Date>,
    /// Whether the states have their reasons (derived for `Evaluator::state`).
    pub explained: bool,
    /// The periods held are the first `held` that end before `cut`; those after them
    /// were cut off by an append and are dropped by the next derivation's fill, so that an
    /// append frees nothing.
    periods: Vec<PrefixPeriod>,
    held: usize,
    /// The end of the last of the first `held` periods: evidence on a later period (most
    /// evidence) cuts nothing, which an append learns without reading the periods.
    last_end: Option<Date>,
    /// The earliest period end that evidence filed or killed since the last fill falls
    /// on or before: the periods that end on or after it are cut off. An append only
    /// lowers it; the periods are searched for it where they are read (a derivation,
    /// which searches them anyway), not by the append, whose first on each indicator
    /// after a derivation would read them from a cold cache.
    cut: Option<Date>,
}

/// One period of a [`Prefix`].
#[derive(Debug, Clone)]
pub(crate) struct PrefixPeriod {
    /// The period (that of `state`, kept beside it for the searches of the prefix).
    pub period: crate::time::Period,
    /// As the walk output it (a finding that stands already taken over); its reasons
    /// shared with the period's [`Settled`] where it is that one.
    pub state: crate::engine::state::ReportingPeriodState,
    /// The entries its quorum ignores, with the reason (rejected in the state).
    pub ignored: Vec<(Key, u64, String)>,
    /// The walk's consecutive misses and latest standing finding after it.
    pub misses_out: u32,
    pub standing: Option<usize>,
    /// The latest `max_key` and settling date of the periods up to this one.
    pub max_key: Key,
    pub after: Date,
}

impl Prefix {
    /// The periods held.
    pub fn periods(&self) -> &[PrefixPeriod] {
        let held = self.periods.get(..self.held).unwrap_or_default();
        match self.cut {
            None => held,
            Some(cut) => held
                .get(..held.partition_point(|p| p.period.end() < cut))
                .unwrap_or_default(),
        }
    }

    /// Takes in what a derivation made of it: its first `keep` periods, then `add`.
    pub fn extend(&mut self, keep: usize, key: super::derive::PrefixKey, add: Vec<PrefixPeriod>) {
        let same = self.start == Some(key.start)
            && self.due == key.due
            && self.explained == key.explained
            && self.periods().len() >= keep;
        if !same {
            if keep > 0 {
                // Not the prefix the derivation read (cannot happen: nothing changes
                // between a derivation and its fills); keep nothing rather than guess.
                self.periods.clear();
                self.hold(0);
                self.start = None;
                return;
            }
            self.start = Some(key.start);
            self.due = key.due;
            self.explained = key.explained;
        }
        if keep == 0 {
            self.periods = add;
        } else {
            self.periods.truncate(keep);
            self.periods.extend(add);
        }
        self.hold(self.periods.len());
    }

    /// How many leading periods hold for a derivation with this schedule start, due date,
    /// detail, cut and date, and before the schedule's `end`.
    pub fn usable(
        &self,
        start: Date,
        due: Option<Date>,
        explained: bool,
        (cut, date, end): (Key, Date, Option<Date>),
    ) -> usize {
        if self.start != Some(start) || self.due != due || self.explained != explained {
            return 0;
        }
        // `max_key` and `after` are running maxima: the periods that hold lead.
        self.periods().partition_point(|p| {
            p.max_key <= cut && date > p.after && end.is_none_or(|e| p.period.start() < e)
        })
    }

    /// Holds only the periods that end before `date` (the others are dropped later).
    fn cut_back(&mut self, date: Date) {
        if self.last_end.is_none_or(|end| end < date) {
            return;
        }
        self.cut = Some(self.cut.map_or(date, |cut| cut.min(date)));
    }

    /// Holds the first `held` periods.
    fn hold(&mut self, held: usize) {
        self.held = held.min(self.periods.len());
        self.cut = None;
        self.last_end = self.periods().last().map(|p| p.period.end());
    }
}

impl Settled {
    /// Whether this derivation holds for a period with this quorum, misses before it and
    /// due date, on `date`.
    pub fn fits(&self, cell: &Cell, misses_in: u32, due: Option<Date>, date: Date) -> bool {
        date > self.after
            && self.misses_in == misses_in
            && self.due == due
            && cell.stamp != 0
            && cell.stamp == self.stamp
    }
}

/// One agreement version's view of the log.
#[derive(Debug, Clone)]
pub(crate) struct Lens {
    pub roles: Vec<Role>,
    /// Interned indicator name → index in `indicators` (same order as the agreement's).
    pub by_name: Vec<Option<usize>>,
    pub indicators: Vec<LensIndicator>,
    /// Evidence this version refuses, by log index.
    pub rejected: BTreeMap<u64, (Key, String)>,
}

/// Everything ingested so far.
#[derive(Debug, Clone)]
pub(crate) struct Core {
    /// The versions, sorted by number: shared, never changed after `new`, so that a
    /// clone of an evaluator (the simulator's per run) does not copy the agreements.
    pub versions: Arc<[Agreement]>,
    /// Shared like `versions`: interned once, only read afterwards.
    pub names: Arc<Names>,
    pub lenses: Vec<Lens>,
    pub entries: Entries,
    pub others: Vec<OtherEntry>,
    /// Entries refused whatever the version, with the reason.
    pub rejected: Vec<(Key, LogIndex, String)>,
    /// The last key ingested.
    pub last: Option<Key>,
    /// Every entry ingested, with its key (to count entries under a cut).
    pub keys: Vec<Key>,
    /// The days the agreement counts in (its zone, UTC by default).
    pub days: DayZone,
    /// Indices a correction or retraction named before any entry had them: an entry that
    /// later arrives out of order with one of them would have changed how that correction
    /// was taken, so it cannot be slotted in (see [`Core::slot_in`]).
    pub missing_targets: BTreeSet<u64>,
}

pub(crate) const MIN_KEY: Key = (Instant::MIN, 0);
pub(crate) const MAX_KEY: Key = (Instant::MAX, u64::MAX);

impl Core {
    pub fn new(versions: Arc<[Agreement]>, days: DayZone) -> Self {
        let mut names = Names::default();
        for v in versions.iter() {
            for id in v
                .parties
                .iter()
                .map(|p| &p.id)
                .chain(v.monitors.iter().map(|m| &m.id))
            {
                let n = u32::try_from(names.participants.len()).unwrap_or(u32::MAX);
                names.participants.entry(id.clone()).or_insert(n);
            }
            for i in &v.indicators {
                let n = u32::try_from(names.indicators.len()).unwrap_or(u32::MAX);
                names.indicators.entry(i.id.clone()).or_insert(n);
            }
        }
        let lenses = versions.iter().map(|v| Lens::new(v, &names)).collect();
        Self {
            versions,
            names: Arc::new(names),
            lenses,
            entries: Entries::default(),
            others: Vec::new(),
            rejected: Vec::new(),
            last: None,
            keys: Vec::new(),
            days,
            missing_targets: BTreeSet::new(),
        }
    }

    /// Ingests an entry that comes before the last one ingested, in place, when nothing
    /// ingested so far would have been taken differently had it come in log order: it is
    /// evidence or a statement other than a correction or retraction (those kill earlier
    /// entries, which depends on what killed them first), no entry ingested has its log
    /// index, and no correction or retraction named that index before it existed.
    /// Ingesting such an entry reads and writes nothing another entry's ingestion depends
    /// on; what it adds is kept in log order (`keys`, `others`, `rejected`), and the cached
    /// quorum of the period it observes is refreshed as for an entry in order. Returns
    /// `false`, having changed nothing, when it cannot be slotted in (then rebuild).
    pub fn slot_in(&mut self, entry: &LoggedStatement) -> bool {
        let key = (entry.recorded_at, entry.index.0);
        let index = entry.index.0;
        let kills = matches!(
            entry.statement,
            Statement::Correction(_) | Statement::Retraction(_)
        );
        if kills || self.missing_targets.contains(&index) || self.keys.iter().any(|k| k.1 == index)
        {
            return false;
        }
        let (others, rejected) = (self.others.len(), self.rejected.len());
        let last = self.last;
        // Slotted in before the latest entry, it may be one a past cell's cuts see.
        for ind in self.lenses.iter_mut().flat_map(|l| l.indicators.iter_mut()) {
            ind.past.clear();
        }
        self.ingest(entry);
        self.last = last;
        // `ingest` appended at the ends: move what it added to its place in log order.
        self.keys.pop();
        let at = self.keys.partition_point(|k| *k < key);
        self.keys.insert(at, key);
        if self.others.len() > others
            && let Some(o) = self.others.pop()
        {
            let at = self.others.partition_point(|x| x.key < key);
            self.others.insert(at, o);
        }
        let added: Vec<(Key, LogIndex, String)> = self.rejected.drain(rejected..).collect();
        for r in added {
            let at = self.rejected.partition_point(|x| x.0 <= key);
            self.rejected.insert(at, r);
        }
        true
    }

    /// Makes room for `additional` more entries (see `Evaluator::reserve`).
    pub fn reserve(&mut self, additional: usize) {
        self.keys.reserve(additional);
        self.entries.reserve(additional);
    }

    /// The agreement's day of an instant (a record time, a cut).
    pub fn day(&self, instant: Instant) -> Date {
        self.days.day_of(instant)
    }

    fn reject(&mut self, key: Key, index: LogIndex, reason: String) {
        self.rejected.push((key, index, reason));
    }

    /// Ingests one entry (in log order).
    pub fn ingest(&mut self, entry: &LoggedStatement) {
        let key = (entry.recorded_at, entry.index.0);
        self.last = Some(self.last.map_or(key, |l| l.max(key)));
        self.keys.push(key);
        let index = entry.index;
        if self.entries.contains_key(&index.0) {
            return self.reject(key, index, format!("log index {index} appears twice"));
        }
        let Some(first) = self.versions.first() else {
            return;
        };
        if entry.agreement != first.id {
            return self.reject(
                key,
                index,
                format!(
                    "belongs to agreement `{}`, not `{}`",
                    entry.agreement, first.id
                ),
            );
        }
        let authors = match self.intern_authors(&entry.authors) {
            Ok(authors) => authors,
            Err(reason) => return self.reject(key, index, reason),
        };
        let kind = entry.statement.kind();
        let mut record = EntryRecord {
            key,
            kind,
            authors,
            killed_by: None,
            evidence: None,
        };
        match &entry.statement {
            Statement::Evidence(evidence) => {
                record.evidence = self.file_evidence(key, &record.authors, evidence);
            }
            Statement::Correction(correction) => {
                let target = correction.supersedes;
                if let Err(reason) = self.check_target(&record, target, true) {
                    return self.reject(key, index, reason);
                }
                self.kill(target.0, key);
                record.evidence = self.file_evidence(key, &record.authors, &correction.evidence);
            }
            Statement::Retraction(retraction) => {
                let target = retraction.retracts;
                if let Err(reason) = self.check_target(&record, target, false) {
                    return self.reject(key, index, reason);
                }
                self.kill(target.0, key);
            }
            _ => self.others.push(OtherEntry {
                key,
                day: self.days.day_of(key.0),
                index,
                authors: entry.authors.clone(),
                statement: entry.statement.clone(),
            }),
        }
        self.entries.insert(index.0, record);
    }

    /// The interned authors of an entry, or why it cannot count. One author (nearly every
    /// entry) allocates nothing.
    fn intern_authors(&self, authors: &[ParticipantId]) -> Result<Authors, String> {
        let intern = |author: &ParticipantId| {
            self.names
                .participants
                .get(author.as_str())
                .copied()
                .ok_or_else(|| format!("`{author}` is not a party or monitor of the agreement"))
        };
        match authors {
            [] => Err("has no author".to_owned()),
            [one] => intern(one).map(Authors::One),
            _ => authors
                .iter()
                .map(intern)
                .collect::<Result<Box<[u32]>, String>>()
                .map(Authors::Many),
        }
    }

    /// Checks that `record` may correct (or retract) the entry at `target`.
    fn check_target(
        &mut self,
        record: &EntryRecord,
        target: LogIndex,
        correction: bool,
    ) -> Result<(), String> {
        let Some(old) = self.entries.get(&target.0) else {
            self.missing_targets.insert(target.0);
            return Err(format!(
                "{} entry {target}, which is not an earlier accepted entry of this log",
                if correction { "corrects" } else { "retracts" }
            ));
        };
        if correction
            && !matches!(
                old.kind,
                StatementKind::Evidence | StatementKind::Correction
            )
        {
            return Err(format!(
                "corrects entry {target}, which is not evidence: retract it instead"
            ));
        }
        if old.kind == StatementKind::Retraction {
            return Err(format!(
                "entry {target} is a retraction, which cannot be undone"
            ));
        }
        let old_authors = old.authors.as_slice();
        if !record
            .authors
            .as_slice()
            .iter()
            .all(|a| old_authors.contains(a))
        {
            return Err(format!(
                "only the authors of entry {target} may {} it",
                if correction { "correct" } else { "retract" }
            ));
        }
        if let Some(by) = old.killed_by {
            return Err(format!(
                "entry {target} was already superseded or retracted by entry #{}",
                by.1
            ));
        }
        Ok(())
    }

    /// Marks entry `target` superseded or retracted by the entry at `by`.
    fn kill(&mut self, target: u64, by: Key) {
        let Some(record) = self.entries.get_mut(&target) else {
            return;
        };
        record.killed_by = Some(by);
        let (Some((name, end)), key) = (record.evidence, record.key) else {
            return;
        };
        for lens in &mut self.lenses {
            let Some(i) = lens.by_name.get(name as usize).copied().flatten() else {
                continue;
            };
            let Some(ind) = lens.indicators.get_mut(i) else {
                continue;
            };
            if let Some(obs) = ind.obs.get_mut(&(end, key)) {
                obs.killed_by = Some(by);
                ind.refresh_cell(end);
            }
        }
    }

    /// Files evidence under its indicator in every version that accepts it. Returns the
    /// indicator name and period end (for later corrections), or `None` when no version
    /// knows the indicator (then it is rejected outright).
    fn file_evidence(
        &mut self,
        key: Key,
        authors: &Authors,
        evidence: &Evidence,
    ) -> Option<(u32, Date)> {
        let index = LogIndex(key.1);
        let Some(&name) = self.names.indicators.get(evidence.indicator.as_str()) else {
            self.reject(
                key,
                index,
                format!(
                    "evidence for `{}`, which is not an indicator of the agreement",
                    evidence.indicator
                ),
            );
            return None;
        };
        let recorded = self.days.day_of(key.0);
        for (lens, version) in self.lenses.iter_mut().zip(self.versions.iter()) {
            let at = (key, recorded);
            if let Err(reason) = lens.file(version, &self.names, name, at, authors, evidence) {
                lens.rejected.insert(key.1, (key, reason));
            }
        }
        Some((name, evidence.period.end()))
    }
}

impl Lens {
    fn new(agreement: &Agreement, names: &Names) -> Self {
        let mut roles = vec![Role::Unknown; names.participants.len()];
        for p in &agreement.parties {
            if let Some(&n) = names.participants.get(p.id.as_str())
                && let Some(slot) = roles.get_mut(n as usize)
            {
                *slot = Role::Party(p.role);
            }
        }
        for m in &agreement.monitors {
            if let Some(&n) = names.participants.get(m.id.as_str())
                && let Some(slot) = roles.get_mut(n as usize)
            {
                *slot = Role::Monitor(m.methods.clone());
            }
        }
        let mut by_name = vec![None; names.indicators.len()];
        let mut indicators = Vec::with_capacity(agreement.indicators.len());
        for (i, ind) in agreement.indicators.iter().enumerate() {
            if let Some(&n) = names.indicators.get(ind.id.as_str())
                && let Some(slot) = by_name.get_mut(n as usize)
                && slot.is_none()
            {
                *slot = Some(i);
            }
            let kind = match &ind.target {
                IndicatorTarget::Threshold { unit, .. } => {
                    match agreement.units.iter().find(|u| &u.id == unit) {
                        Some(u) if u.factor.is_finite() && u.factor > 0.0 => ValueKind::Threshold {
                            quantity: u.quantity.clone(),
                            limit_factor: u.factor,
                        },
                        Some(_) => ValueKind::Broken(format!(
                            "the unit `{unit}` of indicator `{}` has no positive conversion factor",
                            ind.id
                        )),
                        None => ValueKind::Broken(format!(
                            "the unit `{unit}` of indicator `{}` is not declared in the agreement",
                            ind.id
                        )),
                    }
                }
                IndicatorTarget::Flag { .. } => ValueKind::Flag,
                IndicatorTarget::Count { .. } => ValueKind::Count,
                IndicatorTarget::Deadline { .. } => ValueKind::Deadline,
                IndicatorTarget::Grade { scale, .. } => ValueKind::Grade(scale.clone()),
            };
            let kind = if ind.cadence.is_zero() {
                ValueKind::Broken(format!(
                    "indicator `{}` has a zero cadence, so it has no reporting periods",
                    ind.id
                ))
            } else {
                kind
            };
            let monitors = ind
                .verification
                .monitors
                .iter()
                .filter_map(|m| names.participants.get(m.as_str()).copied())
                .collect();
            indicators.push(LensIndicator {
                kind,
                monitors,
                methods: ind.verification.methods.clone(),
                self_report: ind.verification.self_report,
                quorum: ind.verification.quorum,
                tolerance: ind.verification.tolerance,
                grace: ind.grace,
                obs: BTreeMap::new(),
                cells: BTreeMap::new(),
                past: BTreeMap::new(),
                settled: BTreeMap::new(),
                prefix: Prefix::default(),
                stamps: 0,
                reported: BTreeMap::new(),
                last_deadline: None,
            });
        }
        Self {
            roles,
            by_name,
            indicators,
            rejected: BTreeMap::new(),
        }
    }

    /// Checks evidence against this version and files it.
    fn file(
        &mut self,
        agreement: &Agreement,
        names: &Names,
        name: u32,
        (key, recorded): (Key, Date),
        authors: &Authors,
        evidence: &Evidence,
    ) -> Result<(), String> {
        let id = &evidence.indicator;
        let i = self
            .by_name
            .get(name as usize)
            .copied()
            .flatten()
            .ok_or_else(|| format!("version {} has no indicator `{id}`", agreement.version))?;
        let ind = self
            .indicators
            .get_mut(i)
            .ok_or_else(|| format!("indicator `{id}` is missing"))?;
        // Who may report: the indicator's monitors (each accredited for the method), or
        // the target alone, as a self-report.
        let mut target = false;
        for &a in authors.as_slice() {
            match self.roles.get(a as usize) {
                Some(Role::Monitor(methods)) => {
                    if !ind.monitors.contains(&a) {
                        return Err(format!(
                            "monitor `{}` is not assigned to indicator `{id}`",
                            participant_name(names, a)
                        ));
                    }
                    if !methods.contains(&evidence.method) {
                        return Err(format!(
                            "monitor `{}` is not accredited for `{}`",
                            participant_name(names, a),
                            method_name(evidence.method)
                        ));
                    }
                    if !ind.methods.contains(&evidence.method) {
                        return Err(format!(
                            "indicator `{id}` does not accept the method `{}`",
                            method_name(evidence.method)
                        ));
                    }
                }
                Some(Role::Party(PartyRole::Target)) => {
                    if authors.as_slice().len() != 1 {
                        return Err(
                            "a self-report is signed by the target alone, not jointly with monitors"
                                .to_owned(),
                        );
                    }
                    if evidence.method != Method::SelfReport {
                        return Err(format!(
                            "the target's own report must use the method `self_report`, not `{}`",
                            method_name(evidence.method)
                        ));
                    }
                    target = true;
                }
                Some(Role::Party(_)) => {
                    return Err(format!(
                        "only monitors and the target report evidence on `{id}`"
                    ));
                }
                Some(Role::Unknown) | None => {
                    return Err(format!(
                        "an author is not a participant of version {}",
                        agreement.version
                    ));
                }
            }
        }
        let value = read_value(&ind.kind, agreement, id.as_str(), &evidence.value)?;
        let end = evidence.period.end();
        // Consecutive reports usually share a period: remember its grace deadline.
        let deadline = match ind.last_deadline {
            Some((e, d)) if e == end => d,
            _ => {
                let d = ind.grace.after(end).map(epoch_day);
                ind.last_deadline = Some((end, d));
                d
            }
        };
        let late = deadline.is_some_and(|d| epoch_day(recorded) > d);
        ind.obs.insert(
            (end, key),
            Obs {
                index: key.1,
                voices: authors.clone(),
                target,
                value,
                start: evidence.period.start(),
                late,
                killed_by: None,
                escrow_until: evidence.escrow_until,
            },
        );
        ind.refresh_cell(end);
        Ok(())
    }
}

/// How many quorums decided under past cuts each indicator keeps per reporting period.
pub(crate) const PAST_CELLS_KEPT: usize = 4;

impl LensIndicator {
    /// Keeps a quorum decided under a past cut, forgetting the oldest of its period kept
    /// beyond [`PAST_CELLS_KEPT`].
    pub fn keep_past(&mut self, past: quorum::PastCell) {
        let kept = self.past.entry(past.start).or_default();
        if kept.len() >= PAST_CELLS_KEPT {
            kept.remove(0);
        }
        kept.push(past);
    }

    /// The quorum of `start..=end` decided under another past cut that `cut` sees the same.
    pub fn past_cell(&self, start: Date, end: Date, cut: super::Key) -> Option<&Cell> {
        let kept = self.past.get(&start)?;
        kept.iter()
            .rev()
            .find(|p| p.holds(start, end, cut))
            .map(|p| &p.cell)
    }

    /// Caches a cell, dropping cached cells that overlap it with other bounds (the
    /// schedule moved, e.g. when the event it starts from was recorded).
    /// Returns the stamp it is stored with.
    pub fn store_cell(&mut self, start: Date, mut cell: Cell) -> u64 {
        let stale: Vec<Date> = self
            .cells
            .range(..=cell.end)
            .rev()
            .take_while(|(_, c)| c.end >= start)
            .map(|(s, _)| *s)
            .collect();
        for s in stale {
            self.cells.remove(&s);
        }
        self.prefix.cut_back(start);
        let stamp = self.next_stamp();
        cell.stamp = stamp;
        self.cells.insert(start, cell);
        stamp
    }

    /// Recomputes the cached quorum of the reporting period containing `end`, if one is
    /// cached (periods not cached yet are computed when first asked for).
    pub fn refresh_cell(&mut self, end: Date) {
        // Whether or not its cell is cached, the period holding `end` changed.
        self.prefix.cut_back(end);
        let Some((&start, cell)) = self.cells.range(..=end).next_back() else {
            return;
        };
        if cell.end < end {
            return;
        }
        let cell_end = cell.end;
        let mut fresh = quorum::decide(self, start, cell_end, None);
        fresh.stamp = self.next_stamp();
        self.cells.insert(start, fresh);
    }

    /// A stamp no cell of this indicator has had.
    fn next_stamp(&mut self) -> u64 {
        self.stamps += 1;
        self.stamps
    }
}

/// Reads an observation as a number on the indicator's scale, refusing the wrong type or
/// an incompatible unit.
fn read_value(
    kind: &ValueKind,
    agreement: &Agreement,
    id: &str,
    value: &Observation,
) -> Result<f64, String> {
    match (kind, value) {
        (ValueKind::Broken(reason), _) => Err(reason.clone()),
        (
            ValueKind::Threshold {
                quantity,
                limit_factor,
            },
            Observation::Quantity(q),
        ) => {
            let Some(unit) = agreement.units.iter().find(|u| &u.id == q.unit()) else {
                return Err(format!(
                    "the unit `{}` is not declared in the agreement",
                    q.unit()
                ));
            };
            if &unit.quantity != quantity {
                return Err(format!(
                    "`{}` measures `{}`, but indicator `{id}` measures `{quantity}`: declare a conversion or report in a unit of `{quantity}`",
                    q.unit(),
                    unit.quantity
                ));
            }
            let converted = q.amount() * unit.factor / limit_factor;
            if converted.is_finite() {
                Ok(converted)
            } else {
                Err(format!("the amount `{}` is out of range", q.amount()))
            }
        }
        (ValueKind::Flag, Observation::Flag { value }) => Ok(if *value { 1.0 } else { 0.0 }),
        (ValueKind::Count, Observation::Count { value }) => Ok(*value as f64),
        (ValueKind::Deadline, Observation::Date { value }) => Ok(epoch_day(*value) as f64),
        (ValueKind::Grade(scale), Observation::Grade { value }) => scale
            .iter()
            .position(|g| g == value)
            .map(|p| p as f64)
            .ok_or_else(|| {
                format!(
                    "`{value}` is not a grade of indicator `{id}` (grades: {})",
                    scale.join(", ")
                )
            }),
        (kind, value) => Err(format!(
            "indicator `{id}` expects {}, but the evidence reports {}",
            expected(kind),
            observed(value)
        )),
    }
}

fn expected(kind: &ValueKind) -> &'static str {
    match kind {
        ValueKind::Threshold { .. } => "a quantity",
        ValueKind::Flag => "a yes/no flag",
        ValueKind::Count => "a count",
        ValueKind::Deadline => "a date",
        ValueKind::Grade(_) => "a grade",
        ValueKind::Broken(_) => "nothing",
    }
}

fn observed(value: &Observation) -> &'static str {
    match value {
        Observation::Quantity(_) => "a quantity",
        Observation::Flag { .. } => "a flag",
        Observation::Count { .. } => "a count",
        Observation::Date { .. } => "a date",
        Observation::Grade { .. } => "a grade",
    }
}

pub(crate) fn method_name(method: Method) -> &'static str {
    match method {
        Method::OnSiteInspection => "on_site_inspection",
        Method::RemoteSensing => "remote_sensing",
        Method::DocumentAudit => "document_audit",
        Method::ThirdPartyAudit => "third_party_audit",
        Method::SelfReport => "self_report",
    }
}

/// The name of an interned participant, for messages (rare path: linear search).
fn participant_name(names: &Names, n: u32) -> String {
    names
        .participants
        .iter()
        .find(|(_, v)| **v == n)
        .map_or_else(|| "?".to_owned(), |(id, _)| id.to_string())
}
