//! The read endpoints answer with the same documents the CLI prints, computed by the same
//! use cases; proofs verify against the log's checkpoint.

use accord_app::evaluate::{AgreementSource, Inputs, LogSource};
use accord_app::status::{StatusQuery, Who};
use accord_ledger::checkpoint::parse_hash;
use accord_server::Role;

use super::support::{ARDEN, both};

fn inputs(store: &accord_app::Store) -> Inputs {
    Inputs::read(
        &AgreementSource::Registered(ARDEN.into()),
        LogSource::Store(store),
    )
    .unwrap()
}

#[test]
fn agreements_are_listed_with_their_versions_and_sha256() {
    both(async |f| {
        let list = f.get("/v1/agreements", None).await;
        assert_eq!(list.status, 200, "{}", list.body);
        assert_eq!(list.content_type, "application/json");
        let registered = f.blocking(|s| accord_app::agreements::registered(s, ARDEN).unwrap());
        let listed = list.json();
        let arden = listed["agreements"]
            .as_array()
            .unwrap()
            .iter()
            .find(|a| a["id"] == ARDEN)
            .unwrap()
            .clone();
        assert_eq!(arden["versions"][0]["sha256"], registered[0].sha256);
        assert_eq!(arden["versions"][0]["version"], 1);
        assert!(arden["versions"][0].get("text").is_none());

        let one = f.get(&format!("/v1/agreements/{ARDEN}"), None).await.json();
        let text = one["versions"][0]["text"].as_str().unwrap();
        assert_eq!(
            accord_store::agreements::sha256_hex(text.as_bytes()),
            one["versions"][0]["sha256"],
            "{}",
            f.kind
        );
        let detail = f
            .get("/v1/agreements/no-such-thing", None)
            .await
            .problem(404, "no-such-agreement");
        assert_eq!(detail, "no agreement `no-such-thing` is registered");
        // A path that cannot be an id names no agreement either.
        f.get("/v1/agreements/%20bad", None)
            .await
            .problem(404, "no-such-agreement");
    });
}

#[test]
fn state_explanation_and_timeline_are_the_clis_documents() {
    both(async |f| {
        let as_of = accord_app::time::parse_instant("2026-07-01").unwrap();
        let state = f.blocking(|s| inputs(s).evaluate(as_of).unwrap());
        let served = f
            .get(
                &format!("/v1/agreements/{ARDEN}/state?as_of=2026-07-01"),
                Some(Role::Compliance),
            )
            .await;
        assert_eq!(served.status, 200, "{}", served.body);
        assert_eq!(
            served.body,
            accord_render::state::output(&state, true),
            "{}",
            f.kind
        );

        let explained = f
            .get(
                &format!("/v1/agreements/{ARDEN}/explain?subject=bank-delistings&as_of=2026-07-01"),
                Some(Role::Monitor),
            )
            .await
            .json();
        assert_eq!(explained["subject"], "bank-delistings");
        assert_eq!(explained["relief"][0]["action"]["id"], "bank-delistings");
        let expected = serde_json::to_value(state.relief("bank-delistings")).unwrap();
        assert_eq!(explained["relief"][0]["action"], expected);
        f.get(
            &format!("/v1/agreements/{ARDEN}/explain?subject=nothing-here"),
            Some(Role::Admin),
        )
        .await
        .problem(404, "nothing-named");

        let to = jiff::civil::date(2026, 12, 31);
        let changes = f.blocking(|s| inputs(s).timeline(None, to).unwrap());
        let served = f
            .get(
                &format!("/v1/agreements/{ARDEN}/timeline?to=2026-12-31"),
                Some(Role::Authority),
            )
            .await;
        assert_eq!(served.body, accord_render::timeline::output(&changes, true));
        assert!(!changes.is_empty());
        f.get(
            &format!("/v1/agreements/{ARDEN}/timeline?from=2027-01-01&to=2026-12-31"),
            Some(Role::Party),
        )
        .await
        .problem(400, "bad-parameter");
    });
}

