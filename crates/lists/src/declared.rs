//! What a file says about itself once it has been read to its end ([`Declared`]), and
//! whether that agrees with the source it is imported under ([`check_import`]).
//!
//! A file imported under the wrong source would replace that source's designations with
//! another publisher's (a US CSL file imported under `un-sc` "removes" every UN listing).
//! The check is a pure function of the source name, the formats of the source's previous
//! import and what each file declares, so that the store can call it before it commits.
//!
//! What a file declares, by format: its format and thereby its publisher (every format
//! Accord reads has exactly one publisher); the publication date it states; the record
//! count it states (OFAC legacy XML `Record_Count`); the lists it names — the OFAC Advanced
//! XML names each entry's list (`SDN List`, `Consolidated List`, …), the US CSL names each
//! row's list in its `source` column, OpenSanctions names each entity's `datasets`. The
//! other formats name no list beyond their publisher: an OFAC legacy CSV does not say
//! whether it is the SDN or the consolidated list.

use std::collections::BTreeSet;

use crate::{ErrorKind, Format, ImportError, Location, PartialDate};

/// What a completely read file held.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Contents {
    /// This many records (rows or elements as the format yields them; fragments count).
    Records(u64),
    /// A file that lists nothing.
    Empty(Emptiness),
}

/// How a file lists nothing.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum Emptiness {
    /// No content at all: zero bytes, or only white space and a byte-order mark.
    #[error("the file is empty")]
    NoContent,
    /// A complete frame of the format (its header lines, its root element and header
    /// elements, OFAC's end byte) with no record in it.
    #[error("the file is complete but lists no record (it holds only its header or frame)")]
    NoRecords,
}

/// Whether an import accepts a file that lists nothing. Nothing is ever accepted by
/// default: an empty download or a header-only file would otherwise record every
/// designation of the source as removed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum IfEmpty {
    /// Refuse it ([`ErrorKind::Empty`]).
    #[default]
    Refuse,
    /// Accept it: the user said explicitly that the list is now empty (`--allow-empty`).
    Accept,
}

/// Who publishes a format.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Publisher {
    /// US Treasury, Office of Foreign Assets Control.
    Ofac,
    /// United Nations Security Council.
    UnSecurityCouncil,
    /// European Union (Financial Sanctions Files).
    EuropeanUnion,
    /// UK HM Treasury, Office of Financial Sanctions Implementation.
    UkOfsi,
    /// UK Foreign, Commonwealth and Development Office.
    UkFcdo,
    /// US International Trade Administration (trade.gov Consolidated Screening List).
    UsTradeAdministration,
    /// US Bureau of Industry and Security.
    UsBis,
    /// OpenSanctions (FollowTheMoney exports).
    OpenSanctions,
}

impl std::fmt::Display for Publisher {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Publisher::Ofac => "OFAC (US Treasury)",
            Publisher::UnSecurityCouncil => "the UN Security Council",
            Publisher::EuropeanUnion => "the EU",
            Publisher::UkOfsi => "OFSI (UK HM Treasury)",
            Publisher::UkFcdo => "the UK FCDO",
            Publisher::UsTradeAdministration => "trade.gov (US Consolidated Screening List)",
            Publisher::UsBis => "BIS (US Commerce)",
            Publisher::OpenSanctions => "OpenSanctions",
        })
    }
}

impl Format {
    /// The publisher of this format.
    pub fn publisher(self) -> Publisher {
        match self {
            Format::OfacCsv
            | Format::OfacCsvAddresses
            | Format::OfacCsvAliases
            | Format::OfacCsvComments
            | Format::OfacXml
            | Format::OfacAdvancedXml => Publisher::Ofac,
            Format::UnXml => Publisher::UnSecurityCouncil,
            Format::EuXml | Format::EuCsv => Publisher::EuropeanUnion,
            Format::UkOfsiCsv => Publisher::UkOfsi,
            Format::UkFcdoXml => Publisher::UkFcdo,
            Format::UsCslCsv => Publisher::UsTradeAdministration,
            Format::BisDplTsv => Publisher::UsBis,
            Format::FtmJson => Publisher::OpenSanctions,
        }
    }
}

/// What one file declared about itself and what it held, once read to its end.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Declared {
    /// The file (path or URL) as given.
    pub origin: String,
    /// The format it was read as (and whose frame it has).
    pub format: Format,
    /// The publication date it states (UN `dateGenerated`, EU `generationDate`, OFSI
    /// `Last Updated`, OFAC `Publish_Date` / `DateOfIssue`, FCDO `DateGenerated`, EU CSV
    /// `Date_file`).
    pub published: Option<PartialDate>,
    /// The number of records it states it holds (OFAC legacy XML `Record_Count`); already
    /// checked against what it holds.
    pub declared_records: Option<u64>,
    /// The lists it names (see the module documentation), in order.
    pub lists: BTreeSet<String>,
    /// What it held.
    pub contents: Contents,
}

