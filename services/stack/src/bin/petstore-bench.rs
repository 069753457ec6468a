//! `petstore-bench`: a load generator (not a test). Starts the store from the
//! binaries beside it, seeds products, then measures requests per second and
//! latency percentiles of product listings through the gateway and directly
//! against catalog, and the resident memory of every service.
//!
//! Build with `--release` for meaningful figures; see docs/benchmarks.md.

use std::collections::HashMap;
use std::process::ExitCode;
use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime};

use clap::Parser;
use serde_json::{Value, json};
use stack::bench::{self, LimitServer, Load};
use stack::cpu;
use stack::{Stack, StackOptions};

/// Load generator for the product listing.
#[derive(Debug, Parser)]
#[command(version)]
struct Cli {
    /// Products to seed (directly in catalog's database).
    #[arg(long, default_value_t = 10_000)]
    products: usize,
    /// Products of the large catalog measured after the first (0 skips it).
    #[arg(long, default_value_t = 1_000_000)]
    large_products: usize,
    /// Concurrent connections of each listing measurement (wrk).
    #[arg(long, default_value_t = 64)]
    connections: usize,
    /// Concurrent customers in the saga measurement.
    #[arg(long, default_value_t = 32)]
    concurrency: usize,
    /// Connections each service's pool (and the limit server's) may hold; the default
    /// keeps this stack within 35 of PostgreSQL's connections.
    #[arg(long, default_value_t = stack::LOCAL_POOL_SIZE)]
    pool_size: u32,
    /// Concurrent logins in the password flood (0 skips it).
    #[arg(long, default_value_t = 64)]
    login_flood: usize,
    /// Seconds each measurement runs.
    #[arg(long, default_value_t = 10)]
    seconds: u64,
    /// Orders placed (checkout to paid) in the saga measurement; 0 skips it.
    #[arg(long, default_value_t = 200)]
    orders: usize,
    /// Orders placed one at a time, before the loaded saga run (the unloaded latency).
    #[arg(long, default_value_t = 20)]
    unloaded_orders: usize,
    /// Products the saga's customers buy (customer i buys product i mod n); 1 makes every
    /// order contend for one stock row.
    #[arg(long, default_value_t = 1)]
    saga_products: usize,
    /// How long a saga customer waits between two reads of its order when it cannot wait
    /// for a change (no `ETag` came back, or the read failed); otherwise each read after the
    /// first is a long poll (`If-None-Match` + `Prefer: wait=10`).
    #[arg(long, default_value_t = 5)]
    poll_ms: u64,
    /// Administrative PostgreSQL URL.
    #[arg(long, default_value = "postgres://postgres@127.0.0.1:5432/postgres")]
    database_url: String,
    /// RabbitMQ URL.
    #[arg(long, default_value = "amqp://guest:guest@127.0.0.1:5672/%2f")]
    amqp_url: String,
}

type BoxError = Box<dyn std::error::Error + Send + Sync>;

#[tokio::main]
async fn main() -> ExitCode {
    let cli = Cli::parse();
    let id = uuid::Uuid::new_v4().simple().to_string();
    let options = StackOptions {
        database_url: cli.database_url.clone(),
        amqp_url: cli.amqp_url.clone(),
        state_dir: std::env::temp_dir().join(format!("petstore-bench-{id}")),
        database_prefix: format!("bench_{}", &id[..8]),
        // Its own virtual host: a petstore-local on the same broker keeps its events.
        vhost: Some(format!("petstore-bench-{}", &id[..8])),
        fixed_ports: false,
        bootstrap_admin_email: Some("bench-admin@example.com".into()),
        drop_databases_on_stop: true,
        // The load comes from one address: the per-IP limit would measure the limiter.
        extra_env: vec![
            ("RATE_LIMIT_PER_IP_PER_MINUTE".into(), "0".into()),
            ("RATE_LIMIT_PER_USER_PER_MINUTE".into(), "0".into()),
        ],
        database_max_connections: cli.pool_size,
        ..StackOptions::local()
    };
    let stack = match Stack::start(options).await {
        Ok(stack) => stack,
        Err(err) => {
            eprintln!("petstore-bench: {err}");
            return ExitCode::FAILURE;
        }
    };
    let result = run(&cli, &stack).await;
    stack.stop().await;
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("petstore-bench: {err}");
            ExitCode::FAILURE
        }
    }
}

