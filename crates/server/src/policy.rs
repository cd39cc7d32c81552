//! Who may do what: Cedar policies (cedar-policy 4) over the bearer token's holder, the
//! action a request does, and what it is about. The shipped default is
//! `policy/default.cedar` (embedded in the binary; `docs/api.md` lists it); an operator
//! replaces it with `accord serve --policy FILE`. Either is validated against the schema
//! `policy/accord.cedarschema` when the server starts: a file that does not parse or does
//! not validate refuses to start the server, with the `file:line:column` Cedar gives.
//!
//! The request Cedar judges: the principal is `Accord::Holder::"ROLE"` (or
//! `"ROLE/PARTY"`), a member of `Accord::Role::"ROLE"` with the attributes `role` and
//! `party`, or `Accord::Anonymous::""` without a token; the action is
//! `Accord::Action::"read_public"` and so on ([`Action::name`]); the resource is
//! `Accord::Agreement::"ID"` when the request's path names an agreement, else
//! `Accord::Server::""`. Nothing is allowed unless a policy permits it.
//!
//! The policy set, schema and authoriser are built once (per server, and once for the
//! shipped default); a decision builds only the request's few entities. The matrix test in
//! `tests/server/matrix.rs` calls every endpoint as every role against the shipped default.

use std::collections::{HashMap, HashSet};
use std::str::FromStr as _;
use std::sync::{Arc, LazyLock};

use cedar_policy::{
    Authorizer, Context, Decision, Entities, Entity, EntityId, EntityTypeName, EntityUid,
    PolicySet, Request, RestrictedExpression, Schema, ValidationMode, Validator,
};

use crate::auth::{Holder, Role};

/// The shipped default policy.
pub const DEFAULT_POLICY: &str = include_str!("../policy/default.cedar");

/// The schema every policy file is validated against.
pub const SCHEMA: &str = include_str!("../policy/accord.cedarschema");

/// What a request does, as far as the rules care.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Action {
    /// Read agreements and their logs (checkpoints, proofs): public material. A sealed
    /// entry's leaf holds only its commitment.
    ReadPublic,
    /// Read an agreement's evaluation (state, explanation, timeline). The engine reads
    /// sealed contents too, so an evaluation can reveal what a sealed entry says (a
    /// quorum's value): until evaluations are computed per entitlement, only token
    /// holders with a part in the process read them.
    ReadEvaluation,
    /// Ask what is in force for an entity (the `status` query).
    QueryStatus,
    /// Submit a signed entry to a log.
    SubmitEntry,
    /// Screen names against the lists and read the designations found (the
    /// OpenSanctions-compatible `match` and `entities`): compliance work, and the
    /// operator's.
    Screen,
    /// Read confidential content on the dashboard's pages (issue #14): the values of
    /// evidence an agreement seals or restricts. Participants of the process and the
    /// operator; the public and compliance officers see sealed entries as commitments.
    ReadConfidential,
    /// Read the server's metrics (`/metrics`): the operator's, since request counts by
    /// route tell how the server is used.
    ReadMetrics,
    /// Submit an agreement's text, a first version or an amendment, to the registry
    /// (issue #13). DESIGN §2: a version is the authorities' act and an amendment comes
    /// into force only once its signatories have signed it in the log, so registering a
    /// text grants nothing; authorities (of the agreement: checked against its text) and
    /// the operator may.
    SubmitAgreement,
    /// Import a sanctions list by upload, or have the server fetch a source's update: the
    /// operator's, since what the lists say decides every screening and status answer.
    ImportLists,
    /// Read the record of webhook deliveries: the operator's (it names the subscribers).
    ReadDeliveries,
}

impl Action {
    /// Every action.
    pub const ALL: [Action; 10] = [
        Action::ReadPublic,
        Action::ReadEvaluation,
        Action::QueryStatus,
        Action::SubmitEntry,
        Action::Screen,
        Action::ReadConfidential,
        Action::ReadMetrics,
        Action::SubmitAgreement,
        Action::ImportLists,
        Action::ReadDeliveries,
    ];

    /// The action's id in the policies (`Accord::Action::"read_public"`).
    pub fn name(self) -> &'static str {
        match self {
            Action::ReadPublic => "read_public",
            Action::ReadEvaluation => "read_evaluation",
            Action::QueryStatus => "query_status",
            Action::SubmitEntry => "submit_entry",
            Action::Screen => "screen",
            Action::ReadConfidential => "read_confidential",
            Action::ReadMetrics => "read_metrics",
            Action::ReadDeliveries => "read_deliveries",
            Action::SubmitAgreement => "submit_agreement",
            Action::ImportLists => "import_lists",
        }
    }
}

