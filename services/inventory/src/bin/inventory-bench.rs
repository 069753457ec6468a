//! Load benchmark of the inventory (see docs/benchmarks.md): starts the service in-process
//! against a fresh database, seeds 50 stores × 2,000 products with SQL, then measures store
//! inventory listing and transfers at a fixed concurrency for a fixed time, and prints a
//! markdown table of throughput and p50/p99 latency.
//!
//! `cargo run --release -p petstore-inventory --features bench --bin inventory-bench`
//! (`BENCH_SECONDS`, default 10, and `BENCH_CONCURRENCY`, default 16, tune it; PostgreSQL
//! and RabbitMQ as for the tests: `DATABASE_URL`, `AMQP_URL`).

use std::time::{Duration, Instant};

use inventory::{Inventory, MIGRATOR};
use kit::auth::Role;
use kit::config::Secret;
use kit::db::DatabaseConfig;
use kit::service::{BoxError, DataConfig, StoreConfig};
use kit::testing::{TestDatabase, TestKeys, TestServer};
use uuid::Uuid;

const STORES: i64 = 50;
const PRODUCTS: i64 = 2_000;

/// What one scenario measured.
struct Outcome {
    name: &'static str,
    latencies: Vec<Duration>,
    errors: usize,
    elapsed: Duration,
}

impl Outcome {
    fn percentile(&self, p: f64) -> f64 {
        if self.latencies.is_empty() {
            return 0.0;
        }
        let rank = ((self.latencies.len() as f64 - 1.0) * p).round() as usize;
        self.latencies[rank.min(self.latencies.len() - 1)].as_secs_f64() * 1000.0
    }

    fn row(&self) -> String {
        let rate = self.latencies.len() as f64 / self.elapsed.as_secs_f64();
        format!(
            "| {} | {} | {} | {:.0} | {:.1} | {:.1} |",
            self.name,
            self.latencies.len(),
            self.errors,
            rate,
            self.percentile(0.50),
            self.percentile(0.99)
        )
    }
}

/// A cheap random number (no extra dependency: a v4 UUID is 122 random bits).
fn random(below: u64) -> u64 {
    let bits = Uuid::new_v4().as_u128() as u64;
    bits % below.max(1)
}

