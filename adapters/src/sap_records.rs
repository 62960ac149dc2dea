//! The schema check of SAP's changes: a change's JSON (the body SAP pushes to `/api/{entity}`, or the
//! `data` of an item of SAP's feed) read into an `InboundChange`, with every field's problem reported at
//! once (missing, wrong type, unknown value, unknown field) — serde stops at the first, and SAP's
//! integrators fix a payload faster when they see all of them. Business rules come after, in
//! `SapInboundService`.
use std::collections::HashSet;

use sabil_core::domain::address::{AddressFields, AddressKind};
use sabil_core::domain::catalog::{ProductType, PromotionKind};
use sabil_core::domain::sync::inbound::{
    CustomerRef, InboundChange, SapAddress, SapCoupon, SapCustomer, SapOrderUpdate, SapProduct, SapPromotion, SapRecord,
};
use sabil_core::domain::sync::{ChangeOperation, InboundEntity, SapHeader};
use sabil_core::domain::{Currency, FieldProblem, LocalizedText, Money};
use serde_json::{Map, Value};
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;
use uuid::Uuid;

/// Reads `body` as a change of `entity` by `operation`.
///
/// # Errors
/// Every problem found, by field.
pub fn parse_change(entity: InboundEntity, operation: ChangeOperation, body: &Value) -> Result<InboundChange, Vec<FieldProblem>> {
    let Some(obj) = body.as_object() else {
        return Err(vec![problem("body", "is not a JSON object", "Send the entity as a JSON object.")]);
    };
    let mut r = Reader { obj, problems: Vec::new(), seen: HashSet::new() };
    let sap_id = r.string("sapId", "SAP's id of the entity, e.g. \"P-1001\".");
    let app_id = r.opt_uuid("appId");
    let version = r.int::<i64>("version", "SAP's version of the entity: a counter or a timestamp in milliseconds.");
    let record = if operation == ChangeOperation::Delete {
        match entity {
            InboundEntity::DeliveryDetails => r.customer_ref().map(SapRecord::AddressOwner),
            _ => None,
        }
    } else {
        match entity {
            InboundEntity::Product => r.product().map(SapRecord::Product),
            InboundEntity::Promotion => r.promotion().map(SapRecord::Promotion),
            InboundEntity::Coupon => r.coupon().map(SapRecord::Coupon),
            InboundEntity::Customer => {
                Some(SapRecord::Customer(SapCustomer { full_name: r.opt_string("fullName"), language: r.opt_string("language") }))
            }
            InboundEntity::DeliveryDetails => r.address().map(SapRecord::DeliveryDetails),
            InboundEntity::Order => {
                let status = r.string("status", "The order status to move to, e.g. \"out_for_delivery\".");
                let reason = r.opt_string("reason");
                status.map(|status| SapRecord::Order(SapOrderUpdate { status, reason }))
            }
        }
    };
    r.finish()?;
    match (sap_id, version) {
        (Some(sap_id), Some(version)) => Ok(InboundChange { entity, operation, header: SapHeader { sap_id, app_id, version }, record }),
        _ => Err(vec![problem("body", "is incomplete", "Send sapId and version.")]),
    }
}

/// Problems as `sync_failures.errors` keeps them: `[{"field": .., "problem": ..}]`.
#[must_use]
pub fn problems_json(problems: &[FieldProblem]) -> String {
    Value::Array(problems.iter().map(|p| serde_json::json!({"field": p.field, "problem": p.problem})).collect()).to_string()
}

/// The SAP id in a body, if it has one (for logs of refused changes).
#[must_use]
pub fn sap_id_of(body: &Value) -> Option<String> {
    body.get("sapId").and_then(Value::as_str).map(str::to_owned)
}

fn problem(field: &str, problem: &str, hint: &str) -> FieldProblem {
    FieldProblem { field: field.to_owned(), problem: problem.to_owned(), hint: hint.to_owned() }
}

struct Reader<'a> {
    obj: &'a Map<String, Value>,
    problems: Vec<FieldProblem>,
    seen: HashSet<&'static str>,
}

