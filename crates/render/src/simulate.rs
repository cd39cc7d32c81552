//! A simulation (`accord simulate`, issue #16): the summary table printed on the terminal,
//! and the SVG charts written to `--out` — a histogram and survival curves of the date each
//! phase is reached, and the tornado of the sensitivity analysis. Hand-written SVG: bars and
//! polylines need no chart library, and the files have a `<title>` and `role="img"`.

use std::fmt::Write as _;

use accord_simulate::Simulation;
use accord_simulate::sensitivity::Bar;

use crate::table::table;

/// Percent with one decimal.
fn pct(share: f64) -> String {
    format!("{:.1}%", share * 100.0)
}

/// The summary printed on the terminal.
pub fn summary(sim: &Simulation) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "{} (version {}): {} runs, seed {}, {} from {} to {}{}",
        sim.agreement,
        sim.version,
        sim.runs,
        sim.seed,
        sim.horizon,
        sim.start,
        sim.last,
        sim.model
            .as_ref()
            .map(|t| format!(" — {t}"))
            .unwrap_or_default()
    );
    out.push_str("\nWhen each phase is reached (dates; `-` where fewer runs reach it)\n");
    let rows: Vec<Vec<String>> = sim
        .distributions
        .phases
        .iter()
        .map(|p| {
            let mut row = vec![p.id.clone()];
            row.extend(p.quantiles.iter().map(|q| crate::or_dash(q.date)));
            row.push(pct(p.never));
            row
        })
        .collect();
    out.push_str(&table(
        &["phase", "p10", "p25", "median", "p75", "p90", "never"],
        &rows,
    ));
    triggers(&mut out, sim);
    relief(&mut out, sim);
    friction(&mut out, sim);
    proportionality(&mut out, sim);
    tornado(&mut out, sim);
    out
}

fn triggers(out: &mut String, sim: &Simulation) {
    let Some(first) = sim.distributions.triggers.first() else {
        return;
    };
    out.push_str("\nChance each trigger has fired by the end of each year\n");
    let mut header = vec!["trigger".to_owned()];
    header.extend((1..=first.by_year.len()).map(|y| format!("y{y}")));
    let rows: Vec<Vec<String>> = sim
        .distributions
        .triggers
        .iter()
        .map(|t| {
            std::iter::once(t.id.clone())
                .chain(t.by_year.iter().map(|s| pct(*s)))
                .collect()
        })
        .collect();
    let header: Vec<&str> = header.iter().map(String::as_str).collect();
    out.push_str(&table(&header, &rows));
}

fn relief(out: &mut String, sim: &Simulation) {
    out.push_str("\nRelief-days per run\n");
    let rows: Vec<Vec<String>> = sim
        .distributions
        .relief
        .iter()
        .map(|r| {
            vec![
                r.action.clone(),
                r.jurisdiction.clone(),
                format!("{:.0}", r.mean_days),
                r.p10.to_string(),
                r.p50.to_string(),
                r.p90.to_string(),
            ]
        })
        .collect();
    out.push_str(&table(
        &["action", "jurisdiction", "mean", "p10", "median", "p90"],
        &rows,
    ));
    let rows: Vec<Vec<String>> = sim
        .distributions
        .jurisdictions
        .iter()
        .map(|j| vec![j.jurisdiction.clone(), format!("{:.0}", j.mean_days)])
        .collect();
    out.push_str(&table(
        &["jurisdiction", "mean relief-days (all its actions)"],
        &rows,
    ));
}

fn friction(out: &mut String, sim: &Simulation) {
    let f = &sim.distributions.friction;
    let _ = writeln!(
        out,
        "\nDisputes: {:.1} per run, {:.0} days open per run, in {} of runs. Periods contested: {}, unverified: {}.",
        f.disputes_per_run,
        f.dispute_days_per_run,
        pct(f.runs_with_disputes),
        pct(f.contested),
        pct(f.unverified)
    );
    if f.rejected_entries > 0 {
        let _ = writeln!(
            out,
            "The engine refused {} drawn entries (steps whose conditions no longer held when recorded).",
            f.rejected_entries
        );
    }
}

fn proportionality(out: &mut String, sim: &Simulation) {
    out.push_str(
        "\nProportionality: declared weights against relief earned on thin verification\n",
    );
    let rows: Vec<Vec<String>> = sim
        .proportionality
        .iter()
        .map(|w| {
            vec![
                w.action.clone(),
                w.phase.clone(),
                format!("{}", w.relief_weight),
                crate::or_dash(w.verification_weight),
                pct(w.reached),
                pct(w.thin),
            ]
        })
        .collect();
    out.push_str(&table(
        &[
            "action",
            "phase",
            "relief weight",
            "verification weight",
            "reached",
            "on thin verification",
        ],
        &rows,
    ));
}

