//! The event the reviews service publishes (through the outbox) and the ones it consumes.

use kit::events::{Envelope, EventHandler, HandlerError};
use serde::{Deserialize, Serialize};
use sqlx::PgConnection;
use uuid::Uuid;

use crate::domain::review::Review;
use crate::store;

/// A review was written.
pub const REVIEW_CREATED: &str = "review.created";
/// An order was paid (consumed: its products become verified purchases of its customer).
pub const ORDER_PAID: &str = "order.paid";
/// A product was deleted (consumed: its reviews and purchases are removed).
pub const PRODUCT_DELETED: &str = "product.deleted";

/// Payload of `review.created`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ReviewCreated {
    /// The review.
    pub review_id: Uuid,
    /// The product reviewed.
    pub product_id: Uuid,
    /// The author.
    pub user_id: Uuid,
    /// Stars, 1–5.
    pub rating: i64,
    /// Whether the author bought the product.
    pub verified: bool,
}

impl From<&Review> for ReviewCreated {
    fn from(r: &Review) -> Self {
        Self {
            review_id: r.id,
            product_id: r.product_id,
            user_id: r.user_id,
            rating: r.rating,
            verified: r.verified,
        }
    }
}

/// The part of `order.paid` the reviews service reads (tolerant reader).
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct OrderPaid {
    /// The order.
    pub order_id: Uuid,
    /// The customer.
    pub user_id: Uuid,
    /// What was bought.
    #[serde(default)]
    pub lines: Vec<OrderPaidLine>,
}

/// One line of a paid order.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct OrderPaidLine {
    /// The product bought (absent on lines that are pets).
    #[serde(default)]
    pub product_id: Option<Uuid>,
}

/// The part of `product.deleted` the reviews service reads.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ProductDeleted {
    /// The product.
    pub product_id: Uuid,
}

/// Keeps the purchases projection and the reviews in step with orders and the catalog.
#[derive(Debug, Clone, Copy)]
pub struct ReviewsHandler;

impl EventHandler for ReviewsHandler {
    async fn handle(&self, event: &Envelope, tx: &mut PgConnection) -> Result<(), HandlerError> {
        match event.event_type.as_str() {
            ORDER_PAID => {
                let order: OrderPaid = event.data_as()?;
                let mut products: Vec<Uuid> =
                    order.lines.iter().filter_map(|l| l.product_id).collect();
                products.sort_unstable();
                products.dedup();
                store::lock_user(&mut *tx, order.user_id).await?;
                store::purchases::record(&mut *tx, order.user_id, order.order_id, &products)
                    .await?;
                let verified = store::reviews::verify(&mut *tx, order.user_id, &products).await?;
                tracing::debug!(order_id = %order.order_id, verified, "purchases recorded");
            }
            PRODUCT_DELETED => {
                let product: ProductDeleted = event.data_as()?;
                let reviews = store::reviews::delete_product(&mut *tx, product.product_id).await?;
                store::purchases::delete_product(&mut *tx, product.product_id).await?;
                tracing::debug!(product_id = %product.product_id, reviews, "product's reviews removed");
            }
            other => tracing::debug!(event_type = other, "not for the reviews; ignored"),
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn order_paid_is_read_tolerantly() {
        let order: OrderPaid = serde_json::from_value(serde_json::json!({
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
}
