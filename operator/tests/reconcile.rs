//! Reconcile behaviour against kube-fake-client with OpenAPI validation on.

mod common;

use std::sync::Arc;

use common::{context, server, stored};
use k8s_openapi::api::apps::v1::{Deployment, StatefulSet};
use k8s_openapi::api::batch::v1::{CronJob, Job};
use k8s_openapi::api::core::v1::{ConfigMap, PersistentVolumeClaim, Secret, Service};
use k8s_openapi::api::networking::v1::{Ingress, NetworkPolicy};
use kube::api::{Api, DeleteParams, ListParams, Patch, PatchParams, PostParams};
use kube::runtime::controller::Action;
use kube::{Client, ResourceExt};
use petstore_operator::controller::{FINALIZER, error_policy, reconcile};
use petstore_operator::crd::{DataRetention, Phase, PostgresTopology, ServiceConfig};
use petstore_operator::{Error, PetStore, fixtures};
use serde_json::json;

const NS: &str = "shop";

/// `shop-<prefix><service>` for every service of the contract matching `filter`, sorted.
fn per_service(prefix: &str, filter: fn(&petstore_contract::ServiceSpec) -> bool) -> Vec<String> {
    let mut v: Vec<String> = petstore_contract::SERVICES
        .iter()
        .filter(|s| filter(s))
        .map(|s| format!("shop-{prefix}{}", s.name))
        .collect();
    v.sort();
    v
}

fn all(_: &petstore_contract::ServiceSpec) -> bool {
    true
}

fn with_db(s: &petstore_contract::ServiceSpec) -> bool {
    s.has_database
}

fn sorted(mut v: Vec<String>, extra: &[&str]) -> Vec<String> {
    v.extend(extra.iter().map(|s| s.to_string()));
    v.sort();
    v
}

/// The condition `type_` of a status (the test fails when it is missing).
#[track_caller]
fn condition<'a>(
    status: &'a petstore_operator::crd::PetStoreStatus,
    type_: &str,
) -> &'a k8s_openapi::apimachinery::pkg::apis::meta::v1::Condition {
    status
        .conditions
        .iter()
        .find(|c| c.type_ == type_)
        .unwrap_or_else(|| panic!("no {type_} condition in {:?}", status.conditions))
}

async fn get(client: &Client) -> Arc<PetStore> {
    let api: Api<PetStore> = Api::namespaced(client.clone(), NS);
    Arc::new(api.get("shop").await.expect("petstore"))
}

async fn names<K>(client: &Client) -> Vec<String>
where
    K: kube::Resource<Scope = kube::core::NamespaceResourceScope, DynamicType = ()>
        + Clone
        + serde::de::DeserializeOwned
        + std::fmt::Debug,
{
    let api: Api<K> = Api::namespaced(client.clone(), NS);
    let mut n: Vec<_> = api
        .list(&ListParams::default())
        .await
        .expect("list")
        .items
        .iter()
        .map(ResourceExt::name_any)
        .collect();
    n.sort();
    n
}

/// Reconciles the stored `shop` once.
async fn once(client: &Client) -> Result<Action, Error> {
    reconcile(get(client).await, context(client.clone())).await
}

async fn started(ps: &PetStore) -> (Client, common::Writes) {
    let (client, writes) = server(vec![stored(ps)]).await;
    once(&client).await.expect("first reconcile");
    (client, writes)
}

async fn set_spec(client: &Client, spec: serde_json::Value) {
    let api: Api<PetStore> = Api::namespaced(client.clone(), NS);
    api.patch(
        "shop",
        &PatchParams::default(),
        &Patch::Merge(&json!({ "spec": spec })),
    )
    .await
    .expect("patch spec");
}

#[tokio::test]
async fn creates_everything_from_nothing() {
    let (client, _) = started(&fixtures::minimal()).await;
    let services = petstore_contract::SERVICES.len();
    let databases = per_service("postgres-", with_db).len();
    assert_eq!(names::<Deployment>(&client).await, per_service("", all));
    assert_eq!(
        names::<StatefulSet>(&client).await,
        sorted(per_service("postgres-", with_db), &["shop-rabbitmq"])
    );
    assert_eq!(
        names::<Service>(&client).await.len(),
        services + databases + 2
    );
    let credentials: Vec<String> = per_service("", with_db)
        .iter()
        .map(|n| format!("{n}-database"))
        .collect();
    assert_eq!(
        names::<Secret>(&client).await,
        sorted(
            credentials,
            &[
                "shop-console-session",
                "shop-jwt",
                "shop-rabbitmq-credentials"
            ]
        )
    );
    assert_eq!(
        names::<NetworkPolicy>(&client).await.len(),
        1 + services + databases + 1
    );
    assert!(names::<Ingress>(&client).await.is_empty());

    let ps = get(&client).await;
    assert!(ps.finalizers().iter().any(|f| f == FINALIZER));
    let status = ps.status.clone().expect("status");
    assert_eq!(status.phase, Phase::Progressing);
    assert_eq!(status.observed_generation, ps.metadata.generation);
    assert_eq!(status.services["users"].desired_replicas, 2);

    // Every child is owned by the PetStore and carries the standard labels.
    let deploy: Api<Deployment> = Api::namespaced(client.clone(), NS);
    let d = deploy.get("shop-users").await.expect("deployment");
    assert_eq!(d.owner_references()[0].uid, ps.uid().expect("uid"));
    assert_eq!(
        d.labels()["app.kubernetes.io/managed-by"],
        "petstore-operator"
    );
}

#[tokio::test]
async fn a_second_reconcile_writes_nothing() {
    let (client, writes) = started(&fixtures::full()).await;
    assert!(!writes.all().is_empty());
    writes.clear();
    once(&client).await.expect("second reconcile");
    assert_eq!(writes.all(), Vec::<String>::new());
}

#[tokio::test]
async fn generated_secrets_are_never_overwritten() {
    let (client, _) = started(&fixtures::minimal()).await;
    let api: Api<Secret> = Api::namespaced(client.clone(), NS);
    let before = api.get("shop-rabbitmq-credentials").await.expect("secret");
    set_spec(&client, json!({"version": "1.1.0"})).await;
    once(&client).await.expect("reconcile");
    let after = api.get("shop-rabbitmq-credentials").await.expect("secret");
    assert_eq!(before.data, after.data);
    assert_eq!(before.string_data, after.string_data);
}

