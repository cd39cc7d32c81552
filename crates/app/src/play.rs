//! Rehearsing an agreement through time: a scenario (an agreement and dated events) played
//! into a store, and the demo, which plays the bundled scenarios.
//!
//! Playing reads the scenario and its agreement versions, checks every event (nothing is
//! appended if any is bad: first against the ledger's acceptance rules, then against the
//! evaluation), generates a signing key for every participant, registers the agreement's
//! texts, signs each event as a log entry and appends it at the event's record time,
//! issues a signed checkpoint, reads the log back and derives the timeline and the
//! coverage of the evaluation's vocabulary.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};

use accord_core::agreement::Agreement;
use accord_core::engine::coverage::{Coverage, coverage};
use accord_core::engine::evaluate;
use accord_core::engine::timeline::{Change, timeline};
use accord_core::id::ParticipantId;
use accord_core::statement::{Confidentiality, LogIndex, LoggedStatement, Statement};
use accord_core::time::Date;
use accord_ledger::entry::{Body, Entry, EntryError, seal};
use accord_ledger::note::SignerKey;
use accord_ledger::roster::check_entry;
use accord_scenario::{PlannedEntry, VersionDoc};
use accord_store::ledger::{GroupCommit, Submission};
use accord_store::{Store, StoreUrl};
use base64::Engine as _;

use crate::agreements::{self, AgreementText};
use crate::error::{Error, Result};

/// Where a scenario's agreement files are read from, by the names the scenario gives.
pub trait Files {
    /// The name a file is shown under in messages.
    fn name(&self, relative: &str) -> String;
    /// The file's bytes.
    fn read(&self, relative: &str) -> std::io::Result<Vec<u8>>;
}

/// Files relative to a directory (the scenario file's).
#[derive(Debug, Clone)]
pub struct Dir(pub PathBuf);

impl Files for Dir {
    fn name(&self, relative: &str) -> String {
        self.0.join(relative).display().to_string()
    }

    fn read(&self, relative: &str) -> std::io::Result<Vec<u8>> {
        std::fs::read(self.0.join(relative))
    }
}

/// What playing a scenario produced.
#[derive(Debug, Clone)]
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

/// An event of a scenario that does not play as written.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum EventProblem {
    /// The ledger's acceptance rules refuse the signed event.
    #[error("event {event}: the ledger would refuse it: {error}")]
    LedgerRefuses {
        /// The 1-based event number.
        event: usize,
        /// Why.
        error: EntryError,
    },
    /// The evaluation rejects the event, and the scenario does not expect it.
    #[error("event {event}: the agreement does not allow it: {reason}")]
    NotAllowed {
        /// The 1-based event number.
        event: usize,
        /// The engine's reason.
        reason: String,
    },
    /// The scenario expects the event rejected, and the evaluation counts it.
    #[error("event {event}: it is marked `expect = \"rejected\"` but the evaluation counts it")]
    NotRejected {
        /// The 1-based event number.
        event: usize,
    },
    /// An amendment the scenario plays never comes into force: a signatory never signs.
    #[error(
        "amendment version {version} (`{file}`) is not in force by the scenario's last event: {awaiting}{}; add an `amendment = {{ version = {version} }}` event by each missing signatory, or leave the file out of `amendments`",
        signed_events(.signed_in)
    )]
    Unsigned {
        /// The amendment's version.
        version: u32,
        /// Its file, as the scenario names it.
        file: String,
        /// The engine's words on whose signatures are missing.
        awaiting: String,
        /// The events that do sign it.
        signed_in: Vec<usize>,
    },
}

fn signed_events(events: &[usize]) -> String {
    if events.is_empty() {
        return " (no event signs it)".to_owned();
    }
    let list: Vec<String> = events.iter().map(|e| format!("event {e}")).collect();
    format!(" (signed in {})", list.join(", "))
}

/// A scenario read, checked and signed, ready to be played into a store: every check that
/// can refuse it has passed, and nothing has been written anywhere yet.
#[derive(Debug)]
pub struct Rehearsal {
    title: String,
    description: String,
    versions: Vec<agreements::Version>,
    planned: Vec<PlannedEntry>,
    signed: Signed,
    origin: String,
    to: Date,
}