async fn run(cli: &Cli, stack: &Stack) -> Result<(), BoxError> {
    tokio::time::sleep(Duration::from_secs(2)).await;
    println!("## Idle resident memory (after start-up, before any request)\n");
    println!("| service | RSS |\n|---|---|");
    for process in &stack.processes {
        println!(
            "| {} | {:.1} MiB |",
            process.spec.name,
            process.resident_kib().unwrap_or(0) as f64 / 1024.0
        );
    }

    let http = reqwest::Client::builder()
        .pool_max_idle_per_host(cli.concurrency)
        .build()?;
    let gateway = stack.gateway_url.clone();
    let token = admin_token(&http, &gateway).await?;
    let category = post(
        &http,
        &format!("{gateway}/api/categories"),
        &token,
        json!({ "name": "Bench", "slug": "bench" }),
    )
    .await?;
    let category_id = category["id"].as_str().ok_or("category id")?.to_string();

    listing(cli, stack, &http, &token, &category_id).await?;
    if cli.login_flood > 0 {
        login_flood(cli, stack, &http).await?;
    }
    if cli.orders > 0 {
        saga(&http, &gateway, &token, &category_id, cli, stack).await?;
    }
    println!("\n## Resident memory after the load\n");
    println!("| service | RSS |\n|---|---|");
    for process in &stack.processes {
        println!(
            "| {} | {:.1} MiB |",
            process.spec.name,
            process.resident_kib().unwrap_or(0) as f64 / 1024.0
        );
    }
    Ok(())
}

/// Orders per second from checkout to paid, and the latency of each order from the
/// checkout's answer until the client sees it paid (inventory reserved, payments charged):
/// first one customer at a time (unloaded), then `concurrency` customers at once; each run
/// followed by where the time went, hop by hop, from the services' own databases.
async fn saga(
    http: &reqwest::Client,
    gateway: &str,
    admin: &str,
    category_id: &str,
    cli: &Cli,
    stack: &Stack,
) -> Result<(), BoxError> {
    let store = post(
        http,
        &format!("{gateway}/api/stores"),
        admin,
        json!({
            "code": "BENCH-1", "name": "Bench", "timezone": "UTC",
            "address": { "line1": "1 Bench Street", "city": "Lyon", "postalCode": "69001", "country": "FR" },
        }),
    )
    .await?;
    let store_id = store["id"].as_str().ok_or("store id")?.to_string();
    // Every order takes a unit of one of `saga_products` products; with 1, every order
    // reserves and sells from the same stock row, the worst case for row locks.
    let mut products = Vec::new();
    for i in 0..cli.saga_products.max(1) {
        let product = post(
            http,
            &format!("{gateway}/api/products"),
            admin,
            json!({ "sku": format!("BENCH-SAGA-{i}"), "name": "Saga bench", "categoryId": category_id, "price": { "amount": 1000, "currency": "EUR" } }),
        )
        .await?;
        let product_id = product["id"].as_str().ok_or("product id")?.to_string();
        let stock = json!({ "onHand": (cli.orders + cli.unloaded_orders) * 2, "minStock": 0, "reason": "bench" });
        let response = http
            .put(format!(
                "{gateway}/api/stores/{store_id}/inventory/{product_id}"
            ))
            .bearer_auth(admin)
            .json(&stock)
            .send()
            .await?;
        if !response.status().is_success() {
            return Err(format!("setting stock: {}", response.status()).into());
        }
        products.push(product_id);
    }
    // One customer per connection: a cart belongs to one user.
    let workers = cli.concurrency.min(cli.orders).max(1);
    let mut customers = Vec::new();
    for i in 0..workers {
        customers.push(account(http, gateway, &format!("bench-{i}@example.com")).await?);
    }
    let shop = Arc::new(SagaShop {
        http: http.clone(),
        gateway: gateway.to_string(),
        store_id,
        products,
        poll: Duration::from_millis(cli.poll_ms),
    });
    let unloaded_customer = customers.first().cloned().ok_or("no customer")?;
    if cli.unloaded_orders > 0 {
        let started = Instant::now();
        let placed = shop
            .clone()
            .customer(0, unloaded_customer, cli.unloaded_orders)
            .await;
        report_orders(
            &format!(
                "Orders unloaded: one customer, one order at a time ({} orders)",
                cli.unloaded_orders
            ),
            &placed,
            started.elapsed(),
        );
        report_hops(stack, &cli.database_url, &placed).await?;
    }
    let per_worker = cli.orders.div_ceil(workers);
    let cpu_before = cpu::sample(stack);
    let started = Instant::now();
    let tasks: Vec<_> = customers
        .into_iter()
        .enumerate()
        .map(|(i, token)| tokio::spawn(shop.clone().customer(i, token, per_worker)))
        .collect();
    let mut placed = Vec::new();
    for task in tasks {
        placed.extend(task.await.unwrap_or_default());
    }
    let elapsed = started.elapsed();
    let cpu_after = cpu::sample(stack);
    report_orders(
        &format!("Orders: checkout to paid, {workers} customers in parallel"),
        &placed,
        elapsed,
    );
    cpu::report(&cpu_before, &cpu_after, elapsed, placed.len(), "order");
    report_hops(stack, &cli.database_url, &placed).await?;
    report_final(stack, &cli.database_url, &placed).await
}

