//! Checks across sections of one agreement: what a careful policy officer would catch on
//! review (DESIGN §3) and a few more.
//!
//! Runs on the [`Draft`] after every section is read and every identifier use is checked,
//! so a check here may assume that names it looks up either resolve or were already
//! reported: it skips silently what it cannot find.
//!
//! Durations are calendar durations and are never converted to days to be *stored*; to
//! compare two of them ("grace longer than cadence") we compare field by field when that
//! decides it, and otherwise by the shortest and longest number of days each can span
//! (a month is 28 to 31 days). When neither decides, the check warns rather than errs.

use std::collections::{BTreeMap, BTreeSet};
use std::ops::Range;

use accord_core::agreement::*;
use accord_core::rule::{CommitmentStatus, Condition, DateAnchor, DateRule};
use accord_core::statement::Method;
use accord_core::time::{CalendarDuration, Date};

use crate::diagnostic::Diagnostic;
use crate::read::{Draft, method_name};
use crate::reader::{Ctx, Kind};

/// How two calendar durations compare.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Longer {
    /// The first is longer, whatever the calendar.
    Yes,
    /// The first is not longer, whatever the calendar.
    No,
    /// It depends on the month it falls in.
    Depends,
}

fn days_range(d: &CalendarDuration) -> (u64, u64) {
    // The days a calendar duration spans depend on where it starts: consecutive months
    // span fewer extremes than months taken one by one (six months are 181 to 184 days,
    // not 168 to 186). Measured from every day of four years (one of them leap), with
    // jiff's month-end clamping; the rough bounds only when that cannot be computed.
    let (y, m, w, dd) = (
        u64::from(d.years),
        u64::from(d.months),
        u64::from(d.weeks),
        u64::from(d.days),
    );
    let rough = (y * 365 + m * 28 + w * 7 + dd, y * 366 + m * 31 + w * 7 + dd);
    let Ok(span) = jiff::Span::new()
        .try_years(i64::from(d.years))
        .and_then(|s| s.try_months(i64::from(d.months)))
        .and_then(|s| s.try_weeks(i64::from(d.weeks)))
        .and_then(|s| s.try_days(i64::from(d.days)))
    else {
        return rough;
    };
    let first = jiff::civil::date(2000, 1, 1);
    let mut range: Option<(u64, u64)> = None;
    for offset in 0..1461 {
        let Ok(start) = first.checked_add(jiff::Span::new().days(offset)) else {
            return rough;
        };
        let Some(days) = start
            .checked_add(span)
            .ok()
            .and_then(|end| start.until(end).ok())
            .and_then(|between| u64::try_from(between.get_days()).ok())
        else {
            return rough;
        };
        range = Some(range.map_or((days, days), |(lo, hi)| (lo.min(days), hi.max(days))));
    }
    range.unwrap_or(rough)
}

/// Whether `a` is longer than `b`.
pub(crate) fn longer(a: &CalendarDuration, b: &CalendarDuration) -> Longer {
    let fa = [
        u64::from(a.years),
        u64::from(a.months),
        u64::from(a.weeks) * 7 + u64::from(a.days),
    ];
    let fb = [
        u64::from(b.years),
        u64::from(b.months),
        u64::from(b.weeks) * 7 + u64::from(b.days),
    ];
    if fa.iter().zip(&fb).all(|(x, y)| x <= y) {
        return Longer::No;
    }
    if fa.iter().zip(&fb).all(|(x, y)| x >= y) {
        return Longer::Yes;
    }
    let (amin, amax) = days_range(a);
    let (bmin, bmax) = days_range(b);
    if amin > bmax {
        Longer::Yes
    } else if amax <= bmin {
        Longer::No
    } else {
        Longer::Depends
    }
}

/// Runs every cross-section check.
///
/// When reading already found errors, some items are missing from the draft; the checks
/// that need the whole agreement (roles, proportionality, unused items, reachability) are
/// then skipped, so that one mistake is not reported again as its consequences.
pub(crate) fn validate(ctx: &mut Ctx<'_>, d: &Draft) {
    let complete = !ctx.has_errors();
    header(ctx, d);
    participants(ctx, d);
    cadences(ctx, d);
    standing_findings(ctx, d);
    exemptions(ctx, d);
    triggers(ctx, d);
    supersession(ctx, d);
    dates(ctx, d);
    if complete {
        roles(ctx, d);
        proportionality(ctx, d);
        stages(ctx, d);
        unused(ctx, d);
    }
}

