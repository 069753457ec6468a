//! Configuration from the environment.
//!
//! Besides the variables every data service reads (see
//! [`petstore_contract::env`]), the users service reads the constants below.

use std::time::Duration;

use kit::auth::{Role, TokenSigner, TokenVerifier};
use kit::config::{Env, FromEnv};
use petstore_contract::env;
use uuid::Uuid;

/// Lifetime of access tokens in seconds (default [`DEFAULT_ACCESS_TOKEN_TTL_SECONDS`]).
pub const ACCESS_TOKEN_TTL_SECONDS: &str = "ACCESS_TOKEN_TTL_SECONDS";
/// Default access-token lifetime: 15 minutes.
pub const DEFAULT_ACCESS_TOKEN_TTL_SECONDS: u64 = 900;

/// Lifetime of refresh tokens in seconds (default [`DEFAULT_REFRESH_TOKEN_TTL_SECONDS`]).
pub const REFRESH_TOKEN_TTL_SECONDS: &str = "REFRESH_TOKEN_TTL_SECONDS";
/// Default refresh-token lifetime: 30 days.
pub const DEFAULT_REFRESH_TOKEN_TTL_SECONDS: u64 = 30 * 24 * 3600;

/// Failed logins for one email from one client address, within the window, after
/// which that client is locked out for that email (default [`DEFAULT_LOGIN_MAX_FAILURES`]).
pub const LOGIN_MAX_FAILURES: &str = "LOGIN_MAX_FAILURES";
/// Default number of failed logins per client before its lockout.
pub const DEFAULT_LOGIN_MAX_FAILURES: u32 = 5;

/// Failed logins for one email from all clients together, within the window, after
/// which every client that has failed for it waits too (default
/// [`DEFAULT_LOGIN_MAX_FAILURES_PER_EMAIL`]): a brake on guessing spread over many
/// addresses that spares clients that have not failed, the owner's included.
pub const LOGIN_MAX_FAILURES_PER_EMAIL: &str = "LOGIN_MAX_FAILURES_PER_EMAIL";
/// Default number of failed logins per email, over all clients.
pub const DEFAULT_LOGIN_MAX_FAILURES_PER_EMAIL: u32 = 20;

/// Length in seconds of the window in which failures are counted, and the longest
/// lockout (default [`DEFAULT_LOGIN_LOCKOUT_SECONDS`]).
pub const LOGIN_LOCKOUT_SECONDS: &str = "LOGIN_LOCKOUT_SECONDS";
/// Default failure window and longest lockout: 15 minutes.
pub const DEFAULT_LOGIN_LOCKOUT_SECONDS: u64 = 900;

/// The first lockout in seconds; each further failure doubles it, up to
/// `LOGIN_LOCKOUT_SECONDS` (default [`DEFAULT_LOGIN_FIRST_LOCKOUT_SECONDS`]).
pub const LOGIN_FIRST_LOCKOUT_SECONDS: &str = "LOGIN_FIRST_LOCKOUT_SECONDS";
/// Default first lockout: 30 seconds.
pub const DEFAULT_LOGIN_FIRST_LOCKOUT_SECONDS: u64 = 30;

/// Optional email of the first administrator. A user who registers with
/// exactly this address (after normalization) becomes `admin` if, and only
/// if, no administrator exists yet; every other registration yields
/// `customer`. There are no default credentials.
pub const BOOTSTRAP_ADMIN_EMAIL: &str = "BOOTSTRAP_ADMIN_EMAIL";

/// When repeated failed logins lock a client out of an email, and for how long.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LoginPolicy {
    /// Failures of one client within `window` that lock it out.
    pub max_failures: u32,
    /// Failures of all clients within `window` past which every client that failed waits.
    pub max_failures_per_email: u32,
    /// Window in which failures are counted, and the longest lockout.
    pub window: Duration,
    /// The first lockout; each further failure doubles it, up to `window`.
    pub first_lockout: Duration,
}

impl LoginPolicy {
    /// How long to refuse after `failures` failures against `limit`: nothing below the
    /// limit, then the first lockout, doubled for each failure past it, at most `window`.
    pub fn lockout(&self, failures: u32, limit: u32) -> Option<Duration> {
        let past = failures.checked_sub(limit)?;
        let doubled = self
            .first_lockout
            .checked_mul(2u32.checked_pow(past).unwrap_or(u32::MAX))
            .unwrap_or(self.window);
        Some(doubled.min(self.window))
    }
}

impl Default for LoginPolicy {
    fn default() -> Self {
        Self {
            max_failures: DEFAULT_LOGIN_MAX_FAILURES,
            max_failures_per_email: DEFAULT_LOGIN_MAX_FAILURES_PER_EMAIL,
            window: Duration::from_secs(DEFAULT_LOGIN_LOCKOUT_SECONDS),
            first_lockout: Duration::from_secs(DEFAULT_LOGIN_FIRST_LOCKOUT_SECONDS),
        }
    }
}

