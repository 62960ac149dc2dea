//! Pricing a checkout (a quote, nothing stored) and placing the order: the cart checked against the
//! catalog, the delivery target and its area, the slot, the promo code and the coupons, then one
//! transaction in the store. The same idempotency key with the same request answers the first order.
use std::collections::HashMap;

use time::Date;
use uuid::Uuid;

use crate::domain::address::AddressId;
use crate::domain::catalog::{Product, ProductId};
use crate::domain::delivery::{DeliveryArea, DeliverySlotId, slot_is_bookable};
use crate::domain::mosque::MosqueId;
use crate::domain::orders::pricing::{DeliveryTerms, PromoCodeUse, Quote, QuoteError, QuoteLine, QuoteRequest, quote};
use crate::domain::orders::{
    Actor, BookedSlot, DeliveryTarget, Order, OrderEvent, OrderId, OrderStatus, PaymentMethod, PromoCode, normalize_code,
};
use crate::domain::{AccessClaims, Invalid, UserId};
use crate::error::RepoError;
use crate::ports::{CouponRedemption, IdempotencyClaim, NewOrder, OutboxMessage, PlaceRefused, Placed, PromoCodeClaim};

use super::cart::{CartView, PricedItem};
use super::{CheckoutError, OrderService};

/// Where the customer wants the order delivered.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DeliveryChoice {
    Address(AddressId),
    /// A donation to a mosque, with an optional dedication ("on behalf of ...").
    Mosque {
        mosque_id: MosqueId,
        dedication: Option<String>,
    },
}

/// What a quote may take into account besides the cart.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct QuoteInput {
    pub delivery: Option<DeliveryChoice>,
    pub promo_code: Option<String>,
    /// Packs to pay with wallet coupons, per product.
    pub coupons: Vec<CouponRedemption>,
}

/// A checkout request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CheckoutInput {
    pub delivery: DeliveryChoice,
    pub slot_id: DeliverySlotId,
    pub date: Date,
    pub payment_method: PaymentMethod,
    pub promo_code: Option<String>,
    pub coupons: Vec<CouponRedemption>,
    pub comment: Option<String>,
}

impl CheckoutInput {
    /// A stable text of everything the request asks for: the idempotency key's fingerprint is taken of it.
    fn canonical(&self) -> String {
        let delivery = match &self.delivery {
            DeliveryChoice::Address(a) => format!("address:{}", a.0),
            DeliveryChoice::Mosque { mosque_id, dedication } => format!("mosque:{}:{:?}", mosque_id.0, dedication),
        };
        let mut coupons: Vec<(Uuid, u32)> = self.coupons.iter().map(|c| (c.product_id.0, c.count)).collect();
        coupons.sort();
        format!(
            "{delivery}|{}|{}|{}|{:?}|{coupons:?}|{:?}",
            self.slot_id.0,
            self.date,
            self.payment_method.as_str(),
            self.promo_code.as_deref().map(normalize_code),
            self.comment
        )
    }
}

/// The result of a checkout.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Checkout {
    pub order: Order,
    /// The key had placed this order before; nothing new was stored.
    pub replayed: bool,
}

/// The most characters of a checkout comment and a mosque dedication.
const MAX_COMMENT: usize = 500;
const MAX_DEDICATION: usize = 200;
const MAX_KEY: usize = 255;

/// A priced cart with what it was priced against.
pub(super) struct Priced {
    pub items: Vec<PricedItem>,
    pub quote: Quote,
    pub target: Option<(DeliveryTarget, DeliveryArea)>,
    pub promo_code: Option<PromoCode>,
}

impl OrderService {
    /// Prices the caller's cart with a delivery choice, promo code and coupons; nothing is stored.
    ///
    /// # Errors
    /// `CartEmpty`, `ProductUnavailable`, `QuantityOutOfRange`, `AddressNotFound`, `MosqueNotFound`,
    /// `AreaNotServed`, `PromoCodeUnknown`, `PromoCode`, `CouponsNotInCart`, `NotEnoughCoupons`;
    /// `NotAllowed`, `AccountBlocked`, `Storage`.
    pub async fn quote(&self, actor: &AccessClaims, input: &QuoteInput) -> Result<CartView, CheckoutError> {
        let customer = self.customer(actor).await?;
        let priced = self.price(customer, input, true).await?;
        Ok(CartView { items: priced.items, quote: priced.quote })
    }

