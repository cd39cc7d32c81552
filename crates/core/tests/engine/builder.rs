//! A concise builder for agreements and logs (the file parser lives in `accord-spec`).

use accord_core::agreement::*;
use accord_core::rule::{CommitmentStatus, Condition, DateRule, Quantifier};
use accord_core::statement::*;
use accord_core::time::{CalendarDuration, Date, Instant, Period};

pub fn id<T: std::str::FromStr>(s: &str) -> T
where
    T::Err: std::fmt::Debug,
{
    s.parse().unwrap()
}

pub fn d(y: i16, m: i8, day: i8) -> Date {
    jiff::civil::date(y, m, day)
}

pub fn at(s: &str) -> Instant {
    if s.len() == 10 {
        format!("{s}T12:00:00Z").parse().unwrap()
    } else {
        s.parse().unwrap()
    }
}

pub fn dur(s: &str) -> CalendarDuration {
    s.parse().unwrap()
}

pub fn period(a: Date, b: Date) -> Period {
    Period::new(a, b).unwrap()
}

/// The quarter of 2026 (1..=4), or of later years with `q > 4`.
pub fn quarter(q: i16) -> Period {
    let year = 2026 + (q - 1) / 4;
    let qi = ((q - 1) % 4) as i8;
    let start = d(year, 1 + qi * 3, 1);
    let end = start
        .checked_add(jiff::Span::new().months(3))
        .unwrap()
        .yesterday()
        .unwrap();
    period(start, end)
}

pub fn status(commitments: &[&str], s: CommitmentStatus, reviews: u32) -> Condition {
    Condition::Status {
        quantifier: Quantifier::All,
        commitments: commitments.iter().map(|c| id(c)).collect(),
        status: s,
        reviews,
    }
}

pub fn plus(base: DateRule, by: &str) -> DateRule {
    DateRule::Offset {
        base: Box::new(base),
        by: dur(by),
        forward: true,
    }
}

pub fn verification(monitors: &[&str], quorum: u32, tolerance: Tolerance) -> Verification {
    Verification {
        monitors: monitors.iter().map(|m| id(m)).collect(),
        methods: vec![Method::OnSiteInspection, Method::RemoteSensing],
        quorum,
        tolerance,
        self_report: SelfReport::NotAccepted,
        confidentiality: Confidentiality::Public,
    }
}

pub fn indicator(
    ident: &str,
    commitment: &str,
    target: IndicatorTarget,
    v: Verification,
) -> Indicator {
    Indicator {
        id: id(ident),
        commitment: id(commitment),
        description: format!("{ident} as measured"),
        target,
        cadence: dur("P3M"),
        starts: DateRule::On(d(2026, 1, 1)),
        ends: None,
        grace: dur("P30D"),
        overdue: OverduePolicy::HoldRelief,
        cure: None,
        stands: None,
        verification: v,
    }
}

pub fn cap(limit: f64, unit: &str) -> IndicatorTarget {
    IndicatorTarget::Threshold {
        comparison: Comparison::AtMost,
        limit,
        unit: id(unit),
    }
}

pub fn action(ident: &str, regime: &str, kind: ReliefKind) -> ReliefAction {
    ReliefAction {
        id: id(ident),
        title: format!("action {ident}"),
        kind,
        regime: id(regime),
        starts: None,
        expires: None,
        renewal: Renewal::None,
        supersedes: None,
        lifted: None,
        weight: 1.0,
    }
}

pub fn suspend(measure: &str, sectors: &[&str]) -> ReliefKind {
    ReliefKind::SuspendMeasure {
        measure: id(measure),
        sectors: sectors.iter().map(|s| s.to_string()).collect(),
    }
}

pub fn licence(name: &str) -> ReliefKind {
    ReliefKind::GeneralLicence {
        licence: name.into(),
        scope: "transactions incident to civil aviation safety".into(),
        activities: vec!["aviation".into()],
    }
}

fn unit(ident: &str, quantity: &str, factor: f64) -> Unit {
    Unit {
        id: id(ident),
        quantity: quantity.into(),
        factor,
        description: ident.into(),
        precision: None,
    }
}

