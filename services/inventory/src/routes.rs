//! The inventory's routes and OpenAPI document.

use kit::{OpenApiRouter, routes};
use utoipa::OpenApi;

use crate::domain::movement::{Movement, MovementKind};
use crate::domain::stock::{Adjustment, SetStock, StockItem};
use crate::domain::store::{Address, NewStore, Store, StorePatch, StoreStatus};
use crate::domain::transfer::{NewTransfer, Transfer};
use crate::handlers::{movements, stock, stores, transfers};
use crate::state::AppState;

/// Every route with its OpenAPI operation (one list: the router and the document are
/// made from it).
pub fn api() -> OpenApiRouter<AppState> {
    OpenApiRouter::with_openapi(ApiDoc::openapi())
        .routes(routes!(stores::list, stores::create))
        .routes(routes!(stores::get, stores::update))
        .routes(routes!(stores::close))
        .routes(routes!(stock::list))
        .routes(routes!(stock::get, stock::put))
        .routes(routes!(stock::adjust))
        .routes(routes!(movements::alerts))
        .routes(routes!(movements::list))
        .routes(routes!(transfers::list, transfers::create))
        .routes(routes!(transfers::get))
}

#[derive(OpenApi)]
#[openapi(
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

#[cfg(test)]
mod tests {
    #[test]
    fn openapi_lists_every_path() {
        let doc = kit::service::openapi::<crate::Inventory>();
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
