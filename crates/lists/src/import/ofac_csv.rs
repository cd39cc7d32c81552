//! OFAC legacy CSV set: `sdn.csv` / `cons_prim.csv` (primary, 12 columns), `add.csv`
//! (addresses, 6), `alt.csv` (alternate names, 5), `sdn_comments.csv` (remark overflow, 2).
//! No header; `-0-` (with or without a trailing space) is an empty value; the file ends with
//! 0x1A. Companion rows are emitted as fragments keyed by `ent_num` and merged by the store.
//!
//! Remarks are kept verbatim; a few well-delimited facts are also lifted out of them
//! (`DOB …;`, `POB …;`, `nationality …;`, `Passport …;`, `IMO …;`) so that they can be
//! screened, without dropping the remark.
//!
//! A complete file ends with OFAC's end-of-file byte 0x1A right after the last row's line
//! end: every primary, address and alternate-name file we have seen does (the 2021 SDN set
//! and the 2025 consolidated list), so its absence means the file was cut, even exactly at
//! a row boundary, or is not OFAC's own. The remark-overflow file is the exception: the
//! one real copy we have (`sdn_comments.csv`, 2021) has no end byte, so there a cut at a
//! row boundary cannot be told from a shorter file (see `docs/design.md`).

use std::io::Read;

use super::Source;
use super::rows::{Rows, field};
use super::scan::End;
use crate::declared::Declared;
use crate::{
    BirthDate, Designation, ErrorKind, Format, ImportError, NameKind, PartialDate, Schema,
};

pub(crate) struct OfacCsv<R: Read> {
    rows: Rows<R>,
    format: Format,
}

impl<R: Read> OfacCsv<R> {
    pub fn new(format: Format, reader: R, origin: String) -> Self {
        OfacCsv {
            rows: Rows::new(reader, origin, b','),
            format,
        }
    }
}

/// A field with OFAC's empty marker removed.
fn value(row: &[String], i: usize) -> &str {
    let v = field(row, i);
    if v == "-0-" { "" } else { v }
}

impl<R: Read> Source for OfacCsv<R> {
    fn location(&self) -> crate::Location {
        crate::Location::Line(self.rows.line)
    }

    fn next_record(&mut self) -> Option<Result<Designation, ImportError>> {
        let (n, what) = match self.format {
            Format::OfacCsvAddresses => (6, "an OFAC address row"),
            Format::OfacCsvAliases => (5, "an OFAC alternate-name row"),
            Format::OfacCsvComments => (2, "an OFAC comments row"),
            _ => (12, "an OFAC primary row"),
        };
        let row = match self.rows.next_row_of(n, what, 0)? {
            Ok(row) => row,
            Err(e) => return Some(Err(e)),
        };
        let ent_num = value(&row, 0);
        if ent_num.is_empty() || !ent_num.bytes().all(|b| b.is_ascii_digit()) {
            return Some(Err(self.rows.error(ErrorKind::Row(format!(
                "`{ent_num}` is not an OFAC entity number"
            )))));
        }
        let mut d = Designation::new(ent_num);
        match self.format {
            Format::OfacCsvAddresses => {
                let parts: Vec<&str> = (2..=4)
                    .map(|i| value(&row, i))
                    .filter(|p| !p.is_empty())
                    .collect();
                Designation::push(&mut d.addresses, &parts.join(", "));
                Designation::push(&mut d.remarks, value(&row, 5));
            }
            Format::OfacCsvAliases => {
                let kind = match value(&row, 2).to_ascii_lowercase().as_str() {
                    "fka" => NameKind::Former,
                    "aka" | "nka" => NameKind::Alias,
                    _ => NameKind::WeakAlias,
                };
                d.add_name(kind, value(&row, 3));
                Designation::push(&mut d.remarks, value(&row, 4));
            }
            Format::OfacCsvComments => {
                Designation::push(&mut d.remarks, value(&row, 1));
            }
            _ => primary(&mut d, &row),
        }
        Some(Ok(d))
    }

    fn finish(&mut self, end: &End, _declared: &mut Declared) -> Result<(), ImportError> {
        self.rows.check_end(end)?;
        if self.format != Format::OfacCsvComments && !end.eof_marker {
            return Err(ImportError::new(
                &self.rows.origin,
                end.location(),
                ErrorKind::Incomplete(
                    "it does not end with OFAC's end-of-file byte 0x1A, which ends every complete OFAC CSV file: it was cut, perhaps exactly at a row boundary, or is not OFAC's own file".into(),
                ),
            ));
        }
        Ok(())
    }
}

