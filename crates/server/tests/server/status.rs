//! `GET /v1/status` reads each agreement as `accord status` does: in one view of what
//! participants disagree on (`view`), for a contract date (`contract`), answered with the
//! CLI's status JSON; a view no agreement has is a 400 problem naming the views there are.
//! Over the staged-lifting rehearsal, whose snapback invocation is contested from
//! 2028-01-10 to 2028-03-01 (views `as-recorded` and `void-#12`).

use accord_app::evaluate::{AgreementSource, Reading};
use accord_app::status::{StatusQuery, Who};
use accord_server::Role;

use super::support::both;

const STAGED: &str = "arden-staged-lifting";

/// The CLI's status JSON for the same query, from the use case itself.
fn expected(store: &accord_app::Store, reading: Reading) -> String {
    let query = StatusQuery {
        who: Who::Entity("eu-fsf:EU.1001.23".into()),
        activity: None,
        jurisdictions: vec!["EU".into()],
        date: jiff::civil::date(2028, 2, 1),
        agreements: vec![AgreementSource::Registered(STAGED.into())],
        reading,
    };
    let answer = accord_app::status::status(store, &query).unwrap();
    format!(
        "{}\n",
        accord_render::status::json(&query.who, &answer.status, &answer.evaluations)
    )
}

#[test]
fn the_status_query_takes_a_view_and_a_contract_as_the_cli_does() {
    both(async |f| {
        f.blocking(|s| {
            accord_app::play::play_bundled(s, "scenarios/staged-lifting.toml").unwrap();
        });
        let path = |extra: &str| {
            format!(
                "/v1/status?entity=eu-fsf:EU.1001.23&jurisdiction=EU&date=2028-02-01&agreement={STAGED}{extra}"
            )
        };
        let get = async |extra: &str| {
            let answer = f.get(&path(extra), Some(Role::Compliance)).await;
            assert_eq!(answer.status, 200, "{extra}: {}", answer.body);
            answer
        };

        // Every view kept: the answer says so and lists the views.
        let all = get("").await;
        assert_eq!(all.body, f.blocking(|s| expected(s, Reading::default())));
        let evaluation = &all.json()["evaluations"][0];
        assert_eq!(evaluation["view"], serde_json::Value::Null);
        assert_eq!(
            evaluation["views"],
            serde_json::json!(["as-recorded", "void-#12"])
        );

        // One view, one contract: the CLI's document byte for byte, saying which.
        let one = Reading {
            view: Some("void-#12".into()),
            contract: Some(jiff::civil::date(2027, 1, 1)),
        };
        let served = get("&view=void-%2312&contract=2027-01-01").await;
        assert_eq!(served.body, f.blocking(|s| expected(s, one)), "{}", f.kind);
        let evaluation = &served.json()["evaluations"][0];
        assert_eq!(evaluation["view"], "void-#12");
        assert_eq!(evaluation["contract"], "2027-01-01");
        let recorded = get("&view=as-recorded").await.json();
        assert_eq!(recorded["evaluations"][0]["view"], "as-recorded");
        assert_eq!(
            recorded["evaluations"][0]["contract"],
            serde_json::Value::Null
        );

        // A view the agreement does not have: 400, naming the views there are.
        let detail = f
            .get(&path("&view=void-%2399"), Some(Role::Compliance))
            .await
            .problem(400, "unknown-view");
        assert!(
            detail.contains("there is no view `void-#99`: the views are as-recorded, void-#12"),
            "{detail}"
        );
        // A contract that is not a date.
        f.get(&path("&contract=soon"), Some(Role::Compliance))
            .await
            .problem(400, "bad-parameter");
    });
}
