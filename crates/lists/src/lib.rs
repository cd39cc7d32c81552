//! Official sanctions list importers: one streaming reader per published format.
//!
//! Each reader takes any [`std::io::Read`] and yields `Result<Designation, ImportError>`
//! one target at a time ([`read`]); none builds a tree of the whole file, so memory stays
//! constant in the file size (bounded by the largest single record, see [`MAX_RECORD_BYTES`]).
//! The one exception is stated in [`Format::OfacAdvancedXml`]. Nothing here touches a
//! store: `accord-store` turns a stream into a transactional import with history.
//!
//! Formats are recognised by content ([`detect`]) or named explicitly ([`Format`]); an
//! unrecognised file is an error, never a guess, and a named format the content
//! contradicts is refused ([`ErrorKind::NotFormat`]).
//!
//! # Complete files only
//!
//! Each reader knows how a complete file of its format ends (closing elements, OFAC's end
//! byte, a stated record count, the header and date lines the publisher always writes) and
//! refuses any other ending, naming the file and where it stops; damaged bytes and two
//! files joined are refused too. After the last record, [`Records::finish`] gives what the
//! file declared ([`Declared`]) and refuses a file that lists nothing ([`Contents::Empty`])
//! unless the caller accepts it explicitly ([`IfEmpty`]); [`check_import`] says whether the
//! files belong to the source they are imported under. Which formats make a cut at a
//! record boundary detectable, and which cannot, is in `docs/design.md`.
//!
//! # Quirks of real files that are tolerated (and nothing else)
//!
//! - OFAC legacy CSV: `-0-` (often `-0- ` with a trailing space) means "empty"; the file
//!   ends with one 0x1A (SUB) byte; several programmes share a cell as `SDGT] [NS-PLC`;
//!   remarks longer than the cell continue in `sdn_comments.csv`; companion files
//!   (`add.csv`, `alt.csv`, `sdn_comments.csv`) are joined by `ent_num`.
//! - Text not valid UTF-8 in CSV files (the pre-2022 OFSI list is Windows-1252; the 2018
//!   EU CSV mixes encodings) is decoded as Windows-1252, field by field; valid UTF-8 is
//!   kept as is. XML must be UTF-8 (every publisher declares it).
//! - The OFSI CSV has one row per name of a target, rows of one `Group ID` scattered through
//!   the file: rows are fragments merged by the store ([`Format::scattered`]).
//! - The US lists (CSL rows without `entity_number`, the whole DPL) carry no identifier:
//!   one is derived from the fields that identify a listing, and rows that agree on them
//!   (one row per address; the DPL sample also repeats three rows verbatim) are merged.
//! - The EU CSV flavour: a row may carry one more field than the header (a trailing empty
//!   field); more than one extra is an error.
//! - UN XML: empty placeholder elements (`<ALIAS_NAME/>`) are skipped.
//! - A UTF-8 byte-order mark at the start of any file is skipped.
//! - The last row may lack its line end when it ends with a field's closing quote (the BIS
//!   DPL file) or is a complete JSON object (the FtM sample).

pub mod declared;
pub mod error;
pub mod ftm_export;
mod import;
pub mod in_force;
pub mod model;

pub use declared::{
    Contents, Declared, Emptiness, IfEmpty, KNOWN_SOURCES, KnownSource, ListRule, Publisher,
    SourceMismatch, check_import, known_source,
};
pub use error::{ErrorKind, ImportError, Location};
pub use import::{Records, Sniffed, detect, read, sniff};
pub use model::{BirthDate, Designation, Identifier, Name, NameKind, PartialDate, Schema};

/// The largest single record (XML element, JSON line, CSV row) an importer accepts. The
/// largest real record seen is well under 100 KiB; a bigger one means a corrupt file, and
/// refusing it keeps memory bounded whatever the input.
pub const MAX_RECORD_BYTES: usize = 16 * 1024 * 1024;

/// A published list format.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Format {
    /// OFAC legacy CSV, primary records (`sdn.csv`, `cons_prim.csv`): 12 columns, no header.
    OfacCsv,
    /// OFAC legacy CSV addresses (`add.csv`, `cons_add.csv`): 6 columns.
    OfacCsvAddresses,
    /// OFAC legacy CSV alternate names (`alt.csv`, `cons_alt.csv`): 5 columns.
    OfacCsvAliases,
    /// OFAC legacy CSV remark overflow (`sdn_comments.csv`, `cons_comments.csv`): 2 columns.
    OfacCsvComments,
    /// OFAC legacy `SDN.XML` / `CONS_PRIM.XML` (`sdnList` root).
    OfacXml,
    /// OFAC SDN Advanced XML (`Sanctions` root). Reference values and `Location`s are held
    /// in memory (they precede the parties and are referenced by id); parties and
    /// sanctions entries stream, the entries being merged into their party by the store.
    OfacAdvancedXml,
    /// UN Security Council consolidated list XML (`CONSOLIDATED_LIST`).
    UnXml,
    /// EU Financial Sanctions File XML 1.1 (`export`).
    EuXml,
    /// EU Financial Sanctions File CSV 1.0 (`;`-separated, one row per name/address/…).
    EuCsv,
    /// UK OFSI consolidated list CSV (`Last Updated` line; the pre-2022 layout of 29
    /// columns or the 2022 layout of 36, told apart by the header).
    UkOfsiCsv,
    /// UK FCDO "UK Sanctions List" XML (`Designations`).
    UkFcdoXml,
    /// US trade.gov Consolidated Screening List CSV.
    UsCslCsv,
    /// US BIS Denied Persons List, tab-separated.
    BisDplTsv,
    /// FollowTheMoney entities, one JSON object per line (OpenSanctions).
    FtmJson,
}

