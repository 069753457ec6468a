//! Starts the catalog in-process against a fresh database and the real broker, and drives
//! it over HTTP.
#![allow(dead_code, clippy::unwrap_used)]

use std::time::Duration;

use std::ops::Deref;

use catalog::Catalog;
use kit::auth::Role;
use kit::testing::Harness;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use uuid::Uuid;

/// How long to wait for anything asynchronous.
pub const WAIT: Duration = Duration::from_secs(15);

/// A running catalog and what a test needs to talk to it (the kit's [`Harness`], through
/// `Deref`).
pub struct App(Harness<Catalog>);

pub use kit::testing::Reply;

impl Deref for App {
    type Target = Harness<Catalog>;

    fn deref(&self) -> &Self::Target {
        &self.0
    }
}

impl App {
    pub async fn start() -> Self {
        Self(Harness::start(()).await)
    }

    /// Stops the service, removes its queues and drops its database.
    pub async fn stop(self) {
        self.0.stop().await;
    }

    /// `POST path` as admin.
    pub async fn post(&self, path: &str, body: &Value) -> Reply {
        self.send_json(Method::POST, path, &self.admin, body).await
    }

    /// `PATCH path` as admin.
    pub async fn patch(&self, path: &str, body: &Value) -> Reply {
        self.send_json(Method::PATCH, path, &self.admin, body).await
    }

    /// `DELETE path` as admin.
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
