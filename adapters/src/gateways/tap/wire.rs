//! Tap's JSON: the create-charge and refund bodies we send, the charge and refund objects it answers
//! with (also the webhook body), and their translation into the core's types. Amounts travel as JSON
//! numbers written with the currency's decimals (`1.500`) and are read back from their exact text.
use sabil_core::domain::payment::{format_amount, parse_amount};
use sabil_core::domain::{Currency, Money};
use sabil_core::ports::{Charge, ChargeRequest, ChargeStatus, Refund, RefundRequest};
use serde::{Deserialize, Serialize};
use serde_json::value::RawValue;

/// `POST /v2/charges`.
#[derive(Serialize)]
pub(crate) struct CreateCharge<'a> {
    pub amount: Box<RawValue>,
    pub currency: &'static str,
    pub customer_initiated: bool,
    #[serde(rename = "threeDSecure")]
    pub three_d_secure: bool,
    pub save_card: bool,
    pub description: &'a str,
    pub metadata: ChargeMetadata,
    pub reference: ChargeReference,
    pub customer: Customer<'a>,
    pub source: Source,
    pub post: UrlRef<'a>,
    pub redirect: UrlRef<'a>,
}

#[derive(Serialize)]
pub(crate) struct ChargeMetadata {
    pub order_id: String,
    pub order_number: String,
}

#[derive(Serialize)]
pub(crate) struct ChargeReference {
    pub transaction: String,
    pub order: String,
    pub idempotent: String,
}

#[derive(Serialize)]
pub(crate) struct Customer<'a> {
    pub first_name: &'a str,
    pub phone: TapPhone,
}

/// Tap's phone: the country calling code and the national number, both JSON numbers.
#[derive(Serialize, Debug, PartialEq, Eq)]
pub(crate) struct TapPhone {
    pub country_code: u16,
    pub number: u64,
}

#[derive(Serialize)]
pub(crate) struct Source {
    pub id: &'static str,
}

#[derive(Serialize)]
pub(crate) struct UrlRef<'a> {
    pub url: &'a str,
}

/// `POST /v2/refunds`.
#[derive(Serialize)]
pub(crate) struct CreateRefund<'a> {
    pub charge_id: &'a str,
    pub amount: Box<RawValue>,
    pub currency: &'static str,
    pub reason: &'a str,
    pub reference: RefundReference,
    pub metadata: RefundMetadata,
}

#[derive(Serialize)]
pub(crate) struct RefundReference {
    pub merchant: String,
    pub idempotent: String,
}

#[derive(Serialize)]
pub(crate) struct RefundMetadata {
    pub refund_id: String,
}

/// A charge object: Tap's answer to create and retrieve, and the body of its webhook. Only the
/// fields we read (and the sandbox writes); the rest is ignored.
#[derive(Serialize, Deserialize)]
pub(crate) struct TapCharge {
    pub id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub object: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub live_mode: Option<bool>,
    pub status: String,
    /// The JSON number exactly as written (`1.500`), so no float ever rounds it.
    pub amount: Box<RawValue>,
    pub currency: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    #[serde(default)]
    pub reference: TapReference,
    #[serde(default)]
    pub transaction: TapTransaction,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub post: Option<TapUrl>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub redirect: Option<TapUrl>,
}

/// Tap's references; each may be a string or a number on the wire, and absent.
#[derive(Serialize, Deserialize, Default)]
pub(crate) struct TapReference {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub gateway: Option<Box<RawValue>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub payment: Option<Box<RawValue>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub transaction: Option<Box<RawValue>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub order: Option<Box<RawValue>>,
}

#[derive(Serialize, Deserialize, Default)]
pub(crate) struct TapTransaction {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
    /// Milliseconds since the epoch, a string in Tap's examples.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub created: Option<Box<RawValue>>,
}

#[derive(Serialize, Deserialize)]
pub(crate) struct TapUrl {
    #[serde(default)]
    pub url: Option<String>,
}

/// A refund object.
#[derive(Deserialize)]
pub(crate) struct TapRefund {
    pub id: String,
    pub status: String,
    pub amount: Box<RawValue>,
    #[serde(default)]
    pub currency: Option<String>,
}

/// Tap's error body: `{"errors": [{"code": "1108", "description": "..."}]}`.
#[derive(Deserialize)]
pub(crate) struct TapErrors {
    pub errors: Vec<TapErrorItem>,
}

#[derive(Deserialize)]
pub(crate) struct TapErrorItem {
    #[serde(default)]
    pub code: Option<serde_json::Value>,
    #[serde(default)]
    pub description: Option<String>,
    #[serde(default)]
    pub message: Option<String>,
    #[serde(default)]
    pub error: Option<String>,
}

impl TapCharge {
    /// The charge's amount, exact, in the currency it names.
    pub fn money(&self) -> Result<Money, String> {
        money(&self.amount, &self.currency)
    }

