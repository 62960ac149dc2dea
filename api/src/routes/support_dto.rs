//! Shapes of mosque and support-content requests and responses. Public answers carry texts in the
//! language of `Accept-Language`; admin answers carry both languages, since admins edit both.
use poem_openapi::{Enum, Object};
use sabil_core::domain::delivery::MapPoint;
use sabil_core::domain::mosque::{MosqueHit, parse_point, parse_sap_id};
use sabil_core::domain::support::{ContactChannel, ContactKind, FaqCategory, FaqQuestion, FaqSection, TermsVersion};
use sabil_core::domain::{Invalid, Language, LocalizedText};
use serde::Deserialize;
use time::OffsetDateTime;

/// The same text in Arabic and English.
#[derive(Debug, Clone, Object, Deserialize)]
#[oai(rename_all = "camelCase", deny_unknown_fields)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct LocalizedTextDto {
    /// Arabic.
    pub ar: String,
    /// English.
    pub en: String,
}

impl LocalizedTextDto {
    /// Both versions checked (trimmed, 1 to `max` characters); problems name `field.ar` or `field.en`.
    pub fn parse(&self, field: &str, max: usize) -> Result<LocalizedText, Invalid> {
        LocalizedText::parse(field, &self.ar, &self.en, max)
    }
}

impl From<LocalizedText> for LocalizedTextDto {
    fn from(t: LocalizedText) -> Self {
        Self { ar: t.ar, en: t.en }
    }
}

/// A point on the map (WGS 84 degrees).
#[derive(Debug, Clone, Copy, Object, Deserialize)]
#[oai(rename_all = "camelCase", deny_unknown_fields)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct MapPointDto {
    /// Degrees north, -90..90, e.g. 24.4539.
    pub latitude: f64,
    /// Degrees east, -180..180, e.g. 54.3773.
    pub longitude: f64,
}

impl MapPointDto {
    /// The point, checked; problems name `field.latitude` or `field.longitude`.
    pub fn parse(self, field: &str) -> Result<MapPoint, Invalid> {
        parse_point(Some(field), self.latitude, self.longitude)
    }
}

impl From<MapPoint> for MapPointDto {
    fn from(p: MapPoint) -> Self {
        Self { latitude: p.latitude, longitude: p.longitude }
    }
}

/// A SAP id as an admin sent it: absent or null for none.
pub fn sap_id(raw: Option<&str>) -> Result<Option<String>, Invalid> {
    raw.map(parse_sap_id).transpose()
}

/// Metres, rounded to whole metres.
fn meters(d: Option<f64>) -> Option<u32> {
    d.map(|m| m.round().clamp(0.0, f64::from(u32::MAX)) as u32)
}

/// A mosque, its name in the language asked for.
#[derive(Debug, Clone, Object)]
#[oai(rename_all = "camelCase")]
pub struct MosqueDto {
    pub id: uuid::Uuid,
    pub name: String,
    pub location: MapPointDto,
    /// The delivery area that serves it.
    pub area_id: uuid::Uuid,
    /// Metres from the point asked for (great-circle); absent when no point was given.
    #[oai(skip_serializing_if_is_none)]
    pub distance_meters: Option<u32>,
}

impl MosqueDto {
    pub fn new(h: MosqueHit, lang: Language) -> Self {
        let m = h.mosque;
        Self {
            id: m.id.0,
            name: m.name.get(lang).to_owned(),
            location: m.location.into(),
            area_id: m.area_id.0,
            distance_meters: meters(h.distance_meters),
        }
    }
}

/// One page of mosques.
#[derive(Debug, Clone, Object)]
#[oai(rename_all = "camelCase")]
pub struct MosquePage {
    /// Nearest first when a point was given, otherwise by English name.
    pub items: Vec<MosqueDto>,
    /// Pass as `cursor` for the next page; absent on the last page.
    pub next_cursor: Option<String>,
}

