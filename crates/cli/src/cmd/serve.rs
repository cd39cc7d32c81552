//! `accord serve` (issue #13): the HTTP API over a store (`accord_server`), and
//! `accord token issue`: a bearer token for it.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;

use accord_app::evaluate::Location;
use accord_server::{Config, RateLimits, Role, Tokens};

use crate::args::StoreArg;
use crate::fail::{report, usage};

/// Where tokens are kept unless `--tokens` or `ACCORD_TOKENS` says.
const DEFAULT_TOKENS: &str = "accord-tokens.jsonl";

/// The tokens file: `serve` accepts the tokens it lists, `token issue` adds to it.
#[derive(Debug, Clone, clap::Args)]
pub struct TokensArg {
    /// The tokens file (JSON lines: each token's SHA-256, role and party; never the token).
    #[arg(
        long = "tokens",
        env = "ACCORD_TOKENS",
        default_value = DEFAULT_TOKENS,
        value_name = "FILE"
    )]
    pub path: PathBuf,
}

mod file;

#[derive(Debug, clap::Args)]
#[command(
    after_help = "Examples:\n  accord serve --demo\n  accord serve --config /etc/accord/serve.toml\n  accord serve --store postgres://accord@db/accord --listen 0.0.0.0:8080\n  accord serve --store 'postgres://accord@db1,db2/accord?target_session_attrs=read-write' --read-store postgres://accord@db2/accord --advertise http://10.0.0.5:8080"
)]
pub struct Args {
    /// Read the options from this TOML file (docs/deployment.md): each key a flag's
    /// name with `_` for `-`; a flag given here overrides the file.
    #[arg(long, value_name = "FILE")]
    config: Option<PathBuf>,
    /// The address to listen on [default: 127.0.0.1:8080].
    #[arg(long, value_name = "ADDR")]
    listen: Option<SocketAddr>,
    /// Play the bundled scenarios into a temporary store and serve it, with tokens to try
    /// (`--store` and `--tokens` are not read).
    #[arg(long)]
    demo: bool,
    /// The largest request body accepted, in bytes [default: 2097152].
    #[arg(long, value_name = "BYTES")]
    body_limit: Option<usize>,
    /// The largest list file accepted for import by upload (`POST /v1/lists/{source}/imports`),
    /// in bytes [default: 1073741824].
    #[arg(long, value_name = "BYTES")]
    upload_limit: Option<usize>,
    /// Seconds a request may take before it is answered 503 [default: 30].
    #[arg(long, value_name = "SECONDS")]
    timeout: Option<u64>,
    /// Requests per token: PER_MINUTE/BURST, or `off` [default: 6000/1000].
    #[arg(long, value_name = "PER_MINUTE/BURST")]
    rate_limit_token: Option<accord_server::Limit>,
    /// Requests per client address (those without a token the server issued):
    /// PER_MINUTE/BURST, or `off` [default: 3000/500].
    #[arg(long, value_name = "PER_MINUTE/BURST")]
    rate_limit_address: Option<accord_server::Limit>,
    /// Evaluate every request from a full read of the log, without the per-agreement
    /// cache: the baseline `crates/server/benches/dashboard.sh` measures against.
    #[arg(long, hide = true)]
    no_evaluation_cache: bool,
    /// The tokens file (JSON lines: each token's SHA-256, role and party; never the
    /// token) [default: accord-tokens.jsonl].
    #[arg(long, env = "ACCORD_TOKENS", value_name = "FILE")]
    tokens: Option<PathBuf>,
    /// The store: `sqlite:PATH` (the embedded file) or `postgres://USER@HOST:PORT/DB`
    /// [default: sqlite:accord.db].
    #[arg(long, env = "ACCORD_STORE", value_name = "URL")]
    store: Option<Location>,
    /// Answer reads (evaluation, status, screening, logs, pages) from this store, a hot
    /// standby of `--store`'s PostgreSQL primary; writes still go to `--store`.
    #[arg(long, value_name = "URL")]
    read_store: Option<accord_app::StoreUrl>,
    /// The address other servers of the same PostgreSQL store give clients when this one
    /// leads a log (default: `http://` and the address it listens on).
    #[arg(long, value_name = "URL")]
    advertise: Option<String>,
    /// The most store work in flight on one store (default: half its 16 connections).
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u16).range(1..))]
    max_blocking: Option<u16>,
    /// Requests that may wait for a turn of store work on one store (default: 16 per
    /// turn); past it a request is answered 503 `overloaded` at once.
    #[arg(long, value_name = "N")]
    max_queue: Option<u16>,
    /// The most submitted entries in flight at once, waiting for their commit (default:
    /// 4096); a submission that would pass it is answered 503 `overloaded` at once,
    /// nothing written.
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u32).range(1..))]
    max_submissions: Option<u32>,
    /// Agreements whose logs are in other stores: a TOML file whose `[agreements]` table
    /// gives an agreement id (or a prefix ending in `*`) its store URL; the rest stay in
    /// `--store` (docs/deployment.md).
    #[arg(long, value_name = "FILE")]
    store_map: Option<PathBuf>,
    /// The Cedar policy file that says who may do what (default: the shipped policy,
    /// listed in docs/api.md); validated at start-up, a bad file refuses to start.
    #[arg(long, value_name = "FILE")]
    policy: Option<PathBuf>,
    /// POST each agreement's state changes to URL (repeatable; `http://` or `https://`);
    /// `AGREEMENT=URL` for one agreement's only. Needs --webhook-key.
    #[arg(long = "webhook", value_name = "[AGREEMENT=]URL")]
    webhooks: Vec<accord_server::Subscriber>,
    /// The server's private key file (`accord key generate NAME`), which signs every
    /// webhook delivery.
    #[arg(long, value_name = "FILE")]
    webhook_key: Option<PathBuf>,
    /// The record of webhook deliveries (JSON lines, one line per attempt; default:
    /// `accord-deliveries.jsonl` beside the tokens file).
    #[arg(long, value_name = "FILE")]
    webhook_record: Option<PathBuf>,
    /// Attempts per webhook delivery (retried after 1 s, 2 s, 4 s, … at most 10 minutes)
    /// [default: 8].
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u32).range(1..=64))]
    webhook_attempts: Option<u32>,
    /// A PEM file of certificates trusted for `https://` webhooks besides the Mozilla
    /// roots (repeatable): a receiver with a private CA's or a self-signed certificate.
    #[arg(long, value_name = "FILE")]
    webhook_ca: Vec<PathBuf>,
    /// Publish simulations on the dashboard: `DIR/AGREEMENT` holds what `accord simulate
    /// … --out DIR/AGREEMENT` wrote, shown at `/agreements/AGREEMENT/simulation`.
    #[arg(long, value_name = "DIR")]
    simulations: Option<std::path::PathBuf>,
    /// Have each new checkpoint of the store's logs cosigned by the witnesses of this
    /// witness policy (C2SP tlog-policy, docs/witness.md), serve the cosignatures with the
    /// checkpoint, and publish reports on witnessed checkpoints only.
    #[arg(long, value_name = "FILE")]
    witness_policy: Option<PathBuf>,
    /// Where the split-view evidence of a witness holding another view of a log is
    /// written (made if missing) [default: the current directory].
    #[arg(long, value_name = "DIR")]
    witness_evidence: Option<PathBuf>,
}

