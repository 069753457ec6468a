//! The cart: add, change the quantity, remove, and check out to a chosen store.

use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use reqwest::Method;
use serde::Deserialize;

use super::products::{ProductPageState, product_page};
use super::{Choice, Empty, see_other, uuid};
use crate::api::ApiFailure;
use crate::api::types::{Cart, CheckoutAccepted, Page, Store};
use crate::error::PageResult;
use crate::form::Form;
use crate::problem::FormErrors;
use crate::state::AppState;
use crate::views::{Chrome, render_with};
use crate::visit::Visit;

/// A line of the cart as shown.
#[derive(Debug, Clone)]
pub struct Line {
    /// Product id.
    pub product_id: String,
    /// Name.
    pub name: String,
    /// SKU.
    pub sku: String,
    /// Quantity (as typed, when the change was refused).
    pub quantity: String,
    /// Price of one.
    pub unit_price: String,
    /// Price of all.
    pub total: String,
    /// Still on sale.
    pub available: bool,
    /// Why its quantity was refused.
    pub error: String,
}

#[derive(Template)]
#[template(path = "cart.html")]
struct CartPage {
    chrome: Chrome,
    lines: Vec<Line>,
    subtotals: Vec<String>,
    count: i64,
    stores: Vec<Choice>,
    errors: FormErrors,
}

/// What the cart page shows besides the cart.
#[derive(Debug, Default)]
struct CartState {
    errors: FormErrors,
    /// `(product id, typed quantity, message)` of a refused change.
    refused: Option<(String, String, String)>,
    store: String,
}

async fn cart_page(
    state: &AppState,
    visit: &Visit,
    shown: CartState,
    status: StatusCode,
) -> PageResult {
    let caller = visit.caller();
    let cart: Cart = state.api.get(&caller, "cart", "/api/cart").await?;
    let stores: Page<Store> = state
        .api
        .get(&caller, "inventory", "/api/stores?status=open&limit=100")
        .await?;
    let lines = cart
        .items
        .iter()
        .map(|item| {
            let id = item.product_id.to_string();
            let refused = shown.refused.as_ref().filter(|(pid, _, _)| *pid == id);
            Line {
                quantity: refused.map_or(item.quantity.to_string(), |(_, q, _)| q.clone()),
                error: refused.map(|(_, _, m)| m.clone()).unwrap_or_default(),
                product_id: id,
                name: item.name.clone(),
                sku: item.sku.clone(),
                unit_price: item.unit_price.display(),
                total: item.line_total.display(),
                available: item.available,
            }
        })
        .collect();
    let mut choices: Vec<Choice> = stores
        .items
        .iter()
        .map(|s| Choice {
            value: s.id.to_string(),
            label: format!("{} ({}, {})", s.name, s.address.city, s.address.country),
            selected: shown.store == s.id.to_string(),
        })
        .collect();
    if shown.store.is_empty()
        && let Some(first) = choices.first_mut()
    {
        first.selected = true;
    }
    render_with(
        status,
        &CartPage {
            chrome: Chrome::new(visit, "Your cart", "cart"),
            lines,
            subtotals: cart.subtotals.iter().map(|m| m.display()).collect(),
            count: cart.item_count,
            stores: choices,
            errors: shown.errors,
        },
    )
}

/// `GET /cart`.
pub async fn show(State(state): State<AppState>, visit: Visit) -> PageResult {
    visit.require_user()?;
    cart_page(&state, &visit, CartState::default(), StatusCode::OK).await
}

/// The add-to-cart form.
#[derive(Debug, Deserialize)]
pub struct AddForm {
    /// The product.
    #[serde(rename = "productId")]
    pub product_id: String,
    /// How many, as typed.
    #[serde(default)]
    pub quantity: String,
}

fn quantity(text: &str) -> Result<i64, FormErrors> {
    text.trim()
        .parse()
        .map_err(|_| FormErrors::field("quantity", "Enter a whole number."))
}

