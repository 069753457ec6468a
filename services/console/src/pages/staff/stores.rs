//! Stores and their stock for staff: the stores, one store's stock (set, adjust with a
//! reason, transfer to another store) and movements, and the low-stock alerts.

use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use reqwest::Method;
use serde::Deserialize;
use uuid::Uuid;

use crate::api::types::{Movement, Page, Product, StockItem, Store};
use crate::error::PageResult;
use crate::form::Form;
use crate::pages::{Choice, see_other, uuid};
use crate::problem::{FormErrors, Refusal};
use crate::state::AppState;
use crate::views::{Chrome, render, render_with, when};
use crate::visit::Visit;

/// The new-store form.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct StoreForm {
    /// Short code.
    #[serde(default)]
    pub code: String,
    /// Name.
    #[serde(default)]
    pub name: String,
    /// Street.
    #[serde(default)]
    pub line1: String,
    /// City.
    #[serde(default)]
    pub city: String,
    /// Postal code.
    #[serde(default, rename = "postalCode")]
    pub postal_code: String,
    /// Country code.
    #[serde(default)]
    pub country: String,
    /// IANA time zone.
    #[serde(default)]
    pub timezone: String,
}

#[derive(Template)]
#[template(path = "staff/stores.html")]
struct StoresPage {
    chrome: Chrome,
    stores: Vec<Store>,
    form: StoreForm,
    errors: FormErrors,
}

async fn stores(state: &AppState, visit: &Visit) -> Result<Vec<Store>, crate::api::ApiFailure> {
    let page: Page<Store> = state
        .api
        .get(&visit.caller(), "inventory", "/api/stores?limit=100")
        .await?;
    Ok(page.items)
}

async fn stores_page(
    state: &AppState,
    visit: &Visit,
    form: StoreForm,
    errors: FormErrors,
    status: StatusCode,
) -> PageResult {
    render_with(
        status,
        &StoresPage {
            chrome: Chrome::new(visit, "Stores", "staff-stores"),
            stores: stores(state, visit).await?,
            form,
            errors,
        },
    )
}

/// `GET /staff/stores`.
pub async fn list(State(state): State<AppState>, visit: Visit) -> PageResult {
    visit.require_admin()?;
    let form = StoreForm {
        timezone: "Europe/Berlin".into(),
        ..StoreForm::default()
    };
    stores_page(&state, &visit, form, FormErrors::none(), StatusCode::OK).await
}

/// `POST /staff/stores`.
pub async fn create(
    State(state): State<AppState>,
    visit: Visit,
    Form(form): Form<StoreForm>,
) -> PageResult {
    visit.require_admin()?;
    let body = serde_json::json!({
        "code": form.code,
        "name": form.name,
        "timezone": form.timezone,
        "address": {
            "line1": form.line1,
            "city": form.city,
            "postalCode": form.postal_code,
            "country": form.country.trim().to_ascii_uppercase(),
        },
    });
    match state
        .api
        .send::<Store>(
            &visit.caller(),
            "inventory",
            Method::POST,
            "/api/stores",
            &body,
        )
        .await
        .refusal(&[
            ("code", "code"),
            ("name", "name"),
            ("timezone", "timezone"),
            ("address.line1", "line1"),
            ("address.city", "city"),
            ("address.postalCode", "postalCode"),
            ("address.country", "country"),
        ])? {
        Ok(store) => Ok(see_other(&format!(
            "/staff/stores/{}?done=created",
            store.id
        ))),
        Err(errors) => {
            stores_page(
                &state,
                &visit,
                form,
                errors,
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await
        }
    }
}

/// A stock row as shown.
#[derive(Debug, Clone)]
pub struct StockRow {
    /// Product id.
    pub product_id: String,
    /// `Name (SKU)`.
    pub product: String,
    /// On hand.
    pub on_hand: i64,
    /// Reserved.
    pub reserved: i64,
    /// Available.
    pub available: i64,
    /// Minimum.
    pub min_stock: i64,
    /// Below its minimum.
    pub low: bool,
}

impl StockRow {
    fn of(item: &StockItem) -> Self {
        let name = item
            .name
            .clone()
            .unwrap_or_else(|| item.product_id.to_string());
        Self {
            product_id: item.product_id.to_string(),
            product: match &item.sku {
                Some(sku) => format!("{name} ({sku})"),
                None => name,
            },
            on_hand: item.on_hand,
            reserved: item.reserved,
            available: item.available,
            min_stock: item.min_stock,
            low: item.below_minimum,
        }
    }
}

/// The set-stock form.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct SetForm {
    /// Product id.
    #[serde(default, rename = "productId")]
    pub product_id: String,
    /// New on hand (empty: unchanged).
    #[serde(default, rename = "onHand")]
    pub on_hand: String,
    /// New minimum (empty: unchanged).
    #[serde(default, rename = "minStock")]
    pub min_stock: String,
    /// Why.
    #[serde(default)]
    pub reason: String,
}

