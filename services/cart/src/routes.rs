//! The cart's routes and OpenAPI document.

use axum::Router;
use axum::routing::{get, patch, post};
use kit::money::Money;
use utoipa::OpenApi;

use crate::domain::cart::{Cart, CartItem, NewItem, QuantityChange};
use crate::domain::checkout::{CheckoutAccepted, CheckoutRequest};
use crate::handlers::{cart, checkout, items};
use crate::state::AppState;

/// Every cart route, under the contract's prefix; all need a token.
pub fn router(state: AppState) -> Router {
    Router::new()
        .route("/api/cart", get(cart::get).delete(cart::clear))
        .route("/api/cart/items", post(items::add))
        .route(
            "/api/cart/items/{productId}",
            patch(items::update).delete(items::remove),
        )
        .route("/api/cart/checkout", post(checkout::checkout))
        .with_state(state)
}

#[derive(OpenApi)]
#[openapi(
    paths(
        cart::get, cart::clear, items::add, items::update, items::remove, checkout::checkout,
    ),
    components(schemas(
        Money, Cart, CartItem, NewItem, QuantityChange, CheckoutRequest, CheckoutAccepted,
        kit::error::Problem, kit::error::FieldError,
    )),
    tags((name = "cart", description = "The caller's cart and checkout"))
)]
struct ApiDoc;

/// The cart's OpenAPI document.
pub fn openapi() -> utoipa::openapi::OpenApi {
    kit::openapi::finish(ApiDoc::openapi(), "PetStore cart API")
}

#[cfg(test)]
mod tests {
    #[test]
    fn openapi_lists_every_path() {
        let doc = super::openapi();
        for path in [
            "/api/cart",
            "/api/cart/items",
            "/api/cart/items/{productId}",
            "/api/cart/checkout",
        ] {
            assert!(doc.paths.paths.contains_key(path), "{path}");
        }
    }
}
