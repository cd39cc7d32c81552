//! The JSON Schema of the agreement format, for editors that validate as you type.
//!
//! The structs here describe the *file* (the TOML shape a policy officer writes), not the
//! core model: they exist only to derive the schema, with descriptions from their doc
//! comments. The reader in `read.rs` is the authority on what is accepted; the tests check
//! that every example validates against this schema and that the schema knows exactly the
//! keys the reader knows.
//!
//! TOML dates (`2026-01-15` unquoted) and instants appear in JSON as strings, which is what
//! an editor's TOML-to-JSON bridge gives; the schema accepts both quoted and native forms.

use schemars::JsonSchema;

/// The JSON Schema (draft 2020-12) of the agreement format.
pub fn schema() -> serde_json::Value {
    let schema = schemars::generate::SchemaSettings::draft2020_12()
        .into_generator()
        .into_root_schema_for::<AgreementFile>();
    let mut value = schema.to_value();
    strip_null(&mut value);
    per_type(&mut value, "Indicator", INDICATOR_FIELDS);
    per_type(&mut value, "Action", ACTION_FIELDS);
    if let Some(obj) = value.as_object_mut() {
        obj.insert(
            "$id".into(),
            serde_json::Value::String("https://accord.example/schema/agreement.json".into()),
        );
    }
    value
}

/// The keys each indicator `type` takes (all required), as the reader enforces them.
const INDICATOR_FIELDS: &[(&str, &[&str], &[&str])] = &[
    ("threshold", &["comparison", "limit", "unit"], &[]),
    ("flag", &["expected"], &[]),
    ("count", &["comparison", "limit"], &[]),
    ("deadline", &["due"], &[]),
    ("grade", &["scale", "pass"], &[]),
];

/// The keys each action `type` requires, and those it also allows.
const ACTION_FIELDS: &[(&str, &[&str], &[&str])] = &[
    ("suspend_measure", &["measure"], &["sectors"]),
    ("terminate_measure", &["measure"], &["sectors"]),
    ("delist", &["entities"], &[]),
    ("general_licence", &["licence", "scope"], &["activities"]),
    ("unfreeze", &["amount", "currency", "measure"], &[]),
    ("cooperation", &["area"], &[]),
];

/// Adds `if type = X then (these keys required, the other types' keys absent)` to a
/// definition whose table is flat with a `type` discriminator, so that editors catch a
/// threshold without a limit or a `limit` on a flag, as the reader does.
fn per_type(schema: &mut serde_json::Value, definition: &str, fields: &[(&str, &[&str], &[&str])]) {
    use serde_json::{Value, json};
    let every: Vec<&str> = fields
        .iter()
        .flat_map(|(_, req, opt)| req.iter().chain(opt.iter()).copied())
        .collect();
    let rules: Vec<Value> = fields
        .iter()
        .map(|(ty, required, optional)| {
            let forbidden: serde_json::Map<String, Value> = every
                .iter()
                .filter(|k| !required.contains(k) && !optional.contains(k))
                .map(|k| ((*k).to_owned(), Value::Bool(false)))
                .collect();
            json!({
                "if": { "properties": { "type": { "const": ty } }, "required": ["type"] },
                "then": { "required": required, "properties": forbidden }
            })
        })
        .collect();
    if let Some(def) = schema
        .get_mut("$defs")
        .and_then(|d| d.get_mut(definition))
        .and_then(Value::as_object_mut)
    {
        def.insert("allOf".into(), Value::Array(rules));
    }
}

/// TOML has no null: an optional key is absent, never `null`. schemars allows `null` for
/// every `Option`; take it out so editors do not suggest it.
fn strip_null(value: &mut serde_json::Value) {
    use serde_json::Value;
    match value {
        Value::Object(obj) => {
            if let Some(Value::Array(types)) = obj.get_mut("type") {
                types.retain(|t| t != "null");
                if types.len() == 1 {
                    let only = types.remove(0);
                    obj.insert("type".into(), only);
                }
            }
            for key in ["anyOf", "oneOf"] {
                if let Some(Value::Array(options)) = obj.get_mut(key) {
                    options.retain(|o| o.get("type") != Some(&Value::String("null".into())));
                    if options.len() == 1 {
                        let only = options.remove(0);
                        obj.remove(key);
                        if let Value::Object(inner) = only {
                            for (k, v) in inner {
                                obj.entry(k).or_insert(v);
                            }
                        }
                    }
                }
            }
            obj.values_mut().for_each(strip_null);
        }
        Value::Array(items) => items.iter_mut().for_each(strip_null),
        _ => {}
    }
}

