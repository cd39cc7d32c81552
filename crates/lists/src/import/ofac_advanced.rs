//! OFAC SDN Advanced XML (`Sanctions` root): `ReferenceValueSets` (the code tables),
//! `Locations`, `IDRegDocuments`, `DistinctParties`, `ProfileRelationships`,
//! `SanctionsEntries`. Parties refer to code tables and locations by id, and sanctions
//! entries (programme, listing date, legal basis) refer to parties by profile id and come
//! after them. So: the code tables and the locations (both small next to the parties) are
//! held in memory; each `DistinctParty` is yielded as a designation (identifier: its
//! `FixedRef`, the `ent_num` of the legacy files) and each `SanctionsEntry` as a fragment
//! of the same identifier, which the store merges.
//!
//! Not read yet: `IDRegDocuments` (identity documents) and `ProfileRelationships`.
//!
//! A complete file: the root `Sanctions` closed, with its `DateOfIssue` and the sections
//! read here (`ReferenceValueSets`, `Locations`, `DistinctParties`, `SanctionsEntries`).
//! The file states no record count. Each sanctions entry names its list (`ListID`, e.g.
//! `SDN List`): the lists are declared, so that an SDN file is not imported as the
//! consolidated list or the reverse.

use std::collections::{BTreeSet, HashMap};
use std::io::Read;

use super::scan::End;
use super::xml::{Node, XmlStream};
use super::{Source, note_list};
use crate::declared::Declared;
use crate::{
    BirthDate, Designation, ErrorKind, Format, ImportError, NameKind, PartialDate, Schema,
};

pub(crate) struct OfacAdvanced<R: Read> {
    xml: XmlStream<R>,
    /// `ElementName:ID` → the reference value element.
    references: HashMap<String, Node>,
    locations: HashMap<String, String>,
    published: Option<PartialDate>,
    lists: BTreeSet<String>,
}

impl<R: Read> OfacAdvanced<R> {
    pub fn new(reader: R, origin: String) -> Self {
        OfacAdvanced {
            xml: XmlStream::new(reader, origin, Format::OfacAdvancedXml, "Sanctions"),
            references: HashMap::new(),
            locations: HashMap::new(),
            published: None,
            lists: BTreeSet::new(),
        }
    }

    fn reference(&self, kind: &str, id: &str) -> Option<&Node> {
        self.references.get(&format!("{kind}:{id}"))
    }

    fn reference_text(&self, kind: &str, id: &str) -> &str {
        self.reference(kind, id).map_or("", |n| n.text.trim())
    }
}

fn date(node: &Node) -> Option<PartialDate> {
    let num = |k: &str| node.text_of(k).parse::<u32>().ok();
    PartialDate::new(node.text_of("Year").parse().ok()?, num("Month"), num("Day"))
}

impl<R: Read> Source for OfacAdvanced<R> {
    fn location(&self) -> crate::Location {
        self.xml.location()
    }

    fn next_record(&mut self) -> Option<Result<Designation, ImportError>> {
        loop {
            let item = match self.xml.next_item(|path, name| match path.len() {
                1 => name == "ReferenceValueSets" || name == "DateOfIssue",
                2 => matches!(
                    (path.get(1).map(String::as_str), name),
                    (Some("Locations"), "Location")
                        | (Some("DistinctParties"), "DistinctParty")
                        | (Some("SanctionsEntries"), "SanctionsEntry")
                ),
                _ => false,
            })? {
                Ok(item) => item,
                Err(e) => return Some(Err(e)),
            };
            let node = item.node;
            match node.name.as_str() {
                "DateOfIssue" => self.published = date(&node),
                "ReferenceValueSets" => {
                    for set in node.children {
                        for value in set.children {
                            let key = format!("{}:{}", value.name, value.attr("ID"));
                            self.references.insert(key, value);
                        }
                    }
                }
                "Location" => {
                    let text = self.location_text(&node);
                    self.locations.insert(node.attr("ID").to_owned(), text);
                }
                "DistinctParty" => {
                    let id = node.attr("FixedRef");
                    if id.is_empty() {
                        return Some(Err(self.xml.error(ErrorKind::Record(
                            "a `DistinctParty` without `FixedRef`".into(),
                        ))));
                    }
                    return Some(Ok(self.party(&node, id)));
                }
                _ => {
                    let id = node.attr("ProfileID");
                    if id.is_empty() {
                        return Some(Err(self.xml.error(ErrorKind::Record(
                            "a `SanctionsEntry` without `ProfileID`".into(),
                        ))));
                    }
                    let list = self.reference_text("List", node.attr("ListID")).to_owned();
                    if let Err(message) = note_list(&mut self.lists, &list) {
                        return Some(Err(self.xml.error(ErrorKind::Record(message))));
                    }
                    return Some(Ok(self.entry(&node, id)));
                }
            }
        }
    }

    fn finish(&mut self, end: &End, declared: &mut Declared) -> Result<(), ImportError> {
        self.xml.require_sections(
            end,
            &[
                "DateOfIssue",
                "ReferenceValueSets",
                "Locations",
                "DistinctParties",
                "SanctionsEntries",
            ],
            "OFAC",
        )?;
        declared.published = self.published;
        if self.published.is_none() {
            return Err(self.xml.end_error(
                end,
                ErrorKind::Incomplete("`DateOfIssue` is not a valid date".into()),
            ));
        }
        declared.lists = std::mem::take(&mut self.lists);
        Ok(())
    }
}