#[tokio::test]
async fn an_empty_secret_from_render_output_is_filled_once() {
    let ps = fixtures::minimal();
    let rendered = petstore_operator::render::render(fixtures::MINIMAL_YAML).expect("render");
    let mut objects = vec![stored(&ps)];
    for doc in rendered
        .split("---\n")
        .filter(|d| d.contains("kind: Secret"))
    {
        objects.push(serde_yaml::from_str(doc).expect("yaml"));
    }
    let (client, _) = server(objects).await;
    once(&client).await.expect("reconcile");
    let api: Api<Secret> = Api::namespaced(client.clone(), NS);
    let filled = api.get("shop-jwt").await.expect("secret");
    let keys = |s: &Secret| {
        let mut k: Vec<String> = s.data.iter().flatten().map(|(k, _)| k.clone()).collect();
        k.extend(s.string_data.iter().flatten().map(|(k, _)| k.clone()));
        k.sort();
        k
    };
    assert_eq!(keys(&filled), ["private.pem", "public.pem"]);
    once(&client).await.expect("reconcile");
    assert_eq!(api.get("shop-jwt").await.expect("secret"), filled);
}

#[tokio::test]
async fn a_deleted_or_edited_child_is_restored() {
    let (client, writes) = started(&fixtures::minimal()).await;
    let deploy: Api<Deployment> = Api::namespaced(client.clone(), NS);
    deploy
        .delete("shop-users", &DeleteParams::default())
        .await
        .expect("delete");
    deploy
        .patch(
            "shop-catalog",
            &PatchParams::default(),
            &Patch::Merge(&json!({"spec": {"template": {"spec": {"containers": [{"name": "catalog", "image": "evil:latest"}]}}}})),
        )
        .await
        .expect("edit");
    writes.clear();
    once(&client).await.expect("reconcile");
    assert!(deploy.get("shop-users").await.is_ok());
    let catalog = deploy.get("shop-catalog").await.expect("catalog");
    let image = catalog
        .spec
        .and_then(|s| s.template.spec)
        .map(|p| p.containers[0].image.clone());
    assert_eq!(
        image,
        Some(Some(
            "ghcr.io/petstore-platform/petstore-services:1.0.0".into()
        ))
    );
    let mut w = writes.all();
    w.sort();
    assert_eq!(
        w,
        [
            "patch Deployment/shop-catalog",
            "patch Deployment/shop-users"
        ]
    );
}

#[tokio::test]
async fn a_changed_spec_rolls_only_the_right_children() {
    let (client, writes) = started(&fixtures::minimal()).await;
    writes.clear();
    set_spec(
        &client,
        json!({"services": {"users": {"resources": {"requests": {"cpu": "300m", "memory": "256Mi"}}}}}),
    )
    .await;
    writes.clear();
    once(&client).await.expect("reconcile");
    assert_eq!(writes.all(), ["patch Deployment/shop-users", "status shop"]);

    // A new version rolls every service and nothing else.
    set_spec(&client, json!({"version": "1.1.0"})).await;
    writes.clear();
    once(&client).await.expect("reconcile");
    let mut w = writes.all();
    w.sort();
    let rolled: Vec<String> = per_service("", all)
        .iter()
        .map(|n| format!("patch Deployment/{n}"))
        .collect();
    assert_eq!(w, sorted(rolled, &["status shop"]));
}

#[tokio::test]
async fn what_the_spec_no_longer_asks_for_is_deleted() {
    let (client, _) = started(&fixtures::minimal()).await;
    let mut spec = fixtures::minimal().spec;
    spec.services.insert(
        "catalog".into(),
        ServiceConfig {
            enabled: false,
            ..ServiceConfig::default()
        },
    );
    spec.postgres.topology = PostgresTopology::Shared;
    set_spec(&client, serde_json::to_value(&spec).expect("spec")).await;
    once(&client).await.expect("reconcile");
    assert_eq!(
        names::<Deployment>(&client).await,
        per_service("", |s| s.name != "catalog")
    );
    assert_eq!(
        names::<StatefulSet>(&client).await,
        ["shop-postgres", "shop-rabbitmq"]
    );
    assert_eq!(
        names::<ConfigMap>(&client).await,
        [
            "shop-backup-script",
            "shop-postgres-init",
            "shop-start-scripts"
        ]
    );
    // Credentials are data: they stay.
    assert!(
        names::<Secret>(&client)
            .await
            .contains(&"shop-catalog-database".to_string())
    );
}

#[tokio::test]
async fn a_paused_store_is_left_alone() {
    let mut ps = fixtures::minimal();
    ps.spec.paused = true;
    let (client, writes) = server(vec![stored(&ps)]).await;
    let action = once(&client).await.expect("reconcile");
    assert_eq!(action, Action::await_change());
    assert_eq!(writes.all(), Vec::<String>::new());
    assert!(names::<Deployment>(&client).await.is_empty());
}

/// Mimics the deployment controller's status after a finished rollout of
/// the current generation (the fake has no controllers).
async fn rolled_out(deploy: &Api<Deployment>, name: &str, n: i32) {
    let generation = deploy
        .get(name)
        .await
        .expect("deployment")
        .metadata
        .generation;
    deploy
        .patch_status(
            name,
            &PatchParams::default(),
            &Patch::Merge(&json!({"status": {"readyReplicas": n, "replicas": n,
                "updatedReplicas": n, "availableReplicas": n, "observedGeneration": generation}})),
        )
        .await
        .expect("deployment status");
}

/// Every workload of the minimal store ready.
async fn all_ready(client: &Client) {
    let deploy: Api<Deployment> = Api::namespaced(client.clone(), NS);
    for name in per_service("", all) {
        rolled_out(&deploy, &name, 2).await;
    }
    let sts: Api<StatefulSet> = Api::namespaced(client.clone(), NS);
    let mut names = per_service("postgres-", with_db);
    names.push("shop-rabbitmq".into());
    for name in names {
        sts.patch_status(
            &name,
            &PatchParams::default(),
            &Patch::Merge(&json!({"status": {"readyReplicas": 1, "replicas": 1}})),
        )
        .await
        .expect("sts status");
    }
}

