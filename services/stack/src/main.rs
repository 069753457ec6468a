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
    /// Requests per minute the gateway allows one client address (its default: 600).
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u32).range(1..))]
    rate_limit_per_ip: Option<u32>,
    /// Requests per minute the gateway allows one signed-in user (its default: 300).
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u32).range(1..))]
    rate_limit_per_user: Option<u32>,
    /// Switch the gateway's rate limits off, for load tests from this machine (all their
    /// traffic comes from one address). Never the default.
    #[arg(long, conflicts_with_all = ["rate_limit_per_ip", "rate_limit_per_user"])]
    no_rate_limits: bool,
    /// Connections each service's pool may hold (`DATABASE_MAX_CONNECTIONS`).
    #[arg(long, value_name = "N", default_value_t = stack::LOCAL_POOL_SIZE,
          value_parser = clap::value_parser!(u32).range(1..))]
    pool_size: u32,
    /// The store's own RabbitMQ virtual host (created if needed), so that another store on
    /// the same broker (petstore-bench, the tests) never consumes this one's events. Empty:
    /// use the virtual host of the AMQP URL.
    #[arg(long, env = "PETSTORE_AMQP_VHOST", default_value = "petstore-local")]
    vhost: String,
}

impl Cli {
    /// The gateway's rate-limit variables this command line asks for.
    fn rate_limit_env(&self) -> Vec<(String, String)> {
        let (per_ip, per_user) = if self.no_rate_limits {
            (Some(0), Some(0))
        } else {
            (self.rate_limit_per_ip, self.rate_limit_per_user)
        };
        [
            (petstore_contract::env::RATE_LIMIT_PER_IP, per_ip),
            (petstore_contract::env::RATE_LIMIT_PER_USER, per_user),
        ]
        .into_iter()
        .filter_map(|(name, value)| value.map(|v| (name.to_string(), v.to_string())))
        .collect()
    }
}

#[tokio::main]
async fn main() -> ExitCode {
    let cli = Cli::parse();
    let options = StackOptions {
        database_url: cli.database_url.clone(),
        amqp_url: cli.amqp_url.clone(),
        state_dir: cli.state_dir.clone(),
        bootstrap_admin_email: Some(cli.admin_email.clone()),
        extra_env: cli.rate_limit_env(),
        database_max_connections: cli.pool_size,
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
    println!(
        "  console:  {}/  (the shop and, for the administrator, /staff)",
        stack.gateway_url
    );
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
    if cli.no_rate_limits {
        println!("The gateway's rate limits are OFF (--no-rate-limits).");
    }
    println!("Press Ctrl-C to stop.");
    let _ = tokio::signal::ctrl_c().await;
    eprintln!("stopping ...");
    stack.stop().await;
    ExitCode::SUCCESS
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env_of(args: &[&str]) -> Vec<(String, String)> {
        let mut argv = vec!["petstore-local"];
        argv.extend_from_slice(args);
        Cli::try_parse_from(argv).unwrap().rate_limit_env()
    }

    #[test]
    fn rate_limits_stay_on_unless_asked() {
        assert!(env_of(&[]).is_empty(), "the gateway's defaults apply");
        assert_eq!(
            env_of(&["--rate-limit-per-ip", "100000"]),
            [(
                "RATE_LIMIT_PER_IP_PER_MINUTE".to_string(),
                "100000".to_string()
            )]
        );
        assert_eq!(
            env_of(&["--no-rate-limits"]),
            [
                ("RATE_LIMIT_PER_IP_PER_MINUTE".to_string(), "0".to_string()),
                (
                    "RATE_LIMIT_PER_USER_PER_MINUTE".to_string(),
                    "0".to_string()
                ),
            ]
        );
        let argv = [
            "petstore-local",
            "--no-rate-limits",
            "--rate-limit-per-ip",
            "5",
        ];
        assert!(
            Cli::try_parse_from(argv).is_err(),
            "off or a number, not both"
        );
        assert!(Cli::try_parse_from(["petstore-local", "--rate-limit-per-ip", "0"]).is_err());
    }
}
