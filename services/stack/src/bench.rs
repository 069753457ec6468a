//! What petstore-bench measures with: `wrk` as the load (a C load generator that costs far
//! less CPU per request than the servers it measures, so on two cores the servers, not the
//! client, set the pace), the limit server beside the store, and the seeding of catalog
//! and inventory straight into their databases.

use std::path::Path;
use std::process::Stdio;
use std::time::Duration;

use tokio::io::{AsyncBufReadExt, BufReader};
use tokio::process::{Child, Command};

/// Why a measurement could not be made.
#[derive(Debug, thiserror::Error)]
pub enum BenchError {
    /// `wrk` is not installed.
    #[error("wrk is not installed (Debian: apt-get install wrk); petstore-bench drives its load")]
    NoWrk,
    /// A program could not be started or failed.
    #[error("{what}: {cause}")]
    Run {
        /// Which program.
        what: String,
        /// What went wrong.
        cause: String,
    },
    /// The database refused the seeding.
    #[error("seeding failed: {0}")]
    Seed(#[from] sqlx::Error),
}

/// One measurement: throughput and latency under a fixed number of connections.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Load {
    /// Requests per second.
    pub rps: f64,
    /// Median latency, milliseconds.
    pub p50_ms: f64,
    /// 99th percentile latency, milliseconds.
    pub p99_ms: f64,
    /// Answers that were not 2xx/3xx, plus socket errors.
    pub errors: u64,
}

fn millis(text: &str) -> Option<f64> {
    let split = text.find(|c: char| c.is_ascii_alphabetic())?;
    let (number, unit) = text.split_at(split);
    let number: f64 = number.parse().ok()?;
    Some(match unit {
        "us" => number / 1000.0,
        "ms" => number,
        "s" => number * 1000.0,
        "m" => number * 60_000.0,
        _ => return None,
    })
}

/// Reads `wrk --latency`'s report.
pub fn parse_wrk(output: &str) -> Option<Load> {
    let mut load = Load {
        rps: 0.0,
        p50_ms: 0.0,
        p99_ms: 0.0,
        errors: 0,
    };
    let mut seen_rps = false;
    for line in output.lines().map(str::trim) {
        let words: Vec<&str> = line.split_whitespace().collect();
        match words.as_slice() {
            ["50%", value] => load.p50_ms = millis(value)?,
            ["99%", value] => load.p99_ms = millis(value)?,
            ["Requests/sec:", value] => {
                load.rps = value.parse().ok()?;
                seen_rps = true;
            }
            ["Non-2xx", "or", "3xx", "responses:", n] => load.errors += n.parse::<u64>().ok()?,
            ["Socket", "errors:", rest @ ..] => {
                load.errors += rest
                    .iter()
                    .filter_map(|w| w.trim_end_matches(',').parse::<u64>().ok())
                    .sum::<u64>();
            }
            _ => {}
        }
    }
    seen_rps.then_some(load)
}

/// Loads `url` with `connections` keep-alive connections for `seconds` (two wrk threads).
pub async fn wrk(
    url: &str,
    headers: &[String],
    connections: usize,
    seconds: u64,
) -> Result<Load, BenchError> {
    let mut command = Command::new("wrk");
    command.args([
        "-t2",
        &format!("-c{connections}"),
        &format!("-d{seconds}s"),
        "--latency",
    ]);
    for header in headers {
        command.args(["-H", header]);
    }
    let output = command
        .arg(url)
        .output()
        .await
        .map_err(|err| match err.kind() {
            std::io::ErrorKind::NotFound => BenchError::NoWrk,
            _ => BenchError::Run {
                what: "wrk".into(),
                cause: err.to_string(),
            },
        })?;
    let text = String::from_utf8_lossy(&output.stdout);
    parse_wrk(&text).ok_or_else(|| BenchError::Run {
        what: format!("wrk {url}"),
        cause: format!(
            "unreadable report: {text}{}",
            String::from_utf8_lossy(&output.stderr)
        ),
    })
}

/// The limit server (`petstore-limit`), running until dropped.
#[derive(Debug)]
pub struct LimitServer {
    /// Its base URL.
    pub url: String,
    _child: Child,
}