/// Reads a scenario and its agreement versions, checks every event (against the
/// evaluation, then against the ledger's acceptance rules once signed with keys generated
/// for the rehearsal), and returns what [`Rehearsal::play_into`] appends. The timeline runs
/// to `to` (default: the last event's day).
pub fn rehearse(
    name: &str,
    scenario: &str,
    files: &dyn Files,
    to: Option<Date>,
) -> Result<Rehearsal> {
    let scenario = accord_scenario::parse(scenario).map_err(|errors| Error::Scenario {
        name: name.to_owned(),
        errors,
    })?;
    let relative: Vec<String> = std::iter::once(&scenario.agreement)
        .chain(&scenario.amendments)
        .cloned()
        .collect();
    let mut texts = Vec::with_capacity(relative.len());
    for file in &relative {
        let shown = files.name(file);
        let bytes = files.read(file).map_err(|source| Error::Read {
            what: "agreement file",
            name: shown.clone(),
            source,
        })?;
        texts.push(AgreementText { name: shown, bytes });
    }
    let versions = agreements::check(&texts)?;
    let docs: Vec<VersionDoc<'_>> = versions
        .iter()
        .map(|v| VersionDoc {
            agreement: &v.agreement,
            sha256: &v.sha256,
        })
        .collect();
    let planned = scenario.lower(&docs, 0).map_err(|errors| Error::Scenario {
        name: name.to_owned(),
        errors,
    })?;
    let agreements: Vec<Agreement> = versions.iter().map(|v| v.agreement.clone()).collect();
    let Some(agreement) = agreements.first() else {
        return Err(Error::NoVersion(name.to_owned()));
    };
    let problems = dry_run(&agreements, &relative, &planned)?;
    if !problems.is_empty() {
        return Err(Error::Events {
            name: name.to_owned(),
            ledger: false,
            problems,
        });
    }
    let to = to
        .or(planned.last().map(|p| accord_core::engine::date_of(p.at)))
        .ok_or(Error::NoEvents)?;
    let origin = format!("accord.play/{}", agreement.id);
    let signed = sign_all(&agreements, &planned, &origin)?;
    let problems: Vec<EventProblem> = planned
        .iter()
        .zip(&signed.submissions)
        .filter_map(|(entry, submission)| {
            check_entry(&submission.entry, &origin, &signed.roster, entry.at)
                .err()
                .map(|error| EventProblem::LedgerRefuses {
                    event: entry.event,
                    error,
                })
        })
        .collect();
    if !problems.is_empty() {
        return Err(Error::Events {
            name: name.to_owned(),
            ledger: true,
            problems,
        });
    }
    Ok(Rehearsal {
        title: scenario.title.clone(),
        description: scenario.description.clone(),
        versions,
        planned,
        signed,
        origin,
        to,
    })
}

/// [`rehearse`] of a scenario file, its agreements read relative to its directory.
pub fn rehearse_file(path: &Path, to: Option<Date>) -> Result<Rehearsal> {
    let text = crate::read_text("scenario", path)?;
    let dir = Dir(path.parent().unwrap_or(Path::new(".")).to_path_buf());
    rehearse(&path.display().to_string(), &text, &dir, to)
}

impl Rehearsal {
    /// The log's origin (`accord.play/AGREEMENT`).
    pub fn origin(&self) -> &str {
        &self.origin
    }

    /// Every event, signed, in the order it is appended, with the submission
    /// [`Rehearsal::play_into`] appends at the event's time (`at`): for playing the same
    /// scenario some other way, as a server's end-to-end test submits each entry through
    /// its API and compares what it evaluates with the played store's.
    pub fn entries(&self) -> impl Iterator<Item = (&PlannedEntry, &Submission)> {
        self.planned.iter().zip(&self.signed.submissions)
    }

    /// Registers the agreement's texts and creates the log with the rehearsal's roster
    /// and log key, appending nothing: what [`Rehearsal::play_into`] does before its
    /// appends, for a store the [`Rehearsal::entries`] are then submitted to otherwise.
    pub fn prepare(&self, store: &Store) -> Result<()> {
        agreements::register(store, &self.versions)?;
        create_log(store, &self.origin, &self.signed)?;
        Ok(())
    }

    /// Registers the agreement's texts, creates the log (`accord.play/AGREEMENT`, which
    /// must not exist yet), appends every event at its own record time, signs a checkpoint,
    /// and derives the timeline and the coverage from the log read back.
    pub fn play_into(self, store: &Store) -> Result<Played> {
        self.play_into_watched(store, &mut |_| Ok(()))
    }

