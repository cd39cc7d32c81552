//! Ledger results: receipts, proofs in the line format `accord tlog` reads, audits.

use std::fmt::Write as _;

use accord_app::ledger::{Consistency, Inclusion, Streamed};
use accord_ledger::checkpoint::{encode_hash, encode_hex};
use accord_ledger::merkle::Hash;
use accord_store::ledger::{AuditReport, Receipt};

/// `appended #INDEX ID` (or `duplicate …` when the entry was already logged).
pub fn receipt(receipt: &Receipt, id: &Hash) -> String {
    let verb = if receipt.duplicate {
        "duplicate"
    } else {
        "appended"
    };
    format!("{verb} #{} {}", receipt.index, encode_hex(id))
}

fn proof(hashes: &[Hash]) -> String {
    hashes.iter().map(encode_hash).collect::<Vec<_>>().join(",")
}

/// An inclusion proof as `index`, `size`, `leaf-hash`, `root`, `proof` lines.
pub fn inclusion(p: &Inclusion) -> String {
    format!(
        "index {}\nsize {}\nleaf-hash {}\nroot {}\nproof {}\n",
        p.index,
        p.size,
        encode_hash(&p.leaf_hash),
        encode_hash(&p.root),
        proof(&p.proof)
    )
}

/// A consistency proof as `old-size`, `new-size`, `old-root`, `new-root`, `proof` lines.
pub fn consistency(p: &Consistency) -> String {
    format!(
        "old-size {}\nnew-size {}\nold-root {}\nnew-root {}\nproof {}\n",
        p.old_size,
        p.new_size,
        encode_hash(&p.old_root),
        encode_hash(&p.new_root),
        proof(&p.proof)
    )
}

/// What an audit found (every finding, then the summary), and whether it was clean.
pub fn audit(report: &AuditReport) -> String {
    let mut out = String::new();
    for finding in &report.findings {
        let _ = writeln!(out, "{finding}");
    }
    let _ = write!(
        out,
        "audited {} entries and {} checkpoints of `{}`",
        report.entries, report.checkpoints, report.origin,
    );
    if report.outside > 0 {
        let _ = write!(out, ", against {} held elsewhere", report.outside);
    }
    let _ = writeln!(out, ": root {}", encode_hash(&report.root));
    if report.is_clean() {
        out.push_str("no tampering found\n");
    }
    out
}

/// The line an audit that found problems ends with (on the error stream).
pub fn audit_problems(report: &AuditReport) -> String {
    format!(
        "{} problem(s) found: the log was altered outside Accord",
        report.findings.len()
    )
}

/// One line of a stream of appends: on standard output (`Ok`) or the error stream (`Err`).
pub fn streamed(event: &Streamed) -> Result<String, String> {
    match event {
        Streamed::Appended { receipt: r, id } => Ok(receipt(r, id)),
        Streamed::Checkpoint { size, root } => {
            Ok(format!("checkpoint {size} {}", encode_hash(root)))
        }
        Streamed::Malformed { line, message } => {
            Err(format!("line {line}: malformed entry: {message}"))
        }
        Streamed::Refused { line, error } => Err(format!("line {line}: {error}")),
    }
}
