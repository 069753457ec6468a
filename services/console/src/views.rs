//! What every page shares: the frame around it (title, navigation, who is signed in,
//! the form token, the notice its visit carries), rendering, and small display helpers.

use askama::Template;
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};

use crate::error::ConsoleError;
use crate::visit::Visit;

/// The frame of every page.
#[derive(Debug, Clone)]
pub struct Chrome {
    /// The page's title.
    pub title: String,
    /// The signed-in person's name.
    pub user: Option<String>,
    /// Whether they are staff.
    pub admin: bool,
    /// The form token.
    pub csrf: String,
    /// A notice after an action (empty when none).
    pub notice: &'static str,
    /// Which navigation entry is current (`products`, `pets`, `cart`, `orders`, `staff-*`).
    pub section: &'static str,
}

impl Chrome {
    /// The frame for `visit`.
    pub fn new(visit: &Visit, title: impl Into<String>, section: &'static str) -> Self {
        let user = visit.user();
        Self {
            title: title.into(),
            admin: user.as_ref().is_some_and(|u| u.admin),
            user: user.map(|u| u.name),
            csrf: visit.csrf(),
            notice: visit.notice,
            section,
        }
    }

    /// Whether `section` is the current one (for `aria-current`).
    pub fn at(&self, section: &str) -> bool {
        self.section == section
    }

    /// Whether a staff page is shown.
    pub fn staff(&self) -> bool {
        self.section.starts_with("staff")
    }
}

/// A rendered page with status 200.
pub fn render(template: &impl Template) -> Result<Response, ConsoleError> {
    render_with(StatusCode::OK, template)
}

/// A rendered page with `status` (422 for a form shown again with errors).
pub fn render_with(status: StatusCode, template: &impl Template) -> Result<Response, ConsoleError> {
    Ok((status, Html(template.render()?)).into_response())
}

/// A date and time as people read it (`2026-12-01 14:05 UTC`).
pub fn when(at: &chrono::DateTime<chrono::Utc>) -> String {
    at.format("%Y-%m-%d %H:%M UTC").to_string()
}

/// Words for an order status.
pub fn status_words(status: &str) -> &'static str {
    match status {
        "pending" => "Placed, waiting for the store",
        "reserved" => "Reserved, payment under way",
        "paid" => "Paid",
        "shipped" => "Shipped",
        "delivered" => "Delivered",
        "failed" => "Failed",
        "cancelled" => "Cancelled",
        _ => "Unknown",
    }
}

/// A status as a short label (lists, the dashboard).
pub fn status_label(status: &str) -> &'static str {
    match status {
        "pending" => "Pending",
        "reserved" => "Reserved",
        "paid" => "Paid",
        "shipped" => "Shipped",
        "delivered" => "Delivered",
        "failed" => "Failed",
        "cancelled" => "Cancelled",
        _ => "Unknown",
    }
}

/// Whether an order in `status` will still change by itself (the page keeps polling).
pub fn in_flight(status: &str) -> bool {
    matches!(status, "pending" | "reserved")
}

/// `★★★★☆` for a rating of 4.
pub fn stars(rating: i64) -> String {
    let full = rating.clamp(0, 5) as usize;
    format!("{}{}", "★".repeat(full), "☆".repeat(5 - full))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn helpers_read_as_words() {
        assert_eq!(stars(4), "★★★★☆");
        assert_eq!(stars(9), "★★★★★");
        assert_eq!(status_words("paid"), "Paid");
        assert!(in_flight("reserved"));
        assert!(!in_flight("failed"));
    }
}
