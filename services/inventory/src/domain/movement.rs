//! Movements: the immutable ledger of stock changes.

use chrono::{DateTime, Utc};
use kit::pagination::ListParams;
use kit::validate::Validator;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

/// What caused a movement.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum MovementKind {
    /// An admin set the on-hand quantity or the minimum.
    Set,
    /// An admin added or removed units.
    Adjustment,
    /// Units left for another store.
    TransferOut,
    /// Units arrived from another store.
    TransferIn,
    /// Reserved units were sold (order paid).
    Sale,
    /// Sold units came back (a paid order was cancelled).
    Return,
}

impl MovementKind {
    /// The stored text.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Set => "set",
            Self::Adjustment => "adjustment",
            Self::TransferOut => "transfer_out",
            Self::TransferIn => "transfer_in",
            Self::Sale => "sale",
            Self::Return => "return",
        }
    }

    /// From the stored text.
    pub fn parse(text: &str) -> Option<Self> {
        [
            Self::Set,
            Self::Adjustment,
            Self::TransferOut,
            Self::TransferIn,
            Self::Sale,
            Self::Return,
        ]
        .into_iter()
        .find(|k| k.as_str() == text)
    }
}

/// One change of one stock row: who, when, why, by how much, and the result.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Movement {
    /// Id.
    pub id: Uuid,
    /// The store.
    pub store_id: Uuid,
    /// The product.
    pub product_id: Uuid,
    /// What caused it.
    pub kind: MovementKind,
    /// Change of the on-hand quantity (0 when only the minimum changed).
    pub delta: i64,
    /// On-hand quantity after the change.
    pub on_hand_after: i64,
    /// Why.
    pub reason: String,
    /// The user who made it (absent for changes made by the order saga).
    pub actor_id: Option<Uuid>,
    /// The order, for sales.
    pub order_id: Option<Uuid>,
    /// The transfer, for transfer movements.
    pub transfer_id: Option<Uuid>,
    /// When.
    pub created_at: DateTime<Utc>,
}

/// A movement about to be written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewMovement {
    /// Store.
    pub store_id: Uuid,
    /// Product.
    pub product_id: Uuid,
    /// Cause.
    pub kind: MovementKind,
    /// Change of on hand.
    pub delta: i64,
    /// On hand after.
    pub on_hand_after: i64,
    /// Why.
    pub reason: String,
    /// Who.
    pub actor_id: Option<Uuid>,
    /// Order.
    pub order_id: Option<Uuid>,
    /// Transfer.
    pub transfer_id: Option<Uuid>,
}

/// Query of `GET /api/inventory/movements`.
#[derive(Debug, Clone, Default, Deserialize, IntoParams)]
#[serde(rename_all = "camelCase")]
#[into_params(parameter_in = Query)]
pub struct MovementListParams {
    /// Only this store.
    pub store_id: Option<Uuid>,
    /// Only this product.
    pub product_id: Option<Uuid>,
    /// Only movements at or after this instant (RFC 3339).
    pub from: Option<DateTime<Utc>>,
    /// Only movements before this instant (RFC 3339).
    pub to: Option<DateTime<Utc>>,
}

/// A validated movement query.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct MovementQuery {
    /// Store.
    pub store_id: Option<Uuid>,
    /// Product.
    pub product_id: Option<Uuid>,
    /// Inclusive lower bound.
    pub from: Option<DateTime<Utc>>,
    /// Exclusive upper bound.
    pub to: Option<DateTime<Utc>>,
}

impl ListParams for MovementListParams {
    type Query = MovementQuery;

    fn filters(&self, v: &mut Validator) -> MovementQuery {
        if let (Some(from), Some(to)) = (self.from, self.to) {
            v.check("from", from <= to, "must not be after `to`");
        }
        MovementQuery {
            store_id: self.store_id,
            product_id: self.product_id,
            from: self.from,
            to: self.to,
        }
    }
}

#[cfg(test)]
mod tests {
    use kit::pagination::PageParams;

    use super::*;

    #[test]
    fn kinds_round_trip() {
        for kind in [
            MovementKind::Set,
            MovementKind::Adjustment,
            MovementKind::TransferOut,
            MovementKind::TransferIn,
            MovementKind::Sale,
        ] {
            assert_eq!(MovementKind::parse(kind.as_str()), Some(kind));
            let json = serde_json::to_value(kind).unwrap();
            assert_eq!(json, kind.as_str());
        }
        assert_eq!(MovementKind::parse("theft"), None);
    }

    #[test]
    fn ranges_must_be_ordered() {
        let params = MovementListParams {
            from: Some("2026-02-01T00:00:00Z".parse().unwrap()),
            to: Some("2026-01-01T00:00:00Z".parse().unwrap()),
            ..MovementListParams::default()
        };
        assert_eq!(
            params
                .validate(&PageParams::default())
                .unwrap_err()
                .problem()
                .errors[0]
                .field,
            "from"
        );
    }
}
