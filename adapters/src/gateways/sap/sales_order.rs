//! The order as SAP's `AddNewSalesOrder` document, built from the order JSON of our change feed
//! (`store::orders::json::order_change`): SAP's field names, amounts as decimal text with the currency's
//! digits, percentages from basis points, the delivery slot as `HH:MM-HH:MM`.
use sabil_core::domain::payment::format_amount;
use sabil_core::domain::{Currency, Money};
use serde_json::{Map, Value, json};

/// The `AddNewSalesOrder` document of an order change's JSON.
///
/// # Errors
/// What is missing or mistyped in the order JSON (a field name and the problem).
pub(crate) fn sales_order(order: &Value) -> Result<Value, String> {
    let o = Fields::of(order, "the order")?;
    let code = o.text("currency")?;
    let currency = Currency::parse(code).map_err(|_| format!("currency {code:?} is not one we sell in"))?;
    let money = |fields: &Fields<'_>, key: &str| fields.int(key).map(|minor| format_amount(Money::new(minor, currency)));
    let lines = o
        .get("lines")
        .and_then(Value::as_array)
        .ok_or("the order has no lines array")?
        .iter()
        .enumerate()
        .map(|(i, line)| {
            let l = Fields::of(line, &format!("line {i}"))?;
            let discount =
                l.int("promotionDiscount")?.checked_add(l.int("orderDiscountShare")?).ok_or(format!("line {i}: discount overflows"))?;
            Ok(json!({
                "SKUCode": l.get("productSapId").cloned().unwrap_or(Value::Null),
                "Qty": l.count("quantity")?,
                "FreeQty": l.count("freeQuantity")?,
                "SalesPrice": money(&l, "unitPrice")?,
                "LineTotal": money(&l, "lineTotal")?,
                "DiscountAmount": format_amount(Money::new(discount, currency)),
                "DiscountPerc": percent(l.count("discountBp")?),
                "PromotionID": l.sap_or_app_id("promotionSapId", "promotionId"),
                "PromotionType": "",
            }))
        })
        .collect::<Result<Vec<_>, String>>()?;
    Ok(json!({
        "CustomerID": o.sap_or_app_id("customerSapId", "customerId"),
        "AppOrderID": o.text("id")?,
        "OrderNumber": o.get("number").cloned().unwrap_or(Value::Null),
        "Status": o.text("status")?,
        "SubTotal": money(&o, "subTotal")?,
        "DeliveryCost": money(&o, "deliveryFee")?,
        "OrderDiscount": money(&o, "orderDiscount")?,
        "OrderDiscountPercentage": percent(o.count("orderDiscountBp")?),
        "NetAmount": money(&o, "netAmount")?,
        "PaidAmount": money(&o, "amountToPay")?,
        "PaymentType": o.text("paymentMethod")?,
        "PaymentCardType": "",
        "PaymentConfirmation": "",
        "ScheduledDeliveryDate": o.text("deliveryDate")?,
        "ScheduledDeliverySlot": format!("{}-{}", clock(o.count("slotStartsMinute")?), clock(o.count("slotEndsMinute")?)),
        "MosqueOrder": o.get("mosqueOrder").and_then(Value::as_bool).unwrap_or(false),
        "MosqueID": o.sap_or_app_id("mosqueSapId", "mosqueId"),
        "DeliveryAddressID": o.sap_or_app_id("addressSapId", "addressId"),
        "DeliveryAddressType": o.text("deliveryKind")?,
        "Currency": currency.code(),
        "ItemDetails": lines,
    }))
}

/// Basis points as a percentage without trailing zeros: 2500 → `25`, 1250 → `12.5`, 1429 → `14.29`.
fn percent(bp: u64) -> String {
    match bp % 100 {
        0 => (bp / 100).to_string(),
        cents if cents % 10 == 0 => format!("{}.{}", bp / 100, cents / 10),
        cents => format!("{}.{cents:02}", bp / 100),
    }
}

/// Minutes since midnight as `HH:MM`.
fn clock(minute: u64) -> String {
    format!("{:02}:{:02}", minute / 60, minute % 60)
}

/// Reading one JSON object's fields with errors that name them.
struct Fields<'a> {
    map: &'a Map<String, Value>,
    what: String,
}

