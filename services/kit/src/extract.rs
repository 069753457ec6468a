//! Request extractors whose rejections are problems naming the bad field.
//!
//! axum's own `Json`, `Query` and `Path` reject with plain-text bodies; these
//! wrap the same parsing with `serde_path_to_error` so a client learns *which*
//! field was wrong: malformed syntax is 400, a missing or mistyped field is 422.

use axum::body::Bytes;
use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::header::CONTENT_TYPE;
use axum::http::request::Parts;
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::error::{ApiError, FieldError};

/// Largest JSON body a service accepts (the HTTP shell's body limit); larger is a 413.
pub const MAX_BODY_BYTES: usize = 256 * 1024;

/// A JSON request body (requires `Content-Type: application/json`) or a JSON response.
#[derive(Debug, Clone, Copy, Default)]
pub struct Json<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned> FromRequest<S> for Json<T> {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        let is_json = req
            .headers()
            .get(CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.split(';').next())
            .is_some_and(|mime| {
                let mime = mime.trim();
                mime == "application/json" || mime.ends_with("+json")
            });
        if !is_json {
            return Err(ApiError::BadRequest {
                detail: "expected a JSON body with Content-Type: application/json".into(),
                errors: vec![],
            });
        }
        let bytes = Bytes::from_request(req, state).await.map_err(|err| {
            if err.status() == axum::http::StatusCode::PAYLOAD_TOO_LARGE {
                ApiError::PayloadTooLarge {
                    limit: MAX_BODY_BYTES,
                }
            } else {
                ApiError::bad_request(format!("could not read the body: {err}"))
            }
        })?;
        parse_json(&bytes).map(Json)
    }
}

impl<T: Serialize> IntoResponse for Json<T> {
    fn into_response(self) -> Response {
        axum::Json(self.0).into_response()
    }
}

/// Why a text was refused: PostgreSQL cannot store U+0000 in text, so it is refused where
/// it enters, for every field at once, rather than failing later as a database error.
const NUL_MESSAGE: &str = "must not contain the NUL character (U+0000)";

/// The path (as the other errors name fields: `a.b`, `a[0]`) of every string or key in
/// `value` holding a NUL.
fn nul_paths(value: &serde_json::Value, path: &str, found: &mut Vec<String>) {
    use serde_json::Value;
    match value {
        Value::String(text) if text.contains('\0') => found.push(path.to_string()),
        Value::Array(items) => {
            for (i, item) in items.iter().enumerate() {
                nul_paths(item, &format!("{path}[{i}]"), found);
            }
        }
        Value::Object(fields) => {
            for (key, item) in fields {
                let child = if path.is_empty() {
                    key.clone()
                } else {
                    format!("{path}.{key}")
                };
                if key.contains('\0') {
                    found.push(child.clone());
                }
                nul_paths(item, &child, found);
            }
        }
        _ => {}
    }
}

/// A 422 naming every field of a JSON body that holds a NUL, if any does. JSON can carry a
/// NUL only as the escape `\u0000`, so bodies without that text are not looked into.
fn refuse_nul_json(bytes: &[u8]) -> Result<(), ApiError> {
    let escaped = bytes
        .windows(6)
        .any(|w| w[0] == b'\\' && w[1] == b'u' && w[2..].iter().all(|b| *b == b'0'));
    if !escaped {
        return Ok(());
    }
    let Ok(value) = serde_json::from_slice::<serde_json::Value>(bytes) else {
        return Ok(()); // malformed: the typed parse names the problem
    };
    let mut found = Vec::new();
    nul_paths(&value, "", &mut found);
    if found.is_empty() {
        return Ok(());
    }
    Err(ApiError::Validation(
        found
            .into_iter()
            .map(|path| {
                let field = if path.is_empty() { "body".into() } else { path };
                FieldError::new(field, NUL_MESSAGE)
            })
            .collect(),
    ))
}

