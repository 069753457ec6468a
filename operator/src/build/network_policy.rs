//! NetworkPolicies: nothing in the store is reachable unless allowed; only
//! the gateway is reachable from outside it; a backend only from the
//! gateway; a database only from its own service (and the backup job); the
//! broker only from the services that use it. A service's internal port
//! (`/metrics`, `/status`) admits only Prometheus pods (labelled
//! `app.kubernetes.io/name: prometheus`, in any namespace); the kubelet's probes
//! are node traffic, which NetworkPolicies do not filter.

use std::collections::BTreeMap;

use k8s_openapi::api::networking::v1::{
    NetworkPolicy, NetworkPolicyIngressRule, NetworkPolicyPeer, NetworkPolicyPort,
    NetworkPolicySpec,
};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::LabelSelector;
use k8s_openapi::apimachinery::pkg::util::intstr::IntOrString;
use petstore_contract::GATEWAY;

use super::{backup, instance, labels, meta, selector};
use crate::crd::{PetStore, PostgresTopology};

fn select(l: BTreeMap<String, String>) -> LabelSelector {
    LabelSelector {
        match_labels: Some(l),
        ..LabelSelector::default()
    }
}

fn pods(ps: &PetStore, name: &str) -> NetworkPolicyPeer {
    NetworkPolicyPeer {
        pod_selector: Some(select(selector(ps, name))),
        ..NetworkPolicyPeer::default()
    }
}

fn backup_pods(ps: &PetStore) -> NetworkPolicyPeer {
    NetworkPolicyPeer {
        pod_selector: Some(select(BTreeMap::from([
            (labels::INSTANCE.into(), instance(ps)),
            (labels::COMPONENT.into(), backup::COMPONENT.into()),
        ]))),
        ..NetworkPolicyPeer::default()
    }
}

/// Label value that marks the pods allowed to scrape the internal ports: what the
/// Prometheus Operator and the community Prometheus chart put on Prometheus's pods.
pub const SCRAPER_NAME: &str = "prometheus";

fn scrapers() -> NetworkPolicyPeer {
    NetworkPolicyPeer {
        namespace_selector: Some(LabelSelector::default()),
        pod_selector: Some(select(BTreeMap::from([(
            labels::NAME.into(),
            SCRAPER_NAME.into(),
        )]))),
        ..NetworkPolicyPeer::default()
    }
}

fn tcp(port: u16) -> NetworkPolicyPort {
    NetworkPolicyPort {
        port: Some(IntOrString::Int(i32::from(port))),
        protocol: Some("TCP".into()),
        ..NetworkPolicyPort::default()
    }
}

fn allow(
    ps: &PetStore,
    name: String,
    target: BTreeMap<String, String>,
    from: Option<Vec<NetworkPolicyPeer>>,
    port: u16,
) -> NetworkPolicy {
    NetworkPolicy {
        metadata: meta(ps, name, "petstore", "network"),
        spec: Some(NetworkPolicySpec {
            pod_selector: Some(select(target)),
            policy_types: Some(vec!["Ingress".into()]),
            ingress: Some(vec![NetworkPolicyIngressRule {
                from,
                ports: Some(vec![tcp(port)]),
            }]),
            ..NetworkPolicySpec::default()
        }),
    }
}

