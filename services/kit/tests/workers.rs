//! Supervised workers against the real PostgreSQL and RabbitMQ: a worker that dies is
//! started again, the service is unready meanwhile, and `/status` and `/metrics` tell.
#![cfg(feature = "testing")]
// Helpers outside #[test] functions are test code too: failing fast is what they should do.
#![allow(clippy::unwrap_used)]

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU32, Ordering};
use std::time::{Duration, Instant};

use axum::Router;
use kit::events::{Broker, Envelope, EventHandler, HandlerError, Outbox, Subscription};
use kit::http::Runtime;
use kit::listen::{ListenAddrs, Listeners};
use kit::metrics::Metrics;
use kit::service::{
    Platform, RELAY_WORKER, RETENTION_WORKER, REVOCATIONS_QUEUE, REVOCATIONS_WORKER,
    consumer_worker, queue_name,
};
use kit::supervise::{RestartPolicy, Supervisor};
use kit::testing::{
    TestDatabase, TestKeys, TestServer, amqp_connect, amqp_url, delete_queues, eventually,
    store_config, wait_for_queue,
};
use serde_json::{Value, json};
use sqlx::PgConnection;
use tokio_util::sync::CancellationToken;
use uuid::Uuid;

/// Generous: the machine is shared, and nothing here measures speed.
const WAIT: Duration = Duration::from_secs(30);
const SPEC: &petstore_contract::ServiceSpec = &petstore_contract::CATALOG;

async fn get_json(url: &str) -> (u16, Value) {
    let response = reqwest::get(url).await.unwrap();
    let status = response.status().as_u16();
    (status, response.json().await.unwrap_or(Value::Null))
}

async fn get_text(url: &str) -> String {
    reqwest::get(url).await.unwrap().text().await.unwrap()
}

/// The entry of `name` in a `/status` document.
fn worker<'a>(status: &'a Value, name: &str) -> &'a Value {
    status["workers"]
        .as_array()
        .unwrap()
        .iter()
        .find(|w| w["name"] == name)
        .unwrap_or_else(|| panic!("{name} in {status}"))
}

/// The value of the sample `name{worker="<worker>"}` in a Prometheus exposition.
fn sample(text: &str, name: &str, worker: &str) -> Option<f64> {
    let prefix = format!("{name}{{worker=\"{worker}\"}} ");
    text.lines()
        .find_map(|line| line.strip_prefix(&prefix))
        .and_then(|value| value.trim().parse().ok())
}

fn openapi() -> utoipa::openapi::OpenApi {
    utoipa::openapi::OpenApiBuilder::new().build()
}

