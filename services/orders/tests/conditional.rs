//! `GET /api/orders/{id}` as a conditional read (`ETag`, `If-None-Match`, 304) and as a
//! long poll (`Prefer: wait`), woken by changes made through the real paths: the saga
//! consumer, the lifecycle endpoints, and another replica.
#![allow(clippy::unwrap_used)]

mod common;

use std::time::Duration;

use common::App;
use kit::auth::Role;
use kit::events::Envelope;
use kit::service::{DataConfig, run};
use kit::testing::{TestServer, amqp_connect, confirmed_channel, store_config, wait_for_queue};
use orders::{Orders, Settings};
use reqwest::StatusCode;
use reqwest::header::HeaderMap;
use serde_json::{Value, json};
use uuid::Uuid;

/// Long enough that a waiting read answering 304 instead of 200 shows a lost wake-up; a
/// read that is woken answers long before.
const LONG_WAIT: &str = "wait=20";
/// Before changing the order, give the waiting read time to be waiting (the change is seen
/// either way; this only makes the wake-up path, not the first re-read, see it).
const SETTLE: Duration = Duration::from_millis(300);

/// A reply with its headers.
struct Read {
    status: StatusCode,
    headers: HeaderMap,
    body: Value,
}

impl Read {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }

    fn etag(&self) -> String {
        self.header("etag").expect("an ETag").to_string()
    }
}

/// A read of `id` waiting on `etag` (at `base`), and `change` made while it waits: what the
/// read answered and what the change returned.
async fn read_while<T>(
    base: &str,
    id: &str,
    token: &str,
    etag: &str,
    change: impl Future<Output = T>,
) -> (Read, T) {
    let headers = [("If-None-Match", etag), ("Prefer", LONG_WAIT)];
    tokio::join!(read(base, id, token, &headers), async {
        tokio::time::sleep(SETTLE).await;
        change.await
    })
}

async fn read(base: &str, id: &str, token: &str, headers: &[(&str, &str)]) -> Read {
    let mut request = reqwest::Client::new()
        .get(format!("{base}/api/orders/{id}"))
        .bearer_auth(token);
    for (name, value) in headers {
        request = request.header(*name, *value);
    }
    let response = request.send().await.unwrap();
    let status = response.status();
    let headers = response.headers().clone();
    let text = response.text().await.unwrap();
    let body = if text.is_empty() {
        Value::Null
    } else {
        serde_json::from_str(&text).unwrap()
    };
    Read {
        status,
        headers,
        body,
    }
}

#[tokio::test]
async fn a_read_carries_an_etag_and_a_matching_if_none_match_is_not_modified() {
    let app = App::start().await;
    let base = app.server.base_url.clone();
    let id = app.order(&app.customer).await["id"]
        .as_str()
        .unwrap()
        .to_string();

    let first = read(&base, &id, &app.customer, &[]).await;
    assert_eq!(first.status, StatusCode::OK);
    let etag = first.etag();
    assert!(
        etag.starts_with('"') && etag.ends_with('"'),
        "strong: {etag}"
    );
    let again = read(&base, &id, &app.admin, &[]).await;
    assert_eq!(again.etag(), etag, "stable while nothing changes");
    assert_eq!(again.body, first.body);

    for condition in [
        etag.clone(),
        format!("W/{etag}"),
        format!("\"other\", {etag}"),
        "*".to_string(),
    ] {
        let not_modified = read(&base, &id, &app.customer, &[("If-None-Match", &condition)]).await;
        assert_eq!(not_modified.status, StatusCode::NOT_MODIFIED, "{condition}");
        assert_eq!(not_modified.etag(), etag);
        assert_eq!(not_modified.body, Value::Null, "no body");
        assert_eq!(not_modified.header("preference-applied"), None);
    }
    // Another tag, or a malformed condition: the order, as without a condition.
    for condition in ["\"other\"", "not-a-tag"] {
        let modified = read(&base, &id, &app.customer, &[("If-None-Match", condition)]).await;
        assert_eq!(modified.status, StatusCode::OK, "{condition}");
        assert_eq!(modified.body, first.body);
    }
    // A malformed preference is ignored: answered at once, as a plain conditional read.
    for prefer in ["wait=soon", "wait=-1", "wait", "wait=0"] {
        let ignored = read(
            &base,
            &id,
            &app.customer,
            &[("If-None-Match", &etag), ("Prefer", prefer)],
        )
        .await;
        assert_eq!(ignored.status, StatusCode::NOT_MODIFIED, "{prefer}");
        assert_eq!(ignored.header("preference-applied"), None, "{prefer}");
    }
    let odd = read(&base, &id, &app.customer, &[("Prefer", "wait=soon")]).await;
    assert_eq!(odd.status, StatusCode::OK);

    // Someone else's order stays a 404, waiting or not.
    let (_, other) = app.keys.token(Role::Customer);
    for headers in [
        &[][..],
        &[("If-None-Match", etag.as_str()), ("Prefer", "wait=5")],
        &[("If-None-Match", "*"), ("Prefer", "wait=5")],
    ] {
        let hidden = read(&base, &id, &other, headers).await;
        assert_eq!(hidden.status, StatusCode::NOT_FOUND, "{headers:?}");
        assert_eq!(hidden.header("etag"), None);
    }
    let unknown = Uuid::new_v4().to_string();
    let missing = read(
        &base,
        &unknown,
        &app.admin,
        &[("If-None-Match", "*"), ("Prefer", "wait=5")],
    )
    .await;
    assert_eq!(missing.status, StatusCode::NOT_FOUND);
    app.stop().await;
}

