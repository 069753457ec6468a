//! The one place the load generator sends requests to.
//!
//! A [`Target`] is parsed from `--host` and is the only origin any request is
//! built for: every request path is appended to it, redirects are never
//! followed (see [`crate::client`]), so nothing is ever sent anywhere else.

use std::fmt;
use std::str::FromStr;

/// Why a `--host` was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TargetError {
    /// Not `http://…`.
    #[error(
        "--host must start with http:// (the gateway Service or a local gateway; https is not supported)"
    )]
    Scheme,
    /// No host name or address.
    #[error("--host has no host name")]
    NoHost,
    /// A path, query, fragment or user name after the host.
    #[error(
        "--host must be only scheme, host and port (no path, query, fragment or user), got {0}"
    )]
    Extra(String),
    /// Characters no host name or port holds.
    #[error("--host has an invalid host or port: {0}")]
    Invalid(String),
}

/// The gateway's origin, `http://host[:port]`, without a trailing slash.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Target {
    origin: String,
}

impl Target {
    /// The URL of `path` (which starts with `/`) on the target.
    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.origin)
    }

    /// The origin, for display.
    pub fn origin(&self) -> &str {
        &self.origin
    }
}

impl FromStr for Target {
    type Err = TargetError;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let rest = text.strip_prefix("http://").ok_or(TargetError::Scheme)?;
        let (authority, tail) = rest.split_at(rest.find(['/', '?', '#']).unwrap_or(rest.len()));
        if !(tail.is_empty() || tail == "/") {
            return Err(TargetError::Extra(tail.to_string()));
        }
        if authority.contains('@') {
            return Err(TargetError::Extra(authority.to_string()));
        }
        if authority.is_empty() || authority.starts_with(':') {
            return Err(TargetError::NoHost);
        }
        let valid = authority
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | ':' | '[' | ']' | '_'));
        if !valid {
            return Err(TargetError::Invalid(authority.to_string()));
        }
        if let Some((_, port)) = authority.rsplit_once(':')
            && !authority.ends_with(']')
            && port.parse::<u16>().is_err()
        {
            return Err(TargetError::Invalid(authority.to_string()));
        }
        Ok(Self {
            origin: format!("http://{authority}"),
        })
    }
}

impl fmt::Display for Target {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.origin)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_an_origin_and_builds_urls_on_it_only() {
        let target: Target = "http://127.0.0.1:8080/".parse().unwrap();
        assert_eq!(target.origin(), "http://127.0.0.1:8080");
        assert_eq!(
            target.url("/api/products?limit=20"),
            "http://127.0.0.1:8080/api/products?limit=20"
        );
        let service: Target = "http://shop-gateway.shop.svc:8080".parse().unwrap();
        assert_eq!(
            service.url("/api/health"),
            "http://shop-gateway.shop.svc:8080/api/health"
        );
        assert!("http://[::1]:8080".parse::<Target>().is_ok());
    }

    #[test]
    fn refuses_anything_but_an_http_origin() {
        assert_eq!("https://x".parse::<Target>(), Err(TargetError::Scheme));
        assert_eq!("127.0.0.1:8080".parse::<Target>(), Err(TargetError::Scheme));
        assert_eq!("http://".parse::<Target>(), Err(TargetError::NoHost));
        assert_eq!("http://:80".parse::<Target>(), Err(TargetError::NoHost));
        assert!(matches!(
            "http://h/api".parse::<Target>(),
            Err(TargetError::Extra(_))
        ));
        assert!(matches!(
            "http://u:p@h".parse::<Target>(),
            Err(TargetError::Extra(_))
        ));
        assert!(matches!(
            "http://h?x=1".parse::<Target>(),
            Err(TargetError::Extra(_))
        ));
        assert!(matches!(
            "http://h:99999".parse::<Target>(),
            Err(TargetError::Invalid(_))
        ));
        assert!(matches!(
            "http://h o".parse::<Target>(),
            Err(TargetError::Invalid(_))
        ));
    }
}
