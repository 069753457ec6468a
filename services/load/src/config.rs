//! The command line (every option also reads a `PETSTORE_LOAD_*` variable, for the
//! operator's Deployment), typed once at start-up.

use std::fmt;
use std::path::PathBuf;
use std::str::FromStr;
use std::time::Duration;

use clap::Parser;

use crate::duration::{ThinkTime, parse_duration};
use crate::scenario::kind::{Kind, Weights};
use crate::target::Target;

/// A password given on the command line or in the environment, never printed.
#[derive(Clone, PartialEq, Eq)]
pub struct Password(String);

impl Password {
    /// A password.
    pub fn new(text: impl Into<String>) -> Self {
        Self(text.into())
    }

    /// The password itself, to send it.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Password {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Password(<redacted>)")
    }
}

impl FromStr for Password {
    type Err = std::convert::Infallible;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        Ok(Self(text.to_string()))
    }
}

fn hatch_rate(text: &str) -> Result<f64, String> {
    match text.parse::<f64>() {
        Ok(rate) if rate.is_finite() && rate > 0.0 => Ok(rate),
        _ => Err(format!(
            "{text:?} is not a positive number of users per second"
        )),
    }
}

/// `petstore-load`'s options.
#[derive(Debug, Clone, Parser)]
#[command(
    name = "petstore-load",
    version,
    about = "Simulates visitors, shoppers and staff against a PetStore gateway, shows live \
             progress and writes an HTML report with charts, JSON and CSV.",
    after_help = "Example, against scripts/run-local --no-rate-limits:\n  \
                  PETSTORE_LOAD_ADMIN_PASSWORD='a long passphrase 42' petstore-load \
                  --host http://127.0.0.1:8080 --users 500 --hatch-rate 50 --run-time 60s \
                  --seed --admin-email admin@petstore.local"
)]
pub struct Config {
    /// The store's gateway, `http://host[:port]` (required: nothing is ever sent
    /// anywhere else; redirects are not followed).
    #[arg(long, env = "PETSTORE_LOAD_HOST")]
    pub host: Target,
    /// Simulated users at full strength.
    #[arg(long, env = "PETSTORE_LOAD_USERS", default_value_t = 10,
          value_parser = clap::value_parser!(u32).range(1..=100_000))]
    pub users: u32,
    /// Users started per second until `--users` are running.
    #[arg(long, env = "PETSTORE_LOAD_HATCH_RATE", default_value_t = 10.0, value_parser = hatch_rate)]
    pub hatch_rate: f64,
    /// How long to run once the first user starts (e.g. 60s, 10m, 1h30m); without it, the
    /// run goes on until Ctrl-C or SIGTERM.
    #[arg(long, env = "PETSTORE_LOAD_RUN_TIME", value_parser = parse_duration)]
    pub run_time: Option<Duration>,
    /// Relative share of visitors (browse, filter, search, read products and reviews).
    #[arg(long, env = "PETSTORE_LOAD_VISITOR_WEIGHT", default_value_t = 6)]
    pub visitor_weight: u32,
    /// Relative share of shoppers (account, cart, checkout, order followed until paid,
    /// sometimes a cancellation, a review).
    #[arg(long, env = "PETSTORE_LOAD_SHOPPER_WEIGHT", default_value_t = 3)]
    pub shopper_weight: u32,
    /// Relative share of staff (restock items below their minimum, ship paid orders);
    /// needs the administrator's credentials.
    #[arg(long, env = "PETSTORE_LOAD_STAFF_WEIGHT", default_value_t = 1)]
    pub staff_weight: u32,
    /// Pause between two pages of one user, `MIN..MAX` (e.g. 500ms..2s) or one value.
    #[arg(long, env = "PETSTORE_LOAD_THINK_TIME", default_value = "500ms..2s")]
    pub think_time: ThinkTime,
    /// Before the run, prepare what the scenarios need through the public API: the
    /// administrator's account, categories, products, two stores and their stock.
    /// Idempotent: running it again finds and reuses what exists.
    #[arg(long, env = "PETSTORE_LOAD_SEED")]
    pub seed: bool,
    /// The administrator's email (`--seed` and the staff scenario log in with it); by
    /// default the local store's bootstrap administrator (`scripts/run-local`).
    #[arg(long, env = "PETSTORE_LOAD_ADMIN_EMAIL", default_value = LOCAL_ADMIN_EMAIL)]
    pub admin_email: String,
    /// The administrator's password; prefer the variable to the option, which other
    /// users of the machine can see. Without it, `--seed` registers the administrator
    /// with a password of its own (on a store where nobody has yet) and writes it to
    /// `admin-password` in the report directory.
    #[arg(long, env = "PETSTORE_LOAD_ADMIN_PASSWORD", hide_env_values = true)]
    pub admin_password: Option<Password>,
    /// Where the reports are written: report.html, report.json, endpoints.csv, timeline.csv.
    #[arg(
        long,
        env = "PETSTORE_LOAD_REPORT_DIR",
        default_value = "petstore-load-report"
    )]
    pub report_dir: PathBuf,
    /// How often the live progress is printed.
    #[arg(long, env = "PETSTORE_LOAD_PROGRESS_INTERVAL", default_value = "5s", value_parser = parse_duration)]
    pub progress_interval: Duration,
    /// How often the reports are rewritten during a run without `--run-time` (they are
    /// always written at the end).
    #[arg(long, env = "PETSTORE_LOAD_REPORT_INTERVAL", default_value = "5m", value_parser = parse_duration)]
    pub report_interval: Duration,
    /// Longest wait for one answer.
    #[arg(long, env = "PETSTORE_LOAD_REQUEST_TIMEOUT", default_value = "10s", value_parser = parse_duration)]
    pub request_timeout: Duration,
    /// Longest a shopper follows an order before giving up on it (counted as a failed visit).
    #[arg(long, env = "PETSTORE_LOAD_ORDER_WAIT", default_value = "30s", value_parser = parse_duration)]
    pub order_wait: Duration,
    /// After the run, stay alive (idle) until stopped, so that a Deployment does not
    /// start the run again.
    #[arg(long, env = "PETSTORE_LOAD_LINGER")]
    pub linger: bool,
}