    /// Places an order from the caller's cart, once per idempotency key.
    ///
    /// # Errors
    /// The outcomes of [`OrderService::quote`]; `Invalid` for a malformed key, comment or dedication;
    /// `BelowMinimum`, `SlotNotFound`, `SlotNotInArea`, `SlotUnavailable`, `PaymentMethodNotAccepted`,
    /// `KeyReused`; `NotAllowed`, `AccountBlocked`, `Storage`. Nothing is stored on any error.
    pub async fn checkout(&self, actor: &AccessClaims, key: &str, input: &CheckoutInput) -> Result<Checkout, CheckoutError> {
        let customer = self.customer(actor).await?;
        check_input(key, input)?;
        let fingerprint = self.ports.secrets.request_fingerprint(&input.canonical());
        if let Some((seen, order_id)) = self.ports.orders.by_idempotency_key(customer, key).await? {
            if seen != fingerprint {
                return Err(CheckoutError::KeyReused);
            }
            let order = self.ports.orders.get(order_id).await?.ok_or(RepoError::NotFound)?;
            return Ok(Checkout { order, replayed: true });
        }

        match self.place(customer, key, &fingerprint, input).await {
            // A retry that raced its own first attempt: the first committed after our key lookup and emptied the
            // cart or took the slot place, so this one was refused. The answer is the order the key placed.
            Err(refused) => match self.ports.orders.by_idempotency_key(customer, key).await? {
                Some((seen, order_id)) if seen == fingerprint => {
                    let order = self.ports.orders.get(order_id).await?.ok_or(RepoError::NotFound)?;
                    Ok(Checkout { order, replayed: true })
                }
                _ => Err(refused),
            },
            placed => placed,
        }
    }

