//! What the simulation needs from an agreement and a model, worked out once for all runs:
//! each indicator with its behaviour and who reports on it by which method, the phases,
//! relief actions (with their jurisdictions) and triggers in the agreement's order.

use accord_core::agreement::{Agreement, Indicator, PartyRole};
use accord_core::engine::Evaluator;
use accord_core::id::{ActionId, CommitmentId, ParticipantId, PhaseId, TriggerId};
use accord_core::rule::{CommitmentStatus, Condition};
use accord_core::statement::Method;
use accord_core::time::{CalendarDuration, Date};

use crate::model::{IndicatorModel, Model, MonitorModel};

/// One indicator, its behaviour and its reporters.
#[derive(Debug, Clone)]
pub(crate) struct IndicatorPlan<'a> {
    pub indicator: &'a Indicator,
    pub model: IndicatorModel,
    /// Who reports, with their habits and the method they report by; the target itself
    /// when the protocol names no monitor.
    pub reporters: Vec<(ParticipantId, MonitorModel, Method)>,
    /// Whether a period can be verified at exactly the quorum while more could report.
    pub quorum_below_all: bool,
}

/// One relief action and where it acts.
#[derive(Debug, Clone)]
pub(crate) struct ActionPlan {
    pub id: ActionId,
    pub phase: PhaseId,
    pub jurisdiction: String,
    pub weight: f64,
}

/// The agreement and model, prepared.
#[derive(Debug, Clone)]
pub(crate) struct Plan<'a> {
    pub versions: &'a [Agreement],
    pub agreement: &'a Agreement,
    pub model: &'a Model,
    pub indicators: Vec<IndicatorPlan<'a>>,
    pub phases: Vec<PhaseId>,
    pub actions: Vec<ActionPlan>,
    pub triggers: Vec<TriggerId>,
    /// Per phase: the indicators of the commitments its entry requires to be compliant
    /// (what it rests on, for proportionality).
    pub phase_indicators: Vec<Vec<usize>>,
    /// The last day simulated.
    pub last: Date,
    /// The longest grace period: reviews are looked at once it has passed.
    pub grace: CalendarDuration,
    /// An evaluator of the versions with nothing appended (`None` when the engine refuses
    /// them): each run clones it, which shares the versions and their interned names
    /// instead of copying and interning them again.
    pub evaluator: Option<Evaluator>,
}

impl<'a> Plan<'a> {
    /// `versions` must be non-empty; the latest gives the structure.
    pub fn new(
        versions: &'a [Agreement],
        agreement: &'a Agreement,
        model: &'a Model,
        last: Date,
    ) -> Self {
        let indicators = agreement
            .indicators
            .iter()
            .map(|i| indicator_plan(agreement, model, i))
            .collect();
        let actions = agreement
            .actions()
            .map(|(phase, action)| ActionPlan {
                id: action.id.clone(),
                phase: phase.id.clone(),
                jurisdiction: agreement
                    .regimes
                    .iter()
                    .find(|r| r.id == action.regime)
                    .map_or_else(|| "?".to_owned(), |r| r.jurisdiction.0.clone()),
                weight: action.weight,
            })
            .collect();
        let grace = agreement
            .indicators
            .iter()
            .map(|i| i.grace)
            .max_by_key(|g| g.after(model.start).unwrap_or(model.start))
            .unwrap_or_default();
        Plan {
            versions,
            agreement,
            model,
            indicators,
            phases: agreement.phases.iter().map(|p| p.id.clone()).collect(),
            actions,
            triggers: agreement.triggers.iter().map(|t| t.id.clone()).collect(),
            phase_indicators: agreement
                .phases
                .iter()
                .map(|p| {
                    let mut required = Vec::new();
                    compliant_commitments(&p.entry, false, &mut required);
                    agreement
                        .indicators
                        .iter()
                        .enumerate()
                        .filter(|(_, i)| required.contains(&i.commitment))
                        .map(|(n, _)| n)
                        .collect()
                })
                .collect(),
            last,
            grace,
            evaluator: Evaluator::new(versions).ok(),
        }
    }

    /// The parties of a role, in the agreement's order.
    pub fn parties(&self, role: PartyRole) -> impl Iterator<Item = &ParticipantId> {
        self.agreement
            .parties
            .iter()
            .filter(move |p| p.role == role)
            .map(|p| &p.id)
    }
}

fn indicator_plan<'a>(agreement: &Agreement, model: &Model, i: &'a Indicator) -> IndicatorPlan<'a> {
    let v = &i.verification;
    let mut reporters: Vec<(ParticipantId, MonitorModel, Method)> = v
        .monitors
        .iter()
        .map(|m| {
            let methods = agreement
                .monitors
                .iter()
                .find(|x| &x.id == m)
                .map(|x| x.methods.clone())
                .unwrap_or_default();
            // The monitor's first method the protocol accepts: what it would report by.
            let method = methods
                .iter()
                .find(|x| v.methods.contains(x))
                .or(v.methods.first())
                .copied()
                .unwrap_or(Method::OnSiteInspection);
            (m.clone(), model.monitor(m), method)
        })
        .collect();
    // The target reports on itself where its reports count, or where no monitor does.
    let self_reports = v.self_report != accord_core::agreement::SelfReport::NotAccepted;
    if (reporters.is_empty() || self_reports)
        && let Some(target) = agreement
            .parties
            .iter()
            .find(|p| p.role == PartyRole::Target)
    {
        reporters.push((
            target.id.clone(),
            model.monitor(&target.id),
            Method::SelfReport,
        ));
    }
    IndicatorPlan {
        indicator: i,
        model: model.indicator(&i.id),
        quorum_below_all: (v.quorum as usize) < reporters.len(),
        reporters,
    }
}

/// The commitments a condition requires to be compliant (not under a `not`).
fn compliant_commitments(c: &Condition, negated: bool, out: &mut Vec<CommitmentId>) {
    match c {
        Condition::Status {
            commitments,
            status,
            ..
        } if !negated && *status == CommitmentStatus::Compliant => {
            out.extend(commitments.iter().cloned());
        }
        Condition::And { all } => all
            .iter()
            .for_each(|c| compliant_commitments(c, negated, out)),
        Condition::Or { any } => any
            .iter()
            .for_each(|c| compliant_commitments(c, negated, out)),
        Condition::Not { not } => compliant_commitments(not, !negated, out),
        _ => {}
    }
}
