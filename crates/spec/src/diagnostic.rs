//! Diagnostics: what is wrong with an agreement file, where (a byte span), and what to do.
//!
//! A [`Diagnostic`] is a `miette::Diagnostic` (code, severity, help, one labelled span) so
//! that the CLI and, later, the server can render it however they like. This module also
//! owns the two renderings the issue fixes: the compiler-style text
//! (`file:line:col: error: message`, a caret snippet, a help line) and the stable JSON array.
//!
//! INVARIANT: every span is a byte range into the source the diagnostic was produced from,
//! with `start <= end <= source.len()` and both ends on `char` boundaries ([`SourceMap`]
//! clamps defensively anyway, so rendering never panics).

use std::fmt::Write as _;
use std::ops::Range;

/// How serious a diagnostic is: errors make `accord check` fail, warnings do not.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Severity {
    /// The file is not a valid agreement.
    Error,
    /// The file is valid but something looks unintended.
    Warning,
}

impl Severity {
    /// `error` or `warning`.
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Error => "error",
            Severity::Warning => "warning",
        }
    }
}

/// One problem found in an agreement file.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct Diagnostic {
    /// Error or warning.
    pub severity: Severity,
    /// A stable code, e.g. `accord::unknown_key`, documented in `docs/agreement-format.md`.
    pub code: &'static str,
    /// What is wrong, in plain words (lowercase, no final period, input in backticks).
    pub message: String,
    /// Where, as a byte range into the source.
    pub span: Range<usize>,
    /// A short note shown under the caret.
    pub label: Option<String>,
    /// What to do about it.
    pub help: Option<String>,
}

impl Diagnostic {
    /// An error with `code` and `message` at `span`.
    pub fn error(code: &'static str, span: Range<usize>, message: impl Into<String>) -> Self {
        Self {
            severity: Severity::Error,
            code,
            message: message.into(),
            span,
            label: None,
            help: None,
        }
    }

    /// A warning with `code` and `message` at `span`.
    pub fn warning(code: &'static str, span: Range<usize>, message: impl Into<String>) -> Self {
        Self {
            severity: Severity::Warning,
            ..Self::error(code, span, message)
        }
    }

    /// Adds a help line.
    #[must_use]
    pub fn with_help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }

    /// Adds a label under the caret.
    #[must_use]
    pub fn with_label(mut self, label: impl Into<String>) -> Self {
        self.label = Some(label.into());
        self
    }

    /// Whether this is an error (as opposed to a warning).
    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }
}

impl miette::Diagnostic for Diagnostic {
    fn code<'a>(&'a self) -> Option<Box<dyn std::fmt::Display + 'a>> {
        Some(Box::new(self.code))
    }

    fn severity(&self) -> Option<miette::Severity> {
        Some(match self.severity {
            Severity::Error => miette::Severity::Error,
            Severity::Warning => miette::Severity::Warning,
        })
    }

    fn help<'a>(&'a self) -> Option<Box<dyn std::fmt::Display + 'a>> {
        self.help
            .as_ref()
            .map(|h| Box::new(h) as Box<dyn std::fmt::Display>)
    }

    fn labels(&self) -> Option<Box<dyn Iterator<Item = miette::LabeledSpan> + '_>> {
        let span = miette::SourceSpan::from(self.span.start..self.span.end);
        Some(Box::new(std::iter::once(
            miette::LabeledSpan::new_with_span(self.label.clone(), span),
        )))
    }
}

/// A 1-based line and column (columns count characters, not bytes).
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub struct LineCol {
    /// The line, from 1.
    pub line: usize,
    /// The column in characters, from 1.
    pub column: usize,
}

/// Maps byte offsets of one source text to lines and columns.
#[derive(Debug, Clone)]
pub struct SourceMap<'a> {
    source: &'a str,
    line_starts: Vec<usize>,
}

impl<'a> SourceMap<'a> {
    /// Indexes the line starts of `source`.
    pub fn new(source: &'a str) -> Self {
        let mut line_starts = vec![0];
        line_starts.extend(
            source
                .bytes()
                .enumerate()
                .filter(|(_, b)| *b == b'\n')
                .map(|(i, _)| i + 1),
        );
        Self {
            source,
            line_starts,
        }
    }

    /// Moves `offset` into the source and back onto a `char` boundary.
    fn clamp(&self, offset: usize) -> usize {
        let mut offset = offset.min(self.source.len());
        while !self.source.is_char_boundary(offset) {
            offset -= 1;
        }
        offset
    }

    fn line_index(&self, offset: usize) -> usize {
        match self.line_starts.binary_search(&offset) {
            Ok(i) => i,
            Err(i) => i.saturating_sub(1),
        }
    }

    /// The line and column of a byte offset.
    pub fn line_col(&self, offset: usize) -> LineCol {
        let offset = self.clamp(offset);
        let line = self.line_index(offset);
        let start = self.line_starts.get(line).copied().unwrap_or(0);
        let column = self
            .source
            .get(start..offset)
            .map_or(0, |s| s.chars().count())
            + 1;
        LineCol {
            line: line + 1,
            column,
        }
    }

    /// The text of a line (1-based), without its line break.
    pub fn line_text(&self, line: usize) -> &'a str {
        let Some(start) = line
            .checked_sub(1)
            .and_then(|i| self.line_starts.get(i))
            .copied()
        else {
            return "";
        };
        let end = self
            .line_starts
            .get(line)
            .map_or(self.source.len(), |next| next - 1);
        self.source
            .get(start..end.max(start))
            .unwrap_or("")
            .trim_end_matches('\r')
    }
}

