//! Contested states that keep every view. When participants disagree on whether a trigger
//! was validly invoked — a dispute over the invocation is open, exhausted, or closed with
//! parties that do not accept its outcome; or the invoker's standing is disputed because
//! its participation had ended — the evaluation is made in each view: `as-recorded` (the
//! invocation counts) and `void-#N` (entry N is held void). Every trigger, relief action and
//! measure on which the views compute different statuses is `contested` in the state, with a
//! `view.contested` reason naming each view, who holds it and what it computes; the views
//! themselves are in `State::views`. Nothing is picked silently. A query may ask for one
//! view: the state is then that view's evaluation, named in `State::view`. It may ask for
//! a participant's view instead (its id): each contested invocation as that participant
//! holds it — the state excludes exactly the invocations it holds void, so it composes
//! when several are contested — and as recorded where it holds none, which
//! `State::participant_view` says.
//!
//! A dispute over an invocation that overturned it holds it void in every view: then there
//! is nothing to contest.
//!
//! INVARIANT: a contested status always has at least two views in `State::views` that
//! compute different statuses for it (the property tests check it).

use std::collections::BTreeSet;

use crate::agreement::PartyRole;
use crate::id::ParticipantId;
use crate::statement::{DisputeOutcome, Finding, LogIndex};
use crate::time::Instant;

use super::super::EvalError;
use super::super::ingest::Core;
use super::super::state::{
    DisputeStatus, HeldEntry, HolderRole, Holds, MeasureStatus, ParticipantView, Reason,
    ReliefStatus, Rule, State, TriggerStatus, ViewHolder, ViewState,
};
use super::{Detail, Fills, Output, derive};

/// A contested invocation: the entry, and who holds it counts or void.
struct Premise {
    entry: LogIndex,
    counts: Vec<ParticipantId>,
    void: Vec<ParticipantId>,
    why: String,
}

/// The state with every view kept, or in the one `view` named.
pub(super) fn state(
    core: &Core,
    as_of: Instant,
    cache: bool,
    detail: (Detail, Output),
    view: Option<&str>,
) -> Result<(State, Fills), EvalError> {
    let (first, fills) = derive(core, as_of, cache, detail, &BTreeSet::new())?;
    let overturned = overturned(&first);
    let (main, fills) = if overturned.is_empty() {
        (first, fills)
    } else {
        derive(core, as_of, cache, detail, &overturned)?
    };
    let premises = premises(core, &main);
    let asked = view
        .map(|name| Asked::resolve(core, name, &premises))
        .transpose()?;
    if premises.is_empty() && !matches!(asked, Some(Asked::Void(_))) {
        let mut main = main;
        main.view = view.map(str::to_owned);
        if let Some(Asked::Participant(p)) = &asked {
            main.participant_view = Some(participant_view(core, p, &premises));
        }
        return Ok((main, fills));
    }
    let mut alternatives = Vec::with_capacity(premises.len());
    for p in &premises {
        let mut excluded = overturned.clone();
        excluded.insert(p.entry.0);
        alternatives.push(derive(core, as_of, false, detail, &excluded)?.0);
    }
    let listed = views(core, &main, &premises, &alternatives);
    let (mut chosen, fills) = match asked {
        None => {
            let mut main = main;
            main.views = listed;
            contest(&mut main);
            return Ok((main, fills));
        }
        Some(Asked::Recorded) => (main, fills),
        Some(Asked::Void(i)) => (alternatives.swap_remove(i), Fills::default()),
        Some(Asked::Participant(p)) => {
            let voided: Vec<usize> = (0..premises.len())
                .filter(|&i| holds(&premises[i], &p) == Holds::Void)
                .collect();
            let mut chosen = match voided.as_slice() {
                [] => (main, fills),
                [i] => (alternatives.swap_remove(*i), Fills::default()),
                _ => {
                    // Excluding exactly the invocations it holds void is its view of all
                    // of them at once: a combination no single view computes.
                    let mut excluded = overturned;
                    excluded.extend(voided.iter().map(|&i| premises[i].entry.0));
                    (
                        derive(core, as_of, false, detail, &excluded)?.0,
                        Fills::default(),
                    )
                }
            };
            chosen.0.participant_view = Some(participant_view(core, &p, &premises));
            chosen
        }
    };
    chosen.views = listed;
    chosen.view = view.map(str::to_owned);
    Ok((chosen, fills))
}

