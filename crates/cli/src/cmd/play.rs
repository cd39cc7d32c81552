//! `accord play SCENARIO`: rehearse an agreement through time.
//!
//! Reads the scenario and its agreement versions, checks every event (nothing is appended
//! if any is bad), generates a signing key for every participant, signs each event as a
//! log entry and appends it to the ledger at the event's record time, issues a signed
//! checkpoint, reads the log back and prints the timeline of state changes the engine
//! derives from it.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};

use accord_core::agreement::Agreement;
use accord_core::engine::coverage::{Coverage, VOCABULARY, coverage};
use accord_core::engine::evaluate;
use accord_core::engine::timeline::{Change, timeline};
use accord_core::id::ParticipantId;
use accord_core::statement::{Confidentiality, LogIndex, LoggedStatement, Statement};
use accord_core::time::Date;
use accord_ledger::entry::{Body, Entry, seal};
use accord_ledger::note::SignerKey;
use accord_ledger::roster::check_entry;
use accord_scenario::{PlannedEntry, VersionDoc};
use accord_store::StoreUrl;
use accord_store::ledger::{GroupCommit, Ledger, Submission};
use base64::Engine as _;
use miette::{IntoDiagnostic as _, WrapErr as _};

use crate::load;

/// Arguments of `accord play`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The scenario file (see `docs/scenario-format.md`).
    #[arg(value_name = "SCENARIO")]
    pub scenario: PathBuf,
    /// The store to append to: `sqlite:PATH` or `postgres://…`. The log must not exist yet.
    #[arg(long, env = "ACCORD_STORE", default_value = "sqlite:accord.db")]
    pub store: StoreUrl,
    /// The last day of the timeline (the last event's day when absent).
    #[arg(long, value_name = "DATE")]
    pub to: Option<Date>,
    /// Print the timeline as JSON (an array of changes) instead of a table.
    #[arg(long)]
    pub json: bool,
    /// Also print which states of the evaluation's vocabulary the scenario reached and
    /// which it never did (with `--json`: `{"changes": [...], "coverage": {...}}`).
    #[arg(long)]
    pub coverage: bool,
}

/// What playing a scenario produced.
#[derive(Debug)]
pub struct Played {
    /// The scenario's title.
    pub title: String,
    /// Its description.
    pub description: String,
    /// The log's origin.
    pub origin: String,
    /// How many entries were appended.
    pub entries: u64,
    /// The signed checkpoint issued after the last append.
    pub checkpoint: String,
    /// Every state change, in order.
    pub changes: Vec<Change>,
    /// The states reached, day by day, over the same span.
    pub coverage: Coverage,
}

