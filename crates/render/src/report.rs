//! `accord report` and `accord verify` as text: what was written, and every check a
//! verification made, failed ones named with what does not hold.

use std::fmt::Write as _;

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
