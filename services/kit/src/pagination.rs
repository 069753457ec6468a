//! Pagination shared by every list endpoint.
//!
//! The fast path is a keyset cursor: each page answers `nextCursor`, and `cursor=<it>`
//! fetches the page after it by the index of the list's sort, so page 1,000 costs what
//! page 1 costs. `offset` is still accepted for compatibility (it reads and skips every
//! row before the page). `total` is counted only when asked for with `count=exact`.

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::cursor::Cursor;
use crate::error::ApiError;
use crate::extract::parse_query;
use crate::validate::Validator;

/// Largest page a client may ask for.
pub const MAX_LIMIT: i64 = 100;
/// Page size when the client does not say.
pub const DEFAULT_LIMIT: i64 = 20;

/// What `total` should hold.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum Count {
    /// Count only what is free (the default): `total` is exact when the page reaches the
    /// end of the list from its start, else null.
    #[default]
    None,
    /// Count every matching item (costs a scan of all of them).
    Exact,
}

/// The `limit`, `cursor`, `offset` and `count` query parameters.
#[derive(Debug, Clone, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PageParams {
    /// Page size, 1 to 100 (default 20).
    #[param(minimum = 1, maximum = 100)]
    pub limit: Option<i64>,
    /// Where to start: the `nextCursor` of the previous page (empty: the first page).
    pub cursor: Option<String>,
    /// Items to skip (compatibility; slower than `cursor` on deep pages; not with `cursor`).
    #[param(minimum = 0, maximum = 2147483647)]
    pub offset: Option<i64>,
    /// `exact` to count every match into `total`; by default only a free count is given.
    #[param(inline)]
    pub count: Option<Count>,
}

/// Where a page starts.
#[derive(Debug, Clone, PartialEq)]
pub enum Start {
    /// After skipping this many items (0: the first page).
    Offset(i64),
    /// After the item a cursor names.
    After(Cursor),
}

/// A validated page request.
#[derive(Debug, Clone, PartialEq)]
pub struct Page {
    /// Page size.
    pub limit: i64,
    /// Where the page starts.
    pub start: Start,
    /// Whether `total` must be counted exactly.
    pub count: Count,
}

impl Page {
    /// The first `limit` items, total counted only when free.
    pub fn first(limit: i64) -> Self {
        Self {
            limit,
            start: Start::Offset(0),
            count: Count::None,
        }
    }

    /// Items skipped before this page (0 for a cursor page).
    pub fn offset(&self) -> i64 {
        match self.start {
            Start::Offset(offset) => offset,
            Start::After(_) => 0,
        }
    }
}

impl PageParams {
    /// Checks the bounds and the cursor's shape, recording problems in `v`.
    pub fn validate(&self, v: &mut Validator) -> Page {
        let limit = self.limit.unwrap_or(DEFAULT_LIMIT);
        v.range("limit", limit, 1, MAX_LIMIT);
        // An empty cursor is no cursor: the first page (a client echoing an empty value).
        let cursor = self.cursor.as_deref().filter(|c| !c.is_empty());
        let start = match (cursor, self.offset) {
            (Some(_), Some(_)) => {
                v.push("cursor", "cannot be combined with offset");
                Start::Offset(0)
            }
            (Some(text), None) => match Cursor::decode(text) {
                Ok(cursor) => Start::After(cursor),
                Err(err) => {
                    v.push("cursor", err.to_string());
                    Start::Offset(0)
                }
            },
            (None, offset) => {
                let offset = offset.unwrap_or(0);
                v.range("offset", offset, 0, i64::from(i32::MAX));
                Start::Offset(offset)
            }
        };
        Page {
            limit,
            start,
            count: self.count.unwrap_or_default(),
        }
    }

    /// The page of a list without filters of its own, or a 422 naming each bad parameter.
    pub fn checked(&self) -> Result<Page, ApiError> {
        self.validate_with(|_| ()).map(|((), page)| page)
    }

