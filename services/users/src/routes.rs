//! The API's routes and its OpenAPI document.

use axum::Router;
use axum::routing::{get, post, put};
use utoipa::OpenApi;

use crate::handlers::{auth, users};
use crate::state::AppState;

/// Every route of the service, under the contract's prefixes `/api/auth` and `/api/users`.
pub fn router(state: AppState) -> Router {
    Router::new()
        .route("/api/auth/register", post(auth::register))
        .route("/api/auth/login", post(auth::login))
        .route("/api/auth/refresh", post(auth::refresh))
        .route("/api/auth/logout", post(auth::logout))
        .route("/api/users/me", get(users::me).patch(users::update_me))
        .route("/api/users", get(users::list))
        .route("/api/users/{id}", get(users::get))
        .route(
            "/api/users/{id}/role",
            put(users::change_role).patch(users::change_role),
        )
        .with_state(state)
}

#[derive(OpenApi)]
#[openapi(
    paths(
        auth::register,
        auth::login,
        auth::refresh,
        auth::logout,
        users::me,
        users::update_me,
        users::list,
        users::get,
        users::change_role,
    ),
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

/// The service's OpenAPI document.
pub fn openapi() -> utoipa::openapi::OpenApi {
    kit::openapi::finish(ApiDoc::openapi(), "PetStore users API")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_route_is_documented() {
        let doc = openapi();
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