/// The `Prefer` of a saga customer's reads after the first: wait up to 10 s for the order
/// to change.
const SAGA_WAIT: &str = "wait=10";

/// What the saga's customers share.
struct SagaShop {
    http: reqwest::Client,
    gateway: String,
    store_id: String,
    products: Vec<String>,
    poll: Duration,
}

/// One order as the client saw it (wall-clock times, to line up with the databases').
struct Placed {
    order: uuid::Uuid,
    /// When the checkout answered.
    answered: SystemTime,
    /// When a read of the order first said `paid`, and how long after `answered`.
    paid: Option<(SystemTime, Duration)>,
    /// Reads of the order until then (the first, then one per change or wait that ended).
    reads: usize,
}

impl SagaShop {
    /// Places `count` orders one after the other (add to cart, check out, read the order
    /// until paid or 60 s). After the first read each read waits for the order to change
    /// (`If-None-Match` with the last `ETag`, `Prefer: wait=10`); without an `ETag`, or
    /// after a failed read, it sleeps `poll` before reading again.
    async fn customer(self: Arc<Self>, index: usize, token: String, count: usize) -> Vec<Placed> {
        let mut placed = Vec::new();
        let product = &self.products[index % self.products.len()];
        for _ in 0..count {
            let item = json!({ "productId": product, "quantity": 1 });
            let url = format!("{}/api/cart/items", self.gateway);
            if post(&self.http, &url, &token, item).await.is_err() {
                continue;
            }
            let url = format!("{}/api/cart/checkout", self.gateway);
            let Ok(checkout) = post(
                &self.http,
                &url,
                &token,
                json!({ "storeId": self.store_id }),
            )
            .await
            else {
                continue;
            };
            let (answered, clock) = (SystemTime::now(), Instant::now());
            let Some(order) = checkout["orderId"]
                .as_str()
                .and_then(|id| id.parse::<uuid::Uuid>().ok())
            else {
                continue;
            };
            let deadline = clock + Duration::from_secs(60);
            let mut paid = None;
            let mut reads = 0;
            let mut etag: Option<String> = None;
            while Instant::now() < deadline {
                reads += 1;
                let mut request = self
                    .http
                    .get(format!("{}/api/orders/{order}", self.gateway))
                    .bearer_auth(&token);
                if let Some(etag) = &etag {
                    request = request
                        .header(reqwest::header::IF_NONE_MATCH, etag)
                        .header("prefer", SAGA_WAIT);
                }
                // Whether the next read may wait for a change instead of sleeping first.
                let mut waits = false;
                let status = match request.send().await {
                    // Unchanged: ask again at once if the server waited, else (too many
                    // waiting, say) only after `poll`.
                    Ok(r) if r.status() == reqwest::StatusCode::NOT_MODIFIED => {
                        waits = r.headers().contains_key("preference-applied");
                        None
                    }
                    Ok(r) if r.status().is_success() => {
                        etag = r
                            .headers()
                            .get(reqwest::header::ETAG)
                            .and_then(|v| v.to_str().ok())
                            .map(str::to_string);
                        waits = etag.is_some();
                        r.json::<Value>().await.ok().map(|o| o["status"].clone())
                    }
                    _ => None,
                };
                if status.as_ref().is_some_and(|s| s == "paid") {
                    paid = Some((SystemTime::now(), clock.elapsed()));
                    break;
                }
                if !waits {
                    tokio::time::sleep(self.poll).await;
                }
            }
            placed.push(Placed {
                order,
                answered,
                paid,
                reads,
            });
        }
        placed
    }
}