impl<'a> Fields<'a> {
    fn of(value: &'a Value, what: &str) -> Result<Self, String> {
        value.as_object().map(|map| Self { map, what: what.to_owned() }).ok_or_else(|| format!("{what} is not a JSON object"))
    }

    fn get(&self, key: &str) -> Option<&'a Value> {
        self.map.get(key).filter(|v| !v.is_null())
    }

    fn text(&self, key: &str) -> Result<&'a str, String> {
        self.get(key).and_then(Value::as_str).ok_or_else(|| format!("{} has no text {key}", self.what))
    }

    fn int(&self, key: &str) -> Result<i64, String> {
        self.get(key).and_then(Value::as_i64).ok_or_else(|| format!("{} has no whole number {key}", self.what))
    }

    fn count(&self, key: &str) -> Result<u64, String> {
        self.get(key).and_then(Value::as_u64).ok_or_else(|| format!("{} has no non-negative whole number {key}", self.what))
    }

    /// SAP's id when the JSON has one (a non-empty `sap_key`), else ours, else null.
    fn sap_or_app_id(&self, sap_key: &str, app_key: &str) -> Value {
        let sap = self.get(sap_key).filter(|v| v.as_str().is_none_or(|s| !s.trim().is_empty()));
        sap.or_else(|| self.get(app_key)).cloned().unwrap_or(Value::Null)
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::expect_used)]
    use super::*;

    /// An order change as `order_change` writes it: KWD, delivered to an address, a promotion on the first
    /// line and a 5 % promo code over the whole order.
    fn kwd_order() -> Value {
        serde_json::from_str(
            r#"{
                "id": "0190a0b0-0000-7000-8000-000000000001", "sapId": null, "number": 1042,
                "customerId": "0190a0b0-0000-7000-8000-0000000000c1", "status": "confirmed", "paymentMethod": "knet",
                "currency": "KWD", "subTotal": 9000, "promotionDiscount": 1000, "orderDiscount": 400, "orderDiscountBp": 500,
                "deliveryFee": 500, "taxRateBp": 0, "taxTotal": 0, "netAmount": 8100, "couponCredit": 0, "amountToPay": 8100,
                "promoCode": "SAVE5", "deliveryKind": "address", "addressId": "0190a0b0-0000-7000-8000-0000000000a1",
                "address": "Block 4, Street 12, House 7", "mosqueOrder": false, "mosqueId": null, "dedication": null,
                "areaId": "0190a0b0-0000-7000-8000-0000000000e1", "slotId": "0190a0b0-0000-7000-8000-0000000000f1",
                "deliveryDate": "2026-12-01", "slotStartsMinute": 600, "slotEndsMinute": 720, "comment": null, "version": 1,
                "lines": [
                    {
                        "productId": "0190a0b0-0000-7000-8000-0000000000b1", "productSapId": "SKU-WATER-5G", "quantity": 4,
                        "freeQuantity": 1, "coupons": 0, "unitPrice": 1750, "gross": 7000,
                        "promotionId": "0190a0b0-0000-7000-8000-0000000000d1", "promotionDiscount": 1000,
                        "orderDiscountShare": 300, "discountBp": 1857, "lineTotal": 5700, "taxableAmount": 5700, "tax": 0,
                        "couponCredit": 0
                    },
                    {
                        "productId": "0190a0b0-0000-7000-8000-0000000000b2", "productSapId": "SKU-CUPS", "quantity": 2,
                        "freeQuantity": 0, "coupons": 0, "unitPrice": 1000, "gross": 2000, "promotionId": null,
                        "promotionDiscount": 0, "orderDiscountShare": 100, "discountBp": 500, "lineTotal": 1900,
                        "taxableAmount": 1900, "tax": 0, "couponCredit": 0
                    }
                ]
            }"#,
        )
        .expect("valid JSON")
    }

    #[test]
    fn a_kwd_order_with_a_promotion_becomes_an_add_new_sales_order_document() {
        let document = sales_order(&kwd_order()).expect("a complete order");

        assert_eq!(
            document,
            json!({
                "CustomerID": "0190a0b0-0000-7000-8000-0000000000c1",
                "AppOrderID": "0190a0b0-0000-7000-8000-000000000001",
                "OrderNumber": 1042,
                "Status": "confirmed",
                "SubTotal": "9.000",
                "DeliveryCost": "0.500",
                "OrderDiscount": "0.400",
                "OrderDiscountPercentage": "5",
                "NetAmount": "8.100",
                "PaidAmount": "8.100",
                "PaymentType": "knet",
                "PaymentCardType": "",
                "PaymentConfirmation": "",
                "ScheduledDeliveryDate": "2026-12-01",
                "ScheduledDeliverySlot": "10:00-12:00",
                "MosqueOrder": false,
                "MosqueID": null,
                "DeliveryAddressID": "0190a0b0-0000-7000-8000-0000000000a1",
                "DeliveryAddressType": "address",
                "Currency": "KWD",
                "ItemDetails": [
                    {
                        "SKUCode": "SKU-WATER-5G", "Qty": 4, "FreeQty": 1, "SalesPrice": "1.750", "LineTotal": "5.700",
                        "DiscountAmount": "1.300", "DiscountPerc": "18.57",
                        "PromotionID": "0190a0b0-0000-7000-8000-0000000000d1", "PromotionType": ""
                    },
                    {
                        "SKUCode": "SKU-CUPS", "Qty": 2, "FreeQty": 0, "SalesPrice": "1.000", "LineTotal": "1.900",
                        "DiscountAmount": "0.100", "DiscountPerc": "5", "PromotionID": null, "PromotionType": ""
                    }
                ]
            })
        );
    }

    #[test]
    fn a_mosque_order_names_the_mosque_and_no_address_and_prefers_sap_ids() {
        let mut order = kwd_order();
        let fields = order.as_object_mut().expect("an object");
        for (key, value) in [
            ("currency", json!("AED")),
            ("deliveryKind", json!("mosque")),
            ("addressId", Value::Null),
            ("address", Value::Null),
            ("mosqueOrder", json!(true)),
            ("mosqueId", json!("0190a0b0-0000-7000-8000-0000000000a9")),
            ("dedication", json!("For my parents")),
            ("customerSapId", json!("C000123")),
            ("orderDiscountBp", json!(1250)),
            ("slotStartsMinute", json!(960)),
            ("slotEndsMinute", json!(1050)),
            ("paymentMethod", json!("card")),
        ] {
            fields.insert(key.to_owned(), value);
        }

        let document = sales_order(&order).expect("a complete order");

        assert_eq!(document["MosqueOrder"], json!(true));
        assert_eq!(document["MosqueID"], json!("0190a0b0-0000-7000-8000-0000000000a9"));
        assert_eq!(document["DeliveryAddressID"], Value::Null);
        assert_eq!(document["DeliveryAddressType"], json!("mosque"));
        assert_eq!(document["CustomerID"], json!("C000123"));
        assert_eq!(document["OrderDiscountPercentage"], json!("12.5"));
        assert_eq!(document["ScheduledDeliverySlot"], json!("16:00-17:30"));
        assert_eq!(
            (&document["Currency"], &document["NetAmount"], &document["DeliveryCost"]),
            (&json!("AED"), &json!("81.00"), &json!("5.00"))
        );
        assert_eq!(document["ItemDetails"][0]["SalesPrice"], json!("17.50"));
        assert_eq!(document["PaymentType"], json!("card"));
    }

    #[test]
    fn an_order_missing_a_field_is_refused_naming_it() {
        let mut order = kwd_order();
        order.as_object_mut().expect("an object").remove("netAmount");
        assert_eq!(sales_order(&order), Err("the order has no whole number netAmount".to_owned()));
        let mut order = kwd_order();
        order["lines"][1]["unitPrice"] = json!("1.000");
        assert_eq!(sales_order(&order), Err("line 1 has no whole number unitPrice".to_owned()));
        let mut order = kwd_order();
        order["currency"] = json!("USD");
        assert!(sales_order(&order).is_err());
    }

    #[test]
    fn percentages_drop_trailing_zeros() {
        assert_eq!(
            [percent(0), percent(2500), percent(1250), percent(1857), percent(5), percent(10_000)],
            ["0", "25", "12.5", "18.57", "0.05", "100"]
        );
    }
}
