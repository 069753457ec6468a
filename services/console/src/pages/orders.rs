//! A customer's orders: the list, one order with its history and a status that updates
//! itself until the order is paid or failed, and cancelling before it ships.

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use reqwest::Method;
use serde::Deserialize;

use super::{see_other, uuid};
use crate::api::types::{Order, Page, StatusChange, Store};
use crate::api::with_query;
use crate::error::PageResult;
use crate::form::Form;
use crate::problem::{FormErrors, Refusal};
use crate::state::AppState;
use crate::views::{Chrome, in_flight, render, render_with, status_words, when};
use crate::visit::Visit;

/// An order as a row of a list.
#[derive(Debug, Clone)]
pub struct OrderRow {
    /// Id.
    pub id: String,
    /// Short id (first 8 characters).
    pub short: String,
    /// When placed.
    pub when: String,
    /// Status code.
    pub status: String,
    /// Status in words.
    pub status_words: &'static str,
    /// Total.
    pub total: String,
    /// Units.
    pub items: i64,
}

impl OrderRow {
    /// The row of `order`.
    pub fn of(order: &Order) -> Self {
        let id = order.id.to_string();
        Self {
            short: id.chars().take(8).collect(),
            id,
            when: when(&order.created_at),
            status: order.status.clone(),
            status_words: status_words(&order.status),
            total: order.total.display(),
            items: order.lines.iter().map(|l| l.quantity).sum(),
        }
    }
}

/// `?cursor=` of a list.
#[derive(Debug, Default, Deserialize)]
pub struct Cursor {
    /// Where the list continues.
    #[serde(default)]
    pub cursor: String,
}

#[derive(Template)]
#[template(path = "orders.html")]
struct OrdersPage {
    chrome: Chrome,
    orders: Vec<OrderRow>,
    next: Option<String>,
}

/// `GET /orders`.
pub async fn list(
    State(state): State<AppState>,
    visit: Visit,
    Query(cursor): Query<Cursor>,
) -> PageResult {
    visit.require_user()?;
    let path = with_query(
        "/api/orders",
        &[("limit", "20".into()), ("cursor", cursor.cursor)],
    );
    let page: Page<Order> = state.api.get(&visit.caller(), "orders", &path).await?;
    render(&OrdersPage {
        chrome: Chrome::new(&visit, "Your orders", "orders"),
        orders: page.items.iter().map(OrderRow::of).collect(),
        next: page
            .next_cursor
            .map(|c| with_query("/orders", &[("cursor", c)])),
    })
}

/// The live status panel of an order.
#[derive(Template)]
#[template(path = "order_status.html")]
pub struct StatusPanel {
    /// The order's id.
    pub id: String,
    /// Status code.
    pub status: String,
    /// In words.
    pub words: &'static str,
    /// Why it failed or was cancelled.
    pub reason: String,
    /// Whether the page keeps asking.
    pub live: bool,
}

impl StatusPanel {
    fn of(order: &Order) -> Self {
        Self {
            id: order.id.to_string(),
            status: order.status.clone(),
            words: status_words(&order.status),
            reason: order.status_reason.clone().unwrap_or_default(),
            live: in_flight(&order.status),
        }
    }
}

/// A line of an order as shown.
#[derive(Debug, Clone)]
pub struct LineView {
    /// Product id.
    pub product_id: String,
    /// Name.
    pub name: String,
    /// Quantity.
    pub quantity: i64,
    /// Price of one.
    pub unit_price: String,
}

/// A history entry as shown.
#[derive(Debug, Clone)]
pub struct HistoryView {
    /// Status reached, in words.
    pub words: &'static str,
    /// Why.
    pub reason: String,
    /// When.
    pub when: String,
}

#[derive(Template)]
#[template(path = "order.html")]
struct OrderPage {
    chrome: Chrome,
    panel: StatusPanel,
    short: String,
    placed: String,
    store: String,
    total: String,
    lines: Vec<LineView>,
    history: Vec<HistoryView>,
    shipment: String,
    can_cancel: bool,
    can_review: bool,
    errors: FormErrors,
}

