//! Checking versions of one agreement as a chain: amendments (DESIGN §2, "Amendment").
//!
//! `accord check v1.toml v2.toml` reads each file on its own, then groups the files by
//! agreement id and checks each group as a chain: no version given twice, each version
//! amending the one before, taking effect no earlier than it. Problems are reported against
//! the later file, where the fix belongs. What one file can say about itself (`amends` is
//! `version - 1`, an amendment is signed by the authority and the target) is checked by
//! `validate` for every file.

use std::collections::BTreeMap;

use accord_core::agreement::Agreement;

use crate::diagnostic::Diagnostic;
use crate::read::Draft;
use crate::validate::{compare, fixed_events};

/// Checks lowered versions of one agreement, in any order, for consistency: the same id,
/// versions 1..n without gaps or repeats. Returns what is wrong, in plain words.
///
/// ```
/// let v1 = accord_spec::parse(accord_spec::STARTER).agreement.unwrap();
/// let mut v3 = v1.clone();
/// v3.version = 3;
/// assert_eq!(accord_spec::check_chain(&[v1.clone()]), Vec::<String>::new());
/// assert_eq!(accord_spec::check_chain(&[v1, v3]).len(), 1);
/// ```
pub fn check_chain(versions: &[Agreement]) -> Vec<String> {
    let mut problems = Vec::new();
    let Some(first) = versions.first() else {
        return problems;
    };
    for v in versions {
        if v.id != first.id {
            problems.push(format!(
                "version {} is of agreement `{}`, not `{}`",
                v.version, v.id, first.id
            ));
        }
    }
    let mut numbers: Vec<u32> = versions.iter().map(|v| v.version).collect();
    numbers.sort_unstable();
    for (i, n) in numbers.iter().enumerate() {
        let want = u32::try_from(i + 1).unwrap_or(u32::MAX);
        if *n != want {
            problems.push(format!(
                "the versions are {numbers:?}: expected every version from 1 to {}",
                numbers.len()
            ));
            break;
        }
    }
    problems
}

/// Cross-file checks, as diagnostics keyed by the index of the file they belong to.
pub(crate) fn check_drafts(drafts: &[Option<Draft>]) -> Vec<(usize, Vec<Diagnostic>)> {
    let mut out: BTreeMap<usize, Vec<Diagnostic>> = BTreeMap::new();
    let mut by_id: BTreeMap<String, Vec<(usize, &Draft)>> = BTreeMap::new();
    for (i, d) in drafts.iter().enumerate() {
        if let Some(d) = d
            && let Some(h) = &d.header
        {
            by_id
                .entry(h.id.get_ref().to_string())
                .or_default()
                .push((i, d));
        }
    }
    let several_files = drafts.len() > 1;
    for (id, mut group) in by_id {
        group.sort_by_key(|(i, d)| (d.header.as_ref().map_or(0, |h| *h.version.get_ref()), *i));
        let mut previous: Option<(usize, &Draft)> = None;
        for (i, d) in &group {
            let Some(h) = &d.header else { continue };
            let version = *h.version.get_ref();
            if let Some((_, p)) = previous
                && let Some(ph) = &p.header
            {
                let pv = *ph.version.get_ref();
                if pv == version {
                    out.entry(*i).or_default().push(
                        Diagnostic::error(
                            "accord::version_chain",
                            h.version.span(),
                            format!("version {version} of `{id}` is given twice"),
                        )
                        .with_help("each version of an agreement has its own number: amendments count up from the version they amend"),
                    );
                } else if pv + 1 == version {
                    // The amendment takes effect no earlier than the version it amends.
                    let fixed = fixed_events(d);
                    if compare(&h.effective.value, &ph.effective.value, &fixed)
                        .is_some_and(|o| o.is_lt())
                    {
                        out.entry(*i).or_default().push(
                            Diagnostic::error(
                                "accord::version_chain",
                                h.effective.span.clone(),
                                format!(
                                    "version {version} of `{id}` takes effect before version {pv}, which it amends"
                                ),
                            )
                            .with_help("an amendment applies from its effective date, which must not precede the version it amends"),
                        );
                    }
                } else if let Some(amends) = &h.amends {
                    out.entry(*i).or_default().push(
                        Diagnostic::warning(
                            "accord::version_chain",
                            amends.span(),
                            format!(
                                "version {version} of `{id}` amends version {}, which is not among the files checked (version {pv} is)",
                                amends.get_ref()
                            ),
                        )
                        .with_help("check every version of the chain together: `accord check v1.toml v2.toml v3.toml`"),
                    );
                }
            } else if version > 1
                && several_files
                && let Some(amends) = &h.amends
            {
                out.entry(*i).or_default().push(
                    Diagnostic::warning(
                        "accord::version_chain",
                        amends.span(),
                        format!(
                            "version {version} of `{id}` amends version {}, which is not among the files checked",
                            amends.get_ref()
                        ),
                    )
                    .with_help("check the versions of an agreement together, so that the chain is checked too"),
                );
            }
            previous = Some((*i, d));
        }
        for (i, diagnostic) in zone_changed(&id, &group) {
            out.entry(i).or_default().push(diagnostic);
        }
    }
    out.into_iter().collect()
}

/// Every later version that names another zone than the lowest version checked: a
/// warning, since the first version's zone governs every version (the
/// engine counts days in it), so the amendment's zone would be silently ignored.
fn zone_changed(id: &str, group: &[(usize, &Draft)]) -> Vec<(usize, Diagnostic)> {
    let Some(((_, first), later)) = group.split_first() else {
        return Vec::new();
    };
    let Some(h1) = first.header.as_ref() else {
        return Vec::new();
    };
    let utc = |z: &Option<String>| z.clone().unwrap_or_else(|| "UTC".to_owned());
    later.iter().filter_map(|(i, d)| {
        let h = d.header.as_ref()?;
        if h.version.get_ref() == h1.version.get_ref() || utc(&h.zone) == utc(&h1.zone) {
            return None;
        }
        let span = h.zone_span.clone().unwrap_or_else(|| h.span.clone());
        let diagnostic = Diagnostic::warning(
            "accord::zone_changed",
            span,
            format!(
                "version {} of `{id}` counts its days in `{}`, but version {} counts them in `{}`: the first version's zone governs every version, so this one is not used",
                h.version.get_ref(),
                utc(&h.zone),
                h1.version.get_ref(),
                utc(&h1.zone)
            ),
        )
        .with_help(match &h1.zone {
            Some(z) => format!("write `zone = \"{z}\"` here as in version {}, or leave `zone` out", h1.version.get_ref()),
            None => format!("leave `zone` out, as version {} does (its days are UTC days)", h1.version.get_ref()),
        });
        Some((*i, diagnostic))
    }).collect()
}
