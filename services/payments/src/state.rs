//! What every handler can reach: the kit's shared state (pool, outbox, verifier); the
//! payments service needs nothing of its own.

/// Shared state of the payments handlers.
pub type AppState = kit::service::ServiceState;
