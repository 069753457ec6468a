//! The users service's configuration as the binary reads it from the environment.
#![allow(clippy::unwrap_used)]

use kit::config::{Env, FromEnv};
use std::time::Duration;
use users::Config;

use petstore_contract::env;
use users::config::*;

fn base(private: &str, public: &str) -> Vec<(&'static str, String)> {
    vec![
        (env::DATABASE_URL, "postgres://u@h/db".to_string()),
        (env::AMQP_URL, "amqp://h".to_string()),
        (env::JWT_PRIVATE_KEY, private.to_string()),
        (env::JWT_PUBLIC_KEY, public.to_string()),
    ]
}

#[test]
fn lockouts_start_at_the_limit_double_and_stop_at_the_window() {
    let policy = LoginPolicy::default();
    let seconds = |failures| policy.lockout(failures, 5).map(|d| d.as_secs());
    assert_eq!(seconds(4), None);
    assert_eq!(seconds(5), Some(30));
    assert_eq!(seconds(6), Some(60));
    assert_eq!(seconds(8), Some(240));
    assert_eq!(seconds(10), Some(900));
    assert_eq!(seconds(u32::MAX), Some(900));
}

#[test]
fn defaults_apply() {
    let keys = kit::auth::generate_keypair();
    let config = Config::load(Env::from_pairs(base(
        keys.private_pem.expose(),
        &keys.public_pem,
    )))
    .unwrap();
    assert_eq!(config.settings.signer.ttl(), Duration::from_secs(900));
    assert_eq!(
        config.settings.refresh_token_ttl,
        Duration::from_secs(30 * 24 * 3600)
    );
    assert_eq!(config.settings.login_policy, LoginPolicy::default());
    assert_eq!(config.settings.bootstrap_admin_email, None);
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
        config.settings.bootstrap_admin_email.as_deref(),
        Some("boss@example.org")
    );
}