#[tokio::test]
async fn status_says_which_children_are_not_ready_then_ready() {
    let (client, _) = started(&fixtures::minimal()).await;
    let ps = get(&client).await;
    let status = ps.status.clone().expect("status");
    let ready = condition(&status, "Ready");
    assert_eq!(ready.status, "False");
    assert_eq!(ready.reason, "ComponentsNotReady");
    let services = condition(&status, "ServicesReady");
    assert!(
        services.message.contains("users (0/2 ready)"),
        "{}",
        services.message
    );

    let ready_status = |n| json!({"status": {"readyReplicas": n, "replicas": n}});
    let deploy: Api<Deployment> = Api::namespaced(client.clone(), NS);
    for name in per_service("", all) {
        rolled_out(&deploy, &name, 2).await;
    }
    let sts: Api<StatefulSet> = Api::namespaced(client.clone(), NS);
    for name in per_service("postgres-", with_db) {
        sts.patch_status(
            &name,
            &PatchParams::default(),
            &Patch::Merge(&ready_status(1)),
        )
        .await
        .expect("sts status");
    }
    once(&client).await.expect("reconcile");
    let status = get(&client).await.status.clone().expect("status");
    assert_eq!(status.phase, Phase::Progressing);
    let broker = condition(&status, "BrokerReady");
    assert_eq!(
        (broker.status.as_str(), broker.message.as_str()),
        ("False", "waiting for shop-rabbitmq")
    );

    sts.patch_status(
        "shop-rabbitmq",
        &PatchParams::default(),
        &Patch::Merge(&ready_status(1)),
    )
    .await
    .expect("sts status");
    once(&client).await.expect("reconcile");
    let status = get(&client).await.status.clone().expect("status");
    assert_eq!(status.phase, Phase::Ready);
    let n = petstore_contract::SERVICES.len();
    assert_eq!(status.ready_services, Some(format!("{n}/{n}")));
    assert!(status.conditions.iter().all(|c| c.status == "True"));
}

#[tokio::test]
async fn an_invalid_spec_is_rejected_with_a_clear_reason() {
    let mut ps = fixtures::minimal();
    ps.spec
        .services
        .insert("users".into(), ServiceConfig::default());
    if let Some(users) = ps.spec.services.get_mut("users") {
        users.autoscaling.min_replicas = 5;
        users.autoscaling.max_replicas = 3;
    }
    let (client, _) = server(vec![stored(&ps)]).await;
    let ctx = context(client.clone());
    let err = reconcile(get(&client).await, ctx.clone())
        .await
        .expect_err("invalid");
    assert!(matches!(err, Error::InvalidSpec(_)));
    assert_eq!(
        error_policy(get(&client).await, &err, ctx),
        Action::await_change()
    );
    let status = get(&client).await.status.clone().expect("status");
    assert_eq!(status.phase, Phase::Degraded);
    let ready = &status.conditions[0];
    assert_eq!(ready.reason, "InvalidSpec");
    assert_eq!(
        ready.message,
        "spec.services.users.autoscaling: minReplicas (5) must not exceed maxReplicas (3)"
    );
    assert!(names::<Deployment>(&client).await.is_empty());
}

#[tokio::test]
async fn the_api_rejects_a_spec_outside_the_schema() {
    let (client, _) = server(vec![]).await;
    let api: Api<PetStore> = Api::namespaced(client, NS);
    let mut ps = fixtures::minimal();
    ps.spec.services.insert(
        "users".into(),
        ServiceConfig {
            replicas: -1,
            ..ServiceConfig::default()
        },
    );
    let err = api
        .create(&PostParams::default(), &ps)
        .await
        .expect_err("rejected");
    assert!(err.to_string().contains("replicas"), "{err}");
}

/// A PetStore being deleted, with the children the operator made and the
/// volumes its StatefulSets claimed.
async fn deleting_server(retention: DataRetention) -> Client {
    let (client, _) = started(&fixtures::minimal()).await;
    let mut objects = Vec::new();
    let labels = json!({"app.kubernetes.io/instance": "shop", "app.kubernetes.io/managed-by": "petstore-operator"});
    for name in ["data-shop-postgres-users-0", "data-shop-rabbitmq-0"] {
        objects.push(json!({
            "apiVersion": "v1", "kind": "PersistentVolumeClaim",
            "metadata": {"name": name, "namespace": NS, "labels": labels},
            "spec": {"accessModes": ["ReadWriteOnce"], "resources": {"requests": {"storage": "1Gi"}}}
        }));
    }
    for kind in ["Secret", "Deployment", "StatefulSet"] {
        let api: Api<kube::api::DynamicObject> = Api::namespaced_with(
            client.clone(),
            NS,
            &kube::core::ApiResource::from_gvk(&kube::core::GroupVersionKind::gvk(
                if kind == "Secret" { "" } else { "apps" },
                "v1",
                kind,
            )),
        );
        for o in api.list(&ListParams::default()).await.expect("list").items {
            // As `kubectl get -o json` shows them: with TypeMeta.
            let mut v = serde_json::to_value(o).expect("json");
            v["apiVersion"] = json!(if kind == "Secret" { "v1" } else { "apps/v1" });
            v["kind"] = json!(kind);
            objects.push(v);
        }
    }
    let mut ps = serde_json::to_value(&*get(&client).await).expect("json");
    ps["spec"]["dataRetention"] = json!(retention);
    ps["metadata"]["deletionTimestamp"] = json!("2026-01-01T00:00:00Z");
    objects.push(ps);
    let (client, _) = server(objects).await;
    client
}

/// [`deleting_server`], reconciled until the PetStore is gone.
async fn deleting(retention: DataRetention) -> Client {
    let client = deleting_server(retention).await;
    until_gone(&client).await;
    client
}

/// Reconciles a PetStore being deleted until its finalizer lets it go
/// (a clean-up may take several rounds), at most 5.
async fn until_gone(client: &Client) {
    let stores: Api<PetStore> = Api::namespaced(client.clone(), NS);
    for _ in 0..5 {
        let Some(ps) = stores.get_opt("shop").await.expect("get") else {
            return;
        };
        reconcile(Arc::new(ps), context(client.clone()))
            .await
            .expect("cleanup");
    }
}

#[tokio::test]
async fn deletion_with_retain_keeps_volumes_and_credentials() {
    let client = deleting(DataRetention::Retain).await;
    let stores: Api<PetStore> = Api::namespaced(client.clone(), NS);
    assert!(stores.get_opt("shop").await.expect("get").is_none());
    assert_eq!(names::<PersistentVolumeClaim>(&client).await.len(), 2);
    let secrets: Api<Secret> = Api::namespaced(client.clone(), NS);
    let list = secrets
        .list(&ListParams::default())
        .await
        .expect("list")
        .items;
    // The databases' credentials, the broker's, the console's session key and the JWT keys.
    assert_eq!(list.len(), per_service("", with_db).len() + 3);
    assert!(list.iter().all(|s| s.owner_references().is_empty()));
    // Owned workloads go with the PetStore.
    assert!(names::<Deployment>(&client).await.is_empty());
}

