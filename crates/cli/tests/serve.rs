//! End-to-end tests of `accord token issue` and `accord serve`: the binary started on a
//! loopback port, asked over plain HTTP, and stopped with SIGTERM.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::io::{BufRead as _, BufReader, Read as _, Write as _};
use std::net::TcpStream;
use std::path::Path;
use std::process::{Child, ChildStdout, Command, Output, Stdio};

fn accord(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_accord"))
        .current_dir(dir)
        .env_remove("ACCORD_STORE")
        .env_remove("ACCORD_TOKENS")
        .args(args)
        .output()
        .unwrap()
}

/// A running `accord serve`, its address, and every line it printed until it listened
/// (and, with `until`, until a line that contains `until`).
struct Served {
    child: Child,
    addr: String,
    lines: Vec<String>,
    /// Kept open: the server prints more after its address, and a closed pipe ends it
    /// (quietly, status 141, as every command does on a closed standard output).
    _stdout: BufReader<ChildStdout>,
}

impl Served {
    fn start(dir: &Path, args: &[&str], until: Option<&str>) -> Served {
        Served::spawn(dir, &[&["--listen", "127.0.0.1:0"], args].concat(), until)
    }

    /// `accord serve ARGS` (no `--listen` added).
    fn spawn(dir: &Path, args: &[&str], until: Option<&str>) -> Served {
        let mut child = Command::new(env!("CARGO_BIN_EXE_accord"))
            .current_dir(dir)
            .env_remove("ACCORD_STORE")
            .env_remove("ACCORD_TOKENS")
            .arg("serve")
            .args(args)
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let mut stdout = BufReader::new(child.stdout.take().unwrap());
        let mut lines = Vec::new();
        let mut addr = None;
        for _ in 0..100 {
            let mut line = String::new();
            if stdout.read_line(&mut line).unwrap() == 0 {
                break;
            }
            let line = line.trim_end().to_owned();
            if let Some(rest) = line.strip_prefix("Accord serves on http://") {
                addr = Some(rest.split(' ').next().unwrap().to_owned());
            }
            let done = addr.is_some() && until.is_none_or(|u| line.contains(u));
            lines.push(line);
            if done {
                break;
            }
        }
        let addr = addr.unwrap_or_else(|| panic!("no address in {lines:?}"));
        Served {
            child,
            addr,
            lines,
            _stdout: stdout,
        }
    }

    /// A GET over plain HTTP/1.1: the status and the body.
    fn get(&self, path: &str, token: Option<&str>) -> (u16, String) {
        let mut stream = TcpStream::connect(&self.addr).unwrap();
        let auth = token
            .map(|t| format!("Authorization: Bearer {t}\r\n"))
            .unwrap_or_default();
        write!(
            stream,
            "GET {path} HTTP/1.1\r\nHost: {}\r\n{auth}Connection: close\r\n\r\n",
            self.addr
        )
        .unwrap();
        let mut response = String::new();
        stream.read_to_string(&mut response).unwrap();
        let status = response.get(9..12).unwrap().parse().unwrap();
        let body = response.split_once("\r\n\r\n").unwrap().1.to_owned();
        (status, body)
    }

    /// SIGTERM, then the exit status.
    fn terminate(mut self) -> std::process::ExitStatus {
        let killed = Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status()
            .unwrap();
        assert!(killed.success());
        self.child.wait().unwrap()
    }
}

#[test]
fn tokens_are_issued_once_and_kept_hashed() {
    let dir = tempfile::tempdir().unwrap();
    let refused = accord(dir.path(), &["token", "issue", "--role", "monitor"]);
    assert!(!refused.status.success());
    let stderr = String::from_utf8_lossy(&refused.stderr);
    assert!(
        stderr.contains("a token of role `monitor` acts for one participant"),
        "{stderr}"
    );
    assert!(!dir.path().join("accord-tokens.jsonl").exists());
    let refused = accord(dir.path(), &["token", "issue", "--role", "root"]);
    assert!(!refused.status.success());

    let issued = accord(
        dir.path(),
        &["token", "issue", "--role", "monitor", "--party", "iaea"],
    );
    assert!(issued.status.success());
    let token = String::from_utf8(issued.stdout).unwrap().trim().to_owned();
    assert!(token.starts_with("accord_"), "{token}");
    let file = std::fs::read_to_string(dir.path().join("accord-tokens.jsonl")).unwrap();
    assert_eq!(file.lines().count(), 1);
    assert!(!file.contains(&token));
    assert!(
        file.contains("\"role\":\"monitor\",\"party\":\"iaea\""),
        "{file}"
    );
}

#[test]
fn serve_answers_with_its_tokens_and_stops_on_sigterm() {
    let dir = tempfile::tempdir().unwrap();
    let issued = accord(dir.path(), &["token", "issue", "--role", "compliance"]);
    let token = String::from_utf8(issued.stdout).unwrap().trim().to_owned();
    let store = format!("sqlite:{}", dir.path().join("accord.db").display());
    let served = Served::start(dir.path(), &["--store", &store], None);
    assert_eq!(served.get("/healthz", None).0, 200);
    assert_eq!(
        served.get("/v1/agreements", None),
        (200, "{\n  \"agreements\": []\n}".to_owned())
    );
    // The status query needs a token; with this one, the empty store is the answer.
    assert_eq!(served.get("/v1/status?name=x", None).0, 401);
    let (status, body) = served.get("/v1/status?name=x", Some(&token));
    assert_eq!(status, 422, "{body}");
    assert!(
        body.contains("urn:accord:problem:nothing-to-screen"),
        "{body}"
    );
    assert!(served.terminate().success());
}

