//! The long-lived handle on one store: a pool of connections (r2d2, for SQLite and
//! PostgreSQL alike), the schema migrated once when the handle is opened, one shared writer
//! per log, and the concerns the store holds — the ledger, the lists and the agreement
//! registry — each given a pooled connection when asked.
//!
//! `Store` is `Send + Sync` and cheap to clone (an `Arc`): a server opens it once and hands
//! it to every worker thread, each of which takes what it needs for one request and gives
//! the connection back when done.
//!
//! INVARIANT: every SQLite connection of the pool is opened by [`crate::open_sqlite`]
//! (write-ahead log, `synchronous=FULL`), so an acknowledged commit survives a power cut
//! whichever connection made it.

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::{Arc, Mutex, OnceLock};
use std::time::Duration;

use accord_ledger::note::VerifierKey;
use accord_ledger::roster::Roster;
use r2d2_postgres::PostgresConnectionManager;

use crate::lease::Lease;
use crate::ledger::{
    GroupCommit, Ledger, LedgerBackend, LogInfo, PostgresLedger, RecordClock, Sequencer,
    SqliteLedger, TileCache,
};
use crate::lists::ListStore;
use crate::{StoreError, StoreUrl};

/// Opens SQLite connections for the pool, each with Accord's durability settings.
#[derive(Debug)]
pub struct SqliteManager {
    path: PathBuf,
    read_only: bool,
}

impl r2d2::ManageConnection for SqliteManager {
    type Connection = rusqlite::Connection;
    type Error = rusqlite::Error;

    fn connect(&self) -> Result<rusqlite::Connection, rusqlite::Error> {
        let conn = if self.read_only {
            crate::open_sqlite_read_only(&self.path)?
        } else {
            crate::open_sqlite(&self.path)?
        };
        // 64 MiB of page cache: the upper levels of the hash tree stay in memory.
        conn.pragma_update(None, "cache_size", -65536)?;
        // Reads through a memory map rather than a copy per page (writes still go through
        // the WAL and its fsync): a proof reads a few tiles of a file of any size.
        conn.pragma_update(None, "mmap_size", 1i64 << 34)?;
        Ok(conn)
    }

    fn is_valid(&self, conn: &mut rusqlite::Connection) -> Result<(), rusqlite::Error> {
        conn.execute_batch("")
    }

    fn has_broken(&self, _: &mut rusqlite::Connection) -> bool {
        false
    }
}

type PostgresManager = PostgresConnectionManager<tokio_postgres_rustls::MakeRustlsConnect>;

/// A pooled SQLite connection.
pub type SqliteConn = r2d2::PooledConnection<SqliteManager>;
/// A pooled PostgreSQL connection.
pub type PostgresConn = r2d2::PooledConnection<PostgresManager>;

/// One connection of a store, on either back end.
pub enum Conn {
    /// The embedded file.
    Sqlite(SqliteConn),
    /// PostgreSQL.
    Postgres(PostgresConn),
}

enum Pool {
    Sqlite(r2d2::Pool<SqliteManager>),
    Postgres(r2d2::Pool<PostgresManager>),
}

/// How long a process that found a log's lease taken waits before it tries to take the
/// lease again (each try opens a connection): with the moment PostgreSQL ends the leader's
/// session, the bound on how long a log goes without a leader while submissions come.
pub const LEASE_RETRY: Duration = Duration::from_millis(200);

/// How many connections one store keeps at most.
const MAX_CONNECTIONS: u32 = 16;
/// How long a caller waits for a connection when all are taken (or the database is gone).
const CONNECTION_TIMEOUT: Duration = Duration::from_secs(15);

struct Inner {
    url: StoreUrl,
    pool: Pool,
    writers: Mutex<HashMap<String, Writer>>,
    /// Set when this process leads logs only through a lease ([`Store::lead_by_lease`]):
    /// the address it advertises to the others, if any.
    leading: OnceLock<Option<String>>,
    /// For each log whose lease was last found taken: when, and the leader named then.
    /// Within [`LEASE_RETRY`] of that, a submission is refused without asking again.
    refused: Mutex<HashMap<String, (std::time::Instant, Option<String>)>>,
    /// The upper tiles of every log's tree, read once and shared by every proof.
    tiles: Arc<TileCache>,
    /// Where the writers started from now on take record times: the wall clock unless
    /// [`Store::with_record_clock`] said otherwise.
    record_clock: Mutex<RecordClock>,
}

/// A log's shared writer, and the lease it writes under (when it needs one).
struct Writer {
    sequencer: Arc<Sequencer>,
    lease: Option<Lease>,
}

/// A store: the ledger, the lists and the agreement registry behind one URL.
#[derive(Clone)]
pub struct Store {
    inner: Arc<Inner>,
}

impl std::fmt::Debug for Store {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Store")
            .field("url", &self.inner.url)
            .finish_non_exhaustive()
    }
}

impl Store {
    /// Whether `other` is a clone of this handle (the same pool and the same writers).
    pub fn same_as(&self, other: &Store) -> bool {
        Arc::ptr_eq(&self.inner, &other.inner)
    }

