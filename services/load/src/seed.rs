//! `--seed`: what the scenarios need, made through the public API as the administrator,
//! idempotently (what exists is found by slug, SKU or code and reused; stock is set to
//! the same levels again).

use std::collections::BTreeMap;

use serde_json::{Value, json};

use crate::client::{Api, Call, CallError};
use crate::session::{Account, Browser};
use crate::world::{CATEGORY_PREFIX, STORE_PREFIX, list_all};

/// Units on hand per product and store after seeding: a few minutes of shoppers bring
/// items below the minimum, so staff have something to restock.
pub const ON_HAND: i64 = 200;
/// The minimum below which staff restock.
pub const MIN_STOCK: i64 = 150;

/// The catalog: category (slug suffix, name) and the kinds of product in each.
const CATEGORIES: [(&str, &str); 4] = [
    ("dogs", "Dogs"),
    ("cats", "Cats"),
    ("birds", "Birds"),
    ("fish", "Fish"),
];
const PRODUCTS: [(&str, &str); 6] = [
    ("FOOD", "Premium food"),
    ("TOY", "Squeaky toy"),
    ("BED", "Cosy bed"),
    ("BOWL", "Steel bowl"),
    ("BRUSH", "Grooming brush"),
    ("TREAT", "Crunchy treats"),
];
const STORES: [(&str, &str, &str, &str); 2] = [
    ("1", "Load test Paris", "Paris", "Europe/Paris"),
    ("2", "Load test Berlin", "Berlin", "Europe/Berlin"),
];

/// Why seeding stopped.
#[derive(Debug, thiserror::Error)]
pub enum SeedError {
    /// A request failed.
    #[error("seeding failed: {0}")]
    Call(#[from] CallError),
    /// The credentials work but are not an administrator's.
    #[error(
        "{0} is not an administrator: give the store's administrator (the bootstrap admin email registers as admin only while no admin exists)"
    )]
    NotAdmin(String),
    /// The password was refused.
    #[error("the administrator's login was refused (wrong password for {0}?)")]
    LoginRefused(String),
}

/// What seeding found and made.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Seeded {
    /// Objects created now.
    pub created: usize,
    /// Objects that existed already.
    pub reused: usize,
    /// Stock levels set.
    pub stock_set: usize,
}

fn id_of(value: &Value) -> Option<String> {
    value.get("id").and_then(Value::as_str).map(str::to_string)
}

/// Logs the administrator in, registering the account first if it does not exist yet
/// (it becomes administrator only if it is the store's bootstrap email and no
/// administrator exists), and checks the role.
pub async fn admin_session(api: &Api, admin: &Account) -> Result<(Browser, String), SeedError> {
    let mut browser = Browser::new(admin.clone(), true);
    if let Err(err) = browser.login(api).await {
        if err.status().map(|s| s.as_u16()) != Some(401) {
            return Err(err.into());
        }
        browser.register(api).await?;
        browser
            .login(api)
            .await
            .map_err(|_| SeedError::LoginRefused(admin.email.clone()))?;
    }
    let token = browser.token(api).await?;
    let me = api
        .send(Call::get("GET /api/users/me", "/api/users/me").token(&token))
        .await?;
    if me.body.get("role").and_then(Value::as_str) != Some("admin") {
        return Err(SeedError::NotAdmin(admin.email.clone()));
    }
    Ok((browser, token))
}

/// The administrator's writes of one seeding, and their count.
struct Writer<'a> {
    api: &'a Api,
    token: String,
    seeded: Seeded,
}

impl Writer<'_> {
    /// Creates `body` at `path` unless `key` is in `existing`.
    async fn ensure(
        &mut self,
        endpoint: &'static str,
        path: &str,
        existing: &BTreeMap<String, String>,
        key: &str,
        body: Value,
    ) -> Result<(), SeedError> {
        if existing.contains_key(key) {
            self.seeded.reused += 1;
            return Ok(());
        }
        let reply = self
            .api
            .send(
                Call::post(endpoint, path, body)
                    .token(&self.token)
                    .expect(&[201, 409]),
            )
            .await?;
        self.seeded.created += usize::from(reply.status.as_u16() == 201);
        Ok(())
    }
}