/// Every option of `accord serve`, from the command line, else the `--config` file, else
/// its default.
#[derive(Debug)]
struct Settings {
    listen: SocketAddr,
    demo: bool,
    body_limit: usize,
    upload_limit: usize,
    timeout: u64,
    rate_limit_token: accord_server::Limit,
    rate_limit_address: accord_server::Limit,
    no_evaluation_cache: bool,
    tokens: PathBuf,
    store: StoreArg,
    read_store: Option<accord_app::StoreUrl>,
    advertise: Option<String>,
    max_blocking: Option<u16>,
    max_queue: Option<u16>,
    max_submissions: usize,
    store_map: Option<PathBuf>,
    policy: Option<PathBuf>,
    webhooks: Vec<accord_server::Subscriber>,
    webhook_key: Option<PathBuf>,
    webhook_record: Option<PathBuf>,
    webhook_attempts: u32,
    webhook_ca: Vec<PathBuf>,
    simulations: Option<PathBuf>,
    witness_policy: Option<PathBuf>,
    witness_evidence: Option<PathBuf>,
}

/// A repeatable flag's values: the command line's when it gives any, else the file's.
fn listed<T>(given: Vec<T>, file: Option<Vec<T>>) -> Vec<T> {
    if given.is_empty() {
        file.unwrap_or_default()
    } else {
        given
    }
}

