//! One module per group of subcommands: each owns its clap arguments and adapters that
//! call `accord-app`, print what `accord-render` makes of the result, and return the exit
//! code (or a report, rendered once by `main`).

pub mod check;
pub mod evaluate;
pub mod key;
pub mod ledger;
pub mod lists;
pub mod play;
pub mod screen;
pub mod status;
pub mod tlog;