fn percentile(sorted: &[f64], p: f64) -> f64 {
    sorted
        .get(((sorted.len() as f64 * p) as usize).min(sorted.len().saturating_sub(1)))
        .copied()
        .unwrap_or(0.0)
}

fn report_orders(title: &str, placed: &[Placed], elapsed: Duration) {
    let mut latencies: Vec<f64> = placed
        .iter()
        .filter_map(|p| p.paid.map(|(_, d)| d.as_secs_f64() * 1000.0))
        .collect();
    latencies.sort_by(f64::total_cmp);
    println!("\n## {title}\n");
    let reads: usize = placed.iter().map(|p| p.reads).sum();
    println!(
        "| orders paid | of | orders/s | p50 checkout→paid | p99 checkout→paid | reads per order |\n|---|---|---|---|---|---|"
    );
    println!(
        "| {} | {} | {:.1} | {:.1} ms | {:.1} ms | {:.1} |",
        latencies.len(),
        placed.len(),
        latencies.len() as f64 / elapsed.as_secs_f64(),
        percentile(&latencies, 0.5),
        percentile(&latencies, 0.99),
        reads as f64 / placed.len().max(1) as f64
    );
}

/// Seconds since the epoch, as PostgreSQL's `now()` (the transaction's start) saw them.
type Stamp = f64;

/// One outbox row of an order: its event id, when the transaction that wrote it began,
/// and when the relay's transaction that claimed it began.
type OutboxRow = (uuid::Uuid, Stamp, Option<Stamp>);

async fn outbox_rows(
    db: &sqlx::PgPool,
    event_type: &str,
) -> Result<HashMap<uuid::Uuid, OutboxRow>, sqlx::Error> {
    let rows: Vec<(Option<uuid::Uuid>, uuid::Uuid, Stamp, Option<Stamp>)> = sqlx::query_as(
        "SELECT (envelope->'data'->>'orderId')::uuid, id, \
                extract(epoch FROM created_at)::float8, extract(epoch FROM published_at)::float8 \
         FROM kit.outbox WHERE event_type = $1",
    )
    .bind(event_type)
    .fetch_all(db)
    .await?;
    Ok(rows
        .into_iter()
        .filter_map(|(order, id, created, published)| order.map(|o| (o, (id, created, published))))
        .collect())
}

/// When each order's checkout transaction began (the cart's `checked_out_at`), by order.
async fn checkouts(db: &sqlx::PgPool) -> Result<HashMap<uuid::Uuid, Stamp>, sqlx::Error> {
    let rows: Vec<(uuid::Uuid, Stamp)> = sqlx::query_as(
        "SELECT order_id, extract(epoch FROM checked_out_at)::float8 FROM carts \
         WHERE order_id IS NOT NULL AND checked_out_at IS NOT NULL",
    )
    .fetch_all(db)
    .await?;
    Ok(rows.into_iter().collect())
}

async fn processed(db: &sqlx::PgPool) -> Result<HashMap<uuid::Uuid, Stamp>, sqlx::Error> {
    let rows: Vec<(uuid::Uuid, Stamp)> = sqlx::query_as(
        "SELECT event_id, extract(epoch FROM processed_at)::float8 FROM kit.processed_events",
    )
    .fetch_all(db)
    .await?;
    Ok(rows.into_iter().collect())
}

