//! The tables printed at the end of a run.

use std::fmt::Write;

use super::Report;

/// Per endpoint, per scenario, the outcomes and the status codes.
pub fn tables(report: &Report) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "\nRequests per endpoint ({:.0} s, {} users at full strength, {})",
        report.duration_seconds, report.run.users, report.run.host
    );
    let _ = writeln!(
        out,
        "| {:<56} | {:>8} | {:>6} | {:>7} | {:>7} | {:>7} | {:>7} | {:>7} | {:>8} |",
        "endpoint", "requests", "fail", "req/s", "mean ms", "p50 ms", "p95 ms", "p99 ms", "max ms"
    );
    let _ = writeln!(
        out,
        "|{:-<58}|{:->10}|{:->8}|{:->9}|{:->9}|{:->9}|{:->9}|{:->9}|{:->10}|",
        "", "", "", "", "", "", "", "", ""
    );
    for line in report
        .endpoints
        .iter()
        .chain(std::iter::once(&report.total))
    {
        let _ = writeln!(
            out,
            "| {:<56} | {:>8} | {:>6} | {:>7.1} | {:>7.1} | {:>7.1} | {:>7.1} | {:>7.1} | {:>8.1} |",
            line.endpoint,
            line.requests,
            line.failures,
            line.requests_per_second,
            line.mean_ms,
            line.p50_ms,
            line.p95_ms,
            line.p99_ms,
            line.max_ms,
        );
    }
    let _ = writeln!(
        out,
        "\nVisits per scenario (a visit includes its think times)"
    );
    let _ = writeln!(
        out,
        "| {:<8} | {:>6} | {:>6} | {:>6} | {:>8} | {:>9} | {:>9} |",
        "scenario", "weight", "visits", "failed", "visits/s", "p50 s", "p95 s"
    );
    let _ = writeln!(
        out,
        "|{:-<10}|{:->8}|{:->8}|{:->8}|{:->10}|{:->11}|{:->11}|",
        "", "", "", "", "", "", ""
    );
    for s in &report.scenarios {
        let _ = writeln!(
            out,
            "| {:<8} | {:>6} | {:>6} | {:>6} | {:>8.2} | {:>9.1} | {:>9.1} |",
            s.scenario.name(),
            s.weight,
            s.iterations,
            s.failed_iterations,
            s.iterations_per_second,
            s.p50_ms / 1000.0,
            s.p95_ms / 1000.0,
        );
    }
    if !report.outcomes.is_empty() {
        let _ = writeln!(out, "\nOutcomes");
        for (name, n) in &report.outcomes {
            let _ = writeln!(out, "  {name:<28} {n:>8}");
        }
    }
    let _ = writeln!(out, "\nStatus codes");
    for (status, n) in &report.total.statuses {
        let _ = writeln!(out, "  {status:<28} {n:>8}");
    }
    if report.total.transport_errors > 0 {
        let _ = writeln!(
            out,
            "  {:<28} {:>8}",
            "no answer", report.total.transport_errors
        );
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_line_per_endpoint_and_scenario() {
        let text = tables(&crate::report::tests::sample());
        assert!(
            text.lines()
                .any(|l| l.starts_with("| GET /api/products ") && l.contains(" 80 |")),
            "{text}"
        );
        assert!(
            text.lines()
                .any(|l| l.starts_with("| total ") && l.contains(" 90 |")),
            "{text}"
        );
        assert!(
            text.lines()
                .any(|l| l.starts_with("| shopper ") && l.contains("|      1 |")),
            "{text}"
        );
        assert!(text.contains("orders paid"));
        assert!(
            text.lines()
                .any(|l| l.trim_start().starts_with("409") && l.ends_with(" 5")),
            "{text}"
        );
    }
}
