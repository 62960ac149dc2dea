//! Shared state handed to every handler through request data. Cloned into every request, so it
//! is one `Arc`: cloning the wired application itself would touch dozens of reference counts.
use std::ops::Deref;
use std::sync::Arc;

use metrics_exporter_prometheus::PrometheusHandle;
use sabil_adapters::app::App;
use sabil_adapters::config::Config;

/// The wired application and the server's own configuration.
#[derive(Clone)]
pub struct AppState(Arc<StateInner>);

/// What `AppState` shares.
pub struct StateInner {
    pub app: App,
    pub config: Arc<Config>,
    pub metrics: Option<PrometheusHandle>,
}

impl AppState {
    #[must_use]
    pub fn new(app: App, config: Arc<Config>, metrics: Option<PrometheusHandle>) -> Self {
        Self(Arc::new(StateInner { app, config, metrics }))
    }
}

impl Deref for AppState {
    type Target = StateInner;

    fn deref(&self) -> &StateInner {
        &self.0
    }
}
