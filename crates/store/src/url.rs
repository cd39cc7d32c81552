//! Naming a store and opening its connection.
//!
//! Both back ends are opened here and only here, so that the durability settings (SQLite's
//! WAL with `synchronous=FULL`) are the same for every concern that stores data.

use std::path::PathBuf;

/// Where a store lives.
///
/// ```
/// use accord_store::StoreUrl;
/// let url: StoreUrl = "sqlite:accord.db".parse().unwrap();
/// assert_eq!(url, StoreUrl::Sqlite("accord.db".into()));
/// let url: StoreUrl = "postgres://postgres@127.0.0.1:5432/test".parse().unwrap();
/// assert!(matches!(url, StoreUrl::Postgres(_)));
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StoreUrl {
    /// The embedded SQLite file at this path.
    Sqlite(PathBuf),
    /// A PostgreSQL connection string (`postgres://…` or `postgresql://…`).
    Postgres(String),
}

/// A store URL that names neither back end.
#[derive(Debug, thiserror::Error)]
#[error(
    "`{0}` is not a store: use `sqlite:PATH` for the embedded file or `postgres://USER@HOST:PORT/DB`"
)]
pub struct StoreUrlError(String);

impl std::str::FromStr for StoreUrl {
    type Err = StoreUrlError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        if s.starts_with("postgres://") || s.starts_with("postgresql://") {
            return Ok(StoreUrl::Postgres(s.to_owned()));
        }
        match s.strip_prefix("sqlite:") {
            Some(path) if !path.is_empty() => Ok(StoreUrl::Sqlite(PathBuf::from(
                path.trim_start_matches("//"),
            ))),
            _ => Err(StoreUrlError(s.to_owned())),
        }
    }
}

impl std::fmt::Display for StoreUrl {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            StoreUrl::Sqlite(path) => write!(f, "sqlite:{}", path.display()),
            StoreUrl::Postgres(url) => f.write_str(url),
        }
    }
}

/// Which store holds which agreements (issue #17, `accord serve --store-map FILE`): logs
/// are independent, so a deployment may place agreements on different PostgreSQL
/// clusters. Read from TOML, one table of agreement ids (or prefixes ending in `*`) and
/// store URLs; agreements it does not name stay in the server's own store.
///
/// ```
/// use accord_store::StoreMap;
/// let map = StoreMap::parse(r#"
/// [agreements]
/// "arden-nuclear-2026" = "postgres://accord@db2/accord"
/// "eu-*" = "postgres://accord@db3/accord"
/// "#).unwrap();
/// assert_eq!(map.store_for("eu-sanctions-7").unwrap().to_string(), "postgres://accord@db3/accord");
/// assert!(map.store_for("other").is_none());
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct StoreMap {
    /// The agreements (an id, or a prefix ending in `*`) and their stores, in the file's
    /// order.
    pub agreements: Vec<(String, StoreUrl)>,
}

/// A store map that cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum StoreMapError {
    /// Not TOML, or not the expected table.
    #[error(
        "the store map is not a TOML table `[agreements]` of agreement ids and store URLs: {0}"
    )]
    Form(String),
    /// A value that names no store.
    #[error("the store map gives `{agreement}` a store URL that names no store")]
    Url {
        /// The key.
        agreement: String,
        /// Why.
        #[source]
        source: StoreUrlError,
    },
}

impl StoreMap {
    /// Reads a store map from its TOML text.
    pub fn parse(text: &str) -> Result<StoreMap, StoreMapError> {
        let table: toml::Table =
            toml::from_str(text).map_err(|e| StoreMapError::Form(e.to_string()))?;
        let mut agreements = Vec::new();
        for (key, value) in &table {
            let toml::Value::Table(entries) = value else {
                return Err(StoreMapError::Form(format!("`{key}` is not a table")));
            };
            if key != "agreements" {
                return Err(StoreMapError::Form(format!(
                    "`[{key}]` is not `[agreements]`"
                )));
            }
            for (agreement, url) in entries {
                let toml::Value::String(url) = url else {
                    return Err(StoreMapError::Form(format!(
                        "the store of `{agreement}` is not a string"
                    )));
                };
                let pattern = agreement.strip_suffix('*').unwrap_or(agreement);
                if pattern.is_empty() || pattern.contains('*') {
                    return Err(StoreMapError::Form(format!(
                        "`{agreement}` is neither an agreement id nor a prefix ending in `*`"
                    )));
                }
                let url = url.parse().map_err(|source| StoreMapError::Url {
                    agreement: agreement.clone(),
                    source,
                })?;
                agreements.push((agreement.clone(), url));
            }
        }
        Ok(StoreMap { agreements })
    }

    /// The store of `agreement`: the one its id names, else the one of the longest prefix
    /// that matches it; `None` when the map names neither (the server's own store).
    pub fn store_for(&self, agreement: &str) -> Option<&StoreUrl> {
        self.position_for(agreement)
            .and_then(|at| self.agreements.get(at))
            .map(|(_, url)| url)
    }

    /// Where in [`StoreMap::agreements`] the store of `agreement` is (see
    /// [`StoreMap::store_for`]).
    pub fn position_for(&self, agreement: &str) -> Option<usize> {
        position_for(
            self.agreements.iter().map(|(key, _)| key.as_str()),
            agreement,
        )
    }
}

