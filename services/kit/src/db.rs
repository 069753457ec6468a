//! PostgreSQL: the pool, and migrations (the kit's own, then the service's).

use std::time::Duration;

use petstore_contract::env;
use sqlx::migrate::{MigrateError, Migrator};
use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use sqlx::{Connection, PgPool};

use crate::config::{Env, Secret};

/// How long a pooled connection may sit unused before it is closed. Pools start empty and
/// shrink back to nothing when idle, so a quiet service holds no connection but its
/// relay's `LISTEN` (PostgreSQL's `max_connections` is shared by every service).
pub const IDLE_TIMEOUT: Duration = Duration::from_secs(30);

/// How to reach the service's database.
#[derive(Debug, Clone)]
pub struct DatabaseConfig {
    /// Connection URL (secret: it may hold a password).
    pub url: Secret<String>,
    /// Pool size.
    pub max_connections: u32,
}

impl DatabaseConfig {
    /// Reads `DATABASE_URL` and `DATABASE_MAX_CONNECTIONS` (default 10).
    pub fn from_env(env: &mut Env) -> Option<Self> {
        let url: Option<Secret<String>> = env.required(env::DATABASE_URL);
        let max_connections = env.optional(env::DATABASE_MAX_CONNECTIONS, 10);
        if let Some(Err(err)) = url.as_ref().map(|u| u.expose().parse::<PgConnectOptions>()) {
            env.problem(env::DATABASE_URL, format_args!("is malformed ({err})"));
        }
        Some(Self {
            url: url?,
            max_connections,
        })
    }

    /// A pool that connects on first use, so the process starts (and reports
    /// itself unready) while the database is still coming up.
    pub fn pool(&self) -> Result<PgPool, sqlx::Error> {
        let options: PgConnectOptions = self.url.expose().parse()?;
        Ok(PgPoolOptions::new()
            .max_connections(self.max_connections)
            .min_connections(0)
            .idle_timeout(IDLE_TIMEOUT)
            .acquire_timeout(Duration::from_secs(5))
            .connect_lazy_with(options))
    }
}

/// Applies the kit's migrations (schema `kit`: outbox, processed events) and
/// then the service's own (schema `public`).
///
/// The kit's migrator runs on a connection whose `search_path` is `kit`, so
/// its bookkeeping table lives apart from the service's and the two version
/// sequences never collide.
pub async fn migrate(pool: &PgPool, service: Option<&Migrator>) -> Result<(), MigrateError> {
    let mut conn = pool.acquire().await?.detach();
    sqlx::query("CREATE SCHEMA IF NOT EXISTS kit")
        .execute(&mut conn)
        .await?;
    sqlx::query("SET search_path TO kit")
        .execute(&mut conn)
        .await?;
    crate::events::MIGRATOR.run(&mut conn).await?;
    conn.close().await?;
    if let Some(migrator) = service {
        migrator.run(pool).await?;
    }
    Ok(())
}

/// Whether the database answers within two seconds.
pub async fn ping(pool: &PgPool) -> bool {
    let check = sqlx::query("SELECT 1").execute(pool);
    matches!(
        tokio::time::timeout(Duration::from_secs(2), check).await,
        Ok(Ok(_))
    )
}
