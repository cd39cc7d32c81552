//! `accord evaluate` (issue #4): the state of an agreement as of an instant, as a table or
//! as the stable JSON documented in `docs/state-json.md`.
//!
//! Inputs are read by [`load`]: agreement files through `accord-spec`, the log through
//! `accord-store`. `explain` and `timeline` read theirs the same way.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use accord_core::agreement::Agreement;
use accord_core::engine::state::{PhaseStatus, State};
use accord_core::engine::{EvalError, evaluate};
use accord_core::statement::LoggedStatement;
use accord_core::time::Instant;
use miette::{IntoDiagnostic, WrapErr};

/// Arguments of `accord evaluate`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The agreement file (TOML; or the agreement model as `.json`).
    pub agreement: PathBuf,
    /// The ledger store: `sqlite:PATH`, `postgres://…`, or `jsonl:FILE` (an exported log).
    #[arg(long)]
    pub store: String,
    /// The record-time cut: an RFC 3339 instant, or a date (meaning the end of that UTC day).
    #[arg(long)]
    pub as_of: String,
    /// Print the state as JSON (stable; see docs/state-json.md).
    #[arg(long)]
    pub json: bool,
}

/// Runs `accord evaluate`.
pub fn run(args: Args) -> miette::Result<ExitCode> {
    let as_of = parse_instant(&args.as_of)?;
    let (versions, log) = load(&args.agreement, &args.store)?;
    let state = evaluate(&versions, &log, as_of).map_err(eval_error)?;
    if args.json {
        println!("{}", to_json(&state)?);
    } else {
        print!("{}", render(&state));
    }
    Ok(ExitCode::SUCCESS)
}

/// Reads the agreement versions and the log.
///
/// The agreement is a TOML agreement file, checked by `accord-spec` (any error is shown
/// with `file:line:col` and nothing is evaluated); a `.json` file is read as the agreement
/// model itself (one version or an array), as exported by other tools. The store is
/// `sqlite:PATH` or `postgres://…` holding the agreement's log, or `jsonl:FILE` with one
/// logged statement per line (an exported log).
pub fn load(
    agreement: &Path,
    store: &str,
) -> miette::Result<(Vec<Agreement>, Vec<LoggedStatement>)> {
    let versions = if agreement.extension().is_some_and(|e| e == "json") {
        load_model_json(agreement)?
    } else {
        crate::load::agreement_versions(&[agreement])?
            .into_iter()
            .map(|v| v.agreement)
            .collect()
    };
    let Some(path) = store.strip_prefix("jsonl:") else {
        let url: accord_store::StoreUrl = store.parse().into_diagnostic()?;
        let Some(first) = versions.first() else {
            return Err(miette::miette!("the agreement file holds no version"));
        };
        let mut ledger = crate::load::ledger_for(&url, &first.id)?;
        let log = crate::load::log_statements(&mut ledger)?;
        return Ok((versions, log));
    };
    let text = std::fs::read_to_string(path)
        .into_diagnostic()
        .wrap_err_with(|| format!("cannot read the log `{path}`"))?;
    let mut log = Vec::new();
    for (n, line) in text.lines().enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        let entry: LoggedStatement = serde_json::from_str(line).map_err(|e| {
            miette::miette!(
                code = "accord::evaluate::log",
                "line {} of `{path}` is not a logged statement: {e}",
                n + 1
            )
        })?;
        log.push(entry);
    }
    Ok((versions, log))
}

fn load_model_json(agreement: &Path) -> miette::Result<Vec<Agreement>> {
    let text = std::fs::read_to_string(agreement)
        .into_diagnostic()
        .wrap_err_with(|| format!("cannot read the agreement `{}`", agreement.display()))?;
    if text.trim_start().starts_with('[') {
        serde_json::from_str(&text)
    } else {
        serde_json::from_str(&text).map(|a| vec![a])
    }
    .map_err(|e| {
        miette::miette!(
            code = "accord::evaluate::agreement",
            help = "agreement files are TOML; a `.json` file must hold the agreement model",
            "`{}` is not an agreement model in JSON: {e}",
            agreement.display()
        )
    })
}

/// Parses `--as-of`: an RFC 3339 instant, or a date meaning the end of that UTC day.
pub fn parse_instant(text: &str) -> miette::Result<Instant> {
    if let Ok(t) = text.parse::<Instant>() {
        return Ok(t);
    }
    match text.parse::<jiff::civil::Date>() {
        Ok(d) => Ok(accord_core::engine::end_of_day(d)),
        Err(_) => Err(miette::miette!(
            code = "accord::evaluate::as_of",
            help = "write e.g. `2026-07-01` (the end of that UTC day) or `2026-07-01T12:00:00Z`",
            "`{text}` is not a date or an RFC 3339 instant"
        )),
    }
}

/// Turns an engine error into a diagnostic.
pub fn eval_error(e: EvalError) -> miette::Report {
    miette::miette!(code = "accord::evaluate", "{e}")
}

/// The state as pretty-printed JSON (field order is fixed by the types).
pub fn to_json(state: &State) -> miette::Result<String> {
    serde_json::to_string_pretty(state).into_diagnostic()
}

/// Lays out rows as aligned columns, two spaces apart, indented by two.
pub fn table(header: &[&str], rows: &[Vec<String>]) -> String {
    let mut widths: Vec<usize> = header.iter().map(|h| h.chars().count()).collect();
    for row in rows {
        for (i, cell) in row.iter().enumerate() {
            if let Some(w) = widths.get_mut(i) {
                *w = (*w).max(cell.chars().count());
            }
        }
    }
    let mut out = String::new();
    let line = |cells: &mut dyn Iterator<Item = &str>, out: &mut String| {
        let mut text = String::new();
        for (i, cell) in cells.enumerate() {
            let w = widths.get(i).copied().unwrap_or(0);
            let _ = write!(text, "  {cell:<w$}");
        }
        out.push_str(text.trim_end());
        out.push('\n');
    };
    line(&mut header.iter().copied(), &mut out);
    for row in rows {
        line(&mut row.iter().map(String::as_str), &mut out);
    }
    out
}