/// A mosque as admins see it: both languages, SAP id, active flag.
#[derive(Debug, Clone, Object)]
#[oai(rename_all = "camelCase")]
pub struct AdminMosqueDto {
    pub id: uuid::Uuid,
    /// SAP's code for it; null when SAP does not know it.
    pub sap_id: Option<String>,
    pub name: LocalizedTextDto,
    pub location: MapPointDto,
    pub area_id: uuid::Uuid,
    /// Inactive mosques are hidden from customers.
    pub active: bool,
    /// Metres from the point asked for; absent when no point was given.
    #[oai(skip_serializing_if_is_none)]
    pub distance_meters: Option<u32>,
    pub created_at: OffsetDateTime,
    pub updated_at: OffsetDateTime,
}

impl From<MosqueHit> for AdminMosqueDto {
    fn from(h: MosqueHit) -> Self {
        let m = h.mosque;
        Self {
            id: m.id.0,
            sap_id: m.sap_id,
            name: m.name.into(),
            location: m.location.into(),
            area_id: m.area_id.0,
            active: m.active,
            distance_meters: meters(h.distance_meters),
            created_at: m.created_at,
            updated_at: m.updated_at,
        }
    }
}

/// One page of mosques, inactive ones too.
#[derive(Debug, Clone, Object)]
#[oai(rename_all = "camelCase")]
pub struct AdminMosquePage {
    pub items: Vec<AdminMosqueDto>,
    /// Pass as `cursor` for the next page; absent on the last page.
    pub next_cursor: Option<String>,
}

/// A question and its answer in the language asked for.
#[derive(Debug, Clone, Object)]
#[oai(rename_all = "camelCase")]
pub struct FaqQuestionDto {
    pub id: uuid::Uuid,
    pub question: String,
    pub answer: String,
}

/// A FAQ category with its questions, in the language asked for.
#[derive(Debug, Clone, Object)]
#[oai(rename_all = "camelCase")]
pub struct FaqCategoryDto {
    pub id: uuid::Uuid,
    pub title: String,
    /// In display order.
    pub questions: Vec<FaqQuestionDto>,
}

impl FaqCategoryDto {
    pub fn new(s: FaqSection, lang: Language) -> Self {
        Self {
            id: s.category.id.0,
            title: s.category.title.get(lang).to_owned(),
            questions: s
                .questions
                .into_iter()
                .map(|q| FaqQuestionDto { id: q.id.0, question: q.question.get(lang).to_owned(), answer: q.answer.get(lang).to_owned() })
                .collect(),
        }
    }
}

/// A FAQ question as admins see it.
#[derive(Debug, Clone, Object)]
#[oai(rename_all = "camelCase")]
pub struct AdminFaqQuestionDto {
    pub id: uuid::Uuid,
    pub category_id: uuid::Uuid,
    pub question: LocalizedTextDto,
    pub answer: LocalizedTextDto,
    /// Lower first within its category.
    pub sort_order: i32,
    pub active: bool,
    pub updated_at: OffsetDateTime,
}

impl From<FaqQuestion> for AdminFaqQuestionDto {
    fn from(q: FaqQuestion) -> Self {
        Self {
            id: q.id.0,
            category_id: q.category_id.0,
            question: q.question.into(),
            answer: q.answer.into(),
            sort_order: q.sort_order,
            active: q.active,
            updated_at: q.updated_at,
        }
    }
}

/// A FAQ category as admins see it.
#[derive(Debug, Clone, Object)]
#[oai(rename_all = "camelCase")]
pub struct AdminFaqCategoryDto {
    pub id: uuid::Uuid,
    pub title: LocalizedTextDto,
    /// Lower first.
    pub sort_order: i32,
    /// Inactive categories are hidden from customers with all their questions.
    pub active: bool,
    pub updated_at: OffsetDateTime,
}

impl From<FaqCategory> for AdminFaqCategoryDto {
    fn from(c: FaqCategory) -> Self {
        Self { id: c.id.0, title: c.title.into(), sort_order: c.sort_order, active: c.active, updated_at: c.updated_at }
    }
}

/// A FAQ category with every question, inactive ones too.
#[derive(Debug, Clone, Object)]
#[oai(rename_all = "camelCase")]
pub struct AdminFaqSectionDto {
    pub category: AdminFaqCategoryDto,
    /// In display order.
    pub questions: Vec<AdminFaqQuestionDto>,
}