// Relies on the harness mimicking the StatefulSet controller, which
// re-creates a deleted claim while its StatefulSet exists.
#[tokio::test]
async fn deletion_with_delete_removes_the_data() {
    let client = deleting(DataRetention::Delete).await;
    let stores: Api<PetStore> = Api::namespaced(client.clone(), NS);
    assert!(stores.get_opt("shop").await.expect("get").is_none());
    assert!(names::<PersistentVolumeClaim>(&client).await.is_empty());
    assert!(names::<Secret>(&client).await.is_empty());
}

fn backup_ready(ps: &PetStore) -> (String, String, String) {
    let status = ps.status.clone().expect("status");
    let c = condition(&status, "BackupReady");
    (c.status.clone(), c.reason.clone(), c.message.clone())
}

async fn annotate(client: &Client, token: &str) {
    let api: Api<PetStore> = Api::namespaced(client.clone(), NS);
    api.patch(
        "shop",
        &PatchParams::default(),
        &Patch::Merge(&json!({"metadata": {"annotations": {"petstore.dev/backup-now": token}}})),
    )
    .await
    .expect("annotate");
}

#[tokio::test]
async fn every_database_gets_a_backup_cronjob_and_volume() {
    let (client, _) = started(&fixtures::minimal()).await;
    assert_eq!(
        names::<CronJob>(&client).await,
        per_service("backup-", with_db)
    );
    let pvcs = names::<PersistentVolumeClaim>(&client).await;
    assert_eq!(pvcs, per_service("backups-", with_db));
    let api: Api<CronJob> = Api::namespaced(client.clone(), NS);
    let cj = api.get("shop-backup-users").await.expect("cronjob");
    let spec = cj.spec.expect("spec");
    assert_eq!(spec.schedule, "0 3 * * *");
    assert_eq!(spec.concurrency_policy.as_deref(), Some("Forbid"));
    assert_eq!(spec.suspend, Some(false));
    assert_eq!(spec.successful_jobs_history_limit, Some(3));
    // The volumes are data: not owned, so never garbage-collected.
    let claims: Api<PersistentVolumeClaim> = Api::namespaced(client.clone(), NS);
    let pvc = claims.get("shop-backups-users").await.expect("pvc");
    assert!(pvc.owner_references().is_empty());
    let ps = get(&client).await;
    let status = ps.status.clone().expect("status");
    assert_eq!(status.backups["users"].database, "petstore_users");
    assert_eq!(backup_ready(&ps).0, "True");

    // Disabling backups deletes the CronJobs and keeps the backups.
    set_spec(&client, json!({"backup": {"enabled": false}})).await;
    once(&client).await.expect("reconcile");
    assert!(names::<CronJob>(&client).await.is_empty());
    assert_eq!(names::<PersistentVolumeClaim>(&client).await, pvcs);
}

#[tokio::test]
async fn suspend_changes_only_the_cronjobs() {
    let (client, writes) = started(&fixtures::full()).await;
    set_spec(
        &client,
        json!({"backup": {"suspend": true, "schedule": "30 1 * * *"}}),
    )
    .await;
    writes.clear();
    once(&client).await.expect("reconcile");
    let mut w = writes.all();
    w.sort();
    let patched: Vec<String> = per_service("backup-", with_db)
        .iter()
        .map(|n| format!("patch CronJob/{n}"))
        .collect();
    assert_eq!(w, sorted(patched, &["status shop"]));
    let api: Api<CronJob> = Api::namespaced(client.clone(), NS);
    let spec = api
        .get("shop-backup-users")
        .await
        .expect("cronjob")
        .spec
        .expect("spec");
    assert_eq!(
        (spec.suspend, spec.schedule.as_str()),
        (Some(true), "30 1 * * *")
    );
}

#[tokio::test]
async fn backup_now_runs_one_job_per_database_once_per_token() {
    let (client, writes) = started(&fixtures::minimal()).await;
    let databases = per_service("", with_db).len();
    annotate(&client, "2026-01-01T12:00").await;
    writes.clear();
    once(&client).await.expect("reconcile");
    let jobs = names::<Job>(&client).await;
    assert_eq!(jobs.len(), databases, "{jobs:?}");
    assert!(
        jobs.iter()
            .all(|j| j.starts_with("shop-backup-") && j.contains("-now-")),
        "{jobs:?}"
    );
    assert_eq!(
        writes
            .all()
            .iter()
            .filter(|w| w.starts_with("create Job/"))
            .count(),
        databases
    );
    let ps = get(&client).await;
    assert_eq!(
        ps.status.clone().expect("status").backup_now.as_deref(),
        Some("2026-01-01T12:00")
    );
    let api: Api<Job> = Api::namespaced(client.clone(), NS);
    let job = api.get(&jobs[0]).await.expect("job");
    let pod = job.spec.expect("spec").template.spec.expect("pod");
    assert_eq!(pod.containers[0].args, Some(vec!["backup".to_string()]));

    // The same token again: nothing, even once the Jobs are gone (TTL).
    for j in &jobs {
        api.delete(j, &DeleteParams::default())
            .await
            .expect("delete");
    }
    writes.clear();
    once(&client).await.expect("reconcile");
    assert_eq!(writes.all(), Vec::<String>::new());
    assert!(names::<Job>(&client).await.is_empty());

    // A new token: a new backup.
    annotate(&client, "again").await;
    once(&client).await.expect("reconcile");
    assert_eq!(names::<Job>(&client).await.len(), databases);
}

