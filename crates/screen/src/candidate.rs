//! What is screened against, and what is asked: [`Candidate`] and [`Query`].
//!
//! A candidate is the screening view of a designated entity (names with their alias kind,
//! identifiers, dates of birth with their precision, countries). The lists crate fills it
//! from designations; this crate never reads lists itself. Values are kept as given;
//! comparison keys are derived when an index is built.

use std::fmt;
use std::str::FromStr;

/// The kind of entity, in FollowTheMoney's words.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize)]
pub enum Schema {
    /// A natural person.
    Person,
    /// A company.
    Company,
    /// An organisation that is not a company (a ministry, an armed group).
    Organization,
    /// A person or an organisation, not known which.
    LegalEntity,
    /// A ship.
    Vessel,
    /// An aircraft.
    Aircraft,
}

impl Schema {
    /// Companies, organisations and legal entities: names that may carry a legal form.
    pub fn is_organisation(self) -> bool {
        matches!(
            self,
            Schema::Company | Schema::Organization | Schema::LegalEntity
        )
    }

    /// Whether an entity of schema `self` can be the entity asked about as `other`.
    pub fn is_compatible(self, other: Schema) -> bool {
        use Schema::*;
        match (self, other) {
            (a, b) if a == b => true,
            (LegalEntity, Person | Company | Organization)
            | (Person | Company | Organization, LegalEntity) => true,
            (Company | Organization, Company | Organization) => true,
            _ => false,
        }
    }

    /// Every schema, in a stable order.
    pub const ALL: [Schema; 6] = [
        Schema::Person,
        Schema::Company,
        Schema::Organization,
        Schema::LegalEntity,
        Schema::Vessel,
        Schema::Aircraft,
    ];
}

impl fmt::Display for Schema {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Schema::Person => "Person",
            Schema::Company => "Company",
            Schema::Organization => "Organization",
            Schema::LegalEntity => "LegalEntity",
            Schema::Vessel => "Vessel",
            Schema::Aircraft => "Aircraft",
        })
    }
}

/// A value that could not be read as a screening field.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FieldError {
    /// Not one of the known schemas.
    #[error(
        "unknown schema `{0}`: use Person, Company, Organization, LegalEntity, Vessel or Aircraft"
    )]
    Schema(String),
    /// Not a date of the form `YYYY`, `YYYY-MM` or `YYYY-MM-DD`.
    #[error("`{0}` is not a date: write YYYY, YYYY-MM or YYYY-MM-DD")]
    Date(String),
    /// A date of the right form that does not exist (`1974-01-32`, `2026-02-30`).
    #[error("`{0}` is not a date: {1} {3} has {2} days")]
    NoSuchDay(String, &'static str, u8, i32),
    /// A name with nothing in it to compare (empty, or only punctuation or legal forms).
    #[error("the name `{0}` has nothing to screen: give at least one word")]
    EmptyName(String),
    /// A country that is neither an ISO 3166 code or name nor a known alias.
    #[error(
        "`{0}` is not a country: write an ISO 3166 code (`AF`, `AFG`) or a name (`Afghanistan`)"
    )]
    Country(String),
    /// Not an identifier of the form `KIND:VALUE`.
    #[error(
        "`{0}` is not an identifier: write KIND:VALUE, for example imo:9187629 or passport:AB123456"
    )]
    Identifier(String),
}

impl FromStr for Schema {
    type Err = FieldError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let lower = s.trim().to_ascii_lowercase();
        Ok(match lower.as_str() {
            "person" | "individual" => Schema::Person,
            "company" => Schema::Company,
            "organization" | "organisation" | "entity" => Schema::Organization,
            "legalentity" | "legal_entity" => Schema::LegalEntity,
            "vessel" | "ship" => Schema::Vessel,
            "aircraft" => Schema::Aircraft,
            _ => return Err(FieldError::Schema(s.to_owned())),
        })
    }
}

/// How a candidate's name relates to the entity.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum NameKind {
    /// The name the list gives first.
    Primary,
    /// An alias (a.k.a., other spelling, former name).
    Alias,
    /// An alias the list itself calls weak or low quality; a hit on it scores lower.
    WeakAlias,
}

/// One name of a candidate.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct CandidateName {
    /// The name as the list writes it, in any script.
    pub value: String,
    /// Primary name or alias.
    pub kind: NameKind,
}

/// An identifier (IMO number, passport, registration number…).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Identifier {
    /// The kind, lowercase (`imo`, `passport`, `registration`, `tax`, …); empty when unknown.
    pub kind: String,
    /// The value as written.
    pub value: String,
}

impl Identifier {
    /// A new identifier; the kind is lowercased.
    pub fn new(kind: &str, value: &str) -> Self {
        Identifier {
            kind: kind.trim().to_ascii_lowercase(),
            value: value.trim().to_owned(),
        }
    }

    /// The value compared: letters and digits only, uppercase, and without a leading `IMO`
    /// on IMO numbers.
    pub fn key(&self) -> String {
        let key: String = self
            .value
            .chars()
            .filter(|c| c.is_alphanumeric())
            .flat_map(char::to_uppercase)
            .collect();
        match key.strip_prefix("IMO") {
            Some(rest) if self.kind == "imo" || rest.chars().all(|c| c.is_ascii_digit()) => {
                rest.to_owned()
            }
            _ => key,
        }
    }

    /// Whether two identifier kinds may be compared: equal, or one of them unknown.
    pub fn kinds_agree(&self, other: &Identifier) -> bool {
        self.kind.is_empty() || other.kind.is_empty() || self.kind == other.kind
    }
}

impl FromStr for Identifier {
    type Err = FieldError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.split_once(':') {
            Some((kind, value)) if !value.trim().is_empty() => Ok(Identifier::new(kind, value)),
            _ => Err(FieldError::Identifier(s.to_owned())),
        }
    }
}

