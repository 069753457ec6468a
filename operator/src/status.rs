//! Status from the children's state: pure, so it is tested without a client.

use std::collections::{BTreeMap, HashMap};

use k8s_openapi::apimachinery::pkg::apis::meta::v1::{Condition, Time};
use serde_json::Value;

use crate::build::{self, postgres, rabbitmq};
use crate::crd::{PetStore, PetStoreStatus, Phase, PostgresTopology, ServiceStatus};

/// Current objects by `(kind, name)`.
pub type Observed = HashMap<(String, String), Value>;

fn int(v: &Value, path: &[&str]) -> Option<i64> {
    path.iter()
        .try_fold(v, |v, k| v.get(k))
        .and_then(Value::as_i64)
}

fn ready_replicas(observed: &Observed, kind: &str, name: &str) -> i32 {
    observed
        .get(&(kind.to_string(), name.to_string()))
        .and_then(|o| int(o, &["status", "readyReplicas"]))
        .and_then(|n| i32::try_from(n).ok())
        .unwrap_or(0)
}

fn condition(
    type_: &str,
    ok: bool,
    reason: &str,
    message: String,
    generation: Option<i64>,
) -> Condition {
    Condition {
        type_: type_.into(),
        status: if ok { "True" } else { "False" }.into(),
        reason: reason.into(),
        message,
        observed_generation: generation,
        last_transition_time: Time(jiff::Timestamp::now()),
    }
}

fn summary(kind: &str, waiting: &[String]) -> (bool, &'static str, String) {
    if waiting.is_empty() {
        (true, "AllReady", format!("every {kind} is ready"))
    } else {
        (
            false,
            "NotReady",
            format!("waiting for {}", waiting.join(", ")),
        )
    }
}

/// Status of a PetStore whose children are `observed`.
pub fn compute(ps: &PetStore, observed: &Observed) -> PetStoreStatus {
    let generation = ps.metadata.generation;
    let mut services = BTreeMap::new();
    let mut waiting_services = Vec::new();
    for svc in ps.spec.enabled_services() {
        let cfg = ps.spec.service(svc.name);
        let name = build::service_name(ps, svc.name);
        let desired = if cfg.autoscaling.enabled {
            observed
                .get(&("HorizontalPodAutoscaler".to_string(), name.clone()))
                .and_then(|h| int(h, &["status", "desiredReplicas"]))
                .and_then(|n| i32::try_from(n).ok())
                .filter(|n| *n > 0)
                .unwrap_or(cfg.autoscaling.min_replicas)
        } else {
            cfg.replicas
        };
        let ready = ready_replicas(observed, "Deployment", &name);
        if ready < desired {
            waiting_services.push(format!("{} ({ready}/{desired} ready)", svc.name));
        }
        services.insert(
            svc.name.to_string(),
            ServiceStatus {
                ready_replicas: ready,
                desired_replicas: desired,
            },
        );
    }
    let databases: Vec<String> = match ps.spec.postgres.topology {
        PostgresTopology::PerService => ps
            .spec
            .enabled_services()
            .filter(|s| s.has_database)
            .map(|s| postgres::per_service_name(ps, s.name))
            .collect(),
        PostgresTopology::Shared => vec![postgres::shared_name(ps)],
    };
    let waiting_dbs: Vec<String> = databases
        .into_iter()
        .filter(|n| ready_replicas(observed, "StatefulSet", n) < 1)
        .collect();
    let broker = rabbitmq::name(ps);
    let waiting_broker: Vec<String> = (ready_replicas(observed, "StatefulSet", &broker) < 1)
        .then_some(broker)
        .into_iter()
        .collect();

    let (db_ok, db_reason, db_msg) = summary("database", &waiting_dbs);
    let (mq_ok, mq_reason, mq_msg) = summary("broker", &waiting_broker);
    let (svc_ok, svc_reason, svc_msg) = summary("service", &waiting_services);
    let all = db_ok && mq_ok && svc_ok;
    let ready_msg = if all {
        "the pet store is ready".to_string()
    } else {
        let mut parts = Vec::new();
        for (ok, m) in [(db_ok, &db_msg), (mq_ok, &mq_msg), (svc_ok, &svc_msg)] {
            if !ok {
                parts.push(m.clone());
            }
        }
        parts.join("; ")
    };
    let ready_count = services.len() - waiting_services.len();
    PetStoreStatus {
        observed_generation: generation,
        phase: if all {
            Phase::Ready
        } else {
            Phase::Progressing
        },
        ready_services: Some(format!("{ready_count}/{}", services.len())),
        conditions: vec![
            condition(
                "Ready",
                all,
                if all { "Ready" } else { "ComponentsNotReady" },
                ready_msg,
                generation,
            ),
            condition("DatabasesReady", db_ok, db_reason, db_msg, generation),
            condition("BrokerReady", mq_ok, mq_reason, mq_msg, generation),
            condition("ServicesReady", svc_ok, svc_reason, svc_msg, generation),
        ],
        services,
        gateway_endpoint: Some(build::ingress::endpoint(ps)),
    }
}

