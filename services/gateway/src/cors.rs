//! Cross-origin access, from `CORS_ALLOWED_ORIGINS` (none by default).

use std::time::Duration;

use axum::http::{Method, header};
use tower_http::cors::{AllowOrigin, CorsLayer};

use crate::config::AllowedOrigins;

/// How long browsers may cache a preflight answer.
const PREFLIGHT_MAX_AGE: Duration = Duration::from_secs(600);

/// The CORS layer for the configured origins.
pub fn layer(origins: &AllowedOrigins) -> CorsLayer {
    let layer = CorsLayer::new()
        .allow_methods([
            Method::GET,
            Method::POST,
            Method::PUT,
            Method::PATCH,
            Method::DELETE,
        ])
        .allow_headers([header::AUTHORIZATION, header::CONTENT_TYPE])
        .expose_headers([kit::http::REQUEST_ID.clone(), header::RETRY_AFTER])
        .max_age(PREFLIGHT_MAX_AGE);
    match origins {
        AllowedOrigins::None => layer,
        AllowedOrigins::Any => layer.allow_origin(AllowOrigin::any()),
        AllowedOrigins::List(list) => layer.allow_origin(list.clone()),
    }
}
