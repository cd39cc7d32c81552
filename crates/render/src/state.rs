//! The state of an agreement as readable tables (`accord evaluate`): one section per kind
//! of status, in the order a policy officer reads them.

use std::fmt::Write as _;

use accord_core::engine::state::{
    AgreementStatus, DecisionState, Holds, MeasureState, MeasureStatus, ParticipantView,
    PhaseStatus, SignalState, State, TriggerState, TriggerStatus,
};
use accord_core::statement::{Finding, ReliefRef};

use crate::table::table;
use crate::{or_dash, serde_name};

/// What `accord evaluate` prints: the tables, or the JSON of `docs/state-json.md`.
pub fn output(state: &State, json: bool) -> String {
    if json {
        format!("{}\n", crate::pretty(state))
    } else {
        self::state(state)
    }
}

/// The JSON of `docs/state-json.md` with its newline, written at the end of `out`: the
/// bytes of `output(state, true)`, without building a `String` to copy from (what the
/// server answers with, many times a second).
pub fn json_into(state: &State, out: &mut Vec<u8>) {
    // INVARIANT (as `crate::pretty`): a state's serialisation cannot fail; were it to, the
    // answer is the renderer's, an empty document.
    let start = out.len();
    if crate::json::pretty_into(state, out).is_err() {
        out.truncate(start);
    }
    out.push(b'\n');
}

/// Which view the state is in, and for which contract, in one line.
pub fn view_line(state: &State) -> String {
    let views: Vec<String> = state
        .views
        .iter()
        .map(|v| format!("the view {} (`{}`: {})", v.name, v.id, v.premise))
        .collect();
    let view = match (&state.view, views.is_empty()) {
        (Some(v), _) if state.participant_view.is_some() => {
            let words = state
                .participant_view
                .as_ref()
                .map(participant_view)
                .unwrap_or_default();
            format!("View: `{v}`, {words}")
        }
        (Some(v), _) => {
            let named = state
                .views
                .iter()
                .find(|x| x.id == *v)
                .map(|x| format!(", the view {}", x.name))
                .unwrap_or_default();
            format!("View: `{v}`{named} (one view asked for)")
        }
        (None, true) => "View: as recorded (nothing is contested)".to_owned(),
        (None, false) => format!(
            "Views: every view kept — what they disagree on is `contested`: {}",
            views.join("; ")
        ),
    };
    let contract = state
        .contract
        .map(|c| format!("; for a contract concluded on {c}"))
        .unwrap_or_default();
    format!("{view}{contract}\n")
}

/// A participant's view in words: `the view held by iran (target) (one participant's view
/// asked for): invocation #7 void (`void-#7`); invocation #9 as recorded (iran holds no
/// view on it)`.
pub fn participant_view(p: &ParticipantView) -> String {
    let who = &p.holder.participant;
    let each: Vec<String> = p
        .entries
        .iter()
        .map(|e| match e.holds {
            Holds::Void => format!("invocation {} void (`{}`)", e.entry, e.view),
            Holds::Counts => format!("invocation {} counts (as recorded)", e.entry),
            Holds::NoView => format!(
                "invocation {} as recorded ({who} holds no view on it)",
                e.entry
            ),
        })
        .collect();
    let what = if each.is_empty() {
        "nothing is contested".to_owned()
    } else {
        each.join("; ")
    };
    format!(
        "the view {} (one participant's view asked for): {what}",
        p.name
    )
}

/// The state as readable tables.
pub fn state(state: &State) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "Agreement `{}` version {}, as of {} ({}), {} log entries",
        state.agreement, state.version, state.as_of, state.date, state.entries
    );
    out.push_str(&view_line(state));
    out.push_str(&agreement_status(state));
    let concluded = state.reviews.iter().filter(|r| r.concluded).count();
    let latest = state.reviews.iter().rev().find(|r| r.concluded);
    let _ = writeln!(
        out,
        "Reviews: {} begun, {} concluded{}",
        state.reviews.len(),
        concluded,
        latest.map_or(String::new(), |r| format!(
            " (latest: review {}, {})",
            r.number, r.period
        ))
    );
    let review = latest.map(|r| r.number);
    out.push_str(&phases(state));
    out.push_str(&relief(state));
    out.push_str(&measures(state));
    out.push_str(&exemptions(state));
    out.push_str(&commitments(state, review));
    out.push_str(&indicators(state, review));
    out.push_str(&triggers(state));
    out.push_str(&disputes(state));
    out.push_str(&decisions(state));
    out.push_str(&signals(state));
    if !state.rejected.is_empty() {
        out.push_str("\nRejected entries (not counted)\n");
        let rows: Vec<Vec<String>> = state
            .rejected
            .iter()
            .map(|r| vec![r.entry.to_string(), r.reason.clone()])
            .collect();
        out.push_str(&table(&["ENTRY", "REASON"], &rows));
    }
    out
}

