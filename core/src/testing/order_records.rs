//! In-memory carts, payment records and outbox, the simple companions of the order fake.
use std::sync::Mutex;

use async_trait::async_trait;
use time::OffsetDateTime;
use uuid::Uuid;

use super::lock;
use crate::domain::UserId;
use crate::domain::catalog::ProductId;
use crate::domain::orders::OrderId;
use crate::error::RepoError;
use crate::ports::{
    CartItem, CartRepository, OutboxEntry, OutboxMessage, OutboxRepository, PaymentAttempt, PaymentRepository, RefundRecord,
};

/// Carts in memory.
#[derive(Debug, Default)]
pub struct InMemoryCarts(Mutex<Vec<(UserId, CartItem)>>);

#[async_trait]
impl CartRepository for InMemoryCarts {
    async fn items(&self, customer: UserId) -> Result<Vec<CartItem>, RepoError> {
        Ok(lock(&self.0).iter().filter(|(c, _)| *c == customer).map(|(_, i)| *i).collect())
    }

    async fn put(&self, customer: UserId, item: CartItem, _now: OffsetDateTime) -> Result<(), RepoError> {
        let mut carts = lock(&self.0);
        match carts.iter_mut().find(|(c, i)| *c == customer && i.product_id == item.product_id) {
            Some((_, existing)) => existing.quantity = item.quantity,
            None => carts.push((customer, item)),
        }
        Ok(())
    }

    async fn remove(&self, customer: UserId, product: ProductId) -> Result<bool, RepoError> {
        let mut carts = lock(&self.0);
        let before = carts.len();
        carts.retain(|(c, i)| !(*c == customer && i.product_id == product));
        Ok(carts.len() < before)
    }

    async fn clear(&self, customer: UserId) -> Result<(), RepoError> {
        lock(&self.0).retain(|(c, _)| *c != customer);
        Ok(())
    }
}

/// One stored outbox message.
#[derive(Debug, Clone)]
struct Message {
    id: Uuid,
    message: OutboxMessage,
    attempts: u32,
    created_at: OffsetDateTime,
    available_at: OffsetDateTime,
    claimed_until: Option<OffsetDateTime>,
    done: bool,
    dead: bool,
    last_error: Option<String>,
}

/// The outbox in memory.
#[derive(Debug, Default)]
pub struct InMemoryOutbox(Mutex<Vec<Message>>);

impl InMemoryOutbox {
    /// Every message written, delivered or not, in order.
    #[must_use]
    pub fn messages(&self) -> Vec<OutboxMessage> {
        lock(&self.0).iter().map(|m| m.message.clone()).collect()
    }

    /// Adds a message unless one with its dedupe key exists; `true` when added.
    pub fn push(&self, message: &OutboxMessage, now: OffsetDateTime) -> bool {
        let mut all = lock(&self.0);
        if all.iter().any(|m| m.message.dedupe_key() == message.dedupe_key()) {
            return false;
        }
        all.push(Message {
            id: Uuid::now_v7(),
            message: message.clone(),
            attempts: 0,
            created_at: now,
            available_at: now,
            claimed_until: None,
            done: false,
            dead: false,
            last_error: None,
        });
        true
    }

    fn settle(&self, id: Uuid, f: impl FnOnce(&mut Message)) {
        if let Some(m) = lock(&self.0).iter_mut().find(|m| m.id == id) {
            f(m);
        }
    }
}

#[async_trait]
impl OutboxRepository for InMemoryOutbox {
    async fn enqueue(&self, message: &OutboxMessage, now: OffsetDateTime) -> Result<bool, RepoError> {
        Ok(self.push(message, now))
    }

    async fn claim(
        &self,
        topic: &str,
        limit: u32,
        now: OffsetDateTime,
        lease_until: OffsetDateTime,
    ) -> Result<Vec<OutboxEntry>, RepoError> {
        let mut all = lock(&self.0);
        let mut claimed = Vec::new();
        for m in all.iter_mut() {
            if claimed.len() >= limit as usize {
                break;
            }
            if m.message.topic() == topic && !m.done && !m.dead && m.available_at <= now && m.claimed_until.is_none_or(|c| c <= now) {
                m.claimed_until = Some(lease_until);
                claimed.push(OutboxEntry { id: m.id, message: m.message.clone(), attempts: m.attempts, created_at: m.created_at });
            }
        }
        Ok(claimed)
    }

    async fn complete(&self, id: Uuid, _now: OffsetDateTime) -> Result<(), RepoError> {
        self.settle(id, |m| {
            m.done = true;
            m.claimed_until = None;
        });
        Ok(())
    }

