//! Screening, OpenSanctions-compatible: yente-shaped requests get yente-shaped answers,
//! on both stores, scored by accord-screen.

use accord_server::Role;
use reqwest::Method;
use serde_json::{Value, json};

use super::support::{Answer, Fixture, Request, both};

const BANK: &str = "accord-eu-fsf-eu-1001-23";
const IVAN: &str = "accord-eu-fsf-eu-2001-23";

async fn post(f: &Fixture, path: &str, content_type: &str, body: &str) -> Answer {
    f.send(Request {
        method: Method::POST,
        path,
        as_role: Some(Role::Compliance),
        content_type: Some(content_type),
        body: Some(body.as_bytes().to_vec()),
        authorization: None,
    })
    .await
}

async fn matched(f: &Fixture, path: &str, body: &Value) -> Value {
    let answer = post(f, path, "application/json", &body.to_string()).await;
    assert_eq!(answer.status, 200, "{path}: {}", answer.body);
    assert_eq!(answer.content_type, "application/json");
    answer.json()
}

fn two_queries() -> Value {
    json!({"queries": {
        "bank": {"schema": "Organization", "properties": {"name": ["Central Bank of Ardenn"]}},
        "ivan": {"id": "customer-7", "schema": "Person", "properties": {
            "name": ["Ivan Ardenof"], "birthDate": ["1961-04-02"], "nationality": "ar"}},
    }})
}

#[test]
fn a_yente_request_with_two_queries_gets_a_yente_answer() {
    both(async |f| {
        for dataset in ["default", "eu-fsf"] {
            let answer = matched(f, &format!("/v1/match/{dataset}"), &two_queries()).await;
            let responses = answer["responses"].as_object().unwrap();
            assert_eq!(responses.len(), 2, "{answer}");
            for (key, id) in [("bank", BANK), ("ivan", IVAN)] {
                let response = &responses[key];
                assert_eq!(response["status"], 200, "{response}");
                let top = &response["results"][0];
                assert_eq!(top["id"], id, "{key} on {}: {response}", f.kind);
                assert_eq!(top["match"], true, "{response}");
                assert_eq!(top["datasets"], json!(["eu-fsf"]));
                let score = top["score"].as_f64().unwrap();
                assert!((0.85..=1.0).contains(&score), "{response}");
                assert!(top["features"]["name"].as_f64().unwrap() > 0.8);
                assert!(top["explanations"]["name"].is_object(), "{top}");
                assert!(top["properties"]["name"].is_array(), "{top}");
                assert!(top["caption"].is_string());
                let n = response["results"].as_array().unwrap().len();
                assert_eq!(response["total"]["value"], n);
            }
            // The typo'd person is found with the date of birth agreeing.
            let ivan = &responses["ivan"];
            assert_eq!(ivan["results"][0]["caption"], "Ivan Ardenov");
            assert!(
                ivan["results"][0]["features"]["birth_date"]
                    .as_f64()
                    .unwrap()
                    > 0.0
            );
            assert_eq!(ivan["query"]["id"], "customer-7");
            assert_eq!(ivan["query"]["schema"], "Person");
            assert_eq!(ivan["query"]["properties"]["nationality"], json!(["ar"]));
        }
        // The entity a result names is served.
        let entity = f
            .get(&format!("/v1/entities/{IVAN}"), Some(Role::Compliance))
            .await;
        assert_eq!(entity.status, 200, "{}", entity.body);
        let entity = entity.json();
        assert_eq!(entity["id"], IVAN);
        assert_eq!(entity["schema"], "Person");
        assert_eq!(entity["properties"]["birthDate"], json!(["1961-04-02"]));
    });
}

#[test]
fn threshold_cutoff_and_limit_are_honoured() {
    both(async |f| {
        let ivan =
            json!({"queries": {"q": {"schema": "Person", "properties": {"name": "Ivan Ardenof"}}}});
        let strict = matched(f, "/v1/match/default?threshold=0.999", &ivan).await;
        let top = &strict["responses"]["q"]["results"][0];
        assert_eq!(top["id"], IVAN, "{strict}");
        assert!(top["score"].as_f64().unwrap() < 0.999, "{strict}");
        assert_eq!(top["match"], false, "{strict}");
        assert_eq!(strict["threshold"], 0.999);
        let cut = matched(f, "/v1/match/default?cutoff=0.999", &ivan).await;
        assert_eq!(cut["responses"]["q"]["results"], json!([]), "{cut}");
        assert_eq!(cut["responses"]["q"]["total"]["value"], 0);
        // Two names, each a designation: the limit keeps the best.
        let both_names = json!({"queries": {"q": {"schema": "LegalEntity", "properties": {
            "name": ["Ivan Ardenov"], "alias": ["Central Bank of Arden"]}}}});
        let two = matched(f, "/v1/match/default?limit=2", &both_names).await;
        assert_eq!(
            two["responses"]["q"]["results"].as_array().unwrap().len(),
            2,
            "{two}"
        );
        let one = matched(f, "/v1/match/default?limit=1", &both_names).await;
        let results = one["responses"]["q"]["results"].as_array().unwrap();
        assert_eq!(results.len(), 1, "{one}");
        assert_eq!(one["limit"], 1);
    });
}

