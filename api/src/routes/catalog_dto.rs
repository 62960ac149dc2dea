//! Shapes of catalog and delivery responses and of the admin's catalog input.
use poem_openapi::{Enum, Object};
use sabil_core::domain::catalog::{Product, ProductType, Promotion, PromotionKind};
use sabil_core::domain::delivery::{AreaBoundary, DeliveryArea, DeliverySlot, MapPoint, SlotAvailability};
use sabil_core::domain::{Currency, Invalid, Language, LocalizedText, Money};
use serde::Deserialize;
use time::OffsetDateTime;

/// The language asked for by `Accept-Language`: Arabic for `ar…`, English otherwise.
#[must_use]
pub fn language(accept_language: Option<&str>) -> Language {
    match accept_language.map(str::trim_start) {
        Some(v) if v.len() >= 2 && v[..2].eq_ignore_ascii_case("ar") => Language::Ar,
        _ => Language::En,
    }
}

/// An amount of money.
#[derive(Debug, Clone, Object)]
#[oai(rename_all = "camelCase")]
pub struct MoneyDto {
    /// Minor units (fils): 1 KWD = 1000, 1 AED = 100.
    pub amount: i64,
    /// ISO 4217 code: `KWD` or `AED`.
    pub currency: String,
    /// For display, e.g. `1.250 KWD`.
    pub formatted: String,
}

impl From<Money> for MoneyDto {
    fn from(m: Money) -> Self {
        Self { amount: m.minor, currency: m.currency.code().to_owned(), formatted: m.formatted() }
    }
}

/// An amount of money as an admin sends it.
#[derive(Debug, Clone, Object, Deserialize)]
#[oai(rename_all = "camelCase", deny_unknown_fields)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct MoneyInput {
    /// Minor units (fils), e.g. 1250 for 1.250 KWD.
    pub amount: i64,
    /// `KWD` or `AED`.
    pub currency: String,
}

impl MoneyInput {
    /// The amount, with the currency checked; problems are named under `field`.
    pub fn parse(&self, field: &str) -> Result<Money, Invalid> {
        Ok(Money::new(self.amount, Currency::parse(&self.currency).map_err(|e| e.at(&format!("{field}.currency")))?))
    }
}

/// What kind of product.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Enum, Deserialize)]
#[oai(rename_all = "snake_case")]
#[serde(rename_all = "snake_case")]
pub enum ProductTypeDto {
    /// A refillable large bottle.
    Refill,
    /// A carton of small bottles.
    Pack,
    /// A book of prepaid coupons.
    CouponBook,
}

impl From<ProductTypeDto> for ProductType {
    fn from(t: ProductTypeDto) -> Self {
        match t {
            ProductTypeDto::Refill => Self::Refill,
            ProductTypeDto::Pack => Self::Pack,
            ProductTypeDto::CouponBook => Self::CouponBook,
        }
    }
}

impl From<ProductType> for ProductTypeDto {
    fn from(t: ProductType) -> Self {
        match t {
            ProductType::Refill => Self::Refill,
            ProductType::Pack => Self::Pack,
            ProductType::CouponBook => Self::CouponBook,
        }
    }
}

fn image_url(id: Option<uuid::Uuid>) -> Option<String> {
    id.map(|id| format!("/api/files/{id}"))
}

/// A product, its texts in the language asked for.
#[derive(Debug, Clone, Object)]
#[oai(rename_all = "camelCase", skip_serializing_if_is_none)]
pub struct ProductDto {
    pub id: uuid::Uuid,
    /// SAP's item code, when known.
    pub sap_id: Option<String>,
    pub title: String,
    pub description: String,
    #[oai(rename = "type")]
    pub product_type: ProductTypeDto,
    /// One bottle's volume in millilitres.
    pub volume_ml: u32,
    pub bottles_per_pack: u32,
    /// Price of one pack.
    pub price: MoneyDto,
    /// Fewest packs per order.
    pub min_quantity: u32,
    /// Most packs per order.
    pub max_quantity: u32,
    /// Where to fetch the image, when there is one.
    pub image_url: Option<String>,
    pub active: bool,
    pub sort_order: i32,
}

