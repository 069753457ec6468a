//! Calling another PetStore service over HTTP: a small typed client with the timeouts and
//! error mapping every caller wants, and the one upstream read services share today, the
//! catalog's product lookup (`GET {CATALOG_URL}/api/products/{id}`).
//!
//! An upstream that cannot be reached, times out, answers with an unexpected status or an
//! unreadable body is *unavailable* (503 to our own client); a 404 is an answer (`None`).

use std::time::Duration;

use reqwest::StatusCode;
use serde::Deserialize;
use serde::de::DeserializeOwned;
use uuid::Uuid;

use crate::error::ApiError;
use crate::money::Money;

/// How long connecting to an upstream may take.
pub const CONNECT_TIMEOUT: Duration = Duration::from_secs(2);
/// How long a whole upstream request may take.
pub const REQUEST_TIMEOUT: Duration = Duration::from_secs(5);

/// Why an upstream could not answer.
#[derive(Debug, thiserror::Error)]
#[error("the {service} is unavailable: {detail}")]
pub struct UpstreamError {
    /// Which upstream (e.g. `catalog`).
    pub service: &'static str,
    /// What went wrong (connection refused, timeout, status, unreadable body).
    pub detail: String,
}

impl From<UpstreamError> for ApiError {
    fn from(err: UpstreamError) -> Self {
        // What went wrong is for the log; the client learns which dependency is down.
        tracing::warn!(service = err.service, detail = %err.detail, "upstream unavailable");
        ApiError::Unavailable(format!("the {} service is unavailable", err.service))
    }
}

/// A JSON-over-HTTP client of one upstream service; cheap to clone.
#[derive(Debug, Clone)]
pub struct UpstreamClient {
    service: &'static str,
    http: reqwest::Client,
    base: String,
}

impl UpstreamClient {
    /// A client of `service` at `base` (e.g. `http://catalog:8082`, trailing slash or not),
    /// with [`CONNECT_TIMEOUT`] and [`REQUEST_TIMEOUT`].
    ///
    /// # Errors
    /// If the HTTP client cannot be built (no usable TLS or resolver backend).
    pub fn new(service: &'static str, base: &str) -> Result<Self, reqwest::Error> {
        let http = reqwest::Client::builder()
            .connect_timeout(CONNECT_TIMEOUT)
            .timeout(REQUEST_TIMEOUT)
            .build()?;
        Ok(Self {
            service,
            http,
            base: base.trim_end_matches('/').to_string(),
        })
    }

    fn error(&self, detail: impl Into<String>) -> UpstreamError {
        UpstreamError {
            service: self.service,
            detail: detail.into(),
        }
    }

    /// `GET {base}{path}` read as JSON: `None` on 404, an error on any other failure.
    pub async fn get_optional<T: DeserializeOwned>(
        &self,
        path: &str,
    ) -> Result<Option<T>, UpstreamError> {
        let url = format!("{}{path}", self.base);
        let response = self
            .http
            .get(&url)
            .send()
            .await
            .map_err(|err| self.error(err.to_string()))?;
        match response.status() {
            StatusCode::NOT_FOUND => Ok(None),
            status if status.is_success() => response
                .json()
                .await
                .map(Some)
                .map_err(|err| self.error(format!("unreadable answer to GET {path}: {err}"))),
            status => Err(self.error(format!("GET {path} answered {status}"))),
        }
    }
}

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
    pub price: Money,
    /// Whether it is on sale.
    pub active: bool,
}

/// A client of the catalog's public product reads; cheap to clone.
#[derive(Debug, Clone)]
pub struct CatalogClient {
    upstream: UpstreamClient,
}

impl CatalogClient {
    /// A client of the catalog at `base` (e.g. `http://catalog:8082`).
    ///
    /// # Errors
    /// If the HTTP client cannot be built (no usable TLS or resolver backend).
    pub fn new(base: &str) -> Result<Self, reqwest::Error> {
        UpstreamClient::new("catalog", base).map(|upstream| Self { upstream })
    }

    /// The product, `None` when the catalog does not know it.
    pub async fn product(&self, id: Uuid) -> Result<Option<CatalogProduct>, UpstreamError> {
        self.upstream
            .get_optional(&format!("/api/products/{id}"))
            .await
    }

    /// Every product of `ids`, looked up concurrently, in the same order.
    pub async fn products(
        &self,
        ids: &[Uuid],
    ) -> Result<Vec<Option<CatalogProduct>>, UpstreamError> {
        futures_util::future::join_all(ids.iter().map(|id| self.product(*id)))
            .await
            .into_iter()
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn errors_are_unavailable() {
        let client = UpstreamClient::new("catalog", "http://catalog:8082/").unwrap();
        assert_eq!(client.base, "http://catalog:8082");
        let err: ApiError = client.error("boom").into();
        assert_eq!(err.problem().status, 503);
    }

    #[test]
    fn a_product_reads_tolerantly() {
        let product: CatalogProduct = serde_json::from_value(serde_json::json!({
            "id": Uuid::nil(), "sku": "S", "name": "N", "active": true, "extra": 1,
            "price": { "amount": 5, "currency": "EUR", "display": "€0.05" },
        }))
        .unwrap();
        assert_eq!(product.price, Money::new(5, "EUR"));
    }
}
