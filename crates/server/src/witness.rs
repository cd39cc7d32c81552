//! `accord witness serve`: the HTTP shell of the witness (C2SP tlog-witness v1.0.0,
//! issue #15). `POST /add-checkpoint`, whose answer is decided by the pure
//! [`Witness::add_checkpoint`]; this module only reads the body (at most
//! [`MAX_BODY_BYTES`]), reads the clock, persists the state and writes the answer; and
//! `GET /checkpoint/{origin}`, the checkpoint last cosigned for a log (an Accord extension).
//!
//! INVARIANT: a 200 is answered only after the state that records its cosignature is on
//! disk: written to a temporary file in the state file's directory, synced, renamed over
//! the state file, and the directory synced. Requests are answered one at a time (the state
//! is behind a mutex held from the check to the write), and a state that could not be
//! written stops the witness cosigning until it is restarted from what is on disk.

use std::io::Write as _;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use accord_ledger::note::VerifierKey;
use accord_ledger::witness::{MAX_BODY_BYTES, Refusal, SIZE_CONTENT_TYPE, Witness, WitnessState};
use axum::Router;
use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse as _, Response};
use axum::routing::post;

pub use accord_ledger::witness::TrustedLog;

use crate::{Running, ServeError};

/// Why a trusted-logs file is refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum LogsProblem {
    /// A line that is not `log <vkey> [<url>]`.
    #[error("expected `log <vkey>` (optionally followed by the log's URL)")]
    NotALogLine,
    /// The key does not parse.
    #[error("{0}")]
    Key(accord_ledger::note::KeyError),
    /// The same key twice.
    #[error("the key `{0}` is listed twice")]
    DuplicateKey(String),
    /// No log at all.
    #[error("no log is listed: a witness needs at least one log to witness")]
    Empty,
}

/// A trusted-logs file refused, with where.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{name}:{line}:{column}: {problem}")]
pub struct LogsError {
    /// The file's name.
    pub name: String,
    /// 1-based line.
    pub line: usize,
    /// 1-based column (in characters).
    pub column: usize,
    /// What is wrong.
    pub problem: LogsProblem,
}

/// Parses the logs a witness witnesses: one `log <vkey> [<url>]` line per log key, as in
/// the C2SP `tlog-policy` format (the key's name is the log's origin; several keys of one
/// name are one log whose key is being rotated); empty lines and `#` comments are skipped.
pub fn parse_logs(name: &str, text: &str) -> Result<Vec<TrustedLog>, LogsError> {
    let mut keys: Vec<VerifierKey> = Vec::new();
    let mut last = 1;
    for (i, line) in text.lines().enumerate() {
        last = i + 1;
        let at = |column: usize, problem| LogsError {
            name: name.to_owned(),
            line: i + 1,
            column,
            problem,
        };
        let words: Vec<(usize, &str)> = words(line);
        match words.as_slice() {
            [] => {}
            [(_, first), ..] if first.starts_with('#') => {}
            [(_, "log"), (col, vkey)] | [(_, "log"), (col, vkey), _] => {
                let key = VerifierKey::parse(vkey).map_err(|e| at(*col, LogsProblem::Key(e)))?;
                if keys.contains(&key) {
                    return Err(at(*col, LogsProblem::DuplicateKey((*vkey).to_owned())));
                }
                keys.push(key);
            }
            [(col, _), ..] => return Err(at(*col, LogsProblem::NotALogLine)),
        }
    }
    if keys.is_empty() {
        return Err(LogsError {
            name: name.to_owned(),
            line: last,
            column: 1,
            problem: LogsProblem::Empty,
        });
    }
    Ok(TrustedLog::from_keys(keys))
}

/// The words of a line separated by spaces and tabs, with their 1-based columns.
fn words(line: &str) -> Vec<(usize, &str)> {
    let mut out = Vec::new();
    let mut start = None;
    for (col, (i, c)) in line.char_indices().enumerate() {
        match (c == ' ' || c == '\t', start) {
            (true, Some((s_col, s))) => {
                out.push((s_col, &line[s..i]));
                start = None;
            }
            (false, None) => start = Some((col + 1, i)),
            _ => {}
        }
    }
    if let Some((s_col, s)) = start {
        out.push((s_col, &line[s..]));
    }
    out
}

