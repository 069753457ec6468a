//! Lease-based leader election against kube-fake-client.

use std::time::Duration;

use k8s_openapi::api::coordination::v1::Lease;
use kube::Api;
use kube_fake_client::ClientBuilder;
use petstore_operator::leader::LeaderElector;

#[tokio::test]
async fn only_one_replica_leads_and_renewal_keeps_it() {
    let client = ClientBuilder::new().build().await.expect("client");
    let lease = Duration::from_secs(15);
    let a = LeaderElector::new(client.clone(), "petstore-system", "leader", "a", lease);
    let b = LeaderElector::new(client.clone(), "petstore-system", "leader", "b", lease);
    assert!(a.try_acquire_or_renew().await.expect("a"));
    assert!(!b.try_acquire_or_renew().await.expect("b"));
    assert!(a.try_acquire_or_renew().await.expect("a renews"));
    let api: Api<Lease> = Api::namespaced(client, "petstore-system");
    let held = api.get("leader").await.expect("lease").spec.expect("spec");
    assert_eq!(held.holder_identity.as_deref(), Some("a"));
    assert_eq!(held.lease_transitions, Some(0));
}

#[tokio::test]
async fn an_expired_lease_is_taken_over() {
    let client = ClientBuilder::new().build().await.expect("client");
    let a = LeaderElector::new(
        client.clone(),
        "petstore-system",
        "leader",
        "a",
        Duration::from_secs(1),
    );
    let b = LeaderElector::new(
        client.clone(),
        "petstore-system",
        "leader",
        "b",
        Duration::from_secs(1),
    );
    assert!(a.try_acquire_or_renew().await.expect("a"));
    tokio::time::sleep(Duration::from_millis(2100)).await;
    assert!(b.try_acquire_or_renew().await.expect("b takes over"));
    assert!(!a.try_acquire_or_renew().await.expect("a lost it"));
    let api: Api<Lease> = Api::namespaced(client, "petstore-system");
    let held = api.get("leader").await.expect("lease").spec.expect("spec");
    assert_eq!(held.holder_identity.as_deref(), Some("b"));
    assert_eq!(held.lease_transitions, Some(1));
}

#[tokio::test]
async fn a_released_lease_is_taken_over_at_once() {
    let client = ClientBuilder::new().build().await.expect("client");
    let lease = Duration::from_secs(15);
    let a = LeaderElector::new(client.clone(), "petstore-system", "leader", "a", lease);
    let b = LeaderElector::new(client.clone(), "petstore-system", "leader", "b", lease);
    assert!(a.try_acquire_or_renew().await.expect("a"));
    assert!(!b.try_acquire_or_renew().await.expect("b waits"));
    // A clean stop of a: the standby need not wait 15 s for the Lease to expire.
    assert!(a.release().await.expect("release"));
    let started = std::time::Instant::now();
    tokio::time::timeout(Duration::from_secs(2), b.acquire())
        .await
        .expect("b leads within 2 s")
        .expect("acquire");
    assert!(started.elapsed() < Duration::from_secs(2));
    // Releasing what one does not hold does nothing.
    assert!(!a.release().await.expect("not held"));
    let api: Api<Lease> = Api::namespaced(client, "petstore-system");
    let held = api.get("leader").await.expect("lease").spec.expect("spec");
    assert_eq!(held.holder_identity.as_deref(), Some("b"));
}