/// The bootstrap administrator's email of the local store (`petstore-local --admin-email`).
pub const LOCAL_ADMIN_EMAIL: &str = "admin@petstore.local";

/// A configuration that cannot run.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ConfigError {
    /// `--seed` without credentials.
    #[error(
        "--seed needs the administrator's password: PETSTORE_LOAD_ADMIN_PASSWORD (or --admin-password)"
    )]
    SeedWithoutAdmin,
    /// Every weight is zero, or only staff without credentials.
    #[error(
        "no scenario to run: every weight is 0 (staff also needs the administrator's credentials)"
    )]
    NoScenario,
}

/// The administrator's credentials.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Admin {
    /// Email.
    pub email: String,
    /// Password.
    pub password: Password,
}

impl Config {
    /// The administrator's credentials, when the password is known.
    pub fn admin(&self) -> Option<Admin> {
        self.admin_password.as_ref().map(|password| Admin {
            email: self.admin_email.clone(),
            password: password.clone(),
        })
    }

    /// For `--seed` without a password: a fresh one, which seeding registers the
    /// administrator with (it only can where nobody has registered that email yet).
    /// Returns it when it made one.
    pub fn generate_admin_password_for_seed(&mut self) -> Option<Password> {
        if !self.seed || self.admin_password.is_some() {
            return None;
        }
        use rand::Rng;
        let random: String = rand::thread_rng()
            .sample_iter(&rand::distributions::Alphanumeric)
            .take(24)
            .map(char::from)
            .collect();
        // The users service wants a letter and a digit or symbol: say so whatever came out.
        let password = Password::new(format!("load-{random}-7"));
        self.admin_password = Some(password.clone());
        Some(password)
    }

