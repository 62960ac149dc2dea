//! Mosques customers can have water delivered to (mosque-donation orders): a localized name, a map
//! point, the delivery area that serves it, and the great-circle distance used to list the nearest.
use time::OffsetDateTime;
use uuid::Uuid;

use super::delivery::{DeliveryAreaId, MapPoint};
use super::localized::LocalizedText;
use super::validation::Invalid;

/// Identifier of a mosque (UUIDv7).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct MosqueId(pub Uuid);

/// A mosque water can be donated to.
#[derive(Debug, Clone, PartialEq)]
pub struct Mosque {
    /// The mosque's identifier, never reused.
    pub id: MosqueId,
    /// SAP's code for the mosque (a ship-to party), when SAP knows it; unique among mosques.
    pub sap_id: Option<String>,
    /// Its name as people know it, in Arabic and English.
    pub name: LocalizedText,
    /// Where it is.
    pub location: MapPoint,
    /// The delivery area that serves it.
    pub area_id: DeliveryAreaId,
    /// Inactive mosques are hidden from customers and cannot receive orders.
    pub active: bool,
    /// When it was added (UTC).
    pub created_at: OffsetDateTime,
    /// When any of its details last changed (UTC).
    pub updated_at: OffsetDateTime,
}

/// Longest mosque name, per language.
pub const MOSQUE_NAME_MAX: usize = 150;

/// Longest SAP id.
pub const SAP_ID_MAX: usize = 64;

/// A map point from client input, checked to lie on the globe. `prefix` is the JSON object holding
/// the coordinates (`location` gives `location.latitude`); `None` names the bare query parameters.
///
/// # Errors
/// `Invalid` naming the latitude or longitude field when off the globe or not a number.
pub fn parse_point(prefix: Option<&str>, latitude: f64, longitude: f64) -> Result<MapPoint, Invalid> {
    let name = |field: &str| prefix.map_or_else(|| field.to_owned(), |p| format!("{p}.{field}"));
    if !latitude.is_finite() || !(-90.0..=90.0).contains(&latitude) {
        return Err(Invalid::field(&name("latitude"), "is outside -90..90", "Send degrees north, e.g. 24.4539 for Abu Dhabi."));
    }
    if !longitude.is_finite() || !(-180.0..=180.0).contains(&longitude) {
        return Err(Invalid::field(&name("longitude"), "is outside -180..180", "Send degrees east, e.g. 54.3773 for Abu Dhabi."));
    }
    Ok(MapPoint { latitude, longitude })
}

/// A SAP id as an admin typed it: trimmed, 1 to 64 characters, no control characters.
///
/// # Errors
/// `Invalid` naming `sapId`.
pub fn parse_sap_id(raw: &str) -> Result<String, Invalid> {
    let id = raw.trim();
    let len = id.chars().count();
    if len == 0 || len > SAP_ID_MAX || id.chars().any(char::is_control) {
        return Err(Invalid::field(
            "sapId",
            format!("must be 1 to {SAP_ID_MAX} characters without control characters"),
            "Send SAP's code for it, e.g. MSQ-000123, or null when SAP does not know it.",
        ));
    }
    Ok(id.to_owned())
}

/// Mean radius of the Earth (IUGG), in metres.
const EARTH_RADIUS_M: f64 = 6_371_008.8;

/// Great-circle distance between two points in metres (haversine on a sphere of the Earth's mean
/// radius): within about 0.5 % of the ellipsoidal distance, plenty to sort mosques by nearness.
#[must_use]
pub fn distance_meters(a: MapPoint, b: MapPoint) -> f64 {
    let (lat1, lat2) = (a.latitude.to_radians(), b.latitude.to_radians());
    let d_lat = lat2 - lat1;
    let d_lon = (b.longitude - a.longitude).to_radians();
    let h = (d_lat / 2.0).sin().powi(2) + lat1.cos() * lat2.cos() * (d_lon / 2.0).sin().powi(2);
    // `min(1.0)`: rounding can push `h` a hair above 1 for antipodal points, and asin(>1) is NaN.
    2.0 * EARTH_RADIUS_M * h.sqrt().min(1.0).asin()
}

/// A mosque in a list, with its distance from the point the list was asked for.
#[derive(Debug, Clone, PartialEq)]
pub struct MosqueHit {
    /// The mosque.
    pub mosque: Mosque,
    /// Metres from the requested point; `None` when no point was given.
    pub distance_meters: Option<f64>,
}

/// The mosques ordered for a list: nearest first (ties by id) when `near` is given, otherwise in
/// the order given.
#[must_use]
pub fn order_mosques(mosques: Vec<Mosque>, near: Option<MapPoint>) -> Vec<MosqueHit> {
    let mut hits: Vec<MosqueHit> =
        mosques.into_iter().map(|m| MosqueHit { distance_meters: near.map(|p| distance_meters(p, m.location)), mosque: m }).collect();
    if near.is_some() {
        hits.sort_by(|a, b| {
            let (da, db) = (a.distance_meters.unwrap_or(f64::MAX), b.distance_meters.unwrap_or(f64::MAX));
            da.total_cmp(&db).then(a.mosque.id.cmp(&b.mosque.id))
        });
    }
    hits
}