    /// The page and the validated query of a list: `filters` checks the list's own
    /// parameters in the same [`Validator`] as the page's (so one 422 names every bad
    /// parameter, the page's first) and builds the query, which is returned only when
    /// nothing was bad.
    pub fn validate_with<Q>(
        &self,
        filters: impl FnOnce(&mut Validator) -> Q,
    ) -> Result<(Q, Page), ApiError> {
        let mut v = Validator::new();
        let page = self.validate(&mut v);
        let query = filters(&mut v);
        v.finish()?;
        Ok((query, page))
    }
}

/// The query parameters a list endpoint has of its own (its filters and sort), validated
/// together with the page's.
pub trait ListParams: DeserializeOwned {
    /// The validated filters the store reads.
    type Query;

    /// Checks the list's own parameters, recording problems in `v`, and builds the query
    /// (which is used only when nothing was bad).
    fn filters(&self, v: &mut Validator) -> Self::Query;

    /// The query and the page, or a 422 naming every bad parameter (the page's first).
    fn validate(&self, page: &PageParams) -> Result<(Self::Query, Page), ApiError> {
        page.validate_with(|v| self.filters(v))
    }
}

/// List parameters that parsing alone checks (ids, flags): they are their own query, so
/// `List<Parsed<P>>` extracts them with the validated page.
#[derive(Debug, Clone, Deserialize)]
#[serde(transparent)]
pub struct Parsed<P>(pub P);

impl<P: DeserializeOwned + Clone> ListParams for Parsed<P> {
    type Query = P;

    fn filters(&self, _v: &mut Validator) -> P {
        self.0.clone()
    }
}

/// A validated list request, extracted from the query string: the list's own parameters
/// `P` (validated into [`ListParams::Query`]) and the page. A parameter that does not
/// parse is a 422 naming it, as with [`crate::extract::Query`].
#[derive(Debug)]
pub struct List<P: ListParams> {
    /// The validated filters.
    pub query: P::Query,
    /// The validated page.
    pub page: Page,
}

impl<S: Send + Sync, P: ListParams> FromRequestParts<S> for List<P> {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        let text = parts.uri.query().unwrap_or_default();
        let params: P = parse_query(text)?;
        let page: PageParams = parse_query(text)?;
        let (query, page) = params.validate(&page)?;
        Ok(Self { query, page })
    }
}

/// One page of a list as the store found it.
#[derive(Debug, Clone, PartialEq)]
pub struct PageOf<T> {
    /// The items, at most `limit`.
    pub items: Vec<T>,
    /// The cursor of the next page; `None` at the end of the list.
    pub next_cursor: Option<String>,
    /// Matching items across all pages, where known (see [`Paginated::total`]).
    pub total: Option<i64>,
}

impl<T> PageOf<T> {
    /// The same page with each item converted.
    pub fn map<U>(self, f: impl FnMut(T) -> U) -> PageOf<U> {
        PageOf {
            items: self.items.into_iter().map(f).collect(),
            next_cursor: self.next_cursor,
            total: self.total,
        }
    }

    /// The same page with its items replaced (e.g. by the same items with more detail).
    pub fn with_items<U>(self, items: Vec<U>) -> PageOf<U> {
        PageOf {
            items,
            next_cursor: self.next_cursor,
            total: self.total,
        }
    }

    /// An empty page: nothing matches.
    pub fn empty() -> Self {
        Self {
            items: Vec::new(),
            next_cursor: None,
            total: Some(0),
        }
    }
}

/// One page of a list, as answered.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Paginated<T> {
    /// The items of this page.
    pub items: Vec<T>,
    /// Pass as `cursor` to get the next page; null on the last page.
    pub next_cursor: Option<String>,
    /// Items matching the filters across all pages: always with `count=exact`; without it,
    /// exact whenever this page reaches the end of the list from the list's start (nothing
    /// needs counting then), and null otherwise.
    pub total: Option<i64>,
    /// Page size used.
    pub limit: i64,
    /// Items skipped by `offset` (0 for a cursor page).
    pub offset: i64,
}