fn header(ctx: &mut Ctx<'_>, d: &Draft) {
    let Some(h) = &d.header else {
        return;
    };
    let version = *h.version.get_ref();
    match (&h.amends, version) {
        (Some(a), 1) => ctx.push(
            Diagnostic::error("accord::amendment", a.span(), "version 1 amends nothing").with_help(
                "remove `amends`, or raise `version`: an amendment is version 2 or later",
            ),
        ),
        (None, v) if v > 1 => ctx.push(
            Diagnostic::error(
                "accord::amendment",
                h.version.span(),
                format!("version {v} does not say which version it amends"),
            )
            .with_help(format!("add `amends = {}`", v - 1)),
        ),
        (Some(a), v) if v > 1 && *a.get_ref() != u64::from(v - 1) => ctx.push(
            Diagnostic::error(
                "accord::amendment",
                a.span(),
                format!(
                    "version {v} amends version {}, not the version before it",
                    a.get_ref()
                ),
            )
            .with_help(format!(
                "an amendment amends the version before it: write `amends = {}`",
                v - 1
            )),
        ),
        _ => {}
    }
    if version > 1 {
        if h.signatories.is_empty() {
            ctx.push(
                Diagnostic::error("accord::amendment", h.span.clone(), format!("version {version} names no signatories"))
                    .with_help("an amendment is in force once the parties named in `signatories = [...]` have signed it"),
            );
        } else {
            for (p, _, _) in &d.parties {
                if matches!(p.role, PartyRole::Authority | PartyRole::Target)
                    && !h.signatories.iter().any(|s| s.get_ref() == &p.id)
                {
                    let last = h.signatories.last().map_or(h.span.clone(), |s| s.span());
                    ctx.push(
                        Diagnostic::error(
                            "accord::amendment",
                            last,
                            format!("party `{}` does not sign the amendment", p.id),
                        )
                        .with_help(format!(
                            "every authority and the target must sign: add `{}` to `signatories`",
                            p.id
                        )),
                    );
                }
            }
        }
    } else if let Some(s) = h.signatories.first() {
        ctx.push(
            Diagnostic::warning("accord::amendment", s.span(), "version 1 is in force by adoption: its signatories are not used")
                .with_help("remove `signatories`, or declare this file as an amendment (`version = 2`, `amends = 1`)"),
        );
    }
}

fn roles(ctx: &mut Ctx<'_>, d: &Draft) {
    let span = d
        .section_spans
        .get("parties")
        .cloned()
        .unwrap_or_else(|| d.header.as_ref().map_or(0..0, |h| h.span.clone()));
    let span = first_line(ctx.source, span);
    for (role, what) in [
        (PartyRole::Authority, "authority"),
        (PartyRole::Target, "target"),
    ] {
        if !d.parties.is_empty() && !d.parties.iter().any(|p| p.0.role == role) {
            ctx.push(
                Diagnostic::error(
                    "accord::roles",
                    span.clone(),
                    format!("no party has the role `{what}`"),
                )
                .with_help(if role == PartyRole::Authority {
                    "an agreement needs an authority that grants and revokes relief"
                } else {
                    "an agreement needs a target party that undertakes the commitments"
                }),
            );
        }
    }
    if d.parties.is_empty() && !d.section_spans.contains_key("parties") && d.header.is_some() {
        ctx.push(
            Diagnostic::error(
                "accord::roles",
                d.header.as_ref().map_or(0..0, |h| h.span.clone()),
                "the agreement has no parties",
            )
            .with_help("add `[[parties]]` for the authority and the target"),
        );
    }
    for (p, span, _) in &d.parties {
        if p.role == PartyRole::Authority && p.jurisdiction.is_none() {
            ctx.push(
                Diagnostic::warning("accord::jurisdiction", span.clone(), format!("authority `{}` has no jurisdiction", p.id))
                    .with_help("compliance officers ask which jurisdiction relieves what: add `jurisdiction = \"EU\"` (or `US`, `UK`, `UN`, ...)"),
            );
        }
    }
}

fn first_line(source: &str, span: Range<usize>) -> Range<usize> {
    let start = span.start.min(source.len());
    let rest = source.get(start..span.end.min(source.len())).unwrap_or("");
    start..start + rest.find('\n').unwrap_or(rest.len())
}

