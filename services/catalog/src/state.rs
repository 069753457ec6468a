//! What every handler can reach: the kit's shared state (pool, outbox, verifier); the
//! catalog needs nothing of its own.

/// Shared state of the catalog's handlers.
pub type AppState = kit::service::ServiceState;
