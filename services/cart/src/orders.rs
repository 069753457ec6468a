//! The synchronous half of checkout: handing the checked-out cart to the orders service at
//! once (`POST {ORDERS_URL}/internal/checkouts`), so that the order behind checkout's
//! `Location` can be read from the moment checkout answers.
//!
//! `cart.checked_out`, written in the checkout's own transaction, stays the reliable path:
//! it is written deferred by [`FALLBACK_DELAY`], and withdrawn once this call succeeded. When
//! the call fails (orders down, slow, restarting), checkout still succeeds and the event,
//! published once due, creates the order.

use std::time::Duration;

use kit::events::schema::CartCheckedOut;

/// How long connecting to the orders service may take.
const CONNECT_TIMEOUT: Duration = Duration::from_millis(500);
/// How long the hand-over may take before checkout answers without it: the event creates
/// the order anyway, so a slow orders service only delays readability, never checkout.
const REQUEST_TIMEOUT: Duration = Duration::from_secs(2);

/// How long after checkout `cart.checked_out` is published if the hand-over did not
/// withdraw it: longer than a hand-over can take, so that an event is published only for a
/// checkout that orders did not take synchronously.
pub const FALLBACK_DELAY: Duration = Duration::from_secs(5);

const _: () =
    assert!(FALLBACK_DELAY.as_millis() > CONNECT_TIMEOUT.as_millis() + REQUEST_TIMEOUT.as_millis());

/// Why a hand-over did not happen (logged; checkout succeeds regardless).
#[derive(Debug, thiserror::Error)]
pub enum HandOverError {
    /// The HTTP client could not be built.
    #[error("cannot build the HTTP client: {0}")]
    Client(#[source] reqwest::Error),
    /// The orders service could not be reached or did not answer in time.
    #[error("the orders service is unreachable: {0}")]
    Unreachable(#[source] reqwest::Error),
    /// The orders service refused the checkout.
    #[error("the orders service answered {status}: {body}")]
    Refused {
        /// Its status.
        status: reqwest::StatusCode,
        /// Its problem document.
        body: String,
    },
}

/// A client of the orders service's checkout hand-over; cheap to clone.
#[derive(Debug, Clone)]
pub struct OrdersClient {
    http: reqwest::Client,
    url: String,
}

impl OrdersClient {
    /// A client of the orders service at `base` (e.g. `http://orders:8085`).
    ///
    /// # Errors
    /// If the HTTP client cannot be built.
    pub fn new(base: &str) -> Result<Self, HandOverError> {
        let http = reqwest::Client::builder()
            .connect_timeout(CONNECT_TIMEOUT)
            .timeout(REQUEST_TIMEOUT)
            .build()
            .map_err(HandOverError::Client)?;
        Ok(Self {
            http,
            url: format!("{}/internal/checkouts", base.trim_end_matches('/')),
        })
    }

    /// Hands `checkout` over on behalf of the customer whose access token is `token` (the
    /// orders service checks that the order is theirs).
    ///
    /// # Errors
    /// [`HandOverError::Unreachable`] or [`HandOverError::Refused`].
    pub async fn hand_over(
        &self,
        token: &str,
        request_id: Option<&str>,
        checkout: &CartCheckedOut,
    ) -> Result<(), HandOverError> {
        let mut request = self.http.post(&self.url).bearer_auth(token).json(checkout);
        if let Some(id) = request_id {
            request = request.header("x-request-id", id);
        }
        let response = request.send().await.map_err(HandOverError::Unreachable)?;
        let status = response.status();
        if status.is_success() {
            return Ok(());
        }
        let body = response.text().await.unwrap_or_default();
        Err(HandOverError::Refused { status, body })
    }
}
