//! FollowTheMoney export of the designations and the relief in force (issue #6, part 6).
//!
//! Each listed designation becomes its FtM entity (`Person`, `Organization`, `Vessel`,
//! `Airplane`, or `LegalEntity` when the kind is not stated) with its names, and one
//! `Sanction` entity for the listing whose `status` is `active`, `delisted` (a delisting
//! the engine put in force) or `wind_down`. Each measure suspension in force under a
//! regime that covers the listing adds a `Sanction` with `status` `suspended` whose
//! `provisions` name the measure and its sectors. Every property value is a list of
//! strings, as FtM requires.
//!
//! Invariants: the status comes only from [`crate::in_force::compose`], which only trusts
//! the engine's relief statuses; entity ids are stable (`accord-` + source + id, slugged),
//! so two exports of the same store give the same ids.

use accord_core::agreement::ReliefKind;
use serde_json::{Map, Value, json};

use crate::in_force::{self, Evaluated, Matched, Outcome, Question};
use crate::model::{Designation, NameKind, Schema};

/// The FtM id of a designation's entity: `accord-SOURCE-ID`, lowercase, with every
/// character other than a letter or digit replaced by `-`.
pub fn entity_id(d: &Designation) -> String {
    slug(&format!("accord-{}-{}", d.source, d.source_id))
}

fn slug(s: &str) -> String {
    s.chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() {
                c.to_ascii_lowercase()
            } else {
                '-'
            }
        })
        .collect()
}

