//! Reconcile benchmark against kube-fake-client (OpenAPI validation on):
//! time and API calls per reconcile of one PetStore, and memory with 200.
//!
//! `cargo bench -p petstore-operator --bench reconcile`

#[path = "../tests/common/mod.rs"]
mod common;

use std::time::{Duration, Instant};

use kube::Api;
use petstore_operator::controller::reconcile;
use petstore_operator::{PetStore, fixtures};

fn rss_kib() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmRSS:"))
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|n| n.parse().ok())
        })
        .unwrap_or(0)
}

async fn latest(client: &kube::Client, name: &str) -> std::sync::Arc<PetStore> {
    let api: Api<PetStore> = Api::namespaced(client.clone(), "shop");
    std::sync::Arc::new(api.get(name).await.expect("petstore"))
}

#[tokio::main(flavor = "current_thread")]
async fn main() {
    // One PetStore: first reconcile (creates everything), then steady state.
    let ps = fixtures::full();
    let (client, calls) = common::server(vec![common::stored(&ps)]).await;
    let ctx = common::context(client.clone());
    let t = Instant::now();
    reconcile(latest(&client, "shop").await, ctx.clone())
        .await
        .expect("reconcile");
    let first = t.elapsed();
    println!(
        "first reconcile (create): {:.2} ms, {} writes, {} reads",
        first.as_secs_f64() * 1e3,
        calls.all().len(),
        calls.reads()
    );
    let rounds = 50u32;
    let mut total = Duration::ZERO;
    calls.clear();
    for _ in 0..rounds {
        let ps = latest(&client, "shop").await;
        let t = Instant::now();
        reconcile(ps, ctx.clone()).await.expect("reconcile");
        total += t.elapsed();
    }
    println!(
        "steady-state reconcile: {:.2} ms mean over {rounds}, {} writes and {:.1} reads (incl. 1 get of the PetStore per round) per reconcile",
        total.as_secs_f64() * 1e3 / f64::from(rounds),
        calls.all().len() / rounds as usize,
        calls.reads() as f64 / f64::from(rounds)
    );

    // The same, reading the children from watch caches as the running
    // operator does (filled once, as a watch's initial list would).
    let cached = common::cached_context(client.clone(), "shop").await;
    let ps = latest(&client, "shop").await;
    calls.clear();
    let mut total = Duration::ZERO;
    for _ in 0..rounds {
        let t = Instant::now();
        reconcile(ps.clone(), cached.clone())
            .await
            .expect("reconcile");
        total += t.elapsed();
    }
    println!(
        "steady-state reconcile from the watch caches: {:.2} ms mean over {rounds}, {} writes and {:.1} reads per reconcile",
        total.as_secs_f64() * 1e3 / f64::from(rounds),
        calls.all().len() / rounds as usize,
        calls.reads() as f64 / f64::from(rounds)
    );

    // 200 PetStores in one in-memory API server.
    let before = rss_kib();
    let stores: Vec<_> = (0..200)
        .map(|i| {
            let mut ps = fixtures::minimal();
            ps.metadata.name = Some(format!("shop-{i}"));
            let mut v = common::stored(&ps);
            v["metadata"]["uid"] = serde_json::json!(format!("0b3c6a2e-0000-4000-8000-{i:012}"));
            v
        })
        .collect();
    let (client, _) = common::server(stores).await;
    let ctx = common::context(client.clone());
    let t = Instant::now();
    for i in 0..200 {
        reconcile(latest(&client, &format!("shop-{i}")).await, ctx.clone())
            .await
            .expect("reconcile");
    }
    let all = t.elapsed();
    let after = rss_kib();
    println!(
        "200 PetStores: first reconcile of all {:.2} s; RSS {} MiB -> {} MiB (+{} MiB, includes the fake API server's copy of ~{} objects)",
        all.as_secs_f64(),
        before / 1024,
        after / 1024,
        after.saturating_sub(before) / 1024,
        200 * 30
    );
}