fn primary(d: &mut Designation, row: &[String]) {
    d.add_name(NameKind::Primary, value(row, 1));
    d.schema = Some(match value(row, 2).to_ascii_lowercase().as_str() {
        "individual" => Schema::Person,
        "vessel" => Schema::Vessel,
        "aircraft" => Schema::Aircraft,
        _ => Schema::Organization,
    });
    for programme in value(row, 3).split("] [") {
        Designation::push(&mut d.programmes, programme.trim_matches(['[', ']', ' ']));
    }
    Designation::push(&mut d.positions, value(row, 4));
    let call_sign = value(row, 5);
    d.add_identifier("call_sign", call_sign, None, None);
    let flag = value(row, 9);
    Designation::push(&mut d.countries, flag);
    if !value(row, 6).is_empty() {
        Designation::push(&mut d.remarks, &format!("Vessel type: {}", value(row, 6)));
    }
    if !value(row, 10).is_empty() {
        Designation::push(&mut d.remarks, &format!("Vessel owner: {}", value(row, 10)));
    }
    let remarks = value(row, 11);
    Designation::push(&mut d.remarks, remarks);
    lift_remark_facts(d, remarks);
}

/// Lifts the well-delimited facts out of an OFAC remark.
pub(crate) fn lift_remark_facts(d: &mut Designation, remarks: &str) {
    for part in remarks.trim_end_matches('.').split(';') {
        let part = part.trim();
        if let Some(dob) = part.strip_prefix("DOB ") {
            if let Some(birth) = parse_ofac_birth(dob) {
                d.birth_dates.push(birth);
            }
        } else if let Some(pob) = part.strip_prefix("POB ") {
            Designation::push(&mut d.birth_places, pob);
        } else if let Some(nationality) = part.strip_prefix("nationality ") {
            Designation::push(&mut d.nationalities, nationality);
        } else if let Some(citizen) = part.strip_prefix("citizen ") {
            Designation::push(&mut d.nationalities, citizen);
        } else if let Some(passport) = part.strip_prefix("Passport ") {
            let (number, note) = split_note(passport);
            d.add_identifier("passport", number, None, note);
        } else if let Some(imo) = part.strip_prefix("Vessel Registration Identification IMO ") {
            d.add_identifier("imo", imo, None, None);
        } else if let Some(imo) = part.strip_prefix("IMO ") {
            d.add_identifier("imo", imo, None, None);
        }
    }
}

/// `123 (Country)` → (`123`, `Country`).
fn split_note(s: &str) -> (&str, Option<&str>) {
    match s.split_once(" (") {
        Some((number, rest)) => (number, Some(rest.trim_end_matches(')'))),
        None => (s, None),
    }
}

/// OFAC writes dates of birth as `14 Apr 1965`, `Apr 1965`, `1965`, `circa 1965` or
/// `1955 to 1958`.
pub(crate) fn parse_ofac_birth(s: &str) -> Option<BirthDate> {
    let s = s.trim();
    let (approximate, s) = match s.strip_prefix("circa ") {
        Some(rest) => (true, rest),
        None => (false, s),
    };
    let (from, until) = match s.split_once(" to ") {
        Some((a, b)) => (a, Some(b)),
        None => (s, None),
    };
    Some(BirthDate {
        date: parse_ofac_date(from)?,
        until: until.and_then(parse_ofac_date),
        approximate,
    })
}

/// `14 Apr 1965` / `Apr 1965` / `1965`.
pub(crate) fn parse_ofac_date(s: &str) -> Option<PartialDate> {
    const MONTHS: [&str; 12] = [
        "jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec",
    ];
    let month_of = |m: &str| {
        let m = m.to_ascii_lowercase();
        MONTHS
            .iter()
            .position(|name| m.starts_with(name))
            .and_then(|i| u32::try_from(i + 1).ok())
    };
    let parts: Vec<&str> = s.split_whitespace().collect();
    match parts.as_slice() {
        [y] => PartialDate::new(y.parse().ok()?, None, None),
        [m, y] => PartialDate::new(y.parse().ok()?, Some(month_of(m)?), None),
        [d, m, y] => PartialDate::new(y.parse().ok()?, Some(month_of(m)?), Some(d.parse().ok()?)),
        _ => None,
    }
}
