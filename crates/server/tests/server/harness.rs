//! The replication harness (issue #17): on this machine, a PostgreSQL primary and a
//! synchronous hot standby (`initdb` on free ports, `pg_basebackup -R -X stream`,
//! `synchronous_commit = remote_apply`), several `accord serve` processes on the store URL
//! naming both hosts (`target_session_attrs=read-write`), each reading from the standby,
//! and a load generator. It checks read-your-writes from the standby (`Accord-Min-Lsn`,
//! and the fallback to the primary), kills the server that leads the log, then the primary
//! (promoting the standby with `pg_ctl promote`), and checks that every acknowledged entry
//! is in the log at its index, that every checkpoint signed during the run is consistent
//! with the final log (so with every later one), that the log audits clean, and how long
//! submissions went unacknowledged after each failure.
//!
//! The short form (2 servers, about 2 s per phase) runs with the other tests;
//! `ACCORD_HARNESS=1` runs the long form (3 servers, longer phases, and the submissions/s
//! with 1, 2 and 3 servers), printing its figures. It needs Debian's PostgreSQL 15 binaries
//! (`ACCORD_PG_BIN`, default `/usr/lib/postgresql/15/bin`) and the `accord` binary beside
//! the test (`cargo build -p accord-cli`); without either it skips, saying so, except
//! under `CI`, where it fails. Every cluster and process it starts is stopped when it ends,
//! passing or failing (their `Drop`).