fn tornado(out: &mut String, sim: &Simulation) {
    let Some(s) = &sim.sensitivity else { return };
    let _ = writeln!(
        out,
        "\nSensitivity ({} runs per setting): mean days to the last phase {:.0}, snapback {}",
        s.runs,
        s.base.days_to_last_phase,
        pct(s.base.snapback)
    );
    let rows: Vec<Vec<String>> = s
        .bars
        .iter()
        .take(10)
        .map(|b| {
            vec![
                b.parameter.clone(),
                format!("{} → {}", short(b.low), short(b.high)),
                format!(
                    "{:.0} → {:.0}",
                    b.at_low.days_to_last_phase, b.at_high.days_to_last_phase
                ),
                format!("{} → {}", pct(b.at_low.snapback), pct(b.at_high.snapback)),
            ]
        })
        .collect();
    out.push_str(&table(
        &["parameter", "low → high", "days to last phase", "snapback"],
        &rows,
    ));
}

fn short(x: f64) -> String {
    let s = format!("{x:.3}");
    s.trim_end_matches('0').trim_end_matches('.').to_owned()
}

/// Escapes text for SVG.
fn esc(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// An SVG document of `width` × `height` with a title.
fn svg(width: u32, height: u32, title: &str, body: &str) -> String {
    format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{width}\" height=\"{height}\" viewBox=\"0 0 {width} {height}\" role=\"img\" font-family=\"sans-serif\" font-size=\"11\">\n<title>{}</title>\n<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n{body}</svg>\n",
        esc(title)
    )
}

/// Distinct colours for series.
const COLOURS: [&str; 6] = [
    "#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#8c564b",
];

/// One histogram per phase of the date it is reached, stacked vertically.
pub fn histogram_svg(sim: &Simulation) -> String {
    let (w, panel) = (640u32, 110u32);
    let phases = &sim.distributions.phases;
    let mut body = String::new();
    for (n, p) in phases.iter().enumerate() {
        let top = 30 + panel * n as u32;
        let max = p.histogram.iter().copied().max().unwrap_or(0).max(1);
        let bar_w = 560.0 / p.histogram.len().max(1) as f64;
        let _ = writeln!(
            body,
            "<text x=\"40\" y=\"{}\">{} — never reached in {}</text>",
            top - 4,
            esc(&p.id),
            pct(p.never)
        );
        for (i, count) in p.histogram.iter().enumerate() {
            let h = 80.0 * f64::from(*count) / f64::from(max);
            let _ = writeln!(
                body,
                "<rect x=\"{:.1}\" y=\"{:.1}\" width=\"{:.1}\" height=\"{h:.1}\" fill=\"{}\"><title>{count} runs</title></rect>",
                40.0 + bar_w * i as f64,
                f64::from(top) + 80.0 - h,
                (bar_w - 1.0).max(0.5),
                COLOURS.get(n % COLOURS.len()).copied().unwrap_or("black")
            );
        }
        axis(&mut body, sim, top + 80);
    }
    let height = 40 + panel * phases.len().max(1) as u32;
    svg(
        w,
        height,
        &format!(
            "{}: when each phase is reached over {} runs",
            sim.agreement, sim.runs
        ),
        &body,
    )
}

/// The time axis under a panel: the start, the middle and the last day.
fn axis(body: &mut String, sim: &Simulation, y: u32) {
    let _ = writeln!(
        body,
        "<line x1=\"40\" y1=\"{y}\" x2=\"600\" y2=\"{y}\" stroke=\"black\"/>"
    );
    let mid = sim
        .start
        .checked_add(jiff::Span::new().days((sim.last - sim.start).get_days() / 2))
        .unwrap_or(sim.start);
    for (x, d, anchor) in [
        (40, sim.start, "start"),
        (320, mid, "middle"),
        (600, sim.last, "end"),
    ] {
        let _ = writeln!(
            body,
            "<text x=\"{x}\" y=\"{}\" text-anchor=\"{anchor}\">{d}</text>",
            y + 12
        );
    }
}

/// The survival curves: the share of runs in which each phase is not yet reached, month by
/// month.
pub fn survival_svg(sim: &Simulation) -> String {
    let mut body = String::new();
    let (left, top, width, height) = (40.0, 20.0, 560.0, 240.0);
    for (n, p) in sim.distributions.phases.iter().enumerate() {
        let steps = p.survival.len().max(1) as f64;
        let points: Vec<String> = std::iter::once((0.0, 1.0))
            .chain(
                p.survival
                    .iter()
                    .enumerate()
                    .map(|(i, s)| ((i + 1) as f64, *s)),
            )
            .map(|(i, s)| {
                format!(
                    "{:.1},{:.1}",
                    left + width * i / steps,
                    top + height * (1.0 - s)
                )
            })
            .collect();
        let colour = COLOURS.get(n % COLOURS.len()).copied().unwrap_or("black");
        let _ = writeln!(
            body,
            "<polyline fill=\"none\" stroke=\"{colour}\" stroke-width=\"2\" points=\"{}\"><title>{}</title></polyline>",
            points.join(" "),
            esc(&p.id)
        );
        let _ = writeln!(
            body,
            "<text x=\"{}\" y=\"{}\" fill=\"{colour}\">{}</text>",
            left + 10.0,
            top + height + 30.0 + 14.0 * n as f64,
            esc(&p.id)
        );
    }
    let _ = writeln!(
        body,
        "<line x1=\"40\" y1=\"20\" x2=\"40\" y2=\"260\" stroke=\"black\"/>"
    );
    let _ = writeln!(
        body,
        "<text x=\"36\" y=\"24\" text-anchor=\"end\">100%</text><text x=\"36\" y=\"260\" text-anchor=\"end\">0%</text>"
    );
    axis(&mut body, sim, 260);
    let height = 300 + 14 * sim.distributions.phases.len() as u32;
    svg(
        640,
        height,
        &format!(
            "{}: share of runs in which each phase is not yet reached",
            sim.agreement
        ),
        &body,
    )
}

