//! Bad requests: each a 4xx with an RFC 9457 problem body, and nothing written.

use accord_server::Role;
use reqwest::Method;

use super::support::{BODY_LIMIT, ORIGIN, Request, both, evidence, key, signed};

#[test]
fn bad_bodies_are_problems_and_write_nothing() {
    both(async |f| {
        let entry = signed(ORIGIN, evidence(1.0), "iaea", &key(3));
        let post = |content_type: Option<&'static str>, body: Vec<u8>| Request {
            method: Method::POST,
            path: "/v1/statements",
            as_role: Some(Role::Monitor),
            content_type,
            body: Some(body),
            authorization: None,
        };
        let json = |text: &str| post(Some("application/json"), text.as_bytes().to_vec());

        let detail = f
            .send(json("{\"entry\": "))
            .await
            .problem(400, "malformed-json");
        assert!(detail.contains("line 1 column 10"), "{detail}");
        f.send(json("{\"entry\" \"x\"}"))
            .await
            .problem(400, "malformed-json");
        let detail = f
            .send(json(&format!(
                "{{\"entry\": \"{entry}\", \"signer\": \"iaea\"}}"
            )))
            .await
            .problem(422, "invalid-body");
        assert!(
            detail.starts_with("unknown field `signer`, expected `entry`"),
            "{detail}"
        );
        let detail = f.send(json("{}")).await.problem(422, "invalid-body");
        assert!(detail.starts_with("missing field `entry`"), "{detail}");
        f.send(json("{\"entry\": 12}"))
            .await
            .problem(422, "invalid-body");

        let body = format!("{{\"entry\": \"{entry}\"}}").into_bytes();
        f.send(post(Some("text/plain"), body.clone()))
            .await
            .problem(415, "unsupported-media-type");
        f.send(post(None, body.clone()))
            .await
            .problem(415, "unsupported-media-type");
        // `application/json; charset=utf-8` is JSON.
        let mut padded = format!("{{\"entry\": \"{entry}\", \"x\": \"").into_bytes();
        padded.extend(std::iter::repeat_n(b'a', BODY_LIMIT));
        padded.extend(b"\"}");
        f.send(post(Some("application/json; charset=utf-8"), padded))
            .await
            .problem(413, "body-too-large");
        assert_eq!(f.log_size(), 0, "{}", f.kind);
    });
}

#[test]
fn unauthorised_requests_are_problems_and_write_nothing() {
    both(async |f| {
        let entry = signed(ORIGIN, evidence(1.0), "iaea", &key(3));
        let body = format!("{{\"entry\": \"{entry}\"}}");
        let anonymous = f.submit(None, &body).await;
        anonymous.problem(401, "unauthorised");
        assert_eq!(
            anonymous.headers["www-authenticate"],
            "Bearer realm=\"accord\""
        );
        let detail = f
            .submit(Some(Role::Compliance), &body)
            .await
            .problem(403, "forbidden");
        assert_eq!(detail, "a token of role `compliance` may not do this");
        for authorization in ["Bearer accord_not-a-token", "Basic dXNlcjpwYXNz", "Bearer"] {
            let answer = f
                .send(Request {
                    method: Method::POST,
                    path: "/v1/statements",
                    as_role: None,
                    content_type: Some("application/json"),
                    body: Some(body.clone().into_bytes()),
                    authorization: Some(authorization.to_owned()),
                })
                .await;
            answer.problem(401, "unauthorised");
        }
        // A bad token is refused on public reads too, never taken for anonymous.
        let answer = f
            .send(Request {
                method: Method::GET,
                path: "/v1/agreements",
                as_role: None,
                content_type: None,
                body: None,
                authorization: Some("Bearer accord_forged".into()),
            })
            .await;
        answer.problem(401, "unauthorised");
        assert_eq!(f.log_size(), 0, "{}", f.kind);
    });
}

#[test]
fn bad_paths_methods_and_queries_are_problems() {
    both(async |f| {
        f.get("/v2/agreements", None)
            .await
            .problem(404, "no-such-path");
        let delete = f
            .send(Request {
                method: Method::DELETE,
                path: "/v1/agreements",
                as_role: Some(Role::Admin),
                content_type: None,
                body: None,
                authorization: None,
            })
            .await;
        delete.problem(405, "method-not-allowed");
        let detail = f
            .get(
                "/v1/agreements/arden-nuclear-2026/state?asof=2026-01-01",
                None,
            )
            .await
            .problem(400, "bad-query");
        assert!(detail.contains("unknown field `asof`"), "{detail}");
        f.get(
            "/v1/agreements/arden-nuclear-2026/state?as_of=yesterday",
            Some(Role::Compliance),
        )
        .await
        .problem(400, "bad-parameter");
        f.get(
            "/v1/agreements/arden-nuclear-2026/log/inclusion?index=-1",
            None,
        )
        .await
        .problem(400, "bad-query");
        f.get("/v1/agreements/arden-nuclear-2026/log/inclusion", None)
            .await
            .problem(400, "bad-query");
    });
}