impl ProductDto {
    pub fn new(p: Product, lang: Language) -> Self {
        Self {
            id: p.id.0,
            sap_id: p.sap_id,
            title: p.title.get(lang).to_owned(),
            description: p.description.get(lang).to_owned(),
            product_type: p.product_type.into(),
            volume_ml: p.volume_ml,
            bottles_per_pack: p.bottles_per_pack,
            price: p.price_per_pack.into(),
            min_quantity: p.min_quantity,
            max_quantity: p.max_quantity,
            image_url: image_url(p.image_id),
            active: p.active,
            sort_order: p.sort_order,
        }
    }
}

/// One page of products.
#[derive(Debug, Object)]
#[oai(rename_all = "camelCase", skip_serializing_if_is_none)]
pub struct ProductPage {
    pub items: Vec<ProductDto>,
    /// Pass as `cursor` for the next page; null on the last page.
    pub next_cursor: Option<String>,
}

/// How a promotion lowers prices.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Enum, Deserialize)]
#[oai(rename_all = "snake_case")]
#[serde(rename_all = "snake_case")]
pub enum PromotionKindDto {
    /// For every `buyPacks` packs, `freePacks` more come free.
    BuyGetFree,
    /// Every `bundlePacks` packs cost `bundlePrice`.
    FixedPriceBundle,
}

/// A promotion valid now, its title in the language asked for.
#[derive(Debug, Clone, Object)]
#[oai(rename_all = "camelCase", skip_serializing_if_is_none)]
pub struct PromotionDto {
    pub id: uuid::Uuid,
    pub sap_id: Option<String>,
    pub title: String,
    pub kind: PromotionKindDto,
    /// For `buy_get_free`: packs to buy.
    pub buy_packs: Option<u32>,
    /// For `buy_get_free`: packs given free for every `buyPacks`.
    pub free_packs: Option<u32>,
    /// For `fixed_price_bundle`: packs in one bundle.
    pub bundle_packs: Option<u32>,
    /// For `fixed_price_bundle`: price of one bundle.
    pub bundle_price: Option<MoneyDto>,
    pub valid_from: OffsetDateTime,
    /// First instant it no longer applies.
    pub valid_until: OffsetDateTime,
    /// The products it applies to.
    pub product_ids: Vec<uuid::Uuid>,
    pub image_url: Option<String>,
    pub active: bool,
}

impl PromotionDto {
    pub fn new(p: Promotion, lang: Language) -> Self {
        let (kind, buy, free, packs, price) = match p.kind {
            PromotionKind::BuyGetFree { buy, free } => (PromotionKindDto::BuyGetFree, Some(buy), Some(free), None, None),
            PromotionKind::FixedPriceBundle { packs, price } => {
                (PromotionKindDto::FixedPriceBundle, None, None, Some(packs), Some(price.into()))
            }
        };
        Self {
            id: p.id.0,
            sap_id: p.sap_id,
            title: p.title.get(lang).to_owned(),
            kind,
            buy_packs: buy,
            free_packs: free,
            bundle_packs: packs,
            bundle_price: price,
            valid_from: p.valid_from,
            valid_until: p.valid_until,
            product_ids: p.product_ids.into_iter().map(|id| id.0).collect(),
            image_url: image_url(p.image_id),
            active: p.active,
        }
    }
}

/// A GeoJSON geometry: `Polygon` (`coordinates[ring][point] = [longitude, latitude]`) or
/// `MultiPolygon` (`coordinates[polygon][ring][point]`). Answers always use `MultiPolygon`.
#[derive(Debug, Clone, Object, Deserialize)]
#[oai(rename_all = "camelCase", deny_unknown_fields)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct GeoJsonGeometry {
    /// `Polygon` or `MultiPolygon`.
    #[oai(rename = "type")]
    #[serde(rename = "type")]
    pub kind: String,
    /// Nested arrays of `[longitude, latitude]` pairs.
    pub coordinates: serde_json::Value,
}

impl GeoJsonGeometry {
    /// The boundary, validated.
    pub fn parse(&self) -> Result<AreaBoundary, Invalid> {
        let hint = "Send {\"type\": \"Polygon\", \"coordinates\": [[[lon, lat], ...]]} with closed rings.";
        let bad = |problem: &str| Invalid::field("boundary", problem, hint);
        let polygons: Vec<Vec<Vec<[f64; 2]>>> = match self.kind.as_str() {
            "Polygon" => vec![serde_json::from_value(self.coordinates.clone()).map_err(|_| bad("coordinates are not a Polygon's"))?],
            "MultiPolygon" => serde_json::from_value(self.coordinates.clone()).map_err(|_| bad("coordinates are not a MultiPolygon's"))?,
            _ => return Err(bad("type must be Polygon or MultiPolygon")),
        };
        AreaBoundary::parse(
            polygons
                .into_iter()
                .map(|poly| {
                    poly.into_iter()
                        .map(|ring| ring.into_iter().map(|[lon, lat]| MapPoint { latitude: lat, longitude: lon }).collect())
                        .collect()
                })
                .collect(),
        )
    }

