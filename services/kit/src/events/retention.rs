//! Retention of the event bookkeeping: published outbox rows and consumers' processed-event
//! records are deleted once older than their retention, in bounded batches.
//!
//! Unpublished outbox rows are never touched. Why the defaults are what they are, and what
//! they must stay longer than, is in `docs/events.md` ("Retention").

use std::time::Duration;

use petstore_contract::env;
use sqlx::PgPool;
use tokio_util::sync::CancellationToken;

use super::metrics;
use crate::config::Env;
use crate::duration::HumanDuration;
use crate::supervise::WorkerResult;

/// How long a published outbox row is kept after it was published.
pub const DEFAULT_OUTBOX_RETENTION: Duration = Duration::from_secs(86_400);
/// How long a consumer remembers that it processed an event.
pub const DEFAULT_PROCESSED_EVENTS_RETENTION: Duration = Duration::from_secs(7 * 86_400);
/// How often the retention job runs; also how long it waits after start-up.
pub const DEFAULT_RETENTION_INTERVAL: Duration = Duration::from_secs(3_600);
/// The shortest processed-events retention accepted: far beyond the kit's own redelivery
/// delays (seconds), so that a mistyped value cannot make redeliveries apply twice.
pub const MIN_PROCESSED_EVENTS_RETENTION: Duration = Duration::from_secs(3_600);
/// Rows deleted per statement: small enough to hold few locks briefly.
pub const BATCH_SIZE: i64 = 1_000;
/// Statements per table and round: a round deletes at most `BATCH_SIZE × MAX_BATCHES` rows
/// of each table and leaves the rest to the next round.
pub const MAX_BATCHES: u32 = 100;
/// Pause before the next round when a round stopped at its bound with more rows due, so
/// that a busy store's pruning keeps up without any round growing.
pub const CATCH_UP_PAUSE: Duration = Duration::from_secs(1);

/// The retention periods and how often they are enforced.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RetentionConfig {
    /// Age after publication at which an outbox row is deleted.
    pub outbox: Duration,
    /// Age after processing at which a processed-event record is deleted.
    pub processed_events: Duration,
    /// Time between two rounds (and before the first).
    pub interval: Duration,
}

impl Default for RetentionConfig {
    fn default() -> Self {
        Self {
            outbox: DEFAULT_OUTBOX_RETENTION,
            processed_events: DEFAULT_PROCESSED_EVENTS_RETENTION,
            interval: DEFAULT_RETENTION_INTERVAL,
        }
    }
}

impl RetentionConfig {
    /// Reads `OUTBOX_RETENTION`, `PROCESSED_EVENTS_RETENTION` and `RETENTION_INTERVAL`
    /// (durations such as `7d`, `36h`), each defaulting to the constants above; a
    /// processed-events retention under [`MIN_PROCESSED_EVENTS_RETENTION`] or a zero interval
    /// is a problem.
    pub fn from_env(env: &mut Env) -> Self {
        let read = |env: &mut Env, name: &str, default: Duration| {
            env.optional(name, HumanDuration(default)).0
        };
        let config = Self {
            outbox: read(env, env::OUTBOX_RETENTION, DEFAULT_OUTBOX_RETENTION),
            processed_events: read(
                env,
                env::PROCESSED_EVENTS_RETENTION,
                DEFAULT_PROCESSED_EVENTS_RETENTION,
            ),
            interval: read(env, env::RETENTION_INTERVAL, DEFAULT_RETENTION_INTERVAL),
        };
        if config.processed_events < MIN_PROCESSED_EVENTS_RETENTION {
            env.problem(
                env::PROCESSED_EVENTS_RETENTION,
                format_args!(
                    "must be at least {} (longer than any redelivery of an event)",
                    HumanDuration(MIN_PROCESSED_EVENTS_RETENTION)
                ),
            );
        }
        if config.interval.is_zero() {
            env.problem(env::RETENTION_INTERVAL, "must be longer than 0s");
        }
        config
    }
}

/// Rows one round deleted.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Pruned {
    /// Published outbox rows.
    pub outbox: u64,
    /// Processed-event records.
    pub processed_events: u64,
    /// Whether the round reached its bound with rows possibly still due.
    pub more_due: bool,
}

const PRUNE_OUTBOX: &str = "DELETE FROM kit.outbox WHERE id IN (\
     SELECT id FROM kit.outbox \
     WHERE published_at < now() - make_interval(secs => $1) \
     LIMIT $2 FOR UPDATE SKIP LOCKED)";

const PRUNE_PROCESSED: &str = "DELETE FROM kit.processed_events \
     WHERE (consumer, event_id) IN (\
     SELECT consumer, event_id FROM kit.processed_events \
     WHERE processed_at < now() - make_interval(secs => $1) \
     LIMIT $2 FOR UPDATE SKIP LOCKED)";