#[test]
fn the_status_query_is_the_clis_status_json() {
    both(async |f| {
        let query = StatusQuery {
            who: Who::Entity("eu-fsf:EU.1001.23".into()),
            activity: Some("food".into()),
            jurisdictions: vec!["EU".into(), "US".into()],
            date: jiff::civil::date(2026, 6, 25),
            agreements: vec![AgreementSource::Registered(ARDEN.into())],
            reading: Default::default(),
        };
        let answer = f.blocking(|s| accord_app::status::status(s, &query).unwrap());
        let expected = format!(
            "{}\n",
            accord_render::status::json(&query.who, &answer.status, &answer.evaluations)
        );
        let served = f
            .get(
                &format!("/v1/status?entity=eu-fsf:EU.1001.23&activity=food&jurisdiction=EU,US&date=2026-06-25&agreement={ARDEN}"),
                Some(Role::Compliance),
            )
            .await;
        assert_eq!(served.status, 200, "{}", served.body);
        assert_eq!(served.body, expected, "{}", f.kind);
        assert_eq!(
            served.json()["status"]["jurisdictions"][0]["outcome"],
            "relieved"
        );

        // By name, through the same screening as the CLI.
        let by_name = f
            .get(
                "/v1/status?name=Central%20Bank%20of%20Arden&date=2026-03-01",
                Some(Role::Compliance),
            )
            .await
            .json();
        assert_eq!(by_name["query"]["name"], "Central Bank of Arden");
        assert_eq!(
            by_name["status"]["jurisdictions"][1]["outcome"],
            "prohibited"
        );

        for bad in [
            "/v1/status",
            "/v1/status?entity=eu-fsf:EU.1001.23&name=x",
            "/v1/status?entity=nocolon",
            "/v1/status?entity=eu-fsf:EU.1001.23&date=tomorrow",
        ] {
            f.get(bad, Some(Role::Compliance))
                .await
                .problem(400, "bad-parameter");
        }
        f.get("/v1/status?entity=eu-fsf:nope", Some(Role::Compliance))
            .await
            .problem(404, "no-such-entity");
    });
}

#[test]
fn proofs_verify_against_the_served_checkpoint() {
    both(async |f| {
        let log = f
            .get(&format!("/v1/agreements/{ARDEN}/log"), None)
            .await
            .json();
        let size = log["size"].as_u64().unwrap();
        assert!(size > 2);
        assert_eq!(log["checkpoint_size"], size);
        assert_eq!(log["origin"], format!("accord.play/{ARDEN}"));

        let checkpoint = f
            .get(&format!("/v1/agreements/{ARDEN}/log/checkpoint"), None)
            .await;
        assert_eq!(checkpoint.status, 200);
        assert_eq!(checkpoint.content_type, "text/plain; charset=utf-8");
        assert_eq!(checkpoint.headers["cache-control"], "no-cache");
        let lines: Vec<&str> = checkpoint.body.lines().collect();
        assert_eq!(lines[0], format!("accord.play/{ARDEN}"));
        assert_eq!(lines[1], size.to_string());
        let root = parse_hash(lines[2]).unwrap();

        let hash = |v: &serde_json::Value| parse_hash(v.as_str().unwrap()).unwrap();
        let proof = f
            .get(
                &format!("/v1/agreements/{ARDEN}/log/inclusion?index=1"),
                None,
            )
            .await
            .json();
        assert_eq!(hash(&proof["root"]), root);
        let path: Vec<_> = proof["proof"]
            .as_array()
            .unwrap()
            .iter()
            .map(hash)
            .collect();
        accord_app::tlog::verify_inclusion(&hash(&proof["leaf_hash"]), 1, size, &path, &root)
            .unwrap();

        let consistency = f
            .get(
                &format!("/v1/agreements/{ARDEN}/log/consistency?old=2"),
                None,
            )
            .await
            .json();
        assert_eq!(hash(&consistency["new_root"]), root);
        let path: Vec<_> = consistency["proof"]
            .as_array()
            .unwrap()
            .iter()
            .map(hash)
            .collect();
        accord_app::tlog::verify_consistency(
            (2, &hash(&consistency["old_root"])),
            (size, &root),
            &path,
        )
        .unwrap();

        // The write log has no checkpoint yet; and nothing is beyond the log.
        f.get("/v1/agreements/agreement-1/log/checkpoint", None)
            .await
            .problem(404, "no-checkpoint");
        f.get(
            &format!("/v1/agreements/{ARDEN}/log/inclusion?index={size}"),
            None,
        )
        .await
        .problem(400, "out-of-range");
        f.get(
            &format!(
                "/v1/agreements/{ARDEN}/log/inclusion?index=0&size={}",
                size + 1
            ),
            None,
        )
        .await
        .problem(400, "out-of-range");
        f.get(
            &format!("/v1/agreements/{ARDEN}/log/inclusion?index={}", u64::MAX),
            None,
        )
        .await
        .problem(400, "out-of-range");
        f.get(
            &format!("/v1/agreements/{ARDEN}/log/consistency?old={}&new=1", size),
            None,
        )
        .await
        .problem(400, "out-of-range");
    });
}