/// The adjust form.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct AdjustForm {
    /// Product id.
    #[serde(default, rename = "productId")]
    pub product_id: String,
    /// Units added or removed.
    #[serde(default)]
    pub delta: String,
    /// Why.
    #[serde(default)]
    pub reason: String,
}

/// The transfer form.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct TransferForm {
    /// Product id.
    #[serde(default, rename = "productId")]
    pub product_id: String,
    /// The receiving store.
    #[serde(default, rename = "toStoreId")]
    pub to_store_id: String,
    /// Units.
    #[serde(default)]
    pub quantity: String,
    /// Why.
    #[serde(default)]
    pub reason: String,
}

/// Which form of the store page a message belongs to.
#[derive(Debug, Default)]
struct Forms {
    set: SetForm,
    set_errors: FormErrors,
    adjust: AdjustForm,
    adjust_errors: FormErrors,
    transfer: TransferForm,
    transfer_errors: FormErrors,
}

#[derive(Template)]
#[template(path = "staff/store.html")]
struct StorePage {
    chrome: Chrome,
    store: Store,
    stock: Vec<StockRow>,
    products: Vec<Choice>,
    stocked: Vec<Choice>,
    others: Vec<Choice>,
    movements: Vec<(String, String, String, i64, i64, String)>,
    forms: Forms,
}

async fn store_page(
    state: &AppState,
    visit: &Visit,
    id: Uuid,
    forms: Forms,
    status: StatusCode,
) -> PageResult {
    let caller = visit.caller();
    let store: Store = state
        .api
        .get(&caller, "inventory", &format!("/api/stores/{id}"))
        .await?;
    let stock: Page<StockItem> = state
        .api
        .get(
            &caller,
            "inventory",
            &format!("/api/stores/{id}/inventory?limit=100"),
        )
        .await?;
    let products: Page<Product> = state
        .api
        .get(&caller, "catalog", "/api/products?limit=100&sort=name")
        .await?;
    let movements: Page<Movement> = state
        .api
        .get(
            &caller,
            "inventory",
            &format!("/api/inventory/movements?storeId={id}&limit=20"),
        )
        .await?;
    let rows: Vec<StockRow> = stock.items.iter().map(StockRow::of).collect();
    let name_of = |pid: &Uuid| {
        rows.iter()
            .find(|r| r.product_id == pid.to_string())
            .map(|r| r.product.clone())
            .unwrap_or_else(|| pid.to_string())
    };
    let choose = |current: &str| {
        products
            .items
            .iter()
            .map(|p| Choice {
                value: p.id.to_string(),
                label: format!("{} ({})", p.name, p.sku),
                selected: current == p.id.to_string(),
            })
            .collect::<Vec<_>>()
    };
    let stocked = rows
        .iter()
        .map(|r| Choice {
            value: r.product_id.clone(),
            label: r.product.clone(),
            selected: forms.transfer.product_id == r.product_id,
        })
        .collect();
    let others = stores(state, visit)
        .await?
        .into_iter()
        .filter(|s| s.id != id && s.status == "open")
        .map(|s| Choice {
            selected: forms.transfer.to_store_id == s.id.to_string(),
            value: s.id.to_string(),
            label: s.name,
        })
        .collect();
    render_with(
        status,
        &StorePage {
            chrome: Chrome::new(visit, store.name.clone(), "staff-stores"),
            products: choose(&forms.set.product_id),
            movements: movements
                .items
                .iter()
                .map(|m| {
                    (
                        when(&m.created_at),
                        name_of(&m.product_id),
                        m.kind.replace('_', " "),
                        m.delta,
                        m.on_hand_after,
                        m.reason.clone(),
                    )
                })
                .collect(),
            store,
            stock: rows,
            stocked,
            others,
            forms,
        },
    )
}

/// `GET /staff/stores/{id}`.
pub async fn show(
    State(state): State<AppState>,
    visit: Visit,
    Path(id): Path<String>,
) -> PageResult {
    visit.require_admin()?;
    let id = uuid(&id)?;
    store_page(&state, &visit, id, Forms::default(), StatusCode::OK).await
}

fn number(text: &str, field: &str, errors: &mut FormErrors) -> Option<i64> {
    if text.trim().is_empty() {
        return None;
    }
    match text.trim().parse() {
        Ok(n) => Some(n),
        Err(_) => {
            errors
                .fields
                .insert(field.into(), "Enter a whole number.".into());
            None
        }
    }
}

