//! What is in force for one entity, and the FollowTheMoney export: the store's lists and
//! their history, composed with the relief the engine puts in force under each agreement.
//!
//! The entity is found in the lists (by `SOURCE:ID` exactly, or by a name screened as
//! [`crate::screen`] screens, default threshold); whether each designation is listed on
//! the date comes from the import history; each agreement is evaluated against its log in
//! the same store as of the end of the date in that agreement's zone (`[agreement] zone`,
//! UTC when it names none); the composition itself is the pure
//! [`accord_lists::in_force::compose`].

use accord_core::agreement::Agreement;
use accord_core::engine::state::State;
use accord_core::time::Date;
use accord_lists::Designation;
use accord_lists::in_force::{self, Evaluated, JURISDICTIONS, Matched, Question, Status};
use accord_screen::country::Jurisdiction;
use accord_screen::{DEFAULT_THRESHOLD, Index, Query, Settings};
use accord_store::Store;
use accord_store::lists::{ListStore, ListedOn};

use crate::error::{Error, Result};
use crate::evaluate::{AgreementSource, Inputs, LogSource, Reading};
use crate::evaluations::Evaluations;

/// Whom the question is about.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Who {
    /// A designation, as `SOURCE:ID` (e.g. `eu-fsf:EU.1001.23`).
    Entity(String),
    /// A name, screened against the lists.
    Name(String),
}

/// "Is this entity or activity prohibited, licensed or relieved on this date, and why?"
#[derive(Debug, Clone)]
pub struct StatusQuery {
    /// The entity.
    pub who: Who,
    /// The activity or sector asked about (`energy`, `food`, …).
    pub activity: Option<String>,
    /// The jurisdictions to answer for, in order (empty: US, EU, UK, UN).
    pub jurisdictions: Vec<String>,
    /// The date: lists as of it, each agreement evaluated as of the end of it in that
    /// agreement's zone (UTC when it names none).
    pub date: Date,
    /// The agreements whose relief to compose (none: the lists alone).
    pub agreements: Vec<AgreementSource>,
    /// How each agreement's state is read: one view, one contract.
    pub reading: Reading,
}

/// The answer, with the designations it was composed from.
#[derive(Debug, Clone)]
pub struct StatusAnswer {
    /// The designations found for the entity.
    pub matched: Vec<Matched>,
    /// What is in force, per jurisdiction.
    pub status: Status,
    /// How each agreement's relief was read, in the order given.
    pub evaluations: Vec<Evaluation>,
}

/// How one agreement's relief was read for the answer.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Evaluation {
    /// The agreement.
    pub agreement: String,
    /// The view the answer uses; none when every view is kept (what participants disagree
    /// on is then `contested`, and relieves nothing).
    pub view: Option<String>,
    /// The views there are (empty when nothing is contested).
    pub views: Vec<String>,
    /// The contract date the answer is for, when asked.
    pub contract: Option<Date>,
    /// The record-time cut the agreement was evaluated at: the end of the date in the
    /// agreement's zone.
    pub as_of: jiff::Timestamp,
    /// Each view of `views` named by who holds it (`held by ofsi (authority)`), in order.
    pub view_names: Vec<String>,
    /// When `view` is a participant's: what it holds of each contested invocation (as
    /// recorded where it holds none). Absent otherwise.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub participant_view: Option<accord_core::engine::state::ParticipantView>,
    /// The risk signals and recommendations recorded in its log by the cut: they change
    /// no status, and are shown wherever the state is.
    pub signals: Vec<accord_core::engine::state::SignalState>,
}

/// The listed designations a name is screened against, and a screening index over every
/// one of them: what a name query reads besides each designation's history.
///
/// Building it reads and indexes every listed designation, which costs far more than the
/// query itself (13,098 designations: seconds in a server that built it per request, a few
/// milliseconds to screen once built); a server keeps one per state of the lists and passes
/// it to [`status_with`].
pub trait ListedNames {
    /// The index over every listed designation, candidates as
    /// [`crate::screen::candidate_from`] makes them.
    fn index(&self) -> &Index;
    /// The designation of a candidate id the index gave.
    fn designation(&self, candidate_id: &str) -> Option<&Designation>;
}

