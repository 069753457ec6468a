//! The store's one binary, `petstore`: `petstore <service>` runs any service,
//! `petstore migrate <service>` applies its migrations and exits.
//!
//! The binary names its [`Target`]s (one per service) and calls [`main`]; everything else,
//! the command line, telemetry, the runtime, configuration, failure as one clear line on
//! stderr and an exit code, is here, the same for every service.

use std::process::ExitCode;

use clap::{Arg, Command};
use petstore_contract::{BINARY, MIGRATE_SUBCOMMAND, ServiceSpec};

use crate::config::{Env, FromEnv};
use crate::db::DatabaseConfig;
use crate::service::{BoxError, Service};

/// What the binary is asked to do with a service.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    /// Run it until a termination signal.
    Serve,
    /// Apply its database migrations and exit.
    Migrate,
}

/// A service the binary can run.
#[derive(Clone, Copy)]
pub struct Target {
    /// Its contract entry; its name is the subcommand.
    pub spec: &'static ServiceSpec,
    /// One line for `--help`.
    pub about: &'static str,
    run: fn(Action) -> ExitCode,
}

impl Target {
    /// The target that runs `S`.
    #[must_use]
    pub fn of<S: Service>(about: &'static str) -> Self {
        Self {
            spec: S::SPEC,
            about,
            run: run::<S>,
        }
    }
}

/// The command line of a binary serving `targets`.
#[must_use]
pub fn command(targets: &[Target]) -> Command {
    let mut command = Command::new(BINARY)
        .version(env!("CARGO_PKG_VERSION"))
        .about(
            "The PetStore: every service in one binary. Configuration comes from environment \
             variables; see the README.",
        )
        .subcommand_required(true)
        .arg_required_else_help(true);
    for target in targets {
        command = command.subcommand(Command::new(target.spec.name).about(target.about));
    }
    let migratable: Vec<&'static str> = targets
        .iter()
        .filter(|t| t.spec.has_database)
        .map(|t| t.spec.name)
        .collect();
    command.subcommand(
        Command::new(MIGRATE_SUBCOMMAND)
            .about("Apply a service's database migrations and exit")
            .arg(
                Arg::new("service")
                    .required(true)
                    .value_parser(clap::builder::PossibleValuesParser::new(migratable)),
            ),
    )
}

/// Parses the command line, runs the chosen service (or its migrations), and maps failure
/// to one clear line on stderr and a non-zero exit code.
#[must_use]
pub fn main(targets: &[Target]) -> ExitCode {
    let matches = command(targets).get_matches();
    let (name, action) = match matches.subcommand() {
        Some((MIGRATE_SUBCOMMAND, args)) => (
            args.get_one::<String>("service")
                .map_or("", String::as_str)
                .to_string(),
            Action::Migrate,
        ),
        Some((name, _)) => (name.to_string(), Action::Serve),
        None => return ExitCode::FAILURE,
    };
    match targets.iter().find(|t| t.spec.name == name) {
        Some(target) => (target.run)(action),
        None => ExitCode::FAILURE,
    }
}

/// Runs `S` (or its migrations) on a new runtime.
fn run<S: Service>(action: Action) -> ExitCode {
    crate::telemetry::init(S::SPEC.name);
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(err) => return fail(S::SPEC, &err.into()),
    };
    let result = runtime.block_on(async {
        match action {
            Action::Serve => serve::<S>().await,
            Action::Migrate => migrate::<S>().await,
        }
    });
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => fail(S::SPEC, &err),
    }
}

fn fail(spec: &ServiceSpec, err: &BoxError) -> ExitCode {
    tracing::error!(error = %err, "{} stopped", spec.name);
    eprintln!("{BINARY} {}: {err}", spec.name);
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
