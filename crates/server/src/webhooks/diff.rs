//! The statuses a state change is told in, read from the engine's state (never derived
//! here), and their comparison.

use std::collections::BTreeMap;

use accord_core::engine::state::State;

/// An agreement's statuses by subject: `agreement`, `phase ID`, `relief ID`,
/// `measure JURISDICTION/MEASURE`, `trigger ID`, each with its status name as the state
/// JSON gives it (a phase's with the day it was entered, a measure's with the day it ends).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Statuses(BTreeMap<String, String>);

/// One status that changed.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Change {
    /// What: `phase implementation`, `measure EU/eu-oil`, ...
    pub subject: String,
    /// Its status before (`null`: it was not there).
    pub from: Option<String>,
    /// Its status now (`null`: it is no longer there).
    pub to: Option<String>,
}

/// The name serde gives a status enum (`reimposed`).
fn name(status: &impl serde::Serialize) -> String {
    match serde_json::to_value(status) {
        Ok(serde_json::Value::String(s)) => s,
        Ok(other) => other.to_string(),
        Err(_) => String::new(),
    }
}

fn with_date(status: String, word: &str, date: Option<impl std::fmt::Display>) -> String {
    match date {
        Some(d) => format!("{status} {word} {d}"),
        None => status,
    }
}

impl Statuses {
    /// The statuses of a state.
    pub fn of(state: &State) -> Statuses {
        let mut m = BTreeMap::new();
        m.insert("agreement".to_owned(), name(&state.agreement_status));
        for p in &state.phases {
            let status = with_date(name(&p.status), "since", p.entered);
            m.insert(format!("phase {}", p.id), status);
        }
        for a in &state.relief {
            let status = with_date(name(&a.status), "until", a.until);
            m.insert(format!("relief {}", a.id), status);
        }
        for measure in &state.measures {
            let status = with_date(name(&measure.status), "until", measure.until);
            m.insert(
                format!("measure {}/{}", measure.jurisdiction, measure.measure),
                status,
            );
        }
        for t in &state.triggers {
            m.insert(format!("trigger {}", t.id), name(&t.status));
        }
        Statuses(m)
    }

    /// What changed from `self` to `now`, by subject.
    pub fn changes_to(&self, now: &Statuses) -> Vec<Change> {
        let subjects: std::collections::BTreeSet<&String> =
            self.0.keys().chain(now.0.keys()).collect();
        subjects
            .into_iter()
            .filter_map(|subject| {
                let (from, to) = (self.0.get(subject), now.0.get(subject));
                (from != to).then(|| Change {
                    subject: subject.clone(),
                    from: from.cloned(),
                    to: to.cloned(),
                })
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_what_changed_is_told_with_both_sides() {
        let before = Statuses(BTreeMap::from([
            ("phase p1".to_owned(), "not_reached".to_owned()),
            ("relief r1".to_owned(), "scheduled".to_owned()),
            ("trigger t".to_owned(), "armed".to_owned()),
        ]));
        let after = Statuses(BTreeMap::from([
            ("phase p1".to_owned(), "reached since 2026-02-01".to_owned()),
            ("relief r1".to_owned(), "scheduled".to_owned()),
            ("measure EU/m".to_owned(), "reimposed".to_owned()),
        ]));
        let changes = before.changes_to(&after);
        let subjects: Vec<&str> = changes.iter().map(|c| c.subject.as_str()).collect();
        assert_eq!(subjects, ["measure EU/m", "phase p1", "trigger t"]);
        assert_eq!(changes[0].from, None);
        assert_eq!(changes[2].to, None);
        assert!(after.changes_to(&after).is_empty());
    }
}
