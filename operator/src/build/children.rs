//! The whole desired state of a PetStore, in apply order: each child's builder, called
//! once (its own module, so that the builders can share the helpers of [`super`] without
//! [`super`] depending on them).

use super::{
    Child, backup, credentials, deployment, hpa, ingress, load_generator, network_policy, pdb,
    postgres, rabbitmq, service,
};
use crate::crd::PetStore;

/// Everything the PetStore asks for except the generated Secrets, in apply
/// order (configuration and data first, then services, then network).
pub fn build(ps: &PetStore) -> Vec<Child> {
    let mut out = vec![credentials::build(ps)];
    out.extend(postgres::build(ps));
    out.extend(rabbitmq::build(ps));
    for svc in ps.spec.enabled_services() {
        let cfg = ps.spec.service(svc.name);
        out.push(Child::new(&deployment::build(ps, svc, &cfg)));
        out.push(Child::new(&service::build(ps, svc)));
        if let Some(hpa) = hpa::build(ps, svc, &cfg) {
            out.push(Child::new(&hpa));
        }
        out.push(Child::new(&pdb::build(ps, svc)));
    }
    if let Some(load) = load_generator::build(ps) {
        out.push(Child::new(&load));
    }
    out.extend(network_policy::build(ps).iter().map(Child::new));
    if let Some(ing) = ingress::build(ps) {
        out.push(Child::new(&ing));
    }
    out.extend(backup::build(ps));
    out
}