    /// Opens the store named by `url`, creating the SQLite file if it does not exist, and
    /// brings its schema up to date (once, here: see [`crate::migrate`]).
    pub fn open(url: &StoreUrl) -> Result<Store, StoreError> {
        Store::open_as(url, false)
    }

    /// Opens an existing store for reading only: SQLite is opened read-only and creates
    /// nothing (see [`crate::open_sqlite_read_only`]); the schema is checked, never migrated.
    /// A missing SQLite file is refused. Writes through this handle fail.
    pub fn open_read_only(url: &StoreUrl) -> Result<Store, StoreError> {
        if let StoreUrl::Sqlite(path) = url
            && !path.is_file()
        {
            return Err(StoreError::Missing(url.clone()));
        }
        Store::open_as(url, true)
    }

    fn open_as(url: &StoreUrl, read_only: bool) -> Result<Store, StoreError> {
        // The first connection is made outside the pool, so that a wrong address or a
        // refused login is reported at once (a pool retries until its timeout).
        let (pool, mut first) = match url {
            StoreUrl::Sqlite(path) => {
                let manager = SqliteManager {
                    path: path.clone(),
                    read_only,
                };
                drop(r2d2::ManageConnection::connect(&manager)?);
                let pool = builder().build_unchecked(manager);
                let first = Conn::Sqlite(pool.get().map_err(pool_error)?);
                (Pool::Sqlite(pool), first)
            }
            StoreUrl::Postgres(text) => {
                let (config, tls) = crate::tls::postgres_target(text)?;
                let manager = PostgresManager::new(config, tls);
                drop(r2d2::ManageConnection::connect(&manager)?);
                let pool = builder().build_unchecked(manager);
                let first = Conn::Postgres(pool.get().map_err(pool_error)?);
                (Pool::Postgres(pool), first)
            }
        };
        if read_only {
            crate::migrate::check(&mut first)?;
        } else {
            crate::migrate::migrate(&mut first)?;
        }
        Ok(Store {
            inner: Arc::new(Inner {
                url: url.clone(),
                pool,
                writers: Mutex::new(HashMap::new()),
                leading: OnceLock::new(),
                refused: Mutex::default(),
                tiles: Arc::default(),
                record_clock: Mutex::new(GroupCommit::default().clock),
            }),
        })
    }

    /// Opens a store that must exist already: a SQLite file that is missing is refused
    /// (commands that only read never create an empty store and answer from it).
    pub fn open_existing(url: &StoreUrl) -> Result<Store, StoreError> {
        if let StoreUrl::Sqlite(path) = url
            && !path.exists()
        {
            return Err(StoreError::Missing(url.clone()));
        }
        Store::open(url)
    }

    /// This handle (and its clones), its writers giving record times from `clock` instead
    /// of the wall clock: for embedding and tests that replay dated events through the
    /// same paths as live submissions (a server's end-to-end test sets the clock to each
    /// scenario event's time before submitting it, as `accord play` does). Writers
    /// already started through this handle keep the clock they started with, so call it
    /// right after opening. Record times still never go backwards (the writer's rule,
    /// [`crate::ledger::MAX_CLOCK_SKEW`]). It is not for servers in service: whoever
    /// holds the clock chooses the record times.
    pub fn with_record_clock(self, clock: RecordClock) -> Store {
        if let Ok(mut current) = self.inner.record_clock.lock() {
            *current = clock;
        }
        self
    }

    /// The URL the store was opened with.
    pub fn url(&self) -> &StoreUrl {
        &self.inner.url
    }

    /// One connection from the pool.
    pub(crate) fn conn(&self) -> Result<Conn, StoreError> {
        Ok(match &self.inner.pool {
            Pool::Sqlite(pool) => Conn::Sqlite(pool.get().map_err(pool_error)?),
            Pool::Postgres(pool) => Conn::Postgres(pool.get().map_err(pool_error)?),
        })
    }

    /// The ledger back end over one pooled connection.
    pub fn backend(&self) -> Result<Box<dyn LedgerBackend>, StoreError> {
        Ok(match self.conn()? {
            Conn::Sqlite(c) => Box::new(SqliteLedger::new(c)),
            Conn::Postgres(c) => Box::new(PostgresLedger::new(c)),
        })
    }

    /// Creates a log named `origin`, with its roster and the verifier key that will sign its
    /// checkpoints.
    pub fn init_log(
        &self,
        origin: &str,
        log_key: &VerifierKey,
        roster: &Roster,
    ) -> Result<Ledger, StoreError> {
        Ledger::create(
            self.backend()?,
            Arc::clone(&self.inner.tiles),
            origin,
            log_key,
            roster,
        )
    }

    /// The read side of a log. With `origin: None`, the store must hold exactly one log.
    pub fn ledger(&self, origin: Option<&str>) -> Result<Ledger, StoreError> {
        Ledger::over(self.backend()?, Arc::clone(&self.inner.tiles), origin)
    }

    /// What the store knows about each of its logs, by origin.
    pub fn logs(&self) -> Result<Vec<LogInfo>, StoreError> {
        let mut backend = self.backend()?;
        let origins = backend.origins()?;
        origins.iter().map(|o| backend.log_info(o)).collect()
    }

