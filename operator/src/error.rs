//! Errors of the reconciler: each step has its own error type (in
//! [`crate::reconcile`]), wrapped here; each says what failed, carries the
//! cause in `#[source]`, and has a stable [`Error::category`] for metrics
//! and Events.

use crate::reconcile::apply::ChildErrors;
use crate::reconcile::observe::ObserveError;
use crate::reconcile::secrets::SecretError;
use crate::reconcile::validate::InvalidSpec;

/// Everything a reconcile can fail with.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The spec cannot be built; waits for the next change.
    #[error("invalid PetStore spec: {0}")]
    InvalidSpec(#[from] InvalidSpec),

    /// Reading the children failed.
    #[error(transparent)]
    Observe(#[from] ObserveError),

    /// A generated Secret could not be created.
    #[error(transparent)]
    Secret(#[from] SecretError),

    /// Some children could not be applied, created or deleted (every other
    /// child was).
    #[error(transparent)]
    Children(#[from] ChildErrors),

    /// Writing the PetStore's status failed.
    #[error("failed to update the status of PetStore {name}")]
    Status {
        /// Name of the PetStore.
        name: String,
        /// Cause.
        #[source]
        source: kube::Error,
    },

    /// Clean-up on deletion failed.
    #[error("failed to clean up {what}")]
    Cleanup {
        /// What was being cleaned up.
        what: String,
        /// Cause.
        #[source]
        source: kube::Error,
    },

    /// Adding or removing the finalizer failed.
    #[error("failed to update the finalizer of the PetStore")]
    Finalizer {
        /// Cause.
        #[source]
        source: kube::Error,
    },
}

impl Error {
    /// Stable, low-cardinality name of the kind of failure.
    pub fn category(&self) -> &'static str {
        match self {
            Self::InvalidSpec(_) => "invalid_spec",
            Self::Observe(_) => "observe",
            Self::Secret(_) => "secret",
            Self::Children(_) => "apply",
            Self::Status { .. } => "status",
            Self::Cleanup { .. } => "cleanup",
            Self::Finalizer { .. } => "finalizer",
        }
    }

    /// Event reason (CamelCase) of the failure.
    pub fn reason(&self) -> &'static str {
        match self {
            Self::InvalidSpec(_) => "InvalidSpec",
            Self::Observe(_) => "ObserveFailed",
            Self::Secret(_) => "SecretFailed",
            Self::Children(_) => "ApplyFailed",
            Self::Status { .. } => "StatusFailed",
            Self::Cleanup { .. } => "CleanupFailed",
            Self::Finalizer { .. } => "FinalizerFailed",
        }
    }

    /// The message with its chain of causes.
    pub fn chain(&self) -> String {
        let mut msg = self.to_string();
        let mut cur: Option<&dyn std::error::Error> = std::error::Error::source(self);
        while let Some(e) = cur {
            msg.push_str(": ");
            msg.push_str(&e.to_string());
            cur = e.source();
        }
        msg
    }
}
