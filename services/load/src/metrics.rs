//! What the run measured: per endpoint, per scenario, over time, and the business
//! outcomes (orders paid, items restocked…). Shared by every simulated user.

use std::collections::BTreeMap;
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use serde::Serialize;

use crate::histogram::Histogram;
use crate::scenario::kind::Kind;

/// How one request ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// An answer with this status, which the scenario expected.
    Expected(u16),
    /// An answer with this status, which the scenario did not expect.
    Unexpected(u16),
    /// No answer: connection refused or reset, timeout.
    Transport,
}

impl Outcome {
    fn failed(self) -> bool {
        !matches!(self, Self::Expected(_))
    }
}

/// One endpoint's figures so far.
#[derive(Debug, Clone, Default)]
pub struct EndpointStats {
    /// Latency of every answered request.
    pub latency: Histogram,
    /// Requests sent.
    pub requests: u64,
    /// Unexpected statuses and transport errors.
    pub failures: u64,
    /// Answers by status code.
    pub statuses: BTreeMap<u16, u64>,
    /// Requests that got no answer.
    pub transport_errors: u64,
}

/// One scenario's figures so far.
#[derive(Debug, Clone, Default)]
pub struct ScenarioStats {
    /// Users running it now.
    pub users: usize,
    /// Iterations (visits) finished.
    pub iterations: u64,
    /// Iterations that stopped on a failed request.
    pub failed_iterations: u64,
    /// Duration of each finished iteration, think time included.
    pub duration: Histogram,
}

/// One point of the time series, one per second of the run.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Sample {
    /// Seconds since the run started.
    pub second: u64,
    /// Users running at the end of the second.
    pub users: usize,
    /// Requests answered or failed during the second.
    pub requests: u64,
    /// Failures during the second.
    pub failures: u64,
    /// Median latency of the second, ms.
    pub p50_ms: f64,
    /// 95th percentile latency of the second, ms.
    pub p95_ms: f64,
    /// 99th percentile latency of the second, ms.
    pub p99_ms: f64,
}

#[derive(Debug, Default)]
struct State {
    endpoints: BTreeMap<&'static str, EndpointStats>,
    scenarios: BTreeMap<Kind, ScenarioStats>,
    outcomes: BTreeMap<&'static str, u64>,
    second: Histogram,
    second_failures: u64,
    second_requests: u64,
    timeline: Vec<Sample>,
}

/// A copy of everything measured, taken at one moment.
#[derive(Debug, Clone)]
pub struct Snapshot {
    /// Time since the run started.
    pub elapsed: Duration,
    /// Users running.
    pub users: usize,
    /// Per endpoint, by name (`GET /api/products/{id}`).
    pub endpoints: BTreeMap<&'static str, EndpointStats>,
    /// Per scenario.
    pub scenarios: BTreeMap<Kind, ScenarioStats>,
    /// Business outcomes by name (`orders paid`, …).
    pub outcomes: BTreeMap<&'static str, u64>,
    /// One sample per second.
    pub timeline: Vec<Sample>,
}

impl Snapshot {
    /// Every endpoint's latencies together.
    pub fn total(&self) -> EndpointStats {
        let mut total = EndpointStats::default();
        for stats in self.endpoints.values() {
            total.latency.merge(&stats.latency);
            total.requests += stats.requests;
            total.failures += stats.failures;
            total.transport_errors += stats.transport_errors;
            for (status, n) in &stats.statuses {
                *total.statuses.entry(*status).or_default() += n;
            }
        }
        total
    }

    /// Answers with a 5xx status, over every endpoint.
    pub fn server_errors(&self) -> u64 {
        self.endpoints
            .values()
            .flat_map(|s| s.statuses.iter())
            .filter(|(status, _)| **status >= 500)
            .map(|(_, n)| n)
            .sum()
    }
}

/// The shared recorder.
#[derive(Debug)]
pub struct Metrics {
    started: Instant,
    users: AtomicUsize,
    state: Mutex<State>,
}

impl Default for Metrics {
    fn default() -> Self {
        Self::new()
    }
}

impl Metrics {
    /// An empty recorder; the run's clock starts now.
    pub fn new() -> Self {
        Self {
            started: Instant::now(),
            users: AtomicUsize::new(0),
            state: Mutex::new(State::default()),
        }
    }

    fn state(&self) -> std::sync::MutexGuard<'_, State> {
        // A panic elsewhere never loses the figures.
        self.state
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// Counts one request of `endpoint`.
    pub fn request(&self, endpoint: &'static str, outcome: Outcome, latency: Duration) {
        let mut state = self.state();
        let stats = state.endpoints.entry(endpoint).or_default();
        stats.requests += 1;
        match outcome {
            Outcome::Expected(status) | Outcome::Unexpected(status) => {
                stats.latency.record(latency);
                *stats.statuses.entry(status).or_default() += 1;
            }
            Outcome::Transport => stats.transport_errors += 1,
        }
        if outcome.failed() {
            stats.failures += 1;
            state.second_failures += 1;
        }
        state.second_requests += 1;
        if !matches!(outcome, Outcome::Transport) {
            state.second.record(latency);
        }
    }

