//! What every handler can reach: the kit's shared state (pool, outbox, verifier); the
//! inventory service needs nothing of its own.

/// Shared state of the inventory handlers.
pub type AppState = kit::service::ServiceState;