/// Why a witness cannot start or record its state.
#[derive(Debug, thiserror::Error)]
pub enum WitnessError {
    /// The state file cannot be read.
    #[error("cannot read the witness state `{name}`")]
    ReadState {
        /// The file.
        name: String,
        /// Why.
        #[source]
        source: std::io::Error,
    },
    /// The state file is not a witness state.
    #[error("the witness state `{name}` is not valid: {message}")]
    BadState {
        /// The file.
        name: String,
        /// What the JSON reader said.
        message: String,
    },
    /// The state cannot be written.
    #[error("cannot write the witness state `{name}`")]
    WriteState {
        /// The file.
        name: String,
        /// Why.
        #[source]
        source: std::io::Error,
    },
    /// Another witness holds the state file.
    #[error("the witness state `{name}` is in use by another witness (its lock `{lock}` is held)")]
    Locked {
        /// The state file.
        name: String,
        /// The lock file.
        lock: String,
    },
}

/// The state file: read if it exists, else the empty state (written at once, so that a
/// state file that cannot be written is found before anything is cosigned).
pub fn load_state(path: &Path) -> Result<WitnessState, WitnessError> {
    let name = path.display().to_string();
    match std::fs::read(path) {
        Ok(bytes) => serde_json::from_slice(&bytes).map_err(|e| WitnessError::BadState {
            name,
            message: e.to_string(),
        }),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            let state = WitnessState::new();
            persist_state(path, &state)?;
            Ok(state)
        }
        Err(source) => Err(WitnessError::ReadState { name, source }),
    }
}

/// Writes the state atomically and durably: a temporary file in the same directory,
/// synced, renamed over `path`, then the directory synced.
pub fn persist_state(path: &Path, state: &WitnessState) -> Result<(), WitnessError> {
    let write = || -> std::io::Result<()> {
        let dir = match path.parent() {
            Some(p) if !p.as_os_str().is_empty() => p,
            _ => Path::new("."),
        };
        let mut json = serde_json::to_vec_pretty(state).map_err(std::io::Error::other)?;
        json.push(b'\n');
        let mut file = tempfile::NamedTempFile::new_in(dir)?;
        file.write_all(&json)?;
        file.as_file().sync_all()?;
        file.persist(path).map_err(|e| e.error)?;
        #[cfg(unix)]
        std::fs::File::open(dir)?.sync_all()?;
        Ok(())
    };
    write().map_err(|source| WitnessError::WriteState {
        name: path.display().to_string(),
        source,
    })
}

/// A witness ready to serve: its configuration, its state, and the lock on its state file.
#[derive(Debug)]
pub struct WitnessServer {
    witness: Witness,
    path: PathBuf,
    /// `None` once a state could not be written: nothing is cosigned until a restart.
    state: Mutex<Option<WitnessState>>,
    _lock: std::fs::File,
}

impl WitnessServer {
    /// Opens the state file at `path` (see [`load_state`]), locking it against a second
    /// witness on the same file.
    pub fn open(witness: Witness, path: &Path) -> Result<WitnessServer, WitnessError> {
        let mut lock_name = path.as_os_str().to_owned();
        lock_name.push(".lock");
        let lock_path = PathBuf::from(lock_name);
        let lock = std::fs::OpenOptions::new()
            .create(true)
            .truncate(false)
            .write(true)
            .open(&lock_path)
            .map_err(|source| WitnessError::WriteState {
                name: lock_path.display().to_string(),
                source,
            })?;
        if lock.try_lock().is_err() {
            return Err(WitnessError::Locked {
                name: path.display().to_string(),
                lock: lock_path.display().to_string(),
            });
        }
        let state = load_state(path)?;
        Ok(WitnessServer {
            witness,
            path: path.to_owned(),
            state: Mutex::new(Some(state)),
            _lock: lock,
        })
    }

    /// The state as last persisted (`None` if the witness stopped after a failed write).
    pub fn state(&self) -> Option<WitnessState> {
        self.state.lock().ok().and_then(|s| s.clone())
    }

    /// Answers one `add-checkpoint` body at `now`: checks it, and for a cosignature
    /// records and persists the new state before returning the 200.
    fn answer(&self, body: &[u8], now: jiff::Timestamp) -> Response {
        let Ok(mut guard) = self.state.lock() else {
            return stopped();
        };
        let Some(state) = guard.as_ref() else {
            return stopped();
        };
        let cosigned = match self.witness.add_checkpoint(state, body, now) {
            Ok(cosigned) => cosigned,
            Err(refusal) => return refused(&refusal),
        };
        let mut next = state.clone();
        if next.apply(&cosigned.update).is_err() {
            // INVARIANT: unreachable, the state cannot change while the lock is held.
            return stopped();
        }
        if let Err(e) = persist_state(&self.path, &next) {
            eprintln!(
                "{}; the witness cosigns nothing until it is restarted",
                accord_render::errors::chain(&e)
            );
            *guard = None;
            return stopped();
        }
        *guard = Some(next);
        text(StatusCode::OK, "text/plain; charset=utf-8", cosigned.body)
    }
}