    /// A user of `kind` started (`+1`) or stopped (`-1`).
    pub fn user(&self, kind: Kind, started: bool) {
        let mut state = self.state();
        let stats = state.scenarios.entry(kind).or_default();
        if started {
            stats.users += 1;
            self.users.fetch_add(1, Ordering::Relaxed);
        } else {
            stats.users = stats.users.saturating_sub(1);
            self.users.fetch_sub(1, Ordering::Relaxed);
        }
    }

    /// One iteration of `kind` finished.
    pub fn iteration(&self, kind: Kind, ok: bool, duration: Duration) {
        let mut state = self.state();
        let stats = state.scenarios.entry(kind).or_default();
        stats.iterations += 1;
        if !ok {
            stats.failed_iterations += 1;
        }
        stats.duration.record(duration);
    }

    /// Counts a business outcome (`orders paid`, `items restocked`, …).
    pub fn outcome(&self, name: &'static str, n: u64) {
        *self.state().outcomes.entry(name).or_default() += n;
    }

    /// Closes the current second of the time series (called once a second).
    pub fn tick(&self) {
        let second = self.started.elapsed().as_secs();
        let users = self.users.load(Ordering::Relaxed);
        let mut state = self.state();
        let window = std::mem::take(&mut state.second);
        let failures = std::mem::take(&mut state.second_failures);
        let requests = std::mem::take(&mut state.second_requests);
        state.timeline.push(Sample {
            second,
            users,
            requests,
            failures,
            p50_ms: window.quantile_ms(0.50),
            p95_ms: window.quantile_ms(0.95),
            p99_ms: window.quantile_ms(0.99),
        });
    }

    /// Ends the time series: what was counted since the last [`Self::tick`] (the end of
    /// the run, less than a second, and the requests that finish after it) stays in the
    /// tables but is no point of the series, which holds whole seconds of the run only.
    pub fn close(&self) {
        let mut state = self.state();
        state.second = Histogram::default();
        state.second_failures = 0;
        state.second_requests = 0;
    }

    /// Users running now.
    pub fn users(&self) -> usize {
        self.users.load(Ordering::Relaxed)
    }

    /// A copy of everything so far.
    pub fn snapshot(&self) -> Snapshot {
        let state = self.state();
        Snapshot {
            elapsed: self.started.elapsed(),
            users: self.users(),
            endpoints: state.endpoints.clone(),
            scenarios: state.scenarios.clone(),
            outcomes: state.outcomes.clone(),
            timeline: state.timeline.clone(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn requests_users_iterations_and_seconds_are_counted() {
        let metrics = Metrics::new();
        let ms = Duration::from_millis;
        metrics.user(Kind::Visitor, true);
        metrics.user(Kind::Shopper, true);
        metrics.request("GET /a", Outcome::Expected(200), ms(10));
        metrics.request("GET /a", Outcome::Unexpected(503), ms(30));
        metrics.request("POST /b", Outcome::Transport, ms(10_000));
        metrics.iteration(Kind::Visitor, true, ms(1500));
        metrics.iteration(Kind::Visitor, false, ms(500));
        metrics.outcome("orders paid", 2);
        metrics.tick();
        metrics.user(Kind::Shopper, false);
        metrics.tick();
        metrics.request("GET /a", Outcome::Expected(200), ms(10));
        metrics.close();

        let snap = metrics.snapshot();
        assert_eq!(snap.users, 1);
        let a = &snap.endpoints["GET /a"];
        assert_eq!((a.requests, a.failures, a.latency.count()), (3, 1, 3));
        assert_eq!(a.statuses.get(&503), Some(&1));
        let b = &snap.endpoints["POST /b"];
        assert_eq!((b.requests, b.failures, b.transport_errors), (1, 1, 1));
        assert_eq!(snap.server_errors(), 1);
        let total = snap.total();
        assert_eq!((total.requests, total.failures), (4, 2));
        let visitor = &snap.scenarios[&Kind::Visitor];
        assert_eq!(
            (visitor.iterations, visitor.failed_iterations, visitor.users),
            (2, 1, 1)
        );
        assert_eq!(snap.outcomes["orders paid"], 2);
        assert_eq!(snap.timeline.len(), 2);
        assert_eq!(
            (snap.timeline[0].requests, snap.timeline[0].failures),
            (3, 2)
        );
        assert_eq!(snap.timeline[0].users, 2);
        // The request after the last tick is in the tables, not in the series.
        assert_eq!(snap.timeline[1].requests, 0);
        assert_eq!(snap.timeline[1].users, 1);
    }
}