use std::io::{BufRead as _, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use accord_app::{Store, StoreUrl};
use accord_ledger::note::SignerKey;
use accord_server::Role;

use super::support::{ORIGIN, evidence, key, roster, signed};

/// Where the PostgreSQL binaries are.
fn pg_bin() -> PathBuf {
    std::env::var_os("ACCORD_PG_BIN").map_or_else(
        || PathBuf::from("/usr/lib/postgresql/15/bin"),
        PathBuf::from,
    )
}

/// The `accord` binary: `ACCORD_BIN` (a release build, for figures), else the one built
/// beside this test (`target/<profile>/accord`).
fn accord_bin() -> PathBuf {
    if let Some(bin) = std::env::var_os("ACCORD_BIN") {
        return PathBuf::from(bin);
    }
    let exe = std::env::current_exe().unwrap();
    exe.parent().unwrap().parent().unwrap().join("accord")
}

/// CPU seconds (user and system) a process has used so far, from `/proc` (0 elsewhere).
fn cpu_seconds(pid: u32) -> f64 {
    let Ok(stat) = std::fs::read_to_string(format!("/proc/{pid}/stat")) else {
        return 0.0;
    };
    // The fields after the command's closing parenthesis: state is the 3rd field, utime
    // and stime the 14th and 15th.
    let Some((_, rest)) = stat.rsplit_once(')') else {
        return 0.0;
    };
    let fields: Vec<&str> = rest.split_whitespace().collect();
    let ticks: f64 = [11, 12]
        .iter()
        .filter_map(|i| fields.get(*i)?.parse::<f64>().ok())
        .sum();
    ticks / 100.0
}

/// The processes whose parent is `parent` (a PostgreSQL server's backends), from `/proc`.
fn children(parent: u32) -> Vec<u32> {
    let Ok(dir) = std::fs::read_dir("/proc") else {
        return Vec::new();
    };
    dir.filter_map(|e| e.ok()?.file_name().to_str()?.parse::<u32>().ok())
        .filter(|pid| {
            std::fs::read_to_string(format!("/proc/{pid}/stat"))
                .ok()
                .and_then(|s| s.rsplit_once(')').map(|(_, r)| r.to_owned()))
                .and_then(|r| r.split_whitespace().nth(1)?.parse::<u32>().ok())
                == Some(parent)
        })
        .collect()
}

/// CPU seconds used so far by each server process, and by the primary's PostgreSQL
/// processes together (a backend that ended meanwhile is not counted).
fn cpu_now(servers: &[Server], primary: &Cluster) -> (Vec<f64>, f64) {
    let postmaster = std::fs::read_to_string(primary.data.join("postmaster.pid"))
        .ok()
        .and_then(|s| s.lines().next()?.trim().parse::<u32>().ok());
    let database = postmaster.map_or(0.0, |pm| {
        cpu_seconds(pm) + children(pm).into_iter().map(cpu_seconds).sum::<f64>()
    });
    (
        servers.iter().map(|s| cpu_seconds(s.child.id())).collect(),
        database,
    )
}

/// Skips (or fails under CI) when something the harness needs is missing.
fn missing(what: &str) -> bool {
    assert!(
        std::env::var_os("CI").is_none(),
        "replication harness: {what}"
    );
    eprintln!("skipped: replication harness: {what}");
    true
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

fn is_root() -> bool {
    Command::new("id")
        .arg("-u")
        .output()
        .is_ok_and(|o| o.stdout.trim_ascii() == b"0")
}

/// A PostgreSQL tool, run as `postgres` when the harness runs as root (initdb and the
/// server refuse root).
fn pg(tool: &str, args: &[&str]) -> std::process::Output {
    let output = pg_command(tool)
        .args(args)
        .stdin(Stdio::null())
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "{tool} {args:?}: {}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    output
}

fn pg_command(tool: &str) -> Command {
    let path = pg_bin().join(tool);
    if is_root() {
        let mut c = Command::new("runuser");
        c.args(["-u", "postgres", "--"]).arg(&path);
        c
    } else {
        Command::new(&path)
    }
}

/// One PostgreSQL cluster; stopped at once (`-m immediate`) when dropped.
struct Cluster {
    data: PathBuf,
    port: u16,
    running: bool,
}

impl Cluster {
    fn path(&self) -> &str {
        self.data.to_str().unwrap()
    }

    fn conf(&self, lines: &str) {
        use std::io::Write as _;
        let mut file = std::fs::OpenOptions::new()
            .append(true)
            .open(self.data.join("postgresql.auto.conf"))
            .unwrap();
        file.write_all(lines.as_bytes()).unwrap();
    }

    fn start(&mut self) {
        let log = format!("{}.log", self.path());
        pg(
            "pg_ctl",
            &["-D", self.path(), "-l", &log, "-w", "-t", "60", "start"],
        );
        self.running = true;
    }

    fn kill(&mut self) {
        if self.running {
            pg(
                "pg_ctl",
                &["-D", self.path(), "-m", "immediate", "-w", "stop"],
            );
            self.running = false;
        }
    }

    fn url(&self, db: &str) -> String {
        format!(
            "postgres://postgres@127.0.0.1:{}/{db}?sslmode=disable",
            self.port
        )
    }
}

impl Drop for Cluster {
    fn drop(&mut self) {
        if self.running {
            let _ = pg_command("pg_ctl")
                .args(["-D", self.path(), "-m", "immediate", "stop"])
                .output();
        }
    }
}

/// The primary and its synchronous standby, in a temporary directory.
struct Pair {
    primary: Cluster,
    standby: Cluster,
    _dir: tempfile::TempDir,
}

fn start_pair() -> Pair {
    let dir = tempfile::Builder::new()
        .prefix("accord-harness")
        .tempdir()
        .unwrap();
    if is_root() {
        let status = Command::new("chown")
            .args(["postgres:", dir.path().to_str().unwrap()])
            .status()
            .unwrap();
        assert!(status.success());
    }
    let mut primary = Cluster {
        data: dir.path().join("primary"),
        port: free_port(),
        running: false,
    };
    pg(
        "initdb",
        &[
            "-D",
            primary.path(),
            "-A",
            "trust",
            "-U",
            "postgres",
            "-E",
            "UTF8",
        ],
    );
    let socket_dir = dir.path().to_str().unwrap();
    primary.conf(&format!(
        "port = {}\nlisten_addresses = '127.0.0.1'\nunix_socket_directories = '{socket_dir}'\n\
         wal_level = replica\nmax_wal_senders = 4\nsynchronous_standby_names = 'standby1'\n\
         synchronous_commit = remote_apply\nmax_connections = 200\n",
        primary.port
    ));
    primary.start();
    let mut standby = Cluster {
        data: dir.path().join("standby"),
        port: free_port(),
        running: false,
    };
    let source = format!(
        "host=127.0.0.1 port={} user=postgres application_name=standby1",
        primary.port
    );
    pg(
        "pg_basebackup",
        &["-d", &source, "-D", standby.path(), "-R", "-X", "stream"],
    );
    // The standby waits for no standby of its own once promoted (there is none): its
    // commits would hang otherwise.
    standby.conf(&format!(
        "port = {}\nprimary_conninfo = '{source}'\nsynchronous_standby_names = ''\n",
        standby.port
    ));
    standby.start();
    Pair {
        primary,
        standby,
        _dir: dir,
    }
}

/// Waits until the primary reports `standby1` as its synchronous standby.
fn wait_for_sync(primary: &Cluster) {
    let mut client = accord_store::connect_postgres(&primary.url("postgres")).unwrap();
    for _ in 0..600 {
        let rows = client
            .query(
                "SELECT 1 FROM pg_stat_replication WHERE application_name = 'standby1' AND sync_state = 'sync'",
                &[],
            )
            .unwrap();
        if !rows.is_empty() {
            return;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    panic!("the standby never became synchronous");
}

/// One `accord serve` process; killed when dropped.
struct Server {
    child: Child,
    base: String,
}

impl Server {
    fn kill(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.kill();
    }
}

fn serve(store: &str, read_store: Option<&str>, tokens: &Path) -> Server {
    let mut command = Command::new(accord_bin());
    command.args(["serve", "--listen", "127.0.0.1:0", "--store", store]);
    // The load generator is one token sending as fast as the servers answer: the default
    // rate limits (issue #13) would answer it 429. Request logs would bury the harness's
    // own lines.
    command.args(["--rate-limit-token", "off", "--rate-limit-address", "off"]);
    command.env("ACCORD_LOG", "warn");
    if let Some(read_store) = read_store {
        command.args(["--read-store", read_store]);
    }
    let mut child = command
        .arg("--tokens")
        .arg(tokens)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .unwrap();
    let mut stdout = BufReader::new(child.stdout.take().unwrap());
    let mut line = String::new();
    stdout.read_line(&mut line).unwrap();
    // The rest of what it prints is read and dropped: a closed pipe would fail its prints.
    std::thread::spawn(move || std::io::copy(&mut stdout, &mut std::io::sink()));
    // "Accord serves on http://ADDR (Ctrl-C stops it)"
    let base = line
        .split_whitespace()
        .find(|w| w.starts_with("http://"))
        .unwrap_or_else(|| panic!("accord serve said: {line}"))
        .to_owned();
    Server { child, base }
}

/// What the load generator saw.
#[derive(Debug, Default)]
struct Seen {
    /// (index, entry id, when sent, when acknowledged).
    acknowledged: Vec<(u64, String, Instant, Instant)>,
    /// Answers that were not acknowledgements (refusals, errors, lost connections).
    refused: u64,
    /// When each of them was answered.
    refused_at: Vec<Instant>,
    /// The first few of them: status (0: no answer) and body or error.
    reasons: Vec<(u16, String)>,
}

/// `clients` loops submitting entries to the servers of `bases` (read afresh on every
/// submission), following `Accord-Leader`, until `stop`.
async fn load(
    bases: Arc<Mutex<Vec<String>>>,
    token: String,
    clients: u32,
    stop: Arc<AtomicBool>,
    seen: Arc<Mutex<Seen>>,
    first_amount: u32,
) {
    let client = super::support::client_builder()
        .timeout(Duration::from_secs(10))
        .build()
        .unwrap();
    let tasks = (0..clients).map(|c| {
        let (client, token, stop, seen, bases) = (
            client.clone(),
            token.clone(),
            stop.clone(),
            seen.clone(),
            bases.clone(),
        );
        async move {
            let mut next = 0u32;
            let mut target: Option<String> = None;
            while !stop.load(Ordering::Relaxed) {
                let amount = first_amount + c * 1_000_000 + next;
                let body = serde_json::json!({
                    "entry": signed(ORIGIN, evidence(f64::from(amount)), "iaea", &key(3))
                })
                .to_string();
                let base = target.clone().unwrap_or_else(|| {
                    let bases = bases.lock().unwrap();
                    bases[(c + next) as usize % bases.len()].clone()
                });
                let sent_at = Instant::now();
                let sent = client
                    .post(format!("{base}/v1/statements"))
                    .bearer_auth(&token)
                    .header("content-type", "application/json")
                    .body(body)
                    .send()
                    .await;
                let answer = match sent {
                    Ok(r) => {
                        let status = r.status().as_u16();
                        let leader = r
                            .headers()
                            .get("accord-leader")
                            .and_then(|v| v.to_str().ok())
                            .map(str::to_owned);
                        (status, leader, r.text().await.unwrap_or_default())
                    }
                    Err(e) => (0, None, e.to_string()),
                };
                match answer {
                    (200 | 201, _, text) => {
                        let doc: serde_json::Value = serde_json::from_str(&text).unwrap();
                        seen.lock().unwrap().acknowledged.push((
                            doc["index"].as_u64().unwrap(),
                            doc["entry_id"].as_str().unwrap().to_owned(),
                            sent_at,
                            Instant::now(),
                        ));
                        next += 1;
                    }
                    (status, leader, text) => {
                        assert!(matches!(status, 0 | 503), "{status}: {text}");
                        {
                            let mut seen = seen.lock().unwrap();
                            seen.refused += 1;
                            seen.refused_at.push(Instant::now());
                            if seen.reasons.len() < 8 {
                                seen.reasons.push((status, text.clone()));
                            }
                        }
                        target = leader.filter(|l| bases.lock().unwrap().contains(l));
                        if target.is_none() {
                            next += 1;
                            tokio::time::sleep(Duration::from_millis(20)).await;
                        }
                    }
                }
            }
        }
    });
    futures_util::future::join_all(tasks).await;
}

/// The address the server leading the log advertised, read from the store.
fn leader(url: &str) -> Option<String> {
    let mut client = accord_store::connect_postgres(url).ok()?;
    accord_store::lease::holder(&mut client, ORIGIN)
        .ok()
        .flatten()
}

/// The form of a run.
struct Form {
    servers: usize,
    clients: u32,
    phase: Duration,
    throughput: bool,
}

#[test]
fn replicated_postgres_survives_the_leader_and_the_primary() {
    let long = std::env::var_os("ACCORD_HARNESS").is_some_and(|v| v == "1");
    let form = if long {
        Form {
            servers: 3,
            clients: std::env::var("ACCORD_HARNESS_CLIENTS")
                .ok()
                .and_then(|n| n.parse().ok())
                .unwrap_or(16),
            phase: Duration::from_secs(8),
            throughput: true,
        }
    } else {
        Form {
            servers: 2,
            clients: 4,
            phase: Duration::from_secs(2),
            throughput: false,
        }
    };
    if !pg_bin().join("initdb").is_file() && missing("no PostgreSQL binaries (ACCORD_PG_BIN)") {
        return;
    }
    if !accord_bin().is_file() && missing("no `accord` binary: cargo build -p accord-cli") {
        return;
    }
    run(&form);
}

/// Issue #17: a checkpoint names only entries the synchronous standby holds. An entry
/// whose commit shows on the primary before the standby has it (here committed by a
/// session with `synchronous_commit = local` while the standby is down, as a commit whose
/// wait was cancelled shows) is named by no checkpoint until the standby has it.
#[test]
fn a_checkpoint_names_only_entries_the_synchronous_standby_holds() {
    if !pg_bin().join("initdb").is_file() && missing("no PostgreSQL binaries (ACCORD_PG_BIN)") {
        return;
    }
    let mut pair = start_pair();
    wait_for_sync(&pair.primary);
    {
        let mut c = accord_store::connect_postgres(&pair.primary.url("postgres")).unwrap();
        c.batch_execute("CREATE DATABASE accord").unwrap();
    }
    let url = pair.primary.url("accord");
    let store = Store::open(&StoreUrl::Postgres(url.clone())).unwrap();
    let roster = serde_json::to_vec(&roster()).unwrap();
    let participants = accord_app::ledger::read_roster("roster.json", roster).unwrap();
    let log_key = SignerKey::from_seed(ORIGIN, [9; 32]).unwrap();
    accord_app::ledger::init(&store, ORIGIN, &log_key.verifier(), &participants).unwrap();
    let submit = |store: &Store, amount: f64| {
        let entry = signed(ORIGIN, evidence(amount), "iaea", &key(3));
        let entry = accord_app::ledger::parse_entry_line(&entry).unwrap();
        let sealed = None;
        accord_app::service::submit(store, accord_store::ledger::Submission { entry, sealed })
            .unwrap()
    };
    let size = |note: &str| {
        accord_ledger::checkpoint::open_checkpoint(note, &log_key.verifier(), &[])
            .unwrap()
            .checkpoint
            .size
    };
    // Committed as Accord commits (`remote_apply`): the standby has it.
    submit(&store, 1.0);
    let note = accord_app::ledger::checkpoint(&store, Some(ORIGIN), &log_key).unwrap();
    assert_eq!(size(&note), 1);

    pair.standby.kill();
    let local = Store::open(&StoreUrl::Postgres(format!(
        "{url}&options=-c%20synchronous_commit%3Dlocal"
    )))
    .unwrap();
    submit(&local, 2.0);
    let mut ledger = store.ledger(Some(ORIGIN)).unwrap();
    assert_eq!(
        ledger.refresh().unwrap().size,
        2,
        "the entry shows on the primary"
    );
    // On a thread with a bound: an unfenced checkpoint's own commit would wait for the
    // stopped standby for ever, and the test would hang instead of failing.
    let (sent, answer) = std::sync::mpsc::channel();
    let fenced = store.clone();
    std::thread::spawn(move || {
        let key = SignerKey::from_seed(ORIGIN, [9; 32]).unwrap();
        let answer = fenced
            .ledger(Some(ORIGIN))
            .and_then(|mut ledger| ledger.checkpoint_within(&key, Duration::from_millis(500)));
        let _ = sent.send(answer.map(|_| ()));
    });
    let refused = answer
        .recv_timeout(Duration::from_secs(30))
        .expect("the checkpoint did not return in 30 s: it waited on the stopped standby")
        .unwrap_err();
    assert!(
        matches!(refused, accord_app::StoreError::Unconfirmed { .. }),
        "{refused}"
    );
    let stored: Vec<u64> = ledger.checkpoints().unwrap().iter().map(|c| c.0).collect();
    assert_eq!(
        stored,
        [1],
        "no checkpoint over the entry the standby lacks"
    );

    // The standby back and caught up: the entry is named.
    pair.standby.start();
    wait_for_sync(&pair.primary);
    let note = ledger.checkpoint(&log_key).unwrap();
    assert_eq!(size(&note), 2);
    drop((ledger, local, store));
}

/// The store URL naming both hosts, the standby's URL, and the store, prepared: the
/// write log created (and for the long form, a scenario played and a list imported for
/// the status queries).
fn prepare(pair: &Pair, form: &Form) -> (String, String, Store) {
    wait_for_sync(&pair.primary);
    {
        let mut c = accord_store::connect_postgres(&pair.primary.url("postgres")).unwrap();
        c.batch_execute("CREATE DATABASE accord").unwrap();
    }
    let store_url = format!(
        "postgres://postgres@127.0.0.1:{},127.0.0.1:{}/accord?sslmode=disable&target_session_attrs=read-write",
        pair.primary.port, pair.standby.port
    );
    let standby_url = pair.standby.url("accord");
    let store = Store::open(&StoreUrl::Postgres(store_url.clone())).unwrap();
    let roster = serde_json::to_vec(&roster()).unwrap();
    let participants = accord_app::ledger::read_roster("roster.json", roster).unwrap();
    let log_key = SignerKey::from_seed(ORIGIN, [9; 32]).unwrap();
    accord_app::ledger::init(&store, ORIGIN, &log_key.verifier(), &participants).unwrap();
    if form.throughput {
        accord_app::play::play_bundled(&store, "scenarios/nuclear-caps.toml").unwrap();
        let list = super::support::repo().join("crates/server/demo/eu-arden.xml");
        let import = accord_app::lists::Import::files(
            &[list],
            None,
            Some("eu-fsf".into()),
            "2026-01-01T00:00:00Z".into(),
        );
        accord_app::lists::import(&store, &import, &mut |_, _| {}).unwrap();
    }
    (store_url, standby_url, store)
}

/// A token of `role` (acting for `party`), added to the tokens file.
fn token(tokens: &Path, role: Role, party: Option<&str>) -> String {
    let issued = accord_server::auth::issue(role, party, jiff::Timestamp::now()).unwrap();
    accord_server::auth::append_record(tokens, &issued.record).unwrap();
    issued.token
}

fn run(form: &Form) {
    let mut pair = start_pair();
    let (store_url, standby_url, store) = prepare(&pair, form);
    let log_key = SignerKey::from_seed(ORIGIN, [9; 32]).unwrap();
    let tokens = pair.primary.data.with_file_name("tokens.jsonl");
    let monitor = token(&tokens, Role::Monitor, Some("iaea"));
    let compliance = token(&tokens, Role::Compliance, None);

    let mut servers: Vec<Server> = (0..form.servers)
        .map(|_| serve(&store_url, Some(&standby_url), &tokens))
        .collect();
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let bases = Arc::new(Mutex::new(
        servers.iter().map(|s| s.base.clone()).collect::<Vec<_>>(),
    ));
    runtime.block_on(read_your_write(&servers, &monitor, &store_url));
    if form.throughput {
        throughput(&runtime, (&servers, &pair.primary), &monitor, form);
        let primary_only = serve(&store_url, None, &tokens);
        for (server, from) in [(&primary_only, "the primary"), (&servers[0], "the standby")] {
            let rate = runtime.block_on(status_queries(&server.base, &compliance, form));
            eprintln!(
                "replication harness: {rate:.0} status queries/s from {from} ({} clients)",
                form.clients.min(STATUS_CLIENTS)
            );
        }
    }

    let stop = Arc::new(AtomicBool::new(false));
    let signer = sign_checkpoints(store.clone(), log_key, stop.clone());
    let seen = Arc::new(Mutex::new(Seen::default()));
    let generator = runtime.spawn(load(
        bases.clone(),
        monitor.clone(),
        form.clients,
        stop.clone(),
        seen.clone(),
        0,
    ));

    std::thread::sleep(form.phase);
    // The leading server dies.
    let leading = leader(&store_url).expect("a server leads the log");
    let at = servers.iter().position(|s| s.base == leading).unwrap();
    let mut gone = servers.remove(at);
    bases.lock().unwrap().retain(|b| *b != leading);
    gone.kill();
    // From when it is dead: a submission sent before could still be answered by it.
    let server_killed = Instant::now();
    std::thread::sleep(form.phase);
    // The primary dies; the standby is promoted. Refusals from the moment it starts dying
    // are the primary's failover's, not the leader's (stamped after `kill` returns, the
    // refusals while it died were counted to the leader's failover: "8 s").
    let primary_dying = Instant::now();
    pair.primary.kill();
    let primary_killed = Instant::now();
    pg("pg_ctl", &["-D", pair.standby.path(), "-w", "promote"]);
    let promoted = primary_killed.elapsed();
    std::thread::sleep(form.phase * 2);
    stop.store(true, Ordering::Relaxed);
    runtime.block_on(generator).unwrap();
    let checkpoints = signer.join().unwrap();
    drop(store);
    let seen = seen.lock().unwrap();
    let size = verify(&store_url, &seen, &checkpoints);
    // How long after a failure the first submission sent after it was acknowledged.
    let gap = |after: Instant| {
        seen.acknowledged
            .iter()
            .filter(|(_, _, sent, _)| *sent > after)
            .map(|(_, _, _, acknowledged)| *acknowledged)
            .min()
            .map(|at| at.duration_since(after).as_secs_f64())
    };
    let (after_server, after_primary) = (gap(server_killed), gap(primary_killed));
    // How long submissions were refused after a failure: until the last refusal before
    // the next failure (or the end).
    let refused_for = |from: Instant, to: Option<Instant>| {
        seen.refused_at
            .iter()
            .filter(|at| **at > from && to.is_none_or(|to| **at < to))
            .max()
            .map_or(0.0, |at| at.duration_since(from).as_secs_f64())
    };
    eprintln!(
        "replication harness: submissions refused for {:.2} s after the leading server was killed, {:.2} s after the primary was killed",
        refused_for(server_killed, Some(primary_dying)),
        refused_for(primary_dying, None)
    );
    eprintln!(
        "replication harness: {} servers, {} clients: {} acknowledged, {} refused or failed, \
         log size {size}, {} checkpoints consistent, no acknowledged entry lost; first \
         acknowledgement of a submission sent after the failure: {:.2} s after the leading \
         server was killed, {:.2} s after the primary was killed (promotion took {:.2} s)",
        form.servers,
        form.clients,
        seen.acknowledged.len(),
        seen.refused,
        checkpoints.len(),
        after_server.unwrap_or(f64::NAN),
        after_primary.unwrap_or(f64::NAN),
        promoted.as_secs_f64()
    );
    assert!(
        after_server.is_some() && after_primary.is_some(),
        "submissions resumed"
    );
    drop(servers);
    drop(runtime);
}

/// Checkpoints signed every 200 ms until `stop`, kept here as a witness would keep them
/// (failures, while the primary is gone, are skipped).
fn sign_checkpoints(
    store: Store,
    log_key: SignerKey,
    stop: Arc<AtomicBool>,
) -> std::thread::JoinHandle<Vec<String>> {
    std::thread::spawn(move || {
        let mut notes = Vec::new();
        while !stop.load(Ordering::Relaxed) {
            if let Ok(note) = accord_app::ledger::checkpoint(&store, Some(ORIGIN), &log_key) {
                notes.push(note);
            }
            std::thread::sleep(Duration::from_millis(200));
        }
        notes
    })
}

/// Every acknowledged entry is in the (promoted) log at its index, and the log audits
/// clean against every checkpoint signed during the run; the log's size.
fn verify(store_url: &str, seen: &Seen, checkpoints: &[String]) -> u64 {
    let store = Store::open(&StoreUrl::Postgres(store_url.to_owned())).unwrap();
    let mut ledger = store.ledger(Some(ORIGIN)).unwrap();
    let size = ledger.refresh().unwrap().size;
    for (index, id, _, _) in &seen.acknowledged {
        let (logged, _) = ledger.entry(*index).unwrap();
        let logged_id: String = logged
            .signed
            .id()
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect();
        assert_eq!(&logged_id, id, "entry #{index} is not the one acknowledged");
    }
    let audit = accord_app::ledger::audit_against(&store, Some(ORIGIN), checkpoints).unwrap();
    assert!(audit.is_clean(), "{:?}", audit.findings);
    assert_eq!(audit.outside, checkpoints.len());
    assert!(
        !checkpoints.is_empty(),
        "checkpoints were signed during the run"
    );
    size
}

/// Submissions/s with 1, 2, then 3 servers taking the load (clients spread over them),
/// each for one phase, printed.
fn throughput(
    runtime: &tokio::runtime::Runtime,
    (servers, primary): (&[Server], &Cluster),
    token: &str,
    form: &Form,
) {
    for n in 1..=servers.len() {
        let bases = Arc::new(Mutex::new(
            servers
                .iter()
                .take(n)
                .map(|s| s.base.clone())
                .collect::<Vec<_>>(),
        ));
        let stop = Arc::new(AtomicBool::new(false));
        let seen = Arc::new(Mutex::new(Seen::default()));
        let generator = runtime.spawn(load(
            bases,
            token.to_owned(),
            form.clients,
            stop.clone(),
            seen.clone(),
            u32::try_from(n).unwrap() * 100_000,
        ));
        let started = Instant::now();
        let cpu_before = cpu_now(servers, primary);
        std::thread::sleep(form.phase);
        let cpu_after = cpu_now(servers, primary);
        stop.store(true, Ordering::Relaxed);
        runtime.block_on(generator).unwrap();
        let seen = seen.lock().unwrap();
        let seconds = started.elapsed().as_secs_f64();
        // Cores busy: each server's, then the primary's PostgreSQL processes'.
        let busy: Vec<String> = cpu_after
            .0
            .iter()
            .zip(&cpu_before.0)
            .map(|(a, b)| format!("{:.2}", (a - b) / seconds))
            .collect();
        eprintln!(
            "replication harness: {n} server(s), {} clients: {:.0} submissions/s acknowledged ({} refused){}; cores busy: servers [{}], PostgreSQL primary {:.2}",
            form.clients,
            seen.acknowledged.len() as f64 / seconds,
            seen.refused,
            // Why, when nothing was acknowledged at all.
            if seen.acknowledged.is_empty() {
                format!(": {:?}", seen.reasons)
            } else {
                String::new()
            },
            busy.join(", "),
            (cpu_after.1 - cpu_before.1) / seconds
        );
    }
}

/// The most status queries in flight.
const STATUS_CLIENTS: u32 = 8;

/// Status queries per second answered by the server at `base`, `form.clients` at a time
/// for one phase (each answer checked to be 200).
async fn status_queries(base: &str, token: &str, form: &Form) -> f64 {
    let client = super::support::client();
    let url = format!(
        "{base}/v1/status?entity=eu-fsf:EU.1001.23&agreement=arden-nuclear-2026&activity=food&date=2026-07-01"
    );
    let deadline = Instant::now() + form.phase;
    let started = Instant::now();
    // At most 8 at a time, the server's default bound on store work in flight (half its
    // 16 connections): more would be answered 503 `overloaded` after a short wait.
    let tasks = (0..form.clients.min(STATUS_CLIENTS)).map(|_| {
        let (client, url) = (client.clone(), url.clone());
        async move {
            let mut answered = 0u64;
            while Instant::now() < deadline {
                let response = client.get(&url).bearer_auth(token).send().await.unwrap();
                let status = response.status().as_u16();
                let text = response.text().await.unwrap();
                assert_eq!(status, 200, "{text}");
                answered += 1;
            }
            answered
        }
    });
    let answered: u64 = futures_util::future::join_all(tasks)
        .await
        .into_iter()
        .sum();
    answered as f64 / started.elapsed().as_secs_f64()
}

/// A submission's `Accord-Commit-Lsn`, sent back as `Accord-Min-Lsn`, is read from the
/// (synchronous) standby and sees the entry; a position the standby has not reached is
/// read from the primary once the wait is over. So is a batch's, sent on to the leader by
/// the server that does not lead.
async fn read_your_write(servers: &[Server], token: &str, store_url: &str) {
    let client = super::support::client();
    let bases: Vec<String> = servers.iter().map(|s| s.base.clone()).collect();
    let mut target = bases[0].clone();
    let written = loop {
        let response = client
            .post(format!("{target}/v1/statements"))
            .bearer_auth(token)
            .header("content-type", "application/json")
            .body(
                serde_json::json!({ "entry": signed(ORIGIN, evidence(0.5), "iaea", &key(3)) })
                    .to_string(),
            )
            .send()
            .await
            .unwrap();
        match response.headers().get("accord-leader") {
            Some(leader) => target = leader.to_str().unwrap().to_owned(),
            None => break response,
        }
    };
    assert!(matches!(written.status().as_u16(), 200 | 201));
    let position = written.headers()["accord-commit-lsn"]
        .to_str()
        .unwrap()
        .to_owned();
    // The server that led the log: the one the submission was sent on to, if it was.
    let leader = written
        .headers()
        .get("accord-forwarded-to")
        .map_or(target.clone(), |to| to.to_str().unwrap().to_owned());
    let index = serde_json::from_str::<serde_json::Value>(&written.text().await.unwrap()).unwrap()
        ["index"]
        .as_u64()
        .unwrap();
    for (wanted, from) in [(position.as_str(), "standby"), ("FFFFFFFF/0", "primary")] {
        let read = client
            .get(format!("{}/v1/agreements/agreement-1/log", bases[1]))
            .header("accord-min-lsn", wanted)
            .send()
            .await
            .unwrap();
        assert_eq!(read.headers()["accord-read-from"], from, "{wanted}");
        let log: serde_json::Value = serde_json::from_str(&read.text().await.unwrap()).unwrap();
        assert!(log["size"].as_u64().unwrap() > index, "{log}");
    }
    // A batch sent to the server that does not lead is sent on to the leader; its answer
    // carries the leader's position, which covers the batch's entries.
    let follower = bases.iter().find(|b| **b != leader).unwrap();
    // (Still the leader: else the batch would be logged where it is sent, and the test
    // would not cover the entries sent on.)
    let holder = tokio::task::block_in_place(|| self::leader(store_url));
    assert_eq!(holder.as_deref(), Some(leader.as_str()));
    let single = accord_store::parse_lsn(&position);
    let batch: Vec<serde_json::Value> = [0.25, 0.75]
        .iter()
        .map(|amount| {
            serde_json::json!({ "entry": signed(ORIGIN, evidence(*amount), "iaea", &key(3)) })
        })
        .collect();
    let answer = client
        .post(format!("{follower}/v1/statements"))
        .bearer_auth(token)
        .header("content-type", "application/json")
        .body(serde_json::Value::from(batch).to_string())
        .send()
        .await
        .unwrap();
    assert_eq!(answer.status().as_u16(), 200);
    let position = answer
        .headers()
        .get("accord-commit-lsn")
        .map(|p| p.to_str().unwrap().to_owned());
    let results: serde_json::Value = serde_json::from_str(&answer.text().await.unwrap()).unwrap();
    let last = results["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            assert_eq!(r["status"], 201, "{results}");
            r["index"].as_u64().unwrap()
        })
        .max()
        .unwrap();
    let position = position.unwrap_or_else(|| panic!("no Accord-Commit-Lsn: {results}"));
    // Past the single entry's position: the standby applies every commit before it is
    // acknowledged (`remote_apply`), so reading the entries back alone would pass with
    // any position, even one read before the leader's commits of the batch.
    assert!(
        accord_store::parse_lsn(&position) > single && single.is_some(),
        "{position} after {single:?}"
    );
    let read = client
        .get(format!("{follower}/v1/agreements/agreement-1/log"))
        .header("accord-min-lsn", &position)
        .send()
        .await
        .unwrap();
    assert_eq!(read.headers()["accord-read-from"], "standby", "{position}");
    let log: serde_json::Value = serde_json::from_str(&read.text().await.unwrap()).unwrap();
    assert!(log["size"].as_u64().unwrap() > last, "{log}");
}