fn phases(state: &State) -> String {
    let rows: Vec<Vec<String>> = state
        .phases
        .iter()
        .map(|p| {
            let earliest = p
                .remains
                .iter()
                .map(|u| u.earliest)
                .try_fold(None::<jiff::civil::Date>, |acc, d| {
                    d.map(|d| Some(acc.map_or(d, |a: jiff::civil::Date| a.max(d))))
                })
                .flatten();
            vec![
                p.id.to_string(),
                match p.status {
                    PhaseStatus::Reached => "reached".to_owned(),
                    PhaseStatus::NotReached => "not reached".to_owned(),
                },
                or_dash(p.entered),
                match p.status {
                    PhaseStatus::Reached => String::new(),
                    PhaseStatus::NotReached => format!(
                        "{} unmet, earliest {}",
                        p.remains.len(),
                        earliest.map_or_else(|| "unknown".to_owned(), |d| d.to_string())
                    ),
                },
                p.title.clone(),
            ]
        })
        .collect();
    let header = ["PHASE", "STATUS", "ENTERED", "REMAINS", "TITLE"];
    format!("\nPhases\n{}", table(&header, &rows))
}

fn relief(state: &State) -> String {
    let rows: Vec<Vec<String>> = state
        .relief
        .iter()
        .map(|a| {
            vec![
                a.id.to_string(),
                a.phase.to_string(),
                a.jurisdiction.clone().unwrap_or_else(|| "?".to_owned()),
                a.measure
                    .as_ref()
                    .map_or_else(|| a.regime.to_string(), ToString::to_string),
                a.status.as_str().to_owned(),
                or_dash(a.since),
                or_dash(a.until),
                match &a.superseded_by {
                    Some(b) => format!("superseded by {b}"),
                    None if a.renewals > 0 => format!("renewed {}x", a.renewals),
                    None => String::new(),
                },
            ]
        })
        .collect();
    let header = [
        "ACTION",
        "PHASE",
        "JURISDICTION",
        "MEASURE",
        "STATUS",
        "SINCE",
        "UNTIL",
        "NOTE",
    ];
    format!(
        "\nRelief (SINCE inclusive; UNTIL exclusive: the first day it no longer applies)\n{}",
        table(&header, &rows)
    )
}

/// A line when the agreement is not in effect on the evaluation date: "agreed but not yet
/// in effect" and "not yet agreed" are different answers.
fn agreement_status(state: &State) -> String {
    let effective = state.versions.first().and_then(|v| v.effective);
    match state.agreement_status {
        AgreementStatus::InEffect => String::new(),
        AgreementStatus::Agreed => format!(
            "Agreement: agreed, not yet in effect{}\n",
            effective.map_or_else(String::new, |d| format!(" (takes effect {d})"))
        ),
        AgreementStatus::NotYetAgreed => {
            "Agreement: not yet agreed (its effective date depends on an event not recorded yet)\n"
                .to_owned()
        }
    }
}

/// Every measure in each jurisdiction, in the words of compliance officers.
fn measures(state: &State) -> String {
    if state.measures.is_empty() {
        return String::new();
    }
    let rows: Vec<Vec<String>> = state
        .measures
        .iter()
        .map(|m| {
            vec![
                m.jurisdiction.clone(),
                m.regime.to_string(),
                m.measure.to_string(),
                m.status.as_str().to_owned(),
                or_dash(m.since),
                or_dash(m.until),
                measure_note(m),
            ]
        })
        .collect();
    let header = [
        "JURISDICTION",
        "REGIME",
        "MEASURE",
        "STATUS",
        "SINCE",
        "UNTIL",
        "NOTE",
    ];
    format!(
        "\nMeasures (SINCE inclusive; UNTIL exclusive: the first day the status no longer holds)\n{}",
        table(&header, &rows)
    )
}