/// [`ListedNames`] read from the store for one query (the CLI's one-shot path).
pub struct LoadedNames {
    designations: Vec<Designation>,
    by_candidate: std::collections::HashMap<String, usize>,
    index: Index,
}

impl LoadedNames {
    /// Reads every listed designation and indexes them.
    pub fn load(lists: &mut ListStore) -> Result<Self> {
        let designations = lists.listed()?;
        let index = Index::build(
            designations
                .iter()
                .map(crate::screen::candidate_from)
                .collect(),
        );
        let by_candidate = designations
            .iter()
            .enumerate()
            .map(|(i, d)| (crate::screen::candidate_id(d), i))
            .collect();
        Ok(Self {
            designations,
            by_candidate,
            index,
        })
    }
}

impl ListedNames for LoadedNames {
    fn index(&self) -> &Index {
        &self.index
    }

    fn designation(&self, candidate_id: &str) -> Option<&Designation> {
        self.by_candidate
            .get(candidate_id)
            .and_then(|&i| self.designations.get(i))
    }
}

/// Answers a status query, reading the listed names from the store when it asks by name.
pub fn status(store: &Store, query: &StatusQuery) -> Result<StatusAnswer> {
    status_with(store, query, None, None)
}

/// Answers a status query; a query by name is screened against `names` when given (they
/// must be the store's listed designations now: a server's cache keyed by the lists'
/// latest imports), else against names read from the store for this query. Registered
/// agreements are evaluated from `cache` when given (a long-lived process's evaluation
/// cache: the same answer, without reading and replaying the whole log per query), else
/// read and replayed for this query.
pub fn status_with(
    store: &Store,
    query: &StatusQuery,
    names: Option<&dyn ListedNames>,
    cache: Option<&Evaluations>,
) -> Result<StatusAnswer> {
    if let Who::Name(name) = &query.who {
        screen_query(name).validate()?;
    }
    // The lists' connection goes back to the pool before the agreements' logs are read
    // through another: a query holding one connection while it waits for a second
    // deadlocks the pool once as many queries as it has connections do so (issue #17).
    let matched = {
        let mut lists = store.lists()?;
        match (&query.who, names) {
            (Who::Entity(entity), _) => vec![by_entity(&mut lists, entity, query.date)?],
            (Who::Name(name), Some(names)) => by_name(&mut lists, names, name, query.date)?,
            (Who::Name(name), None) => {
                let names = LoadedNames::load(&mut lists)?;
                by_name(&mut lists, &names, name, query.date)?
            }
        }
    };
    let evaluated = match cache {
        Some(cache) => {
            evaluate_all_cached(store, cache, &query.agreements, query.date, &query.reading)?
        }
        None => evaluate_all_as(store, &query.agreements, query.date, &query.reading)?,
    };
    let evaluations = evaluated
        .iter()
        .map(|(_, state)| Evaluation {
            agreement: state.agreement.to_string(),
            view: state.view.clone(),
            views: state.views.iter().map(|v| v.id.clone()).collect(),
            contract: state.contract,
            as_of: state.as_of,
            view_names: state.views.iter().map(|v| v.name.clone()).collect(),
            participant_view: state.participant_view.clone(),
            signals: state.signals.clone(),
        })
        .collect();
    let views: Vec<Evaluated<'_>> = evaluated
        .iter()
        .map(|(agreement, state)| Evaluated { agreement, state })
        .collect();
    let jurisdictions = if query.jurisdictions.is_empty() {
        JURISDICTIONS.iter().map(|j| (*j).to_owned()).collect()
    } else {
        query
            .jurisdictions
            .iter()
            .map(|j| jurisdiction_key(j))
            .collect::<Result<Vec<_>>>()?
    };
    let question = Question {
        activity: query.activity.clone(),
        jurisdictions,
        date: query.date,
    };
    let status = in_force::compose(&matched, &views, &question);
    Ok(StatusAnswer {
        matched,
        status,
        evaluations,
    })
}

