//! Countries and sanctioning bodies: one table for the query side, the list side and the
//! jurisdictions `accord status` answers for.
//!
//! The table is ISO 3166-1 as the `keshvar` crate carries it (from the `countries` data
//! set): alpha-2 and alpha-3 codes, ISO short and long names, unofficial names in several
//! languages, the names in the languages it has translations for (the lists' English,
//! French, Spanish, Russian, Arabic, Chinese… among them) and the English demonym. On top
//! of it, [`ALIASES`] adds the few spellings the official lists use that the data set lacks
//! (`DPRK`, `DRC`, `UK`, `Emirati`…), and [`Body`] the bodies that sanction (UN, EU).
//!
//! A text is looked up by a key: transliterated to ASCII, lowercased, punctuation removed,
//! a leading `the` dropped, and `Korea, North` read as `North Korea`. A key that two
//! countries share in the data (`Congolese`) is dropped rather than guessed.
//!
//! Invariant: the same text always gives the same answer; building the table reads no
//! file and no clock.

use std::collections::HashMap;
use std::fmt;
use std::sync::OnceLock;

use crate::candidate::FieldError;

/// A country or territory of ISO 3166-1, by its alpha-2 code.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Country {
    alpha2: [u8; 2],
}

/// A body that makes or applies sanctions without being a country.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize)]
pub enum Body {
    /// The United Nations (Security Council sanctions).
    UnitedNations,
    /// The European Union.
    EuropeanUnion,
}

/// What a sanctions regime applies in: a country or a body.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Jurisdiction {
    /// A country (`GB`, `US`).
    Country(Country),
    /// A body (`UN`, `EU`).
    Body(Body),
}

/// Spellings the official lists use that the ISO data set lacks: abbreviations, the
/// adjectival names the UK list writes in its nationality column, and names in use since
/// the data set was written. Each maps to an alpha-2 code.
pub const ALIASES: &[(&str, &str)] = &[
    ("UK", "GB"),
    ("Great Britain", "GB"),
    ("Britain", "GB"),
    ("United Kingdom", "GB"),
    ("DPRK", "KP"),
    ("D.P.R.K.", "KP"),
    ("Korea, North", "KP"),
    ("North Korean", "KP"),
    ("Korea, South", "KR"),
    ("ROK", "KR"),
    ("DRC", "CD"),
    ("DR Congo", "CD"),
    ("Congo, Democratic Republic of the", "CD"),
    ("Congo, Republic of the", "CG"),
    ("UAE", "AE"),
    ("Emirati", "AE"),
    ("USA", "US"),
    ("U.S.", "US"),
    ("U.S.A.", "US"),
    ("United States", "US"),
    ("Saudi", "SA"),
    ("Burma", "MM"),
    ("Burmese", "MM"),
    ("Palestinian", "PS"),
    ("Palestinian Territories", "PS"),
    ("Gaza", "PS"),
    ("West Bank", "PS"),
    ("Syria", "SY"),
    ("Russia", "RU"),
    ("Iran", "IR"),
    ("Laos", "LA"),
    ("Vietnam", "VN"),
    ("Moldova", "MD"),
    ("Bolivia", "BO"),
    ("Venezuela", "VE"),
    ("Tanzania", "TZ"),
    ("Tanzanian", "TZ"),
    ("Turkey", "TR"),
    ("Turkiye", "TR"),
    ("Czech Republic", "CZ"),
    ("Macedonia", "MK"),
    ("North Macedonia", "MK"),
    ("Swaziland", "SZ"),
    ("Ivory Coast", "CI"),
    ("Cape Verde", "CV"),
    ("East Timor", "TL"),
    ("Vatican", "VA"),
    ("Holy See", "VA"),
    ("Brunei", "BN"),
    ("Micronesia", "FM"),
    ("EL", "GR"),
    ("Kosovar", "XK"),
    ("Kosovo", "XK"),
    ("Filipino", "PH"),
    ("Yemeni", "YE"),
    ("Iraqi", "IQ"),
    ("Kuwaiti", "KW"),
    ("Bahraini", "BH"),
    ("Qatari", "QA"),
    ("Omani", "OM"),
    ("Sudanese", "SD"),
    ("South Sudanese", "SS"),
    ("Somali", "SO"),
    ("Afghan", "AF"),
    ("Pakistani", "PK"),
    ("Bangladeshi", "BD"),
    ("Belarusian", "BY"),
    ("Byelorussian", "BY"),
    ("Central African", "CF"),
    ("Swedish", "SE"),
    ("Indian", "IN"),
    ("Nigerian", "NG"),
    ("Nigerien", "NE"),
    ("Chinese", "CN"),
    ("Uzbek", "UZ"),
];

