//! Starts the cart in-process against a fresh database and the real broker, next to a
//! real catalog (its own database, same signing keys) to look products up in, and drives
//! both over HTTP.
#![allow(dead_code, clippy::unwrap_used)]

use std::ops::Deref;
use std::time::Duration;

use cart::{Cart, Settings};
use kit::auth::Role;
use kit::events::Envelope;
use kit::testing::{Harness, TestDatabase, TestKeys};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use uuid::Uuid;

/// How long to wait for anything asynchronous.
pub const WAIT: Duration = Duration::from_secs(15);

/// A running cart (the kit's [`Harness`], through `Deref`) next to the catalog it looks
/// products up in.
pub struct App {
    service: Harness<Cart>,
    /// The catalog, on the same signing keys.
    pub catalog: Harness<catalog::Catalog>,
    /// A category of the catalog, for new products.
    pub category: String,
    /// A customer and their token.
    pub user: Uuid,
    pub token: String,
}

pub use kit::testing::Reply;

impl Deref for App {
    type Target = Harness<Cart>;

    fn deref(&self) -> &Self::Target {
        &self.service
    }
}

/// A URL where nothing listens.
fn closed_url() -> String {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    format!("http://{}", listener.local_addr().unwrap())
}

impl App {
    /// A cart next to a running catalog.
    pub async fn start() -> Self {
        Self::start_with(None).await
    }

    /// A cart whose `CATALOG_URL` points at a port where nothing listens.
    pub async fn with_catalog_down() -> Self {
        Self::start_with(Some(closed_url())).await
    }

    /// A cart next to a running catalog, reaching it at `catalog_url` if given.
    pub async fn start_with(catalog_url: Option<String>) -> Self {
        let keys = TestKeys::generate();
        let catalog = Harness::start_with(keys.clone(), (), |_| {}).await;
        let settings = Settings {
            catalog_url: catalog_url.unwrap_or_else(|| catalog.server.base_url.clone()),
            // No orders service in these tests: checkout's synchronous hand-over fails fast
            // and the event alone creates the order, which is the fallback path.
            orders_url: closed_url(),
        };
        let service = Harness::start_with(keys, settings, |_| {}).await;
        let mut app = Self {
            user: service.customer_id,
            token: service.customer.clone(),
            service,
            catalog,
            category: String::new(),
        };
        let category = app
            .catalog_send(
                Method::POST,
                "/api/categories",
                json!({ "name": "Toys", "slug": "toys" }),
            )
            .await;
        assert_eq!(category.status, StatusCode::CREATED, "{:#}", category.body);
        app.category = category.body["id"].as_str().unwrap().to_string();
        app
    }

    /// Stops both services, removes their queues and drops their databases.
    pub async fn stop(self) {
        self.service.stop().await;
        self.catalog.stop().await;
    }

    /// Sends a request to the cart with an optional token, raw body and extra headers.
    pub async fn send_with(
        &self,
        method: Method,
        path: &str,
        token: Option<&str>,
        body: Option<String>,
        headers: &[(&str, &str)],
    ) -> Reply {
        kit::testing::send(
            &self.client,
            method,
            self.server.url(path),
            token,
            body,
            headers,
        )
        .await
    }

    /// Sends a request to the cart with an optional token and raw body.
    pub async fn send(
        &self,
        method: Method,
        path: &str,
        token: Option<&str>,
        body: Option<String>,
    ) -> Reply {
        self.send_with(method, path, token, body, &[]).await
    }

    /// The customer's cart.
    pub async fn cart(&self) -> Reply {
        self.send(Method::GET, "/api/cart", Some(&self.token), None)
            .await
    }

    /// Adds `quantity` of `product` as the customer.
    pub async fn add(&self, product: &str, quantity: i64) -> Reply {
        self.send(
            Method::POST,
            "/api/cart/items",
            Some(&self.token),
            Some(json!({ "productId": product, "quantity": quantity }).to_string()),
        )
        .await
    }

    /// Checks the customer's cart out to `store`.
    pub async fn checkout(&self, store: Uuid, key: Option<&str>) -> Reply {
        let headers: Vec<(&str, &str)> = key.map(|k| ("idempotency-key", k)).into_iter().collect();
        self.send_with(
            Method::POST,
            "/api/cart/checkout",
            Some(&self.token),
            Some(json!({ "storeId": store }).to_string()),
            &headers,
        )
        .await
    }

    /// Sends an admin request to the catalog.
    pub async fn catalog_send(&self, method: Method, path: &str, body: Value) -> Reply {
        let body = (!body.is_null()).then(|| body.to_string());
        let url = self.catalog.server.url(path);
        kit::testing::send(&self.client, method, url, Some(&self.admin), body, &[]).await
    }

    /// Creates a product in the catalog (overrides merged over defaults); returns its id.
    pub async fn product(&self, overrides: Value) -> String {
        let mut body = json!({
            "sku": format!("SKU-{}", Uuid::new_v4().simple()),
            "name": "Chew toy",
            "categoryId": self.category,
            "price": { "amount": 1000, "currency": "EUR" },
        });
        if let (Some(body), Value::Object(overrides)) = (body.as_object_mut(), overrides) {
            body.extend(overrides);
        }
        let reply = self.catalog_send(Method::POST, "/api/products", body).await;
        assert_eq!(reply.status, StatusCode::CREATED, "{:#}", reply.body);
        reply.body["id"].as_str().unwrap().to_string()
    }

    /// The catalog's last outbox envelope of `event_type` (a real event to replay).
    pub async fn catalog_event(&self, event_type: &str) -> Envelope {
        let envelope: Value = sqlx::query_scalar(
            "SELECT envelope FROM kit.outbox WHERE event_type = $1 \
             ORDER BY created_at DESC, id DESC LIMIT 1",
        )
        .bind(event_type)
        .fetch_one(&self.catalog.db.pool)
        .await
        .unwrap();
        serde_json::from_value(envelope).unwrap()
    }

    /// Whether the cart's consumers have recorded `event`.
    pub async fn processed(&self, event: Uuid) -> i64 {
        kit::testing::processed(&self.db.pool, event).await
    }

    /// Waits until the cart's consumers recorded `event`.
    pub async fn wait_processed(&self, event: Uuid) {
        kit::testing::wait_processed(&self.db.pool, event, WAIT).await;
    }
}

/// Events in a service's outbox, oldest first: (type, data).
pub async fn outbox(db: &TestDatabase, source: &str) -> Vec<(String, Value)> {
    kit::testing::outbox(&db.pool, source).await
}

/// Publishes each envelope straight to `queue` (the default exchange), as a redelivery
/// would arrive, once the consumer has declared the queue.
pub async fn publish(queue: &str, envelopes: &[&Envelope]) {
    kit::testing::publish(queue, envelopes, WAIT).await;
}

/// Checks a route refuses missing, expired and tampered tokens.
pub async fn assert_authenticated(app: &App, method: Method, path: &str, body: Option<Value>) {
    let body = body.map(|b| b.to_string());
    let cases = [
        None,
        Some(app.keys.expired_token(Role::Customer)),
        Some(app.keys.tampered_token()),
        Some("not-a-token".to_string()),
    ];
    for token in cases {
        let reply = app
            .send(method.clone(), path, token.as_deref(), body.clone())
            .await;
        assert_eq!(
            reply.status.as_u16(),
            401,
            "{method} {path} with {token:?}: {:#}",
            reply.body
        );
        assert_eq!(reply.content_type, "application/problem+json");
    }
}
