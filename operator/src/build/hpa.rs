//! The HorizontalPodAutoscaler (autoscaling/v2) of one service.

use k8s_openapi::api::autoscaling::v2::{
    CrossVersionObjectReference, HorizontalPodAutoscaler, HorizontalPodAutoscalerSpec, MetricSpec,
    MetricTarget, ResourceMetricSource,
};
use petstore_contract::ServiceSpec;

use super::{deployment::COMPONENT, meta, service_name};
use crate::crd::{PetStore, ServiceConfig};

/// The autoscaler of `svc`, or none when its autoscaling is disabled.
pub fn build(
    ps: &PetStore,
    svc: &ServiceSpec,
    cfg: &ServiceConfig,
) -> Option<HorizontalPodAutoscaler> {
    let a = &cfg.autoscaling;
    a.enabled.then(|| HorizontalPodAutoscaler {
        metadata: meta(ps, service_name(ps, svc.name), svc.name, COMPONENT),
        spec: Some(HorizontalPodAutoscalerSpec {
            scale_target_ref: CrossVersionObjectReference {
                api_version: Some("apps/v1".into()),
                kind: "Deployment".into(),
                name: service_name(ps, svc.name),
            },
            min_replicas: Some(a.min_replicas),
            max_replicas: a.max_replicas,
            metrics: Some(vec![MetricSpec {
                type_: "Resource".into(),
                resource: Some(ResourceMetricSource {
                    name: "cpu".into(),
                    target: MetricTarget {
                        type_: "Utilization".into(),
                        average_utilization: Some(a.target_cpu_utilization_percentage),
                        ..MetricTarget::default()
                    },
                }),
                ..MetricSpec::default()
            }]),
            ..HorizontalPodAutoscalerSpec::default()
        }),
        ..HorizontalPodAutoscaler::default()
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fixtures;

    #[test]
    fn defaults_are_2_to_10_at_75_percent() {
        let ps = fixtures::minimal();
        let hpa = build(&ps, &petstore_contract::USERS, &ServiceConfig::default()).expect("hpa");
        let spec = hpa.spec.expect("spec");
        assert_eq!((spec.min_replicas, spec.max_replicas), (Some(2), 10));
        let target = &spec.metrics.expect("metrics")[0];
        let util = target
            .resource
            .as_ref()
            .and_then(|r| r.target.average_utilization);
        assert_eq!(util, Some(75));
        assert_eq!(spec.scale_target_ref.name, "shop-users");
    }

    #[test]
    fn none_when_disabled() {
        let ps = fixtures::minimal();
        let mut cfg = ServiceConfig::default();
        cfg.autoscaling.enabled = false;
        assert!(build(&ps, &petstore_contract::USERS, &cfg).is_none());
    }
}