async fn service_db(
    stack: &Stack,
    admin_url: &str,
    service: &str,
) -> Result<sqlx::PgPool, BoxError> {
    let url = stack
        .database_url(admin_url, service)
        .ok_or_else(|| format!("{service} has no database"))?;
    Ok(sqlx::postgres::PgPoolOptions::new()
        .max_connections(1)
        .connect(&url)
        .await?)
}

fn epoch(time: SystemTime) -> Stamp {
    time.duration_since(SystemTime::UNIX_EPOCH)
        .map_or(0.0, |d| d.as_secs_f64())
}

/// Where each order's time went between checkout and paid, from the timestamps the services
/// wrote anyway: the cart's `checked_out_at` (start of the checkout's transaction), each
/// outbox row's `created_at` (start of the transaction that wrote the
/// event) and `published_at` (start of the relay's transaction that claimed it), and each
/// consumer's `processed_at` (start of the transaction that applied the event). All come
/// from one PostgreSQL clock; the client's times come from the same machine's clock.
async fn report_hops(stack: &Stack, admin_url: &str, placed: &[Placed]) -> Result<(), BoxError> {
    let (cart, orders, inventory, payments) = (
        service_db(stack, admin_url, "cart").await?,
        service_db(stack, admin_url, "orders").await?,
        service_db(stack, admin_url, "inventory").await?,
        service_db(stack, admin_url, "payments").await?,
    );
    // Not the outbox: `cart.checked_out` is withdrawn once orders took the checkout.
    let checked_out = checkouts(&cart).await?;
    let created = outbox_rows(&orders, "order.created").await?;
    let reserved = outbox_rows(&inventory, "inventory.reserved").await?;
    let completed = outbox_rows(&payments, "payment.completed").await?;
    let (in_orders, in_inventory, in_payments) = (
        processed(&orders).await?,
        processed(&inventory).await?,
        processed(&payments).await?,
    );
    for db in [cart, orders, inventory, payments] {
        db.close().await;
    }
    const HOPS: [&str; 10] = [
        "checkout transaction begins → checkout answered (client)",
        "checkout transaction begins → order.created written (orders)",
        "order.created written → claimed by the orders relay",
        "claimed → inventory applies order.created (publish, confirm, broker, queue)",
        "inventory applies → its relay claims inventory.reserved",
        "claimed → payments applies inventory.reserved",
        "payments applies → its relay claims payment.completed",
        "claimed → orders applies payment.completed (the order is paid)",
        "paid → the client's next read sees it (commit, poll interval, GET)",
        "checkout answered → client sees paid (end to end)",
    ];
    let mut samples: Vec<Vec<f64>> = vec![Vec::new(); HOPS.len()];
    for order in placed {
        let Some((seen, _)) = order.paid else {
            continue;
        };
        let timeline = (|| {
            let checkout = checked_out.get(&order.order)?;
            let made = created.get(&order.order)?;
            let held = reserved.get(&order.order)?;
            let charged = completed.get(&order.order)?;
            Some([
                *checkout,
                epoch(order.answered),
                made.1,
                made.2?,
                *in_inventory.get(&made.0)?,
                held.2?,
                *in_payments.get(&held.0)?,
                charged.2?,
                *in_orders.get(&charged.0)?,
                epoch(seen),
            ])
        })();
        let Some(t) = timeline else { continue };
        let hops = [
            t[1] - t[0],
            t[2] - t[0],
            t[3] - t[2],
            t[4] - t[3],
            t[5] - t[4],
            t[6] - t[5],
            t[7] - t[6],
            t[8] - t[7],
            t[9] - t[8],
            t[9] - t[1],
        ];
        for (sample, hop) in samples.iter_mut().zip(hops) {
            sample.push(hop * 1000.0);
        }
    }
    println!(
        "\nWhere the time went ({} orders with every timestamp):\n",
        samples[0].len()
    );
    println!("| hop | p50 | p99 |\n|---|---|---|");
    for (hop, sample) in HOPS.iter().zip(samples.iter_mut()) {
        sample.sort_by(f64::total_cmp);
        println!(
            "| {hop} | {:.1} ms | {:.1} ms |",
            percentile(sample, 0.5),
            percentile(sample, 0.99)
        );
    }
    Ok(())
}

