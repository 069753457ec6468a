//! A shopper: an account (registered on the first visit, logged in again after a
//! logout, refreshed in between), a cart, a checkout, the order followed until it is
//! paid, sometimes a cancellation, sometimes a review.

use std::collections::BTreeSet;
use std::time::{Duration, Instant};

use rand::Rng;
use rand::seq::SliceRandom;
use serde_json::{Value, json};

use super::{User, VisitError};
use crate::client::Call;
use crate::config::Password;
use crate::session::{Account, Browser};
use crate::world::STORE_PREFIX;

/// How often the order page asks for the order's status.
const POLL: Duration = Duration::from_millis(500);
/// Share of paid orders cancelled by their customer.
const CANCEL: f64 = 0.1;
/// Share of paid orders reviewed.
const REVIEW: f64 = 0.3;
/// Share of visits that end with a logout.
const LOGOUT: f64 = 0.25;

/// A shopper's state between visits.
#[derive(Debug)]
pub struct Shopper {
    browser: Browser,
    stores: Vec<String>,
    reviewed: BTreeSet<String>,
}

fn password(rng: &mut impl Rng) -> Password {
    let secret: String = (0..20)
        .map(|_| char::from(rng.sample(rand::distributions::Alphanumeric)))
        .collect();
    // Registration wants a letter and a digit or symbol: the suffix guarantees both.
    Password::new(format!("{secret} load-7"))
}

impl Shopper {
    /// A new shopper with an account of its own (registered on the first visit).
    pub fn new(user: &User) -> Self {
        let mut rng = rand::thread_rng();
        let account = Account {
            email: format!("shopper-{}-{}@load.example.com", user.run_id, user.number),
            password: password(&mut rng),
            display_name: format!("Shopper {}", user.number),
        };
        Self {
            browser: Browser::new(account, false),
            stores: Vec::new(),
            reviewed: BTreeSet::new(),
        }
    }

    /// One visit.
    pub async fn visit(&mut self, user: &mut User) -> Result<(), VisitError> {
        // A new visit opens a new tab: the access token is gone, the refresh token is kept.
        if self.browser.logged_in() {
            self.browser.reopen();
        }
        let token = self.browser.token(&user.api).await?;
        if self.stores.is_empty() {
            let stores = user
                .api
                .send(
                    Call::get(
                        "GET /api/stores",
                        format!("/api/stores?q={STORE_PREFIX}&limit=20"),
                    )
                    .token(&token),
                )
                .await?;
            self.stores = stores
                .items()
                .iter()
                .filter(|s| {
                    s.get("code")
                        .and_then(Value::as_str)
                        .is_some_and(|c| c.starts_with(STORE_PREFIX))
                })
                .filter_map(|s| s.get("id").and_then(Value::as_str).map(str::to_string))
                .collect();
        }
        // Browse a category and put one to three of its products in the cart.
        let Some(category) = user.world.categories.choose(&mut user.rng).cloned() else {
            return Ok(());
        };
        let page = user
            .api
            .send(Call::get(
                "GET /api/products?categoryId (filter)",
                format!("/api/products?categoryId={category}&limit=20"),
            ))
            .await?;
        let mut products = super::visitor::ids(page.items());
        products.shuffle(&mut user.rng);
        products.truncate(user.rng.gen_range(1..=3));
        user.think().await?;
        for product in &products {
            if user.chance(0.5) {
                super::visitor::read_product(user, product).await?;
                user.think().await?;
            }
            let token = self.browser.token(&user.api).await?;
            let quantity = user.rng.gen_range(1..=2);
            user.api
                .send(
                    Call::post(
                        "POST /api/cart/items",
                        "/api/cart/items",
                        json!({ "productId": product, "quantity": quantity }),
                    )
                    .token(&token)
                    .expect(&[201]),
                )
                .await?;
            user.think().await?;
        }
        let token = self.browser.token(&user.api).await?;
        user.api
            .send(Call::get("GET /api/cart", "/api/cart").token(&token))
            .await?;
        user.think().await?;
        let Some(store) = self.stores.choose(&mut user.rng).cloned() else {
            return Ok(());
        };
        let token = self.browser.token(&user.api).await?;
        let accepted = user
            .api
            .send(
                Call::post(
                    "POST /api/cart/checkout",
                    "/api/cart/checkout",
                    json!({ "storeId": store }),
                )
                .token(&token)
                .expect(&[202]),
            )
            .await?;
        let order = accepted.str("orderId")?.to_string();
        user.api.metrics().outcome("orders placed", 1);

        let status = self.follow(user, &order).await?;
        match status.as_str() {
            // Staff may ship (and deliver) it before the page shows it paid.
            "paid" | "shipped" | "delivered" => {
                user.api.metrics().outcome("orders paid", 1);
                if status == "paid" && user.chance(CANCEL) {
                    self.cancel(user, &order).await?;
                } else if user.chance(REVIEW) {
                    self.review(user, &products).await?;
                }
            }
            "cancelled" => user.api.metrics().outcome("orders cancelled", 1),
            // Declined payment (see the README's rule) or stock refused.
            _ => user.api.metrics().outcome("orders failed", 1),
        }
        if user.chance(LOGOUT) {
            user.think().await?;
            self.browser.logout(&user.api).await?;
        }
        Ok(())
    }