/// Renders diagnostics the way a compiler does:
///
/// ```text
/// agreement.toml:12:1: error: unknown key `monitr` in a verification protocol
///    |
/// 12 | monitr = ["iaea"]
///    | ^^^^^^ not a key here
///    |
///    = help: did you mean `monitors`?
/// ```
pub fn render_text(file: &str, source: &str, diagnostics: &[Diagnostic]) -> String {
    let map = SourceMap::new(source);
    let mut out = String::new();
    for d in diagnostics {
        render_one(&mut out, file, &map, d);
    }
    out
}

fn render_one(out: &mut String, file: &str, map: &SourceMap<'_>, d: &Diagnostic) {
    let start = map.line_col(d.span.start);
    let end = map.line_col(d.span.end);
    let _ = writeln!(
        out,
        "{file}:{}:{}: {}: {} [{}]",
        start.line,
        start.column,
        d.severity.as_str(),
        d.message,
        d.code
    );
    let text = map.line_text(start.line);
    let gutter = start.line.to_string().len();
    let pad = " ".repeat(gutter);
    // Tabs are shown as one space each so that the carets line up with what is shown.
    let shown: String = text
        .chars()
        .map(|c| if c == '\t' { ' ' } else { c })
        .collect();
    let line_chars = shown.chars().count();
    let caret_start = start.column.saturating_sub(1).min(line_chars);
    let caret_end = if end.line == start.line {
        end.column.saturating_sub(1)
    } else {
        line_chars
    };
    let width = caret_end.saturating_sub(caret_start).max(1);
    let _ = writeln!(out, "{pad} |");
    let _ = writeln!(out, "{} | {shown}", start.line);
    let label = d
        .label
        .as_deref()
        .map(|l| format!(" {l}"))
        .unwrap_or_default();
    let _ = writeln!(
        out,
        "{pad} | {}{}{label}",
        " ".repeat(caret_start),
        "^".repeat(width)
    );
    if let Some(help) = &d.help {
        let _ = writeln!(out, "{pad} |");
        let _ = writeln!(out, "{pad} = help: {help}");
    }
    out.push('\n');
}

/// One diagnostic as `accord check --format json` prints it: a stable shape.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct JsonDiagnostic {
    /// The file, as named on the command line.
    pub file: String,
    /// The line of the span's start, from 1.
    pub line: usize,
    /// The column of the span's start, in characters from 1.
    pub column: usize,
    /// The line of the span's end.
    pub end_line: usize,
    /// The column of the span's end (exclusive).
    pub end_column: usize,
    /// `error` or `warning`.
    pub severity: Severity,
    /// The stable code.
    pub code: String,
    /// The message.
    pub message: String,
    /// The help line, if any.
    pub help: Option<String>,
}

/// The JSON form of diagnostics for one file.
pub fn to_json(file: &str, source: &str, diagnostics: &[Diagnostic]) -> Vec<JsonDiagnostic> {
    let map = SourceMap::new(source);
    diagnostics
        .iter()
        .map(|d| {
            let start = map.line_col(d.span.start);
            let end = map.line_col(d.span.end);
            JsonDiagnostic {
                file: file.to_owned(),
                line: start.line,
                column: start.column,
                end_line: end.line,
                end_column: end.column,
                severity: d.severity,
                code: d.code.to_owned(),
                message: d.message.clone(),
                help: d.help.clone(),
            }
        })
        .collect()
}

/// The closest of `candidates` to `word`, if one is close enough to be a likely typo.
pub fn suggest<'c>(word: &str, candidates: impl IntoIterator<Item = &'c str>) -> Option<&'c str> {
    let mut best: Option<(f64, &str)> = None;
    for c in candidates {
        let score = strsim::jaro_winkler(&word.to_lowercase(), &c.to_lowercase());
        if score >= 0.8 && best.is_none_or(|(s, _)| score > s) {
            best = Some((score, c));
        }
    }
    best.map(|(_, c)| c)
}

/// `did you mean `x`?` for the closest candidate, or `fallback`.
pub fn did_you_mean<'c>(
    word: &str,
    candidates: impl IntoIterator<Item = &'c str> + Clone,
    fallback: impl FnOnce(Vec<&'c str>) -> String,
) -> String {
    match suggest(word, candidates.clone()) {
        Some(s) => format!("did you mean `{s}`?"),
        None => fallback(candidates.into_iter().collect()),
    }
}

/// `a`, `b` or `c` for a help line.
pub fn one_of(items: &[&str]) -> String {
    let quoted: Vec<String> = items.iter().map(|i| format!("`{i}`")).collect();
    match quoted.split_last() {
        None => String::new(),
        Some((last, [])) => last.clone(),
        Some((last, rest)) => format!("{} or {last}", rest.join(", ")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn columns_count_characters_and_lines_start_at_one() {
        let map = SourceMap::new("a = 1\nnamé = \"x\"\n");
        assert_eq!(map.line_col(0), LineCol { line: 1, column: 1 });
        assert_eq!(map.line_col(6), LineCol { line: 2, column: 1 });
        // `=` after `namé`: 5 bytes in, 4 characters in
        assert_eq!(map.line_col(12), LineCol { line: 2, column: 6 });
        assert_eq!(map.line_text(2), "namé = \"x\"");
        assert_eq!(map.line_text(9), "");
        // past the end and inside a character: clamped, no panic
        assert_eq!(map.line_col(10_000).line, 3);
        assert_eq!(map.line_col(10).column, 4);
    }

    #[test]
    fn suggestions_are_close_or_absent() {
        assert_eq!(suggest("monitr", ["monitors", "methods"]), Some("monitors"));
        assert_eq!(suggest("zzz", ["monitors", "methods"]), None);
    }
}