#[tokio::test]
async fn a_waiting_read_answers_the_change_or_not_modified_after_the_wait() {
    let app = App::start().await;
    let base = app.server.base_url.clone();
    let id = app.order(&app.customer).await["id"]
        .as_str()
        .unwrap()
        .to_string();
    let pending = read(&base, &id, &app.customer, &[]).await.etag();

    // Nothing changes: 304 once the wait is over.
    let quiet = read(
        &base,
        &id,
        &app.customer,
        &[("If-None-Match", &pending), ("Prefer", "wait=1")],
    )
    .await;
    assert_eq!(quiet.status, StatusCode::NOT_MODIFIED);
    assert_eq!(quiet.etag(), pending);
    assert_eq!(quiet.header("preference-applied"), Some("wait=1"));
    let conn = amqp_connect().await;
    let channel = confirmed_channel(&conn).await;
    wait_for_queue(&conn, &app.saga_queue, common::WAIT).await;

    // The saga consumer moves it to reserved while the read waits.
    let reserved = Envelope::new(
        "test",
        "inventory.reserved",
        &json!({ "orderId": id, "storeId": Uuid::new_v4(), "lines": [] }),
    )
    .unwrap();
    let (woken, ()) = read_while(
        &base,
        &id,
        &app.customer,
        &pending,
        kit::testing::publish_to_queue(&channel, &app.saga_queue, &reserved),
    )
    .await;
    assert_eq!(woken.status, StatusCode::OK, "woken by the change");
    assert_eq!(woken.body["status"], "reserved");
    assert_eq!(woken.header("preference-applied"), Some("wait=20"));
    let reserved_tag = woken.etag();
    assert_ne!(reserved_tag, pending);
    assert_eq!(read(&base, &id, &app.admin, &[]).await.etag(), reserved_tag);

    // A customer's cancel, through the lifecycle endpoint, wakes it too.
    let cancel = format!("/api/orders/{id}/cancel");
    let (woken, cancelled) = read_while(
        &base,
        &id,
        &app.customer,
        &reserved_tag,
        app.post(&cancel, &app.customer, &json!({})),
    )
    .await;
    assert_eq!(cancelled.status, StatusCode::OK, "{:#}", cancelled.body);
    assert_eq!(woken.status, StatusCode::OK);
    assert_eq!(woken.body["status"], "cancelled");
    assert_eq!(woken.body, cancelled.body);

    // A tag the client never had: answered at once, without waiting.
    let stale = read(
        &base,
        &id,
        &app.customer,
        &[("If-None-Match", &pending), ("Prefer", LONG_WAIT)],
    )
    .await;
    assert_eq!(stale.status, StatusCode::OK);
    assert_eq!(stale.header("preference-applied"), None);
    let _ = conn.close(200, "done".into()).await;
    app.stop().await;
}

#[tokio::test]
async fn a_change_made_by_another_replica_wakes_the_read() {
    let app = App::start().await;
    // A second orders process on the same database and queues, as deployed.
    let mut store = store_config(&app.db, &app.keys);
    store.queue_prefix.clone_from(&app.queue_prefix);
    let config = DataConfig::<Orders> {
        store,
        settings: Settings {
            catalog_url: app.catalog.server.base_url.clone(),
        },
    };
    let replica =
        TestServer::start(|listeners, shutdown| run::<Orders>(config, listeners, shutdown)).await;
    let id = app.order(&app.customer).await["id"]
        .as_str()
        .unwrap()
        .to_string();
    let etag = read(&replica.base_url, &id, &app.customer, &[])
        .await
        .etag();

    let cancel = format!("/api/orders/{id}/cancel");
    let (woken, cancelled) = read_while(
        &replica.base_url,
        &id,
        &app.customer,
        &etag,
        app.post(&cancel, &app.customer, &json!({})),
    )
    .await;
    assert_eq!(cancelled.status, StatusCode::OK, "{:#}", cancelled.body);
    assert_eq!(
        woken.status,
        StatusCode::OK,
        "woken by the other replica's change"
    );
    assert_eq!(woken.body["status"], "cancelled");
    replica.stop().await.unwrap();
    app.stop().await;
}
