//! Log output for every binary: pretty lines for people, JSON lines (`SABIL_LOG_FORMAT=json`) for
//! log pipelines, filtered by `SABIL_LOG`; and, for the processes that call SAP, the SAP request log:
//! JSON lines of the `sabil::sap` target in a file rotated daily (`sap-requests.YYYY-MM-DD.log`).
use std::path::Path;

use tracing_appender::non_blocking::WorkerGuard;
use tracing_appender::rolling::{RollingFileAppender, Rotation};
use tracing_subscriber::layer::SubscriberExt;
use tracing_subscriber::util::SubscriberInitExt;
use tracing_subscriber::{EnvFilter, Layer, Registry};

use crate::config::LogFormat;
use crate::gateways::sap::LOG_TARGET;

/// How many daily SAP request logs are kept.
const SAP_LOG_FILES_KEPT: usize = 14;

type BoxedLayer = Box<dyn Layer<Registry> + Send + Sync>;

/// Installs the global log subscriber; `filter` uses `RUST_LOG` syntax. A second call (tests)
/// keeps the first subscriber.
pub fn init_logging(format: LogFormat, filter: &str) {
    drop(init_logging_with_sap_file(format, filter, None));
}

/// [`init_logging`] plus, when `sap_log_dir` is given, the SAP request log in that folder: every event of
/// the `sabil::sap` target at info and above (at debug too, with the bodies, when `filter` asks for
/// `sabil::sap=debug`), whatever `filter` says about other targets. Keep the returned guard alive for as
/// long as the process logs: dropping it flushes and stops the file writer. `None` when no file is written
/// (no folder, or it cannot be created: then a warning is logged and the process goes on without it).
#[must_use = "dropping the guard stops the SAP request log"]
pub fn init_logging_with_sap_file(format: LogFormat, filter: &str, sap_log_dir: Option<&Path>) -> Option<WorkerGuard> {
    let (layers, guard, file_error) = layers(format, filter, sap_log_dir);
    let installed = tracing_subscriber::registry().with(layers).try_init().is_ok();
    if let Some(problem) = file_error {
        tracing::warn!(problem, "the SAP request log cannot be written; SAP calls are logged with the rest only");
    }
    if installed { guard } else { None }
}

/// The console layer, and the SAP file layer with its writer's guard (or why it could not be opened).
fn layers(format: LogFormat, filter: &str, sap_log_dir: Option<&Path>) -> (Vec<BoxedLayer>, Option<WorkerGuard>, Option<String>) {
    let env_filter = EnvFilter::try_new(filter).unwrap_or_else(|_| EnvFilter::new("info"));
    let console: BoxedLayer = match format {
        LogFormat::Pretty => tracing_subscriber::fmt::layer().with_target(false).with_filter(env_filter).boxed(),
        LogFormat::Json => tracing_subscriber::fmt::layer()
            .json()
            .with_current_span(true)
            .with_span_list(false)
            .flatten_event(true)
            .with_target(false)
            .with_filter(env_filter)
            .boxed(),
    };
    let mut layers = vec![console];
    let Some(dir) = sap_log_dir else { return (layers, None, None) };
    match sap_file(dir) {
        Ok(appender) => {
            let (writer, guard) = tracing_appender::non_blocking(appender);
            let file = tracing_subscriber::fmt::layer()
                .json()
                .flatten_event(true)
                .with_current_span(false)
                .with_span_list(false)
                .with_ansi(false)
                .with_writer(writer)
                .with_filter(sap_filter(filter))
                .boxed();
            layers.push(file);
            (layers, Some(guard), None)
        }
        Err(err) => (layers, None, Some(format!("{}: {err}", dir.display()))),
    }
}

/// The daily file `sap-requests.YYYY-MM-DD.log` in `dir` (created when missing), the latest
/// [`SAP_LOG_FILES_KEPT`] kept.
fn sap_file(dir: &Path) -> Result<RollingFileAppender, tracing_appender::rolling::InitError> {
    RollingFileAppender::builder()
        .rotation(Rotation::DAILY)
        .filename_prefix("sap-requests")
        .filename_suffix("log")
        .max_log_files(SAP_LOG_FILES_KEPT)
        .build(dir)
}

/// Only `sabil::sap`: at info, or as `filter` sets it when it names the target (`sabil::sap=debug`).
fn sap_filter(filter: &str) -> EnvFilter {
    let named: Vec<&str> = filter.split(',').map(str::trim).filter(|d| d.starts_with(LOG_TARGET)).collect();
    let directives = if named.is_empty() { format!("off,{LOG_TARGET}=info") } else { format!("off,{}", named.join(",")) };
    EnvFilter::try_new(directives).unwrap_or_else(|_| EnvFilter::new(format!("off,{LOG_TARGET}=info")))
}

/// Tests that install a scoped log subscriber run one at a time: tracing caches per call site whether
/// anyone listens, and two scoped subscribers coming and going on other threads can leave a call site
/// cached as unheard for the other test.
#[cfg(test)]
pub(crate) static SUBSCRIBER_TESTS: std::sync::Mutex<()> = std::sync::Mutex::new(());

#[cfg(test)]
mod tests {
    #![allow(clippy::expect_used)]
    use super::*;

    #[test]
    fn the_sap_file_takes_the_level_the_filter_gives_its_target() {
        assert_eq!(sap_filter("info").to_string(), "sabil::sap=info,off");
        assert_eq!(sap_filter("warn,sabil::sap=debug").to_string(), "sabil::sap=debug,off");
    }

    #[test]
    fn the_sap_file_gets_the_sap_events_only_as_json_lines() {
        let _one_at_a_time = SUBSCRIBER_TESTS.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        let folder = tempfile::tempdir().expect("a temporary folder");
        let dir = folder.path().join("logs");
        let (layers, guard, problem) = layers(LogFormat::Json, "warn", Some(&dir));
        assert_eq!(problem, None);
        let subscriber = tracing_subscriber::registry().with(layers);
        tracing::subscriber::with_default(subscriber, || {
            tracing::info!(target: "sabil::sap", method = "POST", status = 201_u16, "SAP call");
            tracing::debug!(target: "sabil::sap", body = "{}", "SAP request body");
            tracing::warn!(target: "sabil_api", "not for the SAP log");
        });
        drop(guard);

        let files: Vec<_> = std::fs::read_dir(&dir).expect("the folder exists").map(|e| e.expect("an entry").path()).collect();
        assert_eq!(files.len(), 1, "{files:?}");
        let name = files[0].file_name().and_then(|n| n.to_str()).expect("a name").to_owned();
        assert!(name.starts_with("sap-requests.") && name.ends_with(".log"), "{name}");
        let text = std::fs::read_to_string(&files[0]).expect("readable");
        let lines: Vec<serde_json::Value> = text.lines().map(|l| serde_json::from_str(l).expect("a JSON line")).collect();
        assert_eq!(lines.len(), 1, "{text}");
        assert_eq!(
            (&lines[0]["target"], &lines[0]["status"], &lines[0]["message"]),
            (&"sabil::sap".into(), &201.into(), &"SAP call".into())
        );
    }
}
