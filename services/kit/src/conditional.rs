//! Conditional and waiting reads: `ETag` / `If-None-Match` (RFC 9110 §8.8.3, §13.1.2) and
//! `Prefer: wait` (RFC 7240 §4.3), as the [`Conditional`] extractor reads them.
//!
//! Neither header can make a request fail: a malformed `If-None-Match` is ignored (the read
//! answers as if unconditional) and so is a malformed or unknown preference, as RFC 7240
//! asks.

use std::time::Duration;

use axum::extract::FromRequestParts;
use axum::http::header::{ETAG, IF_NONE_MATCH};
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderName, HeaderValue};

/// `Prefer` (RFC 7240).
pub const PREFER: HeaderName = HeaderName::from_static("prefer");
/// `Preference-Applied` (RFC 7240).
pub const PREFERENCE_APPLIED: HeaderName = HeaderName::from_static("preference-applied");

/// A strong entity tag: its opaque text, without the quotes.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct ETag(String);

impl ETag {
    /// The tag `"<opaque>"`. `opaque` should be made of visible ASCII without `"` (what
    /// RFC 9110 allows in a tag); other characters are replaced by `_`.
    #[must_use]
    pub fn strong(opaque: &str) -> Self {
        Self(
            opaque
                .chars()
                .map(|c| if is_etagc(c) { c } else { '_' })
                .collect(),
        )
    }

    /// The opaque text.
    #[must_use]
    pub fn opaque(&self) -> &str {
        &self.0
    }

    /// The `ETag` header value (`"<opaque>"`).
    #[must_use]
    pub fn header_value(&self) -> HeaderValue {
        // Only visible ASCII (see `strong`), hence always a valid header value.
        HeaderValue::from_str(&format!("\"{}\"", self.0))
            .unwrap_or_else(|_| HeaderValue::from_static("\"\""))
    }

    /// `(ETag, value)`, to add to a response's headers.
    #[must_use]
    pub fn header(&self) -> (HeaderName, HeaderValue) {
        (ETAG, self.header_value())
    }
}

fn is_etagc(c: char) -> bool {
    c.is_ascii_graphic() && c != '"'
}

/// An `If-None-Match` condition.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum IfNoneMatch {
    /// `*`: any current representation.
    Any,
    /// A list of entity tags (their opaque texts; weakness is irrelevant, since
    /// `If-None-Match` compares weakly).
    Tags(Vec<String>),
}

impl IfNoneMatch {
    /// Reads every `If-None-Match` line of `headers`; `None` when there is none or it is
    /// malformed (then the condition is ignored).
    #[must_use]
    pub fn from_headers(headers: &HeaderMap) -> Option<Self> {
        let mut tags = Vec::new();
        let mut any = false;
        for value in headers.get_all(IF_NONE_MATCH) {
            let text = value.to_str().ok()?;
            if text.trim() == "*" {
                any = true;
            } else {
                tags.extend(parse_tags(text)?);
            }
        }
        match (any, tags.is_empty()) {
            (true, _) => Some(Self::Any),
            (false, false) => Some(Self::Tags(tags)),
            (false, true) => None,
        }
    }

    /// Whether the current representation, tagged `etag`, matches: the read answers
    /// `304 Not Modified` if so (weak comparison, RFC 9110 §8.8.3.2).
    #[must_use]
    pub fn matches(&self, etag: &ETag) -> bool {
        match self {
            Self::Any => true,
            Self::Tags(tags) => tags.iter().any(|t| t == etag.opaque()),
        }
    }
}

/// A comma-separated list of `[W/]"opaque"`; `None` if malformed.
fn parse_tags(text: &str) -> Option<Vec<String>> {
    let mut tags = Vec::new();
    let mut rest = text;
    loop {
        rest = rest.trim_start_matches([' ', '\t', ',']);
        if rest.is_empty() {
            return Some(tags);
        }
        rest = rest.strip_prefix("W/").unwrap_or(rest);
        let body = rest.strip_prefix('"')?;
        let end = body.find('"')?;
        let opaque = &body[..end];
        if !opaque.chars().all(|c| is_etagc(c) || !c.is_ascii()) {
            return None;
        }
        tags.push(opaque.to_string());
        rest = &body[end + 1..];
        let next = rest.trim_start_matches([' ', '\t']);
        if !(next.is_empty() || next.starts_with(',')) {
            return None;
        }
        rest = next;
    }
}

/// The `wait` preference (RFC 7240 §4.3) in whole seconds, from every `Prefer` line of
/// `headers`; `None` when absent or malformed (ignored, never an error). When given more
/// than once, the first counts.
#[must_use]
pub fn wait_preference(headers: &HeaderMap) -> Option<u64> {
    headers
        .get_all(PREFER)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(|text| text.split(','))
        .find_map(|preference| {
            // `token [ BWS "=" BWS word ] *( OWS ";" [ OWS parameter ] )`: only the first
            // part matters for `wait`.
            let head = preference.split(';').next().unwrap_or_default();
            let (name, value) = head.split_once('=')?;
            if !name.trim().eq_ignore_ascii_case("wait") {
                return None;
            }
            let value = value.trim();
            let value = value
                .strip_prefix('"')
                .and_then(|v| v.strip_suffix('"'))
                .unwrap_or(value);
            if value.is_empty() || !value.bytes().all(|b| b.is_ascii_digit()) {
                return None;
            }
            // Too many digits for a u64 is still a (very long) wait.
            Some(value.parse::<u64>().unwrap_or(u64::MAX))
        })
}