    /// From now on, this handle writes to a PostgreSQL log only while it holds the log's
    /// lease (see [`crate::lease`]): several processes serving one primary then have one
    /// sequencer per log among them, and [`Store::writer`] answers
    /// [`StoreError::NotLeader`], naming the leader by `advertise`, while another process
    /// holds it. A SQLite store has no lease (one process holds the file): nothing changes.
    /// The first call decides; later calls change nothing.
    pub fn lead_by_lease(&self, advertise: Option<String>) {
        let _ = self.inner.leading.set(advertise);
    }

    /// The shared writer of a log, started on first use and kept while the store is open:
    /// every thread that appends to this log through this handle goes through it, so their
    /// entries are group-committed together.
    ///
    /// Under [`Store::lead_by_lease`] on PostgreSQL, the writer is kept only while its
    /// lease is held (looked at once a second at most); without it, the lease is tried
    /// again, and [`StoreError::NotLeader`] is the answer while another process holds it.
    pub fn writer(&self, origin: &str) -> Result<Arc<Sequencer>, StoreError> {
        let mut writers =
            self.inner.writers.lock().map_err(|_| {
                StoreError::Pool("a writer panicked while the store was shared".into())
            })?;
        if let Some(writer) = writers.get(origin) {
            if writer.lease.as_ref().is_none_or(Lease::is_held) {
                return Ok(Arc::clone(&writer.sequencer));
            }
            // The lease's session is gone: this writer may no longer be the only one.
            writers.remove(origin);
        }
        let lease = self.take_lease(origin)?;
        let clock = self
            .inner
            .record_clock
            .lock()
            .map_err(|_| StoreError::Pool("a writer panicked while the store was shared".into()))?
            .clone();
        let sequencer = Arc::new(self.ledger(Some(origin))?.into_sequencer(GroupCommit {
            clock,
            ..GroupCommit::default()
        })?);
        writers.insert(
            origin.to_owned(),
            Writer {
                sequencer: Arc::clone(&sequencer),
                lease,
            },
        );
        Ok(sequencer)
    }

    /// The lease of `origin` when this handle leads by lease on PostgreSQL (`None` when it
    /// needs none); [`StoreError::NotLeader`] when another session holds it.
    fn take_lease(&self, origin: &str) -> Result<Option<Lease>, StoreError> {
        let (Some(advertise), StoreUrl::Postgres(url)) =
            (self.inner.leading.get(), &self.inner.url)
        else {
            return Ok(None);
        };
        let not_leader = |leader: Option<String>| StoreError::NotLeader {
            origin: origin.to_owned(),
            leader: leader.filter(|a| !a.is_empty()),
        };
        if let Ok(refused) = self.inner.refused.lock()
            && let Some((when, leader)) = refused.get(origin)
            && when.elapsed() < LEASE_RETRY
        {
            return Err(not_leader(leader.clone()));
        }
        // The log must exist before anyone leads it.
        self.ledger(Some(origin))?;
        let leader = match Lease::try_take(url, origin, advertise.as_deref())? {
            Ok(lease) => {
                if let Ok(mut refused) = self.inner.refused.lock() {
                    refused.remove(origin);
                }
                return Ok(Some(lease));
            }
            Err(leader) => leader,
        };
        if let Ok(mut refused) = self.inner.refused.lock() {
            refused.insert(
                origin.to_owned(),
                (std::time::Instant::now(), leader.clone()),
            );
        }
        Err(not_leader(leader))
    }

    /// Whether this handle holds the lease of `origin` (always true when it leads without
    /// one: SQLite, or not [`Store::lead_by_lease`]) — as last looked at.
    pub fn leads(&self, origin: &str) -> bool {
        if self.inner.leading.get().is_none() || !matches!(self.inner.url, StoreUrl::Postgres(_)) {
            return true;
        }
        self.inner.writers.lock().is_ok_and(|w| {
            w.get(origin)
                .is_some_and(|w| w.lease.as_ref().is_none_or(Lease::is_held))
        })
    }

    /// How many connections this store keeps at most.
    pub fn pool_size(&self) -> u32 {
        match &self.inner.pool {
            Pool::Sqlite(pool) => pool.max_size(),
            Pool::Postgres(pool) => pool.max_size(),
        }
    }

    /// The sanctions lists, over one pooled connection.
    pub fn lists(&self) -> Result<ListStore, StoreError> {
        Ok(ListStore::new(self.conn()?))
    }
}

fn builder<M: r2d2::ManageConnection>() -> r2d2::Builder<M> {
    r2d2::Pool::builder()
        .max_size(MAX_CONNECTIONS)
        .min_idle(Some(0))
        .connection_timeout(CONNECTION_TIMEOUT)
        // Connections are checked when taken: a PostgreSQL restart costs one retry, not an
        // error to the caller.
        .test_on_check_out(true)
}

fn pool_error(e: r2d2::Error) -> StoreError {
    StoreError::Pool(e.to_string())
}

#[cfg(test)]
mod tests;