fn participants(ctx: &mut Ctx<'_>, d: &Draft) {
    let is_party = |id: &str| d.parties.iter().any(|p| p.0.id.as_str() == id);
    let is_monitor = |id: &str| d.monitors.iter().any(|m| m.0.id.as_str() == id);
    // Verification names monitors only; standing, halting and signing are for parties only.
    let check_uses =
        |ctx: &mut Ctx<'_>, spans: Vec<(String, Range<usize>)>, want_monitor: bool, what: &str| {
            for (id, span) in spans {
                if want_monitor && is_party(&id) {
                    ctx.push(
                        Diagnostic::error(
                            "accord::party_as_monitor",
                            span,
                            format!("`{id}` is a party, not a monitor"),
                        )
                        .with_help(format!(
                            "{what} must be independent monitors declared in [[monitors]]"
                        )),
                    );
                } else if !want_monitor && is_monitor(&id) {
                    ctx.push(
                        Diagnostic::error(
                            "accord::monitor_as_party",
                            span,
                            format!("`{id}` is a monitor, not a party"),
                        )
                        .with_help(format!(
                            "{what} are parties: monitors observe, they do not act in the agreement"
                        )),
                    );
                }
            }
        };
    let mut monitor_uses = Vec::new();
    let mut party_uses = Vec::new();
    for (as_monitor, id, span) in std::mem::take(&mut ctx.participant_uses) {
        if as_monitor {
            monitor_uses.push((id, span));
        } else {
            party_uses.push((id, span));
        }
    }
    check_uses(
        ctx,
        monitor_uses,
        true,
        "the monitors of a verification protocol",
    );
    check_uses(
        ctx,
        party_uses,
        false,
        "those with standing, who halt a trigger, sign an amendment or record a dispute's outcome",
    );

    // The same key for two participants: one of them could sign as the other, and a monitor
    // holding a party's key is not independent.
    let mut seen: BTreeMap<&str, &str> = BTreeMap::new();
    let all = d
        .parties
        .iter()
        .map(|(p, _, s)| (p.id.as_str(), &p.keys, s))
        .chain(
            d.monitors
                .iter()
                .map(|(m, _, s)| (m.id.as_str(), &m.keys, s)),
        );
    for (who, keys, spans) in all {
        for (k, s) in keys.iter().zip(spans) {
            if let Some(first) = seen.get(k.key.as_str()) {
                if *first != who {
                    ctx.push(
                        Diagnostic::error("accord::shared_key", s.key.clone(), format!("`{who}` declares the same key as `{first}`"))
                            .with_help("each participant signs with its own key: a shared key lets one sign for the other"),
                    );
                }
            } else {
                seen.insert(&k.key, who);
            }
        }
    }
    for (p, span, _) in &d.parties {
        if p.keys.is_empty() && p.role != PartyRole::Observer {
            ctx.push(
                Diagnostic::warning("accord::no_keys", span.clone(), format!("party `{}` declares no signing key", p.id))
                    .with_help("without a key it cannot sign decisions, disputes or amendments: add `keys = [...]`"),
            );
        }
    }
    for (m, span, _) in &d.monitors {
        if m.keys.is_empty() {
            ctx.push(
                Diagnostic::warning(
                    "accord::no_keys",
                    span.clone(),
                    format!("monitor `{}` declares no signing key", m.id),
                )
                .with_help(
                    "without a key its evidence cannot be signed or accepted: add `keys = [...]`",
                ),
            );
        }
    }
}

/// An indicator whose findings stand is never left without a report while a finding
/// stands, so an overdue policy that escalates every missing report cannot apply to it.
fn standing_findings(ctx: &mut Ctx<'_>, d: &Draft) {
    for i in &d.indicators {
        if i.indicator.stands.is_some()
            && matches!(i.indicator.overdue, OverduePolicy::Escalate { .. })
        {
            ctx.push(
                Diagnostic::error(
                    "accord::overdue",
                    i.id_span.clone(),
                    format!(
                        "indicator `{}` has findings that stand until replaced and an overdue policy that escalates every missing report",
                        i.indicator.id
                    ),
                )
                .with_help("findings that stand need no report every period: use `overdue = \"none\"`, `\"hold_relief\"` or `{ noncompliant_after = N }` (they apply once no finding stands)"),
            );
        }
    }
}

fn cadences(ctx: &mut Ctx<'_>, d: &Draft) {
    let review = d.review.as_ref();
    for i in &d.indicators {
        let ind = &i.indicator;
        match longer(&ind.grace, &ind.cadence) {
            Longer::Yes => ctx.push(
                Diagnostic::error(
                    "accord::grace",
                    i.grace_span.clone(),
                    format!(
                        "the grace period {} of indicator `{}` is longer than its cadence {}",
                        ind.grace, ind.id, ind.cadence
                    ),
                )
                .with_label("the next report falls due before this one is late")
                .with_help("shorten the grace period to at most the cadence, or report less often"),
            ),
            Longer::Depends => ctx.push(
                Diagnostic::warning(
                    "accord::grace",
                    i.grace_span.clone(),
                    format!(
                        "the grace period {} of indicator `{}` may be longer than its cadence {} in short months",
                        ind.grace, ind.id, ind.cadence
                    ),
                )
                .with_help("February has 28 days: write both in days (`P30D` and `P28D`) or shorten the grace period so the comparison does not depend on the month"),
            ),
            Longer::No => {}
        }
        if let Some((r, every_span, _, _)) = review {
            match longer(&ind.cadence, &r.every) {
                Longer::Yes => ctx.push(
                    Diagnostic::error(
                        "accord::cadence",
                        i.cadence_span.clone(),
                        format!(
                            "indicator `{}` is reported every {}, less often than the reviews (every {})",
                            ind.id, ind.cadence, r.every
                        ),
                    )
                    .with_label("some reviews would have no report")
                    .with_help(format!(
                        "report at least once per review period (the review is set at line {}), or review less often",
                        crate::diagnostic::SourceMap::new(ctx.source).line_col(every_span.start).line
                    )),
                ),
                Longer::Depends => ctx.push(Diagnostic::warning(
                    "accord::cadence",
                    i.cadence_span.clone(),
                    format!(
                        "indicator `{}` every {} may be reported less often than the reviews (every {})",
                        ind.id, ind.cadence, r.every
                    ),
                )),
                Longer::No => {}
            }
        }
        if let (Some(cure), Some(span)) = (&ind.cure, &i.cure_span)
            && longer(cure, &ind.cadence) == Longer::Yes
        {
            ctx.push(
                Diagnostic::warning(
                    "accord::cure",
                    span.clone(),
                    format!("the cure window {cure} of indicator `{}` is longer than its cadence {}", ind.id, ind.cadence),
                )
                .with_help("a breach could then be cured after the next period has closed; is that intended?"),
            );
        }
        if ind.verification.self_report == SelfReport::Sufficient {
            ctx.push(
                Diagnostic::warning(
                    "accord::self_report_sufficient",
                    i.id_span.clone(),
                    format!("indicator `{}` can be found compliant on the target's own report alone", ind.id),
                )
                .with_help("that is legal, but say so in the commitment's text; otherwise use `counts_toward_quorum`"),
            );
        }
    }
}

