//! Reading an agreement file, section by section, into a [`Draft`]: the core model's values
//! plus the spans validation needs to point at.
//!
//! Sections are read in dependency order (parties and monitors, regimes, units, events,
//! protocols, commitments with their indicators, phases, exemptions, triggers, review,
//! disputes, proportionality) whatever their order in the file, so checks that only need
//! earlier sections (a monitor accredited for a method, a unit's quantity) run here, with the
//! value at hand. Checks across sections are in `validate`.
//!
//! An item whose required fields cannot be read is left out of the draft (its problems are
//! reported); the draft is then never lowered to an [`Agreement`], only validated further.

use std::collections::BTreeMap;
use std::ops::Range;

use accord_core::agreement::*;
use accord_core::id::*;
use accord_core::rule::{Condition, DateRule};
use accord_core::statement::{Confidentiality, Method};
use toml::Spanned;
use toml::de::{DeTable, DeValue};

use crate::diagnostic::Diagnostic;
use crate::reader::{self, Ctx, Kind, Located, Table, Value, type_name};

pub(crate) const METHODS: &[(&str, Method)] = &[
    ("on_site_inspection", Method::OnSiteInspection),
    ("remote_sensing", Method::RemoteSensing),
    ("document_audit", Method::DocumentAudit),
    ("third_party_audit", Method::ThirdPartyAudit),
    ("self_report", Method::SelfReport),
];

pub(crate) fn method_name(m: Method) -> &'static str {
    METHODS
        .iter()
        .find(|(_, x)| *x == m)
        .map_or("?", |(n, _)| n)
}

const ROLES: &[(&str, PartyRole)] = &[
    ("authority", PartyRole::Authority),
    ("target", PartyRole::Target),
    ("guarantor", PartyRole::Guarantor),
    ("observer", PartyRole::Observer),
];

const MEASURE_KINDS: &[(&str, MeasureKind)] = &[
    ("asset_freeze", MeasureKind::AssetFreeze),
    ("travel_ban", MeasureKind::TravelBan),
    ("sectoral_prohibition", MeasureKind::SectoralProhibition),
    ("arms_embargo", MeasureKind::ArmsEmbargo),
    ("export_control", MeasureKind::ExportControl),
];

const COMPARISONS: &[(&str, Comparison)] = &[
    ("at_most", Comparison::AtMost),
    ("below", Comparison::Below),
    ("at_least", Comparison::AtLeast),
    ("above", Comparison::Above),
    ("equal", Comparison::Equal),
];

#[derive(Clone, Copy, PartialEq, Eq)]
enum IndicatorType {
    Threshold,
    Flag,
    Count,
    Deadline,
    Grade,
}

const INDICATOR_TYPES: &[(&str, IndicatorType)] = &[
    ("threshold", IndicatorType::Threshold),
    ("flag", IndicatorType::Flag),
    ("count", IndicatorType::Count),
    ("deadline", IndicatorType::Deadline),
    ("grade", IndicatorType::Grade),
];

const SELF_REPORT: &[(&str, SelfReport)] = &[
    ("not_accepted", SelfReport::NotAccepted),
    ("counts_toward_quorum", SelfReport::CountsTowardQuorum),
    ("sufficient", SelfReport::Sufficient),
];

const CONFIDENTIALITY: &[(&str, Confidentiality)] = &[
    ("public", Confidentiality::Public),
    ("restricted", Confidentiality::Restricted),
    ("confidential", Confidentiality::Confidential),
];

#[derive(Clone, Copy, PartialEq, Eq)]
enum ActionType {
    SuspendMeasure,
    TerminateMeasure,
    Delist,
    GeneralLicence,
    Unfreeze,
    Cooperation,
}

const ACTION_TYPES: &[(&str, ActionType)] = &[
    ("suspend_measure", ActionType::SuspendMeasure),
    ("terminate_measure", ActionType::TerminateMeasure),
    ("delist", ActionType::Delist),
    ("general_licence", ActionType::GeneralLicence),
    ("unfreeze", ActionType::Unfreeze),
    ("cooperation", ActionType::Cooperation),
];

const REENTRY: &[(&str, Reentry)] = &[
    ("by_decision", Reentry::ByDecision),
    ("re_earn", Reentry::ReEarn),
];

const WHILE_OPEN: &[(&str, WhileOpen)] = &[
    ("freeze_finding", WhileOpen::FreezeFinding),
    ("finding_stands", WhileOpen::FindingStands),
];

/// The `[agreement]` header.
#[derive(Debug, Clone)]
pub(crate) struct Header {
    pub id: Spanned<AgreementId>,
    pub title: String,
    pub version: Spanned<u32>,
    pub effective: Located<DateRule>,
    /// The zone the agreement counts its days in, as the tz database names it.
    pub zone: Option<String>,
    /// Where `zone` is written, when it is.
    pub zone_span: Option<Range<usize>>,
    pub amends: Option<Spanned<u64>>,
    pub signatories: Vec<Spanned<ParticipantId>>,
    pub span: Range<usize>,
}

#[derive(Debug, Clone)]
pub(crate) struct KeySpans {
    pub key: Range<usize>,
}

#[derive(Debug, Clone)]
pub(crate) struct ProtocolDraft {
    pub verification: Verification,
    /// The unit an absolute tolerance is written in, if any.
    pub tolerance_unit: Option<Spanned<UnitId>>,
    pub tolerance_span: Option<Range<usize>>,
}

#[derive(Debug, Clone)]
pub(crate) struct IndicatorDraft {
    pub indicator: Indicator,
    pub id_span: Range<usize>,
    pub cadence_span: Range<usize>,
    pub grace_span: Range<usize>,
    pub cure_span: Option<Range<usize>>,
    pub starts: Located<DateRule>,
    pub ends: Option<Located<DateRule>>,
}

/// The review schedule, the span of `every`, and `starts` and `ends` as written.
pub(crate) type ReviewDraft = (
    Review,
    Range<usize>,
    Located<DateRule>,
    Option<Located<DateRule>>,
);

#[derive(Debug, Clone)]
pub(crate) struct ActionDraft {
    pub action: ReliefAction,
    pub id_span: Range<usize>,
    pub weight_span: Range<usize>,
    pub starts: Option<Located<DateRule>>,
    pub expires: Option<Located<DateRule>>,
    pub lifted: Option<Located<DateRule>>,
    pub unless: Option<Located<Condition>>,
    pub supersedes_span: Option<Range<usize>>,
    pub activities: Vec<String>,
}

#[derive(Debug, Clone)]
pub(crate) struct PhaseDraft {
    pub phase: Phase,
    pub id_span: Range<usize>,
    pub not_before: Option<Located<DateRule>>,
    pub actions: Vec<ActionDraft>,
}

#[derive(Debug, Clone)]
pub(crate) struct TriggerDraft {
    pub trigger: Trigger,
    pub reverts_span: Range<usize>,
    /// The actions named in `reverts_to = { actions = [...] }`, with spans.
    pub reverted_actions: Vec<Spanned<String>>,
}

#[derive(Debug, Clone)]
pub(crate) struct StageDraft {
    pub stage: Stage,
    pub id_span: Range<usize>,
    pub next_span: Option<Range<usize>>,
}

/// The proportionality weights, the span of each, and the span of the table's header.
pub(crate) type ProportionalityDraft = (
    Proportionality,
    BTreeMap<Method, Range<usize>>,
    Range<usize>,
);

/// Everything read from one file.
#[derive(Debug, Clone, Default)]
pub(crate) struct Draft {
    pub header: Option<Header>,
    pub parties: Vec<(Party, Range<usize>, Vec<KeySpans>)>,
    pub monitors: Vec<(Monitor, Range<usize>, Vec<KeySpans>)>,
    pub regimes: Vec<Regime>,
    pub units: Vec<Unit>,
    pub events: Vec<(Event, Option<Located<DateRule>>)>,
    pub protocols: BTreeMap<String, ProtocolDraft>,
    pub commitments: Vec<(Commitment, Range<usize>, usize)>,
    pub indicators: Vec<IndicatorDraft>,
    pub phases: Vec<PhaseDraft>,
    pub exemptions: Vec<(Exemption, Range<usize>)>,
    pub triggers: Vec<TriggerDraft>,
    pub review: Option<ReviewDraft>,
    pub disputes: Option<(DisputeProcess, Vec<StageDraft>)>,
    pub proportionality: Option<ProportionalityDraft>,
    /// Every section's table, for spans of whole sections.
    pub section_spans: BTreeMap<&'static str, Range<usize>>,
}

