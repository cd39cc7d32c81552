//! Every way a use case can fail, as one typed error.
//!
//! Messages are lowercase sentences without a final period, with the user's input in
//! backticks. They say what is wrong, never which command-line flag or command to use:
//! each shell adds its own hints (the CLI names its flags, the server its fields). The
//! structured variants keep what a shell needs to say more (the diagnostics of an invalid
//! agreement, the problems of a scenario) without parsing text.

use accord_core::engine::EvalError;
use accord_ledger::entry::EntryError;
use accord_store::ledger::AppendError;
use accord_store::lists::ListStoreError;
use accord_store::{StoreError, StoreUrl};

use crate::play::EventProblem;

/// Why a use case failed.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    // --- reading inputs -----------------------------------------------------------------
    /// A file could not be read.
    #[error("cannot read the {what} `{name}`")]
    Read {
        /// What the file is (`agreement file`, `candidates file`, …).
        what: &'static str,
        /// Its name as given.
        name: String,
        /// Why.
        #[source]
        source: std::io::Error,
    },
    /// A file could not be written.
    #[error("cannot write `{name}`")]
    Write {
        /// Its name.
        name: String,
        /// Why.
        #[source]
        source: std::io::Error,
    },
    /// A file that would be overwritten.
    #[error("`{0}` already exists")]
    Exists(String),
    /// A line or row of an input file is wrong.
    #[error("`{name}` line {line}: {message}")]
    Line {
        /// What kind of file, for hints.
        file: FileKind,
        /// The file's name.
        name: String,
        /// 1-based line.
        line: usize,
        /// What is wrong.
        message: String,
    },
    /// A file lacks a column it needs.
    #[error("the {} `{name}` {problem}", file.noun())]
    Columns {
        /// What kind of file.
        file: FileKind,
        /// Its name.
        name: String,
        /// What is missing, in words.
        problem: &'static str,
    },
    /// A date or instant that does not parse.
    #[error("`{0}` is not a date, an RFC 3339 instant or a local time with its zone")]
    Instant(String),
    /// A local time with an unknown zone, none, or one the clocks skipped or repeated.
    #[error(transparent)]
    Zone(accord_core::time::MomentError),
    /// An observation time that does not parse.
    #[error("`{0}` is not a date (`YYYY-MM-DD`) or an RFC 3339 time (`2026-03-01T12:00:00Z`)")]
    ObservedAt(String),
    /// The system's random source failed.
    #[error("the operating system gave no randomness: {0}")]
    Randomness(String),

    // --- agreements ---------------------------------------------------------------------
    /// Agreement texts have errors; each file's errors are kept for the shell to show.
    #[error("the agreement does not pass its checks")]
    AgreementInvalid(Vec<crate::agreements::Invalid>),
    /// A behaviour model has errors; kept for the shell to show.
    #[error("the behaviour model does not pass its checks")]
    ModelInvalid(crate::agreements::Invalid),
    /// A simulation cannot run with these settings.
    #[error(transparent)]
    Simulate(#[from] accord_simulate::SimulateError),
    /// A `.json` file that is not the agreement model.
    #[error("`{name}` is not an agreement model in JSON: {message}")]
    AgreementModel {
        /// The file.
        name: String,
        /// The parser's words.
        message: String,
    },
    /// No version was given.
    #[error("`{0}` holds no agreement version")]
    NoVersion(String),
    /// The store has no registered text of the agreement.
    #[error("the store `{store}` holds no registered text of agreement `{agreement}`")]
    NotRegistered {
        /// The store.
        store: StoreUrl,
        /// The agreement.
        agreement: String,
    },
    /// An agreement declares a key that is not an Ed25519 key.
    #[error("a key of `{participant}` in the agreement: {message}")]
    AgreementKey {
        /// Whose key.
        participant: String,
        /// What is wrong with it.
        message: String,
    },

    // --- stores and logs ----------------------------------------------------------------
    /// The store could not be opened.
    #[error("cannot open the store `{url}`")]
    Open {
        /// The store.
        url: StoreUrl,
        /// Why.
        #[source]
        source: Box<StoreError>,
    },
    /// A store operation failed.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// A list store operation failed.
    #[error(transparent)]
    Lists(#[from] ListStoreError),
    /// The store holds no log of the agreement.
    #[error("the store `{store}` holds no log for agreement `{agreement}`")]
    NoLog {
        /// The store.
        store: StoreUrl,
        /// The agreement.
        agreement: String,
    },
    /// The store holds several logs of the agreement.
    #[error(
        "the store `{store}` holds {count} logs for agreement `{agreement}`; keep one log per agreement per store"
    )]
    SeveralLogs {
        /// The store.
        store: StoreUrl,
        /// The agreement.
        agreement: String,
        /// How many.
        count: usize,
    },
    /// A log entry could not be read.
    #[error("cannot read log entry {index}")]
    Entry {
        /// Its index.
        index: u64,
        /// Why.
        #[source]
        source: Box<StoreError>,
    },
    /// A sealed entry's content does not open its commitment.
    #[error("sealed log entry {index} does not match its leaf")]
    Sealed {
        /// Its index.
        index: u64,
        /// Why.
        #[source]
        source: EntryError,
    },
    /// An append was not acknowledged.
    #[error(transparent)]
    Append(#[from] AppendError),
    /// A signed entry, roster or key is invalid.
    #[error(transparent)]
    Ledger(#[from] EntryError),

    // --- evaluation -----------------------------------------------------------------------
    /// The engine cannot evaluate these inputs.
    #[error(transparent)]
    Eval(#[from] EvalError),
    /// An agreement of a composition cannot be evaluated.
    #[error("cannot evaluate `{name}`: {source}")]
    EvaluateAgreement {
        /// The agreement's name.
        name: String,
        /// Why.
        source: EvalError,
    },
    /// `explain` was asked about something the agreement does not name.
    #[error("`{0}` is nothing the agreement names")]
    NothingNamed(String),

    // --- lists, screening and status -----------------------------------------------------
    /// An entity given as `SOURCE:ID` is not of that form.
    #[error("`{0}` is not SOURCE:ID")]
    EntityForm(String),
    /// The store holds no such designation.
    #[error("the store holds no designation `{id}` of `{list}`")]
    UnknownEntity {
        /// The list (source).
        list: String,
        /// The identifier asked for.
        id: String,
    },
    /// A designation was never imported.
    #[error("`{id}` was never in an import of `{list}`")]
    NeverImported {
        /// The list (source).
        list: String,
        /// The identifier.
        id: String,
    },
    /// A screening or status field that cannot be read: an unknown jurisdiction or
    /// country, a name with nothing in it, a date that does not exist.
    #[error(transparent)]
    Field(#[from] accord_screen::FieldError),
    /// A jurisdiction that is neither an ISO 3166 country nor a sanctioning body.
    #[error(
        "unknown jurisdiction `{0}`: give an ISO 3166 country code or name (`US`, `GB` or `UK`, `FR`) or a body (`UN`, `EU`)"
    )]
    Jurisdiction(String),
    /// The store holds no listed designation to find a name in.
    #[error("the store holds no listed designation to find `{0}` in")]
    NothingToFind(String),
    /// The store holds no listed designation to screen against.
    #[error("the store `{0}` holds no listed designation to screen against")]
    NothingToScreen(StoreUrl),
    /// The store can only be screened as of today.
    #[error(
        "screening the store as of another day than today is not built yet: the store screens the latest import of each list"
    )]
    ScreenPastDay,
    /// An import failed; nothing was imported.
    #[error("{0}")]
    Import(String),
    /// A list source that is not configured.
    #[error("unknown source `{name}`: known sources are {}", known.join(", "))]
    UnknownSource {
        /// The name asked for.
        name: String,
        /// The configured ones.
        known: Vec<String>,
    },
    /// A configuration file that does not parse.
    #[error("the configuration `{name}` is not valid: {message}")]
    Config {
        /// The file.
        name: String,
        /// The parser's words.
        message: String,
    },
    /// An empty file with no format named, for a source whose format is not known.
    #[error(
        "`{file}` is empty: its format cannot be recognised from its content, and no previous import of a named source gives it"
    )]
    EmptyNeedsFormat {
        /// The file.
        file: String,
    },
    /// A download failed.
    #[error("download of `{url}` failed: {message}")]
    Download {
        /// The address.
        url: String,
        /// Why.
        message: String,
    },

    // --- keys and the ledger's commands --------------------------------------------------
    /// A key could not be made or read.
    #[error("{context}: {message}")]
    Key {
        /// Where the key came from.
        context: String,
        /// What is wrong.
        message: String,
    },
    /// A signed note that does not verify, or a text that cannot be signed.
    #[error("`{name}` does not verify")]
    Note {
        /// The note.
        name: String,
        /// Why.
        #[source]
        source: accord_ledger::note::NoteError,
    },
    /// A stream of entries stopped at the first failure of the store (or of the clock):
    /// the entries acknowledged before it are written, nothing from `line` on was.
    #[error(
        "stopped at line {line}: {source}; the {appended} entries acknowledged before it are written, nothing from line {line} on was"
    )]
    StreamStopped {
        /// The line of the entry that failed.
        line: usize,
        /// How many entries were acknowledged before it.
        appended: u64,
        /// The failure.
        #[source]
        source: AppendError,
    },
    /// An origin no entry could carry: every append to the log would be refused.
    #[error(
        "the log origin is {len} bytes: an origin must be 1 to {max} bytes, or no entry can be appended to the log"
    )]
    Origin {
        /// The origin given (not in the message: it may be long).
        origin: String,
        /// Its length in bytes.
        len: usize,
        /// The most an entry's origin may have.
        max: usize,
    },
    /// The log's key is named for another log.
    #[error("the log key is named `{key}` but the log's origin is `{origin}`: they must match")]
    LogKeyName {
        /// The key's name.
        key: String,
        /// The log's origin.
        origin: String,
    },
    /// A roster file that is not a roster.
    #[error("`{name}` is not a roster: {message}")]
    Roster {
        /// The file.
        name: String,
        /// Why.
        message: String,
    },
    /// A statement file that is not a statement.
    #[error("`{name}` is not a statement: {message}")]
    Statement {
        /// The file.
        name: String,
        /// Why.
        message: String,
    },
    /// A hash that does not parse.
    #[error("invalid {what}")]
    Hash {
        /// What the hash is (where it was given).
        what: String,
        /// Why.
        #[source]
        source: accord_ledger::checkpoint::HashError,
    },
    /// A leaf that is not hex bytes.
    #[error("line {line}: `{text}` is not hex bytes")]
    Leaf {
        /// 1-based line.
        line: usize,
        /// The line.
        text: String,
    },
    /// A proof that does not verify.
    #[error("{kind} proof refused")]
    Proof {
        /// `inclusion` or `consistency`.
        kind: &'static str,
        /// Why.
        #[source]
        source: accord_ledger::merkle::VerifyError,
    },
    /// An entry without a signer.
    #[error("an entry must be signed by its author")]
    Unsigned,

    // --- scenarios ----------------------------------------------------------------------
    /// A scenario file with problems (each with its line and column).
    #[error("the scenario `{name}` has {} problem(s)", errors.len())]
    Scenario {
        /// The scenario file.
        name: String,
        /// Every problem, in order.
        errors: Vec<accord_scenario::ScenarioError>,
    },
    /// Events of a scenario that would not play as written; nothing was appended.
    #[error("the scenario `{name}` has {} event(s) {}", problems.len(), if *ledger { "the ledger would refuse" } else { "that do not play as written" })]
    Events {
        /// The scenario file.
        name: String,
        /// `true`: the ledger's acceptance rules refuse them; `false`: the evaluation does.
        ledger: bool,
        /// Every problem, in order.
        problems: Vec<EventProblem>,
    },
    /// A scenario with no events and no last day.
    #[error("the scenario has no events to play")]
    NoEvents,
    /// The ledger refused an event part-way (entries before it were appended).
    #[error("event {event} was refused by the ledger: {source}; entries before it were appended")]
    EventRefused {
        /// The 1-based event number.
        event: usize,
        /// Why.
        source: AppendError,
    },
    // --- reports ------------------------------------------------------------------------
    /// The inputs of a report do not hold; each problem names its part.
    #[error("the report cannot be built: {}", problems(.0))]
    Report(Vec<accord_report::Problem>),
    /// No signed checkpoint covers the entries a report as of an instant must read.
    #[error("no signed checkpoint of the log `{origin}` covers the {uncovered} entries recorded by {as_of}{}", if *.witnessed { " (and is witnessed under the policy)" } else { "" })]
    ReportUncovered {
        /// The log.
        origin: String,
        /// The report's instant.
        as_of: jiff::Timestamp,
        /// How many entries recorded by then no usable checkpoint covers.
        uncovered: u64,
        /// Whether only witnessed checkpoints counted.
        witnessed: bool,
    },
    /// A log with no signed checkpoint, where one is needed.
    #[error("the log `{0}` has no signed checkpoint yet")]
    NoCheckpoint(String),
    /// The directory a report is written to is not empty.
    #[error("`{0}` is not empty: a report is written into a new directory")]
    ReportDirectory(String),
    /// An openings file would be written into a report's public directory.
    #[error(
        "`{0}` is inside the report's directory: openings are for entitled readers and never part of the public bundle"
    )]
    OpeningsInBundle(String),
    /// A directory is not a report bundle.
    #[error("`{0}` is not a report bundle: {1}")]
    NotABundle(String, String),

    /// The scenario's log could not be created.
    #[error("cannot create the log `{origin}` in `{store}`")]
    CreateLog {
        /// The log's origin.
        origin: String,
        /// The store.
        store: StoreUrl,
        /// Why.
        #[source]
        source: Box<StoreError>,
    },

    /// A valid agreement text that may not be registered (issue #13: submission).
    #[error(transparent)]
    SubmissionRefused(crate::agreements::SubmissionRefused),
    /// An amendment signature refused before it reached the log.
    #[error("amendment signature refused: {0}")]
    SignatureRefused(crate::agreements::SignatureRefused),
}

fn problems(problems: &[accord_report::Problem]) -> String {
    let all: Vec<String> = problems.iter().map(ToString::to_string).collect();
    all.join("; ")
}

/// The kinds of input file a use case reads, for messages and hints.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FileKind {
    /// An agreement file.
    Agreement,
    /// An exported log (JSON lines).
    Log,
    /// Screening candidates (CSV or JSON lines).
    Candidates,
    /// A JSON-lines candidates file.
    CandidatesJson,
    /// A customer file for batch screening.
    Customers,
    /// A file of name pairs to score.
    Pairs,
}

impl FileKind {
    /// The file's kind in words.
    pub fn noun(self) -> &'static str {
        match self {
            FileKind::Agreement => "agreement file",
            FileKind::Log => "log",
            FileKind::Candidates | FileKind::CandidatesJson => "candidates file",
            FileKind::Customers => "customer file",
            FileKind::Pairs => "pairs file",
        }
    }
}

/// A use case's result.
pub type Result<T, E = Error> = std::result::Result<T, E>;
