//! Delimited text (CSV, TSV) read row by row, with the tolerances real lists need.
//!
//! Fields are decoded one by one: valid UTF-8 is kept, anything else is read as
//! Windows-1252 (the encoding of the pre-2022 OFSI list and of parts of the 2018 EU CSV).
//! A leading UTF-8 byte-order mark, blank lines and OFAC's final 0x1A byte are skipped.
//!
//! Invariants:
//! - A file that ends inside a quoted field, or whose last byte is not a line end, 0x1A or
//!   the closing quote of a field, is reported as truncated ([`Rows::check_end`]);
//!   together with the field-count checks of each format this catches a file cut anywhere
//!   except exactly at the end of a row. Where a format has a trailer (OFAC's 0x1A), its
//!   reader requires it, and that catches the rest.
//! - A row identical to the header is refused: a header in the middle of the records means
//!   two files were joined.

use std::cell::Cell;
use std::io::{BufRead, BufReader, Read};
use std::rc::Rc;

use super::scan::{EOF_MARKER, End};
use crate::{ErrorKind, ImportError, Location, MAX_RECORD_BYTES};

/// Refuses to feed the CSV parser more than [`MAX_RECORD_BYTES`] past the start of the
/// current row, so that one endless row cannot grow its buffer without bound.
struct Tail<R> {
    inner: R,
    /// The last byte read, to tell a row cut by the end of the file.
    last: Option<u8>,
    total: u64,
    record_start: Rc<Cell<u64>>,
}

/// The message of the I/O error [`Tail`] raises for an over-long row.
const TOO_LONG: &str = "row too long";

impl<R: Read> Read for Tail<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        if self.total.saturating_sub(self.record_start.get()) > MAX_RECORD_BYTES as u64 {
            return Err(std::io::Error::new(
                std::io::ErrorKind::InvalidData,
                TOO_LONG,
            ));
        }
        let n = self.inner.read(buf)?;
        self.total += n as u64;
        if let Some(b) = buf.get(..n).and_then(|read| read.last()) {
            self.last = Some(*b);
        }
        Ok(n)
    }
}

/// Decodes a field: UTF-8 when valid, else Windows-1252.
pub(crate) fn decode(bytes: &[u8]) -> String {
    match std::str::from_utf8(bytes) {
        Ok(s) => s.to_owned(),
        Err(_) => encoding_rs::WINDOWS_1252
            .decode_without_bom_handling(bytes)
            .0
            .into_owned(),
    }
}

/// A row-by-row reader.
pub(crate) struct Rows<R: Read> {
    reader: csv::Reader<Tail<BufReader<R>>>,
    record: csv::ByteRecord,
    pub origin: String,
    /// The line of the row last read (1-based).
    pub line: u64,
    done: bool,
    record_start: Rc<Cell<u64>>,
    /// The header row, once the format's reader has read it.
    header: Option<Vec<String>>,
}

impl<R: Read> Rows<R> {
    pub fn new(reader: R, origin: String, delimiter: u8) -> Self {
        let mut buffered = BufReader::with_capacity(64 * 1024, reader);
        if let Ok(head) = buffered.fill_buf()
            && head.starts_with(b"\xEF\xBB\xBF")
        {
            buffered.consume(3);
        }
        let record_start = Rc::new(Cell::new(0));
        let reader = csv::ReaderBuilder::new()
            .has_headers(false)
            .flexible(true)
            .delimiter(delimiter)
            .from_reader(Tail {
                inner: buffered,
                last: None,
                total: 0,
                record_start: Rc::clone(&record_start),
            });
        Rows {
            reader,
            record: csv::ByteRecord::new(),
            origin,
            line: 0,
            done: false,
            record_start,
            header: None,
        }
    }

    /// Remembers the header row, so that a later row repeating it is refused.
    pub fn set_header(&mut self, header: Vec<String>) {
        self.header = Some(header);
    }

