//! The console's routes: shop pages for everyone, account pages, the customer's cart
//! and orders, and the back office under `/staff`.

use axum::Router;
use axum::routing::{get, post};
use utoipa::OpenApi;

use crate::error::ConsoleError;
use crate::pages::staff::{
    categories, dashboard, orders as staff_orders, pets as staff_pets, products as staff_products,
    stores, users,
};
use crate::pages::{account, cart, orders, pets, products};
use crate::state::AppState;

#[derive(OpenApi)]
#[openapi(info(description = "The console serves HTML pages, not an API; see docs/console.md."))]
struct ApiDoc;

/// The console's (empty) OpenAPI document: it has pages, not an API.
pub fn openapi() -> utoipa::openapi::OpenApi {
    kit::openapi::finish(ApiDoc::openapi(), "PetStore console")
}

async fn not_found() -> ConsoleError {
    ConsoleError::NotFound
}

/// Every page, behind the session layer.
pub fn router(state: AppState) -> Router {
    let staff = Router::new()
        .route("/staff", get(dashboard::show))
        .route("/staff/health", get(dashboard::health_panel))
        .route(
            "/staff/products",
            get(staff_products::products).post(staff_products::create_product),
        )
        .route("/staff/products/new", get(staff_products::new_product))
        .route(
            "/staff/products/{id}",
            get(staff_products::edit_product).post(staff_products::update_product),
        )
        .route(
            "/staff/products/{id}/delete",
            post(staff_products::delete_product),
        )
        .route(
            "/staff/categories",
            get(categories::categories_list).post(categories::create_category),
        )
        .route(
            "/staff/categories/{id}",
            get(categories::edit_category).post(categories::update_category),
        )
        .route(
            "/staff/categories/{id}/delete",
            post(categories::delete_category),
        )
        .route(
            "/staff/pets",
            get(staff_pets::pets).post(staff_pets::create_pet),
        )
        .route(
            "/staff/pets/{id}",
            get(staff_pets::edit_pet).post(staff_pets::update_pet),
        )
        .route("/staff/pets/{id}/delete", post(staff_pets::delete_pet))
        .route("/staff/stores", get(stores::list).post(stores::create))
        .route("/staff/stores/{id}", get(stores::show))
        .route("/staff/stores/{id}/stock", post(stores::set_stock))
        .route("/staff/stores/{id}/adjust", post(stores::adjust))
        .route("/staff/stores/{id}/transfer", post(stores::transfer))
        .route("/staff/alerts", get(stores::alerts))
        .route("/staff/orders", get(staff_orders::list))
        .route("/staff/orders/{id}/ship", post(staff_orders::ship))
        .route("/staff/orders/{id}/deliver", post(staff_orders::deliver))
        .route("/staff/users", get(users::list))
        .route("/staff/users/{id}/role", post(users::change_role));
    Router::new()
        .route("/", get(products::list))
        .route("/products/{id}", get(products::detail))
        .route("/products/{id}/reviews", post(products::review))
        .route("/pets", get(pets::list))
        .route("/pets/{id}", get(pets::detail))
        .route("/login", get(account::login_page).post(account::login))
        .route(
            "/register",
            get(account::register_page).post(account::register),
        )
        .route("/logout", post(account::logout))
        .route("/cart", get(cart::show))
        .route("/cart/items", post(cart::add))
        .route("/cart/items/{id}", post(cart::update))
        .route("/cart/items/{id}/remove", post(cart::remove))
        .route("/cart/checkout", post(cart::checkout))
        .route("/orders", get(orders::list))
        .route("/orders/{id}", get(orders::detail))
        .route("/orders/{id}/status", get(orders::status))
        .route("/orders/{id}/cancel", post(orders::cancel))
        .merge(staff)
        .route("/{*path}", get(not_found))
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            crate::visit::layer,
        ))
        .route("/static/{file}", get(crate::assets::serve))
        .with_state(state)
}