    /// Prices and places the order (the key was not seen yet).
    async fn place(&self, customer: UserId, key: &str, fingerprint: &str, input: &CheckoutInput) -> Result<Checkout, CheckoutError> {
        let fingerprint = fingerprint.to_owned();
        let quote_input =
            QuoteInput { delivery: Some(input.delivery.clone()), promo_code: input.promo_code.clone(), coupons: input.coupons.clone() };
        let priced = self.price(customer, &quote_input, true).await?;
        let Some((target, area)) = priced.target else { return Err(CheckoutError::AreaNotServed) };
        if let Some(missing) = priced.quote.below_minimum {
            return Err(CheckoutError::BelowMinimum { missing, minimum: area.minimum_order });
        }
        let slot = self.bookable_slot(&area, input.slot_id, input.date).await?;

        let totals = priced.quote.totals;
        let method = self.payment_method(input.payment_method, totals.amount_to_pay.minor, totals.currency)?;
        let status = match method {
            PaymentMethod::Card | PaymentMethod::Knet => OrderStatus::PendingPayment,
            // Nothing left to pay: coupons covered it.
            PaymentMethod::None => OrderStatus::Paid,
            // The driver collects; the business takes cash orders as confirmed.
            PaymentMethod::Cash => OrderStatus::Confirmed,
        };
        let now = self.ports.clock.now();
        let products: HashMap<ProductId, &Product> = priced.items.iter().map(|i| (i.product.id, &i.product)).collect();
        let lines = priced.quote.lines.iter().filter_map(|l| products.get(&l.product_id).map(|p| l.clone().into_order_line(p))).collect();
        let order = Order {
            id: OrderId(Uuid::now_v7()),
            number: 0,
            sap_id: None,
            customer_id: customer,
            status,
            payment_method: method,
            lines,
            totals,
            promo_code: priced.promo_code.as_ref().map(|c| c.code.clone()),
            delivery: target,
            slot,
            comment: input.comment.as_deref().map(str::trim).filter(|c| !c.is_empty()).map(str::to_owned),
            version: 1,
            created_at: now,
            updated_at: now,
        };
        let reason = match method {
            PaymentMethod::None => Some("covered by coupons".to_owned()),
            PaymentMethod::Cash => Some("cash on delivery".to_owned()),
            _ => None,
        };
        let mut outbox = vec![OutboxMessage::OrderStatusChanged { order_id: order.id, customer_id: customer, status }];
        if let Some(message) = self.coupon_purchase(&order, status).await? {
            outbox.push(message);
        }
        let new = NewOrder {
            idempotency: IdempotencyClaim { key: key.to_owned(), request_fingerprint: fingerprint },
            coupons: input.coupons.iter().filter(|c| c.count > 0).copied().collect(),
            promo_code: priced.promo_code.as_ref().map(|c| PromoCodeClaim {
                id: c.id,
                max_uses: c.max_uses,
                max_uses_per_customer: c.max_uses_per_customer,
            }),
            event: OrderEvent { from: None, to: status, actor: Actor::customer(customer), reason, at: now },
            outbox,
            order,
        };
        match self.ports.orders.place(&new, now).await {
            Ok(Placed::New(order)) => {
                tracing::info!(order = %order.id.0, number = order.number, status = order.status.as_str(), "order placed");
                Ok(Checkout { order, replayed: false })
            }
            Ok(Placed::Replayed(order)) => Ok(Checkout { order, replayed: true }),
            Err(PlaceRefused::SlotFull) => Err(CheckoutError::SlotUnavailable(crate::domain::delivery::SlotUnavailable::Full)),
            Err(PlaceRefused::NotEnoughCoupons { product, available }) => Err(CheckoutError::NotEnoughCoupons { product, available }),
            Err(PlaceRefused::PromoCodeUsedUp) => Err(CheckoutError::PromoCode(crate::domain::orders::pricing::PromoRejection::UsedUp)),
            Err(PlaceRefused::PromoCodeUsedUpByCustomer) => {
                Err(CheckoutError::PromoCode(crate::domain::orders::pricing::PromoRejection::UsedUpByCustomer))
            }
            Err(PlaceRefused::KeyReused) => Err(CheckoutError::KeyReused),
            Err(PlaceRefused::Repo(e)) => Err(CheckoutError::Storage(e)),
        }
    }

    /// Prices the customer's cart. `strict`: every line must be orderable (checkout, quote); otherwise lines
    /// that can no longer be ordered are left out (the cart view).
    pub(super) async fn price(&self, customer: UserId, input: &QuoteInput, strict: bool) -> Result<Priced, CheckoutError> {
        let currency = self.settings.country.currency();
        let now = self.ports.clock.now();
        let mut items = Vec::new();
        for item in self.ports.carts.items(customer).await? {
            let product = self.ports.products.get(item.product_id).await?.filter(|p| p.active && p.price_per_pack.currency == currency);
            match product {
                Some(product) => {
                    if strict && (item.quantity < product.min_quantity || item.quantity > product.max_quantity) {
                        return Err(CheckoutError::QuantityOutOfRange {
                            product: product.id,
                            min: product.min_quantity,
                            max: product.max_quantity,
                            quantity: item.quantity,
                        });
                    }
                    items.push(PricedItem { product, quantity: item.quantity });
                }
                None if strict => return Err(CheckoutError::ProductUnavailable(item.product_id)),
                None => {}
            }
        }
        if strict && items.is_empty() {
            return Err(CheckoutError::CartEmpty);
        }
        let coupons = self.coupons_per_line(customer, &items, &input.coupons).await?;
        let target = match &input.delivery {
            Some(choice) => Some(self.delivery_target(customer, choice).await?),
            None => None,
        };
        let promo_code = match input.promo_code.as_deref().map(normalize_code).filter(|c| !c.is_empty()) {
            Some(code) => Some(self.ports.promo_codes.find_by_code(&code).await?.ok_or(CheckoutError::PromoCodeUnknown)?),
            None => None,
        };
        let customer_uses = match &promo_code {
            Some(code) => self.ports.promo_codes.customer_uses(code.id, customer).await?,
            None => 0,
        };
        let promotions = self.ports.promotions.valid_at(now).await?;
        let lines: Vec<QuoteLine<'_>> =
            items.iter().zip(&coupons).map(|(i, c)| QuoteLine { product: &i.product, quantity: i.quantity, coupons: *c }).collect();
        let request = QuoteRequest {
            currency,
            lines: &lines,
            promotions: &promotions,
            promo_code: promo_code.as_ref().map(|code| PromoCodeUse { code, customer_uses }),
            delivery: target.as_ref().map(|(_, area)| DeliveryTerms { fee: area.delivery_fee, minimum_order: area.minimum_order }),
            tax: self.settings.country.tax(),
            now,
        };
        let quote = quote(&request).map_err(|e| match e {
            QuoteError::CurrencyMismatch { product, .. } => CheckoutError::ProductUnavailable(product),
            QuoteError::TooManyCoupons { product, .. } => CheckoutError::CouponsNotInCart(product),
            QuoteError::PromoCode(r) => CheckoutError::PromoCode(r),
            QuoteError::InvalidDeliveryTerms { .. } => CheckoutError::AreaNotServed,
            e @ (QuoteError::Pricing(_) | QuoteError::Overflow) => CheckoutError::Storage(RepoError::Internal(e.to_string())),
        })?;
        Ok(Priced { items, quote, target, promo_code })
    }