/// Names of the bodies, as keys.
const BODIES: &[(&str, Body)] = &[
    ("UN", Body::UnitedNations),
    ("United Nations", Body::UnitedNations),
    ("UNSC", Body::UnitedNations),
    ("United Nations Security Council", Body::UnitedNations),
    ("EU", Body::EuropeanUnion),
    ("European Union", Body::EuropeanUnion),
];

/// Kosovo has no ISO 3166-1 code; lists and the EU use the user-assigned `XK`.
const KOSOVO: ([u8; 2], &str, &str) = (*b"XK", "XKX", "Kosovo");

struct Entry {
    alpha2: [u8; 2],
    alpha3: String,
    name: String,
}

struct Table {
    entries: Vec<Entry>,
    by_key: HashMap<String, usize>,
}

/// The comparison key of a country text: ASCII, lowercase, letters and digits in words
/// separated by one space, without a leading `the`.
fn key(text: &str) -> String {
    let ascii = any_ascii::any_ascii(text.trim()).to_ascii_lowercase();
    let words: Vec<&str> = ascii
        .split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|w| !w.is_empty())
        .collect();
    let words = match words.split_first() {
        Some((&"the", rest)) if !rest.is_empty() => rest,
        _ => &words[..],
    };
    words.join(" ")
}

fn table() -> &'static Table {
    static TABLE: OnceLock<Table> = OnceLock::new();
    TABLE.get_or_init(build)
}

/// One key's claim on a country while the table is built: how authoritative the source
/// (lower is stronger), the entry (`None` when two equally strong claims disagree), and
/// whether that entry is a UN member state.
#[derive(Clone, Copy)]
struct Claim {
    tier: u8,
    entry: Option<usize>,
    member: bool,
}

fn build() -> Table {
    let mut entries: Vec<Entry> = Vec::new();
    let mut keys: HashMap<String, Claim> = HashMap::new();
    // A stronger source wins; between equals, a member state wins over a territory
    // (`French`: France, not French Guiana); otherwise the key is ambiguous (`Congolese`).
    let add = |keys: &mut HashMap<String, Claim>, text: &str, claim: Claim| {
        let k = key(text);
        if k.is_empty() {
            return;
        }
        let merged = match keys.get(&k) {
            None => claim,
            Some(old) if claim.tier < old.tier => claim,
            Some(old) if claim.tier > old.tier || old.entry == claim.entry => *old,
            Some(old) if old.member != claim.member => {
                if claim.member {
                    claim
                } else {
                    *old
                }
            }
            Some(old) => Claim {
                entry: None,
                ..*old
            },
        };
        keys.insert(k, merged);
    };
    for country in keshvar::CountryIterator::new() {
        let alpha2 = country.alpha2().to_string();
        let Ok(code): Result<[u8; 2], _> = alpha2.as_bytes().try_into() else {
            continue;
        };
        let index = entries.len();
        entries.push(Entry {
            alpha2: code,
            alpha3: country.alpha3().to_string(),
            name: country.iso_short_name().to_owned(),
        });
        let claim = |tier| Claim {
            tier,
            entry: Some(index),
            member: country.un_member(),
        };
        for name in [country.iso_short_name(), country.iso_long_name()] {
            add(&mut keys, name, claim(1));
        }
        let common = country
            .unofficial_name_list()
            .iter()
            .copied()
            .chain(country.maybe_nationality());
        for name in common {
            add(&mut keys, name, claim(2));
        }
        for name in country.translations().values() {
            add(&mut keys, name, claim(3));
        }
    }
    if !entries.iter().any(|e| e.alpha2 == KOSOVO.0) {
        entries.push(Entry {
            alpha2: KOSOVO.0,
            alpha3: KOSOVO.1.to_owned(),
            name: KOSOVO.2.to_owned(),
        });
    }
    let mut by_key: HashMap<String, usize> = keys
        .into_iter()
        .filter_map(|(k, claim)| Some((k, claim.entry?)))
        .collect();
    // Codes and aliases last: they win over a name that happens to spell the same.
    for (index, entry) in entries.iter().enumerate() {
        by_key.insert(key(&String::from_utf8_lossy(&entry.alpha2)), index);
        by_key.insert(key(&entry.alpha3), index);
    }
    for (alias, code) in ALIASES {
        if let Some(index) = entries.iter().position(|e| e.alpha2 == code.as_bytes()) {
            by_key.insert(key(alias), index);
        }
    }
    Table { entries, by_key }
}

