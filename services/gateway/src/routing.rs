//! The routing table: which backend serves a path, derived from the
//! contract's `routes` prefixes so that adding a service to the contract is
//! all it takes to route it.

use std::sync::Arc;

use petstore_contract::ServiceSpec;

use crate::config::Upstream;
use crate::path::PathError;

/// A backend as the proxy sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Backend {
    /// Contract name, used in problems and health reports.
    pub name: &'static str,
    /// Base URL without a trailing slash; the request's path is appended unchanged.
    pub base_url: String,
    /// The base URL's own path (`/` when it has none).
    pub base_path: String,
}

impl Backend {
    /// The URL of one of the backend's own endpoints (a constant path).
    pub fn url(&self, path_and_query: &str) -> String {
        format!("{}{path_and_query}", self.base_url)
    }

    /// The URL a request for `path_and_query` is forwarded to, refused if `path` has a dot
    /// or hidden-separator segment ([`crate::path::check`]) or if building the URL moved the
    /// path: the upstream URL never leaves the backend's prefix.
    pub fn forward_url(&self, path: &str, path_and_query: &str) -> Result<http::Uri, PathError> {
        crate::path::check(path)?;
        let uri =
            http::Uri::try_from(self.url(path_and_query)).map_err(|_| PathError::BadEncoding)?;
        if crate::path::upstream_path_stays_put(&uri, &self.base_path, path) {
            Ok(uri)
        } else {
            Err(PathError::DotSegment)
        }
    }
}

/// Where a prefix leads.
#[derive(Debug, Clone)]
enum Target {
    /// A configured backend.
    Backend(Arc<Backend>),
    /// A backend of the contract that this store runs without (no URL).
    Disabled(&'static str),
}

/// Prefixes to backends, longest prefix first.
#[derive(Debug, Clone)]
pub struct RouteTable {
    routes: Vec<(&'static str, Target)>,
    backends: Vec<Arc<Backend>>,
}

impl RouteTable {
    /// Routes every prefix of every spec to that spec's upstream; a spec
    /// without an upstream is disabled: its prefixes still match (so they
    /// never fall through to a shorter prefix) and [`Self::disabled`] names it.
    pub fn new<'a>(
        specs: impl IntoIterator<Item = &'a ServiceSpec>,
        upstreams: &[Upstream],
    ) -> Self {
        let mut routes = Vec::new();
        let mut backends = Vec::new();
        for spec in specs {
            let target = match upstreams.iter().find(|u| u.name == spec.name) {
                Some(upstream) => {
                    let backend = Arc::new(Backend {
                        name: spec.name,
                        base_url: upstream.base_url.as_str().trim_end_matches('/').to_string(),
                        base_path: upstream.base_url.path().to_string(),
                    });
                    backends.push(backend.clone());
                    Target::Backend(backend)
                }
                None => Target::Disabled(spec.name),
            };
            routes.extend(spec.routes.iter().map(|prefix| (*prefix, target.clone())));
        }
        // Longest first, so a more specific prefix wins over a shorter one.
        routes.sort_by_key(|(prefix, _)| std::cmp::Reverse(prefix.len()));
        Self { routes, backends }
    }

    fn target(&self, path: &str) -> Option<&Target> {
        // The site root (the console) never answers for the API: an unknown `/api` path
        // stays a 404 problem document.
        let api = matches_prefix(path, petstore_contract::API_PREFIX);
        self.routes
            .iter()
            .filter(|(prefix, _)| !(api && *prefix == "/"))
            .find(|(prefix, _)| matches_prefix(path, prefix))
            .map(|(_, target)| target)
    }

    /// The backend serving `path`, by longest prefix on segment boundaries.
    pub fn resolve(&self, path: &str) -> Option<&Arc<Backend>> {
        match self.target(path)? {
            Target::Backend(backend) => Some(backend),
            Target::Disabled(_) => None,
        }
    }

    /// The disabled service whose prefix covers `path`, if any.
    pub fn disabled(&self, path: &str) -> Option<&'static str> {
        match self.target(path)? {
            Target::Disabled(name) => Some(name),
            Target::Backend(_) => None,
        }
    }

    /// A configured backend by name.
    pub fn backend(&self, name: &str) -> Option<&Arc<Backend>> {
        self.backends.iter().find(|b| b.name == name)
    }

    /// Every configured backend, in contract order.
    pub fn backends(&self) -> &[Arc<Backend>] {
        &self.backends
    }
}