/// Verification an indicator provides: the sum of its accepted methods' weights.
fn provided(d: &Draft, ind: &Indicator) -> f64 {
    let Some((p, _, _)) = &d.proportionality else {
        return 0.0;
    };
    ind.verification
        .methods
        .iter()
        .filter(|m| {
            **m != Method::SelfReport || ind.verification.self_report != SelfReport::NotAccepted
        })
        .map(|m| {
            p.methods
                .iter()
                .find(|(x, _)| x == m)
                .map_or(0.0, |(_, w)| *w)
        })
        .sum()
}

fn compliant_commitments(c: &Condition, out: &mut BTreeSet<String>) {
    match c {
        Condition::Status {
            commitments,
            status: CommitmentStatus::Compliant,
            ..
        } => out.extend(commitments.iter().map(|c| c.to_string())),
        Condition::And { all } => all.iter().for_each(|x| compliant_commitments(x, out)),
        Condition::Or { any } => any.iter().for_each(|x| compliant_commitments(x, out)),
        _ => {}
    }
}

fn proportionality(ctx: &mut Ctx<'_>, d: &Draft) {
    let Some((p, _, header)) = &d.proportionality else {
        return;
    };
    // Every method used must have a weight.
    let mut missing: BTreeMap<Method, Range<usize>> = BTreeMap::new();
    for i in &d.indicators {
        for m in &i.indicator.verification.methods {
            if !p.methods.iter().any(|(x, _)| x == m) {
                missing.entry(*m).or_insert_with(|| i.id_span.clone());
            }
        }
    }
    for m in missing.keys() {
        ctx.push(
            Diagnostic::error(
                "accord::proportionality",
                header.clone(),
                format!(
                    "method `{}` is used for verification but has no proportionality weight",
                    method_name(*m)
                ),
            )
            .with_help(format!(
                "add `{} = ...` under `[proportionality.methods]`",
                method_name(*m)
            )),
        );
    }
    for ph in &d.phases {
        let mut commitments = BTreeSet::new();
        compliant_commitments(&ph.phase.entry, &mut commitments);
        let mut weakest: Option<(f64, &Indicator)> = None;
        for i in d
            .indicators
            .iter()
            .filter(|i| commitments.contains(i.indicator.commitment.as_str()))
        {
            let v = provided(d, &i.indicator);
            if weakest.is_none_or(|(w, _)| v < w) {
                weakest = Some((v, &i.indicator));
            }
        }
        for a in &ph.actions {
            let weight = a.action.weight;
            match weakest {
                Some((v, ind)) if weight > v => {
                    let parts: Vec<String> = ind
                        .verification
                        .methods
                        .iter()
                        .map(|m| {
                            let w = p.methods.iter().find(|(x, _)| x == m).map_or(0.0, |(_, w)| *w);
                            format!("{} {}", method_name(*m), w)
                        })
                        .collect();
                    ctx.push(
                        Diagnostic::error(
                            "accord::proportionality",
                            a.weight_span.clone(),
                            format!(
                                "relief action `{}` is worth {weight} but phase `{}` rests on verification worth {v}",
                                a.action.id, ph.phase.id
                            ),
                        )
                        .with_label(format!("more than the {v} that indicator `{}` provides", ind.id))
                        .with_help(format!(
                            "the weakest indicator is `{}` ({}): lower the weight, or strengthen its verification",
                            ind.id,
                            parts.join(" + ")
                        )),
                    );
                }
                None if weight > 0.0 => ctx.push(
                    Diagnostic::error(
                        "accord::proportionality",
                        a.weight_span.clone(),
                        format!(
                            "relief action `{}` is worth {weight} but phase `{}` requires no commitment to be compliant",
                            a.action.id, ph.phase.id
                        ),
                    )
                    .with_help("relief granted without verification must have `weight = 0`; or make the entry require compliance"),
                ),
                _ => {}
            }
        }
    }
}

