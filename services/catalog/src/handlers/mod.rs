//! Thin HTTP handlers: extract, validate, call the store in one transaction with the
//! event, answer.

pub mod categories;
mod items;
pub mod pets;
pub mod products;

use kit::ApiError;
use sqlx::PgExecutor;
use uuid::Uuid;

use crate::store;

/// 422 naming `categoryId` unless the category exists (checked before writing so the
/// client learns which field is wrong rather than meeting a foreign-key error).
pub async fn ensure_category(db: impl PgExecutor<'_>, id: Uuid) -> Result<(), ApiError> {
    if store::categories::exists(db, id).await? {
        Ok(())
    } else {
        Err(unknown_category())
    }
}

/// The error for a `categoryId` that names no category.
pub fn unknown_category() -> ApiError {
    ApiError::invalid("categoryId", "no category has this id")
}
