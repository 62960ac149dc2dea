//! One history order at a time, in time order: who orders (a new customer who has just signed up, or a
//! returning one, regulars more often), where it goes (the customer's address, sometimes a mosque), which
//! slot, what is in the basket (priced by checkout's own `quote`, topped up to the area's minimum), how it
//! is paid, what happened to it since, and whether it was rated.
use std::collections::HashMap;

use sabil_core::domain::UserId;
use sabil_core::domain::address::AddressId;
use sabil_core::domain::catalog::{Product, ProductType};
use sabil_core::domain::delivery::DeliverySlotId;
use sabil_core::domain::orders::{
    BookedSlot, Country, DeliveryTarget, Order, OrderEvent, OrderId, OrderLine, OrderStatus, OrderTotals, PaymentMethod, QuoteLine,
    QuoteRequest, quote,
};
use sabil_core::ports::BusinessTimeZone;
use time::{Date, Duration, OffsetDateTime};
use uuid::Uuid;

use super::HistoryError;
use super::catalog::{Area, Catalog};
use super::lifecycle::{self, SlotTimes};
use super::people::{self, HISTORY_PHONES, NewCustomer};
use super::rng::Rng;

/// A rating to write with its order.
#[derive(Debug, Clone)]
pub(super) struct NewRating {
    pub id: Uuid,
    pub score: u8,
    pub comment: Option<&'static str>,
    pub created_at: OffsetDateTime,
}

/// An order as it stands now (its number is given when written), its events with their ids, its rating.
#[derive(Debug, Clone)]
pub(super) struct HistoryOrder {
    pub order: Order,
    pub events: Vec<(Uuid, OrderEvent)>,
    pub rating: Option<NewRating>,
}

/// What one transaction writes: the customers who joined, then their orders.
#[derive(Debug, Default)]
pub(super) struct Batch {
    pub customers: Vec<NewCustomer>,
    pub orders: Vec<HistoryOrder>,
}

/// A customer who can order: id, area index, address and its text.
#[derive(Debug, Clone)]
struct Known {
    id: UserId,
    area: usize,
    address: AddressId,
    text: String,
}

/// Makes the orders of one history.
pub(super) struct Generator<'a> {
    catalog: &'a Catalog,
    zone: &'a dyn BusinessTimeZone,
    rng: Rng,
    cap: OffsetDateTime,
    known: Vec<Known>,
    /// The customer (index in `known`) of every order so far: drawing from it favours regulars.
    by_order: Vec<usize>,
    next_phone: u32,
    /// Customers who signed up before the period.
    early: u32,
    /// Chance that an order comes from a customer who has just signed up.
    new_chance: f64,
    /// From this business date on, slots have their capacity respected (those places are still ahead).
    future_from: Date,
    reserved: HashMap<(DeliverySlotId, Date), u32>,
}

impl<'a> Generator<'a> {
    /// A generator for `orders` orders by about one customer per six orders, the first phone of the range
    /// being `first_phone`; `future_from` is today's business date.
    pub(super) fn new(
        catalog: &'a Catalog,
        zone: &'a dyn BusinessTimeZone,
        seed: u64,
        cap: OffsetDateTime,
        first_phone: u32,
        orders: u32,
        future_from: Date,
    ) -> Self {
        let customers = (orders / 6).max(1);
        let early = customers * 15 / 100;
        Self {
            catalog,
            zone,
            // A second history on the same database starts further along the phone range: its ids differ too.
            rng: Rng::new(seed ^ 0x0005_AB11_0DE5_0001 ^ u64::from(first_phone).wrapping_mul(0x9E37_79B9_7F4A_7C15)),
            cap,
            known: Vec::new(),
            by_order: Vec::new(),
            next_phone: first_phone,
            early,
            new_chance: (f64::from(customers - early) / f64::from(orders.max(1))).clamp(0.0, 1.0),
            future_from,
            reserved: HashMap::new(),
        }
    }

    /// The customers who signed up in the 90 days before `start` (15 % of them all).
    ///
    /// # Errors
    /// `Plan` when the phone range is used up.
    pub(super) fn early_customers(&mut self, start: OffsetDateTime) -> Result<Vec<NewCustomer>, HistoryError> {
        let mut out: Vec<NewCustomer> = Vec::new();
        for _ in 0..self.early {
            let at = start - Duration::seconds(self.rng.between(3600, 90 * 24 * 3600));
            out.push(self.sign_up(at)?);
        }
        Ok(out)
    }

