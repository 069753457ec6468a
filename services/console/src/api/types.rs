//! What the APIs answer, read tolerantly: fields the console does not show are ignored,
//! so a service adding a field never breaks a page.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use serde::Deserialize;
use uuid::Uuid;

use crate::money::Money;

/// A page of a keyset-paginated list.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Page<T> {
    /// This page's items.
    pub items: Vec<T>,
    /// The cursor of the next page; `None` on the last.
    #[serde(default)]
    pub next_cursor: Option<String>,
    /// How many match, when counted.
    #[serde(default)]
    pub total: Option<i64>,
}

/// A category.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Category {
    /// Id.
    pub id: Uuid,
    /// Name.
    pub name: String,
    /// URL-safe name.
    pub slug: String,
    /// Parent category.
    #[serde(default)]
    pub parent_id: Option<Uuid>,
}

/// A product.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Product {
    /// Id.
    pub id: Uuid,
    /// Stock keeping unit.
    pub sku: String,
    /// Name.
    pub name: String,
    /// Description.
    #[serde(default)]
    pub description: String,
    /// Its category.
    pub category_id: Uuid,
    /// Price.
    pub price: Money,
    /// Free-form attributes.
    #[serde(default)]
    pub attributes: BTreeMap<String, String>,
    /// Weight in grams.
    #[serde(default)]
    pub weight_grams: Option<i64>,
    /// On sale.
    pub active: bool,
}

/// A pet.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Pet {
    /// Id.
    pub id: Uuid,
    /// Name.
    pub name: String,
    /// Species.
    pub species: String,
    /// Breed.
    #[serde(default)]
    pub breed: Option<String>,
    /// Birth date (YYYY-MM-DD).
    #[serde(default)]
    pub birth_date: Option<String>,
    /// Its category.
    pub category_id: Uuid,
    /// Tags.
    #[serde(default)]
    pub tags: Vec<String>,
    /// `available`, `pending` or `sold`.
    pub status: String,
    /// Price.
    pub price: Money,
}

/// The caller's cart.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Cart {
    /// Items.
    pub items: Vec<CartItem>,
    /// One subtotal per currency.
    #[serde(default)]
    pub subtotals: Vec<Money>,
    /// Units in the cart.
    #[serde(default)]
    pub item_count: i64,
}

/// One line of the cart.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CartItem {
    /// The product.
    pub product_id: Uuid,
    /// Its SKU.
    pub sku: String,
    /// Its name.
    pub name: String,
    /// How many.
    pub quantity: i64,
    /// Price of one.
    pub unit_price: Money,
    /// Price of all.
    pub line_total: Money,
    /// Still on sale.
    #[serde(default = "yes")]
    pub available: bool,
}

fn yes() -> bool {
    true
}

/// The answer to a checkout.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CheckoutAccepted {
    /// The order placed.
    pub order_id: Uuid,
}

/// An order.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Order {
    /// Id.
    pub id: Uuid,
    /// The customer.
    pub user_id: Uuid,
    /// The store fulfilling it.
    pub store_id: Uuid,
    /// Status (`pending`, `reserved`, `paid`, `shipped`, `delivered`, `failed`, `cancelled`).
    pub status: String,
    /// Total.
    pub total: Money,
    /// Lines.
    #[serde(default)]
    pub lines: Vec<OrderLine>,
    /// Why it failed or was cancelled.
    #[serde(default)]
    pub status_reason: Option<String>,
    /// Shipping details.
    #[serde(default)]
    pub shipment: Option<Shipment>,
    /// When it was placed.
    pub created_at: DateTime<Utc>,
}

/// One line of an order.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct OrderLine {
    /// The product.
    pub product_id: Uuid,
    /// Its SKU then.
    pub sku: String,
    /// Its name then.
    pub name: String,
    /// How many.
    pub quantity: i64,
    /// Price of one then.
    pub unit_price: Money,
}

/// How an order was shipped.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Shipment {
    /// Carrier.
    pub carrier: String,
    /// Tracking number.
    pub tracking_number: String,
    /// When it was shipped.
    pub shipped_at: DateTime<Utc>,
    /// When it was delivered.
    #[serde(default)]
    pub delivered_at: Option<DateTime<Utc>>,
}

