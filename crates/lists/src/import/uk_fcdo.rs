//! UK FCDO "UK Sanctions List" XML (`Designations` root, `Designation` records). The
//! identifier is the UK `UniqueID` (`AFG0001`); the OFSI group id and UN reference number
//! are kept as identifiers. Dates are `DD/MM/YYYY` with `dd`/`mm` for unknown parts.
//!
//! A complete file: the root `Designations` closed, with its `DateGenerated`. The file
//! states no record count.

use std::io::Read;

use super::Source;
use super::scan::End;
use super::xml::{Node, XmlStream};
use crate::declared::Declared;
use crate::{
    BirthDate, Designation, ErrorKind, Format, ImportError, NameKind, PartialDate, Schema,
};

pub(crate) struct UkFcdo<R: Read> {
    xml: XmlStream<R>,
    generated: Option<PartialDate>,
}

impl<R: Read> UkFcdo<R> {
    pub fn new(reader: R, origin: String) -> Self {
        UkFcdo {
            xml: XmlStream::new(reader, origin, Format::UkFcdoXml, "Designations"),
            generated: None,
        }
    }
}

impl<R: Read> Source for UkFcdo<R> {
    fn location(&self) -> crate::Location {
        self.xml.location()
    }

    fn next_record(&mut self) -> Option<Result<Designation, ImportError>> {
        loop {
            let item = match self.xml.next_item(|path, name| {
                path.len() == 1 && (name == "Designation" || name == "DateGenerated")
            })? {
                Ok(item) => item,
                Err(e) => return Some(Err(e)),
            };
            let node = item.node;
            if node.name == "DateGenerated" {
                self.generated = PartialDate::parse_dmy(&node.text);
                continue;
            }
            let id = node.text_of("UniqueID");
            if id.is_empty() {
                return Some(Err(self.xml.error(ErrorKind::Record(
                    "a `Designation` without `UniqueID`".into(),
                ))));
            }
            return Some(Ok(designation(&node, id)));
        }
    }

    fn finish(&mut self, end: &End, declared: &mut Declared) -> Result<(), ImportError> {
        declared.published = self.generated;
        if self.generated.is_none() {
            return Err(self.xml.end_error(end, ErrorKind::Incomplete(
                "`Designations` has no valid `DateGenerated`, which the FCDO puts on every UK Sanctions List".into(),
            )));
        }
        Ok(())
    }
}

fn designation(node: &Node, id: &str) -> Designation {
    let mut d = Designation::new(id);
    d.schema = Some(match node.text_of("IndividualEntityShip") {
        "Individual" => Schema::Person,
        "Ship" => Schema::Vessel,
        _ => Schema::Organization,
    });
    d.add_identifier("ofsi_group_id", node.text_of("OFSIGroupID"), None, None);
    d.add_identifier(
        "un_reference",
        node.text_of("UNReferenceNumber"),
        None,
        None,
    );
    for n in node.at_path(&["Names", "Name"]) {
        let parts: Vec<&str> = ["Name1", "Name2", "Name3", "Name4", "Name5", "Name6"]
            .iter()
            .map(|k| n.text_of(k))
            .filter(|p| !p.is_empty())
            .collect();
        let kind = match (n.text_of("NameType"), n.text_of("AliasStrength")) {
            ("Primary Name" | "Primary Name Variation", _) => NameKind::Primary,
            (_, "Weak" | "Low") => NameKind::WeakAlias,
            _ => NameKind::Alias,
        };
        d.add_name(kind, &parts.join(" "));
    }
    for n in node.at_path(&["NonLatinNames", "NonLatinName"]) {
        d.add_name(NameKind::Primary, n.text_of("NameNonLatinScript"));
    }
    for t in node.at_path(&["Titles", "Title"]) {
        Designation::push(&mut d.positions, &t.text);
    }
    Designation::push(&mut d.programmes, node.text_of("RegimeName"));
    for m in node.text_of("SanctionsImposed").split('|') {
        Designation::push(&mut d.measures, m);
    }
    d.listed_on = PartialDate::parse_dmy(node.text_of("DateDesignated"));
    Designation::push(&mut d.remarks, node.text_of("OtherInformation"));
    Designation::push(&mut d.remarks, node.text_of("UKStatementofReasons"));
    for a in node.at_path(&["Addresses", "Address"]) {
        let parts: Vec<&str> = a
            .children
            .iter()
            .filter(|c| {
                c.name.starts_with("AddressLine")
                    || c.name == "AddressPostalCode"
                    || c.name == "AddressCountry"
            })
            .map(|c| c.text.trim())
            .filter(|p| !p.is_empty())
            .collect();
        Designation::push(&mut d.addresses, &parts.join(", "));
    }
    for i in node.at_path(&["IndividualDetails", "Individual"]) {
        for dob in i.at_path(&["DOBs", "DOB"]) {
            if let Some(date) = PartialDate::parse_dmy(&dob.text) {
                d.birth_dates.push(BirthDate {
                    date,
                    until: None,
                    approximate: false,
                });
            }
        }
        for n in i.at_path(&["Nationalities", "Nationality"]) {
            Designation::push(&mut d.nationalities, &n.text);
        }
        for p in i.at_path(&["Positions", "Position"]) {
            Designation::push(&mut d.positions, &p.text);
        }
        for p in i.at_path(&["PassportDetails", "Passport"]) {
            let note = Some(p.text_of("PassportAdditionalInformation")).filter(|s| !s.is_empty());
            d.add_identifier("passport", p.text_of("PassportNumber"), None, note);
        }
        for p in i.at_path(&["NationalIdentifierDetails", "NationalIdentifier"]) {
            let note = Some(p.text_of("NationalIdentifierAdditionalInformation"))
                .filter(|s| !s.is_empty());
            d.add_identifier(
                "national_id",
                p.text_of("NationalIdentifierNumber"),
                None,
                note,
            );
        }
        for l in i.at_path(&["BirthDetails", "Location"]) {
            let parts: Vec<&str> = ["TownOfBirth", "CountryOfBirth"]
                .iter()
                .map(|k| l.text_of(k))
                .filter(|p| !p.is_empty())
                .collect();
            Designation::push(&mut d.birth_places, &parts.join(", "));
        }
    }
    for e in node.at_path(&["EntityDetails", "Entity"]) {
        for r in e.at_path(&["BusinessRegistrationNumbers", "BusinessRegistrationNumber"]) {
            d.add_identifier("registration", &r.text, None, None);
        }
        for t in e.at_path(&["TypeOfEntities", "TypeOfEntity"]) {
            Designation::push(
                &mut d.remarks,
                &format!("Type of entity: {}", t.text.trim()),
            );
        }
    }
    for s in node.at_path(&["ShipDetails", "Ship"]) {
        for imo in s.at_path(&["IMONumbers", "IMONumber"]) {
            let value = imo.text.trim();
            d.add_identifier(
                "imo",
                value.strip_prefix("IMO").unwrap_or(value),
                None,
                None,
            );
        }
        for f in s.at_path(&["CurrentBelievedFlagOfShips", "CurrentBelievedFlagOfShip"]) {
            Designation::push(&mut d.countries, &f.text);
        }
    }
    d
}