    fn sign_up(&mut self, at: OffsetDateTime) -> Result<NewCustomer, HistoryError> {
        if self.next_phone >= HISTORY_PHONES {
            return Err(HistoryError::Plan(format!("the demo phone range {}XXXXXX is full", people::HISTORY_PHONE_PREFIX)));
        }
        let weights: Vec<f64> = self.catalog.areas.iter().map(|a| a.weight).collect();
        let area = self.rng.weighted(&weights);
        let customer = people::customer(&mut self.rng, self.next_phone, at, area, &self.catalog.areas);
        self.next_phone += 1;
        self.known.push(Known {
            id: UserId(customer.id),
            area,
            address: AddressId(customer.address.id),
            text: customer.address.text.clone(),
        });
        Ok(customer)
    }

    /// Adds the order placed at `at` (and its customer, when new) to `batch`.
    ///
    /// # Errors
    /// `Plan` when the phone range is used up; `Catalog` when the catalog cannot price an order.
    pub(super) fn order(&mut self, at: OffsetDateTime, batch: &mut Batch) -> Result<(), HistoryError> {
        let who = if self.known.is_empty() || self.rng.chance(self.new_chance) {
            // Signed up a little earlier (at least a few minutes: the address comes two minutes after).
            let joined = at - Duration::seconds(self.rng.between(5 * 60, 3 * 24 * 3600));
            batch.customers.push(self.sign_up(joined)?);
            self.known.len() - 1
        } else if !self.by_order.is_empty() && self.rng.chance(0.6) {
            self.by_order[self.rng.below(self.by_order.len())]
        } else {
            self.rng.below(self.known.len())
        };
        self.by_order.push(who);
        let customer = self.known[who].clone();

        let catalog = self.catalog;
        let (delivery, area) = match catalog.mosques.get(self.rng.below(catalog.mosques.len().max(1))) {
            Some(mosque) if self.rng.chance(0.04) => {
                let dedication = match self.rng.below(4) {
                    0 => Some("On behalf of my late father".to_owned()),
                    1 => Some("عن والدي رحمه الله".to_owned()),
                    _ => None,
                };
                (DeliveryTarget::Mosque { mosque_id: mosque.id, dedication }, mosque.area)
            }
            _ => (DeliveryTarget::Address { address_id: customer.address, snapshot: customer.text.clone() }, customer.area),
        };
        let area = &catalog.areas[area];
        let (slot, times) = self.book(area, at);
        let (lines, totals) = self.basket(area, at)?;
        let method = self.payment_method();
        let events = lifecycle::events(&mut self.rng, method, customer.id, at, times, self.cap);
        let last = events.last().map_or((OrderStatus::PendingPayment, at), |e| (e.to, e.at));
        if !matches!(last.0, OrderStatus::Cancelled | OrderStatus::Refunded) {
            *self.reserved.entry((slot.slot_id, slot.date)).or_insert(0) += 1;
        }
        let rating = if last.0 == OrderStatus::Delivered {
            lifecycle::rating(&mut self.rng, last.1, self.cap).map(|(score, comment, created_at)| NewRating {
                id: self.rng.uuid_at(created_at),
                score,
                comment,
                created_at,
            })
        } else {
            None
        };
        let comment = self.rng.chance(0.05).then(|| "Please call when you arrive".to_owned());
        let order = Order {
            id: OrderId(self.rng.uuid_at(at)),
            number: 0,
            sap_id: None,
            customer_id: customer.id,
            status: last.0,
            payment_method: method,
            lines,
            totals,
            promo_code: None,
            delivery,
            slot,
            comment,
            version: i64::try_from(events.len()).unwrap_or(1),
            created_at: at,
            updated_at: last.1,
        };
        let events = events.into_iter().map(|e| (self.rng.uuid_at(e.at), e)).collect();
        batch.orders.push(HistoryOrder { order, events, rating });
        Ok(())
    }

