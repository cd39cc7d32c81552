//! UK OFSI consolidated list CSV, pre-2022 layout: line 1 `Last Updated,DD/MM/YYYY` padded
//! with commas, line 2 a 29-column header, then one row per name of a target; the rows of
//! one target share `Group ID` and are scattered through the file, so each row is a
//! fragment merged by the store. Windows-1252 text is decoded (see [`super::rows`]).
//!
//! The header is checked column by column: a file in another layout (the 2022 layout adds
//! columns) is refused rather than read into the wrong fields.

use std::io::Read;

use super::Source;
use super::rows::{Rows, field};
use crate::{BirthDate, Designation, ErrorKind, ImportError, NameKind, PartialDate, Schema};

const HEADER: [&str; 29] = [
    "Name 6",
    "Name 1",
    "Name 2",
    "Name 3",
    "Name 4",
    "Name 5",
    "Title",
    "DOB",
    "Town of Birth",
    "Country of Birth",
    "Nationality",
    "Passport Details",
    "NI Number",
    "Position",
    "Address 1",
    "Address 2",
    "Address 3",
    "Address 4",
    "Address 5",
    "Address 6",
    "Post/Zip Code",
    "Country",
    "Other Information",
    "Group Type",
    "Alias Type",
    "Regime",
    "Listed On",
    "Last Updated",
    "Group ID",
];

pub(crate) struct UkOfsi<R: Read> {
    rows: Rows<R>,
    started: bool,
    updated: Option<PartialDate>,
}

impl<R: Read> UkOfsi<R> {
    pub fn new(reader: R, origin: String) -> Self {
        UkOfsi {
            rows: Rows::new(reader, origin, b','),
            started: false,
            updated: None,
        }
    }

    fn start(&mut self) -> Result<(), ImportError> {
        let first = self.rows.next_row().transpose()?.unwrap_or_default();
        if field(&first, 0) != "Last Updated" {
            return Err(self.rows.error(ErrorKind::Row(
                "the first line must be `Last Updated,DD/MM/YYYY` (pre-2022 OFSI layout)".into(),
            )));
        }
        self.updated = PartialDate::parse_dmy(field(&first, 1));
        let header = self.rows.next_row().transpose()?.unwrap_or_default();
        let names: Vec<&str> = header.iter().map(|h| h.trim()).collect();
        if names != HEADER {
            return Err(self.rows.error(ErrorKind::Row(format!(
                "unexpected header `{}`: this reader knows the pre-2022 OFSI layout of 29 columns",
                names.join(",")
            ))));
        }
        Ok(())
    }
}

impl<R: Read> Source for UkOfsi<R> {
    fn next_record(&mut self) -> Option<Result<Designation, ImportError>> {
        if !self.started {
            self.started = true;
            if let Err(e) = self.start() {
                return Some(Err(e));
            }
        }
        let row = match self.rows.next_row_of(29, "an OFSI row", 0)? {
            Ok(row) => row,
            Err(e) => return Some(Err(e)),
        };
        let f = |i| field(&row, i);
        let group = f(28);
        if group.is_empty() {
            return Some(Err(self
                .rows
                .error(ErrorKind::Row("a row without `Group ID`".into()))));
        }
        let mut d = Designation::new(group);
        d.schema = Some(match f(23) {
            "Individual" => Schema::Person,
            "Ship" => Schema::Vessel,
            _ => Schema::Organization,
        });
        let name: Vec<&str> = [1, 2, 3, 4, 5, 0]
            .into_iter()
            .map(f)
            .filter(|p| !p.is_empty())
            .collect();
        let kind = match f(24) {
            "Prime Alias" | "Primary Name" => NameKind::Primary,
            "FKA" => NameKind::Former,
            _ => NameKind::Alias,
        };
        d.add_name(kind, &name.join(" "));
        Designation::push(&mut d.positions, f(6));
        Designation::push(&mut d.positions, f(13));
        if let Some(date) = PartialDate::parse_dmy(f(7)) {
            d.birth_dates.push(BirthDate {
                date,
                until: None,
                approximate: false,
            });
        }
        let place: Vec<&str> = [8, 9]
            .into_iter()
            .map(f)
            .filter(|p| !p.is_empty())
            .collect();
        Designation::push(&mut d.birth_places, &place.join(", "));
        Designation::push(&mut d.nationalities, f(10));
        d.add_identifier("passport", f(11), None, None);
        d.add_identifier("national_id", f(12), None, None);
        let address: Vec<&str> = (14..=21).map(f).filter(|p| !p.is_empty()).collect();
        Designation::push(&mut d.addresses, &address.join(", "));
        Designation::push(&mut d.remarks, f(22));
        Designation::push(&mut d.programmes, f(25));
        d.listed_on = PartialDate::parse_dmy(f(26));
        Some(Ok(d))
    }

    fn published(&self) -> Option<PartialDate> {
        self.updated
    }
}
