//! `petstore-limit`: the benchmarks' reference, the fastest honest answer this machine's
//! stack can give. Plain axum + sqlx, no kit, no middleware: one static query,
//! `SELECT id, name, price_amount FROM products ORDER BY id LIMIT 10`, as JSON, from the
//! catalog database it is pointed at. petstore-bench runs it beside the real services and
//! reports every figure as a ratio to it.
//!
//! `DATABASE_URL` (required), `LISTEN_ADDR` (default `127.0.0.1:0`, the bound address is
//! printed on the first line), `DATABASE_MAX_CONNECTIONS` (default 10).

use std::process::ExitCode;

use axum::extract::State;
use axum::routing::get;
use axum::{Json, Router};
use serde::Serialize;
use sqlx::PgPool;
use sqlx::postgres::PgPoolOptions;
use uuid::Uuid;

#[derive(Serialize, sqlx::FromRow)]
struct Row {
    id: Uuid,
    name: String,
    price_amount: i64,
}

async fn page(State(pool): State<PgPool>) -> Result<Json<Vec<Row>>, axum::http::StatusCode> {
    sqlx::query_as("SELECT id, name, price_amount FROM products ORDER BY id LIMIT 10")
        .fetch_all(&pool)
        .await
        .map(Json)
        .map_err(|_| axum::http::StatusCode::SERVICE_UNAVAILABLE)
}

#[tokio::main]
async fn main() -> ExitCode {
    let Ok(url) = std::env::var("DATABASE_URL") else {
        eprintln!("petstore-limit: DATABASE_URL is not set");
        return ExitCode::FAILURE;
    };
    let listen = std::env::var("LISTEN_ADDR").unwrap_or_else(|_| "127.0.0.1:0".into());
    let pool_size = std::env::var("DATABASE_MAX_CONNECTIONS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(10);
    let pool = match PgPoolOptions::new()
        .max_connections(pool_size)
        .connect(&url)
        .await
    {
        Ok(pool) => pool,
        Err(err) => {
            eprintln!("petstore-limit: cannot connect: {err}");
            return ExitCode::FAILURE;
        }
    };
    let listener = match tokio::net::TcpListener::bind(&listen).await {
        Ok(listener) => listener,
        Err(err) => {
            eprintln!("petstore-limit: cannot listen on {listen}: {err}");
            return ExitCode::FAILURE;
        }
    };
    if let Ok(addr) = listener.local_addr() {
        println!("{addr}");
    }
    let app = Router::new().route("/", get(page)).with_state(pool);
    match axum::serve(listener, app).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("petstore-limit: {err}");
            ExitCode::FAILURE
        }
    }
}
