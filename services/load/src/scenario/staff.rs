//! Staff: restock the items below their minimum, ship the paid orders, deliver the
//! shipped ones. Logged in as the administrator.

use serde_json::{Value, json};

use super::{User, VisitError};
use crate::client::{Call, query_escape};
use crate::session::Browser;

/// Most orders shipped (and delivered) per visit.
const ORDERS_PER_VISIT: usize = 10;
/// Most pages of orders read per list.
const PAGES: usize = 5;
/// A paid order waits this long for the warehouse, so its customer may still cancel it.
const SHIP_AFTER: chrono::TimeDelta = chrono::TimeDelta::seconds(10);

/// Whether `order` was last changed at least `age` ago (by its `updatedAt`).
fn older_than(order: &Value, age: chrono::TimeDelta) -> bool {
    order
        .get("updatedAt")
        .and_then(Value::as_str)
        .and_then(|t| chrono::DateTime::parse_from_rfc3339(t).ok())
        .is_some_and(|t| chrono::Utc::now().signed_duration_since(t) >= age)
}

/// A member of staff, logged in as the administrator.
#[derive(Debug)]
pub struct Staff {
    browser: Browser,
}

fn int(item: &Value, field: &str) -> i64 {
    item.get(field).and_then(Value::as_i64).unwrap_or(0)
}

/// Up to [`ORDERS_PER_VISIT`] orders in `status` last changed at least `age` ago, oldest
/// pages last: the list is newest first, so the back office reads up to [`PAGES`] pages.
async fn orders(
    user: &User,
    token: &str,
    status: &str,
    age: chrono::TimeDelta,
) -> Result<Vec<String>, VisitError> {
    let mut found = Vec::new();
    let mut cursor: Option<String> = None;
    for _ in 0..PAGES {
        let mut path = format!("/api/orders?status={status}&limit=100");
        if let Some(c) = &cursor {
            path.push_str(&format!("&cursor={}", query_escape(c)));
        }
        let page = user
            .api
            .send(Call::get("GET /api/orders?status", path).token(token))
            .await?;
        let old: Vec<Value> = page
            .items()
            .iter()
            .filter(|o| older_than(o, age))
            .cloned()
            .collect();
        found.extend(super::visitor::ids(&old));
        cursor = page
            .body
            .get("nextCursor")
            .and_then(Value::as_str)
            .map(str::to_string);
        if found.len() >= ORDERS_PER_VISIT || cursor.is_none() {
            break;
        }
    }
    // The oldest first.
    found.reverse();
    found.truncate(ORDERS_PER_VISIT);
    Ok(found)
}

impl Staff {
    /// Staff for `user`, when the run has the administrator's credentials.
    pub fn new(user: &User) -> Option<Self> {
        let admin = user.world.admin.clone()?;
        Some(Self {
            browser: Browser::new(admin, true),
        })
    }

    /// One visit: the back office.
    pub async fn visit(&mut self, user: &mut User) -> Result<(), VisitError> {
        let token = self.browser.token(&user.api).await?;
        let alerts = user
            .api
            .send(
                Call::get(
                    "GET /api/inventory/alerts",
                    "/api/inventory/alerts?limit=50",
                )
                .token(&token),
            )
            .await?;
        let mut restocked = 0;
        for item in alerts.items().iter().take(ORDERS_PER_VISIT) {
            let (Some(store), Some(product)) = (
                item.get("storeId").and_then(Value::as_str),
                item.get("productId").and_then(Value::as_str),
            ) else {
                continue;
            };
            // Back to three times the minimum.
            let delta = (int(item, "minStock") * 3 - int(item, "onHand")).max(1);
            user.api
                .send(
                    Call::post(
                        "POST /api/stores/{id}/inventory/{productId}/adjustments",
                        format!("/api/stores/{store}/inventory/{product}/adjustments"),
                        json!({ "delta": delta, "reason": "restock (petstore-load)" }),
                    )
                    .token(&token),
                )
                .await?;
            restocked += 1;
        }
        user.api.metrics().outcome("items restocked", restocked);
        user.think().await?;

        let token = self.browser.token(&user.api).await?;
        let ready = orders(user, &token, "paid", SHIP_AFTER).await?;
        let mut shipped = 0;
        for order in &ready {
            let body = json!({ "carrier": "Load Post", "trackingNumber": format!("LP-{order}") });
            // 409: its customer cancelled it meanwhile.
            let reply = user
                .api
                .send(
                    Call::post(
                        "POST /api/orders/{id}/ship",
                        format!("/api/orders/{order}/ship"),
                        body,
                    )
                    .token(&token)
                    .expect(&[200, 409]),
                )
                .await?;
            shipped += u64::from(reply.status.as_u16() == 200);
        }
        user.api.metrics().outcome("orders shipped", shipped);
        user.think().await?;

        let token = self.browser.token(&user.api).await?;
        let in_transit = orders(user, &token, "shipped", chrono::TimeDelta::zero()).await?;
        let mut delivered = 0;
        for order in &in_transit {
            let reply = user
                .api
                .send(
                    Call::new(
                        "POST /api/orders/{id}/deliver",
                        reqwest::Method::POST,
                        format!("/api/orders/{order}/deliver"),
                    )
                    .token(&token)
                    .expect(&[200, 409]),
                )
                .await?;
            delivered += u64::from(reply.status.as_u16() == 200);
        }
        user.api.metrics().outcome("orders delivered", delivered);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_orders_paid_long_enough_ago_are_shipped() {
        let at = |ago: i64| {
            let t = chrono::Utc::now() - chrono::TimeDelta::seconds(ago);
            json!({ "updatedAt": t.to_rfc3339() })
        };
        assert!(older_than(&at(30), SHIP_AFTER));
        assert!(!older_than(&at(2), SHIP_AFTER));
        assert!(!older_than(&json!({}), SHIP_AFTER));
    }
}