    /// The charge in the core's terms.
    pub fn into_charge(self) -> Result<Charge, String> {
        if self.id.trim().is_empty() {
            return Err("the charge has an empty id".into());
        }
        let amount = self.money()?;
        let order_reference = scalar_text(self.reference.order.as_deref())?.filter(|s| !s.is_empty());
        Ok(Charge { id: self.id, status: ChargeStatus::parse(&self.status), amount, order_reference, payment_url: self.transaction.url })
    }
}

impl TapRefund {
    /// The refund in the core's terms; `expected` is the currency asked for, used when Tap omits it.
    pub fn into_refund(self, expected: Currency) -> Result<Refund, String> {
        let currency = self.currency.unwrap_or_else(|| expected.code().to_owned());
        let amount = money(&self.amount, &currency)?;
        if self.id.trim().is_empty() {
            return Err("the refund has an empty id".into());
        }
        Ok(Refund { id: self.id, status: self.status, amount })
    }
}

fn money(amount: &RawValue, currency: &str) -> Result<Money, String> {
    let currency = Currency::parse(currency).map_err(|_| format!("the currency {currency:?} is not one we sell in"))?;
    parse_amount(amount.get(), currency).map_err(|e| format!("the amount {e}"))
}

/// The text of a scalar JSON value as Tap's signature uses it: a string's content, a number's digits,
/// empty for an absent value or `null`.
pub(crate) fn scalar_text(raw: Option<&RawValue>) -> Result<Option<String>, String> {
    let Some(raw) = raw else { return Ok(None) };
    let text = raw.get();
    match text.as_bytes().first() {
        Some(b'"') => serde_json::from_str::<String>(text).map(Some).map_err(|e| e.to_string()),
        Some(b'-' | b'0'..=b'9') => Ok(Some(text.to_owned())),
        _ if text == "null" => Ok(None),
        _ => Err(format!("{text} is not a string or a number")),
    }
}

/// A JSON number written with the currency's decimals, e.g. `1.500`.
pub(crate) fn amount_number(amount: Money) -> Result<Box<RawValue>, String> {
    RawValue::from_string(format_amount(amount)).map_err(|e| format!("the amount {amount:?} is not a JSON number: {e}"))
}

/// A JSON string.
pub(crate) fn raw_string(text: &str) -> Result<Box<RawValue>, String> {
    serde_json::value::to_raw_value(text).map_err(|e| e.to_string())
}

/// The body of `POST /v2/charges` for `req`.
pub(crate) fn create_charge_body(req: &ChargeRequest) -> Result<CreateCharge<'_>, String> {
    let phone =
        split_phone(&req.customer_phone).ok_or_else(|| format!("customer_phone {:?} is not an E.164 number", req.customer_phone))?;
    let name = req.customer_name.trim();
    Ok(CreateCharge {
        amount: amount_number(req.amount)?,
        currency: req.amount.currency.code(),
        customer_initiated: true,
        three_d_secure: true,
        save_card: false,
        description: &req.description,
        metadata: ChargeMetadata { order_id: req.order_id.to_string(), order_number: req.order_number.to_string() },
        reference: ChargeReference {
            transaction: req.attempt_id.to_string(),
            order: req.order_id.to_string(),
            idempotent: req.attempt_id.to_string(),
        },
        // Tap requires a first name; a customer who gave none still pays.
        customer: Customer { first_name: if name.is_empty() { "Customer" } else { name }, phone },
        source: Source { id: req.source.tap_source_id() },
        post: UrlRef { url: &req.post_url },
        redirect: UrlRef { url: &req.redirect_url },
    })
}

/// The body of `POST /v2/refunds` for `req`.
pub(crate) fn create_refund_body(req: &RefundRequest) -> Result<CreateRefund<'_>, String> {
    Ok(CreateRefund {
        charge_id: &req.charge_id,
        amount: amount_number(req.amount)?,
        currency: req.amount.currency.code(),
        reason: &req.reason,
        reference: RefundReference { merchant: req.refund_id.to_string(), idempotent: req.refund_id.to_string() },
        metadata: RefundMetadata { refund_id: req.refund_id.to_string() },
    })
}

/// Splits `+96550001234` into country code 965 and number 50001234. E.164 country codes are a
/// prefix code: 1 and 7 stand alone, the listed two-digit codes are whole, every other is three digits.
pub(crate) fn split_phone(e164: &str) -> Option<TapPhone> {
    const TWO_DIGIT: &[&str] = &[
        "20", "27", "30", "31", "32", "33", "34", "36", "39", "40", "41", "43", "44", "45", "46", "47", "48", "49", "51", "52", "53", "54",
        "55", "56", "57", "58", "60", "61", "62", "63", "64", "65", "66", "81", "82", "84", "86", "90", "91", "92", "93", "94", "95", "98",
    ];
    let digits = e164.strip_prefix('+')?;
    if !(8..=15).contains(&digits.len()) || !digits.bytes().all(|b| b.is_ascii_digit()) || digits.starts_with('0') {
        return None;
    }
    let code_len = if digits.starts_with(['1', '7']) {
        1
    } else if TWO_DIGIT.contains(&&digits[..2]) {
        2
    } else {
        3
    };
    let (code, number) = digits.split_at(code_len);
    Some(TapPhone { country_code: code.parse().ok()?, number: number.parse().ok()? })
}
