//! A visitor: lists, filters, searches, reads a product and its reviews. No account.

use rand::Rng;
use rand::seq::SliceRandom;
use serde_json::Value;

use super::{User, VisitError};
use crate::client::{Call, query_escape};

/// The visitor has no state between visits.
#[derive(Debug, Clone, Copy, Default)]
pub struct Visitor;

/// Ids of the items of a page.
pub(super) fn ids(items: &[Value]) -> Vec<String> {
    items
        .iter()
        .filter_map(|i| i.get("id").and_then(Value::as_str).map(str::to_string))
        .collect()
}

/// Reads a product's page: the product, its reviews and their summary.
pub(super) async fn read_product(user: &mut User, id: &str) -> Result<(), VisitError> {
    user.api
        .send(Call::get(
            "GET /api/products/{id}",
            format!("/api/products/{id}"),
        ))
        .await?;
    user.api
        .send(Call::get(
            "GET /api/reviews?productId",
            format!("/api/reviews?productId={id}&limit=10"),
        ))
        .await?;
    user.api
        .send(Call::get(
            "GET /api/reviews/products/{id}/summary",
            format!("/api/reviews/products/{id}/summary"),
        ))
        .await?;
    Ok(())
}

impl Visitor {
    /// One visit.
    pub async fn visit(&mut self, user: &mut User) -> Result<(), VisitError> {
        let mut seen = Vec::new();
        // The home page: categories and the first products.
        user.api
            .send(Call::get("GET /api/categories", "/api/categories?limit=50"))
            .await?;
        let first = user
            .api
            .send(Call::get("GET /api/products", "/api/products?limit=20"))
            .await?;
        seen.extend(ids(first.items()));
        user.think().await?;
        if let Some(cursor) = first.body.get("nextCursor").and_then(Value::as_str)
            && user.chance(0.3)
        {
            let next = user
                .api
                .send(Call::get(
                    "GET /api/products?cursor",
                    format!("/api/products?limit=20&cursor={}", query_escape(cursor)),
                ))
                .await?;
            seen.extend(ids(next.items()));
            user.think().await?;
        }
        // A category, sorted by price, sometimes within a price range.
        let category = user.world.categories.choose(&mut user.rng).cloned();
        if let Some(category) = category {
            let sort = ["price", "-price", "name"][user.rng.gen_range(0..3)];
            let mut path = format!("/api/products?categoryId={category}&sort={sort}&limit=20");
            if user.chance(0.5) {
                path.push_str("&minPrice=500&maxPrice=4000&currency=EUR");
            }
            let page = user
                .api
                .send(Call::get("GET /api/products?categoryId (filter)", path))
                .await?;
            seen.extend(ids(page.items()));
            user.think().await?;
        }
        // A search.
        let word = user.world.words.choose(&mut user.rng).cloned();
        if let Some(word) = word {
            let page = user
                .api
                .send(Call::get(
                    "GET /api/products?q (search)",
                    format!("/api/products?q={}&limit=20", query_escape(&word)),
                ))
                .await?;
            seen.extend(ids(page.items()));
            user.think().await?;
        }
        // One or two products read in full.
        for _ in 0..user.rng.gen_range(1..=2) {
            let Some(id) = seen.choose(&mut user.rng).cloned() else {
                break;
            };
            read_product(user, &id).await?;
            user.think().await?;
        }
        Ok(())
    }
}
