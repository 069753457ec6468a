//! Configuration from the environment.
//!
//! Besides the variables every data service reads (see
//! [`petstore_contract::env`]), the users service reads the constants below.

use std::time::Duration;

use kit::auth::{Role, TokenSigner, TokenVerifier};
use kit::config::{Env, FromEnv};
use kit::service::StoreConfig;
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

/// Failed logins for one email, within the lockout window, after which
/// further logins for that email are refused (default [`DEFAULT_LOGIN_MAX_FAILURES`]).
pub const LOGIN_MAX_FAILURES: &str = "LOGIN_MAX_FAILURES";
/// Default number of failed logins before the lockout.
pub const DEFAULT_LOGIN_MAX_FAILURES: u32 = 5;

/// Length in seconds of both the window in which failures are counted and the
/// lockout that follows (default [`DEFAULT_LOGIN_LOCKOUT_SECONDS`]).
pub const LOGIN_LOCKOUT_SECONDS: &str = "LOGIN_LOCKOUT_SECONDS";
/// Default failure window and lockout: 15 minutes.
pub const DEFAULT_LOGIN_LOCKOUT_SECONDS: u64 = 900;

/// Optional email of the first administrator. A user who registers with
/// exactly this address (after normalization) becomes `admin` if, and only
/// if, no administrator exists yet; every other registration yields
/// `customer`. There are no default credentials.
pub const BOOTSTRAP_ADMIN_EMAIL: &str = "BOOTSTRAP_ADMIN_EMAIL";

/// When repeated failed logins lock an email out.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LoginPolicy {
    /// Failures within `window` that trigger the lockout.
    pub max_failures: u32,
    /// Window in which failures are counted, and length of the lockout.
    pub window: Duration,
}

impl Default for LoginPolicy {
    fn default() -> Self {
        Self {
            max_failures: DEFAULT_LOGIN_MAX_FAILURES,
            window: Duration::from_secs(DEFAULT_LOGIN_LOCKOUT_SECONDS),
        }
    }
}

/// Everything the users service needs to run.
#[derive(Debug, Clone)]
pub struct Config {
    /// Listen address, database, broker and token verifier.
    pub store: StoreConfig,
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

impl FromEnv for Config {
    fn from_env(env: &mut Env) -> Option<Self> {
        let store = StoreConfig::from_env(env, crate::SPEC);
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
        let max_failures = env.optional(LOGIN_MAX_FAILURES, DEFAULT_LOGIN_MAX_FAILURES);
        if max_failures == 0 {
            env.problem(LOGIN_MAX_FAILURES, "must be at least 1");
        }
        let window = positive_seconds(env, LOGIN_LOCKOUT_SECONDS, DEFAULT_LOGIN_LOCKOUT_SECONDS);
        let bootstrap_admin_email = bootstrap_email_from_env(env);
        if let (Some(store), Some(signer)) = (&store, &signer) {
            check_key_pair(env, signer, &store.verifier);
        }
        Some(Self {
            store: store?,
            signer: signer?,
            refresh_token_ttl,
            login_policy: LoginPolicy {
                max_failures,
                window,
            },
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
fn check_key_pair(env: &mut Env, signer: &TokenSigner, verifier: &TokenVerifier) {
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

#[cfg(test)]
mod tests {
    use super::*;

    fn base(private: &str, public: &str) -> Vec<(&'static str, String)> {
        vec![
            (env::DATABASE_URL, "postgres://u@h/db".to_string()),
            (env::AMQP_URL, "amqp://h".to_string()),
            (env::JWT_PRIVATE_KEY, private.to_string()),
            (env::JWT_PUBLIC_KEY, public.to_string()),
        ]
    }

    #[test]
    fn defaults_apply() {
        let keys = kit::auth::generate_keypair();
        let config = Config::load(Env::from_pairs(base(
            keys.private_pem.expose(),
            &keys.public_pem,
        )))
        .unwrap();
        assert_eq!(config.signer.ttl(), Duration::from_secs(900));
        assert_eq!(
            config.refresh_token_ttl,
            Duration::from_secs(30 * 24 * 3600)
        );
        assert_eq!(config.login_policy, LoginPolicy::default());
        assert_eq!(config.bootstrap_admin_email, None);
    }

    #[test]
    fn mismatched_keys_name_the_public_key() {
        let keys = kit::auth::generate_keypair();
        let other = kit::auth::generate_keypair();
        let err = Config::load(Env::from_pairs(base(
            keys.private_pem.expose(),
            &other.public_pem,
        )))
        .unwrap_err();
        assert_eq!(
            err.problems,
            vec!["JWT_PUBLIC_KEY does not match JWT_PRIVATE_KEY".to_string()]
        );
    }

    #[test]
    fn bad_values_are_all_reported() {
        let keys = kit::auth::generate_keypair();
        let mut pairs = base(keys.private_pem.expose(), &keys.public_pem);
        pairs.push((LOGIN_MAX_FAILURES, "0".into()));
        pairs.push((ACCESS_TOKEN_TTL_SECONDS, "soon".into()));
        pairs.push((BOOTSTRAP_ADMIN_EMAIL, "not-an-email".into()));
        let err = Config::load(Env::from_pairs(pairs)).unwrap_err();
        let text = err.to_string();
        for name in [
            LOGIN_MAX_FAILURES,
            ACCESS_TOKEN_TTL_SECONDS,
            BOOTSTRAP_ADMIN_EMAIL,
        ] {
            assert!(text.contains(name), "{text}");
        }
    }

    #[test]
    fn bootstrap_email_is_normalized() {
        let keys = kit::auth::generate_keypair();
        let mut pairs = base(keys.private_pem.expose(), &keys.public_pem);
        pairs.push((BOOTSTRAP_ADMIN_EMAIL, "  Boss@Example.ORG ".into()));
        let config = Config::load(Env::from_pairs(pairs)).unwrap();
        assert_eq!(
            config.bootstrap_admin_email.as_deref(),
            Some("boss@example.org")
        );
    }
}