/// What a request is about.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Resource {
    /// No one agreement (the status query, screening, metrics).
    Server,
    /// The agreement of this id.
    Agreement(String),
}

/// Why a policy file is refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{name}:{line}:{column}: {message}")]
pub struct PolicyError {
    /// The file's name.
    pub name: String,
    /// 1-based line (1 when Cedar gives no place).
    pub line: usize,
    /// 1-based column, in characters.
    pub column: usize,
    /// What is wrong, as Cedar says it.
    pub message: String,
}

/// A validated policy set, ready to judge requests.
#[derive(Clone)]
pub struct Policy {
    inner: Arc<Compiled>,
}

struct Compiled {
    name: String,
    policies: PolicySet,
    authorizer: Authorizer,
    actions: HashMap<Action, EntityUid>,
    decisions: Decisions,
}

/// What a decision is asked about: all that Cedar is given.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
struct Question {
    holder: Option<Holder>,
    action: Action,
    resource: Resource,
}

/// The most decisions a policy keeps: the agreement of a request comes from its path, so
/// a client asking of ever new agreements would otherwise grow the map without bound.
const MAX_DECISIONS: usize = 4096;

/// The decisions Cedar made under one policy, at most [`MAX_DECISIONS`] (all forgotten
/// when full: asking Cedar again is only slower).
#[derive(Default)]
struct Decisions {
    kept: std::sync::Mutex<HashMap<Question, bool>>,
    /// How many decisions were asked of Cedar (tests).
    #[cfg(test)]
    asked: std::sync::atomic::AtomicUsize,
}

impl Decisions {
    fn known(&self, question: &Question) -> Option<bool> {
        self.kept.lock().ok()?.get(question).copied()
    }

    fn keep(&self, question: Question, decision: bool) {
        // A poisoned lock only means no decision is kept: each is asked of Cedar.
        let Ok(mut kept) = self.kept.lock() else {
            return;
        };
        if kept.len() >= MAX_DECISIONS {
            kept.clear();
        }
        kept.insert(question, decision);
    }
}

impl std::fmt::Debug for Policy {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Policy")
            .field("name", &self.inner.name)
            .finish_non_exhaustive()
    }
}

static SHIPPED: LazyLock<Policy> = LazyLock::new(|| {
    // INVARIANT: the shipped policy validates against the shipped schema (a unit test
    // checks it), so this cannot fail in a build that passed its tests.
    #[allow(clippy::expect_used)]
    Policy::parse("default.cedar", DEFAULT_POLICY).expect("the shipped policy validates")
});

impl Default for Policy {
    fn default() -> Policy {
        Policy::shipped()
    }
}

impl Policy {
    /// The shipped default (`policy/default.cedar`), built once per process.
    pub fn shipped() -> Policy {
        SHIPPED.clone()
    }

    /// The policies of `text` (named `name` in errors), parsed and validated against
    /// [`SCHEMA`] in Cedar's strict mode.
    pub fn parse(name: &str, text: &str) -> Result<Policy, PolicyError> {
        let located = |diagnostic: &dyn miette::Diagnostic| locate(name, text, diagnostic);
        let policies = PolicySet::from_str(text).map_err(|e| located(&e))?;
        let schema = schema();
        let validation = Validator::new(schema.clone()).validate(&policies, ValidationMode::Strict);
        if let Some(error) = validation.validation_errors().next() {
            return Err(located(error));
        }
        let actions = Action::ALL
            .into_iter()
            .map(|a| (a, uid("Action", a.name())))
            .collect();
        Ok(Policy {
            inner: Arc::new(Compiled {
                name: name.to_owned(),
                policies,
                authorizer: Authorizer::new(),
                actions,
                decisions: Decisions::default(),
            }),
        })
    }

    /// The policies of the file at `path`, validated (see [`Policy::parse`]).
    pub fn read(path: &std::path::Path) -> Result<Policy, PolicyError> {
        let name = path.display().to_string();
        let text = std::fs::read_to_string(path).map_err(|e| PolicyError {
            name: name.clone(),
            line: 1,
            column: 1,
            message: format!("cannot read the policy file: {e}"),
        })?;
        Policy::parse(&name, &text)
    }

