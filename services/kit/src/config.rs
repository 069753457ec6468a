//! Configuration from environment variables, typed once at start-up.
//!
//! Every variable is read through [`Env`], which collects *all* problems so
//! that start-up fails with one line naming every missing or malformed
//! variable, instead of one restart per mistake.

use std::fmt;
use std::net::SocketAddr;
use std::str::FromStr;

use petstore_contract::ServiceSpec;

use crate::listen::ListenAddrs;

/// A value that must never be printed (passwords, keys, URLs with credentials).
#[derive(Clone, PartialEq, Eq)]
pub struct Secret<T>(T);

impl<T> Secret<T> {
    /// Wraps a value.
    pub fn new(value: T) -> Self {
        Self(value)
    }
    /// The wrapped value, for the one place that needs it.
    pub fn expose(&self) -> &T {
        &self.0
    }
}

impl<T> fmt::Debug for Secret<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret(<redacted>)")
    }
}

impl<T: FromStr> FromStr for Secret<T> {
    type Err = T::Err;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        s.parse().map(Secret)
    }
}

/// Start-up failed because of the environment.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
#[error("invalid configuration: {}", .problems.join("; "))]
pub struct ConfigError {
    /// One entry per bad variable, e.g. `DATABASE_URL is not set`.
    pub problems: Vec<String>,
}

/// Where variable values come from.
type Lookup = Box<dyn Fn(&str) -> Option<String>>;

/// Reads variables from a source (the process environment, or a map in tests)
/// and remembers every problem it met.
pub struct Env {
    lookup: Lookup,
    problems: Vec<String>,
}

impl Default for Env {
    fn default() -> Self {
        Self::from_fn(|name| std::env::var(name).ok())
    }
}

impl Env {
    /// Reads from the process environment.
    pub fn process() -> Self {
        Self::default()
    }

    /// Reads through any lookup function (tests pass a map).
    pub fn from_fn(lookup: impl Fn(&str) -> Option<String> + 'static) -> Self {
        Self {
            lookup: Box::new(lookup),
            problems: Vec::new(),
        }
    }

    /// Reads from a list of pairs.
    pub fn from_pairs<K: Into<String>, V: Into<String>>(
        pairs: impl IntoIterator<Item = (K, V)>,
    ) -> Self {
        let map: std::collections::HashMap<String, String> = pairs
            .into_iter()
            .map(|(k, v)| (k.into(), v.into()))
            .collect();
        Self::from_fn(move |name| map.get(name).cloned())
    }

    fn raw(&self, name: &str) -> Option<String> {
        (self.lookup)(name).filter(|v| !v.trim().is_empty())
    }

    fn parse<T: FromStr>(&mut self, name: &str, raw: &str) -> Option<T>
    where
        T::Err: fmt::Display,
    {
        match raw.trim().parse() {
            Ok(value) => Some(value),
            Err(err) => {
                self.problems.push(format!("{name} is malformed ({err})"));
                None
            }
        }
    }

    /// A variable that must be set; records a problem when it is missing or malformed.
    pub fn required<T: FromStr>(&mut self, name: &str) -> Option<T>
    where
        T::Err: fmt::Display,
    {
        match self.raw(name) {
            Some(raw) => self.parse(name, &raw),
            None => {
                self.problems.push(format!("{name} is not set"));
                None
            }
        }
    }

    /// A variable with a default; a malformed value is still a problem, never silently ignored.
    pub fn optional<T: FromStr>(&mut self, name: &str, default: T) -> T
    where
        T::Err: fmt::Display,
    {
        match self.raw(name) {
            Some(raw) => self.parse(name, &raw).unwrap_or(default),
            None => default,
        }
    }

    /// A multi-line text variable (PEM keys), kept verbatim.
    pub fn required_text(&mut self, name: &str) -> Option<Secret<String>> {
        let value = self.raw(name).map(|v| v.replace("\\n", "\n"));
        if value.is_none() {
            self.problems.push(format!("{name} is not set"));
        }
        value.map(Secret)
    }

    /// The base URL of another PetStore service this one calls (`<SERVICE>_URL`, required,
    /// e.g. `CATALOG_URL=http://catalog:8082`), checked to be an absolute URL and given
    /// without a trailing slash.
    pub fn upstream_url(&mut self, service: &str) -> Option<String> {
        let url: reqwest::Url = self.required(&petstore_contract::env::upstream_url(service))?;
        Some(url.as_str().trim_end_matches('/').to_string())
    }

    /// Records a problem found by a later check (e.g. a key that does not parse).
    pub fn problem(&mut self, name: &str, message: impl fmt::Display) {
        self.problems.push(format!("{name} {message}"));
    }

