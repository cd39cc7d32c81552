//! The OpenSanctions-compatible screening service (yente's API shapes): the datasets a
//! client may screen against, and an index of each built once per import of the lists.
//!
//! Nothing here matches names: the candidates are `accord_app::screen::candidate_from`'s,
//! the scores `accord_screen::Index`'s. This module only keeps the built indexes, turns a
//! yente query into screening queries (one per name), and answers in yente's words.
//!
//! INVARIANT: an index answers for the lists as the store held them when it was built;
//! the cache is keyed by the latest import of every source, read at each request, so an
//! import is seen by the next request.

use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, Mutex};

use accord_lists::Designation;
use accord_screen::{Hit, Identifier, Index, PartialDate, Query, Schema, Settings};
use accord_store::lists::ImportSummary;
use serde_json::{Map, Value, json};

/// The dataset of every imported list.
pub const DEFAULT_DATASET: &str = "default";

/// The most queries one request may carry.
pub const MAX_QUERIES: usize = 100;

/// The most results a query may ask for.
pub const MAX_LIMIT: usize = 500;

/// The designations of one state of the lists, and the indexes built over them so far.
pub struct Loaded {
    key: Vec<(String, i64)>,
    /// The latest import of each source, in source order.
    pub imports: Vec<ImportSummary>,
    designations: Vec<Designation>,
    by_candidate: HashMap<String, usize>,
    by_entity: HashMap<String, usize>,
    indexes: Mutex<HashMap<String, Arc<Index>>>,
    /// The `default` dataset's index, held here so that it can be lent by reference.
    default_index: std::sync::OnceLock<Arc<Index>>,
}

impl Loaded {
    /// Whether `dataset` is one this server answers for.
    pub fn has_dataset(&self, dataset: &str) -> bool {
        dataset == DEFAULT_DATASET || self.imports.iter().any(|i| i.source == dataset)
    }

    /// The datasets' names, `default` first.
    pub fn dataset_names(&self) -> Vec<String> {
        std::iter::once(DEFAULT_DATASET.to_owned())
            .chain(self.imports.iter().map(|i| i.source.clone()))
            .collect()
    }

    /// The index of a dataset (one of [`Loaded::has_dataset`]), built on first use.
    pub fn index(&self, dataset: &str) -> Arc<Index> {
        let mut indexes = self
            .indexes
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        indexes
            .entry(dataset.to_owned())
            .or_insert_with(|| {
                Arc::new(Index::build(
                    self.designations
                        .iter()
                        .filter(|d| dataset == DEFAULT_DATASET || d.source == dataset)
                        .map(accord_app::screen::candidate_from)
                        .collect(),
                ))
            })
            .clone()
    }

    /// A designation by its entity id (`accord-SOURCE-ID`, as the FtM export names it).
    pub fn entity(&self, id: &str) -> Option<&Designation> {
        self.by_entity
            .get(id)
            .and_then(|&i| self.designations.get(i))
    }

    pub fn by_candidate(&self, id: &str) -> Option<&Designation> {
        self.by_candidate
            .get(id)
            .and_then(|&i| self.designations.get(i))
    }
}

/// A status query by name screens against the `default` dataset's index: every listed
/// designation, built once per state of the lists rather than per query.
impl accord_app::status::ListedNames for Loaded {
    fn index(&self) -> &Index {
        self.default_index
            .get_or_init(|| Loaded::index(self, DEFAULT_DATASET))
    }

    fn designation(&self, candidate_id: &str) -> Option<&Designation> {
        self.by_candidate(candidate_id)
    }
}

/// The loaded lists, shared by every request.
#[derive(Default)]
pub struct Cache(Mutex<Option<Arc<Loaded>>>);

impl std::fmt::Debug for Cache {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Cache").finish_non_exhaustive()
    }
}

