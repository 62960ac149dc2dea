//! The local SAP stand-in used when no SAP is configured (`SABIL_SAP_BASE_URL` unset): it accepts every
//! push (logging it), has no changes of its own to pull, and takes every confirmation. The change feed
//! still works end to end: changes are marked completed as SAP would, and `GET /api/changes` serves
//! them to anything that plays SAP (the SAP simulator with `SABIL_SAP_BASE_URL` is the full drill).
use async_trait::async_trait;
use sabil_core::domain::sync::ChangeRecord;
use sabil_core::error::GatewayError;
use sabil_core::ports::{ErpChange, ErpGateway, Pushed};

/// Accepts everything; SAP ids are not invented (none is stored).
#[derive(Debug, Clone, Default)]
pub struct LocalErp;

#[async_trait]
impl ErpGateway for LocalErp {
    async fn push(&self, change: &ChangeRecord) -> Result<Pushed, GatewayError> {
        tracing::info!(
            target: "sabil::sap",
            change = %change.id, seq = change.seq, entity = %change.entity, entity_id = %change.entity_id,
            operation = change.operation.as_str(), "local SAP stand-in accepted a change"
        );
        Ok(Pushed::default())
    }

    async fn pull(&self, _limit: u32) -> Result<Vec<ErpChange>, GatewayError> {
        Ok(Vec::new())
    }

    async fn confirm(&self, _ids: &[String]) -> Result<(), GatewayError> {
        Ok(())
    }

    fn name(&self) -> &'static str {
        "local"
    }
}