fn exemptions(ctx: &mut Ctx<'_>, d: &Draft) {
    if d.exemptions.is_empty()
        && !d.section_spans.contains_key("exemptions")
        && let Some(h) = &d.header
    {
        ctx.push(
            Diagnostic::warning("accord::no_exemptions", h.span.clone(), "the agreement has no humanitarian exemptions")
                .with_help("exemptions stay in force whatever happens, snapback included: add `[[exemptions]]` for food, medicine and aid"),
        );
    }
    // A relief action covering what an exemption protects, that a trigger could revoke: the
    // carve-out would look revocable to anyone reading the schedule.
    for ph in &d.phases {
        for a in &ph.actions {
            for e in &d.exemptions {
                let covered: Vec<&String> = a
                    .activities
                    .iter()
                    .filter(|x| e.0.activities.contains(x))
                    .collect();
                if covered.is_empty()
                    || !(e.0.regimes.is_empty() || e.0.regimes.contains(&a.action.regime))
                {
                    continue;
                }
                if let Some(t) = d
                    .triggers
                    .iter()
                    .find(|t| revokes(d, &t.trigger, ph, &a.action))
                {
                    ctx.push(
                        Diagnostic::warning(
                            "accord::exemption_overlap",
                            a.id_span.clone(),
                            format!(
                                "relief action `{}` covers `{}`, which exemption `{}` protects, and trigger `{}` could revoke it",
                                a.action.id, covered[0], e.0.id, t.trigger.id
                            ),
                        )
                        .with_help("the exemption stays in force anyway; remove the activity from the action so that nobody reads it as revocable"),
                    );
                }
            }
        }
    }
}

fn revokes(d: &Draft, t: &Trigger, phase: &crate::read::PhaseDraft, action: &ReliefAction) -> bool {
    match &t.reverts_to {
        Reversion::PreAgreement => true,
        Reversion::Actions { actions } => actions.contains(&action.id),
        Reversion::Phase { phase: kept } => {
            let pos =
                |id: &accord_core::id::PhaseId| d.phases.iter().position(|p| &p.phase.id == id);
            matches!((pos(kept), pos(&phase.phase.id)), (Some(k), Some(p)) if p > k)
        }
    }
}

fn triggers(ctx: &mut Ctx<'_>, d: &Draft) {
    for t in &d.triggers {
        for a in &t.reverted_actions {
            let id = a.get_ref();
            if ctx.is_declared(Kind::Exemption, id) && !ctx.is_declared(Kind::Action, id) {
                ctx.push(
                    Diagnostic::error(
                        "accord::exemption_revocable",
                        a.span(),
                        format!("trigger `{}` would revoke exemption `{id}`", t.trigger.id),
                    )
                    .with_label("exemptions are in force in every state")
                    .with_help("remove it from `reverts_to`: humanitarian exemptions cannot be snapped back"),
                );
            } else {
                ctx.refer(Kind::Action, id, a.span());
            }
        }
        if let Reversion::Phase { phase } = &t.trigger.reverts_to
            && d.phases.last().is_some_and(|p| &p.phase.id == phase)
        {
            ctx.push(
                Diagnostic::warning(
                    "accord::reversion",
                    t.reverts_span.clone(),
                    format!(
                        "trigger `{}` reverts to the last phase `{phase}`, which reverts nothing",
                        t.trigger.id
                    ),
                )
                .with_help("name an earlier phase, or `\"pre_agreement\"`"),
            );
        }
    }
}

fn stages(ctx: &mut Ctx<'_>, d: &Draft) {
    let Some((_, stages)) = &d.disputes else {
        return;
    };
    // `next` must not loop: follow it from every stage.
    for s in stages {
        let mut seen = vec![s.stage.id.clone()];
        let mut cur = s.stage.next.clone();
        while let Some(n) = cur {
            if seen.contains(&n) {
                if n == s.stage.id {
                    ctx.push(
                        Diagnostic::error(
                            "accord::stage_cycle",
                            s.next_span.clone().unwrap_or_else(|| s.id_span.clone()),
                            format!("dispute stage `{}` leads back to itself", s.stage.id),
                        )
                        .with_help("a dispute must end: the last stage has no `next` and hands the decision to the authority"),
                    );
                }
                break;
            }
            seen.push(n.clone());
            cur = stages
                .iter()
                .find(|x| x.stage.id == n)
                .and_then(|x| x.stage.next.clone());
        }
        if s.stage.alternatives.contains(&s.stage.id) {
            ctx.push(
                Diagnostic::error(
                    "accord::stage_cycle",
                    s.id_span.clone(),
                    format!("dispute stage `{}` is an alternative to itself", s.stage.id),
                )
                .with_help(
                    "name in `alternatives` the stages a party may escalate to instead of `next`",
                ),
            );
        }
        if s.stage.parallel.contains(&s.stage.id) {
            ctx.error(
                "accord::stage_cycle",
                s.id_span.clone(),
                format!("dispute stage `{}` runs beside itself", s.stage.id),
            );
        }
    }
    // Every stage but the first must be reachable.
    let mut reachable: BTreeSet<String> = BTreeSet::new();
    let mut todo: Vec<String> = stages
        .first()
        .map(|s| s.stage.id.to_string())
        .into_iter()
        .collect();
    while let Some(id) = todo.pop() {
        if !reachable.insert(id.clone()) {
            continue;
        }
        if let Some(s) = stages.iter().find(|s| s.stage.id.as_str() == id) {
            todo.extend(s.stage.next.iter().map(|n| n.to_string()));
            todo.extend(s.stage.parallel.iter().map(|n| n.to_string()));
            todo.extend(s.stage.alternatives.iter().map(|n| n.to_string()));
        }
    }
    let escalated: BTreeSet<String> = d
        .indicators
        .iter()
        .filter_map(|i| match &i.indicator.overdue {
            OverduePolicy::Escalate { stage } => Some(stage.to_string()),
            _ => None,
        })
        .collect();
    for s in stages {
        if !reachable.contains(s.stage.id.as_str()) && !escalated.contains(s.stage.id.as_str()) {
            ctx.push(
                Diagnostic::warning(
                    "accord::stage_unreachable",
                    s.id_span.clone(),
                    format!(
                        "dispute stage `{}` is never reached from the first stage",
                        s.stage.id
                    ),
                )
                .with_help("name it in an earlier stage's `next`, `parallel` or `alternatives`, or remove it"),
            );
        }
    }
}