/// Every order final (paid or failed, none left pending or reserved) and no order charged
/// twice, from the orders' and payments' own databases once the load is over.
async fn report_final(stack: &Stack, admin_url: &str, placed: &[Placed]) -> Result<(), BoxError> {
    let ids: Vec<uuid::Uuid> = placed.iter().map(|p| p.order).collect();
    let orders = service_db(stack, admin_url, "orders").await?;
    let payments = service_db(stack, admin_url, "payments").await?;
    let deadline = Instant::now() + Duration::from_secs(30);
    let open = loop {
        let open: i64 = sqlx::query_scalar(
            "SELECT count(*) FROM orders WHERE id = ANY($1) AND status NOT IN ('paid', 'failed')",
        )
        .bind(&ids)
        .fetch_one(&orders)
        .await?;
        if open == 0 || Instant::now() > deadline {
            break open;
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    };
    let missing = ids.len() as i64
        - sqlx::query_scalar::<_, i64>("SELECT count(*) FROM orders WHERE id = ANY($1)")
            .bind(&ids)
            .fetch_one(&orders)
            .await?;
    let double: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM (SELECT p.order_id FROM payment_audit a \
         JOIN payments p ON p.id = a.payment_id WHERE a.to_status = 'completed' \
         GROUP BY p.order_id HAVING count(*) > 1) twice",
    )
    .fetch_one(&payments)
    .await?;
    orders.close().await;
    payments.close().await;
    println!(
        "\nFinal: {} orders checked out, {open} not final 30 s after the load, {missing} never created, \
         {double} charged more than once.",
        ids.len()
    );
    Ok(())
}

async fn admin_token(http: &reqwest::Client, gateway: &str) -> Result<String, BoxError> {
    account(http, gateway, "bench-admin@example.com").await
}

/// Registers an account and logs in; returns its access token.
async fn account(http: &reqwest::Client, gateway: &str, email: &str) -> Result<String, BoxError> {
    let password = "bench passphrase 2026";
    let registration = json!({ "email": email, "password": password, "displayName": "Bench" });
    http.post(format!("{gateway}/api/auth/register"))
        .json(&registration)
        .send()
        .await?
        .error_for_status()?;
    let login = json!({ "email": email, "password": password });
    let session: Value = http
        .post(format!("{gateway}/api/auth/login"))
        .json(&login)
        .send()
        .await?
        .error_for_status()?
        .json()
        .await?;
    Ok(session["accessToken"]
        .as_str()
        .ok_or("no access token")?
        .to_string())
}

async fn post(
    http: &reqwest::Client,
    url: &str,
    token: &str,
    body: Value,
) -> Result<Value, BoxError> {
    let response = http.post(url).bearer_auth(token).json(&body).send().await?;
    let status = response.status();
    let text = response.text().await?;
    if !status.is_success() {
        return Err(format!("POST {url}: {status}: {text}").into());
    }
    Ok(serde_json::from_str(&text)?)
}

/// One row of the listing table.
struct Row {
    target: &'static str,
    query: String,
    load: Load,
}

/// One URL to load.
struct Target {
    target: &'static str,
    query: String,
    url: String,
    headers: Vec<String>,
}

impl Target {
    /// A target that needs no token.
    fn open(target: &'static str, query: String, url: String) -> Self {
        Self {
            target,
            query,
            url,
            headers: Vec::new(),
        }
    }

    async fn measure(self, cli: &Cli) -> Result<Row, BoxError> {
        let load = bench::wrk(&self.url, &self.headers, cli.connections, cli.seconds).await?;
        Ok(Row {
            target: self.target,
            query: self.query,
            load,
        })
    }
}

