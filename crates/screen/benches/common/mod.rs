//! What the screening benches share: a reproducible random generator and the candidates of
//! every readable list sample (`ACCORD_SANCTIONS_DATA`, default
//! `../../../shared/data/sanctions` from this crate), the UN list among them.

#![allow(dead_code, clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::path::{Path, PathBuf};

use accord_screen::{Candidate, CandidateName, NameKind, Schema};

/// A small deterministic generator (xorshift64*), so runs are reproducible.
pub struct Rng(pub u64);

impl Rng {
    pub fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }
    pub fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
    pub fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }
}

pub fn samples_dir() -> PathBuf {
    std::env::var_os("ACCORD_SANCTIONS_DATA").map_or_else(
        || Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/data/sanctions"),
        PathBuf::from,
    )
}

pub fn candidate(id: String, schema: Schema, names: Vec<String>) -> Candidate {
    let mut seen: Vec<String> = Vec::new();
    let names = names
        .into_iter()
        .map(|n| n.trim().to_owned())
        .filter(|n| !n.is_empty() && n != "-0-")
        .filter(|n| {
            let fresh = !seen.contains(n);
            seen.push(n.clone());
            fresh
        })
        .enumerate()
        .map(|(i, value)| CandidateName {
            value,
            kind: if i == 0 {
                NameKind::Primary
            } else {
                NameKind::Alias
            },
        })
        .collect();
    Candidate {
        id,
        schema,
        names,
        identifiers: vec![],
        birth_dates: vec![],
        countries: vec![],
    }
}

fn csv_reader(path: &Path, delimiter: u8, headers: bool) -> Option<csv::Reader<std::fs::File>> {
    csv::ReaderBuilder::new()
        .delimiter(delimiter)
        .has_headers(headers)
        .flexible(true)
        .from_path(path)
        .ok()
}

/// Names from every sample that can be read simply: OFAC SDN (+ aliases), OFAC
/// consolidated, UK OFSI, EU FSF, US CSL, OpenSanctions FtM, and the UN list.
pub fn samples(dir: &Path) -> Vec<Candidate> {
    let mut out: Vec<Candidate> = Vec::new();
    // OFAC SDN: sdn.csv (ent_num, name, type, …) and alt.csv (ent_num, alt_num, type, name).
    let mut ofac: Vec<(String, Schema, Vec<String>)> = Vec::new();
    for file in ["ofac_sdn_csv/sdn.csv", "ofac_cons_csv/cons_prim.csv"] {
        if let Some(mut reader) = csv_reader(&dir.join(file), b',', false) {
            for record in reader.records().flatten() {
                let schema = match record.get(2).map(str::trim) {
                    Some("individual") => Schema::Person,
                    Some("vessel") => Schema::Vessel,
                    Some("aircraft") => Schema::Aircraft,
                    _ => Schema::Organization,
                };
                let id = format!("{file}:{}", record.get(0).unwrap_or(""));
                ofac.push((id, schema, vec![record.get(1).unwrap_or("").to_owned()]));
            }
        }
    }
    if let Some(mut reader) = csv_reader(&dir.join("ofac_sdn_csv/alt.csv"), b',', false) {
        let mut by_id: std::collections::HashMap<String, usize> = std::collections::HashMap::new();
        for (i, (id, _, _)) in ofac.iter().enumerate() {
            by_id.insert(id.clone(), i);
        }
        for record in reader.records().flatten() {
            let id = format!("ofac_sdn_csv/sdn.csv:{}", record.get(0).unwrap_or(""));
            if let Some(&i) = by_id.get(&id) {
                ofac[i].2.push(record.get(3).unwrap_or("").to_owned());
            }
        }
    }
    out.extend(
        ofac.into_iter()
            .map(|(id, schema, names)| candidate(id, schema, names)),
    );
    // UK OFSI: two header lines; Name 6 is the surname, Name 1..5 the others.
    if let Some(mut reader) = csv_reader(&dir.join("uk_ofsi/sanctionsconlist.csv"), b',', false) {
        for (i, record) in reader.records().flatten().enumerate().skip(2) {
            let parts: Vec<&str> = (1..6)
                .filter_map(|c| record.get(c))
                .chain(record.get(0))
                .map(str::trim)
                .filter(|p| !p.is_empty())
                .collect();
            let schema = match record.get(23) {
                Some("Individual") => Schema::Person,
                Some("Ship") => Schema::Vessel,
                _ => Schema::Organization,
            };
            out.push(candidate(format!("uk:{i}"), schema, vec![parts.join(" ")]));
        }
    }
    // EU FSF (semicolon separated): Naal_wholename, subject type P/E.
    if let Some(mut reader) = csv_reader(&dir.join("eu_fsf/EUSanctionsShort.csv"), b';', true) {
        for (i, record) in reader.records().flatten().enumerate() {
            let schema = if record.get(2) == Some("P") {
                Schema::Person
            } else {
                Schema::Organization
            };
            let name = record.get(17).unwrap_or("").to_owned();
            out.push(candidate(format!("eu:{i}"), schema, vec![name]));
        }
    }
    // US CSL: name, alt_names separated by `;`.
    if let Some(mut reader) = csv_reader(&dir.join("us_csl/csl.csv"), b',', true) {
        for (i, record) in reader.records().flatten().enumerate() {
            let schema = if record.get(2) == Some("Individual") {
                Schema::Person
            } else {
                Schema::Organization
            };
            let mut names = vec![record.get(4).unwrap_or("").to_owned()];
            names.extend(record.get(21).unwrap_or("").split(';').map(str::to_owned));
            out.push(candidate(format!("csl:{i}"), schema, names));
        }
    }
    // OpenSanctions FollowTheMoney: one JSON entity per line.
    if let Ok(text) = std::fs::read_to_string(dir.join("opensanctions_ftm/entities.ftm.json")) {
        for line in text.lines() {
            let Ok(entity) = serde_json::from_str::<serde_json::Value>(line) else {
                continue;
            };
            let schema = entity["schema"]
                .as_str()
                .and_then(|s| s.parse().ok())
                .unwrap_or(Schema::LegalEntity);
            let names: Vec<String> = entity["properties"]["name"]
                .as_array()
                .map(|a| {
                    a.iter()
                        .filter_map(|v| v.as_str().map(str::to_owned))
                        .collect()
                })
                .unwrap_or_default();
            let id = entity["id"].as_str().unwrap_or("").to_owned();
            out.push(candidate(id, schema, names));
        }
    }
    out.extend(un_designations(dir));
    out.retain(|c| !c.names.is_empty());
    out
}

