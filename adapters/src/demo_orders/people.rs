//! The history's customers: names, a phone in the reserved demo range, a language, and one delivery
//! address in their area (with the text an order copies, as checkout writes it).
use sabil_core::domain::delivery::DeliveryAreaId;
use time::{Duration, OffsetDateTime};
use uuid::Uuid;

use super::catalog::Area;
use super::rng::Rng;

/// Phones of history customers: `+965` then eight digits starting `09`. Kuwaiti numbers never start with
/// 0, so these reach nobody and cannot clash with a real customer (nor with the demo accounts, `+96500...`).
pub const HISTORY_PHONE_PREFIX: &str = "+96509";

/// How many numbers the range holds (`+96509000000` to `+96509999999`).
pub(super) const HISTORY_PHONES: u32 = 1_000_000;

const FIRST_NAMES: &[&str] = &[
    "Fatima", "Mohammed", "Aisha", "Ahmed", "Mariam", "Omar", "Noura", "Khalid", "Sara", "Abdullah", "Huda", "Yousef", "Latifa", "Hamad",
    "Reem", "Saeed", "Maitha", "Rashid", "Hessa", "Sultan", "Amna", "Ali", "Shaikha", "Faisal", "Layla", "Majid", "Salama", "Nasser",
];
const FAMILY_NAMES: &[&str] = &[
    "Al-Mansouri",
    "Al-Nuaimi",
    "Al-Dhaheri",
    "Al-Shamsi",
    "Al-Kaabi",
    "Al-Mazrouei",
    "Al-Suwaidi",
    "Al-Hammadi",
    "Al-Marri",
    "Al-Ali",
    "Al-Falasi",
    "Al-Qubaisi",
    "Al-Zaabi",
    "Al-Ketbi",
    "Al-Hashemi",
    "Al-Romaithi",
    "Al-Sabah",
    "Al-Mutairi",
    "Khan",
    "Pereira",
];

/// A customer account to write, with its address.
#[derive(Debug, Clone)]
pub(super) struct NewCustomer {
    pub id: Uuid,
    pub phone: String,
    pub full_name: String,
    pub language: &'static str,
    pub created_at: OffsetDateTime,
    /// The area of its address.
    pub area_id: DeliveryAreaId,
    pub address: NewAddress,
}

/// The customer's one address.
#[derive(Debug, Clone)]
pub(super) struct NewAddress {
    pub id: Uuid,
    pub kind: &'static str,
    pub label: &'static str,
    pub block: String,
    pub street: String,
    pub house: Option<String>,
    pub building: Option<String>,
    pub floor: Option<String>,
    pub apartment: Option<String>,
    pub office: Option<String>,
    pub latitude: f64,
    pub longitude: f64,
    /// What an order copies: the same shape as checkout's address text.
    pub text: String,
}

/// Makes customer number `n` of the range, created at `at`, living in area `area`.
pub(super) fn customer(rng: &mut Rng, n: u32, at: OffsetDateTime, area: usize, areas: &[Area]) -> NewCustomer {
    let first = FIRST_NAMES[rng.below(FIRST_NAMES.len())];
    let family = FAMILY_NAMES[rng.below(FAMILY_NAMES.len())];
    let language = if rng.chance(0.65) { "ar" } else { "en" };
    let id = rng.uuid_at(at);
    let address = address(rng, at, &areas[area]);
    NewCustomer {
        id,
        phone: format!("{HISTORY_PHONE_PREFIX}{n:06}"),
        full_name: format!("{first} {family}"),
        language,
        created_at: at,
        area_id: areas[area].id,
        address,
    }
}

fn address(rng: &mut Rng, at: OffsetDateTime, area: &Area) -> NewAddress {
    let n = |rng: &mut Rng, lo: i64, hi: i64| rng.between(lo, hi).to_string();
    let (kind, label) = match rng.weighted(&[0.4, 0.5, 0.1]) {
        0 => ("house", "Home"),
        1 => ("apartment", if rng.chance(0.8) { "Home" } else { "Parents" }),
        _ => ("office", "Work"),
    };
    let block = n(rng, 1, 12);
    let street = n(rng, 1, 60);
    let (mut house, mut building, mut floor, mut apartment, mut office) = (None, None, None, None, None);
    match kind {
        "house" => house = Some(n(rng, 1, 120)),
        "apartment" => {
            building = Some(n(rng, 1, 40));
            floor = Some(n(rng, 1, 25));
            apartment = Some(n(rng, 1, 60));
        }
        _ => {
            building = Some(n(rng, 1, 40));
            floor = Some(n(rng, 1, 30));
            office = Some(n(rng, 101, 3020));
        }
    }
    // Inside the middle of the area's box, so the pin falls in the area.
    let latitude = area.corner.0 + area.size.0 * (0.2 + 0.6 * rng.unit());
    let longitude = area.corner.1 + area.size.1 * (0.2 + 0.6 * rng.unit());
    let mut parts = vec![format!("{label} ({kind})"), format!("Block {block}"), format!("Street {street}")];
    for (name, value) in [("House", &house), ("Building", &building), ("Floor", &floor), ("Apartment", &apartment), ("Office", &office)] {
        if let Some(v) = value {
            parts.push(format!("{name} {v}"));
        }
    }
    parts.push(format!("({latitude:.6}, {longitude:.6})"));
    NewAddress {
        id: rng.uuid_at(at + Duration::minutes(2)),
        kind,
        label,
        block,
        street,
        house,
        building,
        floor,
        apartment,
        office,
        latitude,
        longitude,
        text: parts.join(", "),
    }
}