    /// The weights that will run: staff only with the administrator's credentials.
    pub fn weights(&self) -> Result<Weights, ConfigError> {
        if self.seed && self.admin().is_none() {
            return Err(ConfigError::SeedWithoutAdmin);
        }
        let staff = if self.admin().is_some() {
            self.staff_weight
        } else {
            0
        };
        let weights = Weights::new([
            (Kind::Visitor, self.visitor_weight),
            (Kind::Shopper, self.shopper_weight),
            (Kind::Staff, staff),
        ]);
        if weights.is_empty() {
            return Err(ConfigError::NoScenario);
        }
        Ok(weights)
    }

    /// Whether the staff weight was asked for but cannot run (no credentials).
    pub fn staff_skipped(&self) -> bool {
        self.staff_weight > 0 && self.admin().is_none()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(args: &[&str]) -> Result<Config, clap::Error> {
        Config::try_parse_from(std::iter::once("petstore-load").chain(args.iter().copied()))
    }

    #[test]
    fn the_host_is_required_and_checked() {
        assert!(parse(&[]).is_err());
        assert!(parse(&["--host", "https://example.org"]).is_err());
        let config = parse(&["--host", "http://127.0.0.1:8080"]).unwrap();
        assert_eq!(config.host.origin(), "http://127.0.0.1:8080");
        assert_eq!(config.users, 10);
        assert_eq!(config.run_time, None);
    }

    #[test]
    fn options_are_typed() {
        let config = parse(&[
            "--host",
            "http://h:1",
            "--users",
            "500",
            "--hatch-rate",
            "50",
            "--run-time",
            "60s",
            "--think-time",
            "1s..3s",
            "--visitor-weight",
            "2",
            "--shopper-weight",
            "0",
        ])
        .unwrap();
        assert_eq!(config.users, 500);
        assert!((config.hatch_rate - 50.0).abs() < f64::EPSILON);
        assert_eq!(config.run_time, Some(Duration::from_secs(60)));
        assert_eq!(config.think_time.max, Duration::from_secs(3));
        assert!(parse(&["--host", "http://h", "--hatch-rate", "0"]).is_err());
        assert!(parse(&["--host", "http://h", "--users", "0"]).is_err());
    }

    #[test]
    fn staff_and_seed_need_the_administrator() {
        let without = parse(&["--host", "http://h"]).unwrap();
        assert!(without.staff_skipped());
        assert_eq!(without.weights().unwrap().of(Kind::Staff), 0);
        let seed = parse(&["--host", "http://h", "--seed"]).unwrap();
        assert_eq!(seed.weights(), Err(ConfigError::SeedWithoutAdmin));
        let mut generated = seed.clone();
        let password = generated
            .generate_admin_password_for_seed()
            .expect("a password for the seeding");
        assert!(password.expose().len() >= 12);
        assert_eq!(generated.admin_email, LOCAL_ADMIN_EMAIL);
        assert_eq!(generated.weights().unwrap().of(Kind::Staff), 1);
        assert!(
            generated.generate_admin_password_for_seed().is_none(),
            "only once"
        );
        let mut without_seed = without.clone();
        assert!(without_seed.generate_admin_password_for_seed().is_none());
        let with = parse(&[
            "--host",
            "http://h",
            "--seed",
            "--admin-email",
            "a@b.c",
            "--admin-password",
            "pw",
        ])
        .unwrap();
        assert_eq!(with.weights().unwrap().of(Kind::Staff), 1);
        assert!(!format!("{with:?}").contains("\"pw\""));
        let none = parse(&[
            "--host",
            "http://h",
            "--visitor-weight",
            "0",
            "--shopper-weight",
            "0",
        ])
        .unwrap();
        assert_eq!(none.weights(), Err(ConfigError::NoScenario));
    }
}
