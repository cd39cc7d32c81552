//! The first stages: which versions are in force and the dates they know (events recorded
//! or fixed), then — once the disputes have given the dispute stages' start dates — the
//! review periods.
//!
//! [`Versions`] is what the disputes read; [`Calendar`] (the versions plus the review
//! periods) is what every later stage reads. Neither reads a status.

use std::collections::{BTreeMap, BTreeSet};

use crate::agreement::Agreement;
use crate::id::{EventId, ParticipantId, StageId};
use crate::statement::{AmendmentSignature, LogIndex, Statement};
use crate::time::Date;

use super::super::ingest::{Core, Role};
use super::super::state::{Reason, ReviewState, Rule};
use super::participation::Participants;
use super::{Anchors, Key, Rejected, periods};

/// What one version makes of the log.
pub(crate) struct VersionView {
    pub anchors: Anchors,
    /// The entry that recorded each event (for reasons): the latest, for a recurring one.
    pub event_entries: BTreeMap<EventId, LogIndex>,
    /// Every recorded occurrence of each event, in log order.
    pub occurrences: BTreeMap<EventId, Vec<Date>>,
    pub effective: Option<Date>,
    pub in_force: bool,
    pub reasons: Vec<Reason>,
}

/// The versions of the agreement as of the cut: which are in force, which governs the
/// evaluation date, and the dates each knows.
pub(crate) struct Versions<'a> {
    pub core: &'a Core,
    pub cut: Key,
    pub date: Date,
    /// The version governing the evaluation date.
    pub current: usize,
    pub views: Vec<VersionView>,
    /// Who takes part on each day.
    pub participants: Participants,
    /// Entries a view of the log sets aside (a contested invocation held void).
    pub excluded: BTreeSet<u64>,
    /// Whether the disputes are walked with their reasons (`Detail::Full`).
    pub explain: bool,
}

impl<'a> Versions<'a> {
    /// Every version's view, and the one governing `date`, with the `excluded` entries
    /// set aside.
    pub fn new(
        core: &'a Core,
        cut: Key,
        date: Date,
        excluded: &BTreeSet<u64>,
        rejected: &mut Rejected,
    ) -> Self {
        let live = Live {
            core,
            cut,
            excluded,
        };
        let views = core
            .versions
            .iter()
            .enumerate()
            .map(|(i, version)| version_view(&live, date, i, version, rejected))
            .collect();
        let mut out = Self {
            core,
            cut,
            date,
            current: 0,
            views,
            participants: Participants::default(),
            excluded: excluded.clone(),
            explain: true,
        };
        out.current = out.governing(date);
        if let Some(agreement) = out.agreement() {
            out.participants =
                Participants::new(core, agreement, cut.0, &|k, i| live.alive(k, i), rejected);
        }
        out
    }

    /// The version that governs day `d`: the newest one in force and effective by then
    /// (version 1 at the latest).
    pub fn governing(&self, d: Date) -> usize {
        Self::governing_in(&self.views, d)
    }

    /// The governing agreement version.
    pub fn agreement(&self) -> Option<&'a Agreement> {
        self.core.versions.get(self.current)
    }

    /// The governing version's events (and, once the disputes are walked, stages).
    pub fn anchors(&self) -> Anchors {
        self.views
            .get(self.current)
            .map(|v| v.anchors.clone())
            .unwrap_or_default()
    }

    /// Gives every version the dates dispute stages began.
    pub fn set_stages(&mut self, stages: &BTreeMap<StageId, Date>) {
        for view in &mut self.views {
            view.anchors.stages = stages.clone();
        }
    }

    /// Whether an entry is recorded under the cut, not superseded or retracted under it,
    /// and not set aside by the view evaluated.
    pub fn alive(&self, key: Key, index: LogIndex) -> bool {
        Live {
            core: self.core,
            cut: self.cut,
            excluded: &self.excluded,
        }
        .alive(key, index)
    }

    /// A participant's role in the governing version.
    pub fn role_of(&self, id: &ParticipantId) -> Role {
        role_in(self.core, self.current, id)
    }
}