fn supersession(ctx: &mut Ctx<'_>, d: &Draft) {
    let position = |id: &accord_core::id::ActionId| {
        d.phases
            .iter()
            .enumerate()
            .find_map(|(i, p)| p.actions.iter().any(|a| &a.action.id == id).then_some(i))
    };
    for (pi, ph) in d.phases.iter().enumerate() {
        for a in &ph.actions {
            let Some(old) = &a.action.supersedes else {
                continue;
            };
            let span = a
                .supersedes_span
                .clone()
                .unwrap_or_else(|| a.id_span.clone());
            if old == &a.action.id {
                ctx.error(
                    "accord::supersedes",
                    span,
                    format!("relief action `{old}` supersedes itself"),
                );
            } else if let Some(oi) = position(old)
                && oi > pi
            {
                ctx.push(
                    Diagnostic::error(
                        "accord::supersedes",
                        span,
                        format!("relief action `{}` supersedes `{old}`, which is granted in a later phase", a.action.id),
                    )
                    .with_help("an action can only replace one granted in the same or an earlier phase"),
                );
            }
        }
    }
}

/// Every anchor (event, phase, stage) a rule depends on, with fixed-date events resolved.
fn anchors(rule: &DateRule, out: &mut BTreeSet<String>) {
    match rule {
        DateRule::On(_) | DateRule::At(_) => {}
        DateRule::Event(e) => {
            out.insert(format!("event:{e}"));
        }
        DateRule::PhaseEntered(p) => {
            out.insert(format!("phase:{p}"));
        }
        DateRule::StageBegan(s) => {
            out.insert(format!("stage:{s}"));
        }
        DateRule::Offset { base, .. } => anchors(base, out),
        DateRule::Earliest(v) | DateRule::Latest(v) => v.iter().for_each(|r| anchors(r, out)),
    }
}

/// The dates of events that the agreement fixes (iterating so events may refer to events).
pub(crate) fn fixed_events(d: &Draft) -> BTreeMap<String, Date> {
    let mut known: BTreeMap<String, Date> = BTreeMap::new();
    for _ in 0..=d.events.len() {
        let mut changed = false;
        for (e, _) in &d.events {
            if known.contains_key(e.id.as_str()) {
                continue;
            }
            if let Some(rule) = &e.date
                && let Some(date) = rule.resolve(&|a| match a {
                    DateAnchor::Event(x) => known.get(x.as_str()).copied(),
                    // The day as written: checks of order need no zone.
                    DateAnchor::At(m) => Some(m.date()),
                    _ => None,
                })
            {
                known.insert(e.id.to_string(), date);
                changed = true;
            }
        }
        if !changed {
            break;
        }
    }
    known
}

/// Compares two date rules when the agreement decides their order: both fixed, or both
/// offsets from the same single unknown anchor.
pub(crate) fn compare(
    a: &DateRule,
    b: &DateRule,
    fixed: &BTreeMap<String, Date>,
) -> Option<std::cmp::Ordering> {
    let resolve = |r: &DateRule, free: Option<Date>| {
        r.resolve(&|anchor| {
            let key = match anchor {
                DateAnchor::Event(e) => {
                    if let Some(d) = fixed.get(e.as_str()) {
                        return Some(*d);
                    }
                    format!("event:{e}")
                }
                DateAnchor::PhaseEntered(p) => format!("phase:{p}"),
                DateAnchor::StageBegan(s) => format!("stage:{s}"),
                DateAnchor::At(m) => return Some(m.date()),
            };
            let _ = key;
            free
        })
    };
    let (mut sa, mut sb) = (BTreeSet::new(), BTreeSet::new());
    anchors(a, &mut sa);
    anchors(b, &mut sb);
    sa.retain(|x| {
        !x.strip_prefix("event:")
            .is_some_and(|e| fixed.contains_key(e))
    });
    sb.retain(|x| {
        !x.strip_prefix("event:")
            .is_some_and(|e| fixed.contains_key(e))
    });
    if sa.is_empty() && sb.is_empty() {
        return Some(resolve(a, None)?.cmp(&resolve(b, None)?));
    }
    if sa == sb && sa.len() == 1 {
        // Both hang off the same unknown date: any stand-in date gives the same order,
        // except near month ends, where calendar months clamp; use a mid-month stand-in.
        let stand_in = jiff::civil::date(2000, 1, 15);
        return Some(resolve(a, Some(stand_in))?.cmp(&resolve(b, Some(stand_in))?));
    }
    None
}

