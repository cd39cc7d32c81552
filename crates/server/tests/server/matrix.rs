//! Every endpoint called as every role and anonymously: allowed or refused as the table
//! says. An allowed call may still be a 4xx (the matrix's entry is not a signed entry),
//! but never 401 or 403; a refused one is 401 when anonymous, 403 with a token.

use accord_server::Role;
use accord_server::policy::Action;
use reqwest::Method;

use super::support::{ENDPOINTS, Request, both};

/// The rules, written out: for each action, the callers allowed (`None`: anonymous).
fn allowed(action: Action) -> Vec<Option<Role>> {
    use Role::*;
    match action {
        Action::ReadPublic => vec![
            None,
            Some(Authority),
            Some(Party),
            Some(Monitor),
            Some(Compliance),
            Some(Public),
            Some(Admin),
        ],
        Action::ReadEvaluation | Action::QueryStatus => vec![
            Some(Authority),
            Some(Party),
            Some(Monitor),
            Some(Compliance),
            Some(Admin),
        ],
        Action::SubmitEntry => vec![Some(Authority), Some(Party), Some(Monitor)],
        Action::Screen => vec![Some(Compliance), Some(Admin)],
        Action::ReadConfidential => vec![Some(Authority), Some(Party), Some(Monitor), Some(Admin)],
        Action::ReadMetrics | Action::ReadDeliveries => vec![Some(Admin)],
        Action::SubmitAgreement => vec![Some(Authority), Some(Admin)],
        Action::ImportLists => vec![Some(Admin)],
    }
}

#[test]
fn every_endpoint_as_every_role() {
    both(async |f| {
        let callers = std::iter::once(None).chain(Role::ALL.map(Some));
        for caller in callers {
            for (method, path, action) in ENDPOINTS {
                let post = *method == "POST";
                let answer = f
                    .send(Request {
                        method: Method::from_bytes(method.as_bytes()).unwrap(),
                        path,
                        as_role: caller,
                        content_type: post.then_some("application/json"),
                        body: post.then(|| b"{\"entry\": \"zz\"}".to_vec()),
                        authorization: None,
                    })
                    .await;
                let allow = action.is_none_or(|a| allowed(a).contains(&caller));
                assert!(
                    answer.status < 500,
                    "{method} {path} as {caller:?}: {}",
                    answer.body
                );
                if allow {
                    assert!(
                        answer.status != 401 && answer.status != 403,
                        "{method} {path} as {caller:?} should be allowed: {}",
                        answer.body
                    );
                } else {
                    let expected = if caller.is_none() { 401 } else { 403 };
                    assert_eq!(answer.status, expected, "{method} {path} as {caller:?}");
                }
                // The table is the server's own.
                if let Some(action) = action {
                    assert_eq!(
                        accord_server::policy::permits(caller, *action),
                        allowed(*action).contains(&caller)
                    );
                }
            }
        }
        assert_eq!(f.log_size(), 0);
    });
}