fn measure_note(m: &MeasureState) -> String {
    let mut notes = Vec::new();
    if m.status == MeasureStatus::Terminated {
        notes.push(match (m.revivable, m.revivable_until) {
            (true, Some(d)) => format!("a snapback may revive it until {d} (inclusive)"),
            (true, None) => "a snapback may revive it".to_owned(),
            (false, _) => "no snapback revives it".to_owned(),
        });
    }
    if let Some(d) = m.sunset {
        notes.push(format!("sunset {d}"));
    }
    if let Some(d) = m.spares_contracts_before {
        notes.push(format!("spares contracts concluded before {d}"));
    }
    match (m.under_review, m.next_review) {
        (true, Some(d)) => notes.push(format!("under review (review {d})")),
        (true, None) => notes.push("under review".to_owned()),
        (false, Some(d)) => notes.push(format!("next review {d}")),
        (false, None) => {}
    }
    notes.join("; ")
}

/// Risk signals and recommendations: they change no status, and are shown wherever the
/// state is.
fn signals(state: &State) -> String {
    if state.signals.is_empty() {
        return String::new();
    }
    let rows: Vec<Vec<String>> = state
        .signals
        .iter()
        .map(|s| {
            let by: Vec<String> = s.by.iter().map(ToString::to_string).collect();
            vec![
                s.entry.to_string(),
                s.recorded.to_string(),
                serde_name(&s.kind),
                by.join(", "),
                s.subject.clone().unwrap_or_else(|| "-".to_owned()),
                s.text.clone(),
            ]
        })
        .collect();
    let header = ["ENTRY", "RECORDED", "KIND", "BY", "SUBJECT", "TEXT"];
    format!(
        "\nSignals and recommendations (they change no status)\n{}",
        table(&header, &rows)
    )
}

/// A risk signal or recommendation in one line: `entry 41, 2028-01-12, recommendation by
/// iaea on trigger x: "text"`.
pub fn signal_line(s: &SignalState) -> String {
    let by: Vec<String> = s.by.iter().map(ToString::to_string).collect();
    format!(
        "entry {}, {}, {} by {}{}: \"{}\"",
        s.entry,
        s.recorded,
        serde_name(&s.kind),
        by.join(", "),
        s.subject
            .as_deref()
            .map(|x| format!(" on {x}"))
            .unwrap_or_default(),
        s.text
    )
}

fn exemptions(state: &State) -> String {
    let rows: Vec<Vec<String>> = state
        .exemptions
        .iter()
        .map(|e| {
            let status = if e.in_force {
                "in force"
            } else {
                "NOT IN FORCE"
            };
            vec![
                e.id.to_string(),
                status.to_owned(),
                e.activities.join(", "),
                e.title.clone(),
            ]
        })
        .collect();
    let header = ["EXEMPTION", "STATUS", "ACTIVITIES", "TITLE"];
    format!(
        "\nExemptions (in force in every state)\n{}",
        table(&header, &rows)
    )
}

fn of_review(review: Option<u32>) -> String {
    review.map_or(String::new(), |n| format!(" (review {n})"))
}

fn commitments(state: &State, review: Option<u32>) -> String {
    let rows: Vec<Vec<String>> = state
        .commitments
        .iter()
        .map(|c| {
            vec![
                c.id.to_string(),
                c.current.map_or_else(|| "-".to_owned(), |s| serde_name(&s)),
                c.title.clone(),
            ]
        })
        .collect();
    format!(
        "\nCommitments{}\n{}",
        of_review(review),
        table(&["COMMITMENT", "STATUS", "TITLE"], &rows)
    )
}