/// Events dated from themselves, directly or through other events, never get a date.
fn event_cycles(ctx: &mut Ctx<'_>, d: &Draft) {
    let depends: BTreeMap<String, BTreeSet<String>> = d
        .events
        .iter()
        .map(|(e, rule)| {
            let mut a = BTreeSet::new();
            if let Some(r) = rule {
                anchors(&r.value, &mut a);
            }
            let events = a
                .into_iter()
                .filter_map(|x| x.strip_prefix("event:").map(str::to_owned))
                .collect();
            (e.id.to_string(), events)
        })
        .collect();
    for (e, rule) in &d.events {
        let Some(rule) = rule else { continue };
        // Walk the dependencies; reaching the start again is a cycle.
        let mut seen = BTreeSet::new();
        let mut todo: Vec<&String> = depends.get(e.id.as_str()).into_iter().flatten().collect();
        let mut cyclic = false;
        while let Some(x) = todo.pop() {
            if x == e.id.as_str() {
                cyclic = true;
                break;
            }
            if seen.insert(x.clone()) {
                todo.extend(depends.get(x.as_str()).into_iter().flatten());
            }
        }
        if cyclic {
            ctx.push(
                Diagnostic::error(
                    "accord::event_cycle",
                    rule.span.clone(),
                    format!("event `{}` is dated from itself", e.id),
                )
                .with_help("date it from another event or a fixed date, or leave `date` out so that it is recorded when it happens"),
            );
        }
    }
}

/// A schedule's end must come after its start.
fn schedule_ends(ctx: &mut Ctx<'_>, d: &Draft, fixed: &BTreeMap<String, Date>) {
    let review = d
        .review
        .as_ref()
        .and_then(|(_, _, s, e)| Some(("the reviews".to_owned(), s, e.as_ref()?)));
    let indicators = d.indicators.iter().filter_map(|i| {
        Some((
            format!("the reports on `{}`", i.indicator.id),
            &i.starts,
            i.ends.as_ref()?,
        ))
    });
    for (what, starts, ends) in review.into_iter().chain(indicators) {
        if compare(&ends.value, &starts.value, fixed).is_some_and(|o| o.is_le()) {
            ctx.push(
                Diagnostic::error(
                    "accord::dates_out_of_order",
                    ends.span.clone(),
                    format!("{what} end before they start"),
                )
                .with_help("`ends` must come after `starts`"),
            );
        }
    }
}

fn dates(ctx: &mut Ctx<'_>, d: &Draft) {
    event_cycles(ctx, d);
    let fixed = fixed_events(d);
    schedule_ends(ctx, d, &fixed);
    for ph in &d.phases {
        for a in &ph.actions {
            if let (Some(s), Some(e)) = (&a.starts, &a.expires)
                && compare(&e.value, &s.value, &fixed).is_some_and(|o| o.is_le())
            {
                ctx.push(
                    Diagnostic::error(
                        "accord::dates_out_of_order",
                        e.span.clone(),
                        format!("relief action `{}` expires before it starts", a.action.id),
                    )
                    .with_help("`expires` must come after `starts`"),
                );
            }
            if let (Some(s), Some(l)) = (&a.starts, &a.lifted)
                && compare(&l.value, &s.value, &fixed).is_some_and(|o| o.is_lt())
            {
                ctx.push(
                    Diagnostic::error(
                        "accord::dates_out_of_order",
                        l.span.clone(),
                        format!("relief action `{}` is lifted before it starts", a.action.id),
                    )
                    .with_help("`lifted` must come on or after `starts`"),
                );
            }
            if let (Some(e), Some(l)) = (&a.expires, &a.lifted)
                && a.action.renewal == accord_core::agreement::Renewal::None
                && compare(&l.value, &e.value, &fixed).is_some_and(|o| o.is_ge())
            {
                ctx.push(
                    Diagnostic::warning(
                        "accord::dates_out_of_order",
                        l.span.clone(),
                        format!(
                            "relief action `{}` expires before it is lifted, and does not renew: it will never be lifted",
                            a.action.id
                        ),
                    )
                    .with_help("lift it before `expires`, or give it a `renewal`"),
                );
            }
        }
    }
    // Phases are entered in order: their earliest dates must not go backwards.
    let mut last: Option<(&crate::read::PhaseDraft, &crate::reader::Located<DateRule>)> = None;
    for ph in &d.phases {
        let Some(nb) = &ph.not_before else {
            continue;
        };
        if let Some((prev, prev_nb)) = last
            && compare(&nb.value, &prev_nb.value, &fixed).is_some_and(|o| o.is_lt())
        {
            ctx.push(
                Diagnostic::error(
                    "accord::dates_out_of_order",
                    nb.span.clone(),
                    format!(
                        "phase `{}` may start before phase `{}`, which comes before it",
                        ph.phase.id, prev.phase.id
                    ),
                )
                .with_help("phases are entered in order: `not_before` dates must not go backwards"),
            );
        }
        last = Some((ph, nb));
    }
    for i in &d.indicators {
        if let IndicatorTarget::Deadline { due } = &i.indicator.target
            && compare(due, &i.starts.value, &fixed).is_some_and(|o| o.is_lt())
        {
            ctx.push(
                Diagnostic::error(
                    "accord::dates_out_of_order",
                    i.starts.span.clone(),
                    format!(
                        "indicator `{}` starts reporting after its deadline",
                        i.indicator.id
                    ),
                )
                .with_help("the first reporting period must start before the due date"),
            );
        }
    }
    // Events the agreement dates must not be dated before the events they are relative to
    // (a negative offset is fine); here we only check the fixed ones against each other for
    // the obvious case: an event dated before adoption.
    if let Some(adoption) = fixed.get("adoption") {
        for (e, rule) in &d.events {
            if let (Some(date), Some(r)) = (fixed.get(e.id.as_str()), rule)
                && date < adoption
                && e.id.as_str() != "adoption"
            {
                ctx.push(
                    Diagnostic::warning(
                        "accord::dates_out_of_order",
                        r.span.clone(),
                        format!(
                            "event `{}` is dated {date}, before adoption ({adoption})",
                            e.id
                        ),
                    )
                    .with_help(
                        "check the date: agreements rarely count from before their adoption",
                    ),
                );
            }
        }
    }
}