impl Reader<'_> {
    fn get(&mut self, name: &'static str) -> Option<&Value> {
        self.seen.insert(name);
        self.obj.get(name).filter(|v| !v.is_null())
    }

    fn wrong(&mut self, name: &str, problem: impl Into<String>, hint: impl Into<String>) {
        self.problems.push(FieldProblem { field: name.to_owned(), problem: problem.into(), hint: hint.into() });
    }

    fn string(&mut self, name: &'static str, hint: &str) -> Option<String> {
        match self.get(name).cloned() {
            Some(Value::String(s)) if !s.trim().is_empty() => Some(s),
            Some(Value::String(_)) => {
                self.wrong(name, "is empty", hint);
                None
            }
            Some(other) => {
                self.wrong(name, format!("must be a string, not {}", kind(&other)), hint);
                None
            }
            None => {
                self.wrong(name, "is required", hint);
                None
            }
        }
    }

    fn opt_string(&mut self, name: &'static str) -> Option<String> {
        match self.get(name).cloned() {
            Some(Value::String(s)) => Some(s).filter(|s| !s.trim().is_empty()),
            Some(other) => {
                self.wrong(name, format!("must be a string, not {}", kind(&other)), "Send text, or leave it out.");
                None
            }
            None => None,
        }
    }

    fn int<T: TryFrom<i64>>(&mut self, name: &'static str, hint: &str) -> Option<T> {
        match self.get(name).cloned() {
            Some(Value::Number(n)) => match n.as_i64().and_then(|i| T::try_from(i).ok()) {
                Some(v) => Some(v),
                None => {
                    self.wrong(name, format!("{n} is not a whole number in range"), hint);
                    None
                }
            },
            Some(other) => {
                self.wrong(name, format!("must be a whole number, not {}", kind(&other)), hint);
                None
            }
            None => {
                self.wrong(name, "is required", hint);
                None
            }
        }
    }

    fn int_or<T: TryFrom<i64>>(&mut self, name: &'static str, default: T, hint: &str) -> Option<T> {
        if self.obj.get(name).is_none_or(Value::is_null) {
            self.seen.insert(name);
            return Some(default);
        }
        self.int(name, hint)
    }

    fn number(&mut self, name: &'static str, hint: &str) -> Option<f64> {
        match self.get(name).cloned() {
            Some(Value::Number(n)) => n.as_f64(),
            Some(other) => {
                self.wrong(name, format!("must be a number, not {}", kind(&other)), hint);
                None
            }
            None => {
                self.wrong(name, "is required", hint);
                None
            }
        }
    }

    fn bool_or(&mut self, name: &'static str, default: bool) -> bool {
        match self.get(name).cloned() {
            Some(Value::Bool(b)) => b,
            Some(other) => {
                self.wrong(name, format!("must be true or false, not {}", kind(&other)), "Send a JSON boolean.");
                default
            }
            None => default,
        }
    }

    fn opt_uuid(&mut self, name: &'static str) -> Option<Uuid> {
        let text = self.opt_string(name)?;
        match Uuid::parse_str(&text) {
            Ok(id) => Some(id),
            Err(_) => {
                self.wrong(name, format!("'{text}' is not a UUID"), "Send our id as we sent it (a UUID), or leave it out.");
                None
            }
        }
    }

    fn time(&mut self, name: &'static str, required: bool) -> Option<OffsetDateTime> {
        let hint = "Send an RFC 3339 time, e.g. \"2026-12-01T00:00:00Z\".";
        let text = if required { self.string(name, hint)? } else { self.opt_string(name)? };
        match OffsetDateTime::parse(&text, &Rfc3339) {
            Ok(t) => Some(t),
            Err(_) => {
                self.wrong(name, format!("'{text}' is not an RFC 3339 time"), hint);
                None
            }
        }
    }

    fn parsed<T>(&mut self, name: &'static str, hint: &str, parse: impl Fn(&str) -> Option<T>) -> Option<T> {
        let text = self.string(name, hint)?;
        let value = parse(&text);
        if value.is_none() {
            self.wrong(name, format!("'{text}' is not one of the accepted values"), hint);
        }
        value
    }

    fn localized(&mut self, field: &'static str, en: &'static str, ar: &'static str, max: usize) -> Option<LocalizedText> {
        let en_text = self.string(en, "English text.");
        let ar_text = self.string(ar, "Arabic text.");
        self.check_localized(field, &ar_text?, &en_text?, max)
    }

    /// Optional text in both languages: `Some(None)` when neither is given.
    fn opt_localized(&mut self, field: &'static str, en: &'static str, ar: &'static str, max: usize) -> Option<Option<LocalizedText>> {
        match (self.opt_string(en), self.opt_string(ar)) {
            (None, None) => Some(None),
            (en_text, ar_text) => self.check_localized(field, &ar_text.unwrap_or_default(), &en_text.unwrap_or_default(), max).map(Some),
        }
    }

    fn check_localized(&mut self, field: &str, ar: &str, en: &str, max: usize) -> Option<LocalizedText> {
        match LocalizedText::parse(field, ar, en, max) {
            Ok(t) => Some(t),
            Err(invalid) => {
                self.problems.extend(invalid.0);
                None
            }
        }
    }

    fn product(&mut self) -> Option<SapProduct> {
        let title = self.localized("title", "titleEn", "titleAr", 200);
        // SAP may have no marketing text; the title stands in for it.
        let description = self.opt_localized("description", "descriptionEn", "descriptionAr", 2000);
        let product_type = self.parsed("type", "One of refill, pack, coupon_book.", ProductType::parse);
        let volume_ml = self.int("volumeMl", "One bottle's volume in millilitres, e.g. 18900.");
        let bottles_per_pack = self.int("bottlesPerPack", "Bottles in one pack, e.g. 12.");
        let price = self.int::<i64>("price", "The pack price in minor units (fils), e.g. 1250.");
        let currency = self.parsed("currency", "KWD or AED.", |c| Currency::parse(c).ok());
        let min_quantity = self.int_or("minQuantity", 1, "The fewest packs per order.");
        let max_quantity = self.int_or("maxQuantity", 100, "The most packs per order.");
        let active = self.bool_or("active", true);
        let sort_order = self.int_or("sortOrder", 0, "Position in lists, smallest first.");
        Some(SapProduct {
            title: title.clone()?,
            description: description?.or_else(|| title.clone())?,
            product_type: product_type?,
            volume_ml: volume_ml?,
            bottles_per_pack: bottles_per_pack?,
            price_per_pack: Money::new(price?, currency?),
            min_quantity: min_quantity?,
            max_quantity: max_quantity?,
            active,
            sort_order: sort_order?,
        })
    }

    fn promotion(&mut self) -> Option<SapPromotion> {
        let title = self.localized("title", "titleEn", "titleAr", 200);
        let kind_name = self.string("kind", "buy_get_free or fixed_price_bundle.");
        let kind = match kind_name.as_deref() {
            Some("buy_get_free") => {
                let buy = self.int("buyPacks", "E.g. 10 for 'buy 10, get 2 free'.");
                let free = self.int("freePacks", "E.g. 2 for 'buy 10, get 2 free'.");
                Some(PromotionKind::BuyGetFree { buy: buy?, free: free? })
            }
            Some("fixed_price_bundle") => {
                let packs = self.int("bundlePacks", "E.g. 3 for '3 packs for 3.000 KWD'.");
                let price = self.int::<i64>("bundlePrice", "The bundle price in minor units.");
                let currency = self.parsed("currency", "KWD or AED.", |c| Currency::parse(c).ok());
                Some(PromotionKind::FixedPriceBundle { packs: packs?, price: Money::new(price?, currency?) })
            }
            Some(other) => {
                let other = other.to_owned();
                self.wrong("kind", format!("'{other}' is not a promotion kind"), "buy_get_free or fixed_price_bundle.");
                None
            }
            None => None,
        };
        let valid_from = self.time("validFrom", true);
        let valid_until = self.time("validUntil", true);
        let product_sap_ids = self.string_list("productSapIds");
        let active = self.bool_or("active", true);
        Some(SapPromotion {
            title: title?,
            kind: kind?,
            valid_from: valid_from?,
            valid_until: valid_until?,
            product_sap_ids: product_sap_ids?,
            active,
        })
    }

    fn string_list(&mut self, name: &'static str) -> Option<Vec<String>> {
        let hint = "A list of SAP item codes, e.g. [\"P-1001\"].";
        match self.get(name).cloned() {
            Some(Value::Array(items)) => {
                let list: Option<Vec<String>> = items.iter().map(|v| v.as_str().map(str::to_owned)).collect();
                if list.is_none() {
                    self.wrong(name, "must hold only strings", hint);
                }
                list
            }
            Some(other) => {
                self.wrong(name, format!("must be a list, not {}", kind(&other)), hint);
                None
            }
            None => {
                self.wrong(name, "is required", hint);
                None
            }
        }
    }

    fn customer_ref(&mut self) -> Option<CustomerRef> {
        let app = self.opt_uuid("customerAppId");
        let sap = self.opt_string("customerSapId");
        match (app, sap) {
            (Some(id), _) => Some(CustomerRef::App(id)),
            (None, Some(sap)) => Some(CustomerRef::Sap(sap)),
            (None, None) => {
                if !self.problems.iter().any(|p| p.field == "customerAppId") {
                    self.wrong("customerAppId", "is required (or customerSapId)", "Name the customer by our id or by SAP's.");
                }
                None
            }
        }
    }

    fn coupon(&mut self) -> Option<SapCoupon> {
        let customer = self.customer_ref();
        let product_sap_id = self.string("productSapId", "The SAP item code of the product the coupons are for.");
        let count = self.int("count", "How many coupons, 1 to 1000.");
        let expires_at = self.time("expiresAt", false);
        let note = self.opt_string("note");
        Some(SapCoupon { customer: customer?, product_sap_id: product_sap_id?, count: count?, expires_at, note })
    }

    fn address(&mut self) -> Option<SapAddress> {
        let customer = self.customer_ref();
        let kind = self.parsed("kind", "One of house, apartment, office.", AddressKind::parse);
        let fields = AddressFields {
            label: self.opt_string("label"),
            block: self.opt_string("block"),
            street: self.opt_string("street"),
            avenue: self.opt_string("avenue"),
            house: self.opt_string("house"),
            building: self.opt_string("building"),
            floor: self.opt_string("floor"),
            apartment: self.opt_string("apartment"),
            office: self.opt_string("office"),
            directions: self.opt_string("directions"),
        };
        let latitude = self.number("latitude", "The map point's latitude, e.g. 24.4539.");
        let longitude = self.number("longitude", "The map point's longitude, e.g. 54.3773.");
        Some(SapAddress { customer: customer?, kind: kind?, fields, latitude: latitude?, longitude: longitude? })
    }

    fn finish(mut self) -> Result<(), Vec<FieldProblem>> {
        let mut unknown: Vec<&String> = self.obj.keys().filter(|k| !self.seen.contains(k.as_str())).collect();
        unknown.sort();
        for name in unknown {
            let name = name.clone();
            self.wrong(&name, "is not a field of this entity", "Remove it; see the entity's fields in the README (SAP integration).");
        }
        if self.problems.is_empty() { Ok(()) } else { Err(self.problems) }
    }
}

