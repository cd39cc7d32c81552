//! UN Security Council consolidated list XML (`CONSOLIDATED_LIST` with `INDIVIDUALS/
//! INDIVIDUAL` and `ENTITIES/ENTITY`). The identifier is the UN reference number
//! (`CDi.001`), the one cited in resolutions and press releases; `DATAID` is kept as an
//! identifier. Empty placeholder elements (`<ALIAS_NAME/>`) are skipped; dates sit in
//! `VALUE` children or in `DATE`/`YEAR`/`FROM_YEAR`…`TO_YEAR` by `TYPE_OF_DATE`.
//!
//! A complete file: the root `CONSOLIDATED_LIST` closed, with its `dateGenerated` and both
//! its `INDIVIDUALS` and `ENTITIES` sections. The list states no record count, so a file
//! cut at a record boundary is known by its missing closing tags.

use std::io::Read;

use super::Source;
use super::scan::End;
use super::xml::{Node, XmlStream};
use crate::declared::Declared;
use crate::{
    BirthDate, Designation, ErrorKind, Format, ImportError, NameKind, PartialDate, Schema,
};

pub(crate) struct UnXml<R: Read> {
    xml: XmlStream<R>,
}

impl<R: Read> UnXml<R> {
    pub fn new(reader: R, origin: String) -> Self {
        UnXml {
            xml: XmlStream::new(reader, origin, Format::UnXml, "CONSOLIDATED_LIST"),
        }
    }
}

impl<R: Read> Source for UnXml<R> {
    fn location(&self) -> crate::Location {
        self.xml.location()
    }

    fn next_record(&mut self) -> Option<Result<Designation, ImportError>> {
        let item = match self
            .xml
            .next_item(|path, name| path.len() == 2 && (name == "INDIVIDUAL" || name == "ENTITY"))?
        {
            Ok(item) => item,
            Err(e) => return Some(Err(e)),
        };
        let node = item.node;
        let mut id = node.text_of("REFERENCE_NUMBER").to_owned();
        if id.is_empty() {
            id = node.text_of("DATAID").to_owned();
        }
        if id.is_empty() {
            return Some(Err(self.xml.error(ErrorKind::Record(
                "a record without `REFERENCE_NUMBER` or `DATAID`".into(),
            ))));
        }
        Some(Ok(designation(&node, id)))
    }

    /// A complete UN list has both sections (either may be empty) and the date it was
    /// generated on its root.
    fn finish(&mut self, end: &End, declared: &mut Declared) -> Result<(), ImportError> {
        self.xml
            .require_sections(end, &["INDIVIDUALS", "ENTITIES"], "the UN Security Council")?;
        let generated = self
            .xml
            .root
            .as_ref()
            .map_or("", |r| r.attr("dateGenerated"));
        declared.published = PartialDate::parse_iso(generated);
        if declared.published.is_none() {
            return Err(self.xml.end_error(end, ErrorKind::Incomplete(format!(
                "`CONSOLIDATED_LIST` has no valid `dateGenerated` (`{generated}`), which the UN Security Council puts on every list"
            ))));
        }
        Ok(())
    }
}

fn designation(node: &Node, id: String) -> Designation {
    let mut d = Designation::new(id);
    let person = node.name == "INDIVIDUAL";
    d.schema = Some(if person {
        Schema::Person
    } else {
        Schema::Organization
    });
    let parts: Vec<&str> = ["FIRST_NAME", "SECOND_NAME", "THIRD_NAME", "FOURTH_NAME"]
        .iter()
        .map(|n| node.text_of(n))
        .filter(|p| !p.is_empty())
        .collect();
    d.add_name(NameKind::Primary, &parts.join(" "));
    d.add_name(NameKind::Primary, node.text_of("NAME_ORIGINAL_SCRIPT"));
    d.add_identifier("un_dataid", node.text_of("DATAID"), None, None);
    d.add_identifier("un_reference", node.text_of("REFERENCE_NUMBER"), None, None);
    Designation::push(&mut d.programmes, node.text_of("UN_LIST_TYPE"));
    d.listed_on = PartialDate::parse_iso(node.text_of("LISTED_ON"));
    Designation::push(&mut d.remarks, node.text_of("COMMENTS1"));
    for v in node.at_path(&["TITLE", "VALUE"]) {
        Designation::push(&mut d.positions, &v.text);
    }
    for v in node.at_path(&["DESIGNATION", "VALUE"]) {
        Designation::push(&mut d.positions, &v.text);
    }
    for v in node.at_path(&["NATIONALITY", "VALUE"]) {
        Designation::push(&mut d.nationalities, &v.text);
    }
    let alias = if person {
        "INDIVIDUAL_ALIAS"
    } else {
        "ENTITY_ALIAS"
    };
    for a in node.children(alias) {
        let kind = match a.text_of("QUALITY").to_ascii_lowercase().as_str() {
            "low" => NameKind::WeakAlias,
            "f.k.a." | "fka" => NameKind::Former,
            _ => NameKind::Alias,
        };
        d.add_name(kind, a.text_of("ALIAS_NAME"));
    }
    let address = if person {
        "INDIVIDUAL_ADDRESS"
    } else {
        "ENTITY_ADDRESS"
    };
    for a in node.children(address) {
        let parts: Vec<&str> = [
            "STREET",
            "CITY",
            "STATE_PROVINCE",
            "ZIP_CODE",
            "COUNTRY",
            "NOTE",
        ]
        .iter()
        .map(|n| a.text_of(n))
        .filter(|p| !p.is_empty())
        .collect();
        Designation::push(&mut d.addresses, &parts.join(", "));
    }
    for b in node.children("INDIVIDUAL_DATE_OF_BIRTH") {
        let kind = b.text_of("TYPE_OF_DATE");
        let birth = match kind {
            "BETWEEN" => year(b.text_of("FROM_YEAR")).map(|date| BirthDate {
                date,
                until: year(b.text_of("TO_YEAR")),
                approximate: false,
            }),
            _ => PartialDate::parse_iso(b.text_of("DATE"))
                .or_else(|| year(b.text_of("YEAR")))
                .map(|date| BirthDate {
                    date,
                    until: None,
                    approximate: kind == "APPROXIMATELY",
                }),
        };
        d.birth_dates.extend(birth);
    }
    for p in node.children("INDIVIDUAL_PLACE_OF_BIRTH") {
        let parts: Vec<&str> = ["CITY", "STATE_PROVINCE", "COUNTRY"]
            .iter()
            .map(|n| p.text_of(n))
            .filter(|x| !x.is_empty())
            .collect();
        Designation::push(&mut d.birth_places, &parts.join(", "));
    }
    for doc in node.children("INDIVIDUAL_DOCUMENT") {
        let label = doc.text_of("TYPE_OF_DOCUMENT");
        let kind = match label.to_ascii_lowercase().as_str() {
            "passport" => "passport".to_owned(),
            "national identification number" => "national_id".to_owned(),
            other => other.to_owned(),
        };
        let country = Some(doc.text_of("ISSUING_COUNTRY")).filter(|c| !c.is_empty());
        let note = Some(doc.text_of("NOTE")).filter(|c| !c.is_empty());
        d.add_identifier(&kind, doc.text_of("NUMBER"), country, note);
    }
    d
}

fn year(s: &str) -> Option<PartialDate> {
    PartialDate::new(s.trim().parse().ok()?, None, None)
}
