//! The catalog over HTTP: where orders look prices up (`GET {CATALOG_URL}/api/products/{id}`).

use std::time::Duration;

use kit::ApiError;
use reqwest::StatusCode;
use uuid::Uuid;

use crate::domain::pricing::CatalogProduct;

/// How long one lookup may take in all.
const TIMEOUT: Duration = Duration::from_secs(5);
/// How long connecting may take.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(2);

/// Why the catalog could not answer.
#[derive(Debug, thiserror::Error)]
pub enum CatalogError {
    /// The request failed (connection refused, timeout, unreadable body).
    #[error("the catalog is unreachable: {0}")]
    Unreachable(#[from] reqwest::Error),
    /// The catalog answered with an unexpected status.
    #[error("the catalog answered {0}")]
    Status(StatusCode),
}

impl From<CatalogError> for ApiError {
    fn from(err: CatalogError) -> Self {
        ApiError::Unavailable(err.to_string())
    }
}

/// A client of the catalog; cheap to clone.
#[derive(Debug, Clone)]
pub struct CatalogClient {
    http: reqwest::Client,
    base_url: String,
}

impl CatalogClient {
    /// A client of the catalog at `base_url` (no trailing slash).
    pub fn new(base_url: &str) -> Result<Self, reqwest::Error> {
        let http = reqwest::Client::builder()
            .timeout(TIMEOUT)
            .connect_timeout(CONNECT_TIMEOUT)
            .build()?;
        Ok(Self {
            http,
            base_url: base_url.trim_end_matches('/').to_string(),
        })
    }

    /// One product; `None` when the catalog has no product with this id.
    pub async fn product(&self, id: Uuid) -> Result<Option<CatalogProduct>, CatalogError> {
        let url = format!("{}/api/products/{id}", self.base_url);
        let response = self.http.get(url).send().await?;
        match response.status() {
            StatusCode::OK => Ok(Some(response.json().await?)),
            StatusCode::NOT_FOUND => Ok(None),
            other => Err(CatalogError::Status(other)),
        }
    }

    /// Every product of `ids`, looked up concurrently, in the same order.
    pub async fn products(
        &self,
        ids: &[Uuid],
    ) -> Result<Vec<Option<CatalogProduct>>, CatalogError> {
        futures_util::future::join_all(ids.iter().map(|id| self.product(*id)))
            .await
            .into_iter()
            .collect()
    }
}
