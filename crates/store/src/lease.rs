//! Leadership of a log among several processes on one PostgreSQL primary (issue #17): the
//! process that holds a log's lease is its one sequencer; the others refuse submissions to
//! that log and name the leader, until the lease is free and one of them takes it.
//!
//! A lease is a PostgreSQL session-level advisory lock, `pg_try_advisory_lock(ACCORD, key)`
//! with `key = hashtext(schema || '/' || origin)`, held on a connection of its own (not one
//! of the pool's, which come and go). PostgreSQL releases it the moment that session ends:
//! the process exits or is killed (the kernel closes its socket), the connection breaks, or
//! the primary is lost (a promoted standby holds no lock at all). There is no lease length
//! to tune and no clock is involved. The connection's `application_name` carries the
//! leader's advertised address, so that another process can name the leader from
//! `pg_locks` and `pg_stat_activity`.
//!
//! INVARIANT: the lease is for liveness, not safety. Two sequencers of one log can still
//! exist for a moment (a leader whose lease connection broke but who has not looked yet, a
//! `accord ledger append` run beside a server); the store writes a batch only if the log's
//! size is still the one its writer started from (see [`crate::ledger`]), so the loser
//! reloads and nothing is interleaved or overwritten.

use std::sync::Mutex;
use std::time::{Duration, Instant};

use crate::StoreError;

/// The first key of every Accord advisory lock ("ACCD"), so that Accord's locks never
/// collide with another application's locks in the same database.
pub const LOCK_SPACE: i32 = 0x4143_4344;

/// How often a leader makes sure that its lease's session is still there, at most: the
/// longest a leader that lost its lease (broken connection, promoted standby) keeps
/// writing as if it led, fenced by the log's size meanwhile.
pub const LEASE_CHECK: Duration = Duration::from_secs(1);

/// The prefix of a lease connection's `application_name`; the rest is the leader's
/// advertised address (empty when it advertised none).
const APPLICATION_PREFIX: &str = "accord-leader ";

/// A log's lease, held for as long as this value lives.
pub struct Lease {
    origin: String,
    session: Mutex<Session>,
}

struct Session {
    client: postgres::Client,
    checked: Instant,
}

impl std::fmt::Debug for Lease {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Lease")
            .field("origin", &self.origin)
            .finish_non_exhaustive()
    }
}

/// The lock's key in SQL, from the connection's schema and the origin (`$1`).
const KEY_SQL: &str = "hashtext(current_schema() || '/' || $1::text)";

impl Lease {
    /// Takes the lease of `origin` on a new connection to `url` if no other session holds
    /// it; when another does, `Err` with the leader's advertised address (see [`holder`]),
    /// looked up on the same connection (no pooled connection is needed: callers may be
    /// holding theirs).
    pub fn try_take(
        url: &str,
        origin: &str,
        advertise: Option<&str>,
    ) -> Result<Result<Lease, Option<String>>, StoreError> {
        let (mut config, tls) = crate::tls::postgres_target(url)?;
        // application_name is at most 63 bytes: a longer address is cut (it is a hint).
        let mut name = format!("{APPLICATION_PREFIX}{}", advertise.unwrap_or_default());
        name.truncate(63);
        config.application_name(&name);
        // The lease's session must end when the network does, not hours later.
        config.keepalives(true);
        config.keepalives_idle(Duration::from_secs(5));
        let mut client = config.connect(tls)?;
        let row = client.query_one(
            &format!("SELECT pg_try_advisory_lock($2, {KEY_SQL})"),
            &[&origin, &LOCK_SPACE],
        )?;
        if !row.get::<_, bool>(0) {
            return Ok(Err(holder(&mut client, origin)?));
        }
        Ok(Ok(Lease {
            origin: origin.to_owned(),
            session: Mutex::new(Session {
                client,
                checked: Instant::now(),
            }),
        }))
    }

    /// The log this lease leads.
    pub fn origin(&self) -> &str {
        &self.origin
    }

    /// True while the lease's session is alive, looked at over the network at most once
    /// per [`LEASE_CHECK`] (between looks, the last answer holds).
    pub fn is_held(&self) -> bool {
        let Ok(mut session) = self.session.lock() else {
            return false;
        };
        if session.checked.elapsed() < LEASE_CHECK {
            return !session.client.is_closed();
        }
        let alive = session.client.simple_query("SELECT 1").is_ok();
        session.checked = Instant::now();
        alive
    }
}

/// Who holds the lease of `origin` in the schema of `client`'s session: `Some(address)`
/// (empty when the leader advertised none), `None` when no session holds it.
pub fn holder(client: &mut postgres::Client, origin: &str) -> Result<Option<String>, StoreError> {
    // A bigint key pair is shown in pg_locks as classid (first) and objid (second) with
    // objsubid 2; objid is an oid, so the signed hash is read as unsigned.
    let sql = format!(
        "SELECT a.application_name FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid \
         WHERE l.locktype = 'advisory' AND l.granted AND l.objsubid = 2 \
           AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database()) \
           AND l.classid = $2::bigint::oid \
           AND l.objid = ({KEY_SQL}::bigint & 4294967295)::oid"
    );
    let row = client.query_opt(&sql, &[&origin, &i64::from(LOCK_SPACE)])?;
    Ok(row.map(|r| {
        let name: Option<String> = r.get(0);
        name.unwrap_or_default()
            .strip_prefix(APPLICATION_PREFIX)
            .unwrap_or_default()
            .to_owned()
    }))
}
