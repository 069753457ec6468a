//! The `login_failures` table: failed logins per email, shared by every replica.

use sqlx::PgExecutor;

use crate::config::LoginPolicy;

/// Seconds until `email` may try again, if it is locked out now.
pub async fn locked_for(
    executor: impl PgExecutor<'_>,
    email: &str,
) -> Result<Option<i64>, sqlx::Error> {
    sqlx::query_scalar(
        "SELECT ceil(extract(epoch FROM locked_until - now()))::bigint FROM login_failures \
         WHERE email = $1 AND locked_until > now()",
    )
    .bind(email)
    .fetch_optional(executor)
    .await
}

/// Counts a failed login for `email` in one atomic statement (so concurrent
/// attempts on several replicas are all counted). A failure after the window
/// has passed starts a new window; reaching the limit locks the email for one
/// window.
pub async fn record_failure(
    executor: impl PgExecutor<'_>,
    email: &str,
    policy: LoginPolicy,
) -> Result<(), sqlx::Error> {
    let max_failures = i32::try_from(policy.max_failures).unwrap_or(i32::MAX);
    sqlx::query(
        "INSERT INTO login_failures AS f (email, failures, window_started_at, locked_until) \
         VALUES ($1, 1, now(), CASE WHEN 1 >= $3 THEN now() + make_interval(secs => $2) END) \
         ON CONFLICT (email) DO UPDATE SET \
           failures = CASE WHEN f.window_started_at > now() - make_interval(secs => $2) \
                      THEN f.failures + 1 ELSE 1 END, \
           window_started_at = CASE WHEN f.window_started_at > now() - make_interval(secs => $2) \
                      THEN f.window_started_at ELSE now() END, \
           locked_until = CASE WHEN (CASE WHEN f.window_started_at > now() - make_interval(secs => $2) \
                      THEN f.failures + 1 ELSE 1 END) >= $3 \
                      THEN now() + make_interval(secs => $2) END",
    )
    .bind(email)
    .bind(policy.window.as_secs_f64())
    .bind(max_failures)
    .execute(executor)
    .await
    .map(drop)
}

/// Forgets the failures of `email` (after a successful login).
pub async fn clear(executor: impl PgExecutor<'_>, email: &str) -> Result<(), sqlx::Error> {
    sqlx::query("DELETE FROM login_failures WHERE email = $1")
        .bind(email)
        .execute(executor)
        .await
        .map(drop)
}