    /// Whether the file ended the way a complete delimited file ends: not inside a quoted
    /// field, and after a line end, OFAC's end byte or a field's closing quote.
    pub fn check_end(&self, end: &End) -> Result<(), ImportError> {
        let truncated = |what: &str| {
            ImportError::new(
                &self.origin,
                end.location(),
                ErrorKind::Truncated(what.into()),
            )
        };
        if end.in_quotes {
            return Err(truncated("the file ends inside a quoted field"));
        }
        match end.last {
            None | Some(b'\n' | b'\r' | EOF_MARKER | b'"') => Ok(()),
            Some(_) => Err(truncated("the last row has no line ending")),
        }
    }

    /// An error at the current row.
    pub fn error(&self, kind: ErrorKind) -> ImportError {
        ImportError::new(&self.origin, Location::Line(self.line), kind)
    }

    /// The next non-blank row as decoded fields.
    pub fn next_row(&mut self) -> Option<Result<Vec<String>, ImportError>> {
        if self.done {
            return None;
        }
        loop {
            match self.reader.read_byte_record(&mut self.record) {
                Ok(true) => {}
                Ok(false) => {
                    self.done = true;
                    return None;
                }
                Err(e) => {
                    self.done = true;
                    if let Some(position) = e.position() {
                        self.line = position.line();
                    }
                    let too_long =
                        matches!(e.kind(), csv::ErrorKind::Io(io) if io.to_string() == TOO_LONG);
                    if too_long {
                        self.line = self.reader.position().line();
                        return Some(Err(self.error(ErrorKind::TooLarge(MAX_RECORD_BYTES))));
                    }
                    return Some(Err(self.error(ErrorKind::Row(e.to_string()))));
                }
            }
            self.record_start.set(self.reader.position().byte());
            // The reader's position after a record is on the line where the record ends (the
            // record's own position lags behind with CRLF line ends).
            self.line = self.reader.position().line();
            if self.record.as_slice().len() > MAX_RECORD_BYTES {
                self.done = true;
                return Some(Err(self.error(ErrorKind::TooLarge(MAX_RECORD_BYTES))));
            }
            let blank = self
                .record
                .iter()
                .all(|f| f.iter().all(|b| b.is_ascii_whitespace() || *b == 0x1A));
            if blank {
                continue;
            }
            let row: Vec<String> = self.record.iter().map(decode).collect();
            if self.header.as_ref() == Some(&row) {
                self.done = true;
                return Some(Err(self.error(ErrorKind::Corrupt(
                    "this line repeats the header line: two files joined, or a damaged copy".into(),
                ))));
            }
            return Some(Ok(row));
        }
    }

    /// Whether the row just read is the file's last and has no line end: then a wrong
    /// number of fields means the file was cut inside it.
    fn cut_here(&mut self) -> bool {
        let mut next = csv::ByteRecord::new();
        matches!(self.reader.read_byte_record(&mut next), Ok(false))
            && !matches!(self.reader.get_ref().last, Some(b'\n' | b'\r' | EOF_MARKER))
    }

    /// The next row, which must have exactly `n` fields (`extra` more are tolerated when
    /// they are empty: a known quirk of some files).
    pub fn next_row_of(
        &mut self,
        n: usize,
        what: &str,
        extra: usize,
    ) -> Option<Result<Vec<String>, ImportError>> {
        let row = match self.next_row()? {
            Ok(row) => row,
            Err(e) => return Some(Err(e)),
        };
        let tolerated = row.len() > n
            && row.len() <= n + extra
            && row
                .get(n..)
                .is_some_and(|rest| rest.iter().all(|f| f.trim().is_empty()));
        if row.len() != n && !tolerated {
            self.done = true;
            if self.cut_here() {
                return Some(Err(self.error(ErrorKind::Truncated(format!(
                    "the file ends inside this line, after {} of the {n} fields of {what}",
                    row.len()
                )))));
            }
            return Some(Err(self.error(ErrorKind::Row(format!(
                "{} fields where {what} has {n}",
                row.len()
            )))));
        }
        Some(Ok(row))
    }
}

/// The field at `i`, trimmed, or `""`.
pub(crate) fn field(row: &[String], i: usize) -> &str {
    row.get(i).map_or("", |f| f.trim())
}
