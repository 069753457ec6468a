//! Forwarding: admit the request (rate limits, token), find its backend by
//! prefix, and stream it there and the answer back, unchanged but for the
//! per-hop headers.

use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use axum::body::{Body, HttpBody};
use axum::extract::{ConnectInfo, Request, State};
use axum::http::header::{self, HeaderMap, HeaderName, HeaderValue};
use axum::http::request::Parts;
use axum::response::{IntoResponse, Response};
use futures_util::StreamExt;
use hyper::body::Incoming;
use kit::ApiError;
use tower_http::timeout::TimeoutBody;

use crate::client_ip::{X_FORWARDED_FOR, client_ip, forwarded_for};
use crate::routing::Backend;
use crate::state::AppState;
use crate::upstream;

/// `X-Forwarded-Proto`.
const X_FORWARDED_PROTO: HeaderName = HeaderName::from_static("x-forwarded-proto");
/// The client's address as the gateway determined it, for the backends.
const CLIENT_ADDRESS: HeaderName =
    HeaderName::from_static(petstore_contract::CLIENT_ADDRESS_HEADER);
/// `X-Forwarded-Host`.
const X_FORWARDED_HOST: HeaderName = HeaderName::from_static("x-forwarded-host");

/// Headers that describe one connection, never the message (RFC 9110 §7.6.1).
const HOP_BY_HOP: [HeaderName; 8] = [
    header::CONNECTION,
    HeaderName::from_static("keep-alive"),
    header::PROXY_AUTHENTICATE,
    header::PROXY_AUTHORIZATION,
    header::TE,
    header::TRAILER,
    header::TRANSFER_ENCODING,
    header::UPGRADE,
];

/// Forwards any request under a backend's prefix to that backend.
pub async fn forward(
    State(state): State<AppState>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    request: Request,
) -> Response {
    match forward_request(&state, peer.ip(), request).await {
        Ok(response) => response,
        Err(rejection) => rejection.into_response(),
    }
}

async fn forward_request(
    state: &AppState,
    peer: IpAddr,
    request: Request,
) -> Result<Response, Rejection> {
    let (parts, body) = request.into_parts();
    admit(state, peer, &parts)?;
    let path = parts.uri.path();
    let backend = match state.routes.resolve(path) {
        Some(backend) => backend.clone(),
        None => {
            return Err(match state.routes.disabled(path) {
                Some(name) => {
                    ApiError::Unavailable(format!("the {name} service is disabled in this store"))
                }
                None => ApiError::not_found("route"),
            }
            .into());
        }
    };
    let limit = state.max_body_bytes;
    let declared = parts
        .headers
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    if declared.is_some_and(|len| len > limit as u64) {
        return Err(Rejection::TooLarge(limit));
    }

    let path_and_query = parts.uri.path_and_query().map_or("/", |pq| pq.as_str());
    let uri = backend
        .forward_url(path, path_and_query)
        .map_err(ApiError::from)?;
    let exceeded = Arc::new(AtomicBool::new(false));
    let body = if body.is_end_stream() {
        body
    } else {
        Body::from_stream(limited(body, limit, exceeded.clone()))
    };
    let headers = upstream_headers(parts.headers, peer, state.trusted_proxy_hops);
    let mut upstream = http::Request::new(body);
    *upstream.method_mut() = parts.method;
    *upstream.uri_mut() = uri;
    *upstream.headers_mut() = headers;
    let response = upstream::send(&state.proxy, upstream, state.upstream_timeout)
        .await
        .map_err(|err| {
            if exceeded.load(Ordering::Relaxed) {
                Rejection::TooLarge(limit)
            } else {
                Rejection::Api(unavailable(&backend, err.is_timeout(), &err))
            }
        })?;
    Ok(downstream_response(response, state.upstream_timeout))
}

/// Rate limits per client IP, then the token (if any), then the per-user
/// limit: a flood of forged tokens is refused before any signature is checked.
fn admit(state: &AppState, peer: IpAddr, parts: &Parts) -> Result<(), ApiError> {
    let now = Instant::now();
    if let Some(limiter) = &state.limits.per_ip {
        let ip = client_ip(peer, &parts.headers, state.trusted_proxy_hops);
        limiter
            .check(ip, now)
            .map_err(|limited| ApiError::RateLimited {
                retry_after_secs: limited.retry_after_secs(),
            })?;
    }
    // No token: forward, the backend decides what is public. A token: it must
    // be valid here already, so a forged one never reaches a backend.
    if let Some(token) = kit::auth::bearer_token(parts)? {
        let claims = state.verifier.verify(token)?;
        if let Some(limiter) = &state.limits.per_user {
            limiter
                .check(claims.sub, now)
                .map_err(|limited| ApiError::RateLimited {
                    retry_after_secs: limited.retry_after_secs(),
                })?;
        }
    }
    Ok(())
}

/// The request's headers minus per-hop ones, plus the `X-Forwarded-*` set.
/// Without trusted proxies the client's own forwarding headers are dropped
/// (it could have written anything); with them, the peer is appended.
fn upstream_headers(mut headers: HeaderMap, peer: IpAddr, trusted_hops: usize) -> HeaderMap {
    // Read from the client's headers as they came, before anything is changed.
    let client = client_ip(peer, &headers, trusted_hops);
    let mut chain = if trusted_hops > 0 {
        forwarded_for(&headers)
    } else {
        headers.remove(header::FORWARDED);
        headers.remove(&X_FORWARDED_PROTO);
        headers.remove(&X_FORWARDED_HOST);
        Vec::new()
    };
    strip_hop_by_hop(&mut headers);
    let host = headers.remove(header::HOST);
    chain.push(peer.to_string());
    if let Ok(value) = HeaderValue::from_str(&chain.join(", ")) {
        headers.insert(X_FORWARDED_FOR, value);
    }
    // Whatever the client wrote here is replaced by the address the gateway trusts.
    if let Ok(value) = HeaderValue::from_str(&client.to_string()) {
        headers.insert(CLIENT_ADDRESS, value);
    }
    if !headers.contains_key(&X_FORWARDED_PROTO) {
        // The gateway itself only speaks plain HTTP; TLS ends in front of it.
        headers.insert(X_FORWARDED_PROTO, HeaderValue::from_static("http"));
    }
    if let Some(host) = host {
        headers.entry(X_FORWARDED_HOST).or_insert(host);
    }
    headers
}

