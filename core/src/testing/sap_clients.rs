//! SAP machine clients in memory, behaving as the SQL store does (checked by the conformance suite).
use std::collections::HashMap;
use std::sync::Mutex;

use async_trait::async_trait;
use time::OffsetDateTime;

use super::lock;
use crate::domain::SapClient;
use crate::error::RepoError;
use crate::ports::SapClientRepository;

/// SAP clients in memory, keyed by client id.
#[derive(Debug, Default)]
pub struct InMemorySapClients(Mutex<HashMap<String, SapClient>>);

#[async_trait]
impl SapClientRepository for InMemorySapClients {
    async fn create(&self, client: &SapClient) -> Result<(), RepoError> {
        let mut rows = lock(&self.0);
        if rows.contains_key(&client.client_id) {
            return Err(RepoError::Conflict("sap_clients.client_id".into()));
        }
        rows.insert(client.client_id.clone(), client.clone());
        Ok(())
    }

    async fn find_by_client_id(&self, client_id: &str) -> Result<Option<SapClient>, RepoError> {
        Ok(lock(&self.0).get(client_id).cloned())
    }

    async fn list(&self) -> Result<Vec<SapClient>, RepoError> {
        let mut all: Vec<SapClient> = lock(&self.0).values().cloned().collect();
        all.sort_by_key(|c| c.id.0);
        Ok(all)
    }

    async fn disable(&self, client_id: &str, _now: OffsetDateTime) -> Result<SapClient, RepoError> {
        let mut rows = lock(&self.0);
        let client = rows.get_mut(client_id).ok_or(RepoError::NotFound)?;
        client.disabled = true;
        Ok(client.clone())
    }
}