impl Cache {
    /// What a status query screens a name against ([`accord_app::status::status_with`]):
    /// the lists as the store holds them now for a name, nothing for an entity id.
    pub fn names_for(
        &self,
        store: &accord_app::Store,
        who: &accord_app::status::Who,
    ) -> accord_app::Result<Option<Arc<Loaded>>> {
        match who {
            accord_app::status::Who::Name(_) => self.current(store).map(Some),
            accord_app::status::Who::Entity(_) => Ok(None),
        }
    }

    /// The lists as the store holds them now: the loaded ones if no import happened
    /// since, else read again (blocking: call on the blocking pool).
    pub fn current(&self, store: &accord_app::Store) -> accord_app::Result<Arc<Loaded>> {
        let imports = accord_app::service::latest_imports(store)?;
        let key: Vec<(String, i64)> = imports
            .iter()
            .map(|i| (i.source.clone(), i.import_id))
            .collect();
        let mut slot = self
            .0
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if let Some(loaded) = slot.as_ref().filter(|l| l.key == key) {
            return Ok(loaded.clone());
        }
        let designations = accord_app::service::listed_designations(store)?;
        let by_candidate = designations
            .iter()
            .enumerate()
            .map(|(i, d)| (accord_app::screen::candidate_id(d), i))
            .collect();
        let by_entity = designations
            .iter()
            .enumerate()
            .map(|(i, d)| (accord_lists::ftm_export::entity_id(d), i))
            .collect();
        let loaded = Arc::new(Loaded {
            key,
            imports,
            designations,
            by_candidate,
            by_entity,
            indexes: Mutex::new(HashMap::new()),
            default_index: std::sync::OnceLock::new(),
        });
        *slot = Some(loaded.clone());
        Ok(loaded)
    }
}

/// A property's values: yente takes one string or a list of them.
#[derive(Debug, Clone, serde::Deserialize)]
#[serde(untagged)]
pub enum Values {
    /// One value.
    One(String),
    /// Several.
    Many(Vec<String>),
}

impl Values {
    fn list(&self) -> Vec<String> {
        match self {
            Values::One(v) => vec![v.clone()],
            Values::Many(vs) => vs.clone(),
        }
    }
}

/// One query of a match request: an example entity, as yente's `EntityExample`.
#[derive(Debug, Clone, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Example {
    /// The client's id for the entity, echoed back.
    #[serde(default)]
    pub id: Option<String>,
    /// Its FollowTheMoney schema (`Person`, `Company`, `Organization`, `LegalEntity`,
    /// `Vessel`, `Airplane`).
    pub schema: String,
    /// Its properties, by FollowTheMoney name.
    #[serde(default)]
    pub properties: BTreeMap<String, Values>,
}

/// The body of `POST /v1/match/{dataset}`.
#[derive(Debug, Clone, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MatchRequest {
    /// The queries, keyed by the client.
    pub queries: BTreeMap<String, Example>,
}

/// Properties whose values are names.
const NAME_PROPERTIES: [&str; 4] = ["name", "alias", "previousName", "weakAlias"];
/// Properties whose values are countries.
const COUNTRY_PROPERTIES: [&str; 5] = [
    "nationality",
    "citizenship",
    "country",
    "jurisdiction",
    "mainCountry",
];
/// Properties whose values are identifiers, with the identifier kind they are.
const IDENTIFIER_PROPERTIES: [(&str, &str); 9] = [
    ("idNumber", ""),
    ("passportNumber", "passport"),
    ("registrationNumber", "registration"),
    ("imoNumber", "imo"),
    ("taxNumber", "tax"),
    ("innCode", "tax"),
    ("ogrnCode", "registration"),
    ("leiCode", "lei"),
    ("swiftBic", "swift"),
];

/// A query read: the example as given, and what screening is asked (one query per name).
#[derive(Debug, Clone)]
pub struct Parsed {
    example: Example,
    queries: Vec<Query>,
}

