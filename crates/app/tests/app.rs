//! The use cases of `accord-app`, called as the server will call them: through the library,
//! on a real SQLite file and a real PostgreSQL schema, no process spawned.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

#[path = "app/support.rs"]
mod support;

#[path = "app/evaluations.rs"]
mod evaluations;
#[path = "app/example.rs"]
mod example;
#[path = "app/flags.rs"]
mod flags;
#[path = "app/ledger.rs"]
mod ledger;
#[path = "app/play.rs"]
mod play;
#[path = "app/report.rs"]
mod report;
#[path = "app/screen.rs"]
mod screen;
#[path = "app/status.rs"]
mod status;
