//! `kit::watch` against the real PostgreSQL: a committed `pg_notify` wakes the waiters of
//! the id it names, a rolled-back one wakes nobody, and shutdown ends every wait.
#![cfg(feature = "testing")]
#![allow(clippy::unwrap_used)]

use std::time::Duration;

use kit::testing::TestDatabase;
use kit::watch::{Waiter, Watch};
use sqlx::PgPool;
use tokio_util::sync::CancellationToken;
use uuid::Uuid;

const CHANNEL: &str = "kit_watch_test";
const WAIT: Duration = Duration::from_secs(10);
/// Long enough for a notification that was going to arrive to have arrived, for the
/// "nothing happened" checks (which can only pass slowly, never fail by being slow).
const QUIET: Duration = Duration::from_millis(300);

async fn wakes(waiter: &mut Waiter, within: Duration) -> Option<bool> {
    tokio::time::timeout(within, waiter.changed()).await.ok()
}

async fn notify(pool: &PgPool, id: Uuid) {
    sqlx::query("SELECT pg_notify($1, $2::text)")
        .bind(CHANNEL)
        .bind(id)
        .execute(pool)
        .await
        .unwrap();
}

#[tokio::test]
async fn committed_notifications_wake_the_waiters_of_their_id() {
    let db = TestDatabase::create().await;
    let watch = Watch::new(CHANNEL, 100);
    let shutdown = CancellationToken::new();
    let listener = tokio::spawn(watch.clone().listen(db.pool.clone(), shutdown.clone()));

    let (a, b) = (Uuid::new_v4(), Uuid::new_v4());
    let mut first = watch.subscribe(a).unwrap();
    // Once listening, the listener wakes everyone (what came before was not heard).
    assert_eq!(wakes(&mut first, WAIT).await, Some(true), "listening");

    let mut second = watch.subscribe(b).unwrap();
    notify(&db.pool, a).await;
    assert_eq!(wakes(&mut first, WAIT).await, Some(true));
    assert_eq!(wakes(&mut second, QUIET).await, None, "b did not change");

    // Rolled back: never delivered.
    let mut tx = db.pool.begin().await.unwrap();
    sqlx::query("SELECT pg_notify($1, $2::text)")
        .bind(CHANNEL)
        .bind(b)
        .execute(&mut *tx)
        .await
        .unwrap();
    tx.rollback().await.unwrap();
    assert_eq!(wakes(&mut second, QUIET).await, None, "rolled back");

    // A payload that is no id is ignored.
    sqlx::query("SELECT pg_notify($1, 'nonsense')")
        .bind(CHANNEL)
        .execute(&db.pool)
        .await
        .unwrap();
    notify(&db.pool, b).await;
    assert_eq!(wakes(&mut second, WAIT).await, Some(true));

    shutdown.cancel();
    listener.await.unwrap();
    assert_eq!(wakes(&mut first, WAIT).await, Some(false), "closed");
    assert!(watch.subscribe(a).is_none());
    drop((first, second));
    assert_eq!(watch.waiters(), 0);
    db.drop_database().await;
}
