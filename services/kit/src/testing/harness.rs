//! A data service under test, started the way the binary starts it, from its
//! [`DataService`] declarations: in the test process, on two ports of its own, against a
//! fresh database (migrated) and the machine's broker, with queues named uniquely for the
//! test so that parallel tests never take each other's messages.

use std::marker::PhantomData;

use reqwest::Method;
use uuid::Uuid;

use crate::auth::Role;

use super::{Reply, TestDatabase, TestKeys, TestServer, delete_queues, send, store_config};
use crate::service::{DataConfig, DataService, StoreConfig, queue_name, queues, run};

/// A running data service `S`, its database, and the tokens a test talks to it with; stop
/// it with [`Harness::stop`].
pub struct Harness<S: DataService> {
    /// The service's listeners.
    pub server: TestServer,
    /// Its database.
    pub db: TestDatabase,
    /// What its queues are named after (`<service>-test.<uuid>`).
    pub queue_prefix: String,
    /// An HTTP client for talking to it.
    pub client: reqwest::Client,
    /// The key pair its tokens are verified with.
    pub keys: TestKeys,
    /// An administrator's token.
    pub admin: String,
    /// A customer's token.
    pub customer: String,
    /// The customer of [`Harness::customer`].
    pub customer_id: Uuid,
    service: PhantomData<S>,
}

impl<S: DataService> Harness<S> {
    /// Starts `S` with `settings` and a new key pair.
    pub async fn start(settings: S::Settings) -> Self {
        Self::start_with(TestKeys::generate(), settings, |_| {}).await
    }

    /// [`Harness::start`], with the shared configuration changed by `adjust` first (a
    /// smaller pool, a retention window, ...).
    ///
    /// # Panics
    /// If the database cannot be created or migrated.
    pub async fn start_with(
        keys: TestKeys,
        settings: S::Settings,
        adjust: impl FnOnce(&mut StoreConfig),
    ) -> Self {
        let db = TestDatabase::create().await;
        crate::db::migrate(&db.pool, Some(S::MIGRATOR))
            .await
            .expect("migrations apply");
        let queue_prefix = format!("{}-test.{}", S::SPEC.name, Uuid::new_v4().simple());
        let mut store = store_config(&db, &keys);
        store.queue_prefix.clone_from(&queue_prefix);
        adjust(&mut store);
        let config = DataConfig::<S> { store, settings };
        let server =
            TestServer::start(|listeners, shutdown| run::<S>(config, listeners, shutdown)).await;
        let (_, admin) = keys.token(Role::Admin);
        let (customer_id, customer) = keys.token(Role::Customer);
        Self {
            server,
            db,
            queue_prefix,
            client: reqwest::Client::new(),
            keys,
            admin,
            customer,
            customer_id,
            service: PhantomData,
        }
    }

    /// The broker's name of the service's queue `queue` (e.g. `order-paid`).
    #[must_use]
    pub fn queue(&self, queue: &str) -> String {
        queue_name(&self.queue_prefix, queue)
    }

    /// `base_url` + `path`.
    #[must_use]
    pub fn url(&self, path: &str) -> String {
        self.server.url(path)
    }

    /// Sends `method path` with an optional bearer token and raw JSON body.
    pub async fn send(
        &self,
        method: Method,
        path: &str,
        token: Option<&str>,
        body: Option<String>,
    ) -> Reply {
        send(&self.client, method, self.url(path), token, body, &[]).await
    }

    /// `GET path` without a token.
    pub async fn get(&self, path: &str) -> Reply {
        self.send(Method::GET, path, None, None).await
    }

    /// `method path` with `token` and `body` as JSON.
    pub async fn send_json(
        &self,
        method: Method,
        path: &str,
        token: &str,
        body: &serde_json::Value,
    ) -> Reply {
        self.send(method, path, Some(token), Some(body.to_string()))
            .await
    }

    /// The events in the service's outbox, oldest first: (type, data).
    pub async fn events(&self) -> Vec<(String, serde_json::Value)> {
        super::outbox(&self.db.pool, S::SPEC.name).await
    }

    /// The data of every event of `event_type` in the service's outbox, oldest first.
    pub async fn events_of(&self, event_type: &str) -> Vec<serde_json::Value> {
        self.events()
            .await
            .into_iter()
            .filter(|(t, _)| t == event_type)
            .map(|(_, data)| data)
            .collect()
    }

    /// Stops the service, removes its queues and drops its database.
    pub async fn stop(self) {
        let names: Vec<String> = queues::<S>().iter().map(|q| self.queue(q)).collect();
        let _ = self.server.stop().await;
        delete_queues(&names.iter().map(String::as_str).collect::<Vec<_>>()).await;
        self.db.drop_database().await;
    }
}
