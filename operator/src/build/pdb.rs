//! The PodDisruptionBudget of one service: at most one pod down by choice.

use k8s_openapi::api::policy::v1::{PodDisruptionBudget, PodDisruptionBudgetSpec};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::LabelSelector;
use k8s_openapi::apimachinery::pkg::util::intstr::IntOrString;
use petstore_contract::ServiceSpec;

use super::{deployment::COMPONENT, meta, selector, service_name};
use crate::crd::PetStore;

/// The disruption budget of `svc`.
pub fn build(ps: &PetStore, svc: &ServiceSpec) -> PodDisruptionBudget {
    PodDisruptionBudget {
        metadata: meta(ps, service_name(ps, svc.name), svc.name, COMPONENT),
        spec: Some(PodDisruptionBudgetSpec {
            max_unavailable: Some(IntOrString::Int(1)),
            selector: Some(LabelSelector {
                match_labels: Some(selector(ps, svc.name)),
                ..LabelSelector::default()
            }),
            ..PodDisruptionBudgetSpec::default()
        }),
        ..PodDisruptionBudget::default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fixtures;

    #[test]
    fn one_pod_may_be_disrupted() {
        let ps = fixtures::minimal();
        let pdb = build(&ps, &petstore_contract::GATEWAY);
        let spec = pdb.spec.expect("spec");
        assert_eq!(spec.max_unavailable, Some(IntOrString::Int(1)));
        assert_eq!(spec.min_available, None);
    }
}
