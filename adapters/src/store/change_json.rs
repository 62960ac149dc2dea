//! JSON of the change records SAP reads for customers and addresses (orders have theirs in
//! `orders/json.rs`): the entity as it is after the change, with our id and SAP's, in our field names.
use sabil_core::domain::User;
use sabil_core::domain::address::{Address, AddressText};
use serde_json::json;

/// The customer as its change record carries it.
pub(crate) fn customer_change(u: &User) -> String {
    let location = u.location.map(|l| json!({"latitude": l.latitude, "longitude": l.longitude, "accuracyMeters": l.accuracy_meters}));
    json!({
        "id": u.id.0, "sapId": u.sap_id, "phone": u.phone.as_ref().map(|p| p.as_str()), "fullName": u.full_name.as_str(),
        "language": u.language.as_str(), "status": u.status.as_str(), "location": location,
    })
    .to_string()
}

/// The address as its change record carries it.
pub(crate) fn address_change(a: &Address) -> String {
    let d = &a.details;
    let p = &d.premises;
    let text = |t: Option<&AddressText>| t.map(AddressText::as_str).map(str::to_owned);
    json!({
        "id": a.id.0, "sapId": a.sap_id, "customerId": a.user_id.0, "areaId": a.area_id.0, "kind": d.kind().as_str(),
        "label": d.label.as_str(), "block": d.block.as_str(), "street": d.street.as_str(), "avenue": text(d.avenue.as_ref()),
        "house": text(p.house()), "building": text(p.building()), "floor": text(p.floor()), "apartment": text(p.apartment()),
        "office": text(p.office()), "directions": text(d.directions.as_ref()), "latitude": a.location.latitude,
        "longitude": a.location.longitude,
    })
    .to_string()
}
