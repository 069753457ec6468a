//! The binary's entry point, the same for every service:
//! `petstore-<name> [serve]` runs it, `petstore-<name> migrate` applies its
//! migrations and exits.

use std::process::ExitCode;

use clap::{Parser, Subcommand};
use petstore_contract::ServiceSpec;

use crate::config::{Env, FromEnv};
use crate::db::DatabaseConfig;
use crate::service::{BoxError, Service};

#[derive(Debug, Parser)]
#[command(
    version,
    about = "A PetStore service. Configuration comes from environment variables; see the README."
)]
struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Run the service (the default).
    Serve,
    /// Apply the database migrations and exit.
    Migrate,
}

/// Parses the command line, runs the service or its migrations, and maps
/// failure to one clear line on stderr and a non-zero exit code.
pub fn main<S: Service>() -> ExitCode {
    let cli = Cli::parse();
    crate::telemetry::init(S::SPEC.name);
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(err) => return fail(S::SPEC, &err.into()),
    };
    let result = runtime.block_on(async {
        match cli.command.unwrap_or(Command::Serve) {
            Command::Serve => serve::<S>().await,
            Command::Migrate => migrate::<S>().await,
        }
    });
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => fail(S::SPEC, &err),
    }
}

fn fail(spec: &ServiceSpec, err: &BoxError) -> ExitCode {
    tracing::error!(error = %err, "{} stopped", spec.binary);
    eprintln!("{}: {err}", spec.binary);
    ExitCode::FAILURE
}

async fn serve<S: Service>() -> Result<(), BoxError> {
    let config = S::Config::load(Env::process())?;
    let listeners = crate::listen::Listeners::bind(S::listen_addrs(&config)).await?;
    S::serve(config, listeners, crate::http::shutdown_on_signal()).await
}

async fn migrate<S: Service>() -> Result<(), BoxError> {
    let mut env = Env::process();
    let database = DatabaseConfig::from_env(&mut env);
    let database = env.finish(database)?;
    let pool = database.pool()?;
    crate::db::migrate(&pool, S::migrator())
        .await
        .map_err(|err| format!("migrations failed: {err}"))?;
    tracing::info!("migrations applied");
    Ok(())
}