impl Declared {
    /// The publisher of the file's format.
    pub fn publisher(&self) -> Publisher {
        self.format.publisher()
    }

    /// Records held (0 for an empty file).
    pub fn n_records(&self) -> u64 {
        match self.contents {
            Contents::Records(n) => n,
            Contents::Empty(_) => 0,
        }
    }
}

/// A source Accord knows by name: who publishes it, in which formats, and which lists
/// (where its files name their list) it holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct KnownSource {
    /// The source name (`un-sc`, `ofac-sdn`, …).
    pub name: &'static str,
    /// Its publisher.
    pub publisher: Publisher,
    /// The formats its files come in.
    pub formats: &'static [Format],
    /// Which lists named by a file belong to it.
    pub lists: ListRule,
}

/// Which lists named by a file belong to a source.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ListRule {
    /// Any list of the publisher.
    Any,
    /// Only these lists.
    Only(&'static [&'static str]),
    /// Any list but these.
    Not(&'static [&'static str]),
}

impl ListRule {
    fn admits(self, list: &str) -> bool {
        match self {
            ListRule::Any => true,
            ListRule::Only(lists) => lists.contains(&list),
            ListRule::Not(lists) => !lists.contains(&list),
        }
    }
}

const OFAC_FORMATS: &[Format] = &[
    Format::OfacCsv,
    Format::OfacCsvAddresses,
    Format::OfacCsvAliases,
    Format::OfacCsvComments,
    Format::OfacXml,
    Format::OfacAdvancedXml,
];

/// OFAC's name of the SDN list in the Advanced XML (`ListValues/List`).
const SDN_LIST: &str = "SDN List";

/// The sources Accord knows by name (those [`Format::default_source`] gives and `accord
/// lists update` downloads). Any other name is the user's own source: its files must
/// agree with the source's previous import instead.
pub const KNOWN_SOURCES: [KnownSource; 9] = [
    KnownSource {
        name: "un-sc",
        publisher: Publisher::UnSecurityCouncil,
        formats: &[Format::UnXml],
        lists: ListRule::Any,
    },
    KnownSource {
        name: "ofac-sdn",
        publisher: Publisher::Ofac,
        formats: OFAC_FORMATS,
        lists: ListRule::Only(&[SDN_LIST]),
    },
    KnownSource {
        name: "ofac-cons",
        publisher: Publisher::Ofac,
        formats: OFAC_FORMATS,
        lists: ListRule::Not(&[SDN_LIST]),
    },
    KnownSource {
        name: "eu-fsf",
        publisher: Publisher::EuropeanUnion,
        formats: &[Format::EuXml, Format::EuCsv],
        lists: ListRule::Any,
    },
    KnownSource {
        name: "uk-ofsi",
        publisher: Publisher::UkOfsi,
        formats: &[Format::UkOfsiCsv],
        lists: ListRule::Any,
    },
    KnownSource {
        name: "uk-fcdo",
        publisher: Publisher::UkFcdo,
        formats: &[Format::UkFcdoXml],
        lists: ListRule::Any,
    },
    KnownSource {
        name: "us-csl",
        publisher: Publisher::UsTradeAdministration,
        formats: &[Format::UsCslCsv],
        lists: ListRule::Any,
    },
    KnownSource {
        name: "us-bis-dpl",
        publisher: Publisher::UsBis,
        formats: &[Format::BisDplTsv],
        lists: ListRule::Any,
    },
    KnownSource {
        name: "opensanctions",
        publisher: Publisher::OpenSanctions,
        formats: &[Format::FtmJson],
        lists: ListRule::Any,
    },
];

/// The source Accord knows by this name, if any.
pub fn known_source(name: &str) -> Option<&'static KnownSource> {
    KNOWN_SOURCES.iter().find(|s| s.name == name)
}

