//! Start-up and shut-down of the whole store.

use std::path::{Path, PathBuf};
use std::time::Duration;

use petstore_contract::{SERVICES, ServiceSpec, env};
use sqlx::{Connection, PgConnection};

use crate::error::StackError;
use crate::preflight::{check_broker, check_database};
use crate::process::{ServiceProcess, run_to_completion};
use crate::vhost::VirtualHost;

/// How to run the store.
#[derive(Debug, Clone)]
pub struct StackOptions {
    /// Administrative PostgreSQL URL (the service databases are created through it).
    pub database_url: String,
    /// RabbitMQ URL.
    pub amqp_url: String,
    /// Directory holding the store's binary, `petstore`.
    pub bin_dir: PathBuf,
    /// Directory for the development key pair and the logs.
    pub state_dir: PathBuf,
    /// Prefix of the database names (`<prefix>_<service>`).
    pub database_prefix: String,
    /// Use the contract's ports (true) or free ephemeral ports (false, for tests).
    pub fixed_ports: bool,
    /// Who becomes the first administrator on registration.
    pub bootstrap_admin_email: Option<String>,
    /// Drop the databases on stop (tests).
    pub drop_databases_on_stop: bool,
    /// Extra variables for every service (e.g. rate limits in tests).
    pub extra_env: Vec<(String, String)>,
    /// Pool size of each service with a database (`DATABASE_MAX_CONNECTIONS`). The
    /// default, [`LOCAL_POOL_SIZE`], keeps a whole stack (7 databases, a pool and a
    /// `LISTEN` connection each) at 35 connections at most, so a stack, a benchmark's
    /// stack and the tests fit a default PostgreSQL (`max_connections` 100) together.
    pub database_max_connections: u32,
    /// The RabbitMQ virtual host of this store, created at start if needed (and deleted on
    /// stop together with the databases), so that two stores on one broker never see each
    /// other's events; `None` uses the virtual host of `amqp_url` as it is.
    pub vhost: Option<String>,
}

/// Pool size per service of a local stack: plenty for two cores.
pub const LOCAL_POOL_SIZE: u32 = 4;

impl StackOptions {
    /// Defaults for this machine: local PostgreSQL and RabbitMQ, binaries next to the current executable.
    pub fn local() -> Self {
        let bin_dir = std::env::current_exe()
            .ok()
            .and_then(|exe| exe.parent().map(Path::to_path_buf))
            .unwrap_or_else(|| PathBuf::from("."));
        Self {
            database_url: "postgres://postgres@127.0.0.1:5432/postgres".into(),
            amqp_url: "amqp://guest:guest@127.0.0.1:5672/%2f".into(),
            bin_dir,
            state_dir: PathBuf::from(".petstore-local"),
            database_prefix: "petstore".into(),
            fixed_ports: true,
            bootstrap_admin_email: Some("admin@petstore.local".into()),
            drop_databases_on_stop: false,
            extra_env: Vec::new(),
            database_max_connections: LOCAL_POOL_SIZE,
            vhost: Some("petstore-local".into()),
        }
    }
}

/// The running store.
#[derive(Debug)]
pub struct Stack {
    /// The gateway's base URL.
    pub gateway_url: String,
    /// The AMQP URL the services use (with the store's own virtual host, if any).
    pub amqp_url: String,
    /// Every running service, gateway last.
    pub processes: Vec<ServiceProcess>,
    options: StackOptions,
    vhost: Option<VirtualHost>,
}

impl Stack {
    /// Checks the dependencies, prepares databases and keys, starts every service and waits until all are ready.
    pub async fn start(mut options: StackOptions) -> Result<Self, StackError> {
        let admin = check_database(&options.database_url).await?;
        check_broker(&options.amqp_url).await?;
        if !binary(&options).exists() {
            return Err(StackError::MissingBinary {
                binary: binary(&options).display().to_string(),
            });
        }
        // After the other checks, so that a store that cannot even start creates none.
        let vhost = match &options.vhost {
            Some(name) => {
                let vhost = VirtualHost::ensure(&options.amqp_url, name).await?;
                options.amqp_url = vhost.amqp_url.clone();
                check_broker(&options.amqp_url).await?;
                Some(vhost)
            }
            None => None,
        };
        let temporary = options.drop_databases_on_stop;
        match Self::launch(options, admin, vhost.clone()).await {
            Ok(stack) => Ok(stack),
            Err(err) => {
                // A store that never started leaves no virtual host behind either.
                if let (true, Some(vhost)) = (temporary, &vhost) {
                    vhost.delete().await;
                }
                Err(err)
            }
        }
    }

