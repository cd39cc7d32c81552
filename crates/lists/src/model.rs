//! The normalized designation: one listed target as one publisher states it.
//!
//! Every importer maps its format onto [`Designation`] and keeps what the publisher said in
//! the publisher's own words: its identifier, programme names, listing date and remarks
//! are copied, not translated. Nothing here is inferred across sources.
//!
//! Invariant: [`Designation::normalize`] puts every list in one canonical order and removes
//! exact duplicates, so that two imports of the same facts in a different order have the same
//! [`Designation::digest`] (a re-ordered file is not an amendment).

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

/// What kind of thing is listed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Schema {
    /// A natural person.
    Person,
    /// A company, organisation, group or other legal entity.
    Organization,
    /// A ship.
    Vessel,
    /// An aircraft.
    Aircraft,
    /// Something else the publisher lists (e.g. an FtM `Address` entity), or a fragment
    /// whose kind is stated in another file of the same import.
    Other,
}

impl Schema {
    /// The lowercase name used in storage and output.
    pub fn as_str(self) -> &'static str {
        match self {
            Schema::Person => "person",
            Schema::Organization => "organization",
            Schema::Vessel => "vessel",
            Schema::Aircraft => "aircraft",
            Schema::Other => "other",
        }
    }
}

/// How a name relates to the target.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum NameKind {
    /// The publisher's primary name.
    Primary,
    /// A strong alias ("a.k.a.", "good quality").
    Alias,
    /// A weak or low-quality alias: publishers warn these produce false matches.
    WeakAlias,
    /// A former name ("f.k.a.").
    Former,
}

/// One name of a target.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct Name {
    /// How the name relates to the target.
    pub kind: NameKind,
    /// The whole name as published (parts joined with single spaces).
    pub full: String,
    /// The ISO 15924 script of the name (`Latn`, `Arab`, `Cyrl`, …), detected from its
    /// letters when the publisher does not say.
    pub script: String,
}

impl Name {
    /// A name, whitespace collapsed, script detected from its letters.
    pub fn new(kind: NameKind, full: &str) -> Name {
        let full = collapse_whitespace(full);
        let script = detect_script(&full).to_owned();
        Name { kind, full, script }
    }
}

/// An identifying number or code.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct Identifier {
    /// What kind of identifier (`passport`, `national_id`, `imo`, `registration`,
    /// `un_reference`, …, or the publisher's own label when it is not one of these).
    pub kind: String,
    /// The value as published.
    pub value: String,
    /// The issuing country, when stated.
    pub country: Option<String>,
    /// Any remark the publisher attached to it.
    pub note: Option<String>,
}

/// A date that may be known only to the year or the month.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct PartialDate {
    /// The year.
    pub year: i16,
    /// The month (1–12), when known.
    pub month: Option<u8>,
    /// The day of the month (1–31), when known (only with a month).
    pub day: Option<u8>,
}

impl PartialDate {
    /// A date checked for range; `None` if the parts are out of range.
    pub fn new(year: i32, month: Option<u32>, day: Option<u32>) -> Option<PartialDate> {
        let year = i16::try_from(year)
            .ok()
            .filter(|y| (1000..=2999).contains(y))?;
        let month = match month {
            Some(m @ 1..=12) => Some(u8::try_from(m).ok()?),
            Some(_) => return None,
            None => None,
        };
        let day = match (month, day) {
            (Some(_), Some(d @ 1..=31)) => Some(u8::try_from(d).ok()?),
            (_, Some(_)) => return None,
            (_, None) => None,
        };
        Some(PartialDate { year, month, day })
    }

    /// Parses `YYYY`, `YYYY-MM`, `YYYY-MM-DD` (an ISO time after the date is ignored).
    pub fn parse_iso(s: &str) -> Option<PartialDate> {
        let s = s.trim();
        let date = s.get(..10.min(s.len()))?;
        let mut parts = date.split('-');
        let year = parts.next()?.parse().ok()?;
        let month = parts.next().map(str::parse).transpose().ok()?;
        let day = parts.next().map(str::parse).transpose().ok()?;
        PartialDate::new(year, month, day)
    }