    /// Coupons to use per cart line, checked against the cart and the wallet.
    async fn coupons_per_line(
        &self,
        customer: UserId,
        items: &[PricedItem],
        wanted: &[CouponRedemption],
    ) -> Result<Vec<u32>, CheckoutError> {
        let mut per_product: HashMap<ProductId, u32> = HashMap::new();
        for c in wanted.iter().filter(|c| c.count > 0) {
            let entry = per_product.entry(c.product_id).or_default();
            *entry = entry.saturating_add(c.count);
        }
        if per_product.is_empty() {
            return Ok(vec![0; items.len()]);
        }
        let balances = self.ports.coupons.balances(customer, self.ports.clock.now()).await?;
        for (product, count) in &per_product {
            let line = items.iter().find(|i| i.product.id == *product).ok_or(CheckoutError::CouponsNotInCart(*product))?;
            if *count > line.quantity {
                return Err(CheckoutError::CouponsNotInCart(*product));
            }
            let available = balances.iter().find(|b| b.product_id == *product).map_or(0, |b| b.available);
            if *count > available {
                return Err(CheckoutError::NotEnoughCoupons { product: *product, available });
            }
        }
        Ok(items.iter().map(|i| per_product.get(&i.product.id).copied().unwrap_or(0)).collect())
    }

    /// The delivery target and the active area serving it.
    async fn delivery_target(&self, customer: UserId, choice: &DeliveryChoice) -> Result<(DeliveryTarget, DeliveryArea), CheckoutError> {
        let (target, area_id) = match choice {
            DeliveryChoice::Address(id) => {
                let address = self.ports.addresses.get(customer, *id).await?.ok_or(CheckoutError::AddressNotFound)?;
                (DeliveryTarget::Address { address_id: address.id, snapshot: address_text(&address) }, address.area_id)
            }
            DeliveryChoice::Mosque { mosque_id, dedication } => {
                let mosque = self.ports.mosques.get(*mosque_id).await?.filter(|m| m.active).ok_or(CheckoutError::MosqueNotFound)?;
                let dedication = dedication.as_deref().map(str::trim).filter(|d| !d.is_empty()).map(str::to_owned);
                (DeliveryTarget::Mosque { mosque_id: mosque.id, dedication }, mosque.area_id)
            }
        };
        let area = self.ports.delivery_areas.get(area_id).await?.filter(|a| a.active).ok_or(CheckoutError::AreaNotServed)?;
        Ok((target, area))
    }

