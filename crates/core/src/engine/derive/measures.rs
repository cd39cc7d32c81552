//! Relief rolled up per jurisdiction and measure, and the humanitarian exemptions that are
//! in force whatever happens.

use std::collections::BTreeMap;

use crate::agreement::Agreement;
use crate::id::ExemptionId;

use super::super::state::{ActionState, ExemptionState, MeasureRelief, Reason, Rule};
use super::calendar::VersionView;

/// Relief per jurisdiction and measure.
pub(crate) fn by_measure(agreement: &Agreement, actions: &[ActionState]) -> Vec<MeasureRelief> {
    let mut groups: BTreeMap<(String, String, Option<String>), MeasureRelief> = BTreeMap::new();
    for a in actions {
        let jurisdiction = a.jurisdiction.clone().unwrap_or_else(|| "?".to_owned());
        let key = (
            jurisdiction.clone(),
            a.regime.to_string(),
            a.measure.as_ref().map(ToString::to_string),
        );
        let g = groups.entry(key).or_insert_with(|| MeasureRelief {
            jurisdiction,
            regime: a.regime.clone(),
            measure: a.measure.clone(),
            in_force: Vec::new(),
            other: Vec::new(),
        });
        if a.status.relieves() {
            g.in_force.push(a.id.clone());
        } else {
            g.other.push((a.id.clone(), a.status));
        }
    }
    let _ = agreement;
    groups.into_values().collect()
}

/// Every exemption of version 1 and of every version in force: in force in every state.
///
/// INVARIANT: called last by `derive::state`, whose result it overwrites; it reads only
/// the agreement versions and which are in force, never statuses or the log, so nothing
/// that happens can turn an exemption off.
pub(crate) fn exemptions(versions: &[Agreement], views: &[VersionView]) -> Vec<ExemptionState> {
    let mut out: Vec<ExemptionState> = Vec::new();
    let mut seen: BTreeMap<ExemptionId, usize> = BTreeMap::new();
    for (i, (v, view)) in versions.iter().zip(views).enumerate().rev() {
        if i != 0 && !view.in_force {
            continue;
        }
        for e in &v.exemptions {
            if seen.contains_key(&e.id) {
                continue;
            }
            seen.insert(e.id.clone(), out.len());
            out.push(ExemptionState {
                id: e.id.clone(),
                title: e.title.clone(),
                in_force: true,
                activities: e.activities.clone(),
                regimes: e.regimes.clone(),
                reasons: vec![Reason::rule(
                    Rule::ExemptionAlways,
                    format!(
                        "a humanitarian exemption (version {}) is in force in every state: {}",
                        v.version, e.legal_basis
                    ),
                )],
            });
        }
    }
    out
}
