//! Starts the reviews service in-process against a fresh database and the real broker,
//! and drives it over HTTP.
#![allow(dead_code, clippy::unwrap_used)]

use std::time::Duration;

use kit::auth::Role;
use kit::events::Envelope;
use kit::testing::{TestDatabase, TestKeys, TestServer};
use reqwest::{Method, StatusCode};
use reviews::{Config, MIGRATOR};
use serde_json::{Value, json};
use uuid::Uuid;

/// How long to wait for anything asynchronous.
pub const WAIT: Duration = Duration::from_secs(15);

/// A running reviews service and what a test needs to talk to it.
pub struct App {
    pub server: TestServer,
    pub db: TestDatabase,
    pub keys: TestKeys,
    pub client: reqwest::Client,
    pub admin: String,
    /// A customer and their token.
    pub user: Uuid,
    pub token: String,
    /// The unique queue this instance consumes from.
    pub queue: String,
}

pub use kit::testing::Reply;

impl App {
    pub async fn start() -> Self {
        let db = TestDatabase::create().await;
        kit::db::migrate(&db.pool, Some(&MIGRATOR)).await.unwrap();
        let keys = TestKeys::generate();
        let queue = format!("reviews-test.events.{}", Uuid::new_v4().simple());
        let config = Config {
            store: kit::testing::store_config(&db, &keys),
            events_queue: queue.clone(),
        };
        let server =
            TestServer::start(|listener, shutdown| reviews::serve(config, listener, shutdown))
                .await;
        let (_, admin) = keys.token(Role::Admin);
        let (user, token) = keys.token(Role::Customer);
        Self {
            server,
            db,
            keys,
            client: reqwest::Client::new(),
            admin,
            user,
            token,
            queue,
        }
    }

    /// Stops the service, removes its queues and drops its database.
    pub async fn stop(self) {
        let _ = self.server.stop().await;
        kit::testing::delete_queues(&[&self.queue]).await;
        self.db.drop_database().await;
    }

    /// Sends a request with an optional bearer token and raw body.
    pub async fn send(
        &self,
        method: Method,
        path: &str,
        token: Option<&str>,
        body: Option<String>,
    ) -> Reply {
        kit::testing::send(
            &self.client,
            method,
            self.server.url(path),
            token,
            body,
            &[],
        )
        .await
    }

    pub async fn get(&self, path: &str) -> Reply {
        self.send(Method::GET, path, None, None).await
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

    /// The data of every outbox event of type `event_type`.
    pub async fn events_of(&self, event_type: &str) -> Vec<Value> {
        kit::testing::outbox(&self.db.pool, "reviews")
            .await
            .into_iter()
            .filter(|(t, _)| t == event_type)
            .map(|(_, data)| data)
            .collect()
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
