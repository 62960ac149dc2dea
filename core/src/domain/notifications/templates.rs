//! The texts of templated notifications in Arabic and English: order status changes, support's chat
//! replies and answered questions. Broadcasts carry the admin's own text instead.
use crate::domain::account::Language;
use crate::domain::orders::OrderStatus;

use super::inbox::NotificationKind;

/// What an order notification tells the customer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum OrderNotice {
    Placed,
    Paid,
    Confirmed,
    OutForDelivery,
    Delivered,
    Cancelled,
    Refunded,
    PaymentFailed,
}

impl OrderNotice {
    /// The notice for an order that reached `status`; `placed` when that status is the one the order was
    /// placed in (a cash order starts confirmed, one paid with coupons starts paid: both are "placed").
    #[must_use]
    pub fn for_status(status: OrderStatus, placed: bool) -> Self {
        if placed {
            return Self::Placed;
        }
        match status {
            OrderStatus::PendingPayment => Self::Placed,
            OrderStatus::Paid => Self::Paid,
            OrderStatus::Confirmed => Self::Confirmed,
            OrderStatus::OutForDelivery => Self::OutForDelivery,
            OrderStatus::Delivered => Self::Delivered,
            OrderStatus::Cancelled => Self::Cancelled,
            OrderStatus::Refunded => Self::Refunded,
            OrderStatus::PaymentFailed => Self::PaymentFailed,
        }
    }
}

/// A templated notification: what happened, with what its text needs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Template {
    /// An order moved; `number` is the order's number when it could be read.
    Order {
        notice: OrderNotice,
        number: Option<i64>,
    },
    ChatReply,
    QuestionAnswered,
}

/// A title and text in one language.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rendered {
    pub title: String,
    pub body: String,
}

impl Template {
    /// The kind of notification it makes.
    #[must_use]
    pub fn kind(self) -> NotificationKind {
        match self {
            Self::Order { notice, .. } => match notice {
                OrderNotice::Placed => NotificationKind::OrderPlaced,
                OrderNotice::Paid => NotificationKind::OrderPaid,
                OrderNotice::Confirmed => NotificationKind::OrderConfirmed,
                OrderNotice::OutForDelivery => NotificationKind::OrderOutForDelivery,
                OrderNotice::Delivered => NotificationKind::OrderDelivered,
                OrderNotice::Cancelled => NotificationKind::OrderCancelled,
                OrderNotice::Refunded => NotificationKind::OrderRefunded,
                OrderNotice::PaymentFailed => NotificationKind::OrderPaymentFailed,
            },
            Self::ChatReply => NotificationKind::ChatReply,
            Self::QuestionAnswered => NotificationKind::QuestionAnswered,
        }
    }

    /// The title and text in `language`.
    #[must_use]
    pub fn render(self, language: Language) -> Rendered {
        let (title, body) = match language {
            Language::En => self.english(),
            Language::Ar => self.arabic(),
        };
        Rendered { title: title.to_owned(), body }
    }

    fn english(self) -> (&'static str, String) {
        let Self::Order { notice, number } = self else {
            return match self {
                Self::ChatReply => ("New reply from support", "Customer support replied to your message.".to_owned()),
                _ => ("Your question was answered", "Customer support answered your question.".to_owned()),
            };
        };
        let order = number.map_or_else(|| "your order".to_owned(), |n| format!("your order #{n}"));
        let order_cap = number.map_or_else(|| "Your order".to_owned(), |n| format!("Your order #{n}"));
        match notice {
            OrderNotice::Placed => ("Order received", format!("We received {order}.")),
            OrderNotice::Paid => ("Payment received", format!("We received the payment for {order}.")),
            OrderNotice::Confirmed => ("Order confirmed", format!("{order_cap} is confirmed and will arrive in the slot you chose.")),
            OrderNotice::OutForDelivery => ("On its way", format!("{order_cap} is on its way to you.")),
            OrderNotice::Delivered => ("Delivered", format!("{order_cap} has been delivered. Thank you!")),
            OrderNotice::Cancelled => ("Order cancelled", format!("{order_cap} has been cancelled.")),
            OrderNotice::Refunded => ("Refund issued", format!("The payment for {order} has been refunded.")),
            OrderNotice::PaymentFailed => {
                ("Payment failed", format!("The payment for {order} did not go through. You can try again from the order."))
            }
        }
    }

