//! The byte-level watch kept over every file, under whichever parser reads it: where the
//! file ends (size, lines, last byte), whether it holds anything but white space, whether
//! it ends inside a quoted CSV field, and whether it carries OFAC's end-of-file byte.
//!
//! Invariant: a control character that no list file contains (anything below U+0020 but
//! tab, line feed and carriage return; 0x1A only where the format ends with it, and only
//! as the very last byte) stops the file at that byte. The parser above sees the bytes
//! before it and then a read error; [`Watch::fault`] says where and what, and
//! [`crate::Records`] reports that instead of whatever the parser made of the read error.
//! A damaged copy (a block of zero bytes, binary garbage, two files joined after OFAC's end
//! byte) is therefore refused at its first bad byte, whatever the format.

use std::cell::RefCell;
use std::io::Read;
use std::rc::Rc;

use crate::Location;

/// OFAC's legacy files end with this byte (SUB, the DOS end-of-file mark).
pub(crate) const EOF_MARKER: u8 = 0x1A;

/// What the watch found at the end of a file.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct End {
    /// Size in bytes.
    pub bytes: u64,
    /// Line ends (`\n`) seen.
    pub newlines: u64,
    /// The last byte.
    pub last: Option<u8>,
    /// Any byte other than white space and a leading byte-order mark.
    pub content: bool,
    /// The file's last byte is OFAC's end-of-file byte.
    pub eof_marker: bool,
    /// The file ends inside a quoted CSV field (when quoting is watched).
    pub in_quotes: bool,
}

impl End {
    /// The end of the file, as an error location.
    pub fn location(&self) -> Location {
        let partial_line = self.last.is_some_and(|b| b != b'\n');
        Location::End {
            lines: self.newlines + u64::from(partial_line),
            bytes: self.bytes,
        }
    }
}

/// Where a CSV parser is, as far as quoting goes (RFC 4180 as the `csv` crate reads it: a
/// quote opens a quoted field only at the start of a field; `""` inside is a quote).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Quote {
    FieldStart,
    Unquoted,
    Quoted,
    /// A quote inside a quoted field: the field's end, or the first half of `""`.
    Closing,
}

/// The first bad byte of a file.
#[derive(Debug, Clone)]
pub(crate) struct Fault {
    pub location: Location,
    pub what: String,
}

#[derive(Debug)]
struct State {
    end: End,
    /// The CSV delimiter, when quoting is watched.
    delimiter: Option<u8>,
    quote: Quote,
    marker_allowed: bool,
    marker_at: Option<u64>,
    fault: Option<Fault>,
}

/// The shared view of a [`Scan`]: the parser owns the reader, the records iterator reads
/// what the scan saw.
#[derive(Debug, Clone)]
pub(crate) struct Watch(Rc<RefCell<State>>);

impl Watch {
    /// A watch for a format: `delimiter` for CSV quoting, `marker_allowed` for OFAC's end
    /// byte.
    pub fn new(delimiter: Option<u8>, marker_allowed: bool) -> Watch {
        Watch(Rc::new(RefCell::new(State {
            end: End::default(),
            delimiter,
            quote: Quote::FieldStart,
            marker_allowed,
            marker_at: None,
            fault: None,
        })))
    }

    /// Wraps a reader so that this watch sees every byte read through it.
    pub fn scan<R: Read>(&self, inner: R) -> Scan<R> {
        Scan {
            inner,
            watch: self.clone(),
        }
    }

    /// The end as seen so far (the end of the file once the parser has reached it).
    pub fn end(&self) -> End {
        let state = self.0.borrow();
        let mut end = state.end;
        end.in_quotes = state.quote == Quote::Quoted;
        end.eof_marker = state.marker_at.is_some_and(|at| at + 1 == state.end.bytes);
        end
    }

    /// The first bad byte, if any.
    pub fn fault(&self) -> Option<Fault> {
        self.0.borrow().fault.clone()
    }
}

/// A reader that shows every byte to its [`Watch`] and stops at the first bad one.
pub(crate) struct Scan<R> {
    inner: R,
    watch: Watch,
}

