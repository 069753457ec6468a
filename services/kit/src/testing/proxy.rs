//! A TCP proxy that tests can cut and restore.

use std::net::SocketAddr;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use tokio::net::{TcpListener, TcpStream};
use tokio_util::sync::CancellationToken;

/// A TCP proxy the test controls, to cut and restore a service's connection to RabbitMQ
/// (or any TCP upstream).
///
/// Point the service at [`TcpProxy::addr`]. [`TcpProxy::cut`] drops all live connections and
/// refuses new ones (accepted, then closed at once); [`TcpProxy::restore`] lets new
/// connections through again. Dropping the proxy stops it and closes every connection.
#[derive(Debug)]
pub struct TcpProxy {
    addr: SocketAddr,
    state: Arc<Mutex<State>>,
    stop: CancellationToken,
}

#[derive(Debug)]
struct State {
    cut: bool,
    /// Cancelled to drop the connections opened since the last cut.
    live: CancellationToken,
}

impl TcpProxy {
    /// Starts a proxy on an ephemeral port of 127.0.0.1 forwarding to `upstream`.
    ///
    /// # Panics
    /// If no local port can be bound.
    pub async fn start(upstream: SocketAddr) -> TcpProxy {
        let listener = TcpListener::bind(("127.0.0.1", 0))
            .await
            .expect("bind the proxy's port");
        let addr = listener.local_addr().expect("proxy's local address");
        let stop = CancellationToken::new();
        let state = Arc::new(Mutex::new(State {
            cut: false,
            live: stop.child_token(),
        }));
        tokio::spawn(accept(listener, upstream, Arc::clone(&state), stop.clone()));
        TcpProxy { addr, state, stop }
    }

    /// The address clients should connect to.
    #[must_use]
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// Drops all live connections and refuses new ones until [`TcpProxy::restore`].
    pub fn cut(&self) {
        let mut state = lock(&self.state);
        state.cut = true;
        state.live.cancel();
        state.live = self.stop.child_token();
    }

    /// Accepts and forwards new connections again.
    pub fn restore(&self) {
        lock(&self.state).cut = false;
    }
}

impl Drop for TcpProxy {
    fn drop(&mut self) {
        self.stop.cancel();
    }
}

fn lock(state: &Mutex<State>) -> MutexGuard<'_, State> {
    // The state stays consistent even if a holder panicked: both fields are set atomically.
    state.lock().unwrap_or_else(PoisonError::into_inner)
}

async fn accept(
    listener: TcpListener,
    upstream: SocketAddr,
    state: Arc<Mutex<State>>,
    stop: CancellationToken,
) {
    loop {
        let accepted = tokio::select! {
            () = stop.cancelled() => return,
            accepted = listener.accept() => accepted,
        };
        let Ok((client, _)) = accepted else {
            continue;
        };
        let live = {
            let state = lock(&state);
            if state.cut {
                // Closing right away makes the client's connection attempt fail fast.
                continue;
            }
            state.live.clone()
        };
        tokio::spawn(forward(client, upstream, live));
    }
}

async fn forward(mut client: TcpStream, upstream: SocketAddr, live: CancellationToken) {
    let Ok(mut server) = TcpStream::connect(upstream).await else {
        return;
    };
    tokio::select! {
        () = live.cancelled() => {}
        _ = tokio::io::copy_bidirectional(&mut client, &mut server) => {}
    }
}
