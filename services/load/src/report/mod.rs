//! What a run leaves behind: the end tables, report.html (charts), report.json,
//! endpoints.csv and timeline.csv.

mod chart;
mod csv;
mod files;
mod html;
mod table;

use std::collections::BTreeMap;

use serde::Serialize;

use crate::metrics::{EndpointStats, Sample, Snapshot};
use crate::scenario::kind::Kind;

pub use files::{Files, ReportError, write_all};
pub use table::tables;

/// How the run was configured, as the report states it.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct RunInfo {
    /// The target.
    pub host: String,
    /// When the users started (RFC 3339 UTC).
    pub started_at: String,
    /// Users at full strength.
    pub users: u32,
    /// Users started per second.
    pub hatch_rate: f64,
    /// Asked run time, seconds (none: until stopped).
    pub run_time_seconds: Option<u64>,
    /// Weights per scenario.
    pub weights: BTreeMap<Kind, u32>,
    /// Think time, ms.
    pub think_time_ms: (u64, u64),
}

/// One endpoint's line.
#[derive(Debug, Clone, Serialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct EndpointLine {
    /// Name, e.g. `GET /api/products/{id}`.
    pub endpoint: String,
    /// Requests sent.
    pub requests: u64,
    /// Unexpected answers and requests without an answer.
    pub failures: u64,
    /// Requests per second over the whole run.
    pub requests_per_second: f64,
    /// Mean latency, ms.
    pub mean_ms: f64,
    /// Median, ms.
    pub p50_ms: f64,
    /// 95th percentile, ms.
    pub p95_ms: f64,
    /// 99th percentile, ms.
    pub p99_ms: f64,
    /// Slowest, ms.
    pub max_ms: f64,
    /// Answers per status code.
    pub statuses: BTreeMap<u16, u64>,
    /// Requests without an answer.
    pub transport_errors: u64,
}

/// One scenario's line.
#[derive(Debug, Clone, Serialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct ScenarioLine {
    /// Scenario.
    pub scenario: Kind,
    /// Its weight.
    pub weight: u32,
    /// Visits finished.
    pub iterations: u64,
    /// Visits that stopped on a failure.
    pub failed_iterations: u64,
    /// Visits per second.
    pub iterations_per_second: f64,
    /// Median visit, think time included, ms.
    pub p50_ms: f64,
    /// 95th percentile visit, ms.
    pub p95_ms: f64,
}

/// The whole report, as report.json holds it.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Report {
    /// The run.
    pub run: RunInfo,
    /// How long the users ran, seconds.
    pub duration_seconds: f64,
    /// Every endpoint together.
    pub total: EndpointLine,
    /// Answers with a 5xx status.
    pub server_errors: u64,
    /// Per endpoint, by name.
    pub endpoints: Vec<EndpointLine>,
    /// Per scenario.
    pub scenarios: Vec<ScenarioLine>,
    /// Orders placed, paid, failed, cancelled; items restocked; …
    pub outcomes: BTreeMap<String, u64>,
    /// One sample per second.
    pub timeline: Vec<Sample>,
}

fn line(name: &str, stats: &EndpointStats, seconds: f64) -> EndpointLine {
    EndpointLine {
        endpoint: name.to_string(),
        requests: stats.requests,
        failures: stats.failures,
        requests_per_second: stats.requests as f64 / seconds,
        mean_ms: stats.latency.mean_ms(),
        p50_ms: stats.latency.quantile_ms(0.50),
        p95_ms: stats.latency.quantile_ms(0.95),
        p99_ms: stats.latency.quantile_ms(0.99),
        max_ms: stats.latency.max_ms(),
        statuses: stats.statuses.clone(),
        transport_errors: stats.transport_errors,
    }
}