    /// The boundary as GeoJSON.
    pub fn from_boundary(b: &AreaBoundary) -> Self {
        let coords: Vec<Vec<Vec<[f64; 2]>>> = b
            .polygons()
            .iter()
            .map(|poly| poly.iter().map(|ring| ring.iter().map(|p| [p.longitude, p.latitude]).collect()).collect())
            .collect();
        Self { kind: "MultiPolygon".to_owned(), coordinates: serde_json::to_value(coords).unwrap_or_default() }
    }
}

/// A delivery area, its name in the language asked for.
#[derive(Debug, Clone, Object)]
#[oai(rename_all = "camelCase", skip_serializing_if_is_none)]
pub struct DeliveryAreaDto {
    pub id: uuid::Uuid,
    pub sap_id: Option<String>,
    pub name: String,
    pub delivery_fee: MoneyDto,
    /// Orders below this subtotal are refused.
    pub minimum_order: MoneyDto,
    /// Where it is, when mapped.
    pub boundary: Option<GeoJsonGeometry>,
    pub active: bool,
}

impl DeliveryAreaDto {
    pub fn new(a: DeliveryArea, lang: Language) -> Self {
        Self {
            id: a.id.0,
            sap_id: a.sap_id,
            name: a.name.get(lang).to_owned(),
            delivery_fee: a.delivery_fee.into(),
            minimum_order: a.minimum_order.into(),
            boundary: a.boundary.as_ref().map(GeoJsonGeometry::from_boundary),
            active: a.active,
        }
    }
}

/// One slot on one date.
#[derive(Debug, Clone, Object)]
#[oai(rename_all = "camelCase")]
pub struct SlotAvailabilityDto {
    pub slot_id: uuid::Uuid,
    /// Business-time date of the delivery, `YYYY-MM-DD`.
    pub date: String,
    pub starts_at: OffsetDateTime,
    pub ends_at: OffsetDateTime,
    pub capacity: u32,
    /// Places left.
    pub remaining: u32,
    /// Still open for orders (before the cut-off and not full).
    pub bookable: bool,
}

impl From<SlotAvailability> for SlotAvailabilityDto {
    fn from(s: SlotAvailability) -> Self {
        Self {
            slot_id: s.slot_id.0,
            date: s.date.to_string(),
            starts_at: s.starts_at,
            ends_at: s.ends_at,
            capacity: s.capacity,
            remaining: s.remaining,
            bookable: s.bookable,
        }
    }
}

/// A weekly slot of an area, as admins manage it.
#[derive(Debug, Clone, Object)]
#[oai(rename_all = "camelCase")]
pub struct DeliverySlotDto {
    pub id: uuid::Uuid,
    pub area_id: uuid::Uuid,
    /// `monday` … `sunday`.
    pub weekday: String,
    /// `HH:MM`, business time.
    pub starts_at: String,
    /// `HH:MM`, business time.
    pub ends_at: String,
    pub capacity: u32,
    pub active: bool,
}

impl From<DeliverySlot> for DeliverySlotDto {
    fn from(s: DeliverySlot) -> Self {
        Self {
            id: s.id.0,
            area_id: s.area_id.0,
            weekday: s.weekday.to_string().to_lowercase(),
            starts_at: format!("{:02}:{:02}", s.starts_at.hour(), s.starts_at.minute()),
            ends_at: if s.ends_at.hour() == 23 && s.ends_at.minute() == 59 && s.ends_at.second() == 59 {
                "24:00".to_owned()
            } else {
                format!("{:02}:{:02}", s.ends_at.hour(), s.ends_at.minute())
            },
            capacity: s.capacity,
            active: s.active,
        }
    }
}

/// Localized text as an admin sends it, in the flat fields `<field>Ar` and `<field>En`.
pub fn localized(field: &str, ar: &str, en: &str, max: usize) -> Result<LocalizedText, Invalid> {
    LocalizedText::parse(field, ar, en, max).map_err(|mut e| {
        for p in &mut e.0 {
            p.field = p.field.replace(".ar", "Ar").replace(".en", "En");
        }
        e
    })
}