/// What a query's `view` names.
enum Asked {
    /// Every entry as recorded.
    Recorded,
    /// The premise at this position held void.
    Void(usize),
    /// Each premise as this participant holds it.
    Participant(ParticipantId),
}

/// Asking for a participant explicitly, whatever its id: `participant:as-recorded`.
const PARTICIPANT: &str = "participant:";

impl Asked {
    /// A view's id first (`as-recorded`, `void-#N`: identifiers cannot contain `#`, so only
    /// a participant named `as-recorded` can collide, and the view wins), then a participant
    /// of the agreement (`participant:ID` names one whatever its id).
    fn resolve(core: &Core, name: &str, premises: &[Premise]) -> Result<Self, EvalError> {
        if name == "as-recorded" {
            return Ok(Self::Recorded);
        }
        if let Some(i) = premises.iter().position(|p| void_id(p.entry) == name) {
            return Ok(Self::Void(i));
        }
        let participant = name.strip_prefix(PARTICIPANT).unwrap_or(name);
        if let Ok(id) = participant.parse::<ParticipantId>() {
            let listed = holders(core, std::slice::from_ref(&id))
                .first()
                .is_some_and(|h| h.role != HolderRole::Unlisted);
            let holding = premises
                .iter()
                .any(|p| p.counts.contains(&id) || p.void.contains(&id));
            if listed || holding {
                return Ok(Self::Participant(id));
            }
        }
        let mut views = vec!["as-recorded".to_owned()];
        views.extend(premises.iter().map(|p| void_id(p.entry)));
        let participants = dedup(
            premises
                .iter()
                .flat_map(|p| p.counts.iter().chain(&p.void).cloned())
                .collect(),
        );
        Err(EvalError::UnknownView {
            view: name.to_owned(),
            views,
            participants,
        })
    }
}

/// What a participant holds of a premise: void when it is among those holding it void
/// (a participant on both sides disputed it), counts when among the others.
fn holds(premise: &Premise, participant: &ParticipantId) -> Holds {
    if premise.void.contains(participant) {
        Holds::Void
    } else if premise.counts.contains(participant) {
        Holds::Counts
    } else {
        Holds::NoView
    }
}

/// A participant's view of every premise, named by who holds it.
fn participant_view(
    core: &Core,
    participant: &ParticipantId,
    premises: &[Premise],
) -> ParticipantView {
    let holders = holders(core, std::slice::from_ref(participant));
    ParticipantView {
        name: name(&holders),
        holder: holders.into_iter().next().unwrap_or(ViewHolder {
            participant: participant.clone(),
            role: HolderRole::Unlisted,
        }),
        entries: premises
            .iter()
            .map(|p| {
                let holds = holds(p, participant);
                HeldEntry {
                    entry: p.entry,
                    view: if holds == Holds::Void {
                        void_id(p.entry)
                    } else {
                        "as-recorded".to_owned()
                    },
                    holds,
                }
            })
            .collect(),
    }
}

fn void_id(entry: LogIndex) -> String {
    format!("void-#{}", entry.0)
}

/// Trigger steps a dispute overturned: void in every view.
fn overturned(state: &State) -> BTreeSet<u64> {
    let steps: BTreeSet<LogIndex> = state
        .triggers
        .iter()
        .flat_map(|t| t.steps.iter().copied())
        .collect();
    state
        .disputes
        .iter()
        .filter(|d| d.outcome == Some(DisputeOutcome::Overturned) && !d.contested)
        .filter_map(|d| match &d.finding {
            Some(Finding::Entry { index }) if steps.contains(index) => Some(index.0),
            _ => None,
        })
        .collect()
}

