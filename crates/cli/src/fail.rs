//! Errors at the edge: a library error becomes a `miette` report with the CLI's own hints
//! (which flag or command to use) and a code, rendered once by `main`.

use accord_app::{Error, FileKind, StoreError};
use accord_lists::ErrorKind;
use accord_store::lists::ListStoreError;

/// A library error with what the CLI adds to it.
#[derive(Debug)]
struct Failure {
    error: Box<dyn std::error::Error + Send + Sync>,
    message: Option<String>,
    code: Option<&'static str>,
    help: Option<String>,
}

impl std::fmt::Display for Failure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match &self.message {
            Some(message) => f.write_str(message),
            None => self.error.fmt(f),
        }
    }
}

impl std::error::Error for Failure {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        self.error.source()
    }
}

impl miette::Diagnostic for Failure {
    fn code<'a>(&'a self) -> Option<Box<dyn std::fmt::Display + 'a>> {
        self.code.map(|c| Box::new(c) as Box<dyn std::fmt::Display>)
    }

    fn help<'a>(&'a self) -> Option<Box<dyn std::fmt::Display + 'a>> {
        self.help
            .as_ref()
            .map(|h| Box::new(h) as Box<dyn std::fmt::Display>)
    }
}

const IMPORT_LISTS: &str =
    "import lists first with `accord lists import FILE` or `accord lists update`";

/// The code and help the CLI gives a library error.
fn hint(error: &Error) -> (Option<&'static str>, Option<String>) {
    let help = |h: &str| Some(h.to_owned());
    match error {
        Error::Instant(_) => (
            Some("accord::evaluate::as_of"),
            help("write e.g. `2026-07-01` (the end of that UTC day) or `2026-07-01T12:00:00Z`"),
        ),
        Error::Eval(_) => (Some("accord::evaluate"), None),
        Error::NothingNamed(_) => (
            Some("accord::explain::unknown"),
            help(
                "name a phase, relief action, commitment, indicator, exemption, event, trigger or dispute of the agreement, or a decision by its entry (`#29`)",
            ),
        ),
        Error::AgreementInvalid(_) => (
            None,
            help("run `accord check` on the files and fix every error first"),
        ),
        Error::AgreementModel { .. } => (
            Some("accord::evaluate::agreement"),
            help("agreement files are TOML; a `.json` file must hold the agreement model"),
        ),
        Error::NotRegistered { .. } => (
            None,
            help(
                "give the agreement file; a store keeps an agreement's text once `accord play` or `accord ledger init --roster AGREEMENT.toml` made its log",
            ),
        ),
        Error::NoLog { .. } => (
            None,
            help("create it with `accord ledger init` or play a scenario into this store"),
        ),
        Error::Store(e) => (None, store_hint(e)),
        Error::Open { source, .. } => (None, store_hint(source)),
        Error::EntityForm(_) => (
            Some("accord::status::entity"),
            help(
                "write the list and its own identifier, e.g. `eu-fsf:EU.1001.23` (see `accord lists history`)",
            ),
        ),
        Error::UnknownEntity { .. } => (
            Some("accord::status::unknown_entity"),
            help(
                "import its list first (`accord lists import`), or find it with `accord status --name`",
            ),
        ),
        Error::NothingToFind(_) => (Some("accord::status::empty_store"), help(IMPORT_LISTS)),
        Error::NothingToScreen(_) => (Some("accord::screen::empty_store"), help(IMPORT_LISTS)),
        Error::ScreenPastDay => (
            Some("accord::screen::as_of_store"),
            help(
                "screen today's lists, or ask `accord lists history --on DATE` whether a given entry was listed then",
            ),
        ),
        Error::Lists(ListStoreError::Import(e))
            if matches!(e.kind, ErrorKind::UnknownFormat(_)) =>
        {
            (
                Some("accord::lists::import"),
                help("name the format with `--format FORMAT`; the store is unchanged"),
            )
        }
        Error::UnknownSource { .. } => (
            None,
            help("add it to a `--config` file as `[sources.NAME] urls = [\"…\"]`"),
        ),
        Error::NeverImported { .. } => (
            None,
            help("`accord lists history --source S --name N` finds identifiers by name"),
        ),
        Error::LogKeyName { .. } => (None, help("generate it with `accord key generate ORIGIN`")),
        Error::Unsigned => (None, help("add `--sign PARTICIPANT=KEYFILE`")),
        Error::Scenario { .. } | Error::Events { ledger: true, .. } => (
            None,
            help("fix every event listed above; nothing was appended"),
        ),
        Error::Events { ledger: false, .. } => (
            None,
            help(
                "fix the events listed above, or mark a deliberately refused step with `expect = \"rejected\"`; nothing was appended",
            ),
        ),
        Error::NoEvents => (None, help("give `--to DATE`")),
        Error::Columns { file, .. } => (None, columns_hint(*file)),
        Error::Line {
            file: FileKind::CandidatesJson,
            ..
        } => (
            None,
            help(
                "each line is one JSON object: {\"id\", \"schema\", \"names\": [..], optional \"aliases\", \"weak_aliases\", \"identifiers\": [\"imo:123\"], \"birth_dates\", \"countries\", \"listed\", \"delisted\"}",
            ),
        ),
        Error::Line {
            file: FileKind::Pairs,
            message,
            ..
        } if message.starts_with("expected two names") => {
            (None, help("each row is `name1,name2[,schema]`"))
        }
        _ => (None, None),
    }
}

