//! The streaming record interface shared by every format, format detection, and the
//! low-level readers the formats are written on: an XML reader that hands over one record
//! element at a time as a small tree ([`xml`]), a CSV reader over byte records with
//! per-field decoding ([`rows`]), and the byte-level watch under both ([`scan`]).
//!
//! Invariants:
//! - After a [`Records`] iterator yields an error it yields nothing more, so a consumer can
//!   never apply records that follow a corrupt one.
//! - A [`Records`] iterator ends (`None`) only after the file has been checked to end the
//!   way a complete file of its format ends (closing elements, trailer, stated counts,
//!   no open quote); otherwise its last item is the error saying where the file stops.

use std::io::Read;

use crate::declared::{Contents, Declared, Emptiness, IfEmpty};
use crate::{Designation, ErrorKind, Format, ImportError, Location, PartialDate};

mod bis_dpl;
mod eu_csv;
mod eu_xml;
mod ftm;
mod ofac_advanced;
mod ofac_csv;
mod ofac_xml;
mod rows;
mod scan;
mod uk_fcdo;
mod uk_ofsi;
mod un_xml;
mod us_csl;
mod xml;

use scan::{End, Watch};

/// One format's reader, boxed behind [`Records`].
pub(crate) trait Source {
    /// The next designation, an error, or `None` at the end of the file.
    fn next_record(&mut self) -> Option<Result<Designation, ImportError>>;
    /// Where the record last yielded is in the file.
    fn location(&self) -> Location;
    /// Called once, after the last record, when the file has content: checks that the file
    /// ended the way a complete file of the format ends, and fills in what it declares
    /// about itself (`declared.contents` holds the records yielded).
    fn finish(&mut self, end: &End, declared: &mut Declared) -> Result<(), ImportError>;
}

/// The designations of one file, in file order, read lazily; then, once read to its end,
/// what the file declared about itself ([`Records::finish`]).
pub struct Records<'r> {
    format: Format,
    origin: String,
    watch: Watch,
    /// The reader, until the first record is asked for.
    pending: Option<Box<dyn Read + 'r>>,
    source: Option<Box<dyn Source + 'r>>,
    n_records: u64,
    /// Set when the iterator has ended: what the file declared, or why it was refused.
    outcome: Option<Result<Declared, ImportError>>,
    /// Where the file ended.
    end: Location,
}

impl<'r> Records<'r> {
    /// The publication date the file states about itself (UN `dateGenerated`, EU
    /// `generationDate`, OFSI `Last Updated`, …), once the file has been read to its end.
    pub fn published(&self) -> Option<PartialDate> {
        match &self.outcome {
            Some(Ok(declared)) => declared.published,
            _ => None,
        }
    }

    /// Where the record last yielded is in the file (its line, or its element's path,
    /// index and byte offset), for errors found after reading it, such as a duplicate
    /// identifier.
    pub fn location(&self) -> Location {
        self.source
            .as_ref()
            .map_or(Location::File, |source| source.location())
    }

    /// What the file declared about itself and held, once every record has been read:
    /// the call to make after the last record and before committing anything.
    ///
    /// Errors: the error that ended the file, if one did; [`ErrorKind::Empty`] for a file
    /// that lists nothing unless `if_empty` accepts it; [`ErrorKind::Unread`] if records
    /// were left unread (they are read and counted here, not returned).
    pub fn finish(&mut self, if_empty: IfEmpty) -> Result<Declared, ImportError> {
        let mut unread = 0;
        for record in self.by_ref() {
            record?;
            unread += 1;
        }
        let declared = match self.outcome.clone() {
            Some(outcome) => outcome?,
            None => return Err(self.error(self.end.clone(), ErrorKind::Unread(unread))),
        };
        if unread > 0 {
            return Err(self.error(self.end.clone(), ErrorKind::Unread(unread)));
        }
        match declared.contents {
            Contents::Empty(emptiness) if if_empty == IfEmpty::Refuse => {
                Err(self.error(self.end.clone(), ErrorKind::Empty(emptiness)))
            }
            _ => Ok(declared),
        }
    }

    fn error(&self, location: Location, kind: ErrorKind) -> ImportError {
        ImportError::new(&self.origin, location, kind)
    }

