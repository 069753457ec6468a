//! The optional Ingress in front of the gateway.

use k8s_openapi::api::networking::v1::{
    HTTPIngressPath, HTTPIngressRuleValue, Ingress, IngressBackend, IngressRule,
    IngressServiceBackend, IngressSpec, IngressTLS, ServiceBackendPort,
};
use petstore_contract::GATEWAY;

use super::{meta, service_name};
use crate::crd::PetStore;

/// The Ingress, when `spec.ingress.enabled`.
pub fn build(ps: &PetStore) -> Option<Ingress> {
    let cfg = &ps.spec.ingress;
    if !cfg.enabled || !ps.spec.service(GATEWAY.name).enabled {
        return None;
    }
    let host = cfg.host.clone();
    Some(Ingress {
        metadata: meta(ps, service_name(ps, GATEWAY.name), GATEWAY.name, "network"),
        spec: Some(IngressSpec {
            ingress_class_name: cfg.class_name.clone(),
            tls: cfg.tls_secret_name.as_ref().map(|secret| {
                vec![IngressTLS {
                    hosts: host.clone().map(|h| vec![h]),
                    secret_name: Some(secret.clone()),
                }]
            }),
            rules: Some(vec![IngressRule {
                host,
                http: Some(HTTPIngressRuleValue {
                    paths: vec![HTTPIngressPath {
                        path: Some("/".into()),
                        path_type: "Prefix".into(),
                        backend: IngressBackend {
                            service: Some(IngressServiceBackend {
                                name: service_name(ps, GATEWAY.name),
                                port: Some(ServiceBackendPort {
                                    name: Some("http".into()),
                                    ..ServiceBackendPort::default()
                                }),
                            }),
                            ..IngressBackend::default()
                        },
                    }],
                }),
            }]),
            ..IngressSpec::default()
        }),
        ..Ingress::default()
    })
}

/// URL users reach the store at.
pub fn endpoint(ps: &PetStore) -> String {
    match (&ps.spec.ingress, build(ps)) {
        (cfg, Some(_)) => format!(
            "{}://{}",
            if cfg.tls_secret_name.is_some() {
                "https"
            } else {
                "http"
            },
            cfg.host.clone().unwrap_or_default()
        ),
        _ => format!(
            "http://{}.{}.svc:{}",
            service_name(ps, GATEWAY.name),
            super::namespace(ps),
            GATEWAY.port
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fixtures;

    #[test]
    fn absent_unless_enabled() {
        assert!(build(&fixtures::minimal()).is_none());
        assert_eq!(
            endpoint(&fixtures::minimal()),
            "http://shop-gateway.shop.svc:8080"
        );
    }

    #[test]
    fn routes_the_host_to_the_gateway_with_tls() {
        let ps = fixtures::full();
        let ing = build(&ps).expect("ingress");
        let spec = ing.spec.expect("spec");
        assert_eq!(spec.ingress_class_name.as_deref(), Some("nginx"));
        assert_eq!(
            spec.tls.expect("tls")[0].secret_name.as_deref(),
            Some("shop-tls")
        );
        assert_eq!(endpoint(&ps), "https://shop.example.com");
    }
}
