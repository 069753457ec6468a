//! What pets and products share as items of the catalog: an admin creates, changes and
//! deletes one in a transaction with its event, under a category that must exist. The
//! handlers of each keep their own parsing and documentation and call these.

use kit::ApiError;
use kit::error::ResultExt;
use kit::record::{self, Fields, Record};
use serde::Serialize;
use uuid::Uuid;

use super::{ensure_category, unknown_category};
use crate::state::AppState;

/// An item of the catalog, as its handlers write it.
pub trait Item: Sized + Send + Sync {
    /// Its writable fields.
    type Fields: Fields + PartialEq + Send + Sync;
    /// Its row in the store.
    type Row: Record<Item = Self>;
    /// What its `created` and `deleted` events carry.
    type Event: Serialize + Sync + for<'a> From<&'a Self>;
    /// What its `updated` event carries.
    type Updated: Serialize + Sync;

    /// What a 404 names (`pet`, `product`).
    const NAME: &'static str;
    /// The type of the event of a creation.
    const CREATED: &'static str;
    /// The type of the event of a change.
    const UPDATED: &'static str;
    /// The type of the event of a deletion.
    const DELETED: &'static str;
    /// The foreign key of its category.
    const CATEGORY_FKEY: &'static str;

    /// Its current fields.
    fn fields(&self) -> Self::Fields;
    /// The category the fields put it in.
    fn category(fields: &Self::Fields) -> Uuid;
    /// Checks (normalized) fields, naming each bad one.
    fn validate(fields: &Self::Fields) -> Result<(), ApiError>;
    /// The `updated` event of a change from `before` to `after`.
    fn updated(before: &Self, after: &Self) -> Self::Updated;
    /// The item's own constraint violations as the client's errors (a product's SKU);
    /// none by default.
    fn on_conflict<T>(written: Result<T, ApiError>) -> Result<T, ApiError> {
        written
    }
}

/// The 404 of an item that does not exist.
pub fn not_found<I: Item>() -> ApiError {
    ApiError::not_found(I::NAME)
}

/// A write's result with constraint violations named for the client.
fn named<I: Item, T>(written: Result<T, sqlx::Error>) -> Result<T, ApiError> {
    I::on_conflict(written.on_constraint(I::CATEGORY_FKEY, unknown_category))
}

/// Creates an item from (normalized) fields, with its `created` event.
pub async fn create<I: Item>(state: &AppState, fields: I::Fields) -> Result<I, ApiError> {
    I::validate(&fields)?;
    let mut tx = state.pool.begin().await?;
    ensure_category(&mut *tx, I::category(&fields)).await?;
    let item = named::<I, _>(record::insert::<I::Row, _>(&mut *tx, &fields).await)?;
    state
        .outbox
        .enqueue(&mut tx, I::CREATED, &I::Event::from(&item))
        .await?;
    tx.commit().await?;
    Ok(item)
}

/// Changes item `id` to the fields `change` makes of its current ones, with its `updated`
/// event; an unchanged item is answered as it is, without an event.
pub async fn update<I: Item>(
    state: &AppState,
    id: Uuid,
    change: impl FnOnce(&I::Fields) -> I::Fields,
) -> Result<I, ApiError> {
    let mut tx = state.pool.begin().await?;
    let before = record::get_for_update::<I::Row>(&mut *tx, id)
        .await?
        .ok_or_else(not_found::<I>)?;
    let current = before.fields();
    let fields = change(&current);
    I::validate(&fields)?;
    if fields == current {
        return Ok(before);
    }
    if I::category(&fields) != I::category(&current) {
        ensure_category(&mut *tx, I::category(&fields)).await?;
    }
    let after = named::<I, _>(record::update::<I::Row, _>(&mut *tx, id, &fields).await)?
        .ok_or_else(not_found::<I>)?;
    state
        .outbox
        .enqueue(&mut tx, I::UPDATED, &I::updated(&before, &after))
        .await?;
    tx.commit().await?;
    Ok(after)
}

/// Deletes item `id`, with its `deleted` event.
pub async fn delete<I: Item>(state: &AppState, id: Uuid) -> Result<(), ApiError> {
    let mut tx = state.pool.begin().await?;
    let item = record::delete::<I::Row>(&mut *tx, id)
        .await?
        .ok_or_else(not_found::<I>)?;
    state
        .outbox
        .enqueue(&mut tx, I::DELETED, &I::Event::from(&item))
        .await?;
    tx.commit().await?;
    Ok(())
}
