//! The live view: every few seconds, users, requests per second, failures, and each
//! endpoint's p50/p95/p99 so far.

use std::fmt::Write;
use std::time::Duration;

use crate::metrics::Snapshot;

/// Requests per second over the last `window` of the time series.
pub fn recent_rate(snapshot: &Snapshot, window: Duration) -> f64 {
    let seconds = window.as_secs().max(1) as usize;
    let recent = &snapshot.timeline[snapshot.timeline.len().saturating_sub(seconds)..];
    if recent.is_empty() {
        return 0.0;
    }
    recent.iter().map(|s| s.requests).sum::<u64>() as f64 / recent.len() as f64
}

/// The progress block printed during the run.
pub fn render(snapshot: &Snapshot, target_users: u32, window: Duration) -> String {
    let total = snapshot.total();
    let share = if total.requests == 0 {
        0.0
    } else {
        total.failures as f64 * 100.0 / total.requests as f64
    };
    let mut out = String::new();
    let _ = writeln!(
        out,
        "[{:>5}s] users {}/{} | {:.1} req/s | {} requests | {} failures ({share:.2}%) | {} 5xx",
        snapshot.elapsed.as_secs(),
        snapshot.users,
        target_users,
        recent_rate(snapshot, window),
        total.requests,
        total.failures,
        snapshot.server_errors(),
    );
    let _ = writeln!(
        out,
        "  {:<58} {:>8} {:>6} {:>8} {:>8} {:>8}",
        "endpoint", "requests", "fail", "p50 ms", "p95 ms", "p99 ms"
    );
    for (name, stats) in &snapshot.endpoints {
        let _ = writeln!(
            out,
            "  {:<58} {:>8} {:>6} {:>8.1} {:>8.1} {:>8.1}",
            name,
            stats.requests,
            stats.failures,
            stats.latency.quantile_ms(0.50),
            stats.latency.quantile_ms(0.95),
            stats.latency.quantile_ms(0.99),
        );
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::metrics::{Metrics, Outcome};
    use crate::scenario::kind::Kind;

    #[test]
    fn shows_users_rate_failures_and_percentiles_per_endpoint() {
        let metrics = Metrics::new();
        metrics.user(Kind::Visitor, true);
        for ms in [10, 20, 30] {
            metrics.request(
                "GET /api/products",
                Outcome::Expected(200),
                Duration::from_millis(ms),
            );
        }
        metrics.request(
            "POST /api/cart/checkout",
            Outcome::Unexpected(503),
            Duration::from_millis(5),
        );
        metrics.tick();
        let text = render(&metrics.snapshot(), 20, Duration::from_secs(5));
        let lines: Vec<&str> = text.lines().collect();
        assert!(lines[0].contains("users 1/20"), "{text}");
        assert!(lines[0].contains("4.0 req/s"), "{text}");
        assert!(lines[0].contains("1 failures (25.00%)"), "{text}");
        assert!(lines[0].contains("1 5xx"), "{text}");
        assert!(lines[1].contains("p99 ms"));
        let products = lines
            .iter()
            .find(|l| l.contains("GET /api/products"))
            .unwrap();
        let numbers: Vec<f64> = products
            .split_whitespace()
            .rev()
            .take(5)
            .map(|n| n.parse().unwrap())
            .collect();
        // p99, p95, p50 (within the histogram's 3 %), failures, requests.
        let near = |got: f64, want: f64| (got - want).abs() <= want * 0.035;
        assert!(
            near(numbers[0], 30.0) && near(numbers[1], 30.0) && near(numbers[2], 20.0),
            "{products}"
        );
        assert_eq!((numbers[3], numbers[4]), (0.0, 3.0));
    }
}