/// The invocations participants disagree on: disputed and not settled by an outcome every
/// party accepts, or made by a participant whose standing is disputed.
fn premises(core: &Core, state: &State) -> Vec<Premise> {
    let mut out: Vec<Premise> = Vec::new();
    let authors = |index: LogIndex| -> Vec<ParticipantId> {
        core.others
            .iter()
            .find(|o| o.index == index)
            .map(|o| o.authors.clone())
            .unwrap_or_default()
    };
    for t in &state.triggers {
        for d in &state.disputes {
            let Some(Finding::Entry { index }) = &d.finding else {
                continue;
            };
            let unsettled =
                matches!(d.status, DisputeStatus::Open | DisputeStatus::Exhausted) || d.contested;
            if !t.steps.contains(index) || !unsettled || out.iter().any(|p| p.entry == *index) {
                continue;
            }
            let mut void = d.opened_by.clone();
            void.extend(
                d.positions
                    .iter()
                    .filter(|p| !p.accepts)
                    .map(|p| p.participant.clone()),
            );
            let mut counts = authors(*index);
            counts.extend(
                d.positions
                    .iter()
                    .filter(|p| p.accepts)
                    .map(|p| p.participant.clone()),
            );
            out.push(Premise {
                entry: *index,
                counts: dedup(counts),
                void: dedup(void),
                why: format!("dispute `{}` over the invocation is {}", d.id, d.status),
            });
        }
        for r in t
            .reasons
            .iter()
            .filter(|r| r.rule == Rule::TriggerStandingDisputed)
        {
            for index in &r.entries {
                if out.iter().any(|p| p.entry == *index) {
                    continue;
                }
                let counts = authors(*index);
                let void = others(core, &counts);
                out.push(Premise {
                    entry: *index,
                    counts,
                    void,
                    why: r.detail.clone(),
                });
            }
        }
    }
    out.sort_by_key(|p| p.entry);
    out
}

/// The other parties (not observers): who hold an invocation by a participant whose
/// standing is disputed void, absent a dispute saying who.
fn others(core: &Core, authors: &[ParticipantId]) -> Vec<ParticipantId> {
    core.versions
        .last()
        .map(|a| {
            a.parties
                .iter()
                .filter(|p| p.role != crate::agreement::PartyRole::Observer)
                .map(|p| p.id.clone())
                .filter(|p| !authors.contains(p))
                .collect()
        })
        .unwrap_or_default()
}

fn dedup(mut ids: Vec<ParticipantId>) -> Vec<ParticipantId> {
    ids.sort();
    ids.dedup();
    ids
}

/// Each view, with what it computes for the subjects on which some view differs from the
/// state as recorded.
fn views(
    core: &Core,
    main: &State,
    premises: &[Premise],
    alternatives: &[State],
) -> Vec<ViewState> {
    let differ = Differ::new(main, alternatives);
    let held = |ids: Vec<ParticipantId>| {
        let holders = holders(core, &ids);
        (ids, holders)
    };
    let mut out = vec![
        differ.view(
            main,
            "as-recorded".to_owned(),
            premises.first(),
            held(premises.first().map_or_else(Vec::new, |p| p.counts.clone())),
            premises
                .iter()
                .map(|p| format!("invocation {} counts", p.entry))
                .collect::<Vec<_>>()
                .join("; "),
        ),
    ];
    for (p, alt) in premises.iter().zip(alternatives) {
        out.push(differ.view(
            alt,
            void_id(p.entry),
            Some(p),
            held(p.void.clone()),
            format!("invocation {} is void: {}", p.entry, p.why),
        ));
    }
    out
}

/// Each participant with its role in the latest version that names it.
fn holders(core: &Core, ids: &[ParticipantId]) -> Vec<ViewHolder> {
    let role = |id: &ParticipantId| {
        core.versions
            .iter()
            .rev()
            .find_map(|a| {
                let party = a
                    .parties
                    .iter()
                    .find(|p| p.id == *id)
                    .map(|p| match p.role {
                        PartyRole::Authority => HolderRole::Authority,
                        PartyRole::Target => HolderRole::Target,
                        PartyRole::Guarantor => HolderRole::Guarantor,
                        PartyRole::Observer => HolderRole::Observer,
                    });
                party.or_else(|| {
                    a.monitors
                        .iter()
                        .any(|m| m.id == *id)
                        .then_some(HolderRole::Monitor)
                })
            })
            .unwrap_or(HolderRole::Unlisted)
    };
    ids.iter()
        .map(|id| ViewHolder {
            participant: id.clone(),
            role: role(id),
        })
        .collect()
}

