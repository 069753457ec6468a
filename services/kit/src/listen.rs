//! Where a service listens: a public listener for its API, and an internal one for
//! `/metrics`, `/status` and the probes, which the gateway never routes and the
//! Ingress never reaches (the Services expose it for Prometheus and the kubelet).

use std::net::SocketAddr;

use tokio::net::TcpListener;

/// The two addresses a service binds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ListenAddrs {
    /// The API, `/health`, `/ready`, `/openapi.json` and `/docs`.
    pub public: SocketAddr,
    /// `/health`, `/ready`, `/status` and `/metrics`.
    pub internal: SocketAddr,
}

impl ListenAddrs {
    /// Both on 127.0.0.1 with ports the system picks: for tests.
    pub fn ephemeral() -> Self {
        let loopback = SocketAddr::from(([127, 0, 0, 1], 0));
        Self {
            public: loopback,
            internal: loopback,
        }
    }
}

/// The two bound listeners.
#[derive(Debug)]
pub struct Listeners {
    /// Bound to [`ListenAddrs::public`].
    pub public: TcpListener,
    /// Bound to [`ListenAddrs::internal`].
    pub internal: TcpListener,
}

impl Listeners {
    /// Binds both addresses, naming the one that could not be bound.
    ///
    /// # Errors
    /// When either address cannot be bound.
    pub async fn bind(addrs: ListenAddrs) -> Result<Self, BindError> {
        let bind = |addr| async move {
            TcpListener::bind(addr)
                .await
                .map_err(|source| BindError { addr, source })
        };
        Ok(Self {
            public: bind(addrs.public).await?,
            internal: bind(addrs.internal).await?,
        })
    }

    /// The addresses actually bound (the ports the system picked for port 0).
    ///
    /// # Errors
    /// When the system cannot say.
    pub fn local_addrs(&self) -> std::io::Result<ListenAddrs> {
        Ok(ListenAddrs {
            public: self.public.local_addr()?,
            internal: self.internal.local_addr()?,
        })
    }
}

/// An address that could not be bound.
#[derive(Debug, thiserror::Error)]
#[error("cannot listen on {addr}: {source}")]
pub struct BindError {
    /// The address.
    pub addr: SocketAddr,
    /// Why.
    #[source]
    pub source: std::io::Error,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_taken_address_is_named() {
        let taken = TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let addr = taken.local_addr().expect("addr");
        let err = Listeners::bind(ListenAddrs {
            public: SocketAddr::from(([127, 0, 0, 1], 0)),
            internal: addr,
        })
        .await
        .expect_err("the internal address is taken");
        assert_eq!(err.addr, addr);
        assert!(err.to_string().contains(&addr.to_string()), "{err}");
    }
}
