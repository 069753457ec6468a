//! One service process: spawned with its environment, logging to a file,
//! polled until ready, stopped gracefully.

use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::Duration;

use petstore_contract::{ServiceSpec, endpoints};
use tokio::process::{Child, Command};

use crate::StackError;

/// A running service: `petstore <service>`.
#[derive(Debug)]
pub struct ServiceProcess {
    /// Which service.
    pub spec: &'static ServiceSpec,
    /// `http://127.0.0.1:<port>`.
    pub url: String,
    /// `http://127.0.0.1:<internal port>` (`/metrics`, `/status`).
    pub internal_url: String,
    /// Where its logs go.
    pub log: PathBuf,
    binary: PathBuf,
    env: Vec<(String, String)>,
    child: Child,
}

/// Runs `binary` with `args` and `env` to completion (the `migrate` step).
pub async fn run_to_completion(
    binary: &Path,
    args: &[&str],
    env: &[(String, String)],
    log: &Path,
) -> Result<(), StackError> {
    let status = command(binary, args, env, log)?
        .status()
        .await
        .map_err(|err| StackError::Spawn {
            binary: binary.display().to_string(),
            cause: err.to_string(),
        })?;
    if status.success() {
        Ok(())
    } else {
        Err(StackError::Failed {
            binary: binary.display().to_string(),
            log: log.display().to_string(),
            tail: tail(log),
        })
    }
}

fn command(
    binary: &Path,
    args: &[&str],
    env: &[(String, String)],
    log: &Path,
) -> Result<Command, StackError> {
    let out = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(log)
        .map_err(|err| StackError::Io {
            path: log.display().to_string(),
            cause: err.to_string(),
        })?;
    let err = out.try_clone().map_err(|err| StackError::Io {
        path: log.display().to_string(),
        cause: err.to_string(),
    })?;
    let mut command = Command::new(binary);
    command
        .args(args)
        .env_clear()
        .envs(std::env::vars().filter(|(k, _)| k == "PATH" || k == "RUST_LOG" || k == "LOG_FORMAT"))
        .envs(env.iter().cloned())
        .stdin(Stdio::null())
        .stdout(out)
        .stderr(err)
        .kill_on_drop(true);
    Ok(command)
}

fn start(
    binary: &Path,
    spec: &ServiceSpec,
    env: &[(String, String)],
    log: &Path,
) -> Result<Child, StackError> {
    command(binary, &[spec.name], env, log)?
        .spawn()
        .map_err(|err| StackError::Spawn {
            binary: binary.display().to_string(),
            cause: err.to_string(),
        })
}

/// The last lines of a log, to show why a process failed.
pub fn tail(log: &Path) -> String {
    let text = std::fs::read_to_string(log).unwrap_or_default();
    let lines: Vec<&str> = text.lines().collect();
    lines[lines.len().saturating_sub(8)..].join("\n")
}

impl ServiceProcess {
    /// Starts the service; it is killed if this value is dropped.
    pub fn spawn(
        spec: &'static ServiceSpec,
        binary: &Path,
        (port, internal_port): (u16, u16),
        env: &[(String, String)],
        log: PathBuf,
    ) -> Result<Self, StackError> {
        let child = start(binary, spec, env, &log)?;
        Ok(Self {
            spec,
            url: format!("http://127.0.0.1:{port}"),
            internal_url: format!("http://127.0.0.1:{internal_port}"),
            log,
            binary: binary.to_path_buf(),
            env: env.to_vec(),
            child,
        })
    }

    /// Kills the process at once, as a crash would: no draining, no goodbye.
    pub async fn kill(&mut self) {
        let _ = self.child.kill().await;
    }

    /// Starts the same binary again with the same environment and port.
    pub fn respawn(&mut self) -> Result<(), StackError> {
        self.child = start(&self.binary, self.spec, &self.env, &self.log)?;
        Ok(())
    }

    /// Polls `/ready` until it answers 200, the process exits, or `timeout` passes.
    pub async fn wait_ready(
        &mut self,
        client: &reqwest::Client,
        timeout: Duration,
    ) -> Result<(), StackError> {
        let deadline = tokio::time::Instant::now() + timeout;
        let url = format!("{}{}", self.url, endpoints::READY);
        loop {
            if let Ok(Some(_)) = self.child.try_wait() {
                return Err(StackError::Failed {
                    binary: format!("{} {}", petstore_contract::BINARY, self.spec.name),
                    log: self.log.display().to_string(),
                    tail: tail(&self.log),
                });
            }
            if let Ok(response) = client.get(&url).send().await
                && response.status().is_success()
            {
                return Ok(());
            }
            if tokio::time::Instant::now() >= deadline {
                return Err(StackError::NotReady {
                    service: self.spec.name,
                    log: self.log.display().to_string(),
                    tail: tail(&self.log),
                });
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// Asks the process to stop (SIGTERM, so it drains), then waits up to 10 s before killing it.
    pub async fn stop(mut self) {
        if let Some(pid) = self.child.id() {
            // Without libc (unsafe is forbidden here), the kill(1) utility sends the signal.
            let _ = Command::new("kill")
                .arg("-TERM")
                .arg(pid.to_string())
                .status()
                .await;
        }
        if tokio::time::timeout(Duration::from_secs(10), self.child.wait())
            .await
            .is_err()
        {
            let _ = self.child.kill().await;
        }
    }

    /// The operating-system process id.
    pub fn pid(&self) -> Option<u32> {
        self.child.id()
    }

    /// Resident memory in KiB, from `/proc` (Linux).
    pub fn resident_kib(&self) -> Option<u64> {
        let status = std::fs::read_to_string(format!("/proc/{}/status", self.pid()?)).ok()?;
        let line = status.lines().find(|l| l.starts_with("VmRSS:"))?;
        line.split_whitespace().nth(1)?.parse().ok()
    }

    /// Whether the process is still running.
    pub fn is_running(&mut self) -> bool {
        matches!(self.child.try_wait(), Ok(None))
    }
}
