//! Access tokens that stop counting at once when their user's role changes.
//!
//! A token carries the role it was issued with, for up to its lifetime. When the users
//! service changes a role it publishes [`USER_ROLE_CHANGED`]; every data service records
//! the change in its own `kit.revocations` table ([`RevocationHandler`], idempotent like
//! every consumer), and each replica keeps the table in memory ([`keep_fresh`], polled
//! every [`REFRESH_INTERVAL`]), where [`crate::auth::TokenVerifier::verify`] refuses
//! the user's tokens issued at or before the change. The user's next refresh gets a
//! token with the new role.

use std::collections::HashMap;
use std::sync::{Arc, RwLock};
use std::time::Duration;

use chrono::{DateTime, Utc};
use sqlx::PgPool;
use tokio_util::sync::CancellationToken;
use uuid::Uuid;

use crate::events::{Envelope, EventHandler, HandlerError};

pub use crate::events::schema::{USER_ROLE_CHANGED, UserRoleChanged};

/// How often each replica reloads the revocations from its database.
pub const REFRESH_INTERVAL: Duration = Duration::from_secs(1);

/// How long a revocation is kept: longer than any access token lives.
pub const KEEP_FOR: Duration = Duration::from_secs(24 * 3600);

/// The revocations a replica knows, by user: tokens issued at or before the instant
/// (seconds since the epoch) are refused. Cheap to clone; clones share the set.
#[derive(Debug, Clone, Default)]
pub struct Revocations(Arc<RwLock<HashMap<Uuid, i64>>>);

impl Revocations {
    /// Whether a token of `user` issued at `issued_at` (seconds) no longer counts.
    pub fn is_revoked(&self, user: Uuid, issued_at: i64) -> bool {
        let set = self
            .0
            .read()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        set.get(&user)
            .is_some_and(|not_before| issued_at <= *not_before)
    }

    fn replace(&self, fresh: HashMap<Uuid, i64>) {
        *self
            .0
            .write()
            .unwrap_or_else(|poisoned| poisoned.into_inner()) = fresh;
    }
}

/// Records [`USER_ROLE_CHANGED`] events in `kit.revocations`.
#[derive(Debug, Clone, Copy)]
pub struct RevocationHandler;

impl EventHandler for RevocationHandler {
    async fn handle(
        &self,
        event: &Envelope,
        tx: &mut sqlx::PgConnection,
    ) -> Result<(), HandlerError> {
        let change: UserRoleChanged =
            serde_json::from_value(event.data.clone()).map_err(HandlerError::permanent)?;
        record(tx, change.user_id, change.changed_at)
            .await
            .map_err(HandlerError::transient)
    }
}

/// Refuses `user`'s tokens issued at or before `at` (a later revocation wins).
///
/// # Errors
/// When the database fails.
pub async fn record(
    conn: &mut sqlx::PgConnection,
    user: Uuid,
    at: DateTime<Utc>,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO kit.revocations (user_id, not_before) VALUES ($1, $2) \
         ON CONFLICT (user_id) DO UPDATE \
         SET not_before = GREATEST(kit.revocations.not_before, EXCLUDED.not_before)",
    )
    .bind(user)
    .bind(at)
    .execute(conn)
    .await
    .map(drop)
}

/// The instant (seconds) at or before which `user`'s tokens are refused, if any: a token
/// issuer stamps new tokens later than it, so a token issued in the same second as a
/// role change, after it, still counts.
///
/// # Errors
/// When the database fails.
pub async fn not_before(
    conn: &mut sqlx::PgConnection,
    user: Uuid,
) -> Result<Option<i64>, sqlx::Error> {
    sqlx::query_scalar(
        "SELECT floor(extract(epoch FROM not_before))::bigint FROM kit.revocations \
         WHERE user_id = $1",
    )
    .bind(user)
    .fetch_optional(conn)
    .await
}

/// Loads the revocations younger than [`KEEP_FOR`] (older ones outlive every token they
/// could refuse) into `revocations`.
///
/// # Errors
/// When the database fails; `revocations` is then left as it was.
pub async fn refresh(pool: &PgPool, revocations: &Revocations) -> Result<(), sqlx::Error> {
    let rows: Vec<(Uuid, i64)> = sqlx::query_as(
        "SELECT user_id, floor(extract(epoch FROM not_before))::bigint FROM kit.revocations \
         WHERE not_before >= now() - make_interval(secs => $1)",
    )
    .bind(KEEP_FOR.as_secs_f64())
    .fetch_all(pool)
    .await?;
    revocations.replace(rows.into_iter().collect());
    Ok(())
}

/// Deletes the revocations older than [`KEEP_FOR`].
///
/// # Errors
/// When the database fails.
pub async fn prune(pool: &PgPool) -> Result<(), sqlx::Error> {
    sqlx::query("DELETE FROM kit.revocations WHERE not_before < now() - make_interval(secs => $1)")
        .bind(KEEP_FOR.as_secs_f64())
        .execute(pool)
        .await
        .map(drop)
}

/// Reloads between two prunings: the table is pruned about once an hour, not on every
/// reload.
const RELOADS_PER_PRUNE: u32 = 3600;

/// Reloads `revocations` every [`REFRESH_INTERVAL`] until `shutdown`, pruning the table
/// now and then; a failed reload is logged and retried on the next tick.
pub async fn keep_fresh(pool: PgPool, revocations: Revocations, shutdown: CancellationToken) {
    let mut ticks = tokio::time::interval(REFRESH_INTERVAL);
    ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    let mut reloads = 0u32;
    loop {
        tokio::select! {
            () = shutdown.cancelled() => return,
            _ = ticks.tick() => {
                if reloads.is_multiple_of(RELOADS_PER_PRUNE)
                    && let Err(err) = prune(&pool).await
                {
                    tracing::warn!(error = %err, "could not prune the token revocations");
                }
                reloads = reloads.wrapping_add(1);
                if let Err(err) = refresh(&pool, &revocations).await {
                    tracing::warn!(error = %err, "could not reload the token revocations");
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_issued_at_or_before_the_change_are_refused() {
        let revocations = Revocations::default();
        let user = Uuid::new_v4();
        revocations.replace(HashMap::from([(user, 1_000)]));
        assert!(revocations.is_revoked(user, 999));
        assert!(revocations.is_revoked(user, 1_000));
        assert!(!revocations.is_revoked(user, 1_001));
        assert!(!revocations.is_revoked(Uuid::new_v4(), 0));
    }
}
