//! The customer's cart: add, change, remove, clear, and see it priced (with the delivery fee and minimum
//! order of a chosen address or mosque when one is given).
use crate::domain::catalog::{Product, ProductId};
use crate::domain::orders::pricing::Quote;
use crate::domain::{AccessClaims, UserId};
use crate::ports::CartItem;

use super::checkout::{DeliveryChoice, QuoteInput};
use super::{CheckoutError, OrderService};

/// The most packs of one product a cart line may hold, whatever the product allows (a typo guard).
const MAX_LINE_QUANTITY: u32 = 1000;

/// A cart line with its product.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PricedItem {
    pub product: Product,
    pub quantity: u32,
}

/// The cart as the customer sees it: its lines and their prices.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CartView {
    pub items: Vec<PricedItem>,
    /// The priced lines (in the same order) and totals.
    pub quote: Quote,
}

impl OrderService {
    /// The caller's cart, priced; with `delivery`, the area's fee and minimum order are included.
    ///
    /// # Errors
    /// Delivery outcomes of [`OrderService::quote`]; `NotAllowed`, `AccountBlocked`, `Storage`.
    pub async fn cart(&self, actor: &AccessClaims, delivery: Option<DeliveryChoice>) -> Result<CartView, CheckoutError> {
        let customer = self.customer(actor).await?;
        self.cart_of(customer, delivery).await
    }

    /// The customer's cart, priced.
    pub(super) async fn cart_of(&self, customer: UserId, delivery: Option<DeliveryChoice>) -> Result<CartView, CheckoutError> {
        let input = QuoteInput { delivery, promo_code: None, coupons: Vec::new() };
        let priced = self.price(customer, &input, false).await?;
        Ok(CartView { items: priced.items, quote: priced.quote })
    }

    /// Sets how many packs of a product are in the caller's cart (adding the line if needed).
    ///
    /// # Errors
    /// `ProductUnavailable` for an unknown or inactive product, `QuantityOutOfRange` outside the
    /// product's min..=max; `NotAllowed`, `AccountBlocked`, `Storage`.
    pub async fn put_in_cart(&self, actor: &AccessClaims, product: ProductId, quantity: u32) -> Result<CartView, CheckoutError> {
        let customer = self.customer(actor).await?;
        let p = self.ports.products.get(product).await?.filter(|p| p.active).ok_or(CheckoutError::ProductUnavailable(product))?;
        if p.price_per_pack.currency != self.settings.country.currency() {
            return Err(CheckoutError::ProductUnavailable(product));
        }
        let max = p.max_quantity.min(MAX_LINE_QUANTITY);
        if quantity < p.min_quantity || quantity > max {
            return Err(CheckoutError::QuantityOutOfRange { product, min: p.min_quantity, max, quantity });
        }
        self.ports.carts.put(customer, CartItem { product_id: product, quantity }, self.ports.clock.now()).await?;
        self.cart_of(customer, None).await
    }

    /// Removes a product from the caller's cart (nothing happens when it is not there).
    ///
    /// # Errors
    /// `NotAllowed`, `AccountBlocked`, `Storage`.
    pub async fn remove_from_cart(&self, actor: &AccessClaims, product: ProductId) -> Result<CartView, CheckoutError> {
        let customer = self.customer(actor).await?;
        self.ports.carts.remove(customer, product).await?;
        self.cart_of(customer, None).await
    }

    /// Empties the caller's cart.
    ///
    /// # Errors
    /// `NotAllowed`, `AccountBlocked`, `Storage`.
    pub async fn clear_cart(&self, actor: &AccessClaims) -> Result<CartView, CheckoutError> {
        let customer = self.customer(actor).await?;
        self.ports.carts.clear(customer).await?;
        self.cart_of(customer, None).await
    }
}