fn text(status: StatusCode, content_type: &'static str, body: String) -> Response {
    let mut response = (status, body).into_response();
    response
        .headers_mut()
        .insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    response
}

/// The spec's answer to a refusal: its status, and for a 409 the size body.
fn refused(refusal: &Refusal) -> Response {
    let status =
        StatusCode::from_u16(refusal.status().code()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    match refusal.size_body() {
        Some(size) => text(status, SIZE_CONTENT_TYPE, size),
        None => text(status, "text/plain; charset=utf-8", format!("{refusal}\n")),
    }
}

fn stopped() -> Response {
    text(
        StatusCode::INTERNAL_SERVER_ERROR,
        "text/plain; charset=utf-8",
        "the witness could not record its state and cosigns nothing until it is restarted\n"
            .to_owned(),
    )
}

fn too_large(detail: String) -> Response {
    text(
        StatusCode::BAD_REQUEST,
        "text/plain; charset=utf-8",
        format!("the request body is refused: {detail}\n"),
    )
}

async fn add_checkpoint(State(server): State<Arc<WitnessServer>>, request: Request) -> Response {
    let declared = request
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    if let Some(n) = declared.filter(|n| *n > MAX_BODY_BYTES as u64) {
        return too_large(format!(
            "the body is {n} bytes long; at most {MAX_BODY_BYTES} are accepted"
        ));
    }
    // One byte more than accepted, so that the witness itself says the body is too long.
    let body = match axum::body::to_bytes(request.into_body(), MAX_BODY_BYTES + 1).await {
        Ok(body) => body,
        Err(_) => {
            return too_large(format!(
                "the body could not be read within {MAX_BODY_BYTES} bytes"
            ));
        }
    };
    let now = jiff::Timestamp::now();
    tokio::task::spawn_blocking(move || server.answer(&body, now))
        .await
        .unwrap_or_else(|_| stopped())
}

/// `GET /checkpoint/{origin}`: the checkpoint the witness last cosigned for a log, as it
/// recorded it (the log's signatures and the witness's cosignatures). Not part of
/// tlog-witness v1.0.0: an Accord extension so that a log refused as inconsistent can
/// obtain the other signed checkpoint and write split-view evidence (`docs/witness.md`).
async fn published(
    State(server): State<Arc<WitnessServer>>,
    axum::extract::Path(origin): axum::extract::Path<String>,
) -> Response {
    let recorded = server
        .state()
        .and_then(|s| s.get(&origin).map(|r| r.checkpoint.clone()));
    match recorded {
        Some(checkpoint) => text(StatusCode::OK, "text/plain; charset=utf-8", checkpoint),
        None => text(
            StatusCode::NOT_FOUND,
            "text/plain; charset=utf-8",
            format!("this witness has cosigned no checkpoint of `{origin}`\n"),
        ),
    }
}

/// The witness's routes: `POST /add-checkpoint` and `GET /checkpoint/{origin}` (other
/// paths 404, other methods 405).
pub fn app(server: Arc<WitnessServer>) -> Router {
    Router::new()
        .route("/add-checkpoint", post(add_checkpoint))
        .route("/checkpoint/{*origin}", axum::routing::get(published))
        .fallback(|| async {
            text(
                StatusCode::NOT_FOUND,
                "text/plain; charset=utf-8",
                "this witness answers `POST /add-checkpoint` only\n".to_owned(),
            )
        })
        .with_state(server)
        .layer(tower_http::catch_panic::CatchPanicLayer::custom(
            |_: Box<dyn std::any::Any + Send + 'static>| {
                Body::from("internal error\n").into_response()
            },
        ))
}

/// Binds `listen` and serves the witness on the current tokio runtime until stopped.
pub async fn start(server: Arc<WitnessServer>, listen: SocketAddr) -> Result<Running, ServeError> {
    crate::start_router(app(server), listen, None).await
}

/// Serves the witness on `listen` until the process is interrupted (Ctrl-C) or terminated
/// (SIGTERM). `ready` is told the address once it listens.
pub fn run(
    server: WitnessServer,
    listen: SocketAddr,
    ready: impl FnOnce(SocketAddr),
) -> Result<(), ServeError> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    runtime.block_on(async move {
        let running = start(Arc::new(server), listen).await?;
        let stop = crate::shutdown_signal()?;
        ready(running.addr());
        stop.await;
        Ok(running.stop().await?)
    })
}
