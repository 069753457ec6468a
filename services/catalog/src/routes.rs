//! The catalog's routes and OpenAPI document.

use kit::{OpenApiRouter, routes};
use utoipa::OpenApi;

use crate::domain::Money;
use crate::domain::category::{Category, CategoryDetail, CategoryPatch, CategoryRef, NewCategory};
use crate::domain::pet::{NewPet, Pet, PetPatch, PetStatus};
use crate::domain::product::{NewProduct, Product, ProductPatch};
use crate::handlers::{categories, pets, products};
use crate::state::AppState;

/// Every catalog route with its OpenAPI operation, under the contract's prefixes.
pub fn api() -> OpenApiRouter<AppState> {
    OpenApiRouter::with_openapi(ApiDoc::openapi())
        .routes(routes!(categories::list, categories::create))
        .routes(routes!(
            categories::get,
            categories::update,
            categories::delete
        ))
        .routes(routes!(products::list, products::create))
        .routes(routes!(products::get, products::update, products::delete))
        .routes(routes!(pets::list, pets::create))
        .routes(routes!(pets::get, pets::update, pets::delete))
}

#[derive(OpenApi)]
#[openapi(
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

#[cfg(test)]
mod tests {
    #[test]
    fn openapi_lists_every_path() {
        let doc = kit::service::openapi::<crate::Catalog>();
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