/// Status of a PetStore whose spec is invalid: the rest of the old status is kept.
pub fn invalid(ps: &PetStore, reason: &str) -> PetStoreStatus {
    let mut status = ps.status.clone().unwrap_or_default();
    status.observed_generation = ps.metadata.generation;
    status.phase = Phase::Degraded;
    let c = condition(
        "Ready",
        false,
        "InvalidSpec",
        reason.to_string(),
        ps.metadata.generation,
    );
    match status.conditions.iter_mut().find(|c| c.type_ == "Ready") {
        Some(existing) => *existing = c,
        None => status.conditions.insert(0, c),
    }
    status
}

/// Keeps the transition time of conditions whose status did not change, so
/// an unchanged store yields an identical status.
pub fn keep_transition_times(new: &mut PetStoreStatus, old: Option<&PetStoreStatus>) {
    let Some(old) = old else { return };
    for c in &mut new.conditions {
        if let Some(o) = old.conditions.iter().find(|o| o.type_ == c.type_)
            && o.status == c.status
        {
            c.last_transition_time = o.last_transition_time.clone();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fixtures;
    use serde_json::json;

    #[test]
    fn nothing_ready_is_progressing_with_reasons() {
        let ps = fixtures::minimal();
        let s = compute(&ps, &Observed::new());
        assert_eq!(s.phase, Phase::Progressing);
        let n = petstore_contract::SERVICES.len();
        assert_eq!(s.ready_services, Some(format!("0/{n}")));
        let ready = &s.conditions[0];
        assert_eq!(
            (ready.type_.as_str(), ready.status.as_str()),
            ("Ready", "False")
        );
        assert!(
            ready.message.contains("shop-postgres-users"),
            "{}",
            ready.message
        );
        assert!(s.conditions[3].message.contains("users (0/2 ready)"));
    }

    #[test]
    fn everything_ready_is_ready() {
        let ps = fixtures::minimal();
        let mut observed = Observed::new();
        let ready = |n| json!({"status": {"readyReplicas": n}});
        observed.insert(("StatefulSet".into(), "shop-rabbitmq".into()), ready(1));
        for svc in petstore_contract::SERVICES {
            let name = format!("shop-{}", svc.name);
            observed.insert(("Deployment".into(), name), ready(2));
            if svc.has_database {
                let db = format!("shop-postgres-{}", svc.name);
                observed.insert(("StatefulSet".into(), db), ready(1));
            }
        }
        let s = compute(&ps, &observed);
        assert_eq!(s.phase, Phase::Ready);
        assert!(s.conditions.iter().all(|c| c.status == "True"));
    }

    #[test]
    fn transition_times_survive_an_unchanged_status() {
        let ps = fixtures::minimal();
        let old = compute(&ps, &Observed::new());
        std::thread::sleep(std::time::Duration::from_millis(2));
        let mut new = compute(&ps, &Observed::new());
        keep_transition_times(&mut new, Some(&old));
        assert_eq!(new, old);
    }
}
