//! Who the client is, for rate limiting and `X-Forwarded-For`.

use std::net::{IpAddr, SocketAddr};

use axum::http::HeaderMap;

/// `X-Forwarded-For` (not in the `http` crate's list of standard headers).
pub const X_FORWARDED_FOR: &str = "x-forwarded-for";

/// The client's address: the TCP peer, unless `trusted_hops` proxies stand in
/// front of the gateway, in which case it is the `X-Forwarded-For` entry
/// `trusted_hops` from the right (each trusted proxy appended one entry; any
/// entry further left was written by the client and could be forged).
pub fn client_ip(peer: IpAddr, headers: &HeaderMap, trusted_hops: usize) -> IpAddr {
    if trusted_hops == 0 {
        return peer;
    }
    let entries = forwarded_for(headers);
    let Some(entry) = entries
        .len()
        .checked_sub(trusted_hops)
        .and_then(|i| entries.get(i))
        // Fewer entries than proxies: the request skipped some of them, and
        // the leftmost entry was still written by a trusted proxy.
        .or_else(|| entries.first())
    else {
        return peer;
    };
    parse_entry(entry).unwrap_or(peer)
}

/// Every `X-Forwarded-For` entry, left to right, across repeated headers.
pub fn forwarded_for(headers: &HeaderMap) -> Vec<String> {
    headers
        .get_all(X_FORWARDED_FOR)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(String::from)
        .collect()
}

fn parse_entry(entry: &str) -> Option<IpAddr> {
    entry
        .parse::<IpAddr>()
        .ok()
        .or_else(|| entry.parse::<SocketAddr>().ok().map(|s| s.ip()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(values: &[&str]) -> HeaderMap {
        let mut map = HeaderMap::new();
        for v in values {
            map.append(X_FORWARDED_FOR, v.parse().unwrap());
        }
        map
    }

    const PEER: IpAddr = IpAddr::V4(std::net::Ipv4Addr::new(10, 0, 0, 9));

    #[test]
    fn the_header_is_ignored_unless_proxies_are_trusted() {
        let h = headers(&["1.2.3.4"]);
        assert_eq!(client_ip(PEER, &h, 0), PEER);
    }

    #[test]
    fn picks_the_entry_written_by_the_outermost_trusted_proxy() {
        let h = headers(&["6.6.6.6, 1.2.3.4", "10.0.0.1"]);
        assert_eq!(
            client_ip(PEER, &h, 1),
            "10.0.0.1".parse::<IpAddr>().unwrap()
        );
        assert_eq!(client_ip(PEER, &h, 2), "1.2.3.4".parse::<IpAddr>().unwrap());
        assert_eq!(client_ip(PEER, &h, 5), "6.6.6.6".parse::<IpAddr>().unwrap());
    }

    #[test]
    fn ports_and_ipv6_are_understood_and_garbage_falls_back_to_the_peer() {
        assert_eq!(
            client_ip(PEER, &headers(&["[::1]:443"]), 1),
            "::1".parse::<IpAddr>().unwrap()
        );
        assert_eq!(
            client_ip(PEER, &headers(&["1.2.3.4:80"]), 1),
            "1.2.3.4".parse::<IpAddr>().unwrap()
        );
        assert_eq!(client_ip(PEER, &headers(&["unknown"]), 1), PEER);
        assert_eq!(client_ip(PEER, &HeaderMap::new(), 1), PEER);
    }
}
