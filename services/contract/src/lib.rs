//! The contract between the store's services and whoever runs them (the
//! operator, the local stack, the container images).
//!
//! Both sides read these constants, so a renamed variable or a moved port is a
//! compile error on both sides instead of a pod that never becomes ready.
#![forbid(unsafe_code)]

/// Environment variables every service reads.
pub mod env {
    /// Socket address the HTTP server binds, e.g. `0.0.0.0:8080`.
    pub const LISTEN_ADDR: &str = "LISTEN_ADDR";
    /// Socket address of the internal listener (`/metrics`, `/status`, probes), e.g.
    /// `0.0.0.0:9080`; never routed by the gateway nor reached by the Ingress.
    pub const INTERNAL_LISTEN_ADDR: &str = "INTERNAL_LISTEN_ADDR";
    /// PostgreSQL connection URL of the service's own database.
    pub const DATABASE_URL: &str = "DATABASE_URL";
    /// Maximum number of pooled PostgreSQL connections.
    pub const DATABASE_MAX_CONNECTIONS: &str = "DATABASE_MAX_CONNECTIONS";
    /// AMQP URL of the RabbitMQ broker, e.g. `amqp://user:pass@host:5672/%2f`.
    pub const AMQP_URL: &str = "AMQP_URL";
    /// How long a published outbox row is kept after publication, as a whole number and a
    /// unit (`s`, `m`, `h`, `d`), e.g. `1d` (the default). Unpublished rows are never
    /// pruned. See docs/events.md, "Retention".
    pub const OUTBOX_RETENTION: &str = "OUTBOX_RETENTION";
    /// How long a consumer remembers an event it processed (its idempotency record), e.g.
    /// `7d` (the default, at least `1h`); must exceed the longest time after which the same
    /// event may be delivered again. See docs/events.md, "Retention".
    pub const PROCESSED_EVENTS_RETENTION: &str = "PROCESSED_EVENTS_RETENTION";
    /// Time between two rounds of the retention job, and before its first, e.g. `1h` (the
    /// default).
    pub const RETENTION_INTERVAL: &str = "RETENTION_INTERVAL";
    /// PEM (SPKI) Ed25519 public key that verifies access tokens.
    pub const JWT_PUBLIC_KEY: &str = "JWT_PUBLIC_KEY";
    /// PEM (PKCS#8) Ed25519 private key that signs access tokens (users only).
    pub const JWT_PRIVATE_KEY: &str = "JWT_PRIVATE_KEY";
    /// Log filter in `tracing` syntax, e.g. `info,sqlx=warn`.
    pub const LOG_FILTER: &str = "RUST_LOG";
    /// Log format: `json` (default) or `pretty`.
    pub const LOG_FORMAT: &str = "LOG_FORMAT";
    /// Comma-separated origins the gateway allows for CORS (`*` for any).
    pub const CORS_ALLOWED_ORIGINS: &str = "CORS_ALLOWED_ORIGINS";
    /// Requests per minute the gateway allows per client IP.
    pub const RATE_LIMIT_PER_IP: &str = "RATE_LIMIT_PER_IP_PER_MINUTE";
    /// Requests per minute the gateway allows per authenticated user.
    pub const RATE_LIMIT_PER_USER: &str = "RATE_LIMIT_PER_USER_PER_MINUTE";
    /// Number of proxies in front of the gateway whose `X-Forwarded-For` is trusted.
    pub const TRUSTED_PROXIES: &str = "TRUSTED_PROXY_HOPS";

    /// The console's session key: at least 32 characters of secret random text that
    /// every console replica shares; its session cookies are sealed with a key derived
    /// from it.
    pub const CONSOLE_SESSION_KEY: &str = "CONSOLE_SESSION_KEY";
    /// When the console's session cookie is `Secure`: `auto` (when the request reached the
    /// store over https, by `X-Forwarded-Proto`) or `true` (always, for a store served
    /// only over https).
    pub const CONSOLE_SECURE_COOKIES: &str = "CONSOLE_SECURE_COOKIES";

    /// Name of the variable holding a backend's base URL for the gateway,
    /// e.g. `USERS_URL` for `users`.
    pub fn upstream_url(service: &str) -> String {
        format!("{}_URL", service.to_ascii_uppercase())
    }
}