#[test]
fn datasets_are_the_imported_lists() {
    both(async |f| {
        let catalog = f.get("/v1/catalog", None).await;
        assert_eq!(catalog.status, 200, "{}", catalog.body);
        let catalog = catalog.json();
        let names: Vec<&str> = catalog["datasets"]
            .as_array()
            .unwrap()
            .iter()
            .map(|d| d["name"].as_str().unwrap())
            .collect();
        assert_eq!(names, ["default", "eu-fsf"]);
        assert_eq!(catalog["datasets"][0]["children"], json!(["eu-fsf"]));
        assert_eq!(catalog["datasets"][1]["entity_count"], 2);
        let unknown = post(
            f,
            "/v1/match/us-ofac",
            "application/json",
            &two_queries().to_string(),
        )
        .await;
        let detail = unknown.problem(404, "no-such-dataset");
        assert!(detail.contains("default, eu-fsf"), "{detail}");
        let entity = f.get("/v1/entities/accord-nope", Some(Role::Admin)).await;
        entity.problem(404, "no-such-entity");
    });
}

#[test]
fn bad_match_requests_are_refused_with_a_detail() {
    both(async |f| {
        let path = "/v1/match/default";
        let person = |properties: Value| {
            json!({"queries": {"q": {"schema": "Person", "properties": properties}}}).to_string()
        };
        let cases: Vec<(&str, &str, String, u16, &str)> = vec![
            (
                path,
                "application/json",
                "{\"queries\": ".to_owned(),
                400,
                "malformed-json",
            ),
            (
                path,
                "text/plain",
                two_queries().to_string(),
                415,
                "unsupported-media-type",
            ),
            (
                path,
                "application/json",
                "{}".to_owned(),
                422,
                "invalid-body",
            ),
            (
                path,
                "application/json",
                "{\"queries\": {}}".to_owned(),
                422,
                "invalid-body",
            ),
            (
                path,
                "application/json",
                "{\"queries\": {}, \"x\": 1}".to_owned(),
                422,
                "invalid-body",
            ),
            (
                path,
                "application/json",
                json!({"queries": {"q": {"schema": "Planet", "properties": {"name": "X"}}}})
                    .to_string(),
                422,
                "invalid-body",
            ),
            (
                path,
                "application/json",
                json!({"queries": {"q": {"schema": "Person", "extra": 1}}}).to_string(),
                422,
                "invalid-body",
            ),
            (
                path,
                "application/json",
                person(json!({"birthDate": ["1961"]})),
                422,
                "invalid-body",
            ),
            (
                path,
                "application/json",
                person(json!({"name": ["Ivan"], "birthDate": ["04/02/1961"]})),
                422,
                "invalid-body",
            ),
            (
                path,
                "application/json",
                person(json!({"name": [1]})),
                422,
                "invalid-body",
            ),
            (
                "/v1/match/default?threshold=2",
                "application/json",
                two_queries().to_string(),
                400,
                "bad-parameter",
            ),
            (
                "/v1/match/default?cutoff=x",
                "application/json",
                two_queries().to_string(),
                400,
                "bad-parameter",
            ),
            (
                "/v1/match/default?limit=0",
                "application/json",
                two_queries().to_string(),
                400,
                "bad-parameter",
            ),
            (
                "/v1/match/default?limit=501",
                "application/json",
                two_queries().to_string(),
                400,
                "bad-parameter",
            ),
            (
                "/v1/match/default?fuzzy=true",
                "application/json",
                two_queries().to_string(),
                400,
                "bad-query",
            ),
        ];
        for (path, content_type, body, status, kind) in cases {
            let answer = post(f, path, content_type, &body).await;
            let detail = answer.problem(status, kind);
            assert!(!detail.is_empty(), "{path} {body}");
        }
        let many: serde_json::Map<String, Value> = (0..101)
            .map(|i| {
                (
                    format!("q{i}"),
                    json!({"schema": "Person", "properties": {"name": "Ivan"}}),
                )
            })
            .collect();
        let answer = post(
            f,
            path,
            "application/json",
            &json!({"queries": many}).to_string(),
        )
        .await;
        assert!(answer.problem(422, "invalid-body").contains("at most 100"));
        // The query's key is named.
        let answer = post(f, path, "application/json", &person(json!({"alias": []}))).await;
        assert!(answer.problem(422, "invalid-body").contains("query `q`"));
    });
}