#[tokio::test]
async fn a_worker_that_dies_is_restarted_and_the_service_is_unready_meanwhile() {
    let db = TestDatabase::create().await;
    let broker = Broker::new(amqp_url());
    assert!(broker.wait_connected(WAIT).await);
    let shutdown = CancellationToken::new();
    let mut metrics = Metrics::new("kit-test");
    let policy = RestartPolicy {
        initial_delay: Duration::from_millis(50),
        max_delay: Duration::from_millis(200),
        healthy_after: Duration::from_secs(60),
    };
    let supervisor = Supervisor::new(shutdown.clone(), policy, metrics.registry_mut());

    // Panics on every run until the test repairs it, then runs until shutdown.
    let broken = Arc::new(AtomicBool::new(true));
    let runs = Arc::new(AtomicU32::new(0));
    let drained = Arc::new(AtomicBool::new(false));
    let flaky = {
        let (broken, runs, drained) = (broken.clone(), runs.clone(), drained.clone());
        supervisor.spawn("flaky", move |shutdown| {
            let (broken, runs, drained) = (broken.clone(), runs.clone(), drained.clone());
            async move {
                let run = runs.fetch_add(1, Ordering::SeqCst) + 1;
                assert!(!broken.load(Ordering::SeqCst), "flaky broke on run {run}");
                shutdown.cancelled().await;
                // In-flight work at shutdown is finished, not cut off.
                tokio::time::sleep(Duration::from_millis(100)).await;
                drained.store(true, Ordering::SeqCst);
                Ok(())
            }
        })
    };
    let steady = supervisor.spawn("steady", |shutdown: CancellationToken| async move {
        shutdown.cancelled().await;
        Ok(())
    });

    let runtime = Runtime {
        spec: SPEC,
        started: Instant::now(),
        pool: Some(db.pool.clone()),
        broker: Some(broker.clone()),
        workers: supervisor.workers().clone(),
        metrics,
        openapi: openapi(),
    };
    let listeners = Listeners::bind(ListenAddrs::ephemeral()).await.unwrap();
    let internal = format!("http://{}", listeners.local_addrs().unwrap().internal);
    let server = tokio::spawn(kit::http::serve(
        listeners,
        kit::http::app(runtime, Router::new()),
        shutdown.clone(),
    ));

    // While it keeps dying: unready because of the workers alone, and /status says why.
    let (ready, status) = (format!("{internal}/ready"), format!("{internal}/status"));
    let (r, s) = (ready.as_str(), status.as_str());
    assert!(
        eventually(WAIT, || async move {
            let (code, body) = get_json(r).await;
            let (_, status) = get_json(s).await;
            let flaky = worker(&status, "flaky");
            code == 503
                && body["dependencies"]["workers"] == "down"
                && body["dependencies"]["database"] == "up"
                && body["dependencies"]["broker"] == "up"
                && flaky["state"] == "restarting"
                && flaky["restarts"].as_u64() >= Some(1)
        })
        .await,
        "a dying worker makes the service unready and shows as restarting"
    );
    let (_, report) = get_json(s).await;
    let reason = worker(&report, "flaky")["last_failure"].as_str().unwrap();
    assert!(
        reason.starts_with("panicked: flaky broke on run"),
        "{reason}"
    );
    assert!(worker(&report, "flaky")["last_failure_at"].is_string());
    assert_eq!(worker(&report, "steady")["state"], "running");
    assert_eq!(worker(&report, "steady")["restarts"], 0);
    let metrics_url = format!("{internal}/metrics");
    let m = metrics_url.as_str();
    assert!(
        eventually(WAIT, || async move {
            let text = get_text(m).await;
            sample(&text, "petstore_worker_up", "flaky") == Some(0.0)
                && sample(&text, "petstore_worker_restarts_total", "flaky") >= Some(1.0)
        })
        .await,
        "the metrics show the worker down and restarted"
    );

    // Repaired: the next restart sticks, and everything is up again.
    broken.store(false, Ordering::SeqCst);
    assert!(
        eventually(WAIT, || async move {
            let (code, body) = get_json(r).await;
            let (_, status) = get_json(s).await;
            code == 200
                && body["dependencies"]["workers"] == "up"
                && worker(&status, "flaky")["state"] == "running"
        })
        .await,
        "the restarted worker makes the service ready again"
    );
    let (_, report) = get_json(s).await;
    let restarts = worker(&report, "flaky")["restarts"].as_u64().unwrap();
    assert_eq!(u64::from(runs.load(Ordering::SeqCst)), restarts + 1);
    let text = get_text(m).await;
    assert_eq!(sample(&text, "petstore_worker_up", "flaky"), Some(1.0));
    assert_eq!(
        sample(&text, "petstore_worker_restarts_total", "flaky"),
        Some(restarts as f64)
    );
    assert_eq!(
        sample(&text, "petstore_worker_restarts_total", "steady"),
        Some(0.0)
    );

    // Shutdown waits for the running worker to finish, and restarts nothing.
    shutdown.cancel();
    flaky.await.unwrap();
    steady.await.unwrap();
    assert!(
        drained.load(Ordering::SeqCst),
        "shutdown let the worker finish"
    );
    assert_eq!(u64::from(runs.load(Ordering::SeqCst)), restarts + 1);
    server.await.unwrap().unwrap();
    db.drop_database().await;
}

/// Records each event's effect in `kit_test_effects`.
struct Recording;

impl EventHandler for Recording {
    async fn handle(&self, event: &Envelope, tx: &mut PgConnection) -> Result<(), HandlerError> {
        sqlx::query("INSERT INTO kit_test_effects (event_id) VALUES ($1)")
            .bind(event.id)
            .execute(&mut *tx)
            .await?;
        Ok(())
    }
}

