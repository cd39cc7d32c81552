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

/// The error for a subcommand whose issue has not landed yet: says so plainly rather than
/// pretending to work.
#[allow(dead_code)] // for subcommands still to land
pub fn not_built(what: &str, issue: u32) -> miette::Report {
    miette::miette!(
        code = "accord::not_built",
        help = format!("see issue #{issue} in the tracker"),
        "`accord {what}` is not built yet"
    )
}