const FAULT: &str = "damaged bytes";

impl<R: Read> Read for Scan<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let mut state = self.watch.0.borrow_mut();
        if state.fault.is_some() {
            return Err(std::io::Error::new(std::io::ErrorKind::InvalidData, FAULT));
        }
        let n = self.inner.read(buf)?;
        let good = state.see(buf.get(..n).unwrap_or_default());
        if good == 0 && n > 0 {
            return Err(std::io::Error::new(std::io::ErrorKind::InvalidData, FAULT));
        }
        Ok(good)
    }
}

impl State {
    /// Looks at the next bytes of the file; returns how many are good (all of them unless
    /// a fault was found, which is then recorded). Written as a few plain passes over the
    /// bytes, since every byte of every list goes through here.
    fn see(&mut self, bytes: &[u8]) -> usize {
        let good = self.good_prefix(bytes);
        self.account(bytes.get(..good).unwrap_or_default());
        good
    }

    /// How many of `bytes` can be in a list file; records the fault at the first that
    /// cannot, if any.
    fn good_prefix(&mut self, bytes: &[u8]) -> usize {
        let start = self.end.bytes;
        if let Some(at) = self.marker_at {
            if !bytes.is_empty() {
                self.record_fault(bytes, 0, after_marker(at));
            }
            return 0;
        }
        let Some(i) = first_control(bytes) else {
            return bytes.len();
        };
        let b = bytes.get(i).copied().unwrap_or(0);
        if b == EOF_MARKER && self.marker_allowed {
            let at = start + i as u64;
            self.marker_at = Some(at);
            if i + 1 < bytes.len() {
                self.record_fault(bytes, i + 1, after_marker(at));
            }
            return i + 1;
        }
        self.record_fault(
            bytes,
            i,
            format!("byte 0x{b:02X}, a control character no list file contains"),
        );
        i
    }

    /// Records the fault at `bytes[i]`, `bytes` starting where the file has been seen to.
    fn record_fault(&mut self, bytes: &[u8], i: usize, what: String) {
        let before = bytes.get(..i).unwrap_or_default();
        let newlines = before.iter().filter(|b| **b == b'\n').count() as u64;
        self.fault = Some(Fault {
            location: Location::Byte {
                line: self.end.newlines + newlines + 1,
                offset: self.end.bytes + i as u64,
            },
            what,
        });
    }

    /// Counts good bytes into the end: size, lines, last byte, content, quoting.
    fn account(&mut self, seen: &[u8]) {
        let mut skip = 0;
        // A leading byte-order mark is neither content nor part of a field.
        while let Some(&b) = seen.get(skip) {
            let offset = self.end.bytes + skip as u64;
            if usize::try_from(offset).is_ok_and(|o| BOM.get(o) == Some(&b)) {
                skip += 1;
            } else {
                break;
            }
        }
        let rest = seen.get(skip..).unwrap_or_default();
        self.end.newlines += memchr::memchr_iter(b'\n', rest).count() as u64;
        if !self.end.content {
            self.end.content = rest
                .iter()
                .any(|b| !matches!(b, b' ' | b'\t' | b'\r' | b'\n'));
        }
        if let Some(delimiter) = self.delimiter {
            self.quote = follow_quotes(self.quote, rest, delimiter);
        }
        if let Some(&b) = seen.last() {
            self.end.last = Some(b);
        }
        self.end.bytes += seen.len() as u64;
    }
}

/// Whether a byte is a control character no list file contains (0x1A included: the
/// caller decides whether it is OFAC's end byte).
fn is_control(b: u8) -> bool {
    (b < 0x20) & (b != b'\t') & (b != b'\n') & (b != b'\r')
}

/// The first control byte, looked for a block at a time without an early exit inside the
/// block, which the compiler turns into vector instructions.
fn first_control(bytes: &[u8]) -> Option<usize> {
    const BLOCK: usize = 64;
    let mut start = 0;
    for block in bytes.chunks(BLOCK) {
        if block.iter().fold(false, |any, b| any | is_control(*b)) {
            return block.iter().position(|b| is_control(*b)).map(|i| start + i);
        }
        start += block.len();
    }
    None
}