/// Reads one example; the error says what is wrong with it (the caller names the key).
pub fn parse(example: Example) -> Result<Parsed, String> {
    let schema = match example.schema.as_str() {
        "Airplane" => Schema::Aircraft,
        other => other.parse::<Schema>().map_err(|e| e.to_string())?,
    };
    let values = |names: &[&str]| -> Vec<String> {
        names
            .iter()
            .filter_map(|n| example.properties.get(*n))
            .flat_map(Values::list)
            .map(|v| v.trim().to_owned())
            .filter(|v| !v.is_empty())
            .collect()
    };
    let names = values(&NAME_PROPERTIES);
    if names.is_empty() {
        return Err("it has no `name`: Accord screens names".to_owned());
    }
    let birth_dates = values(&["birthDate"])
        .iter()
        .map(|d| d.parse::<PartialDate>().map_err(|e| e.to_string()))
        .collect::<Result<Vec<_>, String>>()?;
    // Screening compares one date of birth: the first given.
    let birth_date = birth_dates.first().copied();
    let countries = values(&COUNTRY_PROPERTIES);
    let identifiers: Vec<Identifier> = IDENTIFIER_PROPERTIES
        .iter()
        .flat_map(|(property, kind)| {
            values(&[property])
                .into_iter()
                .map(|v| Identifier::new(kind, &v))
        })
        .collect();
    let queries = names
        .into_iter()
        .map(|name| Query {
            name,
            schemas: vec![schema],
            birth_date,
            countries: countries.clone(),
            identifiers: identifiers.clone(),
        })
        .collect();
    Ok(Parsed { example, queries })
}

/// A search (yente's `/search`): the text `q` as a name, against entities of `schema`
/// (`Thing` or none: any schema).
pub fn search(q: &str, schema: Option<&str>) -> Result<Parsed, String> {
    let schemas = match schema {
        None | Some("Thing") => vec![],
        Some("Airplane") => vec![Schema::Aircraft],
        Some(other) => vec![other.parse::<Schema>().map_err(|e| e.to_string())?],
    };
    let name = q.trim().to_owned();
    if name.is_empty() {
        return Err("`q` is empty: give a name to search for".to_owned());
    }
    let example = Example {
        id: None,
        schema: schema.unwrap_or("Thing").to_owned(),
        properties: BTreeMap::from([("name".to_owned(), Values::One(name.clone()))]),
    };
    let queries = vec![Query {
        name,
        schemas,
        birth_date: None,
        countries: vec![],
        identifiers: vec![],
    }];
    Ok(Parsed { example, queries })
}

/// How to screen and report: yente's `threshold` (a result scoring at least this is a
/// `match`), `cutoff` (results scoring less are not reported) and `limit`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Scoring {
    /// The match threshold.
    pub threshold: f64,
    /// The reporting cutoff.
    pub cutoff: f64,
    /// The most results per query.
    pub limit: usize,
}

/// Screens one query: each of its names against the index, the best hit of each
/// candidate kept, best first.
pub fn screen(index: &Index, parsed: &Parsed, scoring: Scoring) -> Vec<Hit> {
    let settings = Settings {
        threshold: scoring.cutoff,
        limit: scoring.limit,
        ..Settings::default()
    };
    let mut best: HashMap<String, Hit> = HashMap::new();
    for query in &parsed.queries {
        for hit in index.screen(query, &settings) {
            match best.get(&hit.candidate_id) {
                Some(kept) if kept.score >= hit.score => {}
                _ => {
                    best.insert(hit.candidate_id.clone(), hit);
                }
            }
        }
    }
    let mut hits: Vec<Hit> = best.into_values().collect();
    hits.sort_by(|a, b| {
        b.score
            .total_cmp(&a.score)
            .then_with(|| a.candidate_id.cmp(&b.candidate_id))
    });
    hits.truncate(scoring.limit);
    hits
}