impl Country {
    fn entry(&self) -> Option<&'static Entry> {
        table().entries.iter().find(|e| e.alpha2 == self.alpha2)
    }

    /// The ISO 3166-1 alpha-2 code (`AF`).
    pub fn alpha2(&self) -> &str {
        std::str::from_utf8(&self.alpha2).unwrap_or("")
    }

    /// The ISO 3166-1 alpha-3 code (`AFG`).
    pub fn alpha3(&self) -> &'static str {
        self.entry().map_or("", |e| e.alpha3.as_str())
    }

    /// The ISO short name in English (`Afghanistan`).
    pub fn name(&self) -> &'static str {
        self.entry().map_or("", |e| e.name.as_str())
    }

    /// The country a text names: an alpha-2 or alpha-3 code, a name in any language the
    /// data set has, a demonym or an alias; `None` when it names none (or several).
    ///
    /// ```
    /// use accord_screen::country::Country;
    /// let af = Country::find("af").unwrap();
    /// assert_eq!(Country::find("Afghanistan"), Some(af));
    /// assert_eq!(Country::find("AFG"), Some(af));
    /// assert_eq!(Country::find("Afghan"), Some(af));
    /// assert_eq!(Country::find("UK"), Country::find("GB"));
    /// assert_eq!(Country::find("Korea, North"), Country::find("KP"));
    /// ```
    pub fn find(text: &str) -> Option<Country> {
        let table = table();
        let k = key(text);
        let found = table.by_key.get(&k).or_else(|| {
            // `Korea, North`, `Congo, Democratic Republic of the`: the part after the
            // comma first.
            let (head, tail) = text.split_once(',')?;
            table.by_key.get(&key(&format!("{tail} {head}")))
        })?;
        table
            .entries
            .get(*found)
            .map(|e| Country { alpha2: e.alpha2 })
    }
}

impl fmt::Display for Country {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.alpha2())
    }
}

impl serde::Serialize for Country {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.alpha2())
    }
}

impl Body {
    /// The code lists and agreements use (`UN`, `EU`).
    pub fn code(self) -> &'static str {
        match self {
            Body::UnitedNations => "UN",
            Body::EuropeanUnion => "EU",
        }
    }
}

impl Jurisdiction {
    /// The code of the jurisdiction: the country's alpha-2 code, or the body's.
    pub fn code(&self) -> &str {
        match self {
            Jurisdiction::Country(country) => country.alpha2(),
            Jurisdiction::Body(body) => body.code(),
        }
    }
}

impl fmt::Display for Jurisdiction {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

impl std::str::FromStr for Jurisdiction {
    type Err = FieldError;

    /// A body (`UN`, `EU`, `European Union`) or a country as [`Country::find`] reads it.
    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let k = key(text);
        if let Some((_, body)) = BODIES.iter().find(|(name, _)| key(name) == k) {
            return Ok(Jurisdiction::Body(*body));
        }
        match Country::find(text) {
            Some(country) if !k.is_empty() => Ok(Jurisdiction::Country(country)),
            _ => Err(FieldError::Country(text.to_owned())),
        }
    }
}

/// The countries a list's country or nationality field names. Lists write one country
/// (`Afghanistan`), several (`(1) Somali (2) Swedish`, `a) French, b) Tunisian`,
/// `Iraq; Syria`), or one with a remark (`Iranian (Iranian citizenship)`, `In Syria as at
/// June 2013`). Parts naming no country are left out.
pub fn countries_in(text: &str) -> Vec<Country> {
    if let Some(country) = Country::find(text) {
        return vec![country];
    }
    let mut found = Vec::new();
    for part in text.split([';', '/']) {
        let words: Vec<&str> = part.split_whitespace().collect();
        for group in words.split(|w| is_enumeration(w)) {
            if group.is_empty() {
                continue;
            }
            match Country::find(&group.join(" ")) {
                Some(country) => push_new(&mut found, country),
                None => countries_in_words(group, &mut found),
            }
        }
    }
    found
}

