//! The ClusterIP Service of one service.

use k8s_openapi::api::core::v1::{Service, ServicePort, ServiceSpec as KServiceSpec};
use k8s_openapi::apimachinery::pkg::util::intstr::IntOrString;
use petstore_contract::ServiceSpec;

use super::deployment::{COMPONENT, INTERNAL_PORT_NAME};
use super::{meta, selector, service_name};
use crate::crd::PetStore;

/// The Service in front of `svc`'s pods, on the contract's port, with the internal
/// port beside it for Prometheus (the Ingress and the gateway use `http` only).
pub fn build(ps: &PetStore, svc: &ServiceSpec) -> Service {
    Service {
        metadata: meta(ps, service_name(ps, svc.name), svc.name, COMPONENT),
        spec: Some(KServiceSpec {
            type_: Some("ClusterIP".into()),
            selector: Some(selector(ps, svc.name)),
            ports: Some(vec![
                ServicePort {
                    name: Some("http".into()),
                    port: i32::from(svc.port),
                    target_port: Some(IntOrString::String("http".into())),
                    protocol: Some("TCP".into()),
                    ..ServicePort::default()
                },
                ServicePort {
                    name: Some(INTERNAL_PORT_NAME.into()),
                    port: i32::from(svc.internal_port()),
                    target_port: Some(IntOrString::String(INTERNAL_PORT_NAME.into())),
                    protocol: Some("TCP".into()),
                    ..ServicePort::default()
                },
            ]),
            ..KServiceSpec::default()
        }),
        ..Service::default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fixtures;

    #[test]
    fn selects_the_service_pods_on_the_contract_port() {
        let ps = fixtures::minimal();
        let s = build(&ps, &petstore_contract::CATALOG);
        assert_eq!(s.metadata.name.as_deref(), Some("shop-catalog"));
        let spec = s.spec.expect("spec");
        let ports = spec.ports.expect("ports");
        assert_eq!(ports[0].port, 8082);
        assert_eq!(ports[1].name.as_deref(), Some("internal"));
        assert_eq!(ports[1].port, 9082);
        assert_eq!(
            spec.selector.expect("selector")["app.kubernetes.io/name"],
            "catalog"
        );
    }
}
