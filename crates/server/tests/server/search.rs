//! yente's `/search/{dataset}`: a name searched in the imported lists, answered in yente's
//! `SearchResponse` shape, paged by `limit` and `offset`; bad parameters are problems.

use accord_server::Role;
use serde_json::json;

use super::support::both;

const BANK: &str = "accord-eu-fsf-eu-1001-23";

#[test]
fn a_search_finds_the_designation_in_yente_s_shape() {
    both(async |f| {
        for dataset in ["default", "eu-fsf"] {
            let path = format!("/v1/search/{dataset}?q=Central%20Bank%20of%20Ardenn");
            let answer = f.get(&path, Some(Role::Compliance)).await;
            assert_eq!(answer.status, 200, "{}", answer.body);
            assert_eq!(answer.content_type, "application/json");
            let body = answer.json();
            assert_eq!(body["limit"], 10);
            assert_eq!(body["offset"], 0);
            assert_eq!(body["facets"], json!({}));
            assert_eq!(body["total"]["relation"], "eq");
            let results = body["results"].as_array().unwrap();
            assert_eq!(body["total"]["value"], results.len());
            let top = &results[0];
            assert_eq!(top["id"], BANK, "{body}");
            assert_eq!(top["schema"], "Organization", "{top}");
            assert_eq!(top["datasets"], json!(["eu-fsf"]));
            assert!(top["caption"].is_string() && top["properties"]["name"].is_array());
            assert!(top["score"].as_f64().unwrap() > 0.85, "{top}");
            for pair in results.windows(2) {
                assert!(pair[0]["score"].as_f64() >= pair[1]["score"].as_f64());
            }
        }
        // A person's schema leaves the bank out; a page past the results is empty.
        let people = f
            .get(
                "/v1/search/default?q=Central%20Bank%20of%20Arden&schema=Person",
                Some(Role::Compliance),
            )
            .await
            .json();
        assert!(
            people["results"]
                .as_array()
                .unwrap()
                .iter()
                .all(|r| r["id"] != BANK),
            "{people}"
        );
        let first = f
            .get("/v1/search/default?q=Arden&limit=1", Some(Role::Compliance))
            .await
            .json();
        assert_eq!(first["results"].as_array().unwrap().len(), 1, "{first}");
        assert_eq!(first["total"]["relation"], "gte", "{first}");
        let past = f
            .get(
                "/v1/search/default?q=Arden&offset=400",
                Some(Role::Compliance),
            )
            .await
            .json();
        assert_eq!(past["results"], json!([]), "{past}");
    });
}

#[test]
fn bad_searches_are_problems() {
    both(async |f| {
        let c = Some(Role::Compliance);
        for (path, status, kind) in [
            ("/v1/search/default", 400, "bad-query"),
            ("/v1/search/default?q=%20", 400, "bad-parameter"),
            ("/v1/search/default?q=x&limit=0", 400, "bad-parameter"),
            ("/v1/search/default?q=x&limit=501", 400, "bad-parameter"),
            (
                "/v1/search/default?q=x&offset=450&limit=100",
                400,
                "bad-parameter",
            ),
            ("/v1/search/default?q=x&schema=Planet", 400, "bad-parameter"),
            ("/v1/search/default?q=x&facets=topics", 400, "bad-query"),
            ("/v1/search/no-such?q=x", 404, "no-such-dataset"),
        ] {
            f.get(path, c).await.problem(status, kind);
        }
        f.get("/v1/search/default?q=x", Some(Role::Public))
            .await
            .problem(403, "forbidden");
    });
}
