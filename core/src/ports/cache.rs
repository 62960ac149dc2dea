//! Telling every API instance that cached catalog reads are stale.
use async_trait::async_trait;

/// Announces catalog changes (products, promotions, delivery areas and slots) to the read caches
/// of this and every other instance.
#[async_trait]
pub trait CatalogChanges: Send + Sync {
    /// Called after a write to the catalog has been committed. Best effort: a failure to reach
    /// other instances is logged by the adapter, and their caches expire on their own.
    async fn catalog_changed(&self);
}
