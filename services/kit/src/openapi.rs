//! OpenAPI plumbing: every service's document gets the same security scheme
//! and the shared problem schema.

use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::openapi::{OpenApi, Server};

/// Name of the bearer security scheme in every document.
pub const BEARER: &str = "bearer";

/// Adds the bearer scheme and the server prefix the gateway exposes, so the
/// docs' "try it out" goes through the gateway.
pub fn finish(mut doc: OpenApi, title: &str) -> OpenApi {
    doc.info.title = title.to_string();
    doc.info.version = env!("CARGO_PKG_VERSION").to_string();
    let components = doc.components.get_or_insert_with(Default::default);
    components.add_security_scheme(
        BEARER,
        SecurityScheme::Http(
            HttpBuilder::new()
                .scheme(HttpAuthScheme::Bearer)
                .bearer_format("JWT")
                .build(),
        ),
    );
    doc.servers = Some(vec![Server::new("/")]);
    doc
}