/// A view's name by who holds it: `held by ofsi (authority) and eu (authority)`.
fn name(holders: &[ViewHolder]) -> String {
    let each: Vec<String> = holders
        .iter()
        .map(|h| format!("{} ({})", h.participant, h.role.as_str()))
        .collect();
    match each.split_last() {
        None => "held by no participant".to_owned(),
        Some((last, [])) => format!("held by {last}"),
        Some((last, rest)) => format!("held by {} and {last}", rest.join(", ")),
    }
}

/// The subjects on which the views compute different statuses.
struct Differ {
    triggers: BTreeSet<String>,
    relief: BTreeSet<String>,
    measures: BTreeSet<String>,
}

impl Differ {
    fn new(main: &State, alternatives: &[State]) -> Self {
        let mut out = Self {
            triggers: BTreeSet::new(),
            relief: BTreeSet::new(),
            measures: BTreeSet::new(),
        };
        for alt in alternatives {
            for (a, b) in main.triggers.iter().zip(&alt.triggers) {
                if a.status != b.status {
                    out.triggers.insert(a.id.to_string());
                }
            }
            for (a, b) in main.relief.iter().zip(&alt.relief) {
                if a.status != b.status {
                    out.relief.insert(a.id.to_string());
                }
            }
            for (a, b) in main.measures.iter().zip(&alt.measures) {
                if a.status != b.status {
                    out.measures.insert(a.measure.to_string());
                }
            }
        }
        out
    }

    fn view(
        &self,
        s: &State,
        id: String,
        premise: Option<&Premise>,
        (held_by, holders): (Vec<ParticipantId>, Vec<ViewHolder>),
        words: String,
    ) -> ViewState {
        ViewState {
            id,
            name: name(&holders),
            holders,
            premise: words,
            entry: premise.map_or(LogIndex(0), |p| p.entry),
            held_by,
            triggers: s
                .triggers
                .iter()
                .filter(|t| self.triggers.contains(t.id.as_str()))
                .map(|t| (t.id.clone(), t.status))
                .collect(),
            relief: s
                .relief
                .iter()
                .filter(|a| self.relief.contains(a.id.as_str()))
                .map(|a| (a.id.clone(), a.status))
                .collect(),
            measures: s
                .measures
                .iter()
                .filter(|m| self.measures.contains(m.measure.as_str()))
                .map(|m| (m.measure.clone(), m.status))
                .collect(),
        }
    }
}

/// Marks `contested` every subject the views disagree on, naming each view first.
fn contest(state: &mut State) {
    let views = state.views.clone();
    let said = |find: &dyn Fn(&ViewState) -> Option<String>| -> Option<String> {
        let parts: Vec<String> = views
            .iter()
            .filter_map(|v| {
                find(v).map(|s| format!("in the view {} (`{}`) it is {s}", v.name, v.id))
            })
            .collect();
        (parts.len() >= 2).then(|| format!("contested: {}", parts.join("; ")))
    };
    for t in &mut state.triggers {
        let id = t.id.clone();
        if let Some(detail) = said(&|v| {
            v.triggers
                .iter()
                .find(|(x, _)| *x == id)
                .map(|(_, s)| s.to_string())
        }) {
            t.status = TriggerStatus::Contested;
            t.reasons
                .insert(0, Reason::rule(Rule::ViewContested, detail));
        }
    }
    for a in &mut state.relief {
        let id = a.id.clone();
        if let Some(detail) = said(&|v| {
            v.relief
                .iter()
                .find(|(x, _)| *x == id)
                .map(|(_, s)| s.as_str().to_owned())
        }) {
            a.status = ReliefStatus::Contested;
            a.since = None;
            a.until = None;
            a.reasons
                .insert(0, Reason::rule(Rule::ViewContested, detail));
        }
    }
    for m in &mut state.measures {
        let id = m.measure.clone();
        if let Some(detail) = said(&|v| {
            v.measures
                .iter()
                .find(|(x, _)| *x == id)
                .map(|(_, s)| s.to_string())
        }) {
            m.status = MeasureStatus::Contested;
            m.since = None;
            m.until = None;
            m.reasons
                .insert(0, Reason::rule(Rule::ViewContested, detail));
        }
    }
}
