//! Screening: the candidates names are compared against — designations from the store's
//! lists, or a candidates file — and the files users screen in bulk (customers) or score
//! to calibrate a threshold (name pairs).
//!
//! This is the one place that knows both the list model (`accord-lists`) and the screening
//! model (`accord-screen`): [`candidate_from`] turns a designation into a candidate, for
//! `screen` and for the status query's name search alike.

use std::path::Path;

use accord_core::time::Date;
use accord_lists::model::{NameKind as ListNameKind, Schema as ListSchema};
use accord_screen::{
    Candidate, CandidateName, Hit, Identifier, Index, NameKind, NameMatch, PartialDate, Query,
    Schema, Settings, score_pair,
};
use accord_store::Store;

use crate::error::{Error, FileKind, Result};

/// A threshold as typed: a number from 0 to 1.
pub fn threshold(text: &str) -> std::result::Result<f64, String> {
    match text.parse::<f64>() {
        Ok(value) if (0.0..=1.0).contains(&value) => Ok(value),
        _ => Err(format!(
            "`{text}` is not a threshold: give a number from 0 to 1"
        )),
    }
}

/// A designation's candidate id: `source:source_id`, so that a hit names its list.
pub fn candidate_id(d: &accord_lists::Designation) -> String {
    format!("{}:{}", d.source, d.source_id)
}

/// A designation imported from an official list, as screening compares it.
pub fn candidate_from(d: &accord_lists::Designation) -> Candidate {
    let schema = match d.schema {
        Some(ListSchema::Person) => Schema::Person,
        Some(ListSchema::Organization) => Schema::Organization,
        Some(ListSchema::Vessel) => Schema::Vessel,
        Some(ListSchema::Aircraft) => Schema::Aircraft,
        Some(ListSchema::Other) | None => Schema::LegalEntity,
    };
    let names = d
        .names
        .iter()
        .map(|n| CandidateName {
            value: n.full.clone(),
            kind: match n.kind {
                ListNameKind::Primary => NameKind::Primary,
                ListNameKind::Alias | ListNameKind::Former => NameKind::Alias,
                ListNameKind::WeakAlias => NameKind::WeakAlias,
            },
        })
        .collect();
    let partial = |p: &accord_lists::model::PartialDate| PartialDate {
        year: i32::from(p.year),
        month: p.month,
        day: p.day,
    };
    Candidate {
        id: candidate_id(d),
        schema,
        names,
        identifiers: d
            .identifiers
            .iter()
            .map(|i| Identifier::new(&i.kind, &i.value))
            .collect(),
        birth_dates: d.birth_dates.iter().map(|b| partial(&b.date)).collect(),
        countries: d
            .nationalities
            .iter()
            .chain(&d.countries)
            .cloned()
            .collect(),
    }
}

/// Every designation listed in the latest import of each list, as candidates. The store
/// answers for today only: `as_of` another day is refused rather than guessed.
pub fn store_candidates(store: &Store, as_of: Option<Date>, today: Date) -> Result<Vec<Candidate>> {
    if as_of.is_some_and(|d| d != today) {
        return Err(Error::ScreenPastDay);
    }
    let listed = store.lists()?.listed()?;
    if listed.is_empty() {
        return Err(Error::NothingToScreen(store.url().clone()));
    }
    Ok(listed.iter().map(candidate_from).collect())
}

/// The candidates of a file (CSV with a header, or JSON lines when `json`), keeping those
/// listed on or before `as_of` and not delisted by then.
pub fn file_candidates(path: &Path, as_of: Date) -> Result<Vec<Candidate>> {
    let name = path.display().to_string();
    let is_json = path
        .extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| e.eq_ignore_ascii_case("jsonl") || e.eq_ignore_ascii_case("json"));
    let text = std::fs::read_to_string(path).map_err(|source| Error::Read {
        what: "candidates file",
        name: name.clone(),
        source,
    })?;
    let records = if is_json {
        json_records(&name, &text)?
    } else {
        csv_records(&name, &text)?
    };
    let mut out = Vec::with_capacity(records.len());
    for (line, record) in records {
        let listed = ListedCandidate::from_record(&name, line, record)?;
        if listed.in_force_on(as_of) {
            out.push(listed.candidate);
        }
    }
    Ok(out)
}