fn store_hint(error: &StoreError) -> Option<String> {
    let help = match error {
        StoreError::Missing(_) => {
            "check the path; a store is created by `accord ledger init`, `accord play` or `accord lists import`"
        }
        StoreError::NoSuchLog(_) | StoreError::NoLog => "create it with `accord ledger init`",
        StoreError::SeveralLogs(_) => "name one with `--log ORIGIN`",
        StoreError::Corrupt(_) => "run `accord ledger audit` to see what was altered",
        StoreError::OutOfRange(m) if m.starts_with("no checkpoint covers") => {
            "sign one with `accord ledger checkpoint`"
        }
        _ => return None,
    };
    Some(help.to_owned())
}

fn columns_hint(file: FileKind) -> Option<String> {
    let help = match file {
        FileKind::Candidates | FileKind::CandidatesJson => {
            "the header needs `id`, `schema` and `name`; optional: `aliases`, `weak_aliases`, `identifiers`, `birth_dates`, `countries` (lists separated by `;`), `listed`, `delisted`"
        }
        FileKind::Customers => {
            "add a header with a `name` column; optional: `id`, `schema`, `dob`, `country`, `identifiers` (lists separated by `;`)"
        }
        _ => return None,
    };
    Some(help.to_owned())
}

/// A library error as the report `main` prints, with the CLI's hints.
pub fn report(error: Error) -> miette::Report {
    let (code, help) = hint(&error);
    let message = match &error {
        Error::AgreementInvalid(files) => Some(format!(
            "{error}:\n{}",
            accord_render::errors::invalid_agreements(files)
        )),
        _ => None,
    };
    miette::Report::new(Failure {
        error: Box::new(error),
        message,
        code,
        help,
    })
}

/// The same, with a code and help chosen by the command (e.g. every failure of an import).
pub fn report_as(error: Error, code: &'static str, help: &str) -> miette::Report {
    let (own_code, own_help) = hint(&error);
    miette::Report::new(Failure {
        error: Box::new(error),
        message: None,
        code: own_code.or(Some(code)),
        help: own_help.or(Some(help.to_owned())),
    })
}

/// A failure of the command line itself (an argument the CLI reads).
pub fn usage(message: String, help: Option<&str>) -> miette::Report {
    miette::Report::new(Failure {
        error: message.clone().into(),
        message: Some(message),
        code: None,
        help: help.map(str::to_owned),
    })
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
