//! The operational layers over loopback: request ids kept or made and carried by the log
//! lines, gzip when asked, metrics counting each route's answers and each log's size, rate
//! limits per token and per address answered 429 with `Retry-After`, and the timeout
//! answered 503 — each with a problem body.

use std::sync::{Arc, Mutex};

use accord_server::{Rate, RateLimits, Role};
use tracing::level_filters::LevelFilter;

use super::support::{ARDEN, Fixture, ORIGIN, Request, both, both_with};

/// The log lines written so far (the test binary's global subscriber writes here).
#[derive(Clone, Default)]
struct Lines(Arc<Mutex<Vec<u8>>>);

impl std::io::Write for Lines {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(bytes);
        Ok(bytes.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// Installs the server's own log format, writing into `Lines`, once for the process.
fn captured_logs() -> Lines {
    static LINES: std::sync::OnceLock<Lines> = std::sync::OnceLock::new();
    LINES
        .get_or_init(|| {
            let lines = Lines::default();
            let writer = lines.clone();
            let subscriber =
                accord_server::logs::subscriber(move || writer.clone(), LevelFilter::INFO);
            tracing::subscriber::set_global_default(subscriber).unwrap();
            lines
        })
        .clone()
}

async fn get_with(f: &Fixture, path: &str, header: (&str, &str)) -> reqwest::Response {
    super::support::client()
        .get(format!("{}{path}", f.base))
        .header(header.0, header.1)
        .send()
        .await
        .unwrap()
}

#[test]
fn request_ids_are_kept_or_made_answered_and_logged() {
    let lines = captured_logs();
    both(async |f| {
        let id = format!("ops-test-{}", f.kind);
        let path = format!("/v1/agreements/{ARDEN}");
        let answer = get_with(f, &path, ("x-request-id", &id)).await;
        assert_eq!(answer.status(), 200);
        assert_eq!(answer.headers()["x-request-id"], id.as_str());

        // None given: a fresh UUID, a different one each time.
        let made: Vec<String> = [f.get(&path, None).await, f.get(&path, None).await]
            .iter()
            .map(|a| a.headers["x-request-id"].to_str().unwrap().to_owned())
            .collect();
        for made in &made {
            assert_eq!(made.len(), 36, "{made}");
            assert!(made.chars().all(|c| c.is_ascii_hexdigit() || c == '-'));
        }
        assert_ne!(made[0], made[1]);
        // An id too long or not printable is replaced by a fresh one.
        for unusable in ["x".repeat(129), "two words".to_owned()] {
            let answer = get_with(f, &path, ("x-request-id", &unusable)).await;
            let made = answer.headers()["x-request-id"].to_str().unwrap();
            assert_eq!(made.len(), 36, "{unusable}: {made}");
        }
        let longest = "y".repeat(128);
        let kept = get_with(f, &path, ("x-request-id", &longest)).await;
        assert_eq!(kept.headers()["x-request-id"], longest.as_str());

        // The answer's log line: JSON, in the request's span, with the status.
        let text = String::from_utf8(lines.0.lock().unwrap().clone()).unwrap();
        let line: serde_json::Value = text
            .lines()
            .map(|l| serde_json::from_str::<serde_json::Value>(l).unwrap())
            .find(|l| l["span"]["request_id"] == id.as_str())
            .unwrap_or_else(|| panic!("no line with {id} in {text}"));
        assert_eq!(line["level"], "INFO");
        assert_eq!(line["span"]["method"], "GET");
        assert_eq!(line["span"]["path"], path.as_str());
        assert_eq!(line["span"]["route"], "/v1/agreements/{id}");
        assert_eq!(line["fields"]["status"], 200);
        assert!(line["fields"]["latency"].is_string(), "{line}");
    });
}

#[test]
fn answers_are_gzipped_when_asked() {
    both(async |f| {
        let gzipped = get_with(f, "/v1/openapi.json", ("accept-encoding", "gzip")).await;
        assert_eq!(gzipped.status(), 200);
        assert_eq!(gzipped.headers()["content-encoding"], "gzip");
        let bytes = gzipped.bytes().await.unwrap();
        let mut text = String::new();
        std::io::Read::read_to_string(&mut flate2::read::GzDecoder::new(&bytes[..]), &mut text)
            .unwrap();
        assert_eq!(text, accord_server::OPENAPI);
        assert!(
            bytes.len() < text.len() / 4,
            "{} of {}",
            bytes.len(),
            text.len()
        );

        let plain = f.get("/v1/openapi.json", None).await;
        assert!(plain.headers.get("content-encoding").is_none());
        assert_eq!(plain.body, accord_server::OPENAPI);
    });
}

/// The value of the metric line that starts with `series` (name and labels).
fn metric(text: &str, series: &str) -> Option<f64> {
    text.lines()
        .find_map(|l| l.strip_prefix(series)?.strip_prefix(' '))
        .map(|v| v.parse().unwrap())
}

#[test]
fn metrics_count_answers_by_route_and_status_and_each_log_s_size() {
    both(async |f| {
        for _ in 0..3 {
            assert_eq!(
                f.get(&format!("/v1/agreements/{ARDEN}"), None).await.status,
                200
            );
        }
        assert_eq!(f.get("/v1/agreements/no-such", None).await.status, 404);
        assert_eq!(f.get("/nowhere", None).await.status, 404);
        f.get("/metrics", None).await.problem(401, "unauthorised");
        f.get("/metrics", Some(Role::Public))
            .await
            .problem(403, "forbidden");

        let answer = f.get("/metrics", Some(Role::Admin)).await;
        assert_eq!(answer.status, 200, "{}", answer.body);
        assert!(
            answer
                .content_type
                .starts_with("application/openmetrics-text")
        );
        let text = &answer.body;
        let requests = |route: &str, status: u16| {
            metric(
                text,
                &format!(
                    "accord_http_requests_total{{route=\"{route}\",method=\"GET\",status=\"{status}\"}}"
                ),
            )
        };
        assert_eq!(requests("/v1/agreements/{id}", 200), Some(3.0), "{text}");
        assert_eq!(requests("/v1/agreements/{id}", 404), Some(1.0), "{text}");
        assert_eq!(requests("unmatched", 404), Some(1.0), "{text}");
        assert_eq!(requests("/metrics", 401), Some(1.0), "{text}");
        assert_eq!(requests("/metrics", 403), Some(1.0), "{text}");
        assert_eq!(
            metric(
                text,
                "accord_http_request_duration_seconds_count{route=\"/v1/agreements/{id}\",method=\"GET\"}"
            ),
            Some(4.0),
            "{text}"
        );
        // Each log's size, as the store has it.
        let arden = f.blocking(|s| {
            let info = accord_app::service::log_of(s, &ARDEN.parse().unwrap()).unwrap();
            (info.origin, info.size)
        });
        assert!(arden.1 > 0);
        for (origin, size) in [(arden.0.as_str(), arden.1), (ORIGIN, 0)] {
            assert_eq!(
                metric(text, &format!("accord_log_entries{{origin=\"{origin}\"}}")),
                Some(size as f64),
                "{text}"
            );
        }
    });
}

#[test]
fn each_token_and_each_address_has_its_own_limit() {
    let limits = RateLimits {
        per_token: Rate::new(1, 2),
        per_address: Rate::new(1, 3),
    };
    both_with(
        |config| config.rate_limits = limits,
        async |f| {
            let path = format!("/v1/agreements/{ARDEN}");
            for _ in 0..2 {
                assert_eq!(f.get(&path, Some(Role::Public)).await.status, 200);
            }
            let refused = f.get(&path, Some(Role::Public)).await;
            let detail = refused.problem(429, "rate-limited");
            assert!(detail.contains("this token"), "{detail}");
            let retry: u64 = refused.headers["retry-after"]
                .to_str()
                .unwrap()
                .parse()
                .unwrap();
            assert!((1..=60).contains(&retry), "{retry}");
            // Another token has its own bucket.
            assert_eq!(f.get(&path, Some(Role::Compliance)).await.status, 200);

            // Anonymous requests share their address's bucket of 3; a token the server
            // did not issue is counted by address too (not a way around the limit).
            for _ in 0..3 {
                assert_eq!(f.get(&path, None).await.status, 200);
            }
            f.get(&path, None).await.problem(429, "rate-limited");
            let forged = f
                .send(Request {
                    method: reqwest::Method::GET,
                    path: &path,
                    as_role: None,
                    content_type: None,
                    body: None,
                    authorization: Some("Bearer accord_not-one-of-ours".into()),
                })
                .await;
            assert!(forged.problem(429, "rate-limited").contains("this address"));
            // Health probes are not limited.
            assert_eq!(f.get("/healthz", None).await.status, 200);
            // A refused request wrote nothing.
            assert_eq!(f.log_size(), 0);
        },
    );
}

#[test]
fn a_request_over_the_timeout_is_a_503_problem() {
    both_with(
        |config| config.timeout = std::time::Duration::ZERO,
        async |f| {
            // Answered without waiting for anything: in time even with no time at all.
            assert_eq!(f.get("/healthz", None).await.status, 200);
            // Waits for the store on the blocking pool: over the limit.
            let detail = f.get("/v1/agreements", None).await.problem(503, "timeout");
            assert!(detail.contains("0 ms"), "{detail}");
        },
    );
}
