//! Scenario files: an agreement plus dated events, for rehearsing an agreement before it is
//! signed and for testing the engine on whole stories.
//!
//! A scenario names its agreement file (and amendments) and lists events in record-time
//! order: who states what, when. [`parse`] reads the TOML; [`Scenario::lower`] checks every
//! event against the agreement's versions and turns it into the [`Statement`] that
//! `accord play` will sign with generated keys and append to the ledger.
//!
//! INVARIANT: lowering is all-or-nothing. A scenario with any bad event (out of order,
//! unknown id, an author without standing) yields only errors, each naming its event and
//! line, so `accord play` appends nothing.
//!
//! The format is documented in `docs/scenario-format.md`.

use std::collections::BTreeMap;
use std::fmt;

use accord_core::agreement::{Agreement, IndicatorTarget, Participant};
use accord_core::id::{
    ActionId, AgreementId, DisputeId, EventId, IndicatorId, ParticipantId, PhaseId, StageId,
    TriggerId, UnitId,
};
use accord_core::statement::{
    AmendmentSignature, Confidentiality, Correction, Decision, DecisionAct, DisputeAction,
    DisputeOutcome, DisputeStep, EventOccurred, Evidence, Finding, LogIndex, Method, Observation,
    Participation, ParticipationChange, Quantity, ReliefRef, Retraction, Signal, SignalKind,
    Statement, TriggerAction, TriggerStep,
};
use accord_core::time::{CalendarDuration, Date, DayZone, Instant, Moment, MomentError, Period};
use toml::Spanned;

mod file;

use file::{DateValue, EventFile, EvidenceFile, ScenarioFile, ValueFile};

/// A problem in a scenario file, located at a line and column, naming its event.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub struct ScenarioError {
    /// 1-based line.
    pub line: usize,
    /// 1-based column.
    pub column: usize,
    /// The 1-based number of the `[[events]]` entry, when the problem is in one.
    pub event: Option<usize>,
    /// What is wrong.
    pub message: String,
    /// What to do about it.
    pub help: Option<String>,
}

impl fmt::Display for ScenarioError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}: ", self.line, self.column)?;
        if let Some(n) = self.event {
            write!(f, "event {n}: ")?;
        }
        f.write_str(&self.message)?;
        if let Some(help) = &self.help {
            write!(f, " (help: {help})")?;
        }
        Ok(())
    }
}

/// A parsed scenario, not yet checked against its agreement.
#[derive(Debug)]
pub struct Scenario {
    /// Its title.
    pub title: String,
    /// What it rehearses, in plain words.
    pub description: String,
    /// The agreement file, relative to the scenario file.
    pub agreement: String,
    /// Amendment files (later versions), relative to the scenario file.
    pub amendments: Vec<String>,
    events: Vec<Spanned<EventFile>>,
    line_starts: Vec<usize>,
}

/// One version of the agreement a scenario plays, with the SHA-256 (lowercase hex) of its
/// file, which amendment signatures sign.
#[derive(Debug, Clone, Copy)]
pub struct VersionDoc<'a> {
    /// The version.
    pub agreement: &'a Agreement,
    /// SHA-256 of its file.
    pub sha256: &'a str,
}

/// An event of the scenario, checked and lowered, ready to sign and append.
#[derive(Debug, Clone, PartialEq)]
pub struct PlannedEntry {
    /// The 1-based number of the `[[events]]` entry it comes from.
    pub event: usize,
    /// Its label, when it has one.
    pub label: Option<String>,
    /// When it is recorded.
    pub at: Instant,
    /// Who signs it.
    pub authors: Vec<ParticipantId>,
    /// The agreement it belongs to.
    pub agreement: AgreementId,
    /// What it says.
    pub statement: Statement,
    /// The scenario says this step is not allowed: the evaluation must reject it.
    pub expect_rejected: bool,
}