/// HTTP endpoints every service serves.
///
/// `HEALTH` and `READY` are on both listeners (the gateway aggregates the backends'
/// readiness over their public port; probes use the internal one); `STATUS` and
/// `METRICS` are on the internal listener only; the rest on the public one.
pub mod endpoints {
    /// Liveness: the process answers.
    pub const HEALTH: &str = "/health";
    /// Readiness: the service's database, broker and background workers are up.
    pub const READY: &str = "/ready";
    /// Name, version, uptime and dependency states (internal listener only).
    pub const STATUS: &str = "/status";
    /// Prometheus text exposition (internal listener only).
    pub const METRICS: &str = "/metrics";
    /// The service's OpenAPI document.
    pub const OPENAPI: &str = "/openapi.json";
    /// Interactive API documentation.
    pub const DOCS: &str = "/docs";
}

/// Header carrying the client's address as the gateway determined it (the TCP peer, or
/// the `X-Forwarded-For` entry of the first untrusted hop); the gateway drops any value a
/// client sent, so a backend reached only through it can trust the header.
pub const CLIENT_ADDRESS_HEADER: &str = "x-petstore-client-address";

/// Header carrying the request id that the gateway sets and every service propagates.
pub const REQUEST_ID_HEADER: &str = "x-request-id";

/// The AMQP topic exchange all domain events are published to.
pub const EVENTS_EXCHANGE: &str = "petstore.events";
/// The dead-letter exchange for messages a consumer gave up on.
pub const DEAD_LETTER_EXCHANGE: &str = "petstore.events.dlx";

/// Name of the container image that holds the store's binary, [`BINARY`] (and the load
/// generator).
pub const SERVICES_IMAGE: &str = "petstore-services";

/// The store's one executable: `petstore <service>` runs a service, `petstore migrate
/// <service>` applies its migrations ([`ServiceSpec::command`],
/// [`ServiceSpec::migrate_command`]).
pub const BINARY: &str = "petstore";
/// Name of the operator's container image.
pub const OPERATOR_IMAGE: &str = "petstore-operator";

/// Subcommand of [`BINARY`] that applies a service's database migrations and exits.
pub const MIGRATE_SUBCOMMAND: &str = "migrate";

/// What a service is, as far as the platform is concerned.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ServiceSpec {
    /// Short name: the subcommand of [`BINARY`] that runs it, database name suffix, DNS
    /// name part.
    pub name: &'static str,
    /// Default TCP port of the HTTP server.
    pub port: u16,
    /// Whether the service owns a PostgreSQL database (the gateway does not).
    pub has_database: bool,
    /// Whether the service talks to RabbitMQ.
    pub uses_broker: bool,
    /// Whether the service signs tokens and so needs the private key.
    pub signs_tokens: bool,
    /// Path prefixes the gateway forwards to this service.
    pub routes: &'static [&'static str],
    /// Services this one calls over HTTP; it reads each base URL from
    /// [`env::upstream_url`] (e.g. `CATALOG_URL`).
    pub calls: &'static [&'static str],
}

/// How far above its public port a service's internal listener is by default.
pub const INTERNAL_PORT_OFFSET: u16 = 1000;

impl ServiceSpec {
    /// Default TCP port of the internal listener (`/metrics`, `/status`, probes).
    pub const fn internal_port(&self) -> u16 {
        self.port + INTERNAL_PORT_OFFSET
    }

    /// The command line that runs the service: `petstore <name>`.
    pub fn command(&self) -> Vec<String> {
        vec![BINARY.to_string(), self.name.to_string()]
    }

    /// The command line that applies the service's migrations: `petstore migrate <name>`.
    pub fn migrate_command(&self) -> Vec<String> {
        vec![
            BINARY.to_string(),
            MIGRATE_SUBCOMMAND.to_string(),
            self.name.to_string(),
        ]
    }

    /// Name of the service's database.
    pub fn database(&self) -> String {
        format!("petstore_{}", self.name)
    }
}

/// The gateway: the store's one entry point.
pub const GATEWAY: ServiceSpec = ServiceSpec {
    name: "gateway",
    port: 8080,
    has_database: false,
    uses_broker: false,
    signs_tokens: false,
    routes: &[],
    calls: &[],
};

/// Users, roles and tokens.
pub const USERS: ServiceSpec = ServiceSpec {
    name: "users",
    port: 8081,
    has_database: true,
    uses_broker: true,
    signs_tokens: true,
    routes: &["/api/auth", "/api/users"],
    calls: &[],
};

/// Categories, products and pets.
pub const CATALOG: ServiceSpec = ServiceSpec {
    name: "catalog",
    port: 8082,
    has_database: true,
    uses_broker: true,
    signs_tokens: false,
    routes: &["/api/categories", "/api/products", "/api/pets"],
    calls: &[],
};

