//! FollowTheMoney entities as published by OpenSanctions: one JSON object per line with
//! `id`, `schema` and `properties` (each property a list of strings). Every entity becomes
//! a record (an `Address` or `Sanction` entity too, as schema `other`): the stream is the
//! publisher's, and dropping entities would make counts disagree with it.
//!
//! Lines are read with a bound of [`MAX_RECORD_BYTES`]; an over-long line is an error, not
//! an allocation.
//!
//! Each entity names the datasets it comes from (`datasets`): those are the lists the
//! file declares. A line cut anywhere is an incomplete JSON object and refused; but the
//! format has no header, trailer or count, so a file cut exactly at a line boundary cannot
//! be told from a shorter export (see `docs/design.md`). The last line may lack a line end
//! (the real sample's does).

use std::collections::BTreeSet;
use std::io::{BufRead, BufReader, Read};

use serde::Deserialize;

use super::scan::End;
use super::{Source, note_list};
use crate::declared::Declared;
use crate::{
    BirthDate, Designation, ErrorKind, ImportError, Location, MAX_RECORD_BYTES, NameKind,
    PartialDate, Schema,
};

#[derive(Deserialize)]
struct Entity {
    id: String,
    schema: String,
    #[serde(default)]
    properties: std::collections::BTreeMap<String, Vec<serde_json::Value>>,
    #[serde(default)]
    datasets: Option<Vec<String>>,
}

pub(crate) struct Ftm<R: Read> {
    reader: BufReader<R>,
    origin: String,
    line: u64,
    buf: Vec<u8>,
    lists: BTreeSet<String>,
}

impl<R: Read> Ftm<R> {
    pub fn new(reader: R, origin: String) -> Self {
        Ftm {
            reader: BufReader::with_capacity(64 * 1024, reader),
            origin,
            line: 0,
            buf: Vec::new(),
            lists: BTreeSet::new(),
        }
    }

    fn error(&self, kind: ErrorKind) -> ImportError {
        ImportError::new(&self.origin, Location::Line(self.line), kind)
    }
}

impl<R: Read> Source for Ftm<R> {
    fn location(&self) -> crate::Location {
        crate::Location::Line(self.line)
    }

    fn next_record(&mut self) -> Option<Result<Designation, ImportError>> {
        loop {
            self.buf.clear();
            self.line += 1;
            let limit = (MAX_RECORD_BYTES + 1) as u64;
            let n = match (&mut self.reader)
                .take(limit)
                .read_until(b'\n', &mut self.buf)
            {
                Ok(n) => n,
                Err(e) => return Some(Err(self.error(ErrorKind::Io(e.to_string())))),
            };
            if n == 0 {
                return None;
            }
            if self.buf.len() > MAX_RECORD_BYTES {
                return Some(Err(self.error(ErrorKind::TooLarge(MAX_RECORD_BYTES))));
            }
            let mut line: &[u8] = &self.buf;
            if self.line == 1 {
                line = line.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(line);
            }
            if line.iter().all(u8::is_ascii_whitespace) {
                continue;
            }
            let text = match std::str::from_utf8(line) {
                Ok(t) => t,
                Err(e) => return Some(Err(self.error(ErrorKind::Encoding(e.to_string())))),
            };
            let entity: Entity = match serde_json::from_str(text) {
                Ok(entity) => entity,
                Err(e) => return Some(Err(self.error(json_error(&e)))),
            };
            if entity.id.trim().is_empty() {
                return Some(Err(
                    self.error(ErrorKind::Record("an entity with an empty `id`".into()))
                ));
            }
            for dataset in entity.datasets.iter().flatten() {
                if let Err(message) = note_list(&mut self.lists, dataset) {
                    return Some(Err(self.error(ErrorKind::Record(message))));
                }
            }
            return Some(Ok(designation(entity)));
        }
    }

    fn finish(&mut self, _end: &End, declared: &mut Declared) -> Result<(), ImportError> {
        declared.lists = std::mem::take(&mut self.lists);
        Ok(())
    }
}