    /// The public and internal listen addresses, defaulting to `spec`'s contract ports on
    /// all interfaces; the two must differ.
    pub fn listen_addrs(&mut self, spec: &ServiceSpec) -> ListenAddrs {
        let any = |port| SocketAddr::from(([0, 0, 0, 0], port));
        let addrs = ListenAddrs {
            public: self.optional(petstore_contract::env::LISTEN_ADDR, any(spec.port)),
            internal: self.optional(
                petstore_contract::env::INTERNAL_LISTEN_ADDR,
                any(spec.internal_port()),
            ),
        };
        if addrs.public == addrs.internal && addrs.public.port() != 0 {
            self.problem(
                petstore_contract::env::INTERNAL_LISTEN_ADDR,
                format_args!("must differ from {}", petstore_contract::env::LISTEN_ADDR),
            );
        }
        addrs
    }

    /// Finishes reading: the built value if every variable was good, else every problem at once.
    pub fn finish<T>(self, value: Option<T>) -> Result<T, ConfigError> {
        match value {
            Some(value) if self.problems.is_empty() => Ok(value),
            _ => Err(ConfigError {
                problems: self.problems,
            }),
        }
    }
}

/// Configuration a service reads through [`Env`].
pub trait FromEnv: Sized {
    /// Reads every variable the service needs; returns `None` when one was bad
    /// (the problem is already recorded in `env`).
    fn from_env(env: &mut Env) -> Option<Self>;

    /// Reads and validates in one go.
    fn load(mut env: Env) -> Result<Self, ConfigError> {
        let value = Self::from_env(&mut env);
        env.finish(value)
    }
}

/// A service with no settings of its own.
impl FromEnv for () {
    fn from_env(_: &mut Env) -> Option<Self> {
        Some(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug)]
    struct Demo {
        url: Secret<String>,
        port: u16,
        workers: u32,
    }

    impl FromEnv for Demo {
        fn from_env(env: &mut Env) -> Option<Self> {
            let url = env.required("URL");
            let port = env.required("PORT");
            let workers = env.optional("WORKERS", 4);
            Some(Demo {
                url: url?,
                port: port?,
                workers,
            })
        }
    }

    #[test]
    fn every_problem_is_named_in_one_line() {
        let err = Demo::load(Env::from_pairs([("PORT", "eighty"), ("WORKERS", "-1")])).unwrap_err();
        assert_eq!(
            err.to_string(),
            "invalid configuration: URL is not set; PORT is malformed (invalid digit found in string); \
             WORKERS is malformed (invalid digit found in string)"
        );
    }

    #[test]
    fn defaults_apply_and_secrets_are_redacted() {
        let demo = Demo::load(Env::from_pairs([
            ("URL", "postgres://u:hunter2@h/db"),
            ("PORT", "80"),
        ]))
        .unwrap();
        assert_eq!((demo.port, demo.workers), (80, 4));
        assert!(!format!("{demo:?}").contains("hunter2"));
        assert_eq!(demo.url.expose(), "postgres://u:hunter2@h/db");
    }

    #[test]
    fn blank_counts_as_missing() {
        let err = Demo::load(Env::from_pairs([("URL", "  "), ("PORT", "1")])).unwrap_err();
        assert_eq!(err.problems, vec!["URL is not set".to_string()]);
    }

    #[test]
    fn an_upstream_url_is_required_absolute_and_given_without_trailing_slash() {
        let mut env = Env::from_pairs([("CATALOG_URL", "http://catalog:8082/")]);
        assert_eq!(
            env.upstream_url("catalog").as_deref(),
            Some("http://catalog:8082")
        );
        assert!(env.problems.is_empty());

        let mut env = Env::from_pairs([("CATALOG_URL", "not a url")]);
        assert_eq!(env.upstream_url("catalog"), None);
        assert_eq!(
            env.problems,
            ["CATALOG_URL is malformed (relative URL without a base)"]
        );

        let mut env = Env::from_pairs::<&str, &str>([]);
        assert_eq!(env.upstream_url("orders"), None);
        assert_eq!(env.problems, ["ORDERS_URL is not set"]);
    }

    #[test]
    fn the_internal_listener_defaults_beside_the_public_one_and_must_differ() {
        let spec = &petstore_contract::CATALOG;
        let mut env = Env::from_pairs::<&str, &str>([]);
        let addrs = env.listen_addrs(spec);
        assert_eq!((addrs.public.port(), addrs.internal.port()), (8082, 9082));
        assert!(env.problems.is_empty());

        let mut env = Env::from_pairs([
            ("LISTEN_ADDR", "127.0.0.1:7000"),
            ("INTERNAL_LISTEN_ADDR", "127.0.0.1:7000"),
        ]);
        env.listen_addrs(spec);
        assert_eq!(
            env.problems,
            vec!["INTERNAL_LISTEN_ADDR must differ from LISTEN_ADDR".to_string()]
        );
    }
}
