//! Shapes of support-content requests and responses, and the localized text and map point that
//! mosques share. Public answers carry texts in the language of `Accept-Language`; admin answers
//! carry both languages, since admins edit both.
use poem_openapi::{Enum, Object};
use sabil_core::domain::delivery::MapPoint;
use sabil_core::domain::mosque::{parse_point, parse_sap_id};
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

/// A question and its answer in the language asked for.
#[derive(Debug, Clone, Object)]
#[oai(rename_all = "camelCase")]
pub struct FaqQuestionDto {
    /// The question's id.
    pub id: uuid::Uuid,
    /// The question in the language asked for.
    pub question: String,
    /// The answer in the language asked for.
    pub answer: String,
}

/// A FAQ category with its questions, in the language asked for.
#[derive(Debug, Clone, Object)]
#[oai(rename_all = "camelCase")]
pub struct FaqCategoryDto {
    /// The category's id.
    pub id: uuid::Uuid,
    /// Its heading in the language asked for.
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
    /// The question's id, as used in PUT /api/admin/faq/questions/{id}.
    pub id: uuid::Uuid,
    /// The category it is listed under.
    pub category_id: uuid::Uuid,
    /// The question in both languages.
    pub question: LocalizedTextDto,
    /// The answer in both languages.
    pub answer: LocalizedTextDto,
    /// Lower first within its category.
    pub sort_order: i32,
    /// Inactive questions are hidden from customers.
    pub active: bool,
    /// When it last changed (RFC 3339, UTC).
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
    /// The category's id, as used in PUT /api/admin/faq/categories/{id}.
    pub id: uuid::Uuid,
    /// Its heading in both languages.
    pub title: LocalizedTextDto,
    /// Lower first.
    pub sort_order: i32,
    /// Inactive categories are hidden from customers with all their questions.
    pub active: bool,
    /// When it last changed (RFC 3339, UTC).
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
    /// The category.
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
    /// The channel's id.
    pub id: uuid::Uuid,
    /// `phone`, `whatsapp` or `email`.
    pub kind: ContactKindDto,
    /// E.164 or a local service number for `phone`, E.164 for `whatsapp`, an address for `email`.
    pub value: String,
    /// What to show next to it, in the language asked for.
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
    /// The channel's id, as used in PUT /api/admin/contacts/{id}.
    pub id: uuid::Uuid,
    /// `phone`, `whatsapp` or `email`.
    pub kind: ContactKindDto,
    /// The number or address in its canonical form.
    pub value: String,
    /// What the app shows next to it, in both languages.
    pub label: LocalizedTextDto,
    /// Lower first.
    pub sort_order: i32,
    /// Inactive channels are hidden from customers.
    pub active: bool,
    /// When it last changed (RFC 3339, UTC).
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
    /// The full text in the language asked for.
    pub body: String,
    /// When this version took effect (RFC 3339, UTC).
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
    /// The version accepted.
    pub version: u32,
    /// When the customer first accepted it.
    pub accepted_at: OffsetDateTime,
}

/// A terms version as admins see it: both languages.
#[derive(Debug, Clone, Object)]
#[oai(rename_all = "camelCase")]
pub struct AdminTermsDto {
    /// The version's number: one above the previous version.
    pub version: u32,
    /// The full text in both languages.
    pub body: LocalizedTextDto,
    /// When it took effect (RFC 3339, UTC).
    pub published_at: OffsetDateTime,
}

impl From<TermsVersion> for AdminTermsDto {
    fn from(t: TermsVersion) -> Self {
        Self { version: t.version, body: t.body.into(), published_at: t.published_at }
    }
}
