//! The gateway's configuration, read once at start-up from the environment.

use std::str::FromStr;
use std::time::Duration;

use axum::http::HeaderValue;
use kit::auth::TokenVerifier;
use kit::config::{Env, FromEnv};
use kit::service::verifier_from_env;
use petstore_contract::env;

/// Seconds the gateway waits for an upstream's whole answer (default 30).
pub const UPSTREAM_TIMEOUT_SECONDS: &str = "UPSTREAM_TIMEOUT_SECONDS";
/// Largest request body the gateway forwards, in bytes (default 1 MiB).
pub const MAX_REQUEST_BODY_BYTES: &str = "MAX_REQUEST_BODY_BYTES";

/// Default of [`UPSTREAM_TIMEOUT_SECONDS`].
pub const DEFAULT_UPSTREAM_TIMEOUT: Duration = Duration::from_secs(30);
/// Default of [`MAX_REQUEST_BODY_BYTES`].
pub const DEFAULT_MAX_BODY_BYTES: usize = 1024 * 1024;
/// Default of `RATE_LIMIT_PER_IP_PER_MINUTE`.
pub const DEFAULT_RATE_LIMIT_PER_IP: u32 = 600;
/// Default of `RATE_LIMIT_PER_USER_PER_MINUTE`.
pub const DEFAULT_RATE_LIMIT_PER_USER: u32 = 300;

/// Everything the gateway needs to run.
#[derive(Debug, Clone)]
pub struct Config {
    /// Where the public (`LISTEN_ADDR`, default `0.0.0.0:8080`) and internal
    /// (`INTERNAL_LISTEN_ADDR`, default `0.0.0.0:9080`) listeners bind.
    pub listen: kit::listen::ListenAddrs,
    /// Verifies access tokens (`JWT_PUBLIC_KEY`).
    pub verifier: TokenVerifier,
    /// Base URL of every enabled backend (`<NAME>_URL`); a contract backend
    /// whose variable is unset or empty is disabled.
    pub upstreams: Vec<Upstream>,
    /// Origins allowed cross-origin access (`CORS_ALLOWED_ORIGINS`).
    pub cors_allowed_origins: AllowedOrigins,
    /// Requests per minute per client IP; 0 disables the limit.
    pub rate_limit_per_ip_per_minute: u32,
    /// Requests per minute per authenticated user; 0 disables the limit.
    pub rate_limit_per_user_per_minute: u32,
    /// Proxies in front of the gateway whose `X-Forwarded-For` entry is trusted.
    pub trusted_proxy_hops: usize,
    /// How long an upstream may take to answer, and may stay silent while sending its body.
    pub upstream_timeout: Duration,
    /// Largest request body forwarded; larger ones get 413.
    pub max_body_bytes: usize,
}

/// A backend the gateway forwards to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Upstream {
    /// The backend's contract name (`users`, `catalog`, ...).
    pub name: &'static str,
    /// Its base URL, e.g. `http://users:8081`.
    pub base_url: reqwest::Url,
}

/// Which origins may call the API from a browser.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub enum AllowedOrigins {
    /// None: secure by default.
    #[default]
    None,
    /// Any origin (`*`).
    Any,
    /// Exactly these origins.
    List(Vec<HeaderValue>),
}

/// Why `CORS_ALLOWED_ORIGINS` could not be parsed.
#[derive(Debug, thiserror::Error)]
#[error("origin `{0}` must look like https://host[:port]")]
pub struct OriginError(String);

impl FromStr for AllowedOrigins {
    type Err = OriginError;

    fn from_str(raw: &str) -> Result<Self, Self::Err> {
        let items: Vec<&str> = raw
            .split(',')
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .collect();
        if items.is_empty() {
            return Ok(Self::None);
        }
        if items.contains(&"*") {
            return Ok(Self::Any);
        }
        items
            .into_iter()
            .map(|origin| {
                let well_formed = (origin.starts_with("http://") || origin.starts_with("https://"))
                    && !origin.ends_with('/');
                HeaderValue::from_str(origin)
                    .ok()
                    .filter(|_| well_formed)
                    .ok_or_else(|| OriginError(origin.to_string()))
            })
            .collect::<Result<_, _>>()
            .map(Self::List)
    }
}

