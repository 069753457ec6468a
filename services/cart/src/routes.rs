//! The cart's routes and OpenAPI document.

use kit::money::Money;
use kit::{OpenApiRouter, routes};
use utoipa::OpenApi;

use crate::domain::cart::{Cart, CartItem, NewItem, QuantityChange};
use crate::domain::checkout::{CheckoutAccepted, CheckoutRequest};
use crate::handlers::{cart, checkout, items};
use crate::state::AppState;

/// Every route with its OpenAPI operation (one list: the router and the document are
/// made from it).
pub fn api() -> OpenApiRouter<AppState> {
    OpenApiRouter::with_openapi(ApiDoc::openapi())
        .routes(routes!(cart::get, cart::clear))
        .routes(routes!(items::add))
        .routes(routes!(items::update, items::remove))
        .routes(routes!(checkout::checkout))
}

#[derive(OpenApi)]
#[openapi(
    components(schemas(
        Money, Cart, CartItem, NewItem, QuantityChange, CheckoutRequest, CheckoutAccepted,
        kit::error::Problem, kit::error::FieldError,
    )),
    tags((name = "cart", description = "The caller's cart and checkout"))
)]
struct ApiDoc;

#[cfg(test)]
mod tests {
    #[test]
    fn openapi_lists_every_path() {
        let doc = kit::service::openapi::<crate::Cart>();
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
