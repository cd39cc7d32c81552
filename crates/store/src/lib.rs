//! Persistence for Accord: the embedded SQLite store and PostgreSQL.
