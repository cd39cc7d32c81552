//! EU Financial Sanctions File, CSV 1.0 flavour. Each line of the file is one quoted field
//! (followed by padding tabs) whose content is itself a `;`-separated row of 59 columns,
//! inner quotes doubled: the outer layer is read as tab-separated CSV, the inner as
//! `;`-separated CSV. Each row carries the entity columns plus one of its name, address,
//! birth, identification or citizenship records, so rows are fragments of the entity
//! (`Entity_logical_id`) merged by the store. A row with one extra empty column (seen in
//! the 2018 file) is tolerated.
//!
//! Every row carries the file's date (`Date_file`); a row with another date is refused
//! (rows of two files). The file has no trailer and no count: a file cut exactly at a row
//! boundary cannot be told from a shorter list (see `docs/design.md`).

use std::io::Read;

use super::Source;
use super::rows::{Rows, field};
use super::scan::End;
use crate::declared::Declared;
use crate::{BirthDate, Designation, ErrorKind, ImportError, NameKind, PartialDate, Schema};

const COLUMNS: usize = 59;

pub(crate) struct EuCsv<R: Read> {
    rows: Rows<R>,
    started: bool,
    file_date: Option<PartialDate>,
    /// `Date_file` of the first row, as written.
    first_date: Option<String>,
}

impl<R: Read> EuCsv<R> {
    pub fn new(reader: R, origin: String) -> Self {
        EuCsv {
            rows: Rows::new(reader, origin, b'\t'),
            started: false,
            file_date: None,
            first_date: None,
        }
    }

    fn inner(&self, outer: &[String]) -> Result<Vec<String>, ImportError> {
        let line = field(outer, 0);
        let mut reader = csv::ReaderBuilder::new()
            .has_headers(false)
            .flexible(true)
            .delimiter(b';')
            .from_reader(line.as_bytes());
        let mut record = csv::StringRecord::new();
        match reader.read_record(&mut record) {
            Ok(_) => Ok(record.iter().map(str::to_owned).collect()),
            Err(e) => Err(self.rows.error(ErrorKind::Row(e.to_string()))),
        }
    }
}

impl<R: Read> Source for EuCsv<R> {
    fn location(&self) -> crate::Location {
        crate::Location::Line(self.rows.line)
    }

    fn next_record(&mut self) -> Option<Result<Designation, ImportError>> {
        if !self.started {
            self.started = true;
            let outer = match self.rows.next_row()? {
                Ok(outer) => outer,
                Err(e) => return Some(Err(e)),
            };
            let header = match self.inner(&outer) {
                Ok(h) => h,
                Err(e) => return Some(Err(e)),
            };
            self.rows.set_header(outer);
            if header.len() != COLUMNS || field(&header, 1) != "Entity_logical_id" {
                return Some(Err(self.rows.error(ErrorKind::Row(format!(
                    "unexpected header of {} columns: this reader knows the 59-column EU CSV 1.0 layout",
                    header.len()
                )))));
            }
        }
        let row = match self.rows.next_row()?.and_then(|r| self.inner(&r)) {
            Ok(row) => row,
            Err(e) => return Some(Err(e)),
        };
        let extra_ok = row.len() == COLUMNS + 1 && field(&row, COLUMNS).is_empty();
        if row.len() != COLUMNS && !extra_ok {
            return Some(Err(self.rows.error(ErrorKind::Row(format!(
                "{} fields where an EU CSV row has {COLUMNS}",
                row.len()
            )))));
        }
        let f = |i| field(&row, i);
        let id = f(1);
        if id.is_empty() {
            return Some(Err(self
                .rows
                .error(ErrorKind::Row("a row without `Entity_logical_id`".into()))));
        }
        match &self.first_date {
            None => {
                self.first_date = Some(f(0).to_owned());
                self.file_date = PartialDate::parse_dmy(f(0));
            }
            Some(first) if first != f(0) => {
                return Some(Err(self.rows.error(ErrorKind::Corrupt(format!(
                    "`Date_file` is `{}` where the file's first row has `{first}`: rows of two files",
                    f(0)
                )))));
            }
            Some(_) => {}
        }
        let mut d = Designation::new(id);
        d.schema = Some(match f(2) {
            "P" => Schema::Person,
            _ => Schema::Organization,
        });
        Designation::push(&mut d.legal_basis, f(3));
        d.listed_on = PartialDate::parse_iso(f(4));
        d.source_url = Some(f(5)).filter(|s| !s.is_empty()).map(str::to_owned);
        Designation::push(&mut d.programmes, f(6));
        Designation::push(&mut d.remarks, f(7));
        d.add_identifier("eu_reference", f(58), None, None);
        let mut whole = f(17).to_owned();
        if whole.is_empty() {
            whole = [f(15), f(16), f(14)]
                .into_iter()
                .filter(|p| !p.is_empty())
                .collect::<Vec<_>>()
                .join(" ");
        }
        d.add_name(NameKind::Alias, &whole);
        Designation::push(&mut d.positions, f(19));
        Designation::push(&mut d.positions, f(20));
        let address: Vec<&str> = (28..=33).map(f).filter(|p| !p.is_empty()).collect();
        Designation::push(&mut d.addresses, &address.join(", "));
        if let Some(date) = PartialDate::parse_iso(f(40)) {
            d.birth_dates.push(BirthDate {
                date,
                until: None,
                approximate: false,
            });
        }
        let place: Vec<&str> = [41, 42]
            .into_iter()
            .map(f)
            .filter(|p| !p.is_empty())
            .collect();
        Designation::push(&mut d.birth_places, &place.join(", "));
        d.add_identifier("identification", f(49), Some(f(50)), None);
        Designation::push(&mut d.nationalities, f(57));
        Some(Ok(d))
    }

    fn finish(&mut self, end: &End, declared: &mut Declared) -> Result<(), ImportError> {
        self.rows.check_end(end)?;
        declared.published = self.file_date;
        Ok(())
    }
}
