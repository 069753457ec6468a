//! Supervised background workers: a worker that ends or panics before shutdown is started
//! again with backoff, and its state shows in `/status`, in `/ready` and in metrics.
//!
//! A worker is a function that starts one run of it from the shutdown token; a run must end
//! only once that token is cancelled, after finishing its in-flight work. Any other end is a
//! failure:
//! - the run panicked (`panicked: <message>`),
//! - it returned an error (its text),
//! - it returned `Ok` while the service was not shutting down (`returned before shutdown`).
//!
//! The supervisor never aborts a run: at shutdown it waits for it, so draining works exactly
//! as it does for an unsupervised task.

mod backoff;
mod metrics;
mod status;

use std::any::Any;
use std::future::Future;
use std::panic::AssertUnwindSafe;
use std::time::Instant;

use prometheus_client::registry::Registry;
use tokio::task::{JoinError, JoinHandle};
use tokio_util::sync::CancellationToken;
use tracing::Instrument;

pub use backoff::RestartPolicy;
use metrics::WorkerMetrics;
pub use status::{WorkerReport, WorkerState, Workers};

/// What a worker's run ends with (the error is the same type as
/// [`crate::service::BoxError`], spelled out so that this module does not import the
/// service module, which imports it).
pub type WorkerResult = Result<(), Box<dyn std::error::Error + Send + Sync>>;

/// Starts workers and keeps them running until shutdown; cloning shares the workers.
#[derive(Debug, Clone)]
pub struct Supervisor {
    workers: Workers,
    metrics: WorkerMetrics,
    policy: RestartPolicy,
    shutdown: CancellationToken,
}

impl Supervisor {
    /// A supervisor whose workers run until `shutdown`, restarted by `policy`, with
    /// `petstore_worker_up` and `petstore_worker_restarts_total` registered in `registry`.
    pub fn new(
        shutdown: CancellationToken,
        policy: RestartPolicy,
        registry: &mut Registry,
    ) -> Self {
        let metrics = WorkerMetrics::default();
        metrics.register(registry);
        Self {
            workers: Workers::default(),
            metrics,
            policy,
            shutdown,
        }
    }

    /// The table of the workers' states (for `/status` and `/ready`).
    #[must_use]
    pub fn workers(&self) -> &Workers {
        &self.workers
    }

    /// Runs `start(shutdown)` under supervision as the worker `name` (made unique if taken).
    ///
    /// The returned handle finishes once the worker's last run has ended after shutdown.
    pub fn spawn<F, Fut>(&self, name: &str, start: F) -> JoinHandle<()>
    where
        F: FnMut(CancellationToken) -> Fut + Send + 'static,
        Fut: Future<Output = WorkerResult> + Send + 'static,
    {
        let name = self.workers.add(name);
        self.metrics.set_up(&name, true);
        self.metrics.touch_restarts(&name);
        let span = tracing::info_span!("worker", worker = %name);
        tokio::spawn(self.clone().supervise(name, start).instrument(span))
    }

    async fn supervise<F, Fut>(self, name: String, mut start: F)
    where
        F: FnMut(CancellationToken) -> Fut + Send + 'static,
        Fut: Future<Output = WorkerResult> + Send + 'static,
    {
        let mut failures = 0;
        loop {
            let started = Instant::now();
            // A task of its own, so that a panic ends the run and not the supervisor; and
            // so does a panic while the run is being set up.
            let run =
                match std::panic::catch_unwind(AssertUnwindSafe(|| start(self.shutdown.clone()))) {
                    Ok(future) => tokio::spawn(future.in_current_span()).await,
                    Err(panic) => Ok(Err(format!(
                        "panicked while starting: {}",
                        panic_message(panic.as_ref())
                    )
                    .into())),
                };
            if self.shutdown.is_cancelled() {
                if let Some(reason) = failure(run, true) {
                    tracing::warn!(%reason, "worker failed while shutting down");
                }
                break;
            }
            let reason = failure(run, false).unwrap_or_default();
            failures = self.policy.failures_after(failures, started.elapsed());
            let delay = self.policy.delay(failures);
            tracing::error!(%reason, restart_in = ?delay, failures, "worker ended before shutdown; restarting it");
            self.metrics.set_up(&name, false);
            self.workers.failed(&name, reason);
            tokio::select! {
                () = self.shutdown.cancelled() => break,
                () = tokio::time::sleep(delay) => {}
            }
            // Metrics first: whoever sees `running` in the table sees them updated too.
            self.metrics.restarted(&name);
            self.metrics.set_up(&name, true);
            self.workers.restarted(&name);
            tracing::info!(failures, "worker restarted");
        }
        self.workers.stopped(&name);
        self.metrics.set_up(&name, false);
    }
}

