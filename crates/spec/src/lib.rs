//! The agreement file format: parsing with spans, validation, diagnostics, JSON Schema.
//!
//! An agreement is a TOML file a policy officer reads and reviews in version control
//! (reference: `docs/agreement-format.md`). This crate reads it with the byte span of every
//! value, checks it the way a careful reviewer would (DESIGN §3), and lowers it to the core
//! model ([`accord_core::agreement::Agreement`]) that the engine evaluates.
//!
//! - [`parse`] reads one file's text: the agreement (when there is no error) and every
//!   diagnostic, errors and warnings, in source order. It never stops at the first problem.
//! - [`check_files`] reads several files as raw bytes (size limit, UTF-8) and checks them
//!   as a chain of versions when they are versions of one agreement.
//! - [`condition`] is the condition language of phase entries and triggers, and date rules.
//! - [`schema`] is the JSON Schema of the format; [`STARTER`] the commented starter file.
//!
//! Nothing here prints or touches files: the CLI reads bytes and renders diagnostics with
//! [`render_text`] or [`to_json`].
//!
//! INVARIANT: no input makes this crate panic or recurse without bound: TOML nesting is
//! bounded by the `toml` crate, conditions by [`condition::MAX_DEPTH`], files by
//! [`MAX_FILE_SIZE`]. The parser is fuzzed (`fuzz/fuzz_targets/spec_parse.rs`).

mod chain;
pub mod condition;
mod diagnostic;
mod keys;
mod read;
mod reader;
pub mod schema;
mod validate;

use accord_core::agreement::Agreement;

pub use chain::check_chain;
pub use diagnostic::{
    Diagnostic, JsonDiagnostic, LineCol, Severity, SourceMap, did_you_mean, render_text, to_json,
};

/// The largest agreement file accepted: 16 MiB. Real agreements are tens of kilobytes;
/// anything near this size is a mistake (a wrong file) or an attack on whoever checks it.
pub const MAX_FILE_SIZE: usize = 16 * 1024 * 1024;

/// The commented starter agreement `accord init` writes. It passes `accord check`.
pub const STARTER: &str = include_str!("starter.toml");

/// One file's result.
#[derive(Debug, Clone)]
pub struct Checked {
    /// The agreement, when the file has no errors (warnings allowed).
    pub agreement: Option<Agreement>,
    /// Every problem found, errors and warnings, in source order.
    pub diagnostics: Vec<Diagnostic>,
}

impl Checked {
    /// Whether any diagnostic is an error.
    pub fn has_errors(&self) -> bool {
        self.diagnostics.iter().any(Diagnostic::is_error)
    }
}

/// Parses and validates one agreement file's text.
///
/// ```
/// let checked = accord_spec::parse(accord_spec::STARTER);
/// assert!(!checked.has_errors(), "{:?}", checked.diagnostics);
/// assert!(checked.agreement.is_some());
/// let broken = accord_spec::parse("[agreement]\nid = 7\n");
/// assert!(broken.has_errors());
/// ```
pub fn parse(source: &str) -> Checked {
    let (checked, _) = parse_draft(source);
    checked
}

pub(crate) fn parse_draft(source: &str) -> (Checked, Option<read::Draft>) {
    let mut ctx = reader::Ctx::new(source);
    let (root, errors) = toml::de::DeTable::parse_recoverable(source);
    if !errors.is_empty() {
        for e in errors {
            let span = e.span().unwrap_or(0..0);
            ctx.push(
                Diagnostic::error("accord::toml", span, toml_message(e.message()))
                    .with_help("the file is not valid TOML: see https://toml.io for the syntax"),
            );
        }
        return (finish(ctx, None), None);
    }
    let root_span = root.span();
    let root = root.into_inner();
    let draft = read::read(&mut ctx, &root, root_span);
    validate::validate(&mut ctx, &draft);
    ctx.check_uses();
    let agreement = if ctx.has_errors() {
        None
    } else {
        read::lower(&draft)
    };
    (finish(ctx, agreement), Some(draft))
}

fn toml_message(m: &str) -> String {
    let m = m.trim().trim_end_matches('.');
    let mut chars = m.chars();
    match chars.next() {
        Some(c) => c.to_lowercase().chain(chars).collect(),
        None => "invalid TOML".into(),
    }
}

fn finish(ctx: reader::Ctx<'_>, agreement: Option<Agreement>) -> Checked {
    let mut diagnostics = ctx.diagnostics;
    diagnostics.sort_by(|a, b| {
        (a.span.start, a.span.end, a.severity).cmp(&(b.span.start, b.span.end, b.severity))
    });
    diagnostics.dedup();
    Checked {
        agreement,
        diagnostics,
    }
}

/// One file given to [`check_files`] and its result.
#[derive(Debug, Clone)]
pub struct FileReport {
    /// The file's name, as given.
    pub name: String,
    /// Its text (invalid UTF-8 replaced, so that diagnostics can be shown in it).
    pub source: String,
    /// The result.
    pub checked: Checked,
}

/// Checks one file's raw bytes: size, UTF-8, then [`parse`]. Returns the text the
/// diagnostics refer to (invalid UTF-8 replaced) and the result.
pub fn check_bytes(bytes: &[u8]) -> (String, Checked) {
    let (source, checked, _) = check_bytes_draft(bytes);
    (source, checked)
}