/// A candidate with the period its designation is in force.
struct ListedCandidate {
    candidate: Candidate,
    listed: Option<Date>,
    delisted: Option<Date>,
}

impl ListedCandidate {
    fn in_force_on(&self, date: Date) -> bool {
        self.listed.is_none_or(|listed| listed <= date)
            && self.delisted.is_none_or(|delisted| delisted > date)
    }
}

/// One candidate in a JSON Lines file (a CSV row is read into the same shape).
#[derive(Debug, serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct CandidateRecord {
    id: String,
    schema: String,
    names: Vec<String>,
    #[serde(default)]
    aliases: Vec<String>,
    #[serde(default)]
    weak_aliases: Vec<String>,
    #[serde(default)]
    identifiers: Vec<String>,
    #[serde(default)]
    birth_dates: Vec<String>,
    #[serde(default)]
    countries: Vec<String>,
    #[serde(default)]
    listed: Option<String>,
    #[serde(default)]
    delisted: Option<String>,
}

fn split_list(text: &str) -> Vec<String> {
    text.split(';')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
        .collect()
}

fn line_error(file: FileKind, name: &str, line: usize, message: impl ToString) -> Error {
    Error::Line {
        file,
        name: name.to_owned(),
        line,
        message: message.to_string(),
    }
}

fn json_records(name: &str, text: &str) -> Result<Vec<(usize, CandidateRecord)>> {
    let mut records = Vec::new();
    for (i, line) in text.lines().enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        let record: CandidateRecord = serde_json::from_str(line)
            .map_err(|e| line_error(FileKind::CandidatesJson, name, i + 1, e))?;
        records.push((i + 1, record));
    }
    Ok(records)
}

/// The position of a header column, by name (case-insensitive, trimmed).
fn column(headers: &csv::StringRecord, name: &str) -> Option<usize> {
    headers
        .iter()
        .position(|h| h.trim().eq_ignore_ascii_case(name))
}

/// A row's field, trimmed; empty when the column is absent.
fn field(row: &csv::StringRecord, column: Option<usize>) -> &str {
    column.and_then(|c| row.get(c)).unwrap_or("").trim()
}

fn csv_records(name: &str, text: &str) -> Result<Vec<(usize, CandidateRecord)>> {
    let kind = FileKind::Candidates;
    let mut reader = csv::ReaderBuilder::new()
        .flexible(false)
        .from_reader(text.as_bytes());
    let headers = reader
        .headers()
        .map_err(|e| line_error(kind, name, 1, e))?
        .clone();
    let (Some(id), Some(schema), Some(primary)) = (
        column(&headers, "id"),
        column(&headers, "schema"),
        column(&headers, "name"),
    ) else {
        return Err(Error::Columns {
            file: kind,
            name: name.to_owned(),
            problem: "lacks a required column",
        });
    };
    let mut records = Vec::new();
    for (i, row) in reader.records().enumerate() {
        let line = i + 2;
        let row = row.map_err(|e| line_error(kind, name, line, e))?;
        let list = |c: &str| split_list(field(&row, column(&headers, c)));
        let optional = |c: &str| {
            let value = field(&row, column(&headers, c));
            (!value.is_empty()).then(|| value.to_owned())
        };
        records.push((
            line,
            CandidateRecord {
                id: field(&row, Some(id)).to_owned(),
                schema: field(&row, Some(schema)).to_owned(),
                names: vec![field(&row, Some(primary)).to_owned()],
                aliases: list("aliases"),
                weak_aliases: list("weak_aliases"),
                identifiers: list("identifiers"),
                birth_dates: list("birth_dates"),
                countries: list("countries"),
                listed: optional("listed"),
                delisted: optional("delisted"),
            },
        ));
    }
    Ok(records)
}

/// Parses each value, or names the line of the first that does not parse.
fn parse_all<T: std::str::FromStr>(
    values: &[String],
    at: &dyn Fn(String) -> Error,
) -> Result<Vec<T>>
where
    T::Err: std::fmt::Display,
{
    values
        .iter()
        .map(|v| v.parse::<T>().map_err(|e| at(e.to_string())))
        .collect()
}