    /// Parses `DD/MM/YYYY` where `00` or `dd`/`mm` mark an unknown day or month (UK lists).
    pub fn parse_dmy(s: &str) -> Option<PartialDate> {
        let s = s.trim();
        let parts: Vec<&str> = s.split('/').collect();
        match parts.as_slice() {
            [d, m, y] => {
                let known = |p: &str| p.parse::<u32>().ok().filter(|v| *v != 0);
                let month = known(m);
                PartialDate::new(y.parse().ok()?, month, month.and(known(d)))
            }
            [y] => PartialDate::new(y.parse().ok()?, None, None),
            _ => None,
        }
    }

    /// Parses `MM/DD/YYYY` (US lists).
    pub fn parse_mdy(s: &str) -> Option<PartialDate> {
        let parts: Vec<&str> = s.trim().split('/').collect();
        match parts.as_slice() {
            [m, d, y] => PartialDate::new(y.parse().ok()?, m.parse().ok(), d.parse().ok()),
            _ => None,
        }
    }

    /// The first day this date can mean (`1990` → 1990-01-01).
    pub fn earliest(&self) -> (i16, u8, u8) {
        (self.year, self.month.unwrap_or(1), self.day.unwrap_or(1))
    }
}

impl std::fmt::Display for PartialDate {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{:04}", self.year)?;
        if let Some(month) = self.month {
            write!(f, "-{month:02}")?;
            if let Some(day) = self.day {
                write!(f, "-{day:02}")?;
            }
        }
        Ok(())
    }
}

/// A date of birth as published: exact, partial, approximate or a range of years.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct BirthDate {
    /// The date, or the start of the range.
    pub date: PartialDate,
    /// The end of a range ("between 1955 and 1958").
    pub until: Option<PartialDate>,
    /// The publisher says "circa" / "approximately".
    pub approximate: bool,
}

/// One listed target as one publisher states it.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Designation {
    /// The name under which this import stores the source (e.g. `un-sc`). Set by the store.
    pub source: String,
    /// The publisher's own identifier for the target (OFAC `ent_num`, UN reference number,
    /// EU logical id, OFSI group id, …). Unique within one import of a source.
    pub source_id: String,
    /// What is listed.
    pub schema: Option<Schema>,
    /// Every name, primary first.
    pub names: Vec<Name>,
    /// Passport, national id, IMO number, registration number, …
    pub identifiers: Vec<Identifier>,
    /// Dates of birth (or of incorporation, when the publisher uses the same field).
    pub birth_dates: Vec<BirthDate>,
    /// Places of birth, as published.
    pub birth_places: Vec<String>,
    /// Nationalities and citizenships, as published.
    pub nationalities: Vec<String>,
    /// Countries the target is associated with other than by nationality or address.
    pub countries: Vec<String>,
    /// Postal addresses, parts joined with `, `.
    pub addresses: Vec<String>,
    /// Positions, titles and functions.
    pub positions: Vec<String>,
    /// The publisher's programme or regime names (`SDGT`, `DRC`, `TERR`, …).
    pub programmes: Vec<String>,
    /// Legal acts that list the target (regulation numbers, Federal Register citations).
    pub legal_basis: Vec<String>,
    /// Measures imposed (`Asset freeze`, `Travel ban`, …) when the publisher states them.
    pub measures: Vec<String>,
    /// The date the publisher says the target was listed.
    pub listed_on: Option<PartialDate>,
    /// The date the publisher says the listing ends (US denial orders have one).
    pub expires_on: Option<PartialDate>,
    /// Free-text remarks, as published.
    pub remarks: Vec<String>,
    /// The publisher's page for this target or its list.
    pub source_url: Option<String>,
}