    /// Whether the holder of a token (`None`: an anonymous request) may do `action` on
    /// `resource`: the one place a decision is made. A request Cedar cannot even form is
    /// denied.
    ///
    /// A decision depends on nothing else (no context, no stored entities), so each is
    /// asked of Cedar once per policy and kept ([`Decisions`]): Cedar took tens of
    /// microseconds per request, as much as the rest of a small submission's handling.
    pub fn permits(&self, holder: Option<&Holder>, action: Action, resource: &Resource) -> bool {
        let question = Question {
            holder: holder.cloned(),
            action,
            resource: resource.clone(),
        };
        if let Some(known) = self.inner.decisions.known(&question) {
            return known;
        }
        let decision = self.decide(holder, action, resource);
        self.inner.decisions.keep(question, decision);
        decision
    }

    /// Cedar's decision, the entities built for it.
    fn decide(&self, holder: Option<&Holder>, action: Action, resource: &Resource) -> bool {
        #[cfg(test)]
        self.inner
            .decisions
            .asked
            .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let Some(action) = self.inner.actions.get(&action) else {
            return false;
        };
        let Some((principal, entities)) = principal(holder) else {
            return false;
        };
        let resource = match resource {
            Resource::Server => Some((uid("Server", ""), None)),
            Resource::Agreement(id) => {
                let uid = uid("Agreement", id);
                let attrs = HashMap::from([(
                    "id".to_owned(),
                    RestrictedExpression::new_string(id.clone()),
                )]);
                Entity::new(uid.clone(), attrs, HashSet::new())
                    .ok()
                    .map(|e| (uid, Some(e)))
            }
        };
        let Some((resource, resource_entity)) = resource else {
            return false;
        };
        let entities = entities.into_iter().chain(resource_entity);
        let Ok(entities) = Entities::from_entities(entities, None) else {
            return false;
        };
        let Ok(request) = Request::new(principal, action.clone(), resource, Context::empty(), None)
        else {
            return false;
        };
        let answer = self
            .inner
            .authorizer
            .is_authorized(&request, &self.inner.policies, &entities);
        answer.decision() == Decision::Allow
    }
}

/// The shipped schema, parsed once.
fn schema() -> &'static Schema {
    static PARSED: LazyLock<Schema> = LazyLock::new(|| {
        // INVARIANT: the shipped schema parses (a unit test checks it).
        #[allow(clippy::expect_used)]
        Schema::from_cedarschema_str(SCHEMA)
            .map(|(schema, _warnings)| schema)
            .expect("the shipped schema parses")
    });
    &PARSED
}

/// `Accord::KIND::"id"`.
fn uid(kind: &str, id: &str) -> EntityUid {
    // INVARIANT: the kinds are the schema's, which are names.
    #[allow(clippy::expect_used)]
    let kind = EntityTypeName::from_str(&format!("Accord::{kind}")).expect("an entity type name");
    EntityUid::from_type_name_and_id(kind, EntityId::new(id))
}

/// The principal of a request and the entities it brings (the holder and its role).
fn principal(holder: Option<&Holder>) -> Option<(EntityUid, Vec<Entity>)> {
    let Some(holder) = holder else {
        return Some((uid("Anonymous", ""), Vec::new()));
    };
    let role = uid("Role", holder.role.as_str());
    let id = match &holder.party {
        Some(party) => format!("{}/{}", holder.role, party.as_str()),
        None => holder.role.to_string(),
    };
    let me = uid("Holder", &id);
    let mut attrs = HashMap::from([(
        "role".to_owned(),
        RestrictedExpression::new_string(holder.role.to_string()),
    )]);
    if let Some(party) = &holder.party {
        attrs.insert(
            "party".to_owned(),
            RestrictedExpression::new_string(party.as_str().to_owned()),
        );
    }
    let entity = Entity::new(me.clone(), attrs, HashSet::from([role.clone()])).ok()?;
    Some((me, vec![entity, Entity::with_uid(role)]))
}

/// A Cedar diagnostic at the place its first label points to in `text`.
fn locate(name: &str, text: &str, diagnostic: &dyn miette::Diagnostic) -> PolicyError {
    let offset = diagnostic
        .labels()
        .and_then(|mut labels| labels.next())
        .map_or(0, |label| label.offset());
    let before = text.get(..offset.min(text.len())).unwrap_or_default();
    let line = before.matches('\n').count() + 1;
    let column = before
        .rsplit_once('\n')
        .map_or(before, |(_, tail)| tail)
        .chars()
        .count()
        + 1;
    let mut message = diagnostic.to_string();
    if let Some(help) = diagnostic.help() {
        message = format!("{message} ({help})");
    }
    PolicyError {
        name: name.to_owned(),
        line,
        column,
        message,
    }
}

