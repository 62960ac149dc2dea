//! Shared state handed to every handler through request data.
use std::sync::Arc;

use metrics_exporter_prometheus::PrometheusHandle;
use sabil_adapters::app::App;
use sabil_adapters::config::Config;

/// The wired application and the server's own configuration.
#[derive(Clone)]
pub struct AppState {
    pub app: App,
    pub config: Arc<Config>,
    pub metrics: Option<PrometheusHandle>,
}
