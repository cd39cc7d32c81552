//! `accord serve --config FILE`: every option of `accord serve` in a TOML file.
//!
//! Each key is a flag's long name with `_` for `-` (`body_limit` is `--body-limit`); a
//! repeatable flag is an array (`webhook = ["…"]`). A relative path (and a relative
//! `sqlite:` store) is read from the file's directory, so that the file means the same
//! wherever the server is started. An unknown key or a bad value refuses the file with
//! its `FILE:LINE:COL` and nothing is started; what the command line gives (a flag, or
//! `ACCORD_STORE`/`ACCORD_TOKENS`) overrides the file.

use std::net::SocketAddr;
use std::ops::Range;
use std::path::{Path, PathBuf};

use accord_app::StoreUrl;
use accord_app::evaluate::Location;
use accord_spec::Diagnostic;
use toml::Spanned;

/// The keys a file may hold, for the help line of an unknown one.
pub const KEYS: &[&str] = &[
    "store",
    "listen",
    "tokens",
    "read_store",
    "advertise",
    "max_blocking",
    "max_queue",
    "max_submissions",
    "store_map",
    "policy",
    "body_limit",
    "upload_limit",
    "timeout",
    "rate_limit_token",
    "rate_limit_address",
    "webhook",
    "webhook_key",
    "webhook_record",
    "webhook_attempts",
    "webhook_ca",
    "simulations",
    "witness_policy",
    "witness_evidence",
];

/// The file as written: a value per key, each with where it is written.
#[derive(Debug, Default, serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct Raw {
    store: Option<Spanned<String>>,
    listen: Option<Spanned<String>>,
    tokens: Option<String>,
    read_store: Option<Spanned<String>>,
    advertise: Option<String>,
    max_blocking: Option<std::num::NonZeroU16>,
    max_queue: Option<u16>,
    max_submissions: Option<std::num::NonZeroU32>,
    store_map: Option<String>,
    policy: Option<String>,
    body_limit: Option<usize>,
    upload_limit: Option<usize>,
    timeout: Option<u64>,
    rate_limit_token: Option<Spanned<String>>,
    rate_limit_address: Option<Spanned<String>>,
    webhook: Option<Vec<Spanned<String>>>,
    webhook_key: Option<String>,
    webhook_record: Option<String>,
    webhook_attempts: Option<Spanned<u32>>,
    webhook_ca: Option<Vec<String>>,
    simulations: Option<String>,
    witness_policy: Option<String>,
    witness_evidence: Option<String>,
}

/// The options a file gives (each `None` when the file does not say).
#[derive(Debug, Default)]
pub struct FileOptions {
    pub store: Option<Location>,
    pub listen: Option<SocketAddr>,
    pub tokens: Option<PathBuf>,
    pub read_store: Option<StoreUrl>,
    pub advertise: Option<String>,
    pub max_blocking: Option<u16>,
    pub max_queue: Option<u16>,
    pub max_submissions: Option<u32>,
    pub store_map: Option<PathBuf>,
    pub policy: Option<PathBuf>,
    pub body_limit: Option<usize>,
    pub upload_limit: Option<usize>,
    pub timeout: Option<u64>,
    pub rate_limit_token: Option<accord_server::Limit>,
    pub rate_limit_address: Option<accord_server::Limit>,
    pub webhooks: Option<Vec<accord_server::Subscriber>>,
    pub webhook_key: Option<PathBuf>,
    pub webhook_record: Option<PathBuf>,
    pub webhook_attempts: Option<u32>,
    pub webhook_ca: Option<Vec<PathBuf>>,
    pub simulations: Option<PathBuf>,
    pub witness_policy: Option<PathBuf>,
    pub witness_evidence: Option<PathBuf>,
}

/// Why a file is refused: its diagnostics, rendered `FILE:LINE:COL: error: …`.
#[derive(Debug)]
pub struct Refused(pub String);

/// Reads `path` into the options it gives.
pub fn read(path: &Path) -> Result<FileOptions, Refused> {
    let name = path.display().to_string();
    let text = std::fs::read_to_string(path)
        .map_err(|e| Refused(format!("cannot read the configuration file `{name}`: {e}")))?;
    let dir = path.parent().unwrap_or(Path::new(""));
    parse(&text, dir).map_err(|d| Refused(accord_spec::render_text(&name, &text, &d)))
}