/// `(1)`, `1)`, `(a)`, `b)`: the markers lists number several values with.
fn is_enumeration(word: &str) -> bool {
    let inner = word.strip_prefix('(').unwrap_or(word);
    let Some(inner) = inner.strip_suffix(')').or_else(|| inner.strip_suffix("),")) else {
        return false;
    };
    !inner.is_empty()
        && inner.len() <= 2
        && (inner.chars().all(|c| c.is_ascii_digit())
            || (inner.len() == 1 && inner.chars().all(|c| ('a'..='h').contains(&c))))
}

fn push_new(found: &mut Vec<Country>, country: Country) {
    if !found.contains(&country) {
        found.push(country);
    }
}

/// The longest run of words that names a country, then the same on either side of it. A
/// lone word of two or three letters counts as a code only when written in capitals (the
/// `in` of `In Syria as at June 2013` is not India).
fn countries_in_words(words: &[&str], found: &mut Vec<Country>) {
    for len in (1..=words.len()).rev() {
        for start in 0..=words.len() - len {
            let Some(run) = words.get(start..start + len) else {
                continue;
            };
            let text = run.join(" ");
            let letters: String = text.chars().filter(|c| c.is_alphanumeric()).collect();
            if len == 1 && letters.len() <= 3 && letters.chars().any(|c| c.is_lowercase()) {
                continue;
            }
            if let Some(country) = Country::find(&text) {
                countries_in_words(words.get(..start).unwrap_or(&[]), found);
                push_new(found, country);
                countries_in_words(words.get(start + len..).unwrap_or(&[]), found);
                return;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_names_and_demonyms_meet() {
        let af = Country::find("AF").unwrap();
        for text in [
            "af",
            "AFG",
            "Afghanistan",
            "afghan",
            "Afganistán",
            "Афганистан",
        ] {
            assert_eq!(Country::find(text), Some(af), "{text}");
        }
        assert_eq!(af.alpha3(), "AFG");
        assert_eq!(af.name(), "Afghanistan");
        let kp = Country::find("KP").unwrap();
        for text in [
            "DPRK",
            "North Korea",
            "Korea, North",
            "Democratic People's Republic of Korea",
            "PRK",
        ] {
            assert_eq!(Country::find(text), Some(kp), "{text}");
        }
        assert_eq!(Country::find("UK"), Country::find("GB"));
        assert_eq!(
            Country::find("Iran (Islamic Republic of)"),
            Country::find("IR")
        );
        assert_eq!(Country::find("Atlantis"), None);
        assert_eq!(Country::find(""), None);
    }

    #[test]
    fn list_fields_with_several_countries() {
        let so = Country::find("SO").unwrap();
        let se = Country::find("SE").unwrap();
        assert_eq!(countries_in("(1) Somali (2) Swedish"), vec![so, se]);
        assert_eq!(
            countries_in("Iranian (Iranian citizenship)"),
            vec![Country::find("IR").unwrap()]
        );
        assert!(countries_in("unknown").is_empty());
    }

    #[test]
    fn jurisdictions_are_countries_or_bodies() {
        let parse = |t: &str| t.parse::<Jurisdiction>();
        assert_eq!(
            parse("UN").unwrap(),
            Jurisdiction::Body(Body::UnitedNations)
        );
        assert_eq!(
            parse("eu").unwrap(),
            Jurisdiction::Body(Body::EuropeanUnion)
        );
        assert_eq!(parse("UK").unwrap().code(), "GB");
        assert_eq!(parse("GB").unwrap(), parse("UK").unwrap());
        assert_eq!(parse("USA").unwrap().code(), "US");
        for bad in ["XX", "", "  "] {
            assert_eq!(
                parse(bad),
                Err(FieldError::Country(bad.to_owned())),
                "{bad}"
            );
        }
    }
}