fn by(items: &[Value], key: &str) -> BTreeMap<String, String> {
    items
        .iter()
        .filter_map(|item| Some((item.get(key)?.as_str()?.to_string(), id_of(item)?)))
        .collect()
}

/// Prepares categories, products, stores and stock for the scenarios.
pub async fn seed(api: &Api, admin: &Account) -> Result<Seeded, SeedError> {
    let (_browser, token) = admin_session(api, admin).await?;
    let mut w = Writer {
        api,
        token: token.clone(),
        seeded: Seeded::default(),
    };

    let categories = by(
        &list_all(api, "GET /api/categories", "/api/categories", None).await?,
        "slug",
    );
    for (suffix, name) in CATEGORIES {
        let slug = format!("{CATEGORY_PREFIX}{suffix}");
        let body = json!({ "name": format!("{name} (load test)"), "slug": slug });
        w.ensure(
            "POST /api/categories",
            "/api/categories",
            &categories,
            &slug,
            body,
        )
        .await?;
    }
    // A 409 answer carries no id: read the list again.
    let categories = by(
        &list_all(api, "GET /api/categories", "/api/categories", None).await?,
        "slug",
    );

    let mut product_ids = Vec::new();
    for (c, (suffix, animal)) in CATEGORIES.iter().enumerate() {
        let Some(category) = categories.get(&format!("{CATEGORY_PREFIX}{suffix}")) else {
            continue;
        };
        let path = format!("/api/products?categoryId={category}");
        let existing = by(
            &list_all(api, "GET /api/products", &path, None).await?,
            "sku",
        );
        for (p, (kind, name)) in PRODUCTS.iter().enumerate() {
            let sku = format!("LOAD-{}-{kind}", suffix.to_uppercase());
            // Prices from 4.99 to about 60 EUR, none ending in 13 cents.
            let amount = 499 + (c * PRODUCTS.len() + p) as i64 * 225;
            let body = json!({
                "sku": sku,
                "name": format!("{name} for {}", animal.to_lowercase()),
                "description": "Made by petstore-load --seed.",
                "categoryId": category,
                "price": { "amount": amount, "currency": "EUR" },
            });
            w.ensure("POST /api/products", "/api/products", &existing, &sku, body)
                .await?;
        }
        let existing = by(
            &list_all(api, "GET /api/products", &path, None).await?,
            "sku",
        );
        product_ids.extend(existing.into_values());
    }

    let stores_path = format!("/api/stores?q={STORE_PREFIX}");
    let stores = by(
        &list_all(api, "GET /api/stores", &stores_path, Some(&token)).await?,
        "code",
    );
    for (n, name, city, timezone) in STORES {
        let code = format!("{STORE_PREFIX}{n}");
        let body = json!({
            "code": code,
            "name": name,
            "address": { "line1": format!("{n} rue du Test"), "city": city, "postalCode": "75001", "country": "FR" },
            "timezone": timezone,
        });
        w.ensure("POST /api/stores", "/api/stores", &stores, &code, body)
            .await?;
    }
    let stores = by(
        &list_all(api, "GET /api/stores", &stores_path, Some(&token)).await?,
        "code",
    );

    for store in stores
        .iter()
        .filter(|(code, _)| code.starts_with(STORE_PREFIX))
        .map(|(_, id)| id)
    {
        for product in &product_ids {
            let body = json!({ "onHand": ON_HAND, "minStock": MIN_STOCK, "reason": "petstore-load --seed" });
            let path = format!("/api/stores/{store}/inventory/{product}");
            // 409: units are reserved beyond the new level right now; leave that item.
            let reply = api
                .send(
                    Call::put("PUT /api/stores/{id}/inventory/{productId}", path, body)
                        .token(&token)
                        .expect(&[200, 409]),
                )
                .await?;
            w.seeded.stock_set += usize::from(reply.status.as_u16() == 200);
        }
    }
    Ok(w.seeded)
}
