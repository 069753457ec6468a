//! SQL, and nothing else. Functions take a connection (or a pool) so handlers
//! can run a state change and its event in one transaction.

pub mod login_failures;
pub mod refresh_tokens;
pub mod users;
