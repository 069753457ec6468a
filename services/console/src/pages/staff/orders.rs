//! Orders for staff: every order by status, shipping a paid one and delivering it.

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use reqwest::Method;
use serde::Deserialize;

use super::dashboard::STATES;
use crate::api::types::{Order, Page};
use crate::api::with_query;
use crate::error::PageResult;
use crate::form::Form;
use crate::pages::orders::OrderRow;
use crate::pages::{Choice, Empty, see_other, uuid};
use crate::problem::{FormErrors, Refusal};
use crate::state::AppState;
use crate::views::{Chrome, render_with, status_label};
use crate::visit::Visit;

/// `?status=&cursor=`.
#[derive(Debug, Default, Deserialize)]
pub struct OrderFilter {
    /// Only this status.
    #[serde(default)]
    pub status: String,
    /// Keyset cursor.
    #[serde(default)]
    pub cursor: String,
}

#[derive(Template)]
#[template(path = "staff/orders.html")]
struct OrdersPage {
    chrome: Chrome,
    statuses: Vec<Choice>,
    orders: Vec<OrderRow>,
    next: Option<String>,
    errors: FormErrors,
    failed_id: String,
}

async fn orders_page(
    state: &AppState,
    visit: &Visit,
    filter: OrderFilter,
    errors: FormErrors,
    failed_id: String,
    status: StatusCode,
) -> PageResult {
    let path = with_query(
        "/api/orders",
        &[
            ("status", filter.status.clone()),
            ("cursor", filter.cursor.clone()),
            ("limit", "50".into()),
        ],
    );
    let page: Page<Order> = state.api.get(&visit.caller(), "orders", &path).await?;
    let mut options = vec![("", "Every status")];
    options.extend(STATES.iter().map(|s| (*s, status_label(s))));
    render_with(
        status,
        &OrdersPage {
            chrome: Chrome::new(visit, "Orders", "staff-orders"),
            statuses: Choice::list(&options, &filter.status),
            orders: page.items.iter().map(OrderRow::of).collect(),
            next: page.next_cursor.map(|c| {
                with_query(
                    "/staff/orders",
                    &[("status", filter.status.clone()), ("cursor", c)],
                )
            }),
            errors,
            failed_id,
        },
    )
}

/// `GET /staff/orders`.
pub async fn list(
    State(state): State<AppState>,
    visit: Visit,
    Query(filter): Query<OrderFilter>,
) -> PageResult {
    visit.require_admin()?;
    orders_page(
        &state,
        &visit,
        filter,
        FormErrors::none(),
        String::new(),
        StatusCode::OK,
    )
    .await
}

/// The ship form.
#[derive(Debug, Deserialize)]
pub struct ShipForm {
    /// Carrier.
    #[serde(default)]
    pub carrier: String,
    /// Tracking number.
    #[serde(default, rename = "trackingNumber")]
    pub tracking_number: String,
}

/// `POST /staff/orders/{id}/ship`.
pub async fn ship(
    State(state): State<AppState>,
    visit: Visit,
    Path(id): Path<String>,
    Form(form): Form<ShipForm>,
) -> PageResult {
    visit.require_admin()?;
    let id = uuid(&id)?;
    let body =
        serde_json::json!({ "carrier": form.carrier, "trackingNumber": form.tracking_number });
    match state
        .api
        .act(
            &visit.caller(),
            "orders",
            Method::POST,
            &format!("/api/orders/{id}/ship"),
            Some(&body),
        )
        .await
        .refusal(&[("carrier", "carrier"), ("trackingNumber", "trackingNumber")])?
    {
        Ok(()) => Ok(see_other("/staff/orders?status=shipped&done=shipped")),
        Err(errors) => {
            let filter = OrderFilter {
                status: "paid".into(),
                cursor: String::new(),
            };
            orders_page(
                &state,
                &visit,
                filter,
                errors,
                id.to_string(),
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await
        }
    }
}

/// `POST /staff/orders/{id}/deliver`.
pub async fn deliver(
    State(state): State<AppState>,
    visit: Visit,
    Path(id): Path<String>,
    Form(_): Form<Empty>,
) -> PageResult {
    visit.require_admin()?;
    let id = uuid(&id)?;
    match state
        .api
        .act(
            &visit.caller(),
            "orders",
            Method::POST,
            &format!("/api/orders/{id}/deliver"),
            Some(&serde_json::json!({})),
        )
        .await
        .refusal(&[])?
    {
        Ok(()) => Ok(see_other("/staff/orders?status=delivered&done=delivered")),
        Err(errors) => {
            orders_page(
                &state,
                &visit,
                OrderFilter::default(),
                errors,
                id.to_string(),
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await
        }
    }
}
