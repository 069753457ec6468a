//! Step 1: validate the spec. Pure, and it collects every problem instead of
//! stopping at the first, so one `kubectl apply` round trip shows them all.
//!
//! It checks what the CRD schema checks (for `render` and for objects that
//! bypassed admission) and what a schema cannot know: the service names of
//! the contract, the restore target, and cross-field rules.

use crate::crd::{PetStoreSpec, valid_backup_name};

/// Every problem of a spec that cannot be built.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{}", problems.join("; "))]
pub struct InvalidSpec {
    /// One line per problem, each naming the field, in spec order.
    pub problems: Vec<String>,
}

impl InvalidSpec {
    /// A spec error with a single problem.
    pub fn one(problem: impl Into<String>) -> Self {
        Self {
            problems: vec![problem.into()],
        }
    }
}

/// Checks `spec`, returning every problem found.
pub fn validate(spec: &PetStoreSpec) -> Result<(), InvalidSpec> {
    let mut problems = Vec::new();
    if spec.version.trim().is_empty() {
        problems.push("spec.version must not be empty".to_string());
    }
    for (name, cfg) in &spec.services {
        if petstore_contract::service(name).is_none() {
            let known: Vec<_> = petstore_contract::SERVICES.iter().map(|s| s.name).collect();
            problems.push(format!(
                "spec.services.{name}: unknown service (known: {})",
                known.join(", ")
            ));
        }
        let a = &cfg.autoscaling;
        if a.min_replicas < 1 || a.max_replicas < 1 {
            problems.push(format!(
                "spec.services.{name}.autoscaling: replicas must be at least 1"
            ));
        } else if a.min_replicas > a.max_replicas {
            problems.push(format!(
                "spec.services.{name}.autoscaling: minReplicas ({}) must not exceed maxReplicas ({})",
                a.min_replicas, a.max_replicas
            ));
        }
        if !(1..=100).contains(&a.target_cpu_utilization_percentage) {
            problems.push(format!(
                "spec.services.{name}.autoscaling.targetCPUUtilizationPercentage must be between 1 and 100"
            ));
        }
        if cfg.replicas < 0 {
            problems.push(format!(
                "spec.services.{name}.replicas must not be negative"
            ));
        }
    }
    if spec.backup.retention < 1 {
        problems.push("spec.backup.retention must be at least 1".into());
    }
    if spec.backup.schedule.trim().is_empty() {
        problems.push("spec.backup.schedule must not be empty".into());
    }
    if let Some(r) = &spec.restore {
        match petstore_contract::service(&r.service) {
            Some(svc) if svc.has_database => {
                if !spec.service(&r.service).enabled {
                    problems.push(format!("spec.restore.service: {} is disabled", r.service));
                }
            }
            Some(_) => problems.push(format!(
                "spec.restore.service: {} has no database",
                r.service
            )),
            None => problems.push(format!(
                "spec.restore.service: unknown service {}",
                r.service
            )),
        }
        if !valid_backup_name(&r.backup) {
            problems.push(format!(
                "spec.restore.backup: {:?} is not a backup file name (<database>_backup_YYYYMMDD_HHMMSS.dump)",
                r.backup
            ));
        }
    }
    if let Some(email) = &spec.bootstrap_admin_email {
        let (local, domain) = email.trim().split_once('@').unwrap_or(("", ""));
        if local.is_empty() || domain.is_empty() || domain.contains('@') {
            problems.push(format!(
                "spec.bootstrapAdminEmail: {email:?} is not an email address"
            ));
        }
    }
    if let Err(e) = crate::build::connections::budget(spec) {
        problems.push(e);
    }
    if spec.ingress.enabled && spec.ingress.host.as_deref().unwrap_or("").is_empty() {
        problems.push("spec.ingress.host is required when the ingress is enabled".into());
    }
    let load = &spec.load_generator;
    if load.seed && load.admin_secret_name.is_none() {
        problems.push("spec.loadGenerator.seed needs spec.loadGenerator.adminSecretName".into());
    }
    if problems.is_empty() {
        Ok(())
    } else {
        Err(InvalidSpec { problems })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::crd::ServiceConfig;
    use crate::fixtures;

    #[test]
    fn every_problem_is_reported_not_only_the_first() {
        let mut spec = fixtures::minimal().spec;
        spec.services
            .insert("bogus".into(), ServiceConfig::default());
        let mut users = ServiceConfig::default();
        users.autoscaling.min_replicas = 5;
        users.autoscaling.max_replicas = 3;
        spec.services.insert("users".into(), users);
        spec.backup.retention = 0;
        spec.ingress.enabled = true;
        let err = validate(&spec).expect_err("invalid");
        assert_eq!(
            err.problems,
            [
                "spec.services.bogus: unknown service (known: gateway, users, catalog, inventory, cart, orders, payments, reviews, console)",
                "spec.services.users.autoscaling: minReplicas (5) must not exceed maxReplicas (3)",
                "spec.backup.retention must be at least 1",
                "spec.ingress.host is required when the ingress is enabled",
            ]
        );
    }

    #[test]
    fn a_malformed_bootstrap_admin_email_is_refused() {
        let mut spec = fixtures::minimal().spec;
        spec.bootstrap_admin_email = Some("not-an-email".into());
        let err = validate(&spec).expect_err("invalid");
        assert_eq!(
            err.problems,
            ["spec.bootstrapAdminEmail: \"not-an-email\" is not an email address"]
        );
        spec.bootstrap_admin_email = Some("owner@example.com".into());
        assert_eq!(validate(&spec), Ok(()));
    }

    #[test]
    fn the_examples_are_valid() {
        assert_eq!(validate(&fixtures::minimal().spec), Ok(()));
        assert_eq!(validate(&fixtures::full().spec), Ok(()));
    }
}