/// Reads the root table of a file.
pub(crate) fn read(ctx: &mut Ctx<'_>, root: &DeTable<'_>, root_span: Range<usize>) -> Draft {
    let mut d = Draft::default();
    let mut t = Table::new(root, root_span, "the agreement file");

    for key in [
        "agreement",
        "parties",
        "monitors",
        "regimes",
        "units",
        "events",
        "protocols",
        "commitments",
        "phases",
        "exemptions",
        "triggers",
        "review",
        "disputes",
        "proportionality",
    ] {
        if let Some(v) = root.get(key) {
            d.section_spans.insert(key, v.span());
        }
    }

    if let Some(v) = t.require(ctx, "agreement")
        && let Some(mut h) = Table::of(ctx, v, "the `[agreement]` table")
    {
        d.header = header(ctx, &mut h);
        h.finish(ctx);
    }

    for mut p in t.tables(ctx, "parties", "a party") {
        if let Some(x) = party(ctx, &mut p) {
            d.parties.push(x);
        }
        p.finish(ctx);
    }
    for mut m in t.tables(ctx, "monitors", "a monitor") {
        if let Some(x) = monitor(ctx, &mut m) {
            d.monitors.push(x);
        }
        m.finish(ctx);
    }
    for mut r in t.tables(ctx, "regimes", "a regime") {
        if let Some(x) = regime(ctx, &mut r) {
            d.regimes.push(x);
        }
        r.finish(ctx);
    }
    for mut u in t.tables(ctx, "units", "a unit") {
        if let Some(x) = unit(ctx, &mut u) {
            d.units.push(x);
        }
        u.finish(ctx);
    }
    for mut e in t.tables(ctx, "events", "an event") {
        if let Some(x) = event(ctx, &mut e) {
            d.events.push(x);
        }
        e.finish(ctx);
    }
    for mut p in t.tables(ctx, "protocols", "a verification protocol") {
        let id = p.req_id::<IndicatorId>(ctx, "id", Some(Kind::Protocol));
        let proto = verification(ctx, &mut p, &d);
        if let (Some(id), Some(proto)) = (id, proto) {
            d.protocols.insert(id.to_string(), proto);
        }
        p.finish(ctx);
    }
    // Stages are read before commitments, so that `overdue = { escalate = ... }` can be
    // checked as a use (the check itself happens after everything is read).
    for mut c in t.tables(ctx, "commitments", "a commitment") {
        commitment(ctx, &mut c, &mut d);
        c.finish(ctx);
    }
    let phase_tables = t.tables(ctx, "phases", "a phase");
    let phase_order: Vec<String> = phase_tables
        .iter()
        .filter_map(|p| {
            p.table
                .get("id")
                .and_then(|v| v.get_ref().as_str().map(str::to_owned))
        })
        .collect();
    for mut p in phase_tables {
        if let Some(x) = phase(ctx, &mut p, &d, &phase_order) {
            d.phases.push(x);
        }
        p.finish(ctx);
    }
    for mut e in t.tables(ctx, "exemptions", "an exemption") {
        if let Some(x) = exemption(ctx, &mut e) {
            d.exemptions.push(x);
        }
        e.finish(ctx);
    }
    for mut tr in t.tables(ctx, "triggers", "a trigger") {
        if let Some(x) = trigger(ctx, &mut tr) {
            d.triggers.push(x);
        }
        tr.finish(ctx);
    }
    if let Some(v) = t.require(ctx, "review")
        && let Some(mut r) = Table::of(ctx, v, "the `[review]` table")
    {
        let starts = r.req_date_rule(ctx, "starts");
        let every = r.req_duration(ctx, "every");
        let ends = r.opt_date_rule(ctx, "ends");
        if let (Some(starts), Some(every), Some(ends)) = (starts, every, ends) {
            d.review = Some((
                Review {
                    starts: starts.value.clone(),
                    every: *every.get_ref(),
                    ends: ends.as_ref().map(|e| e.value.clone()),
                },
                every.span(),
                starts,
                ends,
            ));
        }
        r.finish(ctx);
    }
    if let Some(v) = t.require(ctx, "disputes")
        && let Some(mut ds) = Table::of(ctx, v, "the `[disputes]` table")
    {
        d.disputes = disputes(ctx, &mut ds);
        ds.finish(ctx);
    }
    if let Some(v) = t.require(ctx, "proportionality")
        && let Some(mut p) = Table::of(ctx, v, "the `[proportionality]` table")
    {
        d.proportionality = proportionality(ctx, &mut p);
        p.finish(ctx);
    }
    t.finish(ctx);
    d
}

fn header(ctx: &mut Ctx<'_>, h: &mut Table<'_, '_>) -> Option<Header> {
    let id = h.req_str(ctx, "id");
    let id =
        id.and_then(|s| reader::ident::<AgreementId>(ctx, &s).map(|i| Spanned::new(s.span(), i)));
    let title = h.req_str(ctx, "title");
    let version = h.req_uint(ctx, "version", u64::from(u32::MAX));
    let effective = h.req_date_rule(ctx, "effective");
    let zone_key = h.opt_str(ctx, "zone");
    let zone_span = zone_key.as_ref().map(Spanned::span);
    let zone = zone_key.and_then(|z| day_zone(ctx, &z));
    let amends = h.opt_uint(ctx, "amends", u64::from(u32::MAX));
    let signatories = h.ref_ids::<ParticipantId>(ctx, "signatories", Kind::Participant);
    note_participants(ctx, &signatories, false);
    let span = h.header_span(ctx.source);
    let version = version?;
    let version = Spanned::new(version.span(), u32::try_from(*version.get_ref()).ok()?);
    if *version.get_ref() == 0 {
        ctx.error("accord::version", version.span(), "versions count from 1")
            .help = Some("the first version of an agreement is `version = 1`".into());
    }
    Some(Header {
        id: id?,
        title: title?.into_inner(),
        version,
        effective: effective?,
        zone,
        zone_span,
        amends: amends?,
        signatories: signatories?,
        span,
    })
}

/// The agreement's zone, by its tz database name; a diagnostic when there is no such zone.
fn day_zone(ctx: &mut Ctx<'_>, z: &Spanned<String>) -> Option<String> {
    match accord_core::time::DayZone::named(z.get_ref()) {
        Ok(days) => Some(days.name().unwrap_or(z.get_ref()).to_owned()),
        Err(_) => {
            ctx.error(
                "accord::unknown_zone",
                z.span(),
                format!("`{}` is not a time zone of the tz database", z.get_ref()),
            )
            .help = Some(crate::condition::zone_help(z.get_ref()));
            None
        }
    }
}

fn keys(ctx: &mut Ctx<'_>, t: &mut Table<'_, '_>) -> Option<(Vec<PublicKey>, Vec<KeySpans>)> {
    let Some(v) = t.get("keys") else {
        return Some((Vec::new(), Vec::new()));
    };
    let DeValue::Array(items) = v.get_ref() else {
        ctx.error(
            "accord::type",
            v.span(),
            format!("`keys` must be a list, found {}", type_name(v.get_ref())),
        );
        return None;
    };
    let mut out = Vec::new();
    let mut spans = Vec::new();
    let mut ok = true;
    for item in items.iter() {
        let (key, valid_from, valid_until) = match item.get_ref() {
            DeValue::String(_) => (reader::string(ctx, item, "keys"), None, None),
            DeValue::Table(_) => {
                let Some(mut kt) = Table::of(ctx, item, "a key") else {
                    ok = false;
                    continue;
                };
                let key = kt.req_str(ctx, "key");
                let from = kt.opt_instant(ctx, "valid_from");
                let until = kt.opt_instant(ctx, "valid_until");
                kt.finish(ctx);
                match (from, until) {
                    (Some(f), Some(u)) => {
                        if let (Some(f), Some(u)) = (&f, &u)
                            && u.get_ref() <= f.get_ref()
                        {
                            ctx.push(
                                Diagnostic::error(
                                    "accord::dates_out_of_order",
                                    u.span(),
                                    format!(
                                        "the key is valid until {}, which is not after it becomes valid ({})",
                                        u.get_ref(),
                                        f.get_ref()
                                    ),
                                )
                                .with_help("`valid_until` must come after `valid_from`"),
                            );
                            ok = false;
                        }
                        (key, f, u)
                    }
                    _ => {
                        ok = false;
                        continue;
                    }
                }
            }
            other => {
                ctx.error(
                    "accord::type",
                    item.span(),
                    format!(
                        "a key must be a string or a table, found {}",
                        type_name(other)
                    ),
                );
                ok = false;
                continue;
            }
        };
        let Some(key) = key else {
            ok = false;
            continue;
        };
        if let Err(why) = crate::keys::check(key.get_ref()) {
            ctx.push(
                Diagnostic::error(
                    "accord::key",
                    key.span(),
                    format!("`{}` is not a valid Ed25519 public key: {why}", abbreviate(key.get_ref())),
                )
                .with_help("paste the verifier key printed by `accord key generate`, or 32 bytes in standard base64"),
            );
            ok = false;
        }
        spans.push(KeySpans { key: key.span() });
        out.push(PublicKey {
            key: key.into_inner(),
            valid_from: valid_from.map(Spanned::into_inner),
            valid_until: valid_until.map(Spanned::into_inner),
        });
    }
    ok.then_some((out, spans))
}

fn abbreviate(s: &str) -> String {
    if s.chars().count() <= 24 {
        s.to_owned()
    } else {
        let head: String = s.chars().take(20).collect();
        format!("{head}...")
    }
}

fn party(ctx: &mut Ctx<'_>, t: &mut Table<'_, '_>) -> Option<(Party, Range<usize>, Vec<KeySpans>)> {
    let id_str = t.req_str(ctx, "id");
    let id = id_str
        .as_ref()
        .and_then(|s| reader::ident::<ParticipantId>(ctx, s));
    let name = t.req_str(ctx, "name");
    let role = t.req_choice(ctx, "role", ROLES);
    let jurisdiction = t.opt_str(ctx, "jurisdiction");
    let keys = keys(ctx, t);
    let id_str = id_str?;
    ctx.declare(Kind::Participant, id_str.get_ref(), id_str.span());
    let (keys, spans) = keys?;
    Some((
        Party {
            id: id?,
            name: name?.into_inner(),
            role: *role?.get_ref(),
            jurisdiction: jurisdiction.map(|j| Jurisdiction(j.into_inner())),
            keys,
        },
        id_str.span(),
        spans,
    ))
}

fn monitor(
    ctx: &mut Ctx<'_>,
    t: &mut Table<'_, '_>,
) -> Option<(Monitor, Range<usize>, Vec<KeySpans>)> {
    let id_str = t.req_str(ctx, "id");
    let id = id_str
        .as_ref()
        .and_then(|s| reader::ident::<ParticipantId>(ctx, s));
    let name = t.req_str(ctx, "name");
    let methods_v = t.require(ctx, "methods");
    let methods = methods_v.and_then(|v| reader::choices(ctx, Some(v), "methods", METHODS));
    let keys = keys(ctx, t);
    let id_str = id_str?;
    // A monitor that shares an id with a party is reported by `validate` as not neutral,
    // not as a duplicate.
    if ctx.is_declared(Kind::Participant, id_str.get_ref()) {
        ctx.push(
            Diagnostic::error(
                "accord::monitor_is_party",
                id_str.span(),
                format!("monitor `{}` is also a party", id_str.get_ref()),
            )
            .with_help("a monitor must be independent of the parties: name a different body, or remove it from [[parties]]"),
        );
    } else {
        ctx.declare(Kind::Participant, id_str.get_ref(), id_str.span());
    }
    let methods = methods?;
    if let Some(self_report) = methods.iter().find(|m| *m.get_ref() == Method::SelfReport) {
        ctx.push(
            Diagnostic::error(
                "accord::monitor_self_report",
                self_report.span(),
                "a monitor cannot be accredited for `self_report`",
            )
            .with_help("self-reports are the target's own; accept them in a protocol with `self_report = ...`"),
        );
    }
    let (keys, spans) = keys?;
    Some((
        Monitor {
            id: id?,
            name: name?.into_inner(),
            methods: methods.into_iter().map(Spanned::into_inner).collect(),
            keys,
        },
        id_str.span(),
        spans,
    ))
}