/// Rewrites every number of `value` that is a whole float in the `i64` range (`3.0`) as
/// that integer.
fn integral_floats_as_integers(value: &mut serde_json::Value) {
    use serde_json::Value;
    match value {
        Value::Number(n) => {
            if let Some(f) = n.as_f64().filter(|_| !n.is_i64() && !n.is_u64())
                && f.fract() == 0.0
                && f >= i64::MIN as f64
                && f < i64::MAX as f64
            {
                #[allow(clippy::cast_possible_truncation)]
                let whole = f as i64;
                *value = Value::from(whole);
            }
        }
        Value::Array(items) => items.iter_mut().for_each(integral_floats_as_integers),
        Value::Object(fields) => fields.values_mut().for_each(integral_floats_as_integers),
        _ => {}
    }
}

/// Parses a JSON document, naming the offending field on failure.
///
/// Every body of the store is a JSON object: an array is refused here, since serde would
/// otherwise read `[a, b]` as a struct's fields in order.
pub fn parse_json<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, ApiError> {
    if bytes.iter().find(|b| !b.is_ascii_whitespace()) == Some(&b'[')
        && serde_json::from_slice::<serde::de::IgnoredAny>(bytes).is_ok()
    {
        return Err(ApiError::invalid("body", "must be a JSON object"));
    }
    refuse_nul_json(bytes)?;
    let mut deserializer = serde_json::Deserializer::from_slice(bytes);
    match serde_path_to_error::deserialize(&mut deserializer) {
        Ok(value) => deserializer
            .end()
            .map(|()| value)
            .map_err(|err| ApiError::bad_request(format!("malformed JSON: {err}"))),
        Err(err)
            if err
                .inner()
                .to_string()
                .starts_with("invalid type: floating point") =>
        {
            // JSON has one number type: `3.0` is the integer 3 to JSON Schema, and so to us.
            let mut value: serde_json::Value = serde_json::from_slice(bytes)
                .map_err(|e| ApiError::bad_request(format!("malformed JSON: {e}")))?;
            integral_floats_as_integers(&mut value);
            serde_path_to_error::deserialize(value).map_err(|err| {
                let path = err.path().to_string();
                ApiError::Validation(vec![field_error(&path, &err.into_inner().to_string())])
            })
        }
        Err(err) => {
            let path = err.path().to_string();
            let inner = err.into_inner();
            // Well-formed JSON of the wrong shape is a 422 naming the field.
            // serde_json files some shape errors (a number where an enum
            // variant belongs) under "syntax", so on that (rare) path the
            // body is checked for being well-formed JSON at all.
            let message = inner.to_string();
            let wrong_shape = serde_json::from_slice::<serde::de::IgnoredAny>(bytes).is_ok();
            match inner.classify() {
                serde_json::error::Category::Data => {
                    Err(ApiError::Validation(vec![field_error(&path, &message)]))
                }
                _ if wrong_shape => Err(ApiError::Validation(vec![field_error(&path, &message)])),
                _ => Err(ApiError::bad_request(format!("malformed JSON: {inner}"))),
            }
        }
    }
}

/// Query-string parameters.
#[derive(Debug, Clone, Copy, Default)]
pub struct Query<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned> FromRequestParts<S> for Query<T> {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        parse_query(parts.uri.query().unwrap_or_default()).map(Query)
    }
}

/// Parses a query string, naming the offending parameter on failure.
pub fn parse_query<T: DeserializeOwned>(query: &str) -> Result<T, ApiError> {
    let with_nul: Vec<FieldError> = form_urlencoded::parse(query.as_bytes())
        .filter(|(name, value)| name.contains('\0') || value.contains('\0'))
        .map(|(name, _)| FieldError::new(name.replace('\0', ""), NUL_MESSAGE))
        .collect();
    if !with_nul.is_empty() {
        return Err(ApiError::Validation(with_nul));
    }
    let deserializer =
        serde_urlencoded::Deserializer::new(form_urlencoded::parse(query.as_bytes()));
    serde_path_to_error::deserialize(deserializer).map_err(|err| {
        let path = err.path().to_string();
        ApiError::Validation(vec![field_error(&path, &err.into_inner().to_string())])
    })
}