/// The options `text` gives, relative paths read from `dir`; or every problem found.
pub fn parse(text: &str, dir: &Path) -> Result<FileOptions, Vec<Diagnostic>> {
    let raw: Raw = toml::from_str(text).map_err(|e| vec![toml_error(&e, text)])?;
    let mut problems = Vec::new();
    let p = &mut problems;
    let relative = |p: String| {
        let p = PathBuf::from(p);
        if p.is_relative() { dir.join(p) } else { p }
    };
    let options = FileOptions {
        store: raw
            .store
            .and_then(|s| keep(p, value(&s, "store")))
            .map(|l| in_dir(l, dir)),
        listen: raw.listen.and_then(|s| keep(p, value(&s, "listen"))),
        tokens: raw.tokens.map(relative),
        read_store: raw
            .read_store
            .and_then(|s| keep(p, value(&s, "read_store"))),
        advertise: raw.advertise,
        max_blocking: raw.max_blocking.map(std::num::NonZeroU16::get),
        max_queue: raw.max_queue,
        max_submissions: raw.max_submissions.map(std::num::NonZeroU32::get),
        store_map: raw.store_map.map(relative),
        policy: raw.policy.map(relative),
        body_limit: raw.body_limit,
        upload_limit: raw.upload_limit,
        timeout: raw.timeout,
        rate_limit_token: raw
            .rate_limit_token
            .and_then(|s| keep(p, value(&s, "rate_limit_token"))),
        rate_limit_address: raw
            .rate_limit_address
            .and_then(|s| keep(p, value(&s, "rate_limit_address"))),
        webhooks: raw.webhook.map(|hooks| {
            hooks
                .iter()
                .filter_map(|h| keep(p, value(h, "webhook")))
                .collect()
        }),
        webhook_key: raw.webhook_key.map(relative),
        webhook_record: raw.webhook_record.map(relative),
        webhook_attempts: raw.webhook_attempts.and_then(|n| keep(p, attempts(&n))),
        webhook_ca: raw
            .webhook_ca
            .map(|files| files.into_iter().map(relative).collect()),
        simulations: raw.simulations.map(relative),
        witness_policy: raw.witness_policy.map(relative),
        witness_evidence: raw.witness_evidence.map(relative),
    };
    if problems.is_empty() {
        Ok(options)
    } else {
        Err(problems)
    }
}

const CODE: &str = "accord::serve_config";

/// `parsed`'s value, or `None` with its problem kept.
fn keep<T>(problems: &mut Vec<Diagnostic>, parsed: Result<T, Diagnostic>) -> Option<T> {
    match parsed {
        Ok(value) => Some(value),
        Err(d) => {
            problems.push(d);
            None
        }
    }
}

/// A toml error (syntax, an unknown key, a value of the wrong type) at its span.
fn toml_error(error: &toml::de::Error, text: &str) -> Diagnostic {
    let span = error.span().unwrap_or(0..text.len().min(1));
    let message = error.message().trim_end().to_owned();
    let unknown = message
        .strip_prefix("unknown field `")
        .and_then(|rest| rest.split_once('`'))
        .map(|(key, _)| key.to_owned());
    match unknown {
        Some(key) => Diagnostic::error(CODE, span, format!("unknown key `{key}`"))
            .with_label("not a key of `accord serve --config`")
            .with_help(accord_spec::did_you_mean(
                &key,
                KEYS.iter().copied(),
                |_| {
                    "the keys are the flags of `accord serve` with `_` for `-` (docs/api.md)"
                        .to_owned()
                },
            )),
        None => Diagnostic::error(CODE, span, message),
    }
}

/// The value of `key` parsed as its flag parses it, or the flag's own words at its span.
fn value<T>(text: &Spanned<String>, key: &str) -> Result<T, Diagnostic>
where
    T: std::str::FromStr,
    T::Err: std::fmt::Display,
{
    text.get_ref().parse().map_err(|e: T::Err| {
        let span: Range<usize> = text.span();
        Diagnostic::error(CODE, span, format!("`{key}`: {e}"))
    })
}

/// `webhook_attempts`: 1 to 64, as `--webhook-attempts`.
fn attempts(n: &Spanned<u32>) -> Result<u32, Diagnostic> {
    let value = *n.get_ref();
    if (1..=64).contains(&value) {
        Ok(value)
    } else {
        Err(Diagnostic::error(
            CODE,
            n.span(),
            format!("`webhook_attempts` is {value}: give 1 to 64"),
        ))
    }
}

