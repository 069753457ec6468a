//! The orders service's routes and OpenAPI document.

use axum::Router;
use axum::routing::{get, post};
use utoipa::OpenApi;

use crate::domain::Money;
use crate::domain::order::{
    CancelRequest, NewOrder, NewOrderLine, Order, OrderLine, OrderStatus, ShipRequest, Shipment,
    StatusChange,
};
use crate::handlers::{checkouts, lifecycle, orders};
use crate::state::AppState;

/// Every orders route, under the contract's prefix.
pub fn router(state: AppState) -> Router {
    Router::new()
        .route("/api/orders", get(orders::list).post(orders::create))
        .route("/api/orders/{id}", get(orders::get))
        .route("/api/orders/{id}/history", get(orders::history))
        .route("/api/orders/{id}/cancel", post(lifecycle::cancel))
        .route("/api/orders/{id}/ship", post(lifecycle::ship))
        .route("/api/orders/{id}/deliver", post(lifecycle::deliver))
        // Internal (not in the API document, never routed by the gateway): the cart's
        // synchronous checkout hand-over.
        .route(checkouts::PATH, post(checkouts::create))
        .with_state(state)
}

#[derive(OpenApi)]
#[openapi(
    paths(
        orders::create, orders::list, orders::get, orders::history,
        lifecycle::cancel, lifecycle::ship, lifecycle::deliver,
    ),
    components(schemas(
        Money, Order, OrderLine, OrderStatus, Shipment, StatusChange, NewOrder, NewOrderLine,
        ShipRequest, CancelRequest, kit::error::Problem, kit::error::FieldError,
    )),
    tags((name = "orders", description = "Orders and their lifecycle"))
)]
struct ApiDoc;

/// The orders service's OpenAPI document.
pub fn openapi() -> utoipa::openapi::OpenApi {
    kit::openapi::finish(ApiDoc::openapi(), "PetStore orders API")
}

#[cfg(test)]
mod tests {
    #[test]
    fn openapi_lists_every_path() {
        let doc = super::openapi();
        for path in [
            "/api/orders",
            "/api/orders/{id}",
            "/api/orders/{id}/history",
            "/api/orders/{id}/cancel",
            "/api/orders/{id}/ship",
            "/api/orders/{id}/deliver",
        ] {
            assert!(doc.paths.paths.contains_key(path), "{path}");
        }
    }
}