/// Path parameters; a malformed one (say, not a UUID) is a 400 naming it.
#[derive(Debug, Clone, Copy, Default)]
pub struct Path<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned + Send> FromRequestParts<S> for Path<T> {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        use axum::extract::path::ErrorKind;
        use axum::extract::rejection::PathRejection;
        match axum::extract::Path::<T>::from_request_parts(parts, state).await {
            Ok(axum::extract::Path(value)) => Ok(Path(value)),
            Err(PathRejection::FailedToDeserializePathParams(err)) => {
                let field_error = match err.kind() {
                    ErrorKind::ParseErrorAtKey {
                        key,
                        value,
                        expected_type,
                    } => FieldError::new(
                        key.clone(),
                        format!("`{value}` is not a valid {}", friendly_type(expected_type)),
                    ),
                    ErrorKind::ParseError {
                        value,
                        expected_type,
                    } => FieldError::new(
                        "path",
                        format!("`{value}` is not a valid {}", friendly_type(expected_type)),
                    ),
                    // A UUID parameter that is not a UUID lands here, with the key.
                    ErrorKind::DeserializeError {
                        key,
                        value,
                        message,
                    } => FieldError::new(key.clone(), format!("`{value}` is not valid: {message}")),
                    other => FieldError::new("path", other.to_string()),
                };
                Err(ApiError::BadRequest {
                    detail: format!(
                        "invalid path parameter {}: {}",
                        field_error.field, field_error.message
                    ),
                    errors: vec![field_error],
                })
            }
            Err(other) => Err(ApiError::internal(other.body_text())),
        }
    }
}

/// Name of the header with which a client makes a create safe to retry.
pub const IDEMPOTENCY_KEY: &str = "Idempotency-Key";
/// Longest accepted `Idempotency-Key`.
pub const IDEMPOTENCY_KEY_MAX: usize = 255;

/// The optional `Idempotency-Key` header: absent is `None`; present, it must be
/// 1–[`IDEMPOTENCY_KEY_MAX`] visible ASCII characters, else a 422 naming `Idempotency-Key`.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct IdempotencyKey(pub Option<String>);

impl IdempotencyKey {
    /// Checks a raw header value (`None` when the header is absent).
    pub fn parse(raw: Option<&axum::http::HeaderValue>) -> Result<Self, ApiError> {
        let Some(raw) = raw else {
            return Ok(Self(None));
        };
        let raw = raw.as_bytes();
        let ok =
            (1..=IDEMPOTENCY_KEY_MAX).contains(&raw.len()) && raw.iter().all(u8::is_ascii_graphic);
        if !ok {
            return Err(ApiError::invalid(
                IDEMPOTENCY_KEY,
                format!("must be 1–{IDEMPOTENCY_KEY_MAX} visible ASCII characters"),
            ));
        }
        Ok(Self(Some(String::from_utf8_lossy(raw).into_owned())))
    }
}

impl<S: Send + Sync> FromRequestParts<S> for IdempotencyKey {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        Self::parse(parts.headers.get(IDEMPOTENCY_KEY))
    }
}

fn friendly_type(rust_type: &str) -> &str {
    match rust_type.rsplit("::").next().unwrap_or(rust_type) {
        "Uuid" => "UUID",
        "i64" | "i32" | "u32" | "u64" => "integer",
        other => other,
    }
}