/// Reads a scenario file. Errors carry line and column.
///
/// ```
/// let source = r#"
/// [scenario]
/// title = "Adoption only"
/// agreement = "agreement.toml"
///
/// [[events]]
/// at = 2026-01-15T09:00:00Z
/// by = "council"
/// event = { id = "adoption", on = 2026-01-15 }
/// "#;
/// let scenario = accord_scenario::parse(source).unwrap();
/// assert_eq!(scenario.title, "Adoption only");
/// assert_eq!(scenario.event_count(), 1);
/// ```
pub fn parse(source: &str) -> Result<Scenario, Vec<ScenarioError>> {
    let line_starts = line_starts(source);
    let file: ScenarioFile = toml::from_str(source).map_err(|err| {
        let offset = err.span().map_or(0, |s| s.start);
        let (line, column) = locate(&line_starts, offset);
        vec![ScenarioError {
            line,
            column,
            event: None,
            message: err.message().to_owned(),
            help: None,
        }]
    })?;
    Ok(Scenario {
        title: file.scenario.title,
        description: file.scenario.description,
        agreement: file.scenario.agreement,
        amendments: file.scenario.amendments,
        events: file.events,
        line_starts,
    })
}

impl Scenario {
    /// How many events the scenario has.
    pub fn event_count(&self) -> usize {
        self.events.len()
    }

    /// Checks every event against the agreement's versions and lowers it to a statement.
    ///
    /// `first_index` is the log index the first event will get: labels referred to by
    /// corrections, retractions and disputes become log indices counted from there, so the
    /// caller must append the entries in order, with nothing in between.
    pub fn lower(
        &self,
        versions: &[VersionDoc<'_>],
        first_index: u64,
    ) -> Result<Vec<PlannedEntry>, Vec<ScenarioError>> {
        let mut lowering = Lowering {
            scenario: self,
            versions,
            labels: BTreeMap::new(),
            errors: Vec::new(),
        };
        let Some(first) = versions.first() else {
            return Err(vec![ScenarioError {
                line: 1,
                column: 1,
                event: None,
                message: "the scenario has no agreement to play".into(),
                help: Some("name the agreement file in `[scenario] agreement = ...`".into()),
            }]);
        };
        let agreement_id = first.agreement.id.clone();
        let mut planned = Vec::with_capacity(self.events.len());
        let mut previous: Option<Instant> = None;
        for (i, event) in self.events.iter().enumerate() {
            let number = i + 1;
            let Some(at) = lowering.instant(number, &event.get_ref().at) else {
                continue;
            };
            if let Some(prev) = previous
                && at < prev
            {
                lowering.error(
                    number,
                    event.get_ref().at.span(),
                    format!("event is recorded at {at}, before the previous event ({prev})"),
                    Some("list events in the order they are recorded".into()),
                );
            }
            previous = Some(previous.map_or(at, |p| p.max(at)));
            let Some(statement) = lowering.statement(number, event) else {
                continue;
            };
            let authors = lowering.authors(number, event.get_ref(), &statement);
            if let Some(label) = &event.get_ref().label {
                let index = LogIndex(first_index + i as u64);
                if lowering
                    .labels
                    .insert(label.get_ref().clone(), index)
                    .is_some()
                {
                    lowering.error(
                        number,
                        label.span(),
                        format!("label `{}` is used by an earlier event", label.get_ref()),
                        Some("give each event a unique label".into()),
                    );
                }
            }
            let expect_rejected = match &event.get_ref().expect {
                None => false,
                Some(e) if e.get_ref() == "rejected" => true,
                Some(e) => {
                    lowering.error(
                        number,
                        e.span(),
                        format!("`{}` is not an expectation", e.get_ref()),
                        Some("the only expectation is `expect = \"rejected\"`".into()),
                    );
                    false
                }
            };
            if let Some(authors) = authors {
                planned.push(PlannedEntry {
                    expect_rejected,
                    event: number,
                    label: event.get_ref().label.as_ref().map(|l| l.get_ref().clone()),
                    at,
                    authors,
                    agreement: agreement_id.clone(),
                    statement,
                });
            }
        }
        if lowering.errors.is_empty() {
            Ok(planned)
        } else {
            Err(lowering.errors)
        }
    }
}

struct Lowering<'s> {
    scenario: &'s Scenario,
    versions: &'s [VersionDoc<'s>],
    labels: BTreeMap<String, LogIndex>,
    errors: Vec<ScenarioError>,
}

