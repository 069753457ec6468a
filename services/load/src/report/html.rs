//! report.html: one self-contained page (no script, no external file) with the charts
//! of requests per second, latency percentiles and users over time, and the tables.

use std::fmt::Write;

use super::Report;
use super::chart::{Series, escape, line_chart};

const STYLE: &str = "body{font-family:system-ui,sans-serif;margin:24px;color:#222;max-width:1100px}\
h1{font-size:22px}h2{font-size:17px;margin-top:28px}\
table{border-collapse:collapse;font-size:13px}td,th{border:1px solid #ddd;padding:3px 8px}\
td.n{text-align:right;font-variant-numeric:tabular-nums}th{background:#f4f4f4}\
.bad{color:#b00020;font-weight:600}figure{margin:12px 0}";

/// Most points of one line of a chart.
const MAX_POINTS: usize = 1200;

fn row(out: &mut String, cells: &[String], numeric_from: usize) {
    out.push_str("<tr>");
    for (i, cell) in cells.iter().enumerate() {
        let class = if i >= numeric_from {
            " class=\"n\""
        } else {
            ""
        };
        let _ = write!(out, "<td{class}>{cell}</td>");
    }
    out.push_str("</tr>");
}

fn header(out: &mut String, cells: &[&str]) {
    out.push_str("<tr>");
    for cell in cells {
        let _ = write!(out, "<th>{cell}</th>");
    }
    out.push_str("</tr>");
}

