//! Use cases. Business rules live here and in `domain`; inbound adapters call one method per request.
pub mod accounts;
pub mod addresses;
pub mod authorization;
pub mod catalog;
pub mod chat;
pub mod coupons;
pub mod feedback;
pub mod files;
pub mod mosques;
pub mod notifications;
pub mod orders;
pub mod promo_codes;
pub mod support;
pub mod sync;

pub use accounts::{AccountError, AccountService, AccountSettings, CodeSent, NewSapClient, RegisterInput};
pub use addresses::{AddressError, AddressInput, AddressService, AddressSettings};
pub use catalog::{CatalogError, CatalogService, CatalogSettings};
pub use chat::{ChatError, ChatService};
pub use coupons::{CouponError, CouponGrant, CouponService, IssuedCoupons, Wallet};
pub use feedback::{FeedbackError, FeedbackService};
pub use files::{FileError, FileService, Uploader};
pub use mosques::{MosqueError, MosqueService};
pub use notifications::{NotificationError, NotificationService, NotificationSettings};
pub use orders::{CheckoutError, OrderError, OrderService, OrderSettings, PaymentError};
pub use promo_codes::{PromoCodeChanges, PromoCodeDraft, PromoCodeError, PromoCodeService};
pub use support::{SupportError, SupportService};
pub use sync::{SapInboundService, SyncError, SyncService};
