//! The dashboard: orders by state, today's revenue, the low-stock alert count and every
//! service's health (refreshed in place every ten seconds).

use askama::Template;
use axum::extract::State;
use chrono::Utc;

use crate::api::types::{Health, Order, Page, StockItem};
use crate::api::{ApiFailure, Caller, with_query};
use crate::error::PageResult;
use crate::money::Money;
use crate::state::AppState;
use crate::views::{Chrome, render, status_label};
use crate::visit::Visit;

/// Order states in their life's order.
pub const STATES: [&str; 7] = [
    "pending",
    "reserved",
    "paid",
    "shipped",
    "delivered",
    "failed",
    "cancelled",
];
/// Pages of today's orders read for the revenue (100 each).
const REVENUE_PAGES: usize = 20;

/// One service's health as shown.
#[derive(Debug, Clone)]
pub struct ServiceRow {
    /// Name.
    pub name: String,
    /// Up.
    pub up: bool,
    /// Check latency.
    pub latency: String,
    /// Why it is down.
    pub detail: String,
}

/// The health panel.
#[derive(Template)]
#[template(path = "staff/health.html")]
pub struct HealthPanel {
    /// `ok`, `degraded` or `unknown`.
    pub overall: String,
    /// Each service.
    pub services: Vec<ServiceRow>,
    /// Why the health is unknown.
    pub error: String,
}

async fn health(state: &AppState, caller: &Caller) -> HealthPanel {
    match state
        .api
        .get_any_status::<Health>(caller, "gateway", "/api/health")
        .await
    {
        Ok(health) => HealthPanel {
            overall: health.status,
            services: health
                .services
                .into_iter()
                .map(|(name, s)| ServiceRow {
                    up: s.status == "up",
                    latency: format!("{} ms", s.latency_ms),
                    detail: s.detail.unwrap_or_default(),
                    name,
                })
                .collect(),
            error: String::new(),
        },
        Err(failure) => HealthPanel {
            overall: "unknown".into(),
            services: Vec::new(),
            error: crate::problem::FormErrors::from_failure(&failure, &[])
                .general
                .join(" "),
        },
    }
}

#[derive(Template)]
#[template(path = "staff/dashboard.html")]
struct DashboardPage {
    chrome: Chrome,
    counts: Vec<(&'static str, &'static str, String)>,
    revenue: String,
    revenue_orders: usize,
    alerts: String,
    health: HealthPanel,
}

async fn count(state: &AppState, caller: &Caller, status: &str) -> Result<String, ApiFailure> {
    let path = with_query(
        "/api/orders",
        &[
            ("status", status.into()),
            ("limit", "1".into()),
            ("count", "exact".into()),
        ],
    );
    let page: Page<serde_json::Value> = state.api.get(caller, "orders", &path).await?;
    Ok(page.total.map_or("?".into(), |t| t.to_string()))
}

/// Sums the paid, shipped and delivered orders placed today (UTC), per currency.
async fn revenue_today(state: &AppState, caller: &Caller) -> Result<(String, usize), ApiFailure> {
    let midnight = Utc::now()
        .date_naive()
        .and_hms_opt(0, 0, 0)
        .map(|t| t.and_utc());
    let mut totals: std::collections::BTreeMap<String, i64> = Default::default();
    let mut counted = 0;
    for status in ["paid", "shipped", "delivered"] {
        let mut cursor = String::new();
        for _ in 0..REVENUE_PAGES {
            let path = with_query(
                "/api/orders",
                &[
                    ("status", status.into()),
                    ("limit", "100".into()),
                    ("cursor", cursor.clone()),
                ],
            );
            let page: Page<Order> = state.api.get(caller, "orders", &path).await?;
            for order in page
                .items
                .iter()
                .filter(|o| midnight.is_some_and(|m| o.created_at >= m))
            {
                *totals.entry(order.total.currency.clone()).or_default() += order.total.amount;
                counted += 1;
            }
            match page.next_cursor {
                Some(next) => cursor = next,
                None => break,
            }
        }
    }
    let text = if totals.is_empty() {
        Money {
            amount: 0,
            currency: "EUR".into(),
        }
        .display()
    } else {
        totals
            .into_iter()
            .map(|(currency, amount)| Money { amount, currency }.display())
            .collect::<Vec<_>>()
            .join(" + ")
    };
    Ok((text, counted))
}

/// `GET /staff`.
pub async fn show(State(state): State<AppState>, visit: Visit) -> PageResult {
    visit.require_admin()?;
    let caller = visit.caller();
    // Every figure is asked for at once; the page waits for the slowest.
    let counts = futures_util::future::try_join_all(STATES.iter().map(|status| {
        let caller = &caller;
        let state = &state;
        async move {
            Ok::<_, ApiFailure>((
                *status,
                status_label(status),
                count(state, caller, status).await?,
            ))
        }
    }));
    let alerts = state.api.get::<Page<StockItem>>(
        &caller,
        "inventory",
        "/api/inventory/alerts?limit=1&count=exact",
    );
    let figures = async { tokio::try_join!(counts, revenue_today(&state, &caller), alerts) };
    let (figures, health) = tokio::join!(figures, health(&state, &caller));
    let (counts, (revenue, revenue_orders), alerts) = figures?;
    render(&DashboardPage {
        chrome: Chrome::new(&visit, "Dashboard", "staff"),
        counts,
        revenue,
        revenue_orders,
        alerts: alerts.total.map_or("?".into(), |t| t.to_string()),
        health,
    })
}

/// `GET /staff/health`: the health panel alone, for htmx.
pub async fn health_panel(State(state): State<AppState>, visit: Visit) -> PageResult {
    visit.require_admin()?;
    render(&health(&state, &visit.caller()).await)
}