fn regime(ident: &str, jurisdiction: &str) -> Regime {
    Regime {
        id: id(ident),
        jurisdiction: Jurisdiction(jurisdiction.into()),
        name: format!("{jurisdiction} programme"),
        legal_basis: "basis".into(),
        list_programmes: vec![],
        measures: vec![
            Measure {
                id: id(&format!("{ident}-energy")),
                kind: MeasureKind::SectoralProhibition,
                sectors: vec!["oil".into(), "gas".into()],
                legal_basis: None,
                description: "energy sector".into(),
                review: None,
                sunset: None,
            },
            Measure {
                id: id(&format!("{ident}-freeze")),
                kind: MeasureKind::AssetFreeze,
                sectors: vec![],
                legal_basis: None,
                description: "asset freeze".into(),
                review: None,
                sunset: None,
            },
        ],
    }
}

/// The skeleton every test agreement shares: parties, monitors, regimes, units, events, a
/// quarterly review from 2026-01-01 and one exemption.
pub fn base() -> Agreement {
    Agreement {
        id: id("test-accord"),
        title: "Test accord".into(),
        version: 1,
        effective: DateRule::On(d(2026, 1, 1)),
        zone: None,
        signatories: vec![],
        document_sha256: None,
        parties: vec![
            Party {
                id: id("usa"),
                name: "United States".into(),
                role: PartyRole::Authority,
                jurisdiction: Some(Jurisdiction("US".into())),
                keys: vec![],
            },
            Party {
                id: id("eu"),
                name: "European Union".into(),
                role: PartyRole::Authority,
                jurisdiction: Some(Jurisdiction("EU".into())),
                keys: vec![],
            },
            Party {
                id: id("target"),
                name: "Target state".into(),
                role: PartyRole::Target,
                jurisdiction: None,
                keys: vec![],
            },
        ],
        monitors: vec![
            Monitor {
                id: id("iaea"),
                name: "Inspectorate".into(),
                methods: vec![Method::OnSiteInspection, Method::RemoteSensing],
                keys: vec![],
            },
            Monitor {
                id: id("sat"),
                name: "Imagery firm".into(),
                methods: vec![Method::RemoteSensing],
                keys: vec![],
            },
            Monitor {
                id: id("audit"),
                name: "Audit firm".into(),
                methods: vec![Method::DocumentAudit],
                keys: vec![],
            },
        ],
        regimes: vec![regime("us", "US"), regime("eu", "EU")],
        units: vec![
            unit("kg_u", "uranium_mass", 1.0),
            unit("kg_uf6", "uranium_mass", 0.676),
            unit("percent", "enrichment", 1.0),
            unit("kg", "mass", 1.0),
        ],
        events: vec![
            Event {
                id: id("adoption"),
                description: "adoption day".into(),
                date: Some(DateRule::On(d(2026, 1, 1))),
                recorded_by: vec![],
                recurs: false,
            },
            Event {
                id: id("report"),
                description: "the monitor's report".into(),
                date: None,
                recorded_by: vec![],
                recurs: false,
            },
        ],
        commitments: vec![],
        indicators: vec![],
        phases: vec![],
        exemptions: vec![Exemption {
            id: id("food-medicine"),
            title: "Food and medicine".into(),
            scope: "food, medicine and medical devices".into(),
            activities: vec!["food".into(), "medicine".into()],
            regimes: vec![],
            legal_basis: "humanitarian carve-out".into(),
        }],
        triggers: vec![Trigger {
            id: id("snapback"),
            title: "Snapback".into(),
            when: status(&["c1"], CommitmentStatus::Noncompliant, 1),
            standing: vec![id("usa")],
            automatic: false,
            countdown: Some(dur("P30D")),
            halted_by: vec![],
            reverts_to: Reversion::PreAgreement,
            wind_down: dur("P90D"),
            non_retroactive: true,
            reentry: Reentry::ByDecision,
            milestones: vec![],
        }],
        review: Review {
            starts: DateRule::On(d(2026, 1, 1)),
            every: dur("P3M"),
            ends: None,
        },
        disputes: DisputeProcess {
            stages: vec![],
            while_open: WhileOpen::FreezeFinding,
            standing: vec![],
            resolved_by: vec![],
            extension_consent: vec![],
        },
        proportionality: Proportionality { methods: vec![] },
    }
}

