//! The `login_failures` table: failed logins per (email, client address), and per
//! email over every client (client [`EVERY_CLIENT`]), shared by every replica.

use std::net::IpAddr;

use sqlx::PgPool;

use crate::config::LoginPolicy;

/// The `client` of the row that counts an email's failures from every client.
pub const EVERY_CLIENT: &str = "*";

/// Seconds until `client` may try `email` again, if it is locked out now: by its own
/// failures, or by the email's over every client once this client has failed too.
pub async fn locked_for(
    pool: &PgPool,
    email: &str,
    client: IpAddr,
    policy: LoginPolicy,
) -> Result<Option<i64>, sqlx::Error> {
    sqlx::query_scalar(
        "SELECT max(ceil(extract(epoch FROM f.locked_until - now())))::bigint \
         FROM login_failures f \
         WHERE f.email = $1 AND f.locked_until > now() \
           AND (f.client = $2 OR (f.client = $3 AND EXISTS ( \
                SELECT 1 FROM login_failures own WHERE own.email = $1 AND own.client = $2 \
                AND own.window_started_at > now() - make_interval(secs => $4))))",
    )
    .bind(email)
    .bind(client.to_string())
    .bind(EVERY_CLIENT)
    .bind(policy.window.as_secs_f64())
    .fetch_one(pool)
    .await
}

/// Counts a failed login of `client` for `email`, in its own row and in the email's
/// row over every client, each in one atomic upsert (so concurrent attempts on several
/// replicas are all counted); a failure after the window has passed starts a new
/// window. A count that reaches its limit locks for [`LoginPolicy::lockout`].
pub async fn record_failure(
    pool: &PgPool,
    email: &str,
    client: IpAddr,
    policy: LoginPolicy,
) -> Result<(), sqlx::Error> {
    let counts: Vec<(String, i32)> = sqlx::query_as(
        "INSERT INTO login_failures AS f (email, client, failures, window_started_at) \
         VALUES ($1, $2, 1, now()), ($1, $3, 1, now()) \
         ON CONFLICT (email, client) DO UPDATE SET \
           failures = CASE WHEN f.window_started_at > now() - make_interval(secs => $4) \
                      THEN f.failures + 1 ELSE 1 END, \
           window_started_at = CASE WHEN f.window_started_at > now() - make_interval(secs => $4) \
                      THEN f.window_started_at ELSE now() END \
         RETURNING client, failures",
    )
    .bind(email)
    .bind(client.to_string())
    .bind(EVERY_CLIENT)
    .bind(policy.window.as_secs_f64())
    .fetch_all(pool)
    .await?;
    for (row, failures) in counts {
        let limit = if row == EVERY_CLIENT {
            policy.max_failures_per_email
        } else {
            policy.max_failures
        };
        let failures = u32::try_from(failures).unwrap_or(0);
        if let Some(lockout) = policy.lockout(failures, limit) {
            sqlx::query(
                "UPDATE login_failures SET locked_until = \
                   GREATEST(locked_until, now() + make_interval(secs => $3)) \
                 WHERE email = $1 AND client = $2",
            )
            .bind(email)
            .bind(&row)
            .bind(lockout.as_secs_f64())
            .execute(pool)
            .await?;
        }
    }
    Ok(())
}

/// Forgets `client`'s failures for `email` (after it logged in); the email's count
/// over every client stays, so a guesser elsewhere is still braked.
pub async fn clear(pool: &PgPool, email: &str, client: IpAddr) -> Result<(), sqlx::Error> {
    sqlx::query("DELETE FROM login_failures WHERE email = $1 AND client = $2")
        .bind(email)
        .bind(client.to_string())
        .execute(pool)
        .await
        .map(drop)
}