fn indicators(state: &State, review: Option<u32>) -> String {
    let rows: Vec<Vec<String>> = state
        .indicators
        .iter()
        .map(|i| {
            let r = review.and_then(|n| i.reviews.iter().find(|r| r.review == n));
            vec![
                i.id.to_string(),
                i.commitment.to_string(),
                r.map_or_else(|| "-".to_owned(), |r| r.status.as_str().to_owned()),
                indicator_note(i, r.is_some_and(|r| r.late)),
            ]
        })
        .collect();
    format!(
        "\nIndicators{}\n{}",
        of_review(review),
        table(&["INDICATOR", "COMMITMENT", "STATUS", "NOTE"], &rows)
    )
}

/// A late report, and evidence held in escrow on the latest period that has some: until
/// when, and the verification gap it leaves.
fn indicator_note(i: &accord_core::engine::state::IndicatorState, late: bool) -> String {
    let mut notes = Vec::new();
    if late {
        notes.push("late".to_owned());
    }
    if let Some((period, e)) = i
        .periods
        .iter()
        .rev()
        .find_map(|p| p.escrow.as_ref().map(|e| (&p.period, e)))
    {
        let gap = e
            .gap_since
            .map(|d| format!("; verification gap since {d}"))
            .unwrap_or_default();
        notes.push(if e.expired {
            format!("{period}: escrow ended {} undelivered{gap}", e.until)
        } else {
            format!("{period} in escrow until {} (inclusive){gap}", e.until)
        });
    }
    notes.join("; ")
}

fn triggers(state: &State) -> String {
    if state.triggers.is_empty() {
        return String::new();
    }
    let rows: Vec<Vec<String>> = state
        .triggers
        .iter()
        .map(|t| {
            let invoked = match t.invoked {
                Some(day) if t.invoked_by.is_empty() => day.to_string(),
                Some(day) => {
                    let by: Vec<String> = t.invoked_by.iter().map(ToString::to_string).collect();
                    format!("{day} by {}", by.join(", "))
                }
                None => "-".to_owned(),
            };
            let reverts: Vec<String> = t.reverts.iter().map(ToString::to_string).collect();
            vec![
                t.id.to_string(),
                t.status.to_string(),
                invoked,
                trigger_when(t),
                if reverts.is_empty() {
                    "-".to_owned()
                } else {
                    reverts.join(", ")
                },
            ]
        })
        .collect();
    let header = ["TRIGGER", "STATUS", "INVOKED", "WHEN", "REVERTS"];
    format!("\nTriggers\n{}", table(&header, &rows))
}

/// The date that matters for a trigger in its status, in a few words.
fn trigger_when(t: &TriggerState) -> String {
    let when = match t.status {
        TriggerStatus::CountingDown => t.until.map(|d| format!("fires {d} unless halted")),
        TriggerStatus::Paused => t.remaining.map(|n| match t.paused_since {
            Some(since) => format!("paused since {since}, {n} days left"),
            None => format!("paused, {n} days left"),
        }),
        TriggerStatus::Fired => t.fired.map(|d| match t.wind_down_until {
            Some(end) => format!("fired {d}, wind-down until {end}"),
            None => format!("fired {d}"),
        }),
        TriggerStatus::Dormant => match (t.awaiting, t.earliest) {
            (Some(due), _) => Some(format!("awaiting findings due {due}")),
            (None, Some(day)) => Some(format!("earliest {day}")),
            (None, None) => None,
        },
        _ => None,
    };
    let when = when.unwrap_or_else(|| "-".to_owned());
    match t.rearmed {
        Some(day) => format!("{when} (re-armed {day})"),
        None => when,
    }
}

fn disputes(state: &State) -> String {
    if state.disputes.is_empty() {
        return String::new();
    }
    let rows: Vec<Vec<String>> = state
        .disputes
        .iter()
        .map(|d| {
            let status = match d.outcome {
                Some(o) => format!("{} ({})", d.status, serde_name(&o)),
                None if d.status == "resolved" => format!("{} (report received)", d.status),
                None => d.status.to_string(),
            };
            let by = if d.opened_by.is_empty() {
                "overdue policy".to_owned()
            } else {
                let by: Vec<String> = d.opened_by.iter().map(ToString::to_string).collect();
                by.join(", ")
            };
            let finding = match &d.finding {
                Some(Finding::Indicator { indicator, period }) => format!("{indicator} {period}"),
                Some(Finding::Entry { index }) => format!("entry {index}"),
                None => "-".to_owned(),
            };
            vec![
                d.id.to_string(),
                status,
                or_dash(d.stage.as_ref()),
                or_dash(d.opened),
                by,
                finding,
                d.effect.to_string(),
            ]
        })
        .collect();
    let header = [
        "DISPUTE", "STATUS", "STAGE", "OPENED", "BY", "FINDING", "EFFECT",
    ];
    format!("\nDisputes\n{}", table(&header, &rows))
}

