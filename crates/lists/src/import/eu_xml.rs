//! EU Financial Sanctions File XML 1.1 (`export` root, `sanctionEntity` records). The
//! identifier is the FSF `logicalId` (the same key as `Entity_logical_id` in the CSV
//! flavour); `euReferenceNumber` and `unitedNationId` are kept as identifiers. The listing
//! date is `designationDate`, or when absent the earliest `regulation/@publicationDate`.
//!
//! A complete file: the root `export` closed, with its `generationDate`. The file states
//! no record count (`globalFileId` numbers the file, not its records).

use std::io::Read;

use super::Source;
use super::scan::End;
use super::xml::{Node, XmlStream};
use crate::declared::Declared;
use crate::{
    BirthDate, Designation, ErrorKind, Format, ImportError, NameKind, PartialDate, Schema,
};

pub(crate) struct EuXml<R: Read> {
    xml: XmlStream<R>,
}

impl<R: Read> EuXml<R> {
    pub fn new(reader: R, origin: String) -> Self {
        EuXml {
            xml: XmlStream::new(reader, origin, Format::EuXml, "export"),
        }
    }
}

impl<R: Read> Source for EuXml<R> {
    fn location(&self) -> crate::Location {
        self.xml.location()
    }

    fn next_record(&mut self) -> Option<Result<Designation, ImportError>> {
        let item = match self
            .xml
            .next_item(|path, name| path.len() == 1 && name == "sanctionEntity")?
        {
            Ok(item) => item,
            Err(e) => return Some(Err(e)),
        };
        let node = item.node;
        let id = node.attr("logicalId");
        if id.is_empty() {
            return Some(Err(self.xml.error(ErrorKind::Record(
                "a `sanctionEntity` without `logicalId`".into(),
            ))));
        }
        Some(Ok(designation(&node, id)))
    }

    fn finish(&mut self, end: &End, declared: &mut Declared) -> Result<(), ImportError> {
        let generated = self
            .xml
            .root
            .as_ref()
            .map_or("", |r| r.attr("generationDate"));
        declared.published = PartialDate::parse_iso(generated);
        if declared.published.is_none() {
            return Err(self.xml.end_error(end, ErrorKind::Incomplete(format!(
                "`export` has no valid `generationDate` (`{generated}`), which the EU puts on every Financial Sanctions File"
            ))));
        }
        Ok(())
    }
}

fn some(s: &str) -> Option<&str> {
    Some(s).filter(|s| !s.is_empty())
}

fn designation(node: &Node, id: &str) -> Designation {
    let mut d = Designation::new(id);
    d.schema = Some(
        match node.child("subjectType").map_or("", |s| s.attr("code")) {
            "person" => Schema::Person,
            _ => Schema::Organization,
        },
    );
    d.add_identifier("eu_reference", node.attr("euReferenceNumber"), None, None);
    d.add_identifier("un_reference", node.attr("unitedNationId"), None, None);
    Designation::push(&mut d.remarks, node.attr("designationDetails"));
    d.listed_on = PartialDate::parse_iso(node.attr("designationDate"));
    let mut earliest: Option<PartialDate> = None;
    for r in node.children("regulation") {
        Designation::push(&mut d.programmes, r.attr("programme"));
        Designation::push(&mut d.legal_basis, r.attr("numberTitle"));
        if let Some(date) = PartialDate::parse_iso(r.attr("publicationDate")) {
            earliest = Some(earliest.map_or(date, |e| e.min(date)));
        }
        if d.source_url.is_none() {
            d.source_url = some(r.text_of("publicationUrl")).map(str::to_owned);
        }
    }
    d.listed_on = d.listed_on.or(earliest);
    for n in node.children("nameAlias") {
        let kind = if n.attr("strong") == "false" {
            NameKind::WeakAlias
        } else {
            NameKind::Alias
        };
        let mut whole = n.attr("wholeName").to_owned();
        if whole.is_empty() {
            whole = [
                n.attr("firstName"),
                n.attr("middleName"),
                n.attr("lastName"),
            ]
            .into_iter()
            .filter(|p| !p.is_empty())
            .collect::<Vec<_>>()
            .join(" ");
        }
        d.add_name(kind, &whole);
        Designation::push(&mut d.positions, n.attr("function"));
        Designation::push(&mut d.positions, n.attr("title"));
    }
    // The FSF marks no name as primary: the first strong alias is the caption.
    if let Some(first) = d.names.iter_mut().find(|n| n.kind == NameKind::Alias) {
        first.kind = NameKind::Primary;
    }
    for b in node.children("birthdate") {
        let date = PartialDate::parse_iso(b.attr("birthdate")).or_else(|| {
            let num = |k: &str| b.attr(k).parse::<u32>().ok();
            PartialDate::new(
                b.attr("year").parse().ok()?,
                num("monthOfYear"),
                num("dayOfMonth"),
            )
        });
        if let Some(date) = date {
            d.birth_dates.push(BirthDate {
                date,
                until: None,
                approximate: b.attr("circa") == "true",
            });
        }
        let place: Vec<&str> = [
            b.attr("place"),
            b.attr("city"),
            b.attr("region"),
            b.attr("countryDescription"),
        ]
        .into_iter()
        .filter(|p| !p.is_empty() && *p != "-" && *p != "UNKNOWN")
        .collect();
        Designation::push(&mut d.birth_places, &place.join(", "));
    }
    for i in node.children("identification") {
        let kind = match i.attr("identificationTypeCode") {
            "passport" => "passport",
            "id" => "national_id",
            "regnumber" => "registration",
            "imo" => "imo",
            other => other,
        };
        let country = some(i.attr("countryDescription")).filter(|c| *c != "UNKNOWN");
        d.add_identifier(kind, i.attr("number"), country, some(i.attr("remark")));
    }
    for c in node.children("citizenship") {
        if c.attr("countryDescription") != "UNKNOWN" {
            Designation::push(&mut d.nationalities, c.attr("countryDescription"));
        }
    }
    for a in node.children("address") {
        let parts: Vec<&str> = [
            "street",
            "poBox",
            "city",
            "zipCode",
            "region",
            "place",
            "countryDescription",
        ]
        .into_iter()
        .map(|k| a.attr(k))
        .filter(|p| !p.is_empty() && *p != "UNKNOWN")
        .collect();
        Designation::push(&mut d.addresses, &parts.join(", "));
    }
    for r in node.texts_of("remark") {
        Designation::push(&mut d.remarks, r);
    }
    d
}