/// A jurisdiction as the composition keys it: a body (`UN`, `EU`) or an ISO 3166 country
/// read as [`accord_screen::country::Jurisdiction`] reads it (`GB`, `UK`, `United Kingdom`
/// are one), the United Kingdom keyed `UK` as its lists are; an unknown code is refused.
pub fn jurisdiction_key(text: &str) -> Result<String> {
    let jurisdiction: Jurisdiction = text
        .parse()
        .map_err(|_| Error::Jurisdiction(text.to_owned()))?;
    Ok(match jurisdiction {
        Jurisdiction::Country(country) if country.alpha2() == "GB" => "UK".to_owned(),
        other => other.code().to_owned(),
    })
}

/// The screening query for a name alone.
fn screen_query(name: &str) -> Query {
    Query {
        name: name.to_owned(),
        schemas: Vec::new(),
        birth_date: None,
        countries: Vec::new(),
        identifiers: Vec::new(),
    }
}

/// Each agreement evaluated against its log in the store, as of the end of `date` in that
/// agreement's zone (UTC when it names none): the governing version and its state.
pub fn evaluate_all(
    store: &Store,
    agreements: &[AgreementSource],
    date: Date,
) -> Result<Vec<(Agreement, State)>> {
    evaluate_all_as(store, agreements, date, &Reading::default())
}

/// [`evaluate_all`], each state read as asked (one view, one contract).
pub fn evaluate_all_as(
    store: &Store,
    agreements: &[AgreementSource],
    date: Date,
    reading: &Reading,
) -> Result<Vec<(Agreement, State)>> {
    let as_of = crate::time::AsOf::EndOf(date);
    let mut out = Vec::with_capacity(agreements.len());
    for agreement in agreements {
        let inputs = Inputs::read(agreement, LogSource::Store(store))?;
        let state = inputs.evaluate_as(as_of, reading).map_err(|e| match e {
            Error::Eval(source) => Error::EvaluateAgreement {
                name: name_of(agreement),
                source,
            },
            other => other,
        })?;
        let governing = inputs
            .governing(&state)
            .cloned()
            .ok_or_else(|| Error::NoVersion(name_of(agreement)))?;
        out.push((governing, state));
    }
    Ok(out)
}

/// [`evaluate_all_as`] with the registered agreements evaluated from `cache` (the same
/// states: see [`crate::evaluations`]'s invariant); agreements given as texts or models
/// are read and replayed as there.
fn evaluate_all_cached(
    store: &Store,
    cache: &Evaluations,
    agreements: &[AgreementSource],
    date: Date,
    reading: &Reading,
) -> Result<Vec<(Agreement, State)>> {
    let mut out = Vec::with_capacity(agreements.len());
    for agreement in agreements {
        let AgreementSource::Registered(id) = agreement else {
            out.extend(evaluate_all_as(
                store,
                std::slice::from_ref(agreement),
                date,
                reading,
            )?);
            continue;
        };
        let evaluated = cache
            .state_as_of(store, id, crate::time::AsOf::EndOf(date), reading)
            .map_err(|e| match e {
                Error::Eval(source) => Error::EvaluateAgreement {
                    name: id.clone(),
                    source,
                },
                other => other,
            })?;
        let governing = evaluated
            .governing()
            .cloned()
            .ok_or_else(|| Error::NoVersion(id.clone()))?;
        out.push((governing, State::clone(&evaluated.state)));
    }
    Ok(out)
}

fn name_of(agreement: &AgreementSource) -> String {
    match agreement {
        AgreementSource::Texts(texts) => texts.first().map(|t| t.name.clone()).unwrap_or_default(),
        AgreementSource::Model { name, .. } => name.clone(),
        AgreementSource::Registered(id) => id.clone(),
    }
}