/// What the users service reads beside the variables every data service reads.
#[derive(Debug, Clone)]
pub struct Settings {
    /// Signs access tokens (`JWT_PRIVATE_KEY`, `ACCESS_TOKEN_TTL_SECONDS`).
    pub signer: TokenSigner,
    /// Lifetime of refresh tokens.
    pub refresh_token_ttl: Duration,
    /// Failed-login lockout.
    pub login_policy: LoginPolicy,
    /// Normalized email of the first administrator, if configured.
    pub bootstrap_admin_email: Option<String>,
    /// Argon2id cost parameters. Not read from the environment: production
    /// always uses the OWASP-recommended defaults; tests may pick cheaper ones.
    pub password_hashing: argon2::Params,
    /// Threads that hash passwords: the cores the process may use. They bound both CPU
    /// and memory (each hash holds `m_cost` KiB, 19 MiB by default).
    pub password_hash_threads: usize,
}

impl FromEnv for Settings {
    fn from_env(env: &mut Env) -> Option<Self> {
        let access_ttl = positive_seconds(
            env,
            ACCESS_TOKEN_TTL_SECONDS,
            DEFAULT_ACCESS_TOKEN_TTL_SECONDS,
        );
        let signer = signer_from_env(env, access_ttl);
        let refresh_token_ttl = positive_seconds(
            env,
            REFRESH_TOKEN_TTL_SECONDS,
            DEFAULT_REFRESH_TOKEN_TTL_SECONDS,
        );
        let login_policy = login_policy_from_env(env);
        let bootstrap_admin_email = bootstrap_email_from_env(env);
        Some(Self {
            signer: signer?,
            refresh_token_ttl,
            login_policy,
            bootstrap_admin_email,
            password_hashing: argon2::Params::default(),
            password_hash_threads: crate::security::default_threads(),
        })
    }
}

fn positive_seconds(env: &mut Env, name: &str, default: u64) -> Duration {
    let seconds = env.optional(name, default);
    if seconds == 0 {
        env.problem(name, "must be a positive number of seconds");
    }
    Duration::from_secs(seconds)
}

fn login_policy_from_env(env: &mut Env) -> LoginPolicy {
    let at_least_one = |env: &mut Env, name: &str, default: u32| {
        let value = env.optional(name, default);
        if value == 0 {
            env.problem(name, "must be at least 1");
        }
        value
    };
    let max_failures = at_least_one(env, LOGIN_MAX_FAILURES, DEFAULT_LOGIN_MAX_FAILURES);
    let max_failures_per_email = at_least_one(
        env,
        LOGIN_MAX_FAILURES_PER_EMAIL,
        DEFAULT_LOGIN_MAX_FAILURES_PER_EMAIL,
    );
    let window = positive_seconds(env, LOGIN_LOCKOUT_SECONDS, DEFAULT_LOGIN_LOCKOUT_SECONDS);
    let first_lockout = positive_seconds(
        env,
        LOGIN_FIRST_LOCKOUT_SECONDS,
        DEFAULT_LOGIN_FIRST_LOCKOUT_SECONDS,
    );
    if first_lockout > window {
        env.problem(
            LOGIN_FIRST_LOCKOUT_SECONDS,
            format_args!("must not exceed {LOGIN_LOCKOUT_SECONDS}"),
        );
    }
    LoginPolicy {
        max_failures,
        max_failures_per_email,
        window,
        first_lockout,
    }
}

fn signer_from_env(env: &mut Env, ttl: Duration) -> Option<TokenSigner> {
    let pem = env.required_text(env::JWT_PRIVATE_KEY)?;
    match TokenSigner::from_pem(pem.expose(), ttl) {
        Ok(signer) => Some(signer),
        Err(err) => {
            env.problem(env::JWT_PRIVATE_KEY, err);
            None
        }
    }
}

fn bootstrap_email_from_env(env: &mut Env) -> Option<String> {
    let raw: String = env.optional(BOOTSTRAP_ADMIN_EMAIL, String::new());
    if raw.trim().is_empty() {
        return None;
    }
    let email = crate::domain::user::normalize_email(&raw);
    if !kit::validate::is_email(&email) {
        env.problem(BOOTSTRAP_ADMIN_EMAIL, "is not a valid email address");
        return None;
    }
    Some(email)
}

/// Signs a probe token and verifies it, so a private key that does not belong
/// to the public key stops start-up instead of issuing tokens nobody accepts.
/// Records a problem when the verifying key does not verify what the signing key signs.
pub(crate) fn check_key_pair(env: &mut Env, signer: &TokenSigner, verifier: &TokenVerifier) {
    let matches = signer
        .sign(&signer.claims_for(Uuid::nil(), Role::Customer))
        .is_ok_and(|token| verifier.verify(&token).is_ok());
    if !matches {
        env.problem(
            env::JWT_PUBLIC_KEY,
            format_args!("does not match {}", env::JWT_PRIVATE_KEY),
        );
    }
}
