//! Arguments more than one command takes: the one `--store` argument, and an agreement
//! given as a file or as the id of an agreement registered in the store.

use std::path::Path;

use accord_app::evaluate::AgreementSource;
pub use accord_app::evaluate::Location;
use accord_app::{Store, StoreUrl};

use crate::fail::{OrReport as _, usage};

/// The store every command reads or writes.
#[derive(Debug, Clone, clap::Args)]
pub struct StoreArg {
    /// The store: `sqlite:PATH` (the embedded file) or `postgres://USER@HOST:PORT/DB`;
    /// where a log is read, also `jsonl:FILE` (an exported log).
    #[arg(
        long = "store",
        env = "ACCORD_STORE",
        default_value = "sqlite:accord.db",
        value_name = "URL",
        global = true
    )]
    pub location: Location,
}

impl StoreArg {
    /// The store's URL; an exported log is not a store.
    pub fn url(&self) -> miette::Result<&StoreUrl> {
        match &self.location {
            Location::Store(url) => Ok(url),
            Location::Exported(path) => Err(usage(
                format!("`jsonl:{}` is an exported log, not a store", path.display()),
                "give `--store sqlite:PATH` or `--store postgres://…`",
            )),
        }
    }

    /// Opens the store, creating it if it does not exist (commands that write).
    pub fn create(&self) -> miette::Result<Store> {
        accord_app::open(self.url()?, false).or_report()
    }

    /// Opens a store that must exist (commands that only read never create one).
    pub fn existing(&self) -> miette::Result<Store> {
        accord_app::open(self.url()?, true).or_report()
    }

    /// Opens a store that must exist, read-only: commands that only read create no file
    /// and change no byte of it.
    pub fn read_only(&self) -> miette::Result<Store> {
        accord_app::open_read_only(self.url()?).or_report()
    }
}

/// An agreement given on the command line: a file (TOML; or the agreement model as
/// `.json`), or — when no such file exists and it has no extension — the id of an agreement
/// whose text the store registered.
pub fn agreement(given: &str) -> miette::Result<AgreementSource> {
    let path = Path::new(given);
    if !path.exists() && path.extension().is_none() && path.components().count() == 1 {
        return Ok(AgreementSource::Registered(given.to_owned()));
    }
    AgreementSource::file(path).or_report()
}

/// Several agreements, each resolved as [`agreement`].
pub fn agreements(given: &[String]) -> miette::Result<Vec<AgreementSource>> {
    given.iter().map(|a| agreement(a)).collect()
}
