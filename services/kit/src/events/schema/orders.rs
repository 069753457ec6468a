//! Events the orders service publishes, and the parts of them other services read.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use crate::money::Money;

/// An order was created (status `pending`).
pub const ORDER_CREATED: &str = "order.created";
/// An order was paid.
pub const ORDER_PAID: &str = "order.paid";
/// An order was cancelled by its customer or an admin.
pub const ORDER_CANCELLED: &str = "order.cancelled";
/// An order failed (inventory rejected it or its payment was declined).
pub const ORDER_FAILED: &str = "order.failed";

/// One line of an order (and of a checkout), with the price captured when it was created.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct OrderLine {
    /// The product bought.
    pub product_id: Uuid,
    /// The pet bought, for pet lines (from checkout only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pet_id: Option<Uuid>,
    /// The product's SKU at the time of the order.
    pub sku: String,
    /// The product's name at the time of the order.
    pub name: String,
    /// How many.
    pub quantity: i64,
    /// Price of one, at the time of the order.
    pub unit_price: Money,
}

/// Payload of [`ORDER_CREATED`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct OrderCreated {
    /// Order.
    pub order_id: Uuid,
    /// Customer.
    pub user_id: Uuid,
    /// Store.
    pub store_id: Uuid,
    /// Amount due.
    pub total: Money,
    /// Lines with captured prices (`petId` only on pet lines).
    pub lines: Vec<OrderLine>,
}

/// Payload of [`ORDER_PAID`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct OrderPaid {
    /// Order.
    pub order_id: Uuid,
    /// Customer.
    pub user_id: Uuid,
    /// Store.
    pub store_id: Uuid,
    /// Amount paid.
    pub total: Money,
    /// The payment.
    pub payment_id: Uuid,
    /// Lines, as in `order.created`.
    pub lines: Vec<OrderLine>,
}

/// Payload of [`ORDER_CANCELLED`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct OrderCancelled {
    /// Order.
    pub order_id: Uuid,
    /// Customer.
    pub user_id: Uuid,
    /// Store.
    pub store_id: Uuid,
    /// Why.
    pub reason: String,
    /// Whether orders had seen it paid (payments refunds on its own records either way).
    pub was_paid: bool,
}

/// Payload of [`ORDER_FAILED`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct OrderFailed {
    /// Order.
    pub order_id: Uuid,
    /// Customer.
    pub user_id: Uuid,
    /// Store.
    pub store_id: Uuid,
    /// Why.
    pub reason: String,
}

/// The part of any event about one order that names it (`order.*`, `inventory.reserved`),
/// for consumers that need nothing else.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct OrderRef {
    /// The order.
    pub order_id: Uuid,
}

/// The part of an order line that the inventory, the catalog and the reviews read
/// (tolerant: a pet line may come without a product).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct LineRef {
    /// The product, on product lines.
    #[serde(default)]
    pub product_id: Option<Uuid>,
    /// The pet, on pet lines.
    #[serde(default)]
    pub pet_id: Option<Uuid>,
    /// Units (0 when absent, which the inventory rejects on a product line).
    #[serde(default)]
    pub quantity: i64,
}

/// The part of [`ORDER_CREATED`] the inventory reads to reserve stock.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct OrderStock {
    /// The order.
    pub order_id: Uuid,
    /// Who placed it (not used by the inventory).
    #[serde(default)]
    pub user_id: Option<Uuid>,
    /// The store whose stock serves it.
    pub store_id: Uuid,
    /// What to reserve; pet lines are not stocked per store.
    #[serde(default)]
    pub lines: Vec<LineRef>,
}

/// The part of [`ORDER_CREATED`] payments reads to record what an order owes.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct OrderDue {
    /// Order.
    pub order_id: Uuid,
    /// Customer.
    pub user_id: Uuid,
    /// Amount due.
    pub total: Money,
}

