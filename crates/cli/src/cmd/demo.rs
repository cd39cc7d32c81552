//! `accord demo`: plays the bundled scenarios into an embedded store in a temporary
//! directory and prints their timelines, then which states of the evaluation's vocabulary
//! the scenarios reached together.
//!
//! The scenarios and their agreements are compiled into the binary, so the demo runs from
//! any directory with nothing to install and leaves nothing behind (unless `--keep`).

use std::path::PathBuf;
use std::process::ExitCode;

use accord_store::StoreUrl;
use miette::{IntoDiagnostic as _, WrapErr as _};

/// Arguments of `accord demo`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Keep the store in this directory instead of a temporary one (it must not hold the
    /// demo's logs already).
    #[arg(long, value_name = "DIR")]
    pub keep: Option<PathBuf>,
}

/// A bundled file: where it goes under the demo directory, and its text.
struct Bundled {
    path: &'static str,
    text: &'static str,
}

const FILES: &[Bundled] = &[
    Bundled {
        path: "nuclear-caps.toml",
        text: include_str!("../../../../examples/nuclear-caps.toml"),
    },
    Bundled {
        path: "licence-elections.toml",
        text: include_str!("../../../../examples/licence-elections.toml"),
    },
    Bundled {
        path: "licence-elections-v2.toml",
        text: include_str!("../../../../examples/licence-elections-v2.toml"),
    },
    Bundled {
        path: "sectoral-two-jurisdictions.toml",
        text: include_str!("../../../../examples/sectoral-two-jurisdictions.toml"),
    },
    Bundled {
        path: "scenarios/nuclear-caps.toml",
        text: include_str!("../../../../examples/scenarios/nuclear-caps.toml"),
    },
    Bundled {
        path: "scenarios/licence-snapback.toml",
        text: include_str!("../../../../examples/scenarios/licence-snapback.toml"),
    },
    Bundled {
        path: "scenarios/sectoral-dispute.toml",
        text: include_str!("../../../../examples/scenarios/sectoral-dispute.toml"),
    },
    Bundled {
        path: "staged-lifting.toml",
        text: include_str!("../../../../examples/staged-lifting.toml"),
    },
    Bundled {
        path: "scenarios/staged-lifting.toml",
        text: include_str!("../../../../examples/scenarios/staged-lifting.toml"),
    },
];

/// The scenarios played, in order.
const SCENARIOS: &[&str] = &[
    "scenarios/nuclear-caps.toml",
    "scenarios/licence-snapback.toml",
    "scenarios/sectoral-dispute.toml",
    "scenarios/staged-lifting.toml",
];

/// Runs `accord demo`.
pub fn run(args: Args) -> miette::Result<ExitCode> {
    let temp;
    let dir = match &args.keep {
        Some(dir) => {
            std::fs::create_dir_all(dir)
                .into_diagnostic()
                .wrap_err_with(|| format!("cannot create `{}`", dir.display()))?;
            dir.clone()
        }
        None => {
            temp = tempfile::tempdir().into_diagnostic()?;
            temp.path().to_path_buf()
        }
    };
    for file in FILES {
        let path = dir.join(file.path);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).into_diagnostic()?;
        }
        std::fs::write(&path, file.text)
            .into_diagnostic()
            .wrap_err_with(|| format!("cannot write `{}`", path.display()))?;
    }
    let store = StoreUrl::Sqlite(dir.join("accord.db"));
    println!(
        "Accord demo: playing {} bundled scenario(s) into {store}\n",
        SCENARIOS.len()
    );
    let mut reached = accord_core::engine::coverage::Coverage::default();
    for scenario in SCENARIOS {
        let played = super::play::play(&dir.join(scenario), &store, None)?;
        println!("{}", super::play::render(&played));
        reached.merge(&played.coverage);
    }
    println!(
        "Across the {} scenarios — {}",
        SCENARIOS.len(),
        super::play::render_coverage(&reached)
    );
    if args.keep.is_some() {
        println!("The store and the files are kept in {}.", dir.display());
    }
    Ok(ExitCode::SUCCESS)
}