pub fn commitment(ident: &str) -> Commitment {
    Commitment {
        id: id(ident),
        title: format!("commitment {ident}"),
        text: format!("the target undertakes {ident}"),
        themes: Vec::new(),
    }
}

/// A small nuclear-style agreement: enrichment (c1) and stockpile (c2) verified by two
/// monitors; phase p1 after both are compliant at two consecutive reviews, phase p2 a
/// year after adoption once p1 is reached and c1 stays compliant for four reviews.
pub fn nuclear() -> Agreement {
    let mut a = base();
    a.commitments = vec![commitment("c1"), commitment("c2")];
    let mut enrichment = indicator(
        "enrichment",
        "c1",
        cap(3.67, "percent"),
        verification(&["iaea", "sat"], 1, Tolerance::Absolute { value: 0.1 }),
    );
    enrichment.overdue = OverduePolicy::NoncompliantAfter { misses: 2 };
    enrichment.cure = Some(dur("P30D"));
    let stockpile = indicator(
        "stockpile",
        "c2",
        cap(300.0, "kg_u"),
        verification(&["iaea", "sat"], 2, Tolerance::Relative { fraction: 0.05 }),
    );
    a.indicators = vec![enrichment, stockpile];
    a.phases = vec![
        Phase {
            id: id("p1"),
            title: "Implementation day".into(),
            entry: status(&["c1", "c2"], CommitmentStatus::Compliant, 2),
            not_before: None,
            actions: vec![
                action("us-oil", "us", suspend("us-energy", &["oil"])),
                action("eu-oil", "eu", suspend("eu-energy", &["oil"])),
                action(
                    "unfreeze",
                    "us",
                    ReliefKind::Unfreeze {
                        amount: 1e9,
                        currency: "USD".into(),
                        measure: id("us-freeze"),
                    },
                ),
            ],
        },
        Phase {
            id: id("p2"),
            title: "Transition day".into(),
            entry: Condition::And {
                all: vec![
                    Condition::PhaseReached { phase: id("p1") },
                    status(&["c1"], CommitmentStatus::Compliant, 4),
                ],
            },
            not_before: Some(plus(DateRule::Event(id("adoption")), "P1Y")),
            actions: vec![action("us-gas", "us", suspend("us-energy", &["gas"]))],
        },
    ];
    a
}

/// A licence agreement: phase p1 once the monitor's report is recorded, bringing a
/// general licence that expires 90 days later and renews automatically twice unless c1
/// is non-compliant; phase p2, 2027, brings a wider licence that supersedes it.
pub fn licensing() -> Agreement {
    let mut a = base();
    a.commitments = vec![commitment("c1")];
    let mut flag = indicator(
        "no-diversion",
        "c1",
        IndicatorTarget::Flag { expected: true },
        verification(&["audit"], 1, Tolerance::Exact),
    );
    flag.verification.methods = vec![Method::DocumentAudit];
    a.indicators = vec![flag];
    let mut gl1 = action("gl-1", "us", licence("GL 1"));
    gl1.expires = Some(plus(DateRule::PhaseEntered(id("p1")), "P90D"));
    gl1.renewal = Renewal::Automatic {
        term: dur("P3M"),
        unless: Some(status(&["c1"], CommitmentStatus::Noncompliant, 1)),
        max_terms: Some(2),
    };
    let mut gl2 = action("gl-2", "us", licence("GL 2"));
    gl2.supersedes = Some(id("gl-1"));
    let mut eu = action("eu-gl", "eu", licence("EU GL"));
    eu.expires = Some(DateRule::On(d(2026, 6, 30)));
    a.phases = vec![
        Phase {
            id: id("p1"),
            title: "Licensing".into(),
            entry: Condition::EventOccurred {
                event: id("report"),
            },
            not_before: None,
            actions: vec![gl1, eu],
        },
        Phase {
            id: id("p2"),
            title: "Wider licence".into(),
            entry: Condition::DatePassed {
                date: DateRule::On(d(2027, 1, 1)),
            },
            not_before: None,
            actions: vec![gl2],
        },
    ];
    a
}

