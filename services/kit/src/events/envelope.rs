//! The wire format of every event.

use chrono::{DateTime, SubsecRound, Utc};
use serde::{Deserialize, Serialize, de::DeserializeOwned};
use uuid::Uuid;

/// Wire format of every event.
///
/// Serialized as `{ "id", "type", "occurred_at", "source", "data" }`; `occurred_at` is an
/// RFC 3339 UTC timestamp.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Envelope {
    /// Unique id of the event; consumers deduplicate on it.
    pub id: Uuid,
    /// Event type, e.g. `order.created`; also the routing key.
    #[serde(rename = "type")]
    pub event_type: String,
    /// When the event happened (RFC 3339, UTC).
    pub occurred_at: DateTime<Utc>,
    /// Name of the service that emitted the event.
    pub source: String,
    /// Event-specific payload.
    pub data: serde_json::Value,
}

impl Envelope {
    /// Builds a new envelope with a fresh id, stamped now.
    ///
    /// # Errors
    /// Fails if `data` cannot be represented as JSON.
    pub fn new(
        source: &str,
        event_type: &str,
        data: &impl Serialize,
    ) -> Result<Self, serde_json::Error> {
        Ok(Self {
            id: Uuid::new_v4(),
            event_type: event_type.to_owned(),
            // PostgreSQL keeps microseconds; truncating here means a consumer that stores the
            // timestamp reads back exactly the value that went over the wire.
            occurred_at: Utc::now().trunc_subsecs(6),
            source: source.to_owned(),
            data: serde_json::to_value(data)?,
        })
    }

    /// Deserializes the payload into the event's data type.
    ///
    /// # Errors
    /// Fails if the payload does not have the expected shape.
    pub fn data_as<T: DeserializeOwned>(&self) -> Result<T, serde_json::Error> {
        T::deserialize(&self.data)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, Serialize, Deserialize, PartialEq)]
    struct Created {
        order_id: u32,
    }

    #[test]
    fn round_trips_through_json_with_type_field() {
        let env = Envelope::new("orders", "order.created", &Created { order_id: 7 }).unwrap();
        let json = serde_json::to_value(&env).unwrap();
        assert_eq!(json["type"], "order.created");
        assert_eq!(json["source"], "orders");
        let back: Envelope = serde_json::from_value(json).unwrap();
        assert_eq!(back, env);
        assert_eq!(back.data_as::<Created>().unwrap(), Created { order_id: 7 });
    }

    #[test]
    fn occurred_at_is_rfc3339_utc() {
        let env = Envelope::new("orders", "order.created", &()).unwrap();
        let json = serde_json::to_value(&env).unwrap();
        let text = json["occurred_at"].as_str().unwrap();
        assert!(text.ends_with('Z'), "{text}");
        assert!(DateTime::parse_from_rfc3339(text).is_ok());
    }
}