#[tokio::test]
async fn the_platform_supervises_its_relay_retention_and_consumers() {
    let db = TestDatabase::create().await;
    sqlx::query("CREATE TABLE kit_test_effects (event_id uuid PRIMARY KEY)")
        .execute(&db.pool)
        .await
        .unwrap();
    let keys = TestKeys::generate();
    let config = store_config(&db, &keys);
    // The platform names the queue after the (test's unique) prefix.
    let queue = queue_name(&config.queue_prefix, "workers");
    let revocations = queue_name(&config.queue_prefix, REVOCATIONS_QUEUE);
    let event_type = format!("kit-test.{}", Uuid::new_v4().simple());
    let subscription = Subscription::new("workers", &[&event_type]);
    // Returns (without panicking) on its first run only.
    let runs = Arc::new(AtomicU32::new(0));
    let counted = runs.clone();
    let server = TestServer::start(move |listeners, shutdown| {
        let mut platform = Platform::start(SPEC, &config, shutdown).unwrap();
        platform.consume(subscription, Recording);
        platform.supervise("returns-once", move |shutdown| {
            let first = counted.fetch_add(1, Ordering::SeqCst) == 0;
            async move {
                if !first {
                    shutdown.cancelled().await;
                }
                Ok(())
            }
        });
        async move { platform.serve(listeners, Router::new(), openapi()).await }
    })
    .await;

    let (ready, status) = (server.internal("/ready"), server.internal("/status"));
    let (r, s) = (ready.as_str(), status.as_str());
    assert!(
        eventually(WAIT, || async move {
            let (code, _) = get_json(r).await;
            let (_, status) = get_json(s).await;
            let once = worker(&status, "returns-once");
            code == 200 && once["state"] == "running" && once["restarts"] == 1
        })
        .await,
        "the worker that returned is running again and the service ready"
    );
    let (_, report) = get_json(s).await;
    assert_eq!(
        worker(&report, "returns-once")["last_failure"],
        "returned before shutdown"
    );
    for name in [
        RELAY_WORKER,
        RETENTION_WORKER,
        REVOCATIONS_WORKER,
        &consumer_worker(&queue),
    ] {
        let entry = worker(&report, name);
        assert_eq!(entry["state"], "running", "{entry}");
        assert_eq!(entry["restarts"], 0, "{entry}");
        assert!(entry["last_failure"].is_null(), "{entry}");
    }
    let text = get_text(&server.internal("/metrics")).await;
    assert!(
        text.contains("\npetstore_events_published_total "),
        "{text}"
    );
    assert!(!text.contains("petstore_petstore_"), "one prefix: {text}");
    assert_eq!(sample(&text, "petstore_worker_up", RELAY_WORKER), Some(1.0));
    assert_eq!(
        sample(&text, "petstore_worker_restarts_total", "returns-once"),
        Some(1.0)
    );

    // Events move through the supervised relay and consumer (once it is bound).
    let amqp = amqp_connect().await;
    wait_for_queue(&amqp, &queue, WAIT).await;
    let _ = amqp.close(200, "done".into()).await;
    let mut tx = db.pool.begin().await.unwrap();
    let id = Outbox::new("kit-test")
        .enqueue(&mut tx, &event_type, &json!({ "n": 1 }))
        .await
        .unwrap();
    tx.commit().await.unwrap();
    let pool = &db.pool;
    assert!(
        eventually(WAIT, || async move {
            sqlx::query_scalar::<_, bool>(
                "SELECT EXISTS (SELECT 1 FROM kit_test_effects WHERE event_id = $1)",
            )
            .bind(id)
            .fetch_one(pool)
            .await
            .unwrap()
        })
        .await,
        "the event was published and consumed"
    );

    server.stop().await.unwrap();
    assert_eq!(
        runs.load(Ordering::SeqCst),
        2,
        "nothing restarts at shutdown"
    );
    delete_queues(&[&queue, &revocations]).await;
    db.drop_database().await;
}
