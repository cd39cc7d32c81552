//! Errors at the edge: a library error becomes a `miette` report with the CLI's own hints
//! (which flag or command to use) and a code, rendered once by `main`.

use accord_app::{Error, FileKind, StoreError};
use accord_lists::ErrorKind;
use accord_store::lists::ListStoreError;

/// A library error with what the CLI adds to it: a code, and help in the CLI's words.
#[derive(Debug)]
struct Failure {
    error: Error,
    message: Option<String>,
    code: Option<&'static str>,
    help: Option<&'static str>,
}

impl std::fmt::Display for Failure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match &self.message {
            Some(message) => f.write_str(message),
            None => self.error.fmt(f),
        }
    }
}

// The error's own words are this report's: its causes follow, each said once — a cause
// whose words the message already holds (a wrapper that quotes its cause) is skipped.
impl std::error::Error for Failure {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        let said = self.to_string();
        let mut cause = std::error::Error::source(&self.error);
        while let Some(c) = cause {
            if !said.contains(&c.to_string()) {
                return Some(c);
            }
            cause = c.source();
        }
        None
    }
}

impl miette::Diagnostic for Failure {
    fn code<'a>(&'a self) -> Option<Box<dyn std::fmt::Display + 'a>> {
        self.code.map(|c| Box::new(c) as Box<dyn std::fmt::Display>)
    }

    fn help<'a>(&'a self) -> Option<Box<dyn std::fmt::Display + 'a>> {
        self.help.map(|h| Box::new(h) as Box<dyn std::fmt::Display>)
    }
}

// The CLI's hints: what to type next, in the CLI's own words.
const OVERWRITE: &str = "choose another name, or pass `--force` to overwrite it";
const AS_OF: &str = "write e.g. `2026-07-01` (the end of that day in the agreement's zone), `2026-07-01T12:00:00Z` or `2026-07-01T00:01[America/New_York]`";
const NAME_ONE: &str = "name a phase, relief action, commitment, indicator, exemption, event, trigger or dispute of the agreement, or a decision by its entry (`#29`)";
const CHECK_FIRST: &str = "run `accord check` on the files and fix every error first";
const MODEL: &str = "agreement files are TOML; a `.json` file must hold the agreement model";
const REGISTER: &str = "give the agreement file; a store keeps an agreement's text once `accord play` or `accord ledger init --roster AGREEMENT.toml` made its log";
const MAKE_LOG: &str = "create it with `accord ledger init` or play a scenario into this store";
const JURISDICTION: &str = "pass `--jurisdiction` as codes separated by commas, e.g. `US,EU,UK,UN`";
const ENTITY: &str =
    "write the list and its own identifier, e.g. `eu-fsf:EU.1001.23` (see `accord lists history`)";
const IMPORT_IT: &str =
    "import its list first (`accord lists import`), or find it with `accord status --name`";
const IMPORT_LISTS: &str =
    "import lists first with `accord lists import FILE` or `accord lists update`";
const TODAY: &str = "screen today's lists, or ask `accord lists history --on DATE` whether a given entry was listed then";
const FORMAT: &str = "name the format with `--format FORMAT`; the store is unchanged";
const ALLOW_EMPTY: &str =
    "if the list really is empty now, import it again with `--allow-empty`; the store is unchanged";
const ALLOW_REMOVALS: &str = "check the file against the publisher's notices; if the removals are real, import it again with `--allow-removals`; the store is unchanged";
const SOURCE: &str =
    "name the source the file belongs to with `--source NAME`; the store is unchanged";
const CONFIG: &str = "add it to a `--config` file as `[sources.NAME] urls = [\"…\"]`";
const BY_NAME: &str = "`accord lists history --source S --name N` finds identifiers by name";
const KEY_NAME: &str = "generate it with `accord key generate ORIGIN`";
const SIGN: &str = "add `--sign PARTICIPANT=KEYFILE`";
const FIX_EVENTS: &str = "fix every event listed above; nothing was appended";
const EXPECT: &str = "fix the events listed above, or mark a deliberately refused step with `expect = \"rejected\"`; nothing was appended";
const TO: &str = "give `--to DATE`";
const CANDIDATE_COLUMNS: &str = "the header needs `id`, `schema` and `name`; optional: `aliases`, `weak_aliases`, `identifiers`, `birth_dates`, `countries` (lists separated by `;`), `listed`, `delisted`";
const CUSTOMER_COLUMNS: &str = "add a header with a `name` column; optional: `id`, `schema`, `dob`, `country`, `identifiers` (lists separated by `;`)";
const CANDIDATE_LINE: &str = "each line is one JSON object: {\"id\", \"schema\", \"names\": [..], optional \"aliases\", \"weak_aliases\", \"identifiers\": [\"imo:123\"], \"birth_dates\", \"countries\", \"listed\", \"delisted\"}";
const PAIR: &str = "each row is `name1,name2[,schema]`";
const MISSING: &str = "check the path; a store is created by `accord ledger init`, `accord play` or `accord lists import`";
const ONE_LOG: &str = "name one with `--log ORIGIN`";
const AUDIT: &str = "run `accord ledger audit` to see what was altered";
const CHECKPOINT: &str = "sign one with `accord ledger checkpoint`";

/// A code and a help text.
pub type Hint = (Option<&'static str>, Option<&'static str>);

