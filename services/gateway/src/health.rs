//! `GET /api/health`: the store as a whole, from every backend's `/ready`.
//!
//! The gateway's own `/ready` stays "the gateway is up": failing it because
//! a backend is down would make Kubernetes pull every gateway at once.

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use kit::http::DependencyState;
use serde::Serialize;
use utoipa::ToSchema;

use crate::routing::Backend;
use crate::state::AppState;

/// Longest the aggregate waits for one backend's `/ready`.
pub const CHECK_TIMEOUT: Duration = Duration::from_secs(2);

/// Overall state of the store.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum OverallStatus {
    /// Every backend is ready.
    Ok,
    /// At least one backend is not.
    Degraded,
}

/// The aggregated health document.
#[derive(Debug, Serialize, ToSchema)]
pub struct HealthReport {
    /// `ok` when every backend is ready, else `degraded`.
    pub status: OverallStatus,
    /// Each backend by name.
    pub services: BTreeMap<&'static str, ServiceHealth>,
}

/// One backend's readiness as the gateway saw it.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ServiceHealth {
    /// `up` when its `/ready` answered 200.
    pub status: DependencyState,
    /// How long the check took, in milliseconds.
    pub latency_ms: u64,
    /// Why it is down, when it is.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub detail: Option<String>,
}

/// Checks every backend's readiness, concurrently.
#[utoipa::path(
    get,
    path = "/api/health",
    tag = "gateway",
    responses(
        (status = 200, description = "Every backend is ready", body = HealthReport),
        (status = 503, description = "At least one backend is not ready", body = HealthReport),
    )
)]
pub async fn aggregate(State(state): State<AppState>) -> Response {
    let checks = state
        .routes
        .backends()
        .iter()
        .map(|backend| check(&state.client, backend));
    let services: BTreeMap<_, _> = futures_util::future::join_all(checks)
        .await
        .into_iter()
        .collect();
    let all_up = services.values().all(|s| s.status == DependencyState::Up);
    let (code, status) = if all_up {
        (StatusCode::OK, OverallStatus::Ok)
    } else {
        (StatusCode::SERVICE_UNAVAILABLE, OverallStatus::Degraded)
    };
    (code, axum::Json(HealthReport { status, services })).into_response()
}

async fn check(client: &reqwest::Client, backend: &Backend) -> (&'static str, ServiceHealth) {
    let started = Instant::now();
    let outcome = client
        .get(backend.url(petstore_contract::endpoints::READY))
        .timeout(CHECK_TIMEOUT)
        .send()
        .await;
    let latency_ms = u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX);
    let detail = match outcome {
        Ok(response) if response.status() == StatusCode::OK => None,
        Ok(response) => Some(format!("ready answered {}", response.status().as_u16())),
        Err(err) if err.is_timeout() => Some("ready did not answer in time".to_string()),
        Err(_) => Some("unreachable".to_string()),
    };
    let status = if detail.is_none() {
        DependencyState::Up
    } else {
        DependencyState::Down
    };
    (
        backend.name,
        ServiceHealth {
            status,
            latency_ms,
            detail,
        },
    )
}