/// Where a disputed decision stands, in a few words (`-` when never disputed).
fn decision_dispute(state: &State, d: &accord_core::engine::state::DecisionState) -> String {
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

fn or_dash(d: Option<impl ToString>) -> String {
    d.map_or_else(|| "-".to_owned(), |d| d.to_string())
}

/// The state as readable tables.
pub fn render(state: &State) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "Agreement `{}` version {}, as of {} ({}), {} log entries",
        state.agreement, state.version, state.as_of, state.date, state.entries
    );
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

    out.push_str("\nPhases\n");
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
    out.push_str(&table(
        &["PHASE", "STATUS", "ENTERED", "REMAINS", "TITLE"],
        &rows,
    ));

    out.push_str("\nRelief\n");
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
    out.push_str(&table(
        &[
            "ACTION",
            "PHASE",
            "JURISDICTION",
            "MEASURE",
            "STATUS",
            "SINCE",
            "UNTIL",
            "NOTE",
        ],
        &rows,
    ));

    out.push_str("\nExemptions (in force in every state)\n");
    let rows: Vec<Vec<String>> = state
        .exemptions
        .iter()
        .map(|e| {
            vec![
                e.id.to_string(),
                if e.in_force {
                    "in force"
                } else {
                    "NOT IN FORCE"
                }
                .to_owned(),
                e.activities.join(", "),
                e.title.clone(),
            ]
        })
        .collect();
    out.push_str(&table(
        &["EXEMPTION", "STATUS", "ACTIVITIES", "TITLE"],
        &rows,
    ));

    let review = latest.map(|r| r.number);
    out.push_str(&format!(
        "\nCommitments{}\n",
        review.map_or(String::new(), |n| format!(" (review {n})"))
    ));
    let rows: Vec<Vec<String>> = state
        .commitments
        .iter()
        .map(|c| {
            vec![
                c.id.to_string(),
                c.current.map_or_else(
                    || "-".to_owned(),
                    |s| {
                        serde_json::to_value(s)
                            .ok()
                            .and_then(|v| v.as_str().map(str::to_owned))
                            .unwrap_or_default()
                    },
                ),
                c.title.clone(),
            ]
        })
        .collect();
    out.push_str(&table(&["COMMITMENT", "STATUS", "TITLE"], &rows));

    out.push_str(&format!(
        "\nIndicators{}\n",
        review.map_or(String::new(), |n| format!(" (review {n})"))
    ));
    let rows: Vec<Vec<String>> = state
        .indicators
        .iter()
        .map(|i| {
            let r = review.and_then(|n| i.reviews.iter().find(|r| r.review == n));
            vec![
                i.id.to_string(),
                i.commitment.to_string(),
                r.map_or_else(|| "-".to_owned(), |r| r.status.as_str().to_owned()),
                if r.is_some_and(|r| r.late) {
                    "late"
                } else {
                    ""
                }
                .to_owned(),
            ]
        })
        .collect();
    out.push_str(&table(
        &["INDICATOR", "COMMITMENT", "STATUS", "NOTE"],
        &rows,
    ));

    if !state.disputes.is_empty() {
        out.push_str("\nDisputes\n");
        let rows: Vec<Vec<String>> = state
            .disputes
            .iter()
            .map(|d| {
                let status = match d.outcome {
                    Some(o) => format!(
                        "{} ({})",
                        d.status,
                        serde_json::to_value(o)
                            .ok()
                            .and_then(|v| v.as_str().map(str::to_owned))
                            .unwrap_or_default()
                    ),
                    None if d.status == "resolved" => format!("{} (report received)", d.status),
                    None => d.status.to_string(),
                };
                let by = if d.opened_by.is_empty() {
                    "overdue policy".to_owned()
                } else {
                    d.opened_by
                        .iter()
                        .map(ToString::to_string)
                        .collect::<Vec<_>>()
                        .join(", ")
                };
                let finding = match &d.finding {
                    Some(accord_core::statement::Finding::Indicator { indicator, period }) => {
                        format!("{indicator} {period}")
                    }
                    Some(accord_core::statement::Finding::Entry { index }) => {
                        format!("entry {index}")
                    }
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
        out.push_str(&table(
            &[
                "DISPUTE", "STATUS", "STAGE", "OPENED", "BY", "FINDING", "EFFECT",
            ],
            &rows,
        ));
    }
    if !state.decisions.is_empty() {
        out.push_str("\nDecisions\n");
        let rows: Vec<Vec<String>> = state
            .decisions
            .iter()
            .map(|d| {
                vec![
                    d.entry.to_string(),
                    serde_json::to_value(d.act)
                        .ok()
                        .and_then(|v| v.as_str().map(str::to_owned))
                        .unwrap_or_default(),
                    match &d.relief {
                        accord_core::statement::ReliefRef::Phase(p) => format!("phase {p}"),
                        accord_core::statement::ReliefRef::Action(a) => format!("action {a}"),
                    },
                    d.effective.to_string(),
                    if d.departure { "DEPARTURE" } else { "follows" }.to_owned(),
                    decision_dispute(state, d),
                    d.stated_reason.clone(),
                ]
            })
            .collect();
        out.push_str(&table(
            &[
                "ENTRY",
                "ACT",
                "RELIEF",
                "EFFECTIVE",
                "EVALUATION",
                "DISPUTE",
                "STATED REASON",
            ],
            &rows,
        ));
    }
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
