//! Errors as text: a whole chain of causes on one line, and an invalid agreement's
//! diagnostics.

use accord_app::agreements::Invalid;

/// An error and its causes, joined by `: ` (for one-line reports).
pub fn chain(error: &dyn std::error::Error) -> String {
    let mut out = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        let text = cause.to_string();
        // Transparent wrappers repeat their cause's words: say them once.
        if !out.ends_with(&text) {
            out.push_str(": ");
            out.push_str(&text);
        }
        source = cause.source();
    }
    out
}

/// The errors of agreement texts that do not pass their checks, as `accord check` shows
/// them.
pub fn invalid_agreements(files: &[Invalid]) -> String {
    files
        .iter()
        .map(|f| accord_spec::render_text(&f.name, &f.source, &f.errors))
        .collect()
}