    async fn retry(&self, id: Uuid, error: &str, retry_at: OffsetDateTime) -> Result<(), RepoError> {
        self.settle(id, |m| {
            m.attempts += 1;
            m.last_error = Some(error.to_owned());
            m.available_at = retry_at;
            m.claimed_until = None;
        });
        Ok(())
    }

    async fn dead_letter(&self, id: Uuid, error: &str, _now: OffsetDateTime) -> Result<(), RepoError> {
        self.settle(id, |m| {
            m.attempts += 1;
            m.last_error = Some(error.to_owned());
            m.dead = true;
            m.claimed_until = None;
        });
        Ok(())
    }

    async fn pending(&self, topic: &str) -> Result<u64, RepoError> {
        Ok(lock(&self.0).iter().filter(|m| m.message.topic() == topic && !m.done && !m.dead).count() as u64)
    }
}

/// Payment attempts and refunds in memory.
#[derive(Debug, Default)]
pub struct InMemoryPayments {
    attempts: Mutex<Vec<PaymentAttempt>>,
    refunds: Mutex<Vec<RefundRecord>>,
}

#[async_trait]
impl PaymentRepository for InMemoryPayments {
    async fn create(&self, attempt: &PaymentAttempt) -> Result<(), RepoError> {
        let mut all = lock(&self.attempts);
        if all.iter().any(|a| a.id == attempt.id || (a.charge_id.is_some() && a.charge_id == attempt.charge_id)) {
            return Err(RepoError::Conflict("payments".into()));
        }
        all.push(attempt.clone());
        Ok(())
    }

    async fn update(&self, attempt: &PaymentAttempt) -> Result<(), RepoError> {
        let mut all = lock(&self.attempts);
        if all.iter().any(|a| a.id != attempt.id && a.charge_id.is_some() && a.charge_id == attempt.charge_id) {
            return Err(RepoError::Conflict("payments.charge_id".into()));
        }
        let stored = all.iter_mut().find(|a| a.id == attempt.id).ok_or(RepoError::NotFound)?;
        let (order_id, created_at, provider, method, amount) =
            (stored.order_id, stored.created_at, stored.provider.clone(), stored.method, stored.amount);
        *stored = PaymentAttempt { order_id, created_at, provider, method, amount, ..attempt.clone() };
        Ok(())
    }

    async fn get(&self, id: Uuid) -> Result<Option<PaymentAttempt>, RepoError> {
        Ok(lock(&self.attempts).iter().find(|a| a.id == id).cloned())
    }

    async fn by_charge(&self, charge_id: &str) -> Result<Option<PaymentAttempt>, RepoError> {
        Ok(lock(&self.attempts).iter().find(|a| a.charge_id.as_deref() == Some(charge_id)).cloned())
    }

    async fn for_order(&self, order: OrderId) -> Result<Vec<PaymentAttempt>, RepoError> {
        let mut found: Vec<PaymentAttempt> = lock(&self.attempts).iter().filter(|a| a.order_id == order).cloned().collect();
        found.sort_by(|a, b| b.created_at.cmp(&a.created_at).then(b.id.cmp(&a.id)));
        Ok(found)
    }

    async fn needing_check(
        &self,
        statuses: &[&str],
        created_before: OffsetDateTime,
        checked_before: OffsetDateTime,
        limit: u32,
    ) -> Result<Vec<PaymentAttempt>, RepoError> {
        let mut found: Vec<PaymentAttempt> = lock(&self.attempts)
            .iter()
            .filter(|a| {
                statuses.contains(&a.status.as_str()) && a.created_at < created_before && a.checked_at.is_none_or(|c| c < checked_before)
            })
            .cloned()
            .collect();
        found.sort_by(|a, b| a.created_at.cmp(&b.created_at).then(a.id.cmp(&b.id)));
        found.truncate(limit as usize);
        Ok(found)
    }

    async fn create_refund(&self, refund: &RefundRecord) -> Result<(), RepoError> {
        let mut all = lock(&self.refunds);
        if all.iter().any(|r| r.payment_id == refund.payment_id || r.id == refund.id) {
            return Err(RepoError::Conflict("refunds.payment_id".into()));
        }
        all.push(refund.clone());
        Ok(())
    }

    async fn refund_for(&self, payment_id: Uuid) -> Result<Option<RefundRecord>, RepoError> {
        Ok(lock(&self.refunds).iter().find(|r| r.payment_id == payment_id).cloned())
    }
}
