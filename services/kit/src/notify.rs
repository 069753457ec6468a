//! `LISTEN` on a connection of its own, for as long as the service runs: the one loop
//! behind the outbox relay's wake-ups and [`crate::watch`].

use std::convert::Infallible;
use std::time::Duration;

use sqlx::PgPool;
use sqlx::postgres::{PgListener, PgPoolOptions};
use tokio_util::sync::CancellationToken;

/// Delay before re-establishing a broken `LISTEN` connection.
pub const LISTEN_RETRY: Duration = Duration::from_secs(1);

/// Listens on `channel` until `shutdown`, calling `heard` with each notification's payload.
///
/// Uses a single connection of its own (made from `pool`'s options), not one of the pool,
/// which a permanently held `LISTEN` would shrink. `missed` is called whenever
/// notifications may have gone unheard: once listening (what was notified before, or
/// while disconnected, was lost) and when the connection fails; it then reconnects after
/// [`LISTEN_RETRY`].
pub async fn listen(
    pool: &PgPool,
    channel: &str,
    shutdown: &CancellationToken,
    mut heard: impl FnMut(&str),
    mut missed: impl FnMut(),
) {
    let own = PgPoolOptions::new()
        .max_connections(1)
        .connect_lazy_with(pool.connect_options().as_ref().clone());
    loop {
        let error = tokio::select! {
            () = shutdown.cancelled() => break,
            result = listen_once(&own, channel, &mut heard, &mut missed) => match result {
                Err(error) => error,
                Ok(never) => match never {},
            },
        };
        tracing::warn!(%error, channel, "LISTEN connection failed; reconnecting");
        missed();
        tokio::select! {
            () = shutdown.cancelled() => break,
            () = tokio::time::sleep(LISTEN_RETRY) => {}
        }
    }
    own.close().await;
}

async fn listen_once(
    pool: &PgPool,
    channel: &str,
    heard: &mut impl FnMut(&str),
    missed: &mut impl FnMut(),
) -> Result<Infallible, sqlx::Error> {
    let mut listener = PgListener::connect_with(pool).await?;
    listener.listen(channel).await?;
    missed();
    loop {
        let notification = listener.recv().await?;
        heard(notification.payload());
    }
}