impl Settings {
    /// `args` over the file's options over the defaults.
    fn of(args: Args, file: file::FileOptions) -> Settings {
        Settings {
            listen: args
                .listen
                .or(file.listen)
                .unwrap_or(SocketAddr::from(([127, 0, 0, 1], 8080))),
            demo: args.demo,
            body_limit: args
                .body_limit
                .or(file.body_limit)
                .unwrap_or(accord_server::DEFAULT_BODY_LIMIT),
            upload_limit: args
                .upload_limit
                .or(file.upload_limit)
                .unwrap_or(accord_server::DEFAULT_UPLOAD_LIMIT),
            timeout: args
                .timeout
                .or(file.timeout)
                .unwrap_or(accord_server::DEFAULT_TIMEOUT.as_secs()),
            rate_limit_token: args
                .rate_limit_token
                .or(file.rate_limit_token)
                .unwrap_or(accord_server::Limit(RateLimits::default().per_token)),
            rate_limit_address: args
                .rate_limit_address
                .or(file.rate_limit_address)
                .unwrap_or(accord_server::Limit(RateLimits::default().per_address)),
            no_evaluation_cache: args.no_evaluation_cache,
            tokens: args
                .tokens
                .or(file.tokens)
                .unwrap_or_else(|| PathBuf::from(DEFAULT_TOKENS)),
            store: StoreArg {
                location: args.store.or(file.store).unwrap_or_else(|| {
                    Location::Store(accord_app::StoreUrl::Sqlite(PathBuf::from("accord.db")))
                }),
            },
            read_store: args.read_store.or(file.read_store),
            advertise: args.advertise.or(file.advertise),
            max_blocking: args.max_blocking.or(file.max_blocking),
            max_queue: args.max_queue.or(file.max_queue),
            max_submissions: args
                .max_submissions
                .or(file.max_submissions)
                .map_or(accord_server::DEFAULT_SUBMISSIONS_IN_FLIGHT, |n| {
                    usize::try_from(n).unwrap_or(usize::MAX)
                }),
            store_map: args.store_map.or(file.store_map),
            policy: args.policy.or(file.policy),
            webhooks: listed(args.webhooks, file.webhooks),
            webhook_key: args.webhook_key.or(file.webhook_key),
            webhook_record: args.webhook_record.or(file.webhook_record),
            webhook_attempts: args
                .webhook_attempts
                .or(file.webhook_attempts)
                .unwrap_or(accord_server::webhooks::Retry::default().attempts),
            webhook_ca: listed(args.webhook_ca, file.webhook_ca),
            simulations: args.simulations.or(file.simulations),
            witness_policy: args.witness_policy.or(file.witness_policy),
            witness_evidence: args.witness_evidence.or(file.witness_evidence),
        }
    }
}

/// The webhooks of `args`, with the key that signs them.
fn webhooks(args: &Settings) -> miette::Result<Option<accord_server::Webhooks>> {
    if args.webhooks.is_empty() {
        return Ok(None);
    }
    let Some(key) = &args.webhook_key else {
        return Err(usage(
            "--webhook needs --webhook-key FILE: the key that signs deliveries".to_owned(),
            "make one with `accord key generate accord-webhooks`",
        ));
    };
    let key = accord_app::keys::read_private(key).map_err(report)?;
    let trusted = accord_server::webhooks::Trusted::read(&args.webhook_ca)
        .map_err(|e| miette::Report::msg(e.to_string()))?;
    let record = args
        .webhook_record
        .clone()
        .unwrap_or_else(|| args.tokens.with_file_name("accord-deliveries.jsonl"));
    Ok(Some(accord_server::Webhooks {
        subscribers: args.webhooks.clone(),
        key,
        record,
        retry: accord_server::webhooks::Retry {
            attempts: args.webhook_attempts,
            ..accord_server::webhooks::Retry::default()
        },
        trusted,
    }))
}

