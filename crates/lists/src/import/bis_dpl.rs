//! US BIS Denied Persons List, tab-separated with quoted fields and a header row
//! (`Name`, `Street_Address`, `City`, `State`, `Country`, `Postal_Code`, `Effective_Date`,
//! `Expiration_Date`, `Standard_Order`, `Last_Update`, `Action`, `FR_Citation`). The list
//! has no identifiers: one denial order is identified by name, effective date and Federal
//! Register citation (`dpl-` + 16 hex digits), and the rows of one order (one per address;
//! the real file also repeats some rows verbatim) are merged.
//!
//! The file has no trailer, no count and no date of its own (`Last_Update` is per row): a
//! file cut exactly at a row boundary cannot be told from a shorter list (see
//! `docs/design.md`). Its last row may lack a line end (the real file's does).

use std::io::Read;

use super::Source;
use super::rows::{Rows, field};
use super::scan::End;
use super::us_csl::derived_id;
use crate::declared::Declared;
use crate::{Designation, ErrorKind, ImportError, NameKind, PartialDate};

const HEADER: [&str; 12] = [
    "Name",
    "Street_Address",
    "City",
    "State",
    "Country",
    "Postal_Code",
    "Effective_Date",
    "Expiration_Date",
    "Standard_Order",
    "Last_Update",
    "Action",
    "FR_Citation",
];

pub(crate) struct BisDpl<R: Read> {
    rows: Rows<R>,
    started: bool,
}

impl<R: Read> BisDpl<R> {
    pub fn new(reader: R, origin: String) -> Self {
        BisDpl {
            rows: Rows::new(reader, origin, b'\t'),
            started: false,
        }
    }
}

impl<R: Read> Source for BisDpl<R> {
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
            let names: Vec<&str> = header.iter().map(|h| h.trim()).collect();
            if names != HEADER {
                return Some(Err(self.rows.error(ErrorKind::Row(format!(
                    "unexpected header `{}`: this reader knows the 12-column DPL layout",
                    names.join("\t")
                )))));
            }
            self.rows.set_header(header);
        }
        let row = match self.rows.next_row_of(12, "a DPL row", 0)? {
            Ok(row) => row,
            Err(e) => return Some(Err(e)),
        };
        let f = |i| field(&row, i);
        if f(0).is_empty() {
            return Some(Err(self
                .rows
                .error(ErrorKind::Row("a row without `Name`".into()))));
        }
        let mut d = Designation::new(derived_id("dpl", &[f(0), f(6), f(11)]));
        // The DPL lists people and companies alike without saying which.
        d.add_name(NameKind::Primary, f(0));
        let address: Vec<&str> = (1..=5).map(f).filter(|p| !p.is_empty()).collect();
        Designation::push(&mut d.addresses, &address.join(", "));
        Designation::push(&mut d.countries, f(4));
        d.listed_on = PartialDate::parse_mdy(f(6));
        d.expires_on = PartialDate::parse_mdy(f(7));
        Designation::push(&mut d.programmes, "DPL");
        Designation::push(&mut d.measures, "Denial of export privileges");
        Designation::push(&mut d.remarks, f(10));
        Designation::push(&mut d.legal_basis, f(11));
        Some(Ok(d))
    }

    fn finish(&mut self, end: &End, _declared: &mut Declared) -> Result<(), ImportError> {
        self.rows.check_end(end)
    }
}