/// Removes per-hop headers, including those the `Connection` header names.
fn strip_hop_by_hop(headers: &mut HeaderMap) {
    let named: Vec<HeaderName> = headers
        .get_all(header::CONNECTION)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .filter_map(|name| HeaderName::from_bytes(name.trim().as_bytes()).ok())
        .collect();
    for name in named.iter().chain(HOP_BY_HOP.iter()) {
        headers.remove(name);
    }
}

/// The request body as a stream that fails once it exceeds `limit` bytes
/// (for bodies without a `Content-Length`), flagging why it failed.
fn limited(
    body: Body,
    limit: usize,
    exceeded: Arc<AtomicBool>,
) -> impl futures_util::Stream<Item = Result<axum::body::Bytes, kit::service::BoxError>> + Send {
    let mut seen = 0usize;
    body.into_data_stream().map(move |chunk| {
        let chunk = chunk?;
        seen = seen.saturating_add(chunk.len());
        if seen > limit {
            exceeded.store(true, Ordering::Relaxed);
            return Err(BodyTooLarge(limit).into());
        }
        Ok(chunk)
    })
}

#[derive(Debug, thiserror::Error)]
#[error("the request body exceeds {0} bytes")]
struct BodyTooLarge(usize);

/// The backend's answer, streamed back with its status and headers. A backend that stops
/// sending its body for `idle` is cut off there, so it cannot hold the client's connection
/// (and the gateway's) open for ever.
fn downstream_response(upstream: http::Response<Incoming>, idle: Duration) -> Response {
    let (mut parts, body) = upstream.into_parts();
    strip_hop_by_hop(&mut parts.headers);
    Response::from_parts(parts, Body::new(TimeoutBody::new(idle, body)))
}

/// 503 naming the backend that could not be reached (in time, when `timed_out`).
pub fn unavailable(
    backend: &Backend,
    timed_out: bool,
    err: &(dyn std::error::Error + 'static),
) -> ApiError {
    let why = if timed_out {
        "did not answer in time"
    } else {
        "is unavailable"
    };
    tracing::warn!(
        service = backend.name,
        error = %err,
        source = ?err.source(),
        "upstream failed"
    );
    ApiError::Unavailable(format!("the {} service {why}", backend.name))
}

/// Why the gateway answered itself instead of forwarding.
#[derive(Debug)]
enum Rejection {
    /// Any problem the kit knows.
    Api(ApiError),
    /// The body exceeds the gateway's limit.
    TooLarge(usize),
}

impl From<ApiError> for Rejection {
    fn from(err: ApiError) -> Self {
        Self::Api(err)
    }
}

impl IntoResponse for Rejection {
    fn into_response(self) -> Response {
        match self {
            Self::Api(err) => err.into_response(),
            Self::TooLarge(limit) => ApiError::PayloadTooLarge { limit }.into_response(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::Request;

    fn parts(headers: &[(&str, &str)]) -> Parts {
        let mut builder = Request::builder().uri("/api/pets?x=1");
        for (name, value) in headers {
            builder = builder.header(*name, *value);
        }
        builder.body(()).unwrap().into_parts().0
    }

    const PEER: IpAddr = IpAddr::V4(std::net::Ipv4Addr::new(10, 0, 0, 9));

    #[test]
    fn hop_by_hop_headers_are_stripped_and_forwarding_headers_set() {
        let parts = parts(&[
            ("host", "shop.example"),
            ("connection", "keep-alive, x-secret-hop"),
            ("x-secret-hop", "1"),
            ("te", "trailers"),
            ("x-forwarded-for", "6.6.6.6"),
            ("authorization", "Bearer t"),
            ("x-request-id", "abc"),
            ("x-petstore-client-address", "6.6.6.6"),
        ]);
        let headers = upstream_headers(parts.headers, PEER, 0);
        assert_eq!(headers["x-petstore-client-address"], "10.0.0.9");
        for gone in ["connection", "x-secret-hop", "te", "host"] {
            assert!(!headers.contains_key(gone), "{gone}");
        }
        assert_eq!(headers["x-forwarded-for"], "10.0.0.9");
        assert_eq!(headers["x-forwarded-proto"], "http");
        assert_eq!(headers["x-forwarded-host"], "shop.example");
        assert_eq!(headers["authorization"], "Bearer t");
        assert_eq!(headers["x-request-id"], "abc");
    }

    #[test]
    fn trusted_proxies_chains_are_extended() {
        let parts = parts(&[
            ("x-forwarded-for", "1.2.3.4"),
            ("x-forwarded-proto", "https"),
        ]);
        let headers = upstream_headers(parts.headers, PEER, 1);
        assert_eq!(headers["x-forwarded-for"], "1.2.3.4, 10.0.0.9");
        assert_eq!(headers["x-petstore-client-address"], "1.2.3.4");
        assert_eq!(headers["x-forwarded-proto"], "https");
    }
}
