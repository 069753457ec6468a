//! Transfers: units of one product moved from one store to another.
//!
//! A transfer is immediate: both stock rows, both movements and the transfer record are
//! written in one transaction, so no unit is ever "in transit" and the units of a product
//! summed over all stores only change through admin changes and sales.

use chrono::{DateTime, Utc};
use kit::ApiError;
use kit::validate::Validator;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use super::{MAX_QUANTITY, REASON_MAX};

/// A completed transfer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Transfer {
    /// Id.
    pub id: Uuid,
    /// Store the units left.
    pub from_store_id: Uuid,
    /// Store the units arrived at.
    pub to_store_id: Uuid,
    /// The product.
    pub product_id: Uuid,
    /// Units moved.
    pub quantity: i64,
    /// Why.
    pub reason: String,
    /// The admin who moved them.
    pub actor_id: Option<Uuid>,
    /// When.
    pub created_at: DateTime<Utc>,
}

/// Body of `POST /api/inventory/transfers`.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct NewTransfer {
    /// Source store (open, with enough available units).
    pub from_store_id: Uuid,
    /// Destination store (open, not the source).
    pub to_store_id: Uuid,
    /// The product moved.
    pub product_id: Uuid,
    /// Units, 1 to 1 000 000 000.
    #[schema(minimum = 1, maximum = 1000000000)]
    pub quantity: i64,
    /// Why, at most 500 characters.
    #[serde(default)]
    #[schema(max_length = 500)]
    pub reason: String,
}

impl NewTransfer {
    /// Checks the fields, naming each bad one.
    pub fn validate(&self) -> Result<(), ApiError> {
        let mut v = Validator::new();
        v.range("quantity", self.quantity, 1, MAX_QUANTITY)
            .check(
                "toStoreId",
                self.to_store_id != self.from_store_id,
                "must differ from fromStoreId",
            )
            .optional_text("reason", Some(&self.reason), 0, REASON_MAX);
        v.finish()
    }
}

/// Query of `GET /api/inventory/transfers`.
#[derive(Debug, Clone, Default, Deserialize, IntoParams)]
#[serde(rename_all = "camelCase")]
#[into_params(parameter_in = Query)]
pub struct TransferListParams {
    /// Only transfers from or to this store.
    pub store_id: Option<Uuid>,
    /// Only transfers of this product.
    pub product_id: Option<Uuid>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quantity_and_stores_are_checked() {
        let store = Uuid::new_v4();
        let body = NewTransfer {
            from_store_id: store,
            to_store_id: store,
            product_id: Uuid::new_v4(),
            quantity: 0,
            reason: "x".repeat(REASON_MAX + 1),
        };
        let fields = body.validate().unwrap_err().invalid_fields();
        assert_eq!(fields, ["quantity", "toStoreId", "reason"]);
    }
}