    /// The slot, if it serves the area and can still be booked on `date`.
    async fn bookable_slot(&self, area: &DeliveryArea, slot_id: DeliverySlotId, date: Date) -> Result<BookedSlot, CheckoutError> {
        let slot = self.ports.delivery_slots.get(slot_id).await?.ok_or(CheckoutError::SlotNotFound)?;
        if slot.area_id != area.id {
            return Err(CheckoutError::SlotNotInArea);
        }
        let next_day = date.next_day().unwrap_or(date);
        let reserved = self
            .ports
            .delivery_slots
            .reservations(area.id, date, next_day)
            .await?
            .into_iter()
            .find(|r| r.slot_id == slot_id && r.date == date)
            .map_or(0, |r| r.reserved);
        let now = self.ports.clock.now();
        let offset = self.settings.time_zone.offset_on(date);
        slot_is_bookable(&slot, date, offset, now, self.settings.slot_rules, reserved).map_err(CheckoutError::SlotUnavailable)?;
        let minute = |t: time::Time| u16::from(t.hour()) * 60 + u16::from(t.minute());
        // A window ending at midnight is stored as 24:00.
        let ends = match minute(slot.ends_at) {
            0 => 1440,
            m => m,
        };
        Ok(BookedSlot { area_id: area.id, slot_id, date, starts_minute: minute(slot.starts_at), ends_minute: ends })
    }

    /// The method the order is paid by: `None` when nothing is left to pay, else the customer's choice if accepted.
    fn payment_method(
        &self,
        chosen: PaymentMethod,
        amount_to_pay: i64,
        currency: crate::domain::money::Currency,
    ) -> Result<PaymentMethod, CheckoutError> {
        if amount_to_pay == 0 {
            return Ok(PaymentMethod::None);
        }
        let accepted = match chosen {
            PaymentMethod::Card => true,
            PaymentMethod::Knet => currency == crate::domain::money::Currency::Kwd,
            PaymentMethod::Cash => self.settings.cash_on_delivery,
            PaymentMethod::None => false,
        };
        if accepted { Ok(chosen) } else { Err(CheckoutError::PaymentMethodNotAccepted(chosen)) }
    }
}

fn check_input(key: &str, input: &CheckoutInput) -> Result<(), Invalid> {
    if key.is_empty() || key.len() > MAX_KEY || !key.bytes().all(|b| b.is_ascii_graphic()) {
        return Err(Invalid::field(
            "Idempotency-Key",
            "must be 1 to 255 visible ASCII characters",
            "Send a fresh UUID per checkout attempt, and the same one when retrying it.",
        ));
    }
    if input.comment.as_deref().is_some_and(|c| c.chars().count() > MAX_COMMENT) {
        return Err(Invalid::field("comment", format!("is longer than {MAX_COMMENT} characters"), "Shorten the comment."));
    }
    if let DeliveryChoice::Mosque { dedication: Some(d), .. } = &input.delivery
        && d.chars().count() > MAX_DEDICATION
    {
        return Err(Invalid::field("dedication", format!("is longer than {MAX_DEDICATION} characters"), "Shorten the dedication."));
    }
    Ok(())
}

/// The address as one line of text for the driver and SAP.
fn address_text(a: &crate::domain::address::Address) -> String {
    let d = &a.details;
    let p = &d.premises;
    let mut parts = vec![format!("{} ({})", d.label.as_str(), d.kind().as_str()), format!("Block {}", d.block.as_str())];
    parts.push(format!("Street {}", d.street.as_str()));
    if let Some(v) = &d.avenue {
        parts.push(format!("Avenue {}", v.as_str()));
    }
    for (name, value) in
        [("House", p.house()), ("Building", p.building()), ("Floor", p.floor()), ("Apartment", p.apartment()), ("Office", p.office())]
    {
        if let Some(v) = value {
            parts.push(format!("{name} {}", v.as_str()));
        }
    }
    if let Some(v) = &d.directions {
        parts.push(format!("Directions: {}", v.as_str()));
    }
    parts.push(format!("({:.6}, {:.6})", a.location.latitude, a.location.longitude));
    parts.join(", ")
}
