//! The console's configuration, read once at start-up from the environment.

use std::collections::BTreeMap;

use kit::config::{Env, FromEnv, Secret};
use petstore_contract::env;

/// Shortest session key accepted, in characters.
pub const MIN_SESSION_KEY_CHARS: usize = 32;

/// When the session cookie is marked `Secure`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CookieSecurity {
    /// When the request reached the store over https (`X-Forwarded-Proto: https`).
    Auto,
    /// Always (the store is only served over https).
    Always,
}

impl std::str::FromStr for CookieSecurity {
    type Err = String;
    fn from_str(raw: &str) -> Result<Self, Self::Err> {
        match raw.trim() {
            "auto" => Ok(Self::Auto),
            "true" | "always" => Ok(Self::Always),
            other => Err(format!("`{other}` is neither `auto` nor `true`")),
        }
    }
}

/// Everything the console needs to run.
#[derive(Debug, Clone)]
pub struct Config {
    /// Where the public (`LISTEN_ADDR`, default `0.0.0.0:8088`) and internal
    /// (`INTERNAL_LISTEN_ADDR`, default `0.0.0.0:9088`) listeners bind.
    pub listen: kit::listen::ListenAddrs,
    /// Base URL of every service the console calls (`<NAME>_URL`); a service whose
    /// variable is unset is disabled in this store and its pages say so.
    pub upstreams: BTreeMap<&'static str, String>,
    /// Seals the session cookies (`CONSOLE_SESSION_KEY`).
    pub session_key: Secret<String>,
    /// When cookies are `Secure` (`CONSOLE_SECURE_COOKIES`: `auto` or `true`).
    pub cookie_security: CookieSecurity,
}

impl FromEnv for Config {
    fn from_env(env: &mut Env) -> Option<Self> {
        let spec = &petstore_contract::CONSOLE;
        let listen = env.listen_addrs(spec);
        let mut upstreams = BTreeMap::new();
        for name in spec.calls {
            let var = env::upstream_url(name);
            let raw: String = env.optional(&var, String::new());
            let raw = raw.trim();
            if raw.is_empty() {
                continue;
            }
            match reqwest::Url::parse(raw) {
                Ok(_) => {
                    upstreams.insert(*name, raw.trim_end_matches('/').to_string());
                }
                Err(err) => env.problem(&var, format_args!("is malformed ({err})")),
            }
        }
        let session_key: Option<Secret<String>> = env.required(env::CONSOLE_SESSION_KEY);
        if let Some(key) = &session_key
            && key.expose().chars().count() < MIN_SESSION_KEY_CHARS
        {
            env.problem(
                env::CONSOLE_SESSION_KEY,
                format_args!("must be at least {MIN_SESSION_KEY_CHARS} characters"),
            );
        }
        let cookie_security = env.optional(env::CONSOLE_SECURE_COOKIES, CookieSecurity::Auto);
        Some(Self {
            listen,
            upstreams,
            session_key: session_key?,
            cookie_security,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_short_session_key_is_named() {
        let err = Config::load(Env::from_pairs([("CONSOLE_SESSION_KEY", "short")])).unwrap_err();
        assert_eq!(
            err.problems,
            vec!["CONSOLE_SESSION_KEY must be at least 32 characters".to_string()]
        );
    }

    #[test]
    fn unset_upstreams_are_disabled_and_urls_are_trimmed() {
        let config = Config::load(Env::from_pairs([
            ("CONSOLE_SESSION_KEY", "k".repeat(40)),
            ("CATALOG_URL", "http://catalog:8082/".into()),
        ]))
        .unwrap();
        assert_eq!(
            config.upstreams.get("catalog").map(String::as_str),
            Some("http://catalog:8082")
        );
        assert!(!config.upstreams.contains_key("users"));
        assert_eq!(config.cookie_security, CookieSecurity::Auto);
        assert!(!format!("{config:?}").contains("kkkk"));
    }
}
