//! The report as one self-contained HTML page: no script, no external resource; the
//! score as inline SVG bars (with `role="img"` and a title), tables for the rest, and a
//! print stylesheet so that it prints as a document.
//!
//! INVARIANT: every text from the agreement or the log is escaped ([`escape`]).

use std::fmt::Write as _;

use crate::document::{Change, Report, Status};
use crate::score::{Level, ThemeScore};

const STYLE: &str = "body{font-family:system-ui,sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem;color:#111}
table{border-collapse:collapse;width:100%;margin:.5rem 0 1.5rem}th,td{border:1px solid #bbb;padding:.25rem .5rem;text-align:left;vertical-align:top}
th{background:#eee}code{font-size:.9em;word-break:break-all}.muted{color:#555}
.not_started{fill:#b2182b}.minimal{fill:#ef8a62}.intermediate{fill:#67a9cf}.complete{fill:#2166ac}
@media print{body{max-width:none;margin:0;font-size:10pt}h2{break-after:avoid}table,svg{break-inside:avoid}a{color:inherit;text-decoration:none}}";

/// Escapes text for HTML content and attribute values.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

fn row(out: &mut String, cells: &[String]) {
    out.push_str("<tr>");
    for cell in cells {
        let _ = write!(out, "<td>{cell}</td>");
    }
    out.push_str("</tr>\n");
}

fn head(out: &mut String, names: &[&str]) {
    out.push_str("<table><thead><tr>");
    for name in names {
        let _ = write!(out, "<th>{name}</th>");
    }
    out.push_str("</tr></thead><tbody>\n");
}

fn lines(items: &[String]) -> String {
    items
        .iter()
        .map(|i| escape(i))
        .collect::<Vec<_>>()
        .join("<br>")
}

/// Stacked bars, one per theme: how many of its commitments are at each level.
pub fn chart(themes: &[ThemeScore]) -> String {
    let bar = 18;
    let height = 30 + themes.len() * (bar + 8);
    let mut out = format!(
        "<svg role=\"img\" aria-labelledby=\"chart-title\" width=\"640\" height=\"{height}\" viewBox=\"0 0 640 {height}\" xmlns=\"http://www.w3.org/2000/svg\"><title id=\"chart-title\">Commitments by theme and level of implementation</title>\n"
    );
    for (i, theme) in themes.iter().enumerate() {
        let y = 4 + i * (bar + 8);
        let total: usize = theme.counts.iter().sum::<usize>().max(1);
        let _ = write!(
            out,
            "<text x=\"0\" y=\"{}\" font-size=\"12\">{}</text>",
            y + 13,
            escape(&theme.theme)
        );
        let mut x = 180.0;
        for (level, count) in Level::ALL.iter().zip(theme.counts) {
            let w = 440.0 * count as f64 / total as f64;
            if count > 0 {
                let _ = write!(
                    out,
                    "<rect class=\"{level}\" x=\"{x:.1}\" y=\"{y}\" width=\"{w:.1}\" height=\"{bar}\"><title>{level}: {count}</title></rect>"
                );
            }
            x += w;
        }
        out.push('\n');
    }
    let y = height - 8;
    let mut x = 180;
    for level in Level::ALL {
        let _ = write!(
            out,
            "<rect class=\"{level}\" x=\"{x}\" y=\"{}\" width=\"10\" height=\"10\"/><text x=\"{}\" y=\"{y}\" font-size=\"11\">{level}</text>",
            y - 9,
            x + 14
        );
        x += 110;
    }
    out.push_str("</svg>\n");
    out
}

fn statuses(out: &mut String, title: &str, items: &[Status]) {
    let _ = writeln!(out, "<h2>{title}</h2>");
    head(out, &["id", "title", "status", "why"]);
    for s in items {
        row(
            out,
            &[
                format!("<code>{}</code>", escape(&s.id)),
                escape(&s.title),
                escape(&s.status),
                lines(&s.why),
            ],
        );
    }
    out.push_str("</tbody></table>\n");
}

fn summary(out: &mut String, r: &Report) {
    let witnessed = if r.log.witnessed_by.is_empty() {
        "no witness policy".to_owned()
    } else {
        let names: Vec<String> = r.log.witnessed_by.iter().map(|(w, _)| escape(w)).collect();
        names.join(", ")
    };
    head(out, &["", ""]);
    let pairs = [
        (
            "Agreement",
            format!(
                "<code>{}</code> version {}",
                escape(&r.agreement),
                r.version
            ),
        ),
        ("Status", escape(&r.agreement_status)),
        ("As of", r.as_of.to_string()),
        ("Log", format!("<code>{}</code>", escape(&r.log.origin))),
        (
            "Checkpoint",
            format!(
                "size {}, root <code>{}</code>",
                r.log.size,
                escape(&r.log.root)
            ),
        ),
        ("Witnessed by", witnessed),
        (
            "Entries read",
            format!(
                "{} open, {} confidential (counted, not read)",
                r.log.read, r.log.sealed
            ),
        ),
        ("Engine", escape(&r.engine)),
    ];
    for (k, v) in pairs {
        row(out, &[k.to_owned(), v]);
    }
    out.push_str("</tbody></table>\n");
}

fn score(out: &mut String, r: &Report) {
    out.push_str("<h2>Implementation</h2>\n");
    out.push_str(&chart(&r.score.themes));
    head(
        out,
        &[
            "theme",
            "level",
            "previous",
            "commitments (not started / minimal / intermediate / complete)",
        ],
    );
    for t in &r.score.themes {
        let [a, b, c, d] = t.counts;
        let previous = t.previous.map_or("—".to_owned(), |l| l.to_string());
        row(
            out,
            &[
                escape(&t.theme),
                t.level.to_string(),
                previous,
                format!("{a} / {b} / {c} / {d}"),
            ],
        );
    }
    out.push_str("</tbody></table>\n");
    head(
        out,
        &[
            "commitment",
            "themes",
            "level",
            "previous",
            "indicators met",
        ],
    );
    for c in &r.score.commitments {
        let previous = c.previous.map_or("—".to_owned(), |l| l.to_string());
        row(
            out,
            &[
                format!("<code>{}</code> {}", escape(&c.id), escape(&c.title)),
                escape(&c.themes.join(", ")),
                c.level.to_string(),
                previous,
                format!("{} of {}", c.met, c.indicators),
            ],
        );
    }
    out.push_str("</tbody></table>\n");
}

fn changes(out: &mut String, changes: &[Change]) {
    out.push_str("<h2>Since the previous report</h2>\n");
    head(out, &["what", "before", "after", "why"]);
    for c in changes {
        let or_dash = |s: &Option<String>| s.as_deref().map_or("—".to_owned(), escape);
        row(
            out,
            &[
                format!("{} <code>{}</code>", escape(&c.subject), escape(&c.id)),
                or_dash(&c.before),
                or_dash(&c.after),
                lines(&c.why),
            ],
        );
    }
    out.push_str("</tbody></table>\n");
}

fn departures_and_evidence(out: &mut String, r: &Report) {
    out.push_str("<h2>Departures from the evaluation</h2>\n");
    head(
        out,
        &["entry", "decision", "stated reason", "why", "set aside"],
    );
    for d in &r.departures {
        row(
            out,
            &[
                format!("#{}", d.entry),
                format!("{} {}", escape(&d.act), escape(&d.relief)),
                escape(&d.stated_reason),
                lines(&d.why),
                if d.set_aside { "yes" } else { "no" }.into(),
            ],
        );
    }
    out.push_str("</tbody></table>\n<h2>Confidential evidence</h2>\n");
    let _ = writeln!(
        out,
        "<p>{} sealed entries are counted by their salted commitments; their contents are not published, and the evaluation in this report does not read them: it is what the public log shows.</p>",
        r.confidential.len()
    );
    head(out, &["entry", "kind", "recorded", "commitment"]);
    for s in &r.confidential {
        row(
            out,
            &[
                format!("#{}", s.entry),
                escape(&s.kind),
                s.recorded_at.to_string(),
                format!("<code>{}</code>", s.commitment),
            ],
        );
    }
    out.push_str("</tbody></table>\n<h2>Entries set aside</h2>\n");
    head(out, &["entry", "why"]);
    for (entry, why) in &r.rejected {
        row(out, &[format!("#{entry}"), escape(why)]);
    }
    out.push_str("</tbody></table>\n");
}

/// The attested state, where it differs from the public one: each verdict with the sealed
/// entries it depends on.
fn attested(out: &mut String, r: &Report) {
    let Some(a) = &r.attested else {
        return;
    };
    out.push_str("<h2>Attested with confidential evidence</h2>\n");
    let _ = writeln!(
        out,
        "<p>Everything else on this page is the <strong>public state</strong>: the evaluation of the open entries, which anyone can re-run. The operator also evaluated the log with the contents of {} sealed entries (its <strong>attested state</strong>, SHA-256 <code>{}</code>). Where the two differ, the attested verdict is below, with the sealed entries it depends on; it is verifiable by holders of the openings (<code>accord verify DIR --openings FILE</code>), and binds the operator to what was sealed.</p>",
        a.opened.len(),
        escape(&a.state_sha256)
    );
    if a.differences.is_empty() {
        out.push_str("<p>The attested state gives the same verdicts as the public state.</p>\n");
        return;
    }
    head(
        out,
        &["what", "public state", "attested state", "depends on"],
    );
    for d in &a.differences {
        let commitments: Vec<String> = d
            .depends_on
            .iter()
            .map(|x| format!("#{} <code>{}</code>", x.entry, escape(&x.commitment)))
            .collect();
        row(
            out,
            &[
                format!("{} <code>{}</code>", escape(&d.subject), escape(&d.id)),
                escape(&d.public),
                format!("<strong>{}</strong>", escape(&d.attested)),
                format!(
                    "depends on {} sealed entries (commitments {}); verifiable by holders of the openings",
                    d.depends_on.len(),
                    commitments.join(", ")
                ),
            ],
        );
    }
    out.push_str("</tbody></table>\n");
}

/// The page (`index.html`).
pub fn page(r: &Report) -> Vec<u8> {
    let mut out = String::new();
    let title = escape(&r.title);
    let _ = write!(
        out,
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>{title} — report as of {}</title>\n<style>\n{STYLE}\n</style>\n</head>\n<body>\n<h1>{title}</h1>\n<p class=\"muted\">Public report as of {}. Check it offline with <code>accord verify</code> on this directory.</p>\n",
        r.as_of, r.as_of
    );
    summary(&mut out, r);
    attested(&mut out, r);
    score(&mut out, r);
    statuses(&mut out, "Phases", &r.phases);
    statuses(&mut out, "Relief", &r.relief);
    if r.previous.is_some() {
        changes(&mut out, &r.changes);
    }
    departures_and_evidence(&mut out, r);
    out.push_str("</body>\n</html>\n");
    out.into_bytes()
}
