//! How the dashboard's outcomes are answered.
use sabil_core::services::StatsError;

use super::ApiError;

impl From<StatsError> for ApiError {
    fn from(e: StatsError) -> Self {
        match e {
            StatsError::Invalid(invalid) => invalid.into(),
            StatsError::Denied(denied) => denied.into(),
            StatsError::Storage(e) => e.into(),
        }
    }
}
