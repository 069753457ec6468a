//! Opaque keyset cursors: where the next page of a list starts.
//!
//! A cursor carries the sort key of the last item of a page (the values of the list's
//! `ORDER BY` expressions, the id last) and a seal: the first 8 bytes of SHA-256 over the
//! list's scope (its filters and sort) and those values. The seal is not a secret: it makes
//! a cursor that was edited, truncated or taken to another list (other filters, another
//! sort) a 422 naming `cursor` instead of a silently wrong page. A cursor forged with a
//! correct seal can only name another position in the same list, which anybody may read.
//!
//! Pure functions only: encoding, decoding and checking against the list's key kinds;
//! the SQL lives in [`crate::sql`].

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use sha2::{Digest, Sha256};

/// Longest cursor accepted, in characters (far above any real one).
pub const MAX_CURSOR_LEN: usize = 1024;
/// Most sort keys a cursor may carry.
const MAX_KEYS: usize = 8;

/// Why a cursor was refused; the message is shown to the client on the `cursor` field.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CursorError {
    /// Not something this API ever produced: bad base64, bad JSON, wrong shape.
    #[error("is not a cursor returned by this list (malformed)")]
    Malformed,
    /// Well-formed, but altered or made for another list (filters or sort changed).
    #[error(
        "does not belong to this list: it was altered, or the filters or sort changed since it was returned"
    )]
    Foreign,
}

/// The kind of a sort key, as PostgreSQL types it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeyKind {
    /// `bigint` (or any integer expression).
    Int,
    /// `text`.
    Text,
    /// `timestamptz`.
    Time,
    /// `uuid`.
    Uuid,
}

impl KeyKind {
    /// The SQL type a bound key value is cast to.
    pub fn sql_type(self) -> &'static str {
        match self {
            Self::Int => "bigint",
            Self::Text => "text",
            Self::Time => "timestamptz",
            Self::Uuid => "uuid",
        }
    }

    /// The value as the text PostgreSQL casts back to [`Self::sql_type`], or `None` when it
    /// is not a value of this kind (so a cursor can never make the database fail).
    pub fn bind_text(self, value: &Value) -> Option<String> {
        match (self, value) {
            (Self::Int, Value::Number(n)) => n.as_i64().map(|n| n.to_string()),
            (Self::Text, Value::String(s)) if !s.contains('\0') => Some(s.clone()),
            (Self::Time, Value::String(s)) => chrono::DateTime::parse_from_rfc3339(s)
                .ok()
                .map(|t| t.to_rfc3339()),
            (Self::Uuid, Value::String(s)) => uuid::Uuid::parse_str(s).ok().map(|u| u.to_string()),
            _ => None,
        }
    }
}

/// A decoded cursor: the sort key of the item the next page starts after.
#[derive(Debug, Clone, PartialEq)]
pub struct Cursor {
    keys: Vec<Value>,
    seal: String,
}

#[derive(Serialize, Deserialize)]
struct Wire {
    k: Vec<Value>,
    s: String,
}

