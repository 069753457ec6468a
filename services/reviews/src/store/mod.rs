//! SQL, and nothing else. Functions take a connection (or anything that executes), so a
//! handler can run a change and its outbox event in one transaction.

pub mod purchases;
pub mod reviews;

use sqlx::PgExecutor;
use uuid::Uuid;

/// Serializes, for the rest of the transaction, everything that decides whether a user's
/// reviews are verified: a review written while the user's order is being recorded is
/// then either seen by the order or sees it, never neither.
pub async fn lock_user(db: impl PgExecutor<'_>, user_id: Uuid) -> Result<(), sqlx::Error> {
    kit::sql::advisory_xact_lock(db, "reviews.verified", user_id).await
}