/// What the server witnesses its logs under (`--witness-policy`), if anything.
fn witnessing(args: &Settings) -> miette::Result<Option<accord_server::witnessing::Witnessing>> {
    let Some(policy) = &args.witness_policy else {
        if args.witness_evidence.is_some() {
            return Err(usage(
                "--witness-evidence needs --witness-policy FILE: evidence comes from witnessing"
                    .to_owned(),
                "give the witness policy (docs/witness.md)",
            ));
        }
        return Ok(None);
    };
    let evidence = args
        .witness_evidence
        .clone()
        .unwrap_or_else(|| PathBuf::from("."));
    accord_server::witnessing::Witnessing::read(policy, evidence)
        .map(Some)
        .map_err(|e| miette::Report::msg(accord_render::errors::chain(&e)))
}

/// The stores of the store map at `path`, opened (each created and migrated as `--store`).
fn store_map(path: Option<&std::path::Path>) -> miette::Result<Vec<(String, accord_app::Store)>> {
    let Some(path) = path else {
        return Ok(Vec::new());
    };
    let text = std::fs::read_to_string(path)
        .map_err(|e| miette::Report::msg(format!("cannot read `{}`: {e}", path.display())))?;
    let map = accord_store::StoreMap::parse(&text)
        .map_err(|e| miette::Report::msg(accord_render::errors::chain(&e)))?;
    map.agreements
        .into_iter()
        .map(|(agreements, url)| Ok((agreements, accord_app::open(&url, false).map_err(report)?)))
        .collect()
}

fn tokens_failure(error: accord_server::TokenError) -> miette::Report {
    miette::Report::msg(accord_render::errors::chain(&error))
}

pub fn run(args: Args, now: jiff::Timestamp) -> miette::Result<ExitCode> {
    // The configuration file, the policy and the webhooks are read first: a bad one
    // refuses to start with nothing created.
    let options = match &args.config {
        Some(path) => file::read(path).map_err(|file::Refused(shown)| {
            miette::Report::msg(format!(
                "the configuration file is refused; nothing was started\n\n{}",
                shown.trim_end()
            ))
        })?,
        None => file::FileOptions::default(),
    };
    let args = Settings::of(args, options);
    let policy = match &args.policy {
        Some(path) => accord_server::Policy::read(path)
            .map_err(|e| miette::Report::msg(format!("the policy is refused: {e}")))?,
        None => accord_server::Policy::shipped(),
    };
    let webhooks = webhooks(&args)?;
    let witnessing = witnessing(&args)?;
    let (config, demo) = if args.demo {
        eprintln!("Playing the bundled scenarios into a temporary store…");
        let demo = accord_server::demo(now).map_err(|e| match e {
            accord_server::ServeError::App(e) => report(e),
            other => miette::Report::msg(accord_render::errors::chain(&other)),
        })?;
        (demo.config.clone(), Some(demo))
    } else {
        let mut config = Config::new(args.store.create()?);
        config.tokens = Tokens::read(&args.tokens).map_err(tokens_failure)?;
        (config, None)
    };
    let store_map = store_map(args.store_map.as_deref())?;
    let read_store = match &args.read_store {
        Some(url) => Some(accord_app::open_read_only(url).map_err(report)?),
        None => None,
    };
    let config = Config {
        policy,
        webhooks,
        body_limit: args.body_limit,
        upload_limit: args.upload_limit,
        timeout: std::time::Duration::from_secs(args.timeout),
        rate_limits: RateLimits {
            per_token: args.rate_limit_token.0,
            per_address: args.rate_limit_address.0,
        },
        read_store,
        advertise: args.advertise.clone(),
        blocking_limit: args.max_blocking.map(usize::from),
        blocking_queue: args.max_queue.map(usize::from),
        submissions_in_flight: args.max_submissions,
        store_map,
        simulations: args.simulations.clone(),
        witnessing,
        evaluations: if args.no_evaluation_cache {
            std::sync::Arc::new(accord_app::evaluations::Evaluations::uncached())
        } else {
            config.evaluations
        },
        ..config
    };
    let n_tokens = config.tokens.len();
    let signed_by = config.webhooks.as_ref().map(|w| {
        (
            w.subscribers.len(),
            w.key.verifier().to_string(),
            w.record.clone(),
        )
    });
    let witnessed = config
        .witnessing
        .as_ref()
        .map(|w| (w.policy().witnesses().len(), w.evidence().to_owned()));
    let served = accord_server::run(config, args.listen, |addr| {
        println!("Accord serves on http://{addr} (Ctrl-C stops it)");
        println!("Open http://{addr}/ in a browser for the dashboard");
        if let Some((n, key, record)) = &signed_by {
            println!(
                "State changes go to {n} webhook(s), signed by {key}; deliveries recorded in {}",
                record.display()
            );
        }
        if let Some((n, evidence)) = &witnessed {
            println!(
                "New checkpoints go to the policy's {n} witness(es); split-view evidence is written into {}",
                evidence.display()
            );
        }
        match &demo {
            Some(demo) => print_demo(addr, demo),
            None => {
                println!("{n_tokens} token(s) accepted; anonymous requests read public material")
            }
        }
    });
    served.map_err(|e| miette::Report::msg(accord_render::errors::chain(&e)))?;
    Ok(ExitCode::SUCCESS)
}