#[tokio::test]
async fn restore_runs_a_job_once_and_the_service_waits_for_it() {
    let (client, writes) = started(&fixtures::minimal()).await;
    let backup = "petstore_users_backup_20260101_030000.dump";
    set_spec(
        &client,
        json!({"restore": {"service": "users", "backup": backup}}),
    )
    .await;
    writes.clear();
    once(&client).await.expect("reconcile");
    let jobs = names::<Job>(&client).await;
    assert_eq!(jobs.len(), 1, "{jobs:?}");
    assert!(jobs[0].starts_with("shop-restore-users-"), "{jobs:?}");
    let api: Api<Job> = Api::namespaced(client.clone(), NS);
    let pod = api
        .get(&jobs[0])
        .await
        .expect("job")
        .spec
        .expect("spec")
        .template
        .spec
        .expect("pod");
    let c = &pod.containers[0];
    assert_eq!(
        c.args,
        Some(vec!["restore".to_string(), backup.to_string()])
    );
    let env = c.env.clone().expect("env");
    let var = |n: &str| {
        env.iter()
            .find(|e| e.name == n)
            .and_then(|e| e.value.clone())
    };
    assert_eq!(var("RESTORE_FORCE").as_deref(), Some("false"));
    assert_eq!(var("PGDATABASE").as_deref(), Some("petstore_users"));
    assert_eq!(var("BACKUP_DIR").as_deref(), Some("/backups"));

    // Only the restored service's pods wait for it, before migrating.
    let deploy: Api<Deployment> = Api::namespaced(client.clone(), NS);
    let init = |d: Deployment| -> Vec<String> {
        d.spec
            .and_then(|s| s.template.spec)
            .and_then(|p| p.init_containers)
            .unwrap_or_default()
            .into_iter()
            .map(|c| c.name)
            .collect()
    };
    assert_eq!(
        init(deploy.get("shop-users").await.expect("users")),
        ["wait-for-restore", "migrate"]
    );
    assert_eq!(
        init(deploy.get("shop-catalog").await.expect("catalog")),
        ["migrate"]
    );
    let mut w: Vec<String> = writes
        .all()
        .into_iter()
        .filter(|w| !w.starts_with("create Event/"))
        .collect();
    w.sort();
    assert_eq!(
        w,
        [
            format!("create Job/{}", jobs[0]),
            "patch Deployment/shop-users".to_string(),
            "status shop".to_string()
        ]
    );
    let ps = get(&client).await;
    assert_eq!(
        ps.status.clone().expect("status").restored.as_deref(),
        Some("users/petstore_users_backup_20260101_030000.dump")
    );

    // Created once.
    writes.clear();
    once(&client).await.expect("reconcile");
    assert_eq!(writes.all(), Vec::<String>::new());
}

#[tokio::test]
async fn a_restore_of_an_unknown_service_or_bad_file_is_refused() {
    let mut ps = fixtures::minimal();
    ps.spec.restore = Some(petstore_operator::crd::RestoreSpec {
        service: "gateway".into(),
        backup: "petstore_gateway_backup_20260101_030000.dump".into(),
        force: false,
    });
    let (client, _) = server(vec![stored(&ps)]).await;
    let err = once(&client).await.expect_err("invalid");
    assert!(err.to_string().contains("gateway has no database"), "{err}");
    assert!(names::<Job>(&client).await.is_empty());
}

#[tokio::test]
async fn a_failed_scheduled_backup_turns_backup_ready_false() {
    let (client, _) = started(&fixtures::minimal()).await;
    let cronjobs: Api<CronJob> = Api::namespaced(client.clone(), NS);
    let cj = cronjobs.get("shop-backup-users").await.expect("cronjob");
    // The Job the CronJob made for its last run, which failed.
    let template = cj.spec.clone().expect("spec").job_template;
    let job = Job {
        metadata: kube::api::ObjectMeta {
            name: Some("shop-backup-users-29000000".into()),
            namespace: Some(NS.into()),
            labels: template.metadata.and_then(|m| m.labels),
            ..Default::default()
        },
        spec: template.spec,
        ..Default::default()
    };
    let jobs: Api<Job> = Api::namespaced(client.clone(), NS);
    jobs.create(&PostParams::default(), &job)
        .await
        .expect("job");
    jobs.patch_status(
        "shop-backup-users-29000000",
        &PatchParams::default(),
        &Patch::Merge(&json!({"status": {"failed": 3, "conditions": [{
            "type": "Failed", "status": "True", "reason": "BackoffLimitExceeded",
            "message": "Job has reached the specified backoff limit"}]}})),
    )
    .await
    .expect("job status");
    cronjobs
        .patch_status(
            "shop-backup-users",
            &PatchParams::default(),
            &Patch::Merge(&json!({"status": {
                "lastScheduleTime": "2026-01-02T03:00:00Z",
                "lastSuccessfulTime": "2026-01-01T03:00:42Z"}})),
        )
        .await
        .expect("cronjob status");
    once(&client).await.expect("reconcile");
    let ps = get(&client).await;
    let (status, reason, message) = backup_ready(&ps);
    assert_eq!(
        (status.as_str(), reason.as_str()),
        ("False", "BackupFailed")
    );
    assert!(
        message.contains("petstore_users (Job shop-backup-users-29000000)"),
        "{message}"
    );
    let users = &ps.status.clone().expect("status").backups["users"];
    assert_eq!(
        users.last_successful_backup.as_deref(),
        Some("2026-01-01T03:00:42Z")
    );
    assert_eq!(
        users.last_scheduled_backup.as_deref(),
        Some("2026-01-02T03:00:00Z")
    );
}

// Relies on the harness mimicking server-side apply removing the fields a
// manager stopped applying (the fake never removes a field).
#[tokio::test]
async fn an_optional_field_removed_from_the_spec_is_removed_from_the_child() {
    let (client, writes) = started(&fixtures::full()).await;
    let api: Api<PetStore> = Api::namespaced(client.clone(), NS);
    // A merge patch with nulls removes the fields from the PetStore.
    api.patch(
        "shop",
        &PatchParams::default(),
        &Patch::Merge(&json!({"spec": {
            "ingress": {"tlsSecretName": null, "className": null},
            "image": {"pullSecrets": null},
            "backup": {"timeZone": null},
        }})),
    )
    .await
    .expect("patch spec");
    writes.clear();
    once(&client).await.expect("reconcile");
    let ingress: Api<Ingress> = Api::namespaced(client.clone(), NS);
    let spec = ingress
        .get("shop-gateway")
        .await
        .expect("ingress")
        .spec
        .expect("spec");
    assert_eq!(spec.tls, None);
    assert_eq!(spec.ingress_class_name, None);
    let deploy: Api<Deployment> = Api::namespaced(client.clone(), NS);
    let pod = deploy
        .get("shop-users")
        .await
        .expect("users")
        .spec
        .and_then(|s| s.template.spec)
        .expect("pod");
    assert_eq!(pod.image_pull_secrets, None);
    let cronjobs: Api<CronJob> = Api::namespaced(client.clone(), NS);
    let cj = cronjobs.get("shop-backup-users").await.expect("cronjob");
    assert_eq!(cj.spec.expect("spec").time_zone, None);
}

// Relies on the harness mimicking list items without apiVersion/kind (the
// caches are filled from such a list, as a watch's initial list is).
#[tokio::test]
async fn an_unchanged_store_read_from_the_caches_makes_no_request() {
    let (client, writes) = started(&fixtures::full()).await;
    let ctx = common::cached_context(client.clone(), NS).await;
    let ps = get(&client).await;
    writes.clear();
    reconcile(ps, ctx).await.expect("reconcile");
    assert_eq!(writes.all(), Vec::<String>::new());
    assert_eq!(writes.reads(), 0, "no LIST and no GET");
}

