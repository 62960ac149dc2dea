//! Coupon books sold in the app: admins say which products are coupon books and what they give; when an
//! order with coupon books is paid (cash orders: when delivered), a worker job gives the buyer the coupons,
//! once per order.
use std::collections::BTreeMap;
use std::time::Duration;

use crate::domain::catalog::{ProductId, ProductType};
use crate::domain::orders::{CouponBook, CouponSource, NewCouponBatch, Order, OrderStatus, PaymentMethod};
use crate::domain::{AccessClaims, Invalid};
use crate::error::RepoError;
use crate::ports::OutboxMessage;
use crate::services::authorization::acting_admin;

use super::{OrderError, OrderService};

impl OrderService {
    /// Makes a coupon-book product give `coupons_per_pack` coupons of `coupon_product` per pack bought (admins).
    ///
    /// # Errors
    /// `Invalid` when the product is not of type coupon book, the coupon product is missing or is itself a
    /// coupon book, or a number is out of range; `Admin`, `Storage`.
    pub async fn set_coupon_book(&self, actor: &AccessClaims, book: CouponBook) -> Result<CouponBook, OrderError> {
        acting_admin(&self.ports, actor).await?;
        let product = self.ports.products.get(book.product_id).await?;
        if product.is_none_or(|p| p.product_type != ProductType::CouponBook) {
            return Err(
                Invalid::field("productId", "is not a coupon-book product", "Create the product with type coupon_book first.").into()
            );
        }
        let target = self.ports.products.get(book.coupon_product_id).await?;
        if target.is_none_or(|p| p.product_type == ProductType::CouponBook) {
            return Err(
                Invalid::field("couponProductId", "is not a product coupons can pay for", "Choose a refill or pack product.").into()
            );
        }
        if !(1..=1000).contains(&book.coupons_per_pack) {
            return Err(Invalid::field("couponsPerPack", "must be 1 to 1000", "Give the number of coupons in one book.").into());
        }
        if book.validity_days.is_some_and(|d| !(1..=3650).contains(&d)) {
            return Err(
                Invalid::field("validityDays", "must be 1 to 3650", "Give the days the coupons stay valid, or leave it out.").into()
            );
        }
        self.ports.coupon_books.set(&book).await?;
        Ok(book)
    }

    /// The message that has a paid order's coupon books issued, when the order has any and this move is
    /// when it counts as paid (paid online, or delivered for cash).
    pub(super) async fn coupon_purchase(&self, order: &Order, to: OrderStatus) -> Result<Option<OutboxMessage>, RepoError> {
        let counts = to == OrderStatus::Paid || (to == OrderStatus::Delivered && order.payment_method == PaymentMethod::Cash);
        if !counts {
            return Ok(None);
        }
        let products: Vec<ProductId> = order.lines.iter().map(|l| l.product_id).collect();
        let books = self.ports.coupon_books.for_products(&products).await?;
        Ok((!books.is_empty()).then_some(OutboxMessage::IssuePurchasedCoupons { order_id: order.id }))
    }

    /// One pass of the coupon-purchase job: issues the coupons of paid coupon-book orders. Each order's
    /// coupons are one batch per coupon product, issued once (a repeat is refused by the store and counted
    /// as done). Returns how many orders were handled.
    ///
    /// # Errors
    /// Storage failures claiming messages.
    pub async fn issue_purchased_coupons(&self, limit: u32) -> Result<u32, RepoError> {
        let now = self.ports.clock.now();
        let mut done = 0;
        for entry in self.ports.outbox.claim("coupons.purchase", limit, now, now + Duration::from_secs(300)).await? {
            let OutboxMessage::IssuePurchasedCoupons { order_id } = entry.message else {
                self.ports.outbox.dead_letter(entry.id, "not a coupon purchase", now).await?;
                continue;
            };
            match self.issue_for_order(order_id).await {
                Ok(()) => {
                    self.ports.outbox.complete(entry.id, self.ports.clock.now()).await?;
                    done += 1;
                }
                Err(e) if entry.attempts + 1 < 8 => {
                    let retry_at = self.ports.clock.now() + Duration::from_secs(30u64 << entry.attempts.min(6));
                    self.ports.outbox.retry(entry.id, &e.to_string(), retry_at).await?;
                }
                Err(e) => {
                    tracing::error!(order = %order_id.0, error = %e, "issuing bought coupons dead-lettered; an operator must act");
                    self.ports.outbox.dead_letter(entry.id, &e.to_string(), self.ports.clock.now()).await?;
                }
            }
        }
        Ok(done)
    }

    async fn issue_for_order(&self, order_id: crate::domain::orders::OrderId) -> Result<(), RepoError> {
        let order = self.ports.orders.get(order_id).await?.ok_or(RepoError::NotFound)?;
        let products: Vec<ProductId> = order.lines.iter().map(|l| l.product_id).collect();
        let books = self.ports.coupon_books.for_products(&products).await?;
        // Per coupon product: the coupons and the longest validity among the books giving them.
        let mut grants: BTreeMap<ProductId, (u32, Option<u32>)> = BTreeMap::new();
        for line in &order.lines {
            let Some(book) = books.iter().find(|b| b.product_id == line.product_id) else { continue };
            let coupons = line.quantity.saturating_add(line.free_quantity).saturating_mul(book.coupons_per_pack);
            let entry = grants.entry(book.coupon_product_id).or_insert((0, Some(0)));
            entry.0 = entry.0.saturating_add(coupons);
            entry.1 = match (entry.1, book.validity_days) {
                (Some(a), Some(b)) => Some(a.max(b)),
                _ => None,
            };
        }
        let now = self.ports.clock.now();
        for (product, (count, days)) in grants {
            let batch = NewCouponBatch {
                customer_id: order.customer_id,
                product_id: product,
                count,
                source: CouponSource::Purchase,
                sap_id: None,
                issued_by: Some(order.id.0),
                note: Some(format!("bought with order {}", order.number)),
                expires_at: days.map(|d| now + Duration::from_secs(u64::from(d) * 86_400)),
            };
            match self.ports.coupons.issue(&batch, now).await {
                Ok(_) => tracing::info!(order = %order.id.0, product = %product.0, count, "bought coupons issued"),
                // Issued before (the message was delivered again after a crash).
                Err(RepoError::Conflict(_)) => {}
                Err(e) => return Err(e),
            }
        }
        Ok(())
    }
}