    async fn launch(
        options: StackOptions,
        mut admin: PgConnection,
        vhost: Option<VirtualHost>,
    ) -> Result<Self, StackError> {
        let logs = options.state_dir.join("logs");
        std::fs::create_dir_all(&logs).map_err(|err| StackError::Io {
            path: logs.display().to_string(),
            cause: err.to_string(),
        })?;
        let keys = signing_keys(&options.state_dir)?;
        let session_key = console_session_key(&options.state_dir)?;
        let client = http_client()?;

        let mut stack = Self {
            gateway_url: String::new(),
            amqp_url: options.amqp_url.clone(),
            processes: Vec::new(),
            options: options.clone(),
            vhost,
        };
        // Ports first, so every service can be told where the ones it calls listen.
        let ports = SERVICES
            .iter()
            .map(|spec| port_for(&options, spec.port).map(|port| (spec.name, port)))
            .collect::<Result<Vec<_>, _>>()?;
        let url_of = |name: &str| {
            ports
                .iter()
                .find(|(n, _)| *n == name)
                .map(|(_, port)| format!("http://127.0.0.1:{port}"))
                .unwrap_or_default()
        };
        // Backends first and the gateway last, so its first requests find them.
        for (spec, port) in SERVICES.iter().zip(ports.iter().map(|(_, p)| *p)).rev() {
            let mut vars = common_env(&options, &keys, spec);
            if spec.name == petstore_contract::CONSOLE.name {
                vars.push((env::CONSOLE_SESSION_KEY.into(), session_key.clone()));
            }
            let calls: Vec<&str> = if spec.routes.is_empty() {
                petstore_contract::backends().map(|b| b.name).collect()
            } else {
                spec.calls.to_vec()
            };
            vars.extend(
                calls
                    .into_iter()
                    .map(|name| (env::upstream_url(name), url_of(name))),
            );
            if spec.has_database {
                let url = create_database(&mut admin, &options, spec).await?;
                vars.push((env::DATABASE_URL.into(), url));
                run_to_completion(
                    &binary(&options),
                    &[petstore_contract::MIGRATE_SUBCOMMAND, spec.name],
                    &vars,
                    &logs.join(format!("{}-migrate.log", spec.name)),
                )
                .await?;
            }
            let internal_port = port_for(&options, spec.internal_port())?;
            vars.push((env::LISTEN_ADDR.into(), format!("127.0.0.1:{port}")));
            vars.push((
                env::INTERNAL_LISTEN_ADDR.into(),
                format!("127.0.0.1:{internal_port}"),
            ));
            let process = ServiceProcess::spawn(
                spec,
                &binary(&options),
                (port, internal_port),
                &vars,
                logs.join(format!("{}.log", spec.name)),
            )?;
            stack.processes.push(process);
        }
        let _ = admin.close().await;
        stack.gateway_url = url_of(petstore_contract::GATEWAY.name);

        for process in &mut stack.processes {
            process.wait_ready(&client, Duration::from_secs(60)).await?;
        }
        Ok(stack)
    }

    /// The base URL of a service by name.
    pub fn url_of(&self, name: &str) -> Option<&str> {
        self.processes
            .iter()
            .find(|p| p.spec.name == name)
            .map(|p| p.url.as_str())
    }

    /// The base URL of a service's internal listener (`/metrics`, `/status`) by name.
    pub fn internal_url_of(&self, name: &str) -> Option<&str> {
        self.processes
            .iter()
            .find(|p| p.spec.name == name)
            .map(|p| p.internal_url.as_str())
    }