    /// [`Rehearsal::play_into`], calling `watch` with the log's size after each entry is
    /// appended (and once more after the checkpoint): for tests of readers that follow a
    /// growing log. An error from `watch` stops the play.
    #[doc(hidden)]
    pub fn play_into_watched(
        self,
        store: &Store,
        watch: &mut dyn FnMut(u64) -> Result<()>,
    ) -> Result<Played> {
        agreements::register(store, &self.versions)?;
        let entries = self.planned.len() as u64;
        let checkpoint = append_all(store, &self.origin, self.signed, &self.planned, watch)?;
        watch(entries)?;
        let log = crate::log::read(&mut store.ledger(Some(&self.origin))?)?;
        let agreements: Vec<Agreement> = self.versions.into_iter().map(|v| v.agreement).collect();
        Ok(Played {
            title: self.title,
            description: self.description,
            origin: self.origin,
            entries,
            checkpoint,
            changes: timeline(&agreements, &log, None, self.to)?,
            coverage: coverage(&agreements, &log, None, self.to)?,
        })
    }
}

/// Rehearses a scenario and plays it into a store (see [`rehearse`]).
pub fn play(
    store: &Store,
    name: &str,
    scenario: &str,
    files: &dyn Files,
    to: Option<Date>,
) -> Result<Played> {
    rehearse(name, scenario, files, to)?.play_into(store)
}

/// The scenario's events signed, with the keys generated for it and the roster they make.
#[derive(Debug)]
struct Signed {
    log_key: SignerKey,
    roster: accord_ledger::roster::Roster,
    submissions: Vec<Submission>,
}

/// A key for every participant of every version and one for the log's checkpoints; every
/// event signed (the checks against the roster come after, before anything is appended).
fn sign_all(agreements: &[Agreement], planned: &[PlannedEntry], origin: &str) -> Result<Signed> {
    let mut keys: BTreeMap<ParticipantId, SignerKey> = BTreeMap::new();
    for version in agreements {
        let ids = version.parties.iter().map(|p| &p.id);
        for id in ids.chain(version.monitors.iter().map(|m| &m.id)) {
            if !keys.contains_key(id) {
                keys.insert(id.clone(), crate::keys::generate(id.as_str(), false)?);
            }
        }
    }
    let public: BTreeMap<ParticipantId, String> = keys
        .iter()
        .map(|(id, k)| {
            let encoded = base64::engine::general_purpose::STANDARD.encode(k.public_key());
            (id.clone(), encoded)
        })
        .collect();
    let valid_from = planned
        .first()
        .map_or(jiff::Timestamp::UNIX_EPOCH, |p| p.at);
    let Some(agreement) = agreements.first() else {
        return Err(Error::NoVersion(String::new()));
    };
    let submissions = planned
        .iter()
        .map(|entry| sign(entry, origin, &keys))
        .collect::<Result<Vec<_>>>()?;
    Ok(Signed {
        // Named after the origin, as C2SP tlog-policy requires of a log key, so that the
        // played logs can be witnessed.
        log_key: crate::keys::generate(origin, false)?,
        roster: crate::ledger::roster_for(agreement, &public, valid_from),
        submissions,
    })
}

/// Creates the log and appends every event at its own record time, then signs a
/// checkpoint; returns the checkpoint.
fn append_all(
    store: &Store,
    origin: &str,
    signed: Signed,
    planned: &[PlannedEntry],
    watch: &mut dyn FnMut(u64) -> Result<()>,
) -> Result<String> {
    let ledger = create_log(store, origin, &signed)?;
    // The record-time clock while the scenario plays: set to each event's time before it
    // is appended (appends are sequential, so each entry gets its own event's time).
    let now = Arc::new(AtomicI64::new(0));
    let clock_now = Arc::clone(&now);
    let sequencer = ledger.into_sequencer(GroupCommit {
        clock: Arc::new(move || {
            jiff::Timestamp::from_microsecond(clock_now.load(Ordering::SeqCst))
                .unwrap_or(jiff::Timestamp::UNIX_EPOCH)
        }),
        ..GroupCommit::default()
    })?;
    for ((entry, submission), size) in planned.iter().zip(signed.submissions).zip(1u64..) {
        now.store(entry.at.as_microsecond(), Ordering::SeqCst);
        sequencer
            .append(submission)
            .map_err(|source| Error::EventRefused {
                event: entry.event,
                source,
            })?;
        watch(size)?;
    }
    sequencer.shutdown();
    Ok(store.ledger(Some(origin))?.checkpoint(&signed.log_key)?)
}

/// Creates the rehearsal's log (which must not exist yet) with its roster and log key.
fn create_log(
    store: &Store,
    origin: &str,
    signed: &Signed,
) -> Result<accord_store::ledger::Ledger> {
    store
        .init_log(origin, &signed.log_key.verifier(), &signed.roster)
        .map_err(|source| Error::CreateLog {
            origin: origin.to_owned(),
            store: store.url().clone(),
            source: Box::new(source),
        })
}