impl LimitServer {
    /// Starts `petstore-limit` from `bin_dir` on a free port against `database_url`.
    pub async fn start(
        bin_dir: &Path,
        database_url: &str,
        pool_size: u32,
    ) -> Result<Self, BenchError> {
        let fail = |cause: String| BenchError::Run {
            what: "petstore-limit".into(),
            cause,
        };
        let mut child = Command::new(bin_dir.join("petstore-limit"))
            .env("DATABASE_URL", database_url)
            .env("DATABASE_MAX_CONNECTIONS", pool_size.to_string())
            .stdout(Stdio::piped())
            .kill_on_drop(true)
            .spawn()
            .map_err(|err| fail(err.to_string()))?;
        let stdout = child
            .stdout
            .take()
            .ok_or_else(|| fail("no stdout".into()))?;
        let mut first = String::new();
        tokio::time::timeout(
            Duration::from_secs(10),
            BufReader::new(stdout).read_line(&mut first),
        )
        .await
        .map_err(|_| fail("did not start within 10 s".into()))?
        .map_err(|err| fail(err.to_string()))?;
        Ok(Self {
            url: format!("http://{}/", first.trim()),
            _child: child,
        })
    }
}

/// Adds products `from..to` to catalog's database in one category (directly, in one
/// statement per 100,000 rows), then refreshes the planner's statistics.
pub async fn seed_products(
    catalog: &sqlx::PgPool,
    category: uuid::Uuid,
    from: usize,
    to: usize,
) -> Result<(), BenchError> {
    let mut start = from;
    while start < to {
        let end = (start + 100_000).min(to);
        sqlx::query(
            "INSERT INTO products (id, sku, name, description, category_id, price_amount, \
               currency, created_at) \
             SELECT gen_random_uuid(), 'BENCH-' || g, 'Bench product ' || g, \
               'Seeded by petstore-bench', $1, 100 + (g * 37) % 10000, 'EUR', \
               now() - g * interval '1 millisecond' \
             FROM generate_series($2::bigint, $3::bigint - 1) g",
        )
        .bind(category)
        .bind(start as i64)
        .bind(end as i64)
        .execute(catalog)
        .await?;
        start = end;
    }
    sqlx::query("VACUUM ANALYZE products")
        .execute(catalog)
        .await?;
    Ok(())
}

/// A store in inventory's database with `items` products in stock, every tenth below its
/// minimum (an alert); returns the store's id.
pub async fn seed_inventory(
    inventory: &sqlx::PgPool,
    items: usize,
) -> Result<uuid::Uuid, BenchError> {
    let store = uuid::Uuid::new_v4();
    sqlx::query(
        "INSERT INTO stores (id, code, name, line1, city, postal_code, country, timezone) \
         VALUES ($1, 'BENCH-LIST', 'Bench listing', '1 Bench Street', 'Lyon', '69001', 'FR', 'UTC')",
    )
    .bind(store)
    .execute(inventory)
    .await?;
    sqlx::query(
        "WITH p AS (INSERT INTO products (product_id, sku, name) \
           SELECT gen_random_uuid(), 'INV-' || lpad(g::text, 6, '0'), 'Item ' || g \
           FROM generate_series(1, $2::bigint) g RETURNING product_id, sku) \
         INSERT INTO stock (store_id, product_id, on_hand, min_stock, below_minimum) \
         SELECT $1, product_id, CASE WHEN right(sku, 1) = '0' THEN 1 ELSE 100 END, 10, \
           right(sku, 1) = '0' FROM p",
    )
    .bind(store)
    .bind(items as i64)
    .execute(inventory)
    .await?;
    sqlx::query("ANALYZE").execute(inventory).await?;
    Ok(store)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_a_wrk_report() {
        let report = "Running 10s test @ http://127.0.0.1:1/\n  2 threads and 64 connections\n  \
            Latency Distribution\n     50%  520.00us\n     75%    6.00ms\n     90%    7.00ms\n     \
            99%   13.20ms\n  110000 requests in 10.00s, 50.00MB read\n  Socket errors: connect 0, \
            read 2, write 0, timeout 1\n  Non-2xx or 3xx responses: 5\nRequests/sec:  11000.50\n";
        assert_eq!(
            parse_wrk(report),
            Some(Load {
                rps: 11000.5,
                p50_ms: 0.52,
                p99_ms: 13.2,
                errors: 8
            })
        );
        assert_eq!(parse_wrk("wrk: command failed"), None);
    }
}