/// The part of [`ORDER_PAID`] the catalog (pets sold) and the reviews (verified purchases)
/// read.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct OrderPurchases {
    /// The order.
    pub order_id: Uuid,
    /// The customer (the reviews need it; the catalog does not).
    #[serde(default)]
    pub user_id: Option<Uuid>,
    /// What was bought.
    #[serde(default)]
    pub lines: Vec<LineRef>,
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn order_cancelled_serializes_in_camel_case() {
        let json = serde_json::to_value(OrderCancelled {
            order_id: Uuid::nil(),
            user_id: Uuid::nil(),
            store_id: Uuid::nil(),
            reason: "x".into(),
            was_paid: true,
        })
        .unwrap();
        assert_eq!(json["wasPaid"], true);
        assert!(json["orderId"].is_string());
    }

    #[test]
    fn order_created_is_read_tolerantly_for_stock() {
        let order: OrderStock = serde_json::from_value(json!({
            "orderId": Uuid::nil(),
            "storeId": Uuid::nil(),
            "lines": [{ "productId": Uuid::nil(), "quantity": 2, "unitPrice": 100 }],
            "total": { "amount": 200, "currency": "EUR" },
        }))
        .unwrap();
        assert_eq!(order.lines[0].quantity, 2);
        let pets: OrderStock = serde_json::from_value(json!({
            "orderId": Uuid::nil(),
            "storeId": Uuid::nil(),
            "lines": [{ "petId": Uuid::nil(), "quantity": 1 }],
        }))
        .unwrap();
        assert!(pets.lines[0].product_id.is_none());
        assert!(order.user_id.is_none());
        assert!(serde_json::from_value::<OrderStock>(json!({ "orderId": Uuid::nil() })).is_err());
    }

    #[test]
    fn order_created_is_read_tolerantly_for_payment() {
        let order: OrderDue = serde_json::from_value(json!({
            "orderId": Uuid::nil(), "userId": Uuid::nil(), "storeId": Uuid::nil(),
            "total": {"amount": 1213, "currency": "EUR"}, "lines": [{"productId": Uuid::nil()}]
        }))
        .unwrap();
        assert_eq!(order.total.amount, 1213);
    }

    #[test]
    fn order_paid_is_read_tolerantly_for_pets() {
        let order: OrderPurchases = serde_json::from_value(json!({
            "orderId": Uuid::nil(),
            "customerId": Uuid::nil(),
            "total": {"amount": 5, "currency": "EUR"},
            "lines": [
                {"productId": Uuid::nil(), "quantity": 2, "unitPrice": {"amount": 1}},
                {"petId": Uuid::nil(), "quantity": 1}
            ]
        }))
        .unwrap();
        assert_eq!(order.lines.len(), 2);
        assert_eq!(order.lines[1].pet_id, Some(Uuid::nil()));
        assert_eq!(order.lines[0].pet_id, None);
    }

    #[test]
    fn order_paid_is_read_tolerantly_for_purchases() {
        let order: OrderPurchases = serde_json::from_value(json!({
            "orderId": Uuid::nil(), "userId": Uuid::nil(), "storeId": Uuid::nil(),
            "paymentId": Uuid::nil(), "total": {"amount": 5, "currency": "EUR"},
            "lines": [
                {"productId": Uuid::nil(), "sku": "A", "quantity": 2},
                {"petId": Uuid::nil(), "quantity": 1}
            ]
        }))
        .unwrap();
        assert_eq!(order.lines.len(), 2);
        assert_eq!(order.lines[1].product_id, None);
    }

    #[test]
    fn what_orders_publish_every_reader_reads() {
        let line = OrderLine {
            product_id: Uuid::nil(),
            pet_id: None,
            sku: "A".into(),
            name: "A".into(),
            quantity: 2,
            unit_price: Money::new(5, "EUR"),
        };
        let paid = serde_json::to_value(OrderPaid {
            order_id: Uuid::nil(),
            user_id: Uuid::nil(),
            store_id: Uuid::nil(),
            total: Money::new(10, "EUR"),
            payment_id: Uuid::nil(),
            lines: vec![line.clone()],
        })
        .unwrap();
        assert!(paid["lines"][0].get("petId").is_none());
        let purchases: OrderPurchases = serde_json::from_value(paid.clone()).unwrap();
        assert_eq!(purchases.lines[0].product_id, Some(Uuid::nil()));
        assert_eq!(
            serde_json::from_value::<OrderRef>(paid).unwrap().order_id,
            Uuid::nil()
        );
        let created = serde_json::to_value(OrderCreated {
            order_id: Uuid::nil(),
            user_id: Uuid::nil(),
            store_id: Uuid::nil(),
            total: Money::new(10, "EUR"),
            lines: vec![line],
        })
        .unwrap();
        assert_eq!(
            serde_json::from_value::<OrderStock>(created.clone())
                .unwrap()
                .lines[0]
                .quantity,
            2
        );
        assert_eq!(
            serde_json::from_value::<OrderDue>(created)
                .unwrap()
                .total
                .amount,
            10
        );
    }
}
