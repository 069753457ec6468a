//! Products for staff: every product, on sale or not; create, edit, delete.

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use reqwest::Method;
use serde::Deserialize;

use crate::api::types::{Page, Product};
use crate::api::with_query;
use crate::error::PageResult;
use crate::form::Form;
use crate::money::parse_amount;
use crate::pages::products::{categories, names};
use crate::pages::{Choice, Empty, see_other, uuid};
use crate::problem::{FormErrors, Refusal};
use crate::state::AppState;
use crate::views::{Chrome, render, render_with};
use crate::visit::Visit;

use super::Search;

/// API fields of a product and the form fields they belong to.
const PRODUCT_FIELDS: &[(&str, &str)] = &[
    ("sku", "sku"),
    ("name", "name"),
    ("description", "description"),
    ("categoryId", "categoryId"),
    ("price.currency", "currency"),
    ("price", "price"),
    ("weightGrams", "weightGrams"),
];

/// The product form, as typed.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct ProductForm {
    /// SKU.
    #[serde(default)]
    pub sku: String,
    /// Name.
    #[serde(default)]
    pub name: String,
    /// Description.
    #[serde(default)]
    pub description: String,
    /// Category id.
    #[serde(default, rename = "categoryId")]
    pub category_id: String,
    /// Price in major units.
    #[serde(default)]
    pub price: String,
    /// Currency code.
    #[serde(default)]
    pub currency: String,
    /// Weight in grams.
    #[serde(default, rename = "weightGrams")]
    pub weight_grams: String,
    /// `on` when on sale.
    #[serde(default)]
    pub active: Option<String>,
}

impl ProductForm {
    fn of(product: &Product) -> Self {
        Self {
            sku: product.sku.clone(),
            name: product.name.clone(),
            description: product.description.clone(),
            category_id: product.category_id.to_string(),
            price: product.price.input_value(),
            currency: product.price.currency.clone(),
            weight_grams: product
                .weight_grams
                .map(|w| w.to_string())
                .unwrap_or_default(),
            active: product.active.then(|| "on".into()),
        }
    }

    /// The API body, or the fields the console itself cannot read.
    fn body(&self) -> Result<serde_json::Value, FormErrors> {
        let mut errors = FormErrors::none();
        let currency = self.currency.trim().to_ascii_uppercase();
        let amount = parse_amount(&self.price, &currency)
            .map_err(|e| {
                errors
                    .fields
                    .insert("price".into(), crate::problem::sentence(&e.to_string()))
            })
            .ok();
        let weight = if self.weight_grams.trim().is_empty() {
            None
        } else {
            self.weight_grams
                .trim()
                .parse::<i64>()
                .map_err(|_| {
                    errors.fields.insert(
                        "weightGrams".into(),
                        "Enter a whole number of grams.".into(),
                    )
                })
                .ok()
        };
        if self.category_id.parse::<uuid::Uuid>().is_err() {
            errors
                .fields
                .insert("categoryId".into(), "Choose a category.".into());
        }
        if !errors.is_empty() {
            errors
                .general
                .push("Please correct the fields marked below.".into());
            return Err(errors);
        }
        Ok(serde_json::json!({
            "sku": self.sku,
            "name": self.name,
            "description": self.description,
            "categoryId": self.category_id,
            "price": { "amount": amount, "currency": currency },
            "weightGrams": weight,
            "active": self.active.is_some(),
        }))
    }
}

/// A product as a row.
#[derive(Debug, Clone)]
pub struct ProductRow {
    /// Id.
    pub id: String,
    /// SKU.
    pub sku: String,
    /// Name.
    pub name: String,
    /// Category.
    pub category: String,
    /// Price.
    pub price: String,
    /// On sale.
    pub active: bool,
}

#[derive(Template)]
#[template(path = "staff/products.html")]
struct ProductsPage {
    chrome: Chrome,
    q: String,
    products: Vec<ProductRow>,
    next: Option<String>,
}

/// `GET /staff/products`: every product, on sale or not.
pub async fn products(
    State(state): State<AppState>,
    visit: Visit,
    Query(search): Query<Search>,
) -> PageResult {
    visit.require_admin()?;
    let caller = visit.caller();
    let names = names(&categories(&state, &caller).await?);
    let path = with_query(
        "/api/products",
        &[
            ("q", search.q.clone()),
            ("cursor", search.cursor),
            ("limit", "50".into()),
            ("sort", "name".into()),
        ],
    );
    let page: Page<Product> = state.api.get(&caller, "catalog", &path).await?;
    render(&ProductsPage {
        chrome: Chrome::new(&visit, "Products", "staff-products"),
        products: page
            .items
            .iter()
            .map(|p| ProductRow {
                id: p.id.to_string(),
                sku: p.sku.clone(),
                name: p.name.clone(),
                category: names.get(&p.category_id).cloned().unwrap_or_default(),
                price: p.price.display(),
                active: p.active,
            })
            .collect(),
        next: page
            .next_cursor
            .map(|c| with_query("/staff/products", &[("q", search.q.clone()), ("cursor", c)])),
        q: search.q,
    })
}

#[derive(Template)]
#[template(path = "staff/product_form.html")]
struct ProductFormPage {
    chrome: Chrome,
    action: String,
    id: String,
    form: ProductForm,
    categories: Vec<Choice>,
    errors: FormErrors,
}

