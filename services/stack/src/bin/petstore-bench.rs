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
use futures_util::StreamExt;
use rand::Rng;
use serde_json::{Value, json};
use stack::{Stack, StackOptions};

/// Load generator for the product listing.
#[derive(Debug, Parser)]
#[command(version)]
struct Cli {
    /// Products to seed.
    #[arg(long, default_value_t = 10_000)]
    products: usize,
    /// Concurrent connections during a measurement.
    #[arg(long, default_value_t = 32)]
    concurrency: usize,
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
    /// How long a saga customer waits between two reads of its order.
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

    let seeding = Instant::now();
    let seeded = futures_util::stream::iter(0..cli.products)
        .map(|i| {
            let (http, gateway, token, category_id) = (
                http.clone(),
                gateway.clone(),
                token.clone(),
                category_id.clone(),
            );
            async move {
                let body = json!({
                    "sku": format!("BENCH-{i:06}"),
                    "name": format!("Bench product {i}"),
                    "description": "Seeded by petstore-bench",
                    "categoryId": category_id,
                    "price": { "amount": 100 + (i as i64 * 37) % 10_000, "currency": "EUR" },
                });
                post(&http, &format!("{gateway}/api/products"), &token, body)
                    .await
                    .map(|_| ())
            }
        })
        .buffer_unordered(16)
        .filter(|r| std::future::ready(r.is_ok()))
        .count()
        .await;
    println!(
        "\nSeeded {seeded} products in {:.1} s ({:.0} writes/s through the gateway).\n",
        seeding.elapsed().as_secs_f64(),
        seeded as f64 / seeding.elapsed().as_secs_f64()
    );
    if seeded != cli.products {
        return Err(format!("only {seeded} of {} products were created", cli.products).into());
    }

    let catalog = stack
        .url_of("catalog")
        .ok_or("catalog is not running")?
        .to_string();
    println!(
        "## Product listing, {} connections, {} s each\n",
        cli.concurrency, cli.seconds
    );
    println!("| target | query | requests/s | p50 | p99 | errors |\n|---|---|---|---|---|---|");
    let queries = [
        (
            "page of 20, random offset",
            "/api/products?limit=20&offset={offset}".to_string(),
        ),
        (
            "category, sorted by price",
            format!(
                "/api/products?categoryId={category_id}&sort=-price&limit=20&offset={{offset}}"
            ),
        ),
    ];
    for (label, base) in [
        ("gateway", gateway.as_str()),
        ("catalog direct", catalog.as_str()),
    ] {
        for (query, path) in &queries {
            let report = measure(
                &http,
                base,
                path,
                cli.products,
                cli.concurrency,
                Duration::from_secs(cli.seconds),
            )
            .await;
            println!(
                "| {label} | {query} | {:.0} | {:.2} ms | {:.2} ms | {} |",
                report.rps, report.p50_ms, report.p99_ms, report.errors
            );
        }
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
    report_orders(
        &format!("Orders: checkout to paid, {workers} customers in parallel"),
        &placed,
        started.elapsed(),
    );
    report_hops(stack, &cli.database_url, &placed).await?;
    report_final(stack, &cli.database_url, &placed).await
}

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
    /// Reads of the order until then.
    reads: usize,
}

impl SagaShop {
    /// Places `count` orders one after the other (add to cart, check out, poll until paid
    /// or 60 s).
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
            while Instant::now() < deadline {
                reads += 1;
                let status = match self
                    .http
                    .get(format!("{}/api/orders/{order}", self.gateway))
                    .bearer_auth(&token)
                    .send()
                    .await
                {
                    Ok(r) if r.status().is_success() => {
                        r.json::<Value>().await.ok().map(|o| o["status"].clone())
                    }
                    _ => None,
                };
                if status.as_ref().is_some_and(|s| s == "paid") {
                    paid = Some((SystemTime::now(), clock.elapsed()));
                    break;
                }
                tokio::time::sleep(self.poll).await;
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
/// wrote anyway: each outbox row's `created_at` (start of the transaction that wrote the
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
    let checked_out = outbox_rows(&cart, "cart.checked_out").await?;
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
                checkout.1,
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

struct Report {
    rps: f64,
    p50_ms: f64,
    p99_ms: f64,
    errors: usize,
}

/// Runs `concurrency` loops of GETs for `duration`; latencies are kept in full (bounded by the duration).
async fn measure(
    http: &reqwest::Client,
    base: &str,
    path: &str,
    products: usize,
    concurrency: usize,
    duration: Duration,
) -> Report {
    let deadline = Instant::now() + duration;
    let started = Instant::now();
    let base = Arc::new(base.to_string());
    let path = Arc::new(path.to_string());
    let workers: Vec<_> = (0..concurrency)
        .map(|_| {
            let (http, base, path) = (http.clone(), base.clone(), path.clone());
            tokio::spawn(async move {
                let mut latencies = Vec::new();
                let mut errors = 0;
                while Instant::now() < deadline {
                    let offset = rand::thread_rng().gen_range(0..products.max(1));
                    let url = format!("{base}{}", path.replace("{offset}", &offset.to_string()));
                    let sent = Instant::now();
                    match http.get(&url).send().await {
                        Ok(response) if response.status().is_success() => {
                            let _ = response.bytes().await;
                            latencies.push(sent.elapsed());
                        }
                        _ => errors += 1,
                    }
                }
                (latencies, errors)
            })
        })
        .collect();
    let mut latencies = Vec::new();
    let mut errors = 0;
    for worker in workers {
        if let Ok((l, e)) = worker.await {
            latencies.extend(l);
            errors += e;
        }
    }
    let elapsed = started.elapsed().as_secs_f64();
    latencies.sort();
    let percentile = |p: f64| {
        latencies
            .get(((latencies.len() as f64 * p) as usize).min(latencies.len().saturating_sub(1)))
            .map_or(0.0, |d| d.as_secs_f64() * 1000.0)
    };
    Report {
        rps: latencies.len() as f64 / elapsed,
        p50_ms: percentile(0.50),
        p99_ms: percentile(0.99),
        errors,
    }
}