#[test]
fn the_demo_prints_tokens_that_work() {
    let dir = tempfile::tempdir().unwrap();
    let served = Served::start(dir.path(), &["--demo"], Some("/v1/status"));
    let token = served
        .lines
        .iter()
        .find_map(|l| l.trim().strip_prefix("compliance"))
        .unwrap()
        .trim()
        .to_owned();
    let curl = served.lines.last().unwrap();
    let path = curl
        .split('\'')
        .nth(3)
        .unwrap()
        .strip_prefix(&format!("http://{}", served.addr))
        .unwrap()
        .to_owned();
    let (status, body) = served.get(&path, Some(&token));
    assert_eq!(status, 200, "{body}");
    assert!(body.contains("\"outcome\": \"relieved\""), "{body}");
    // Evaluations need a token (docs/api.md: they may reveal sealed contents).
    let state = "/v1/agreements/arden-nuclear-2026/state?as_of=2026-07-01";
    assert_eq!(served.get(state, Some(&token)).0, 200);
    assert_eq!(served.get(state, None).0, 401);
    assert!(served.terminate().success());
}

#[test]
fn a_bad_policy_file_or_an_unsigned_webhook_refuses_to_start() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("operator.cedar"),
        "permit (principal, action, resource);\npermit (principal, action == Accord::Action::\"erase\", resource);\n",
    )
    .unwrap();
    let listen = ["serve", "--listen", "127.0.0.1:0", "--store", "sqlite:a.db"];
    let refused = accord(
        dir.path(),
        &[&listen[..], &["--policy", "operator.cedar"]].concat(),
    );
    assert!(!refused.status.success());
    let stderr = String::from_utf8_lossy(&refused.stderr);
    assert!(stderr.contains("operator.cedar:2:"), "{stderr}");
    assert!(!dir.path().join("a.db").exists(), "nothing is created");

    let unsigned = accord(
        dir.path(),
        &[&listen[..], &["--webhook", "http://127.0.0.1:9/hook"]].concat(),
    );
    assert!(!unsigned.status.success());
    let stderr = String::from_utf8_lossy(&unsigned.stderr);
    assert!(stderr.contains("--webhook-key"), "{stderr}");
    let https = accord(
        dir.path(),
        &[&listen[..], &["--webhook", "https://bank.example/hook"]].concat(),
    );
    assert!(!https.status.success());
    assert!(!dir.path().join("a.db").exists(), "nothing is created");
}

#[test]
fn a_configuration_file_sets_the_options_and_flags_override_it() {
    let dir = tempfile::tempdir().unwrap();
    let conf = dir.path().join("conf");
    std::fs::create_dir(&conf).unwrap();
    let issued = accord(
        dir.path(),
        &[
            "token",
            "issue",
            "--role",
            "compliance",
            "--tokens",
            "conf/tokens.jsonl",
        ],
    );
    assert!(issued.status.success());
    let token = String::from_utf8(issued.stdout).unwrap().trim().to_owned();
    // Paths relative to the file's directory; limits of one request in a burst.
    std::fs::write(
        conf.join("serve.toml"),
        "store = \"sqlite:from-file.db\"\ntokens = \"tokens.jsonl\"\nlisten = \"127.0.0.1:0\"\n\
         rate_limit_address = \"1/1\"\nrate_limit_token = \"1/1\"\n",
    )
    .unwrap();
    let served = Served::spawn(
        dir.path(),
        &["--config", "conf/serve.toml", "--rate-limit-token", "off"],
        Some("token(s) accepted"),
    );
    // The file's listen (a free port, not the default 8080), store and tokens.
    assert!(served.addr.starts_with("127.0.0.1:"), "{}", served.addr);
    assert!(!served.addr.ends_with(":8080"), "{}", served.addr);
    assert!(conf.join("from-file.db").exists());
    assert!(!dir.path().join("accord.db").exists());
    assert!(
        served
            .lines
            .iter()
            .any(|l| l.contains("1 token(s) accepted")),
        "{:?}",
        served.lines
    );
    // The file's limit per address: a second anonymous request in the burst is refused.
    assert_eq!(served.get("/v1/agreements", None).0, 200);
    assert_eq!(served.get("/v1/agreements", None).0, 429);
    // The flag's limit per token (off) overrides the file's.
    for _ in 0..3 {
        assert_eq!(served.get("/v1/status?name=x", Some(&token)).0, 422);
    }
    assert!(served.terminate().success());
}

#[test]
fn a_bad_configuration_file_is_refused_at_its_place_and_nothing_starts() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("serve.toml"),
        "store = \"sqlite:from-file.db\"\nlisten = \"127.0.0.1:0\"\nbody_limt = 10\n",
    )
    .unwrap();
    let args = ["serve", "--config", "serve.toml", "--store", "sqlite:a.db"];
    let refused = accord(dir.path(), &args);
    assert!(!refused.status.success());
    let stderr = String::from_utf8_lossy(&refused.stderr);
    assert!(
        stderr.contains("serve.toml:3:1: error: unknown key `body_limt`"),
        "{stderr}"
    );
    assert!(stderr.contains("did you mean `body_limit`?"), "{stderr}");
    assert!(String::from_utf8_lossy(&refused.stdout).is_empty());
    std::fs::write(
        dir.path().join("serve.toml"),
        "listen = \"127.0.0.1:0\"\ntimeout = \"soon\"\n",
    )
    .unwrap();
    let refused = accord(dir.path(), &args);
    assert!(!refused.status.success());
    let stderr = String::from_utf8_lossy(&refused.stderr);
    assert!(stderr.contains("serve.toml:2:11: error:"), "{stderr}");
    assert!(!dir.path().join("a.db").exists(), "nothing is created");
    assert!(
        !dir.path().join("from-file.db").exists(),
        "nothing is created"
    );
}