/// Stores, stock per store, transfers and low-stock alerts.
pub const INVENTORY: ServiceSpec = ServiceSpec {
    name: "inventory",
    port: 8083,
    has_database: true,
    uses_broker: true,
    signs_tokens: false,
    routes: &["/api/stores", "/api/inventory"],
    calls: &[],
};

/// Carts and checkout.
pub const CART: ServiceSpec = ServiceSpec {
    name: "cart",
    port: 8084,
    has_database: true,
    uses_broker: true,
    signs_tokens: false,
    routes: &["/api/cart"],
    // orders: checkout hands the order over synchronously (POST /internal/checkouts).
    calls: &["catalog", "orders"],
};

/// Orders, their status history and shipments.
pub const ORDERS: ServiceSpec = ServiceSpec {
    name: "orders",
    port: 8085,
    has_database: true,
    uses_broker: true,
    signs_tokens: false,
    routes: &["/api/orders"],
    calls: &["catalog"],
};

/// Payments, refunds and their audit log.
pub const PAYMENTS: ServiceSpec = ServiceSpec {
    name: "payments",
    port: 8086,
    has_database: true,
    uses_broker: true,
    signs_tokens: false,
    routes: &["/api/payments"],
    calls: &[],
};

/// Reviews and ratings.
pub const REVIEWS: ServiceSpec = ServiceSpec {
    name: "reviews",
    port: 8087,
    has_database: true,
    uses_broker: true,
    signs_tokens: false,
    routes: &["/api/reviews"],
    calls: &[],
};

/// The web console: the store's pages for shoppers and staff, served at `/` through the
/// gateway. It reads and writes through the other services' public APIs, as a browser
/// would, and asks the gateway for the store's health.
pub const CONSOLE: ServiceSpec = ServiceSpec {
    name: "console",
    port: 8088,
    has_database: false,
    uses_broker: false,
    signs_tokens: false,
    // Everything outside `/api` that the gateway does not answer itself.
    routes: &["/"],
    calls: &[
        "gateway",
        "users",
        "catalog",
        "inventory",
        "cart",
        "orders",
        "payments",
        "reviews",
    ],
};

/// Every service of the store, gateway first.
pub const SERVICES: &[ServiceSpec] = &[
    GATEWAY, USERS, CATALOG, INVENTORY, CART, ORDERS, PAYMENTS, REVIEWS, CONSOLE,
];

/// Paths under this prefix are the API; the gateway never hands them to a service
/// whose route is the site root (`/`), such as the console.
pub const API_PREFIX: &str = "/api";

/// The services the gateway forwards to.
pub fn backends() -> impl Iterator<Item = &'static ServiceSpec> {
    SERVICES.iter().filter(|s| !s.routes.is_empty())
}

/// Looks a service up by its short name.
pub fn service(name: &str) -> Option<&'static ServiceSpec> {
    SERVICES.iter().find(|s| s.name == name)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_ports_and_routes_are_unique() {
        let mut names: Vec<_> = SERVICES.iter().map(|s| s.name).collect();
        let mut ports: Vec<_> = SERVICES
            .iter()
            .flat_map(|s| [s.port, s.internal_port()])
            .collect();
        let mut routes: Vec<_> = SERVICES.iter().flat_map(|s| s.routes).collect();
        for list in [&mut names as &mut dyn UniqueCheck, &mut ports, &mut routes] {
            assert!(list.all_unique());
        }
    }

    #[test]
    fn every_call_names_a_backend() {
        for spec in SERVICES {
            for call in spec.calls {
                let callee =
                    service(call).unwrap_or_else(|| panic!("{} calls unknown {call}", spec.name));
                // The gateway is the one callee without routes: the console asks it for
                // the store's aggregated health.
                assert!(
                    !callee.routes.is_empty() || callee.name == GATEWAY.name,
                    "{} calls {call}, which serves no routes",
                    spec.name
                );
            }
        }
    }

    #[test]
    fn upstream_variable_is_derived_from_the_name() {
        assert_eq!(env::upstream_url("users"), "USERS_URL");
        assert_eq!(USERS.database(), "petstore_users");
        assert_eq!(service("catalog"), Some(&CATALOG));
        assert_eq!(backends().count(), SERVICES.len() - 1);
    }

    trait UniqueCheck {
        fn all_unique(&mut self) -> bool;
    }
    impl<T: Ord> UniqueCheck for Vec<T> {
        fn all_unique(&mut self) -> bool {
            let before = self.len();
            self.sort();
            self.dedup();
            self.len() == before
        }
    }
}