/// The page.
pub fn render(report: &Report) -> String {
    let t = &report.timeline;
    // A long run's chart keeps at most MAX_POINTS points: the mean of each group of seconds.
    let group = t.len().div_ceil(MAX_POINTS).max(1);
    let seconds = |f: fn(&crate::metrics::Sample) -> f64| -> Vec<(f64, f64)> {
        t.chunks(group)
            .map(|c| {
                let mean = c.iter().map(f).sum::<f64>() / c.len() as f64;
                (c[c.len() - 1].second as f64, mean)
            })
            .collect()
    };
    let requests = line_chart(
        "Requests per second",
        "requests / s",
        &[
            Series {
                name: "requests",
                color: "#1f77b4",
                points: seconds(|s| s.requests as f64),
            },
            Series {
                name: "failures",
                color: "#d62728",
                points: seconds(|s| s.failures as f64),
            },
        ],
    );
    let latency = line_chart(
        "Latency percentiles (every endpoint, per second)",
        "milliseconds",
        &[
            Series {
                name: "p50",
                color: "#2ca02c",
                points: seconds(|s| s.p50_ms),
            },
            Series {
                name: "p95",
                color: "#ff7f0e",
                points: seconds(|s| s.p95_ms),
            },
            Series {
                name: "p99",
                color: "#d62728",
                points: seconds(|s| s.p99_ms),
            },
        ],
    );
    let users = line_chart(
        "Users",
        "users",
        &[Series {
            name: "users",
            color: "#9467bd",
            points: seconds(|s| s.users as f64),
        }],
    );

    let mut out = String::new();
    let _ = write!(
        out,
        "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>petstore-load report</title><style>{STYLE}</style></head><body>"
    );
    let run = &report.run;
    let run_time = run
        .run_time_seconds
        .map_or_else(|| "until stopped".to_string(), |s| format!("{s} s"));
    let weights: Vec<String> = run
        .weights
        .iter()
        .map(|(k, w)| format!("{} {w}", k.name()))
        .collect();
    let _ = write!(
        out,
        "<h1>petstore-load report</h1><p>{host}, started {started}: {users} users, hatch rate {hatch}/s, run time {run_time}, weights {weights}, think time {tmin}–{tmax} ms. \
         {requests} requests in {dur:.0} s ({rps:.1}/s), <span class=\"{fail_class}\">{failures} failures</span>, <span class=\"{err_class}\">{errors} answers 5xx</span>.</p>",
        host = escape(&run.host),
        started = escape(&run.started_at),
        users = run.users,
        hatch = run.hatch_rate,
        weights = escape(&weights.join(", ")),
        tmin = run.think_time_ms.0,
        tmax = run.think_time_ms.1,
        requests = report.total.requests,
        dur = report.duration_seconds,
        rps = report.total.requests_per_second,
        failures = report.total.failures,
        fail_class = if report.total.failures > 0 { "bad" } else { "" },
        errors = report.server_errors,
        err_class = if report.server_errors > 0 { "bad" } else { "" },
    );
    for chart in [&requests, &latency, &users] {
        let _ = write!(out, "<figure>{chart}</figure>");
    }

    out.push_str("<h2>Requests per endpoint</h2><table>");
    header(
        &mut out,
        &[
            "endpoint", "requests", "failures", "req/s", "mean ms", "p50 ms", "p95 ms", "p99 ms",
            "max ms", "statuses",
        ],
    );
    for line in report
        .endpoints
        .iter()
        .chain(std::iter::once(&report.total))
    {
        let statuses: Vec<String> = line
            .statuses
            .iter()
            .map(|(s, n)| format!("{s}: {n}"))
            .chain(
                (line.transport_errors > 0)
                    .then(|| format!("no answer: {}", line.transport_errors)),
            )
            .collect();
        row(
            &mut out,
            &[
                escape(&line.endpoint),
                line.requests.to_string(),
                line.failures.to_string(),
                format!("{:.1}", line.requests_per_second),
                format!("{:.1}", line.mean_ms),
                format!("{:.1}", line.p50_ms),
                format!("{:.1}", line.p95_ms),
                format!("{:.1}", line.p99_ms),
                format!("{:.1}", line.max_ms),
                statuses.join(", "),
            ],
            1,
        );
    }
    out.push_str("</table><h2>Visits per scenario</h2><table>");
    header(
        &mut out,
        &[
            "scenario", "weight", "visits", "failed", "visits/s", "p50 s", "p95 s",
        ],
    );
    for s in &report.scenarios {
        row(
            &mut out,
            &[
                s.scenario.name().to_string(),
                s.weight.to_string(),
                s.iterations.to_string(),
                s.failed_iterations.to_string(),
                format!("{:.2}", s.iterations_per_second),
                format!("{:.1}", s.p50_ms / 1000.0),
                format!("{:.1}", s.p95_ms / 1000.0),
            ],
            1,
        );
    }
    out.push_str("</table>");
    if !report.outcomes.is_empty() {
        out.push_str("<h2>Outcomes</h2><table>");
        header(&mut out, &["outcome", "count"]);
        for (name, n) in &report.outcomes {
            row(&mut out, &[escape(name), n.to_string()], 1);
        }
        out.push_str("</table>");
    }
    out.push_str("<p>Latencies are measured by the client from sending a request to the last byte of its answer. A failure is an answer the scenario did not expect, or none.</p></body></html>\n");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_page_has_the_three_charts_and_the_tables() {
        let page = render(&crate::report::tests::sample());
        assert!(page.starts_with("<!DOCTYPE html>"));
        for title in ["Requests per second", "Latency percentiles", ">Users<"] {
            assert!(page.contains(title), "{title}");
        }
        assert_eq!(page.matches("<svg").count(), 3);
        assert!(page.contains("<td>GET /api/products</td>"));
        assert!(page.contains("<td>shopper</td>"));
        assert!(page.contains("409: 5"));
        assert!(!page.contains("<script"));
    }

    #[test]
    fn a_day_long_run_is_drawn_with_a_bounded_number_of_points() {
        let mut report = crate::report::tests::sample();
        let sample = report.timeline[0];
        report.timeline = (0..86_400)
            .map(|second| crate::metrics::Sample { second, ..sample })
            .collect();
        let page = render(&report);
        let points = page
            .split("points=\"")
            .nth(1)
            .and_then(|p| p.split('"').next())
            .map_or(0, |p| p.split(' ').count());
        assert!((1000..=MAX_POINTS).contains(&points), "{points}");
    }
}
