//! End-to-end tests of `accord lists`: import, history and update against a local HTTP
//! server (these machines have no internet) serving the real samples and our own files.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::{Arc, Mutex};

fn accord() -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_accord"));
    command.env_remove("ACCORD_STORE");
    command
}

fn run(args: &[&str]) -> Output {
    accord().args(args).output().unwrap()
}

fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

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

fn ftm(entities: &[(&str, &str)]) -> String {
    entities
        .iter()
        .map(|(id, name)| {
            format!("{{\"id\":\"{id}\",\"schema\":\"Person\",\"properties\":{{\"name\":[\"{name}\"]}}}}\n")
        })
        .collect()
}

fn store_url(dir: &Path) -> String {
    format!("sqlite:{}", dir.join("accord.db").display())
}

#[test]
fn import_is_idempotent_and_history_answers_listed_on() {
    let dir = tempfile::tempdir().unwrap();
    let store = store_url(dir.path());
    let v1 = dir.path().join("v1.json");
    let v2 = dir.path().join("v2.json");
    std::fs::write(&v1, ftm(&[("a", "Jane Roe"), ("b", "John Doe")])).unwrap();
    std::fs::write(&v2, ftm(&[("a", "Jane Roe")])).unwrap();
    let v1s = v1.to_str().unwrap();
    let v2s = v2.to_str().unwrap();

    let out = run(&[
        "lists",
        "import",
        v1s,
        "--source",
        "t",
        "--observed-at",
        "2026-01-10",
        "--store",
        &store,
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(
        stdout(&out).trim(),
        "imported `t` as import 1 (observed 2026-01-10T00:00:00Z): 2 designations: 2 added, 0 removed, 0 amended, 0 unchanged"
    );
    let out = run(&[
        "lists",
        "import",
        v1s,
        "--source",
        "t",
        "--observed-at",
        "2026-01-20",
        "--store",
        &store,
    ]);
    assert!(
        stdout(&out).contains("2 designations: 0 added, 0 removed, 0 amended, 2 unchanged"),
        "{}",
        stdout(&out)
    );
    // One of two removed is a mass removal (50%): refused unless allowed.
    let args = [
        "lists",
        "import",
        v2s,
        "--source",
        "t",
        "--observed-at",
        "2026-02-10",
        "--store",
        &store,
    ];
    let out = run(&args);
    assert!(!out.status.success());
    assert!(
        said(&out).contains("would remove 1 of its 2 listed designations"),
        "{}",
        said(&out)
    );
    assert!(
        stderr(&out).contains("--allow-removals"),
        "{}",
        stderr(&out)
    );
    let out = run(&[&args[..], &["--allow-removals"]].concat());
    assert!(
        stdout(&out).contains(
            "1 designations: 0 added, 1 removed, 0 amended, 1 unchanged (mass removals were allowed, as asked; recorded with the import)"
        ),
        "{}",
        stdout(&out)
    );

    let out = run(&[
        "lists",
        "history",
        "--source",
        "t",
        "--id",
        "b",
        "--on",
        "2026-01-15",
        "--store",
        &store,
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    let text = stdout(&out);
    assert!(text.contains("t b: John Doe (delisted)"), "{text}");
    assert!(text.contains("present from import 1 (2026-01-10T00:00:00Z) to import 2 (2026-01-20T00:00:00Z); absent from import 3 (2026-02-10T00:00:00Z)"), "{text}");
    assert!(
        text.contains("listed on 2026-01-15: present since import 1"),
        "{text}"
    );
    let out = run(&[
        "lists",
        "history",
        "--source",
        "t",
        "--name",
        "john",
        "--on",
        "2026-03-01",
        "--store",
        &store,
    ]);
    assert!(
        stdout(&out).contains("not listed on 2026-03-01: delisted: absent from import 3"),
        "{}",
        stdout(&out)
    );
    let out = run(&[
        "lists",
        "history",
        "--source",
        "t",
        "--id",
        "b",
        "--on",
        "2026-02-01",
        "--store",
        &store,
    ]);
    assert!(
        stdout(&out).contains("unknown on 2026-02-01"),
        "{}",
        stdout(&out)
    );

    let out = run(&[
        "lists", "show", "--source", "t", "--id", "a", "--store", &store,
    ]);
    let json: serde_json::Value = serde_json::from_str(&stdout(&out)).unwrap();
    assert_eq!(json["names"][0]["full"], "Jane Roe");
}

#[test]
fn bad_files_fail_clearly_and_change_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let store = store_url(dir.path());
    let good = dir.path().join("good.json");
    std::fs::write(&good, ftm(&[("a", "Jane Roe")])).unwrap();
    let out = run(&[
        "lists",
        "import",
        good.to_str().unwrap(),
        "--source",
        "t",
        "--store",
        &store,
    ]);
    assert!(out.status.success());

    let unknown = dir.path().join("notes.txt");
    std::fs::write(&unknown, "hello, world\n").unwrap();
    let out = run(&[
        "lists",
        "import",
        unknown.to_str().unwrap(),
        "--store",
        &store,
    ]);
    assert!(!out.status.success());
    let err = stderr(&out);
    assert!(err.contains("notes.txt"), "{err}");
    assert!(err.contains("unknown format"), "{err}");
    assert!(err.contains("--format"), "{err}");

    let truncated = dir.path().join("cut.json");
    std::fs::write(&truncated, "{\"id\":\"a\",\"schema\":\"Person\",\"properties\":{\"name\":[\"Jane\"]}}\n{\"id\":\"b\",\"sch").unwrap();
    let out = run(&[
        "lists",
        "import",
        truncated.to_str().unwrap(),
        "--source",
        "t",
        "--store",
        &store,
    ]);
    assert!(!out.status.success());
    let err = stderr(&out);
    assert!(err.contains("cut.json"), "{err}");
    assert!(err.contains("line 2"), "{err}");
    assert!(err.contains("nothing was imported"), "{err}");

    let out = run(&["lists", "history", "--source", "t", "--store", &store]);
    // Still exactly the one good import.
    assert_eq!(stdout(&out).lines().count(), 1, "{}", stdout(&out));
}

#[test]
fn every_sample_imports_through_the_cli() {
    let Some(samples) = samples() else { return };
    let dir = tempfile::tempdir().unwrap();
    let store = store_url(dir.path());
    let cases: [(&[&str], &str); 4] = [
        (
            &["un_sc/UN_consolidated.xml"],
            "`un-sc` as import 1 (observed 2026-01-01T00:00:00Z, published 2026-02-27): 1003 designations",
        ),
        (
            &[
                "ofac_sdn_csv/sdn.csv",
                "ofac_sdn_csv/add.csv",
                "ofac_sdn_csv/alt.csv",
                "ofac_sdn_csv/sdn_comments.csv",
            ],
            "`ofac-sdn` as import 2 (observed 2026-01-01T00:00:00Z): 8976 designations",
        ),
        (
            &["ofac_cons_csv/cons_prim.csv"],
            "`ofac-cons` as import 3 (observed 2026-01-01T00:00:00Z): 442 designations",
        ),
        (
            &["uk_fcdo/sample_uk_sanctions.xml"],
            "`uk-fcdo` as import 4 (observed 2026-01-01T00:00:00Z, published 2026-09-10): 5 designations",
        ),
    ];
    for (files, expected) in cases {
        let mut args = vec!["lists".to_owned(), "import".to_owned()];
        args.extend(files.iter().map(|f| samples.join(f).display().to_string()));
        args.extend(["--observed-at", "2026-01-01", "--store", &store].map(str::to_owned));
        let out = accord().args(&args).output().unwrap();
        assert!(out.status.success(), "{}", stderr(&out));
        assert!(stdout(&out).contains(expected), "{}", stdout(&out));
    }
}

/// Standard error as one line: miette's wrapping and margins removed.
fn said(output: &Output) -> String {
    let mut out = String::new();
    for line in stderr(output).lines() {
        let line = line
            .trim()
            .trim_start_matches(['│', '×', '╰', '─', '▶'])
            .trim();
        // A word wrapped at its hyphen continues on the next line.
        if !out.is_empty() && !out.ends_with('-') {
            out.push(' ');
        }
        out.push_str(line);
    }
    out
}

/// The number of imports `lists history` shows for a source.
fn imports(store: &str, source: &str) -> usize {
    let out = run(&["lists", "history", "--source", source, "--store", store]);
    stdout(&out).lines().count()
}

/// Issue #12: a header-only file, an empty file, a file cut at a record boundary and a file
/// of another source were imported as the complete list. Each is refused, naming what to
/// do, and nothing changes; an empty list is imported only with `--allow-empty`.
#[test]
fn incomplete_empty_and_foreign_files_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let store = store_url(dir.path());
    let write = |name: &str, text: &str| {
        let path = dir.path().join(name);
        std::fs::write(&path, text).unwrap();
        path.display().to_string()
    };
    let header = "source,entity_number,type,programs,name,title,addresses,federal_register_notice,start_date,end_date,standard_order,license_requirement,license_policy,call_sign,vessel_type,gross_tonnage,gross_registered_tonnage,vessel_flag,vessel_owner,remarks,source_list_url,alt_names,citizenships,dates_of_birth,nationalities,places_of_birth,source_information_url,ids\n";
    let rows: String = (0..10)
        .map(|i| format!("Entity List (EL) - Bureau of Industry and Security,,,,ACME {i} LTD,,,,,,,,,,,,,,,,,,,,,,,\n"))
        .collect();
    let full = write("csl.csv", &format!("{header}{rows}"));
    let import = |file: &str, extra: &[&str]| {
        let mut args = vec![
            "lists",
            "import",
            file,
            "--observed-at",
            "2026-01-10",
            "--store",
            &store,
        ];
        args.extend_from_slice(extra);
        run(&args)
    };
    let out = import(&full, &[]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(
        stdout(&out).contains("imported `us-csl`"),
        "{}",
        stdout(&out)
    );

    let head_only = write("header.csv", header);
    let cut = write("cut.csv", &format!("{header}{}", &rows[..rows.len() / 2]));
    let empty = write("empty.csv", "");
    let cases: [(&str, &[&str], &str, &str); 5] = [
        (&head_only, &[], "lists no record", "--allow-empty"),
        (&empty, &[], "the file is empty", "--allow-empty"),
        (
            &empty,
            &["--format", "us-csl-csv"],
            "the file is empty",
            "--allow-empty",
        ),
        (
            &cut,
            &[],
            "would remove 5 of its 10 listed designations",
            "--allow-removals",
        ),
        (
            &full,
            &["--source", "un-sc"],
            "cannot be imported under `un-sc`",
            "--source",
        ),
    ];
    for (file, extra, error, hint) in cases {
        let out = import(file, extra);
        assert!(!out.status.success(), "{file} {extra:?}: {}", stdout(&out));
        let err = said(&out);
        assert!(err.contains(error), "{file} {extra:?}: {err}");
        assert!(err.contains(hint), "{file} {extra:?}: {err}");
        assert_eq!(err.matches(error).count(), 1, "said once: {err}");
        assert_eq!(imports(&store, "us-csl"), 1, "{file}: nothing changed");
    }
    let out = run(&["lists", "history", "--source", "un-sc", "--store", &store]);
    assert!(!stdout(&out).contains("import 2"), "{}", stdout(&out));

    // An empty file without `--format` takes the source's previous format.
    let out = import(&empty, &["--allow-empty", "--source", "us-csl"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(
        stdout(&out).contains(
            "0 designations: 0 added, 10 removed, 0 amended, 0 unchanged (an empty list was allowed"
        ),
        "{}",
        stdout(&out)
    );
    // Without a source to take it from, the format must be named.
    let out = import(&empty, &["--allow-empty"]);
    assert!(
        said(&out).contains("name the format with `--format FORMAT`"),
        "{}",
        said(&out)
    );
}

/// A local publisher: serves fixed files with an ETag and honours `If-None-Match`; one
/// path changes content (and breaks) on its second download, one fails with HTTP 500.
struct Publisher {
    base: String,
    seen_if_none_match: Arc<Mutex<Vec<String>>>,
}

fn publisher(files: Vec<(String, Vec<u8>)>) -> Publisher {
    let server = tiny_http::Server::http("127.0.0.1:0").unwrap();
    let port = server.server_addr().to_ip().unwrap().port();
    let seen = Arc::new(Mutex::new(Vec::new()));
    let seen_by_server = Arc::clone(&seen);
    std::thread::spawn(move || {
        let mut flaky_calls = 0;
        let mut shrinking_calls = 0;
        for request in server.incoming_requests() {
            let path = request.url().to_owned();
            let if_none_match = request
                .headers()
                .iter()
                .find(|h| h.field.equiv("If-None-Match"))
                .map(|h| h.value.as_str().to_owned());
            if let Some(tag) = &if_none_match {
                seen_by_server.lock().unwrap().push(format!("{path} {tag}"));
            }
            let response = if path == "/empty.json" {
                tiny_http::Response::from_data(Vec::new())
                    .with_header(tiny_http::Header::from_bytes("ETag", "\"empty\"").unwrap())
            } else if path == "/shrinking.json" {
                // Twenty designations, then ten from the second download on.
                shrinking_calls += 1;
                let n = if shrinking_calls == 1 { 20 } else { 10 };
                let names: Vec<(String, String)> = (0..n)
                    .map(|i| (format!("p{i}"), format!("Person {i}")))
                    .collect();
                let refs: Vec<(&str, &str)> = names
                    .iter()
                    .map(|(a, b)| (a.as_str(), b.as_str()))
                    .collect();
                let etag = format!("\"shrinking-{n}\"");
                if if_none_match.as_deref() == Some(etag.as_str()) {
                    tiny_http::Response::from_data(Vec::new()).with_status_code(304)
                } else {
                    tiny_http::Response::from_data(ftm(&refs).into_bytes()).with_header(
                        tiny_http::Header::from_bytes("ETag", etag.as_bytes()).unwrap(),
                    )
                }
            } else if path == "/down" {
                tiny_http::Response::from_data(b"oops".to_vec()).with_status_code(500)
            } else if path == "/flaky.json" {
                flaky_calls += 1;
                let body = if flaky_calls == 1 {
                    ftm(&[("a", "Jane Roe"), ("b", "John Doe")]).into_bytes()
                } else {
                    b"{\"id\":\"a\",\"schema\":\"Person\",\"properties\":{\"name\":[\"Jane".to_vec()
                };
                let etag = format!("\"flaky-{flaky_calls}\"");
                tiny_http::Response::from_data(body)
                    .with_header(tiny_http::Header::from_bytes("ETag", etag.as_bytes()).unwrap())
            } else if let Some((name, body)) =
                files.iter().find(|(name, _)| path == format!("/{name}"))
            {
                let etag = format!("\"{name}-v1\"");
                if if_none_match.as_deref() == Some(etag.as_str()) {
                    tiny_http::Response::from_data(Vec::new()).with_status_code(304)
                } else {
                    tiny_http::Response::from_data(body.clone()).with_header(
                        tiny_http::Header::from_bytes("ETag", etag.as_bytes()).unwrap(),
                    )
                }
            } else {
                tiny_http::Response::from_data(b"not found".to_vec()).with_status_code(404)
            };
            let _ = request.respond(response);
        }
    });
    Publisher {
        base: format!("http://127.0.0.1:{port}"),
        seen_if_none_match: seen,
    }
}

#[test]
fn update_downloads_imports_and_keeps_the_previous_import_on_failure() {
    let mut files = vec![(
        "own.json".to_owned(),
        ftm(&[("x", "Example Person")]).into_bytes(),
    )];
    let samples = samples();
    if let Some(samples) = &samples {
        files.push((
            "un.xml".into(),
            std::fs::read(samples.join("un_sc/UN_consolidated.xml")).unwrap(),
        ));
        for f in ["sdn.csv", "add.csv", "alt.csv", "sdn_comments.csv"] {
            files.push((
                f.into(),
                std::fs::read(samples.join("ofac_sdn_csv").join(f)).unwrap(),
            ));
        }
        let bytes = std::fs::read(samples.join("un_sc/UN_consolidated.xml")).unwrap();
        files.push(("un_cut.xml".into(), bytes[..bytes.len() / 2].to_vec()));
    }
    let server = publisher(files);
    let dir = tempfile::tempdir().unwrap();
    let store = store_url(dir.path());
    let base = &server.base;
    let config = dir.path().join("lists.toml");
    std::fs::write(
        &config,
        format!(
            "[sources.own]\nurls = [\"{base}/own.json\"]\n\
             [sources.flaky]\nurls = [\"{base}/flaky.json\"]\n\
             [sources.down]\nurls = [\"{base}/down\"]\n\
             [sources.un-sc]\nurls = [\"{base}/un.xml\"]\n\
             [sources.un-cut]\nurls = [\"{base}/un_cut.xml\"]\n\
             [sources.ofac-sdn]\nurls = [\"{base}/sdn.csv\", \"{base}/add.csv\", \"{base}/alt.csv\", \"{base}/sdn_comments.csv\"]\n"
        ),
    )
    .unwrap();
    let config = config.to_str().unwrap();
    let update = |sources: &[&str], at: &str| {
        let mut args = vec![
            "lists",
            "update",
            "--config",
            config,
            "--store",
            &store,
            "--observed-at",
            at,
        ];
        args.extend_from_slice(sources);
        run(&args)
    };

    let out = update(&["own", "flaky"], "2026-01-10");
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(
        stdout(&out).contains("imported `own` as import 1"),
        "{}",
        stdout(&out)
    );
    assert!(
        stdout(&out).contains("imported `flaky` as import 2"),
        "{}",
        stdout(&out)
    );

    // Unchanged: a conditional request, answered 304, nothing re-imported.
    let out = update(&["own"], "2026-01-11");
    assert!(out.status.success());
    assert!(
        stdout(&out).contains("`own` is unchanged since its last download: not re-imported"),
        "{}",
        stdout(&out)
    );
    assert!(
        server
            .seen_if_none_match
            .lock()
            .unwrap()
            .contains(&"/own.json \"own.json-v1\"".to_owned())
    );

    // A corrupt download fails, and the previous import stays in force.
    let out = update(&["flaky"], "2026-01-12");
    assert!(!out.status.success());
    let err = stderr(&out);
    assert!(err.contains("the file is truncated"), "{err}");
    assert!(err.contains("the previous import of `flaky` (import 2, observed 2026-01-10T00:00:00Z) stays in force"), "{err}");
    let out = run(&[
        "lists",
        "history",
        "--source",
        "flaky",
        "--id",
        "b",
        "--on",
        "2026-01-12",
        "--store",
        &store,
    ]);
    assert!(
        stdout(&out).contains("listed on 2026-01-12"),
        "{}",
        stdout(&out)
    );

    // A failing server.
    let out = update(&["down"], "2026-01-12");
    assert!(!out.status.success());
    assert!(stderr(&out).contains("HTTP 500"), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("`down` has no import yet"),
        "{}",
        stderr(&out)
    );

    let out = update(&["nowhere"], "2026-01-12");
    assert!(!out.status.success());
    assert!(
        stderr(&out).contains("unknown source `nowhere`"),
        "{}",
        stderr(&out)
    );

    if samples.is_some() {
        let out = update(&["un-sc", "ofac-sdn"], "2026-01-13");
        assert!(out.status.success(), "{}", stderr(&out));
        assert!(
            stdout(&out).contains("`un-sc` as import 3"),
            "{}",
            stdout(&out)
        );
        assert!(
            stdout(&out).contains("1003 designations: 1003 added"),
            "{}",
            stdout(&out)
        );
        assert!(
            stdout(&out).contains("8976 designations: 8976 added"),
            "{}",
            stdout(&out)
        );
        let out = update(&["un-sc", "ofac-sdn"], "2026-01-14");
        assert!(
            stdout(&out).contains("`un-sc` is unchanged"),
            "{}",
            stdout(&out)
        );
        assert!(
            stdout(&out).contains("`ofac-sdn` is unchanged"),
            "{}",
            stdout(&out)
        );
        let out = update(&["un-cut"], "2026-01-14");
        assert!(!out.status.success());
        assert!(stderr(&out).contains("un_cut.xml"), "{}", stderr(&out));
        assert!(stderr(&out).contains("truncated"), "{}", stderr(&out));
    }
}

/// A server that announces more bytes than it sends, then closes the connection.
fn short_server() -> String {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    std::thread::spawn(move || {
        use std::io::{Read as _, Write as _};
        for stream in listener.incoming() {
            let mut stream = stream.unwrap();
            let mut request = [0u8; 4096];
            let _ = stream.read(&mut request);
            let body = ftm(&[("a", "Jane Roe")]);
            let head = format!(
                "HTTP/1.1 200 OK\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
                body.len() + 1000
            );
            let _ = stream.write_all(head.as_bytes());
            let _ = stream.write_all(body.as_bytes());
        }
    });
    format!("http://127.0.0.1:{port}")
}

/// Issue #12: an empty `200` body, a body shorter than its `Content-Length` and a mass
/// removal are refused by `lists update` too; after a refused or overridden import the next
/// update downloads in full instead of calling the source unchanged.
#[test]
fn update_refuses_empty_short_and_shrunk_downloads_and_downloads_again_after() {
    let server = publisher(Vec::new());
    let short = short_server();
    let dir = tempfile::tempdir().unwrap();
    let store = store_url(dir.path());
    let base = &server.base;
    let config = dir.path().join("lists.toml");
    std::fs::write(
        &config,
        format!(
            "[sources.empty]\nurls = [\"{base}/empty.json\"]\n\
             [sources.short]\nurls = [\"{short}/short.json\"]\n\
             [sources.shrinking]\nurls = [\"{base}/shrinking.json\"]\n"
        ),
    )
    .unwrap();
    let config = config.to_str().unwrap();
    let update = |source: &str, at: &str, extra: &[&str]| {
        let mut args = vec![
            "lists", "update", source, "--config", config, "--store", &store,
        ];
        args.extend_from_slice(&["--observed-at", at]);
        args.extend_from_slice(extra);
        run(&args)
    };
    let out = update("empty", "2026-01-10", &["--allow-empty"]);
    assert!(!out.status.success());
    assert!(
        stderr(&out).contains("answered 200 with an empty body"),
        "{}",
        stderr(&out)
    );
    let out = update("short", "2026-01-10", &[]);
    assert!(!out.status.success());
    assert!(stderr(&out).contains("download of"), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("`short` has no import yet"),
        "{}",
        stderr(&out)
    );

    let out = update("shrinking", "2026-01-10", &[]);
    assert!(
        stdout(&out).contains("20 designations: 20 added"),
        "{}",
        stdout(&out)
    );
    let conditional = |server: &Publisher| {
        server
            .seen_if_none_match
            .lock()
            .unwrap()
            .iter()
            .filter(|s| s.starts_with("/shrinking.json"))
            .count()
    };
    // The list shrinks to half: refused, the 20 stay in force.
    let out = update("shrinking", "2026-01-11", &[]);
    assert!(!out.status.success());
    assert!(
        stderr(&out).contains("would remove 10 of its 20 listed designations"),
        "{}",
        stderr(&out)
    );
    assert_eq!(
        conditional(&server),
        1,
        "the second download was conditional"
    );
    // Refused: the next update downloads in full (no validator sent) and refuses again,
    // rather than calling the source unchanged.
    let out = update("shrinking", "2026-01-12", &[]);
    assert!(!out.status.success(), "{}", stdout(&out));
    assert!(stderr(&out).contains("would remove 10"), "{}", stderr(&out));
    assert_eq!(
        conditional(&server),
        1,
        "no validator after a refused import"
    );
    // Allowed: imported, recorded as overridden; the next update downloads in full again.
    let out = update("shrinking", "2026-01-13", &["--allow-removals"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(
        stdout(&out).contains("10 removed, 0 amended, 10 unchanged (mass removals were allowed"),
        "{}",
        stdout(&out)
    );
    let out = update("shrinking", "2026-01-14", &[]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(
        stdout(&out).contains("10 designations: 0 added, 0 removed, 0 amended, 10 unchanged"),
        "{}",
        stdout(&out)
    );
    assert_eq!(
        conditional(&server),
        1,
        "no validator after an overridden import"
    );
    // Confirmed by an ordinary import: validators recorded, the next update is conditional.
    let out = update("shrinking", "2026-01-15", &[]);
    assert!(
        stdout(&out).contains("`shrinking` is unchanged"),
        "{}",
        stdout(&out)
    );
    assert_eq!(conditional(&server), 2);
}
