//! Tap's webhook signature: the `hashstring` header is hex(HMAC-SHA256(secret key, S)) with S built by
//! `tap_hash_input` from the charge in the body. One signer verifies Tap's webhooks and signs the
//! sandbox's, so both go through the same code.
use hmac::digest::KeyInit;
use hmac::{Hmac, Mac};
use sabil_core::domain::payment::tap_hash_input;
use sabil_core::ports::WebhookRejected;
use sha2::{Digest, Sha256};

use super::wire::{TapCharge, scalar_text};

type HmacSha256 = Hmac<Sha256>;

/// HMAC-SHA256 keyed with a secret API key.
#[derive(Clone)]
pub(crate) struct WebhookSigner {
    mac: HmacSha256,
}

impl std::fmt::Debug for WebhookSigner {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("WebhookSigner(<key redacted>)")
    }
}

impl WebhookSigner {
    /// Keys the HMAC with `secret` (its UTF-8 bytes, as Tap does).
    pub fn new(secret: &str) -> Self {
        Self { mac: keyed(secret.as_bytes()) }
    }

    /// The `hashstring` for this charge, lower-case hex.
    ///
    /// # Errors
    /// A description when the charge's amount, currency or references cannot be read.
    pub fn sign(&self, charge: &TapCharge) -> Result<String, String> {
        let mut mac = self.mac.clone();
        mac.update(hash_input(charge)?.as_bytes());
        Ok(hex(&mac.finalize().into_bytes()))
    }

    /// Checks `hashstring` against the charge in `body` in constant time and returns the charge id.
    ///
    /// # Errors
    /// `MissingSignature`, `Malformed` (not a charge), `BadSignature` (mismatch or not hex).
    pub fn verify(&self, hashstring: Option<&str>, body: &[u8]) -> Result<String, WebhookRejected> {
        let header = hashstring.map(str::trim).filter(|h| !h.is_empty()).ok_or(WebhookRejected::MissingSignature)?;
        let charge: TapCharge = serde_json::from_slice(body).map_err(|e| WebhookRejected::Malformed(e.to_string()))?;
        if charge.id.trim().is_empty() {
            return Err(WebhookRejected::Malformed("the charge has an empty id".into()));
        }
        let input = hash_input(&charge).map_err(WebhookRejected::Malformed)?;
        let expected = unhex(header).ok_or(WebhookRejected::BadSignature)?;
        let mut mac = self.mac.clone();
        mac.update(input.as_bytes());
        mac.verify_slice(&expected).map_err(|_| WebhookRejected::BadSignature)?;
        Ok(charge.id)
    }
}

/// hex(HMAC-SHA256(key, message)): derives one secret from another.
pub(crate) fn hmac_hex(key: &[u8], message: &[u8]) -> String {
    let mut mac = keyed(key);
    mac.update(message);
    hex(&mac.finalize().into_bytes())
}

/// HMAC keyed with any key, without a fallible constructor: RFC 2104's own key preparation (a key
/// longer than the 64-byte block is hashed first, then zero-padded to the block) gives a block-sized
/// key, which HMAC takes infallibly. The result equals HMAC with the original key.
fn keyed(key: &[u8]) -> HmacSha256 {
    let mut block = [0u8; 64];
    if key.len() > block.len() {
        block[..32].copy_from_slice(&Sha256::digest(key));
    } else {
        block[..key.len()].copy_from_slice(key);
    }
    <HmacSha256 as KeyInit>::new(&block.into())
}

/// S for this charge: the amount re-written with the currency's decimals, the status as sent.
fn hash_input(charge: &TapCharge) -> Result<String, String> {
    let amount = charge.money()?;
    let gateway = scalar_text(charge.reference.gateway.as_deref()).map_err(|e| format!("reference.gateway: {e}"))?;
    let payment = scalar_text(charge.reference.payment.as_deref()).map_err(|e| format!("reference.payment: {e}"))?;
    let created = scalar_text(charge.transaction.created.as_deref()).map_err(|e| format!("transaction.created: {e}"))?;
    Ok(tap_hash_input(
        &charge.id,
        amount,
        gateway.as_deref().unwrap_or(""),
        payment.as_deref().unwrap_or(""),
        &charge.status,
        created.as_deref().unwrap_or(""),
    ))
}

fn hex(bytes: &[u8]) -> String {
    use std::fmt::Write as _;
    bytes.iter().fold(String::with_capacity(bytes.len() * 2), |mut out, b| {
        let _ = write!(out, "{b:02x}");
        out
    })
}

/// Hex of either case to bytes; `None` for anything else.
fn unhex(text: &str) -> Option<Vec<u8>> {
    if !text.len().is_multiple_of(2) {
        return None;
    }
    let nibble = |c: u8| (c as char).to_digit(16).and_then(|d| u8::try_from(d).ok());
    text.as_bytes().chunks(2).map(|pair| Some(nibble(pair[0])? << 4 | nibble(pair[1])?)).collect()
}