/// Where a disputed decision stands, in a few words (`-` when never disputed).
fn decision_dispute(state: &State, d: &DecisionState) -> String {
    let Some(id) = &d.disputed_by else {
        return "-".to_owned();
    };
    if d.set_aside {
        return format!("SET ASIDE by {id}");
    }
    match state.disputes.iter().find(|x| &x.id == id) {
        Some(x) if x.status == "open" => format!("disputed in {id} (open; stays in effect)"),
        _ => format!("stands ({id})"),
    }
}

fn decisions(state: &State) -> String {
    if state.decisions.is_empty() {
        return String::new();
    }
    let rows: Vec<Vec<String>> = state
        .decisions
        .iter()
        .map(|d| {
            vec![
                d.entry.to_string(),
                serde_name(&d.act),
                match &d.relief {
                    ReliefRef::Phase(p) => format!("phase {p}"),
                    ReliefRef::Action(a) => format!("action {a}"),
                },
                d.effective.to_string(),
                if d.departure { "DEPARTURE" } else { "follows" }.to_owned(),
                decision_dispute(state, d),
                d.stated_reason.clone(),
            ]
        })
        .collect();
    let header = [
        "ENTRY",
        "ACT",
        "RELIEF",
        "EFFECTIVE",
        "EVALUATION",
        "DISPUTE",
        "STATED REASON",
    ];
    format!("\nDecisions\n{}", table(&header, &rows))
}

#[cfg(test)]
mod tests {
    use accord_app::evaluate::{AgreementSource, Inputs, LogSource, Reading};
    use accord_core::engine::end_of_day;
    use accord_store::{Store, StoreUrl};
    use jiff::ToSpan;

    /// Every bundled scenario played into a store of its own, evaluated at the end of every
    /// day from its first entry to a month past its last, every view of each state too.
    #[test]
    fn the_json_written_into_a_buffer_is_the_outputs_for_every_scenario_state() {
        let dir = std::env::temp_dir().join(format!("accord-render-json-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let mut compared = 0;
        for (n, scenario) in accord_app::play::SCENARIOS.iter().enumerate() {
            let url: StoreUrl = format!("sqlite:{}", dir.join(format!("{n}.db")).display())
                .parse()
                .unwrap();
            let store = Store::open(&url).unwrap();
            let played = accord_app::play::play_bundled(&store, scenario).unwrap();
            let agreement = played.origin.rsplit('/').next().unwrap().to_owned();
            let inputs = Inputs::read(
                &AgreementSource::Registered(agreement),
                LogSource::Store(&store),
            )
            .unwrap();
            let first = accord_core::engine::date_of(inputs.log[0].recorded_at);
            let last = accord_core::engine::date_of(inputs.log.last().unwrap().recorded_at);
            let mut day = first.yesterday().unwrap();
            while day <= last.checked_add(31_i64.days()).unwrap() {
                let state = inputs
                    .evaluate_as(end_of_day(day), &Reading::default())
                    .unwrap();
                let mut readings = vec![state];
                for view in readings[0].views.clone() {
                    let reading = Reading {
                        view: Some(view.id),
                        contract: None,
                    };
                    readings.push(inputs.evaluate_as(end_of_day(day), &reading).unwrap());
                }
                for state in readings {
                    let mut written = b"already here ".to_vec();
                    super::json_into(&state, &mut written);
                    let expected = format!("already here {}", super::output(&state, true));
                    assert_eq!(
                        String::from_utf8(written).unwrap(),
                        expected,
                        "{scenario} {day}"
                    );
                    compared += 1;
                }
                day = day.tomorrow().unwrap();
            }
        }
        std::fs::remove_dir_all(&dir).unwrap();
        assert!(compared > 100, "{compared} states compared");
    }
}
