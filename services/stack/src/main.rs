//! `petstore-local`: the whole store on this machine, until Ctrl-C.

use std::process::ExitCode;

use clap::Parser;
use stack::{Stack, StackError, StackOptions};

/// Runs every PetStore service on loopback against the local PostgreSQL and RabbitMQ.
#[derive(Debug, Parser)]
#[command(version)]
struct Cli {
    /// Administrative PostgreSQL URL; the service databases are created through it.
    #[arg(
        long,
        env = "PETSTORE_ADMIN_DATABASE_URL",
        default_value = "postgres://postgres@127.0.0.1:5432/postgres"
    )]
    database_url: String,
    /// RabbitMQ URL.
    #[arg(
        long,
        env = "PETSTORE_AMQP_URL",
        default_value = "amqp://guest:guest@127.0.0.1:5672/%2f"
    )]
    amqp_url: String,
    /// Where the development key pair and the logs are kept.
    #[arg(long, default_value = ".petstore-local")]
    state_dir: std::path::PathBuf,
    /// The email that becomes the first administrator when it registers.
    #[arg(long, default_value = "admin@petstore.local")]
    admin_email: String,
    /// The store's own RabbitMQ virtual host (created if needed), so that another store on
    /// the same broker (petstore-bench, the tests) never consumes this one's events. Empty:
    /// use the virtual host of the AMQP URL.
    #[arg(long, env = "PETSTORE_AMQP_VHOST", default_value = "petstore-local")]
    vhost: String,
}

#[tokio::main]
async fn main() -> ExitCode {
    let cli = Cli::parse();
    let options = StackOptions {
        database_url: cli.database_url,
        amqp_url: cli.amqp_url,
        state_dir: cli.state_dir,
        bootstrap_admin_email: Some(cli.admin_email.clone()),
        vhost: Some(cli.vhost.clone()).filter(|v| !v.is_empty()),
        ..StackOptions::local()
    };
    eprintln!(
        "starting the PetStore (logs in {}/logs) ...",
        options.state_dir.display()
    );
    let stack = match Stack::start(options.clone()).await {
        Ok(stack) => stack,
        Err(StackError::Vhost(err)) => {
            // A newcomer's broker may not let us create virtual hosts; the store still runs,
            // it only shares the URL's virtual host with any other store on that broker.
            eprintln!("petstore-local: warning: {err}; using the AMQP URL's virtual host");
            let shared = StackOptions {
                vhost: None,
                ..options
            };
            match Stack::start(shared).await {
                Ok(stack) => stack,
                Err(err) => {
                    eprintln!("petstore-local: {err}");
                    return ExitCode::FAILURE;
                }
            }
        }
        Err(err) => {
            eprintln!("petstore-local: {err}");
            return ExitCode::FAILURE;
        }
    };
    println!("PetStore is running.");
    println!("  gateway:  {}", stack.gateway_url);
    println!("  API docs: {}/docs", stack.gateway_url);
    println!("  health:   {}/api/health", stack.gateway_url);
    for process in &stack.processes {
        println!(
            "  {:<9} {}  (log: {})",
            format!("{}:", process.spec.name),
            process.url,
            process.log.display()
        );
    }
    println!(
        "The first account registered as {} becomes the administrator.",
        cli.admin_email
    );
    println!("Press Ctrl-C to stop.");
    let _ = tokio::signal::ctrl_c().await;
    eprintln!("stopping ...");
    stack.stop().await;
    ExitCode::SUCCESS
}
