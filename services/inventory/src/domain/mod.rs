//! Request and response types of the inventory, and their rules as pure functions.

pub mod movement;
pub mod stock;
pub mod store;
pub mod timezone;
pub mod transfer;

use kit::validate::Validator;

/// Largest quantity accepted in any request (on hand, minimum, delta, transfer): far above
/// any real shelf, low enough that sums never come near overflow.
pub const MAX_QUANTITY: i64 = 1_000_000_000;
/// Longest reason of a stock change or transfer.
pub const REASON_MAX: usize = 500;
/// Longest free-text search term.
pub const SEARCH_MAX: usize = 200;

/// A free-text search term: trimmed, empty means no search.
pub fn search_term(q: Option<&str>, v: &mut Validator) -> Option<String> {
    let q = q.map(str::trim).filter(|q| !q.is_empty())?;
    v.check(
        "q",
        q.chars().count() <= SEARCH_MAX,
        format!("must be at most {SEARCH_MAX} characters"),
    );
    Some(q.to_string())
}

/// A required reason: 1–500 characters.
pub fn check_reason(v: &mut Validator, reason: &str) {
    v.text("reason", reason, 1, REASON_MAX);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn blank_search_is_no_search() {
        let mut v = Validator::new();
        assert_eq!(search_term(Some("  "), &mut v), None);
        assert_eq!(search_term(Some(" kib "), &mut v), Some("kib".into()));
        assert!(v.finish().is_ok());
        let long = "x".repeat(SEARCH_MAX + 1);
        search_term(Some(&long), &mut v);
        assert!(v.finish().is_err());
    }
}