/// A date known to the year, the month or the day.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize)]
pub struct PartialDate {
    /// The year.
    pub year: i32,
    /// The month 1–12, when known.
    pub month: Option<u8>,
    /// The day 1–31, when known (only with a month).
    pub day: Option<u8>,
}

impl PartialDate {
    /// Whether the two dates agree as far as both are known.
    pub fn agrees_with(&self, other: &PartialDate) -> bool {
        self.year == other.year
            && match (self.month, other.month) {
                (Some(a), Some(b)) if a != b => false,
                (Some(_), Some(_)) => match (self.day, other.day) {
                    (Some(a), Some(b)) => a == b,
                    _ => true,
                },
                _ => true,
            }
    }
}

impl fmt::Display for PartialDate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
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

impl FromStr for PartialDate {
    type Err = FieldError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let error = || FieldError::Date(s.to_owned());
        let digits =
            |t: &str| !t.is_empty() && t.len() <= 2 && t.bytes().all(|b| b.is_ascii_digit());
        let mut parts = s.trim().split('-');
        let year_text = parts.next().ok_or_else(error)?;
        if year_text.len() != 4 || !year_text.bytes().all(|b| b.is_ascii_digit()) {
            return Err(error());
        }
        let year: i32 = year_text.parse().map_err(|_| error())?;
        let month = match parts.next() {
            Some(m) => {
                if !digits(m) {
                    return Err(error());
                }
                let m: u8 = m.parse().map_err(|_| error())?;
                if !(1..=12).contains(&m) {
                    return Err(error());
                }
                Some(m)
            }
            None => None,
        };
        let day = match (parts.next(), month) {
            (Some(d), Some(m)) => {
                if !digits(d) {
                    return Err(error());
                }
                let d: u8 = d.parse().map_err(|_| error())?;
                let (name, days) = month_length(year, m);
                if d == 0 || d > days {
                    return Err(if d == 0 || d > 31 {
                        error()
                    } else {
                        FieldError::NoSuchDay(s.to_owned(), name, days, year)
                    });
                }
                Some(d)
            }
            _ => None,
        };
        if parts.next().is_some() {
            return Err(error());
        }
        Ok(PartialDate { year, month, day })
    }
}

/// The name of month `month` (1–12) and its number of days in `year` (Gregorian).
fn month_length(year: i32, month: u8) -> (&'static str, u8) {
    let leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
    match month {
        1 => ("January", 31),
        2 if leap => ("February", 29),
        2 => ("February", 28),
        3 => ("March", 31),
        4 => ("April", 30),
        5 => ("May", 31),
        6 => ("June", 30),
        7 => ("July", 31),
        8 => ("August", 31),
        9 => ("September", 30),
        10 => ("October", 31),
        11 => ("November", 30),
        _ => ("December", 31),
    }
}

/// The screening view of one designated entity.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Candidate {
    /// The list's own identifier of the entity (kept as given; ties break on it).
    pub id: String,
    /// The kind of entity.
    pub schema: Schema,
    /// Names and aliases, primary first.
    pub names: Vec<CandidateName>,
    /// Identifiers.
    pub identifiers: Vec<Identifier>,
    /// Dates of birth (or of registration/build, for other schemas), possibly several.
    pub birth_dates: Vec<PartialDate>,
    /// Countries (nationality, citizenship, residence, jurisdiction), as codes or names.
    pub countries: Vec<String>,
}

/// What a user asks: a name and, optionally, what else is known about the entity.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Query {
    /// The name to screen, in any script.
    pub name: String,
    /// Restrict to entities of a compatible schema (empty: any).
    pub schemas: Vec<Schema>,
    /// The date of birth, if known.
    pub birth_date: Option<PartialDate>,
    /// Countries associated with the entity, if known.
    pub countries: Vec<String>,
    /// Identifiers, if known: an exact match dominates the name.
    pub identifiers: Vec<Identifier>,
}

impl Query {
    /// Refuses a query with nothing to screen: an empty name, or one with no letter or
    /// digit once invisible characters and punctuation are gone.
    pub fn validate(&self) -> Result<(), FieldError> {
        let name = crate::normalize::normalize(&self.name, None);
        if name.tokens.is_empty() && name.han.is_none() && name.hangul.is_none() {
            return Err(FieldError::EmptyName(self.name.clone()));
        }
        Ok(())
    }
}

/// A country that names no ISO 3166 country is compared as lowercase trimmed text.
pub fn country_key(country: &str) -> String {
    country.trim().to_lowercase()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_parse_with_precision() {
        let d: PartialDate = "1952-10".parse().unwrap();
        assert_eq!(
            d,
            PartialDate {
                year: 1952,
                month: Some(10),
                day: None
            }
        );
        assert!(d.agrees_with(&"1952-10-07".parse().unwrap()));
        assert!(!d.agrees_with(&"1952-11-07".parse().unwrap()));
        assert!("52".parse::<PartialDate>().is_err());
        assert!("1952-13".parse::<PartialDate>().is_err());
    }

    #[test]
    fn identifier_keys_ignore_formatting() {
        assert_eq!(Identifier::new("imo", "IMO 9187629").key(), "9187629");
        assert_eq!(Identifier::new("passport", "ab-123 456").key(), "AB123456");
        assert!("imo:".parse::<Identifier>().is_err());
    }

    #[test]
    fn schemas_are_compatible_within_families() {
        assert!(Schema::Company.is_compatible(Schema::Organization));
        assert!(Schema::LegalEntity.is_compatible(Schema::Person));
        assert!(!Schema::Person.is_compatible(Schema::Vessel));
    }
}
