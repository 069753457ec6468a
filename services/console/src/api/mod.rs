//! The store's public APIs as the console calls them: with the visitor's own token, the
//! request id of the page being rendered, and problem documents kept as they came.

pub mod types;

use std::collections::BTreeMap;
use std::time::Duration;

use kit::error::Problem;
use reqwest::{Method, StatusCode};
use serde::Serialize;
use serde::de::DeserializeOwned;

/// How long connecting to a service may take.
pub const CONNECT_TIMEOUT: Duration = Duration::from_secs(2);
/// How long one call may take.
pub const REQUEST_TIMEOUT: Duration = Duration::from_secs(10);

/// Why a call gave no answer the page can use.
#[derive(Debug, thiserror::Error)]
pub enum ApiFailure {
    /// The service answered with a problem document (or an error status).
    #[error("{} answered {}: {}", .service, .problem.status, .problem.title)]
    Problem {
        /// Which service.
        service: &'static str,
        /// What it said.
        problem: Problem,
    },
    /// The store runs without this service.
    #[error("the {0} service is disabled in this store")]
    Disabled(&'static str),
    /// The service could not be reached or answered something unreadable.
    #[error("the {service} service is unavailable: {detail}")]
    Unavailable {
        /// Which service.
        service: &'static str,
        /// What went wrong, for the log.
        detail: String,
    },
}

impl ApiFailure {
    /// The HTTP status the service answered, if it answered.
    pub fn status(&self) -> Option<u16> {
        match self {
            Self::Problem { problem, .. } => Some(problem.status),
            _ => None,
        }
    }

    /// Whether the person's input was refused (400, 404, 409, 422): the page shows the
    /// form again with the API's words.
    pub fn is_refusal(&self) -> bool {
        matches!(self.status(), Some(400 | 404 | 409 | 422))
    }
}

/// Who is calling, for one page.
#[derive(Debug, Clone, Default)]
pub struct Caller {
    /// The signed-in person's access token.
    pub token: Option<String>,
    /// The request id of the page, passed on so one id follows the whole page.
    pub request_id: Option<String>,
    /// The visitor's address as the gateway reported it, passed on so that the services
    /// see the visitor, not the console (the users service counts failed logins per
    /// address: without it, one visitor could lock every console user out).
    pub client_address: Option<String>,
}

impl Caller {
    fn headers(&self, mut request: reqwest::RequestBuilder) -> reqwest::RequestBuilder {
        if let Some(id) = &self.request_id {
            request = request.header(petstore_contract::REQUEST_ID_HEADER, id);
        }
        if let Some(address) = &self.client_address {
            request = request.header(petstore_contract::CLIENT_ADDRESS_HEADER, address);
        }
        request
    }
}

/// A client of every service the console calls; cheap to clone.
#[derive(Debug, Clone)]
pub struct Api {
    http: reqwest::Client,
    bases: BTreeMap<&'static str, String>,
}

impl Api {
    /// A client of the services at `bases` (name to base URL).
    pub fn new(bases: BTreeMap<&'static str, String>) -> Result<Self, reqwest::Error> {
        let http = reqwest::Client::builder()
            .connect_timeout(CONNECT_TIMEOUT)
            .timeout(REQUEST_TIMEOUT)
            .build()?;
        Ok(Self { http, bases })
    }

    /// Whether the store runs `service`.
    pub fn has(&self, service: &str) -> bool {
        self.bases.contains_key(service)
    }

    async fn call(
        &self,
        caller: &Caller,
        service: &'static str,
        method: Method,
        path: &str,
        body: Option<serde_json::Value>,
    ) -> Result<reqwest::Response, ApiFailure> {
        let base = self
            .bases
            .get(service)
            .ok_or(ApiFailure::Disabled(service))?;
        let mut request = self.http.request(method.clone(), format!("{base}{path}"));
        if let Some(token) = &caller.token {
            request = request.bearer_auth(token);
        }
        request = caller.headers(request);
        if let Some(body) = body {
            request = request.json(&body);
        }
        let response = request
            .send()
            .await
            .map_err(|err| ApiFailure::Unavailable {
                service,
                detail: format!("{method} {path}: {err}"),
            })?;
        if response.status().is_success() {
            return Ok(response);
        }
        Err(problem_of(service, response).await)
    }

    /// `GET` read as JSON.
    pub async fn get<T: DeserializeOwned>(
        &self,
        caller: &Caller,
        service: &'static str,
        path: &str,
    ) -> Result<T, ApiFailure> {
        let response = self.call(caller, service, Method::GET, path, None).await?;
        read(service, path, response).await
    }