impl Lowering<'_> {
    fn error(
        &mut self,
        event: usize,
        span: std::ops::Range<usize>,
        message: String,
        help: Option<String>,
    ) {
        let (line, column) = locate(&self.scenario.line_starts, span.start);
        self.errors.push(ScenarioError {
            line,
            column,
            event: Some(event),
            message,
            help,
        });
    }

    /// The days the agreement counts in: the first version's zone, UTC when it names none
    /// or one the engine would refuse (the agreement's own check reports that).
    fn days(&self) -> DayZone {
        self.versions
            .first()
            .and_then(|v| v.agreement.zone.as_deref())
            .and_then(|z| DayZone::named(z).ok())
            .unwrap_or_default()
    }

    /// The latest version that knows `pred`, for id lookups: amendments may add ids.
    fn find<T>(&self, pred: impl Fn(&Agreement) -> Option<T>) -> Option<T> {
        self.versions.iter().rev().find_map(|v| pred(v.agreement))
    }

    /// A date, or an instant with its zone (`2026-11-09T00:01[America/New_York]`), for
    /// the dates of acts: decisions, events, participation.
    fn moment(&mut self, event: usize, value: &Spanned<DateValue>) -> Option<Moment> {
        let text = value.get_ref().text();
        match text.parse::<Moment>() {
            Ok(m) => Some(m),
            Err(err) => {
                let help = match err {
                    MomentError::Syntax(_) => Some(
                        "write a date (`2026-11-09`) or a local time with its zone (`2026-11-09T00:01-05:00`, `2026-11-09T00:01[America/New_York]`)".into(),
                    ),
                    _ => None,
                };
                self.error(event, value.span(), err.to_string(), help);
                None
            }
        }
    }

    fn instant(&mut self, event: usize, value: &Spanned<DateValue>) -> Option<Instant> {
        let text = value.get_ref().text();
        if let Ok(ts) = text.parse::<Instant>() {
            return Some(ts);
        }
        if let Ok(m) = text.parse::<Moment>()
            && !m.is_plain()
        {
            return Some(m.instant());
        }
        // A plain date is the start of that day in the agreement's zone (UTC when it names
        // none), so that it is recorded on that day there.
        if let Ok(date) = text.parse::<Date>() {
            return Some(self.days().start_of(date));
        }
        self.error(
            event,
            value.span(),
            format!("`{text}` is not a UTC instant or a date"),
            Some("write e.g. `2026-01-15T09:00:00Z` or `2026-01-15`".into()),
        );
        None
    }

    fn date(&mut self, event: usize, value: &Spanned<DateValue>) -> Option<Date> {
        let text = value.get_ref().text();
        match text.parse::<Date>() {
            Ok(d) => Some(d),
            Err(_) => {
                self.error(
                    event,
                    value.span(),
                    format!("`{text}` is not a date"),
                    Some("write e.g. `2026-01-15`".into()),
                );
                None
            }
        }
    }

    fn period(&mut self, event: usize, value: &Spanned<String>) -> Option<Period> {
        let text = value.get_ref();
        let parsed = text.split_once('/').and_then(|(a, b)| {
            let start = a.trim().parse::<Date>().ok()?;
            let end = b.trim().parse::<Date>().ok()?;
            Some(Period::new(start, end))
        });
        match parsed {
            Some(Ok(p)) => Some(p),
            Some(Err(err)) => {
                self.error(event, value.span(), err.to_string(), None);
                None
            }
            None => {
                self.error(
                    event,
                    value.span(),
                    format!("`{text}` is not a period"),
                    Some("write `START/END` with ISO dates, e.g. `2026-01-01/2026-03-31`".into()),
                );
                None
            }
        }
    }

    fn id<T: std::str::FromStr>(&mut self, event: usize, value: &Spanned<String>) -> Option<T>
    where
        T::Err: fmt::Display,
    {
        match value.get_ref().parse::<T>() {
            Ok(id) => Some(id),
            Err(err) => {
                self.error(event, value.span(), err.to_string(), None);
                None
            }
        }
    }

    fn label(&mut self, event: usize, value: &Spanned<String>) -> Option<LogIndex> {
        let index = self.labels.get(value.get_ref()).copied();
        if index.is_none() {
            self.error(
                event,
                value.span(),
                format!("no earlier event is labelled `{}`", value.get_ref()),
                Some("refer to an earlier event by its `label`".into()),
            );
        }
        index
    }

    fn known<T>(
        &mut self,
        event: usize,
        value: &Spanned<String>,
        what: &str,
        exists: impl Fn(&Agreement) -> bool,
    ) -> Option<T>
    where
        T: std::str::FromStr,
        T::Err: fmt::Display,
    {
        let id = self.id::<T>(event, value)?;
        if self.find(|a| exists(a).then_some(())).is_none() {
            self.error(
                event,
                value.span(),
                format!("the agreement has no {what} `{}`", value.get_ref()),
                None,
            );
            return None;
        }
        Some(id)
    }

    fn statement(&mut self, number: usize, event: &Spanned<EventFile>) -> Option<Statement> {
        let e = event.get_ref();
        let given = [
            e.evidence.is_some(),
            e.correction.is_some(),
            e.retraction.is_some(),
            e.decision.is_some(),
            e.dispute.is_some(),
            e.trigger.is_some(),
            e.event.is_some(),
            e.amendment.is_some(),
            e.signal.is_some(),
            e.participation.is_some(),
        ]
        .iter()
        .filter(|b| **b)
        .count();
        if given != 1 {
            self.error(
                number,
                event.span(),
                format!("an event states exactly one thing, this one states {given}"),
                Some(
                    "give one of `evidence`, `correction`, `retraction`, `decision`, `dispute`, \
                     `trigger`, `event`, `amendment`, `signal`, `participation`"
                        .into(),
                ),
            );
            return None;
        }
        if let Some(ev) = &e.evidence {
            return self.evidence(number, ev).map(Statement::Evidence);
        }
        if let Some(c) = &e.correction {
            let c = c.get_ref();
            let supersedes = self.label(number, &c.supersedes);
            let evidence = self.evidence(number, &c.evidence);
            return Some(Statement::Correction(Correction {
                supersedes: supersedes?,
                evidence: evidence?,
                reason: c.reason.clone(),
            }));
        }
        if let Some(r) = &e.retraction {
            let r = r.get_ref();
            let retracts = self.label(number, &r.retracts)?;
            return Some(Statement::Retraction(Retraction {
                retracts,
                reason: r.reason.clone(),
            }));
        }
        if let Some(d) = &e.decision {
            return self.decision(number, d).map(Statement::Decision);
        }
        if let Some(d) = &e.dispute {
            return self.dispute(number, d).map(Statement::DisputeStep);
        }
        if let Some(t) = &e.trigger {
            let t = t.get_ref();
            let trigger: TriggerId = self.known(number, &t.id, "trigger", |a| {
                a.triggers.iter().any(|x| x.id.as_str() == t.id.get_ref())
            })?;
            let step = match t.step.get_ref().as_str() {
                "invoke" => TriggerAction::Invoke {
                    reason: t.text.clone(),
                },
                "halt" => TriggerAction::Halt {
                    resolution: t.text.clone(),
                },
                "withdraw" => TriggerAction::Withdraw,
                other => {
                    self.error(
                        number,
                        t.step.span(),
                        format!("`{other}` is not a trigger step"),
                        Some("use `invoke`, `halt` or `withdraw`".into()),
                    );
                    return None;
                }
            };
            return Some(Statement::TriggerStep(TriggerStep { trigger, step }));
        }
        if let Some(ev) = &e.event {
            let ev = ev.get_ref();
            let id: EventId = self.known(number, &ev.id, "event", |a| {
                a.events.iter().any(|x| x.id.as_str() == ev.id.get_ref())
            })?;
            let on = self.moment(number, &ev.on)?;
            return Some(Statement::EventOccurred(EventOccurred {
                event: id,
                on,
                note: ev.note.clone(),
            }));
        }
        if let Some(p) = &e.participation {
            return self.participation(number, p).map(Statement::Participation);
        }
        if let Some(s) = &e.signal {
            let s = s.get_ref();
            let kind = self.keyword::<SignalKind>(number, &s.kind, "signal kind")?;
            return Some(Statement::Signal(Signal {
                signal: kind,
                subject: s.subject.clone(),
                text: s.text.clone(),
            }));
        }
        if let Some(a) = &e.amendment {
            let version = *a.get_ref().version.get_ref();
            let doc = self
                .versions
                .iter()
                .find(|v| v.agreement.version == version);
            let Some(doc) = doc else {
                self.error(
                    number,
                    a.get_ref().version.span(),
                    format!("the scenario has no version {version} of the agreement"),
                    Some("list the amended agreement file in `[scenario] amendments`".into()),
                );
                return None;
            };
            return Some(Statement::AmendmentSignature(AmendmentSignature {
                version,
                document_sha256: doc.sha256.to_owned(),
            }));
        }
        None
    }

    fn evidence(&mut self, number: usize, ev: &Spanned<EvidenceFile>) -> Option<Evidence> {
        let ev = ev.get_ref();
        let name = ev.indicator.get_ref().clone();
        let indicator: IndicatorId = self.known(number, &ev.indicator, "indicator", |a| {
            a.indicators.iter().any(|i| i.id.as_str() == name)
        })?;
        let (target, protocol_confidentiality) = self.find(|a| {
            a.indicators
                .iter()
                .find(|i| i.id == indicator)
                .map(|i| (i.target.clone(), i.verification.confidentiality))
        })?;
        let period = self.period(number, &ev.period);
        let method = self.keyword::<Method>(number, &ev.method, "method");
        let confidentiality = match &ev.confidentiality {
            Some(c) => self.keyword::<Confidentiality>(number, c, "confidentiality level"),
            None => Some(protocol_confidentiality),
        };
        let value = self.observation(number, &target, ev);
        let escrow_until = match &ev.escrow_until {
            Some(u) => Some(self.date(number, u)?),
            None => None,
        };
        Some(Evidence {
            indicator,
            period: period?,
            value: value?,
            method: method?,
            attachments: ev.attachments.clone(),
            confidentiality: confidentiality?,
            note: ev.note.clone(),
            escrow_until,
        })
    }

    /// Reads a snake_case keyword into one of the core's serde enums.
    fn keyword<T: serde::de::DeserializeOwned>(
        &mut self,
        number: usize,
        value: &Spanned<String>,
        what: &str,
    ) -> Option<T> {
        let parsed = T::deserialize(
            serde::de::value::StrDeserializer::<serde::de::value::Error>::new(value.get_ref()),
        );
        match parsed {
            Ok(v) => Some(v),
            Err(err) => {
                self.error(
                    number,
                    value.span(),
                    format!("`{}` is not a {what}", value.get_ref()),
                    Some(err.to_string()),
                );
                None
            }
        }
    }

    fn observation(
        &mut self,
        number: usize,
        target: &IndicatorTarget,
        ev: &EvidenceFile,
    ) -> Option<Observation> {
        let span = ev.value.span();
        let value = ev.value.get_ref();
        let wrong = |this: &mut Self, expected: &str| {
            this.error(
                number,
                span.clone(),
                format!("indicator `{}` takes {expected}", ev.indicator.get_ref()),
                None,
            );
            None
        };
        match (target, value) {
            (
                IndicatorTarget::Threshold { unit, .. },
                ValueFile::Integer(_) | ValueFile::Float(_),
            ) => {
                let amount = match value {
                    ValueFile::Integer(i) => *i as f64,
                    ValueFile::Float(f) => *f,
                    _ => return None,
                };
                let unit = match &ev.unit {
                    Some(u) => self.id::<UnitId>(number, u)?,
                    None => unit.clone(),
                };
                match Quantity::new(amount, unit) {
                    Ok(q) => Some(Observation::Quantity(q)),
                    Err(err) => {
                        self.error(number, span, err.to_string(), None);
                        None
                    }
                }
            }
            (IndicatorTarget::Threshold { .. }, _) => wrong(self, "a number"),
            (IndicatorTarget::Flag { .. }, ValueFile::Bool(b)) => {
                Some(Observation::Flag { value: *b })
            }
            (IndicatorTarget::Flag { .. }, _) => wrong(self, "`true` or `false`"),
            (IndicatorTarget::Count { .. }, ValueFile::Integer(i)) if *i >= 0 => {
                Some(Observation::Count {
                    value: i.unsigned_abs(),
                })
            }
            (IndicatorTarget::Count { .. }, _) => wrong(self, "a whole number, zero or more"),
            (IndicatorTarget::Deadline { .. }, ValueFile::Date(d)) => self
                .date_text(number, span, &d.to_string())
                .map(|value| Observation::Date { value }),
            (IndicatorTarget::Deadline { .. }, ValueFile::Text(t)) => self
                .date_text(number, span, t)
                .map(|value| Observation::Date { value }),
            (IndicatorTarget::Deadline { .. }, _) => wrong(self, "the date it was done"),
            (IndicatorTarget::Grade { scale, .. }, ValueFile::Text(t)) => {
                if scale.iter().any(|g| g == t) {
                    Some(Observation::Grade { value: t.clone() })
                } else {
                    let expected = format!("one of its grades: {}", scale.join(", "));
                    wrong(self, &expected)
                }
            }
            (IndicatorTarget::Grade { .. }, _) => wrong(self, "a grade name"),
        }
    }

    fn date_text(
        &mut self,
        number: usize,
        span: std::ops::Range<usize>,
        text: &str,
    ) -> Option<Date> {
        match text.parse::<Date>() {
            Ok(d) => Some(d),
            Err(_) => {
                self.error(number, span, format!("`{text}` is not a date"), None);
                None
            }
        }
    }

    fn participation(
        &mut self,
        number: usize,
        p: &Spanned<file::ParticipationFile>,
    ) -> Option<Participation> {
        let p = p.get_ref();
        let name = p.participant.get_ref().clone();
        let participant: ParticipantId =
            self.known(number, &p.participant, "participant", |a| {
                a.parties.iter().any(|x| x.id.as_str() == name)
                    || a.monitors.iter().any(|x| x.id.as_str() == name)
            })?;
        let change = self.keyword::<ParticipationChange>(number, &p.change, "participation change");
        let effective = self.moment(number, &p.effective);
        let wind_down = match &p.wind_down {
            Some(w) => match w.get_ref().parse::<CalendarDuration>() {
                Ok(x) => Some(x),
                Err(e) => {
                    self.error(number, w.span(), e.to_string(), None);
                    return None;
                }
            },
            None => None,
        };
        Some(Participation {
            participant,
            change: change?,
            effective: effective?,
            wind_down,
            note: p.note.clone(),
        })
    }

    fn decision(&mut self, number: usize, d: &Spanned<file::DecisionFile>) -> Option<Decision> {
        let span = d.span();
        let d = d.get_ref();
        let act = self.keyword::<DecisionAct>(number, &d.act, "decision act");
        let relief = match (&d.phase, &d.action) {
            (Some(p), None) => {
                let name = p.get_ref().clone();
                self.known::<PhaseId>(number, p, "phase", |a| {
                    a.phases.iter().any(|x| x.id.as_str() == name)
                })
                .map(ReliefRef::Phase)
            }
            (None, Some(x)) => {
                let name = x.get_ref().clone();
                self.known::<ActionId>(number, x, "relief action", |a| {
                    a.actions().any(|(_, act)| act.id.as_str() == name)
                })
                .map(ReliefRef::Action)
            }
            _ => {
                self.error(
                    number,
                    span,
                    "a decision applies to exactly one `phase` or one `action`".into(),
                    None,
                );
                None
            }
        };
        let effective = self.moment(number, &d.effective);
        let until = match &d.until {
            Some(u) => Some(self.moment(number, u)?),
            None => None,
        };
        let wind_down = match &d.wind_down {
            Some(w) => match w.get_ref().parse::<CalendarDuration>() {
                Ok(x) => Some(x),
                Err(e) => {
                    self.error(number, w.span(), e.to_string(), None);
                    return None;
                }
            },
            None => None,
        };
        let by = match &d.by {
            Some(b) => {
                let name = b.get_ref().clone();
                Some(self.known::<ActionId>(number, b, "relief action", |a| {
                    a.actions().any(|(_, act)| act.id.as_str() == name)
                })?)
            }
            None => None,
        };
        Some(Decision {
            act: act?,
            relief: relief?,
            effective: effective?,
            reason: d.reason.clone(),
            until,
            wind_down,
            by,
            entities: d.entities.clone(),
        })
    }

    fn dispute(&mut self, number: usize, d: &Spanned<file::DisputeFile>) -> Option<DisputeStep> {
        let span = d.span();
        let d = d.get_ref();
        let dispute = self.id::<DisputeId>(number, &d.id);
        let stage = match &d.stage {
            Some(s) => {
                let name = s.get_ref().clone();
                self.known::<StageId>(number, s, "dispute stage", |a| {
                    a.disputes.stages.iter().any(|x| x.id.as_str() == name)
                })
            }
            None => None,
        };
        let need = |this: &mut Self, what: &str| {
            this.error(
                number,
                span.clone(),
                format!("a `{}` step needs `{what}`", d.step.get_ref()),
                None,
            );
        };
        let step = match d.step.get_ref().as_str() {
            "open" => {
                let finding = match (&d.indicator, &d.period, &d.entry) {
                    (Some(i), Some(p), None) => {
                        let name = i.get_ref().clone();
                        let indicator = self.known::<IndicatorId>(number, i, "indicator", |a| {
                            a.indicators.iter().any(|x| x.id.as_str() == name)
                        });
                        let period = self.period(number, p);
                        Some(Finding::Indicator {
                            indicator: indicator?,
                            period: period?,
                        })
                    }
                    (None, None, Some(e)) => {
                        self.label(number, e).map(|index| Finding::Entry { index })
                    }
                    _ => {
                        need(self, "`indicator` and `period`, or `entry`");
                        None
                    }
                };
                if d.stage.is_none() {
                    need(self, "stage");
                }
                DisputeAction::Open {
                    finding: finding?,
                    stage: stage?,
                    reason: d.text.clone(),
                }
            }
            "escalate" => {
                if d.stage.is_none() {
                    need(self, "stage");
                }
                DisputeAction::Escalate { to: stage? }
            }
            "extend" => {
                if d.stage.is_none() {
                    need(self, "stage");
                }
                let until = match &d.until {
                    Some(u) => Some(self.date(number, u)?),
                    None => None,
                };
                DisputeAction::Extend {
                    stage: stage?,
                    until,
                }
            }
            "resolve" => {
                let outcome = match &d.outcome {
                    Some(o) => self.keyword::<DisputeOutcome>(number, o, "dispute outcome"),
                    None => {
                        need(self, "outcome");
                        None
                    }
                };
                DisputeAction::Resolve {
                    outcome: outcome?,
                    note: d.text.clone(),
                }
            }
            "position" => {
                let Some(accepts) = d.accepts else {
                    need(self, "accepts");
                    return None;
                };
                DisputeAction::Position {
                    accepts,
                    view: d.text.clone(),
                }
            }
            "withdraw" => DisputeAction::Withdraw,
            other => {
                self.error(
                    number,
                    d.step.span(),
                    format!("`{other}` is not a dispute step"),
                    Some(
                        "use `open`, `escalate`, `extend`, `resolve`, `position` or `withdraw`"
                            .into(),
                    ),
                );
                return None;
            }
        };
        Some(DisputeStep {
            dispute: dispute?,
            step,
        })
    }

    /// The authors, each a participant of the agreement entitled to this kind of statement.
    fn authors(
        &mut self,
        number: usize,
        event: &EventFile,
        statement: &Statement,
    ) -> Option<Vec<ParticipantId>> {
        let names = event.by.get_ref().to_vec();
        let span = event.by.span();
        if names.is_empty() {
            self.error(
                number,
                span,
                "an event needs at least one author in `by`".into(),
                None,
            );
            return None;
        }
        let mut authors = Vec::with_capacity(names.len());
        let mut ok = true;
        for name in names {
            let Ok(id) = name.parse::<ParticipantId>() else {
                self.error(
                    number,
                    span.clone(),
                    format!("`{name}` is not a participant id"),
                    None,
                );
                ok = false;
                continue;
            };
            let entitled = self.find(|a| a.participant(&id).map(|p| may_state(&p, statement)));
            match entitled {
                None => {
                    self.error(
                        number,
                        span.clone(),
                        format!("`{name}` is neither a party nor a monitor of the agreement"),
                        None,
                    );
                    ok = false;
                }
                Some(false) => {
                    self.error(
                        number,
                        span.clone(),
                        format!(
                            "`{name}` has no standing to make {} statement",
                            kind_words(statement)
                        ),
                        Some("check the author's role in the agreement".into()),
                    );
                    ok = false;
                }
                Some(true) => authors.push(id),
            }
        }
        ok.then_some(authors)
    }
}