/// Whether `prefix` covers `path` on a path-segment boundary: `/api/products`
/// covers `/api/products` and `/api/products/x`, never `/api/productsx`.
pub fn matches_prefix(path: &str, prefix: &str) -> bool {
    match path.strip_prefix(prefix) {
        Some(rest) => rest.is_empty() || rest.starts_with('/') || prefix.ends_with('/'),
        None => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SHOP: ServiceSpec = ServiceSpec {
        name: "shop",
        port: 1,
        has_database: false,
        uses_broker: false,
        signs_tokens: false,
        routes: &["/api/products", "/api/pets"],
        calls: &[],
    };
    const REVIEWS: ServiceSpec = ServiceSpec {
        name: "reviews",
        routes: &["/api/products/reviews"],
        ..SHOP
    };

    fn upstream(name: &'static str, url: &str) -> Upstream {
        Upstream {
            name,
            base_url: url.parse().unwrap(),
        }
    }

    fn table() -> RouteTable {
        RouteTable::new(
            [&SHOP, &REVIEWS],
            &[
                upstream("shop", "http://shop:1/"),
                upstream("reviews", "http://reviews:2"),
            ],
        )
    }

    #[test]
    fn prefixes_match_on_segment_boundaries() {
        assert!(matches_prefix("/api/products", "/api/products"));
        assert!(matches_prefix("/api/products/", "/api/products"));
        assert!(matches_prefix("/api/products/x/y", "/api/products"));
        assert!(!matches_prefix("/api/productsx", "/api/products"));
        assert!(!matches_prefix("/api/product", "/api/products"));
        assert!(!matches_prefix("/other/api/products", "/api/products"));
        assert!(matches_prefix("/api/x", "/api/"));
    }

    #[test]
    fn longest_prefix_wins() {
        let table = table();
        let name = |path| table.resolve(path).map(|b| b.name);
        assert_eq!(name("/api/products/1"), Some("shop"));
        assert_eq!(name("/api/products/reviews"), Some("reviews"));
        assert_eq!(name("/api/products/reviews/9"), Some("reviews"));
        assert_eq!(name("/api/products/reviewsx"), Some("shop"));
        assert_eq!(name("/api/pets"), Some("shop"));
        assert_eq!(name("/api/petsx"), None);
        assert_eq!(name("/api/orders"), None);
    }

    #[test]
    fn the_site_root_takes_every_page_but_never_the_api() {
        const SITE: ServiceSpec = ServiceSpec {
            name: "console",
            routes: &["/"],
            ..SHOP
        };
        let table = RouteTable::new(
            [&SHOP, &SITE],
            &[
                upstream("shop", "http://shop:1"),
                upstream("console", "http://console:3"),
            ],
        );
        let name = |path| table.resolve(path).map(|b| b.name);
        assert_eq!(name("/"), Some("console"));
        assert_eq!(name("/cart"), Some("console"));
        assert_eq!(name("/static/console.css"), Some("console"));
        assert_eq!(name("/apix"), Some("console"));
        assert_eq!(name("/api/products"), Some("shop"));
        assert_eq!(name("/api/unknown"), None);
        assert_eq!(name("/api"), None);
        let without = RouteTable::new([&SHOP, &SITE], &[upstream("shop", "http://shop:1")]);
        assert_eq!(without.disabled("/cart"), Some("console"));
        assert_eq!(without.disabled("/api/unknown"), None);
    }

    #[test]
    fn urls_keep_path_and_query() {
        let table = table();
        let shop = table.backend("shop").unwrap();
        assert_eq!(
            shop.forward_url("/api/pets", "/api/pets?x=1")
                .map(|uri| uri.to_string()),
            Ok("http://shop:1/api/pets?x=1".to_string())
        );
        // A dot segment never reaches a backend, whoever would resolve it.
        assert!(
            shop.forward_url("/api/pets/../x", "/api/pets/../x")
                .is_err()
        );
        assert_eq!(table.backends().len(), 2);
    }

    #[test]
    fn a_backend_without_upstream_is_disabled_not_shadowed() {
        let table = RouteTable::new([&SHOP, &REVIEWS], &[upstream("shop", "http://shop:1/")]);
        assert_eq!(table.disabled("/api/products/reviews/9"), Some("reviews"));
        // The disabled prefix never falls through to the shorter one.
        assert!(table.resolve("/api/products/reviews/9").is_none());
        assert_eq!(
            table.resolve("/api/products/1").map(|b| b.name),
            Some("shop")
        );
        assert_eq!(table.disabled("/api/products/1"), None);
        assert_eq!(table.backends().len(), 1);
    }
}