/// Runs `accord play`.
pub fn run(args: Args) -> miette::Result<ExitCode> {
    let played = play(&args.scenario, &args.store, args.to)?;
    if args.json && args.coverage {
        let json = serde_json::json!({
            "changes": played.changes,
            "coverage": coverage_json(&played.coverage),
        });
        println!("{}", serde_json::to_string_pretty(&json).into_diagnostic()?);
    } else if args.json {
        let json = serde_json::to_string_pretty(&played.changes).into_diagnostic()?;
        println!("{json}");
    } else {
        print!("{}", render(&played));
        if args.coverage {
            print!("\n{}", render_coverage(&played.coverage));
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// Plays a scenario into a store and returns its timeline.
pub fn play(scenario_path: &Path, store: &StoreUrl, to: Option<Date>) -> miette::Result<Played> {
    let source = std::fs::read_to_string(scenario_path)
        .into_diagnostic()
        .wrap_err_with(|| format!("cannot read the scenario `{}`", scenario_path.display()))?;
    let name = scenario_path.display().to_string();
    let scenario =
        accord_scenario::parse(&source).map_err(|errors| scenario_errors(&name, &errors))?;

    let dir = scenario_path.parent().unwrap_or(Path::new("."));
    let paths: Vec<PathBuf> = std::iter::once(&scenario.agreement)
        .chain(&scenario.amendments)
        .map(|p| dir.join(p))
        .collect();
    let path_refs: Vec<&Path> = paths.iter().map(PathBuf::as_path).collect();
    let versions = load::agreement_versions(&path_refs)?;
    let docs: Vec<VersionDoc<'_>> = versions
        .iter()
        .map(|v| VersionDoc {
            agreement: &v.agreement,
            sha256: &v.sha256,
        })
        .collect();
    let planned = scenario
        .lower(&docs, 0)
        .map_err(|errors| scenario_errors(&name, &errors))?;
    let Some(first) = versions.first() else {
        return Err(miette::miette!("the scenario names no agreement"));
    };
    let agreement = &first.agreement;
    let agreements: Vec<_> = versions.iter().map(|v| v.agreement.clone()).collect();
    let files: Vec<String> = std::iter::once(&scenario.agreement)
        .chain(&scenario.amendments)
        .cloned()
        .collect();
    dry_run(&name, &agreements, &files, &planned)?;

    // A key for every participant of every version, and one for the log's checkpoints.
    let mut keys: BTreeMap<ParticipantId, SignerKey> = BTreeMap::new();
    for version in &versions {
        let ids = version.agreement.parties.iter().map(|p| &p.id);
        let ids = ids.chain(version.agreement.monitors.iter().map(|m| &m.id));
        for id in ids {
            if !keys.contains_key(id) {
                keys.insert(id.clone(), generate_key(id.as_str())?);
            }
        }
    }
    let log_key = generate_key("accord-play")?;
    let public: BTreeMap<ParticipantId, String> = keys
        .iter()
        .map(|(id, k)| {
            (
                id.clone(),
                base64::engine::general_purpose::STANDARD.encode(k.public_key()),
            )
        })
        .collect();
    let valid_from = planned
        .first()
        .map_or(jiff::Timestamp::UNIX_EPOCH, |p| p.at);
    let roster = load::roster_for(agreement, &public, valid_from);
    let origin = format!("accord.play/{}", agreement.id);

    // Every entry is signed and checked against the roster before the log is created, so a
    // scenario the ledger would refuse part-way appends nothing.
    let mut submissions = Vec::with_capacity(planned.len());
    let mut refused = Vec::new();
    for entry in &planned {
        let submission = sign(entry, &origin, &keys)?;
        if let Err(e) = check_entry(&submission.entry, &origin, &roster, entry.at) {
            refused.push(format!(
                "event {}: the ledger would refuse it: {e}",
                entry.event
            ));
        }
        submissions.push(submission);
    }
    if !refused.is_empty() {
        for line in &refused {
            eprintln!("{name}: error: {line}");
        }
        return Err(miette::miette!(
            help = "fix every event listed above; nothing was appended",
            "the scenario `{name}` has {} event(s) the ledger would refuse",
            refused.len()
        ));
    }

    let ledger = Ledger::init(store, &origin, &log_key.verifier(), &roster)
        .into_diagnostic()
        .wrap_err_with(|| format!("cannot create the log `{origin}` in `{store}`"))?;
    // The record-time clock while the scenario plays: set to each event's time before it is
    // appended (appends are sequential, so each entry gets its own event's time).
    let now = Arc::new(AtomicI64::new(0));
    let clock_now = Arc::clone(&now);
    let sequencer = ledger
        .into_sequencer(GroupCommit {
            clock: Arc::new(move || {
                jiff::Timestamp::from_microsecond(clock_now.load(Ordering::SeqCst))
                    .unwrap_or(jiff::Timestamp::UNIX_EPOCH)
            }),
            ..GroupCommit::default()
        })
        .into_diagnostic()?;
    for (entry, submission) in planned.iter().zip(submissions) {
        now.store(entry.at.as_microsecond(), Ordering::SeqCst);
        sequencer.append(submission).map_err(|e| {
            miette::miette!(
                "event {} was refused by the ledger: {e}; entries before it were appended",
                entry.event
            )
        })?;
    }
    sequencer.shutdown();

    let mut ledger = Ledger::open(store, Some(&origin)).into_diagnostic()?;
    let checkpoint = ledger.checkpoint(&log_key).into_diagnostic()?;
    let log = load::log_statements(&mut ledger)?;
    let last_day = planned.last().map(|p| accord_core::engine::date_of(p.at));
    let to = to.or(last_day).ok_or_else(|| {
        miette::miette!(
            help = "give `--to DATE`",
            "the scenario has no events to play"
        )
    })?;
    let changes = timeline(&agreements, &log, None, to).into_diagnostic()?;
    let coverage = coverage(&agreements, &log, None, to).into_diagnostic()?;
    Ok(Played {
        title: scenario.title.clone(),
        description: scenario.description.clone(),
        origin,
        entries: planned.len() as u64,
        checkpoint,
        changes,
        coverage,
    })
}

/// Evaluates the planned entries before anything is signed or appended: an event the
/// agreement does not allow (a dispute opened without standing, an escalation after
/// resolution, a decision on relief that does not exist…) is an error naming the event,
/// unless the scenario marks it `expect = "rejected"` to rehearse the refusal — and then it
/// must indeed be rejected.
fn dry_run(
    name: &str,
    agreements: &[Agreement],
    files: &[String],
    planned: &[PlannedEntry],
) -> miette::Result<()> {
    let log: Vec<LoggedStatement> = planned
        .iter()
        .enumerate()
        .map(|(i, p)| LoggedStatement {
            index: LogIndex(i as u64),
            recorded_at: p.at,
            agreement: p.agreement.clone(),
            authors: p.authors.clone(),
            statement: p.statement.clone(),
        })
        .collect();
    let Some(last) = planned.last() else {
        return Ok(());
    };
    let state = evaluate(agreements, &log, last.at).into_diagnostic()?;
    let mut problems = Vec::new();
    for (i, entry) in planned.iter().enumerate() {
        let rejected = state
            .rejected
            .iter()
            .find(|r| r.entry == LogIndex(i as u64));
        match (rejected, entry.expect_rejected) {
            (Some(r), false) => problems.push(format!(
                "event {}: the agreement does not allow it: {}",
                entry.event, r.reason
            )),
            (None, true) => problems.push(format!(
                "event {}: it is marked `expect = \"rejected\"` but the evaluation counts it",
                entry.event
            )),
            _ => {}
        }
    }
    // An amendment the scenario plays must come into force: one a signatory never signs is
    // a rehearsal that does not do what it says. Reported first: later refusals often
    // follow from it.
    let mut unsigned = Vec::new();
    for (version, file) in agreements.iter().zip(files).skip(1) {
        let Some(v) = state.versions.iter().find(|v| v.version == version.version) else {
            continue;
        };
        // Its effective day has come and it is not in force: only signatures can be missing.
        // The engine's own reason says whose.
        let due = v
            .effective
            .is_some_and(|e| e <= accord_core::engine::date_of(last.at));
        if v.in_force || !due {
            continue;
        }
        let Some(awaiting) = v.reasons.iter().find(|r| r.rule == "version.signed") else {
            continue;
        };
        let signed: Vec<String> = planned
            .iter()
            .filter(|p| {
                matches!(&p.statement, Statement::AmendmentSignature(s) if s.version == version.version)
            })
            .map(|p| format!("event {}", p.event))
            .collect();
        unsigned.push(format!(
            "amendment version {} (`{file}`) is not in force by the scenario's last event: {}{}; add an `amendment = {{ version = {} }}` event by each missing signatory, or leave the file out of `amendments`",
            version.version,
            awaiting.detail,
            if signed.is_empty() {
                " (no event signs it)".to_owned()
            } else {
                format!(" (signed in {})", signed.join(", "))
            },
            version.version,
        ));
    }
    unsigned.append(&mut problems);
    let problems = unsigned;
    if problems.is_empty() {
        return Ok(());
    }
    for line in &problems {
        eprintln!("{name}: error: {line}");
    }
    Err(miette::miette!(
        help = "fix the events listed above, or mark a deliberately refused step with `expect = \"rejected\"`; nothing was appended",
        "the scenario `{name}` has {} event(s) that do not play as written",
        problems.len()
    ))
}

fn generate_key(name: &str) -> miette::Result<SignerKey> {
    let mut seed = [0u8; 32];
    getrandom::fill(&mut seed)
        .map_err(|e| miette::miette!("the system's random source failed: {e}"))?;
    SignerKey::from_seed(name, seed).into_diagnostic()
}

/// Signs one planned event as a log entry; confidential evidence is sealed (the leaf commits
/// to a salted digest and the content is stored apart).
fn sign(
    planned: &PlannedEntry,
    origin: &str,
    keys: &BTreeMap<ParticipantId, SignerKey>,
) -> miette::Result<Submission> {
    let confidential = match &planned.statement {
        Statement::Evidence(e) => e.confidentiality == Confidentiality::Confidential,
        Statement::Correction(c) => c.evidence.confidentiality == Confidentiality::Confidential,
        _ => false,
    };
    let (body, sealed) = if confidential {
        let mut salt = [0u8; 32];
        getrandom::fill(&mut salt)
            .map_err(|e| miette::miette!("the system's random source failed: {e}"))?;
        let (body, content) = seal(&planned.statement, &salt);
        (body, Some((salt, content)))
    } else {
        (Body::Open(planned.statement.clone()), None)
    };
    let entry = Entry {
        origin: origin.to_owned(),
        agreement: planned.agreement.clone(),
        body,
    };
    let mut authors = Vec::with_capacity(planned.authors.len());
    for author in &planned.authors {
        // INVARIANT: lowering accepted only participants of the agreement, and every
        // participant was given a key above.
        let key = keys
            .get(author)
            .ok_or_else(|| miette::miette!("no key was generated for `{author}`"))?;
        authors.push((author, key));
    }
    Ok(Submission {
        entry: entry.sign(&authors),
        sealed,
    })
}

/// Prints every scenario problem as `file:line:col: error: …` (the way `accord check`
/// does) and returns the error that ends the command.
fn scenario_errors(file: &str, errors: &[accord_scenario::ScenarioError]) -> miette::Report {
    for e in errors {
        let event = e.event.map(|n| format!("event {n}: ")).unwrap_or_default();
        eprintln!(
            "{file}:{}:{}: error: {event}{}",
            e.line, e.column, e.message
        );
        if let Some(help) = &e.help {
            eprintln!("  help: {help}");
        }
    }
    miette::miette!(
        help = "fix every event listed above; nothing was appended",
        "the scenario `{file}` has {} problem(s)",
        errors.len()
    )
}

/// The timeline as a table a policy officer can read: one change per line, with its reason
/// and the log entries it rests on.
pub fn render(played: &Played) -> String {
    let mut out = String::new();
    out.push_str(&format!("# {}\n", played.title));
    if !played.description.is_empty() {
        out.push_str(&format!("{}\n", played.description));
    }
    out.push_str(&format!(
        "\n{} entries signed and appended to log `{}`; checkpoint:\n",
        played.entries, played.origin
    ));
    for line in played.checkpoint.lines().take(3) {
        out.push_str(&format!("  {line}\n"));
    }
    out.push('\n');
    out.push_str(&render_changes(&played.changes));
    out
}

/// One line per change: date, subject, `from → to`, then the first reason indented.
pub fn render_changes(changes: &[Change]) -> String {
    let width = changes
        .iter()
        .map(|c| c.subject.len())
        .max()
        .unwrap_or(0)
        .min(48);
    let mut out = String::new();
    for change in changes {
        let from = change.from.as_deref().unwrap_or("—");
        out.push_str(&format!(
            "{}  {:<width$}  {} → {}\n",
            change.date, change.subject, from, change.to
        ));
        if let Some(reason) = change.reasons.first() {
            let entries = if reason.entries.is_empty() {
                String::new()
            } else {
                let list: Vec<String> = reason.entries.iter().map(ToString::to_string).collect();
                format!(" [{}]", list.join(", "))
            };
            out.push_str(&format!("            {}{entries}\n", reason.detail));
        }
    }
    out
}

/// The coverage as JSON: the statuses reached and those never reached, per kind.
pub fn coverage_json(c: &Coverage) -> serde_json::Value {
    serde_json::json!({
        "from": c.from,
        "to": c.to,
        "reached": c.reached,
        "never_reached": c.missing(),
    })
}

/// The states reached and never reached, one kind per line, in the vocabulary's order.
pub fn render_coverage(c: &Coverage) -> String {
    let span = match (c.from, c.to) {
        (Some(from), Some(to)) => format!(" from {from} to {to}"),
        _ => String::new(),
    };
    let mut out = format!("States reached{span}:\n");
    for (kind, statuses) in VOCABULARY {
        let seen = c.reached.get(*kind);
        let list: Vec<&str> = statuses
            .iter()
            .copied()
            .filter(|s| seen.is_some_and(|seen| seen.contains(*s)))
            .collect();
        out.push_str(&format!(
            "  {kind:<16} {}\n",
            if list.is_empty() {
                "—".to_owned()
            } else {
                list.join(", ")
            }
        ));
    }
    let missing = c.missing();
    if missing.is_empty() {
        out.push_str("Every state of the vocabulary was reached at least once.\n");
    } else {
        out.push_str("Never reached:\n");
        for (kind, statuses) in &missing {
            out.push_str(&format!("  {kind:<16} {}\n", statuses.join(", ")));
        }
    }
    out
}