fn after_marker(at: u64) -> String {
    format!(
        "more content after OFAC's end-of-file byte 0x1A at byte {at}: two files joined, or a damaged copy"
    )
}

const BOM: [u8; 3] = [0xEF, 0xBB, 0xBF];

/// The quoting state after `bytes`: inside a field, only the byte that can end it is
/// looked for, so that long fields are skipped in one pass.
fn follow_quotes(mut state: Quote, bytes: &[u8], delimiter: u8) -> Quote {
    let mut rest = bytes;
    loop {
        let skip = match state {
            Quote::Quoted => memchr::memchr(b'"', rest),
            Quote::Unquoted => memchr::memchr3(delimiter, b'\n', b'\r', rest),
            Quote::FieldStart | Quote::Closing => Some(0),
        };
        let Some(i) = skip else {
            return state;
        };
        let Some(&b) = rest.get(i) else {
            return state;
        };
        state = next_quote(state, b, delimiter);
        rest = rest.get(i + 1..).unwrap_or_default();
    }
}

fn next_quote(state: Quote, b: u8, delimiter: u8) -> Quote {
    let ends_field = b == delimiter || b == b'\n' || b == b'\r';
    match state {
        Quote::FieldStart | Quote::Unquoted if ends_field => Quote::FieldStart,
        Quote::FieldStart if b == b'"' => Quote::Quoted,
        Quote::FieldStart | Quote::Unquoted => Quote::Unquoted,
        Quote::Quoted if b == b'"' => Quote::Closing,
        Quote::Quoted => Quote::Quoted,
        Quote::Closing if b == b'"' => Quote::Quoted,
        Quote::Closing if ends_field => Quote::FieldStart,
        Quote::Closing => Quote::Unquoted,
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    fn watch(bytes: &[u8], delimiter: Option<u8>, marker: bool) -> (Watch, Vec<u8>) {
        let watch = Watch::new(delimiter, marker);
        let mut out = Vec::new();
        let _ = watch.scan(bytes).read_to_end(&mut out);
        (watch, out)
    }

    #[test]
    fn quotes_are_followed_as_the_csv_reader_reads_them() {
        let open = |s: &str| watch(s.as_bytes(), Some(b','), false).0.end().in_quotes;
        assert!(!open("a,\"b\"\"c\",d\n"));
        assert!(open("a,\"b\nc"));
        assert!(open("a,\"b\"\""));
        assert!(
            !open("a,b\"c\n"),
            "a quote inside an unquoted field is a letter"
        );
        assert!(!open("a,\"b\""));
    }

    #[test]
    fn a_control_byte_stops_the_file_there() {
        let (w, out) = watch(b"ab\ncd\0ef", None, false);
        assert_eq!(out, b"ab\ncd");
        let fault = w.fault().unwrap();
        assert_eq!(fault.location, Location::Byte { line: 2, offset: 5 });
        assert!(fault.what.contains("0x00"), "{}", fault.what);
    }

    #[test]
    fn the_end_byte_only_where_allowed_and_last() {
        let (w, _) = watch(b"1,a\r\n\x1a", None, true);
        assert!(w.fault().is_none());
        assert!(w.end().eof_marker);
        let (w, _) = watch(b"1,a\r\n\x1a1,a\r\n", None, true);
        assert!(
            w.fault()
                .unwrap()
                .what
                .contains("after OFAC's end-of-file byte")
        );
        let (w, _) = watch(b"1,a\r\n\x1a", None, false);
        assert!(w.fault().is_some());
    }

    #[test]
    fn white_space_and_a_byte_order_mark_are_no_content() {
        assert!(!watch(b"\xEF\xBB\xBF \r\n\t", None, false).0.end().content);
        assert!(watch(b"\xEF\xBB\xBFx", None, false).0.end().content);
        assert!(watch(b"\x1a", None, true).0.end().content);
    }
}
