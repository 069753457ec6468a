//! Starts orders in-process (with the real catalog beside it, each against a fresh
//! database) and the real broker, and drives it over HTTP and through its queues.
#![allow(dead_code, clippy::unwrap_used)]

use std::ops::Deref;
use std::time::Duration;

use kit::auth::Role;
use kit::events::Envelope;
use kit::testing::{
    Harness, TestKeys, TestServer, amqp_connect, confirmed_channel, wait_for_queue,
};
use lapin::{Channel, Connection};
use orders::{Orders, Settings};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use uuid::Uuid;

/// How long to wait for anything asynchronous.
pub const WAIT: Duration = Duration::from_secs(20);

/// A running orders service (the kit's [`Harness`], through `Deref`), the catalog it
/// prices from, and a connection to its queues.
pub struct App {
    service: Harness<Orders>,
    /// The catalog, on the same signing keys.
    pub catalog: Harness<catalog::Catalog>,
    /// The broker's names of its queues.
    pub checkout_queue: String,
    pub saga_queue: String,
    amqp: Option<(Connection, Channel)>,
}

pub use kit::testing::Reply;

impl Deref for App {
    type Target = Harness<Orders>;

    fn deref(&self) -> &Self::Target {
        &self.service
    }
}

impl App {
    pub async fn start() -> Self {
        Self::start_with(None).await
    }

    /// Starts orders; with `catalog_url` it prices from there instead of the catalog started
    /// beside it (to test a catalog that is down).
    pub async fn start_with(catalog_url: Option<String>) -> Self {
        let keys = TestKeys::generate();
        let catalog = Harness::start_with(keys.clone(), (), |_| {}).await;
        let settings = Settings {
            catalog_url: catalog_url.unwrap_or_else(|| catalog.server.base_url.clone()),
        };
        let service = Harness::start_with(keys, settings, |_| {}).await;
        Self {
            checkout_queue: service.queue(orders::CHECKOUT_QUEUE),
            saga_queue: service.queue(orders::SAGA_QUEUE),
            service,
            catalog,
            amqp: None,
        }
    }

    /// Stops both services, removes their queues and drops their databases.
    pub async fn stop(mut self) {
        if let Some((conn, _)) = self.amqp.take() {
            let _ = conn.close(200, "done".into()).await;
        }
        self.service.stop().await;
        self.catalog.stop().await;
    }

    /// Sends a request with an optional bearer token and raw JSON body.
    pub async fn send(
        &self,
        method: Method,
        path: &str,
        token: Option<&str>,
        body: Option<String>,
    ) -> Reply {
        self.send_to(&self.server, method, path, token, body, None)
            .await
    }

    /// Sends to `server` with an optional token, body and idempotency key.
    pub async fn send_to(
        &self,
        server: &TestServer,
        method: Method,
        path: &str,
        token: Option<&str>,
        body: Option<String>,
        key: Option<&str>,
    ) -> Reply {
        let headers: Vec<(&str, &str)> = key.map(|k| ("Idempotency-Key", k)).into_iter().collect();
        kit::testing::send(
            &self.client,
            method,
            server.url(path),
            token,
            body,
            &headers,
        )
        .await
    }

    pub async fn get(&self, path: &str, token: &str) -> Reply {
        self.send(Method::GET, path, Some(token), None).await
    }

    pub async fn post(&self, path: &str, token: &str, body: &Value) -> Reply {
        self.send(Method::POST, path, Some(token), Some(body.to_string()))
            .await
    }

    /// Creates a catalog product as admin; returns its id.
    pub async fn product(&self, amount: i64, currency: &str, active: bool) -> String {
        let category = self
            .send_to(
                &self.catalog.server,
                Method::POST,
                "/api/categories",
                Some(&self.admin),
                Some(
                    json!({ "name": "Toys", "slug": format!("toys-{}", Uuid::new_v4().simple()) })
                        .to_string(),
                ),
                None,
            )
            .await;
        assert_eq!(category.status, StatusCode::CREATED, "{:#}", category.body);
        let body = json!({
            "sku": format!("SKU-{}", Uuid::new_v4().simple()),
            "name": "Chew toy",
            "categoryId": category.id(),
            "price": { "amount": amount, "currency": currency },
            "active": active,
        });
        let reply = self
            .send_to(
                &self.catalog.server,
                Method::POST,
                "/api/products",
                Some(&self.admin),
                Some(body.to_string()),
                None,
            )
            .await;
        assert_eq!(reply.status, StatusCode::CREATED, "{:#}", reply.body);
        reply.id()
    }

