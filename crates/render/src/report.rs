//! `accord report` and `accord verify` as text: what was written, and every check a
//! verification made, failed ones named with what does not hold.

use std::fmt::Write as _;

use accord_app::witnessing::{Outcome, Witnessing};
use accord_report::Verification;

/// What `accord report` prints once the bundle is written.
pub fn written(dir: &str, size: u64, files: usize) -> String {
    format!(
        "Wrote the report into {dir}: index.html, report.json and its bundle ({files} files, a log prefix of {size} entries).\nAnyone can check it offline: accord verify {dir}\n"
    )
}

/// Every check of a verification, one per line, then the verdict.
pub fn verification(v: &Verification) -> String {
    let mut out = String::new();
    for check in &v.checks {
        match &check.problem {
            None => {
                let _ = writeln!(out, "ok       {}: {}", check.part, check.what);
            }
            Some(problem) => {
                let _ = writeln!(out, "MISMATCH {}: {} — {problem}", check.part, check.what);
            }
        }
    }
    let failed = v.failed_parts();
    if v.is_ok() {
        let _ = writeln!(out, "verified: {} checks passed", v.checks.len());
    } else {
        let parts: Vec<String> = failed.iter().map(ToString::to_string).collect();
        let _ = writeln!(
            out,
            "NOT VERIFIED: {} of {} checks failed, in {}",
            v.failures().count(),
            v.checks.len(),
            parts.join(", ")
        );
    }
    out
}

/// What `accord ledger witness` prints: each witness's answer, the verdict, and the
/// checkpoint with its cosignatures.
pub fn witnessing(round: &Witnessing) -> String {
    let mut out = format!(
        "Checkpoint of `{}` at size {} sent to the witnesses:\n",
        round.origin, round.size
    );
    for (name, outcome) in &round.witnesses {
        let said = match outcome {
            Outcome::Cosigned(at) => format!("cosigned (timestamp {at})"),
            Outcome::AlreadyCosigned => "had cosigned it before".to_owned(),
            Outcome::Refused(status, body) => format!("refused: HTTP {status} {}", body.trim()),
            Outcome::Ahead(size) => format!(
                "says it cosigned size {size}, larger than this log: entries were lost, or it was shown another log"
            ),
            Outcome::Failed(why) => format!("could not be asked: {why}"),
            Outcome::NoUrl => "has no submission URL in the policy".to_owned(),
        };
        let _ = writeln!(out, "  {name}: {said}");
    }
    match &round.witnessed {
        Ok(()) => out.push_str("Witnessed under the policy.\n"),
        Err(why) => {
            let _ = writeln!(out, "NOT witnessed under the policy: {why}");
        }
    }
    out.push('\n');
    out.push_str(&round.cosigned);
    out
}
