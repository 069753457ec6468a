//! Logs: JSON lines by default (one object per event, with the request id of
//! the span it happened in), human-readable with `LOG_FORMAT=pretty`.

use petstore_contract::env;
use tracing_subscriber::EnvFilter;

/// Installs the global subscriber; later calls are no-ops (tests start many services).
pub fn init(service: &str) {
    let filter = EnvFilter::try_from_env(env::LOG_FILTER)
        .unwrap_or_else(|_| EnvFilter::new("info,sqlx=warn,lapin=warn"));
    let pretty = std::env::var(env::LOG_FORMAT).is_ok_and(|f| f.eq_ignore_ascii_case("pretty"));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr);
    let result = if pretty {
        builder.try_init()
    } else {
        builder
            .json()
            .flatten_event(true)
            .with_current_span(true)
            .with_span_list(false)
            .try_init()
    };
    if result.is_ok() {
        tracing::info!(
            service,
            version = env!("CARGO_PKG_VERSION"),
            "logging started"
        );
    }
}
