//! Pagination shared by every list endpoint: `limit` (1–100, default 20) and
//! `offset` (≥ 0), answered with the page and the total count.

use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::validate::Validator;

/// Largest page a client may ask for.
pub const MAX_LIMIT: i64 = 100;
/// Page size when the client does not say.
pub const DEFAULT_LIMIT: i64 = 20;

/// The `limit` and `offset` query parameters.
#[derive(Debug, Clone, Copy, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PageParams {
    /// Page size, 1 to 100 (default 20).
    pub limit: Option<i64>,
    /// Number of items to skip (default 0).
    pub offset: Option<i64>,
}

/// A validated page request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Page {
    /// Page size.
    pub limit: i64,
    /// Items skipped.
    pub offset: i64,
}

impl PageParams {
    /// Checks the bounds, recording problems in `v`.
    pub fn validate(&self, v: &mut Validator) -> Page {
        let limit = self.limit.unwrap_or(DEFAULT_LIMIT);
        let offset = self.offset.unwrap_or(0);
        v.range("limit", limit, 1, MAX_LIMIT)
            .range("offset", offset, 0, i64::from(i32::MAX));
        Page { limit, offset }
    }
}

/// One page of a list and how many items there are in all.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct Paginated<T> {
    /// The items of this page.
    pub items: Vec<T>,
    /// Number of items matching the filters, across all pages.
    pub total: i64,
    /// Page size used.
    pub limit: i64,
    /// Items skipped.
    pub offset: i64,
}

impl<T> Paginated<T> {
    /// Wraps a page of items.
    pub fn new(items: Vec<T>, total: i64, page: Page) -> Self {
        Self {
            items,
            total,
            limit: page.limit,
            offset: page.offset,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_and_bounds() {
        let mut v = Validator::new();
        assert_eq!(
            PageParams {
                limit: None,
                offset: None
            }
            .validate(&mut v),
            Page {
                limit: 20,
                offset: 0
            }
        );
        assert!(v.finish().is_ok());
        PageParams {
            limit: Some(101),
            offset: Some(-1),
        }
        .validate(&mut v);
        let fields: Vec<_> = v
            .finish()
            .unwrap_err()
            .problem()
            .errors
            .into_iter()
            .map(|e| e.field)
            .collect();
        assert_eq!(fields, ["limit", "offset"]);
    }
}
