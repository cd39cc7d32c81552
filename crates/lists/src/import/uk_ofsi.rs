//! UK OFSI consolidated list CSV: line 1 `Last Updated,DD/MM/YYYY` padded with commas,
//! line 2 the header, then one row per name of a target; the rows of one target share
//! `Group ID` and are scattered through the file, so each row is a fragment merged by the
//! store. Windows-1252 text is decoded (see [`super::rows`]).
//!
//! Two layouts are read: the pre-2022 one (29 columns, the real sample) and the February
//! 2022 one (36 columns: non-Latin name, passport and national-id numbers apart from their
//! details, `Alias Quality`, `UK Sanctions List Date Designated`), written from OFSI's
//! format guide without a real sample. Fields are taken by header name, and the header
//! must be exactly one of the two: any other layout is refused rather than read into the
//! wrong fields.
//!
//! A complete file starts with its `Last Updated` line (with a date) and its header. It
//! has no trailer and no count: a file cut exactly at a row boundary cannot be told from a
//! shorter list (see `docs/design.md`).

use std::io::Read;

use super::Source;
use super::rows::{Rows, field};
use super::scan::End;
use crate::declared::Declared;
use crate::{BirthDate, Designation, ErrorKind, ImportError, NameKind, PartialDate, Schema};

const HEADER_2018: [&str; 29] = [
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

const HEADER_2022: [&str; 36] = [
    "Name 6",
    "Name 1",
    "Name 2",
    "Name 3",
    "Name 4",
    "Name 5",
    "Title",
    "Name Non-Latin Script",
    "Non-Latin Script Type",
    "Non-Latin Script Language",
    "DOB",
    "Town of Birth",
    "Country of Birth",
    "Nationality",
    "Passport Number",
    "Passport Details",
    "National Identification Number",
    "National Identification Details",
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
    "Alias Quality",
    "Regime",
    "Listed On",
    "UK Sanctions List Date Designated",
    "Last Updated",
    "Group ID",
];

pub(crate) struct UkOfsi<R: Read> {
    rows: Rows<R>,
    started: bool,
    updated: Option<PartialDate>,
    header: &'static [&'static str],
}

impl<R: Read> UkOfsi<R> {
    pub fn new(reader: R, origin: String) -> Self {
        UkOfsi {
            rows: Rows::new(reader, origin, b','),
            started: false,
            updated: None,
            header: &HEADER_2018,
        }
    }

    /// Reads the `Last Updated` line and the header; `false` for a file with no line at
    /// all.
    fn start(&mut self) -> Result<bool, ImportError> {
        let Some(first) = self.rows.next_row().transpose()? else {
            return Ok(false);
        };
        if field(&first, 0) != "Last Updated" {
            return Err(self.rows.error(ErrorKind::Row(
                "the first line must be `Last Updated,DD/MM/YYYY` (pre-2022 OFSI layout)".into(),
            )));
        }
        self.updated = PartialDate::parse_dmy(field(&first, 1));
        if self.updated.is_none() {
            return Err(self.rows.error(ErrorKind::Row(format!(
                "the `Last Updated` line has no date `DD/MM/YYYY` (`{}`)",
                field(&first, 1)
            ))));
        }
        let Some(header) = self.rows.next_row().transpose()? else {
            return Err(self.rows.error(ErrorKind::Truncated(
                "the file ends after its `Last Updated` line, before the header".into(),
            )));
        };
        let names: Vec<&str> = header.iter().map(|h| h.trim()).collect();
        if names == HEADER_2018 {
            self.header = &HEADER_2018;
        } else if names == HEADER_2022 {
            self.header = &HEADER_2022;
        } else {
            return Err(self.rows.error(ErrorKind::Row(format!(
                "unexpected header `{}`: this reader knows the OFSI layouts of 29 (pre-2022) and 36 (2022) columns",
                names.join(",")
            ))));
        }
        self.rows.set_header(header);
        Ok(true)
    }
}

impl<R: Read> Source for UkOfsi<R> {
    fn location(&self) -> crate::Location {
        crate::Location::Line(self.rows.line)
    }