    /// The URL of a service's database, on the server behind `admin_url` (for benchmarks
    /// that read what the services wrote); `None` for a service without one.
    pub fn database_url(&self, admin_url: &str, service: &str) -> Option<String> {
        let spec = SERVICES
            .iter()
            .find(|s| s.name == service && s.has_database)?;
        Some(replace_database(
            admin_url,
            &database_name(&self.options, spec),
        ))
    }

    /// Kills a service abruptly (a crash, for tests).
    pub async fn kill(&mut self, name: &str) {
        if let Some(process) = self.processes.iter_mut().find(|p| p.spec.name == name) {
            process.kill().await;
        }
    }

    /// Starts a killed service again and waits until it is ready.
    pub async fn restart(&mut self, name: &str) -> Result<(), StackError> {
        let client = http_client()?;
        match self.processes.iter_mut().find(|p| p.spec.name == name) {
            Some(process) => {
                process.kill().await;
                process.respawn()?;
                process.wait_ready(&client, Duration::from_secs(60)).await
            }
            None => Err(StackError::Spawn {
                binary: name.to_string(),
                cause: "no such service".into(),
            }),
        }
    }

    /// Stops every service (gateway first, so no request reaches a stopped backend) and, for tests, drops the databases.
    pub async fn stop(mut self) {
        while let Some(process) = self.processes.pop() {
            process.stop().await;
        }
        if self.options.drop_databases_on_stop
            && let Ok(mut admin) = PgConnection::connect(&self.options.database_url).await
        {
            for spec in SERVICES.iter().filter(|s| s.has_database) {
                let name = database_name(&self.options, spec);
                let _ = sqlx::query(&format!("DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)"))
                    .execute(&mut admin)
                    .await;
            }
            let _ = admin.close().await;
            if let Some(vhost) = &self.vhost {
                vhost.delete().await;
            }
        }
    }
}

fn http_client() -> Result<reqwest::Client, StackError> {
    reqwest::Client::builder()
        .timeout(Duration::from_secs(2))
        .build()
        .map_err(|err| StackError::Spawn {
            binary: "http client".into(),
            cause: err.to_string(),
        })
}

/// The store's one binary, which runs every service (`petstore <service>`).
fn binary(options: &StackOptions) -> PathBuf {
    options.bin_dir.join(petstore_contract::BINARY)
}

/// Where free ports are looked for: below Linux's ephemeral range (32768–60999), so that
/// no outgoing connection (a pool connecting to PostgreSQL, a test's client) can take a
/// port between the moment it is chosen and the moment its service binds it.
const FREE_PORTS: std::ops::Range<u16> = 20_000..32_000;

/// Ports handed out by this process, so that stacks started side by side in one process
/// (a test running two stores) never get the same one.
static HANDED_OUT: std::sync::Mutex<Vec<u16>> = std::sync::Mutex::new(Vec::new());

/// `fixed` (the contract's port) or, for tests, a free port.
fn port_for(options: &StackOptions, fixed: u16) -> Result<u16, StackError> {
    use rand::Rng;
    if options.fixed_ports {
        return Ok(fixed);
    }
    let mut handed_out = HANDED_OUT
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner());
    for _ in 0..1_000 {
        let port = rand::thread_rng().gen_range(FREE_PORTS);
        // Bindable now, and never given to another stack of this process.
        if !handed_out.contains(&port) && std::net::TcpListener::bind(("127.0.0.1", port)).is_ok() {
            handed_out.push(port);
            return Ok(port);
        }
    }
    Err(StackError::Io {
        path: format!("127.0.0.1:{}-{}", FREE_PORTS.start, FREE_PORTS.end),
        cause: "no free port found".into(),
    })
}

fn database_name(options: &StackOptions, spec: &ServiceSpec) -> String {
    format!("{}_{}", options.database_prefix, spec.name)
}