    /// Creates an order as `token` for one line of a new 10.00 EUR product, quantity 2.
    pub async fn order(&self, token: &str) -> Value {
        let product = self.product(1000, "EUR", true).await;
        let reply = self
            .post(
                "/api/orders",
                token,
                &json!({ "storeId": Uuid::new_v4(), "lines": [{ "productId": product, "quantity": 2 }] }),
            )
            .await;
        assert_eq!(reply.status, StatusCode::CREATED, "{:#}", reply.body);
        reply.body
    }

    /// An order's status as the admin sees it.
    pub async fn status(&self, order: &str) -> String {
        self.get(&format!("/api/orders/{order}"), &self.admin)
            .await
            .body["status"]
            .as_str()
            .unwrap()
            .to_string()
    }

    /// Events in the outbox, oldest first: (type, data).
    pub async fn events(&self) -> Vec<(String, Value)> {
        kit::testing::outbox(&self.db.pool, "orders").await
    }

    /// The data of every outbox event of type `event_type` about `order`.
    pub async fn events_of(&self, event_type: &str, order: &str) -> Vec<Value> {
        self.events()
            .await
            .into_iter()
            .filter(|(t, data)| t == event_type && data["orderId"] == order)
            .map(|(_, data)| data)
            .collect()
    }

    /// How many orders `user` has, and how many `order.created` events name them. Tests
    /// count per user: other engineers' tests publish `cart.checked_out` on the shared
    /// exchange, and this instance's checkout queue is bound to it too.
    pub async fn orders_of(&self, user: Uuid) -> (i64, usize) {
        let count: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM orders WHERE user_id = $1")
            .bind(user)
            .fetch_one(&self.db.pool)
            .await
            .unwrap();
        let events = self
            .events()
            .await
            .into_iter()
            .filter(|(t, data)| t == "order.created" && data["userId"] == user.to_string())
            .count();
        (count, events)
    }

    /// A confirmed channel to the broker, once the service has declared `queue`.
    async fn channel(&mut self, queue: &str) -> Channel {
        if self.amqp.is_none() {
            let conn = amqp_connect().await;
            let channel = confirmed_channel(&conn).await;
            self.amqp = Some((conn, channel));
        }
        let (conn, channel) = self.amqp.as_ref().unwrap();
        wait_for_queue(conn, queue, WAIT).await;
        channel.clone()
    }

    /// Publishes an envelope straight to `queue` (not the shared exchange), as a
    /// redelivery would arrive, so that no other test's consumer sees it.
    pub async fn publish(&mut self, queue: &str, envelope: &Envelope) {
        let channel = self.channel(queue).await;
        kit::testing::publish_to_queue(&channel, queue, envelope).await;
    }

    /// Publishes a saga event and waits until it has been handled.
    pub async fn saga(&mut self, event_type: &str, data: Value) -> Envelope {
        let envelope = Envelope::new("test", event_type, &data).unwrap();
        let queue = self.saga_queue.clone();
        self.publish(&queue, &envelope).await;
        self.wait_processed(envelope.id).await;
        envelope
    }

    /// Waits until the consumer recorded `event_id` (committed together with its effect).
    pub async fn wait_processed(&self, event_id: Uuid) {
        kit::testing::wait_processed(&self.db.pool, event_id, WAIT).await;
    }

    /// Whether `queue`'s dead-letter queue received the event `event_id` within `timeout`
    /// (other messages there, e.g. other tests' events for unknown orders, are skipped).
    pub async fn dead_lettered(&self, queue: &str, event_id: Uuid, timeout: Duration) -> bool {
        let conn = amqp_connect().await;
        let channel = conn.create_channel().await.unwrap();
        let deadline = tokio::time::Instant::now() + timeout;
        let mut found = false;
        while !found && tokio::time::Instant::now() < deadline {
            let Some(delivery) =
                kit::testing::get(&channel, &kit::events::dlq_name(queue), timeout).await
            else {
                break;
            };
            found = serde_json::from_slice::<Envelope>(&delivery.data)
                .is_ok_and(|envelope| envelope.id == event_id);
        }
        let _ = conn.close(200, "done".into()).await;
        found
    }
}

/// Checks an endpoint refuses missing, expired and tampered tokens (401), and a customer
/// token when `admin_only` (403).
pub async fn assert_auth(
    app: &App,
    method: Method,
    path: &str,
    body: Option<Value>,
    admin_only: bool,
) {
    let body = body.map(|b| b.to_string());
    let mut cases = vec![
        (None, 401),
        (Some(app.keys.expired_token(Role::Admin)), 401),
        (Some(app.keys.tampered_token()), 401),
    ];
    if admin_only {
        cases.push((Some(app.customer.clone()), 403));
    }
    for (token, status) in cases {
        let reply = app
            .send(method.clone(), path, token.as_deref(), body.clone())
            .await;
        assert_eq!(
            reply.status.as_u16(),
            status,
            "{method} {path} with {token:?}: {:#}",
            reply.body
        );
        assert_eq!(reply.content_type, "application/problem+json");
    }
}