/// One entry of an order's history.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct StatusChange {
    /// The status reached.
    pub to: String,
    /// Why.
    #[serde(default)]
    pub reason: Option<String>,
    /// When.
    pub at: DateTime<Utc>,
}

/// A review.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Review {
    /// Id.
    pub id: Uuid,
    /// The author.
    pub user_id: Uuid,
    /// 1–5.
    pub rating: i64,
    /// Title.
    pub title: String,
    /// Text.
    #[serde(default)]
    pub body: String,
    /// The author bought the product.
    #[serde(default)]
    pub verified: bool,
    /// When.
    pub created_at: DateTime<Utc>,
}

/// A product's ratings.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RatingSummary {
    /// Mean rating, if any.
    #[serde(default)]
    pub average: Option<f64>,
    /// How many reviews.
    pub count: i64,
    /// Reviews per star.
    pub distribution: Distribution,
}

/// Reviews per star.
#[derive(Debug, Clone, Deserialize)]
pub struct Distribution {
    /// One star.
    #[serde(rename = "1", alias = "one")]
    pub one: i64,
    /// Two stars.
    #[serde(rename = "2", alias = "two")]
    pub two: i64,
    /// Three stars.
    #[serde(rename = "3", alias = "three")]
    pub three: i64,
    /// Four stars.
    #[serde(rename = "4", alias = "four")]
    pub four: i64,
    /// Five stars.
    #[serde(rename = "5", alias = "five")]
    pub five: i64,
}

/// A store of the chain.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Store {
    /// Id.
    pub id: Uuid,
    /// Short code.
    pub code: String,
    /// Name.
    pub name: String,
    /// Address.
    pub address: Address,
    /// `open` or `closed`.
    pub status: String,
}

/// A store's address.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Address {
    /// City.
    pub city: String,
    /// Country.
    pub country: String,
}

/// Stock of one product in one store.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct StockItem {
    /// The store.
    pub store_id: Uuid,
    /// The product.
    pub product_id: Uuid,
    /// Its SKU.
    #[serde(default)]
    pub sku: Option<String>,
    /// Its name.
    #[serde(default)]
    pub name: Option<String>,
    /// Units on the shelf.
    pub on_hand: i64,
    /// Units held for orders.
    pub reserved: i64,
    /// Units that can be sold.
    pub available: i64,
    /// The minimum wanted.
    pub min_stock: i64,
    /// Below its minimum.
    pub below_minimum: bool,
}

/// One change of stock.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Movement {
    /// The store.
    pub store_id: Uuid,
    /// The product.
    pub product_id: Uuid,
    /// `set`, `adjustment`, `transfer_out`, `transfer_in`, `sale`, `return`.
    pub kind: String,
    /// Units added or removed.
    pub delta: i64,
    /// On hand afterwards.
    pub on_hand_after: i64,
    /// Why.
    pub reason: String,
    /// When.
    pub created_at: DateTime<Utc>,
}

/// A user account.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct User {
    /// Id.
    pub id: Uuid,
    /// Email.
    pub email: String,
    /// Display name.
    pub display_name: String,
    /// `customer` or `admin`.
    pub role: String,
}

/// The answer to a login or a refresh.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Tokens {
    /// Bearer token.
    pub access_token: String,
    /// Seconds until it expires.
    pub expires_in: i64,
    /// Renews it.
    pub refresh_token: String,
    /// Who signed in.
    pub user: User,
}

/// The gateway's aggregated health.
#[derive(Debug, Clone, Deserialize)]
pub struct Health {
    /// `ok` or `degraded`.
    pub status: String,
    /// Each service.
    pub services: BTreeMap<String, ServiceHealth>,
}

/// One service's health.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ServiceHealth {
    /// `up` or `down`.
    pub status: String,
    /// How long its check took.
    #[serde(default)]
    pub latency_ms: u64,
    /// Why it is down.
    #[serde(default)]
    pub detail: Option<String>,
}
