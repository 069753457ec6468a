//! Field validation that reports every bad field at once (422).

use crate::error::{ApiError, FieldError};

/// Longest free-text search term (`q`) a list accepts, in characters.
pub const SEARCH_MAX: usize = 200;

/// Collects field errors; [`Validator::finish`] turns them into one 422 problem.
#[derive(Debug, Default)]
#[must_use = "call finish() to report the errors"]
pub struct Validator {
    errors: Vec<FieldError>,
}

impl Validator {
    /// An empty validator.
    pub fn new() -> Self {
        Self::default()
    }

    /// Records `message` for `field` unless `ok`.
    pub fn check(&mut self, field: &str, ok: bool, message: impl Into<String>) -> &mut Self {
        if !ok {
            self.errors.push(FieldError::new(field, message));
        }
        self
    }

    /// Text whose length in characters (after trimming) lies in `min..=max`.
    pub fn text(&mut self, field: &str, value: &str, min: usize, max: usize) -> &mut Self {
        let len = value.trim().chars().count();
        if len < min {
            let message = if min == 1 {
                "must not be empty".to_string()
            } else {
                format!("must be at least {min} characters")
            };
            self.errors.push(FieldError::new(field, message));
        } else if value.chars().count() > max {
            self.errors.push(FieldError::new(
                field,
                format!("must be at most {max} characters"),
            ));
        }
        self
    }

    /// Optional text: checked only when present.
    pub fn optional_text(
        &mut self,
        field: &str,
        value: Option<&str>,
        min: usize,
        max: usize,
    ) -> &mut Self {
        if let Some(value) = value {
            self.text(field, value, min, max);
        }
        self
    }

    /// An integer within `min..=max`.
    pub fn range(&mut self, field: &str, value: i64, min: i64, max: i64) -> &mut Self {
        if value < min || value > max {
            self.errors.push(FieldError::new(
                field,
                format!("must be between {min} and {max}"),
            ));
        }
        self
    }

    /// A plausible email address: one `@`, a non-empty local part, a dotted domain, no spaces.
    pub fn email(&mut self, field: &str, value: &str) -> &mut Self {
        self.check(field, is_email(value), "must be a valid email address")
    }

    /// An ISO 4217 currency code: three upper-case letters.
    pub fn currency(&mut self, field: &str, value: &str) -> &mut Self {
        self.check(
            field,
            value.len() == 3 && value.bytes().all(|b| b.is_ascii_uppercase()),
            "must be an ISO 4217 currency code such as EUR",
        )
    }

    /// A list's free-text search term: trimmed, and blank means no search; at most
    /// [`SEARCH_MAX`] characters.
    pub fn search(&mut self, field: &str, q: Option<&str>) -> Option<String> {
        let q = q.map(str::trim).filter(|q| !q.is_empty())?;
        self.check(
            field,
            q.chars().count() <= SEARCH_MAX,
            format!("must be at most {SEARCH_MAX} characters"),
        );
        Some(q.to_string())
    }

    /// Adds an error found elsewhere.
    pub fn push(&mut self, field: &str, message: impl Into<String>) -> &mut Self {
        self.errors.push(FieldError::new(field, message));
        self
    }

    /// `Ok` when nothing was recorded, else a 422 naming every field.
    pub fn finish(&mut self) -> Result<(), ApiError> {
        if self.errors.is_empty() {
            Ok(())
        } else {
            Err(ApiError::Validation(std::mem::take(&mut self.errors)))
        }
    }
}

/// Whether `value` looks like an email address a mail server would accept.
pub fn is_email(value: &str) -> bool {
    let Some((local, domain)) = value.split_once('@') else {
        return false;
    };
    value.len() <= 254
        && !local.is_empty()
        && local.len() <= 64
        && !domain.contains('@')
        && domain.split('.').count() >= 2
        && domain.split('.').all(|label| {
            !label.is_empty()
                && label.len() <= 63
                && label
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'-')
        })
        && !value.chars().any(|c| c.is_whitespace() || c.is_control())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn collects_every_error() {
        let err = Validator::new()
            .text("name", "", 1, 10)
            .text("title", "far too long a title", 1, 10)
            .range("price", -1, 0, 100)
            .email("email", "not-an-email")
            .currency("currency", "eur")
            .finish()
            .unwrap_err();
        assert_eq!(
            err.invalid_fields(),
            ["name", "title", "price", "email", "currency"]
        );
    }

    #[test]
    fn emails() {
        for good in ["a@b.co", "first.last+tag@example.org"] {
            assert!(is_email(good), "{good}");
        }
        for bad in [
            "", "a@", "@b.co", "a@b", "a b@c.de", "a@b@c.de", "a@.de", "a@b..de",
        ] {
            assert!(!is_email(bad), "{bad}");
        }
    }

    #[test]
    fn blank_search_is_no_search() {
        let mut v = Validator::new();
        assert_eq!(v.search("q", Some("  ")), None);
        assert_eq!(v.search("q", None), None);
        assert_eq!(v.search("q", Some(" cat ")), Some("cat".into()));
        assert_eq!(v.search("q", Some(" kib ")), Some("kib".into()));
        assert!(v.finish().is_ok());
        let long = "x".repeat(SEARCH_MAX + 1);
        v.search("q", Some(&long));
        assert_eq!(v.finish().unwrap_err().invalid_fields(), ["q"]);
    }

    #[test]
    fn passes_when_clean() {
        assert!(
            Validator::new()
                .text("name", "Rex", 1, 10)
                .range("n", 5, 0, 5)
                .finish()
                .is_ok()
        );
    }
}