/// What is measured at each catalog size: the limit, catalog's first page, a page deep by
/// cursor and a search of a word in every product's name.
fn size_targets(n: usize, limit: &str, catalog: &str, deep: &(usize, String)) -> Vec<Target> {
    let (depth, page) = deep;
    vec![
        Target::open(
            "limit server",
            format!("10 rows by id, {n} products"),
            limit.to_string(),
        ),
        Target::open(
            "catalog",
            format!("default page (limit=10), {n}"),
            format!("{catalog}/api/products?limit=10"),
        ),
        Target::open(
            "catalog",
            format!("page {depth} by cursor, {n}"),
            format!("{catalog}{page}"),
        ),
        Target::open(
            "catalog",
            format!("search q=product 77, {n}"),
            format!("{catalog}/api/products?q=product%2077&limit=10"),
        ),
    ]
}

/// Listing throughput and latency against the limit server, all in one run: the limit,
/// catalog directly and through the gateway, a deep cursor page, a filtered and sorted
/// list, inventory's listing and alerts, then the same at `--large-products`.
async fn listing(
    cli: &Cli,
    stack: &Stack,
    http: &reqwest::Client,
    token: &str,
    category_id: &str,
) -> Result<(), BoxError> {
    let catalog_db = stack
        .database_url(&cli.database_url, "catalog")
        .ok_or("no catalog database")?;
    let catalog_pool = sqlx::PgPool::connect(&catalog_db).await?;
    let category: uuid::Uuid = category_id.parse()?;
    let seeding = Instant::now();
    bench::seed_products(&catalog_pool, category, 0, cli.products).await?;
    println!(
        "\nSeeded {} products in catalog's database in {:.1} s.\n",
        cli.products,
        seeding.elapsed().as_secs_f64()
    );
    let inventory_db = stack
        .database_url(&cli.database_url, "inventory")
        .ok_or("no inventory database")?;
    let inventory_pool = sqlx::PgPool::connect(&inventory_db).await?;
    let store = bench::seed_inventory(&inventory_pool, 2_000).await?;
    let bin_dir = std::env::current_exe()?
        .parent()
        .ok_or("no binary directory")?
        .to_path_buf();
    let limit = LimitServer::start(&bin_dir, &catalog_db, cli.pool_size).await?;
    let catalog = stack.url_of("catalog").ok_or("catalog is not running")?;
    let inventory = stack
        .url_of("inventory")
        .ok_or("inventory is not running")?;
    let gateway = stack.gateway_url.as_str();
    let auth = vec![format!("Authorization: Bearer {token}")];

    let mut rows = Vec::new();
    let n = cli.products;
    let deep = deep_page(http, catalog, "/api/products?limit=10", n).await?;
    let mut targets = size_targets(n, &limit.url, catalog, &deep);
    targets.insert(
        2,
        Target::open(
            "gateway",
            format!("default page (limit=10), {n}"),
            format!("{gateway}/api/products?limit=10"),
        ),
    );
    targets.extend([
        Target::open(
            "catalog",
            format!("page 500 by offset, {n}"),
            format!("{catalog}/api/products?limit=10&offset=4990"),
        ),
        Target::open(
            "catalog",
            "category, by price, limit=10".into(),
            format!("{catalog}/api/products?categoryId={category_id}&sort=-price&limit=10"),
        ),
        Target::open(
            "catalog",
            "search q=BENCH-7777 (11 matches)".into(),
            format!("{catalog}/api/products?q=BENCH-7777&limit=10"),
        ),
        Target {
            headers: auth.clone(),
            ..Target::open(
                "inventory",
                "store stock (limit=10), 2000 items".into(),
                format!("{inventory}/api/stores/{store}/inventory?limit=10"),
            )
        },
        Target {
            headers: auth.clone(),
            ..Target::open(
                "inventory",
                "alerts (limit=10), 200 alerts".into(),
                format!("{inventory}/api/inventory/alerts?limit=10"),
            )
        },
    ]);
    for target in targets {
        rows.push(target.measure(cli).await?);
    }
    if cli.large_products > cli.products {
        let seeding = Instant::now();
        bench::seed_products(&catalog_pool, category, cli.products, cli.large_products).await?;
        println!(
            "Grew the catalog to {} products in {:.1} s.\n",
            cli.large_products,
            seeding.elapsed().as_secs_f64()
        );
        let deep = deep_page(http, catalog, "/api/products?limit=10", cli.large_products).await?;
        for target in size_targets(cli.large_products, &limit.url, catalog, &deep) {
            rows.push(target.measure(cli).await?);
        }
    }
    let reference = rows.first().map_or(1.0, |r| r.load.rps);
    let page_1 = rows.get(1).map_or(1.0, |r| r.load.rps);
    println!(
        "## Listing, wrk -t2 -c{} -d{}s, ratios to the limit server of the same run\n",
        cli.connections, cli.seconds
    );
    println!(
        "| target | query | requests/s | p50 | p99 | p99/p50 | ÷ limit | ÷ page 1 | errors |\n|---|---|---|---|---|---|---|---|---|"
    );
    for row in &rows {
        let l = row.load;
        println!(
            "| {} | {} | {:.0} | {:.2} ms | {:.2} ms | {:.1} | {:.0} % | {:.0} % | {} |",
            row.target,
            row.query,
            l.rps,
            l.p50_ms,
            l.p99_ms,
            l.p99_ms / l.p50_ms.max(0.001),
            100.0 * l.rps / reference,
            100.0 * l.rps / page_1,
            l.errors
        );
    }
    Ok(())
}

