//! The streaming record interface shared by every format, format detection, and the two
//! low-level readers the formats are written on: an XML reader that hands over one record
//! element at a time as a small tree ([`xml`]), and a CSV reader over byte records with
//! per-field decoding and truncation checks ([`rows`]).
//!
//! Invariant: after a [`Records`] iterator yields an error it yields nothing more, so a
//! consumer can never apply records that follow a corrupt one.

use std::io::Read;

use crate::{Designation, ErrorKind, Format, ImportError, Location, PartialDate};

mod bis_dpl;
mod eu_csv;
mod eu_xml;
mod ftm;
mod ofac_advanced;
mod ofac_csv;
mod ofac_xml;
mod rows;
mod uk_fcdo;
mod uk_ofsi;
mod un_xml;
mod us_csl;
mod xml;

/// One format's reader, boxed behind [`Records`].
pub(crate) trait Source {
    /// The next designation, an error, or `None` at the end of the file.
    fn next_record(&mut self) -> Option<Result<Designation, ImportError>>;
    /// The publication date the file states about itself, once it has been read.
    fn published(&self) -> Option<PartialDate> {
        None
    }
    /// Where the record last yielded is in the file.
    fn location(&self) -> Location;
}

/// The designations of one file, in file order, read lazily.
pub struct Records<'r> {
    inner: Box<dyn Source + 'r>,
    failed: bool,
}

impl Records<'_> {
    /// The publication date the file states about itself (UN `dateGenerated`, EU
    /// `generationDate`, OFSI `Last Updated`, …), when the reader has reached it.
    pub fn published(&self) -> Option<PartialDate> {
        self.inner.published()
    }

    /// Where the record last yielded is in the file (its line, or its element's path,
    /// index and byte offset), for errors found after reading it, such as a duplicate
    /// identifier.
    pub fn location(&self) -> Location {
        self.inner.location()
    }
}

impl Iterator for Records<'_> {
    type Item = Result<Designation, ImportError>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.failed {
            return None;
        }
        let item = self.inner.next_record();
        match item {
            Some(Ok(mut designation)) => {
                designation.normalize();
                Some(Ok(designation))
            }
            Some(Err(e)) => {
                self.failed = true;
                Some(Err(e))
            }
            None => None,
        }
    }
}

/// Reads the designations of one file in the given format. `origin` names the file in
/// errors (its path or URL).
///
/// ```
/// let file = "{\"id\":\"x1\",\"schema\":\"Person\",\"properties\":{\"name\":[\"Jane Roe\"]}}\n";
/// let records: Vec<_> = accord_lists::read(accord_lists::Format::FtmJson, file.as_bytes(), "e.json")
///     .collect::<Result<_, _>>()
///     .unwrap();
/// assert_eq!(records[0].caption(), "Jane Roe");
/// ```
pub fn read<'r, R: Read + 'r>(format: Format, reader: R, origin: &str) -> Records<'r> {
    let origin = origin.to_owned();
    let inner: Box<dyn Source + 'r> = match format {
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
    };
    Records {
        inner,
        failed: false,
    }
}

/// Recognises a format from the first bytes of a file (a few KiB are enough; pass at
/// least the first line). An unrecognised file is an error naming it, never a guess.
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
/// yields the whole file.
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
    head.truncate(filled);
    let format = detect(&head, origin)?;
    Ok((format, std::io::Cursor::new(head).chain(reader)))
}