/// The versions and the review periods begun by the evaluation date: what every stage
/// after the disputes reads.
pub(crate) struct Calendar<'a> {
    pub core: &'a Core,
    pub cut: Key,
    pub date: Date,
    pub current: usize,
    pub views: Vec<VersionView>,
    pub reviews: Vec<ReviewState>,
    /// How many reviews have concluded (they are the first ones).
    pub concluded: u32,
    /// Who takes part on each day.
    pub participants: Participants,
    /// Entries the view evaluated sets aside.
    pub excluded: BTreeSet<u64>,
    /// How much to derive (set by `derive`; full by default).
    pub detail: super::Detail,
    /// Whether phases and triggers are worded: a phase's reasons and what remains of one
    /// not reached, a trigger's closing reason (false for `Evaluator::look`, whose reader
    /// takes statuses and dates alone).
    pub words: bool,
    /// Whether quorums decided under this cut are offered to the evaluator's cache of past
    /// cuts (the cut is before the latest entry, and the derivation's fills are kept).
    pub keep_past: bool,
}

impl<'a> Calendar<'a> {
    /// The review periods by the governing version's schedule, each with the version that
    /// governs it.
    pub fn new(versions: Versions<'a>) -> Self {
        let core = versions.core;
        let agreement = versions.agreement().or(core.versions.first());
        let start = agreement.and_then(|a| {
            let anchors = &versions.views.get(versions.current)?.anchors;
            let end = a.review.ends.as_ref().and_then(|r| anchors.resolve(r));
            anchors
                .resolve(&a.review.starts)
                .map(|s| (s, a.review.every, end))
        });
        let reviews: Vec<ReviewState> = start
            .map(|(s, every, end)| periods(s, every, versions.date, end))
            .unwrap_or_default()
            .into_iter()
            .zip(1u32..)
            .map(|(period, number)| ReviewState {
                number,
                period,
                concluded: period.end() < versions.date,
                version: core
                    .versions
                    .get(versions.governing(period.start()))
                    .map_or(1, |v| v.version),
            })
            .collect();
        let concluded = u32::try_from(reviews.iter().filter(|r| r.concluded).count()).unwrap_or(0);
        Self {
            core,
            cut: versions.cut,
            date: versions.date,
            current: versions.current,
            views: versions.views,
            reviews,
            concluded,
            participants: versions.participants,
            excluded: versions.excluded,
            detail: super::Detail::Full,
            words: true,
            keep_past: false,
        }
    }

    /// The version that governs day `d`.
    pub fn governing(&self, d: Date) -> usize {
        Versions::governing_in(&self.views, d)
    }

    /// The governing agreement version.
    pub fn agreement(&self) -> Option<&'a Agreement> {
        self.core.versions.get(self.current)
    }

    /// The governing version's events and stages (phases are the judge's to add).
    pub fn anchors(&self) -> Anchors {
        self.views
            .get(self.current)
            .map(|v| v.anchors.clone())
            .unwrap_or_default()
    }

    /// The entry that recorded an event, in the governing version.
    pub fn event_entry(&self, event: &EventId) -> Option<LogIndex> {
        self.views
            .get(self.current)
            .and_then(|v| v.event_entries.get(event))
            .copied()
    }

    /// Whether an entry is recorded under the cut, not superseded or retracted under it,
    /// and not set aside by the view evaluated.
    pub fn alive(&self, key: Key, index: LogIndex) -> bool {
        Live {
            core: self.core,
            cut: self.cut,
            excluded: &self.excluded,
        }
        .alive(key, index)
    }

    /// A participant's role in the governing version.
    pub fn role_of(&self, id: &ParticipantId) -> Role {
        role_in(self.core, self.current, id)
    }

    /// The agreement's effective date (version 1), or the evaluation date when unknown.
    pub fn effective_or_date(&self) -> Date {
        self.views
            .first()
            .and_then(|v| v.effective)
            .unwrap_or(self.date)
    }

    /// How many concluded reviews ended before `day`.
    pub fn concluded_before(&self, day: Date) -> u32 {
        u32::try_from(
            self.reviews
                .iter()
                .take(self.concluded as usize)
                .filter(|r| r.period.end() < day)
                .count(),
        )
        .unwrap_or(0)
    }
}

impl Versions<'_> {
    fn governing_in(views: &[VersionView], d: Date) -> usize {
        views
            .iter()
            .enumerate()
            .rev()
            .find(|(i, v)| *i == 0 || (v.in_force && v.effective.is_some_and(|e| e <= d)))
            .map_or(0, |(i, _)| i)
    }
}

/// What the log holds under a cut, for a view of it.
struct Live<'a> {
    core: &'a Core,
    cut: Key,
    excluded: &'a BTreeSet<u64>,
}

