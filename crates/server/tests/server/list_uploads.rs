//! The lists over HTTP: an official file uploaded and imported all or nothing (a truncated
//! one refused whole, the store's imports unchanged), a designation's history, and the
//! list's FollowTheMoney export, with the sample lists of `$ACCORD_SANCTIONS_DATA`.

use std::path::PathBuf;

use accord_server::Role;

use super::support::{Answer, Fixture, Request, both_with};

/// The upload limit the tests' server is given: above the JSON body limit (64 KiB) and
/// the UN sample (about 2 MB), below twice that.
const UPLOAD_LIMIT: usize = 3 * 1024 * 1024;

fn samples() -> Option<PathBuf> {
    let dir = std::env::var_os("ACCORD_SANCTIONS_DATA").map_or_else(
        || PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/data/sanctions"),
        PathBuf::from,
    );
    if dir.is_dir() {
        Some(dir)
    } else {
        eprintln!("skipped: sanctions samples not found at {}", dir.display());
        None
    }
}

async fn upload(f: &Fixture, role: Role, source: &str, body: Vec<u8>) -> Answer {
    f.send(Request {
        method: reqwest::Method::POST,
        path: &format!("/v1/lists/{source}/imports?observed_at=2026-02-01T00:00:00Z"),
        as_role: Some(role),
        content_type: Some("application/xml"),
        body: Some(body),
        authorization: None,
    })
    .await
}

/// An upload over the limit: answered 413 — or, since the server answers as soon as the
/// limit is passed and closes the connection without reading the rest (HTTP/1.1 allows
/// it), the client may see the connection closed while it is still sending.
async fn too_large(f: &Fixture, body: Vec<u8>) {
    let sent = super::support::client()
        .post(format!("{}/v1/lists/un-sc/imports", f.base))
        .bearer_auth(&f.tokens[&Role::Admin])
        .body(body)
        .send()
        .await;
    match sent {
        Ok(response) => assert_eq!(response.status().as_u16(), 413),
        Err(e) => assert!(e.is_request(), "{e}"),
    }
}

fn imports(f: &Fixture) -> usize {
    f.blocking(|store| store.lists().unwrap().imports(None).unwrap().len())
}

#[test]
fn an_uploaded_list_is_imported_whole_or_not_at_all_and_read_back() {
    let Some(dir) = samples() else {
        return;
    };
    let un = std::fs::read(dir.join("un_sc/UN_consolidated.xml")).unwrap();
    assert!(un.len() < UPLOAD_LIMIT && un.len() * 2 > UPLOAD_LIMIT);
    both_with(
        |config| config.upload_limit = UPLOAD_LIMIT,
        async |f| {
            let before = imports(f);
            // Cut in the middle, or too large: refused whole.
            let cut = upload(f, Role::Admin, "un-sc", un[..un.len() / 2].to_vec()).await;
            cut.problem(422, "import-refused");
            too_large(f, [un.clone(), un.clone()].concat()).await;
            // Refusals decided before the body is read get a small body: a large one may
            // meet the connection closed by the answer while it is still being sent.
            let small = un[..4096].to_vec();
            upload(f, Role::Compliance, "un-sc", small.clone())
                .await
                .problem(403, "forbidden");
            upload(f, Role::Admin, "default", small)
                .await
                .problem(422, "import-refused");
            assert_eq!(imports(f), before);

            let imported = upload(f, Role::Admin, "un-sc", un.clone()).await;
            assert_eq!(imported.status, 201, "{}", imported.body);
            let summary = imported.json();
            assert_eq!(summary["source"], "un-sc");
            assert_eq!(summary["observed_at"], "2026-02-01T00:00:00Z");
            assert!(summary["records"].as_i64().unwrap() > 0, "{summary}");
            assert_eq!(summary["added"], summary["records"]);
            assert_eq!(imports(f), before + 1);

            let export = f
                .get("/v1/lists/un-sc/export", Some(Role::Compliance))
                .await;
            assert_eq!(export.status, 200, "{}", export.body);
            assert_eq!(export.content_type, "application/x-ndjson");
            let entities: Vec<serde_json::Value> = export
                .body
                .lines()
                .map(|l| serde_json::from_str(l).unwrap())
                .collect();
            assert!(
                entities
                    .iter()
                    .all(|e| e["id"].as_str().unwrap().starts_with("accord-un-sc-"))
            );
            let sanction = entities
                .iter()
                .find(|e| e["schema"] == "Sanction")
                .expect("a Sanction");
            let id = sanction["properties"]["authorityId"][0].as_str().unwrap();
            // Only this list's entities: the fixture's EU list is not in it.
            assert!(!export.body.contains("accord-eu-fsf-"));

            let path = format!("/v1/lists/un-sc/entities/{id}/history?on=2026-03-01");
            let history = f.get(&path, Some(Role::Compliance)).await;
            assert_eq!(history.status, 200, "{}", history.body);
            let history = history.json();
            assert_eq!(history["listed"], true);
            assert_eq!(history["changes"][0]["kind"], "added");
            assert_eq!(history["on"]["listed"], true, "{history}");

            f.get(
                "/v1/lists/un-sc/entities/no-such-id/history",
                Some(Role::Compliance),
            )
            .await
            .problem(404, "no-such-entity");
            f.get("/v1/lists/no-such-list/export", Some(Role::Compliance))
                .await
                .problem(404, "no-such-list");
            f.get("/v1/lists/un-sc/export", None)
                .await
                .problem(401, "unauthorised");
            // An update of a source no configuration names: nothing is downloaded.
            let update = f
                .send(Request {
                    method: reqwest::Method::POST,
                    path: "/v1/lists/no-such-source/update",
                    as_role: Some(Role::Admin),
                    content_type: None,
                    body: None,
                    authorization: None,
                })
                .await;
            update.problem(404, "no-such-list");
        },
    );
}