/// Evaluates the planned entries before anything is signed or appended: an event the
/// agreement does not allow (a dispute opened without standing, an escalation after
/// resolution, a decision on relief that does not exist…) is a problem naming the event,
/// unless the scenario marks it `expect = "rejected"` to rehearse the refusal — and then it
/// must indeed be rejected. Amendments that never come into force come first: later
/// refusals often follow from them.
fn dry_run(
    agreements: &[Agreement],
    files: &[String],
    planned: &[PlannedEntry],
) -> Result<Vec<EventProblem>> {
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
        return Ok(Vec::new());
    };
    let state = evaluate(agreements, &log, last.at)?;
    let mut problems = Vec::new();
    for (version, file) in agreements.iter().zip(files).skip(1) {
        let Some(v) = state.versions.iter().find(|v| v.version == version.version) else {
            continue;
        };
        // Its effective day has come and it is not in force: only signatures can be
        // missing. The engine's own reason says whose.
        let due = v
            .effective
            .is_some_and(|e| e <= accord_core::engine::date_of(last.at));
        if v.in_force || !due {
            continue;
        }
        let Some(awaiting) = v.reasons.iter().find(|r| r.rule == "version.signed") else {
            continue;
        };
        problems.push(EventProblem::Unsigned {
            version: version.version,
            file: file.clone(),
            awaiting: awaiting.detail.clone(),
            signed_in: planned
                .iter()
                .filter(|p| {
                    matches!(&p.statement, Statement::AmendmentSignature(s) if s.version == version.version)
                })
                .map(|p| p.event)
                .collect(),
        });
    }
    for (i, entry) in planned.iter().enumerate() {
        let rejected = state
            .rejected
            .iter()
            .find(|r| r.entry == LogIndex(i as u64));
        match (rejected, entry.expect_rejected) {
            (Some(r), false) => problems.push(EventProblem::NotAllowed {
                event: entry.event,
                reason: r.reason.clone(),
            }),
            (None, true) => problems.push(EventProblem::NotRejected { event: entry.event }),
            _ => {}
        }
    }
    Ok(problems)
}

/// Signs one planned event as a log entry; confidential evidence is sealed (the leaf commits
/// to a salted digest and the content is stored apart).
fn sign(
    planned: &PlannedEntry,
    origin: &str,
    keys: &BTreeMap<ParticipantId, SignerKey>,
) -> Result<Submission> {
    let confidential = match &planned.statement {
        Statement::Evidence(e) => e.confidentiality == Confidentiality::Confidential,
        Statement::Correction(c) => c.evidence.confidentiality == Confidentiality::Confidential,
        _ => false,
    };
    let (body, sealed) = if confidential {
        let salt = crate::keys::random_32()?;
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
        // participant was given a key.
        let key = keys.get(author).ok_or_else(|| Error::Key {
            context: format!("the participant `{author}`"),
            message: "no key was generated for it".into(),
        })?;
        authors.push((author, key));
    }
    Ok(Submission {
        entry: entry.sign(&authors),
        sealed,
    })
}

/// A file bundled with the demo: where it goes under the demo's directory, and its text.
#[derive(Debug, Clone, Copy)]
pub struct Bundled {
    /// Its path under the demo's directory.
    pub path: &'static str,
    /// Its text.
    pub text: &'static str,
}

/// The bundled agreements and scenarios (compiled in, so the demo runs from anywhere).
pub const BUNDLED: &[Bundled] = &[
    Bundled {
        path: "nuclear-caps.toml",
        text: include_str!("../../../examples/nuclear-caps.toml"),
    },
    Bundled {
        path: "licence-elections.toml",
        text: include_str!("../../../examples/licence-elections.toml"),
    },
    Bundled {
        path: "licence-elections-v2.toml",
        text: include_str!("../../../examples/licence-elections-v2.toml"),
    },
    Bundled {
        path: "sectoral-two-jurisdictions.toml",
        text: include_str!("../../../examples/sectoral-two-jurisdictions.toml"),
    },
    Bundled {
        path: "scenarios/nuclear-caps.toml",
        text: include_str!("../../../examples/scenarios/nuclear-caps.toml"),
    },
    Bundled {
        path: "scenarios/licence-snapback.toml",
        text: include_str!("../../../examples/scenarios/licence-snapback.toml"),
    },
    Bundled {
        path: "scenarios/sectoral-dispute.toml",
        text: include_str!("../../../examples/scenarios/sectoral-dispute.toml"),
    },
    Bundled {
        path: "staged-lifting.toml",
        text: include_str!("../../../examples/staged-lifting.toml"),
    },
    Bundled {
        path: "scenarios/staged-lifting.toml",
        text: include_str!("../../../examples/scenarios/staged-lifting.toml"),
    },
];

