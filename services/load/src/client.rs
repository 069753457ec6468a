//! Requests to the target, each measured under the name of its endpoint.

use std::sync::Arc;
use std::time::{Duration, Instant};

use reqwest::{Method, StatusCode};
use serde_json::Value;

use crate::metrics::{Metrics, Outcome};
use crate::target::Target;

/// Why a request did not give what the scenario needed.
#[derive(Debug, thiserror::Error)]
pub enum CallError {
    /// No answer.
    #[error("{endpoint}: no answer ({cause})")]
    Transport {
        /// Endpoint name.
        endpoint: &'static str,
        /// The client's error.
        cause: String,
    },
    /// An answer with a status the scenario did not expect.
    #[error("{endpoint}: unexpected status {status}")]
    Status {
        /// Endpoint name.
        endpoint: &'static str,
        /// The status.
        status: StatusCode,
        /// `Retry-After` seconds of a 429 or 503, if given.
        retry_after: Option<u64>,
    },
    /// An expected answer whose body lacks what the scenario reads from it.
    #[error("{endpoint}: unexpected body ({what})")]
    Body {
        /// Endpoint name.
        endpoint: &'static str,
        /// What was missing.
        what: String,
    },
}

impl CallError {
    /// How long the server asked us to wait, if it did.
    pub fn retry_after(&self) -> Option<Duration> {
        match self {
            Self::Status {
                retry_after: Some(seconds),
                ..
            } => Some(Duration::from_secs(*seconds)),
            _ => None,
        }
    }

    /// The status of an unexpected answer.
    pub fn status(&self) -> Option<StatusCode> {
        match self {
            Self::Status { status, .. } => Some(*status),
            _ => None,
        }
    }
}

/// An expected answer.
#[derive(Debug, Clone)]
pub struct Reply {
    /// Endpoint name, for errors about the body.
    pub endpoint: &'static str,
    /// Status.
    pub status: StatusCode,
    /// The JSON body (`Null` when empty or not JSON).
    pub body: Value,
}

impl Reply {
    /// A string field of the body.
    pub fn str(&self, field: &str) -> Result<&str, CallError> {
        self.body
            .get(field)
            .and_then(Value::as_str)
            .ok_or_else(|| self.missing(field))
    }

    /// The `items` of a page (empty when absent).
    pub fn items(&self) -> &[Value] {
        self.body
            .get("items")
            .and_then(Value::as_array)
            .map(Vec::as_slice)
            .unwrap_or_default()
    }

    /// The error naming a missing field.
    pub fn missing(&self, field: &str) -> CallError {
        CallError::Body {
            endpoint: self.endpoint,
            what: format!("no {field}"),
        }
    }
}

/// One request to make.
#[derive(Debug, Clone)]
pub struct Call {
    endpoint: &'static str,
    method: Method,
    path: String,
    body: Option<Value>,
    token: Option<String>,
    expect: &'static [u16],
}

impl Call {
    /// A request named `endpoint` (e.g. `GET /api/products/{id}`) for `path` (with its query).
    pub fn new(endpoint: &'static str, method: Method, path: impl Into<String>) -> Self {
        Self {
            endpoint,
            method,
            path: path.into(),
            body: None,
            token: None,
            expect: &[200],
        }
    }

    /// A GET.
    pub fn get(endpoint: &'static str, path: impl Into<String>) -> Self {
        Self::new(endpoint, Method::GET, path)
    }

    /// A POST with a JSON body.
    pub fn post(endpoint: &'static str, path: impl Into<String>, body: Value) -> Self {
        Self::new(endpoint, Method::POST, path).json(body)
    }

    /// A PUT with a JSON body.
    pub fn put(endpoint: &'static str, path: impl Into<String>, body: Value) -> Self {
        Self::new(endpoint, Method::PUT, path).json(body)
    }

    /// Sends this JSON body.
    pub fn json(mut self, body: Value) -> Self {
        self.body = Some(body);
        self
    }

    /// Sends this bearer token.
    pub fn token(mut self, token: &str) -> Self {
        self.token = Some(token.to_string());
        self
    }

    /// The statuses that are a success here (default: 200).
    pub fn expect(mut self, statuses: &'static [u16]) -> Self {
        self.expect = statuses;
        self
    }
}

/// The measured client of one run: one connection pool to the target for every user.
#[derive(Debug, Clone)]
pub struct Api {
    http: reqwest::Client,
    target: Target,
    metrics: Arc<Metrics>,
}

impl Api {
    /// A client for `target` that records into `metrics`; redirects are never followed,
    /// so no request leaves the target.
    pub fn new(
        target: Target,
        metrics: Arc<Metrics>,
        timeout: Duration,
    ) -> Result<Self, reqwest::Error> {
        let http = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .timeout(timeout)
            .connect_timeout(timeout.min(Duration::from_secs(5)))
            .pool_idle_timeout(Duration::from_secs(30))
            .user_agent(concat!("petstore-load/", env!("CARGO_PKG_VERSION")))
            .build()?;
        Ok(Self {
            http,
            target,
            metrics,
        })
    }

    /// The recorder.
    pub fn metrics(&self) -> &Metrics {
        &self.metrics
    }

    /// The target.
    pub fn target(&self) -> &Target {
        &self.target
    }

    /// Sends `call` and records it; an unexpected status or no answer is an error.
    pub async fn send(&self, call: Call) -> Result<Reply, CallError> {
        let endpoint = call.endpoint;
        let mut request = self.http.request(call.method, self.target.url(&call.path));
        if let Some(token) = &call.token {
            request = request.bearer_auth(token);
        }
        if let Some(body) = &call.body {
            request = request.json(body);
        }
        let started = Instant::now();
        let answer = async {
            let response = request.send().await?;
            let status = response.status();
            let retry_after = response
                .headers()
                .get(reqwest::header::RETRY_AFTER)
                .and_then(|v| v.to_str().ok())
                .and_then(|v| v.trim().parse::<u64>().ok());
            let bytes = response.bytes().await?;
            Ok::<_, reqwest::Error>((status, retry_after, bytes))
        }
        .await;
        let latency = started.elapsed();
        match answer {
            Err(err) => {
                self.metrics.request(endpoint, Outcome::Transport, latency);
                Err(CallError::Transport {
                    endpoint,
                    cause: err.to_string(),
                })
            }
            Ok((status, retry_after, bytes)) => {
                if call.expect.contains(&status.as_u16()) {
                    self.metrics
                        .request(endpoint, Outcome::Expected(status.as_u16()), latency);
                    let body = serde_json::from_slice(&bytes).unwrap_or(Value::Null);
                    Ok(Reply {
                        endpoint,
                        status,
                        body,
                    })
                } else {
                    self.metrics
                        .request(endpoint, Outcome::Unexpected(status.as_u16()), latency);
                    Err(CallError::Status {
                        endpoint,
                        status,
                        retry_after,
                    })
                }
            }
        }
    }
}

/// `text` encoded for a query string.
pub fn query_escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for byte in text.bytes() {
        match byte {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                out.push(byte as char)
            }
            _ => out.push_str(&format!("%{byte:02X}")),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn query_values_are_escaped() {
        assert_eq!(query_escape("dog food"), "dog%20food");
        assert_eq!(query_escape("a+b&c=d/é"), "a%2Bb%26c%3Dd%2F%C3%A9");
        assert_eq!(query_escape("eyJ-_.~"), "eyJ-_.~");
    }
}
