//! The OpenAPI document is served, is OpenAPI 3.1, and lists exactly the endpoints.

use std::collections::BTreeSet;

use super::support::{ENDPOINTS, both};

#[test]
fn the_document_lists_every_endpoint_and_only_them() {
    let document: serde_json::Value = serde_json::from_str(accord_server::OPENAPI).unwrap();
    assert_eq!(document["openapi"], "3.1.0");
    let mut documented = BTreeSet::new();
    for (path, item) in document["paths"].as_object().unwrap() {
        for method in item.as_object().unwrap().keys() {
            documented.insert((method.to_uppercase(), path.clone()));
        }
    }
    let served: BTreeSet<(String, String)> = ENDPOINTS
        .iter()
        .map(|(method, path, _)| {
            let path = path.split('?').next().unwrap();
            let path = path
                .replace("arden-nuclear-2026", "{id}")
                .replace("accord-eu-fsf-eu-1001-23", "{id}")
                .replace("/match/default", "/match/{dataset}")
                .replace("/search/default", "/search/{dataset}")
                .replace("/reports/2027-06-01/report.json", "/reports/{as_of}/{file}")
                .replace("/log/tile/0/000.p/1", "/log/tile/{path}")
                .replace("/versions/1/", "/versions/{version}/")
                .replace("/lists/eu-fsf/imports", "/lists/{source}/imports")
                .replace("/lists/no-such-source/update", "/lists/{source}/update")
                .replace(
                    "/lists/eu-fsf/entities/EU.1001.23/",
                    "/lists/{list}/entities/{id}/",
                )
                .replace("/lists/eu-fsf/export", "/lists/{list}/export");
            (method.to_string(), path)
        })
        .collect();
    assert_eq!(documented, served);
}

#[test]
fn the_document_is_served() {
    both(async |f| {
        let served = f.get("/v1/openapi.json", None).await;
        assert_eq!(served.status, 200);
        assert_eq!(served.body, accord_server::OPENAPI);
    });
}

#[test]
fn the_reference_page_is_served_from_the_binary_and_loads_nothing_from_elsewhere() {
    both(async |f| {
        let page = f.get("/v1/docs", None).await;
        assert_eq!(page.status, 200);
        assert!(page.body.starts_with("<!DOCTYPE html>"));
        // Redoc itself, inlined, reading this server's document.
        assert!(page.body.contains("Redoc.init(\"/v1/openapi.json\""));
        assert!(page.body.len() > 500_000, "{}", page.body.len());
        // No script, stylesheet, image, font or import from another origin.
        let lower = page.body.to_lowercase();
        for loads in [
            "src=\"http",
            "src=\"//",
            "href=\"http",
            "href=\"//",
            "url(http",
            "url(//",
            "@import",
        ] {
            assert!(!lower.contains(loads), "the page loads `{loads}`");
        }
        let policy = &page.headers["content-security-policy"];
        let policy = policy.to_str().unwrap();
        assert!(policy.starts_with("default-src 'none'"), "{policy}");
        assert!(!policy.contains("http"), "{policy}");
    });
}
