//! Log output for every binary: pretty lines for people, JSON lines (`SABIL_LOG_FORMAT=json`) for
//! log pipelines, filtered by `SABIL_LOG`.
use tracing_subscriber::EnvFilter;

use crate::config::LogFormat;

/// Installs the global log subscriber; `filter` uses `RUST_LOG` syntax. A second call (tests)
/// keeps the first subscriber.
pub fn init_logging(format: LogFormat, filter: &str) {
    let filter = EnvFilter::try_new(filter).unwrap_or_else(|_| EnvFilter::new("info"));
    let builder = tracing_subscriber::fmt().with_env_filter(filter).with_target(false);
    let result = match format {
        LogFormat::Pretty => builder.try_init(),
        LogFormat::Json => builder.json().with_current_span(true).with_span_list(false).flatten_event(true).try_init(),
    };
    drop(result);
}