/// The tornado: for each parameter, the mean days to the last phase with its low and high
/// value, widest swing first.
pub fn tornado_svg(sim: &Simulation) -> String {
    let Some(s) = &sim.sensitivity else {
        return svg(
            640,
            40,
            "no sensitivity analysis",
            "<text x=\"10\" y=\"24\">no sensitivity analysis was run</text>\n",
        );
    };
    let bars: Vec<&Bar> = s.bars.iter().take(15).collect();
    let base = s.base.days_to_last_phase;
    let spread = bars
        .iter()
        .flat_map(|b| [b.at_low.days_to_last_phase, b.at_high.days_to_last_phase])
        .map(|d| (d - base).abs())
        .fold(1.0, f64::max);
    let (centre, half) = (440.0, 180.0);
    let x = |d: f64| centre + half * (d - base) / spread;
    let mut body = String::new();
    for (i, b) in bars.iter().enumerate() {
        let y = 30.0 + 22.0 * i as f64;
        let _ = writeln!(
            body,
            "<text x=\"250\" y=\"{:.1}\" text-anchor=\"end\">{}</text>",
            y + 12.0,
            esc(&b.parameter)
        );
        for (d, colour, label) in [
            (b.at_low.days_to_last_phase, "#1f77b4", short(b.low)),
            (b.at_high.days_to_last_phase, "#d62728", short(b.high)),
        ] {
            let (a, z) = (x(base).min(x(d)), x(base).max(x(d)));
            let _ = writeln!(
                body,
                "<rect x=\"{a:.1}\" y=\"{y:.1}\" width=\"{:.1}\" height=\"16\" fill=\"{colour}\"><title>{} = {label}: {d:.0} days</title></rect>",
                (z - a).max(0.5),
                esc(&b.parameter)
            );
        }
    }
    let bottom = 40.0 + 22.0 * bars.len() as f64;
    let _ = writeln!(
        body,
        "<line x1=\"{centre}\" y1=\"24\" x2=\"{centre}\" y2=\"{bottom:.1}\" stroke=\"black\"/>"
    );
    let _ = writeln!(
        body,
        "<text x=\"{centre}\" y=\"{:.1}\" text-anchor=\"middle\">mean days to the last phase: {base:.0} (blue: parameter low, red: high)</text>",
        bottom + 14.0
    );
    svg(
        640,
        bottom as u32 + 30,
        &format!(
            "{}: sensitivity of the time to the last phase",
            sim.agreement
        ),
        &body,
    )
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

    use super::*;

    /// A small simulation of a bundled agreement with its bundled model, fixed seed.
    fn simulation() -> Simulation {
        let root = concat!(env!("CARGO_MANIFEST_DIR"), "/../../examples");
        let text = std::fs::read_to_string(format!("{root}/staged-lifting.toml")).unwrap();
        let agreement = accord_spec::parse(&text).agreement.unwrap();
        let source = std::fs::read_to_string(format!("{root}/models/staged-lifting.toml")).unwrap();
        let model = accord_simulate::model::read::parse(&source, &agreement)
            .model
            .unwrap();
        let settings = accord_simulate::Settings {
            runs: 8,
            seed: 5,
            horizon: "P4Y".parse().unwrap(),
            sensitivity_runs: 2,
            evaluation: accord_simulate::Evaluation::IncrementalEveryReview,
        };
        accord_simulate::simulate(std::slice::from_ref(&agreement), &model, &settings, &|_| {})
            .unwrap()
    }

    #[test]
    fn the_summary_reads_as_tables() {
        insta::assert_snapshot!(summary(&simulation()));
    }

    #[test]
    fn the_charts_are_svg_documents_with_a_title() {
        let sim = simulation();
        for svg in [histogram_svg(&sim), survival_svg(&sim), tornado_svg(&sim)] {
            assert!(svg.starts_with("<svg xmlns=\"http://www.w3.org/2000/svg\""));
            assert!(svg.contains("role=\"img\"") && svg.contains("<title>"));
            assert!(svg.trim_end().ends_with("</svg>"));
        }
        assert_eq!(
            histogram_svg(&sim).matches("<rect x=").count(),
            sim.distributions.phases.len() * accord_simulate::summary::BINS
        );
    }
}