async fn order_page(
    state: &AppState,
    visit: &Visit,
    id: uuid::Uuid,
    errors: FormErrors,
    status: StatusCode,
) -> PageResult {
    let caller = visit.caller();
    let order: Order = state
        .api
        .get(&caller, "orders", &format!("/api/orders/{id}"))
        .await?;
    let history: Vec<StatusChange> = state
        .api
        .get(&caller, "orders", &format!("/api/orders/{id}/history"))
        .await?;
    let store = match state
        .api
        .get::<Store>(
            &caller,
            "inventory",
            &format!("/api/stores/{}", order.store_id),
        )
        .await
    {
        Ok(store) => format!("{} ({})", store.name, store.address.city),
        Err(_) => String::new(),
    };
    let row = OrderRow::of(&order);
    let shipment = order
        .shipment
        .as_ref()
        .map(|s| {
            let mut text = format!(
                "{} — tracking number {}, shipped {}",
                s.carrier,
                s.tracking_number,
                when(&s.shipped_at)
            );
            if let Some(at) = &s.delivered_at {
                text.push_str(&format!(", delivered {}", when(at)));
            }
            text
        })
        .unwrap_or_default();
    render_with(
        status,
        &OrderPage {
            chrome: Chrome::new(visit, format!("Order {}", row.short), "orders"),
            can_cancel: matches!(order.status.as_str(), "pending" | "reserved" | "paid"),
            can_review: matches!(order.status.as_str(), "paid" | "shipped" | "delivered"),
            panel: StatusPanel::of(&order),
            short: row.short,
            placed: row.when,
            store,
            total: row.total,
            lines: order
                .lines
                .iter()
                .map(|l| LineView {
                    product_id: l.product_id.to_string(),
                    name: l.name.clone(),
                    quantity: l.quantity,
                    unit_price: l.unit_price.display(),
                })
                .collect(),
            history: history
                .iter()
                .map(|h| HistoryView {
                    words: status_words(&h.to),
                    reason: h.reason.clone().unwrap_or_default(),
                    when: when(&h.at),
                })
                .collect(),
            shipment,
            errors,
        },
    )
}

/// `GET /orders/{id}`.
pub async fn detail(
    State(state): State<AppState>,
    visit: Visit,
    Path(id): Path<String>,
) -> PageResult {
    let id = uuid(&id)?;
    visit.require_user()?;
    order_page(&state, &visit, id, FormErrors::none(), StatusCode::OK).await
}

/// `GET /orders/{id}/status`: the status panel alone, which htmx swaps in every two
/// seconds while the order is still under way; once it has settled (paid, failed, ...)
/// the answer asks htmx to reload the page.
pub async fn status(
    State(state): State<AppState>,
    visit: Visit,
    Path(id): Path<String>,
) -> PageResult {
    let id = uuid(&id)?;
    visit.require_user()?;
    let order: Order = state
        .api
        .get(&visit.caller(), "orders", &format!("/api/orders/{id}"))
        .await?;
    let panel = StatusPanel::of(&order);
    let mut response = render(&panel)?;
    if !panel.live {
        // Only a page still waiting asks; the order has settled, so the whole page (its
        // history, what can be done now) is shown afresh, once.
        response
            .headers_mut()
            .insert("hx-refresh", axum::http::HeaderValue::from_static("true"));
    }
    Ok(response)
}

/// The cancel form.
#[derive(Debug, Deserialize)]
pub struct CancelForm {
    /// Why (optional).
    #[serde(default)]
    pub reason: String,
}

/// `POST /orders/{id}/cancel`.
pub async fn cancel(
    State(state): State<AppState>,
    visit: Visit,
    Path(id): Path<String>,
    Form(form): Form<CancelForm>,
) -> PageResult {
    let id = uuid(&id)?;
    visit.require_user()?;
    let body = if form.reason.trim().is_empty() {
        serde_json::json!({})
    } else {
        serde_json::json!({ "reason": form.reason.trim() })
    };
    match state
        .api
        .act(
            &visit.caller(),
            "orders",
            Method::POST,
            &format!("/api/orders/{id}/cancel"),
            Some(&body),
        )
        .await
        .refusal(&[("reason", "reason")])?
    {
        Ok(()) => Ok(see_other(&format!("/orders/{id}?done=cancelled"))),
        Err(errors) => {
            order_page(&state, &visit, id, errors, StatusCode::UNPROCESSABLE_ENTITY).await
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn panel(status: &str, reason: &str) -> String {
        StatusPanel {
            id: "o1".into(),
            status: status.into(),
            words: status_words(status),
            reason: reason.into(),
            live: in_flight(status),
        }
        .render()
        .unwrap()
    }

    #[test]
    fn a_waiting_order_polls_and_a_settled_one_does_not() {
        let waiting = panel("reserved", "");
        assert!(
            waiting.contains(r#"hx-get="/orders/o1/status""#),
            "{waiting}"
        );
        assert!(waiting.contains(r#"hx-trigger="every 2s""#));
        assert!(waiting.contains(r#"aria-live="polite""#));
        let paid = panel("paid", "");
        assert!(!paid.contains("hx-get"), "{paid}");
        assert!(paid.contains("Paid"));
    }

    #[test]
    fn a_failure_says_why_and_the_reason_is_escaped() {
        let failed = panel("failed", "card <b>declined</b>");
        assert!(
            failed.contains("Why: card &#60;b&#62;declined&#60;/b&#62;"),
            "{failed}"
        );
        assert!(!failed.contains("<b>"));
    }
}