/// A log under construction: indices are assigned in order.
#[derive(Default, Clone)]
pub struct Log {
    pub entries: Vec<LoggedStatement>,
}

impl Log {
    pub fn push(&mut self, when: &str, authors: &[&str], statement: Statement) -> LogIndex {
        let index = LogIndex(self.entries.len() as u64);
        self.entries.push(LoggedStatement {
            index,
            recorded_at: at(when),
            agreement: id("test-accord"),
            authors: authors.iter().map(|a| id(a)).collect(),
            statement,
        });
        index
    }

    pub fn evidence(
        &mut self,
        when: &str,
        author: &str,
        indicator: &str,
        period: Period,
        value: Observation,
    ) -> LogIndex {
        let method = match author {
            "target" => Method::SelfReport,
            "audit" => Method::DocumentAudit,
            "sat" => Method::RemoteSensing,
            _ => Method::OnSiteInspection,
        };
        self.push(
            when,
            &[author],
            Statement::Evidence(ev(indicator, period, value, method)),
        )
    }

    pub fn event(&mut self, when: &str, event: &str, on: Date) -> LogIndex {
        self.push(
            when,
            &["usa"],
            Statement::EventOccurred(EventOccurred {
                event: id(event),
                on: on.into(),
                note: None,
            }),
        )
    }
}

pub fn ev(indicator: &str, period: Period, value: Observation, method: Method) -> Evidence {
    Evidence {
        indicator: id(indicator),
        period,
        value,
        method,
        attachments: vec![],
        confidentiality: Confidentiality::Public,
        note: None,
        escrow_until: None,
    }
}

pub fn qty(amount: f64, unit: &str) -> Observation {
    Observation::Quantity(Quantity::new(amount, id(unit)).unwrap())
}

pub fn flag(value: bool) -> Observation {
    Observation::Flag { value }
}

/// The agreement with a dispute process (a joint commission extensible by consent, then
/// ministers beside an advisory board) and a snapback that `eu` may halt.
pub fn with_disputes(mut a: Agreement) -> Agreement {
    a.disputes.stages = vec![
        Stage {
            id: id("joint-commission"),
            title: "Joint commission".into(),
            deadline: dur("P15D"),
            extension: Extension::ByConsent { max: None },
            next: Some(id("ministers")),
            parallel: vec![],
            alternatives: vec![],
            standing: vec![],
        },
        Stage {
            id: id("ministers"),
            title: "Ministers".into(),
            deadline: dur("P15D"),
            extension: Extension::ByConsent {
                max: Some(dur("P15D")),
            },
            next: None,
            parallel: vec![id("advisory")],
            alternatives: vec![],
            standing: vec![id("usa"), id("eu")],
        },
        Stage {
            id: id("advisory"),
            title: "Advisory board".into(),
            deadline: dur("P30D"),
            extension: Extension::None,
            next: None,
            parallel: vec![],
            alternatives: vec![],
            standing: vec![],
        },
    ];
    for t in &mut a.triggers {
        t.standing = vec![id("usa"), id("eu")];
        t.halted_by = vec![id("eu")];
    }
    // A trigger whose condition holds from March, so that random logs invoke, halt,
    // withdraw and fire it: it reverts everything, and relief is earned again after it.
    a.triggers.push(Trigger {
        id: id("date-snapback"),
        title: "Snapback from March".into(),
        when: Condition::DatePassed {
            date: DateRule::On(d(2026, 3, 1)),
        },
        standing: vec![id("usa"), id("eu")],
        automatic: false,
        countdown: Some(dur("P20D")),
        halted_by: vec![id("eu")],
        reverts_to: Reversion::PreAgreement,
        wind_down: dur("P30D"),
        non_retroactive: true,
        reentry: Reentry::ReEarn,
        milestones: vec![],
    });
    a
}
