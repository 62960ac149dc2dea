//! JSON written beside orders: the change record SAP reads (the order with both ids, in our field names)
//! and the payloads of outbox messages.
use sabil_core::domain::UserId;
use sabil_core::domain::notifications::NotificationEvent;
use sabil_core::domain::orders::{DeliveryTarget, Order, OrderId, OrderStatus};
use sabil_core::error::RepoError;
use sabil_core::ports::OutboxMessage;
use serde_json::{Value, json};
use uuid::Uuid;

/// The order as its change record carries it.
pub(crate) fn order_change(o: &Order) -> String {
    let t = &o.totals;
    let (delivery_kind, address_id, address, mosque_id, dedication) = match &o.delivery {
        DeliveryTarget::Address { address_id, snapshot } => ("address", Some(address_id.0), Some(snapshot.as_str()), None, None),
        DeliveryTarget::Mosque { mosque_id, dedication } => ("mosque", None, None, Some(mosque_id.0), dedication.as_deref()),
    };
    let lines: Vec<Value> = o
        .lines
        .iter()
        .map(|l| {
            json!({
                "productId": l.product_id.0, "productSapId": l.product_sap_id, "quantity": l.quantity, "freeQuantity": l.free_quantity,
                "coupons": l.coupons, "unitPrice": l.unit_price.minor, "gross": l.gross.minor,
                "promotionId": l.promotion_id.map(|p| p.0), "promotionDiscount": l.promotion_discount.minor,
                "orderDiscountShare": l.order_discount_share.minor, "discountBp": l.discount_bp, "lineTotal": l.line_total.minor,
                "taxableAmount": l.taxable_amount.minor, "tax": l.tax.minor, "couponCredit": l.coupon_credit.minor,
            })
        })
        .collect();
    json!({
        "id": o.id.0, "sapId": o.sap_id, "number": o.number, "customerId": o.customer_id.0, "status": o.status.as_str(),
        "paymentMethod": o.payment_method.as_str(), "currency": t.currency.code(), "subTotal": t.sub_total.minor,
        "promotionDiscount": t.promotion_discount.minor, "orderDiscount": t.order_discount.minor,
        "orderDiscountBp": t.order_discount_bp, "deliveryFee": t.delivery_fee.minor, "taxRateBp": t.tax_rate_bp,
        "taxTotal": t.tax_total.minor, "netAmount": t.net_amount.minor, "couponCredit": t.coupon_credit.minor,
        "amountToPay": t.amount_to_pay.minor, "promoCode": o.promo_code, "deliveryKind": delivery_kind, "addressId": address_id,
        "address": address, "mosqueOrder": mosque_id.is_some(), "mosqueId": mosque_id, "dedication": dedication,
        "areaId": o.slot.area_id.0, "slotId": o.slot.slot_id.0, "deliveryDate": o.slot.date.to_string(),
        "slotStartsMinute": o.slot.starts_minute, "slotEndsMinute": o.slot.ends_minute, "comment": o.comment,
        "version": o.version, "lines": lines,
    })
    .to_string()
}

/// The stored payload of an outbox message.
pub(crate) fn outbox_payload(m: &OutboxMessage) -> String {
    match m {
        OutboxMessage::OrderStatusChanged { order_id, customer_id, status } => {
            json!({"orderId": order_id.0, "customerId": customer_id.0, "status": status.as_str()})
        }
        OutboxMessage::RefundPayment { order_id, payment_id } => json!({"orderId": order_id.0, "paymentId": payment_id}),
        OutboxMessage::IssuePurchasedCoupons { order_id } => json!({"orderId": order_id.0}),
        OutboxMessage::Notify { user_id, event } => match event {
            NotificationEvent::ChatReply { conversation_id, message_id } => {
                json!({"userId": user_id.0, "event": "chat_reply", "conversationId": conversation_id, "messageId": message_id})
            }
            NotificationEvent::QuestionAnswered { question_id } => {
                json!({"userId": user_id.0, "event": "question_answered", "questionId": question_id})
            }
        },
    }
    .to_string()
}

/// The message back from its topic and payload.
pub(crate) fn outbox_message(topic: &str, payload: &str) -> Result<OutboxMessage, RepoError> {
    let bad = || RepoError::Internal(format!("stored outbox payload of {topic} is not valid: {payload}"));
    let v: Value = serde_json::from_str(payload).map_err(|_| bad())?;
    let uuid = |k: &str| v.get(k).and_then(Value::as_str).and_then(|s| Uuid::parse_str(s).ok()).ok_or_else(bad);
    match topic {
        "notification.order" => Ok(OutboxMessage::OrderStatusChanged {
            order_id: OrderId(uuid("orderId")?),
            customer_id: UserId(uuid("customerId")?),
            status: v.get("status").and_then(Value::as_str).and_then(OrderStatus::parse).ok_or_else(bad)?,
        }),
        "payment.refund" => Ok(OutboxMessage::RefundPayment { order_id: OrderId(uuid("orderId")?), payment_id: uuid("paymentId")? }),
        "coupons.purchase" => Ok(OutboxMessage::IssuePurchasedCoupons { order_id: OrderId(uuid("orderId")?) }),
        "notification.user" => {
            let event = match v.get("event").and_then(Value::as_str) {
                Some("chat_reply") => {
                    NotificationEvent::ChatReply { conversation_id: uuid("conversationId")?, message_id: uuid("messageId")? }
                }
                Some("question_answered") => NotificationEvent::QuestionAnswered { question_id: uuid("questionId")? },
                _ => return Err(bad()),
            };
            Ok(OutboxMessage::Notify { user_id: UserId(uuid("userId")?), event })
        }
        _ => Err(bad()),
    }
}