/// The UN Security Council consolidated list: individuals and entities with their names
/// (first to fourth name joined, the name in original script) and aliases (`Low` quality
/// ones as weak aliases). Ids are `un:DATAID`.
pub fn un_designations(dir: &Path) -> Vec<Candidate> {
    use quick_xml::events::Event;
    let Ok(text) = std::fs::read_to_string(dir.join("un_sc/UN_consolidated.xml")) else {
        return Vec::new();
    };
    let mut reader = quick_xml::Reader::from_str(&text);
    let mut out = Vec::new();
    let mut path: Vec<String> = Vec::new();
    let mut buffer = String::new();
    let mut id = String::new();
    let mut parts: Vec<String> = Vec::new();
    let mut names: Vec<CandidateName> = Vec::new();
    let mut alias_quality = String::new();
    let mut schema = Schema::Person;
    loop {
        match reader.read_event() {
            Ok(Event::Start(e)) => {
                let name = e.name().as_ref().to_owned();
                if name == "INDIVIDUAL" || name == "ENTITY" {
                    schema = if name == "INDIVIDUAL" {
                        Schema::Person
                    } else {
                        Schema::Organization
                    };
                    id.clear();
                    parts.clear();
                    names.clear();
                }
                buffer.clear();
                path.push(name);
            }
            Ok(Event::Text(t)) => buffer.push_str(&t.xml10_content()),
            Ok(Event::GeneralRef(r)) => {
                if let Ok(Some(c)) = r.resolve_char_ref() {
                    buffer.push(c);
                } else if let Some(s) =
                    quick_xml::escape::resolve_predefined_entity(&r.xml10_content())
                {
                    buffer.push_str(s);
                }
            }
            Ok(Event::End(_)) => {
                let closed = path.pop().unwrap_or_default();
                let parent = path.last().map(String::as_str).unwrap_or("");
                let value = buffer.trim().to_owned();
                buffer.clear();
                match (parent, closed.as_str()) {
                    ("INDIVIDUAL" | "ENTITY", "DATAID") => id = value,
                    (
                        "INDIVIDUAL" | "ENTITY",
                        "FIRST_NAME" | "SECOND_NAME" | "THIRD_NAME" | "FOURTH_NAME",
                    ) => parts.push(value),
                    ("INDIVIDUAL" | "ENTITY", "NAME_ORIGINAL_SCRIPT") => {
                        names.push(CandidateName {
                            value,
                            kind: NameKind::Alias,
                        })
                    }
                    (_, "QUALITY") => alias_quality = value,
                    // Several aliases may share one element, separated by `;`.
                    ("INDIVIDUAL_ALIAS" | "ENTITY_ALIAS", "ALIAS_NAME") => {
                        for alias in value.split(';').map(str::trim).filter(|a| !a.is_empty()) {
                            names.push(CandidateName {
                                value: alias.to_owned(),
                                kind: if alias_quality == "Low" {
                                    NameKind::WeakAlias
                                } else {
                                    NameKind::Alias
                                },
                            });
                        }
                    }
                    (_, "INDIVIDUAL" | "ENTITY") => {
                        let primary = parts.join(" ");
                        let mut all = vec![CandidateName {
                            value: primary,
                            kind: NameKind::Primary,
                        }];
                        all.append(&mut names);
                        all.retain(|n| !n.value.trim().is_empty());
                        out.push(Candidate {
                            id: format!("un:{id}"),
                            schema,
                            names: all,
                            identifiers: vec![],
                            birth_dates: vec![],
                            countries: vec![],
                        });
                    }
                    _ => {}
                }
            }
            Ok(Event::Eof) | Err(_) => break,
            _ => {}
        }
    }
    out
}
