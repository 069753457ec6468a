//! endpoints.csv and timeline.csv, for spreadsheets and scripts.

use std::fmt::Write;

use super::Report;

/// A CSV field, quoted when it needs to be.
fn field(text: &str) -> String {
    if text.contains([',', '"', '\n']) {
        format!("\"{}\"", text.replace('"', "\"\""))
    } else {
        text.to_string()
    }
}

/// One line per endpoint, then the total.
pub fn endpoints(report: &Report) -> String {
    let mut out = String::from(
        "endpoint,requests,failures,requests_per_second,mean_ms,p50_ms,p95_ms,p99_ms,max_ms,server_errors\n",
    );
    for line in report
        .endpoints
        .iter()
        .chain(std::iter::once(&report.total))
    {
        let server_errors: u64 = line
            .statuses
            .iter()
            .filter(|(s, _)| **s >= 500)
            .map(|(_, n)| n)
            .sum();
        let _ = writeln!(
            out,
            "{},{},{},{:.2},{:.2},{:.2},{:.2},{:.2},{:.2},{}",
            field(&line.endpoint),
            line.requests,
            line.failures,
            line.requests_per_second,
            line.mean_ms,
            line.p50_ms,
            line.p95_ms,
            line.p99_ms,
            line.max_ms,
            server_errors,
        );
    }
    out
}

/// One line per second.
pub fn timeline(report: &Report) -> String {
    let mut out = String::from("second,users,requests,failures,p50_ms,p95_ms,p99_ms\n");
    for s in &report.timeline {
        let _ = writeln!(
            out,
            "{},{},{},{},{:.2},{:.2},{:.2}",
            s.second, s.users, s.requests, s.failures, s.p50_ms, s.p95_ms, s.p99_ms
        );
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fields_are_quoted_only_when_needed() {
        assert_eq!(field("GET /api/products"), "GET /api/products");
        assert_eq!(field("a,b"), "\"a,b\"");
        assert_eq!(field("say \"hi\""), "\"say \"\"hi\"\"\"");
    }

    #[test]
    fn every_endpoint_and_second_is_a_line() {
        let report = crate::report::tests::sample();
        let text = endpoints(&report);
        let last = text.lines().last().unwrap();
        assert!(last.starts_with("total,90,5,"), "{last}");
        assert!(
            timeline(&report)
                .lines()
                .nth(1)
                .unwrap()
                .starts_with("0,2,12,1,")
        );
    }
}
