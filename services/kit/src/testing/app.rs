//! Starting a service in a test: on a port of its own, against a fresh
//! database, with a signing key pair the test controls.

use std::future::Future;
use std::net::SocketAddr;
use std::time::Duration;

use tokio::task::JoinHandle;
use tokio_util::sync::CancellationToken;
use uuid::Uuid;

use crate::auth::{Claims, Role, TokenSigner, TokenVerifier, generate_keypair};
use crate::listen::{ListenAddrs, Listeners};
use crate::service::BoxError;

/// A key pair for a test, and tokens signed with it.
#[derive(Debug, Clone)]
pub struct TestKeys {
    /// PKCS#8 PEM private key.
    pub private_pem: String,
    /// SPKI PEM public key.
    pub public_pem: String,
    signer: TokenSigner,
}

impl TestKeys {
    /// A new random key pair.
    ///
    /// # Panics
    /// Never in practice: freshly generated keys always parse.
    pub fn generate() -> Self {
        let pair = generate_keypair();
        let private_pem = pair.private_pem.expose().clone();
        let signer = TokenSigner::from_pem(&private_pem, Duration::from_secs(900))
            .expect("generated key parses");
        Self {
            private_pem,
            public_pem: pair.public_pem,
            signer,
        }
    }

    /// A verifier for tokens of this key pair.
    ///
    /// # Panics
    /// Never in practice: freshly generated keys always parse.
    pub fn verifier(&self) -> TokenVerifier {
        TokenVerifier::from_pem(&self.public_pem).expect("generated key parses")
    }

    /// A valid token for a new user with `role`, and that user's id.
    pub fn token(&self, role: Role) -> (Uuid, String) {
        let user = Uuid::new_v4();
        (user, self.token_for(user, role))
    }

    /// A valid token for `user`.
    ///
    /// # Panics
    /// If signing fails.
    pub fn token_for(&self, user: Uuid, role: Role) -> String {
        self.signer
            .sign(&self.signer.claims_for(user, role))
            .expect("sign")
    }

    /// A token that expired a minute ago.
    ///
    /// # Panics
    /// If signing fails.
    pub fn expired_token(&self, role: Role) -> String {
        let mut claims: Claims = self.signer.claims_for(Uuid::new_v4(), role);
        claims.exp = chrono::Utc::now().timestamp() - 60;
        claims.iat = claims.exp - 900;
        self.signer.sign(&claims).expect("sign")
    }

    /// A valid admin token whose payload was swapped after signing.
    pub fn tampered_token(&self) -> String {
        let (_, customer) = self.token(Role::Customer);
        let (_, admin) = self.token(Role::Admin);
        let mut parts: Vec<&str> = customer.split('.').collect();
        parts[1] = admin.split('.').nth(1).unwrap_or_default();
        parts.join(".")
    }
}

/// The shared configuration of a data service under test: an ephemeral port,
/// the test's database, the machine's broker and the test's key pair.
///
/// # Panics
/// Never in practice: the listen address is a constant.
pub fn store_config(db: &super::TestDatabase, keys: &TestKeys) -> crate::service::StoreConfig {
    crate::service::StoreConfig {
        listen: crate::listen::ListenAddrs::ephemeral(),
        database: crate::db::DatabaseConfig {
            url: crate::config::Secret::new(db.url.clone()),
            max_connections: 4,
        },
        amqp_url: crate::config::Secret::new(super::amqp_url()),
        verifier: keys.verifier(),
        queue_prefix: format!("test.{}", Uuid::new_v4().simple()),
        retention: crate::events::RetentionConfig::default(),
    }
}

/// A service running inside the test process; stopped on drop.
#[derive(Debug)]
pub struct TestServer {
    /// Where its public listener listens.
    pub addr: SocketAddr,
    /// `http://<addr>`.
    pub base_url: String,
    /// `http://` and the internal listener's address (`/metrics`, `/status`).
    pub internal_url: String,
    shutdown: CancellationToken,
    handle: Option<JoinHandle<Result<(), BoxError>>>,
}

impl TestServer {
    /// Binds two ports on 127.0.0.1 and runs `serve` on them.
    ///
    /// # Panics
    /// If no port can be bound.
    pub async fn start<F, Fut>(serve: F) -> Self
    where
        F: FnOnce(Listeners, CancellationToken) -> Fut,
        Fut: Future<Output = Result<(), BoxError>> + Send + 'static,
    {
        let listeners = Listeners::bind(ListenAddrs::ephemeral())
            .await
            .expect("bind two test ports");
        let addrs = listeners.local_addrs().expect("local addresses");
        let shutdown = CancellationToken::new();
        let handle = tokio::spawn(serve(listeners, shutdown.clone()));
        Self {
            addr: addrs.public,
            base_url: format!("http://{}", addrs.public),
            internal_url: format!("http://{}", addrs.internal),
            shutdown,
            handle: Some(handle),
        }
    }

    /// `internal_url` + `path`.
    pub fn internal(&self, path: &str) -> String {
        format!("{}{path}", self.internal_url)
    }

    /// `base_url` + `path`.
    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base_url)
    }

    /// Stops the service and waits for it, returning how it ended.
    ///
    /// # Panics
    /// If the service task panicked.
    pub async fn stop(mut self) -> Result<(), BoxError> {
        self.shutdown.cancel();
        match self.handle.take() {
            Some(handle) => handle.await.expect("service task"),
            None => Ok(()),
        }
    }
}

impl Drop for TestServer {
    fn drop(&mut self) {
        self.shutdown.cancel();
    }
}
