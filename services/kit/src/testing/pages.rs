//! Checks every list endpoint shares: walking by cursor and refusing bad cursors.

use std::future::Future;

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde_json::Value;

use super::Reply;

/// `url` with `name=value` appended (`?` or `&` as needed).
pub fn with_param(url: &str, name: &str, value: &str) -> String {
    let sep = if url.contains('?') { '&' } else { '?' };
    let value: String = form_urlencoded::byte_serialize(value.as_bytes()).collect();
    format!("{url}{sep}{name}={value}")
}

/// Follows `nextCursor` from `url` to the end of the list and returns every item in order.
/// Every page but the last must be full, and the last must say `nextCursor: null`.
///
/// # Panics
/// When a page is not a 200 or breaks those rules.
pub async fn walk<F, Fut>(url: &str, limit: usize, mut get: F) -> Vec<Value>
where
    F: FnMut(String) -> Fut,
    Fut: Future<Output = Reply>,
{
    let first = with_param(url, "limit", &limit.to_string());
    let mut next = first.clone();
    let mut items = Vec::new();
    loop {
        let reply = get(next.clone()).await;
        assert_eq!(reply.status.as_u16(), 200, "{next}: {:#}", reply.body);
        let page = reply.body["items"].as_array().cloned().unwrap_or_default();
        let count = page.len();
        items.extend(page);
        match reply.body["nextCursor"].as_str() {
            Some(cursor) => {
                assert_eq!(count, limit, "only the last page may be short: {next}");
                next = with_param(&first, "cursor", cursor);
            }
            None => {
                assert!(reply.body["nextCursor"].is_null(), "{:#}", reply.body);
                return items;
            }
        }
    }
}

/// A cursor with the same seal but its first key value changed: what a client editing
/// the opaque text would send.
pub fn tampered(cursor: &str) -> String {
    let bytes = URL_SAFE_NO_PAD
        .decode(cursor)
        .expect("a cursor is base64url");
    let mut wire: Value = serde_json::from_slice(&bytes).expect("a cursor is JSON");
    wire["k"][0] = match &wire["k"][0] {
        Value::Number(n) => Value::from(n.as_i64().unwrap_or(0) + 1),
        Value::String(s) => Value::from(format!("{s}0")),
        _ => Value::from(0),
    };
    URL_SAFE_NO_PAD.encode(wire.to_string())
}

/// Asserts that `url` (a list with at least two items) refuses, with a 422 problem naming
/// `cursor`: a malformed cursor, a tampered one, one combined with `offset`, and a valid
/// cursor of the same list under `other` (another sort or filter).
///
/// # Panics
/// When any of them is answered otherwise.
pub async fn assert_cursor_checked<F, Fut>(url: &str, other: &str, mut get: F)
where
    F: FnMut(String) -> Fut,
    Fut: Future<Output = Reply>,
{
    let first = get(with_param(url, "limit", "1")).await;
    let cursor = first.body["nextCursor"]
        .as_str()
        .unwrap_or_else(|| panic!("{url} needs two items: {:#}", first.body))
        .to_string();
    let page = get(with_param(url, "cursor", &cursor)).await;
    assert_eq!(page.status.as_u16(), 200, "{:#}", page.body);
    for bad in [
        with_param(url, "cursor", "not a cursor"),
        with_param(url, "cursor", &cursor[..cursor.len() / 2]),
        with_param(url, "cursor", &tampered(&cursor)),
        with_param(&with_param(url, "cursor", &cursor), "offset", "1"),
        with_param(other, "cursor", &cursor),
    ] {
        get(bad).await.assert_problem(422, "cursor");
    }
}

/// Asserts that walking `url` one item per page by cursor yields exactly the list read in
/// one page (`limit=100`): no item skipped, repeated or out of order.
///
/// # Panics
/// When they differ.
pub async fn assert_walk_is_whole<F, Fut>(url: &str, mut get: F)
where
    F: FnMut(String) -> Fut,
    Fut: Future<Output = Reply>,
{
    let whole = get(with_param(url, "limit", "100")).await;
    assert_eq!(whole.status.as_u16(), 200, "{url}: {:#}", whole.body);
    let items = whole.body["items"].as_array().cloned().unwrap_or_default();
    assert!(!items.is_empty(), "{url} lists nothing to walk");
    assert_eq!(walk(url, 1, &mut get).await, items, "{url}");
}