/// A relative `sqlite:` path read from `dir`.
fn in_dir(location: Location, dir: &Path) -> Location {
    match location {
        Location::Store(StoreUrl::Sqlite(path)) if path.is_relative() => {
            Location::Store(StoreUrl::Sqlite(dir.join(path)))
        }
        Location::Exported(path) if path.is_relative() => Location::Exported(dir.join(path)),
        other => other,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_key_is_read_and_relative_paths_are_the_files() {
        let text = r#"
store = "sqlite:data/accord.db"
listen = "0.0.0.0:9000"
tokens = "/etc/accord/tokens.jsonl"
policy = "policy.cedar"
body_limit = 1000
upload_limit = 2000
timeout = 5
rate_limit_token = "60/10"
rate_limit_address = "off"
webhook = ["http://bank.example/hook", "arden-nuclear-2026=http://10.0.0.1/h"]
webhook_key = "keys/webhooks.key"
webhook_attempts = 3
webhook_ca = ["ca.pem"]
witness_policy = "witnesses.txt"
witness_evidence = "/var/lib/accord/evidence"
"#;
        let o = parse(text, Path::new("/srv/accord")).unwrap();
        assert!(matches!(
            o.store,
            Some(Location::Store(StoreUrl::Sqlite(p))) if p == Path::new("/srv/accord/data/accord.db")
        ));
        assert_eq!(o.listen, Some("0.0.0.0:9000".parse().unwrap()));
        assert_eq!(o.tokens, Some(PathBuf::from("/etc/accord/tokens.jsonl")));
        assert_eq!(o.policy, Some(PathBuf::from("/srv/accord/policy.cedar")));
        assert_eq!(
            (o.body_limit, o.upload_limit, o.timeout),
            (Some(1000), Some(2000), Some(5))
        );
        assert_eq!(o.rate_limit_token.unwrap().to_string(), "60/10");
        assert_eq!(o.rate_limit_address.unwrap().to_string(), "off");
        let hooks = o.webhooks.unwrap();
        assert_eq!(hooks[1].agreement.as_deref(), Some("arden-nuclear-2026"));
        assert_eq!(o.webhook_attempts, Some(3));
        assert_eq!(
            o.webhook_ca,
            Some(vec![PathBuf::from("/srv/accord/ca.pem")])
        );
        assert_eq!(
            o.witness_policy,
            Some(PathBuf::from("/srv/accord/witnesses.txt"))
        );
        assert_eq!(
            o.witness_evidence,
            Some(PathBuf::from("/var/lib/accord/evidence"))
        );
    }

    #[test]
    fn the_example_file_is_read() {
        let example = include_str!("../../../../../docs/serve.example.toml");
        let options = parse(example, Path::new("/etc/accord")).unwrap();
        assert_eq!(options.timeout, Some(30));
        assert_eq!(
            options.tokens,
            Some(PathBuf::from("/etc/accord/accord-tokens.jsonl"))
        );
    }

    fn refused(text: &str) -> String {
        let d = parse(text, Path::new("")).unwrap_err();
        accord_spec::render_text("serve.toml", text, &d)
    }

    #[test]
    fn an_unknown_key_is_refused_at_its_place_with_a_suggestion() {
        let shown = refused("listen = \"127.0.0.1:1\"\nbody_limt = 5\n");
        assert!(
            shown.starts_with("serve.toml:2:1: error: unknown key `body_limt`"),
            "{shown}"
        );
        assert!(shown.contains("did you mean `body_limit`?"), "{shown}");
    }

    #[test]
    fn bad_values_are_refused_at_their_place() {
        let shown = refused("listen = \"here\"\nrate_limit_token = \"fast\"\n");
        assert!(
            shown.contains("serve.toml:1:10: error: `listen`"),
            "{shown}"
        );
        assert!(
            shown
                .contains("serve.toml:2:20: error: `rate_limit_token`: `fast` is not a rate limit"),
            "{shown}"
        );
        let shown = refused("timeout = \"soon\"\n");
        assert!(shown.starts_with("serve.toml:1:11: error: "), "{shown}");
        let shown = refused("webhook_attempts = 0\n");
        assert!(
            shown.starts_with("serve.toml:1:20: error: `webhook_attempts` is 0"),
            "{shown}"
        );
        let shown = refused("webhook = [\"ftp://x\"]\n");
        assert!(
            shown.starts_with("serve.toml:1:12: error: `webhook`"),
            "{shown}"
        );
    }
}