/// An Accord agreement file: one version of an agreement.
#[derive(JsonSchema)]
#[schemars(title = "Accord agreement", deny_unknown_fields)]
#[allow(dead_code)]
pub struct AgreementFile {
    /// The agreement's identity and version.
    agreement: Header,
    /// The parties, with their roles and signing keys.
    #[serde(default)]
    parties: Vec<Party>,
    /// The independent monitors (never also parties).
    #[serde(default)]
    monitors: Vec<Monitor>,
    /// The sanctions regimes whose measures the relief acts on.
    #[serde(default)]
    regimes: Vec<Regime>,
    /// Units of measure; units of the same quantity convert into each other.
    #[serde(default)]
    units: Vec<Unit>,
    /// Named events that dates are computed from (adoption, implementation day, ...).
    #[serde(default)]
    events: Vec<Event>,
    /// Named verification protocols that indicators refer to.
    #[serde(default)]
    protocols: Vec<Protocol>,
    /// What the target undertakes, each made measurable by indicators.
    #[serde(default)]
    commitments: Vec<Commitment>,
    /// The relief schedule, in the order phases are entered.
    #[serde(default)]
    phases: Vec<Phase>,
    /// Humanitarian carve-outs, in force in every state, snapback included.
    #[serde(default)]
    exemptions: Vec<Exemption>,
    /// Regression rules (snapback).
    #[serde(default)]
    triggers: Vec<Trigger>,
    /// When reviews happen.
    review: Review,
    /// The dispute process.
    disputes: Disputes,
    /// How much verification each method provides.
    proportionality: Proportionality,
}