    /// A slot one to three days ahead (the next date the area delivers on), with room when still ahead.
    fn book(&mut self, area: &Area, at: OffsetDateTime) -> (BookedSlot, SlotTimes) {
        let today = at.to_offset(self.zone.offset_on(at.date())).date();
        let lead = [1, 2, 3][self.rng.weighted(&[0.65, 0.25, 0.1])];
        let mut chosen = None;
        'dates: for extra in 0..28 {
            let date = today + Duration::days(lead + extra);
            let slots: Vec<usize> = (0..area.slots.len()).filter(|i| area.slots[*i].weekday == date.weekday()).collect();
            let first = self.rng.below(slots.len());
            for k in 0..slots.len() {
                let s = &area.slots[slots[(first + k) % slots.len()]];
                let taken = self.reserved.get(&(s.id, date)).copied().unwrap_or(0);
                if date < self.future_from || taken < s.capacity {
                    chosen = Some((*s, date));
                    break 'dates;
                }
            }
        }
        // Every slot full for four weeks: the first slot on its next weekday, over capacity.
        let (slot, date) = chosen.unwrap_or_else(|| {
            let s = area.slots[0];
            let ahead = (1..=7).find(|d| (today + Duration::days(*d)).weekday() == s.weekday).unwrap_or(7);
            (s, today + Duration::days(ahead))
        });
        let midnight = date.midnight().assume_offset(self.zone.offset_on(date));
        let times = SlotTimes {
            starts: midnight + Duration::minutes(i64::from(slot.starts_minute)),
            ends: midnight + Duration::minutes(i64::from(slot.ends_minute)),
        };
        let booked =
            BookedSlot { area_id: area.id, slot_id: slot.id, date, starts_minute: slot.starts_minute, ends_minute: slot.ends_minute };
        (booked, times)
    }

    /// One to three products, popular ones first, priced by checkout's rules; topped up to the area's minimum.
    fn basket(&mut self, area: &Area, at: OffsetDateTime) -> Result<(Vec<OrderLine>, OrderTotals), HistoryError> {
        let catalog: &'a Catalog = self.catalog;
        let products = &catalog.products;
        let wanted = [1, 2, 3][self.rng.weighted(&[0.65, 0.28, 0.07])].min(products.len());
        let mut weights: Vec<f64> = (0..products.len()).map(|i| 1.0 / (1.0 + 0.6 * i as f64)).collect();
        let mut picked: Vec<(&Product, u32)> = Vec::new();
        while picked.len() < wanted {
            let i = self.rng.weighted(&weights);
            weights[i] = 0.0;
            let product = &products[i];
            let packs = match product.product_type {
                ProductType::Refill => 1 + self.rng.weighted(&[0.04, 0.22, 0.2, 0.16, 0.1, 0.08, 0.05, 0.05, 0.02, 0.08]),
                _ => 1 + self.rng.weighted(&[0.3, 0.3, 0.25, 0.1, 0.05]),
            };
            let packs = u32::try_from(packs).unwrap_or(1).clamp(product.min_quantity, product.max_quantity);
            picked.push((product, packs));
        }
        let country: Country = catalog.country;
        for round in 0..60 {
            let lines: Vec<QuoteLine<'_>> = picked.iter().map(|&(product, quantity)| QuoteLine { product, quantity, coupons: 0 }).collect();
            let request = QuoteRequest {
                currency: country.currency(),
                lines: &lines,
                promotions: &catalog.promotions,
                promo_code: None,
                delivery: Some(area.terms),
                tax: country.tax(),
                now: at,
            };
            let priced = quote(&request).map_err(|e| HistoryError::Catalog(format!("cannot price a history order: {e}")))?;
            let full = picked.iter().all(|(p, q)| *q >= p.max_quantity);
            if priced.below_minimum.is_none() || full || round == 59 {
                let lines = priced.lines.into_iter().zip(&picked).map(|(line, (product, _))| line.into_order_line(product)).collect();
                return Ok((lines, priced.totals));
            }
            let bump = round % picked.len();
            let (product, quantity) = &mut picked[bump];
            if *quantity < product.max_quantity {
                *quantity += 1;
            }
        }
        Err(HistoryError::Catalog("cannot price a history order".to_owned()))
    }

    fn payment_method(&mut self) -> PaymentMethod {
        match self.catalog.country {
            Country::Ae => [PaymentMethod::Card, PaymentMethod::Cash][self.rng.weighted(&[0.55, 0.45])],
            Country::Kw => [PaymentMethod::Knet, PaymentMethod::Card, PaymentMethod::Cash][self.rng.weighted(&[0.45, 0.25, 0.3])],
        }
    }
}