/// A file that does not belong to the source it is imported under.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SourceMismatch {
    /// A format the source is not published in.
    #[error(
        "a `{format}` file (published by {publisher}) cannot be imported under `{source_name}`, which is published by {expected} as {formats}; import it under `{suggested}` (the default for this file) or a source of its own",
        formats = names(expected_formats)
    )]
    Format {
        /// The source.
        source_name: String,
        /// The file's format.
        format: Format,
        /// Its publisher.
        publisher: Publisher,
        /// The source's publisher.
        expected: Publisher,
        /// The formats the source comes in.
        expected_formats: &'static [Format],
        /// The source this file is imported under by default.
        suggested: &'static str,
    },
    /// A list the file names that the source does not hold.
    #[error(
        "the file names the list `{list}`, which is not part of `{source_name}`{hint}",
        hint = list_hint(source_name, list)
    )]
    List {
        /// The source.
        source_name: String,
        /// The list the file names.
        list: String,
    },
    /// A user-named source whose previous import came from another publisher.
    #[error(
        "`{source_name}` holds {previous}'s list (its previous import was {formats}); a `{format}` file is published by {publisher}: import it under a source of its own",
        formats = names(previous_formats)
    )]
    Publisher {
        /// The source.
        source_name: String,
        /// The file's format.
        format: Format,
        /// Its publisher.
        publisher: Publisher,
        /// The publisher of the source's previous import.
        previous: Publisher,
        /// The formats of the source's previous import.
        previous_formats: Vec<Format>,
    },
    /// Files of two publishers in one import.
    #[error(
        "the files of one import must come from one publisher: `{first}` is published by {first_publisher}, this one by {publisher}"
    )]
    Mixed {
        /// The first file of the import.
        first: String,
        /// Its publisher.
        first_publisher: Publisher,
        /// This file's publisher.
        publisher: Publisher,
    },
}

fn names(formats: &[Format]) -> String {
    let names: Vec<String> = formats.iter().map(|f| format!("`{f}`")).collect();
    names.join(", ")
}

fn list_hint(source: &str, list: &str) -> String {
    match (source, list == SDN_LIST) {
        ("ofac-cons", true) => "; this is the SDN list: import it under `ofac-sdn`".into(),
        ("ofac-sdn", false) => {
            "; this is an OFAC consolidated (non-SDN) list: import it under `ofac-cons`".into()
        }
        _ => String::new(),
    }
}

/// Checks that the files of one import belong to `source`: for a source Accord knows by
/// name, its publisher, formats and lists; for any other name, the publisher of the
/// source's previous import (`previous`: the formats of its latest import, empty when it
/// has none). Every file must also share one publisher. Pure: the store calls it with what
/// each file declared, before it commits.
///
/// ```
/// use accord_lists::{Format, read, check_import, IfEmpty};
/// let csl = "source,entity_number,type,programs,name,title,addresses,federal_register_notice,start_date,end_date,standard_order,license_requirement,license_policy,call_sign,vessel_type,gross_tonnage,gross_registered_tonnage,vessel_flag,vessel_owner,remarks,source_list_url,alt_names,citizenships,dates_of_birth,nationalities,places_of_birth,source_information_url,ids\n\
///     Entity List (EL) - Bureau of Industry and Security,,,,ACME LTD,,,,,,,,,,,,,,,,,,,,,,,\n";
/// let mut records = read(Format::UsCslCsv, csl.as_bytes(), "csl.csv");
/// while let Some(record) = records.next() {
///     record.unwrap();
/// }
/// let declared = records.finish(IfEmpty::Refuse).unwrap();
/// assert!(check_import("us-csl", &[], &[declared.clone()]).is_ok());
/// let err = check_import("un-sc", &[], &[declared]).unwrap_err();
/// assert!(err.to_string().contains("cannot be imported under `un-sc`"), "{err}");
/// ```
pub fn check_import(
    source: &str,
    previous: &[Format],
    files: &[Declared],
) -> Result<(), ImportError> {
    let refuse = |file: &Declared, mismatch: SourceMismatch| {
        ImportError::new(
            &file.origin,
            Location::Content,
            ErrorKind::WrongSource(Box::new(mismatch)),
        )
    };
    let first = files.first();
    for file in files {
        let publisher = file.publisher();
        if let Some(first) = first
            && first.publisher() != publisher
        {
            return Err(refuse(
                file,
                SourceMismatch::Mixed {
                    first: first.origin.clone(),
                    first_publisher: first.publisher(),
                    publisher,
                },
            ));
        }
        match known_source(source) {
            Some(known) => check_known(known, file).map_err(|m| refuse(file, m))?,
            None => {
                if let Some(previous_format) = previous.first()
                    && previous_format.publisher() != publisher
                {
                    return Err(refuse(
                        file,
                        SourceMismatch::Publisher {
                            source_name: source.to_owned(),
                            format: file.format,
                            publisher,
                            previous: previous_format.publisher(),
                            previous_formats: previous.to_vec(),
                        },
                    ));
                }
            }
        }
    }
    Ok(())
}

fn check_known(known: &KnownSource, file: &Declared) -> Result<(), SourceMismatch> {
    if !known.formats.contains(&file.format) {
        return Err(SourceMismatch::Format {
            source_name: known.name.to_owned(),
            format: file.format,
            publisher: file.publisher(),
            expected: known.publisher,
            expected_formats: known.formats,
            suggested: file.format.default_source(&file.origin),
        });
    }
    match file.lists.iter().find(|l| !known.lists.admits(l)) {
        Some(list) => Err(SourceMismatch::List {
            source_name: known.name.to_owned(),
            list: list.clone(),
        }),
        None => Ok(()),
    }
}
