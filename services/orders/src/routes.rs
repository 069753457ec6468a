//! The orders service's routes and OpenAPI document.

use axum::routing::post;
use kit::{OpenApiRouter, routes};
use utoipa::OpenApi;

use crate::domain::Money;
use crate::domain::order::{
    CancelRequest, NewOrder, NewOrderLine, Order, OrderLine, OrderStatus, ShipRequest, Shipment,
    StatusChange,
};
use crate::handlers::{checkouts, lifecycle, orders};
use crate::state::AppState;

/// Every route with its OpenAPI operation (one list: the router and the document are
/// made from it).
pub fn api() -> OpenApiRouter<AppState> {
    OpenApiRouter::with_openapi(ApiDoc::openapi())
        .routes(routes!(orders::list, orders::create))
        .routes(routes!(orders::get))
        .routes(routes!(orders::history))
        .routes(routes!(lifecycle::cancel))
        .routes(routes!(lifecycle::ship))
        .routes(routes!(lifecycle::deliver))
        // Internal (not in the API document, never routed by the gateway): the cart's
        // synchronous checkout hand-over.
        .route(checkouts::PATH, post(checkouts::create))
}

#[derive(OpenApi)]
#[openapi(
    components(schemas(
        Money, Order, OrderLine, OrderStatus, Shipment, StatusChange, NewOrder, NewOrderLine,
        ShipRequest, CancelRequest, kit::error::Problem, kit::error::FieldError,
    )),
    tags((name = "orders", description = "Orders and their lifecycle"))
)]
struct ApiDoc;

#[cfg(test)]
mod tests {
    #[test]
    fn openapi_lists_every_path() {
        let doc = kit::service::openapi::<crate::Orders>();
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