/// `SOURCE:ID` split at its first colon.
pub fn parse_entity(entity: &str) -> Result<(&str, &str)> {
    entity
        .split_once(':')
        .ok_or_else(|| Error::EntityForm(entity.to_owned()))
}

fn by_entity(lists: &mut ListStore, entity: &str, date: Date) -> Result<Matched> {
    let (source, id) = parse_entity(entity)?;
    let Some((designation, _)) = lists.designation(source, id)? else {
        return Err(Error::UnknownEntity {
            list: source.to_owned(),
            id: id.to_owned(),
        });
    };
    let (listed, listing) = listed_on(lists, &designation, date)?;
    Ok(Matched {
        designation,
        listed,
        listing,
        matched: format!("identified as `{entity}`"),
    })
}

fn by_name(
    lists: &mut ListStore,
    names: &dyn ListedNames,
    name: &str,
    date: Date,
) -> Result<Vec<Matched>> {
    if names.index().candidates().is_empty() {
        return Err(Error::NothingToFind(name.to_owned()));
    }
    let settings = Settings {
        threshold: DEFAULT_THRESHOLD,
        ..Settings::default()
    };
    let query = screen_query(name);
    let mut out = Vec::new();
    for hit in names.index().screen(&query, &settings) {
        let Some(d) = names.designation(&hit.candidate_id) else {
            continue;
        };
        let (listed, listing) = listed_on(lists, d, date)?;
        out.push(Matched {
            designation: d.clone(),
            listed,
            listing,
            matched: format!(
                "screened `{name}`: {:.3} on `{}`",
                hit.score, hit.matched_name
            ),
        });
    }
    Ok(out)
}

/// Whether the store's history says the designation was listed on `date`, and how that is
/// known; unsure counts as listed.
fn listed_on(lists: &mut ListStore, d: &Designation, date: Date) -> Result<(bool, String)> {
    let answer = lists.listed_on(&d.source, &d.source_id, &date.to_string())?;
    Ok(match answer {
        ListedOn::Observed {
            since,
            confirmed_at,
            ..
        } => (
            true,
            format!("in the lists since {since}, confirmed by the import of {confirmed_at}"),
        ),
        ListedOn::PerListingDate {
            listed_on,
            first_seen,
        } => (
            true,
            format!("listed on {listed_on} per the publisher; first seen {first_seen}"),
        ),
        ListedOn::NotListed { reason } => (false, reason),
        ListedOn::Unknown { reason } => (
            true,
            format!("the imports cannot tell ({reason}); counted as listed"),
        ),
    })
}

/// Every listed designation of the latest imports as FollowTheMoney entities (the entity,
/// then its `Sanction`s, relief in force included), handed to `sink` one by one.
pub fn export(
    store: &Store,
    agreements: &[AgreementSource],
    date: Date,
    sink: &mut dyn FnMut(&serde_json::Value) -> std::io::Result<()>,
) -> Result<()> {
    export_where(store, agreements, date, &|_| true, sink)
}

/// [`export`] of the designations `keep` selects (one list's, for
/// [`crate::lists::export`]).
pub(crate) fn export_where(
    store: &Store,
    agreements: &[AgreementSource],
    date: Date,
    keep: &dyn Fn(&accord_lists::model::Designation) -> bool,
    sink: &mut dyn FnMut(&serde_json::Value) -> std::io::Result<()>,
) -> Result<()> {
    let evaluated = evaluate_all(store, agreements, date)?;
    let views: Vec<Evaluated<'_>> = evaluated
        .iter()
        .map(|(agreement, state)| Evaluated { agreement, state })
        .collect();
    for d in store.lists()?.listed()?.into_iter().filter(|d| keep(d)) {
        for entity in accord_lists::ftm_export::entities(&d, &views, date) {
            sink(&entity).map_err(|source| Error::Write {
                name: "the export".to_owned(),
                source,
            })?;
        }
    }
    Ok(())
}