/// A field error from a serde message. For a missing field the path names
/// its parent, so the field's name is taken from "missing field `x`".
fn field_error(path: &str, message: &str) -> FieldError {
    let message = message
        .split(" at line ")
        .next()
        .unwrap_or(message)
        .to_string();
    let named = message
        .strip_prefix("missing field `")
        .and_then(|rest| rest.split('`').next());
    let field = match (path, named) {
        (".", Some(name)) | ("", Some(name)) => name.to_string(),
        (parent, Some(name)) => format!("{parent}.{name}"),
        (".", None) | ("", None) => "body".to_string(),
        (path, None) => path.to_string(),
    };
    FieldError::new(field, message)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde::Deserialize;

    #[test]
    fn an_array_is_not_an_object() {
        #[derive(Debug, Deserialize)]
        #[allow(dead_code)]
        struct Patch {
            name: Option<String>,
            size: Option<i64>,
        }
        let err = parse_json::<Patch>(b" [null, null]").unwrap_err();
        assert_eq!(err.status().as_u16(), 422);
        assert_eq!(err.problem().errors[0].field, "body");
        // Not JSON at all stays a 400.
        let err = parse_json::<Patch>(b"[").unwrap_err();
        assert_eq!(err.status().as_u16(), 400);
    }

    #[test]
    fn a_whole_float_is_an_integer_and_a_fraction_is_named() {
        #[derive(Debug, Deserialize)]
        struct Body {
            quantity: i64,
            lines: Vec<i64>,
        }
        let body = parse_json::<Body>(br#"{"quantity":73.0,"lines":[1,2.0]}"#).unwrap();
        assert_eq!((body.quantity, body.lines), (73, vec![1, 2]));
        let err = parse_json::<Body>(br#"{"quantity":7.5,"lines":[]}"#).unwrap_err();
        assert_eq!(err.problem().errors[0].field, "quantity");
        assert_eq!(err.status().as_u16(), 422);
    }

    #[test]
    fn a_nul_anywhere_is_a_422_naming_every_field_it_is_in() {
        #[derive(Debug, Deserialize)]
        #[allow(dead_code)]
        struct Body {
            name: String,
            lines: Vec<String>,
        }
        let body = br#"{"name":"a\u0000b","lines":["ok","\u0000"]}"#;
        let err = parse_json::<Body>(body).unwrap_err();
        assert_eq!(err.status().as_u16(), 422);
        let fields = err.invalid_fields();
        assert_eq!(fields, ["lines[1]", "name"]);
        // An escaped backslash followed by "u0000" is six ordinary characters.
        let text = br#"{"name":"a\\u0000","lines":[]}"#;
        assert_eq!(parse_json::<Body>(text).unwrap().name, "a\\u0000");

        #[derive(Debug, Deserialize)]
        #[allow(dead_code)]
        struct Params {
            q: Option<String>,
        }
        let err = parse_query::<Params>("q=%00&x=1").unwrap_err();
        assert_eq!(err.status().as_u16(), 422);
        assert_eq!(err.problem().errors[0].field, "q");
        assert!(parse_query::<Params>("q=cat").is_ok());
    }

    #[derive(Debug, Deserialize)]
    #[serde(deny_unknown_fields)]
    #[allow(dead_code)]
    struct Body {
        name: String,
        price: Price,
    }

    #[derive(Debug, Deserialize)]
    #[allow(dead_code)]
    struct Price {
        amount: i64,
    }

    fn fields(err: ApiError) -> (u16, Vec<String>) {
        let problem = err.problem();
        (
            problem.status,
            problem.errors.into_iter().map(|e| e.field).collect(),
        )
    }

    #[test]
    fn syntax_errors_are_400() {
        let err = parse_json::<Body>(b"{\"name\": ").unwrap_err();
        assert_eq!(err.problem().status, 400);
    }

    #[test]
    fn missing_and_mistyped_fields_are_named() {
        assert_eq!(
            fields(parse_json::<Body>(br#"{"price": {"amount": 1}}"#).unwrap_err()),
            (422, vec!["name".into()])
        );
        assert_eq!(
            fields(
                parse_json::<Body>(br#"{"name": "x", "price": {"amount": "ten"}}"#).unwrap_err()
            ),
            (422, vec!["price.amount".into()])
        );
        assert_eq!(
            fields(parse_json::<Body>(br#"{"name": "x", "price": {}}"#).unwrap_err()),
            (422, vec!["price.amount".into()])
        );
        assert_eq!(
            fields(
                parse_json::<Body>(br#"{"name": "x", "price": {"amount": 1}, "extra": 1}"#)
                    .unwrap_err()
            ),
            (422, vec!["extra".into()])
        );
    }

    #[test]
    fn a_number_where_an_enum_belongs_is_named() {
        #[derive(Debug, Deserialize)]
        #[allow(dead_code)]
        enum Role {
            Admin,
        }
        #[derive(Debug, Deserialize)]
        #[allow(dead_code)]
        struct Change {
            role: Role,
        }
        assert_eq!(
            fields(parse_json::<Change>(br#"{"role": 1}"#).unwrap_err()),
            (422, vec!["role".into()])
        );
        assert_eq!(
            fields(parse_json::<Change>(br#"{"role": "Owner"}"#).unwrap_err()),
            (422, vec!["role".into()])
        );
    }

    #[test]
    fn query_parameters_are_named() {
        #[derive(Debug, Deserialize)]
        #[allow(dead_code)]
        struct Q {
            limit: Option<i64>,
        }
        assert_eq!(
            fields(parse_query::<Q>("limit=many").unwrap_err()),
            (422, vec!["limit".into()])
        );
        assert_eq!(parse_query::<Q>("limit=5").unwrap().limit, Some(5));
    }

    #[test]
    fn idempotency_keys_are_checked() {
        use axum::http::HeaderValue;
        let parse =
            |raw: &[u8]| IdempotencyKey::parse(Some(&HeaderValue::from_bytes(raw).unwrap()));
        assert_eq!(IdempotencyKey::parse(None).unwrap().0, None);
        assert_eq!(parse(b"abc-123").unwrap().0.as_deref(), Some("abc-123"));
        for bad in [
            &b""[..],
            b"has space",
            b"  ",
            "\u{e9}".as_bytes(),
            &[b'k'; 256],
        ] {
            assert_eq!(
                fields(parse(bad).unwrap_err()),
                (422, vec![IDEMPOTENCY_KEY.to_string()])
            );
        }
    }

    #[tokio::test]
    async fn a_malformed_uuid_in_the_path_names_the_parameter() {
        use axum::routing::get;
        use tower::ServiceExt;
        async fn handler(Path(id): Path<uuid::Uuid>) -> String {
            id.to_string()
        }
        let app = axum::Router::new().route("/things/{id}", get(handler));
        let request = axum::http::Request::get("/things/not-a-uuid")
            .body(axum::body::Body::empty())
            .unwrap();
        let response = app.oneshot(request).await.unwrap();
        assert_eq!(response.status(), 400);
        let body = axum::body::to_bytes(response.into_body(), 4096)
            .await
            .unwrap();
        let problem: crate::error::Problem = serde_json::from_slice(&body).unwrap();
        assert_eq!(problem.errors[0].field, "id", "{problem:?}");
    }
}

/// The client's address: what the gateway wrote in
/// [`petstore_contract::CLIENT_ADDRESS_HEADER`], else the TCP peer (a direct call, as in
/// tests). Backends are reachable only through the gateway, which always overwrites the
/// header, so it cannot be chosen by the client.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ClientAddress(pub std::net::IpAddr);

impl<S: Send + Sync> FromRequestParts<S> for ClientAddress {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        let written = parts
            .headers
            .get(petstore_contract::CLIENT_ADDRESS_HEADER)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.trim().parse().ok());
        let peer = || {
            parts
                .extensions
                .get::<axum::extract::ConnectInfo<std::net::SocketAddr>>()
                .map(|info| info.0.ip())
        };
        written
            .or_else(peer)
            .map(ClientAddress)
            .ok_or_else(|| ApiError::internal("the server was started without connection info"))
    }
}
