//! Starts the reviews service in-process against a fresh database and the real broker,
//! and drives it over HTTP.
#![allow(dead_code, clippy::unwrap_used)]

use std::ops::Deref;
use std::time::Duration;

use kit::auth::Role;
use kit::events::Envelope;
use kit::testing::Harness;
use reqwest::{Method, StatusCode};
use reviews::Reviews;
use serde_json::{Value, json};
use uuid::Uuid;

/// How long to wait for anything asynchronous.
pub const WAIT: Duration = Duration::from_secs(15);

/// A running reviews service (the kit's [`Harness`], through `Deref`).
pub struct App {
    service: Harness<Reviews>,
    /// A customer and their token.
    pub user: Uuid,
    pub token: String,
    /// The broker's name of the queue this instance consumes from.
    pub queue: String,
}

impl Deref for App {
    type Target = Harness<Reviews>;

    fn deref(&self) -> &Self::Target {
        &self.service
    }
}

impl App {
    pub async fn start() -> Self {
        let service = Harness::start(()).await;
        Self {
            user: service.customer_id,
            token: service.customer.clone(),
            queue: service.queue(reviews::EVENTS_QUEUE),
            service,
        }
    }

    /// Stops the service, removes its queues and drops its database.
    pub async fn stop(self) {
        self.service.stop().await;
    }

    /// Writes a review of `product` as the holder of `token`; asserts it was created.
    pub async fn review_as(&self, token: &str, product: Uuid, rating: i64) -> Value {
        let reply = self
            .send(
                Method::POST,
                "/api/reviews",
                Some(token),
                Some(
                    json!({ "productId": product, "rating": rating, "title": "Nice", "body": "Liked it" })
                        .to_string(),
                ),
            )
            .await;
        assert_eq!(reply.status, StatusCode::CREATED, "{:#}", reply.body);
        reply.body
    }

    /// Writes a review of `product` by a new customer; returns it.
    pub async fn review(&self, product: Uuid, rating: i64) -> Value {
        let (_, token) = self.keys.token(Role::Customer);
        self.review_as(&token, product, rating).await
    }

    /// How many times the consumer recorded `event`.
    pub async fn processed(&self, event: Uuid) -> i64 {
        kit::testing::processed(&self.db.pool, event).await
    }

    /// Waits until the consumer recorded `event`.
    pub async fn wait_processed(&self, event: Uuid) {
        kit::testing::wait_processed(&self.db.pool, event, WAIT).await;
    }

    /// Publishes envelopes straight to this instance's queue (the default exchange).
    pub async fn publish(&self, envelopes: &[&Envelope]) {
        publish(&self.queue, envelopes).await;
    }
}

/// Publishes each envelope straight to `queue` (the default exchange), as a redelivery
/// would arrive, once the consumer has declared the queue.
pub async fn publish(queue: &str, envelopes: &[&Envelope]) {
    kit::testing::publish(queue, envelopes, WAIT).await;
}

/// An `order.paid` envelope as the orders service writes it.
pub fn order_paid(user: Uuid, products: &[Uuid]) -> Envelope {
    let lines: Vec<Value> = products
        .iter()
        .map(|p| {
            json!({ "productId": p, "sku": "SKU", "name": "Thing", "quantity": 1,
                    "unitPrice": { "amount": 100, "currency": "EUR" } })
        })
        .collect();
    Envelope::new(
        "orders",
        "order.paid",
        &json!({ "orderId": Uuid::new_v4(), "userId": user, "storeId": Uuid::new_v4(),
                 "paymentId": Uuid::new_v4(), "total": { "amount": 100, "currency": "EUR" },
                 "lines": lines }),
    )
    .unwrap()
}

/// A `product.deleted` envelope as the catalog writes it.
pub fn product_deleted(product: Uuid) -> Envelope {
    Envelope::new(
        "catalog",
        "product.deleted",
        &json!({ "productId": product, "sku": "SKU", "name": "Thing",
                 "price": { "amount": 100, "currency": "EUR" }, "active": true,
                 "categoryId": Uuid::new_v4() }),
    )
    .unwrap()
}