fn regime(ctx: &mut Ctx<'_>, t: &mut Table<'_, '_>) -> Option<Regime> {
    let id = t.req_id::<RegimeId>(ctx, "id", Some(Kind::Regime));
    let jurisdiction = t.req_str(ctx, "jurisdiction");
    let name = t.req_str(ctx, "name");
    let legal_basis = t.req_str(ctx, "legal_basis");
    let list_programmes = t.str_list(ctx, "list_programmes");
    let mut measures = Vec::new();
    let mut ok = true;
    for mut m in t.tables(ctx, "measures", "a measure") {
        let mid = m.req_id::<MeasureId>(ctx, "id", Some(Kind::Measure));
        let kind = m.req_choice(ctx, "kind", MEASURE_KINDS);
        let sectors = m.str_list(ctx, "sectors");
        let legal_basis = m.opt_str(ctx, "legal_basis");
        let description = m.req_str(ctx, "description");
        let review = m.get("review").map(|v| measure_review(ctx, v));
        let sunset = m.opt_date_rule(ctx, "sunset");
        m.finish(ctx);
        match (mid, kind, sectors, description, review, sunset) {
            (
                Some(id),
                Some(kind),
                Some(sectors),
                Some(description),
                review @ (None | Some(Some(_))),
                Some(sunset),
            ) => measures.push(Measure {
                id,
                kind: *kind.get_ref(),
                sectors,
                legal_basis: legal_basis.map(Spanned::into_inner),
                description: description.into_inner(),
                review: review.flatten(),
                sunset: sunset.map(|s| s.value),
            }),
            _ => ok = false,
        }
    }
    if !ok {
        return None;
    }
    Some(Regime {
        id: id?,
        jurisdiction: Jurisdiction(jurisdiction?.into_inner()),
        name: name?.into_inner(),
        legal_basis: legal_basis?.into_inner(),
        list_programmes: list_programmes?,
        measures,
    })
}

/// Findings that stand until replaced: `stands = true`, or `stands = { max_age = "P1Y" }`.
fn stands(ctx: &mut Ctx<'_>, v: &Value<'_>) -> Option<Stands> {
    match v.get_ref() {
        DeValue::Boolean(true) => Some(Stands { max_age: None }),
        DeValue::Table(_) => {
            let mut t = Table::of(ctx, v, "findings that stand")?;
            let max_age = t.opt_duration(ctx, "max_age");
            t.finish(ctx);
            Some(Stands {
                max_age: max_age?.map(Spanned::into_inner),
            })
        }
        other => {
            ctx.push(
                Diagnostic::error(
                    "accord::type",
                    v.span(),
                    format!("`stands` cannot be {}", describe(other)),
                )
                .with_help("write `stands = true`, or `stands = { max_age = \"P1Y\" }`; leave it out for one report per period"),
            );
            None
        }
    }
}

/// A measure's review dates: `{ starts, every, ends, remind }`.
fn measure_review(ctx: &mut Ctx<'_>, v: &Value<'_>) -> Option<MeasureReview> {
    let mut t = Table::of(ctx, v, "a measure's review")?;
    let starts = t.req_date_rule(ctx, "starts");
    let every = t.opt_duration(ctx, "every");
    let ends = t.opt_date_rule(ctx, "ends");
    let remind = t.opt_duration(ctx, "remind");
    t.finish(ctx);
    Some(MeasureReview {
        starts: starts?.value,
        every: every?.map(Spanned::into_inner),
        ends: ends?.map(|e| e.value),
        remind: remind?.map(Spanned::into_inner),
    })
}

/// The milestones inside a trigger's countdown: `[{ after, title, event }]`.
fn milestones(ctx: &mut Ctx<'_>, t: &mut Table<'_, '_>) -> Option<Vec<Milestone>> {
    let mut out = Vec::new();
    let mut ok = true;
    for mut m in t.tables(ctx, "milestones", "a milestone") {
        let title = m.req_str(ctx, "title");
        let after = m.req_duration(ctx, "after");
        let event = m.ref_id::<EventId>(ctx, "event", Kind::Event, false);
        m.finish(ctx);
        match (title, after) {
            (Some(title), Some(after)) => out.push(Milestone {
                title: title.into_inner(),
                after: after.into_inner(),
                event: event.map(Spanned::into_inner),
            }),
            _ => ok = false,
        }
    }
    ok.then_some(out)
}

fn unit(ctx: &mut Ctx<'_>, t: &mut Table<'_, '_>) -> Option<Unit> {
    let id = t.req_id::<UnitId>(ctx, "id", Some(Kind::Unit));
    let quantity = t.req_str(ctx, "quantity");
    let factor = t.opt_number(ctx, "factor");
    let precision = t.opt_uint(ctx, "precision", 12);
    let description = t.req_str(ctx, "description");
    let factor = factor?;
    if let Some(f) = &factor
        && *f.get_ref() <= 0.0
    {
        ctx.push(
            Diagnostic::error(
                "accord::unit_factor",
                f.span(),
                "a unit's factor must be greater than zero",
            )
            .with_help("`factor` is how many base units of its quantity one of this unit is, e.g. `0.676` kg U in one kg UF6"),
        );
        return None;
    }
    Some(Unit {
        id: id?,
        quantity: quantity?.into_inner(),
        factor: factor.map_or(1.0, Spanned::into_inner),
        description: description?.into_inner(),
        precision: precision?.and_then(|p| u8::try_from(*p.get_ref()).ok()),
    })
}

fn event(ctx: &mut Ctx<'_>, t: &mut Table<'_, '_>) -> Option<(Event, Option<Located<DateRule>>)> {
    let id = t.req_id::<EventId>(ctx, "id", Some(Kind::Event));
    let description = t.req_str(ctx, "description");
    let date = t.opt_date_rule(ctx, "date");
    let recorded_by = t.ref_ids::<ParticipantId>(ctx, "recorded_by", Kind::Participant);
    note_participants(ctx, &recorded_by, false);
    let recurs = t.opt_bool(ctx, "recurs");
    let date = date?;
    Some((
        Event {
            id: id?,
            description: description?.into_inner(),
            date: date.as_ref().map(|d| d.value.clone()),
            recorded_by: recorded_by?.into_iter().map(Spanned::into_inner).collect(),
            recurs: recurs?.unwrap_or(false),
        },
        date,
    ))
}

/// Reads a verification protocol's fields (from `[[protocols]]` or an inline table).
fn verification(ctx: &mut Ctx<'_>, t: &mut Table<'_, '_>, d: &Draft) -> Option<ProtocolDraft> {
    let monitors = t.ref_ids::<ParticipantId>(ctx, "monitors", Kind::Participant);
    note_participants(ctx, &monitors, true);
    let methods_v = t.require(ctx, "methods");
    let methods = methods_v.and_then(|v| reader::choices(ctx, Some(v), "methods", METHODS));
    let quorum = t.req_uint(ctx, "quorum", u64::from(u32::MAX));
    let tolerance = t.get("tolerance");
    let self_report = t.opt_choice(ctx, "self_report", SELF_REPORT);
    let confidentiality = t.req_choice(ctx, "confidentiality", CONFIDENTIALITY);
    let (tolerance, tolerance_unit, tolerance_span) = match tolerance {
        None => (Some(Tolerance::Exact), None, None),
        Some(v) => match tolerance_value(ctx, v) {
            Some((tol, unit)) => (Some(tol), unit, Some(v.span())),
            None => (None, None, Some(v.span())),
        },
    };
    let monitors = monitors?;
    let methods = methods?;
    let quorum = quorum?;
    let self_report = self_report?;
    let sr = self_report
        .as_ref()
        .map_or(SelfReport::NotAccepted, |s| *s.get_ref());

    // Quorum: k of n, where n counts the target's self-report when it counts toward it.
    let n = monitors.len() + usize::from(sr == SelfReport::CountsTowardQuorum);
    let k = *quorum.get_ref();
    check_quorum(ctx, quorum.span(), k, n);
    if monitors.is_empty() && sr != SelfReport::Sufficient {
        ctx.push(
            Diagnostic::error(
                "accord::no_monitors",
                t.header_span(ctx.source),
                format!(
                    "{} names no monitors and does not accept self-reports",
                    t.what
                ),
            )
            .with_help(
                "name monitors in `monitors = [...]`, or set `self_report = \"sufficient\"`",
            ),
        );
    }
    // Accreditation: each named monitor must be accredited for at least one method, and
    // each method (other than self-report) must be one some named monitor is accredited for.
    for m in &monitors {
        let Some((mon, _, _)) = d.monitors.iter().find(|(x, _, _)| &x.id == m.get_ref()) else {
            continue; // a party or an unknown id: reported elsewhere
        };
        let accredited: Vec<&str> = mon.methods.iter().map(|x| method_name(*x)).collect();
        if !methods.iter().any(|x| mon.methods.contains(x.get_ref())) {
            ctx.push(
                Diagnostic::error(
                    "accord::not_accredited",
                    m.span(),
                    format!(
                        "monitor `{}` is not accredited for any method of {}",
                        m.get_ref(),
                        t.what
                    ),
                )
                .with_help(format!(
                    "`{}` is accredited for {}: add one to `methods`, or accredit the monitor",
                    m.get_ref(),
                    crate::diagnostic::one_of(&accredited)
                )),
            );
        }
    }
    let mut seen_self_report = false;
    for method in &methods {
        if *method.get_ref() == Method::SelfReport {
            seen_self_report = true;
            continue;
        }
        let named: Vec<&Monitor> = monitors
            .iter()
            .filter_map(|m| {
                d.monitors
                    .iter()
                    .find(|(x, _, _)| &x.id == m.get_ref())
                    .map(|(x, _, _)| x)
            })
            .collect();
        if !monitors.is_empty()
            && named.len() == monitors.len()
            && !named
                .iter()
                .any(|mon| mon.methods.contains(method.get_ref()))
        {
            ctx.push(
                Diagnostic::error(
                    "accord::not_accredited",
                    method.span(),
                    format!(
                        "no monitor of {} is accredited for `{}`",
                        t.what,
                        method_name(*method.get_ref())
                    ),
                )
                .with_help("remove the method, or name a monitor accredited for it"),
            );
        }
    }
    if seen_self_report && sr == SelfReport::NotAccepted {
        let span = methods
            .iter()
            .find(|m| *m.get_ref() == Method::SelfReport)
            .map_or(t.header_span(ctx.source), Spanned::span);
        ctx.push(
            Diagnostic::error(
                "accord::self_report",
                span,
                "`self_report` is listed as a method but self-reports are not accepted",
            )
            .with_help("set `self_report = \"counts_toward_quorum\"` or `\"sufficient\"`, or remove the method"),
        );
    }
    Some(ProtocolDraft {
        verification: Verification {
            monitors: monitors.into_iter().map(Spanned::into_inner).collect(),
            methods: methods.into_iter().map(Spanned::into_inner).collect(),
            quorum: u32::try_from(k).ok()?,
            tolerance: tolerance?,
            self_report: sr,
            confidentiality: *confidentiality?.get_ref(),
        },
        tolerance_unit,
        tolerance_span,
    })
}

