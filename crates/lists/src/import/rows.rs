//! Delimited text (CSV, TSV) read row by row, with the tolerances real lists need.
//!
//! Fields are decoded one by one: valid UTF-8 is kept, anything else is read as
//! Windows-1252 (the encoding of the pre-2022 OFSI list and of parts of the 2018 EU CSV).
//! A leading UTF-8 byte-order mark, blank lines and OFAC's final 0x1A byte are skipped.
//!
//! Invariant: a file whose last byte is not a line end, 0x1A or a closing quote is reported
//! as truncated; together with the field-count checks of each format this catches a file
//! cut anywhere except exactly at the end of a row.

use std::cell::Cell;
use std::io::{BufRead, BufReader, Read};
use std::rc::Rc;

use crate::{ErrorKind, ImportError, Location, MAX_RECORD_BYTES};

/// Remembers the last byte read, to tell a complete file from a cut one, and refuses to
/// feed the CSV parser more than [`MAX_RECORD_BYTES`] past the start of the current row,
/// so that one endless row cannot grow its buffer without bound.
struct Tail<R> {
    inner: R,
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
                    let last = self.reader.get_ref().last;
                    return match last {
                        None | Some(b'\n' | b'\r' | 0x1A | b'"') => None,
                        Some(_) => Some(Err(self.error(ErrorKind::Truncated(
                            "the last row has no line ending".into(),
                        )))),
                    };
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
            return Some(Ok(self.record.iter().map(decode).collect()));
        }
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
