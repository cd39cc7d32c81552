//! `accord check` (issue #2): validate agreement files and report every problem with
//! `file:line:col`, a caret snippet and a help line, or as JSON.
//!
//! Exit status: 1 when any file has an error (or cannot be read), 0 otherwise — warnings
//! are printed but do not fail the check. Files that are versions of one agreement are also
//! checked as a chain of amendments.

use std::io::Read as _;
use std::path::PathBuf;
use std::process::ExitCode;

use accord_spec::{Diagnostic, JsonDiagnostic, MAX_FILE_SIZE, Severity};

/// Arguments of `accord check`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Agreement files to check (versions of one agreement are also checked as a chain).
    #[arg(required = true, value_name = "FILE")]
    files: Vec<PathBuf>,
    /// How to report: `text` (for people) or `json` (an array of diagnostics).
    #[arg(long, value_enum, default_value_t = Format::Text)]
    format: Format,
}

/// Output formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
enum Format {
    /// `file:line:col: error: message`, a caret snippet and a help line.
    Text,
    /// A JSON array of `{file, line, column, end_line, end_column, severity, code, message, help}`.
    Json,
}

/// Reads at most one byte more than the limit, so that a huge file is refused without being
/// loaded.
fn read_limited(path: &PathBuf) -> std::io::Result<Vec<u8>> {
    let file = std::fs::File::open(path)?;
    let mut bytes = Vec::new();
    file.take(MAX_FILE_SIZE as u64 + 1)
        .read_to_end(&mut bytes)?;
    Ok(bytes)
}

/// Runs `accord check`.
pub fn run(args: Args) -> miette::Result<ExitCode> {
    let mut inputs = Vec::new();
    let mut unreadable = Vec::new();
    for path in &args.files {
        let name = path.display().to_string();
        match read_limited(path) {
            Ok(bytes) => inputs.push((name, bytes)),
            Err(e) => unreadable.push((name, e.to_string())),
        }
    }
    let reports = accord_spec::check_files(&inputs);
    let n_errors = unreadable.len()
        + reports
            .iter()
            .map(|r| count(&r.checked.diagnostics).0)
            .sum::<usize>();
    match args.format {
        Format::Json => {
            let mut all: Vec<JsonDiagnostic> = unreadable
                .iter()
                .map(|(file, why)| JsonDiagnostic {
                    file: file.clone(),
                    line: 1,
                    column: 1,
                    end_line: 1,
                    end_column: 1,
                    severity: Severity::Error,
                    code: "accord::io".into(),
                    message: format!("cannot read the file: {why}"),
                    help: Some("check the path".into()),
                })
                .collect();
            for r in &reports {
                all.extend(accord_spec::to_json(
                    &r.name,
                    &r.source,
                    &r.checked.diagnostics,
                ));
            }
            let text = serde_json::to_string_pretty(&all)
                .map_err(|e| miette::miette!("cannot write JSON: {e}"))?;
            println!("{text}");
        }
        Format::Text => {
            for (file, why) in &unreadable {
                eprintln!("{file}: error: cannot read the file: {why} [accord::io]\n");
            }
            for r in &reports {
                eprint!(
                    "{}",
                    accord_spec::render_text(&r.name, &r.source, &r.checked.diagnostics)
                );
            }
            for r in &reports {
                let (e, w) = count(&r.checked.diagnostics);
                let what = r.checked.agreement.as_ref().map_or(String::new(), |a| {
                    format!(" (agreement `{}`, version {})", a.id, a.version)
                });
                if e == 0 {
                    println!("ok: {}{what}{}", r.name, plural(w, "warning"));
                } else {
                    println!(
                        "failed: {}: {}{}",
                        r.name,
                        plural_n(e, "error"),
                        plural(w, "warning")
                    );
                }
            }
            if n_errors > 0 {
                eprintln!(
                    "accord check: {} in {} file{}",
                    plural_n(n_errors, "error"),
                    args.files.len(),
                    if args.files.len() == 1 { "" } else { "s" }
                );
            }
        }
    }
    Ok(if n_errors > 0 {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    })
}

fn count(diagnostics: &[Diagnostic]) -> (usize, usize) {
    let e = diagnostics.iter().filter(|d| d.is_error()).count();
    (e, diagnostics.len() - e)
}

fn plural_n(n: usize, what: &str) -> String {
    format!("{n} {what}{}", if n == 1 { "" } else { "s" })
}

fn plural(n: usize, what: &str) -> String {
    if n == 0 {
        String::new()
    } else {
        format!(", {}", plural_n(n, what))
    }
}
