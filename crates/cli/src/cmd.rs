//! One module per subcommand. Each owns its clap arguments and a `run` function that
//! returns the process exit code, or a `miette::Report` rendered once by `main`.

pub mod check;
pub mod demo;
pub mod evaluate;
pub mod explain;
pub mod init;
pub mod key;
pub mod ledger;
pub mod lists;
pub mod note;
pub mod play;
pub mod schema;
pub mod screen;
pub mod status;
pub mod timeline;
pub mod tlog;
