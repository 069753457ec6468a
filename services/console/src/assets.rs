//! The static files, embedded in the binary: nothing is fetched from elsewhere.

use axum::extract::Path;
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};

use crate::error::ConsoleError;

/// htmx 2.0.11 (Zero-Clause BSD, see `static/htmx-LICENSE.txt`).
pub const HTMX: &str = include_str!("../static/htmx.min.js");
/// htmx's licence.
pub const HTMX_LICENSE: &str = include_str!("../static/htmx-LICENSE.txt");
/// The console's style sheet.
pub const CSS: &str = include_str!("../static/console.css");

/// `GET /static/{file}`.
pub async fn serve(Path(file): Path<String>) -> Result<Response, ConsoleError> {
    let (body, kind) = match file.as_str() {
        "htmx.min.js" => (HTMX, "text/javascript; charset=utf-8"),
        "htmx-LICENSE.txt" => (HTMX_LICENSE, "text/plain; charset=utf-8"),
        "console.css" => (CSS, "text/css; charset=utf-8"),
        _ => return Err(ConsoleError::NotFound),
    };
    Ok((
        [
            (header::CONTENT_TYPE, HeaderValue::from_static(kind)),
            (
                header::CACHE_CONTROL,
                HeaderValue::from_static("public, max-age=3600"),
            ),
        ],
        body,
    )
        .into_response())
}
