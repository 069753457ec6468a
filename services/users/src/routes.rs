//! The API's routes and its OpenAPI document.

use kit::{OpenApiRouter, routes};
use utoipa::OpenApi;

use crate::handlers::{auth, users};
use crate::state::AppState;

/// Every route with its OpenAPI operation (one list: the router and the document are
/// made from it).
pub fn api() -> OpenApiRouter<AppState> {
    OpenApiRouter::with_openapi(ApiDoc::openapi())
        .routes(routes!(auth::register))
        .routes(routes!(auth::login))
        .routes(routes!(auth::refresh))
        .routes(routes!(auth::logout))
        .routes(routes!(users::me, users::update_me))
        .routes(routes!(users::list))
        .routes(routes!(users::get))
        .routes(routes!(users::change_role))
}

#[derive(OpenApi)]
#[openapi(
    components(schemas(
        crate::domain::user::User,
        crate::domain::user::RegisterRequest,
        crate::domain::user::UpdateMeRequest,
        crate::domain::user::RoleChange,
        crate::domain::auth::LoginRequest,
        crate::domain::auth::RefreshTokenRequest,
        crate::domain::auth::Session,
        crate::domain::auth::TokenType,
        kit::auth::Role,
        kit::error::Problem,
        kit::error::FieldError,
    )),
    tags(
        (name = "auth", description = "Registration, login and tokens"),
        (name = "users", description = "Profiles and user administration"),
    )
)]
struct ApiDoc;

#[cfg(test)]
mod tests {
    #[test]
    fn every_route_is_documented() {
        let doc = kit::service::openapi::<crate::Users>();
        for path in [
            "/api/auth/register",
            "/api/auth/login",
            "/api/auth/refresh",
            "/api/auth/logout",
            "/api/users/me",
            "/api/users",
            "/api/users/{id}",
            "/api/users/{id}/role",
        ] {
            assert!(doc.paths.paths.contains_key(path), "{path}");
        }
    }
}