/// `POST /cart/items`; a refusal is shown on the product's page, next to the quantity.
pub async fn add(
    State(state): State<AppState>,
    visit: Visit,
    Form(form): Form<AddForm>,
) -> PageResult {
    let product_id = uuid(&form.product_id)?;
    if visit.user().is_none() {
        return Err(crate::error::ConsoleError::SignInRequired {
            next: format!("/products/{product_id}"),
        });
    }
    let result = match quantity(&form.quantity) {
        Err(errors) => Err(errors),
        Ok(quantity) => {
            let body = serde_json::json!({ "productId": product_id, "quantity": quantity });
            match state
                .api
                .send::<Cart>(
                    &visit.caller(),
                    "cart",
                    Method::POST,
                    "/api/cart/items",
                    &body,
                )
                .await
            {
                Ok(_) => Ok(()),
                Err(failure) if failure.is_refusal() => Err(FormErrors::from_failure(
                    &failure,
                    &[("quantity", "quantity"), ("productId", "quantity")],
                )),
                Err(failure) => return Err(failure.into()),
            }
        }
    };
    match result {
        Ok(()) => Ok(see_other("/cart?done=added")),
        Err(errors) => {
            let forms = ProductPageState::with_cart_errors(errors, form.quantity);
            product_page(
                &state,
                &visit,
                product_id,
                "",
                forms,
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await
        }
    }
}

/// The change-quantity form.
#[derive(Debug, Deserialize)]
pub struct QuantityForm {
    /// How many, as typed.
    #[serde(default)]
    pub quantity: String,
}

fn refused(failure: &ApiFailure) -> String {
    let errors = FormErrors::from_failure(failure, &[("quantity", "quantity")]);
    if errors.of("quantity").is_empty() {
        errors.general.join(" ")
    } else {
        errors.of("quantity").to_string()
    }
}

/// `POST /cart/items/{productId}`: changes the quantity.
pub async fn update(
    State(state): State<AppState>,
    visit: Visit,
    Path(id): Path<String>,
    Form(form): Form<QuantityForm>,
) -> PageResult {
    let product_id = uuid(&id)?;
    visit.require_user()?;
    let message = match quantity(&form.quantity) {
        Err(errors) => errors.of("quantity").to_string(),
        Ok(quantity) => {
            let body = serde_json::json!({ "quantity": quantity });
            match state
                .api
                .send::<Cart>(
                    &visit.caller(),
                    "cart",
                    Method::PATCH,
                    &format!("/api/cart/items/{product_id}"),
                    &body,
                )
                .await
            {
                Ok(_) => return Ok(see_other("/cart?done=cart-updated")),
                Err(failure) if failure.is_refusal() => refused(&failure),
                Err(failure) => return Err(failure.into()),
            }
        }
    };
    let shown = CartState {
        errors: FormErrors::general("The quantity was not changed."),
        refused: Some((product_id.to_string(), form.quantity, message)),
        store: String::new(),
    };
    cart_page(&state, &visit, shown, StatusCode::UNPROCESSABLE_ENTITY).await
}

/// `POST /cart/items/{productId}/remove`.
pub async fn remove(
    State(state): State<AppState>,
    visit: Visit,
    Path(id): Path<String>,
    Form(_): Form<Empty>,
) -> PageResult {
    let product_id = uuid(&id)?;
    visit.require_user()?;
    match state
        .api
        .act(
            &visit.caller(),
            "cart",
            Method::DELETE,
            &format!("/api/cart/items/{product_id}"),
            None,
        )
        .await
    {
        Ok(()) => Ok(see_other("/cart?done=removed")),
        // Already gone (removed in another tab): the cart shows what is left.
        Err(failure) if failure.status() == Some(404) => Ok(see_other("/cart")),
        Err(failure) => Err(failure.into()),
    }
}

/// The checkout form.
#[derive(Debug, Deserialize)]
pub struct CheckoutForm {
    /// The store chosen.
    #[serde(default, rename = "storeId")]
    pub store_id: String,
}

/// `POST /cart/checkout`: places the order and shows it.
pub async fn checkout(
    State(state): State<AppState>,
    visit: Visit,
    Form(form): Form<CheckoutForm>,
) -> PageResult {
    visit.require_user()?;
    let body = serde_json::json!({ "storeId": form.store_id });
    match state
        .api
        .send::<CheckoutAccepted>(
            &visit.caller(),
            "cart",
            Method::POST,
            "/api/cart/checkout",
            &body,
        )
        .await
    {
        Ok(accepted) => Ok(see_other(&format!(
            "/orders/{}?done=placed",
            accepted.order_id
        ))),
        Err(failure) if failure.is_refusal() => {
            let shown = CartState {
                errors: FormErrors::from_failure(&failure, &[("storeId", "storeId")]),
                refused: None,
                store: form.store_id,
            };
            cart_page(&state, &visit, shown, StatusCode::UNPROCESSABLE_ENTITY).await
        }
        Err(failure) => Err(failure.into()),
    }
}