fn seal(scope: &str, keys: &[Value]) -> String {
    let mut hash = Sha256::new();
    hash.update(b"petstore.cursor.v1\0");
    hash.update(scope.as_bytes());
    hash.update(b"\0");
    hash.update(Value::Array(keys.to_vec()).to_string().as_bytes());
    hash.finalize()[..8]
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

impl Cursor {
    /// The cursor after an item whose sort key is `keys`, in the list described by `scope`.
    pub fn new(scope: &str, keys: Vec<Value>) -> Self {
        let seal = seal(scope, &keys);
        Self { keys, seal }
    }

    /// The opaque text handed to clients.
    pub fn encode(&self) -> String {
        let wire = Wire {
            k: self.keys.clone(),
            s: self.seal.clone(),
        };
        URL_SAFE_NO_PAD.encode(serde_json::to_vec(&wire).unwrap_or_default())
    }

    /// Reads a cursor a client sent back; checks its shape, not yet its list.
    pub fn decode(text: &str) -> Result<Self, CursorError> {
        if text.is_empty() || text.len() > MAX_CURSOR_LEN {
            return Err(CursorError::Malformed);
        }
        let bytes = URL_SAFE_NO_PAD
            .decode(text)
            .map_err(|_| CursorError::Malformed)?;
        let wire: Wire = serde_json::from_slice(&bytes).map_err(|_| CursorError::Malformed)?;
        let scalar = |v: &Value| matches!(v, Value::Null | Value::Number(_) | Value::String(_));
        if wire.k.is_empty()
            || wire.k.len() > MAX_KEYS
            || !wire.k.iter().all(scalar)
            || wire.s.len() != 16
        {
            return Err(CursorError::Malformed);
        }
        Ok(Self {
            keys: wire.k,
            seal: wire.s,
        })
    }

    /// The key values as text to bind, one per `kinds` entry, after checking that this
    /// cursor was made for `scope` and that every value is of its kind (`None` only where
    /// the key is `nullable`).
    pub fn bind_values(
        &self,
        scope: &str,
        kinds: &[(KeyKind, bool)],
    ) -> Result<Vec<Option<String>>, CursorError> {
        if seal(scope, &self.keys) != self.seal || self.keys.len() != kinds.len() {
            return Err(CursorError::Foreign);
        }
        self.keys
            .iter()
            .zip(kinds)
            .map(|(value, &(kind, nullable))| match value {
                Value::Null if nullable => Ok(None),
                value => kind.bind_text(value).map(Some).ok_or(CursorError::Foreign),
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    const KINDS: [(KeyKind, bool); 2] = [(KeyKind::Int, false), (KeyKind::Uuid, false)];

    fn sample() -> Cursor {
        Cursor::new(
            "price",
            vec![json!(1999), json!("6f1c2f9e-3f8e-4f55-9d0e-5a1d1f3c2b10")],
        )
    }

    #[test]
    fn round_trips_and_binds() {
        let text = sample().encode();
        let back = Cursor::decode(&text).unwrap();
        assert_eq!(back, sample());
        assert_eq!(
            back.bind_values("price", &KINDS).unwrap(),
            [
                Some("1999".to_string()),
                Some("6f1c2f9e-3f8e-4f55-9d0e-5a1d1f3c2b10".to_string())
            ]
        );
    }

    #[test]
    fn malformed_text_is_refused() {
        for text in ["", "!!!", "bm90IGpzb24", &"A".repeat(MAX_CURSOR_LEN + 1)] {
            assert_eq!(Cursor::decode(text), Err(CursorError::Malformed), "{text}");
        }
        let not_scalar = URL_SAFE_NO_PAD.encode(r#"{"k":[[1]],"s":"0011223344556677"}"#);
        assert_eq!(Cursor::decode(&not_scalar), Err(CursorError::Malformed));
    }

    #[test]
    fn another_list_or_an_edit_is_foreign() {
        let cursor = sample();
        assert_eq!(
            cursor.bind_values("-price", &KINDS),
            Err(CursorError::Foreign)
        );
        let edited = Cursor {
            keys: vec![json!(1), json!("6f1c2f9e-3f8e-4f55-9d0e-5a1d1f3c2b10")],
            seal: cursor.seal.clone(),
        };
        assert_eq!(
            edited.bind_values("price", &KINDS),
            Err(CursorError::Foreign)
        );
    }

    #[test]
    fn a_sealed_value_of_the_wrong_kind_is_refused_before_any_sql() {
        let forged = Cursor::new("price", vec![json!("cheap"), json!("not-a-uuid")]);
        assert_eq!(
            forged.bind_values("price", &KINDS),
            Err(CursorError::Foreign)
        );
        let nul = Cursor::new("t", vec![json!("a\u{0}b")]);
        assert_eq!(
            nul.bind_values("t", &[(KeyKind::Text, false)]),
            Err(CursorError::Foreign)
        );
        let null = Cursor::new("t", vec![Value::Null]);
        assert_eq!(
            null.bind_values("t", &[(KeyKind::Text, true)]).unwrap(),
            [None]
        );
        assert!(null.bind_values("t", &[(KeyKind::Text, false)]).is_err());
    }
}
