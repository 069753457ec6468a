//! Driving a service over HTTP in a test: one request helper and the reply it reads.

use reqwest::{Method, StatusCode};
use serde_json::Value;

/// A response: status, headers of interest and JSON body (`Null` when empty, a string
/// when not JSON).
#[derive(Debug)]
pub struct Reply {
    /// Status code.
    pub status: StatusCode,
    /// JSON body.
    pub body: Value,
    /// `Content-Type` (empty when absent).
    pub content_type: String,
    /// `Location`, if any.
    pub location: Option<String>,
}

impl Reply {
    /// The fields named by a problem document.
    pub fn fields(&self) -> Vec<String> {
        self.body["errors"]
            .as_array()
            .map(|errors| {
                errors
                    .iter()
                    .filter_map(|e| e["field"].as_str().map(str::to_string))
                    .collect()
            })
            .unwrap_or_default()
    }

    /// Asserts a problem with `status` naming `field` (none checked when empty).
    #[track_caller]
    pub fn assert_problem(&self, status: u16, field: &str) {
        assert_eq!(self.status.as_u16(), status, "{:#}", self.body);
        assert_eq!(self.content_type, "application/problem+json");
        if !field.is_empty() {
            assert!(
                self.fields().iter().any(|f| f == field),
                "expected {field} in {:#}",
                self.body
            );
        }
    }

    /// The `id` of a created resource.
    #[track_caller]
    pub fn id(&self) -> String {
        self.body["id"].as_str().expect("an id").to_string()
    }

    /// The ids of a page's items, in order.
    #[track_caller]
    pub fn ids(&self) -> Vec<String> {
        self.pluck("id")
    }

    /// A string field of each of the body's `items`, in order.
    #[track_caller]
    pub fn pluck(&self, field: &str) -> Vec<String> {
        self.items()
            .iter()
            .map(|i| i[field].as_str().expect(field).to_string())
            .collect()
    }

    /// The first of the body's `items` whose `field` is `value`.
    #[track_caller]
    pub fn item_with(&self, field: &str, value: &str) -> Value {
        self.items()
            .iter()
            .find(|i| i[field] == value)
            .cloned()
            .unwrap_or_else(|| panic!("no item with {field} {value} in {:#}", self.body))
    }

    #[track_caller]
    fn items(&self) -> &Vec<Value> {
        self.body["items"].as_array().expect("items")
    }
}

/// Sends a request to `url` with an optional bearer token, extra headers and raw JSON
/// body, and reads the reply.
///
/// # Panics
/// If the request cannot be sent or its body read.
pub async fn send(
    client: &reqwest::Client,
    method: Method,
    url: String,
    token: Option<&str>,
    body: Option<String>,
    headers: &[(&str, &str)],
) -> Reply {
    let mut request = client.request(method, url);
    if let Some(token) = token {
        request = request.bearer_auth(token);
    }
    for (name, value) in headers {
        request = request.header(*name, *value);
    }
    if let Some(body) = body {
        request = request
            .header("content-type", "application/json")
            .body(body);
    }
    let response = request.send().await.expect("request");
    let status = response.status();
    let header = |name: &str| {
        response
            .headers()
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(str::to_string)
    };
    let content_type = header("content-type").unwrap_or_default();
    let location = header("location");
    let text = response.text().await.expect("body");
    let body = if text.is_empty() {
        Value::Null
    } else {
        serde_json::from_str(&text).unwrap_or(Value::String(text))
    };
    Reply {
        status,
        body,
        content_type,
        location,
    }
}