/// The bundled scenarios the demo plays, in order.
pub const SCENARIOS: &[&str] = &[
    "scenarios/nuclear-caps.toml",
    "scenarios/licence-snapback.toml",
    "scenarios/sectoral-dispute.toml",
    "scenarios/staged-lifting.toml",
];

/// The bundled files, read by their paths under the demo's directory.
#[derive(Debug, Clone, Copy)]
pub struct BundledFiles {
    /// The directory the relative names are resolved from (`scenarios/…` → `…`).
    pub base: &'static str,
}

impl Files for BundledFiles {
    fn name(&self, relative: &str) -> String {
        bundled_path(self.base, relative)
    }

    fn read(&self, relative: &str) -> std::io::Result<Vec<u8>> {
        let path = bundled_path(self.base, relative);
        BUNDLED
            .iter()
            .find(|b| b.path == path)
            .map(|b| b.text.as_bytes().to_vec())
            .ok_or_else(|| std::io::Error::from(std::io::ErrorKind::NotFound))
    }
}

/// `scenarios` + `../x.toml` → `x.toml`: relative names as a scenario writes them.
fn bundled_path(base: &str, relative: &str) -> String {
    let mut parts: Vec<&str> = base.split('/').filter(|p| !p.is_empty()).collect();
    for part in relative.split('/') {
        match part {
            ".." => {
                parts.pop();
            }
            "." | "" => {}
            other => parts.push(other),
        }
    }
    parts.join("/")
}

/// Plays one bundled scenario (see [`SCENARIOS`]) into a store, reading its agreements
/// from the bundled texts (no file is written).
pub fn play_bundled(store: &Store, scenario: &str) -> Result<Played> {
    let bundled = BUNDLED
        .iter()
        .find(|b| b.path == scenario)
        .ok_or_else(|| Error::Read {
            what: "scenario",
            name: scenario.to_owned(),
            source: std::io::Error::from(std::io::ErrorKind::NotFound),
        })?;
    let base = bundled.path.rsplit_once('/').map_or("", |(dir, _)| dir);
    play(
        store,
        bundled.path,
        bundled.text,
        &BundledFiles { base },
        None,
    )
}

/// What the demo did.
#[derive(Debug, Clone)]
pub struct Demo {
    /// The embedded store it played into.
    pub store: StoreUrl,
    /// Each bundled scenario, played.
    pub played: Vec<Played>,
    /// The states reached by the scenarios together.
    pub reached: Coverage,
}

/// Writes the bundled files into `keep` (so that they can be read and re-played), or into a
/// temporary directory removed afterwards, then plays every bundled scenario into an
/// embedded store there (`accord.db`).
pub fn demo(keep: Option<&Path>) -> Result<Demo> {
    let temporary = match keep {
        Some(_) => None,
        None => Some(tempfile::tempdir().map_err(|source| Error::Write {
            name: "a temporary directory".into(),
            source,
        })?),
    };
    let dir = match (&temporary, keep) {
        (Some(t), _) => t.path(),
        (None, Some(dir)) => dir,
        (None, None) => Path::new("."),
    };
    for file in BUNDLED {
        let path = dir.join(file.path);
        let write = || -> std::io::Result<()> {
            if let Some(parent) = path.parent() {
                std::fs::create_dir_all(parent)?;
            }
            std::fs::write(&path, file.text)
        };
        write().map_err(|source| Error::Write {
            name: path.display().to_string(),
            source,
        })?;
    }
    let url = StoreUrl::Sqlite(dir.join("accord.db"));
    let store = crate::open(&url, false)?;
    let mut reached = Coverage::default();
    let mut played = Vec::with_capacity(SCENARIOS.len());
    for scenario in SCENARIOS {
        let path = dir.join(scenario);
        let text = std::fs::read_to_string(&path).map_err(|source| Error::Read {
            what: "scenario",
            name: path.display().to_string(),
            source,
        })?;
        let base = path
            .parent()
            .map_or_else(|| dir.to_path_buf(), Path::to_path_buf);
        let one = play(&store, &path.display().to_string(), &text, &Dir(base), None)?;
        reached.merge(&one.coverage);
        played.push(one);
    }
    Ok(Demo {
        store: url,
        played,
        reached,
    })
}
