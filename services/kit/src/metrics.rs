//! Prometheus metrics in the text exposition format, all named `petstore_*`.

use std::time::Duration;

use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::metrics::histogram::{Histogram, exponential_buckets};
use prometheus_client::registry::Registry;

/// Labels of one HTTP request.
#[derive(Debug, Clone, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct RequestLabels {
    /// HTTP method.
    pub method: String,
    /// Route template (`/products/{id}`), never the raw path, to bound cardinality.
    pub route: String,
    /// Response status code.
    pub status: u16,
}

/// Labels of one route's latency.
#[derive(Debug, Clone, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct RouteLabels {
    /// HTTP method.
    pub method: String,
    /// Route template.
    pub route: String,
}

#[derive(Debug, Clone, Hash, PartialEq, Eq, EncodeLabelSet)]
struct InfoLabels {
    service: String,
    version: String,
}

fn latency_histogram() -> Histogram {
    Histogram::new(exponential_buckets(0.0005, 2.0, 16))
}

/// The registry of one service and the HTTP metrics every service records.
#[derive(Debug)]
pub struct Metrics {
    registry: Registry,
    requests: Family<RequestLabels, Counter>,
    latency: Family<RouteLabels, Histogram, fn() -> Histogram>,
}

impl Metrics {
    /// Registers the HTTP, build-info and event metrics of `service`.
    pub fn new(service: &str) -> Self {
        let mut registry = Registry::with_prefix("petstore");
        let requests = Family::<RequestLabels, Counter>::default();
        let latency = Family::<RouteLabels, Histogram, fn() -> Histogram>::new_with_constructor(
            latency_histogram,
        );
        let info = Family::<InfoLabels, Gauge>::default();
        info.get_or_create(&InfoLabels {
            service: service.into(),
            version: env!("CARGO_PKG_VERSION").into(),
        })
        .set(1);
        registry.register("http_requests", "HTTP requests served", requests.clone());
        registry.register(
            "http_request_duration_seconds",
            "HTTP request latency",
            latency.clone(),
        );
        registry.register("build_info", "Service name and version", info);
        crate::events::register_metrics(&mut registry);
        Self {
            registry,
            requests,
            latency,
        }
    }

    /// Gives the service a place to register metrics of its own.
    pub fn registry_mut(&mut self) -> &mut Registry {
        &mut self.registry
    }

    /// Records one served request.
    pub fn observe_request(&self, labels: RequestLabels, elapsed: Duration) {
        self.latency
            .get_or_create(&RouteLabels {
                method: labels.method.clone(),
                route: labels.route.clone(),
            })
            .observe(elapsed.as_secs_f64());
        self.requests.get_or_create(&labels).inc();
    }

    /// The text exposition of every metric.
    pub fn encode(&self) -> String {
        let mut out = String::new();
        // Writing into a String cannot fail.
        let _ = prometheus_client::encoding::text::encode(&mut out, &self.registry);
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn records_requests_with_route_templates() {
        let metrics = Metrics::new("catalog");
        metrics.observe_request(
            RequestLabels {
                method: "GET".into(),
                route: "/products/{id}".into(),
                status: 200,
            },
            Duration::from_millis(3),
        );
        let text = metrics.encode();
        assert!(text.contains(r#"petstore_http_requests_total{method="GET",route="/products/{id}",status="200"} 1"#), "{text}");
        assert!(text.contains(r#"petstore_build_info{service="catalog""#));
        assert!(text.contains("petstore_http_request_duration_seconds_bucket"));
    }
}
