//! Why the store could not be started: the one error of the stack, its preflight checks
//! and its processes (imported by all of them, importing none of them).

use crate::vhost::VhostError;

/// Why the store could not be started.
#[derive(Debug, thiserror::Error)]
pub enum StackError {
    /// PostgreSQL or RabbitMQ is not there.
    #[error(
        "{what} is not reachable at {url} ({cause}). Is it installed and running? See the README's \"Requirements\"."
    )]
    Unreachable {
        /// Which dependency.
        what: &'static str,
        /// Where we looked (password redacted).
        url: String,
        /// The connection error.
        cause: String,
    },
    /// The store's binary is missing.
    #[error("{binary} not found: build the store first (cargo build -p petstore)")]
    MissingBinary {
        /// Expected path.
        binary: String,
    },
    /// A binary could not be started.
    #[error("cannot start {binary}: {cause}")]
    Spawn {
        /// Which binary.
        binary: String,
        /// The OS error.
        cause: String,
    },
    /// A binary exited with failure.
    #[error("{binary} failed (log: {log}):\n{tail}")]
    Failed {
        /// Which binary.
        binary: String,
        /// Its log file.
        log: String,
        /// The log's last lines.
        tail: String,
    },
    /// A service did not become ready in time.
    #[error("{service} did not become ready (log: {log}):\n{tail}")]
    NotReady {
        /// Which service.
        service: &'static str,
        /// Its log file.
        log: String,
        /// The log's last lines.
        tail: String,
    },
    /// Setting up a database failed.
    #[error("database set-up failed: {0}")]
    Database(#[from] sqlx::Error),
    /// The store's own RabbitMQ virtual host could not be created.
    #[error(transparent)]
    Vhost(#[from] VhostError),
    /// A file could not be written.
    #[error("cannot write {path}: {cause}")]
    Io {
        /// The file.
        path: String,
        /// The OS error.
        cause: String,
    },
}