    /// Builds the format's reader over the file (under the watch), after checking that
    /// the file's first bytes are not recognisably another format.
    fn start(&mut self) -> Result<(), ImportError> {
        let Some(reader) = self.pending.take() else {
            return Ok(());
        };
        let mut scanned = self.watch.scan(reader);
        let mut head = Vec::with_capacity(HEAD);
        if let Err(e) = (&mut scanned).take(HEAD as u64).read_to_end(&mut head)
            && self.watch.fault().is_none()
        {
            return Err(self.error(Location::File, ErrorKind::Io(e.to_string())));
        }
        self.check_head(&head)?;
        let reader = std::io::Cursor::new(head).chain(scanned);
        self.source = Some(source(self.format, reader, self.origin.clone()));
        Ok(())
    }

    /// Refuses a file whose first bytes are recognisably of another format than the one
    /// it is read as (a CSL file read as `un-xml`). Detection is trusted only on a complete
    /// first line or an XML root element, so that a file cut short is reported as cut.
    fn check_head(&self, head: &[u8]) -> Result<(), ImportError> {
        match detect(head, &self.origin) {
            Ok(found) if found != self.format && (is_xml(found) || head.contains(&b'\n')) => {
                Err(self.error(
                    Location::File,
                    ErrorKind::NotFormat {
                        format: self.format,
                        found: format!(
                            "its content is a `{found}` file (published by {})",
                            found.publisher()
                        ),
                    },
                ))
            }
            Err(e) if matches!(e.kind, ErrorKind::Encoding(_)) => Err(e),
            _ => Ok(()),
        }
    }

    /// The checks at the end of the records: what the file held and declared, or why it
    /// is not a complete file of its format.
    fn complete(&mut self) -> Result<Declared, ImportError> {
        let end = self.watch.end();
        self.end = end.location();
        let mut declared = Declared {
            origin: self.origin.clone(),
            format: self.format,
            published: None,
            declared_records: None,
            lists: std::collections::BTreeSet::new(),
            contents: Contents::Records(self.n_records),
        };
        if !end.content && self.n_records == 0 {
            declared.contents = Contents::Empty(Emptiness::NoContent);
            return Ok(declared);
        }
        if let Some(source) = self.source.as_mut() {
            source.finish(&end, &mut declared)?;
        }
        if self.n_records == 0 {
            declared.contents = Contents::Empty(Emptiness::NoRecords);
        }
        Ok(declared)
    }

    /// An error from the reader, unless the watch found a damaged byte: then that, at
    /// its place (the reader only saw the bytes before it and a read error).
    fn refine(&self, error: ImportError) -> ImportError {
        match self.watch.fault() {
            Some(fault) => self.error(fault.location, ErrorKind::Corrupt(fault.what)),
            None => error,
        }
    }

    fn fail(&mut self, error: ImportError) -> Option<Result<Designation, ImportError>> {
        let error = self.refine(error);
        self.outcome = Some(Err(error.clone()));
        Some(Err(error))
    }
}

/// The most distinct lists one file may name: real files name a few dozen at most, and the
/// bound keeps memory constant whatever the input.
pub(crate) const MAX_LISTS: usize = 1024;

/// Notes a list a record names; an error message once a file names more than
/// [`MAX_LISTS`].
pub(crate) fn note_list(
    lists: &mut std::collections::BTreeSet<String>,
    list: &str,
) -> Result<(), String> {
    let list = list.trim();
    if list.is_empty() || lists.contains(list) {
        return Ok(());
    }
    if lists.len() >= MAX_LISTS {
        return Err(format!(
            "the file names more than {MAX_LISTS} lists: it is not a publisher's list file"
        ));
    }
    lists.insert(list.to_owned());
    Ok(())
}

/// How much of a file is read ahead to check its format.
const HEAD: usize = 16 * 1024;

fn is_xml(format: Format) -> bool {
    matches!(
        format,
        Format::OfacXml
            | Format::OfacAdvancedXml
            | Format::UnXml
            | Format::EuXml
            | Format::UkFcdoXml
    )
}

impl Iterator for Records<'_> {
    type Item = Result<Designation, ImportError>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.outcome.is_some() {
            return None;
        }
        if let Err(e) = self.start() {
            return self.fail(e);
        }
        let item = self.source.as_mut()?.next_record();
        match item {
            Some(Ok(mut designation)) => {
                self.n_records += 1;
                designation.normalize();
                Some(Ok(designation))
            }
            Some(Err(e)) => self.fail(e),
            None => match self.complete() {
                Ok(declared) => {
                    self.outcome = Some(Ok(declared));
                    None
                }
                Err(e) => self.fail(e),
            },
        }
    }
}

