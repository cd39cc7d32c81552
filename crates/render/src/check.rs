//! `accord check`'s reports: every diagnostic as `file:line:col` with its snippet and help
//! (or as JSON), a line per file, and the totals.

use accord_spec::{Diagnostic, FileReport, JsonDiagnostic, Severity};

/// A file that could not be read: its name and why.
pub type Unreadable = (String, String);

fn count(diagnostics: &[Diagnostic]) -> (usize, usize) {
    let e = diagnostics.iter().filter(|d| d.is_error()).count();
    (e, diagnostics.len() - e)
}

/// How many errors, unreadable files included.
pub fn errors(unreadable: &[Unreadable], reports: &[FileReport]) -> usize {
    unreadable.len()
        + reports
            .iter()
            .map(|r| count(&r.checked.diagnostics).0)
            .sum::<usize>()
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

/// Every diagnostic of every file as JSON (an array; unreadable files first).
pub fn json(unreadable: &[Unreadable], reports: &[FileReport]) -> String {
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
    for r in reports {
        all.extend(accord_spec::to_json(
            &r.name,
            &r.source,
            &r.checked.diagnostics,
        ));
    }
    crate::pretty(&all)
}

/// Every diagnostic of every file as text (for the error stream).
pub fn diagnostics(unreadable: &[Unreadable], reports: &[FileReport]) -> String {
    let mut out = String::new();
    for (file, why) in unreadable {
        out.push_str(&format!(
            "{file}: error: cannot read the file: {why} [accord::io]\n\n"
        ));
    }
    for r in reports {
        out.push_str(&accord_spec::render_text(
            &r.name,
            &r.source,
            &r.checked.diagnostics,
        ));
    }
    out
}

/// One line per file: `ok: …` or `failed: …`, with counts.
pub fn summary(reports: &[FileReport]) -> String {
    let mut out = String::new();
    for r in reports {
        let (e, w) = count(&r.checked.diagnostics);
        let what = r.checked.agreement.as_ref().map_or(String::new(), |a| {
            format!(" (agreement `{}`, version {})", a.id, a.version)
        });
        if e == 0 {
            out.push_str(&format!("ok: {}{what}{}\n", r.name, plural(w, "warning")));
        } else {
            out.push_str(&format!(
                "failed: {}: {}{}\n",
                r.name,
                plural_n(e, "error"),
                plural(w, "warning")
            ));
        }
    }
    out
}

/// The closing line when there are errors.
pub fn totals(n_errors: usize, n_files: usize) -> String {
    format!(
        "accord check: {} in {} file{}",
        plural_n(n_errors, "error"),
        n_files,
        if n_files == 1 { "" } else { "s" }
    )
}