#[cfg(test)]
mod tests {
    use time::macros::datetime;

    use super::*;

    fn at(latitude: f64, longitude: f64) -> MapPoint {
        MapPoint { latitude, longitude }
    }

    fn mosque(n: u128, location: MapPoint) -> Mosque {
        Mosque {
            id: MosqueId(Uuid::from_u128(n)),
            sap_id: None,
            name: LocalizedText { ar: format!("مسجد {n}"), en: format!("Mosque {n}") },
            location,
            area_id: DeliveryAreaId(Uuid::from_u128(1)),
            active: true,
            created_at: datetime!(2026-01-01 0:00 UTC),
            updated_at: datetime!(2026-01-01 0:00 UTC),
        }
    }

    #[test]
    fn distances_match_known_city_pairs() {
        let abu_dhabi = at(24.4539, 54.3773);
        let dubai = at(25.2048, 55.2708);
        let d = distance_meters(abu_dhabi, dubai);
        // About 123 km between the two city centres.
        assert!((122_500.0..123_500.0).contains(&d), "{d}");
        assert!((distance_meters(dubai, abu_dhabi) - d).abs() < 1e-6, "symmetric");
        assert_eq!(distance_meters(dubai, dubai), 0.0);
    }

    #[test]
    fn one_degree_of_latitude_is_about_111_km_and_antipodes_are_half_the_globe_apart() {
        let d = distance_meters(at(0.0, 0.0), at(1.0, 0.0));
        assert!((d - 111_195.0).abs() < 10.0, "{d}");
        let half = distance_meters(at(0.0, 0.0), at(0.0, 180.0));
        assert!((half - std::f64::consts::PI * EARTH_RADIUS_M).abs() < 1.0, "{half}");
        assert!(distance_meters(at(90.0, 0.0), at(-90.0, 0.0)).is_finite());
    }

    #[test]
    fn longitude_shrinks_towards_the_poles() {
        let at_equator = distance_meters(at(0.0, 0.0), at(0.0, 1.0));
        let at_sixty = distance_meters(at(60.0, 0.0), at(60.0, 1.0));
        assert!((at_sixty / at_equator - 0.5).abs() < 0.001, "{at_sixty} vs {at_equator}");
    }

    #[test]
    fn near_lists_the_nearest_first_with_ties_broken_by_id() {
        let from = at(24.45, 54.37);
        let far = mosque(1, at(24.60, 54.37));
        let near = mosque(2, at(24.46, 54.37));
        let tie_b = mosque(4, at(24.50, 54.37));
        let tie_a = mosque(3, at(24.50, 54.37));
        let ordered = order_mosques(vec![far, near, tie_b, tie_a], Some(from));
        let ids: Vec<u128> = ordered.iter().map(|h| h.mosque.id.0.as_u128()).collect();
        assert_eq!(ids, vec![2, 3, 4, 1]);
        assert!(ordered.windows(2).all(|w| w[0].distance_meters <= w[1].distance_meters));
        let first = ordered[0].distance_meters.expect("a distance");
        assert!((first - 1_112.0).abs() < 5.0, "{first}");
    }

    #[test]
    fn without_a_point_the_order_is_kept_and_no_distance_given() {
        let ordered = order_mosques(vec![mosque(2, at(1.0, 1.0)), mosque(1, at(0.0, 0.0))], None);
        assert_eq!(ordered.iter().map(|h| h.mosque.id.0.as_u128()).collect::<Vec<_>>(), vec![2, 1]);
        assert!(ordered.iter().all(|h| h.distance_meters.is_none()));
    }

    #[test]
    fn points_off_the_globe_name_their_field() {
        assert_eq!(parse_point(None, 24.0, 54.0), Ok(at(24.0, 54.0)));
        assert_eq!(parse_point(Some("location"), 91.0, 0.0).expect_err("lat").0[0].field, "location.latitude");
        assert_eq!(parse_point(None, 0.0, f64::NAN).expect_err("lon").0[0].field, "longitude");
        assert_eq!(parse_point(None, f64::INFINITY, 0.0).expect_err("lat").0[0].field, "latitude");
    }

    #[test]
    fn sap_ids_are_trimmed_and_bounded() {
        assert_eq!(parse_sap_id("  MSQ-1 "), Ok("MSQ-1".to_owned()));
        assert!(parse_sap_id(" ").is_err());
        assert!(parse_sap_id(&"x".repeat(65)).is_err());
        assert!(parse_sap_id("a\nb").is_err());
    }
}
