//! What every handler can reach: the kit's shared state (pool, outbox, verifier); the
//! reviews service needs nothing of its own.

/// Shared state of the reviews handlers.
pub type AppState = kit::service::ServiceState;
