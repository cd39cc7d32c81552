//! US trade.gov Consolidated Screening List CSV (header row, 28 columns). It merges eleven
//! US lists; the `source` column names the list of each row and is kept as its programme
//! family. Rows with an `entity_number` (the SDN/SSI lists) use it as identifier; the
//! others (Entity List, DPL, …) have none, so their identifier is derived from the row's
//! list, name, start date and Federal Register notice (`csl-` + 16 hex digits): rows that
//! agree on those are one listing (several addresses) and are merged.
//!
//! The `source` column names each row's list: those are the lists the file declares. The
//! file has no trailer, no count and no date: a file cut exactly at a row boundary cannot
//! be told from a shorter list (see `docs/design.md`).

use std::collections::BTreeSet;
use std::io::Read;

use sha2::{Digest, Sha256};

use super::rows::{Rows, field};
use super::scan::End;
use super::{Source, note_list};
use crate::declared::Declared;
use crate::model::hex;
use crate::{BirthDate, Designation, ErrorKind, ImportError, NameKind, PartialDate, Schema};

const COLUMNS: usize = 28;

pub(crate) struct UsCsl<R: Read> {
    rows: Rows<R>,
    started: bool,
    lists: BTreeSet<String>,
}

impl<R: Read> UsCsl<R> {
    pub fn new(reader: R, origin: String) -> Self {
        UsCsl {
            rows: Rows::new(reader, origin, b','),
            started: false,
            lists: BTreeSet::new(),
        }
    }
}

/// A short stable identifier derived from the fields that identify a listing.
pub(crate) fn derived_id(prefix: &str, parts: &[&str]) -> String {
    let mut hasher = Sha256::new();
    for p in parts {
        hasher.update(p.trim().to_uppercase().as_bytes());
        hasher.update([0x1F]);
    }
    let digest = hex(&hasher.finalize());
    format!("{prefix}-{}", digest.get(..16).unwrap_or(&digest))
}

impl<R: Read> Source for UsCsl<R> {
    fn location(&self) -> crate::Location {
        crate::Location::Line(self.rows.line)
    }

    fn next_record(&mut self) -> Option<Result<Designation, ImportError>> {
        if !self.started {
            self.started = true;
            let header = match self.rows.next_row()? {
                Ok(h) => h,
                Err(e) => return Some(Err(e)),
            };
            if header.len() != COLUMNS || field(&header, 1) != "entity_number" {
                return Some(Err(self.rows.error(ErrorKind::Row(format!(
                    "unexpected header of {} columns: this reader knows the 28-column CSL layout",
                    header.len()
                )))));
            }
            self.rows.set_header(header);
        }
        let row = match self.rows.next_row_of(COLUMNS, "a CSL row", 0)? {
            Ok(row) => row,
            Err(e) => return Some(Err(e)),
        };
        if let Err(message) = note_list(&mut self.lists, field(&row, 0)) {
            return Some(Err(self.rows.error(ErrorKind::Row(message))));
        }
        let f = |i| field(&row, i);
        let name = f(4);
        if name.is_empty() {
            return Some(Err(self
                .rows
                .error(ErrorKind::Row("a row without `name`".into()))));
        }
        let id = if f(1).is_empty() {
            derived_id("csl", &[f(0), name, f(8), f(7)])
        } else {
            f(1).to_owned()
        };
        let mut d = Designation::new(id);
        d.schema = Some(match f(2).to_ascii_lowercase().as_str() {
            "individual" => Schema::Person,
            "vessel" => Schema::Vessel,
            "aircraft" => Schema::Aircraft,
            _ => Schema::Organization,
        });
        d.add_name(NameKind::Primary, name);
        for alt in f(21).split(';') {
            d.add_name(NameKind::Alias, alt);
        }
        Designation::push(&mut d.programmes, f(0));
        for p in f(3).split(';') {
            Designation::push(&mut d.programmes, p);
        }
        Designation::push(&mut d.positions, f(5));
        for a in f(6).split(';') {
            Designation::push(&mut d.addresses, a);
        }
        Designation::push(&mut d.legal_basis, f(7));
        d.listed_on = PartialDate::parse_iso(f(8));
        d.expires_on = PartialDate::parse_iso(f(9));
        Designation::push(&mut d.measures, f(11));
        Designation::push(&mut d.remarks, f(12));
        d.add_identifier("call_sign", f(13), None, None);
        Designation::push(&mut d.countries, f(17));
        Designation::push(&mut d.remarks, f(19));
        d.source_url = Some(f(20)).filter(|s| !s.is_empty()).map(str::to_owned);
        for c in f(22).split(';').chain(f(24).split(';')) {
            Designation::push(&mut d.nationalities, c);
        }
        for b in f(23).split(';') {
            if let Some(date) = PartialDate::parse_iso(b) {
                d.birth_dates.push(BirthDate {
                    date,
                    until: None,
                    approximate: false,
                });
            }
        }
        for p in f(25).split(';') {
            Designation::push(&mut d.birth_places, p);
        }
        for i in f(27).split(';') {
            // `type, number, country, issue date, expiry date`
            let parts: Vec<&str> = i.split(',').map(str::trim).collect();
            if let [kind, number, rest @ ..] = parts.as_slice() {
                let country = rest.first().copied().filter(|c| !c.is_empty());
                d.add_identifier(&kind.to_ascii_lowercase(), number, country, None);
            }
        }
        Some(Ok(d))
    }

    fn finish(&mut self, end: &End, declared: &mut Declared) -> Result<(), ImportError> {
        self.rows.check_end(end)?;
        declared.lists = std::mem::take(&mut self.lists);
        Ok(())
    }
}