/// One bounded round: deletes published outbox rows and processed-event records older than
/// their retention, [`BATCH_SIZE`] rows per statement, at most [`MAX_BATCHES`] statements
/// per table.
///
/// Several replicas may prune at once: each skips the rows another is deleting.
///
/// # Errors
/// The first database error; what earlier statements deleted stays deleted.
pub async fn prune(pool: &PgPool, config: &RetentionConfig) -> Result<Pruned, sqlx::Error> {
    let (outbox, outbox_done) = prune_table(pool, PRUNE_OUTBOX, config.outbox).await?;
    metrics::pruned(metrics::TABLE_OUTBOX, outbox);
    let (processed_events, processed_done) =
        prune_table(pool, PRUNE_PROCESSED, config.processed_events).await?;
    metrics::pruned(metrics::TABLE_PROCESSED_EVENTS, processed_events);
    Ok(Pruned {
        outbox,
        processed_events,
        more_due: !(outbox_done && processed_done),
    })
}

/// Deletes in batches until one is short (`true`: nothing more was due) or the round's
/// bound is reached (`false`).
async fn prune_table(
    pool: &PgPool,
    sql: &str,
    retention: Duration,
) -> Result<(u64, bool), sqlx::Error> {
    let full = u64::try_from(BATCH_SIZE).unwrap_or(u64::MAX);
    let mut total = 0;
    for _ in 0..MAX_BATCHES {
        let deleted = sqlx::query(sql)
            .bind(retention.as_secs_f64())
            .bind(BATCH_SIZE)
            .execute(pool)
            .await?
            .rows_affected();
        total += deleted;
        if deleted < full {
            return Ok((total, true));
        }
    }
    Ok((total, false))
}

/// The retention job: a round every `config.interval` (the first one interval after
/// start-up) until `shutdown`. A failed round is logged and the next one tries again.
pub(crate) async fn run(
    pool: PgPool,
    config: RetentionConfig,
    shutdown: CancellationToken,
) -> WorkerResult {
    loop {
        tokio::select! {
            () = shutdown.cancelled() => return Ok(()),
            () = tokio::time::sleep(config.interval) => {}
        }
        // A round is a few short statements: let it finish rather than cut it at shutdown.
        match prune(&pool, &config).await {
            Ok(pruned) => tracing::info!(
                outbox = pruned.outbox,
                processed_events = pruned.processed_events,
                "pruned event bookkeeping past its retention"
            ),
            Err(error) => {
                tracing::warn!(%error, "pruning event bookkeeping failed; next round retries")
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_hold_without_variables() {
        let mut env = Env::from_pairs::<&str, &str>([]);
        assert_eq!(
            RetentionConfig::from_env(&mut env),
            RetentionConfig::default()
        );
        assert!(env.finish(Some(())).is_ok());
    }

    #[test]
    fn variables_override_the_defaults() {
        let mut env = Env::from_pairs([
            ("OUTBOX_RETENTION", "36h"),
            ("PROCESSED_EVENTS_RETENTION", "30d"),
            ("RETENTION_INTERVAL", "15m"),
        ]);
        let config = RetentionConfig::from_env(&mut env);
        assert!(env.finish(Some(())).is_ok());
        assert_eq!(config.outbox, Duration::from_secs(36 * 3600));
        assert_eq!(config.processed_events, Duration::from_secs(30 * 86_400));
        assert_eq!(config.interval, Duration::from_secs(900));
    }

    #[test]
    fn a_processed_events_retention_inside_the_redelivery_window_is_refused() {
        let mut env = Env::from_pairs([
            ("PROCESSED_EVENTS_RETENTION", "10m"),
            ("RETENTION_INTERVAL", "0s"),
            ("OUTBOX_RETENTION", "a week"),
        ]);
        RetentionConfig::from_env(&mut env);
        let problems = env.finish(Some(())).unwrap_err().problems;
        assert_eq!(problems.len(), 3, "{problems:?}");
        assert!(
            problems[0].starts_with("OUTBOX_RETENTION is malformed"),
            "{problems:?}"
        );
        assert_eq!(
            problems[1],
            "PROCESSED_EVENTS_RETENTION must be at least 1h (longer than any redelivery of an event)"
        );
        assert_eq!(problems[2], "RETENTION_INTERVAL must be longer than 0s");
    }

    #[test]
    fn the_defaults_respect_the_minimum() {
        let config = RetentionConfig::default();
        assert!(config.processed_events >= MIN_PROCESSED_EVENTS_RETENTION);
    }
}
