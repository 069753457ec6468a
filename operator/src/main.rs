//! `petstore-operator crd | render -f FILE | run`.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;

use clap::{Parser, Subcommand};
use petstore_operator::{
    controller, crd, leader::LeaderElector, metrics::Metrics, render, telemetry,
};

/// The PetStore operator.
#[derive(Parser)]
#[command(version, about)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Print the PetStore CustomResourceDefinition as YAML.
    Crd,
    /// Print every object the operator would create for a PetStore, offline.
    Render {
        /// The PetStore manifest (`-` for standard input).
        #[arg(short = 'f', long = "filename")]
        file: PathBuf,
    },
    /// Run the operator against the cluster of the current kubeconfig or service account.
    Run {
        /// Address of the metrics and health listener.
        #[arg(long, env = "METRICS_ADDR", default_value = "0.0.0.0:9090")]
        metrics_addr: SocketAddr,
        /// Namespace of the leader-election Lease.
        #[arg(long, env = "POD_NAMESPACE", default_value = "petstore-system")]
        lease_namespace: String,
        /// Name of this replica (the pod name).
        #[arg(long, env = "POD_NAME", default_value = "petstore-operator")]
        identity: String,
    },
}

#[tokio::main]
async fn main() -> ExitCode {
    match Cli::parse().command {
        Command::Crd => {
            print!("{}", crd::crd_yaml());
            ExitCode::SUCCESS
        }
        Command::Render { file } => {
            let text = if file.as_os_str() == "-" {
                std::io::read_to_string(std::io::stdin())
            } else {
                std::fs::read_to_string(&file)
            };
            match text
                .map_err(|e| format!("cannot read {}: {e}", file.display()))
                .and_then(|t| render::render(&t))
            {
                Ok(out) => {
                    print!("{out}");
                    ExitCode::SUCCESS
                }
                Err(e) => {
                    eprintln!("error: {e}");
                    ExitCode::FAILURE
                }
            }
        }
        Command::Run {
            metrics_addr,
            lease_namespace,
            identity,
        } => match run(metrics_addr, lease_namespace, identity).await {
            Ok(()) => ExitCode::SUCCESS,
            Err(e) => {
                tracing::error!(error = %e, "operator stopped");
                ExitCode::FAILURE
            }
        },
    }
}

async fn run(
    metrics_addr: SocketAddr,
    lease_namespace: String,
    identity: String,
) -> Result<(), String> {
    telemetry::init_logs();
    let metrics = Arc::new(Metrics::default());
    let server = tokio::spawn(telemetry::serve(metrics_addr, metrics.clone()));
    let client = kube::Client::try_default()
        .await
        .map_err(|e| format!("cannot connect to the Kubernetes API: {e}"))?;
    let elector = LeaderElector::new(
        client.clone(),
        &lease_namespace,
        "petstore-operator-leader",
        &identity,
        Duration::from_secs(15),
    );
    tracing::info!(%identity, "waiting for leadership");
    elector
        .acquire()
        .await
        .map_err(|e| format!("leader election failed: {e}"))?;
    tracing::info!(%identity, "leading");
    metrics.leader.set(1);
    let result = tokio::select! {
        () = controller::run(client, metrics.clone(), Some(identity.clone())) => Ok(()),
        reason = elector.keep() => Err(format!("lost leadership: {reason}")),
        res = server => Err(format!("metrics listener stopped: {res:?}")),
    };
    metrics.leader.set(0);
    // A clean stop (SIGTERM: the controller drained) hands the Lease over at
    // once instead of letting the standby wait for it to expire.
    if result.is_ok() {
        match elector.release().await {
            Ok(true) => tracing::info!(%identity, "released the leader Lease"),
            Ok(false) => {}
            Err(e) => tracing::warn!(error = %e, "cannot release the leader Lease"),
        }
    }
    result
}
