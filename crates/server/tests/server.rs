//! `accord serve` over real HTTP on loopback, on SQLite and on PostgreSQL: a server
//! started on a fresh store holding a played scenario, a sample list and a log to write
//! to, and a client that talks to it as each role.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, missing_docs)]

mod server {
    pub mod agreements_write;
    pub mod as_of;
    pub mod bad_input;
    pub mod batch;
    pub mod browser;
    pub mod cluster;
    pub mod harness;
    pub mod list_uploads;
    pub mod matrix;
    pub mod openapi;
    pub mod ops;
    pub mod played;
    pub mod policy;
    pub mod read;
    pub mod replicas;
    pub mod screening;
    pub mod sealed;
    pub mod search;
    pub mod status;
    pub mod support;
    pub mod tiles;
    pub mod webhooks;
    pub mod write;
}