    /// The order page, read every [`POLL`] until the order is paid, failed or cancelled.
    async fn follow(&mut self, user: &mut User, order: &str) -> Result<String, VisitError> {
        let deadline = Instant::now() + user.order_wait;
        loop {
            let token = self.browser.token(&user.api).await?;
            let reply = user
                .api
                .send(
                    Call::get("GET /api/orders/{id}", format!("/api/orders/{order}")).token(&token),
                )
                .await?;
            let status = reply.str("status")?.to_string();
            if matches!(
                status.as_str(),
                "paid" | "failed" | "cancelled" | "shipped" | "delivered"
            ) {
                return Ok(status);
            }
            if Instant::now() >= deadline {
                user.api.metrics().outcome("orders not final in time", 1);
                return Err(VisitError::OrderTimeout(order.to_string()));
            }
            user.sleep(POLL).await?;
        }
    }

    /// Cancels a paid order (its payment is refunded).
    async fn cancel(&mut self, user: &mut User, order: &str) -> Result<(), VisitError> {
        user.think().await?;
        let token = self.browser.token(&user.api).await?;
        // 409: staff shipped it first.
        let reply = user
            .api
            .send(
                Call::post(
                    "POST /api/orders/{id}/cancel",
                    format!("/api/orders/{order}/cancel"),
                    json!({ "reason": "changed my mind (petstore-load)" }),
                )
                .token(&token)
                .expect(&[200, 409]),
            )
            .await?;
        if reply.status.as_u16() == 200 {
            user.api.metrics().outcome("orders cancelled", 1);
        }
        Ok(())
    }

    /// Reviews a product of the order not reviewed yet.
    async fn review(&mut self, user: &mut User, products: &[String]) -> Result<(), VisitError> {
        let Some(product) = products
            .iter()
            .find(|p| !self.reviewed.contains(*p))
            .cloned()
        else {
            return Ok(());
        };
        user.think().await?;
        let token = self.browser.token(&user.api).await?;
        let rating = user.rng.gen_range(3..=5);
        let body = json!({
            "productId": product,
            "rating": rating,
            "title": "Bought during a load test",
            "body": "It arrived, it works, the pets approve.",
        });
        // 409: this account reviewed it already.
        let reply = user
            .api
            .send(
                Call::post("POST /api/reviews", "/api/reviews", body)
                    .token(&token)
                    .expect(&[201, 409]),
            )
            .await?;
        self.reviewed.insert(product);
        if reply.status.as_u16() == 201 {
            user.api.metrics().outcome("reviews written", 1);
        }
        Ok(())
    }
}