fn check_bytes_draft(bytes: &[u8]) -> (String, Checked, Option<read::Draft>) {
    if bytes.len() > MAX_FILE_SIZE {
        let checked = Checked {
            agreement: None,
            diagnostics: vec![Diagnostic::error(
                "accord::too_large",
                0..0,
                format!(
                    "the file is {} bytes, more than the {} MiB an agreement may be",
                    bytes.len(),
                    MAX_FILE_SIZE / (1024 * 1024)
                ),
            )
            .with_help("is this the right file? agreements are text of a few hundred kilobytes at most")],
        };
        return (String::new(), checked, None);
    }
    match std::str::from_utf8(bytes) {
        Ok(source) => {
            let (mut checked, draft) = parse_draft(source);
            if let Some(agreement) = checked.agreement.as_mut() {
                agreement.document_sha256 = Some(sha256_hex(bytes));
            }
            (source.to_owned(), checked, draft)
        }
        Err(e) => {
            let at = e.valid_up_to();
            let source = String::from_utf8_lossy(bytes).into_owned();
            let bad = bytes.get(at).copied().unwrap_or(0);
            let checked = Checked {
                agreement: None,
                diagnostics: vec![Diagnostic::error(
                    "accord::utf8",
                    at..at,
                    format!("the file is not UTF-8: byte {at} (0x{bad:02x}) does not start a character"),
                )
                .with_help("save the file as UTF-8 (agreements are plain text)")],
            };
            (source, checked, None)
        }
    }
}

/// Checks several files: each on its own, then, when they declare the same agreement id,
/// as a chain of versions (increasing versions, each amending the one before, signed by
/// parties). Chain problems are reported against the later version's file.
pub fn check_files(files: &[(String, Vec<u8>)]) -> Vec<FileReport> {
    let (mut reports, drafts) = check_each(files);
    add_chain_diagnostics(&mut reports, &drafts);
    reports
}

/// Checks files as [`check_files`] does, each agreement's chain taken together with the
/// versions `registered` gives for its id (the texts a store registered, say): so that an
/// amendment checked alone is still checked against the versions before it (the chain,
/// and whether it names another `zone` than the first version). Only the files' reports
/// are returned: a registered version is context, not checked for itself, and one with the
/// same number as a file checked is left out (the file is what is being checked).
///
/// ```
/// let v1 = accord_spec::STARTER.as_bytes().to_vec();
/// let v2 = accord_spec::STARTER
///     .replacen("version = 1\n", "version = 2\namends = 1\nzone = \"Asia/Tokyo\"\n", 1);
/// let files = [("v2.toml".to_owned(), v2.into_bytes())];
/// let reports = accord_spec::check_files_against(&files, |_id| {
///     Ok::<_, std::convert::Infallible>(vec![("v1.toml".to_owned(), v1.clone())])
/// })
/// .unwrap();
/// assert_eq!(reports.len(), 1);
/// assert!(reports[0].checked.diagnostics.iter().any(|d| d.code == "accord::zone_changed"));
/// ```
pub fn check_files_against<E>(
    files: &[(String, Vec<u8>)],
    mut registered: impl FnMut(&str) -> Result<Vec<(String, Vec<u8>)>, E>,
) -> Result<Vec<FileReport>, E> {
    let (mut reports, mut drafts) = check_each(files);
    let given: std::collections::BTreeSet<(String, u32)> =
        drafts.iter().flatten().filter_map(draft_version).collect();
    let ids: std::collections::BTreeSet<String> = given.iter().map(|(id, _)| id.clone()).collect();
    for id in ids {
        for (_, bytes) in registered(&id)? {
            let (_, _, draft) = check_bytes_draft(&bytes);
            let Some(draft) = draft else { continue };
            // Another agreement's text, or a version the files give: not context.
            match draft_version(&draft) {
                Some(key) if key.0 == id && !given.contains(&key) => drafts.push(Some(draft)),
                _ => {}
            }
        }
    }
    add_chain_diagnostics(&mut reports, &drafts);
    Ok(reports)
}

/// A draft's agreement id and version number, when its header was read.
fn draft_version(draft: &read::Draft) -> Option<(String, u32)> {
    let h = draft.header.as_ref()?;
    Some((h.id.get_ref().to_string(), *h.version.get_ref()))
}

/// Each file checked on its own: its report, and its draft for the checks across files.
fn check_each(files: &[(String, Vec<u8>)]) -> (Vec<FileReport>, Vec<Option<read::Draft>>) {
    let mut reports = Vec::new();
    let mut drafts = Vec::new();
    for (name, bytes) in files {
        let (source, checked, draft) = check_bytes_draft(bytes);
        drafts.push(draft);
        reports.push(FileReport {
            name: name.clone(),
            source,
            checked,
        });
    }
    (reports, drafts)
}

/// The chain's diagnostics added to the reports of the files they belong to (drafts
/// beyond the reports are context: what is found of them is not reported).
fn add_chain_diagnostics(reports: &mut [FileReport], drafts: &[Option<read::Draft>]) {
    for (i, diags) in chain::check_drafts(drafts) {
        if let Some(r) = reports.get_mut(i) {
            r.checked.diagnostics.extend(diags);
            if r.checked.has_errors() {
                r.checked.agreement = None;
            }
        }
    }
}

/// SHA-256 of an agreement file's bytes, lowercase hex: the text an amendment signature
/// names (the store registers versions by the same hash).
pub fn sha256_hex(bytes: &[u8]) -> String {
    use sha2::Digest as _;
    sha2::Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}