impl Format {
    /// Every format, in the order of [`Format::NAMES`].
    pub const ALL: [Format; 14] = [
        Format::OfacCsv,
        Format::OfacCsvAddresses,
        Format::OfacCsvAliases,
        Format::OfacCsvComments,
        Format::OfacXml,
        Format::OfacAdvancedXml,
        Format::UnXml,
        Format::EuXml,
        Format::EuCsv,
        Format::UkOfsiCsv,
        Format::UkFcdoXml,
        Format::UsCslCsv,
        Format::BisDplTsv,
        Format::FtmJson,
    ];

    /// The names accepted by `--format`, for messages.
    pub const NAMES: &'static str = "ofac-csv, ofac-csv-add, ofac-csv-alt, ofac-csv-comments, \
        ofac-xml, ofac-advanced-xml, un-xml, eu-xml, eu-csv, uk-ofsi-csv, uk-fcdo-xml, \
        us-csl-csv, bis-dpl-tsv, ftm-json";

    /// The name used by `--format` and in storage.
    pub fn name(self) -> &'static str {
        match self {
            Format::OfacCsv => "ofac-csv",
            Format::OfacCsvAddresses => "ofac-csv-add",
            Format::OfacCsvAliases => "ofac-csv-alt",
            Format::OfacCsvComments => "ofac-csv-comments",
            Format::OfacXml => "ofac-xml",
            Format::OfacAdvancedXml => "ofac-advanced-xml",
            Format::UnXml => "un-xml",
            Format::EuXml => "eu-xml",
            Format::EuCsv => "eu-csv",
            Format::UkOfsiCsv => "uk-ofsi-csv",
            Format::UkFcdoXml => "uk-fcdo-xml",
            Format::UsCslCsv => "us-csl-csv",
            Format::BisDplTsv => "bis-dpl-tsv",
            Format::FtmJson => "ftm-json",
        }
    }

    /// The source name an import of this format is stored under unless the user names
    /// one: the publisher's source. OFAC's consolidated (non-SDN) files share the SDN
    /// layouts; they are told apart by the file name the publisher gives them (`cons_*`).
    pub fn default_source(self, file_name: &str) -> &'static str {
        let lower = file_name.to_ascii_lowercase();
        let base = lower.rsplit(['/', '\\']).next().unwrap_or(&lower);
        match self.publisher() {
            Publisher::Ofac if base.starts_with("cons") => "ofac-cons",
            Publisher::Ofac => "ofac-sdn",
            Publisher::UnSecurityCouncil => "un-sc",
            Publisher::EuropeanUnion => "eu-fsf",
            Publisher::UkOfsi => "uk-ofsi",
            Publisher::UkFcdo => "uk-fcdo",
            Publisher::UsTradeAdministration => "us-csl",
            Publisher::UsBis => "us-bis-dpl",
            Publisher::OpenSanctions => "opensanctions",
        }
    }

    /// Whether one target may be spread over several records (rows or files) that share
    /// its identifier and must be merged. For every other format, an identifier seen twice
    /// in one import is an error.
    pub fn scattered(self) -> bool {
        matches!(
            self,
            Format::OfacCsv
                | Format::OfacCsvAddresses
                | Format::OfacCsvAliases
                | Format::OfacCsvComments
                | Format::OfacAdvancedXml
                | Format::UkOfsiCsv
                | Format::EuCsv
                | Format::UsCslCsv
                | Format::BisDplTsv
        )
    }

    /// Whether records of this format only complete records of another file of the same
    /// import (they cannot introduce a target on their own).
    pub fn companion(self) -> bool {
        matches!(
            self,
            Format::OfacCsvAddresses | Format::OfacCsvAliases | Format::OfacCsvComments
        )
    }
}

impl std::fmt::Display for Format {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

/// A `--format` name that is not one of ours.
#[derive(Debug, Clone, thiserror::Error)]
#[error("unknown format name `{0}`: use one of {formats}", formats = Format::NAMES)]
pub struct FormatNameError(String);

impl std::str::FromStr for Format {
    type Err = FormatNameError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Format::ALL
            .into_iter()
            .find(|f| f.name() == s)
            .ok_or_else(|| FormatNameError(s.to_owned()))
    }
}
