//! Errors of the reconciler: each says what failed, carries the cause in
//! `#[source]`, and has a stable [`Error::category`] for metrics and Events.

/// Everything a reconcile can fail with.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The spec cannot be built; waits for the next change.
    #[error("invalid PetStore spec: {0}")]
    InvalidSpec(String),

    /// A list of children failed.
    #[error("failed to list {kind} objects")]
    List {
        /// Kind of the children.
        kind: String,
        /// Cause.
        #[source]
        source: kube::Error,
    },

    /// A server-side apply failed.
    #[error("failed to apply {kind} {name}")]
    Apply {
        /// Kind of the child.
        kind: String,
        /// Name of the child.
        name: String,
        /// Cause.
        #[source]
        source: kube::Error,
    },

    /// Deleting a child the spec no longer asks for failed.
    #[error("failed to delete {kind} {name}")]
    Delete {
        /// Kind of the child.
        kind: String,
        /// Name of the child.
        name: String,
        /// Cause.
        #[source]
        source: kube::Error,
    },

    /// Generating values for a Secret failed.
    #[error("failed to generate Secret {name}: {reason}")]
    GenerateSecret {
        /// Name of the Secret.
        name: String,
        /// What went wrong.
        reason: String,
    },

    /// Creating a generated Secret failed.
    #[error("failed to create Secret {name}")]
    CreateSecret {
        /// Name of the Secret.
        name: String,
        /// Cause.
        #[source]
        source: kube::Error,
    },

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
            Self::List { .. } => "list",
            Self::Apply { .. } => "apply",
            Self::Delete { .. } => "delete",
            Self::GenerateSecret { .. } => "generate_secret",
            Self::CreateSecret { .. } => "create_secret",
            Self::Status { .. } => "status",
            Self::Cleanup { .. } => "cleanup",
            Self::Finalizer { .. } => "finalizer",
        }
    }

    /// Event reason (CamelCase) of the failure.
    pub fn reason(&self) -> &'static str {
        match self {
            Self::InvalidSpec(_) => "InvalidSpec",
            Self::List { .. } => "ListFailed",
            Self::Apply { .. } => "ApplyFailed",
            Self::Delete { .. } => "DeleteFailed",
            Self::GenerateSecret { .. } | Self::CreateSecret { .. } => "SecretFailed",
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
