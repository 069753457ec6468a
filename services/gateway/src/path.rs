//! The one check of a request path before it is forwarded: no segment may walk up or
//! sideways once decoded, so the prefix the router matched is the prefix the
//! backend sees.
//!
//! A backend's URL is built from the raw path, and whatever resolves `..` (and `%2e%2e`)
//! on the way (a URL parser, a proxy in front of the backend, the backend's own router)
//! would let a path such as `/api/auth/%2e%2e/%2e%2e/status` match the users prefix and
//! reach users' `/status`. Refusing such paths when the backend's URL is built
//! ([`crate::routing::Backend::forward_url`]), once, closes that for every backend;
//! [`upstream_path_stays_put`] checks the built URL as well.

use kit::ApiError;
use kit::error::FieldError;

/// Why a path is refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum PathError {
    /// A `.` or `..` segment, written plainly or percent-encoded.
    #[error("the path must not contain `.` or `..` segments")]
    DotSegment,
    /// A `/`, `\` or NUL hidden inside a segment by percent-encoding (or a raw `\`).
    #[error("the path must not contain encoded slashes, backslashes or NUL")]
    HiddenSeparator,
    /// A `%` not followed by two hexadecimal digits.
    #[error("the path has a malformed percent-encoding")]
    BadEncoding,
}

impl From<PathError> for ApiError {
    fn from(err: PathError) -> Self {
        ApiError::BadRequest {
            detail: err.to_string(),
            errors: vec![FieldError::new("path", err.to_string())],
        }
    }
}

/// Checks every segment of `path` (the URI's path, still percent-encoded).
///
/// # Errors
/// The first rule a segment breaks.
pub fn check(path: &str) -> Result<(), PathError> {
    path.split('/').try_for_each(check_segment)
}

fn check_segment(raw: &str) -> Result<(), PathError> {
    if !raw.contains('%') {
        // Nothing encoded: the segment is what it says (no copy on the common path).
        return check_decoded(raw.as_bytes());
    }
    check_decoded(&decode(raw)?)
}

fn check_decoded(decoded: &[u8]) -> Result<(), PathError> {
    if decoded == b"." || decoded == b".." {
        return Err(PathError::DotSegment);
    }
    if decoded.iter().any(|b| matches!(b, b'/' | b'\\' | 0)) {
        return Err(PathError::HiddenSeparator);
    }
    Ok(())
}

/// Percent-decodes one segment (bytes, since the result need not be UTF-8).
fn decode(raw: &str) -> Result<Vec<u8>, PathError> {
    let bytes = raw.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = bytes.get(i + 1..i + 3).ok_or(PathError::BadEncoding)?;
            let text = std::str::from_utf8(hex).map_err(|_| PathError::BadEncoding)?;
            let byte = u8::from_str_radix(text, 16).map_err(|_| PathError::BadEncoding)?;
            out.push(byte);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    Ok(out)
}

/// Whether the URI built for a backend still has exactly `base_path` + `path` as its
/// path: nothing in between resolved, dropped or moved a segment.
pub fn upstream_path_stays_put(uri: &http::Uri, base_path: &str, path: &str) -> bool {
    uri.path()
        .strip_prefix(base_path.trim_end_matches('/'))
        .is_some_and(|rest| rest == path)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ordinary_paths_pass() {
        for path in [
            "/api/products",
            "/api/products/",
            "/api/products/3f2a-77",
            "/api/pets/a%20b",
            "/api/products/..x",
            "/api/products/.well",
            "/api/users/me",
        ] {
            assert_eq!(check(path), Ok(()), "{path}");
        }
    }

    #[test]
    fn dot_segments_are_refused_however_written() {
        for path in [
            "/api/auth/../status",
            "/api/auth/./status",
            "/api/auth/%2e%2e/%2e%2e/status",
            "/api/auth/%2E%2E/status",
            "/api/auth/.%2e/status",
            "/api/auth/%2e./status",
            "/api/products/%2e",
            "/api/products/..",
        ] {
            assert_eq!(check(path), Err(PathError::DotSegment), "{path}");
        }
    }

    #[test]
    fn separators_hidden_in_a_segment_are_refused() {
        for path in [
            "/api/products/a%2fb",
            "/api/products/%2F..%2Fmetrics",
            "/api/products/a%5cb",
            "/api/products/a\\b",
            "/api/products/a%00",
        ] {
            assert_eq!(check(path), Err(PathError::HiddenSeparator), "{path}");
        }
    }

    #[test]
    fn a_broken_escape_is_refused() {
        for path in ["/api/products/%", "/api/products/%2", "/api/products/%zz"] {
            assert_eq!(check(path), Err(PathError::BadEncoding), "{path}");
        }
    }

    #[test]
    fn the_refusal_names_the_path() {
        let problem = ApiError::from(PathError::DotSegment).problem();
        assert_eq!(problem.status, 400);
        assert_eq!(problem.errors[0].field, "path");
    }

    #[test]
    fn a_moved_upstream_path_is_noticed() {
        let uri: http::Uri = "http://users:8081/status".parse().expect("uri");
        assert!(!upstream_path_stays_put(
            &uri,
            "/",
            "/api/auth/../../status"
        ));
        let uri: http::Uri = "http://users:8081/base/api/auth/login"
            .parse()
            .expect("uri");
        assert!(upstream_path_stays_put(&uri, "/base/", "/api/auth/login"));
        assert!(!upstream_path_stays_put(&uri, "/", "/api/auth/login"));
    }
}