/// The FtM entities for one listed designation: the entity itself, then its `Sanction`s.
pub fn entities(
    d: &Designation,
    agreements: &[Evaluated<'_>],
    date: accord_core::time::Date,
) -> Vec<Value> {
    let id = entity_id(d);
    let mut out = vec![designated_entity(d, &id)];
    let Some(jurisdiction) = in_force::jurisdiction_of(&d.source) else {
        out.push(sanction(
            d,
            &id,
            &format!("{id}-sanction"),
            "active",
            None,
            None,
            Vec::new(),
        ));
        return out;
    };
    let matched = Matched {
        designation: d.clone(),
        listed: true,
        listing: format!("in the latest import of `{}`", d.source),
        matched: "export".to_owned(),
    };
    let question = Question {
        activity: None,
        jurisdictions: vec![jurisdiction.to_owned()],
        date,
    };
    let status = in_force::compose(std::slice::from_ref(&matched), agreements, &question);
    let listing = status
        .jurisdictions
        .first()
        .and_then(|j| j.listings.first());
    let (state, end, relief) = match listing {
        Some(l) if l.outcome == Outcome::Relieved => (
            "delisted",
            l.relief.iter().filter_map(|r| r.since).min(),
            l.relief
                .iter()
                .map(|r| format!("{} ({}: {})", r.title, r.agreement, r.action))
                .collect(),
        ),
        Some(l) if l.outcome == Outcome::WindDown => (
            "wind_down",
            l.until,
            l.relief
                .iter()
                .map(|r| format!("{} ({}: {}) winds down", r.title, r.agreement, r.action))
                .collect(),
        ),
        _ => ("active", None, Vec::new()),
    };
    out.push(sanction(
        d,
        &id,
        &format!("{id}-sanction"),
        state,
        None,
        end,
        relief,
    ));
    // Measure suspensions in force under a regime that covers the listing.
    let regimes = listing.map(|l| l.basis.regimes.clone()).unwrap_or_default();
    for e in agreements {
        for (_, action) in e.agreement.actions() {
            let ReliefKind::SuspendMeasure { measure, sectors } = &action.kind else {
                continue;
            };
            if !regimes.iter().any(|r| {
                r.agreement == e.agreement.id.as_str() && r.regime == action.regime.as_str()
            }) {
                continue;
            }
            let Some(s) = e
                .state
                .relief
                .iter()
                .find(|s| s.id == action.id && s.status.relieves())
            else {
                continue;
            };
            let declared = e
                .agreement
                .regimes
                .iter()
                .find(|r| r.id == action.regime)
                .and_then(|r| r.measures.iter().find(|m| m.id == *measure));
            let sectors = match (sectors.is_empty(), declared) {
                (false, _) => sectors.clone(),
                (true, Some(m)) => m.sectors.clone(),
                (true, None) => Vec::new(),
            };
            let mut provision = format!("{} suspended", measure.as_str());
            if let Some(m) = declared {
                provision = format!("{provision}: {}", m.description);
            }
            if !sectors.is_empty() {
                provision = format!("{provision} (sectors: {})", sectors.join(", "));
            }
            let sid = slug(&format!(
                "{id}-{}-{}",
                e.agreement.id.as_str(),
                action.id.as_str()
            ));
            let mut v = sanction(
                d,
                &id,
                &sid,
                "suspended",
                s.since,
                s.until,
                vec![format!(
                    "{} ({}: {})",
                    action.title,
                    e.agreement.id.as_str(),
                    action.id.as_str()
                )],
            );
            if let Some(props) = v.get_mut("properties").and_then(Value::as_object_mut) {
                props.insert("provisions".to_owned(), json!([provision]));
            }
            out.push(v);
        }
    }
    out
}

fn designated_entity(d: &Designation, id: &str) -> Value {
    let schema = match d.schema {
        Some(Schema::Person) => "Person",
        Some(Schema::Organization) => "Organization",
        Some(Schema::Vessel) => "Vessel",
        Some(Schema::Aircraft) => "Airplane",
        Some(Schema::Other) | None => "LegalEntity",
    };
    let mut props = Map::new();
    let names: Vec<&str> = d
        .names
        .iter()
        .filter(|n| n.kind == NameKind::Primary)
        .map(|n| n.full.as_str())
        .collect();
    let names = if names.is_empty() {
        d.names.iter().take(1).map(|n| n.full.as_str()).collect()
    } else {
        names
    };
    props.insert("name".to_owned(), json!(names));
    let aliases: Vec<&str> = d
        .names
        .iter()
        .filter(|n| n.kind == NameKind::Alias)
        .map(|n| n.full.as_str())
        .collect();
    insert(
        &mut props,
        "alias",
        aliases.iter().map(|s| (*s).to_owned()).collect(),
    );
    let weak: Vec<String> = d
        .names
        .iter()
        .filter(|n| n.kind == NameKind::WeakAlias)
        .map(|n| n.full.clone())
        .collect();
    insert(&mut props, "weakAlias", weak);
    let former: Vec<String> = d
        .names
        .iter()
        .filter(|n| n.kind == NameKind::Former)
        .map(|n| n.full.clone())
        .collect();
    insert(&mut props, "previousName", former);
    if schema == "Person" {
        insert(
            &mut props,
            "birthDate",
            d.birth_dates.iter().map(|b| b.date.to_string()).collect(),
        );
        insert(&mut props, "nationality", d.nationalities.clone());
    }
    insert(&mut props, "country", d.countries.clone());
    insert(&mut props, "topics", vec!["sanction".to_owned()]);
    json!({ "id": id, "schema": schema, "properties": props })
}

fn sanction(
    d: &Designation,
    entity: &str,
    id: &str,
    status: &str,
    start: Option<accord_core::time::Date>,
    end: Option<accord_core::time::Date>,
    relief: Vec<String>,
) -> Value {
    let mut props = Map::new();
    props.insert("entity".to_owned(), json!([entity]));
    let authority = match in_force::jurisdiction_of(&d.source) {
        Some(j) => format!("{j} ({})", d.source),
        None => d.source.clone(),
    };
    props.insert("authority".to_owned(), json!([authority]));
    props.insert("authorityId".to_owned(), json!([d.source_id]));
    insert(&mut props, "program", d.programmes.clone());
    insert(&mut props, "provisions", d.measures.clone());
    props.insert("status".to_owned(), json!([status]));
    let start = start
        .map(|s| s.to_string())
        .or_else(|| d.listed_on.map(|p| p.to_string()));
    insert(&mut props, "startDate", start.into_iter().collect());
    insert(
        &mut props,
        "listingDate",
        d.listed_on.map(|p| p.to_string()).into_iter().collect(),
    );
    let end = end
        .map(|e| e.to_string())
        .or_else(|| d.expires_on.map(|p| p.to_string()));
    insert(&mut props, "endDate", end.into_iter().collect());
    let mut reason: Vec<String> = d.legal_basis.clone();
    reason.extend(relief);
    insert(&mut props, "reason", reason);
    insert(
        &mut props,
        "sourceUrl",
        d.source_url.clone().into_iter().collect(),
    );
    json!({ "id": id, "schema": "Sanction", "properties": props })
}

/// Adds a property unless it has no value (FtM omits empty properties).
fn insert(props: &mut Map<String, Value>, key: &str, values: Vec<String>) {
    if !values.is_empty() {
        props.insert(key.to_owned(), json!(values));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Name;

    #[test]
    fn without_agreements_a_listing_exports_as_active_with_stable_ids() {
        let mut d = Designation::new("EU.1001.23");
        d.source = "eu-fsf".to_owned();
        d.schema = Some(Schema::Vessel);
        d.names.push(Name::new(NameKind::Primary, "Ocean Breeze"));
        d.names.push(Name::new(NameKind::Former, "Sea Wind"));
        d.programmes = vec!["EU.ARDEN".to_owned()];
        let date = "2026-06-01".parse().expect("date");
        let out = entities(&d, &[], date);
        assert_eq!(out.len(), 2);
        assert_eq!(out[0]["id"], "accord-eu-fsf-eu-1001-23");
        assert_eq!(out[0]["schema"], "Vessel");
        assert_eq!(out[0]["properties"]["previousName"][0], "Sea Wind");
        assert_eq!(out[1]["schema"], "Sanction");
        assert_eq!(out[1]["properties"]["status"][0], "active");
        assert_eq!(
            out[1]["properties"]["entity"][0],
            "accord-eu-fsf-eu-1001-23"
        );
        assert!(out[1]["properties"].get("endDate").is_none());
        assert_eq!(entities(&d, &[], date), out);
    }
}