// Relies on the harness mimicking server-side apply merging list-map
// entries by key across field managers, and the API refusing duplicate
// port names (as kube-apiserver does with a 422).
#[tokio::test]
async fn a_keyed_list_edited_by_another_manager_is_restored() {
    let (client, _) = started(&fixtures::minimal()).await;
    let services: Api<Service> = Api::namespaced(client.clone(), NS);
    let kubectl = PatchParams {
        field_manager: Some("kubectl-patch".into()),
        ..PatchParams::default()
    };
    // `kubectl patch svc shop-catalog` moving ports[0].port 8082 -> 9999.
    services
        .patch(
            "shop-catalog",
            &kubectl,
            &Patch::Merge(&json!({"spec": {"ports": [
                {"name": "http", "port": 9999, "protocol": "TCP", "targetPort": "http"}]}})),
        )
        .await
        .expect("edit service");
    // And an env entry added to the users container by someone else.
    let deploy: Api<Deployment> = Api::namespaced(client.clone(), NS);
    let users = deploy.get("shop-users").await.expect("users");
    let mut containers = users
        .spec
        .as_ref()
        .and_then(|s| s.template.spec.as_ref())
        .map(|p| p.containers.clone())
        .expect("containers");
    containers[0]
        .env
        .get_or_insert_with(Vec::new)
        .push(k8s_openapi::api::core::v1::EnvVar {
            name: "INJECTED".into(),
            value: Some("1".into()),
            ..Default::default()
        });
    deploy
        .patch(
            "shop-users",
            &kubectl,
            &Patch::Merge(&json!({"spec": {"template": {"spec": {"containers": containers}}}})),
        )
        .await
        .expect("edit deployment");

    once(&client).await.expect("reconcile converges");
    let ports = services
        .get("shop-catalog")
        .await
        .expect("service")
        .spec
        .and_then(|s| s.ports)
        .expect("ports");
    let catalog = petstore_contract::CATALOG;
    assert_eq!(
        ports.iter().map(|p| p.port).collect::<Vec<_>>(),
        [i32::from(catalog.port), i32::from(catalog.internal_port())]
    );
    let env: Vec<String> = deploy
        .get("shop-users")
        .await
        .expect("users")
        .spec
        .and_then(|s| s.template.spec)
        .map(|p| p.containers[0].env.clone().unwrap_or_default())
        .expect("env")
        .into_iter()
        .map(|e| e.name)
        .collect();
    assert!(!env.contains(&"INJECTED".to_string()), "{env:?}");
    assert!(env.contains(&"DATABASE_URL".to_string()), "{env:?}");
}

#[tokio::test]
async fn one_failing_child_does_not_stop_the_others() {
    let (client, writes) = started(&fixtures::minimal()).await;
    writes.refuse_apply("Service/shop-catalog");
    writes.refuse_apply("Deployment/shop-orders");
    set_spec(&client, json!({"version": "1.1.0"})).await;
    // The Service was fine; make it differ so it is applied too.
    let services: Api<Service> = Api::namespaced(client.clone(), NS);
    services
        .patch(
            "shop-catalog",
            &PatchParams::default(),
            &Patch::Merge(
                &json!({"metadata": {"annotations": {"petstore.dev/desired-hash": "old"}}}),
            ),
        )
        .await
        .expect("edit");
    let err = once(&client).await.expect_err("two children fail");
    let text = err.to_string();
    assert!(
        text.contains("failed to apply Service shop-catalog"),
        "{text}"
    );
    assert!(
        text.contains("failed to apply Deployment shop-orders"),
        "{text}"
    );
    // Every other service rolled to the new version.
    let deploy: Api<Deployment> = Api::namespaced(client.clone(), NS);
    for name in per_service("", |s| s.name != "orders") {
        let d = deploy.get(&name).await.expect("deployment");
        let image = d
            .spec
            .and_then(|s| s.template.spec)
            .and_then(|p| p.containers[0].image.clone())
            .expect("image");
        assert!(image.ends_with(":1.1.0"), "{name}: {image}");
    }
    let status = get(&client).await.status.clone().expect("status");
    assert_eq!(status.phase, Phase::Degraded);
    let ready = condition(&status, "Ready");
    assert_eq!(
        (ready.status.as_str(), ready.reason.as_str()),
        ("False", "ApplyFailed")
    );
    assert!(
        ready
            .message
            .contains("failed to apply Service shop-catalog: ")
            && ready.message.contains("refused by the test"),
        "{}",
        ready.message
    );
    assert!(
        writes.all().iter().any(|w| w.starts_with("create Event/")),
        "{:?}",
        writes.all()
    );
}

// Mimics the deployment controller's status of an unfinished rollout: the
// old pods stay ready while the new ones do not come up.
#[tokio::test]
async fn a_stuck_rollout_is_not_ready_and_a_failed_one_is_degraded() {
    let (client, _) = started(&fixtures::minimal()).await;
    all_ready(&client).await;
    once(&client).await.expect("reconcile");
    assert_eq!(
        get(&client).await.status.clone().expect("status").phase,
        Phase::Ready
    );

    set_spec(&client, json!({"version": "1.1.0"})).await;
    once(&client).await.expect("reconcile");
    let deploy: Api<Deployment> = Api::namespaced(client.clone(), NS);
    let generation = deploy
        .get("shop-users")
        .await
        .expect("users")
        .metadata
        .generation;
    deploy
        .patch_status(
            "shop-users",
            &PatchParams::default(),
            &Patch::Merge(&json!({"status": {"readyReplicas": 2, "replicas": 3,
                "updatedReplicas": 1, "observedGeneration": generation}})),
        )
        .await
        .expect("status");
    for name in per_service("", |s| s.name != "users") {
        rolled_out(&deploy, &name, 2).await;
    }
    once(&client).await.expect("reconcile");
    let status = get(&client).await.status.clone().expect("status");
    assert_eq!(status.phase, Phase::Progressing);
    let services = condition(&status, "ServicesReady");
    assert_eq!(services.status, "False");
    assert!(
        services
            .message
            .contains("users (rolling out: 1/2 pods updated)"),
        "{}",
        services.message
    );

    deploy
        .patch_status(
            "shop-users",
            &PatchParams::default(),
            &Patch::Merge(&json!({"status": {"conditions": [{
                "type": "Progressing", "status": "False", "reason": "ProgressDeadlineExceeded",
                "message": "ReplicaSet \"shop-users-7d9\" has timed out progressing."}]}})),
        )
        .await
        .expect("status");
    once(&client).await.expect("reconcile");
    let status = get(&client).await.status.clone().expect("status");
    assert_eq!(status.phase, Phase::Degraded);
    let ready = condition(&status, "Ready");
    assert_eq!(
        (ready.status.as_str(), ready.reason.as_str()),
        ("False", "RolloutFailed")
    );
    assert!(
        ready
            .message
            .contains("Deployment shop-users: ProgressDeadlineExceeded"),
        "{}",
        ready.message
    );
}

