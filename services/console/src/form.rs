//! Form posts: the body read as `application/x-www-form-urlencoded`, refused unless it
//! carries the session's form token.

use axum::body::Bytes;
use axum::extract::{FromRequest, Request};
use serde::de::DeserializeOwned;

use crate::error::ConsoleError;
use crate::visit::Visit;

/// A form whose token was checked; `T` reads the other fields (unknown ones ignored).
#[derive(Debug)]
pub struct Form<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequest<S> for Form<T> {
    type Rejection = ConsoleError;

    async fn from_request(request: Request, state: &S) -> Result<Self, Self::Rejection> {
        let visit = request
            .extensions()
            .get::<Visit>()
            .cloned()
            .ok_or(ConsoleError::Internal(
                "the session layer is missing".into(),
            ))?;
        let body = Bytes::from_request(request, state)
            .await
            .map_err(|err| ConsoleError::BadForm(err.body_text()))?;
        parse(&visit.csrf(), &body).map(Form)
    }
}

/// Checks the token in `body` against `expected`, then reads the fields.
pub fn parse<T: DeserializeOwned>(expected: &str, body: &[u8]) -> Result<T, ConsoleError> {
    let pairs: Vec<(String, String)> =
        serde_urlencoded::from_bytes(body).map_err(|err| ConsoleError::BadForm(err.to_string()))?;
    let submitted = pairs
        .iter()
        .find(|(name, _)| name == crate::csrf::FIELD)
        .map_or("", |(_, value)| value.as_str());
    if !crate::csrf::matches(expected, submitted) {
        return Err(ConsoleError::Csrf);
    }
    serde_urlencoded::from_bytes(body).map_err(|err| ConsoleError::BadForm(err.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, serde::Deserialize)]
    struct Login {
        email: String,
    }

    #[test]
    fn a_form_without_the_right_token_is_refused() {
        let err = parse::<Login>("token", b"email=a%40b.c").unwrap_err();
        assert!(matches!(err, ConsoleError::Csrf));
        let err = parse::<Login>("token", b"email=a&csrf=other").unwrap_err();
        assert!(matches!(err, ConsoleError::Csrf));
        let login: Login = parse("token", b"email=a%40b.c&csrf=token").unwrap();
        assert_eq!(login.email, "a@b.c");
    }

    #[test]
    fn a_form_missing_a_field_is_a_bad_form() {
        let err = parse::<Login>("token", b"csrf=token").unwrap_err();
        assert!(matches!(err, ConsoleError::BadForm(_)));
    }
}
