//! OFAC legacy XML (`SDN.XML`, `CONS_PRIM.XML`): root `sdnList`, a `publshInformation`
//! block (OFAC's spelling) with `Publish_Date` (`MM/DD/YYYY`), then one `sdnEntry` per
//! target with `uid`, `firstName`, `lastName`, `sdnType`, `programList/program`,
//! `akaList/aka`, `idList/id`, `addressList/address`, `dateOfBirthList/dateOfBirthItem`,
//! `placeOfBirthList/placeOfBirthItem`, `nationalityList/nationality`,
//! `citizenshipList/citizenship` and `vesselInfo`. Written from OFAC's published schema
//! (`sdn.xsd`); no real sample was available (see `docs/design.md`).
//!
//! A complete file: the root `sdnList` closed, its `publshInformation` with a
//! `Publish_Date` and a `Record_Count` equal to the number of `sdnEntry` elements. The count
//! makes even a file cut at an entry boundary and closed again detectable.

use std::io::Read;

use super::Source;
use super::ofac_csv::{lift_remark_facts, parse_ofac_birth};
use super::scan::End;
use super::xml::{Node, XmlStream};
use crate::declared::Declared;
use crate::{Designation, ErrorKind, Format, ImportError, NameKind, PartialDate, Schema};

pub(crate) struct OfacXml<R: Read> {
    xml: XmlStream<R>,
    /// `publshInformation`, once read: its `Publish_Date` and `Record_Count` as written.
    information: Option<(String, String)>,
    entries: u64,
}

impl<R: Read> OfacXml<R> {
    pub fn new(reader: R, origin: String) -> Self {
        OfacXml {
            xml: XmlStream::new(reader, origin, Format::OfacXml, "sdnList"),
            information: None,
            entries: 0,
        }
    }
}

impl<R: Read> Source for OfacXml<R> {
    fn location(&self) -> crate::Location {
        self.xml.location()
    }

    fn next_record(&mut self) -> Option<Result<Designation, ImportError>> {
        loop {
            let item = match self.xml.next_item(|path, name| {
                path.len() == 1 && (name == "sdnEntry" || name == "publshInformation")
            })? {
                Ok(item) => item,
                Err(e) => return Some(Err(e)),
            };
            let node = item.node;
            if node.name == "publshInformation" {
                self.information = Some((
                    node.text_of("Publish_Date").to_owned(),
                    node.text_of("Record_Count").to_owned(),
                ));
                continue;
            }
            self.entries += 1;
            let uid = node.text_of("uid");
            if uid.is_empty() {
                return Some(Err(self
                    .xml
                    .error(ErrorKind::Record("an `sdnEntry` without `uid`".into()))));
            }
            return Some(Ok(designation(&node, uid)));
        }
    }

    fn finish(&mut self, end: &End, declared: &mut Declared) -> Result<(), ImportError> {
        let incomplete = |what: String| self.xml.end_error(end, ErrorKind::Incomplete(what));
        let Some((date, count)) = &self.information else {
            return Err(incomplete(
                "`sdnList` has no `publshInformation`, which OFAC puts in every file".into(),
            ));
        };
        declared.published = PartialDate::parse_mdy(date);
        if declared.published.is_none() {
            return Err(incomplete(format!(
                "`publshInformation/Publish_Date` is `{date}`, not a date `MM/DD/YYYY`"
            )));
        }
        let Ok(count) = count.parse::<u64>() else {
            return Err(incomplete(format!(
                "`publshInformation/Record_Count` is `{count}`, not a number"
            )));
        };
        declared.declared_records = Some(count);
        if count != self.entries {
            return Err(self.xml.end_error(
                end,
                ErrorKind::CountMismatch {
                    declared: count,
                    found: self.entries,
                    what: "`publshInformation/Record_Count`".into(),
                },
            ));
        }
        Ok(())
    }
}

fn full_name(node: &Node) -> String {
    let (first, last) = (node.text_of("firstName"), node.text_of("lastName"));
    match (first.is_empty(), last.is_empty()) {
        (true, _) => last.to_owned(),
        (false, true) => first.to_owned(),
        // OFAC's own rendering in the CSV: `LAST, First`.
        (false, false) => format!("{last}, {first}"),
    }
}

fn designation(node: &Node, uid: &str) -> Designation {
    let mut d = Designation::new(uid);
    d.schema = Some(
        match node.text_of("sdnType").to_ascii_lowercase().as_str() {
            "individual" => Schema::Person,
            "vessel" => Schema::Vessel,
            "aircraft" => Schema::Aircraft,
            _ => Schema::Organization,
        },
    );
    d.add_name(NameKind::Primary, &full_name(node));
    Designation::push(&mut d.positions, node.text_of("title"));
    for p in node.at_path(&["programList", "program"]) {
        Designation::push(&mut d.programmes, &p.text);
    }
    let remarks = node.text_of("remarks");
    Designation::push(&mut d.remarks, remarks);
    lift_remark_facts(&mut d, remarks);
    for a in node.at_path(&["akaList", "aka"]) {
        let kind = match (a.text_of("type"), a.text_of("category")) {
            ("f.k.a.", _) => NameKind::Former,
            (_, "weak") => NameKind::WeakAlias,
            _ => NameKind::Alias,
        };
        d.add_name(kind, &full_name(a));
    }
    for i in node.at_path(&["idList", "id"]) {
        let label = i.text_of("idType");
        let kind = match label {
            "Passport" => "passport",
            "National ID No." => "national_id",
            "Vessel Registration Identification" => "imo",
            "Registration ID" => "registration",
            other => other,
        };
        let country = Some(i.text_of("idCountry")).filter(|c| !c.is_empty());
        let value = i.text_of("idNumber");
        d.add_identifier(
            kind,
            value.strip_prefix("IMO ").unwrap_or(value),
            country,
            None,
        );
    }
    for a in node.at_path(&["addressList", "address"]) {
        let parts: Vec<&str> = [
            "address1",
            "address2",
            "address3",
            "city",
            "stateOrProvince",
            "postalCode",
            "country",
        ]
        .iter()
        .map(|k| a.text_of(k))
        .filter(|p| !p.is_empty())
        .collect();
        Designation::push(&mut d.addresses, &parts.join(", "));
    }
    for b in node.at_path(&["dateOfBirthList", "dateOfBirthItem"]) {
        d.birth_dates
            .extend(parse_ofac_birth(b.text_of("dateOfBirth")));
    }
    for p in node.at_path(&["placeOfBirthList", "placeOfBirthItem"]) {
        Designation::push(&mut d.birth_places, p.text_of("placeOfBirth"));
    }
    for n in node.at_path(&["nationalityList", "nationality"]) {
        Designation::push(&mut d.nationalities, n.text_of("country"));
    }
    for n in node.at_path(&["citizenshipList", "citizenship"]) {
        Designation::push(&mut d.nationalities, n.text_of("country"));
    }
    if let Some(v) = node.child("vesselInfo") {
        d.add_identifier("call_sign", v.text_of("callSign"), None, None);
        Designation::push(&mut d.countries, v.text_of("vesselFlag"));
    }
    d
}