impl Designation {
    /// A designation with only its identifier set.
    pub fn new(source_id: impl Into<String>) -> Designation {
        Designation {
            source_id: source_id.into(),
            ..Designation::default()
        }
    }

    /// Adds a name unless it is blank.
    pub fn add_name(&mut self, kind: NameKind, full: &str) {
        if !full.trim().is_empty() {
            self.names.push(Name::new(kind, full));
        }
    }

    /// Adds a value to one of the text lists unless it is blank.
    pub fn push(list: &mut Vec<String>, value: &str) {
        let value = collapse_whitespace(value);
        if !value.is_empty() {
            list.push(value);
        }
    }

    /// Adds an identifier unless its value is blank.
    pub fn add_identifier(
        &mut self,
        kind: &str,
        value: &str,
        country: Option<&str>,
        note: Option<&str>,
    ) {
        let value = collapse_whitespace(value);
        if value.is_empty() {
            return;
        }
        let clean = |s: Option<&str>| s.map(collapse_whitespace).filter(|s| !s.is_empty());
        self.identifiers.push(Identifier {
            kind: kind.to_owned(),
            value,
            country: clean(country),
            note: clean(note),
        });
    }

    /// The primary name (or the first name if none is marked primary).
    pub fn caption(&self) -> &str {
        self.names
            .iter()
            .find(|n| n.kind == NameKind::Primary)
            .or(self.names.first())
            .map_or("", |n| n.full.as_str())
    }

    /// Merges another fragment of the same target into this one: rows of one target that
    /// a publisher spreads over several rows or files (OFSI name rows, OFAC `alt.csv`).
    pub fn absorb(&mut self, other: Designation) {
        if self.schema.is_none() || self.schema == Some(Schema::Other) {
            self.schema = other.schema.or(self.schema);
        }
        self.names.extend(other.names);
        self.identifiers.extend(other.identifiers);
        self.birth_dates.extend(other.birth_dates);
        self.birth_places.extend(other.birth_places);
        self.nationalities.extend(other.nationalities);
        self.countries.extend(other.countries);
        self.addresses.extend(other.addresses);
        self.positions.extend(other.positions);
        self.programmes.extend(other.programmes);
        self.legal_basis.extend(other.legal_basis);
        self.measures.extend(other.measures);
        // The earliest listing date stated by any fragment: a target is listed from the
        // first act that listed it.
        self.listed_on = match (self.listed_on, other.listed_on) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        };
        self.expires_on = self.expires_on.or(other.expires_on);
        self.remarks.extend(other.remarks);
        self.source_url = self.source_url.take().or(other.source_url);
    }

    /// Sorts every list into canonical order and removes exact duplicates. Remarks keep
    /// their published order (OFAC continues a remark in a second file), duplicates aside.
    pub fn normalize(&mut self) {
        fn canon<T: Ord>(list: &mut Vec<T>) {
            list.sort();
            list.dedup();
        }
        canon(&mut self.names);
        canon(&mut self.identifiers);
        canon(&mut self.birth_dates);
        canon(&mut self.birth_places);
        canon(&mut self.nationalities);
        canon(&mut self.countries);
        canon(&mut self.addresses);
        canon(&mut self.positions);
        canon(&mut self.programmes);
        canon(&mut self.legal_basis);
        canon(&mut self.measures);
        let mut seen = std::collections::HashSet::new();
        self.remarks.retain(|r| seen.insert(r.clone()));
    }

    /// The SHA-256 of the canonical JSON of this designation, in lowercase hex. Two imports
    /// state the same facts about a target exactly when their digests are equal (after
    /// [`Designation::normalize`]).
    pub fn digest(&self) -> String {
        let json = self.to_json();
        hex(&Sha256::digest(json.as_bytes()))
    }

    /// The canonical JSON of this designation (field order fixed by the struct).
    pub fn to_json(&self) -> String {
        // INVARIANT: serialising plain strings, numbers and enums cannot fail.
        serde_json::to_string(self).unwrap_or_default()
    }
}