/// Page 500 of `path` (or the last, for a list of `items` shorter than 500 pages of 10),
/// reached by following `nextCursor`: its number and its path.
async fn deep_page(
    http: &reqwest::Client,
    base: &str,
    path: &str,
    items: usize,
) -> Result<(usize, String), BoxError> {
    let page = (items / 10).clamp(1, 500);
    let mut current = path.to_string();
    for _ in 1..page {
        let body: Value = http
            .get(format!("{base}{current}"))
            .send()
            .await?
            .error_for_status()?
            .json()
            .await?;
        let cursor = body["nextCursor"].as_str().ok_or("the list ended early")?;
        // A cursor is base64url: nothing in it needs escaping in a query string.
        current = format!("{path}&cursor={cursor}");
    }
    Ok((page, current))
}

/// `--login-flood` concurrent logins for 10 s while users' resident memory is sampled.
async fn login_flood(cli: &Cli, stack: &Stack, http: &reqwest::Client) -> Result<(), BoxError> {
    let gateway = stack.gateway_url.clone();
    account(http, &gateway, "flood@example.com").await?;
    let users = stack
        .processes
        .iter()
        .find(|p| p.spec.name == "users")
        .ok_or("users is not running")?;
    let before = users.resident_kib().unwrap_or(0);
    let deadline = Instant::now() + Duration::from_secs(10);
    let workers: Vec<_> = (0..cli.login_flood)
        .map(|_| {
            let (http, gateway) = (http.clone(), gateway.clone());
            tokio::spawn(async move {
                let mut by_status = std::collections::BTreeMap::<u16, u64>::new();
                let body =
                    json!({ "email": "flood@example.com", "password": "bench passphrase 2026" });
                while Instant::now() < deadline {
                    let status = match http
                        .post(format!("{gateway}/api/auth/login"))
                        .json(&body)
                        .send()
                        .await
                    {
                        Ok(r) => r.status().as_u16(),
                        Err(_) => 0,
                    };
                    *by_status.entry(status).or_default() += 1;
                }
                by_status
            })
        })
        .collect();
    let mut peak = before;
    while Instant::now() < deadline {
        peak = peak.max(users.resident_kib().unwrap_or(0));
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let mut by_status = std::collections::BTreeMap::<u16, u64>::new();
    for worker in workers {
        for (status, n) in worker.await.unwrap_or_default() {
            *by_status.entry(status).or_default() += n;
        }
    }
    let after = users.resident_kib().unwrap_or(0);
    println!(
        "\n## Password flood: {} concurrent logins for 10 s\n",
        cli.login_flood
    );
    println!("| users RSS before | peak | after | answers |\n|---|---|---|---|");
    let answers: Vec<String> = by_status.iter().map(|(s, n)| format!("{s}: {n}")).collect();
    println!(
        "| {:.1} MiB | {:.1} MiB | {:.1} MiB | {} |",
        before as f64 / 1024.0,
        peak as f64 / 1024.0,
        after as f64 / 1024.0,
        answers.join(", ")
    );
    Ok(())
}
