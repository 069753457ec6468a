//! The revocations table against the real PostgreSQL: a reload holds the live
//! revocations only, and pruning removes those that outlived every token.
#![cfg(feature = "testing")]
#![allow(clippy::unwrap_used)]

use chrono::{Duration, Utc};
use kit::revocation::{self, Revocations};
use kit::testing::TestDatabase;
use uuid::Uuid;

#[tokio::test]
async fn a_reload_holds_the_live_revocations_and_pruning_drops_the_stale() {
    let db = TestDatabase::create().await;
    let (stale, live) = (Uuid::new_v4(), Uuid::new_v4());
    let mut conn = db.pool.acquire().await.unwrap();
    revocation::record(&mut conn, stale, Utc::now() - Duration::days(2))
        .await
        .unwrap();
    let changed = Utc::now();
    revocation::record(&mut conn, live, changed).await.unwrap();
    // A later change wins; an earlier one does not move the instant back.
    revocation::record(&mut conn, live, changed - Duration::hours(1))
        .await
        .unwrap();
    drop(conn);

    let revocations = Revocations::default();
    revocation::refresh(&db.pool, &revocations).await.unwrap();
    let now = changed.timestamp();
    assert!(
        revocations.is_revoked(live, now),
        "a token of the change's second is refused"
    );
    assert!(!revocations.is_revoked(live, now + 1));
    assert!(
        !revocations.is_revoked(stale, 0),
        "a stale revocation is not loaded"
    );

    revocation::prune(&db.pool).await.unwrap();
    let left: Vec<Uuid> = sqlx::query_scalar("SELECT user_id FROM kit.revocations")
        .fetch_all(&db.pool)
        .await
        .unwrap();
    assert_eq!(left, vec![live]);
    db.drop_database().await;
}