impl<T> Paginated<T> {
    /// The answer for `page` of `request`.
    pub fn new(page: PageOf<T>, request: &Page) -> Self {
        Self {
            items: page.items,
            next_cursor: page.next_cursor,
            total: page.total,
            limit: request.limit,
            offset: request.offset(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fields(v: &mut Validator) -> Vec<String> {
        v.finish()
            .map_or_else(|err| err.invalid_fields(), |()| vec![])
    }

    #[test]
    fn defaults_and_bounds() {
        let mut v = Validator::new();
        assert_eq!(PageParams::default().validate(&mut v), Page::first(20));
        assert!(fields(&mut v).is_empty());
        PageParams {
            limit: Some(101),
            offset: Some(-1),
            ..PageParams::default()
        }
        .validate(&mut v);
        assert_eq!(fields(&mut v), ["limit", "offset"]);
    }

    #[test]
    fn filters_are_checked_with_the_page() {
        let bad = PageParams {
            limit: Some(0),
            ..PageParams::default()
        };
        let err = bad
            .validate_with(|v| {
                v.push("rating", "must be 1 to 5");
            })
            .unwrap_err();
        assert_eq!(err.invalid_fields(), ["limit", "rating"]);
        let (query, page) = PageParams::default().validate_with(|_| 7).unwrap();
        assert_eq!((query, page), (7, Page::first(20)));
        assert_eq!(bad.checked().unwrap_err().invalid_fields(), ["limit"]);
        assert_eq!(PageParams::default().checked().unwrap(), Page::first(20));
    }

    #[derive(Debug, Deserialize)]
    struct Stars {
        stars: Option<i64>,
    }

    impl ListParams for Stars {
        type Query = Option<i64>;

        fn filters(&self, v: &mut Validator) -> Option<i64> {
            if let Some(stars) = self.stars {
                v.range("stars", stars, 1, 5);
            }
            self.stars
        }
    }

    async fn list_request(uri: &str) -> Result<List<Stars>, ApiError> {
        let request = axum::http::Request::builder().uri(uri).body(()).unwrap();
        let (mut parts, ()) = request.into_parts();
        List::from_request_parts(&mut parts, &()).await
    }

    #[tokio::test]
    async fn a_list_request_is_parsed_and_validated_from_the_query_string() {
        let List { query, page } = list_request("/x?stars=4&limit=5").await.unwrap();
        assert_eq!(query, Some(4));
        assert_eq!(page, Page::first(5));
        let bad = list_request("/x?stars=9&limit=0").await.unwrap_err();
        assert_eq!(bad.invalid_fields(), ["limit", "stars"]);
        let unparsed = list_request("/x?stars=many").await.unwrap_err();
        assert_eq!(unparsed.invalid_fields(), ["stars"]);
    }

    #[tokio::test]
    async fn parsed_parameters_are_their_own_query() {
        #[derive(Debug, Clone, Deserialize, PartialEq)]
        struct Store {
            store: Option<u32>,
        }
        let request = axum::http::Request::builder()
            .uri("/x?store=7&limit=0")
            .body(())
            .unwrap();
        let (mut parts, ()) = request.into_parts();
        let bad = List::<Parsed<Store>>::from_request_parts(&mut parts, &())
            .await
            .unwrap_err();
        assert_eq!(bad.invalid_fields(), ["limit"]);
        let request = axum::http::Request::builder()
            .uri("/x?store=7")
            .body(())
            .unwrap();
        let (mut parts, ()) = request.into_parts();
        let List { query, page } = List::<Parsed<Store>>::from_request_parts(&mut parts, &())
            .await
            .unwrap();
        assert_eq!(query, Store { store: Some(7) });
        assert_eq!(page, Page::first(20));
    }

    #[test]
    fn cursor_is_checked_and_exclusive_with_offset() {
        let mut v = Validator::new();
        let cursor = Cursor::new("s", vec![serde_json::json!(1)]);
        let page = PageParams {
            cursor: Some(cursor.encode()),
            ..PageParams::default()
        }
        .validate(&mut v);
        assert_eq!(page.start, Start::After(cursor.clone()));
        assert_eq!(page.offset(), 0);
        assert!(fields(&mut v).is_empty());
        PageParams {
            cursor: Some("%%%".into()),
            ..PageParams::default()
        }
        .validate(&mut v);
        assert_eq!(fields(&mut v), ["cursor"]);
        PageParams {
            cursor: Some(cursor.encode()),
            offset: Some(3),
            ..PageParams::default()
        }
        .validate(&mut v);
        assert_eq!(fields(&mut v), ["cursor"]);
    }
}