fn env_or(name: &str, default: u64) -> u64 {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

async fn seed(pool: &sqlx::PgPool) -> Result<(Vec<Uuid>, Vec<Uuid>), BoxError> {
    sqlx::query(
        "INSERT INTO stores (id, code, name, line1, city, postal_code, country, timezone) \
         SELECT gen_random_uuid(), 'S-' || n, 'Store ' || n, n || ' Main Street', 'Paris', \
                '75000', 'FR', 'Europe/Paris' FROM generate_series(1, $1) AS n",
    )
    .bind(STORES)
    .execute(pool)
    .await?;
    sqlx::query(
        "INSERT INTO products (product_id, sku, name, category_id, active) \
         SELECT gen_random_uuid(), 'SKU-' || lpad(n::text, 5, '0'), 'Product ' || n, \
                ('00000000-0000-4000-8000-' || lpad((n % 20)::text, 12, '0'))::uuid, true \
         FROM generate_series(1, $1) AS n",
    )
    .bind(PRODUCTS)
    .execute(pool)
    .await?;
    sqlx::query(
        "INSERT INTO stock (store_id, product_id, on_hand, min_stock) \
         SELECT s.id, p.product_id, 1000, 10 FROM stores s CROSS JOIN products p",
    )
    .execute(pool)
    .await?;
    sqlx::query("ANALYZE").execute(pool).await?;
    let stores = sqlx::query_scalar("SELECT id FROM stores ORDER BY id")
        .fetch_all(pool)
        .await?;
    let products = sqlx::query_scalar("SELECT product_id FROM products ORDER BY product_id")
        .fetch_all(pool)
        .await?;
    Ok((stores, products))
}

/// Runs `concurrency` workers sending requests built by `request` for `duration`.
async fn run<F>(name: &'static str, concurrency: u64, duration: Duration, request: F) -> Outcome
where
    F: Fn() -> reqwest::RequestBuilder + Send + Sync + Clone + 'static,
{
    let started = Instant::now();
    let deadline = started + duration;
    let mut workers = Vec::new();
    for _ in 0..concurrency {
        let request = request.clone();
        workers.push(tokio::spawn(async move {
            let mut latencies = Vec::new();
            let mut errors = 0;
            while Instant::now() < deadline {
                let sent = Instant::now();
                match request().send().await {
                    Ok(response) if response.status().is_success() => {
                        let _ = response.bytes().await;
                        latencies.push(sent.elapsed());
                    }
                    _ => errors += 1,
                }
            }
            (latencies, errors)
        }));
    }
    let mut outcome = Outcome {
        name,
        latencies: Vec::new(),
        errors: 0,
        elapsed: Duration::ZERO,
    };
    for worker in workers {
        if let Ok((latencies, errors)) = worker.await {
            outcome.latencies.extend(latencies);
            outcome.errors += errors;
        }
    }
    outcome.elapsed = started.elapsed();
    outcome.latencies.sort();
    outcome
}

#[tokio::main]
async fn main() -> Result<(), BoxError> {
    let seconds = env_or("BENCH_SECONDS", 10);
    let concurrency = env_or("BENCH_CONCURRENCY", 16);
    let duration = Duration::from_secs(seconds);

    let db = TestDatabase::create().await;
    kit::db::migrate(&db.pool, Some(&MIGRATOR)).await?;
    let seeding = Instant::now();
    let (stores, products) = seed(&db.pool).await?;
    eprintln!(
        "seeded {} stores × {} products in {:.1} s",
        stores.len(),
        products.len(),
        seeding.elapsed().as_secs_f64()
    );

    let keys = TestKeys::generate();
    let config = DataConfig::<Inventory> {
        store: StoreConfig {
            database: DatabaseConfig {
                url: Secret::new(db.url.clone()),
                max_connections: 20,
            },
            queue_prefix: format!("inventory-bench.{}", Uuid::new_v4().simple()),
            ..kit::testing::store_config(&db, &keys)
        },
        settings: (),
    };
    let queues: Vec<String> = kit::service::queues::<Inventory>()
        .iter()
        .map(|queue| kit::service::queue_name(&config.store.queue_prefix, queue))
        .collect();
    let server = TestServer::start(|listeners, shutdown| {
        kit::service::run::<Inventory>(config, listeners, shutdown)
    })
    .await;
    let (_, admin) = keys.token(Role::Admin);
    let client = reqwest::Client::new();

    let listing = {
        let (client, base, token, stores) = (
            client.clone(),
            server.base_url.clone(),
            admin.clone(),
            stores.clone(),
        );
        run(
            "GET /api/stores/{id}/inventory (limit 100, random page)",
            concurrency,
            duration,
            move || {
                let store = stores[random(stores.len() as u64) as usize];
                let offset = random(20) * 100;
                client
                    .get(format!(
                        "{base}/api/stores/{store}/inventory?limit=100&offset={offset}"
                    ))
                    .bearer_auth(&token)
            },
        )
        .await
    };
    let transfers = {
        let (client, base, token) = (client.clone(), server.base_url.clone(), admin.clone());
        run(
            "POST /api/inventory/transfers (1 unit, random pair)",
            concurrency,
            duration,
            move || {
                let from = random(stores.len() as u64) as usize;
                let to = (from + 1 + random(stores.len() as u64 - 1) as usize) % stores.len();
                let product = products[random(products.len() as u64) as usize];
                client
                    .post(format!("{base}/api/inventory/transfers"))
                    .bearer_auth(&token)
                    .json(&serde_json::json!({
                        "fromStoreId": stores[from], "toStoreId": stores[to],
                        "productId": product, "quantity": 1,
                    }))
            },
        )
        .await
    };

    println!(
        "\n{} stores × {} products, {concurrency} concurrent clients, {seconds} s per scenario\n",
        STORES, PRODUCTS
    );
    println!("| scenario | requests | errors | req/s | p50 ms | p99 ms |");
    println!("|---|---|---|---|---|---|");
    println!("{}", listing.row());
    println!("{}", transfers.row());

    let _ = server.stop().await;
    kit::testing::delete_queues(&queues.iter().map(String::as_str).collect::<Vec<_>>()).await;
    db.drop_database().await;
    Ok(())
}