impl<R: Read> OfacAdvanced<R> {
    fn location_text(&self, node: &Node) -> String {
        let mut parts: Vec<String> = node
            .at_path(&["LocationPart", "LocationPartValue"])
            .iter()
            .map(|v| v.text_of("Value").to_owned())
            .filter(|v| !v.is_empty())
            .collect();
        for c in node.children("LocationCountry") {
            let country = self.reference_text("Country", c.attr("CountryID"));
            if !country.is_empty() && !parts.iter().any(|p| p == country) {
                parts.push(country.to_owned());
            }
        }
        parts.join(", ")
    }

    fn party(&self, node: &Node, id: &str) -> Designation {
        let mut d = Designation::new(id);
        let Some(profile) = node.child("Profile") else {
            return d;
        };
        let sub_type = self.reference("PartySubType", profile.attr("PartySubTypeID"));
        d.schema = Some(
            match sub_type.map(|s| (s.text.trim(), s.attr("PartyTypeID"))) {
                Some(("Vessel", _)) => Schema::Vessel,
                Some(("Aircraft", _)) => Schema::Aircraft,
                Some((_, "1")) => Schema::Person,
                _ => Schema::Organization,
            },
        );
        for identity in profile.children("Identity") {
            for alias in identity.children("Alias") {
                let alias_type = self.reference_text("AliasType", alias.attr("AliasTypeID"));
                let kind = if alias.attr("Primary") == "true" {
                    NameKind::Primary
                } else if alias.attr("LowQuality") == "true" {
                    NameKind::WeakAlias
                } else if alias_type == "F.K.A." {
                    NameKind::Former
                } else {
                    NameKind::Alias
                };
                for name in alias.children("DocumentedName") {
                    let parts: Vec<&str> = name
                        .at_path(&["DocumentedNamePart", "NamePartValue"])
                        .iter()
                        .map(|v| v.text.trim())
                        .filter(|v| !v.is_empty())
                        .collect();
                    d.add_name(kind, &parts.join(" "));
                }
            }
        }
        for feature in profile.children("Feature") {
            let feature_type = self.reference_text("FeatureType", feature.attr("FeatureTypeID"));
            for version in feature.children("FeatureVersion") {
                let mut values: Vec<String> = Vec::new();
                for detail in version.children("VersionDetail") {
                    let text = detail.text.trim();
                    if text.is_empty() {
                        let referenced = self
                            .reference_text("DetailReference", detail.attr("DetailReferenceID"));
                        values.push(referenced.to_owned());
                    } else {
                        values.push(text.to_owned());
                    }
                }
                for location in version.children("VersionLocation") {
                    if let Some(text) = self.locations.get(location.attr("LocationID")) {
                        values.push(text.clone());
                    }
                }
                if let Some(period) = version.child("DatePeriod") {
                    let start = period.child("Start");
                    let from = start.and_then(|s| s.child("From")).and_then(date);
                    let to = period
                        .child("End")
                        .and_then(|e| e.child("To"))
                        .and_then(date);
                    if let Some(from) = from {
                        let approximate = start.is_some_and(|s| s.attr("Approximate") == "true");
                        let until = to.filter(|t| *t != from);
                        if feature_type == "Birthdate" {
                            d.birth_dates.push(BirthDate {
                                date: from,
                                until,
                                approximate,
                            });
                            continue;
                        }
                        values.push(from.to_string());
                    }
                }
                for value in values.iter().filter(|v| !v.is_empty()) {
                    match feature_type {
                        "Place of Birth" => Designation::push(&mut d.birth_places, value),
                        "Nationality Country" | "Citizenship Country" => {
                            Designation::push(&mut d.nationalities, value);
                        }
                        "Location" => Designation::push(&mut d.addresses, value),
                        "Vessel Call Sign" => d.add_identifier("call_sign", value, None, None),
                        "Vessel Flag" => Designation::push(&mut d.countries, value),
                        "Title" => Designation::push(&mut d.positions, value),
                        "SWIFT/BIC" => d.add_identifier("swift_bic", value, None, None),
                        "Gender" => {}
                        other => Designation::push(&mut d.remarks, &format!("{other}: {value}")),
                    }
                }
            }
        }
        d
    }

    fn entry(&self, node: &Node, id: &str) -> Designation {
        let mut d = Designation::new(id);
        for event in node.children("EntryEvent") {
            let basis = self.reference_text("LegalBasis", event.attr("LegalBasisID"));
            if basis != "Unknown" {
                Designation::push(&mut d.legal_basis, basis);
            }
            if let Some(when) = event.child("Date").and_then(date) {
                d.listed_on = Some(d.listed_on.map_or(when, |l| l.min(when)));
            }
        }
        for measure in node.children("SanctionsMeasure") {
            let comment = measure.text_of("Comment");
            if measure.attr("SanctionsTypeID") == "1" {
                Designation::push(&mut d.programmes, comment);
            } else {
                let kind = self.reference_text("SanctionsType", measure.attr("SanctionsTypeID"));
                Designation::push(&mut d.measures, kind);
            }
        }
        d
    }
}