impl Live<'_> {
    fn alive(&self, key: Key, index: LogIndex) -> bool {
        key <= self.cut
            && !self.excluded.contains(&index.0)
            && self
                .core
                .entries
                .get(&index.0)
                .and_then(|r| r.killed_by)
                .is_none_or(|k| k > self.cut)
    }
}

fn role_in(core: &Core, version: usize, id: &ParticipantId) -> Role {
    match (
        core.lenses.get(version),
        core.names.participants.get(id.as_str()),
    ) {
        (Some(lens), Some(&n)) => lens.roles.get(n as usize).cloned().unwrap_or(Role::Unknown),
        _ => Role::Unknown,
    }
}

/// Which events a version knows the date of, and whether it is in force.
fn version_view(
    live: &Live<'_>,
    date: Date,
    i: usize,
    version: &Agreement,
    rejected: &mut Rejected,
) -> VersionView {
    let (core, cut) = (live.core, live.cut);
    let (mut anchors, event_entries, occurrences) = recorded_events(live, i, version, rejected);
    fixed_events(version, &mut anchors);
    let effective = anchors.resolve(&version.effective);
    let (in_force, reasons) = if i == 0 {
        adopted(effective, date)
    } else {
        signed(live, date, version, effective)
    };
    // Signatures that no version expects are rejected (reported by the version 1 view).
    if i == 0 {
        unexpected_signatures(core, cut, rejected);
    }
    VersionView {
        anchors,
        event_entries,
        occurrences,
        effective,
        in_force,
        reasons,
    }
}

/// Events recorded in the log: the first recording that counts wins, or for a recurring
/// event each recording is an occurrence and the latest dates it. Problems are reported
/// once, by the version 1 view (later views repeat the check).
fn recorded_events(
    live: &Live<'_>,
    i: usize,
    version: &Agreement,
    rejected: &mut Rejected,
) -> (
    Anchors,
    BTreeMap<EventId, LogIndex>,
    BTreeMap<EventId, Vec<Date>>,
) {
    let mut anchors = Anchors {
        cut: live.cut.0,
        days: live.core.days.clone(),
        ..Anchors::default()
    };
    let mut event_entries = BTreeMap::new();
    let mut occurrences: BTreeMap<EventId, Vec<Date>> = BTreeMap::new();
    let core = live.core;
    for other in &core.others {
        let Statement::EventOccurred(occurred) = &other.statement else {
            continue;
        };
        if !live.alive(other.key, other.index) {
            continue;
        }
        let on = occurred.on.day_as_of(live.cut.0, &live.core.days);
        let problem = match version.events.iter().find(|e| e.id == occurred.event) {
            None => Some(format!(
                "event `{}` is not declared in the agreement",
                occurred.event
            )),
            Some(e) if e.date.is_some() => Some(format!(
                "event `{}` has a date fixed by the agreement; it is not recorded",
                occurred.event
            )),
            Some(e) => recorder_problem(core, i, e, &other.authors),
        };
        match problem {
            Some(reason) => {
                if i == 0 {
                    rejected.push((other.index.0, reason));
                }
            }
            None => {
                let recurs = version
                    .events
                    .iter()
                    .any(|e| e.id == occurred.event && e.recurs);
                if recurs {
                    anchors.events.insert(occurred.event.clone(), on);
                    event_entries.insert(occurred.event.clone(), other.index);
                    occurrences
                        .entry(occurred.event.clone())
                        .or_default()
                        .push(on);
                } else if let Some(&earlier) = event_entries.get(&occurred.event) {
                    if i == 0 {
                        rejected.push((
                            other.index.0,
                            format!(
                                "event `{}` was already recorded by entry {earlier}",
                                occurred.event
                            ),
                        ));
                    }
                } else {
                    anchors.events.insert(occurred.event.clone(), on);
                    event_entries.insert(occurred.event.clone(), other.index);
                    occurrences.insert(occurred.event.clone(), vec![on]);
                }
            }
        }
    }
    (anchors, event_entries, occurrences)
}