/// Lowercase hex of some bytes.
pub fn hex(bytes: &[u8]) -> String {
    use std::fmt::Write;
    let mut out = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        let _ = write!(out, "{b:02x}");
    }
    out
}

/// Trims and collapses runs of whitespace to one space.
pub fn collapse_whitespace(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// The ISO 15924 code of the dominant script of a name's letters (`Zyyy` when it has no
/// letters). Character-range based: enough to tell Latin from Arabic, Cyrillic, Greek, CJK.
pub fn detect_script(s: &str) -> &'static str {
    let mut counts = [0usize; 9];
    const CODES: [&str; 9] = [
        "Latn", "Cyrl", "Arab", "Grek", "Hani", "Hang", "Hebr", "Geor", "Armn",
    ];
    for c in s.chars().filter(|c| c.is_alphabetic()) {
        let i = match c as u32 {
            0x0000..=0x024F | 0x1E00..=0x1EFF => 0,
            0x0400..=0x052F => 1,
            0x0600..=0x06FF | 0x0750..=0x077F | 0xFB50..=0xFDFF | 0xFE70..=0xFEFF => 2,
            0x0370..=0x03FF => 3,
            0x3040..=0x30FF | 0x4E00..=0x9FFF | 0x3400..=0x4DBF => 4,
            0xAC00..=0xD7AF | 0x1100..=0x11FF => 5,
            0x0590..=0x05FF => 6,
            0x10A0..=0x10FF => 7,
            0x0530..=0x058F => 8,
            _ => continue,
        };
        if let Some(n) = counts.get_mut(i) {
            *n += 1;
        }
    }
    let best = counts
        .iter()
        .enumerate()
        .max_by_key(|(i, n)| (**n, std::cmp::Reverse(*i)));
    match best {
        Some((i, n)) if *n > 0 => CODES.get(i).copied().unwrap_or("Zyyy"),
        _ => "Zyyy",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn partial_dates_parse_with_their_precision() {
        assert_eq!(
            PartialDate::parse_iso("1965-04-14").unwrap().to_string(),
            "1965-04-14"
        );
        assert_eq!(PartialDate::parse_iso("1965").unwrap().to_string(), "1965");
        assert_eq!(
            PartialDate::parse_dmy("00/00/1980").unwrap().to_string(),
            "1980"
        );
        assert_eq!(
            PartialDate::parse_dmy("dd/mm/1945").unwrap().to_string(),
            "1945"
        );
        assert_eq!(
            PartialDate::parse_dmy("12/05/1958").unwrap().to_string(),
            "1958-05-12"
        );
        assert_eq!(
            PartialDate::parse_mdy("10/16/2017").unwrap().to_string(),
            "2017-10-16"
        );
        assert!(PartialDate::parse_iso("1965-13-01").is_none());
        assert!(PartialDate::parse_iso("garbage").is_none());
    }

    #[test]
    fn scripts_are_detected_from_letters() {
        assert_eq!(detect_script("AL-QAHTANI"), "Latn");
        assert_eq!(detect_script("محمد حسن آخوند"), "Arab");
        assert_eq!(detect_script("Интер Тобако"), "Cyrl");
        assert_eq!(detect_script("123"), "Zyyy");
    }

    #[test]
    fn digest_ignores_order_after_normalize() {
        let mut a = Designation::new("1");
        a.add_name(NameKind::Primary, "A");
        a.add_name(NameKind::Alias, "B");
        let mut b = Designation::new("1");
        b.add_name(NameKind::Alias, "B");
        b.add_name(NameKind::Primary, "A");
        b.add_name(NameKind::Alias, "B");
        a.normalize();
        b.normalize();
        assert_eq!(a.digest(), b.digest());
        b.add_name(NameKind::Alias, "C");
        b.normalize();
        assert_ne!(a.digest(), b.digest());
    }
}