/// A quorum of `k` among `n` possible reporters: at least one, and no more than named.
fn check_quorum(ctx: &mut Ctx<'_>, span: Range<usize>, k: u64, n: usize) {
    if k == 0 {
        ctx.push(
            Diagnostic::error("accord::quorum", span, "a quorum of 0 verifies nothing").with_help(
                "the quorum is how many monitors must report agreeing values: at least 1",
            ),
        );
    } else if k > n as u64 && n > 0 {
        ctx.push(
            Diagnostic::error(
                "accord::quorum",
                span,
                format!(
                    "quorum {k} is larger than the {n} reporter{} named",
                    if n == 1 { "" } else { "s" }
                ),
            )
            .with_label(format!("{k} of {n} can never agree"))
            .with_help(format!(
                "lower the quorum to at most {n}, or name more monitors"
            )),
        );
    }
}

fn tolerance_value(
    ctx: &mut Ctx<'_>,
    v: &Value<'_>,
) -> Option<(Tolerance, Option<Spanned<UnitId>>)> {
    match v.get_ref() {
        DeValue::String(s) if s == "exact" => Some((Tolerance::Exact, None)),
        DeValue::Table(_) => {
            let mut t = Table::of(ctx, v, "a tolerance")?;
            let absolute = t.opt_number(ctx, "absolute");
            let relative = t.opt_number(ctx, "relative");
            let unit = t.ref_id::<UnitId>(ctx, "unit", Kind::Unit, false);
            t.finish(ctx);
            match (absolute?, relative?) {
                (Some(a), None) if *a.get_ref() >= 0.0 => Some((
                    Tolerance::Absolute {
                        value: *a.get_ref(),
                    },
                    unit,
                )),
                (None, Some(r)) if (0.0..=1.0).contains(r.get_ref()) => {
                    if let Some(u) = unit {
                        ctx.push(
                            Diagnostic::error(
                                "accord::tolerance",
                                u.span(),
                                "a relative tolerance has no unit",
                            )
                            .with_help("remove `unit`, or use `absolute = ...`"),
                        );
                        return None;
                    }
                    Some((
                        Tolerance::Relative {
                            fraction: *r.get_ref(),
                        },
                        None,
                    ))
                }
                (Some(a), None) => {
                    ctx.error(
                        "accord::tolerance",
                        a.span(),
                        "an absolute tolerance cannot be negative",
                    );
                    None
                }
                (None, Some(r)) => {
                    ctx.push(
                        Diagnostic::error(
                            "accord::tolerance",
                            r.span(),
                            "a relative tolerance is a fraction from 0 to 1",
                        )
                        .with_help("write 5% as `relative = 0.05`"),
                    );
                    None
                }
                _ => {
                    ctx.push(
                        Diagnostic::error(
                            "accord::tolerance",
                            v.span(),
                            "a tolerance is either `absolute` or `relative`",
                        )
                        .with_help("write `{ absolute = 0.5, unit = \"kg_u\" }`, `{ relative = 0.05 }` or `\"exact\"`"),
                    );
                    None
                }
            }
        }
        _ => {
            ctx.push(
                Diagnostic::error(
                    "accord::tolerance",
                    v.span(),
                    format!("`tolerance` must be `\"exact\"` or a table, found {}", describe(v.get_ref())),
                )
                .with_help("write `{ absolute = 0.5, unit = \"kg_u\" }`, `{ relative = 0.05 }` or `\"exact\"`"),
            );
            None
        }
    }
}

fn describe(v: &DeValue<'_>) -> String {
    match v {
        DeValue::String(s) => format!("`\"{s}\"`"),
        other => type_name(other).to_owned(),
    }
}

fn commitment(ctx: &mut Ctx<'_>, t: &mut Table<'_, '_>, d: &mut Draft) {
    let id_str = t.req_str(ctx, "id");
    let id = id_str
        .as_ref()
        .and_then(|s| reader::ident::<CommitmentId>(ctx, s));
    if let Some(s) = &id_str {
        ctx.declare(Kind::Commitment, s.get_ref(), s.span());
    }
    let title = t.req_str(ctx, "title");
    let text = t.req_str(ctx, "text");
    let themes = t.str_list(ctx, "themes").unwrap_or_default();
    let indicators = t.tables(ctx, "indicators", "an indicator");
    let n = indicators.len();
    for mut i in indicators {
        if let (Some(cid), Some(x)) = (id.clone(), indicator_fields(ctx, &mut i, d)) {
            let (mut ind, rest) = x;
            ind.commitment = cid;
            d.indicators.push(IndicatorDraft {
                indicator: ind,
                ..rest
            });
        }
        i.finish(ctx);
    }
    if let (Some(id), Some(id_str), Some(title), Some(text)) = (id, id_str, title, text) {
        if n == 0 {
            ctx.push(
                Diagnostic::error(
                    "accord::no_indicators",
                    id_str.span(),
                    format!(
                        "commitment `{}` has no indicators, so it can never be found compliant",
                        id
                    ),
                )
                .with_help("make it measurable with at least one `[[commitments.indicators]]`"),
            );
        }
        d.commitments.push((
            Commitment {
                id,
                title: title.into_inner(),
                text: text.into_inner(),
                themes,
            },
            id_str.span(),
            n,
        ));
    }
}