/// Reads the designations of one file in the given format. `origin` names the file in
/// errors (its path or URL). Nothing is read until the first record is asked for; after
/// the last one, [`Records::finish`] says what the file declared and held.
///
/// ```
/// use accord_lists::{Contents, Format, IfEmpty, read};
/// let file = "{\"id\":\"x1\",\"schema\":\"Person\",\"properties\":{\"name\":[\"Jane Roe\"]}}\n";
/// let mut records = read(Format::FtmJson, file.as_bytes(), "e.json");
/// let first = records.next().unwrap().unwrap();
/// assert_eq!(first.caption(), "Jane Roe");
/// assert!(records.next().is_none());
/// assert_eq!(records.finish(IfEmpty::Refuse).unwrap().contents, Contents::Records(1));
/// // An empty file is not an empty list unless the import says so.
/// let mut empty = read(Format::FtmJson, &b""[..], "empty.json");
/// assert!(empty.next().is_none());
/// assert!(empty.finish(IfEmpty::Refuse).is_err());
/// ```
pub fn read<'r, R: Read + 'r>(format: Format, reader: R, origin: &str) -> Records<'r> {
    let delimiter = match format {
        Format::BisDplTsv | Format::EuCsv => Some(b'\t'),
        Format::OfacCsv
        | Format::OfacCsvAddresses
        | Format::OfacCsvAliases
        | Format::OfacCsvComments
        | Format::UkOfsiCsv
        | Format::UsCslCsv => Some(b','),
        _ => None,
    };
    let ofac_csv = matches!(
        format,
        Format::OfacCsv
            | Format::OfacCsvAddresses
            | Format::OfacCsvAliases
            | Format::OfacCsvComments
    );
    Records {
        format,
        origin: origin.to_owned(),
        watch: Watch::new(delimiter, ofac_csv),
        pending: Some(Box::new(reader)),
        source: None,
        n_records: 0,
        outcome: None,
        end: Location::File,
    }
}

/// The reader of one format.
fn source<'r, R: Read + 'r>(format: Format, reader: R, origin: String) -> Box<dyn Source + 'r> {
    match format {
        Format::OfacCsv
        | Format::OfacCsvAddresses
        | Format::OfacCsvAliases
        | Format::OfacCsvComments => Box::new(ofac_csv::OfacCsv::new(format, reader, origin)),
        Format::OfacXml => Box::new(ofac_xml::OfacXml::new(reader, origin)),
        Format::OfacAdvancedXml => Box::new(ofac_advanced::OfacAdvanced::new(reader, origin)),
        Format::UnXml => Box::new(un_xml::UnXml::new(reader, origin)),
        Format::EuXml => Box::new(eu_xml::EuXml::new(reader, origin)),
        Format::EuCsv => Box::new(eu_csv::EuCsv::new(reader, origin)),
        Format::UkOfsiCsv => Box::new(uk_ofsi::UkOfsi::new(reader, origin)),
        Format::UkFcdoXml => Box::new(uk_fcdo::UkFcdo::new(reader, origin)),
        Format::UsCslCsv => Box::new(us_csl::UsCsl::new(reader, origin)),
        Format::BisDplTsv => Box::new(bis_dpl::BisDpl::new(reader, origin)),
        Format::FtmJson => Box::new(ftm::Ftm::new(reader, origin)),
    }
}

