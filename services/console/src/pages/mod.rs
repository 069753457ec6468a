//! The pages, one module per group.

pub mod account;
pub mod cart;
pub mod orders;
pub mod pets;
pub mod products;
pub mod staff;

use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use uuid::Uuid;

use crate::error::ConsoleError;

/// A redirect after a form (303, so the browser follows with a GET).
pub fn see_other(path: &str) -> Response {
    Redirect::to(path).into_response()
}

/// A path parameter that must be a UUID; anything else is no page.
pub fn uuid(raw: &str) -> Result<Uuid, ConsoleError> {
    raw.parse().map_err(|_| ConsoleError::NotFound)
}

/// A form that carries only its token (buttons such as "remove" or "deliver").
#[derive(Debug, Deserialize)]
pub struct Empty {}

/// A select's option.
#[derive(Debug, Clone)]
pub struct Choice {
    /// The submitted value.
    pub value: String,
    /// What is shown.
    pub label: String,
    /// Whether it is selected.
    pub selected: bool,
}

impl Choice {
    /// Options from pairs, `current` selected.
    pub fn list(options: &[(&str, &str)], current: &str) -> Vec<Choice> {
        options
            .iter()
            .map(|(value, label)| Choice {
                value: (*value).to_string(),
                label: (*label).to_string(),
                selected: *value == current,
            })
            .collect()
    }
}

/// The sort orders of the catalog's lists.
pub const CATALOG_SORTS: &[(&str, &str)] = &[
    ("-createdAt", "Newest first"),
    ("name", "Name, A to Z"),
    ("-name", "Name, Z to A"),
    ("price", "Price, lowest first"),
    ("-price", "Price, highest first"),
];

/// Minor units of a typed price filter; `Err` holds the message for the field.
pub fn price_filter(text: &str) -> Result<String, String> {
    if text.trim().is_empty() {
        return Ok(String::new());
    }
    crate::money::parse_amount(text, "EUR")
        .map(|minor| minor.to_string())
        .map_err(|err| crate::problem::sentence(&err.to_string()))
}
