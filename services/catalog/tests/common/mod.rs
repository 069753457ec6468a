//! Starts the catalog in-process against a fresh database and the real broker, and drives
//! it over HTTP.
#![allow(dead_code, clippy::unwrap_used)]

use std::time::Duration;

use catalog::{Config, MIGRATOR};
use kit::auth::Role;
use kit::testing::{TestDatabase, TestKeys, TestServer};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use uuid::Uuid;

/// How long to wait for anything asynchronous.
pub const WAIT: Duration = Duration::from_secs(15);

/// A running catalog and what a test needs to talk to it.
pub struct App {
    pub server: TestServer,
    pub db: TestDatabase,
    pub keys: TestKeys,
    pub client: reqwest::Client,
    pub admin: String,
    pub customer: String,
    /// The unique queue this instance consumes `order.paid` from.
    pub queue: String,
    /// The unique queue this instance consumes `user.role_changed` from.
    pub revocations_queue: String,
}

pub use kit::testing::Reply;

impl App {
    pub async fn start() -> Self {
        let db = TestDatabase::create().await;
        kit::db::migrate(&db.pool, Some(&MIGRATOR)).await.unwrap();
        let keys = TestKeys::generate();
        let suffix = Uuid::new_v4().simple();
        let queue = format!("catalog-test.order-paid.{suffix}");
        let revocations_queue = format!("catalog-test.revocations.{suffix}");
        let config = Config {
            store: kit::service::StoreConfig {
                revocations_queue: Some(revocations_queue.clone()),
                ..kit::testing::store_config(&db, &keys)
            },
            order_paid_queue: queue.clone(),
        };
        let server =
            TestServer::start(|listener, shutdown| catalog::serve(config, listener, shutdown))
                .await;
        let (_, admin) = keys.token(Role::Admin);
        let (_, customer) = keys.token(Role::Customer);
        Self {
            server,
            db,
            keys,
            client: reqwest::Client::new(),
            admin,
            customer,
            queue,
            revocations_queue,
        }
    }

    /// Stops the service, removes its queues and drops its database.
    pub async fn stop(self) {
        let _ = self.server.stop().await;
        kit::testing::delete_queues(&[&self.queue, &self.revocations_queue]).await;
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

    pub async fn post(&self, path: &str, body: &Value) -> Reply {
        self.send(
            Method::POST,
            path,
            Some(&self.admin),
            Some(body.to_string()),
        )
        .await
    }

    pub async fn patch(&self, path: &str, body: &Value) -> Reply {
        self.send(
            Method::PATCH,
            path,
            Some(&self.admin),
            Some(body.to_string()),
        )
        .await
    }

    pub async fn delete(&self, path: &str) -> Reply {
        self.send(Method::DELETE, path, Some(&self.admin), None)
            .await
    }

    /// Creates a category as admin and returns its id.
    pub async fn category(&self, slug: &str, parent: Option<&str>) -> String {
        let reply = self
            .post(
                "/api/categories",
                &json!({ "name": slug.to_uppercase(), "slug": slug, "parentId": parent }),
            )
            .await;
        assert_eq!(reply.status, StatusCode::CREATED, "{:#}", reply.body);
        reply.id()
    }

    /// Creates a product as admin from `body` merged over sensible defaults; returns it.
    pub async fn product(&self, category: &str, overrides: Value) -> Value {
        let mut body = json!({
            "sku": format!("SKU-{}", Uuid::new_v4().simple()),
            "name": "Chew toy",
            "description": "A toy",
            "categoryId": category,
            "price": { "amount": 1000, "currency": "EUR" },
        });
        merge(&mut body, overrides);
        let reply = self.post("/api/products", &body).await;
        assert_eq!(reply.status, StatusCode::CREATED, "{:#}", reply.body);
        reply.body
    }

    /// Creates a pet as admin from `body` merged over sensible defaults; returns it.
    pub async fn pet(&self, category: &str, overrides: Value) -> Value {
        let mut body = json!({
            "name": "Rex",
            "species": "dog",
            "categoryId": category,
            "price": { "amount": 50000, "currency": "EUR" },
        });
        merge(&mut body, overrides);
        let reply = self.post("/api/pets", &body).await;
        assert_eq!(reply.status, StatusCode::CREATED, "{:#}", reply.body);
        reply.body
    }

    /// Events in the outbox, oldest first: (type, data).
    pub async fn events(&self) -> Vec<(String, Value)> {
        kit::testing::outbox(&self.db.pool, "catalog").await
    }

    /// The data of every outbox event of type `event_type`.
    pub async fn events_of(&self, event_type: &str) -> Vec<Value> {
        self.events()
            .await
            .into_iter()
            .filter(|(t, _)| t == event_type)
            .map(|(_, data)| data)
            .collect()
    }
}

/// Shallow merge of `overrides` into `base` (a `null` override removes the key).
pub fn merge(base: &mut Value, overrides: Value) {
    if let (Some(base), Value::Object(overrides)) = (base.as_object_mut(), overrides) {
        for (key, value) in overrides {
            if value.is_null() {
                base.remove(&key);
            } else {
                base.insert(key, value);
            }
        }
    }
}

/// Checks a write endpoint refuses missing, expired, tampered and customer tokens.
pub async fn assert_admin_only(app: &App, method: Method, path: &str, body: Option<Value>) {
    let body = body.map(|b| b.to_string());
    let cases = [
        (None, 401),
        (Some(app.keys.expired_token(Role::Admin)), 401),
        (Some(app.keys.tampered_token()), 401),
        (Some(app.customer.clone()), 403),
    ];
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
