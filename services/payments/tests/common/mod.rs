//! Starts payments in-process against a fresh database and the real broker, drives it
//! through its queue and reads it over HTTP.
#![allow(dead_code, clippy::unwrap_used)]

use std::ops::Deref;
use std::time::Duration;

use kit::events::Envelope;
use kit::testing::{Harness, amqp_connect, confirmed_channel, wait_for_queue};
use lapin::{Channel, Connection};
use payments::Payments;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use uuid::Uuid;

/// How long to wait for anything asynchronous.
pub const WAIT: Duration = Duration::from_secs(20);

/// A running payments service (the kit's [`Harness`], through `Deref`) and a channel to
/// its queue.
pub struct App {
    service: Harness<Payments>,
    /// The broker's name of its saga queue.
    pub queue: String,
    amqp: Connection,
    channel: Channel,
}

pub use kit::testing::Reply;

impl Deref for App {
    type Target = Harness<Payments>;

    fn deref(&self) -> &Self::Target {
        &self.service
    }
}

impl App {
    pub async fn start() -> Self {
        let service = Harness::start(()).await;
        let queue = service.queue(payments::SAGA_QUEUE);
        let amqp = amqp_connect().await;
        let channel = confirmed_channel(&amqp).await;
        wait_for_queue(&amqp, &queue, WAIT).await;
        Self {
            service,
            queue,
            amqp,
            channel,
        }
    }

    /// Stops the service, removes its queues and drops its database.
    pub async fn stop(self) {
        let _ = self.amqp.close(200, "done".into()).await;
        self.service.stop().await;
    }

    /// Sends a request with an optional bearer token.
    pub async fn send(&self, method: Method, path: &str, token: Option<&str>) -> Reply {
        self.service.send(method, path, token, None).await
    }

    pub async fn get(&self, path: &str, token: &str) -> Reply {
        self.send(Method::GET, path, Some(token)).await
    }

    /// Publishes an envelope straight to the service's queue (not the shared exchange), as a
    /// redelivery would arrive, so that no other test's consumer sees it.
    pub async fn publish(&self, envelope: &Envelope) {
        kit::testing::publish_to_queue(&self.channel, &self.queue, envelope).await;
    }

    /// Publishes an event (twice when `twice`: a redelivery) and waits until it is handled.
    pub async fn deliver(&self, event_type: &str, data: Value, twice: bool) -> Envelope {
        let envelope = Envelope::new("test", event_type, &data).unwrap();
        self.publish(&envelope).await;
        if twice {
            self.publish(&envelope).await;
        }
        self.wait_processed(envelope.id).await;
        envelope
    }

    /// `order.created` for `order` of `user` owing `amount` EUR cents.
    pub async fn order_created(&self, order: Uuid, user: Uuid, amount: i64) {
        let data = json!({
            "orderId": order, "userId": user, "storeId": Uuid::new_v4(),
            "total": { "amount": amount, "currency": "EUR" },
            "lines": [{ "productId": Uuid::new_v4(), "sku": "A", "name": "A", "quantity": 1,
                        "unitPrice": { "amount": amount, "currency": "EUR" } }]
        });
        self.deliver("order.created", data, true).await;
    }

    /// `inventory.reserved` for `order`, delivered twice.
    pub async fn reserved(&self, order: Uuid) {
        let data = json!({ "orderId": order, "storeId": Uuid::new_v4(),
                           "lines": [{ "productId": Uuid::new_v4(), "quantity": 1 }] });
        self.deliver("inventory.reserved", data, true).await;
    }

    /// `order.cancelled` for `order`, delivered twice.
    pub async fn cancelled(&self, order: Uuid, was_paid: bool) {
        let data = json!({ "orderId": order, "userId": self.customer_id,
                           "storeId": Uuid::new_v4(), "reason": "changed my mind",
                           "wasPaid": was_paid });
        self.deliver("order.cancelled", data, true).await;
    }

    /// Waits until the consumer recorded `event_id` (committed together with its effect).
    pub async fn wait_processed(&self, event_id: Uuid) {
        kit::testing::wait_processed(&self.db.pool, event_id, WAIT).await;
    }

    /// The payment of an order, as the admin sees it.
    pub async fn payment_of(&self, order: Uuid) -> Value {
        let page = self
            .get(&format!("/api/payments?orderId={order}"), &self.admin)
            .await;
        assert_eq!(page.body["total"], 1, "{:#}", page.body);
        page.body["items"][0].clone()
    }

    /// The data of every outbox event of type `event_type` about `order`.
    pub async fn events_of(&self, event_type: &str, order: Uuid) -> Vec<Value> {
        kit::testing::outbox(&self.db.pool, "payments")
            .await
            .into_iter()
            .filter(|(t, data)| t == event_type && data["orderId"] == order.to_string())
            .map(|(_, data)| data)
            .collect()
    }

    /// The audit log of a payment as (from, to) pairs.
    pub async fn audit(&self, payment: &str) -> Vec<(Value, String)> {
        let reply = self
            .get(&format!("/api/payments/{payment}/audit"), &self.admin)
            .await;
        assert_eq!(reply.status, StatusCode::OK, "{:#}", reply.body);
        reply
            .body
            .as_array()
            .unwrap()
            .iter()
            .map(|e| (e["from"].clone(), e["to"].as_str().unwrap().to_string()))
            .collect()
    }
}
