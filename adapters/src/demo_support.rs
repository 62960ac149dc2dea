//! Demo mosques, FAQ, contact channels and terms for the embedded default and `sabil demo load`,
//! written together with the demo catalog (its areas are where the mosques are).
use sabil_core::domain::LocalizedText;
use sabil_core::domain::delivery::{DeliveryArea, MapPoint};
use sabil_core::domain::mosque::{Mosque, MosqueId};
use sabil_core::domain::support::{
    ContactAddress, ContactChannel, ContactChannelId, ContactKind, FaqCategory, FaqCategoryId, FaqQuestion, FaqQuestionId, TermsVersion,
};
use sabil_core::error::RepoError;
use uuid::Uuid;

use crate::app::App;

fn text(ar: &str, en: &str) -> LocalizedText {
    LocalizedText { ar: ar.to_owned(), en: en.to_owned() }
}

/// Writes the demo support content for the given (just created) areas; returns how many rows.
///
/// # Errors
/// Storage failures.
pub async fn seed_support(app: &App, areas: &[DeliveryArea]) -> Result<usize, RepoError> {
    let now = app.ports.clock.now();
    let mut written = 0;
    let mosques = [
        ("مسجد الشيخ زايد الكبير", "Sheikh Zayed Grand Mosque", 24.4128, 54.4750, "Abu Dhabi City"),
        ("مسجد جزيرة الريم", "Al Reem Island Mosque", 24.4990, 54.4050, "Al Reem Island"),
        ("مسجد مارينا دبي", "Dubai Marina Mosque", 25.0800, 55.1400, "Dubai Marina"),
        ("مسجد وسط المدينة", "Downtown Mosque", 25.1950, 55.2780, "Downtown Dubai"),
    ];
    for (ar, en, latitude, longitude, area) in mosques {
        let Some(area) = areas.iter().find(|a| a.name.en == area) else { continue };
        let mosque = Mosque {
            id: MosqueId(Uuid::now_v7()),
            sap_id: None,
            name: text(ar, en),
            location: MapPoint { latitude, longitude },
            area_id: area.id,
            active: true,
            created_at: now,
            updated_at: now,
        };
        app.ports.mosques.create(&mosque).await?;
        written += 1;
    }
    let category = FaqCategory {
        id: FaqCategoryId(Uuid::now_v7()),
        title: text("الطلبات", "Orders"),
        sort_order: 1,
        active: true,
        created_at: now,
        updated_at: now,
    };
    app.ports.faq.create_category(&category).await?;
    written += 1;
    let questions = [
        ("متى يصل طلبي؟", "When will my order arrive?", "في الموعد الذي تختاره عند الطلب.", "In the delivery slot you pick when ordering."),
        (
            "هل يمكنني إهداء الماء لمسجد؟",
            "Can I send water to a mosque?",
            "نعم، اختر المسجد بدلاً من عنوانك.",
            "Yes: choose the mosque instead of your address.",
        ),
    ];
    for (i, (q_ar, q_en, a_ar, a_en)) in questions.into_iter().enumerate() {
        let question = FaqQuestion {
            id: FaqQuestionId(Uuid::now_v7()),
            category_id: category.id,
            question: text(q_ar, q_en),
            answer: text(a_ar, a_en),
            sort_order: i32::try_from(i).unwrap_or(0) + 1,
            active: true,
            created_at: now,
            updated_at: now,
        };
        app.ports.faq.create_question(&question).await?;
        written += 1;
    }
    let channels = [
        (ContactKind::Phone, "800722245", "الهاتف", "Phone"),
        (ContactKind::Whatsapp, "+971501234567", "واتساب", "WhatsApp"),
        (ContactKind::Email, "care@sabil.example", "البريد", "Email"),
    ];
    for (i, (kind, value, ar, en)) in channels.into_iter().enumerate() {
        let Ok(address) = ContactAddress::parse(kind, value) else { continue };
        let channel = ContactChannel {
            id: ContactChannelId(Uuid::now_v7()),
            address,
            label: text(ar, en),
            sort_order: i32::try_from(i).unwrap_or(0) + 1,
            active: true,
            created_at: now,
            updated_at: now,
        };
        app.ports.contacts.create(&channel).await?;
        written += 1;
    }
    let terms = TermsVersion {
        version: 1,
        body: text("باستخدامك تطبيق سبيل فإنك توافق على شروط الخدمة.", "By using the Sabil app you agree to the terms of service."),
        published_at: now,
    };
    app.ports.terms.publish(&terms).await?;
    Ok(written + 1)
}
