//! The catalog over HTTP: the one product lookup the cart needs when an item is added.
//!
//! Later changes reach the cart as events; only the first capture of a price is a call.

use std::time::Duration;

use kit::ApiError;
use kit::money::Money;
use reqwest::{StatusCode, Url};
use serde::Deserialize;
use uuid::Uuid;

/// How long connecting to the catalog may take.
pub const CONNECT_TIMEOUT: Duration = Duration::from_secs(2);
/// How long a whole lookup may take.
pub const REQUEST_TIMEOUT: Duration = Duration::from_secs(5);

/// A product as the catalog describes it (tolerant reader: other fields are ignored).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CatalogProduct {
    /// Id.
    pub id: Uuid,
    /// SKU.
    pub sku: String,
    /// Display name.
    pub name: String,
    /// Current unit price.
    pub price: Price,
    /// Whether it is on sale.
    pub active: bool,
}

/// A price as the catalog sends it (tolerant, unlike the strict request type).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct Price {
    /// Minor units.
    pub amount: i64,
    /// ISO 4217 currency.
    pub currency: String,
}

impl From<Price> for Money {
    fn from(price: Price) -> Self {
        Money::new(price.amount, price.currency)
    }
}

/// Why a lookup failed.
#[derive(Debug, thiserror::Error)]
pub enum CatalogError {
    /// The catalog could not be reached or answered with an error.
    #[error("the catalog is unavailable: {0}")]
    Unavailable(String),
}

impl From<CatalogError> for ApiError {
    fn from(err: CatalogError) -> Self {
        ApiError::Unavailable(err.to_string())
    }
}

/// A client of the catalog's public product reads; cheap to clone.
#[derive(Debug, Clone)]
pub struct CatalogClient {
    http: reqwest::Client,
    base: String,
}

impl CatalogClient {
    /// A client of the catalog at `base` (e.g. `http://catalog:8082`).
    ///
    /// # Errors
    /// If the HTTP client cannot be built (no usable TLS or resolver backend).
    pub fn new(base: Url) -> Result<Self, reqwest::Error> {
        let http = reqwest::Client::builder()
            .connect_timeout(CONNECT_TIMEOUT)
            .timeout(REQUEST_TIMEOUT)
            .build()?;
        Ok(Self {
            http,
            base: base.as_str().trim_end_matches('/').to_string(),
        })
    }

    /// The product, `None` when the catalog does not know it.
    pub async fn product(&self, id: Uuid) -> Result<Option<CatalogProduct>, CatalogError> {
        let url = format!("{}/api/products/{id}", self.base);
        let response = self
            .http
            .get(&url)
            .send()
            .await
            .map_err(|err| CatalogError::Unavailable(err.to_string()))?;
        match response.status() {
            StatusCode::NOT_FOUND => Ok(None),
            status if status.is_success() => response
                .json()
                .await
                .map(Some)
                .map_err(|err| CatalogError::Unavailable(format!("unreadable product: {err}"))),
            status => Err(CatalogError::Unavailable(format!(
                "product lookup answered {status}"
            ))),
        }
    }
}