/// What a read is conditioned on: `If-None-Match` and `Prefer: wait`, both optional and
/// never rejected.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Conditional {
    /// `If-None-Match`, when given and well-formed.
    pub if_none_match: Option<IfNoneMatch>,
    /// `Prefer: wait=N` (seconds), when given and well-formed.
    pub wait: Option<u64>,
}

impl Conditional {
    /// Reads both headers.
    #[must_use]
    pub fn from_headers(headers: &HeaderMap) -> Self {
        Self {
            if_none_match: IfNoneMatch::from_headers(headers),
            wait: wait_preference(headers),
        }
    }

    /// Whether the representation tagged `etag` is the one the client has (answer 304).
    #[must_use]
    pub fn not_modified(&self, etag: &ETag) -> bool {
        self.if_none_match.as_ref().is_some_and(|c| c.matches(etag))
    }

    /// How long to wait for a change, at most `max`: `None` without a positive `wait`.
    #[must_use]
    pub fn wait_for(&self, max: Duration) -> Option<Duration> {
        match self.wait {
            Some(0) | None => None,
            Some(seconds) => Some(Duration::from_secs(seconds).min(max)),
        }
    }
}

/// The `Preference-Applied` header of a request that waited `waited` (whole seconds).
#[must_use]
pub fn wait_applied(waited: Duration) -> (HeaderName, HeaderValue) {
    let value = HeaderValue::from_str(&format!("wait={}", waited.as_secs()))
        .unwrap_or_else(|_| HeaderValue::from_static("wait"));
    (PREFERENCE_APPLIED, value)
}

impl<S: Send + Sync> FromRequestParts<S> for Conditional {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        Ok(Self::from_headers(&parts.headers))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(pairs: &[(&str, &str)]) -> HeaderMap {
        let mut map = HeaderMap::new();
        for (name, value) in pairs {
            map.append(
                HeaderName::from_bytes(name.as_bytes()).expect("name"),
                HeaderValue::from_str(value).expect("value"),
            );
        }
        map
    }

    fn inm(values: &[&str]) -> Option<IfNoneMatch> {
        let pairs: Vec<_> = values.iter().map(|v| ("if-none-match", *v)).collect();
        IfNoneMatch::from_headers(&headers(&pairs))
    }

    #[test]
    fn etags_are_quoted_and_cleaned() {
        assert_eq!(ETag::strong("1-paid").header_value(), "\"1-paid\"");
        assert_eq!(ETag::strong("a \"b\"").opaque(), "a__b_");
    }

    #[test]
    fn if_none_match_lists_compare_weakly() {
        let etag = ETag::strong("17-paid");
        for matching in [
            &["\"17-paid\""][..],
            &["W/\"17-paid\""],
            &["\"x\", \"17-paid\""],
            &["\"x\"", "\"17-paid\""],
            &["\"x\",W/\"17-paid\" ,"],
            &["*"],
        ] {
            assert!(
                inm(matching).is_some_and(|c| c.matches(&etag)),
                "{matching:?}"
            );
        }
        for other in [&["\"17-pending\""][..], &["\"17-paid-\", \"x\""]] {
            assert!(
                !inm(other).expect("well-formed").matches(&etag),
                "{other:?}"
            );
        }
        assert_eq!(
            inm(&["\"a,b\""]),
            Some(IfNoneMatch::Tags(vec!["a,b".into()]))
        );
    }

    #[test]
    fn a_malformed_if_none_match_is_ignored() {
        for bad in ["17-paid", "\"open", "\"a\" \"b\"", "W/", ""] {
            assert_eq!(inm(&[bad]), None, "{bad:?}");
        }
        assert_eq!(inm(&[]), None);
    }

    #[test]
    fn the_wait_preference_is_read_leniently() {
        let wait = |values: &[&str]| {
            let pairs: Vec<_> = values.iter().map(|v| ("prefer", *v)).collect();
            wait_preference(&headers(&pairs))
        };
        assert_eq!(wait(&["wait=10"]), Some(10));
        assert_eq!(wait(&["WAIT = 5"]), Some(5));
        assert_eq!(wait(&["respond-async, wait=3"]), Some(3));
        assert_eq!(wait(&["return=minimal", "wait=\"7\"; x=y"]), Some(7));
        assert_eq!(wait(&["wait=99999999999999999999999"]), Some(u64::MAX));
        for ignored in [
            "wait",
            "wait=",
            "wait=-1",
            "wait=1.5",
            "wait=soon",
            "waiting=3",
        ] {
            assert_eq!(wait(&[ignored]), None, "{ignored:?}");
        }
        assert_eq!(wait(&[]), None);
    }

    #[test]
    fn waits_are_clamped_and_zero_is_no_wait() {
        let max = Duration::from_secs(25);
        let conditional = |wait| Conditional {
            if_none_match: None,
            wait,
        };
        assert_eq!(conditional(None).wait_for(max), None);
        assert_eq!(conditional(Some(0)).wait_for(max), None);
        assert_eq!(
            conditional(Some(3)).wait_for(max),
            Some(Duration::from_secs(3))
        );
        assert_eq!(conditional(Some(u64::MAX)).wait_for(max), Some(max));
        let (name, value) = wait_applied(Duration::from_secs(3));
        assert_eq!(
            (name.as_str(), value.to_str().ok()),
            ("preference-applied", Some("wait=3"))
        );
    }
}
