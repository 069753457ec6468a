//! A whole run: seed, find the catalog, hatch the users, show progress, stop at the run
//! time (or on Ctrl-C / SIGTERM), write the reports.

use std::sync::Arc;
use std::time::{Duration, Instant};

use tokio::task::JoinSet;
use tokio_util::sync::CancellationToken;

use crate::client::Api;
use crate::config::{Config, ConfigError};
use crate::metrics::Metrics;
use crate::progress;
use crate::report::{self, Files, Report, RunInfo};
use crate::scenario::{Kind, User, run_user};
use crate::seed::{self, SeedError};
use crate::session::Account;
use crate::world::{World, WorldError};

/// Why a run could not be made.
#[derive(Debug, thiserror::Error)]
pub enum RunError {
    /// The options do not make a run.
    #[error(transparent)]
    Config(#[from] ConfigError),
    /// The HTTP client could not be built.
    #[error("cannot build the HTTP client: {0}")]
    Client(#[from] reqwest::Error),
    /// Seeding failed.
    #[error(transparent)]
    Seed(#[from] SeedError),
    /// `--seed` without a password, and the administrator exists already.
    #[error(
        "the administrator {0} exists already: give its password in PETSTORE_LOAD_ADMIN_PASSWORD"
    )]
    AdminExists(String),
    /// The generated administrator password could not be saved.
    #[error("cannot write {path}: {source}")]
    SavePassword {
        /// The file.
        path: String,
        /// Why.
        #[source]
        source: std::io::Error,
    },
    /// The catalog could not be read.
    #[error(transparent)]
    World(#[from] WorldError),
    /// A report could not be written.
    #[error(transparent)]
    Report(#[from] report::ReportError),
}

/// What a finished run returns.
#[derive(Debug, Clone)]
pub struct Outcome {
    /// The report, as written.
    pub report: Report,
    /// Where.
    pub files: Files,
}

/// Cancels `stop` on Ctrl-C or SIGTERM.
fn stop_on_signal(stop: CancellationToken) {
    tokio::spawn(async move {
        #[cfg(unix)]
        let terminate = async {
            match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
                Ok(mut signal) => {
                    signal.recv().await;
                }
                Err(_) => std::future::pending::<()>().await,
            }
        };
        #[cfg(not(unix))]
        let terminate = std::future::pending::<()>();
        tokio::select! {
            _ = tokio::signal::ctrl_c() => {}
            () = terminate => {}
        }
        println!("stopping: signal received");
        stop.cancel();
    });
}

fn run_info(config: &Config, started_at: String) -> Result<RunInfo, ConfigError> {
    let weights = config.weights()?;
    Ok(RunInfo {
        host: config.host.to_string(),
        started_at,
        users: config.users,
        hatch_rate: config.hatch_rate,
        run_time_seconds: config.run_time.map(|d| d.as_secs()),
        weights: Kind::ALL.iter().map(|k| (*k, weights.of(*k))).collect(),
        think_time_ms: (
            config.think_time.min.as_millis() as u64,
            config.think_time.max.as_millis() as u64,
        ),
    })
}

/// Runs the load described by `config`; `stop` ends it early (the binary cancels it on
/// Ctrl-C and SIGTERM).
pub async fn run(mut config: Config, stop: CancellationToken) -> Result<Outcome, RunError> {
    let generated = config.generate_admin_password_for_seed();
    let weights = config.weights()?;
    if config.staff_skipped() {
        println!("staff scenario skipped: it needs PETSTORE_LOAD_ADMIN_PASSWORD");
    }
    let admin = config.admin().map(|a| Account {
        email: a.email,
        password: a.password,
        display_name: "Administrator".into(),
    });

    // Seeding and discovery are measured apart, so they never show in the run's figures.
    let setup = Api::new(
        config.host.clone(),
        Arc::new(Metrics::new()),
        config.request_timeout,
    )?;
    if config.seed
        && let Some(admin) = &admin
    {
        let started = Instant::now();
        let seeded = match seed::seed(&setup, admin).await {
            Err(SeedError::LoginRefused(email)) if generated.is_some() => {
                return Err(RunError::AdminExists(email));
            }
            other => other?,
        };
        if let Some(password) = &generated {
            let path = save_admin_password(&config.report_dir, password)?;
            println!(
                "registered the administrator {}; its password is in {}",
                admin.email,
                path.display()
            );
        }
        println!(
            "seeded {} in {:.1} s: {} created, {} found, {} stock levels set",
            config.host,
            started.elapsed().as_secs_f64(),
            seeded.created,
            seeded.reused,
            seeded.stock_set
        );
    }
    let world = Arc::new(World::discover(&setup, admin).await?);
    println!(
        "{} users ({} per second) against {}: {} load-test products in {} categories",
        config.users,
        config.hatch_rate,
        config.host,
        world.products.len(),
        world.categories.len()
    );

    let metrics = Arc::new(Metrics::new());
    let api = Api::new(config.host.clone(), metrics.clone(), config.request_timeout)?;
    let run_id = uuid::Uuid::new_v4().simple().to_string()[..8].to_string();
    let info = run_info(
        &config,
        chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
    )?;
    let started = Instant::now();

    // Stops the users, then the ticker and the progress.
    let users_stop = CancellationToken::new();
    let background = users_stop.clone();
    let ticker = {
        let (metrics, done) = (metrics.clone(), background.clone());
        tokio::spawn(async move {
            let mut every = tokio::time::interval_at(
                tokio::time::Instant::now() + Duration::from_secs(1),
                Duration::from_secs(1),
            );
            loop {
                tokio::select! {
                    _ = done.cancelled() => break,
                    _ = every.tick() => metrics.tick(),
                }
            }
        })
    };
    let printer = {
        let (metrics, done, interval, users) = (
            metrics.clone(),
            background.clone(),
            config.progress_interval,
            config.users,
        );
        let reports = config.run_time.is_none().then(|| {
            (
                config.report_dir.clone(),
                config.report_interval,
                info.clone(),
            )
        });
        tokio::spawn(async move {
            let mut every =
                tokio::time::interval_at(tokio::time::Instant::now() + interval, interval);
            let mut last_report = Instant::now();
            loop {
                tokio::select! {
                    _ = done.cancelled() => break,
                    _ = every.tick() => {
                        let snapshot = metrics.snapshot();
                        print!("{}", progress::render(&snapshot, users, interval));
                        if let Some((dir, report_every, info)) = &reports
                            && last_report.elapsed() >= *report_every
                        {
                            last_report = Instant::now();
                            if let Err(err) = report::write_all(dir, &Report::new(info.clone(), &snapshot)) {
                                println!("{err}");
                            }
                        }
                    }
                }
            }
        })
    };

    // Hatch at the rate asked, stop at the run time.
    let mut tasks = JoinSet::new();
    let deadline = config.run_time.map(|d| tokio::time::Instant::now() + d);
    let pause = Duration::from_secs_f64(1.0 / config.hatch_rate);
    let mut next = tokio::time::Instant::now();
    for number in 0..config.users as usize {
        if stop.is_cancelled() || deadline.is_some_and(|d| tokio::time::Instant::now() >= d) {
            break;
        }
        let user = User::new(
            api.clone(),
            world.clone(),
            number,
            users_stop.clone(),
            config.think_time,
            config.order_wait,
            run_id.clone(),
        );
        tasks.spawn(run_user(weights.kind_of(number), user));
        next += pause;
        tokio::select! {
            _ = stop.cancelled() => break,
            _ = tokio::time::sleep_until(next) => {}
        }
    }
    match deadline {
        Some(deadline) => {
            tokio::select! {
                _ = stop.cancelled() => {}
                _ = tokio::time::sleep_until(deadline) => {}
            }
        }
        None => stop.cancelled().await,
    }
    users_stop.cancel();
    // Requests in flight may finish (bounded by the request timeout); then the rest stop.
    let grace = config.request_timeout + Duration::from_secs(1);
    if tokio::time::timeout(grace, async { while tasks.join_next().await.is_some() {} })
        .await
        .is_err()
    {
        tasks.abort_all();
    }
    let _ = ticker.await;
    let _ = printer.await;
    metrics.close();

    let mut snapshot = metrics.snapshot();
    snapshot.elapsed = started.elapsed();
    let report = Report::new(info, &snapshot);
    print!(
        "{}",
        progress::render(&snapshot, config.users, config.progress_interval)
    );
    print!("{}", report::tables(&report));
    let files = report::write_all(&config.report_dir, &report)?;
    println!(
        "\nreports: {} {} {} {}",
        files.html.display(),
        files.json.display(),
        files.endpoints_csv.display(),
        files.timeline_csv.display()
    );
    Ok(Outcome { report, files })
}

/// The binary's run: stops on Ctrl-C or SIGTERM; with `--linger`, stays alive afterwards.
pub async fn main_run(config: Config) -> Result<Outcome, RunError> {
    let stop = CancellationToken::new();
    stop_on_signal(stop.clone());
    let linger = config.linger;
    let outcome = run(config, stop.clone()).await?;
    if linger && !stop.is_cancelled() {
        println!("run finished; lingering until stopped (--linger)");
        stop.cancelled().await;
    }
    Ok(outcome)
}

/// Writes the administrator's generated password to `admin-password` in `dir`, readable by
/// its owner only.
fn save_admin_password(
    dir: &std::path::Path,
    password: &crate::config::Password,
) -> Result<std::path::PathBuf, RunError> {
    use std::io::Write;
    let path = dir.join("admin-password");
    let fail = |source| RunError::SavePassword {
        path: path.display().to_string(),
        source,
    };
    std::fs::create_dir_all(dir).map_err(fail)?;
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let mut file = options.open(&path).map_err(fail)?;
    writeln!(file, "{}", password.expose()).map_err(fail)?;
    Ok(path)
}
