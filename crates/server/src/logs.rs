//! Structured logs: one JSON object a line on standard error, each request's lines
//! carrying its span (request id, method, path, route) and the answer's status and
//! latency (issue #13, operations). `ACCORD_LOG` sets the level (`error`, `warn`, `info`
//! — the default —, `debug`, `trace`).

use tracing::level_filters::LevelFilter;
use tracing_subscriber::fmt::MakeWriter;

/// The subscriber `accord serve` logs through, writing to `writer`.
pub fn subscriber<W>(writer: W, level: LevelFilter) -> impl tracing::Subscriber + Send + Sync
where
    W: for<'w> MakeWriter<'w> + Send + Sync + 'static,
{
    tracing_subscriber::fmt()
        .json()
        .with_current_span(true)
        .with_span_list(false)
        .with_max_level(level)
        .with_writer(writer)
        .finish()
}

/// The level `ACCORD_LOG` names, `info` when unset or not a level.
pub fn level_from_env() -> LevelFilter {
    std::env::var("ACCORD_LOG")
        .ok()
        .and_then(|l| l.parse().ok())
        .unwrap_or(LevelFilter::INFO)
}

/// Installs [`subscriber`] on standard error for the process, unless one is installed.
pub fn init() {
    let _ = tracing::subscriber::set_global_default(subscriber(std::io::stderr, level_from_env()));
}