impl Report {
    /// The report of `snapshot`.
    pub fn new(run: RunInfo, snapshot: &Snapshot) -> Self {
        let seconds = snapshot.elapsed.as_secs_f64().max(0.001);
        let scenarios = Kind::ALL
            .iter()
            .filter_map(|kind| {
                let weight = run.weights.get(kind).copied().unwrap_or(0);
                let stats = snapshot.scenarios.get(kind);
                (weight > 0 || stats.is_some()).then(|| {
                    let stats = stats.cloned().unwrap_or_default();
                    ScenarioLine {
                        scenario: *kind,
                        weight,
                        iterations: stats.iterations,
                        failed_iterations: stats.failed_iterations,
                        iterations_per_second: stats.iterations as f64 / seconds,
                        p50_ms: stats.duration.quantile_ms(0.50),
                        p95_ms: stats.duration.quantile_ms(0.95),
                    }
                })
            })
            .collect();
        Self {
            run,
            duration_seconds: seconds,
            total: line("total", &snapshot.total(), seconds),
            server_errors: snapshot.server_errors(),
            endpoints: snapshot
                .endpoints
                .iter()
                .map(|(name, stats)| line(name, stats, seconds))
                .collect(),
            scenarios,
            outcomes: snapshot
                .outcomes
                .iter()
                .map(|(k, v)| (k.to_string(), *v))
                .collect(),
            timeline: snapshot.timeline.clone(),
        }
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use std::time::Duration;

    use super::*;
    use crate::metrics::{Metrics, Outcome};

    /// A small report: two endpoints, two scenarios, a few seconds.
    pub fn sample() -> Report {
        let metrics = Metrics::new();
        metrics.user(Kind::Visitor, true);
        metrics.user(Kind::Shopper, true);
        for second in 0..5u64 {
            for i in 0..(10 + second * 3) {
                metrics.request(
                    "GET /api/products",
                    Outcome::Expected(200),
                    Duration::from_millis(5 + i),
                );
            }
            metrics.request(
                "POST /api/cart/checkout",
                Outcome::Expected(202),
                Duration::from_millis(40),
            );
            metrics.request(
                "POST /api/cart/checkout",
                Outcome::Unexpected(409),
                Duration::from_millis(30),
            );
            metrics.iteration(Kind::Visitor, true, Duration::from_secs(3));
            metrics.iteration(Kind::Shopper, second != 2, Duration::from_secs(9));
            metrics.tick();
        }
        metrics.outcome("orders paid", 4);
        let run = RunInfo {
            host: "http://127.0.0.1:8080".into(),
            started_at: "2026-12-01T12:00:00Z".into(),
            users: 2,
            hatch_rate: 1.0,
            run_time_seconds: Some(5),
            weights: [(Kind::Visitor, 1), (Kind::Shopper, 1)]
                .into_iter()
                .collect(),
            think_time_ms: (500, 2000),
        };
        Report::new(run, &metrics.snapshot())
    }

    #[test]
    fn lines_per_endpoint_and_scenario() {
        let report = sample();
        assert_eq!(report.endpoints.len(), 2);
        assert_eq!(report.total.requests, 10 + 13 + 16 + 19 + 22 + 10);
        assert_eq!(report.total.failures, 5);
        assert_eq!(report.server_errors, 0);
        let checkout = report
            .endpoints
            .iter()
            .find(|e| e.endpoint == "POST /api/cart/checkout")
            .unwrap();
        assert_eq!(checkout.statuses.get(&409), Some(&5));
        assert_eq!(report.scenarios.len(), 2);
        assert_eq!(report.scenarios[1].failed_iterations, 1);
        assert_eq!(report.timeline.len(), 5);
    }

    #[test]
    fn writes_every_file_and_the_json_reads_back() {
        let dir =
            std::env::temp_dir().join(format!("petstore-load-report-{}", uuid::Uuid::new_v4()));
        let files = write_all(&dir, &sample()).unwrap();
        let json: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(&files.json).unwrap()).unwrap();
        assert_eq!(json["total"]["requests"], 90);
        assert_eq!(json["scenarios"][0]["scenario"], "visitor");
        let html = std::fs::read_to_string(&files.html).unwrap();
        assert!(html.matches("<svg").count() >= 3);
        let csv = std::fs::read_to_string(&files.endpoints_csv).unwrap();
        assert_eq!(csv.lines().count(), 4, "{csv}");
        let timeline = std::fs::read_to_string(&files.timeline_csv).unwrap();
        assert_eq!(timeline.lines().count(), 6, "{timeline}");
        std::fs::remove_dir_all(dir).unwrap();
    }
}