/// A designation as yente shows an entity: its FollowTheMoney entity (as the FtM export
/// writes it), with a caption and the datasets it is in.
pub fn entity(d: &Designation, today: accord_core::time::Date) -> Map<String, Value> {
    let mut entity = accord_lists::ftm_export::entities(d, &[], today)
        .into_iter()
        .next()
        .and_then(|v| match v {
            Value::Object(map) => Some(map),
            _ => None,
        })
        .unwrap_or_default();
    let caption = d.names.first().map(|n| n.full.clone()).unwrap_or_default();
    entity.insert("caption".to_owned(), json!(caption));
    entity.insert("datasets".to_owned(), json!([d.source]));
    entity.insert("referents".to_owned(), json!([]));
    entity.insert("target".to_owned(), json!(true));
    entity
}

/// The features of a hit, as yente names them: each a number.
fn features(hit: &Hit) -> Value {
    let e = &hit.explanation;
    let mut features = Map::new();
    features.insert("name".to_owned(), json!(e.name.score));
    if let Some(factor) = e.weak_alias_factor {
        features.insert("weak_alias".to_owned(), json!(factor));
    }
    if e.identifier.is_some() {
        features.insert("identifier".to_owned(), json!(1.0));
    }
    if let Some(a) = &e.birth_date {
        features.insert("birth_date".to_owned(), json!(a.delta));
    }
    if let Some(a) = &e.country {
        features.insert("country".to_owned(), json!(a.delta));
    }
    Value::Object(features)
}

/// One query's response: yente's `EntityMatches`.
pub fn response(
    loaded: &Loaded,
    parsed: &Parsed,
    hits: &[Hit],
    scoring: Scoring,
    today: accord_core::time::Date,
) -> Value {
    let results: Vec<Value> = hits
        .iter()
        .filter_map(|hit| {
            let d = loaded.by_candidate(&hit.candidate_id)?;
            let mut result = entity(d, today);
            result.insert("score".to_owned(), json!(hit.score));
            result.insert("match".to_owned(), json!(hit.score >= scoring.threshold));
            result.insert("features".to_owned(), features(hit));
            result.insert(
                "explanations".to_owned(),
                serde_json::to_value(&hit.explanation).unwrap_or(Value::Null),
            );
            result.insert("matched_name".to_owned(), json!(hit.matched_name));
            Some(Value::Object(result))
        })
        .collect();
    let properties: Map<String, Value> = parsed
        .example
        .properties
        .iter()
        .map(|(k, v)| (k.clone(), json!(v.list())))
        .collect();
    let mut query = Map::new();
    if let Some(id) = &parsed.example.id {
        query.insert("id".to_owned(), json!(id));
    }
    query.insert("schema".to_owned(), json!(parsed.example.schema));
    query.insert("properties".to_owned(), Value::Object(properties));
    json!({
        "status": 200,
        "total": {"value": results.len(), "relation": "eq"},
        "results": results,
        "query": query,
    })
}

/// The catalog: `default` (every list) and each imported list, as yente lists datasets.
pub fn catalog(loaded: &Loaded) -> Value {
    let sources: Vec<&str> = loaded.imports.iter().map(|i| i.source.as_str()).collect();
    let total: i64 = loaded.imports.iter().map(|i| i.n_records).sum();
    let mut datasets = vec![json!({
        "name": DEFAULT_DATASET,
        "title": "Every imported list",
        "type": "collection",
        "children": sources,
        "entity_count": total,
        "load": true,
    })];
    for i in &loaded.imports {
        datasets.push(json!({
            "name": i.source,
            "title": i.source,
            "type": "source",
            "version": i.import_id.to_string(),
            "updated_at": i.observed_at,
            "published": i.published,
            "entity_count": i.n_records,
            "load": true,
        }));
    }
    json!({
        "datasets": datasets,
        "current": loaded.dataset_names(),
        "outdated": [],
        "index_stale": false,
    })
}