    fn arabic(self) -> (&'static str, String) {
        let Self::Order { notice, number } = self else {
            return match self {
                Self::ChatReply => ("رد جديد من خدمة العملاء", "ردّت خدمة العملاء على رسالتك.".to_owned()),
                _ => ("تمت الإجابة على سؤالك", "أجابت خدمة العملاء على سؤالك.".to_owned()),
            };
        };
        let order = number.map_or_else(|| "طلبك".to_owned(), |n| format!("طلبك رقم {n}"));
        match notice {
            OrderNotice::Placed => ("تم استلام طلبك", format!("استلمنا {order}.")),
            OrderNotice::Paid => ("تم استلام الدفع", format!("استلمنا دفعة {order}.")),
            OrderNotice::Confirmed => ("تم تأكيد الطلب", format!("تم تأكيد {order} وسيصلك في الموعد الذي اخترته.")),
            OrderNotice::OutForDelivery => ("طلبك في الطريق", format!("{order} في الطريق إليك.")),
            OrderNotice::Delivered => ("تم التوصيل", format!("تم توصيل {order}. شكراً لك!")),
            OrderNotice::Cancelled => ("تم إلغاء الطلب", format!("تم إلغاء {order}.")),
            OrderNotice::Refunded => ("تم استرداد المبلغ", format!("تم استرداد مبلغ {order}.")),
            OrderNotice::PaymentFailed => ("تعذّر الدفع", format!("لم يتم دفع {order}. يمكنك المحاولة مرة أخرى من صفحة الطلب.")),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const NOTICES: [OrderNotice; 8] = [
        OrderNotice::Placed,
        OrderNotice::Paid,
        OrderNotice::Confirmed,
        OrderNotice::OutForDelivery,
        OrderNotice::Delivered,
        OrderNotice::Cancelled,
        OrderNotice::Refunded,
        OrderNotice::PaymentFailed,
    ];

    fn is_arabic(s: &str) -> bool {
        s.chars().any(|c| ('\u{0600}'..='\u{06FF}').contains(&c))
    }

    #[test]
    fn each_order_status_has_its_own_notice() {
        let statuses = [
            OrderStatus::PendingPayment,
            OrderStatus::Paid,
            OrderStatus::Confirmed,
            OrderStatus::OutForDelivery,
            OrderStatus::Delivered,
            OrderStatus::Cancelled,
            OrderStatus::PaymentFailed,
            OrderStatus::Refunded,
        ];
        let notices: Vec<OrderNotice> = statuses.into_iter().map(|s| OrderNotice::for_status(s, false)).collect();
        assert_eq!(
            notices,
            vec![
                OrderNotice::Placed,
                OrderNotice::Paid,
                OrderNotice::Confirmed,
                OrderNotice::OutForDelivery,
                OrderNotice::Delivered,
                OrderNotice::Cancelled,
                OrderNotice::PaymentFailed,
                OrderNotice::Refunded,
            ]
        );
    }

    #[test]
    fn the_status_an_order_was_placed_in_reads_as_placed() {
        assert_eq!(OrderNotice::for_status(OrderStatus::Confirmed, true), OrderNotice::Placed);
        assert_eq!(OrderNotice::for_status(OrderStatus::Paid, true), OrderNotice::Placed);
        assert_eq!(OrderNotice::for_status(OrderStatus::Paid, false), OrderNotice::Paid);
    }

    #[test]
    fn order_texts_name_the_order_number_in_both_languages() {
        for notice in NOTICES {
            let t = Template::Order { notice, number: Some(100_042) };
            let (en, ar) = (t.render(Language::En), t.render(Language::Ar));
            assert!(en.body.contains("#100042"), "{notice:?}: {}", en.body);
            assert!(ar.body.contains("رقم 100042"), "{notice:?}: {}", ar.body);
            assert!(!is_arabic(&en.title) && !is_arabic(&en.body), "{notice:?} English text has Arabic");
            assert!(is_arabic(&ar.title) && is_arabic(&ar.body), "{notice:?} Arabic text is not Arabic");
        }
    }

    #[test]
    fn without_a_number_the_text_says_your_order() {
        for notice in NOTICES {
            let t = Template::Order { notice, number: None };
            let (en, ar) = (t.render(Language::En), t.render(Language::Ar));
            assert!(en.body.to_lowercase().contains("your order") && !en.body.contains('#'), "{notice:?}: {}", en.body);
            assert!(ar.body.contains("طلبك") && !ar.body.contains("رقم"), "{notice:?}: {}", ar.body);
        }
    }

    #[test]
    fn every_template_has_distinct_titles_per_language() {
        let mut templates: Vec<Template> = NOTICES.into_iter().map(|notice| Template::Order { notice, number: Some(1) }).collect();
        templates.extend([Template::ChatReply, Template::QuestionAnswered]);
        for lang in [Language::En, Language::Ar] {
            let mut titles: Vec<String> = templates.iter().map(|t| t.render(lang).title).collect();
            titles.sort();
            titles.dedup();
            assert_eq!(titles.len(), templates.len(), "two templates share a title in {lang:?}");
        }
    }

    #[test]
    fn chat_replies_and_answers_read_in_the_language_asked() {
        assert_eq!(Template::ChatReply.render(Language::En).title, "New reply from support");
        assert_eq!(Template::ChatReply.render(Language::Ar).title, "رد جديد من خدمة العملاء");
        assert_eq!(Template::QuestionAnswered.render(Language::En).body, "Customer support answered your question.");
        assert!(is_arabic(&Template::QuestionAnswered.render(Language::Ar).body));
        assert_eq!(Template::ChatReply.kind(), NotificationKind::ChatReply);
        assert_eq!(Template::Order { notice: OrderNotice::Refunded, number: None }.kind(), NotificationKind::OrderRefunded);
    }
}
