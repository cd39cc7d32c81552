//! Customer files for batch screening: a CSV with a header and a `name` column (optional
//! `id`, `schema`, `dob`, `country`, `identifiers`), read row by row into queries.
//!
//! A row that cannot be screened (a malformed record, an impossible date, an unknown
//! schema, an empty name) is returned as an error row with its line, and reading goes on:
//! one bad customer must not stop the others from being screened, and must not be dropped
//! silently either. Only a file that cannot be read as a customer file at all (no header,
//! no `name` column) is an error for the whole batch.
//!
//! Parses any `std::io::Read` the caller opens; no file or clock is touched here.

use std::io::Read;

use crate::candidate::{FieldError, Identifier, PartialDate, Query, Schema};

/// A problem with the file as a whole: nothing can be screened.
#[derive(Debug, thiserror::Error)]
pub enum BatchError {
    /// The header could not be read (empty file, not CSV).
    #[error("cannot read the header of the customer file: {0}")]
    Header(String),
    /// The header has no `name` column.
    #[error(
        "the customer file has no `name` column: add a header with `name` (optional: `id`, `schema`, `dob`, `country`, `identifiers`, lists separated by `;`)"
    )]
    NoNameColumn,
}

/// Why one row cannot be screened.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RowError {
    /// The record itself is malformed (a quote left open, a wrong number of fields).
    #[error("{0}")]
    Record(String),
    /// A field holds a value that is not valid.
    #[error("column `{column}`: {error}")]
    Field {
        /// The column's name.
        column: &'static str,
        /// What is wrong with its value.
        error: FieldError,
    },
}

/// One row of a customer file.
#[derive(Debug, Clone, PartialEq)]
pub struct BatchRow {
    /// The line the row starts on (the header is line 1).
    pub line: u64,
    /// The customer's id: the `id` column, or the row's number when there is none.
    pub id: String,
    /// The name as written, even when the row has an error (for the error row).
    pub name: String,
    /// The query to screen, or why the row cannot be screened.
    pub query: Result<Query, RowError>,
}

/// Column positions of a customer file's header.
struct Columns {
    name: usize,
    id: Option<usize>,
    schema: Option<usize>,
    dob: Option<usize>,
    country: Option<usize>,
    identifiers: Option<usize>,
}

/// The rows of a customer file, in order.
pub struct BatchRows<R: Read> {
    records: csv::StringRecordsIntoIter<R>,
    columns: Columns,
    row: u64,
}

/// Opens a customer file for reading, row by row.
pub fn read_batch<R: Read>(input: R) -> Result<BatchRows<R>, BatchError> {
    let mut reader = csv::ReaderBuilder::new().flexible(false).from_reader(input);
    let headers = reader
        .headers()
        .map_err(|e| BatchError::Header(e.to_string()))?
        .clone();
    let column = |name: &str| {
        headers.iter().position(|h| {
            h.trim()
                .trim_start_matches('\u{feff}')
                .eq_ignore_ascii_case(name)
        })
    };
    let columns = Columns {
        name: column("name").ok_or(BatchError::NoNameColumn)?,
        id: column("id"),
        schema: column("schema"),
        dob: column("dob"),
        country: column("country"),
        identifiers: column("identifiers"),
    };
    Ok(BatchRows {
        records: reader.into_records(),
        columns,
        row: 0,
    })
}

fn split_list(text: &str) -> impl Iterator<Item = &str> {
    text.split(';').map(str::trim).filter(|s| !s.is_empty())
}

impl Columns {
    fn query(&self, record: &csv::StringRecord) -> Result<Query, RowError> {
        let field = |c: Option<usize>| c.and_then(|c| record.get(c)).unwrap_or("").trim();
        let bad = |column: &'static str| move |error: FieldError| RowError::Field { column, error };
        let schemas = split_list(field(self.schema))
            .map(|s| s.parse::<Schema>().map_err(bad("schema")))
            .collect::<Result<Vec<_>, _>>()?;
        let birth_date = match field(self.dob) {
            "" => None,
            dob => Some(dob.parse::<PartialDate>().map_err(bad("dob"))?),
        };
        let identifiers = split_list(field(self.identifiers))
            .map(|s| s.parse::<Identifier>().map_err(bad("identifiers")))
            .collect::<Result<Vec<_>, _>>()?;
        let name = field(Some(self.name));
        if name.contains(['\n', '\r']) {
            return Err(RowError::Record(
                "the name runs over several lines: is a closing quote missing?".to_owned(),
            ));
        }
        let query = Query {
            name: name.to_owned(),
            schemas,
            birth_date,
            countries: split_list(field(self.country)).map(str::to_owned).collect(),
            identifiers,
        };
        query.validate().map_err(bad("name"))?;
        Ok(query)
    }
}