fn unused(ctx: &mut Ctx<'_>, d: &Draft) {
    let mut used: BTreeSet<String> = BTreeSet::new();
    let mut walk = |c: &Condition| collect_commitments(c, &mut used);
    for p in &d.phases {
        walk(&p.phase.entry);
    }
    for t in &d.triggers {
        walk(&t.trigger.when);
    }
    for p in &d.phases {
        for a in &p.actions {
            if let Some(u) = &a.unless {
                walk(&u.value);
            }
        }
    }
    for (c, span, _) in &d.commitments {
        if !used.contains(c.id.as_str()) {
            ctx.push(
                Diagnostic::warning(
                    "accord::unused_commitment",
                    span.clone(),
                    format!("commitment `{}` is not used by any phase or trigger", c.id),
                )
                .with_help(
                    "name it in a phase's `entry` or a trigger's `when`, or it has no consequence",
                ),
            );
        }
    }
    let assigned: BTreeSet<&str> = d
        .indicators
        .iter()
        .flat_map(|i| i.indicator.verification.monitors.iter().map(|m| m.as_str()))
        .collect();
    for (m, span, _) in &d.monitors {
        if !assigned.contains(m.id.as_str()) {
            ctx.push(
                Diagnostic::warning(
                    "accord::unused_monitor",
                    span.clone(),
                    format!("monitor `{}` verifies no indicator", m.id),
                )
                .with_help("name it in a protocol's `monitors`, or remove it"),
            );
        }
    }
    for p in &d.phases {
        if p.actions.is_empty() {
            ctx.push(
                Diagnostic::warning(
                    "accord::empty_phase",
                    p.id_span.clone(),
                    format!("phase `{}` brings no relief", p.phase.id),
                )
                .with_help("add `[[phases.actions]]`, or merge it with the next phase"),
            );
        }
    }
}

fn collect_commitments(c: &Condition, out: &mut BTreeSet<String>) {
    match c {
        Condition::Status { commitments, .. } => {
            out.extend(commitments.iter().map(|x| x.to_string()))
        }
        Condition::Dispute { commitment, .. } => {
            out.insert(commitment.to_string());
        }
        Condition::And { all } => all.iter().for_each(|x| collect_commitments(x, out)),
        Condition::Or { any } => any.iter().for_each(|x| collect_commitments(x, out)),
        Condition::Not { not } => collect_commitments(not, out),
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> CalendarDuration {
        s.parse().unwrap()
    }

    #[test]
    fn durations_compare_by_field_then_by_calendar_bounds() {
        assert_eq!(longer(&d("P1M"), &d("P1M")), Longer::No);
        assert_eq!(longer(&d("P2M"), &d("P1M")), Longer::Yes);
        assert_eq!(longer(&d("P45D"), &d("P1M")), Longer::Yes);
        assert_eq!(longer(&d("P30D"), &d("P1M")), Longer::Depends);
        assert_eq!(longer(&d("P15D"), &d("P1M")), Longer::No);
        assert_eq!(longer(&d("P3M"), &d("P90D")), Longer::Depends);
        assert_eq!(longer(&d("P1Y"), &d("P6M")), Longer::Yes);
    }
}