/// Why a run ended, or `None` if it ended well: with `Ok` at shutdown.
fn failure(run: Result<WorkerResult, JoinError>, shutting_down: bool) -> Option<String> {
    match run {
        Ok(Ok(())) if shutting_down => None,
        Ok(Ok(())) => Some("returned before shutdown".into()),
        Ok(Err(error)) => Some(error.to_string()),
        Err(error) => match error.try_into_panic() {
            Ok(panic) => Some(format!("panicked: {}", panic_message(panic.as_ref()))),
            Err(_) => Some("cancelled".into()),
        },
    }
}

/// The message a panic was raised with, if it was text.
pub(crate) fn panic_message(panic: &(dyn Any + Send)) -> &str {
    panic
        .downcast_ref::<&str>()
        .copied()
        .or_else(|| panic.downcast_ref::<String>().map(String::as_str))
        .unwrap_or("(no message)")
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;

    #[tokio::test]
    async fn a_panic_while_setting_up_a_run_is_a_failure_too() {
        let shutdown = CancellationToken::new();
        let policy = RestartPolicy {
            initial_delay: Duration::from_millis(10),
            max_delay: Duration::from_millis(10),
            healthy_after: Duration::from_secs(60),
        };
        let supervisor = Supervisor::new(shutdown.clone(), policy, &mut Registry::default());
        let mut calls = 0;
        let task = supervisor.spawn("setup", move |shutdown: CancellationToken| {
            calls += 1;
            assert!(calls > 1, "no setup on call {calls}");
            async move {
                shutdown.cancelled().await;
                Ok(())
            }
        });
        let workers = supervisor.workers().clone();
        let deadline = Instant::now() + Duration::from_secs(30);
        while workers.reports()[0].restarts == 0 {
            assert!(Instant::now() < deadline, "{:?}", workers.reports());
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        let report = workers.reports().remove(0);
        assert_eq!(report.state, WorkerState::Running);
        assert_eq!(
            report.last_failure.as_deref(),
            Some("panicked while starting: no setup on call 1")
        );
        shutdown.cancel();
        task.await.unwrap();
        assert_eq!(workers.reports()[0].state, WorkerState::Stopped);
    }

    #[tokio::test]
    async fn reasons_name_how_a_run_ended() {
        let ended = |result: WorkerResult| async move { tokio::spawn(async move { result }).await };
        assert_eq!(failure(ended(Ok(())).await, true), None);
        assert_eq!(
            failure(ended(Ok(())).await, false).as_deref(),
            Some("returned before shutdown")
        );
        assert_eq!(
            failure(ended(Err("lost the plot".into())).await, false).as_deref(),
            Some("lost the plot")
        );
        let panicked = tokio::spawn(async { panic!("boom {}", 7) }).await;
        assert_eq!(
            failure(panicked.map(|()| Ok(())), false).as_deref(),
            Some("panicked: boom 7")
        );
        let literal = tokio::spawn(async { std::panic::panic_any("plain") }).await;
        assert_eq!(
            failure(literal.map(|()| Ok(())), true).as_deref(),
            Some("panicked: plain")
        );
    }
}