impl From<FaqSection> for AdminFaqSectionDto {
    fn from(s: FaqSection) -> Self {
        Self { category: s.category.into(), questions: s.questions.into_iter().map(Into::into).collect() }
    }
}

/// What kind of contact channel.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Enum, Deserialize)]
#[oai(rename_all = "lowercase")]
#[serde(rename_all = "lowercase")]
pub enum ContactKindDto {
    /// A number to call.
    Phone,
    /// A WhatsApp number.
    Whatsapp,
    /// An email address.
    Email,
}

impl From<ContactKindDto> for ContactKind {
    fn from(k: ContactKindDto) -> Self {
        match k {
            ContactKindDto::Phone => Self::Phone,
            ContactKindDto::Whatsapp => Self::Whatsapp,
            ContactKindDto::Email => Self::Email,
        }
    }
}

impl From<ContactKind> for ContactKindDto {
    fn from(k: ContactKind) -> Self {
        match k {
            ContactKind::Phone => Self::Phone,
            ContactKind::Whatsapp => Self::Whatsapp,
            ContactKind::Email => Self::Email,
        }
    }
}

/// A way to reach the business, its label in the language asked for.
#[derive(Debug, Clone, Object)]
#[oai(rename_all = "camelCase")]
pub struct ContactDto {
    pub id: uuid::Uuid,
    pub kind: ContactKindDto,
    /// E.164 or a local service number for `phone`, E.164 for `whatsapp`, an address for `email`.
    pub value: String,
    pub label: String,
}

impl ContactDto {
    pub fn new(c: ContactChannel, lang: Language) -> Self {
        Self { id: c.id.0, kind: c.address.kind().into(), value: c.address.value().to_owned(), label: c.label.get(lang).to_owned() }
    }
}

/// A contact channel as admins see it.
#[derive(Debug, Clone, Object)]
#[oai(rename_all = "camelCase")]
pub struct AdminContactDto {
    pub id: uuid::Uuid,
    pub kind: ContactKindDto,
    pub value: String,
    pub label: LocalizedTextDto,
    /// Lower first.
    pub sort_order: i32,
    pub active: bool,
    pub updated_at: OffsetDateTime,
}

impl From<ContactChannel> for AdminContactDto {
    fn from(c: ContactChannel) -> Self {
        Self {
            id: c.id.0,
            kind: c.address.kind().into(),
            value: c.address.value().to_owned(),
            label: c.label.into(),
            sort_order: c.sort_order,
            active: c.active,
            updated_at: c.updated_at,
        }
    }
}

/// The current terms and conditions, in the language asked for.
#[derive(Debug, Clone, Object)]
#[oai(rename_all = "camelCase")]
pub struct TermsDto {
    /// Accept with POST /api/terms/{version}/accept.
    pub version: u32,
    pub body: String,
    pub published_at: OffsetDateTime,
    /// Whether the calling customer accepted this version; absent without a customer token.
    #[oai(skip_serializing_if_is_none)]
    pub accepted_by_you: Option<bool>,
    /// When the calling customer accepted this version; absent when they have not.
    #[oai(skip_serializing_if_is_none)]
    pub accepted_at: Option<OffsetDateTime>,
}

/// A customer's acceptance of a terms version.
#[derive(Debug, Clone, Object)]
#[oai(rename_all = "camelCase")]
pub struct TermsAcceptanceDto {
    pub version: u32,
    /// When the customer first accepted it.
    pub accepted_at: OffsetDateTime,
}

/// A terms version as admins see it: both languages.
#[derive(Debug, Clone, Object)]
#[oai(rename_all = "camelCase")]
pub struct AdminTermsDto {
    pub version: u32,
    pub body: LocalizedTextDto,
    pub published_at: OffsetDateTime,
}

impl From<TermsVersion> for AdminTermsDto {
    fn from(t: TermsVersion) -> Self {
        Self { version: t.version, body: t.body.into(), published_at: t.published_at }
    }
}