fn kind(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "a list",
        Value::Object(_) => "an object",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn a_product_with_every_field_reads() {
        let body = json!({"sapId": "P-1", "version": 3, "titleEn": "Water", "titleAr": "ماء", "type": "pack", "volumeMl": 500,
            "bottlesPerPack": 12, "price": 1250, "currency": "KWD"});
        let change = parse_change(InboundEntity::Product, ChangeOperation::Update, &body).unwrap();
        assert_eq!(change.header.sap_id, "P-1");
        assert_eq!(change.header.version, 3);
        let Some(SapRecord::Product(p)) = change.record else { panic!("not a product") };
        assert_eq!(p.price_per_pack.minor, 1250);
        assert_eq!(p.min_quantity, 1);
    }

    #[test]
    fn every_problem_of_a_bad_product_is_reported() {
        let body =
            json!({"sapId": 5, "titleEn": "Water", "type": "barrel", "volumeMl": "big", "price": 1.5, "currency": "KWD", "colour": "blue"});
        let problems = parse_change(InboundEntity::Product, ChangeOperation::Update, &body).unwrap_err();
        let fields: Vec<&str> = problems.iter().map(|p| p.field.as_str()).collect();
        for f in ["sapId", "version", "titleAr", "type", "volumeMl", "bottlesPerPack", "price", "colour"] {
            assert!(fields.contains(&f), "{f} missing from {fields:?}");
        }
    }

    #[test]
    fn a_delete_needs_only_the_ids_and_version() {
        let body = json!({"sapId": "P-1", "version": 4});
        let change = parse_change(InboundEntity::Product, ChangeOperation::Delete, &body).unwrap();
        assert!(change.record.is_none());
        let extra = json!({"sapId": "P-1", "version": 4, "price": 1});
        assert!(parse_change(InboundEntity::Product, ChangeOperation::Delete, &extra).is_err());
    }

    #[test]
    fn a_body_that_is_not_an_object_is_refused() {
        assert!(parse_change(InboundEntity::Order, ChangeOperation::Update, &json!([1, 2])).is_err());
    }
}
