//! The proxy's client of the backends: hyper's pooled HTTP/1 client, used directly.
//!
//! Forwarding is the gateway's hot path, so nothing sits between the request and the
//! connection that the proxy does not need: no URL parser (the request keeps its `Uri`),
//! no copy of the headers either way, no stream adapter around either body. The health
//! and docs endpoints, which are not on that path, use the ordinary HTTP client of
//! [`crate::state::AppState`].

use std::time::Duration;

use axum::body::Body;
use hyper::body::Incoming;
use hyper_util::client::legacy::Client;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::rt::{TokioExecutor, TokioTimer};

/// The pooled client of every backend; cheap to clone.
pub type UpstreamClient = Client<HttpConnector, Body>;

/// A client that connects within `connect_timeout` and keeps an idle connection for
/// `idle_timeout`. Plain HTTP only: TLS ends in front of the gateway, and backends are
/// reached inside the cluster.
pub fn client(connect_timeout: Duration, idle_timeout: Duration) -> UpstreamClient {
    let mut connector = HttpConnector::new();
    connector.set_connect_timeout(Some(connect_timeout));
    connector.set_nodelay(true);
    Client::builder(TokioExecutor::new())
        .pool_idle_timeout(idle_timeout)
        .pool_timer(TokioTimer::new())
        .build(connector)
}

/// Why a backend gave no answer.
#[derive(Debug, thiserror::Error)]
pub enum UpstreamError {
    /// No answer (status and headers) within the upstream timeout.
    #[error("no answer within {0:?}")]
    Timeout(Duration),
    /// The connection could not be made, or broke.
    #[error(transparent)]
    Failed(#[from] hyper_util::client::legacy::Error),
}

impl UpstreamError {
    /// Whether this is the upstream timeout.
    pub fn is_timeout(&self) -> bool {
        matches!(self, Self::Timeout(_))
    }
}

/// Sends `request` and waits at most `timeout` for the backend's status and headers; the
/// body then streams through as the backend writes it (the proxy cuts it off when the
/// backend stays silent as long).
///
/// # Errors
/// [`UpstreamError::Timeout`] or [`UpstreamError::Failed`].
pub async fn send(
    client: &UpstreamClient,
    request: http::Request<Body>,
    timeout: Duration,
) -> Result<http::Response<Incoming>, UpstreamError> {
    match tokio::time::timeout(timeout, client.request(request)).await {
        Ok(answer) => Ok(answer?),
        Err(_) => Err(UpstreamError::Timeout(timeout)),
    }
}