async fn product_form(
    state: &AppState,
    visit: &Visit,
    id: Option<String>,
    form: ProductForm,
    errors: FormErrors,
    status: StatusCode,
) -> PageResult {
    let categories = categories(state, &visit.caller()).await?;
    let title = if id.is_some() {
        "Edit product"
    } else {
        "New product"
    };
    render_with(
        status,
        &ProductFormPage {
            chrome: Chrome::new(visit, title, "staff-products"),
            action: id.as_ref().map_or("/staff/products".into(), |id| {
                format!("/staff/products/{id}")
            }),
            id: id.unwrap_or_default(),
            categories: categories
                .iter()
                .map(|c| Choice {
                    value: c.id.to_string(),
                    label: c.name.clone(),
                    selected: form.category_id == c.id.to_string(),
                })
                .collect(),
            form,
            errors,
        },
    )
}

/// `GET /staff/products/new`.
pub async fn new_product(State(state): State<AppState>, visit: Visit) -> PageResult {
    visit.require_admin()?;
    let form = ProductForm {
        currency: "EUR".into(),
        active: Some("on".into()),
        ..ProductForm::default()
    };
    product_form(
        &state,
        &visit,
        None,
        form,
        FormErrors::none(),
        StatusCode::OK,
    )
    .await
}

/// `POST /staff/products`.
pub async fn create_product(
    State(state): State<AppState>,
    visit: Visit,
    Form(form): Form<ProductForm>,
) -> PageResult {
    visit.require_admin()?;
    let body = match form.body() {
        Ok(body) => body,
        Err(errors) => {
            return product_form(
                &state,
                &visit,
                None,
                form,
                errors,
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await;
        }
    };
    match state
        .api
        .send::<Product>(
            &visit.caller(),
            "catalog",
            Method::POST,
            "/api/products",
            &body,
        )
        .await
        .refusal(PRODUCT_FIELDS)?
    {
        Ok(product) => Ok(see_other(&format!(
            "/staff/products/{}?done=created",
            product.id
        ))),
        Err(errors) => {
            product_form(
                &state,
                &visit,
                None,
                form,
                errors,
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await
        }
    }
}

/// `GET /staff/products/{id}`.
pub async fn edit_product(
    State(state): State<AppState>,
    visit: Visit,
    Path(id): Path<String>,
) -> PageResult {
    visit.require_admin()?;
    let id = uuid(&id)?;
    let product: Product = state
        .api
        .get(&visit.caller(), "catalog", &format!("/api/products/{id}"))
        .await?;
    product_form(
        &state,
        &visit,
        Some(id.to_string()),
        ProductForm::of(&product),
        FormErrors::none(),
        StatusCode::OK,
    )
    .await
}

/// `POST /staff/products/{id}`.
pub async fn update_product(
    State(state): State<AppState>,
    visit: Visit,
    Path(id): Path<String>,
    Form(form): Form<ProductForm>,
) -> PageResult {
    visit.require_admin()?;
    let id = uuid(&id)?;
    let body = match form.body() {
        Ok(body) => body,
        Err(errors) => {
            return product_form(
                &state,
                &visit,
                Some(id.to_string()),
                form,
                errors,
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await;
        }
    };
    match state
        .api
        .send::<Product>(
            &visit.caller(),
            "catalog",
            Method::PATCH,
            &format!("/api/products/{id}"),
            &body,
        )
        .await
        .refusal(PRODUCT_FIELDS)?
    {
        Ok(_) => Ok(see_other(&format!("/staff/products/{id}?done=saved"))),
        Err(errors) => {
            product_form(
                &state,
                &visit,
                Some(id.to_string()),
                form,
                errors,
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await
        }
    }
}

/// `POST /staff/products/{id}/delete`.
pub async fn delete_product(
    State(state): State<AppState>,
    visit: Visit,
    Path(id): Path<String>,
    Form(_): Form<Empty>,
) -> PageResult {
    super::delete_from_catalog(&state, &visit, "products", &id).await??;
    Ok(see_other("/staff/products?done=deleted"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_product_form_becomes_the_catalogs_body() {
        let form = ProductForm {
            sku: "ROPE-1".into(),
            name: "Rope".into(),
            category_id: uuid::Uuid::nil().to_string(),
            price: "4.50".into(),
            currency: "eur".into(),
            active: Some("on".into()),
            ..ProductForm::default()
        };
        let body = form.body().unwrap();
        assert_eq!(
            body["price"],
            serde_json::json!({ "amount": 450, "currency": "EUR" })
        );
        assert_eq!(body["active"], true);
        assert_eq!(body["weightGrams"], serde_json::Value::Null);
    }

    #[test]
    fn unreadable_fields_are_named_before_any_call() {
        let form = ProductForm {
            price: "four".into(),
            weight_grams: "heavy".into(),
            ..ProductForm::default()
        };
        let errors = form.body().unwrap_err();
        assert_eq!(errors.of("price"), "Enter an amount like 12.99.");
        assert_eq!(errors.of("weightGrams"), "Enter a whole number of grams.");
        assert_eq!(errors.of("categoryId"), "Choose a category.");
    }
}