impl ListedCandidate {
    fn from_record(name: &str, line: usize, record: CandidateRecord) -> Result<ListedCandidate> {
        let at = |message: String| line_error(FileKind::Candidates, name, line, message);
        let schema: Schema = record.schema.parse().map_err(|e| at(format!("{e}")))?;
        let mut names: Vec<CandidateName> = Vec::new();
        for (values, kind) in [
            (&record.names, NameKind::Primary),
            (&record.aliases, NameKind::Alias),
            (&record.weak_aliases, NameKind::WeakAlias),
        ] {
            for (i, value) in values.iter().enumerate() {
                if value.trim().is_empty() {
                    continue;
                }
                // Only the first name is primary; more `names` are aliases.
                let kind = if kind == NameKind::Primary && i > 0 {
                    NameKind::Alias
                } else {
                    kind
                };
                names.push(CandidateName {
                    value: value.clone(),
                    kind,
                });
            }
        }
        if names.is_empty() {
            return Err(at(format!("candidate `{}` has no name", record.id)));
        }
        let date = |value: &Option<String>, what: &str| -> Result<Option<Date>> {
            value
                .as_deref()
                .map(|v| {
                    v.parse::<Date>()
                        .map_err(|_| at(format!("`{v}` is not a {what} date: write YYYY-MM-DD")))
                })
                .transpose()
        };
        Ok(ListedCandidate {
            listed: date(&record.listed, "listing")?,
            delisted: date(&record.delisted, "delisting")?,
            candidate: Candidate {
                id: record.id,
                schema,
                names,
                identifiers: parse_all(&record.identifiers, &at)?,
                birth_dates: parse_all(&record.birth_dates, &at)?,
                countries: record.countries,
            },
        })
    }
}

/// One customer of a batch: an id (the row's, else its number) and what to screen.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Customer {
    /// The customer's id.
    pub id: String,
    /// The query.
    pub query: Query,
}

/// Reads a customer file: CSV with a header, a `name` column required; optional `id`,
/// `schema`, `dob`, `country`, `identifiers` (lists separated by `;`).
pub fn read_customers(path: &Path) -> Result<Vec<Customer>> {
    let name = path.display().to_string();
    let kind = FileKind::Customers;
    let file = std::fs::File::open(path).map_err(|source| Error::Read {
        what: kind.noun(),
        name: name.clone(),
        source,
    })?;
    let mut reader = csv::ReaderBuilder::new().from_reader(file);
    let headers = reader
        .headers()
        .map_err(|e| line_error(kind, &name, 1, e))?
        .clone();
    let Some(name_column) = column(&headers, "name") else {
        return Err(Error::Columns {
            file: kind,
            name,
            problem: "has no `name` column",
        });
    };
    let mut customers = Vec::new();
    for (i, row) in reader.records().enumerate() {
        let line = i + 2;
        let at = |message: String| line_error(kind, &name, line, message);
        let row = row.map_err(|e| at(e.to_string()))?;
        let list = |c: &str| split_list(field(&row, column(&headers, c)));
        let dob = field(&row, column(&headers, "dob"));
        let birth_date = if dob.is_empty() {
            None
        } else {
            Some(dob.parse::<PartialDate>().map_err(|e| at(e.to_string()))?)
        };
        let id = match field(&row, column(&headers, "id")) {
            "" => (line - 1).to_string(),
            id => id.to_owned(),
        };
        customers.push(Customer {
            id,
            query: Query {
                name: field(&row, Some(name_column)).to_owned(),
                schemas: parse_all(&list("schema"), &at)?,
                birth_date,
                countries: list("country"),
                identifiers: parse_all(&list("identifiers"), &at)?,
            },
        });
    }
    Ok(customers)
}

/// A customer file read row by row: the customers to screen, and the rows that cannot
/// be screened, each with its line and why — one bad row stops neither the others nor
/// goes unsaid.
#[derive(Debug, Clone, Default)]
pub struct CustomerFile {
    /// The rows that can be screened, in order.
    pub customers: Vec<Customer>,
    /// The rows that cannot, in order.
    pub refused: Vec<RefusedRow>,
}