    fn next_record(&mut self) -> Option<Result<Designation, ImportError>> {
        if !self.started {
            self.started = true;
            match self.start() {
                Ok(true) => {}
                Ok(false) => return None,
                Err(e) => return Some(Err(e)),
            }
        }
        let header = self.header;
        let row = match self
            .rows
            .next_row_of(header.len(), "an OFSI row of this layout", 0)?
        {
            Ok(row) => row,
            Err(e) => return Some(Err(e)),
        };
        let f = |name: &str| {
            header
                .iter()
                .position(|h| *h == name)
                .map_or("", |i| field(&row, i))
        };
        if field(&row, 0) == "Last Updated" {
            return Some(Err(self.rows.error(ErrorKind::Corrupt(
                "this line repeats the `Last Updated` line: two files joined, or a damaged copy"
                    .into(),
            ))));
        }
        let group = f("Group ID");
        if group.is_empty() {
            return Some(Err(self
                .rows
                .error(ErrorKind::Row("a row without `Group ID`".into()))));
        }
        let mut d = Designation::new(group);
        d.schema = Some(match f("Group Type") {
            "Individual" => Schema::Person,
            "Ship" => Schema::Vessel,
            _ => Schema::Organization,
        });
        let name: Vec<&str> = ["Name 1", "Name 2", "Name 3", "Name 4", "Name 5", "Name 6"]
            .into_iter()
            .map(f)
            .filter(|p| !p.is_empty())
            .collect();
        let kind = match (f("Alias Type"), f("Alias Quality")) {
            ("Prime Alias" | "Primary Name" | "Primary name" | "Primary name variation", _) => {
                NameKind::Primary
            }
            ("FKA", _) => NameKind::Former,
            (_, "Low" | "Weak") => NameKind::WeakAlias,
            _ => NameKind::Alias,
        };
        d.add_name(kind, &name.join(" "));
        d.add_name(NameKind::Primary, f("Name Non-Latin Script"));
        Designation::push(&mut d.positions, f("Title"));
        Designation::push(&mut d.positions, f("Position"));
        if let Some(date) = PartialDate::parse_dmy(f("DOB")) {
            d.birth_dates.push(BirthDate {
                date,
                until: None,
                approximate: false,
            });
        }
        let place: Vec<&str> = ["Town of Birth", "Country of Birth"]
            .into_iter()
            .map(f)
            .filter(|p| !p.is_empty())
            .collect();
        Designation::push(&mut d.birth_places, &place.join(", "));
        Designation::push(&mut d.nationalities, f("Nationality"));
        let passport_details = Some(f("Passport Details")).filter(|s| !s.is_empty());
        if f("Passport Number").is_empty() {
            d.add_identifier("passport", f("Passport Details"), None, None);
        } else {
            d.add_identifier("passport", f("Passport Number"), None, passport_details);
        }
        d.add_identifier("national_id", f("NI Number"), None, None);
        let id_details = Some(f("National Identification Details")).filter(|s| !s.is_empty());
        d.add_identifier(
            "national_id",
            f("National Identification Number"),
            None,
            id_details,
        );
        let address: Vec<&str> = [
            "Address 1",
            "Address 2",
            "Address 3",
            "Address 4",
            "Address 5",
            "Address 6",
            "Post/Zip Code",
            "Country",
        ]
        .into_iter()
        .map(f)
        .filter(|p| !p.is_empty())
        .collect();
        Designation::push(&mut d.addresses, &address.join(", "));
        Designation::push(&mut d.remarks, f("Other Information"));
        Designation::push(&mut d.programmes, f("Regime"));
        d.listed_on = PartialDate::parse_dmy(f("Listed On"))
            .or_else(|| PartialDate::parse_dmy(f("UK Sanctions List Date Designated")));
        Some(Ok(d))
    }

    fn finish(&mut self, end: &End, declared: &mut Declared) -> Result<(), ImportError> {
        self.rows.check_end(end)?;
        declared.published = self.updated;
        Ok(())
    }
}
