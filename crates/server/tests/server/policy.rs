//! An operator's Cedar policy file changes the server's answers; a file that does not parse
//! or does not validate is refused with the place Cedar names.

use accord_server::policy::{Action, DEFAULT_POLICY, Resource};
use accord_server::{Policy, Role};

use super::support::{ARDEN, both_with};

/// The shipped policy, plus: compliance officers may not ask the status query, and the
/// public may read one agreement's evaluation.
fn custom() -> String {
    format!(
        "{DEFAULT_POLICY}
@id(\"no-status-for-compliance\")
forbid (principal in Accord::Role::\"compliance\", action == Accord::Action::\"query_status\", resource);

@id(\"public-reads-arden\")
permit (principal in Accord::Role::\"public\", action == Accord::Action::\"read_evaluation\", resource)
when {{ resource is Accord::Agreement && resource.id == \"{ARDEN}\" }};
"
    )
}

#[test]
fn a_custom_policy_file_changes_the_answers() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("operator.cedar");
    std::fs::write(&path, custom()).unwrap();
    let policy = Policy::read(&path).unwrap();
    both_with(
        |config| config.policy = policy.clone(),
        async |f| {
            let status = "/v1/status?entity=eu-fsf:EU.1001.23";
            // Denied by the operator's `forbid`; the shipped policy allowed it.
            f.get(status, Some(Role::Compliance))
                .await
                .problem(403, "forbidden");
            assert!(accord_server::policy::permits(
                Some(Role::Compliance),
                Action::QueryStatus
            ));
            assert_eq!(f.get(status, Some(Role::Admin)).await.status, 200);
            // Allowed by the operator's `permit`, for this agreement only.
            let state = format!("/v1/agreements/{ARDEN}/state?as_of=2026-07-01");
            assert_eq!(f.get(&state, Some(Role::Public)).await.status, 200);
            f.get("/v1/agreements/other-1/state", Some(Role::Public))
                .await
                .problem(403, "forbidden");
            f.get(&state, None).await.problem(401, "unauthorised");
        },
    );
}

#[test]
fn a_policy_file_that_does_not_parse_is_refused_with_its_place() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("broken.cedar");
    std::fs::write(
        &path,
        "// a rule\npermit (principal, action, resource);\npermit (principal,, action, resource);\n",
    )
    .unwrap();
    let error = Policy::read(&path).unwrap_err();
    let shown = error.to_string();
    assert_eq!((error.line, error.column), (3, 19), "{shown}");
    assert!(
        shown.starts_with(&format!("{}:3:19: ", path.display())),
        "{shown}"
    );
}

#[test]
fn a_policy_file_that_does_not_validate_is_refused_with_its_place() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("invalid.cedar");
    // `principal.clearance` is no attribute of a holder in the schema.
    std::fs::write(
        &path,
        "permit (principal, action == Accord::Action::\"screen\", resource)\nwhen { principal.clearance == \"secret\" };\n",
    )
    .unwrap();
    let error = Policy::read(&path).unwrap_err();
    assert_eq!(error.line, 2, "{error}");
    assert!(error.column > 1, "{error}");
    assert!(error.message.contains("clearance"), "{error}");
    // A missing file is refused too, naming it.
    let missing = Policy::read(&dir.path().join("none.cedar")).unwrap_err();
    assert!(missing.to_string().contains("none.cedar"), "{missing}");
}

#[test]
fn the_shipped_policy_answers_as_the_old_table_did() {
    // The table the Cedar file replaced, kept here as the reference.
    fn table(role: Option<Role>, action: Action) -> bool {
        use Role::*;
        match action {
            Action::ReadPublic => true,
            Action::ReadEvaluation | Action::QueryStatus => {
                matches!(role, Some(Compliance | Authority | Party | Monitor | Admin))
            }
            Action::SubmitEntry => matches!(role, Some(Authority | Party | Monitor)),
            Action::Screen => matches!(role, Some(Compliance | Admin)),
            Action::ReadConfidential => matches!(role, Some(Authority | Party | Monitor | Admin)),
            Action::ReadMetrics | Action::ReadDeliveries | Action::ImportLists => {
                matches!(role, Some(Admin))
            }
            Action::SubmitAgreement => matches!(role, Some(Authority | Admin)),
        }
    }
    let shipped = Policy::shipped();
    let arden = Resource::Agreement(ARDEN.to_owned());
    for role in std::iter::once(None).chain(Role::ALL.map(Some)) {
        let holder = role.map(|role| accord_server::auth::Holder {
            role,
            party: role
                .acts_for_participant()
                .then(|| accord_core::id::ParticipantId::new("arden").unwrap()),
        });
        for action in Action::ALL {
            let expected = table(role, action);
            assert_eq!(
                accord_server::policy::permits(role, action),
                expected,
                "{role:?} {action:?}"
            );
            for resource in [&Resource::Server, &arden] {
                assert_eq!(
                    shipped.permits(holder.as_ref(), action, resource),
                    expected,
                    "{role:?} {action:?} {resource:?}"
                );
            }
        }
    }
}