impl<R: Read> Iterator for BatchRows<R> {
    type Item = BatchRow;

    fn next(&mut self) -> Option<BatchRow> {
        let record = self.records.next()?;
        self.row += 1;
        let fallback_line = self.row + 1;
        Some(match record {
            Ok(record) => {
                let line = record.position().map_or(fallback_line, |p| p.line());
                let field = |c: Option<usize>| c.and_then(|c| record.get(c)).unwrap_or("").trim();
                BatchRow {
                    line,
                    id: match field(self.columns.id) {
                        "" => self.row.to_string(),
                        id => id.to_owned(),
                    },
                    name: field(Some(self.columns.name)).to_owned(),
                    query: self.columns.query(&record),
                }
            }
            Err(error) => BatchRow {
                line: error.position().map_or(fallback_line, |p| p.line()),
                id: self.row.to_string(),
                name: String::new(),
                query: Err(RowError::Record(match error.kind() {
                    csv::ErrorKind::UnequalLengths {
                        expected_len, len, ..
                    } => format!(
                        "found {len} field(s) where the header has {expected_len}: is a quote left open or a comma missing?"
                    ),
                    csv::ErrorKind::Utf8 { .. } => "the row is not valid UTF-8".to_owned(),
                    _ => error.to_string(),
                })),
            },
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rows(text: &str) -> Vec<BatchRow> {
        read_batch(text.as_bytes()).unwrap().collect()
    }

    #[test]
    fn a_bad_row_is_an_error_row_and_the_batch_goes_on() {
        let rows = rows(
            "id,name,dob\nc1,Vladimir Putin,1952-10-07\nc2,Ivan Petrov,1974-01-32\nc3,Xi Jinping,1953\n",
        );
        assert_eq!(rows.len(), 3);
        assert!(rows[0].query.is_ok());
        assert_eq!(rows[1].line, 3);
        assert_eq!(rows[1].id, "c2");
        assert_eq!(rows[1].name, "Ivan Petrov");
        assert_eq!(
            rows[1].query.as_ref().unwrap_err().to_string(),
            "column `dob`: `1974-01-32` is not a date: write YYYY, YYYY-MM or YYYY-MM-DD"
        );
        assert_eq!(rows[2].query.as_ref().unwrap().name, "Xi Jinping");
    }

    #[test]
    fn impossible_days_empty_names_and_broken_records_are_error_rows() {
        let rows = rows(
            "name,dob,schema\nA One,2026-02-30,\n\u{200b} ,,\nB Two,,Planet\nD Four,1990,Person,extra\n\"C Three,1990,\nE Five,1991,\n",
        );
        assert_eq!(
            rows[0].query.as_ref().unwrap_err().to_string(),
            "column `dob`: `2026-02-30` is not a date: February 2026 has 28 days"
        );
        assert!(matches!(
            rows[1].query,
            Err(RowError::Field { column: "name", .. })
        ));
        assert!(matches!(
            rows[2].query,
            Err(RowError::Field {
                column: "schema",
                ..
            })
        ));
        assert_eq!(
            rows[3].query,
            Err(RowError::Record(
                "found 4 field(s) where the header has 3: is a quote left open or a comma missing?"
                    .to_owned()
            ))
        );
        // The quote left open swallows the rest of the file into one field.
        assert_eq!(
            rows[4].query,
            Err(RowError::Record(
                "found 1 field(s) where the header has 3: is a quote left open or a comma missing?"
                    .to_owned()
            ))
        );
        assert_eq!(rows.len(), 5);
        assert_eq!(
            rows.iter().map(|r| r.line).collect::<Vec<_>>(),
            [2, 3, 4, 5, 6]
        );
        assert!(rows.iter().all(|r| r.query.is_err()));
    }

    #[test]
    fn a_file_without_a_name_column_is_refused_whole() {
        assert!(matches!(
            read_batch("id,dob\n1,1952\n".as_bytes()),
            Err(BatchError::NoNameColumn)
        ));
    }
}
