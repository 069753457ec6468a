//! Starts the reviews service in-process against a fresh database and the real broker,
//! and drives it over HTTP.
#![allow(dead_code, clippy::unwrap_used)]

use std::time::Duration;

use kit::auth::Role;
use kit::config::Secret;
use kit::db::DatabaseConfig;
use kit::events::Envelope;
use kit::service::StoreConfig;
use kit::testing::{TestDatabase, TestKeys, TestServer, amqp_connect, amqp_url, eventually};
use lapin::options::{
    BasicPublishOptions, ConfirmSelectOptions, QueueDeclareOptions, QueueDeleteOptions,
};
use lapin::types::FieldTable;
use lapin::{BasicProperties, Connection};
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

    /// Asserts a problem with `status` naming `field` (none checked when empty).
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
}

impl App {
    pub async fn start() -> Self {
        let db = TestDatabase::create().await;
        kit::db::migrate(&db.pool, Some(&MIGRATOR)).await.unwrap();
        let keys = TestKeys::generate();
        let queue = format!("reviews-test.events.{}", Uuid::new_v4().simple());
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
        sqlx::query_as::<_, (String, Value)>(
            "SELECT event_type, envelope FROM kit.outbox ORDER BY created_at, id",
        )
        .fetch_all(&self.db.pool)
        .await
        .unwrap()
        .into_iter()
        .filter(|(t, _)| t == event_type)
        .map(|(_, envelope)| {
            assert_eq!(envelope["source"], "reviews");
            envelope["data"].clone()
        })
        .collect()
    }

    /// How many times the consumer recorded `event`.
    pub async fn processed(&self, event: Uuid) -> i64 {
        sqlx::query_scalar("SELECT COUNT(*) FROM kit.processed_events WHERE event_id = $1")
            .bind(event)
            .fetch_one(&self.db.pool)
            .await
            .unwrap()
    }

    /// Waits until the consumer recorded `event`.
    pub async fn wait_processed(&self, event: Uuid) {
        assert!(
            eventually(WAIT, || async move { self.processed(event).await > 0 }).await,
            "event {event} was consumed"
        );
    }

    /// Publishes envelopes straight to this instance's queue (the default exchange).
    pub async fn publish(&self, envelopes: &[&Envelope]) {
        publish(&self.queue, envelopes).await;
    }
}

/// Passive declaration fails (and closes the channel) if the queue does not exist.
async fn queue_exists(conn: &Connection, queue: &str) -> bool {
    let Ok(channel) = conn.create_channel().await else {
        return false;
    };
    let passive = QueueDeclareOptions {
        passive: true,
        ..QueueDeclareOptions::default()
    };
    let exists = channel
        .queue_declare(queue.into(), passive, FieldTable::default())
        .await
        .is_ok();
    if exists {
        let _ = channel.close(200, "done".into()).await;
    }
    exists
}

/// Publishes each envelope straight to `queue` (the default exchange), as a redelivery
/// would arrive, once the consumer has declared the queue.
pub async fn publish(queue: &str, envelopes: &[&Envelope]) {
    let amqp = amqp_connect().await;
    let conn = &amqp;
    assert!(
        eventually(WAIT, || async move { queue_exists(conn, queue).await }).await,
        "the consumer declares {queue}"
    );
    let channel = amqp.create_channel().await.unwrap();
    channel
        .confirm_select(ConfirmSelectOptions::default())
        .await
        .unwrap();
    for envelope in envelopes {
        let confirmation = channel
            .basic_publish(
                "".into(),
                queue.into(),
                BasicPublishOptions::default(),
                &serde_json::to_vec(envelope).unwrap(),
                BasicProperties::default()
                    .with_content_type("application/json".into())
                    .with_delivery_mode(2),
            )
            .await
            .unwrap()
            .await
            .unwrap();
        assert!(confirmation.is_ack());
    }
    let _ = amqp.close(200, "done".into()).await;
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