fn may_state(participant: &Participant<'_>, statement: &Statement) -> bool {
    participant.may_state(statement.kind())
}

fn kind_words(statement: &Statement) -> &'static str {
    match statement {
        Statement::Evidence(_) => "an evidence",
        Statement::Correction(_) => "a correction",
        Statement::Retraction(_) => "a retraction",
        Statement::Decision(_) => "a decision",
        Statement::DisputeStep(_) => "a dispute",
        Statement::TriggerStep(_) => "a trigger",
        Statement::EventOccurred(_) => "an event",
        Statement::AmendmentSignature(_) => "an amendment signature",
        Statement::KeyEvent(_) => "a key",
        Statement::Signal(_) => "a signal",
        Statement::Participation(_) => "a participation",
    }
}

fn line_starts(source: &str) -> Vec<usize> {
    std::iter::once(0)
        .chain(source.match_indices('\n').map(|(i, _)| i + 1))
        .collect()
}

/// 1-based line and column (counted in bytes) of a byte offset.
fn locate(line_starts: &[usize], offset: usize) -> (usize, usize) {
    let line = line_starts.partition_point(|&start| start <= offset).max(1);
    let start = line_starts.get(line - 1).copied().unwrap_or(0);
    (line, offset.saturating_sub(start) + 1)
}