/// Whether a request of `role` (`None`: anonymous) may do `action`, by the shipped
/// default policy, about no one agreement: [`Policy::permits`] for a token that acts
/// for no participant.
pub fn permits(role: Option<Role>, action: Action) -> bool {
    let holder = role.map(|role| Holder { role, party: None });
    SHIPPED.permits(holder.as_ref(), action, &Resource::Server)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn the_shipped_policy_validates_against_the_shipped_schema() {
        Policy::parse("default.cedar", DEFAULT_POLICY).unwrap();
    }

    #[test]
    fn a_policy_that_does_not_parse_is_refused_where_it_is_wrong() {
        let text = "permit (principal, action, resource);\npermit (principal, action\n";
        let error = Policy::parse("p.cedar", text).unwrap_err();
        assert_eq!(error.name, "p.cedar");
        assert_eq!(error.line, 2, "{error}");
    }

    #[test]
    fn a_policy_that_names_an_unknown_action_is_refused_where_it_names_it() {
        let text = "// one\npermit (principal, action == Accord::Action::\"delete_everything\", resource);\n";
        let error = Policy::parse("p.cedar", text).unwrap_err();
        assert_eq!((error.line, error.column > 1), (2, true), "{error}");
    }

    #[test]
    fn a_forbid_overrides_the_shipped_permit() {
        let text = format!(
            "{DEFAULT_POLICY}\nforbid (principal in Accord::Role::\"compliance\", action == Accord::Action::\"query_status\", resource);\n"
        );
        let policy = Policy::parse("p.cedar", &text).unwrap();
        let compliance = Holder {
            role: Role::Compliance,
            party: None,
        };
        assert!(!policy.permits(Some(&compliance), Action::QueryStatus, &Resource::Server));
        assert!(Policy::shipped().permits(
            Some(&compliance),
            Action::QueryStatus,
            &Resource::Server
        ));
        assert!(policy.permits(Some(&compliance), Action::Screen, &Resource::Server));
    }

    #[test]
    fn a_rule_can_speak_of_the_party_and_the_agreement() {
        let text = "permit (principal, action == Accord::Action::\"read_confidential\", resource is Accord::Agreement)\nwhen { principal has party && principal.party == \"iaea\" && resource.id == \"a-1\" };\n";
        let policy = Policy::parse("p.cedar", text).unwrap();
        let iaea = Holder {
            role: Role::Monitor,
            party: Some(accord_core::id::ParticipantId::new("iaea").unwrap()),
        };
        let a1 = Resource::Agreement("a-1".into());
        assert!(policy.permits(Some(&iaea), Action::ReadConfidential, &a1));
        assert!(!policy.permits(
            Some(&iaea),
            Action::ReadConfidential,
            &Resource::Agreement("a-2".into())
        ));
        assert!(!policy.permits(None, Action::ReadConfidential, &a1));
    }

    fn asked(policy: &Policy) -> usize {
        policy
            .inner
            .decisions
            .asked
            .load(std::sync::atomic::Ordering::Relaxed)
    }

    #[test]
    fn each_decision_is_asked_of_cedar_once_and_answered_alike_after() {
        let policy = Policy::parse("default.cedar", DEFAULT_POLICY).unwrap();
        let holders = [
            None,
            Some(Holder {
                role: Role::Monitor,
                party: Some(accord_core::id::ParticipantId::new("iaea").unwrap()),
            }),
            Some(Holder {
                role: Role::Public,
                party: None,
            }),
        ];
        let resources = [Resource::Server, Resource::Agreement("a-1".into())];
        let mut questions = 0;
        for holder in &holders {
            for action in Action::ALL {
                for resource in &resources {
                    let first = policy.permits(holder.as_ref(), action, resource);
                    questions += 1;
                    assert_eq!(asked(&policy), questions);
                    assert_eq!(policy.permits(holder.as_ref(), action, resource), first);
                    assert_eq!(policy.decide(holder.as_ref(), action, resource), first);
                    assert_eq!(asked(&policy), questions + 1);
                    questions += 1;
                }
            }
        }
    }

    #[test]
    fn the_decisions_kept_stay_bounded_whatever_agreements_are_asked_of() {
        let policy = Policy::parse("default.cedar", DEFAULT_POLICY).unwrap();
        for n in 0..MAX_DECISIONS + 10 {
            let about = Resource::Agreement(format!("a-{n}"));
            assert!(policy.permits(None, Action::ReadPublic, &about));
        }
        let kept = policy.inner.decisions.kept.lock().unwrap().len();
        assert!((1..=MAX_DECISIONS).contains(&kept), "{kept}");
    }
}
