//! `accord report` and `accord verify` (issue #15): a public report written from a store
//! into a new directory, and a report bundle (or split-view evidence) checked offline.

use std::path::PathBuf;
use std::process::ExitCode;

use accord_app::report::Request;
use accord_app::time::parse_as_of;

use crate::args::StoreArg;
use crate::fail::OrReport as _;

#[derive(Debug, clap::Args)]
#[command(
    after_help = "Example:\n  accord report arden-nuclear-2026 --as-of 2027-01-01 --out reports/2027-01\n  accord report arden-nuclear-2026 --as-of 2027-04-01 --out reports/2027-04 --previous reports/2027-01\n  accord verify reports/2027-04"
)]
pub struct ReportArgs {
    /// The agreement's id (its texts registered in the store).
    #[arg(value_name = "AGREEMENT")]
    agreement: String,
    /// The instant the report is as of: an RFC 3339 instant, a local time with its zone,
    /// or a date (the end of that day in the agreement's zone; UTC when it names none).
    #[arg(long, value_name = "INSTANT")]
    as_of: String,
    /// The directory to write (new, or empty).
    #[arg(long, value_name = "DIR")]
    out: PathBuf,
    /// The previous report's directory: the changes since, and the consistency proof from
    /// its checkpoint.
    #[arg(long, value_name = "DIR")]
    previous: Option<PathBuf>,
    /// A witness policy (C2SP tlog-policy): the report then rests on a checkpoint witnessed
    /// under it, and the bundle carries it.
    #[arg(long, value_name = "FILE")]
    policy: Option<PathBuf>,
    /// Also write the openings of the sealed entries (their salts and contents) to FILE,
    /// a new file outside DIR: for entitled readers to re-run the report's attested state
    /// (`accord verify DIR --openings FILE`). Never part of the public bundle.
    #[arg(long, value_name = "FILE")]
    openings: Option<PathBuf>,
    #[command(flatten)]
    store: StoreArg,
}

#[derive(Debug, clap::Args)]
pub struct VerifyArgs {
    /// A report's directory, or a split-view evidence file.
    #[arg(value_name = "PATH")]
    path: PathBuf,
    /// The log key you know the log by (`name+hex8+base64`); the bundle's own otherwise.
    #[arg(long, value_name = "VKEY")]
    log_key: Option<String>,
    /// The openings file of the report (from `accord report --openings`): the attested
    /// state is then re-run on the open and opened entries and compared byte for byte.
    #[arg(long, value_name = "FILE")]
    openings: Option<PathBuf>,
}

pub fn report(args: ReportArgs) -> miette::Result<ExitCode> {
    let as_of = parse_as_of(&args.as_of).or_report()?;
    let policy = args
        .policy
        .as_ref()
        .map(|p| accord_app::read_text("witness policy", p))
        .transpose()
        .or_report()?;
    let store = args.store.existing()?;
    let as_of = accord_app::time::registered_as_of(&store, &args.agreement, as_of).or_report()?;
    let built = accord_app::report::build(
        &store,
        &Request {
            agreement: &args.agreement,
            as_of,
            previous: args.previous.as_deref(),
            policy: policy.as_deref(),
        },
    )
    .or_report()?;
    if let Some(path) = &args.openings {
        accord_app::report::check_openings_path(path, &args.out).or_report()?;
    }
    accord_app::report::write(&args.out, &built.bundle).or_report()?;
    if let Some(path) = &args.openings {
        accord_app::report::write_openings(path, &args.out, &built.openings).or_report()?;
        println!(
            "wrote {} openings of sealed entries to {} (for entitled readers only: do not publish it)",
            built.openings.openings.len(),
            path.display()
        );
    }
    print!(
        "{}",
        accord_render::report::written(
            &args.out.display().to_string(),
            built.size,
            built.bundle.files.len()
        )
    );
    Ok(ExitCode::SUCCESS)
}

pub fn verify(args: VerifyArgs) -> miette::Result<ExitCode> {
    if args.path.is_file() {
        return evidence(&args);
    }
    let verification = accord_app::report::verify_with(
        &args.path,
        args.log_key.as_deref(),
        args.openings.as_deref(),
    )
    .or_report()?;
    print!("{}", accord_render::report::verification(&verification));
    Ok(if verification.is_ok() {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}

fn evidence(args: &VerifyArgs) -> miette::Result<ExitCode> {
    let text = accord_app::read_text("split-view evidence", &args.path).or_report()?;
    let trusted = args
        .log_key
        .as_deref()
        .map(accord_app::keys::verifier_key)
        .transpose()
        .or_report()?;
    match accord_app::report::split_view(&text, trusted.as_slice()) {
        Ok(finding) => {
            println!("split-view evidence verified: {finding}");
            Ok(ExitCode::SUCCESS)
        }
        Err(problem) => {
            println!("NOT VERIFIED: {problem}");
            Ok(ExitCode::FAILURE)
        }
    }
}
