//! Starts the catalog in-process against a fresh database and the real broker, and drives
//! it over HTTP.
#![allow(dead_code, clippy::unwrap_used)]

use std::time::Duration;

use catalog::{Config, MIGRATOR};
use kit::auth::Role;
use kit::config::Secret;
use kit::db::DatabaseConfig;
use kit::service::StoreConfig;
use kit::testing::{TestDatabase, TestKeys, TestServer, amqp_connect, amqp_url};
use lapin::options::QueueDeleteOptions;
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
}

/// A response: status and JSON body (`Null` when empty).
#[derive(Debug)]
pub struct Reply {
    pub status: StatusCode,
    pub body: Value,
    pub content_type: String,
}

impl Reply {
    /// The fields named by a problem document.
    pub fn fields(&self) -> Vec<String> {
        self.body["errors"]
            .as_array()
            .map(|errors| {
                errors
                    .iter()
                    .filter_map(|e| e["field"].as_str().map(str::to_string))
                    .collect()
            })
            .unwrap_or_default()
    }

    /// Asserts a problem with `status` naming `field`.
    #[track_caller]
    pub fn assert_problem(&self, status: u16, field: &str) {
        assert_eq!(self.status.as_u16(), status, "{:#}", self.body);
        assert_eq!(self.content_type, "application/problem+json");
        if !field.is_empty() {
            assert!(
                self.fields().iter().any(|f| f == field),
                "expected {field} in {:#}",
                self.body
            );
        }
    }

    /// The `id` of a created resource.
    pub fn id(&self) -> String {
        self.body["id"].as_str().expect("an id").to_string()
    }

    /// The ids of a page's items, in order.
    pub fn ids(&self) -> Vec<String> {
        self.body["items"]
            .as_array()
            .expect("items")
            .iter()
            .map(|i| i["id"].as_str().expect("id").to_string())
            .collect()
    }

    /// A string field of each of a page's items, in order.
    pub fn pluck(&self, field: &str) -> Vec<String> {
        self.body["items"]
            .as_array()
            .expect("items")
            .iter()
            .map(|i| i[field].as_str().expect(field).to_string())
            .collect()
    }
}

impl App {
    pub async fn start() -> Self {
        let db = TestDatabase::create().await;
        kit::db::migrate(&db.pool, Some(&MIGRATOR)).await.unwrap();
        let keys = TestKeys::generate();
        let queue = format!("catalog-test.order-paid.{}", Uuid::new_v4().simple());
        let config = Config {
            store: StoreConfig {
                listen_addr: "127.0.0.1:0".parse().unwrap(),
                database: DatabaseConfig {
                    url: Secret::new(db.url.clone()),
                    max_connections: 5,
                },
                amqp_url: Secret::new(amqp_url()),
                verifier: keys.verifier(),
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
        }
    }

    /// Stops the service, removes its queues and drops its database.
    pub async fn stop(self) {
        let _ = self.server.stop().await;
        let amqp = amqp_connect().await;
        let channel = amqp.create_channel().await.unwrap();
        for queue in [self.queue.clone(), kit::events::dlq_name(&self.queue)] {
            let _ = channel
                .queue_delete(queue.as_str().into(), QueueDeleteOptions::default())
                .await;
        }
        let _ = amqp.close(200, "done".into()).await;
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
        let mut request = self.client.request(method, self.server.url(path));
        if let Some(token) = token {
            request = request.bearer_auth(token);
        }
        if let Some(body) = body {
            request = request
                .header("content-type", "application/json")
                .body(body);
        }
        let response = request.send().await.expect("request");
        let status = response.status();
        let content_type = response
            .headers()
            .get("content-type")
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_string();
        let text = response.text().await.expect("body");
        let body = if text.is_empty() {
            Value::Null
        } else {
            serde_json::from_str(&text).unwrap_or(Value::String(text))
        };
        Reply {
            status,
            body,
            content_type,
        }
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
        sqlx::query_as::<_, (String, Value)>(
            "SELECT event_type, envelope FROM kit.outbox ORDER BY created_at, id",
        )
        .fetch_all(&self.db.pool)
        .await
        .unwrap()
        .into_iter()
        .map(|(t, envelope)| {
            assert_eq!(envelope["type"], t.as_str());
            assert_eq!(envelope["source"], "catalog");
            (t, envelope["data"].clone())
        })
        .collect()
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