impl FromEnv for Config {
    fn from_env(env: &mut Env) -> Option<Self> {
        let listen = env.listen_addrs(&petstore_contract::GATEWAY);
        let verifier = verifier_from_env(env);
        // A backend without a URL is disabled in this store (the operator
        // sets URLs only for enabled services): its prefix answers 503.
        let mut upstreams = Vec::new();
        for spec in petstore_contract::backends() {
            let var = env::upstream_url(spec.name);
            let raw: String = env.optional(&var, String::new());
            if raw.trim().is_empty() {
                continue;
            }
            match reqwest::Url::parse(raw.trim()) {
                Ok(base_url) => upstreams.push(Upstream {
                    name: spec.name,
                    base_url,
                }),
                Err(err) => env.problem(&var, format_args!("is malformed ({err})")),
            }
        }
        let cors_allowed_origins = env.optional(env::CORS_ALLOWED_ORIGINS, AllowedOrigins::None);
        let rate_limit_per_ip_per_minute =
            env.optional(env::RATE_LIMIT_PER_IP, DEFAULT_RATE_LIMIT_PER_IP);
        let rate_limit_per_user_per_minute =
            env.optional(env::RATE_LIMIT_PER_USER, DEFAULT_RATE_LIMIT_PER_USER);
        let trusted_proxy_hops = env.optional(env::TRUSTED_PROXIES, 0);
        let timeout_secs =
            env.optional(UPSTREAM_TIMEOUT_SECONDS, DEFAULT_UPSTREAM_TIMEOUT.as_secs());
        if timeout_secs == 0 {
            env.problem(UPSTREAM_TIMEOUT_SECONDS, "must be at least 1");
        }
        let max_body_bytes = env.optional(MAX_REQUEST_BODY_BYTES, DEFAULT_MAX_BODY_BYTES);
        Some(Self {
            listen,
            verifier: verifier?,
            upstreams,
            cors_allowed_origins,
            rate_limit_per_ip_per_minute,
            rate_limit_per_user_per_minute,
            trusted_proxy_hops,
            upstream_timeout: Duration::from_secs(timeout_secs),
            max_body_bytes,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn base_env() -> Vec<(String, String)> {
        let keys = kit::auth::generate_keypair();
        let mut vars = vec![(env::JWT_PUBLIC_KEY.to_string(), keys.public_pem)];
        for spec in petstore_contract::backends() {
            vars.push((
                env::upstream_url(spec.name),
                format!("http://{}:{}", spec.name, spec.port),
            ));
        }
        vars
    }

    #[test]
    fn defaults_are_secure() {
        let config = Config::load(Env::from_pairs(base_env())).unwrap();
        assert_eq!(config.listen.public.port(), 8080);
        assert_eq!(config.cors_allowed_origins, AllowedOrigins::None);
        assert_eq!(config.trusted_proxy_hops, 0);
        assert_eq!(config.rate_limit_per_ip_per_minute, 600);
        assert_eq!(config.rate_limit_per_user_per_minute, 300);
        assert_eq!(config.upstream_timeout, Duration::from_secs(30));
        assert_eq!(config.max_body_bytes, 1024 * 1024);
        assert_eq!(
            config.upstreams.len(),
            petstore_contract::backends().count()
        );
    }

    #[test]
    fn a_missing_upstream_is_a_disabled_backend_and_a_malformed_one_is_named() {
        let mut vars = base_env();
        vars.retain(|(k, _)| k != "REVIEWS_URL");
        let config = Config::load(Env::from_pairs(vars.clone())).unwrap();
        assert!(config.upstreams.iter().all(|u| u.name != "reviews"));
        assert_eq!(
            config.upstreams.len(),
            petstore_contract::backends().count() - 1
        );
        vars.push(("CATALOG_URL".into(), "not a url".into()));
        vars.retain(|(k, v)| k != "CATALOG_URL" || v == "not a url");
        let text = Config::load(Env::from_pairs(vars)).unwrap_err().to_string();
        assert!(text.contains("CATALOG_URL is malformed"), "{text}");
    }

    #[test]
    fn missing_required_variables_are_named() {
        let err = Config::load(Env::from_pairs([("CORS_ALLOWED_ORIGINS", "ftp://x")])).unwrap_err();
        let text = err.to_string();
        assert!(text.contains("JWT_PUBLIC_KEY is not set"), "{text}");
        assert!(text.contains("CORS_ALLOWED_ORIGINS is malformed"), "{text}");
    }

    #[test]
    fn origins_parse() {
        assert_eq!("*".parse::<AllowedOrigins>().unwrap(), AllowedOrigins::Any);
        assert_eq!(
            "https://a.example, http://localhost:3000"
                .parse::<AllowedOrigins>()
                .unwrap(),
            AllowedOrigins::List(vec![
                HeaderValue::from_static("https://a.example"),
                HeaderValue::from_static("http://localhost:3000"),
            ])
        );
        assert!("a.example".parse::<AllowedOrigins>().is_err());
        assert!("https://a.example/".parse::<AllowedOrigins>().is_err());
    }
}