/// A row of a customer file that cannot be screened.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RefusedRow {
    /// The line it starts on (the header is line 1).
    pub line: u64,
    /// The customer's id (the row's, else its number).
    pub id: String,
    /// The name as written.
    pub name: String,
    /// Why it cannot be screened.
    pub error: accord_screen::batch::RowError,
}

/// Reads a customer file as [`accord_screen::batch::read_batch`] reads it: CSV with a
/// header and a `name` column; a row with a malformed record, an impossible date, an
/// unknown schema or an empty name is kept aside in [`CustomerFile::refused`]. Only a file
/// that cannot be read, or has no header or `name` column, is an error.
pub fn read_customer_file(path: &Path) -> Result<CustomerFile> {
    let name = path.display().to_string();
    let kind = FileKind::Customers;
    let file = std::fs::File::open(path).map_err(|source| Error::Read {
        what: kind.noun(),
        name: name.clone(),
        source,
    })?;
    let rows =
        accord_screen::batch::read_batch(std::io::BufReader::new(file)).map_err(|e| match e {
            accord_screen::batch::BatchError::NoNameColumn => Error::Columns {
                file: kind,
                name: name.clone(),
                problem: "has no `name` column",
            },
            header => line_error(kind, &name, 1, header),
        })?;
    let mut out = CustomerFile::default();
    for row in rows {
        match row.query {
            Ok(query) => out.customers.push(Customer { id: row.id, query }),
            Err(error) => out.refused.push(RefusedRow {
                line: row.line,
                id: row.id,
                name: row.name,
                error,
            }),
        }
    }
    Ok(out)
}

/// Screens every customer; `progress` is told how many were screened so far, after each
/// chunk (screened in parallel).
pub fn screen_batch(
    index: &Index,
    customers: &[Customer],
    settings: &Settings,
    progress: &mut dyn FnMut(u64),
) -> Vec<Vec<Hit>> {
    let queries: Vec<Query> = customers.iter().map(|c| c.query.clone()).collect();
    let mut results: Vec<Vec<Hit>> = Vec::with_capacity(queries.len());
    for chunk in queries.chunks(256) {
        results.extend(index.screen_batch(chunk, settings));
        progress(chunk.len() as u64);
    }
    results
}

/// A pairs file scored: its header (kept, when it has one) and each row with its score.
#[derive(Debug, Clone)]
pub struct Scored {
    /// The header row, when the file has one (`name1,name2,…`).
    pub header: Option<Vec<String>>,
    /// Every row, as read, with the comparison of its two names.
    pub rows: Vec<(Vec<String>, NameMatch)>,
}

/// Scores `name1,name2[,schema]` rows (with or without that header; other columns kept),
/// so that users can calibrate a threshold on their own labelled pairs.
pub fn score_pairs(path: &Path) -> Result<Scored> {
    let name = path.display().to_string();
    let kind = FileKind::Pairs;
    let input = std::fs::File::open(path).map_err(|source| Error::Read {
        what: kind.noun(),
        name: name.clone(),
        source,
    })?;
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(input);
    let mut scored = Scored {
        header: None,
        rows: Vec::new(),
    };
    let mut schema_column: Option<usize> = Some(2);
    for (i, row) in reader.records().enumerate() {
        let line = i + 1;
        let at = |message: String| line_error(kind, &name, line, message);
        let row = row.map_err(|e| at(e.to_string()))?;
        let cell = |c: usize| row.get(c).unwrap_or("").trim();
        if i == 0 && cell(0).eq_ignore_ascii_case("name1") && cell(1).eq_ignore_ascii_case("name2")
        {
            schema_column = row
                .iter()
                .position(|h| h.trim().eq_ignore_ascii_case("schema"));
            scored.header = Some(row.iter().map(str::to_owned).collect());
            continue;
        }
        if row.len() < 2 {
            return Err(at(format!(
                "expected two names, found {} field(s)",
                row.len()
            )));
        }
        let schema = match schema_column.map(cell) {
            None | Some("") => None,
            Some(text) => Some(text.parse::<Schema>().map_err(|e| at(e.to_string()))?),
        };
        let matched = score_pair(cell(0), cell(1), schema);
        scored
            .rows
            .push((row.iter().map(str::to_owned).collect(), matched));
    }
    Ok(scored)
}