/// Recognises a format from the first bytes of a file (a few KiB are enough; pass at
/// least the first line). An unrecognised file is an error naming it, never a guess; a
/// file with no content is [`ErrorKind::Empty`], so that an empty download is never taken
/// for a list.
///
/// ```
/// use accord_lists::{Format, detect};
/// let head = b"<?xml version=\"1.0\"?>\n<CONSOLIDATED_LIST dateGenerated=\"2026-02-27\">";
/// assert_eq!(detect(head, "un.xml").unwrap(), Format::UnXml);
/// assert!(detect(b"hello", "x.txt").is_err());
/// ```
pub fn detect(head: &[u8], origin: &str) -> Result<Format, ImportError> {
    let error = |kind| ImportError::new(origin, Location::File, kind);
    if head.starts_with(&[0xFF, 0xFE]) || head.starts_with(&[0xFE, 0xFF]) {
        return Err(error(ErrorKind::Encoding(
            "the file is UTF-16 (it starts with a UTF-16 byte-order mark)".into(),
        )));
    }
    let head = head.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(head);
    let text = String::from_utf8_lossy(&head[..head.len().min(64 * 1024)]);
    let trimmed = text.trim_start();
    if trimmed.is_empty() {
        return Err(error(ErrorKind::Empty(Emptiness::NoContent)));
    }
    if trimmed.starts_with('{') {
        return Ok(Format::FtmJson);
    }
    if trimmed.starts_with('<') {
        let root = xml_root_name(trimmed);
        return match root.as_deref() {
            Some("CONSOLIDATED_LIST") => Ok(Format::UnXml),
            Some("export") => Ok(Format::EuXml),
            Some("Designations") => Ok(Format::UkFcdoXml),
            Some("sdnList") => Ok(Format::OfacXml),
            Some("Sanctions") => Ok(Format::OfacAdvancedXml),
            Some(other) => Err(error(ErrorKind::UnknownFormat(format!(
                "XML with root element `{other}` is not a list format Accord reads"
            )))),
            None => Err(error(ErrorKind::UnknownFormat(
                "XML without a root element in its first 64 KiB".into(),
            ))),
        };
    }
    let first_line = trimmed.lines().next().unwrap_or("");
    if first_line.starts_with("Last Updated,") {
        return Ok(Format::UkOfsiCsv);
    }
    if first_line.starts_with("source,entity_number,type,programs,name") {
        return Ok(Format::UsCslCsv);
    }
    if first_line.starts_with("\"Name\"\t\"Street_Address\"")
        || first_line.starts_with("Name\tStreet_Address")
    {
        return Ok(Format::BisDplTsv);
    }
    if first_line.contains("Entity_logical_id;Subject_type") {
        return Ok(Format::EuCsv);
    }
    if first_line.starts_with(|c: char| c.is_ascii_digit()) {
        let mut reader = csv::ReaderBuilder::new()
            .has_headers(false)
            .flexible(true)
            .from_reader(first_line.as_bytes());
        let mut record = csv::ByteRecord::new();
        if let Ok(true) = reader.read_byte_record(&mut record) {
            match record.len() {
                12 => return Ok(Format::OfacCsv),
                6 => return Ok(Format::OfacCsvAddresses),
                5 => return Ok(Format::OfacCsvAliases),
                2 => return Ok(Format::OfacCsvComments),
                _ => {}
            }
        }
    }
    let shown: String = first_line.chars().take(60).collect();
    Err(error(ErrorKind::UnknownFormat(format!(
        "the first line `{shown}` matches no list format Accord reads"
    ))))
}

/// The local name of the first element of an XML text, skipping the declaration,
/// comments and processing instructions.
fn xml_root_name(text: &str) -> Option<String> {
    let mut rest = text;
    loop {
        let start = rest.find('<')?;
        rest = rest.get(start + 1..)?;
        if rest.starts_with('?') || rest.starts_with('!') {
            continue;
        }
        let name: String = rest
            .chars()
            .take_while(|c| !c.is_whitespace() && *c != '>' && *c != '/')
            .collect();
        let local = name.rsplit(':').next().unwrap_or(&name).to_owned();
        return Some(local);
    }
}

/// A reader whose first bytes were read ahead by [`sniff`] and are given back first.
pub type Sniffed<R> = std::io::Chain<std::io::Cursor<Vec<u8>>, R>;

/// Reads the first bytes of a reader for [`detect`] and gives back a reader that still
/// yields the whole file. A file with no content is [`ErrorKind::Empty`] only when it was
/// read to its end.
pub fn sniff<R: Read>(mut reader: R, origin: &str) -> Result<(Format, Sniffed<R>), ImportError> {
    let mut head = vec![0u8; 16 * 1024];
    let mut filled = 0;
    while filled < head.len() {
        match reader.read(head.get_mut(filled..).unwrap_or_default()) {
            Ok(0) => break,
            Ok(n) => filled += n,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(e) => {
                return Err(ImportError::new(
                    origin,
                    Location::File,
                    ErrorKind::Io(e.to_string()),
                ));
            }
        }
    }
    let whole_file = filled < head.len();
    head.truncate(filled);
    let format = match detect(&head, origin) {
        Err(e) if matches!(e.kind, ErrorKind::Empty(_)) && !whole_file => {
            // Only white space so far, but more follows: not known to be empty.
            return Err(ImportError::new(
                origin,
                Location::File,
                ErrorKind::UnknownFormat(format!("the first {filled} bytes hold only white space")),
            ));
        }
        result => result?,
    };
    Ok((format, std::io::Cursor::new(head).chain(reader)))
}
