//! The catalog's routes and OpenAPI document.

use axum::Router;
use axum::routing::get;
use utoipa::OpenApi;

use crate::domain::Money;
use crate::domain::category::{Category, CategoryDetail, CategoryPatch, CategoryRef, NewCategory};
use crate::domain::pet::{NewPet, Pet, PetPatch, PetStatus};
use crate::domain::product::{NewProduct, Product, ProductPatch};
use crate::handlers::{categories, pets, products};
use crate::state::AppState;

/// Every catalog route, under the contract's prefixes.
pub fn router(state: AppState) -> Router {
    Router::new()
        .route(
            "/api/categories",
            get(categories::list).post(categories::create),
        )
        .route(
            "/api/categories/{id}",
            get(categories::get)
                .patch(categories::update)
                .delete(categories::delete),
        )
        .route("/api/products", get(products::list).post(products::create))
        .route(
            "/api/products/{id}",
            get(products::get)
                .patch(products::update)
                .delete(products::delete),
        )
        .route("/api/pets", get(pets::list).post(pets::create))
        .route(
            "/api/pets/{id}",
            get(pets::get).patch(pets::update).delete(pets::delete),
        )
        .with_state(state)
}

#[derive(OpenApi)]
#[openapi(
    paths(
        categories::list, categories::get, categories::create, categories::update,
        categories::delete,
        products::list, products::get, products::create, products::update, products::delete,
        pets::list, pets::get, pets::create, pets::update, pets::delete,
    ),
    components(schemas(
        Money, Category, CategoryRef, CategoryDetail, NewCategory, CategoryPatch,
        Product, NewProduct, ProductPatch, Pet, NewPet, PetPatch, PetStatus,
        kit::error::Problem, kit::error::FieldError,
    )),
    tags(
        (name = "categories", description = "The category tree"),
        (name = "products", description = "Products sold by SKU"),
        (name = "pets", description = "Pets for sale"),
    )
)]
struct ApiDoc;

/// The catalog's OpenAPI document.
pub fn openapi() -> utoipa::openapi::OpenApi {
    kit::openapi::finish(ApiDoc::openapi(), "PetStore catalog API")
}

#[cfg(test)]
mod tests {
    #[test]
    fn openapi_lists_every_path() {
        let doc = super::openapi();
        for path in [
            "/api/categories",
            "/api/categories/{id}",
            "/api/products",
            "/api/products/{id}",
            "/api/pets",
            "/api/pets/{id}",
        ] {
            assert!(doc.paths.paths.contains_key(path), "{path}");
        }
    }
}
