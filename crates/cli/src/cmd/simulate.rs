//! `accord simulate` (issue #16): draws many histories of an agreement from a behaviour
//! model, evaluates each with the engine, and prints the distributions (a table, or JSON),
//! writing the JSON and the SVG charts to `--out` when asked. A progress bar on standard
//! error, only on a terminal.

use std::io::IsTerminal as _;
use std::path::PathBuf;
use std::process::ExitCode;

use accord_app::agreements::AgreementText;
use accord_app::simulate::ModelText;
use accord_core::time::CalendarDuration;
use accord_simulate::{Evaluation, Settings, Tick};

use crate::fail::OrReport as _;

#[derive(Debug, clap::Args)]
pub struct Args {
    /// The agreement file (TOML); several files are the versions of one agreement, in order.
    #[arg(value_name = "AGREEMENT", required = true)]
    agreement: Vec<PathBuf>,
    /// The behaviour model (TOML; see docs/simulation.md).
    #[arg(long, value_name = "MODEL")]
    model: PathBuf,
    /// How many histories to draw.
    #[arg(long, default_value_t = 1000)]
    runs: u32,
    /// The seed: the same seed gives the same result, whatever the number of threads.
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// How far from the model's start each history runs (ISO 8601: `P10Y`, `P18M`).
    #[arg(long, default_value = "P10Y")]
    horizon: CalendarDuration,
    /// Runs per setting of the sensitivity analysis (each parameter low and high); 0 for
    /// none. Defaults to a tenth of the runs, at least 50 (never more than the runs).
    #[arg(long, value_name = "RUNS")]
    sensitivity_runs: Option<u32>,
    /// Worker threads (default: one per core).
    #[arg(long)]
    threads: Option<usize>,
    /// Print the result as JSON (see docs/simulation.md).
    #[arg(long)]
    json: bool,
    /// Write `simulation.json`, `phases.svg`, `survival.svg` and `tornado.svg` to this
    /// directory (created if needed).
    #[arg(long, value_name = "DIR")]
    out: Option<PathBuf>,
}

pub fn run(args: Args) -> miette::Result<ExitCode> {
    let texts: Vec<AgreementText> = args
        .agreement
        .iter()
        .map(|p| AgreementText::read(p))
        .collect::<Result<_, _>>()
        .or_report()?;
    let model = ModelText::read(&args.model).or_report()?;
    for warning in accord_app::simulate::warnings(&texts, &model).or_report()? {
        eprint!(
            "{}",
            accord_spec::render_text(&model.name, &model.text, std::slice::from_ref(&warning))
        );
    }
    let settings = Settings {
        runs: args.runs,
        seed: args.seed,
        horizon: args.horizon,
        sensitivity_runs: args.sensitivity_runs.unwrap_or((args.runs / 10).max(50)),
        // Every review looked at: the sparse looks are faster but change relief-days
        // (docs/simulation.md, "When the state is looked at").
        evaluation: Evaluation::IncrementalEveryReview,
    };
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(args.threads.unwrap_or(0))
        .build()
        .map_err(|e| miette::miette!("cannot start the worker threads: {e}"))?;
    let bar = progress_bar();
    let tick = |t: Tick| match (t, &bar) {
        (Tick::Total(n), Some(b)) => b.set_length(n),
        (Tick::Done, Some(b)) => b.inc(1),
        _ => {}
    };
    let sim = pool.install(|| accord_app::simulate::simulate(&texts, &model, &settings, &tick));
    if let Some(b) = &bar {
        b.finish_and_clear();
    }
    let sim = sim.or_report()?;
    if let Some(dir) = &args.out {
        write_out(dir, &sim)?;
    }
    if args.json {
        println!("{}", accord_render::pretty(&sim));
    } else {
        print!("{}", accord_render::simulate::summary(&sim));
    }
    Ok(ExitCode::SUCCESS)
}

/// A bar on standard error when it is a terminal; none otherwise (pipes and CI logs stay
/// clean).
fn progress_bar() -> Option<indicatif::ProgressBar> {
    std::io::stderr().is_terminal().then(|| {
        let bar = indicatif::ProgressBar::new(0);
        if let Ok(style) =
            indicatif::ProgressStyle::with_template("{bar:40} {pos}/{len} runs ({eta} left)")
        {
            bar.set_style(style);
        }
        bar
    })
}

fn write_out(dir: &std::path::Path, sim: &accord_simulate::Simulation) -> miette::Result<()> {
    let files = [
        ("simulation.json", accord_render::pretty(sim) + "\n"),
        ("phases.svg", accord_render::simulate::histogram_svg(sim)),
        ("survival.svg", accord_render::simulate::survival_svg(sim)),
        ("tornado.svg", accord_render::simulate::tornado_svg(sim)),
    ];
    std::fs::create_dir_all(dir)
        .map_err(|e| miette::miette!("cannot create `{}`: {e}", dir.display()))?;
    for (name, text) in files {
        let path = dir.join(name);
        std::fs::write(&path, text)
            .map_err(|e| miette::miette!("cannot write `{}`: {e}", path.display()))?;
    }
    Ok(())
}