#[tokio::test]
async fn disabling_a_service_leaves_the_shared_database_and_keeps_the_gateway_valid() {
    let (client, writes) = started(&fixtures::full()).await;
    writes.clear();
    set_spec(
        &client,
        json!({"services": {"reviews": {"enabled": false}}}),
    )
    .await;
    once(&client).await.expect("reconcile");
    let w = writes.all();
    assert!(
        !w.iter().any(|w| w.contains("StatefulSet/")),
        "no database or broker restarts: {w:?}"
    );
    assert!(
        w.contains(&"patch Deployment/shop-gateway".to_string()),
        "{w:?}"
    );
    assert!(w.contains(&"delete shop-reviews".to_string()), "{w:?}");
    // The gateway gets no REVIEWS_URL: it answers 503 for /api/reviews
    // (services/gateway) instead of refusing to start.
    let deploy: Api<Deployment> = Api::namespaced(client.clone(), NS);
    let env: Vec<String> = deploy
        .get("shop-gateway")
        .await
        .expect("gateway")
        .spec
        .and_then(|s| s.template.spec)
        .map(|p| p.containers[0].env.clone().unwrap_or_default())
        .expect("env")
        .into_iter()
        .map(|e| e.name)
        .collect();
    assert!(!env.contains(&"REVIEWS_URL".to_string()), "{env:?}");
    assert!(env.contains(&"USERS_URL".to_string()), "{env:?}");
}

fn pod_annotation<K: serde::Serialize>(obj: &K) -> Option<String> {
    serde_json::to_value(obj)
        .expect("json")
        .pointer("/spec/template/metadata/annotations/petstore.dev~1credentials")
        .and_then(serde_json::Value::as_str)
        .map(str::to_string)
}

#[tokio::test]
async fn a_deleted_credential_secret_restarts_its_database_then_its_service_with_the_new_one() {
    let (client, writes) = started(&fixtures::minimal()).await;
    let secrets: Api<Secret> = Api::namespaced(client.clone(), NS);
    let deploy: Api<Deployment> = Api::namespaced(client.clone(), NS);
    let sts: Api<StatefulSet> = Api::namespaced(client.clone(), NS);
    let before = |name: &'static str| {
        let deploy = deploy.clone();
        async move { pod_annotation(&deploy.get(name).await.expect("deployment")) }
    };
    let users = before("shop-users").await.expect("annotated");
    let catalog = before("shop-catalog").await;
    let db = pod_annotation(&sts.get("shop-postgres-users").await.expect("sts"));
    let broker = pod_annotation(&sts.get("shop-rabbitmq").await.expect("sts"));
    let old = secrets.get("shop-users-database").await.expect("secret");
    // Mimics the StatefulSet controller's status of a database that runs
    // its current template.
    let sts_rolled = |generation: Option<i64>| {
        json!({"status": {"observedGeneration": generation, "replicas": 1,
            "readyReplicas": 1, "currentRevision": "r1", "updateRevision": "r1"}})
    };
    let generation = sts
        .get("shop-postgres-users")
        .await
        .expect("sts")
        .metadata
        .generation;
    sts.patch_status(
        "shop-postgres-users",
        &PatchParams::default(),
        &Patch::Merge(&sts_rolled(generation)),
    )
    .await
    .expect("sts status");

    secrets
        .delete("shop-users-database", &DeleteParams::default())
        .await
        .expect("delete");
    writes.clear();
    once(&client).await.expect("reconcile");

    let new = secrets
        .get("shop-users-database")
        .await
        .expect("re-created");
    assert_ne!(
        petstore_operator::build::credentials::version(&old),
        petstore_operator::build::credentials::version(&new)
    );
    // First the database restarts (its start script sets the new password);
    // the service waits for it; nothing else restarts.
    assert_ne!(
        pod_annotation(&sts.get("shop-postgres-users").await.expect("sts")),
        db
    );
    assert_eq!(before("shop-users").await.as_deref(), Some(users.as_str()));
    assert_eq!(before("shop-catalog").await, catalog);
    assert_eq!(
        pod_annotation(&sts.get("shop-rabbitmq").await.expect("sts")),
        broker
    );
    let w = writes.all();
    assert!(
        w.contains(&"create Secret/shop-users-database".to_string()),
        "{w:?}"
    );
    assert!(
        w.contains(&"patch StatefulSet/shop-postgres-users".to_string()),
        "{w:?}"
    );
    assert!(
        !w.contains(&"patch Deployment/shop-users".to_string()),
        "{w:?}"
    );

    // While the StatefulSet controller has not rolled the new template out,
    // the service keeps waiting.
    once(&client).await.expect("reconcile");
    assert_eq!(before("shop-users").await.as_deref(), Some(users.as_str()));

    // Mimics the StatefulSet controller's status once the database pod runs
    // the new template: then the service's pods roll to the new password.
    let generation = sts
        .get("shop-postgres-users")
        .await
        .expect("sts")
        .metadata
        .generation;
    sts.patch_status(
        "shop-postgres-users",
        &PatchParams::default(),
        &Patch::Merge(
            &json!({"status": {"observedGeneration": generation, "replicas": 1,
            "readyReplicas": 1, "currentRevision": "r2", "updateRevision": "r2"}}),
        ),
    )
    .await
    .expect("sts status");
    writes.clear();
    once(&client).await.expect("reconcile");
    assert_ne!(before("shop-users").await.as_deref(), Some(users.as_str()));
    assert_eq!(before("shop-catalog").await, catalog);
    assert!(
        writes
            .all()
            .contains(&"patch Deployment/shop-users".to_string())
    );
    let pod = sts
        .get("shop-postgres-users")
        .await
        .expect("sts")
        .spec
        .expect("spec")
        .template
        .spec
        .expect("pod");
    assert_eq!(
        pod.containers[0].command,
        Some(vec![
            "/bin/sh".to_string(),
            "/opt/petstore/postgres-start.sh".to_string()
        ])
    );
}