/// Who may record that an event occurred: those the agreement names for it, else an
/// authority.
fn recorder_problem(
    core: &Core,
    i: usize,
    event: &crate::agreement::Event,
    authors: &[ParticipantId],
) -> Option<String> {
    let ok = if event.recorded_by.is_empty() {
        authors
            .iter()
            .all(|a| role_in(core, i, a) == Role::Party(crate::agreement::PartyRole::Authority))
    } else {
        authors.iter().all(|a| event.recorded_by.contains(a))
    };
    (!ok).then(|| {
        if event.recorded_by.is_empty() {
            format!(
                "only an authority records that event `{}` occurred",
                event.id
            )
        } else {
            format!(
                "only {} record that event `{}` occurred",
                event
                    .recorded_by
                    .iter()
                    .map(|p| format!("`{p}`"))
                    .collect::<Vec<_>>()
                    .join(", "),
                event.id
            )
        }
    })
}

/// Fixed events may depend on each other: resolved to a fixed point.
fn fixed_events(version: &Agreement, anchors: &mut Anchors) {
    for _ in 0..=version.events.len() {
        let mut changed = false;
        for e in &version.events {
            if anchors.events.contains_key(&e.id) {
                continue;
            }
            if let Some(d) = e.date.as_ref().and_then(|r| anchors.resolve(r)) {
                anchors.events.insert(e.id.clone(), d);
                changed = true;
            }
        }
        if !changed {
            break;
        }
    }
}

/// Version 1: in force from its effective date.
fn adopted(effective: Option<Date>, date: Date) -> (bool, Vec<Reason>) {
    let ok = effective.is_some_and(|e| e <= date);
    let reason = match effective {
        Some(e) if ok => Reason::rule(Rule::VersionAdopted, format!("in force since {e}")),
        Some(e) => Reason::rule(Rule::VersionAdopted, format!("takes effect on {e}")),
        None => Reason::rule(
            Rule::VersionAdopted,
            "its effective date depends on an event not recorded yet",
        ),
    };
    (ok, vec![reason])
}

/// A later version: in force once every signatory has signed it (under the cut) and its
/// effective date has come.
fn signed(
    live: &Live<'_>,
    date: Date,
    version: &Agreement,
    effective: Option<Date>,
) -> (bool, Vec<Reason>) {
    let mut signatures: Vec<LogIndex> = Vec::new();
    let mut missing = Vec::new();
    for signatory in &version.signatories {
        let found = live.core.others.iter().find(|o| {
            matches!(&o.statement, Statement::AmendmentSignature(s) if signs(s, version))
                && o.authors.contains(signatory)
                && live.alive(o.key, o.index)
        });
        match found {
            Some(o) => signatures.push(o.index),
            None => missing.push(signatory.to_string()),
        }
    }
    let effective_ok = effective.is_some_and(|e| e <= date);
    let reasons = vec![
        if missing.is_empty() {
            Reason::with_entries(
                Rule::VersionSigned,
                "signed by every signatory".to_owned(),
                signatures,
            )
        } else {
            Reason::with_entries(
                Rule::VersionSigned,
                format!("awaiting the signature of {}", missing.join(", ")),
                signatures,
            )
        },
        Reason::rule(
            Rule::VersionEffective,
            match effective {
                Some(e) => format!("effective from {e}"),
                None => "its effective date depends on an event not recorded yet".to_owned(),
            },
        ),
    ];
    (missing.is_empty() && effective_ok, reasons)
}

/// Whether `signature` is one on `version`: its number, and its text where the version
/// knows the hash of the text it was read from.
fn signs(signature: &AmendmentSignature, version: &Agreement) -> bool {
    signature.version == version.version
        && version
            .document_sha256
            .as_ref()
            .is_none_or(|sha| sha.eq_ignore_ascii_case(&signature.document_sha256))
}

/// Amendment signatures that no version lists every author of as a signatory, or that
/// name another text than the version of their number.
fn unexpected_signatures(core: &Core, cut: Key, rejected: &mut Rejected) {
    for o in &core.others {
        if let Statement::AmendmentSignature(s) = &o.statement
            && o.key <= cut
        {
            let numbered = core.versions.iter().filter(|v| v.version == s.version);
            let signers_ok = numbered
                .clone()
                .any(|v| o.authors.iter().all(|a| v.signatories.contains(a)));
            let text_ok = numbered.clone().any(|v| signs(s, v));
            let why = if !signers_ok {
                format!(
                    "no version {} lists every author of this signature as a signatory",
                    s.version
                )
            } else if !text_ok {
                format!(
                    "it signs the text {}, not the text of version {} as registered",
                    s.document_sha256, s.version
                )
            } else {
                continue;
            };
            rejected.push((o.index.0, why));
        }
    }
}