/// The code and help the CLI gives a library error.
fn hint(error: &Error) -> Hint {
    match error {
        Error::Instant(_) | Error::Zone(_) => (Some("accord::evaluate::as_of"), Some(AS_OF)),
        Error::Exists(_) => (Some("accord::init"), Some(OVERWRITE)),
        Error::Eval(_) => (Some("accord::evaluate"), None),
        Error::NothingNamed(_) => (Some("accord::explain::unknown"), Some(NAME_ONE)),
        Error::AgreementInvalid(_) => (None, Some(CHECK_FIRST)),
        Error::AgreementModel { .. } => (Some("accord::evaluate::agreement"), Some(MODEL)),
        Error::NotRegistered { .. } => (None, Some(REGISTER)),
        Error::NoLog { .. } => (None, Some(MAKE_LOG)),
        Error::Store(StoreError::Unverified { .. }) => {
            (Some("accord::ledger::unverified"), Some(AUDIT))
        }
        Error::Store(e) => (None, store_hint(e)),
        Error::Open { source, .. } => (None, store_hint(source)),
        Error::EntityForm(_) => (Some("accord::status::entity"), Some(ENTITY)),
        Error::Jurisdiction(_) => (Some("accord::status::jurisdiction"), Some(JURISDICTION)),
        Error::UnknownEntity { .. } => (Some("accord::status::unknown_entity"), Some(IMPORT_IT)),
        Error::NothingToFind(_) => (Some("accord::status::empty_store"), Some(IMPORT_LISTS)),
        Error::NothingToScreen(_) => (Some("accord::screen::empty_store"), Some(IMPORT_LISTS)),
        Error::ScreenPastDay => (Some("accord::screen::as_of_store"), Some(TODAY)),
        Error::Lists(ListStoreError::Import(e))
            if matches!(e.kind, ErrorKind::UnknownFormat(_)) =>
        {
            (Some("accord::lists::import"), Some(FORMAT))
        }
        Error::Lists(ListStoreError::Import(e)) if matches!(e.kind, ErrorKind::Empty(_)) => {
            (Some("accord::lists::empty"), Some(ALLOW_EMPTY))
        }
        Error::Lists(ListStoreError::Import(e)) if matches!(e.kind, ErrorKind::WrongSource(_)) => {
            (Some("accord::lists::source"), Some(SOURCE))
        }
        Error::Lists(ListStoreError::MassRemoval { .. }) => {
            (Some("accord::lists::removals"), Some(ALLOW_REMOVALS))
        }
        Error::EmptyNeedsFormat { .. } => (Some("accord::lists::import"), Some(FORMAT)),
        Error::UnknownSource { .. } => (None, Some(CONFIG)),
        Error::NeverImported { .. } => (None, Some(BY_NAME)),
        Error::LogKeyName { .. } => (None, Some(KEY_NAME)),
        Error::Unsigned => (None, Some(SIGN)),
        Error::Scenario { .. } | Error::Events { ledger: true, .. } => (None, Some(FIX_EVENTS)),
        Error::Events { ledger: false, .. } => (None, Some(EXPECT)),
        Error::NoEvents => (None, Some(TO)),
        Error::Columns {
            file: FileKind::Customers,
            ..
        } => (None, Some(CUSTOMER_COLUMNS)),
        Error::Columns { .. } => (None, Some(CANDIDATE_COLUMNS)),
        Error::Line {
            file: FileKind::CandidatesJson,
            ..
        } => (None, Some(CANDIDATE_LINE)),
        Error::Line {
            file: FileKind::Pairs,
            message,
            ..
        } if message.starts_with("expected two") => (None, Some(PAIR)),
        _ => (None, None),
    }
}

fn store_hint(error: &StoreError) -> Option<&'static str> {
    match error {
        StoreError::Missing(_) => Some(MISSING),
        StoreError::NoSuchLog(_) | StoreError::NoLog => Some(MAKE_LOG),
        StoreError::SeveralLogs(_) => Some(ONE_LOG),
        StoreError::Corrupt(_) => Some(AUDIT),
        StoreError::OutOfRange(m) if m.starts_with("no checkpoint covers") => Some(CHECKPOINT),
        _ => None,
    }
}

/// A library error as the report `main` prints, with the CLI's hints (or, when it has none,
/// `fallback`, e.g. what every failed import gets).
pub fn report_or(error: Error, fallback: Hint) -> miette::Report {
    let (code, help) = hint(&error);
    let message = match &error {
        Error::AgreementInvalid(files) => Some(format!(
            "{error}:\n{}",
            accord_render::errors::invalid_agreements(files)
        )),
        Error::ModelInvalid(file) => Some(format!(
            "{error}:\n{}",
            accord_render::errors::invalid_agreements(std::slice::from_ref(file))
        )),
        _ => None,
    };
    miette::Report::new(Failure {
        error,
        message,
        code: code.or(fallback.0),
        help: help.or(fallback.1),
    })
}

/// A library error as the report `main` prints, with the CLI's hints.
pub fn report(error: Error) -> miette::Report {
    report_or(error, (None, None))
}

/// A failure of the command line itself (an argument the CLI reads).
pub fn usage(message: String, help: &'static str) -> miette::Report {
    miette::miette!(help = help, "{message}")
}

/// `?` on library results inside commands.
pub trait OrReport<T> {
    /// The result with its error as a report.
    fn or_report(self) -> miette::Result<T>;
}

impl<T> OrReport<T> for Result<T, Error> {
    fn or_report(self) -> miette::Result<T> {
        self.map_err(report)
    }
}
