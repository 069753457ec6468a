//! Starts the inventory in-process against a fresh database and the real broker, and
//! drives it over HTTP.
#![allow(dead_code)]
// Helpers outside #[test] functions unwrap too: in a test a panic is the report.
#![allow(clippy::unwrap_used)]

use std::ops::Deref;
use std::time::Duration;

use inventory::Inventory;
use inventory::events::{OrderHandler, ProductHandler};
use kit::auth::Role;
use kit::events::{Envelope, EventHandler, HandlerError, Outbox};
use kit::testing::{Harness, TestKeys};
use reqwest::Method;
use serde_json::{Value, json};
use sqlx::PgPool;
use uuid::Uuid;

/// How long to wait for anything asynchronous.
pub const WAIT: Duration = Duration::from_secs(15);

/// A running inventory (the kit's [`Harness`], through `Deref`).
pub struct App(Harness<Inventory>);

impl Deref for App {
    type Target = Harness<Inventory>;

    fn deref(&self) -> &Self::Target {
        &self.0
    }
}

pub use kit::testing::Reply;

/// What the inventory's tests check of a reply beyond the kit's [`Reply`].
pub trait ReplyExt {
    /// Asserts success with `status`.
    fn assert_status(&self, status: u16);
}

impl ReplyExt for Reply {
    #[track_caller]
    fn assert_status(&self, status: u16) {
        assert_eq!(self.status.as_u16(), status, "{:#}", self.body);
    }
}

impl App {
    pub async fn start() -> Self {
        let service = Harness::start_with(TestKeys::generate(), (), |store| {
            // The concurrency tests run many transactions at once.
            store.database.max_connections = 10;
        })
        .await;
        Self(service)
    }

    /// Stops the service, removes its queues and drops its database.
    pub async fn stop(self) {
        self.0.stop().await;
    }

    /// GET as a customer (reads need any valid token).
    pub async fn get(&self, path: &str) -> Reply {
        self.send(Method::GET, path, Some(&self.customer), None)
            .await
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

    pub async fn put(&self, path: &str, body: &Value) -> Reply {
        self.send(Method::PUT, path, Some(&self.admin), Some(body.to_string()))
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

    /// Creates a store with `code` (other fields defaulted, `overrides` merged); returns it.
    pub async fn store(&self, code: &str, overrides: Value) -> Value {
        let mut body = store_body(code);
        merge(&mut body, overrides);
        let reply = self.post("/api/stores", &body).await;
        reply.assert_status(201);
        reply.body
    }

    /// Sets on hand (and the minimum) of a product in a store; returns the item.
    pub async fn stock(&self, store: &str, product: &str, on_hand: i64, min_stock: i64) -> Value {
        let reply = self
            .put(
                &format!("/api/stores/{store}/inventory/{product}"),
                &json!({ "onHand": on_hand, "minStock": min_stock, "reason": "initial count" }),
            )
            .await;
        reply.assert_status(200);
        reply.body
    }

    /// One item's stock.
    pub async fn item(&self, store: &str, product: &str) -> Value {
        let reply = self
            .get(&format!("/api/stores/{store}/inventory/{product}"))
            .await;
        reply.assert_status(200);
        reply.body
    }
}

/// A valid store body.
pub fn store_body(code: &str) -> Value {
    json!({
        "code": code,
        "name": format!("Store {code}"),
        "address": {
            "line1": "1 rue de la Roquette",
            "city": "Paris",
            "postalCode": "75011",
            "country": "FR",
        },
        "timezone": "Europe/Paris",
    })
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

/// Checks an endpoint refuses missing, expired and tampered tokens (and, for admin-only
/// endpoints, a customer's).
pub async fn assert_guarded(
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

/// Applies an event the way the kit's consumer does: the event id is recorded in the same
/// transaction as the handler's effect, a duplicate is skipped, and a transient failure
/// (e.g. a deadlock) rolls back and is retried a bounded number of times. Returns whether
/// the event had an effect.
pub async fn deliver(pool: &PgPool, envelope: &Envelope) -> bool {
    let outbox = Outbox::new("inventory");
    for _ in 0..10 {
        let mut tx = pool.begin().await.unwrap();
        let recorded = sqlx::query(
            "INSERT INTO kit.processed_events (consumer, event_id) VALUES ($1, $2) \
             ON CONFLICT DO NOTHING",
        )
        .bind("inventory")
        .bind(envelope.id)
        .execute(&mut *tx)
        .await
        .unwrap()
        .rows_affected();
        if recorded == 0 {
            tx.commit().await.unwrap();
            return false;
        }
        let result = if envelope.event_type.starts_with("order.") {
            OrderHandler::new(outbox.clone())
                .handle(envelope, &mut tx)
                .await
        } else {
            ProductHandler.handle(envelope, &mut tx).await
        };
        match result {
            Ok(()) => match tx.commit().await {
                Ok(()) => return true,
                Err(_) => continue,
            },
            Err(HandlerError::Transient(_)) => {
                let _ = tx.rollback().await;
            }
            Err(err) => panic!("permanent failure: {err}"),
        }
    }
    panic!("event {} kept failing", envelope.id);
}

/// An envelope as another service would publish it.
pub fn envelope(source: &str, event_type: &str, data: Value) -> Envelope {
    Envelope::new(source, event_type, &data).unwrap()
}

/// `order.created` for lines of (product, quantity) at `store`.
pub fn order_created(order: Uuid, store: &str, lines: &[(&str, i64)]) -> Envelope {
    let lines: Vec<Value> = lines
        .iter()
        .map(|(p, q)| json!({ "productId": p, "quantity": q }))
        .collect();
    envelope(
        "orders",
        "order.created",
        json!({ "orderId": order, "userId": Uuid::new_v4(), "storeId": store, "lines": lines }),
    )
}

/// An `order.<kind>` event naming only the order.
pub fn order_event(kind: &str, order: Uuid) -> Envelope {
    envelope(
        "orders",
        &format!("order.{kind}"),
        json!({ "orderId": order }),
    )
}
