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
    sqlx::query("SELECT pg_advisory_xact_lock(hashtextextended($1::text, 0))")
        .bind(user_id)
        .execute(db)
        .await?;
    Ok(())
}
