//! What the scenarios need from the store: the load test's own categories and products
//! (made by `--seed`, see [`crate::seed`]), found again by their slugs and SKUs.

use serde_json::Value;

use crate::client::{Api, Call, CallError, query_escape};
use crate::session::Account;

/// Slug prefix of the load test's categories.
pub const CATEGORY_PREFIX: &str = "load-";
/// Code prefix of the load test's stores.
pub const STORE_PREFIX: &str = "LOAD-";

/// A product the scenarios can buy.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProductRef {
    /// Id.
    pub id: String,
    /// SKU.
    pub sku: String,
}

/// What the store holds for the scenarios.
#[derive(Debug, Clone, Default)]
pub struct World {
    /// The load test's categories (ids).
    pub categories: Vec<String>,
    /// The load test's products.
    pub products: Vec<ProductRef>,
    /// Words found in product names, for searches.
    pub words: Vec<String>,
    /// The administrator, for the staff scenario.
    pub admin: Option<Account>,
}

/// Why the store cannot be loaded.
#[derive(Debug, thiserror::Error)]
pub enum WorldError {
    /// A request failed.
    #[error("reading the catalog failed: {0}")]
    Call(#[from] CallError),
    /// Nothing to buy.
    #[error(
        "the store has no load-test catalog (categories `{CATEGORY_PREFIX}*`): run petstore-load once with --seed"
    )]
    Empty,
}

/// Every item of a list, page by page (`cursor` in, `nextCursor` out).
pub async fn list_all(
    api: &Api,
    endpoint: &'static str,
    path: &str,
    token: Option<&str>,
) -> Result<Vec<Value>, CallError> {
    let mut items = Vec::new();
    let mut cursor: Option<String> = None;
    let separator = if path.contains('?') { '&' } else { '?' };
    for _ in 0..100 {
        let url = match &cursor {
            Some(c) => format!("{path}{separator}limit=100&cursor={}", query_escape(c)),
            None => format!("{path}{separator}limit=100"),
        };
        let mut call = Call::get(endpoint, url);
        if let Some(token) = token {
            call = call.token(token);
        }
        let reply = api.send(call).await?;
        items.extend(reply.items().iter().cloned());
        match reply.body.get("nextCursor").and_then(Value::as_str) {
            Some(next) => cursor = Some(next.to_string()),
            None => break,
        }
    }
    Ok(items)
}

fn field(item: &Value, name: &str) -> Option<String> {
    item.get(name).and_then(Value::as_str).map(str::to_string)
}

impl World {
    /// Finds the load test's categories and products.
    pub async fn discover(api: &Api, admin: Option<Account>) -> Result<Self, WorldError> {
        let categories: Vec<String> = list_all(api, "GET /api/categories", "/api/categories", None)
            .await?
            .iter()
            .filter(|c| field(c, "slug").is_some_and(|s| s.starts_with(CATEGORY_PREFIX)))
            .filter_map(|c| field(c, "id"))
            .collect();
        let mut products = Vec::new();
        let mut words = Vec::new();
        for category in &categories {
            let path = format!("/api/products?categoryId={category}");
            for item in list_all(api, "GET /api/products", &path, None).await? {
                if let (Some(id), Some(sku)) = (field(&item, "id"), field(&item, "sku")) {
                    products.push(ProductRef { id, sku });
                }
                if let Some(name) = field(&item, "name") {
                    words.extend(
                        name.split_whitespace()
                            .filter(|w| w.len() > 3 && w.chars().all(char::is_alphabetic))
                            .map(str::to_lowercase),
                    );
                }
            }
        }
        words.sort();
        words.dedup();
        if categories.is_empty() || products.is_empty() {
            return Err(WorldError::Empty);
        }
        Ok(Self {
            categories,
            products,
            words,
            admin,
        })
    }
}
