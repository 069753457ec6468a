//! PATCH semantics: telling "leave unchanged" (absent) from "clear" (`null`).

use serde::{Deserialize, Deserializer};

/// Deserializes a field that may be absent (outer `None`, with
/// `#[serde(default)]`), `null` (inner `None`) or a value.
///
/// ```ignore
/// #[serde(default, deserialize_with = "kit::patch::nullable")]
/// parent_id: Option<Option<Uuid>>,
/// ```
pub fn nullable<'de, D, T>(deserializer: D) -> Result<Option<Option<T>>, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de>,
{
    Option::<T>::deserialize(deserializer).map(Some)
}

#[cfg(test)]
mod tests {
    use serde::Deserialize;

    #[derive(Debug, Deserialize)]
    struct Patch {
        #[serde(default, deserialize_with = "super::nullable")]
        note: Option<Option<String>>,
    }

    #[test]
    fn absent_null_and_value_differ() {
        let absent: Patch = serde_json::from_str("{}").unwrap();
        let null: Patch = serde_json::from_str(r#"{"note": null}"#).unwrap();
        let value: Patch = serde_json::from_str(r#"{"note": "x"}"#).unwrap();
        assert_eq!(
            (absent.note, null.note, value.note),
            (None, Some(None), Some(Some("x".into())))
        );
    }
}
