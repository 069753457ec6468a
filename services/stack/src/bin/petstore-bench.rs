//! `petstore-bench`: a load generator (not a test). Starts the store from the
//! binaries beside it, seeds products, then measures requests per second and
//! latency percentiles of product listings through the gateway and directly
//! against catalog, and the resident memory of every service.
//!
//! Build with `--release` for meaningful figures; see docs/benchmarks.md.

use std::process::ExitCode;
use std::sync::Arc;
use std::time::{Duration, Instant};

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
        saga(&http, &gateway, &token, &category_id, cli).await?;
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
/// checkout's answer until the order is paid (inventory reserved, payments charged).
async fn saga(
    http: &reqwest::Client,
    gateway: &str,
    admin: &str,
    category_id: &str,
    cli: &Cli,
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
    let product = post(
        http,
        &format!("{gateway}/api/products"),
        admin,
        json!({ "sku": "BENCH-SAGA", "name": "Saga bench", "categoryId": category_id, "price": { "amount": 1000, "currency": "EUR" } }),
    )
    .await?;
    let product_id = product["id"].as_str().ok_or("product id")?.to_string();
    let stock = json!({ "onHand": cli.orders * 2, "minStock": 0, "reason": "bench" });
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
    // One customer per connection: a cart belongs to one user.
    let workers = cli.concurrency.min(cli.orders).max(1);
    let mut customers = Vec::new();
    for i in 0..workers {
        customers.push(account(http, gateway, &format!("bench-{i}@example.com")).await?);
    }
    let per_worker = cli.orders.div_ceil(workers);
    let started = Instant::now();
    let tasks: Vec<_> = customers
        .into_iter()
        .map(|token| {
            let (http, gateway, store_id, product_id) = (
                http.clone(),
                gateway.to_string(),
                store_id.clone(),
                product_id.clone(),
            );
            tokio::spawn(async move {
                let mut latencies = Vec::new();
                for _ in 0..per_worker {
                    let item = json!({ "productId": product_id, "quantity": 1 });
                    if post(&http, &format!("{gateway}/api/cart/items"), &token, item)
                        .await
                        .is_err()
                    {
                        continue;
                    }
                    let Ok(checkout) = post(
                        &http,
                        &format!("{gateway}/api/cart/checkout"),
                        &token,
                        json!({ "storeId": store_id }),
                    )
                    .await
                    else {
                        continue;
                    };
                    let placed = Instant::now();
                    let order = checkout["orderId"].as_str().unwrap_or_default().to_string();
                    let deadline = placed + Duration::from_secs(60);
                    while Instant::now() < deadline {
                        let status = match http
                            .get(format!("{gateway}/api/orders/{order}"))
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
                            latencies.push(placed.elapsed());
                            break;
                        }
                        tokio::time::sleep(Duration::from_millis(5)).await;
                    }
                }
                latencies
            })
        })
        .collect();
    let mut latencies = Vec::new();
    for task in tasks {
        latencies.extend(task.await.unwrap_or_default());
    }
    let elapsed = started.elapsed().as_secs_f64();
    latencies.sort();
    let at = |p: f64| {
        latencies
            .get(((latencies.len() as f64 * p) as usize).min(latencies.len().saturating_sub(1)))
            .map_or(0.0, |d| d.as_secs_f64() * 1000.0)
    };
    println!("\n## Orders: checkout to paid, {workers} customers in parallel\n");
    println!(
        "| orders paid | of | orders/s | p50 checkout→paid | p99 checkout→paid |\n|---|---|---|---|---|"
    );
    println!(
        "| {} | {} | {:.1} | {:.0} ms | {:.0} ms |",
        latencies.len(),
        per_worker * workers,
        latencies.len() as f64 / elapsed,
        at(0.5),
        at(0.99)
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