/// Among `keys` (agreement ids, or prefixes ending in `*`), the position of the one that
/// names `agreement`: its id, else the longest matching prefix.
pub fn position_for<'a>(keys: impl Iterator<Item = &'a str>, agreement: &str) -> Option<usize> {
    let mut best: Option<(usize, usize)> = None;
    for (at, key) in keys.enumerate() {
        match key.strip_suffix('*') {
            None if key == agreement => return Some(at),
            Some(prefix)
                if agreement.starts_with(prefix)
                    && best.is_none_or(|(_, len)| prefix.len() > len) =>
            {
                best = Some((at, prefix.len()));
            }
            _ => {}
        }
    }
    best.map(|(at, _)| at)
}

/// Opens (creating if needed) the embedded SQLite file with the settings every Accord
/// table relies on: write-ahead log, `synchronous=FULL` (an acknowledged commit survives a
/// power cut), foreign keys on, and a busy timeout so that concurrent processes wait
/// instead of failing.
pub fn open_sqlite(path: &std::path::Path) -> rusqlite::Result<rusqlite::Connection> {
    let conn = rusqlite::Connection::open(path)?;
    conn.busy_timeout(std::time::Duration::from_secs(30))?;
    conn.pragma_update(None, "journal_mode", "WAL")?;
    conn.pragma_update(None, "synchronous", "FULL")?;
    conn.pragma_update(None, "foreign_keys", "ON")?;
    Ok(conn)
}

/// Opens the embedded SQLite file read-only, creating nothing: no database, no `-wal` or
/// `-shm` file, and the file's bytes are left as they were. The file must exist.
///
/// While a `-wal` file exists (a writer has the store open, or one stopped without
/// cleaning up) the connection shares it and its index as any reader does, so it sees every
/// committed write. Without one, nothing is committed outside the main file, and the file is
/// opened `immutable`: SQLite then takes no locks and makes no shared-memory index. A
/// writer that starts during the read writes to a new `-wal` file this connection does not
/// see; only a checkpoint copying a large WAL back into the main file in the middle of a
/// read could be seen half done, and the ledger's verified reads refuse what does not
/// verify.
pub fn open_sqlite_read_only(path: &std::path::Path) -> rusqlite::Result<rusqlite::Connection> {
    use rusqlite::OpenFlags;
    let mut wal = path.as_os_str().to_owned();
    wal.push("-wal");
    let immutable = !std::path::Path::new(&wal).exists();
    let uri = format!(
        "file:{}?mode=ro{}",
        uri_path(&path.to_string_lossy()),
        if immutable { "&immutable=1" } else { "" }
    );
    let flags = OpenFlags::SQLITE_OPEN_READ_ONLY
        | OpenFlags::SQLITE_OPEN_URI
        | OpenFlags::SQLITE_OPEN_NO_MUTEX;
    let conn = rusqlite::Connection::open_with_flags(uri, flags)?;
    conn.busy_timeout(std::time::Duration::from_secs(30))?;
    Ok(conn)
}

/// A path as the path of a `file:` URI: the characters a URI gives a meaning to escaped.
fn uri_path(path: &str) -> String {
    let mut out = String::with_capacity(path.len());
    for c in path.chars() {
        match c {
            '%' | '?' | '#' => out.push_str(&format!("%{:02X}", c as u32)),
            c => out.push(c),
        }
    }
    out
}

/// Connects to PostgreSQL, over TLS as the URL's `sslmode` asks (see [`crate::SslMode`]).
pub fn connect_postgres(url: &str) -> Result<postgres::Client, crate::StoreError> {
    let (config, tls) = crate::tls::postgres_target(url)?;
    Ok(config.connect(tls)?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_both_back_ends_and_refuses_others() {
        assert_eq!(
            "sqlite:/tmp/a.db".parse::<StoreUrl>().unwrap(),
            StoreUrl::Sqlite("/tmp/a.db".into())
        );
        assert_eq!(
            "postgresql://u@h/db".parse::<StoreUrl>().unwrap(),
            StoreUrl::Postgres("postgresql://u@h/db".into())
        );
        for bad in ["", "sqlite:", "mysql://x", "accord.db"] {
            let err = bad.parse::<StoreUrl>().unwrap_err();
            assert!(err.to_string().contains("sqlite:PATH"), "{err}");
        }
    }

    #[test]
    fn a_store_map_names_agreements_by_id_then_by_longest_prefix() {
        let map = StoreMap::parse(
            "[agreements]\n\"eu-*\" = \"postgres://h/a\"\n\"eu-arms-*\" = \"postgres://h/b\"\n\"eu-arms-1\" = \"sqlite:c.db\"\n",
        )
        .unwrap();
        let at = |a: &str| map.store_for(a).map(ToString::to_string);
        assert_eq!(at("eu-arms-1").as_deref(), Some("sqlite:c.db"));
        assert_eq!(at("eu-arms-2").as_deref(), Some("postgres://h/b"));
        assert_eq!(at("eu-trade").as_deref(), Some("postgres://h/a"));
        assert_eq!(at("un-1"), None);
        for bad in [
            "agreements = 1",
            "[stores]\na = \"sqlite:x\"",
            "[agreements]\na = 1",
            "[agreements]\n\"*\" = \"sqlite:x\"",
            "[agreements]\n\"a*b\" = \"sqlite:x\"",
            "[agreements]\na = \"mysql://x\"",
            "not toml",
        ] {
            assert!(StoreMap::parse(bad).is_err(), "{bad}");
        }
        assert_eq!(StoreMap::parse("").unwrap(), StoreMap::default());
    }

    #[test]
    fn sqlite_file_opens_in_wal_mode() {
        let dir = std::env::temp_dir().join(format!("accord-url-test-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let conn = open_sqlite(&dir.join("s.db")).unwrap();
        let mode: String = conn
            .pragma_query_value(None, "journal_mode", |row| row.get(0))
            .unwrap();
        assert_eq!(mode, "wal");
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