/// The keys that belong to one type or another of a table (an indicator's, a relief
/// action's), as found (absent ones are `None`). Every type's keys are asked for, so that a
/// key of another type is reported as belonging to it rather than as unknown.
struct TypeKeys<'a, 'i>(Vec<(&'static str, Option<&'a Value<'i>>)>);

impl<'a, 'i> TypeKeys<'a, 'i> {
    fn take(t: &mut Table<'a, 'i>, names: &[&'static str]) -> Self {
        Self(names.iter().map(|k| (*k, t.get(k))).collect())
    }

    fn get(&self, key: &str) -> Option<&'a Value<'i>> {
        self.0.iter().find(|(k, _)| *k == key).and_then(|(_, v)| *v)
    }

    /// Reports every key not `allowed` for the type (`a_type`: "a `flag` indicator").
    fn check_applies(&self, ctx: &mut Ctx<'_>, code: &'static str, allowed: &[&str], a_type: &str) {
        for (k, v) in &self.0 {
            let Some(v) = v else { continue };
            if allowed.contains(k) {
                continue;
            }
            ctx.push(
                Diagnostic::error(code, v.span(), format!("`{k}` does not apply to {a_type}"))
                    .with_help(format!(
                        "{a_type} takes {}",
                        crate::diagnostic::one_of(allowed)
                    )),
            );
        }
    }
}

/// Reports a key the table's type requires and the table lacks.
struct Missing<'w> {
    header: Range<usize>,
    what: &'w str,
    help: &'w dyn Fn(&str) -> String,
}

impl<'w> Missing<'w> {
    /// For the table `t`, whose header the diagnostics point at.
    fn of(
        ctx: &Ctx<'_>,
        t: &Table<'_, '_>,
        what: &'w str,
        help: &'w dyn Fn(&str) -> String,
    ) -> Self {
        Self {
            header: t.header_span(ctx.source),
            what,
            help,
        }
    }

    /// The value of key `k`, or `None` and a diagnostic when it is missing.
    fn get<'v, 'i>(
        &self,
        ctx: &mut Ctx<'_>,
        keys: &TypeKeys<'v, 'i>,
        k: &str,
    ) -> Option<&'v Value<'i>> {
        let v = keys.get(k);
        if v.is_none() {
            ctx.push(
                Diagnostic::error(
                    "accord::missing_key",
                    self.header.clone(),
                    format!("{} has no `{k}`", self.what),
                )
                .with_help((self.help)(k)),
            );
        }
        v
    }

    /// The string at key `k`, or `None` and a diagnostic when it is missing or no string.
    fn string(
        &self,
        ctx: &mut Ctx<'_>,
        keys: &TypeKeys<'_, '_>,
        k: &str,
    ) -> Option<Spanned<String>> {
        self.get(ctx, keys, k)
            .and_then(|v| reader::string(ctx, v, k))
    }

    /// `Some` when every one of `names` is there (each one missing is reported).
    fn all_there(&self, ctx: &mut Ctx<'_>, keys: &TypeKeys<'_, '_>, names: &[&str]) -> Option<()> {
        let mut ok = true;
        for k in names {
            ok &= self.get(ctx, keys, k).is_some();
        }
        ok.then_some(())
    }
}

const INDICATOR_KEYS: [&str; 7] = [
    "comparison",
    "limit",
    "unit",
    "expected",
    "due",
    "scale",
    "pass",
];

fn indicator_fields(
    ctx: &mut Ctx<'_>,
    t: &mut Table<'_, '_>,
    d: &Draft,
) -> Option<(Indicator, IndicatorDraft)> {
    let id_str = t.req_str(ctx, "id");
    let id = id_str
        .as_ref()
        .and_then(|s| reader::ident::<IndicatorId>(ctx, s));
    if let Some(s) = &id_str {
        ctx.declare(Kind::Indicator, s.get_ref(), s.span());
    }
    let description = t.req_str(ctx, "description");
    let ty = t.req_choice(ctx, "type", INDICATOR_TYPES);
    let keys = TypeKeys::take(t, &INDICATOR_KEYS);
    let cadence = t.req_duration(ctx, "cadence");
    let starts = t.req_date_rule(ctx, "starts");
    let ends = t.opt_date_rule(ctx, "ends").flatten();
    let grace = t.req_duration(ctx, "grace");
    let overdue_v = t.get("overdue");
    let cure = t.opt_duration(ctx, "cure");
    let stands = t.get("stands").map(|v| stands(ctx, v));
    let verification_v = t.require(ctx, "verification");
    let what = match &id_str {
        Some(s) => format!("indicator `{}`", s.get_ref()),
        None => "an indicator".to_owned(),
    };
    let ty = ty.as_ref().map(|t| *t.get_ref());
    if let Some(ty) = ty {
        let allowed: &[&str] = match ty {
            IndicatorType::Threshold => &["comparison", "limit", "unit"],
            IndicatorType::Flag => &["expected"],
            IndicatorType::Count => &["comparison", "limit"],
            IndicatorType::Deadline => &["due"],
            IndicatorType::Grade => &["scale", "pass"],
        };
        let name = INDICATOR_TYPES
            .iter()
            .find(|(_, x)| *x == ty)
            .map_or("?", |(n, _)| n);
        let a_type = format!("a `{name}` indicator");
        keys.check_applies(ctx, "accord::indicator_field", allowed, &a_type);
    }
    let help = |k: &str| format!("add `{k} = ...` (see docs/agreement-format.md)");
    let missing = Missing::of(ctx, t, &what, &help);
    let target = indicator_target(ctx, ty, &keys, &missing);
    let overdue = match overdue_v {
        None => Some((OverduePolicy::None, None)),
        Some(v) => overdue_policy(ctx, v),
    };
    let proto = verification_v.and_then(|v| indicator_protocol(ctx, v, d, &what));
    let tolerance = match (&proto, &target) {
        (Some(p), Some(target)) => converted_tolerance(ctx, p, target, d, &what),
        (p, _) => p.as_ref().map(|p| p.verification.tolerance),
    };
    let (
        Some(id),
        Some(id_str),
        Some(description),
        Some(target),
        Some(cadence),
        Some(starts),
        Some(grace),
        Some(overdue),
        Some(cure),
        Some(proto),
        Some(tolerance),
    ) = (
        id,
        id_str,
        description,
        target,
        cadence,
        starts,
        grace,
        overdue,
        cure,
        proto,
        tolerance,
    )
    else {
        return None;
    };
    if cadence.get_ref().is_zero() {
        ctx.push(
            Diagnostic::error(
                "accord::cadence",
                cadence.span(),
                "a cadence of zero days never ends a reporting period",
            )
            .with_help("write the reporting period, e.g. `P1M` or `P3M`"),
        );
        return None;
    }
    let mut verification = proto.verification.clone();
    verification.tolerance = tolerance;
    let indicator = Indicator {
        id,
        // INVARIANT: replaced by the caller, which knows the commitment.
        commitment: CommitmentId::new("pending").ok()?,
        description: description.into_inner(),
        target,
        cadence: *cadence.get_ref(),
        starts: starts.value.clone(),
        ends: ends.as_ref().map(|e| e.value.clone()),
        grace: *grace.get_ref(),
        overdue: overdue.0,
        cure: cure.as_ref().map(|c| *c.get_ref()),
        stands: match stands {
            Some(s) => Some(s?),
            None => None,
        },
        verification,
    };
    Some((
        indicator.clone(),
        IndicatorDraft {
            indicator,
            id_span: id_str.span(),
            cadence_span: cadence.span(),
            grace_span: grace.span(),
            cure_span: cure.map(|c| c.span()),
            starts,
            ends,
        },
    ))
}

/// What an indicator measures and what counts as compliant, read by its type.
fn indicator_target(
    ctx: &mut Ctx<'_>,
    ty: Option<IndicatorType>,
    k: &TypeKeys<'_, '_>,
    missing: &Missing<'_>,
) -> Option<IndicatorTarget> {
    match ty? {
        IndicatorType::Threshold => {
            missing.all_there(ctx, k, &["comparison", "limit", "unit"])?;
            let c = k
                .get("comparison")
                .and_then(|v| reader::choice(ctx, v, "comparison", COMPARISONS));
            let l = k.get("limit").and_then(|v| reader::number(ctx, v, "limit"));
            let u = k.get("unit").and_then(|v| reader::string(ctx, v, "unit"));
            let u = u.and_then(|s| {
                let id = reader::ident::<UnitId>(ctx, &s)?;
                ctx.refer(Kind::Unit, s.get_ref(), s.span());
                Some(id)
            });
            Some(IndicatorTarget::Threshold {
                comparison: *c?.get_ref(),
                limit: *l?.get_ref(),
                unit: u?,
            })
        }
        IndicatorType::Flag => {
            missing.all_there(ctx, k, &["expected"])?;
            let v = k.get("expected")?;
            match v.get_ref() {
                DeValue::Boolean(b) => Some(IndicatorTarget::Flag { expected: *b }),
                other => {
                    ctx.error(
                        "accord::type",
                        v.span(),
                        format!(
                            "`expected` must be `true` or `false`, found {}",
                            type_name(other)
                        ),
                    );
                    None
                }
            }
        }
        IndicatorType::Count => {
            missing.all_there(ctx, k, &["comparison", "limit"])?;
            let c = k
                .get("comparison")
                .and_then(|v| reader::choice(ctx, v, "comparison", COMPARISONS));
            let l = k
                .get("limit")
                .and_then(|v| reader::uint(ctx, v, "limit", u64::MAX >> 1));
            Some(IndicatorTarget::Count {
                comparison: *c?.get_ref(),
                limit: *l?.get_ref(),
            })
        }
        IndicatorType::Deadline => {
            missing.all_there(ctx, k, &["due"])?;
            let due = k
                .get("due")
                .and_then(|v| reader::date_rule(ctx, v, "due"))?;
            Some(IndicatorTarget::Deadline { due: due.value })
        }
        IndicatorType::Grade => {
            missing.all_there(ctx, k, &["scale", "pass"])?;
            grade_target(ctx, k.get("scale")?, k.get("pass")?)
        }
    }
}

/// A grade scale, worst first, without repeats, and a pass grade on it.
fn grade_target(ctx: &mut Ctx<'_>, scale: &Value<'_>, pass: &Value<'_>) -> Option<IndicatorTarget> {
    let s = reader::strings(ctx, scale, "scale");
    let p = reader::string(ctx, pass, "pass");
    let (s, p) = (s?, p?);
    let names: Vec<&str> = s.iter().map(|x| x.get_ref().as_str()).collect();
    // The last grade that repeats an earlier one.
    let dup = s
        .iter()
        .enumerate()
        .rev()
        .find(|(i, x)| names.iter().take(*i).any(|n| *n == x.get_ref()))
        .map(|(_, x)| x);
    if let Some(x) = dup {
        ctx.error(
            "accord::grade",
            x.span(),
            format!("grade `{}` appears twice in the scale", x.get_ref()),
        );
        return None;
    }
    if s.len() < 2 {
        ctx.push(
            Diagnostic::error(
                "accord::grade",
                scale.span(),
                "a grade scale needs at least two grades",
            )
            .with_help("list the grades worst first: `scale = [\"poor\", \"adequate\", \"good\"]`"),
        );
        return None;
    }
    if !names.contains(&p.get_ref().as_str()) {
        let msg = format!("the pass grade `{}` is not on the scale", p.get_ref());
        let help = crate::diagnostic::did_you_mean(p.get_ref(), names.iter().copied(), |all| {
            format!("the grades are {}", crate::diagnostic::one_of(&all))
        });
        ctx.push(Diagnostic::error("accord::grade", p.span(), msg).with_help(help));
        return None;
    }
    Some(IndicatorTarget::Grade {
        scale: s.into_iter().map(Spanned::into_inner).collect(),
        pass: p.into_inner(),
    })
}

/// An indicator's verification: a named protocol, or one written inline.
fn indicator_protocol(
    ctx: &mut Ctx<'_>,
    v: &Value<'_>,
    d: &Draft,
    what: &str,
) -> Option<ProtocolDraft> {
    match v.get_ref() {
        DeValue::String(name) => {
            ctx.refer(Kind::Protocol, name, v.span());
            d.protocols.get(name.as_ref()).cloned()
        }
        DeValue::Table(_) => {
            let mut vt = Table::of(ctx, v, format!("the verification of {what}"))?;
            let p = verification(ctx, &mut vt, d);
            vt.finish(ctx);
            p
        }
        other => {
            ctx.push(
                Diagnostic::error(
                    "accord::type",
                    v.span(),
                    format!("`verification` must name a protocol or be a table, found {}", type_name(other)),
                )
                .with_help("write `verification = \"iaea-inspection\"` (a [[protocols]] id) or an inline table"),
            );
            None
        }
    }
}

/// The protocol's tolerance for this indicator: a tolerance written in a unit is converted
/// into the indicator's unit (the two must measure the same quantity), and a numeric one
/// applies only to numbers. `None` after a diagnostic.
fn converted_tolerance(
    ctx: &mut Ctx<'_>,
    p: &ProtocolDraft,
    target: &IndicatorTarget,
    d: &Draft,
    what: &str,
) -> Option<Tolerance> {
    let tolerance = p.verification.tolerance;
    match (target, &p.tolerance_unit, tolerance) {
        (IndicatorTarget::Threshold { unit, .. }, Some(tu), Tolerance::Absolute { value }) => {
            let from = d.units.iter().find(|u| &u.id == tu.get_ref());
            let to = d.units.iter().find(|u| &u.id == unit);
            let (Some(from), Some(to)) = (from, to) else {
                return Some(tolerance);
            };
            if from.quantity == to.quantity {
                return Some(Tolerance::Absolute {
                    value: value * from.factor / to.factor,
                });
            }
            ctx.push(
                Diagnostic::error(
                    "accord::unit_quantity",
                    tu.span(),
                    format!(
                        "the tolerance is in `{}` ({}) but {what} is measured in `{}` ({})",
                        from.id, from.quantity, to.id, to.quantity
                    ),
                )
                .with_label("a different quantity")
                .with_help(format!(
                    "units of different quantities are never compared: give the tolerance in a unit of `{}`",
                    to.quantity
                )),
            );
            None
        }
        (IndicatorTarget::Threshold { .. } | IndicatorTarget::Count { .. }, _, _)
        | (_, _, Tolerance::Exact) => Some(tolerance),
        (_, _, _) => {
            ctx.push(
                Diagnostic::error(
                    "accord::tolerance",
                    p.tolerance_span.clone().unwrap_or(0..0),
                    format!("a numeric tolerance does not apply to {what}, which is not a number"),
                )
                .with_help("only `threshold` and `count` indicators have a numeric tolerance: use `tolerance = \"exact\"`"),
            );
            None
        }
    }
}

fn overdue_policy(
    ctx: &mut Ctx<'_>,
    v: &Value<'_>,
) -> Option<(OverduePolicy, Option<Range<usize>>)> {
    let help = "write `overdue = \"none\"`, `overdue = \"hold_relief\"`, `overdue = { noncompliant_after = 2 }` or `overdue = { escalate = \"joint-commission\" }`";
    match v.get_ref() {
        DeValue::String(s) if s == "hold_relief" => {
            Some((OverduePolicy::HoldRelief, Some(v.span())))
        }
        DeValue::String(s) if s == "none" => Some((OverduePolicy::None, Some(v.span()))),
        DeValue::Table(_) => {
            let mut t = Table::of(ctx, v, "an overdue policy")?;
            let misses = t.opt_uint(ctx, "noncompliant_after", u64::from(u32::MAX));
            let stage = t.ref_id::<StageId>(ctx, "escalate", Kind::Stage, false);
            t.finish(ctx);
            match (misses?, stage) {
                (Some(m), None) => {
                    if *m.get_ref() == 0 {
                        ctx.push(
                            Diagnostic::error("accord::overdue", m.span(), "`noncompliant_after = 0` would count a report as non-compliant before it is missed")
                                .with_help("count consecutive missed periods from 1"),
                        );
                        return None;
                    }
                    Some((
                        OverduePolicy::NoncompliantAfter {
                            misses: u32::try_from(*m.get_ref()).ok()?,
                        },
                        Some(m.span()),
                    ))
                }
                (None, Some(s)) => Some((
                    OverduePolicy::Escalate {
                        stage: s.get_ref().clone(),
                    },
                    Some(s.span()),
                )),
                _ => {
                    ctx.push(
                        Diagnostic::error(
                            "accord::overdue",
                            v.span(),
                            "an overdue policy is one of its four forms",
                        )
                        .with_help(help),
                    );
                    None
                }
            }
        }
        other => {
            let found = match other {
                DeValue::String(s) => format!("`\"{s}\"`"),
                o => type_name(o).to_owned(),
            };
            let mut dgn = Diagnostic::error(
                "accord::overdue",
                v.span(),
                format!("`overdue` cannot be {found}"),
            )
            .with_help(help);
            if let DeValue::String(s) = other
                && let Some(sug) =
                    crate::diagnostic::suggest(s, ["hold_relief", "noncompliant_after", "escalate"])
            {
                dgn = dgn.with_help(format!("did you mean `{sug}`? {help}"));
            }
            ctx.push(dgn);
            None
        }
    }
}

fn phase(
    ctx: &mut Ctx<'_>,
    t: &mut Table<'_, '_>,
    d: &Draft,
    order: &[String],
) -> Option<PhaseDraft> {
    let id_str = t.req_str(ctx, "id");
    let id = id_str
        .as_ref()
        .and_then(|s| reader::ident::<PhaseId>(ctx, s));
    if let Some(s) = &id_str {
        ctx.declare(Kind::Phase, s.get_ref(), s.span());
    }
    let title = t.req_str(ctx, "title");
    let entry = t
        .require(ctx, "entry")
        .and_then(|v| reader::condition_value(ctx, v, "entry"));
    let not_before = t.opt_date_rule(ctx, "not_before");
    let mut actions = Vec::new();
    let mut ok = true;
    for mut a in t.tables(ctx, "actions", "a relief action") {
        match action(ctx, &mut a, d) {
            Some(x) => actions.push(x),
            None => ok = false,
        }
        a.finish(ctx);
    }
    let id_str = id_str?;
    // Phases are entered in file order: a phase may only depend on earlier phases.
    let here = order.iter().position(|p| p == id_str.get_ref());
    // (reference, whether a reference to this very phase is allowed): an action may run
    // from its own phase's entry ("six months after the phase is entered"); the entry and
    // `not_before` of a phase may not depend on it.
    let mut phase_refs: Vec<(&crate::condition::Reference, bool)> = Vec::new();
    if let Some(e) = &entry {
        phase_refs.extend(e.references.iter().map(|r| (r, false)));
    }
    if let Some(Some(nb)) = &not_before {
        phase_refs.extend(nb.references.iter().map(|r| (r, false)));
    }
    for a in &actions {
        for r in [&a.starts, &a.expires, &a.lifted].into_iter().flatten() {
            phase_refs.extend(r.references.iter().map(|r| (r, true)));
        }
    }
    for (r, self_ok) in phase_refs
        .iter()
        .filter(|(r, _)| r.kind == crate::condition::RefKind::Phase)
    {
        let there = order.iter().position(|p| *p == r.id);
        if let (Some(here), Some(there)) = (here, there)
            && (there > here || (there == here && !self_ok))
        {
            let msg = if there == here {
                format!("phase `{}` depends on itself", r.id)
            } else {
                format!(
                    "phase `{}` depends on phase `{}`, which comes after it",
                    id_str.get_ref(),
                    r.id
                )
            };
            ctx.push(
                Diagnostic::error("accord::phase_order", r.span.clone(), msg)
                    .with_label("a cycle in the relief schedule")
                    .with_help("phases are entered in the order they are written: refer only to earlier phases, or reorder them"),
            );
        }
    }
    let entry = entry?;
    Some(PhaseDraft {
        phase: Phase {
            id: id?,
            title: title?.into_inner(),
            entry: entry.value.clone(),
            not_before: not_before.clone()?.map(|n| n.value),
            actions: actions.iter().map(|a| a.action.clone()).collect(),
        },
        id_span: id_str.span(),
        not_before: not_before?,
        actions: if ok { actions } else { return None },
    })
}

const ACTION_KEYS: [&str; 9] = [
    "measure",
    "sectors",
    "entities",
    "licence",
    "scope",
    "activities",
    "amount",
    "currency",
    "area",
];

/// What a relief action does, read by its type, with the measure it names (to check its
/// regime) and the activities a licence lists.
struct KindRead {
    kind: Option<ReliefKind>,
    measure: Option<Spanned<MeasureId>>,
    activities: Vec<String>,
}

fn action(ctx: &mut Ctx<'_>, t: &mut Table<'_, '_>, d: &Draft) -> Option<ActionDraft> {
    let id_str = t.req_str(ctx, "id");
    let id = id_str
        .as_ref()
        .and_then(|s| reader::ident::<ActionId>(ctx, s));
    if let Some(s) = &id_str {
        ctx.declare(Kind::Action, s.get_ref(), s.span());
    }
    let title = t.req_str(ctx, "title");
    let ty = t.req_choice(ctx, "type", ACTION_TYPES);
    let regime = t.ref_id::<RegimeId>(ctx, "regime", Kind::Regime, true);
    let keys = TypeKeys::take(t, &ACTION_KEYS);
    let starts = t.opt_date_rule(ctx, "starts");
    let expires = t.opt_date_rule(ctx, "expires");
    let lifted = t.opt_date_rule(ctx, "lifted");
    let renewal_v = t.get("renewal");
    let supersedes = t.ref_id::<ActionId>(ctx, "supersedes", Kind::Action, false);
    let weight = t.req_number(ctx, "weight");
    let what = match &id_str {
        Some(s) => format!("relief action `{}`", s.get_ref()),
        None => "a relief action".to_owned(),
    };
    let ty = ty.as_ref().map(|x| *x.get_ref());
    let ty_name = ACTION_TYPES
        .iter()
        .find(|(_, x)| Some(*x) == ty)
        .map_or("?", |(n, _)| n);
    if let Some(ty) = ty {
        let allowed: &[&str] = match ty {
            ActionType::SuspendMeasure | ActionType::TerminateMeasure => &["measure", "sectors"],
            ActionType::Delist => &["entities"],
            ActionType::GeneralLicence => &["licence", "scope", "activities"],
            ActionType::Unfreeze => &["amount", "currency", "measure"],
            ActionType::Cooperation => &["area"],
        };
        let a_type = format!("a `{ty_name}` action");
        keys.check_applies(ctx, "accord::action_field", allowed, &a_type);
    }
    let help = |k: &str| format!("a `{ty_name}` action needs `{k} = ...`");
    let need = Missing::of(ctx, t, &what, &help);
    let read = relief_kind(ctx, ty, &keys, &need);
    if let (Some(m), Some(r)) = (&read.measure, &regime) {
        check_measure_regime(ctx, d, m, r);
    }
    let (renewal, unless, renewal_span) = match renewal_v {
        None => (Some(Renewal::None), None, None),
        Some(v) => match renewal(ctx, v) {
            Some((r, u)) => (Some(r), u, Some(v.span())),
            None => (None, None, Some(v.span())),
        },
    };
    if let Some(w) = &weight
        && *w.get_ref() < 0.0
    {
        ctx.error("accord::weight", w.span(), "a weight cannot be negative");
    }
    let starts = starts?;
    let expires = expires?;
    let lifted = lifted?;
    if let (Some(Renewal::Automatic { .. }), None, Some(span)) = (&renewal, &expires, &renewal_span)
    {
        ctx.push(
            Diagnostic::error(
                "accord::renewal",
                span.clone(),
                format!("{what} renews automatically but never expires"),
            )
            .with_help("add `expires = ...` (renewal happens at expiry), or remove `renewal`"),
        );
    }
    let id_str = id_str?;
    let weight = weight?;
    let action = ReliefAction {
        id: id?,
        title: title?.into_inner(),
        kind: read.kind?,
        regime: regime?.into_inner(),
        starts: starts.as_ref().map(|s| s.value.clone()),
        expires: expires.as_ref().map(|s| s.value.clone()),
        lifted: lifted.as_ref().map(|s| s.value.clone()),
        renewal: renewal?,
        supersedes: supersedes.as_ref().map(|s| s.get_ref().clone()),
        weight: *weight.get_ref(),
    };
    Some(ActionDraft {
        action,
        id_span: id_str.span(),
        weight_span: weight.span(),
        starts,
        expires,
        lifted,
        unless,
        supersedes_span: supersedes.map(|s| s.span()),
        activities: read.activities,
    })
}

/// A measure named by an action, declared as a reference.
fn measure_ref(ctx: &mut Ctx<'_>, v: &Value<'_>) -> Option<Spanned<MeasureId>> {
    let s = reader::string(ctx, v, "measure")?;
    let id = reader::ident::<MeasureId>(ctx, &s)?;
    ctx.refer(Kind::Measure, s.get_ref(), s.span());
    Some(Spanned::new(s.span(), id))
}

/// A list of strings, empty when the key is absent; `None` after a diagnostic.
fn optional_strings(ctx: &mut Ctx<'_>, v: Option<&Value<'_>>, key: &str) -> Option<Vec<String>> {
    match v {
        Some(v) => {
            reader::strings(ctx, v, key).map(|x| x.into_iter().map(Spanned::into_inner).collect())
        }
        None => Some(Vec::new()),
    }
}

/// What the action does, by its type.
fn relief_kind(
    ctx: &mut Ctx<'_>,
    ty: Option<ActionType>,
    k: &TypeKeys<'_, '_>,
    need: &Missing<'_>,
) -> KindRead {
    let mut read = KindRead {
        kind: None,
        measure: None,
        activities: Vec::new(),
    };
    read.kind = match ty {
        Some(t @ (ActionType::SuspendMeasure | ActionType::TerminateMeasure)) => {
            let m = need
                .get(ctx, k, "measure")
                .and_then(|v| measure_ref(ctx, v));
            let sectors = optional_strings(ctx, k.get("sectors"), "sectors");
            read.measure = m.clone();
            match (m, sectors) {
                (Some(m), Some(sectors)) if t == ActionType::TerminateMeasure => {
                    Some(ReliefKind::TerminateMeasure {
                        measure: m.into_inner(),
                        sectors,
                    })
                }
                (Some(m), Some(sectors)) => Some(ReliefKind::SuspendMeasure {
                    measure: m.into_inner(),
                    sectors,
                }),
                _ => None,
            }
        }
        Some(ActionType::Delist) => need
            .get(ctx, k, "entities")
            .and_then(|v| entity_list(ctx, v))
            .map(|entities| ReliefKind::Delist { entities }),
        Some(ActionType::GeneralLicence) => {
            let l = need.string(ctx, k, "licence");
            let s = need.string(ctx, k, "scope");
            let a = optional_strings(ctx, k.get("activities"), "activities");
            read.activities = a.clone().unwrap_or_default();
            match (l, s, a) {
                (Some(l), Some(s), Some(a)) => Some(ReliefKind::GeneralLicence {
                    licence: l.into_inner(),
                    scope: s.into_inner(),
                    activities: a,
                }),
                _ => None,
            }
        }
        Some(ActionType::Unfreeze) => {
            let (kind, measure) = unfreeze(ctx, k, need);
            read.measure = measure;
            kind
        }
        Some(ActionType::Cooperation) => {
            need.string(ctx, k, "area")
                .map(|a| ReliefKind::Cooperation {
                    area: a.into_inner(),
                })
        }
        None => None,
    };
    read
}

/// An unfreezing: a positive amount in an ISO 4217 currency, under a measure.
fn unfreeze(
    ctx: &mut Ctx<'_>,
    k: &TypeKeys<'_, '_>,
    need: &Missing<'_>,
) -> (Option<ReliefKind>, Option<Spanned<MeasureId>>) {
    let a = need
        .get(ctx, k, "amount")
        .and_then(|v| reader::number(ctx, v, "amount"));
    let c = need.string(ctx, k, "currency");
    let m = need
        .get(ctx, k, "measure")
        .and_then(|v| measure_ref(ctx, v));
    if let Some(a) = &a
        && *a.get_ref() <= 0.0
    {
        ctx.error(
            "accord::amount",
            a.span(),
            "the amount unfrozen must be greater than zero",
        );
    }
    if let Some(c) = &c
        && !(c.get_ref().len() == 3 && c.get_ref().bytes().all(|b| b.is_ascii_uppercase()))
    {
        ctx.push(
            Diagnostic::error(
                "accord::currency",
                c.span(),
                format!("`{}` is not an ISO 4217 currency code", c.get_ref()),
            )
            .with_help("write three capital letters, e.g. `EUR`, `USD`, `GBP`"),
        );
    }
    let kind = match (a, c, &m) {
        (Some(a), Some(c), Some(m)) if *a.get_ref() > 0.0 => Some(ReliefKind::Unfreeze {
            amount: *a.get_ref(),
            currency: c.into_inner(),
            measure: m.get_ref().clone(),
        }),
        _ => None,
    };
    (kind, m)
}

/// The measure an action names must belong to the action's regime.
fn check_measure_regime(
    ctx: &mut Ctx<'_>,
    d: &Draft,
    m: &Spanned<MeasureId>,
    r: &Spanned<RegimeId>,
) {
    if let Some(reg) = d.regimes.iter().find(|x| &x.id == r.get_ref())
        && !reg.measures.iter().any(|x| &x.id == m.get_ref())
        && let Some(owner) = d
            .regimes
            .iter()
            .find(|x| x.measures.iter().any(|y| &y.id == m.get_ref()))
    {
        ctx.push(
            Diagnostic::error(
                "accord::measure_regime",
                m.span(),
                format!(
                    "measure `{}` belongs to regime `{}`, not `{}`",
                    m.get_ref(),
                    owner.id,
                    r.get_ref()
                ),
            )
            .with_help(format!(
                "set `regime = \"{}\"`, or name a measure of `{}`",
                owner.id,
                r.get_ref()
            )),
        );
    }
}

fn entity_list(ctx: &mut Ctx<'_>, v: &Value<'_>) -> Option<Vec<EntityRef>> {
    let DeValue::Array(items) = v.get_ref() else {
        ctx.error(
            "accord::type",
            v.span(),
            format!(
                "`entities` must be a list, found {}",
                type_name(v.get_ref())
            ),
        );
        return None;
    };
    let mut out = Vec::new();
    let mut ok = true;
    for item in items.iter() {
        match item.get_ref() {
            DeValue::String(s) => out.push(EntityRef {
                name: s.to_string(),
                list_id: None,
            }),
            DeValue::Table(_) => {
                let Some(mut t) = Table::of(ctx, item, "an entity") else {
                    ok = false;
                    continue;
                };
                let name = t.req_str(ctx, "name");
                let list_id = t.opt_str(ctx, "list_id");
                t.finish(ctx);
                if let Some(l) = &list_id
                    && !l.get_ref().contains(':')
                {
                    ctx.push(
                        Diagnostic::error("accord::list_id", l.span(), format!("`{}` does not name its list", l.get_ref()))
                            .with_help("write the list and its own identifier, e.g. `ofac-sdn:12345` or `eu-fsf:EU.123.45`"),
                    );
                    ok = false;
                }
                match name {
                    Some(n) => out.push(EntityRef {
                        name: n.into_inner(),
                        list_id: list_id.map(Spanned::into_inner),
                    }),
                    None => ok = false,
                }
            }
            other => {
                ctx.error(
                    "accord::type",
                    item.span(),
                    format!(
                        "an entity must be a name or a table, found {}",
                        type_name(other)
                    ),
                );
                ok = false;
            }
        }
    }
    if out.is_empty() && ok {
        ctx.error(
            "accord::entities",
            v.span(),
            "a delisting must name at least one entity",
        );
        return None;
    }
    ok.then_some(out)
}

fn renewal(ctx: &mut Ctx<'_>, v: &Value<'_>) -> Option<(Renewal, Option<Located<Condition>>)> {
    match v.get_ref() {
        DeValue::String(s) if s == "none" => Some((Renewal::None, None)),
        DeValue::Table(_) => {
            let mut t = Table::of(ctx, v, "a renewal")?;
            let term = t.req_duration(ctx, "term");
            let unless = t
                .get("unless")
                .map(|u| reader::condition_value(ctx, u, "unless"));
            let max_terms = t.opt_uint(ctx, "max_terms", u64::from(u32::MAX));
            t.finish(ctx);
            let term = term?;
            if term.get_ref().is_zero() {
                ctx.error(
                    "accord::renewal",
                    term.span(),
                    "a renewal term of zero days renews forever at once",
                );
                return None;
            }
            let unless = match unless {
                None => None,
                Some(u) => Some(u?),
            };
            Some((
                Renewal::Automatic {
                    term: *term.get_ref(),
                    unless: unless.as_ref().map(|u| u.value.clone()),
                    max_terms: max_terms?.and_then(|m| u32::try_from(*m.get_ref()).ok()),
                },
                unless,
            ))
        }
        other => {
            ctx.push(
                Diagnostic::error(
                    "accord::renewal",
                    v.span(),
                    format!("`renewal` cannot be {}", describe(other)),
                )
                .with_help("write `renewal = \"none\"` or `renewal = { term = \"P6M\", unless = \"...\", max_terms = 2 }`"),
            );
            None
        }
    }
}

fn exemption(ctx: &mut Ctx<'_>, t: &mut Table<'_, '_>) -> Option<(Exemption, Range<usize>)> {
    let id_str = t.req_str(ctx, "id");
    let id = id_str
        .as_ref()
        .and_then(|s| reader::ident::<ExemptionId>(ctx, s));
    if let Some(s) = &id_str {
        ctx.declare(Kind::Exemption, s.get_ref(), s.span());
    }
    let title = t.req_str(ctx, "title");
    let scope = t.req_str(ctx, "scope");
    let activities = t.str_list(ctx, "activities");
    let regimes = t.ref_ids::<RegimeId>(ctx, "regimes", Kind::Regime);
    let legal_basis = t.req_str(ctx, "legal_basis");
    let activities = activities?;
    if activities.is_empty()
        && let Some(s) = &id_str
    {
        ctx.push(
            Diagnostic::error(
                "accord::exemption_scope",
                s.span(),
                format!("exemption `{}` covers no activities", s.get_ref()),
            )
            .with_help("list what it permits: `activities = [\"food\", \"medicine\"]`"),
        );
        return None;
    }
    Some((
        Exemption {
            id: id?,
            title: title?.into_inner(),
            scope: scope?.into_inner(),
            activities,
            regimes: regimes?.into_iter().map(Spanned::into_inner).collect(),
            legal_basis: legal_basis?.into_inner(),
        },
        id_str?.span(),
    ))
}

fn trigger(ctx: &mut Ctx<'_>, t: &mut Table<'_, '_>) -> Option<TriggerDraft> {
    let id_str = t.req_str(ctx, "id");
    let id = id_str
        .as_ref()
        .and_then(|s| reader::ident::<TriggerId>(ctx, s));
    if let Some(s) = &id_str {
        ctx.declare(Kind::Trigger, s.get_ref(), s.span());
    }
    let title = t.req_str(ctx, "title");
    let when = t
        .require(ctx, "when")
        .and_then(|v| reader::condition_value(ctx, v, "when"));
    let standing = t.ref_ids::<ParticipantId>(ctx, "standing", Kind::Participant);
    note_participants(ctx, &standing, false);
    let automatic = t.opt_bool(ctx, "automatic");
    let countdown = t.opt_duration(ctx, "countdown");
    let halted_by = t.ref_ids::<ParticipantId>(ctx, "halted_by", Kind::Participant);
    note_participants(ctx, &halted_by, false);
    let reverts_v = t.require(ctx, "reverts_to");
    let wind_down = t.req_duration(ctx, "wind_down");
    let non_retroactive = t.opt_bool(ctx, "non_retroactive");
    let reentry = t.opt_choice(ctx, "reentry", REENTRY);
    let milestones = milestones(ctx, t);
    let mut reverted_actions = Vec::new();
    let reverts = reverts_v.and_then(|v| match v.get_ref() {
        DeValue::String(s) if s == "pre_agreement" => Some(Reversion::PreAgreement),
        DeValue::Table(_) => {
            let mut rt = Table::of(ctx, v, "a reversion")?;
            let phase = rt.ref_id::<PhaseId>(ctx, "phase", Kind::Phase, false);
            let actions_v = rt.get("actions");
            rt.finish(ctx);
            match (phase, actions_v) {
                (Some(p), None) => Some(Reversion::Phase { phase: p.into_inner() }),
                (None, Some(av)) => {
                    let items = reader::strings(ctx, av, "actions")?;
                    let mut ids = Vec::new();
                    for s in items {
                        let id = reader::ident::<ActionId>(ctx, &s)?;
                        reverted_actions.push(s);
                        ids.push(id);
                    }
                    if ids.is_empty() {
                        ctx.error("accord::reversion", av.span(), "a partial reversion must name at least one action");
                        return None;
                    }
                    Some(Reversion::Actions { actions: ids })
                }
                _ => {
                    ctx.push(
                        Diagnostic::error("accord::reversion", v.span(), "a reversion names either a `phase` or `actions`")
                            .with_help("write `reverts_to = \"pre_agreement\"`, `reverts_to = { phase = \"p1\" }` or `reverts_to = { actions = [\"a1\"] }`"),
                    );
                    None
                }
            }
        }
        other => {
            ctx.push(
                Diagnostic::error("accord::reversion", v.span(), format!("`reverts_to` cannot be {}", describe(other)))
                    .with_help("write `reverts_to = \"pre_agreement\"`, `reverts_to = { phase = \"p1\" }` or `reverts_to = { actions = [\"a1\"] }`"),
            );
            None
        }
    });
    let automatic = automatic?.unwrap_or(false);
    let standing = standing?;
    if !automatic
        && standing.is_empty()
        && let Some(s) = &id_str
    {
        ctx.push(
            Diagnostic::error(
                "accord::standing",
                s.span(),
                format!(
                    "trigger `{}` is not automatic and nobody may invoke it",
                    s.get_ref()
                ),
            )
            .with_help("name who may invoke it in `standing = [...]`, or set `automatic = true`"),
        );
    }
    let when = when?;
    let wind_down = wind_down?;
    Some(TriggerDraft {
        trigger: Trigger {
            id: id?,
            title: title?.into_inner(),
            when: when.value.clone(),
            standing: standing.into_iter().map(Spanned::into_inner).collect(),
            automatic,
            countdown: countdown?.map(Spanned::into_inner),
            halted_by: halted_by?.into_iter().map(Spanned::into_inner).collect(),
            reverts_to: reverts?,
            wind_down: *wind_down.get_ref(),
            non_retroactive: non_retroactive?.unwrap_or(false),
            reentry: reentry?.map_or(Reentry::default(), Spanned::into_inner),
            milestones: milestones?,
        },
        reverts_span: reverts_v.map_or(0..0, |v| v.span()),
        reverted_actions,
    })
}

fn disputes(ctx: &mut Ctx<'_>, t: &mut Table<'_, '_>) -> Option<(DisputeProcess, Vec<StageDraft>)> {
    let while_open = t.opt_choice(ctx, "while_open", WHILE_OPEN);
    let standing = t.ref_ids::<ParticipantId>(ctx, "standing", Kind::Participant);
    note_participants(ctx, &standing, false);
    let resolved_by = t.ref_ids::<ParticipantId>(ctx, "resolved_by", Kind::Participant);
    note_participants(ctx, &resolved_by, false);
    let extension_consent = t.ref_ids::<ParticipantId>(ctx, "extension_consent", Kind::Participant);
    note_participants(ctx, &extension_consent, false);
    let mut stages = Vec::new();
    let mut ok = true;
    let stage_tables = t.tables(ctx, "stages", "a dispute stage");
    if stage_tables.is_empty() {
        ctx.push(
            Diagnostic::error(
                "accord::no_stages",
                t.header_span(ctx.source),
                "the dispute process has no stages",
            )
            .with_help("add at least one `[[disputes.stages]]` with its `deadline`"),
        );
        ok = false;
    }
    for mut s in stage_tables {
        let id_str = s.req_str(ctx, "id");
        let id = id_str
            .as_ref()
            .and_then(|x| reader::ident::<StageId>(ctx, x));
        if let Some(x) = &id_str {
            ctx.declare(Kind::Stage, x.get_ref(), x.span());
        }
        let title = s.req_str(ctx, "title");
        let deadline = s.req_duration(ctx, "deadline");
        let extension = match s.get("extension") {
            None => Some(Extension::None),
            Some(v) => match v.get_ref() {
                DeValue::String(x) if x == "none" => Some(Extension::None),
                DeValue::String(x) if x == "by_consent" => Some(Extension::ByConsent { max: None }),
                DeValue::Table(_) => Table::of(ctx, v, "an extension").and_then(|mut et| {
                    let max = et.req_duration(ctx, "by_consent");
                    et.finish(ctx);
                    max.map(|m| Extension::ByConsent {
                        max: Some(m.into_inner()),
                    })
                }),
                other => {
                    ctx.push(
                        Diagnostic::error("accord::extension", v.span(), format!("`extension` cannot be {}", describe(other)))
                            .with_help("write `extension = \"none\"`, `\"by_consent\"` (open-ended) or `{ by_consent = \"P15D\" }`"),
                    );
                    None
                }
            },
        };
        let next = s.ref_id::<StageId>(ctx, "next", Kind::Stage, false);
        let parallel = s.ref_ids::<StageId>(ctx, "parallel", Kind::Stage);
        let alternatives = s.ref_ids::<StageId>(ctx, "alternatives", Kind::Stage);
        let sstanding = s.ref_ids::<ParticipantId>(ctx, "standing", Kind::Participant);
        note_participants(ctx, &sstanding, false);
        s.finish(ctx);
        if let Some(dl) = &deadline
            && dl.get_ref().is_zero()
        {
            ctx.push(
                Diagnostic::error(
                    "accord::deadline",
                    dl.span(),
                    "a stage with a zero deadline ends before it begins",
                )
                .with_help("give the stage its time, e.g. `deadline = \"P15D\"`"),
            );
        }
        match (
            id,
            id_str,
            title,
            deadline,
            extension,
            parallel,
            alternatives,
            sstanding,
        ) {
            (
                Some(id),
                Some(id_str),
                Some(title),
                Some(deadline),
                Some(extension),
                Some(parallel),
                Some(alternatives),
                Some(standing),
            ) => {
                stages.push(StageDraft {
                    stage: Stage {
                        id,
                        title: title.into_inner(),
                        deadline: *deadline.get_ref(),
                        extension,
                        next: next.as_ref().map(|n| n.get_ref().clone()),
                        parallel: parallel.into_iter().map(Spanned::into_inner).collect(),
                        alternatives: alternatives.into_iter().map(Spanned::into_inner).collect(),
                        standing: standing.into_iter().map(Spanned::into_inner).collect(),
                    },
                    id_span: id_str.span(),
                    next_span: next.map(|n| n.span()),
                });
            }
            _ => ok = false,
        }
    }
    let while_open = while_open?.map_or(WhileOpen::FreezeFinding, Spanned::into_inner);
    let standing = standing?;
    let resolved_by = resolved_by?;
    if !ok {
        return None;
    }
    Some((
        DisputeProcess {
            stages: stages.iter().map(|s| s.stage.clone()).collect(),
            while_open,
            standing: standing.into_iter().map(Spanned::into_inner).collect(),
            resolved_by: resolved_by.into_iter().map(Spanned::into_inner).collect(),
            extension_consent: extension_consent?
                .into_iter()
                .map(Spanned::into_inner)
                .collect(),
        },
        stages,
    ))
}

fn proportionality(ctx: &mut Ctx<'_>, t: &mut Table<'_, '_>) -> Option<ProportionalityDraft> {
    let header = t.header_span(ctx.source);
    let v = t.require(ctx, "methods")?;
    let mut mt = Table::of(ctx, v, "the proportionality weights of methods")?;
    let mut out = Vec::new();
    let mut spans = BTreeMap::new();
    let mut ok = true;
    for (name, m) in METHODS {
        if let Some(w) = mt.opt_number(ctx, name) {
            if let Some(w) = w {
                if *w.get_ref() < 0.0 {
                    ctx.error("accord::weight", w.span(), "a weight cannot be negative");
                    ok = false;
                }
                spans.insert(*m, w.span());
                out.push((*m, *w.get_ref()));
            }
        } else {
            ok = false;
        }
    }
    mt.finish(ctx);
    ok.then_some((Proportionality { methods: out }, spans, header))
}

/// Builds the agreement from a draft that produced no errors.
pub(crate) fn lower(d: &Draft) -> Option<Agreement> {
    let h = d.header.as_ref()?;
    Some(Agreement {
        id: h.id.get_ref().clone(),
        title: h.title.clone(),
        version: *h.version.get_ref(),
        effective: h.effective.value.clone(),
        zone: h.zone.clone(),
        signatories: h.signatories.iter().map(|s| s.get_ref().clone()).collect(),
        document_sha256: None,
        parties: d.parties.iter().map(|p| p.0.clone()).collect(),
        monitors: d.monitors.iter().map(|m| m.0.clone()).collect(),
        regimes: d.regimes.clone(),
        units: d.units.clone(),
        events: d.events.iter().map(|e| e.0.clone()).collect(),
        commitments: d.commitments.iter().map(|c| c.0.clone()).collect(),
        indicators: d.indicators.iter().map(|i| i.indicator.clone()).collect(),
        phases: d.phases.iter().map(|p| p.phase.clone()).collect(),
        exemptions: d.exemptions.iter().map(|e| e.0.clone()).collect(),
        triggers: d.triggers.iter().map(|t| t.trigger.clone()).collect(),
        review: d.review.as_ref()?.0.clone(),
        disputes: d.disputes.as_ref()?.0.clone(),
        proportionality: d.proportionality.as_ref()?.0.clone(),
    })
}

fn note_participants(
    ctx: &mut Ctx<'_>,
    ids: &Option<Vec<Spanned<ParticipantId>>>,
    as_monitor: bool,
) {
    for id in ids.iter().flatten() {
        ctx.participant_uses
            .push((as_monitor, id.get_ref().to_string(), id.span()));
    }
}