#[test]
fn health_and_readiness_answer() {
    both(async |f| {
        assert_eq!(f.get("/healthz", None).await.json()["status"], "ok");
        assert_eq!(f.get("/readyz", None).await.json()["status"], "ready");
    });
}

#[test]
fn reports_are_published_at_stable_addresses_and_verify() {
    both(async |f| {
        let base = format!("/v1/agreements/{ARDEN}/reports/2027-06-01");
        let mut bundle = accord_report::Bundle::default();
        for file in [
            "manifest.json",
            "agreement/v1.toml",
            "checkpoint.txt",
            "log.bin",
            "inclusion.json",
            "state.json",
            "report.json",
            "index.html",
        ] {
            let answer = f.get(&format!("{base}/{file}"), None).await;
            assert_eq!(answer.status, 200, "{file}: {}", answer.body);
            bundle.put(file, answer.body.into_bytes());
        }
        // log.bin is binary: read as text above only when it is UTF-8, so take the use
        // case's own bytes to check that the address answers them.
        let built = f.blocking(|s| {
            accord_app::report::build(
                s,
                &accord_app::report::Request {
                    agreement: ARDEN,
                    as_of: "2027-06-01T23:59:59.999999999Z".parse().unwrap(),
                    previous: None,
                    policy: None,
                },
            )
            .unwrap()
        });
        bundle.put("log.bin", built.bundle.get("log.bin").unwrap().to_vec());
        assert_eq!(bundle, built.bundle);
        assert!(accord_report::verify(&bundle, None).is_ok());
        let page = f.get(&format!("{base}/index.html"), None).await;
        assert_eq!(page.content_type, "text/html; charset=utf-8");
        let again = f.get(&format!("{base}/report.json"), None).await;
        assert_eq!(
            again.body.as_bytes(),
            built.bundle.get("report.json").unwrap()
        );

        let missing = f.get(&format!("{base}/nothing.txt"), None).await;
        assert_eq!(missing.status, 404);
        let before = f
            .get(
                &format!("/v1/agreements/{ARDEN}/reports/1999-01-01/report.json"),
                None,
            )
            .await;
        assert_eq!(before.status, 200, "{}", before.body);
        let bad = f
            .get(
                &format!("/v1/agreements/{ARDEN}/reports/yesterday/report.json"),
                None,
            )
            .await;
        assert_eq!(bad.status, 400);
    });
}

/// Issue #17: more status queries in flight than the store has connections. Each query
/// once held its lists connection while it read the agreements' logs through a second
/// one, so with every connection held by a query waiting for another, all of them waited
/// the pool's timeout and one was answered 503 `store-unavailable`. Every one must now be
/// answered 200.
#[test]
fn more_concurrent_status_queries_than_connections_are_all_answered() {
    both(async |f| {
        let client = super::support::client();
        let url = format!(
            "{}/v1/status?entity=eu-fsf:EU.1001.23&date=2026-06-25&agreement={ARDEN}",
            f.base
        );
        let mut queries = tokio::task::JoinSet::new();
        for _ in 0..64 {
            let request = client
                .get(&url)
                .bearer_auth(&f.tokens[&Role::Compliance])
                .send();
            queries.spawn(async move {
                let response = request.await.unwrap();
                (response.status().as_u16(), response.text().await.unwrap())
            });
        }
        while let Some(answered) = queries.join_next().await {
            let (status, body) = answered.unwrap();
            assert_eq!(status, 200, "{}: {body}", f.kind);
        }
    });
}