    /// A call with a JSON body whose answer is read as JSON.
    pub async fn send<T: DeserializeOwned>(
        &self,
        caller: &Caller,
        service: &'static str,
        method: Method,
        path: &str,
        body: &impl Serialize,
    ) -> Result<T, ApiFailure> {
        let body = serde_json::to_value(body).map_err(|err| ApiFailure::Unavailable {
            service,
            detail: format!("cannot encode the body of {path}: {err}"),
        })?;
        let response = self.call(caller, service, method, path, Some(body)).await?;
        read(service, path, response).await
    }

    /// A call whose answer has no body the console needs (204, or ignored).
    pub async fn act(
        &self,
        caller: &Caller,
        service: &'static str,
        method: Method,
        path: &str,
        body: Option<&serde_json::Value>,
    ) -> Result<(), ApiFailure> {
        self.call(caller, service, method, path, body.cloned())
            .await
            .map(drop)
    }

    /// `GET` of a document that is meaningful with an error status too (the gateway's
    /// health is 503 with its body when a service is down).
    pub async fn get_any_status<T: DeserializeOwned>(
        &self,
        caller: &Caller,
        service: &'static str,
        path: &str,
    ) -> Result<T, ApiFailure> {
        let base = self
            .bases
            .get(service)
            .ok_or(ApiFailure::Disabled(service))?;
        let request = caller.headers(self.http.get(format!("{base}{path}")));
        let response = request
            .send()
            .await
            .map_err(|err| ApiFailure::Unavailable {
                service,
                detail: format!("GET {path}: {err}"),
            })?;
        read(service, path, response).await
    }
}

async fn read<T: DeserializeOwned>(
    service: &'static str,
    path: &str,
    response: reqwest::Response,
) -> Result<T, ApiFailure> {
    response
        .json()
        .await
        .map_err(|err| ApiFailure::Unavailable {
            service,
            detail: format!("unreadable answer to {path}: {err}"),
        })
}

/// The problem document of an error answer; a body that is not one becomes a problem
/// with the status's own words.
async fn problem_of(service: &'static str, response: reqwest::Response) -> ApiFailure {
    let status = response.status();
    let text = response.text().await.unwrap_or_default();
    let problem = serde_json::from_str::<Problem>(&text).unwrap_or_else(|_| Problem {
        problem_type: "about:blank".into(),
        title: status
            .canonical_reason()
            .unwrap_or("request failed")
            .to_string(),
        status: status.as_u16(),
        detail: None,
        errors: Vec::new(),
    });
    if status == StatusCode::SERVICE_UNAVAILABLE || status.is_server_error() {
        tracing::warn!(service, status = status.as_u16(), title = %problem.title, "service failed");
    }
    ApiFailure::Problem { service, problem }
}

/// `path?query` from pairs, leaving out empty values.
pub fn with_query(path: &str, pairs: &[(&str, String)]) -> String {
    let query: Vec<(&str, &str)> = pairs
        .iter()
        .filter(|(_, v)| !v.trim().is_empty())
        .map(|(k, v)| (*k, v.trim()))
        .collect();
    if query.is_empty() {
        return path.to_string();
    }
    let encoded = serde_urlencoded::to_string(query).unwrap_or_default();
    format!("{path}?{encoded}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn queries_leave_out_empty_values_and_encode_the_rest() {
        assert_eq!(
            with_query(
                "/api/products",
                &[
                    ("q", "dog food".into()),
                    ("sort", String::new()),
                    ("limit", "12".into())
                ]
            ),
            "/api/products?q=dog+food&limit=12"
        );
        assert_eq!(with_query("/api/pets", &[("q", " ".into())]), "/api/pets");
    }

    #[test]
    fn refusals_are_the_inputs_fault() {
        let failure = |status| ApiFailure::Problem {
            service: "cart",
            problem: Problem {
                problem_type: "about:blank".into(),
                title: "x".into(),
                status,
                detail: None,
                errors: vec![],
            },
        };
        assert!(failure(422).is_refusal());
        assert!(failure(409).is_refusal());
        assert!(!failure(401).is_refusal());
        assert!(!failure(503).is_refusal());
        assert!(!ApiFailure::Disabled("reviews").is_refusal());
    }

    #[test]
    fn the_visitors_address_and_request_id_go_with_every_call() {
        let caller = Caller {
            token: None,
            request_id: Some("req-1".into()),
            client_address: Some("203.0.113.7".into()),
        };
        let request = caller
            .headers(reqwest::Client::new().get("http://users:8081/api/auth/login"))
            .build()
            .expect("a request");
        assert_eq!(
            request.headers()[petstore_contract::CLIENT_ADDRESS_HEADER],
            "203.0.113.7"
        );
        assert_eq!(
            request.headers()[petstore_contract::REQUEST_ID_HEADER],
            "req-1"
        );
    }
}