fn print_demo(addr: SocketAddr, demo: &accord_server::Demo) {
    let ids: Vec<String> = demo
        .played
        .played
        .iter()
        .filter_map(|p| p.origin.rsplit_once('/').map(|(_, id)| id.to_owned()))
        .collect();
    println!("Agreements: {}", ids.join(", "));
    println!("Tokens to try (this run only):");
    for (role, token) in &demo.tokens {
        println!("  {role:<10} {token}");
    }
    let compliance = demo
        .tokens
        .iter()
        .find(|(role, _)| *role == Role::Compliance)
        .map(|(_, t)| t.as_str())
        .unwrap_or_default();
    println!("Try:");
    println!("  curl http://{addr}/v1/agreements");
    println!(
        "  curl -H 'Authorization: Bearer {compliance}' 'http://{addr}/v1/agreements/arden-nuclear-2026/state?as_of=2026-07-01'"
    );
    println!(
        "  curl -H 'Authorization: Bearer {compliance}' 'http://{addr}/v1/status?entity=eu-fsf:EU.1001.23&agreement=arden-nuclear-2026&activity=food&date=2026-07-01'"
    );
}

#[derive(Debug, clap::Subcommand)]
pub enum TokenCommand {
    /// Issue a bearer token: printed once, only its SHA-256 is kept in the tokens file.
    Issue(IssueArgs),
}

#[derive(Debug, clap::Args)]
pub struct IssueArgs {
    /// authority, party, monitor, compliance, public or admin.
    #[arg(long)]
    role: String,
    /// The participant the token acts for (authority, party and monitor tokens only).
    #[arg(long, value_name = "ID")]
    party: Option<String>,
    #[command(flatten)]
    tokens: TokensArg,
}

pub fn token(command: TokenCommand, now: jiff::Timestamp) -> miette::Result<ExitCode> {
    let TokenCommand::Issue(args) = command;
    let role: Role = args.role.parse().map_err(|e: accord_server::TokenError| {
        usage(e.to_string(), "write e.g. `--role compliance`")
    })?;
    let issued = accord_server::auth::issue(role, args.party.as_deref(), now).map_err(|e| {
        usage(
            e.to_string(),
            "`--party ID` is given exactly for authority, party and monitor tokens",
        )
    })?;
    accord_server::auth::append_record(&args.tokens.path, &issued.record)
        .map_err(tokens_failure)?;
    println!("{}", issued.token);
    eprintln!(
        "a `{role}` token; its SHA-256 is in `{}`: `accord serve --tokens {}` accepts it",
        args.tokens.path.display(),
        args.tokens.path.display()
    );
    Ok(ExitCode::SUCCESS)
}