/// A JSON error of one line, placed by its column (serde counts lines within the line).
fn json_error(e: &serde_json::Error) -> ErrorKind {
    let text = e.to_string();
    let message = text.split(" at line ").next().unwrap_or(&text);
    if e.is_eof() {
        ErrorKind::Truncated(format!(
            "the JSON object on this line stops at column {} before it is complete: {message}",
            e.column()
        ))
    } else {
        ErrorKind::Json(format!("{message}, at column {}", e.column()))
    }
}

fn designation(entity: Entity) -> Designation {
    let mut d = Designation::new(entity.id);
    d.schema = Some(match entity.schema.as_str() {
        "Person" => Schema::Person,
        "Organization" | "Company" | "LegalEntity" | "PublicBody" => Schema::Organization,
        "Vessel" => Schema::Vessel,
        "Airplane" => Schema::Aircraft,
        _ => Schema::Other,
    });
    let props = entity.properties;
    let values = |name: &str| -> Vec<String> {
        props
            .get(name)
            .map(|vs| {
                vs.iter()
                    .filter_map(|v| match v {
                        serde_json::Value::String(s) => Some(s.clone()),
                        serde_json::Value::Null => None,
                        other => Some(other.to_string()),
                    })
                    .collect()
            })
            .unwrap_or_default()
    };
    for n in values("name") {
        d.add_name(NameKind::Primary, &n);
    }
    for n in values("alias") {
        d.add_name(NameKind::Alias, &n);
    }
    for n in values("weakAlias") {
        d.add_name(NameKind::WeakAlias, &n);
    }
    for n in values("previousName") {
        d.add_name(NameKind::Former, &n);
    }
    if d.names.is_empty() {
        for n in values("full") {
            d.add_name(NameKind::Primary, &n);
        }
    }
    for (prop, kind) in [
        ("passportNumber", "passport"),
        ("idNumber", "national_id"),
        ("registrationNumber", "registration"),
        ("imoNumber", "imo"),
        ("innCode", "inn"),
        ("ogrnCode", "ogrn"),
        ("taxNumber", "tax"),
        ("leiCode", "lei"),
        ("swiftBic", "swift_bic"),
        ("callSign", "call_sign"),
        ("mmsi", "mmsi"),
    ] {
        for v in values(prop) {
            d.add_identifier(kind, &v, None, None);
        }
    }
    for b in values("birthDate")
        .iter()
        .chain(values("incorporationDate").iter())
    {
        if let Some(date) = PartialDate::parse_iso(b) {
            d.birth_dates.push(BirthDate {
                date,
                until: None,
                approximate: false,
            });
        }
    }
    for p in values("birthPlace") {
        Designation::push(&mut d.birth_places, &p);
    }
    for c in values("nationality")
        .iter()
        .chain(values("citizenship").iter())
    {
        Designation::push(&mut d.nationalities, c);
    }
    for c in values("country")
        .iter()
        .chain(values("jurisdiction").iter())
        .chain(values("flag").iter())
    {
        Designation::push(&mut d.countries, c);
    }
    for a in values("address") {
        Designation::push(&mut d.addresses, &a);
    }
    for p in values("position").iter().chain(values("title").iter()) {
        Designation::push(&mut d.positions, p);
    }
    for p in values("program").iter().chain(values("programId").iter()) {
        Designation::push(&mut d.programmes, p);
    }
    for t in values("topics") {
        Designation::push(&mut d.measures, &t);
    }
    for n in values("notes") {
        Designation::push(&mut d.remarks, &n);
    }
    d.listed_on = values("listingDate")
        .iter()
        .chain(values("startDate").iter())
        .filter_map(|s| PartialDate::parse_iso(s))
        .min();
    d.expires_on = values("endDate")
        .iter()
        .filter_map(|s| PartialDate::parse_iso(s))
        .max();
    d.source_url = values("sourceUrl").into_iter().next();
    d
}