/// An identifier: 1 to 64 of `A-Z a-z 0-9 _ - .`, starting with a letter or digit.
#[derive(JsonSchema)]
#[allow(dead_code)]
struct Id(#[schemars(pattern(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$"))] String);

/// An ISO 8601 calendar duration: `P90D`, `P6M`, `P1Y2M`, `P2W`.
#[derive(JsonSchema)]
#[allow(dead_code)]
struct Duration(#[schemars(pattern(r"^P(?:\d+Y)?(?:\d+M)?(?:\d+W)?(?:\d+D)?$"))] String);

/// A date (`2026-01-15`), an instant with its zone (`2026-11-09T00:01[America/New_York]`,
/// `2026-11-09T00:01-05:00`, `2026-12-01T00:00Z`), or a date rule: `adoption`,
/// `adoption + P90D`, `phase(p2) - P30D`, `earliest(adoption + P90D, 2026-06-30)`,
/// `latest(a, b)`, `stage(panel) + P15D`, `2026-10-10T00:00[GMT] + P30D`.
#[derive(JsonSchema)]
#[allow(dead_code)]
struct DateRule(String);

/// A condition in the condition language, e.g. `all(c1, c2) compliant for 2 reviews`.
#[derive(JsonSchema)]
#[allow(dead_code)]
struct ConditionText(String);

/// An instant in UTC: `2026-01-15T00:00:00Z`.
#[derive(JsonSchema)]
#[allow(dead_code)]
struct InstantText(String);

/// The `[agreement]` table.
#[derive(JsonSchema)]
#[schemars(deny_unknown_fields)]
#[allow(dead_code)]
struct Header {
    /// The agreement's identifier, the same in every version.
    id: Id,
    /// Its title.
    title: String,
    /// This version's number, from 1.
    #[schemars(range(min = 1))]
    version: u32,
    /// From when this version governs: a date or a date rule (version 1: usually `adoption`).
    effective: DateRule,
    /// The IANA zone the agreement counts its days in (`America/New_York`); UTC when absent.
    zone: Option<String>,
    /// The version this one amends (`version - 1`); only for versions after the first.
    amends: Option<u32>,
    /// The parties who must sign this version (versions after the first).
    #[serde(default)]
    signatories: Vec<Id>,
}

/// A role in the agreement.
#[derive(JsonSchema)]
#[serde(rename_all = "snake_case")]
#[allow(dead_code)]
enum Role {
    /// A sanctioning authority: grants and revokes relief.
    Authority,
    /// The sanctioned party that undertakes the commitments.
    Target,
    /// Guarantees the agreement.
    Guarantor,
    /// Follows without acting.
    Observer,
}

/// A signing key: an Ed25519 public key as a C2SP verifier key or 32 bytes in base64, or a
/// table with its validity.
#[derive(JsonSchema)]
#[serde(untagged)]
#[allow(dead_code)]
enum Key {
    /// The key alone, valid without bounds.
    Plain(String),
    /// The key with the period it may sign in.
    Bounded(BoundedKey),
}

/// A key with the period it may sign in.
#[derive(JsonSchema)]
#[schemars(deny_unknown_fields)]
#[allow(dead_code)]
struct BoundedKey {
    /// The key.
    key: String,
    /// From when it may sign (UTC).
    valid_from: Option<InstantText>,
    /// Until when it may sign (UTC).
    valid_until: Option<InstantText>,
}

/// A party.
#[derive(JsonSchema)]
#[schemars(deny_unknown_fields)]
#[allow(dead_code)]
struct Party {
    /// Its identifier in statements.
    id: Id,
    /// Its name.
    name: String,
    /// Its role.
    role: Role,
    /// The jurisdiction it speaks for (`US`, `EU`, `UK`, `UN`, ...), for authorities.
    jurisdiction: Option<String>,
    /// Its signing keys.
    #[serde(default)]
    keys: Vec<Key>,
}

/// A method of verification.
#[derive(JsonSchema)]
#[serde(rename_all = "snake_case")]
#[allow(dead_code)]
enum Method {
    /// Inspectors on site.
    OnSiteInspection,
    /// Satellite imagery or other remote sensing.
    RemoteSensing,
    /// Review of documents supplied by the target.
    DocumentAudit,
    /// An audit by an independent third party.
    ThirdPartyAudit,
    /// The target's own report.
    SelfReport,
}

/// An independent monitor.
#[derive(JsonSchema)]
#[schemars(deny_unknown_fields)]
#[allow(dead_code)]
struct Monitor {
    /// Its identifier in statements (never a party's).
    id: Id,
    /// Its name.
    name: String,
    /// The methods it is accredited for.
    methods: Vec<Method>,
    /// Its signing keys.
    #[serde(default)]
    keys: Vec<Key>,
}

/// A sanctions programme of one jurisdiction.
#[derive(JsonSchema)]
#[schemars(deny_unknown_fields)]
#[allow(dead_code)]
struct Regime {
    /// Its identifier.
    id: Id,
    /// The imposing jurisdiction (`UN`, `EU`, `US`, `UK`, ...).
    jurisdiction: String,
    /// Its name.
    name: String,
    /// Its legal basis (resolution, regulation, executive order).
    legal_basis: String,
    /// Programme codes under which official lists publish it.
    #[serde(default)]
    list_programmes: Vec<String>,
    /// Its measures.
    #[serde(default)]
    measures: Vec<Measure>,
}

/// The kind of a restriction.
#[derive(JsonSchema)]
#[serde(rename_all = "snake_case")]
#[allow(dead_code)]
enum MeasureKind {
    /// Assets of designated entities frozen.
    AssetFreeze,
    /// Designated people may not enter.
    TravelBan,
    /// Activity in whole sectors prohibited.
    SectoralProhibition,
    /// Arms trade prohibited.
    ArmsEmbargo,
    /// Export of listed goods restricted.
    ExportControl,
}

/// One restriction of a regime.
#[derive(JsonSchema)]
#[schemars(deny_unknown_fields)]
#[allow(dead_code)]
struct Measure {
    /// Its identifier (unique in the agreement).
    id: Id,
    /// What kind of restriction.
    kind: MeasureKind,
    /// The sectors or activities it covers.
    #[serde(default)]
    sectors: Vec<String>,
    /// Its legal basis, when narrower than the regime's.
    legal_basis: Option<String>,
    /// Plain-words description.
    description: String,
    /// Its review dates, and the reminder before each (it is under review from then).
    review: Option<MeasureReview>,
    /// The day it ends by its own terms, whatever the compliance status.
    sunset: Option<DateRule>,
}

/// A measure's review dates.
#[derive(JsonSchema)]
#[schemars(deny_unknown_fields)]
#[allow(dead_code)]
struct MeasureReview {
    /// The first review date.
    starts: DateRule,
    /// How often it recurs (once when absent).
    every: Option<Duration>,
    /// No review on or after this date.
    ends: Option<DateRule>,
    /// The measure is under review from this long before each review date.
    remind: Option<Duration>,
}

/// A milestone inside a trigger's countdown.
#[derive(JsonSchema)]
#[schemars(deny_unknown_fields)]
#[allow(dead_code)]
struct Milestone {
    /// What falls due, and what happens if it is not met.
    title: String,
    /// How long after the invocation it falls due.
    after: Duration,
    /// The event that meets it when it occurs by then.
    event: Option<Id>,
}

/// A unit of measure.
#[derive(JsonSchema)]
#[schemars(deny_unknown_fields)]
#[allow(dead_code)]
struct Unit {
    /// Its identifier, e.g. `kg_u`.
    id: Id,
    /// What it measures; only units of the same quantity are compared.
    quantity: String,
    /// How many base units of the quantity one of this unit is (default 1).
    #[schemars(extend("exclusiveMinimum" = 0))]
    factor: Option<f64>,
    /// Plain-words name.
    description: String,
    /// Decimal places its values are printed with (2 when absent).
    #[schemars(range(max = 12))]
    precision: Option<u8>,
}

/// A named event.
#[derive(JsonSchema)]
#[schemars(deny_unknown_fields)]
#[allow(dead_code)]
struct Event {
    /// Its identifier, e.g. `adoption`.
    id: Id,
    /// Plain-words description.
    description: String,
    /// Its date, if the agreement fixes it; otherwise it is recorded in the log.
    date: Option<DateRule>,
    /// Who records it (authorities, guarantors); any authority when empty.
    #[serde(default)]
    recorded_by: Vec<Id>,
    /// Whether it may occur several times (votes): dates computed from it take the latest.
    recurs: Option<bool>,
}

/// A tolerance for disagreement between monitors.
#[derive(JsonSchema)]
#[serde(untagged)]
#[allow(dead_code)]
enum Tolerance {
    /// `"exact"`.
    Exact(ExactWord),
    /// `{ absolute = 0.5, unit = "kg_u" }` or `{ relative = 0.05 }`.
    Table(ToleranceTable),
}

/// The word `exact`.
#[derive(JsonSchema)]
#[serde(rename_all = "snake_case")]
#[allow(dead_code)]
enum ExactWord {
    /// Values must be equal.
    Exact,
}

/// A numeric tolerance.
#[derive(JsonSchema)]
#[schemars(deny_unknown_fields)]
#[allow(dead_code)]
struct ToleranceTable {
    /// Within this absolute difference (in `unit`, or the indicator's unit).
    #[schemars(range(min = 0.0))]
    absolute: Option<f64>,
    /// Within this fraction of the larger value (0.05 = 5%).
    #[schemars(range(min = 0.0, max = 1.0))]
    relative: Option<f64>,
    /// The unit of an absolute tolerance; converted to the indicator's unit.
    unit: Option<Id>,
}

/// Whether the target's own reports count.
#[derive(JsonSchema)]
#[serde(rename_all = "snake_case")]
#[allow(dead_code)]
enum SelfReport {
    /// Recorded, but verify nothing.
    NotAccepted,
    /// Count toward the quorum alongside monitors.
    CountsTowardQuorum,
    /// Alone suffice.
    Sufficient,
}

/// Who may read the evidence.
#[derive(JsonSchema)]
#[serde(rename_all = "snake_case")]
#[allow(dead_code)]
enum Confidentiality {
    /// Anyone.
    Public,
    /// The parties and monitors.
    Restricted,
    /// Only those named; the public log holds a salted digest.
    Confidential,
}

/// A verification protocol's fields (in `[[protocols]]` or inline in an indicator).
#[derive(JsonSchema)]
#[schemars(deny_unknown_fields)]
#[allow(dead_code)]
struct Verification {
    /// The monitors who report.
    #[serde(default)]
    monitors: Vec<Id>,
    /// The accepted methods.
    methods: Vec<Method>,
    /// How many reporters must agree (k of n).
    #[schemars(range(min = 1))]
    quorum: u32,
    /// How far apart values may be and still agree (default `"exact"`).
    tolerance: Option<Tolerance>,
    /// Whether the target's own reports count (default `not_accepted`).
    self_report: Option<SelfReport>,
    /// Who may read the evidence.
    confidentiality: Confidentiality,
}

/// A named verification protocol.
#[derive(JsonSchema)]
#[schemars(deny_unknown_fields)]
#[allow(dead_code)]
struct Protocol {
    /// Its identifier, used by indicators' `verification`.
    id: Id,
    /// The monitors who report.
    #[serde(default)]
    monitors: Vec<Id>,
    /// The accepted methods.
    methods: Vec<Method>,
    /// How many reporters must agree (k of n).
    #[schemars(range(min = 1))]
    quorum: u32,
    /// How far apart values may be and still agree (default `"exact"`).
    tolerance: Option<Tolerance>,
    /// Whether the target's own reports count (default `not_accepted`).
    self_report: Option<SelfReport>,
    /// Who may read the evidence.
    confidentiality: Confidentiality,
}

/// A commitment.
#[derive(JsonSchema)]
#[schemars(deny_unknown_fields)]
#[allow(dead_code)]
struct Commitment {
    /// Its identifier, used in conditions.
    id: Id,
    /// A short title.
    title: String,
    /// The undertaking in plain words, as negotiated.
    text: String,
    /// The themes it belongs to, for reports that roll commitments up by theme.
    #[serde(default)]
    themes: Vec<String>,
    /// How it is measured.
    indicators: Vec<Indicator>,
}

/// What an indicator measures.
#[derive(JsonSchema)]
#[serde(rename_all = "snake_case")]
#[allow(dead_code)]
enum IndicatorType {
    /// A number compared with a limit in a unit (`comparison`, `limit`, `unit`).
    Threshold,
    /// A yes/no fact (`expected`).
    Flag,
    /// A count compared with a limit (`comparison`, `limit`).
    Count,
    /// Something done by a date (`due`).
    Deadline,
    /// A grade on an ordered scale (`scale`, `pass`).
    Grade,
}

/// How an observed value must compare with the limit.
#[derive(JsonSchema)]
#[serde(rename_all = "snake_case")]
#[allow(dead_code)]
enum Comparison {
    /// `value <= limit`.
    AtMost,
    /// `value < limit`.
    Below,
    /// `value >= limit`.
    AtLeast,
    /// `value > limit`.
    Above,
    /// `value == limit` (within tolerance).
    Equal,
}

/// Findings that stand until replaced.
#[derive(JsonSchema)]
#[serde(untagged)]
#[allow(dead_code)]
enum Stands {
    /// `true`: they stand until replaced.
    Always(bool),
    /// `{ max_age = "P1Y" }`: they stand at most this long after their own period ends.
    Table(StandsTable),
}

/// Findings that stand, with a maximum age.
#[derive(JsonSchema)]
#[schemars(deny_unknown_fields)]
#[allow(dead_code)]
struct StandsTable {
    /// The maximum age of a finding that stands.
    max_age: Option<Duration>,
}

/// What an overdue report means.
#[derive(JsonSchema)]
#[serde(untagged)]
#[allow(dead_code)]
enum Overdue {
    /// `"none"` (the default: shown overdue, nothing else follows) or `"hold_relief"`
    /// (relief depending on it is held).
    Hold(HoldWord),
    /// `{ noncompliant_after = N }` or `{ escalate = "stage" }`.
    Table(OverdueTable),
}

/// The words `none` and `hold_relief`.
#[derive(JsonSchema)]
#[serde(rename_all = "snake_case")]
#[allow(dead_code)]
enum HoldWord {
    /// Shown overdue; nothing else follows.
    None,
    /// Hold relief until the report comes.
    HoldRelief,
}

/// An overdue policy with a parameter.
#[derive(JsonSchema)]
#[schemars(deny_unknown_fields)]
#[allow(dead_code)]
struct OverdueTable {
    /// Non-compliant after this many consecutive missed periods.
    #[schemars(range(min = 1))]
    noncompliant_after: Option<u32>,
    /// Escalate to this dispute stage.
    escalate: Option<Id>,
}

/// A verification: a protocol's id, or an inline protocol.
#[derive(JsonSchema)]
#[serde(untagged)]
#[allow(dead_code)]
enum VerificationRef {
    /// The id of a `[[protocols]]` entry.
    Named(Id),
    /// An inline protocol.
    Inline(Verification),
}

/// An indicator.
#[derive(JsonSchema)]
#[schemars(deny_unknown_fields)]
#[allow(dead_code)]
struct Indicator {
    /// Its identifier.
    id: Id,
    /// Plain-words description.
    description: String,
    /// What it measures.
    #[serde(rename = "type")]
    kind: IndicatorType,
    /// `threshold`, `count`: how the value must compare with the limit.
    comparison: Option<Comparison>,
    /// `threshold`, `count`: the limit.
    limit: Option<f64>,
    /// `threshold`: the limit's unit.
    unit: Option<Id>,
    /// `flag`: the compliant value.
    expected: Option<bool>,
    /// `deadline`: the due date.
    due: Option<DateRule>,
    /// `grade`: the grades, worst first.
    scale: Option<Vec<String>>,
    /// `grade`: the lowest compliant grade.
    pass: Option<String>,
    /// How often it is reported (each reporting period's length).
    cadence: Duration,
    /// When the first reporting period starts.
    starts: DateRule,
    /// No reporting period starts on or after this date ("every 180 days for 4 years").
    ends: Option<DateRule>,
    /// How long after a period's end a report may come before it is overdue.
    grace: Duration,
    /// What an overdue report means (default `"none"`: shown overdue, relief not held).
    overdue: Option<Overdue>,
    /// Findings stand until replaced: `true`, or `{ max_age = "P1Y" }`.
    stands: Option<Stands>,
    /// A breach cured within this window after its period has no consequence.
    cure: Option<Duration>,
    /// Who verifies it and how.
    verification: VerificationRef,
}

/// A phase of the relief schedule.
#[derive(JsonSchema)]
#[schemars(deny_unknown_fields)]
#[allow(dead_code)]
struct Phase {
    /// Its identifier.
    id: Id,
    /// Its title.
    title: String,
    /// The condition to enter it (phases are entered in file order).
    entry: ConditionText,
    /// It cannot be entered before this date.
    not_before: Option<DateRule>,
    /// The relief it brings.
    #[serde(default)]
    actions: Vec<Action>,
}

/// What a relief action does.
#[derive(JsonSchema)]
#[serde(rename_all = "snake_case")]
#[allow(dead_code)]
enum ActionType {
    /// Suspend a measure for some sectors (`measure`, `sectors`).
    SuspendMeasure,
    /// Terminate a measure for some sectors (`measure`, `sectors`); a trigger reverting
    /// it may revive it until its `lifted` date.
    TerminateMeasure,
    /// Remove named entities from the lists (`entities`).
    Delist,
    /// Issue a general licence (`licence`, `scope`, `activities`).
    GeneralLicence,
    /// Unfreeze assets up to an amount (`amount`, `currency`, `measure`).
    Unfreeze,
    /// Expand cooperation into an area (`area`).
    Cooperation,
}

/// An entity named in a delisting.
#[derive(JsonSchema)]
#[serde(untagged)]
#[allow(dead_code)]
enum EntityRef {
    /// Its listed name.
    Name(String),
    /// Its name and list identifier.
    Listed(ListedEntity),
}

/// An entity with its list identifier.
#[derive(JsonSchema)]
#[schemars(deny_unknown_fields)]
#[allow(dead_code)]
struct ListedEntity {
    /// Its name as listed.
    name: String,
    /// The list and the list's identifier, e.g. `ofac-sdn:12345`.
    list_id: Option<String>,
}

/// Whether an action renews at expiry.
#[derive(JsonSchema)]
#[serde(untagged)]
#[allow(dead_code)]
enum Renewal {
    /// `"none"`: lapses unless an authority renews it.
    None(NoneWord),
    /// Automatic renewal.
    Automatic(AutomaticRenewal),
}

/// The word `none`.
#[derive(JsonSchema)]
#[serde(rename_all = "snake_case")]
#[allow(dead_code)]
enum NoneWord {
    /// None.
    None,
}

/// Automatic renewal.
#[derive(JsonSchema)]
#[schemars(deny_unknown_fields)]
#[allow(dead_code)]
struct AutomaticRenewal {
    /// Each renewed term's length.
    term: Duration,
    /// It does not renew if this condition holds at expiry.
    unless: Option<ConditionText>,
    /// At most this many renewals.
    max_terms: Option<u32>,
}

/// A relief action.
#[derive(JsonSchema)]
#[schemars(deny_unknown_fields)]
#[allow(dead_code)]
struct Action {
    /// Its identifier.
    id: Id,
    /// Its title.
    title: String,
    /// What it does.
    #[serde(rename = "type")]
    kind: ActionType,
    /// The regime it acts on.
    regime: Id,
    /// `suspend_measure`, `terminate_measure`, `unfreeze`: the measure.
    measure: Option<Id>,
    /// `suspend_measure`, `terminate_measure`: the sectors (all the measure's when absent).
    sectors: Option<Vec<String>>,
    /// `delist`: the entities.
    entities: Option<Vec<EntityRef>>,
    /// `general_licence`: its number or name.
    licence: Option<String>,
    /// `general_licence`: what it authorises.
    scope: Option<String>,
    /// `general_licence`: the activities it covers.
    activities: Option<Vec<String>>,
    /// `unfreeze`: the amount.
    amount: Option<f64>,
    /// `unfreeze`: ISO 4217 currency.
    currency: Option<String>,
    /// `cooperation`: the area.
    area: Option<String>,
    /// When it takes effect (the phase's entry when absent).
    starts: Option<DateRule>,
    /// When it expires (never when absent).
    expires: Option<DateRule>,
    /// From when the relief is permanent: the measure is lifted for good, no longer expires
    /// and no trigger reverts it (never when absent).
    lifted: Option<DateRule>,
    /// Whether it renews at expiry (default `"none"`).
    renewal: Option<Renewal>,
    /// An earlier action it replaces from its start.
    supersedes: Option<Id>,
    /// How much relief it is worth, for proportionality.
    #[schemars(range(min = 0.0))]
    weight: f64,
}

/// A humanitarian exemption.
#[derive(JsonSchema)]
#[schemars(deny_unknown_fields)]
#[allow(dead_code)]
struct Exemption {
    /// Its identifier.
    id: Id,
    /// Its title.
    title: String,
    /// What it permits.
    scope: String,
    /// The activities it covers.
    activities: Vec<String>,
    /// The regimes it applies to (all when empty).
    #[serde(default)]
    regimes: Vec<Id>,
    /// Its legal basis.
    legal_basis: String,
}

/// What a trigger reverts to.
#[derive(JsonSchema)]
#[serde(untagged)]
#[allow(dead_code)]
enum Reversion {
    /// `"pre_agreement"`: every phase's relief reimposed.
    PreAgreement(PreAgreementWord),
    /// `{ phase = "p1" }` or `{ actions = [...] }`.
    Table(ReversionTable),
}

/// The word `pre_agreement`.
#[derive(JsonSchema)]
#[serde(rename_all = "snake_case")]
#[allow(dead_code)]
enum PreAgreementWord {
    /// Back to before the agreement.
    PreAgreement,
}

/// A partial reversion.
#[derive(JsonSchema)]
#[schemars(deny_unknown_fields)]
#[allow(dead_code)]
struct ReversionTable {
    /// The phase kept; later phases' relief is reimposed.
    phase: Option<Id>,
    /// Only these actions are revoked.
    actions: Option<Vec<Id>>,
}

/// A trigger.
#[derive(JsonSchema)]
#[schemars(deny_unknown_fields)]
#[allow(dead_code)]
struct Trigger {
    /// Its identifier.
    id: Id,
    /// Its title.
    title: String,
    /// The condition under which it may be invoked (or fires).
    when: ConditionText,
    /// Who may invoke it.
    #[serde(default)]
    standing: Vec<Id>,
    /// Fires by itself when `when` holds.
    automatic: Option<bool>,
    /// Once invoked, relief reverts when this runs out unless halted.
    countdown: Option<Duration>,
    /// Who may halt the countdown.
    #[serde(default)]
    halted_by: Vec<Id>,
    /// What it reverts to.
    reverts_to: Reversion,
    /// Reverted relief is wound down over this period.
    wind_down: Duration,
    /// Contracts concluded before reimposition are not penalised retroactively.
    non_retroactive: Option<bool>,
    /// How reverted relief comes back after it fires: `by_decision` (the default) or
    /// `re_earn`.
    reentry: Option<Reentry>,
    /// Milestones inside the countdown.
    #[serde(default)]
    milestones: Vec<Milestone>,
}

/// How relief reverted by a fired trigger comes back.
#[derive(JsonSchema)]
#[serde(rename_all = "snake_case")]
#[allow(dead_code)]
enum Reentry {
    /// Only an authority's decision or an amendment restores it.
    ByDecision,
    /// Each reverted phase is earned again by its entry condition, met at reviews that
    /// begin on or after the day the trigger fired; the trigger is then re-armed.
    ReEarn,
}

/// The `[review]` table.
#[derive(JsonSchema)]
#[schemars(deny_unknown_fields)]
#[allow(dead_code)]
struct Review {
    /// When the first review period starts.
    starts: DateRule,
    /// Each review period's length.
    every: Duration,
    /// No review period starts on or after this date.
    ends: Option<DateRule>,
}

/// What relief does while a dispute is open.
#[derive(JsonSchema)]
#[serde(rename_all = "snake_case")]
#[allow(dead_code)]
enum WhileOpen {
    /// The disputed finding has no effect until the dispute closes.
    FreezeFinding,
    /// The finding has its effect meanwhile.
    FindingStands,
}

/// The `[disputes]` table.
#[derive(JsonSchema)]
#[schemars(deny_unknown_fields)]
#[allow(dead_code)]
struct Disputes {
    /// What relief does while a dispute is open (default `freeze_finding`).
    while_open: Option<WhileOpen>,
    /// Who may open a dispute (every party when empty).
    #[serde(default)]
    standing: Vec<Id>,
    /// Who records a dispute's outcome, together in one entry (any authority when empty).
    #[serde(default)]
    resolved_by: Vec<Id>,
    /// The stages, the first being where disputes start.
    stages: Vec<StageFile>,
    /// Whose consent an extension needs (every party still taking part when empty).
    #[serde(default)]
    extension_consent: Vec<Id>,
}

/// Whether a stage's deadline can be extended.
#[derive(JsonSchema)]
#[serde(untagged)]
#[allow(dead_code)]
enum Extension {
    /// `"none"` or `"by_consent"` (open-ended).
    Word(ExtensionWord),
    /// `{ by_consent = "P15D" }`: by consent, at most this long.
    Bounded(BoundedExtension),
}

/// `none` or `by_consent`.
#[derive(JsonSchema)]
#[serde(rename_all = "snake_case")]
#[allow(dead_code)]
enum ExtensionWord {
    /// No extension.
    None,
    /// Open-ended extension by consent of every party.
    ByConsent,
}

/// A bounded extension.
#[derive(JsonSchema)]
#[schemars(deny_unknown_fields)]
#[allow(dead_code)]
struct BoundedExtension {
    /// The longest extension, by consent of every party.
    by_consent: Duration,
}

/// A dispute stage.
#[derive(JsonSchema)]
#[schemars(deny_unknown_fields)]
#[allow(dead_code)]
struct StageFile {
    /// Its identifier.
    id: Id,
    /// Who hears it.
    title: String,
    /// How long it runs.
    deadline: Duration,
    /// Whether its deadline can be extended (default `"none"`).
    extension: Option<Extension>,
    /// Where the dispute goes when the deadline passes.
    next: Option<Id>,
    /// Stages that run beside it.
    #[serde(default)]
    parallel: Vec<Id>,
    /// Stages a party with standing may escalate to instead of `next`.
    #[serde(default)]
    alternatives: Vec<Id>,
    /// Who may escalate from it.
    #[serde(default)]
    standing: Vec<Id>,
}

/// The `[proportionality]` table.
#[derive(JsonSchema)]
#[schemars(deny_unknown_fields)]
#[allow(dead_code)]
struct Proportionality {
    /// Verification each method provides.
    methods: MethodWeights,
}

/// A weight per method.
#[derive(JsonSchema)]
#[schemars(deny_unknown_fields)]
#[allow(dead_code)]
struct MethodWeights {
    /// On-site inspection.
    on_site_inspection: Option<f64>,
    /// Remote sensing.
    remote_sensing: Option<f64>,
    /// Document audit.
    document_audit: Option<f64>,
    /// Third-party audit.
    third_party_audit: Option<f64>,
    /// The target's own report.
    self_report: Option<f64>,
}
