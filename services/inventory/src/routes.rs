//! The inventory's routes and OpenAPI document.

use axum::Router;
use axum::routing::{get, post};
use utoipa::OpenApi;

use crate::domain::movement::{Movement, MovementKind};
use crate::domain::stock::{Adjustment, SetStock, StockItem};
use crate::domain::store::{Address, NewStore, Store, StorePatch, StoreStatus};
use crate::domain::transfer::{NewTransfer, Transfer};
use crate::handlers::{movements, stock, stores, transfers};
use crate::state::AppState;

/// Every inventory route, under the contract's prefixes.
pub fn router(state: AppState) -> Router {
    Router::new()
        .route("/api/stores", get(stores::list).post(stores::create))
        .route("/api/stores/{id}", get(stores::get).patch(stores::update))
        .route("/api/stores/{id}/close", post(stores::close))
        .route("/api/stores/{id}/inventory", get(stock::list))
        .route(
            "/api/stores/{id}/inventory/{productId}",
            get(stock::get).put(stock::put),
        )
        .route(
            "/api/stores/{id}/inventory/{productId}/adjustments",
            post(stock::adjust),
        )
        .route("/api/inventory/alerts", get(movements::alerts))
        .route("/api/inventory/movements", get(movements::list))
        .route(
            "/api/inventory/transfers",
            get(transfers::list).post(transfers::create),
        )
        .route("/api/inventory/transfers/{id}", get(transfers::get))
        .with_state(state)
}

#[derive(OpenApi)]
#[openapi(
    paths(
        stores::list, stores::get, stores::create, stores::update, stores::close,
        stock::list, stock::get, stock::put, stock::adjust,
        movements::alerts, movements::list,
        transfers::create, transfers::list, transfers::get,
    ),
    components(schemas(
        Store, StoreStatus, Address, NewStore, StorePatch,
        StockItem, SetStock, Adjustment,
        Movement, MovementKind, Transfer, NewTransfer,
        kit::error::Problem, kit::error::FieldError,
    )),
    tags(
        (name = "stores", description = "The chain's stores"),
        (name = "inventory", description = "Stock per store, its movements and alerts"),
        (name = "transfers", description = "Units moved between stores"),
    )
)]
struct ApiDoc;

/// The inventory's OpenAPI document.
pub fn openapi() -> utoipa::openapi::OpenApi {
    kit::openapi::finish(ApiDoc::openapi(), "PetStore inventory API")
}

#[cfg(test)]
mod tests {
    #[test]
    fn openapi_lists_every_path() {
        let doc = super::openapi();
        for path in [
            "/api/stores",
            "/api/stores/{id}",
            "/api/stores/{id}/close",
            "/api/stores/{id}/inventory",
            "/api/stores/{id}/inventory/{productId}",
            "/api/stores/{id}/inventory/{productId}/adjustments",
            "/api/inventory/alerts",
            "/api/inventory/movements",
            "/api/inventory/transfers",
            "/api/inventory/transfers/{id}",
        ] {
            assert!(doc.paths.paths.contains_key(path), "{path}");
        }
    }
}