/// `POST /staff/stores/{id}/stock`: sets on hand and/or the minimum.
pub async fn set_stock(
    State(state): State<AppState>,
    visit: Visit,
    Path(id): Path<String>,
    Form(form): Form<SetForm>,
) -> PageResult {
    visit.require_admin()?;
    let id = uuid(&id)?;
    let mut errors = FormErrors::none();
    let on_hand = number(&form.on_hand, "onHand", &mut errors);
    let min_stock = number(&form.min_stock, "minStock", &mut errors);
    let product = form.product_id.parse::<Uuid>().ok();
    if product.is_none() {
        errors
            .fields
            .insert("productId".into(), "Choose a product.".into());
    }
    if let (true, Some(product)) = (errors.is_empty(), product) {
        let body =
            serde_json::json!({ "onHand": on_hand, "minStock": min_stock, "reason": form.reason });
        match state
            .api
            .send::<StockItem>(
                &visit.caller(),
                "inventory",
                Method::PUT,
                &format!("/api/stores/{id}/inventory/{product}"),
                &body,
            )
            .await
            .refusal(&[
                ("onHand", "onHand"),
                ("minStock", "minStock"),
                ("reason", "reason"),
            ])? {
            Ok(_) => return Ok(see_other(&format!("/staff/stores/{id}?done=stock"))),
            Err(refused) => errors = refused,
        }
    }
    let forms = Forms {
        set: form,
        set_errors: errors,
        ..Forms::default()
    };
    store_page(&state, &visit, id, forms, StatusCode::UNPROCESSABLE_ENTITY).await
}

/// `POST /staff/stores/{id}/adjust`: adds or removes units, with a reason.
pub async fn adjust(
    State(state): State<AppState>,
    visit: Visit,
    Path(id): Path<String>,
    Form(form): Form<AdjustForm>,
) -> PageResult {
    visit.require_admin()?;
    let id = uuid(&id)?;
    let product = uuid(&form.product_id)?;
    let mut errors = FormErrors::none();
    let delta = number(&form.delta, "delta", &mut errors);
    if errors.is_empty() {
        let body = serde_json::json!({ "delta": delta.unwrap_or(0), "reason": form.reason });
        match state
            .api
            .send::<StockItem>(
                &visit.caller(),
                "inventory",
                Method::POST,
                &format!("/api/stores/{id}/inventory/{product}/adjustments"),
                &body,
            )
            .await
            .refusal(&[("delta", "delta"), ("reason", "reason")])?
        {
            Ok(_) => return Ok(see_other(&format!("/staff/stores/{id}?done=stock"))),
            Err(refused) => errors = refused,
        }
    }
    let forms = Forms {
        adjust: form,
        adjust_errors: errors,
        ..Forms::default()
    };
    store_page(&state, &visit, id, forms, StatusCode::UNPROCESSABLE_ENTITY).await
}

/// `POST /staff/stores/{id}/transfer`: moves units to another store.
pub async fn transfer(
    State(state): State<AppState>,
    visit: Visit,
    Path(id): Path<String>,
    Form(form): Form<TransferForm>,
) -> PageResult {
    visit.require_admin()?;
    let id = uuid(&id)?;
    let mut errors = FormErrors::none();
    let quantity = number(&form.quantity, "quantity", &mut errors);
    if errors.is_empty() {
        let body = serde_json::json!({
            "fromStoreId": id,
            "toStoreId": form.to_store_id,
            "productId": form.product_id,
            "quantity": quantity.unwrap_or(0),
            "reason": form.reason,
        });
        match state
            .api
            .send::<serde_json::Value>(
                &visit.caller(),
                "inventory",
                Method::POST,
                "/api/inventory/transfers",
                &body,
            )
            .await
            .refusal(&[
                ("quantity", "quantity"),
                ("reason", "reason"),
                ("toStoreId", "toStoreId"),
                ("productId", "productId"),
            ])? {
            Ok(_) => return Ok(see_other(&format!("/staff/stores/{id}?done=transferred"))),
            Err(refused) => errors = refused,
        }
    }
    let forms = Forms {
        transfer: form,
        transfer_errors: errors,
        ..Forms::default()
    };
    store_page(&state, &visit, id, forms, StatusCode::UNPROCESSABLE_ENTITY).await
}

#[derive(Template)]
#[template(path = "staff/alerts.html")]
struct AlertsPage {
    chrome: Chrome,
    alerts: Vec<(String, String, StockRow)>,
    total: String,
}

/// `GET /staff/alerts`.
pub async fn alerts(State(state): State<AppState>, visit: Visit) -> PageResult {
    visit.require_admin()?;
    let caller = visit.caller();
    let page: Page<StockItem> = state
        .api
        .get(
            &caller,
            "inventory",
            "/api/inventory/alerts?limit=100&count=exact",
        )
        .await?;
    let all = stores(&state, &visit).await?;
    render(&AlertsPage {
        chrome: Chrome::new(&visit, "Low-stock alerts", "staff-alerts"),
        total: page
            .total
            .map_or(page.items.len().to_string(), |t| t.to_string()),
        alerts: page
            .items
            .iter()
            .map(|item| {
                let store = all
                    .iter()
                    .find(|s| s.id == item.store_id)
                    .map(|s| s.name.clone())
                    .unwrap_or_default();
                (item.store_id.to_string(), store, StockRow::of(item))
            })
            .collect(),
    })
}