/// Every NetworkPolicy of the store.
pub fn build(ps: &PetStore) -> Vec<NetworkPolicy> {
    let inst = instance(ps);
    let mut out = vec![NetworkPolicy {
        metadata: meta(ps, format!("{inst}-default-deny"), "petstore", "network"),
        spec: Some(NetworkPolicySpec {
            pod_selector: Some(select(BTreeMap::from([
                (labels::INSTANCE.into(), inst.clone()),
                (labels::MANAGED_BY.into(), super::MANAGED_BY.into()),
            ]))),
            policy_types: Some(vec!["Ingress".into()]),
            ..NetworkPolicySpec::default()
        }),
    }];
    for svc in ps.spec.enabled_services() {
        // The gateway accepts traffic from anywhere; a backend only from the
        // gateway and from the enabled services the contract says call it.
        let from = (svc.name != GATEWAY.name).then(|| {
            let callers = ps
                .spec
                .enabled_services()
                .filter(|caller| caller.calls.contains(&svc.name))
                .map(|caller| pods(ps, caller.name));
            std::iter::once(pods(ps, GATEWAY.name))
                .chain(callers)
                .collect()
        });
        let mut policy = allow(
            ps,
            format!("{inst}-{}", svc.name),
            selector(ps, svc.name),
            from,
            svc.port,
        );
        if let Some(rules) = policy.spec.as_mut().and_then(|s| s.ingress.as_mut()) {
            rules.push(NetworkPolicyIngressRule {
                from: Some(vec![scrapers()]),
                ports: Some(vec![tcp(svc.internal_port())]),
            });
        }
        out.push(policy);
    }
    let db_services: Vec<_> = ps
        .spec
        .enabled_services()
        .filter(|s| s.has_database)
        .collect();
    match ps.spec.postgres.topology {
        PostgresTopology::PerService => {
            for svc in &db_services {
                let name = super::postgres::per_service_name(ps, svc.name);
                out.push(allow(
                    ps,
                    name.clone(),
                    selector(ps, &format!("postgres-{}", svc.name)),
                    Some(vec![pods(ps, svc.name), backup_pods(ps)]),
                    5432,
                ));
            }
        }
        PostgresTopology::Shared => {
            let mut from: Vec<_> = db_services.iter().map(|s| pods(ps, s.name)).collect();
            from.push(backup_pods(ps));
            out.push(allow(
                ps,
                super::postgres::shared_name(ps),
                selector(ps, "postgres"),
                Some(from),
                5432,
            ));
        }
    }
    let broker_clients: Vec<_> = ps
        .spec
        .enabled_services()
        .filter(|s| s.uses_broker)
        .map(|s| pods(ps, s.name))
        .collect();
    out.push(allow(
        ps,
        super::rabbitmq::name(ps),
        selector(ps, "rabbitmq"),
        Some(broker_clients),
        5672,
    ));
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fixtures;

    #[test]
    fn internal_ports_admit_prometheus_only_even_on_the_gateway() {
        let ps = fixtures::minimal();
        for policy in build(&ps)
            .iter()
            .filter(|p| p.metadata.name.as_deref() == Some("shop-gateway"))
        {
            let rules = policy
                .spec
                .as_ref()
                .and_then(|s| s.ingress.as_ref())
                .expect("rules");
            let internal: Vec<_> = rules
                .iter()
                .filter(|r| {
                    r.ports.iter().flatten().any(|p| {
                        p.port == Some(IntOrString::Int(i32::from(GATEWAY.internal_port())))
                    })
                })
                .collect();
            assert_eq!(internal.len(), 1);
            assert_eq!(internal[0].from, Some(vec![scrapers()]));
            // The open rule is the public port's only.
            let open: Vec<_> = rules.iter().filter(|r| r.from.is_none()).collect();
            assert_eq!(open.len(), 1);
            assert_eq!(open[0].ports, Some(vec![tcp(GATEWAY.port)]));
        }
    }

    #[test]
    fn only_the_gateway_is_open_to_everyone() {
        let ps = fixtures::minimal();
        let policies = build(&ps);
        let open: Vec<_> = policies
            .iter()
            .filter(|p| {
                p.spec
                    .as_ref()
                    .and_then(|s| s.ingress.as_ref())
                    .is_some_and(|rules| rules.iter().any(|r| r.from.is_none()))
            })
            .filter_map(|p| p.metadata.name.clone())
            .collect();
        assert_eq!(open, ["shop-gateway"]);
    }

    #[test]
    fn a_backend_admits_the_gateway_and_its_callers_only() {
        let ps = fixtures::minimal();
        let policies = build(&ps);
        let catalog = policies
            .iter()
            .find(|p| p.metadata.name.as_deref() == Some("shop-catalog"))
            .expect("catalog policy");
        let rules = catalog
            .spec
            .as_ref()
            .and_then(|s| s.ingress.as_ref())
            .expect("rules");
        let mut from: Vec<String> = rules[0]
            .from
            .iter()
            .flatten()
            .filter_map(|peer| {
                peer.pod_selector
                    .as_ref()?
                    .match_labels
                    .as_ref()?
                    .get("app.kubernetes.io/name")
                    .cloned()
            })
            .collect();
        from.sort();
        // The console reads the catalog as a browser would, with the visitor's token.
        assert_eq!(from, ["cart", "console", "gateway", "orders"]);
    }

    #[test]
    fn the_console_admits_the_gateway_only() {
        let ps = fixtures::minimal();
        let policy = build(&ps)
            .into_iter()
            .find(|p| p.metadata.name.as_deref() == Some("shop-console"))
            .expect("console policy");
        let rule = &policy.spec.expect("spec").ingress.expect("rules")[0];
        let from: Vec<_> = rule
            .from
            .iter()
            .flatten()
            .filter_map(|peer| {
                peer.pod_selector
                    .as_ref()?
                    .match_labels
                    .as_ref()?
                    .get("app.kubernetes.io/name")
                    .cloned()
            })
            .collect();
        assert_eq!(from, ["gateway"]);
        let port = rule.ports.as_ref().expect("ports")[0].port.clone();
        assert_eq!(port, Some(IntOrString::Int(8088)));
    }

    #[test]
    fn a_database_admits_its_service_and_backups_only() {
        let ps = fixtures::minimal();
        let policies = build(&ps);
        let db = policies
            .iter()
            .find(|p| p.metadata.name.as_deref() == Some("shop-postgres-users"))
            .expect("users database policy");
        let from = db
            .spec
            .as_ref()
            .and_then(|s| s.ingress.clone())
            .expect("rules")[0]
            .from
            .clone()
            .expect("from");
        assert_eq!(from.len(), 2);
        let first = from[0]
            .pod_selector
            .clone()
            .and_then(|s| s.match_labels)
            .expect("labels");
        assert_eq!(first["app.kubernetes.io/name"], "users");
    }
}