// Relies on the harness mimicking the StatefulSet controller, which
// re-creates a deleted claim while its StatefulSet exists.
#[tokio::test]
async fn deletion_with_delete_removes_the_statefulsets_before_their_claims() {
    let client = deleting_server(DataRetention::Delete).await;
    let stores: Api<PetStore> = Api::namespaced(client.clone(), NS);
    assert!(!names::<StatefulSet>(&client).await.is_empty());
    // First round: the StatefulSets go, the claims and the PetStore stay.
    let action = once(&client).await.expect("cleanup");
    assert!(action != Action::await_change(), "requeued: {action:?}");
    assert!(names::<StatefulSet>(&client).await.is_empty());
    assert_eq!(names::<PersistentVolumeClaim>(&client).await.len(), 2);
    assert!(stores.get_opt("shop").await.expect("get").is_some());
    until_gone(&client).await;
    assert!(stores.get_opt("shop").await.expect("get").is_none());
    assert_eq!(
        names::<PersistentVolumeClaim>(&client).await,
        Vec::<String>::new()
    );
}

#[tokio::test]
async fn a_store_recreated_after_retain_adopts_its_secrets_and_a_later_delete_removes_them() {
    let client = deleting(DataRetention::Retain).await;
    let secrets: Api<Secret> = Api::namespaced(client.clone(), NS);
    let retained = secrets.get("shop-jwt").await.expect("retained");
    assert!(retained.owner_references().is_empty());

    // The same store again, a new object (a new uid).
    let stores: Api<PetStore> = Api::namespaced(client.clone(), NS);
    let mut again = fixtures::minimal();
    again.spec.data_retention = DataRetention::Delete;
    stores
        .create(&PostParams::default(), &again)
        .await
        .expect("re-create");
    once(&client).await.expect("reconcile");
    let uid = get(&client).await.uid().expect("uid");
    for s in secrets
        .list(&ListParams::default())
        .await
        .expect("list")
        .items
    {
        assert!(
            s.owner_references()
                .iter()
                .any(|o| o.uid == uid && o.controller == Some(true)),
            "{} is not adopted",
            s.name_any()
        );
    }
    // Re-used, never regenerated.
    let jwt = secrets.get("shop-jwt").await.expect("jwt");
    assert_eq!(
        petstore_operator::build::credentials::version(&jwt),
        petstore_operator::build::credentials::version(&retained)
    );

    stores
        .delete("shop", &DeleteParams::default())
        .await
        .expect("delete");
    until_gone(&client).await;
    assert_eq!(names::<Secret>(&client).await, Vec::<String>::new());
}

// Relies on the harness mimicking server-side apply of the status removing
// what the field manager stopped applying.
#[tokio::test]
async fn a_disabled_service_disappears_from_the_status() {
    let (client, _) = started(&fixtures::minimal()).await;
    let status = get(&client).await.status.clone().expect("status");
    assert!(status.services.contains_key("reviews"));
    set_spec(
        &client,
        json!({"services": {"reviews": {"enabled": false}}}),
    )
    .await;
    once(&client).await.expect("reconcile");
    let status = get(&client).await.status.clone().expect("status");
    assert!(
        !status.services.contains_key("reviews"),
        "{:?}",
        status.services
    );
    assert!(status.services.contains_key("users"));
    let n = petstore_contract::SERVICES.len() - 1;
    assert_eq!(status.ready_services, Some(format!("0/{n}")));
}

#[tokio::test]
async fn event_notes_say_what_each_event_did() {
    let (client, _) = server(vec![stored(&fixtures::minimal())]).await;
    // One context across reconciles: its recorder folds repeated Events
    // into series, as the running operator's does.
    let ctx = context(client.clone());
    reconcile(get(&client).await, ctx.clone())
        .await
        .expect("first reconcile");
    let secrets: Api<Secret> = Api::namespaced(client.clone(), NS);
    secrets
        .delete("shop-users-database", &DeleteParams::default())
        .await
        .expect("delete");
    reconcile(get(&client).await, ctx.clone())
        .await
        .expect("reconcile");
    let events: Api<k8s_openapi::api::events::v1::Event> = Api::namespaced(client.clone(), NS);
    let notes: Vec<String> = events
        .list(&ListParams::default())
        .await
        .expect("events")
        .items
        .into_iter()
        .filter(|e| e.reason.as_deref() == Some("SecretsGenerated"))
        .filter_map(|e| e.note)
        .collect();
    assert!(
        notes.contains(&"generated Secret shop-jwt".to_string()),
        "{notes:?}"
    );
    assert!(
        notes
            .iter()
            .any(|n| n.starts_with("re-created Secret shop-users-database with new credentials")),
        "{notes:?}"
    );
}

#[tokio::test]
async fn the_bootstrap_admin_email_reaches_the_users_service() {
    let mut ps = fixtures::minimal();
    ps.spec.bootstrap_admin_email = Some("owner@example.com".into());
    let (client, _) = started(&ps).await;
    let deploy: Api<Deployment> = Api::namespaced(client.clone(), NS);
    let env = deploy
        .get("shop-users")
        .await
        .expect("users")
        .spec
        .and_then(|s| s.template.spec)
        .map(|p| p.containers[0].env.clone().unwrap_or_default())
        .expect("env");
    let email = env
        .iter()
        .find(|e| e.name == "BOOTSTRAP_ADMIN_EMAIL")
        .and_then(|e| e.value.clone());
    assert_eq!(email.as_deref(), Some("owner@example.com"));
}

#[tokio::test]
async fn the_load_generator_is_created_when_enabled_and_deleted_when_disabled() {
    let (client, _) = started(&fixtures::minimal()).await;
    let load = "shop-load-generator".to_string();
    assert!(!names::<Deployment>(&client).await.contains(&load));

    set_spec(
        &client,
        json!({ "loadGenerator": { "enabled": true, "users": 20 } }),
    )
    .await;
    once(&client).await.expect("reconcile");
    let deployments = names::<Deployment>(&client).await;
    assert!(deployments.contains(&load), "{deployments:?}");
    // Every service is still there: the load generator is one more Deployment.
    assert_eq!(deployments.len(), petstore_contract::SERVICES.len() + 1);

    set_spec(&client, json!({ "loadGenerator": { "enabled": false } })).await;
    once(&client).await.expect("reconcile");
    assert_eq!(names::<Deployment>(&client).await, per_service("", all));
}