async fn create_database(
    admin: &mut PgConnection,
    options: &StackOptions,
    spec: &ServiceSpec,
) -> Result<String, StackError> {
    let name = database_name(options, spec);
    let exists: bool =
        sqlx::query_scalar("SELECT EXISTS (SELECT 1 FROM pg_database WHERE datname = $1)")
            .bind(&name)
            .fetch_one(&mut *admin)
            .await?;
    if !exists {
        sqlx::query(&format!("CREATE DATABASE \"{name}\""))
            .execute(&mut *admin)
            .await?;
    }
    Ok(replace_database(&options.database_url, &name))
}

/// The same server URL with another database name.
fn replace_database(url: &str, name: &str) -> String {
    let (base, query) = url
        .split_once('?')
        .map_or((url, None), |(b, q)| (b, Some(q)));
    let authority = base.find("://").map_or(0, |i| i + 3);
    let path = base[authority..]
        .find('/')
        .map_or(base.len(), |i| authority + i);
    match query {
        Some(query) => format!("{}/{name}?{query}", &base[..path]),
        None => format!("{}/{name}", &base[..path]),
    }
}

struct DevKeys {
    private_pem: String,
    public_pem: String,
}

/// The development signing key pair: generated once per state directory and
/// reused, so tokens survive a restart of the local store.
fn signing_keys(state_dir: &Path) -> Result<DevKeys, StackError> {
    let private_path = state_dir.join("jwt-private.pem");
    let public_path = state_dir.join("jwt-public.pem");
    if let (Ok(private_pem), Ok(public_pem)) = (
        std::fs::read_to_string(&private_path),
        std::fs::read_to_string(&public_path),
    ) {
        return Ok(DevKeys {
            private_pem,
            public_pem,
        });
    }
    let pair = kit::auth::generate_keypair();
    let write = |path: &Path, text: &str| {
        std::fs::write(path, text).map_err(|err| StackError::Io {
            path: path.display().to_string(),
            cause: err.to_string(),
        })
    };
    write(&private_path, pair.private_pem.expose())?;
    write(&public_path, &pair.public_pem)?;
    Ok(DevKeys {
        private_pem: pair.private_pem.expose().clone(),
        public_pem: pair.public_pem,
    })
}

/// The console's session key, kept beside the signing keys so that sessions survive a
/// restart of the local store.
fn console_session_key(state_dir: &Path) -> Result<String, StackError> {
    let path = state_dir.join("console-session.key");
    if let Ok(key) = std::fs::read_to_string(&path)
        && key.trim().len() >= 32
    {
        return Ok(key.trim().to_string());
    }
    use rand::Rng;
    let key: String = rand::thread_rng()
        .sample_iter(&rand::distributions::Alphanumeric)
        .take(48)
        .map(char::from)
        .collect();
    std::fs::write(&path, &key).map_err(|err| StackError::Io {
        path: path.display().to_string(),
        cause: err.to_string(),
    })?;
    Ok(key)
}

fn common_env(options: &StackOptions, keys: &DevKeys, spec: &ServiceSpec) -> Vec<(String, String)> {
    let mut vars = vec![(env::JWT_PUBLIC_KEY.to_string(), keys.public_pem.clone())];
    if spec.has_database {
        vars.push((
            env::DATABASE_MAX_CONNECTIONS.into(),
            options.database_max_connections.to_string(),
        ));
    }
    if spec.uses_broker {
        vars.push((env::AMQP_URL.into(), options.amqp_url.clone()));
    }
    if spec.signs_tokens {
        vars.push((env::JWT_PRIVATE_KEY.into(), keys.private_pem.clone()));
        if let Some(email) = &options.bootstrap_admin_email {
            vars.push(("BOOTSTRAP_ADMIN_EMAIL".into(), email.clone()));
        }
    }
    vars.extend(options.extra_env.iter().cloned());
    vars
}

#[cfg(test)]
mod tests {
    use super::replace_database;

    #[test]
    fn database_urls() {
        assert_eq!(
            replace_database(
                "postgres://postgres@127.0.0.1:5432/postgres",
                "petstore_users"
            ),
            "postgres://postgres@127.0.0.1:5432/petstore_users"
        );
        assert_eq!(
            replace_database("postgres://u@h/db?sslmode=disable", "x"),
            "postgres://u@h/x?sslmode=disable"
        );
    }
}
