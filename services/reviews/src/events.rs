//! The reviews service's side of the events declared in [`kit::events::schema`]: the
//! payload of `review.created` built from a review, and the consumer of `order.paid` and
//! `product.deleted`.

use kit::events::schema::{ORDER_PAID, OrderPurchases, PRODUCT_DELETED, ProductRef, ReviewCreated};
use kit::events::{Envelope, EventHandler, HandlerError};
use sqlx::PgConnection;
use uuid::Uuid;

use crate::domain::review::Review;
use crate::store;

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

/// The events of the reviews' queue.
pub const CONSUMED: &[&str] = &[ORDER_PAID, PRODUCT_DELETED];

/// Keeps the purchases projection and the reviews in step with orders and the catalog.
#[derive(Debug, Clone, Copy)]
pub struct ReviewsHandler;

impl EventHandler for ReviewsHandler {
    async fn handle(&self, event: &Envelope, tx: &mut PgConnection) -> Result<(), HandlerError> {
        match event.event_type.as_str() {
            ORDER_PAID => {
                let order: OrderPurchases = event.data_as()?;
                let user_id = order.user_id.ok_or_else(|| {
                    HandlerError::permanent(format!("order.paid {} without userId", order.order_id))
                })?;
                let mut products: Vec<Uuid> =
                    order.lines.iter().filter_map(|l| l.product_id).collect();
                products.sort_unstable();
                products.dedup();
                store::lock_user(&mut *tx, user_id).await?;
                store::purchases::record(&mut *tx, user_id, order.order_id, &products).await?;
                let verified = store::reviews::verify(&mut *tx, user_id, &products).await?;
                tracing::debug!(order_id = %order.order_id, verified, "purchases recorded");
            }
            PRODUCT_DELETED => {
                let product: ProductRef = event.data_as()?;
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
    fn the_registry_names_what_reviews_consumes() {
        kit::events::schema::assert_consumes("reviews", &[CONSUMED]);
    }
}
